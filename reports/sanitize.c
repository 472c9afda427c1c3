/*
 * sanitize.c - bytes from a server into safe text, shared by every
 * renderer.
 *
 * jansson's json_stringn() refuses invalid UTF-8 (it returns NULL, and a
 * NULL given to json_object_set_new() silently drops the key), so JSON
 * text must be valid UTF-8 first. A terminal must never receive a server's
 * control characters: an ESC sequence in a banner could move the cursor,
 * recolour the screen or retitle the window.
 */
#include "sanitize.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

static size_t put_escape(char *, unsigned char);
static size_t utf8_decode(const unsigned char *, size_t, unsigned int *);
static int is_bidi(unsigned int);
static size_t put_codepoint(char *, unsigned int);

static const char hex[] = "0123456789abcdef";

/* sanitize - safe copy of in[0..len) */
char *
sanitize(const void *in, size_t len, enum san_mode mode, size_t *outlen)
{
	char *out;

	out = xmalloc(SANITIZE_SIZE(len));
	*outlen = sanitize_into(in, len, mode, out);
	return out;
}

/* sanitize_into - safe copy of in[0..len) into out; returns its length */
size_t
sanitize_into(const void *in, size_t len, enum san_mode mode, char *out)
{
	const unsigned char *p = in;
	size_t i = 0, o = 0, n;
	unsigned int cp;

	while (i < len) {
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			if (mode == SAN_TERMINAL)
				o += put_escape(out + o, p[i]);
			else {
				memcpy(out + o, "\xef\xbf\xbd", 3);
				o += 3;
			}
			i++;
			continue;
		}
		if (mode == SAN_TERMINAL && n == 1 &&
		    (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')) {
			if (p[i] == '\\') {
				memcpy(out + o, "\\\\", 2);
				o += 2;
			} else
				o += put_escape(out + o, p[i]);
			i++;
			continue;
		}
		if (mode == SAN_TERMINAL && is_bidi(cp)) {
			o += put_codepoint(out + o, cp);
			i += n;
			continue;
		}
		/* C1 controls (U+0080..U+009F) act like ESC on some
		 * terminals. */
		if (mode == SAN_TERMINAL && cp >= 0x80 && cp < 0xa0) {
			o += put_escape(out + o, p[i]);
			o += put_escape(out + o, p[i + 1]);
			i += 2;
			continue;
		}
		memcpy(out + o, p + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return o;
}

/* sanitize_utf8_len - length of one valid UTF-8 sequence, or 0 */
size_t
sanitize_utf8_len(const unsigned char *p, size_t len)
{
	unsigned int cp;

	return utf8_decode(p, len, &cp);
}

/* utf8_decode - length of one valid UTF-8 sequence, or 0; *cp its value */
static size_t
utf8_decode(const unsigned char *p, size_t len, unsigned int *cpp)
{
	unsigned int cp;
	size_t n, k;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cpp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*cpp = cp;
	return n;
}

/* put_escape - "\xNN" for one byte; returns 4 */
static size_t
put_escape(char *out, unsigned char c)
{
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

/*
 * is_bidi - a character that reorders or breaks text on screen: ALM
 * (U+061C), LRM/RLM (U+200E-200F), the line and paragraph separators
 * (U+2028-2029), embeddings and overrides (U+202A-202E) and isolates
 * (U+2066-2069) - the "Trojan Source" characters.
 */
static int
is_bidi(unsigned int cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* put_codepoint - "\uXXXX" for a BMP code point; returns 6 */
static size_t
put_codepoint(char *out, unsigned int cp)
{
	out[0] = '\\';
	out[1] = 'u';
	out[2] = hex[cp >> 12 & 0xf];
	out[3] = hex[cp >> 8 & 0xf];
	out[4] = hex[cp >> 4 & 0xf];
	out[5] = hex[cp & 0xf];
	return 6;
}
