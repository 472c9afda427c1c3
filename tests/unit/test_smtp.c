/*
 * test_smtp.c - the SMTP reply reader and the EHLO capability parser.
 *
 * Every reader case is fed four ways and must give the same reply each time:
 * whole, split into two feeds at every byte offset, one byte at a time, and
 * from a heap copy of exactly its length (so ASan and valgrind see any read
 * past the end). Each piece of the split and byte-wise feeds is an
 * exact-size heap copy too. Large generated inputs are split at a sample of
 * offsets instead of every one, to keep the run short under valgrind.
 *
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "smtp.h"
#include "tap.h"

/* Input with an explicit length, since it may hold NUL. */
/* clang-format off */
#define B(s)	(s), sizeof(s) - 1
#define L(s)	{ (s), sizeof(s) - 1 }
/* clang-format on */
/* The wanted consumed count is the whole input. */
#define ALL SIZE_MAX
/*
 * Bytes copied for the split feeds of one input: past this, an input is
 * split at every offset within SAMPLE_EDGE of either end and at evenly
 * spaced ones between.
 */
#define SPLIT_BUDGET (64 * 1024 * 1024)
#define SAMPLE_EDGE 64
/* SMTP_REPLY_WIRE_MAX is 523 lines of 2002 bytes and a final line of 1530. */
#define WIRE_LINE 2002
#define WIRE_LINES 523

struct bytes {
	const char *p;
	size_t len;
};

struct rcase {
	const char *label;
	const char *in;
	size_t inlen;
	enum smtp_status status;
	int code;
	size_t consumed; /* ALL: the whole input */
	bool truncated;
	bool bare_lf;
	size_t nlines;
	struct bytes line[16];
};

/* The outcome of feeding one input one way. */
struct run {
	enum smtp_status st;
	size_t consumed;  /* summed over every feed */
	bool why_ok;      /* *why set exactly on errors */
	bool contract_ok; /* NEED_MORE consumed all, no overrun */
};

