/*
 * test_sanitize.c - server bytes into safe text (reports/sanitize.c).
 *
 * Table cases check exact output bytes and lengths for both modes. Property
 * loops then run every two-byte input and a few thousand pseudo-random ones
 * (fixed seed) and check: SAN_JSON output is valid UTF-8 and leaves valid
 * input unchanged; SAN_TERMINAL output has no C0 control, DEL, bidi or C1
 * control, is valid UTF-8, and decodes back to the input (the escaping is
 * unambiguous). Every input is passed from an exact-size heap copy so that
 * ASan and valgrind see any read past its end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "sanitize_props.h"
#include "tap.h"

#define B(s) (s), sizeof(s) - 1
#define RANDOM_RUNS 5000
#define RANDOM_LEN_MAX 64

struct scase {
	const char *label;
	enum san_mode mode;
	const char *in;
	size_t inlen;
	const char *want;
	size_t wantlen;
};

static const struct scase scases[] = {
    {"json: empty", SAN_JSON, B(""), B("")},
    {"json: ASCII", SAN_JSON, B("220 mail.example.org ESMTP"),
	B("220 mail.example.org ESMTP")},
    {"json: 2/3/4-byte UTF-8", SAN_JSON,
	B("Stra\xc3\x9f"
	  "e \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80"),
	B("Stra\xc3\x9f"
	  "e \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80")},
    {"json: U+0080 and U+07FF", SAN_JSON, B("\xc2\x80\xdf\xbf"),
	B("\xc2\x80\xdf\xbf")},
    {"json: U+0800, U+D7FF, U+E000, U+FFFF", SAN_JSON,
	B("\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"),
	B("\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf")},
    {"json: U+10000 and U+10FFFF", SAN_JSON,
	B("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
	B("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf")},
    {"json: \\xff", SAN_JSON, B("\xff"), B("\xef\xbf\xbd")},
    {"json: \\xfe between ASCII", SAN_JSON,
	B("a\xfe"
	  "b"),
	B("a\xef\xbf\xbd"
	  "b")},
    {"json: bad continuation \\xc3\\x28", SAN_JSON, B("\xc3\x28"),
	B("\xef\xbf\xbd(")},
    {"json: lone continuation", SAN_JSON, B("\x80\xbf"),
	B("\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: overlong \\xc0\\xaf", SAN_JSON, B("\xc0\xaf"),
	B("\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: overlong \\xc1\\xbf", SAN_JSON, B("\xc1\xbf"),
	B("\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: overlong \\xe0\\x80\\xaf", SAN_JSON, B("\xe0\x80\xaf"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: overlong 4-byte", SAN_JSON, B("\xf0\x8f\xbf\xbf"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: surrogate \\xed\\xa0\\x80", SAN_JSON, B("\xed\xa0\x80"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: surrogate \\xed\\xbf\\xbf", SAN_JSON, B("\xed\xbf\xbf"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: past U+10FFFF", SAN_JSON, B("\xf4\x90\x80\x80"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: \\xf5 lead", SAN_JSON, B("\xf5\x80\x80\x80"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: 3-byte sequence cut at the end", SAN_JSON, B("ab\xe6\x9d"),
	B("ab\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: 4-byte sequence cut at the end", SAN_JSON, B("\xf0\x9f\x98"),
	B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")},
    {"json: sequence cut by ASCII", SAN_JSON,
	B("\xe6\x9d"
	  "A"),
	B("\xef\xbf\xbd\xef\xbf\xbd"
	  "A")},
    {"json: NUL kept", SAN_JSON, B("a\0b"), B("a\0b")},
    {"json: control characters kept", SAN_JSON, B("\x1b[2J\r\n\t\x7f"),
	B("\x1b[2J\r\n\t\x7f")},
    {"json: C1 control kept", SAN_JSON, B("\xc2\x9b"), B("\xc2\x9b")},
    {"json: backslash kept", SAN_JSON, B("a\\b"), B("a\\b")},
    {"terminal: empty", SAN_TERMINAL, B(""), B("")},
    {"terminal: ASCII", SAN_TERMINAL, B("250 OK ~!"), B("250 OK ~!")},
    {"terminal: printable UTF-8", SAN_TERMINAL,
	B("Stra\xc3\x9f"
	  "e \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80"),
	B("Stra\xc3\x9f"
	  "e \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80")},
    {"terminal: ESC sequence", SAN_TERMINAL, B("\x1b[2J\x1b]0;x\a"),
	B("\\x1b[2J\\x1b]0;x\\x07")},
    {"terminal: BEL BS DEL", SAN_TERMINAL, B("\a\b\x7f"), B("\\x07\\x08\\x7f")},
    {"terminal: CR LF TAB", SAN_TERMINAL, B("a\r\n\tb"),
	B("a\\x0d\\x0a\\x09b")},
    {"terminal: NUL", SAN_TERMINAL, B("\0"), B("\\x00")},
    {"terminal: 0x1f", SAN_TERMINAL, B("\x1f"), B("\\x1f")},
    {"terminal: backslash doubled", SAN_TERMINAL, B("\\"), B("\\\\")},
    {"terminal: right-to-left override escaped", SAN_TERMINAL,
	B("a\xe2\x80\xae"
	  "b"),
	B("a\\u202eb")},
    {"terminal: isolates and LRM escaped", SAN_TERMINAL,
	B("\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e"), B("\\u2066\\u2069\\u200e")},
    {"terminal: line separator escaped", SAN_TERMINAL, B("\xe2\x80\xa8"),
	B("\\u2028")},
    {"terminal: Arabic letter mark escaped", SAN_TERMINAL,
	B("a\xd8\x9c"
	  "b"),
	B("a\\u061cb")},
    {"terminal: neighbours of the Arabic letter mark kept", SAN_TERMINAL,
	B("\xd8\x9b\xd8\x9d"), B("\xd8\x9b\xd8\x9d")},
    {"terminal: neighbours of the bidi range kept", SAN_TERMINAL,
	B("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5"),
	B("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5")},
    {"json: right-to-left override kept", SAN_JSON, B("\xe2\x80\xae"),
	B("\xe2\x80\xae")},
    {"terminal: literal \\x1b text", SAN_TERMINAL, B("\\x1b"), B("\\\\x1b")},
    {"terminal: C1 CSI U+009B", SAN_TERMINAL, B("\xc2\x9b[2J"),
	B("\\xc2\\x9b[2J")},
    {"terminal: C1 U+0080", SAN_TERMINAL, B("\xc2\x80"), B("\\xc2\\x80")},
    {"terminal: C1 U+009F", SAN_TERMINAL, B("\xc2\x9f"), B("\\xc2\\x9f")},
    {"terminal: U+00A0 kept", SAN_TERMINAL, B("\xc2\xa0"), B("\xc2\xa0")},
    {"terminal: invalid bytes", SAN_TERMINAL, B("\xff\xc3\x28\xc0\xaf"),
	B("\\xff\\xc3(\\xc0\\xaf")},
    {"terminal: surrogate", SAN_TERMINAL, B("\xed\xa0\x80"),
	B("\\xed\\xa0\\x80")},
    {"terminal: cut sequence", SAN_TERMINAL, B("\xf0\x9f\x98"),
	B("\\xf0\\x9f\\x98")},
};

struct ucase {
	const char *label;
	const char *in;
	size_t inlen;
	size_t want;
};

static const struct ucase ucases[] = {
    {"utf8_len: ASCII", B("A"), 1},
    {"utf8_len: NUL", B("\0"), 1},
    {"utf8_len: 2 bytes", B("\xc3\xa9z"), 2},
    {"utf8_len: 3 bytes", B("\xe6\x9d\xb1"), 3},
    {"utf8_len: 4 bytes", B("\xf0\x9f\x98\x80"), 4},
    {"utf8_len: 3 bytes, len 2", "\xe6\x9d\xb1", 2, 0},
    {"utf8_len: 4 bytes, len 3", "\xf0\x9f\x98\x80", 3, 0},
    {"utf8_len: continuation", B("\x80"), 0},
    {"utf8_len: \\xc1", B("\xc1\x81"), 0},
    {"utf8_len: overlong 3", B("\xe0\x9f\xbf"), 0},
    {"utf8_len: surrogate", B("\xed\xb0\x80"), 0},
    {"utf8_len: past U+10FFFF", B("\xf4\x90\x80\x80"), 0},
    {"utf8_len: \\xff", B("\xff"), 0},
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static char *san(const void *, size_t, enum san_mode, size_t *);
static const char *check_one(const unsigned char *, size_t);
static uint64_t xorshift(void);
static size_t random_input(unsigned char *);
static void print_input(const unsigned char *, size_t);
static void table_cases(void);
static void property_cases(void);

/* san - sanitize from an exact-size heap copy of in[0..len) */
static char *
san(const void *in, size_t len, enum san_mode mode, size_t *outlen)
{
	unsigned char *copy;
	char *out;

	if ((copy = malloc(len)) == NULL && len > 0)
		abort();
	if (len > 0)
		memcpy(copy, in, len);
	out = sanitize(copy, len, mode, outlen);
	free(copy);
	return out;
}

