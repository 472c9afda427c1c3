/*
 * sanitize_props.h - the properties sanitize() must keep, checked by the
 * unit test (tests/unit/test_sanitize.c) and the fuzz harness
 * (tests/fuzz/fuzz_sanitize.c) alike: SAN_JSON and SAN_TERMINAL output is
 * valid UTF-8; SAN_TERMINAL output holds no C0 control, DEL, C1 control or
 * character that reorders text on screen, and decodes back to the input
 * ("\\" a backslash, "\xNN" a byte, "\uXXXX" a three-byte character),
 * so the escaping loses nothing and is unambiguous.
 */
#ifndef SMTP_PROBE_SANITIZE_PROPS_H
#define SMTP_PROBE_SANITIZE_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sanitize.h"

static bool valid_utf8(const unsigned char *, size_t);
static bool terminal_safe(const unsigned char *, size_t);
static bool decodes_to(
    const unsigned char *, size_t, const unsigned char *, size_t);
static bool hex4(const unsigned char *, unsigned int *);
static int hexval(unsigned char);

/* valid_utf8 - p[0..len) walks with sanitize_utf8_len to its end */
static bool
valid_utf8(const unsigned char *p, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if ((n = sanitize_utf8_len(p + i, len - i)) == 0 || n > len - i)
			return false;
		i += n;
	}
	return true;
}

/*
 * terminal_safe - no C0 control, DEL, C1 control (U+0080..U+009F), nor
 * U+061C, U+200E-200F, U+2028-202E or U+2066-2069, which reorder text on
 * screen
 */
static bool
terminal_safe(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] < 0xa0)
			return false;
		if (p[i] == 0xd8 && i + 1 < len && p[i + 1] == 0x9c)
			return false;
		if (p[i] == 0xe2 && i + 2 < len &&
		    ((p[i + 1] == 0x80 &&
			 (p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
			     (p[i + 2] >= 0xa8 && p[i + 2] <= 0xae))) ||
			(p[i + 1] == 0x81 && p[i + 2] >= 0xa6 &&
			    p[i + 2] <= 0xa9)))
			return false;
	}
	return true;
}

/* decodes_to - SAN_TERMINAL output out[0..olen) decodes to in[0..len) */
static bool
decodes_to(
    const unsigned char *out, size_t olen, const unsigned char *in, size_t len)
{
	size_t i = 0, k = 0;
	unsigned char c, u[3];
	unsigned int cp;
	size_t n;
	int hi, lo;

	while (i < olen) {
		if (i + 5 < olen && out[i] == '\\' && out[i + 1] == 'u' &&
		    hex4(out + i + 2, &cp)) {
			/* "\uXXXX": the UTF-8 bytes of U+XXXX */
			if (cp < 0x800) {
				n = 2;
				u[0] = (unsigned char)(0xc0 | cp >> 6);
				u[1] = (unsigned char)(0x80 | (cp & 0x3f));
			} else {
				n = 3;
				u[0] = (unsigned char)(0xe0 | cp >> 12);
				u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
				u[2] = (unsigned char)(0x80 | (cp & 0x3f));
			}
			if (len - k < n || memcmp(in + k, u, n) != 0)
				return false;
			k += n;
			i += 6;
			continue;
		}
		if (out[i] != '\\') {
			c = out[i++];
		} else if (i + 1 < olen && out[i + 1] == '\\') {
			c = '\\';
			i += 2;
		} else if (i + 3 < olen && out[i + 1] == 'x' &&
		    (hi = hexval(out[i + 2])) >= 0 &&
		    (lo = hexval(out[i + 3])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 4;
		} else
			return false;
		if (k == len || in[k++] != c)
			return false;
	}
	return k == len;
}

/* hex4 - four lower-case hex digits at p into *cp */
static bool
hex4(const unsigned char *p, unsigned int *cp)
{
	int i, v;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		if ((v = hexval(p[i])) < 0)
			return false;
		*cp = *cp << 4 | (unsigned int)v;
	}
	return true;
}

/* hexval - a lower-case hex digit's value, or -1 */
static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