static const struct rcase rcases[] = {
    {"single-line 220", B("220 mail.example.org ESMTP Postfix\r\n"),
	SMTP_REPLY_DONE, 220, ALL, false, false, 1,
	{L("mail.example.org ESMTP Postfix")}},
    {"Postfix EHLO",
	B("250-mail.example.org\r\n250-PIPELINING\r\n"
	  "250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	  "250-SMTPUTF8\r\n250 CHUNKING\r\n"),
	SMTP_REPLY_DONE, 250, ALL, false, false, 11,
	{L("mail.example.org"), L("PIPELINING"), L("SIZE 10240000"), L("VRFY"),
	    L("ETRN"), L("STARTTLS"), L("ENHANCEDSTATUSCODES"), L("8BITMIME"),
	    L("DSN"), L("SMTPUTF8"), L("CHUNKING")}},
    {"leftover after the final line", B("220 ready\r\n250-INJECTED\r\n"),
	SMTP_REPLY_DONE, 220, 11, false, false, 1, {L("ready")}},
    {"leftover after a multi-line reply", B("250-a\r\n250 b\r\nXYZ"),
	SMTP_REPLY_DONE, 250, 14, false, false, 2, {L("a"), L("b")}},
    {"bare LF endings", B("250-a\n250 b\n"), SMTP_REPLY_DONE, 250, ALL, false,
	true, 2, {L("a"), L("b")}},
    {"mixed CRLF and LF", B("250-a\r\n250-b\n250 c\r\n"), SMTP_REPLY_DONE, 250,
	ALL, false, true, 3, {L("a"), L("b"), L("c")}},
    {"code-only line", B("250\r\n"), SMTP_REPLY_DONE, 250, ALL, false, false, 1,
	{L("")}},
    {"code-only line, bare LF", B("220\n"), SMTP_REPLY_DONE, 220, ALL, false,
	true, 1, {L("")}},
    {"empty texts", B("250-\r\n250 \r\n"), SMTP_REPLY_DONE, 250, ALL, false,
	false, 2, {L(""), L("")}},
    {"5xx greeting", B("554 5.7.1 go away\r\n"), SMTP_REPLY_DONE, 554, ALL,
	false, false, 1, {L("5.7.1 go away")}},
    {"highest valid code", B("599 x\r\n"), SMTP_REPLY_DONE, 599, ALL, false,
	false, 1, {L("x")}},
    {"NUL bytes kept raw", B("220 a\0b\0\r\n"), SMTP_REPLY_DONE, 220, ALL,
	false, false, 1, {L("a\0b\0")}},
    {"NUL-only text", B("250-\0\r\n250 \0\0\r\n"), SMTP_REPLY_DONE, 250, ALL,
	false, false, 2, {L("\0"), L("\0\0")}},
    {"bare CR inside a line kept", B("220 a\rb\r\n"), SMTP_REPLY_DONE, 220, ALL,
	false, false, 1, {L("a\rb")}},
    {"only one CR stripped", B("220 x\r\r\n"), SMTP_REPLY_DONE, 220, ALL, false,
	false, 1, {L("x\r")}},
    {"invalid UTF-8 kept raw", B("220-\xff\xfe\x1b[2J\r\n220 ok\r\n"),
	SMTP_REPLY_DONE, 220, ALL, false, false, 2,
	{L("\xff\xfe\x1b[2J"), L("ok")}},
    {"empty input", B(""), SMTP_NEED_MORE, 0, 0, false, false, 0, {L("")}},
    {"line without its end", B("220 mail.exam"), SMTP_NEED_MORE, 0, ALL, false,
	false, 0, {L("")}},
    {"continuation, then no end", B("250-a\r\n250 b"), SMTP_NEED_MORE, 250, ALL,
	false, false, 1, {L("a")}},
    {"continuation lines only", B("250-a\r\n250-b\r\n"), SMTP_NEED_MORE, 250,
	ALL, false, false, 2, {L("a"), L("b")}},
    {"bad first digit 1", B("120 x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("120 x")}},
    {"bad first digit 6", B("620 x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("620 x")}},
    {"bad first digit 0", B("020 x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("020 x")}},
    {"non-digit code", B("2a0 x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false, 1,
	{L("2a0 x")}},
    {"non-digit third", B("25x x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("25x x")}},
    {"fourth char not SP or -", B("250x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false,
	false, 1, {L("250x")}},
    {"fourth char TAB", B("250\tx\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("250\tx")}},
    {"NUL in the code", B("2\0\0 x\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false,
	1, {L("2\0\0 x")}},
    {"short line", B("25\r\n"), SMTP_ERR_SYNTAX, 0, ALL, false, false, 1,
	{L("25")}},
    {"empty line", B("\r\n220 ok\r\n"), SMTP_ERR_SYNTAX, 0, 2, false, false, 1,
	{L("")}},
    {"lone LF", B("\n"), SMTP_ERR_SYNTAX, 0, ALL, false, true, 1, {L("")}},
    {"HTTP answer", B("HTTP/1.1 400 Bad Request\r\n\r\n"), SMTP_ERR_SYNTAX, 0,
	26, false, false, 1, {L("HTTP/1.1 400 Bad Request")}},
    {"different codes", B("250-a\r\n251 b\r\n"), SMTP_ERR_SYNTAX, 250, ALL,
	false, false, 2, {L("a"), L("251 b")}},
    {"bad line after a good one", B("250-a\r\nxyz\r\n250 b\r\n"),
	SMTP_ERR_SYNTAX, 250, 12, false, false, 2, {L("a"), L("xyz")}},
};

static struct smtp_reader ref_rd, cur_rd;

static bool feed_piece(
    struct smtp_reader *, const unsigned char *, size_t, struct run *);
static bool feed_into(struct smtp_reader *, unsigned char *,
    const unsigned char *, size_t, struct run *);
static void run_whole(
    struct smtp_reader *, const unsigned char *, size_t, struct run *);
static void run_heap(
    struct smtp_reader *, const unsigned char *, size_t, struct run *);
static void run_split(
    struct smtp_reader *, const unsigned char *, size_t, size_t, struct run *);
static void run_bytes(
    struct smtp_reader *, const unsigned char *, size_t, struct run *);
static const char *run_diff(const struct smtp_reader *, const struct run *,
    const struct smtp_reader *, const struct run *);
static const struct smtp_reader *all_ways(
    const char *, const unsigned char *, size_t, struct run *);
static void check_run(
    const char *, const struct run *, size_t, enum smtp_status, size_t);
static void reader_cases(void);
static unsigned char *build(size_t, size_t *, ...);
static void long_line_cases(void);
static void many_line_cases(void);
static unsigned char *wire_max_reply(void);
static void limit_cases(void);
static void reuse_cases(void);
static const struct smtp_reply *reply_of(const char *, size_t);
static void ehlo_parse_cases(void);
static void ehlo_limit_cases(void);
static void store_cases(void);
static void auth_cases(void);

/*
 * feed_piece - feed in[0..n) from an exact-size heap copy and add to *run.
 * Returns true when the reader wants more.
 */
static bool
feed_piece(
    struct smtp_reader *r, const unsigned char *in, size_t n, struct run *run)
{
	unsigned char *copy;
	bool more;

	copy = malloc(n);
	if (copy == NULL && n > 0)
		abort();
	more = feed_into(r, copy, in, n, run);
	free(copy);
	return more;
}

/*
 * feed_into - copy in[0..n) to buf (n bytes long), feed it and add to *run.
 * Returns true when the reader wants more.
 */
static bool
feed_into(struct smtp_reader *r, unsigned char *buf, const unsigned char *in,
    size_t n, struct run *run)
{
	const char *why = "unset";
	size_t used = SIZE_MAX;

	if (n > 0)
		memcpy(buf, in, n);
	run->st = smtp_reader_feed(r, buf, n, &used, &why);
	if (used > n || (run->st == SMTP_NEED_MORE && used != n))
		run->contract_ok = false;
	if ((run->st == SMTP_ERR_SYNTAX || run->st == SMTP_ERR_LIMIT) !=
	    (why != NULL))
		run->why_ok = false;
	run->consumed += used <= n ? used : n;
	return run->st == SMTP_NEED_MORE;
}

/* run_whole - one feed straight from the caller's buffer */
static void
run_whole(
    struct smtp_reader *r, const unsigned char *in, size_t len, struct run *run)
{
	const char *why = "unset";
	size_t used = SIZE_MAX;

	smtp_reader_init(r);
	run->st = smtp_reader_feed(r, in, len, &used, &why);
	run->consumed = used;
	run->why_ok = (run->st == SMTP_ERR_SYNTAX ||
			  run->st == SMTP_ERR_LIMIT) == (why != NULL);
	run->contract_ok =
	    used <= len && (run->st != SMTP_NEED_MORE || used == len);
}

/* run_heap - one feed from a heap copy of exactly len bytes */
static void
run_heap(
    struct smtp_reader *r, const unsigned char *in, size_t len, struct run *run)
{
	smtp_reader_init(r);
	memset(run, 0, sizeof(*run));
	run->why_ok = run->contract_ok = true;
	(void)feed_piece(r, in, len, run);
}

/* run_split - two feeds, in[0..k) and in[k..len) */
static void
run_split(struct smtp_reader *r, const unsigned char *in, size_t len, size_t k,
    struct run *run)
{
	smtp_reader_init(r);
	memset(run, 0, sizeof(*run));
	run->why_ok = run->contract_ok = true;
	if (feed_piece(r, in, k, run))
		(void)feed_piece(r, in + k, len - k, run);
}

/* run_bytes - one feed per byte, each from a one-byte heap buffer */
static void
run_bytes(
    struct smtp_reader *r, const unsigned char *in, size_t len, struct run *run)
{
	unsigned char *one;
	size_t i;

	smtp_reader_init(r);
	memset(run, 0, sizeof(*run));
	run->why_ok = run->contract_ok = true;
	run->st = SMTP_NEED_MORE;
	if ((one = malloc(1)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		if (!feed_into(r, one, in + i, 1, run))
			break;
	free(one);
}

/* run_diff - the first difference between two outcomes, or NULL */
static const char *
run_diff(const struct smtp_reader *a, const struct run *ra,
    const struct smtp_reader *b, const struct run *rb)
{
	const struct smtp_reply *x = &a->reply, *y = &b->reply;
	size_t i;

	if (!rb->contract_ok)
		return "consumed count breaks the contract";
	if (!rb->why_ok)
		return "*why set on success or unset on error";
	if (ra->st != rb->st)
		return "status";
	if (ra->consumed != rb->consumed)
		return "consumed";
	if (x->code != y->code)
		return "code";
	if (x->nlines != y->nlines)
		return "nlines";
	if (x->textlen != y->textlen)
		return "textlen";
	if (x->truncated != y->truncated)
		return "truncated";
	if (x->bare_lf != y->bare_lf)
		return "bare_lf";
	if (x->wire_lines != y->wire_lines)
		return "wire_lines";
	if (x->wire_bytes != y->wire_bytes)
		return "wire_bytes";
	if (memcmp(x->text, y->text, x->textlen) != 0)
		return "text";
	for (i = 0; i < x->nlines; i++)
		if (x->line[i].off != y->line[i].off ||
		    x->line[i].len != y->line[i].len)
			return "line spans";
	return NULL;
}

/*
 * all_ways - feed in[0..len) whole, split, byte-wise and from an exact heap
 * copy; three TAP checks that the last three agree with the first. Returns
 * the whole feed's reader (valid until the next call), its outcome in *ref.
 * They must agree on everything, the consumed count included.
 */
static const struct smtp_reader *
all_ways(
    const char *label, const unsigned char *in, size_t len, struct run *ref)
{
	struct run cur;
	const char *d = NULL, *first = NULL;
	size_t k, step, nsplit = 0, bad_at = 0;
	bool every = len <= SPLIT_BUDGET / (len + 1);

	run_whole(&ref_rd, in, len, ref);

	step = every ? 1 : len / (SPLIT_BUDGET / len) + 1;
	for (k = 0; k <= len; k++) {
		if (!every && k > SAMPLE_EDGE && k + SAMPLE_EDGE < len &&
		    k % step != 0)
			continue;
		run_split(&cur_rd, in, len, k, &cur);
		nsplit++;
		d = run_diff(&ref_rd, ref, &cur_rd, &cur);
		if (d != NULL && first == NULL) {
			first = d;
			bad_at = k;
		}
	}
	if (!ok(first == NULL,
		lbl("%s: split at %s %zu offsets agrees", label,
		    every ? "all" : "sampled", nsplit)))
		printf("#   first split at %zu differs in %s\n", bad_at, first);

	run_bytes(&cur_rd, in, len, &cur);
	d = run_diff(&ref_rd, ref, &cur_rd, &cur);
	if (!ok(d == NULL, lbl("%s: byte at a time agrees", label)))
		printf("#   differs in %s\n", d);

	run_heap(&cur_rd, in, len, &cur);
	d = run_diff(&ref_rd, ref, &cur_rd, &cur);
	if (!ok(d == NULL, lbl("%s: exact-size heap copy agrees", label)))
		printf("#   differs in %s\n", d);
	return &ref_rd;
}

/* check_run - status, consumed count and *why of the whole feed */
static void
check_run(const char *label, const struct run *run, size_t len,
    enum smtp_status st, size_t consumed)
{
	is_int(run->st, st, lbl("%s: status", label));
	is_int(run->consumed, consumed == ALL ? len : consumed,
	    lbl("%s: consumed", label));
	ok(run->why_ok && run->contract_ok,
	    lbl("%s: *why and consumed follow the contract", label));
}

/* reader_cases - the table, each case fed four ways */
static void
reader_cases(void)
{
	const struct rcase *c;
	const struct smtp_reply *rp;
	const struct smtp_reader *r;
	struct run run;
	size_t i, k;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		c = &rcases[i];
		r = all_ways(
		    c->label, (const unsigned char *)c->in, c->inlen, &run);
		rp = &r->reply;
		check_run(c->label, &run, c->inlen, c->status, c->consumed);
		is_int(rp->code, c->code, lbl("%s: code", c->label));
		is_int(rp->truncated, c->truncated,
		    lbl("%s: truncated", c->label));
		is_int(rp->bare_lf, c->bare_lf, lbl("%s: bare_lf", c->label));
		if (!is_int(rp->nlines, c->nlines, lbl("%s: nlines", c->label)))
			continue;
		for (k = 0; k < c->nlines; k++) {
			ok(rp->line[k].off + (size_t)rp->line[k].len <=
				rp->textlen,
			    lbl("%s: line %zu inside text", c->label, k));
			if (!ok(rp->line[k].len == c->line[k].len &&
				    memcmp(rp->text + rp->line[k].off,
					c->line[k].p, c->line[k].len) == 0,
				lbl("%s: line %zu", c->label, k)))
				printf("#   got %u bytes \"%.*s\"\n",
				    (unsigned)rp->line[k].len,
				    (int)rp->line[k].len,
				    (const char *)rp->text + rp->line[k].off);
		}
	}
}

/*
 * build - a heap buffer from (count, string) pairs ended by count 0: each
 * string repeated count times. Strings have no NUL. *len gets the length.
 */
static unsigned char *
build(size_t hint, size_t *len, ...)
{
	unsigned char *b;
	const char *s;
	size_t cap = hint, n, sl, count;
	va_list ap;

	if ((b = malloc(cap)) == NULL)
		abort();
	n = 0;
	va_start(ap, len);
	while ((count = va_arg(ap, size_t)) != 0) {
		s = va_arg(ap, const char *);
		sl = strlen(s);
		while (count-- > 0) {
			if (n + sl > cap) {
				cap = 2 * (n + sl);
				if ((b = realloc(b, cap)) == NULL)
					abort();
			}
			memcpy(b + n, s, sl);
			n += sl;
		}
	}
	va_end(ap);
	*len = n;
	return b;
}

/* long_line_cases - lines around SMTP_LINE_MAX */
static void
long_line_cases(void)
{
	const struct smtp_reader *r;
	const struct smtp_reply *rp;
	struct run run;
	unsigned char *in;
	size_t len, i;
	bool allx;

	/* "250 " and 2044 x: exactly SMTP_LINE_MAX before the CRLF. */
	in = build(4096, &len, (size_t)1, "250 ", (size_t)SMTP_LINE_MAX - 4,
	    "x", (size_t)1, "\r\n", (size_t)0);
	r = all_ways("line of SMTP_LINE_MAX", in, len, &run);
	rp = &r->reply;
	check_run("line of SMTP_LINE_MAX", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 0, "line of SMTP_LINE_MAX: not truncated");
	is_int(rp->nlines, 1, "line of SMTP_LINE_MAX: one line");
	is_int(rp->line[0].len, SMTP_LINE_MAX - 4,
	    "line of SMTP_LINE_MAX: text is SMTP_LINE_MAX - 4 bytes");
	free(in);

	/* One byte more: the line is cut to SMTP_LINE_MAX bytes, so the
	 * text after "250 " is SMTP_LINE_MAX - 4. */
	in = build(4096, &len, (size_t)1, "250 ", (size_t)SMTP_LINE_MAX - 3,
	    "x", (size_t)1, "\r\n", (size_t)0);
	r = all_ways("line of SMTP_LINE_MAX + 1", in, len, &run);
	rp = &r->reply;
	check_run("line of SMTP_LINE_MAX + 1", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 1, "line of SMTP_LINE_MAX + 1: truncated");
	is_int(rp->line[0].len, SMTP_LINE_MAX - 4,
	    "line of SMTP_LINE_MAX + 1: text cut to SMTP_LINE_MAX - 4");
	free(in);

	/* The same line with a bare LF: SMTP_RX_MAX leaves room for CRLF,
	 * so this line fits the buffer whole, and must still be cut. */
	in = build(4096, &len, (size_t)1, "250 ", (size_t)SMTP_LINE_MAX - 3,
	    "x", (size_t)1, "\n", (size_t)0);
	r = all_ways("LF line of SMTP_LINE_MAX + 1", in, len, &run);
	rp = &r->reply;
	check_run(
	    "LF line of SMTP_LINE_MAX + 1", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->bare_lf, 1, "LF line of SMTP_LINE_MAX + 1: bare_lf");
	is_int(rp->truncated, 1, "LF line of SMTP_LINE_MAX + 1: truncated");
	is_int(rp->line[0].len, SMTP_LINE_MAX - 4,
	    "LF line of SMTP_LINE_MAX + 1: text cut to SMTP_LINE_MAX - 4");
	free(in);

	/* Far too long, then a continuation: the rest of the long line is
	 * skipped up to its LF and the next line is read normally. */
	in = build(8192, &len, (size_t)1, "250-", (size_t)5000, "x", (size_t)1,
	    "\r\n250 end\r\n", (size_t)0);
	r = all_ways("5000-byte line", in, len, &run);
	rp = &r->reply;
	check_run("5000-byte line", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 1, "5000-byte line: truncated");
	is_int(rp->code, 250, "5000-byte line: code");
	if (is_int(rp->nlines, 2, "5000-byte line: two lines")) {
		is_int(rp->line[0].len, SMTP_LINE_MAX - 4,
		    "5000-byte line: kept SMTP_LINE_MAX - 4 bytes of text");
		allx = true;
		for (i = 0; i < rp->line[0].len; i++)
			if (rp->text[rp->line[0].off + i] != 'x')
				allx = false;
		ok(allx, "5000-byte line: kept text is the line's start");
		is_mem(rp->text + rp->line[1].off, rp->line[1].len, "end",
		    "5000-byte line: next line read whole");
	}
	free(in);

	/* A long line that is not a reply: the error keeps the cut line. */
	in = build(8192, &len, (size_t)3000, "y", (size_t)1, "\r\n", (size_t)0);
	r = all_ways("3000-byte junk line", in, len, &run);
	rp = &r->reply;
	check_run("3000-byte junk line", &run, len, SMTP_ERR_SYNTAX, ALL);
	is_int(rp->truncated, 1, "3000-byte junk line: truncated");
	is_int(rp->nlines, 1, "3000-byte junk line: the line is kept");
	is_int(rp->line[0].len, SMTP_LINE_MAX,
	    "3000-byte junk line: SMTP_LINE_MAX bytes of it");
	free(in);
}

/* many_line_cases - SMTP_REPLY_LINES_MAX and SMTP_REPLY_BYTES_MAX */
static void
many_line_cases(void)
{
	const struct smtp_reader *r;
	const struct smtp_reply *rp;
	struct run run;
	unsigned char *in, *line;
	size_t len, llen, i;
	bool prefix;

	in = build(4096, &len, (size_t)SMTP_REPLY_LINES_MAX - 1, "250-l\r\n",
	    (size_t)1, "250 end\r\n", (size_t)0);
	r = all_ways("SMTP_REPLY_LINES_MAX lines", in, len, &run);
	rp = &r->reply;
	check_run(
	    "SMTP_REPLY_LINES_MAX lines", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->nlines, SMTP_REPLY_LINES_MAX,
	    "SMTP_REPLY_LINES_MAX lines: all kept");
	is_int(rp->truncated, 0, "SMTP_REPLY_LINES_MAX lines: not truncated");
	free(in);

	in = build(4096, &len, (size_t)200, "250-l\r\n", (size_t)1,
	    "250 end\r\n", (size_t)0);
	r = all_ways("201 lines", in, len, &run);
	rp = &r->reply;
	check_run("201 lines", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->nlines, SMTP_REPLY_LINES_MAX,
	    "201 lines: SMTP_REPLY_LINES_MAX kept");
	is_int(rp->truncated, 1, "201 lines: truncated");
	is_int(rp->code, 250, "201 lines: code");
	is_int(rp->wire_lines, 201, "201 lines: all counted on the wire");
	is_mem(rp->text + rp->line[127].off, rp->line[127].len, "l",
	    "201 lines: the last kept line is line 128");
	free(in);

	/* 20 lines of 2044 bytes of text: only 16 fit SMTP_REPLY_BYTES_MAX. */
	line = build(4096, &llen, (size_t)1, "250-", (size_t)SMTP_LINE_MAX - 4,
	    "t", (size_t)1, "\r\n", (size_t)0);
	line[llen] = '\0';
	in = build(65536, &len, (size_t)20, (const char *)line, (size_t)1,
	    "250 end\r\n", (size_t)0);
	r = all_ways("text past SMTP_REPLY_BYTES_MAX", in, len, &run);
	rp = &r->reply;
	check_run(
	    "text past SMTP_REPLY_BYTES_MAX", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 1, "text past SMTP_REPLY_BYTES_MAX: truncated");
	ok(rp->textlen <= SMTP_REPLY_BYTES_MAX,
	    "text past SMTP_REPLY_BYTES_MAX: textlen within bound");
	prefix = rp->nlines >= 16;
	for (i = 0; prefix && i < 16; i++)
		prefix = rp->line[i].len == SMTP_LINE_MAX - 4;
	ok(prefix, "text past SMTP_REPLY_BYTES_MAX: first 16 lines whole");
	/* Once a line is dropped, later ones are too, even a short final
	 * one that would fit: the stored lines stay a prefix. */
	is_int(rp->nlines, 16, "text past SMTP_REPLY_BYTES_MAX: 16 lines");
	free(in);
	free(line);
}

/*
 * wire_max_reply - a reply of exactly SMTP_REPLY_WIRE_MAX bytes: WIRE_LINES
 * lines of WIRE_LINE bytes, then a final line with the rest; one spare byte
 * is allocated after it.
 */
static unsigned char *
wire_max_reply(void)
{
	unsigned char *in;
	size_t i, n = 0;

	if ((in = malloc(SMTP_REPLY_WIRE_MAX + 1)) == NULL)
		abort();
	for (i = 0; i < WIRE_LINES; i++) {
		memcpy(in + n, "250-", 4);
		memset(in + n + 4, 'w', WIRE_LINE - 6);
		memcpy(in + n + WIRE_LINE - 2, "\r\n", 2);
		n += WIRE_LINE;
	}
	memcpy(in + n, "250 ", 4);
	memset(in + n + 4, 'w', SMTP_REPLY_WIRE_MAX - n - 6);
	memcpy(in + SMTP_REPLY_WIRE_MAX - 2, "\r\n", 2);
	in[SMTP_REPLY_WIRE_MAX] = 'Z';
	return in;
}

/* limit_cases - SMTP_REPLY_WIRE_LINES and SMTP_REPLY_WIRE_MAX */
static void
limit_cases(void)
{
	const struct smtp_reader *r;
	const struct smtp_reply *rp;
	struct run run;
	unsigned char *in;
	size_t len, full;
	const char *why;
	size_t used;

	in = build(65536, &len, (size_t)SMTP_REPLY_WIRE_LINES - 1, "250-\r\n",
	    (size_t)1, "250 \r\n", (size_t)0);
	r = all_ways("SMTP_REPLY_WIRE_LINES lines", in, len, &run);
	rp = &r->reply;
	check_run(
	    "SMTP_REPLY_WIRE_LINES lines", &run, len, SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 1, "SMTP_REPLY_WIRE_LINES lines: truncated");
	is_int(rp->nlines, SMTP_REPLY_LINES_MAX,
	    "SMTP_REPLY_WIRE_LINES lines: SMTP_REPLY_LINES_MAX kept");
	free(in);

	in = build(65536, &len, (size_t)SMTP_REPLY_WIRE_LINES, "250-\r\n",
	    (size_t)1, "250 \r\n", (size_t)0);
	r = all_ways("one line too many", in, len, &run);
	rp = &r->reply;
	check_run("one line too many", &run, len, SMTP_ERR_LIMIT, ALL);
	is_int(rp->wire_lines, SMTP_REPLY_WIRE_LINES + 1,
	    "one line too many: counted");
	smtp_reader_init(&cur_rd);
	(void)smtp_reader_feed(&cur_rd, in, len, &used, &why);
	ok(why != NULL && strstr(why, "10000 lines") != NULL,
	    "one line too many: the reason names the line limit");
	free(in);

	/* Exactly SMTP_REPLY_WIRE_MAX bytes, ending the reply: accepted. */
	full = SMTP_REPLY_WIRE_MAX;
	in = wire_max_reply();
	r = all_ways("reply of SMTP_REPLY_WIRE_MAX bytes", in, full, &run);
	rp = &r->reply;
	check_run("reply of SMTP_REPLY_WIRE_MAX bytes", &run, full,
	    SMTP_REPLY_DONE, ALL);
	is_int(rp->truncated, 1,
	    "reply of SMTP_REPLY_WIRE_MAX bytes: text truncated");
	is_int(rp->wire_bytes, SMTP_REPLY_WIRE_MAX,
	    "reply of SMTP_REPLY_WIRE_MAX bytes: wire bytes counted");

	/* The same with one more byte in the final line: over the limit.
	 * However the input is cut, the reader stops at exactly the limit. */
	memmove(in + full - 1, in + full - 2, 2);
	in[full - 2] = 'w';
	r = all_ways(
	    "reply of SMTP_REPLY_WIRE_MAX + 1 bytes", in, full + 1, &run);
	check_run("reply of SMTP_REPLY_WIRE_MAX + 1 bytes", &run, full + 1,
	    SMTP_ERR_LIMIT, SMTP_REPLY_WIRE_MAX);
	smtp_reader_init(&cur_rd);
	(void)smtp_reader_feed(&cur_rd, in, full + 1, &used, &why);
	ok(why != NULL && strstr(why, "1 MiB") != NULL,
	    "reply of SMTP_REPLY_WIRE_MAX + 1 bytes: reason names the limit");
	free(in);

	/* A line that never ends. */
	if ((in = malloc(full + 5)) == NULL)
		abort();
	memcpy(in, "250-", 4);
	memset(in + 4, 'z', full + 1);
	r = all_ways("unending line", in, full + 5, &run);
	rp = &r->reply;
	check_run("unending line", &run, full + 5, SMTP_ERR_LIMIT,
	    SMTP_REPLY_WIRE_MAX);
	is_int(rp->truncated, 1, "unending line: truncated");
	is_int(rp->nlines, 1,
	    "unending line, fed whole: the cut line is kept, as in pieces");
	run_bytes(&cur_rd, in, full + 5, &run);
	rp = &cur_rd.reply;
	is_int(run.consumed, SMTP_REPLY_WIRE_MAX,
	    "unending line: byte-wise, consumed up to the limit");
	is_int(rp->wire_bytes, SMTP_REPLY_WIRE_MAX,
	    "unending line: byte-wise, wire bytes stop at the limit");
	is_int(rp->truncated, 1, "unending line: byte-wise, truncated");
	if (is_int(rp->nlines, 1, "unending line: byte-wise, cut line kept")) {
		is_int(rp->line[0].len, SMTP_LINE_MAX,
		    "unending line: byte-wise, SMTP_LINE_MAX bytes of it");
		is_mem(rp->text, 6, "250-zz",
		    "unending line: byte-wise, kept whole with its code");
	}
	free(in);
}

/* reuse_cases - re-initialising after a reply or an error */
static void
reuse_cases(void)
{
	static const char in[] = "220 ready\r\n250-INJECTED\r\n250 x\r\n";
	const unsigned char *p = (const unsigned char *)in;
	const char *why;
	size_t used, len = sizeof(in) - 1;
	enum smtp_status st;

	smtp_reader_init(&cur_rd);
	st = smtp_reader_feed(&cur_rd, p, len, &used, &why);
	is_int(st, SMTP_REPLY_DONE, "reuse: first reply done");
	is_int(used, 11, "reuse: first reply consumed");
	smtp_reader_init(&cur_rd);
	st = smtp_reader_feed(&cur_rd, p + used, len - used, &used, &why);
	is_int(st, SMTP_REPLY_DONE, "reuse: leftover is the next reply");
	is_int(cur_rd.reply.code, 250, "reuse: its code");
	is_int(cur_rd.reply.nlines, 2, "reuse: its lines");
	is_int(used, len - 11, "reuse: all consumed");

	(void)smtp_reader_feed(
	    &cur_rd, (const unsigned char *)"x\r\n", 3, &used, &why);
	smtp_reader_init(&cur_rd);
	is_int(cur_rd.reply.code, 0, "reuse: init clears code");
	is_int(cur_rd.reply.nlines, 0, "reuse: init clears lines");
	is_int(cur_rd.reply.textlen, 0, "reuse: init clears text");
	is_int(cur_rd.reply.wire_bytes + cur_rd.reply.wire_lines, 0,
	    "reuse: init clears wire counters");
	is_int(cur_rd.reply.truncated || cur_rd.reply.bare_lf, 0,
	    "reuse: init clears flags");

	/* A half line, then init: the half line is forgotten. */
	(void)smtp_reader_feed(
	    &cur_rd, (const unsigned char *)"5", 1, &used, &why);
	smtp_reader_init(&cur_rd);
	st = smtp_reader_feed(
	    &cur_rd, (const unsigned char *)"220 a\r\n", 7, &used, &why);
	is_int(st, SMTP_REPLY_DONE, "reuse: init drops a partial line");
	is_int(cur_rd.reply.code, 220, "reuse: partial line gone");
}

/* reply_of - a complete reply read from s[0..len) (static reader) */
static const struct smtp_reply *
reply_of(const char *s, size_t len)
{
	static struct smtp_reader r;
	const char *why;
	size_t used;

	smtp_reader_init(&r);
	if (smtp_reader_feed(&r, (const unsigned char *)s, len, &used, &why) !=
	    SMTP_REPLY_DONE) {
		printf("# test input is not a complete reply: %.*s\n", (int)len,
		    s);
		abort();
	}
	return &r.reply;
}

/* ehlo_parse_cases - keywords and parameters */
static void
ehlo_parse_cases(void)
{
	static const char postfix[] =
	    "250-mail.example.org\r\n"
	    "250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
	    "250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
	    "250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
	    "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
	static const char odd[] = "250-mx\r\n250-SIZE  10240000  \r\n"
				  "250-\r\n250-   \r\n250-  X-LEAD a\r\n"
				  "250 X-FOO a  b   c \r\n";
	static const char *const pkeys[] = {"PIPELINING", "SIZE", "VRFY",
	    "ETRN", "STARTTLS", "AUTH", "AUTH=PLAIN", "ENHANCEDSTATUSCODES",
	    "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"};
	struct smtp_cap caps[EHLO_CAPS_MAX];
	const struct smtp_reply *rp;
	bool trunc;
	size_t n, i;

	rp = reply_of(B(postfix));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 12, "ehlo postfix: 12 capabilities (greeting line skipped)");
	is_int(trunc, 0, "ehlo postfix: not truncated");
	for (i = 0; i < n && i < 12; i++)
		is_mem(caps[i].keyword.p, caps[i].keyword.len, pkeys[i],
		    lbl("ehlo postfix: keyword %zu", i));
	is_int(caps[1].nparams, 1, "ehlo postfix: SIZE has one param");
	is_mem(caps[1].params[0].p, caps[1].params[0].len, "10240000",
	    "ehlo postfix: SIZE 10240000");
	is_int(caps[0].nparams, 0, "ehlo postfix: PIPELINING has no param");
	is_int(caps[5].nparams, 2, "ehlo postfix: AUTH has two params");
	is_mem(caps[5].params[0].p, caps[5].params[0].len, "PLAIN",
	    "ehlo postfix: AUTH PLAIN");
	is_mem(caps[5].params[1].p, caps[5].params[1].len, "LOGIN",
	    "ehlo postfix: AUTH LOGIN");
	is_int(caps[6].nparams, 1, "ehlo postfix: AUTH=PLAIN has one param");
	is_mem(caps[6].params[0].p, caps[6].params[0].len, "LOGIN",
	    "ehlo postfix: AUTH=PLAIN LOGIN");
	ok(caps[1].keyword.p >= rp->text &&
		caps[1].keyword.p + caps[1].keyword.len <=
		    rp->text + rp->textlen,
	    "ehlo postfix: views point into the reply");

	rp = reply_of(B(odd));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 3, "ehlo spaces: empty and blank lines skipped");
	is_int(trunc, 0, "ehlo spaces: not truncated");
	is_mem(caps[0].keyword.p, caps[0].keyword.len, "SIZE",
	    "ehlo spaces: keyword before two spaces");
	is_int(caps[0].nparams, 1, "ehlo spaces: trailing spaces no param");
	is_mem(caps[0].params[0].p, caps[0].params[0].len, "10240000",
	    "ehlo spaces: param between runs of spaces");
	is_mem(caps[1].keyword.p, caps[1].keyword.len, "X-LEAD",
	    "ehlo spaces: leading spaces skipped");
	is_int(caps[2].nparams, 3, "ehlo spaces: three params");
	is_mem(caps[2].params[2].p, caps[2].params[2].len, "c",
	    "ehlo spaces: last param without trailing space");

	rp = reply_of(B("250 mx.example.org\r\n"));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 0, "ehlo one line: no capabilities");
	is_int(trunc, 0, "ehlo one line: not truncated");

	rp = reply_of(B("250-mx\r\n250 TAB\tWORD x\r\n"));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 1, "ehlo TAB: one capability");
	is_mem(caps[0].keyword.p, caps[0].keyword.len, "TAB\tWORD",
	    "ehlo: only SP separates words (RFC 5321 4.1.1.1)");

	rp = reply_of(B("250-mx\r\n250 NUL\0KEY p\0q\r\n"));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 1, "ehlo NUL: one capability");
	is_int(caps[0].keyword.len, 7, "ehlo: NUL kept inside a keyword");
	is_int(caps[0].params[0].len, 3, "ehlo: NUL kept inside a param");
}

/* ehlo_limit_cases - EHLO_CAPS_MAX, CAP_PARAMS_MAX, a truncated reply */
static void
ehlo_limit_cases(void)
{
	struct smtp_cap caps[EHLO_CAPS_MAX];
	const struct smtp_reply *rp;
	unsigned char *in;
	bool trunc;
	size_t n, len;

	in = build(4096, &len, (size_t)1, "250-mx\r\n",
	    (size_t)EHLO_CAPS_MAX - 1, "250-CAP\r\n", (size_t)1, "250 CAP\r\n",
	    (size_t)0);
	rp = reply_of((const char *)in, len);
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, EHLO_CAPS_MAX, "EHLO_CAPS_MAX caps: all");
	is_int(trunc, 0, "EHLO_CAPS_MAX caps: not truncated");
	free(in);

	in = build(4096, &len, (size_t)1, "250-mx\r\n",
	    (size_t)EHLO_CAPS_MAX + 5, "250-CAP\r\n", (size_t)1, "250 CAP\r\n",
	    (size_t)0);
	rp = reply_of((const char *)in, len);
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, EHLO_CAPS_MAX, "EHLO_CAPS_MAX + 6 caps: EHLO_CAPS_MAX kept");
	is_int(trunc, 1, "EHLO_CAPS_MAX + 6 caps: truncated");
	n = smtp_ehlo_parse(rp, caps, 2, &trunc);
	is_int(n, 2, "caps with max 2: 2 kept");
	is_int(trunc, 1, "caps with max 2: truncated");
	free(in);

	/* Empty lines after the last cap that fits do not truncate. */
	rp = reply_of(B("250-mx\r\n250-A\r\n250-B\r\n250- \r\n250 \r\n"));
	n = smtp_ehlo_parse(rp, caps, 2, &trunc);
	is_int(n, 2, "caps with max 2, then blank lines: 2");
	is_int(trunc, 0, "caps with max 2, then blank lines: not truncated");

	rp = reply_of(B("250-mx\r\n250 K p1 p2 p3 p4 p5 p6 p7 p8 p9 p10 p11 "
			"p12 p13 p14 p15 p16\r\n"));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(
	    caps[0].nparams, CAP_PARAMS_MAX, "CAP_PARAMS_MAX params: all kept");
	is_int(trunc, 0, "CAP_PARAMS_MAX params: not truncated");

	rp = reply_of(B("250-mx\r\n250-K p1 p2 p3 p4 p5 p6 p7 p8 p9 p10 p11 "
			"p12 p13 p14 p15 p16 p17 p18\r\n250 NEXT x\r\n"));
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 2, "CAP_PARAMS_MAX + 2 params: later caps still parsed");
	is_int(caps[0].nparams, CAP_PARAMS_MAX,
	    "CAP_PARAMS_MAX + 2 params: CAP_PARAMS_MAX kept");
	is_mem(caps[0].params[CAP_PARAMS_MAX - 1].p,
	    caps[0].params[CAP_PARAMS_MAX - 1].len, "p16",
	    "CAP_PARAMS_MAX + 2 params: the first ones kept");
	is_int(trunc, 1, "CAP_PARAMS_MAX + 2 params: truncated");

	/* A reply the reader truncated makes the capability list so. */
	in = build(4096, &len, (size_t)1, "250-mx\r\n", (size_t)200,
	    "250-X\r\n", (size_t)1, "250 Y\r\n", (size_t)0);
	rp = reply_of((const char *)in, len);
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, EHLO_CAPS_MAX, "truncated reply: EHLO_CAPS_MAX caps");
	is_int(trunc, 1, "truncated reply: caps truncated");
	free(in);
	in = build(4096, &len, (size_t)1, "250-mx\r\n", (size_t)1, "250-",
	    (size_t)3000, "A", (size_t)1, "\r\n250 Y\r\n", (size_t)0);
	rp = reply_of((const char *)in, len);
	n = smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &trunc);
	is_int(n, 2, "cut line: two caps");
	is_int(trunc, 1, "cut line: caps truncated");
	free(in);
}

/* store_cases - owned copies, upper-cased keywords, smtp_has_cap */
static void
store_cases(void)
{
	struct probe_result p;
	struct ehlo_result *e = &p.ehlo;
	const struct smtp_reply *rp;
	bool all;
	size_t i;

	result_probe_init(&p, 25, MODE_STARTTLS);
	rp = reply_of(
	    B("250-mx.example.org hello\r\n250-starttls\r\n"
	      "250-auth=plain login\r\n250-Size 1000\r\n250-8bitmime\r\n"
	      "250 X-\xc3\xa9t\xc3\xa9\r\n"));
	smtp_ehlo_store(rp, false, e);
	ok(e->reply.present, "store: reply present");
	is_int(e->reply.code, 250, "store: code");
	is_int(e->reply.nlines, 6, "store: lines");
	is_mem(e->reply.lines[0].data, e->reply.lines[0].len,
	    "mx.example.org hello", "store: greeting line copied");
	is_int(e->reply.lines[0].data[e->reply.lines[0].len], 0,
	    "store: copy NUL-terminated");
	is_int(e->helo, 0, "store: not HELO");
	is_int(e->ncaps, 5, "store: five caps");
	is_int(e->caps_truncated, 0, "store: not truncated");
	is_mem(e->caps[0].keyword.data, e->caps[0].keyword.len, "STARTTLS",
	    "store: keyword upper-cased");
	is_mem(e->caps[1].keyword.data, e->caps[1].keyword.len, "AUTH=PLAIN",
	    "store: AUTH= keyword upper-cased");
	is_mem(e->caps[1].params[0].data, e->caps[1].params[0].len, "login",
	    "store: params kept as sent");
	is_mem(e->caps[2].keyword.data, e->caps[2].keyword.len, "SIZE",
	    "store: mixed case upper-cased");
	is_mem(e->caps[3].keyword.data, e->caps[3].keyword.len, "8BITMIME",
	    "store: digits unchanged");
	is_mem(e->caps[4].keyword.data, e->caps[4].keyword.len,
	    "X-\xc3\xa9T\xc3\xa9", "store: only ASCII letters upper-cased");
	all = true;
	for (i = 0; i < e->ncaps; i++)
		if (e->caps[i].keyword.data[e->caps[i].keyword.len] != '\0')
			all = false;
	ok(all, "store: keywords NUL-terminated");

	ok(smtp_has_cap(e, "STARTTLS"), "has_cap: STARTTLS");
	ok(smtp_has_cap(e, "8BITMIME"), "has_cap: 8BITMIME");
	ok(!smtp_has_cap(e, "START"), "has_cap: not a prefix");
	ok(!smtp_has_cap(e, "STARTTLSX"), "has_cap: not longer");
	ok(!smtp_has_cap(e, "AUTH"), "has_cap: AUTH=PLAIN is not AUTH");
	ok(!smtp_has_cap(e, ""), "has_cap: empty keyword");
	ok(!smtp_has_cap(e, "PIPELINING"), "has_cap: absent");
	ok(!smtp_has_cap(e,
	       "\x18"
	       "BITMIME"),
	    "has_cap: only letters fold ('8' is not 0x18)");
	ok(smtp_has_cap(e, "starttls"), "has_cap: lower-case keyword");
	ok(smtp_has_cap(e, "8bitMIME"), "has_cap: mixed-case keyword");
	result_probe_free(&p);

	result_probe_init(&p, 25, MODE_STARTTLS);
	rp = reply_of(B("250 mx.example.org\r\n"));
	smtp_ehlo_store(rp, true, e);
	is_int(e->helo, 1, "store HELO: helo set");
	is_int(e->ncaps, 0, "store HELO: no caps");
	ok(!smtp_has_cap(e, "STARTTLS"), "store HELO: has_cap false");
	result_probe_free(&p);

	/* HELO's reply may have extra lines; they are not capabilities. */
	result_probe_init(&p, 25, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250 STARTTLS\r\n"));
	smtp_ehlo_store(rp, true, e);
	is_int(e->ncaps, 0, "store HELO, two lines: no caps");
	is_int(e->reply.nlines, 2, "store HELO, two lines: lines kept");
	result_probe_free(&p);

	result_probe_init(&p, 25, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250-\0\r\n250 \r\n"));
	smtp_ehlo_store(rp, false, e);
	is_int(e->ncaps, 1, "store NUL: a NUL is a keyword");
	is_int(e->caps[0].keyword.len, 1, "store NUL: length one");
	is_int(e->reply.lines[1].len, 1, "store NUL: line keeps the NUL");
	result_probe_free(&p);
}

/* auth_cases - smtp_auth_mechs */
static void
auth_cases(void)
{
	struct probe_result p;
	struct text out[AUTH_MECHS_MAX];
	const struct smtp_reply *rp;
	size_t n, i;

	memset(out, 0, sizeof(out));
	result_probe_init(&p, 587, MODE_STARTTLS);
	rp =
	    reply_of(B("250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 AUTH=LOGIN\r\n"));
	smtp_ehlo_store(rp, false, &p.ehlo);
	n = smtp_auth_mechs(&p.ehlo, out, AUTH_MECHS_MAX);
	is_int(n, 2, "auth: AUTH and AUTH= together, de-duplicated");
	is_mem(out[0].data, out[0].len, "PLAIN", "auth: first PLAIN");
	is_mem(out[1].data, out[1].len, "LOGIN", "auth: then LOGIN");
	for (i = 0; i < n; i++)
		result_text_free(&out[i]);
	result_probe_free(&p);

	result_probe_init(&p, 587, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250 auth plain\r\n"));
	smtp_ehlo_store(rp, false, &p.ehlo);
	n = smtp_auth_mechs(&p.ehlo, out, AUTH_MECHS_MAX);
	is_int(n, 1, "auth lower-case: one");
	is_mem(out[0].data, out[0].len, "PLAIN", "auth lower-case: PLAIN");
	for (i = 0; i < n; i++)
		result_text_free(&out[i]);
	result_probe_free(&p);

	result_probe_init(&p, 587, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250-AUTH=plain LOGIN CRAM-MD5\r\n"
			"250-AUTH Plain login XOAUTH2\r\n250-AUTHX GSSAPI\r\n"
			"250-AUTH\r\n250 X-AUTH NTLM\r\n"));
	smtp_ehlo_store(rp, false, &p.ehlo);
	n = smtp_auth_mechs(&p.ehlo, out, AUTH_MECHS_MAX);
	is_int(n, 4, "auth mixed: four mechanisms");
	is_mem(out[0].data, out[0].len, "PLAIN",
	    "auth mixed: AUTH= glued mechanism first");
	is_mem(out[1].data, out[1].len, "LOGIN", "auth mixed: LOGIN");
	is_mem(out[2].data, out[2].len, "CRAM-MD5", "auth mixed: CRAM-MD5");
	is_mem(out[3].data, out[3].len, "XOAUTH2",
	    "auth mixed: XOAUTH2 (Plain, login de-duplicated)");
	for (i = 0; i < n; i++)
		result_text_free(&out[i]);
	n = smtp_auth_mechs(&p.ehlo, out, 2);
	is_int(n, 2, "auth max 2: two");
	for (i = 0; i < n; i++)
		result_text_free(&out[i]);
	n = smtp_auth_mechs(&p.ehlo, out, 0);
	is_int(n, 0, "auth max 0: none");
	result_probe_free(&p);

	result_probe_init(&p, 587, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250 STARTTLS\r\n"));
	smtp_ehlo_store(rp, false, &p.ehlo);
	n = smtp_auth_mechs(&p.ehlo, out, AUTH_MECHS_MAX);
	is_int(n, 0, "auth: none advertised");
	result_probe_free(&p);

	/* Bytes that differ by 0x20 but are not letters are different
	 * mechanisms: '-' (0x2d) is not CR (0x0d), '_' is not DEL. */
	result_probe_init(&p, 587, MODE_STARTTLS);
	rp = reply_of(B("250-mx\r\n250 AUTH CRAM-MD5 CRAM\rMD5 A_B A\x7f"
			"B"
			"\r\n"));
	smtp_ehlo_store(rp, false, &p.ehlo);
	n = smtp_auth_mechs(&p.ehlo, out, AUTH_MECHS_MAX);
	is_int(n, 4, "auth: only letters compare case-insensitively");
	for (i = 0; i < n; i++)
		result_text_free(&out[i]);
	result_probe_free(&p);
}

/* main - every group; the exit status is done_testing()'s */
int
main(void)
{
	reader_cases();
	long_line_cases();
	many_line_cases();
	limit_cases();
	reuse_cases();
	ehlo_parse_cases();
	ehlo_limit_cases();
	store_cases();
	auth_cases();
	return done_testing();
}