/* check_one - the properties for one input; NULL or what failed */
static const char *
check_one(const unsigned char *in, size_t len)
{
	char *j, *t;
	size_t jlen, tlen;
	const char *bad = NULL;

	j = san(in, len, SAN_JSON, &jlen);
	t = san(in, len, SAN_TERMINAL, &tlen);
	if (j[jlen] != '\0' || t[tlen] != '\0')
		bad = "output not NUL-terminated";
	else if (jlen > 3 * len || tlen > 4 * len)
		bad = "output longer than the worst case";
	else if (!valid_utf8((unsigned char *)j, jlen))
		bad = "json: output not valid UTF-8";
	else if (valid_utf8(in, len) &&
	    (jlen != len || memcmp(j, in, len) != 0))
		bad = "json: valid input changed";
	else if (!terminal_safe((unsigned char *)t, tlen))
		bad = "terminal: control byte in output";
	else if (!valid_utf8((unsigned char *)t, tlen))
		bad = "terminal: output not valid UTF-8";
	else if (!decodes_to((unsigned char *)t, tlen, in, len))
		bad = "terminal: output does not decode to the input";
	free(j);
	free(t);
	return bad;
}

/* xorshift - xorshift64 (Marsaglia), fixed seed */
static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * random_input - up to RANDOM_LEN_MAX bytes into buf, biased towards
 * controls, lead and continuation bytes and whole valid sequences.
 */
