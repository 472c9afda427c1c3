/*
 * fuzz_sanitize.c - libFuzzer harness for sanitize(), both modes.
 *
 * Input: any bytes (libFuzzer passes an exact-size buffer, so ASan sees a
 * read past its end).
 *
 * Invariants (abort() on failure): outputs NUL-terminated and within the
 * worst-case length; SAN_JSON output is valid UTF-8 and equals the input
 * when the input was valid; SAN_TERMINAL output is valid UTF-8, holds no
 * C0 control, DEL, C1 control or bidi/line-separator character, and decodes
 * back to the input ("\\" is a backslash, "\xNN" a byte, "\uXXXX" a
 * three-byte character), so the escaping loses nothing and is unambiguous.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

#include "../unit/sanitize_props.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - both modes on the whole input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *j, *t;
	size_t jlen = SIZE_MAX, tlen = SIZE_MAX;

	j = (unsigned char *)sanitize(data, size, SAN_JSON, &jlen);
	if (jlen > 3 * size || j[jlen] != '\0')
		abort();
	if (!valid_utf8(j, jlen))
		abort();
	if (valid_utf8(data, size) &&
	    (jlen != size || memcmp(j, data, size) != 0))
		abort();
	free(j);

	t = (unsigned char *)sanitize(data, size, SAN_TERMINAL, &tlen);
	if (tlen > 4 * size || t[tlen] != '\0')
		abort();
	if (!terminal_safe(t, tlen) || !valid_utf8(t, tlen))
		abort();
	if (!decodes_to(t, tlen, data, size))
		abort();
	free(t);
	return 0;
}
