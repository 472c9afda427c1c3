/*
 * sanitize.h - server bytes into text that is safe to print or to put in
 * JSON. Raw bytes stay raw in the result; only the edges call this.
 */
#ifndef SMTP_PROBE_SANITIZE_H
#define SMTP_PROBE_SANITIZE_H

#include <stddef.h>

enum san_mode {
	SAN_JSON, /* valid UTF-8; jansson escapes control characters */
	/* Also every control character as \xNN, characters that reorder text
	 * on screen as \uXXXX, and '\' as \\. */
	SAN_TERMINAL
};

/*
 * sanitize - a new NUL-terminated string made from in[0..len): invalid
 * UTF-8 becomes U+FFFD (SAN_JSON) or \xNN (SAN_TERMINAL). *outlen gets its
 * length (SAN_JSON output may hold NUL bytes, which jansson escapes). The
 * caller frees the result.
 */
char *sanitize(const void *in, size_t len, enum san_mode, size_t *outlen);

/* Worst case of the output: each byte becomes "\xNN" (4) or U+FFFD (3). */
#define SANITIZE_SIZE(len) ((len)*4 + 1)

/*
 * sanitize_into - the same into the caller's out, which holds at least
 * SANITIZE_SIZE(len) bytes; allocates nothing (for messages written while
 * memory is short). Returns the length written before the NUL.
 */
size_t sanitize_into(const void *in, size_t len, enum san_mode, char *out);

/*
 * sanitize_utf8_len - length of the valid UTF-8 sequence at p[0..len), or 0
 * when p does not start one (overlong forms, surrogates and code points
 * past U+10FFFF are invalid, RFC 3629).
 */
size_t sanitize_utf8_len(const unsigned char *p, size_t len);

#endif