static size_t
random_input(unsigned char *buf)
{
	static const char *const seqs[] = {"\xc3\xa9", "\xe6\x9d\xb1",
	    "\xf0\x9f\x98\x80", "\xc2\x9b", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf",
	    "\\", "\x1b["};
	size_t len = xorshift() % (RANDOM_LEN_MAX + 1), n = 0, k;
	const char *s;

	while (n < len) {
		switch (xorshift() % 6) {
		case 0:
			buf[n++] = (unsigned char)(xorshift() % 0x20);
			break;
		case 1:
			buf[n++] = (unsigned char)(0x80 + xorshift() % 0x40);
			break;
		case 2:
			buf[n++] = (unsigned char)(0xc0 + xorshift() % 0x40);
			break;
		case 3:
			s = seqs[xorshift() % (sizeof(seqs) / sizeof(seqs[0]))];
			for (k = 0; s[k] != '\0' && n < len; k++)
				buf[n++] = (unsigned char)s[k];
			break;
		case 4:
			buf[n++] = (unsigned char)(0x20 + xorshift() % 0x60);
			break;
		default:
			buf[n++] = (unsigned char)xorshift();
			break;
		}
	}
	return len;
}

/* print_input - a failing input as a TAP comment */
static void
print_input(const unsigned char *in, size_t len)
{
	size_t i;

	printf("#   input (%zu bytes):", len);
	for (i = 0; i < len; i++)
		printf(" %02x", in[i]);
	printf("\n");
}

/* table_cases - exact outputs */
static void
table_cases(void)
{
	const struct scase *c;
	const struct ucase *u;
	unsigned char *copy;
	char *out, label[128];
	size_t i, outlen;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		c = &scases[i];
		out = san(c->in, c->inlen, c->mode, &outlen);
		if (!ok(outlen == c->wantlen &&
			    memcmp(out, c->want, c->wantlen) == 0,
			c->label)) {
			printf("#   got %zu bytes \"%.*s\", want %zu\n", outlen,
			    (int)outlen, out, c->wantlen);
		}
		(void)snprintf(
		    label, sizeof(label), "%s: NUL-terminated", c->label);
		is_int(out[outlen], 0, label);
		free(out);
	}
	for (i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
		u = &ucases[i];
		if ((copy = malloc(u->inlen)) == NULL)
			abort();
		memcpy(copy, u->in, u->inlen);
		is_int(sanitize_utf8_len(copy, u->inlen), u->want, u->label);
		free(copy);
	}
}

/* property_cases - every two-byte input, then pseudo-random ones */
static void
property_cases(void)
{
	unsigned char in[RANDOM_LEN_MAX];
	const char *bad = NULL;
	unsigned int v;
	size_t i, len, nbad = 0;

	for (v = 0; v < 256; v++) {
		in[0] = (unsigned char)v;
		if ((bad = check_one(in, 1)) != NULL)
			break;
	}
	if (!ok(bad == NULL, "properties hold for every one-byte input")) {
		printf("#   %s\n", bad);
		print_input(in, 1);
	}

	for (v = 0; v < 65536; v++) {
		in[0] = (unsigned char)(v >> 8);
		in[1] = (unsigned char)v;
		if ((bad = check_one(in, 2)) != NULL)
			break;
	}
	if (!ok(bad == NULL, "properties hold for all 65536 two-byte inputs")) {
		printf("#   %s\n", bad);
		print_input(in, 2);
	}

	for (i = 0; i < RANDOM_RUNS; i++) {
		len = random_input(in);
		if ((bad = check_one(in, len)) != NULL) {
			if (nbad++ == 0) {
				printf("# random input %zu: %s\n", i, bad);
				print_input(in, len);
			}
		}
	}
	is_int(nbad, 0, "properties hold for 5000 pseudo-random inputs");
}

/* main - table, then properties; the exit status is done_testing()'s */
int
main(void)
{
	table_cases();
	property_cases();
	return done_testing();
}
