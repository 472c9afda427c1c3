/*
 * fuzz_reader.c - libFuzzer harness for smtp_reader_feed().
 *
 * Input: one byte h, then (h & 7) chunk sizes, then the bytes a server
 * sends. The bytes are fed in chunks of those sizes in turn (0 means the
 * rest), each from an exact-size heap copy so ASan sees any read past a
 * chunk. After a reply or an error the reader is re-initialised and the
 * leftover bytes are fed on, as session.c does.
 *
 * Invariants (abort() on failure): consumed <= chunk length, NEED_MORE
 * consumes the whole chunk, *why is set exactly on errors, the reply stays
 * inside its bounds, and - the incremental property - the chunked run yields
 * the same replies at the same positions as feeding everything at once.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

#define OUTCOMES_MAX 4096

/* What one reply (or error) looked like, for comparing two runs. */
struct outcome {
	enum smtp_status st;
	size_t end; /* input position after it */
	int code;
	size_t nlines, textlen, wire_lines;
	bool truncated, bare_lf;
	uint64_t hash; /* of the text and the line spans */
};

struct trace {
	size_t n;
	struct outcome o[OUTCOMES_MAX];
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void check_reply(const struct smtp_reply *, enum smtp_status);
static uint64_t fnv(uint64_t, const void *, size_t);
static void record(
    struct trace *, const struct smtp_reader *, enum smtp_status, size_t);
static enum smtp_status feed(
    struct smtp_reader *, const uint8_t *, size_t, size_t *);
static void run(
    struct trace *, const uint8_t *, size_t, const uint8_t *, size_t);
static bool same(const struct outcome *, const struct outcome *);

static struct smtp_reader reader;
static struct trace chunked, whole;

/* LLVMFuzzerTestOneInput - one input: chunked run, whole run, compare */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sizes;
	size_t nsizes, i;

	if (size == 0)
		return 0;
	nsizes = data[0] & 7;
	if (size < 1 + nsizes)
		return 0;
	sizes = data + 1;
	data += 1 + nsizes;
	size -= 1 + nsizes;

	run(&chunked, data, size, sizes, nsizes);
	run(&whole, data, size, NULL, 0);
	for (i = 0; i < chunked.n && i < whole.n; i++) {
		if (!same(&chunked.o[i], &whole.o[i]))
			abort();
		/* Past SMTP_REPLY_WIRE_MAX the cut point may depend on the
		 * chunks, and so may everything after it. */
		if (chunked.o[i].st == SMTP_ERR_LIMIT)
			return 0;
	}
	if (chunked.n != whole.n)
		abort();
	return 0;
}

/*
 * run - feed data[0..size) in chunks of sizes[] in turn (whole when
 * nsizes is 0), re-initialising after every reply or error.
 */
static void
run(struct trace *t, const uint8_t *data, size_t size, const uint8_t *sizes,
    size_t nsizes)
{
	enum smtp_status st;
	size_t pos = 0, n, used, k = 0;

	t->n = 0;
	smtp_reader_init(&reader);
	while (pos < size) {
		n = size - pos;
		if (nsizes > 0 && sizes[k % nsizes] != 0 &&
		    sizes[k % nsizes] < n)
			n = sizes[k % nsizes];
		k++;
		st = feed(&reader, data + pos, n, &used);
		check_reply(&reader.reply, st);
		pos += used;
		if (st == SMTP_NEED_MORE)
			continue;
		record(t, &reader, st, pos);
		smtp_reader_init(&reader);
		if (st != SMTP_REPLY_DONE && used == 0)
			pos += n; /* cannot happen below 1 MiB; no loop */
	}
	/* The reply in progress when the input ended. */
	record(t, &reader, SMTP_NEED_MORE, pos);
}

/* feed - one feed from an exact-size copy; the contract checked */
static enum smtp_status
feed(struct smtp_reader *r, const uint8_t *p, size_t n, size_t *used)
{
	enum smtp_status st;
	const char *why = "unset";
	uint8_t *copy;

	if ((copy = malloc(n ? n : 1)) == NULL)
		abort();
	memcpy(copy, p, n);
	*used = SIZE_MAX;
	st = smtp_reader_feed(r, copy, n, used, &why);
	free(copy);
	if (*used > n)
		abort();
	if (st == SMTP_NEED_MORE && *used != n)
		abort();
	if ((st == SMTP_ERR_SYNTAX || st == SMTP_ERR_LIMIT) != (why != NULL))
		abort();
	if (st == SMTP_REPLY_DONE &&
	    (r->reply.code < 200 || r->reply.code > 599))
		abort();
	return st;
}

/*
 * check_reply - the reply is inside its bounds, lines packed in order. The
 * text of a line after "NNN-" is at most SMTP_LINE_MAX - 4 bytes; only the
 * line a syntax error stores whole may reach SMTP_LINE_MAX.
 */
static void
check_reply(const struct smtp_reply *rp, enum smtp_status st)
{
	size_t i, end = 0, max;

	if (rp->nlines > SMTP_REPLY_LINES_MAX)
		abort();
	if (rp->textlen > SMTP_REPLY_BYTES_MAX || rp->textlen > rp->textcap)
		abort();
	if (rp->wire_bytes > SMTP_REPLY_WIRE_MAX)
		abort();
	if (rp->wire_lines > SMTP_REPLY_WIRE_LINES + 1)
		abort();
	for (i = 0; i < rp->nlines; i++) {
		if (rp->line[i].off != end)
			abort();
		max = st == SMTP_ERR_SYNTAX && i + 1 == rp->nlines
		    ? SMTP_LINE_MAX
		    : SMTP_LINE_MAX - 4;
		if (rp->line[i].len > max)
			abort();
		end += rp->line[i].len;
		if (end > rp->textlen)
			abort();
	}
	if (end != rp->textlen)
		abort();
}

/* record - add what the reader holds to the trace */
static void
record(struct trace *t, const struct smtp_reader *r, enum smtp_status st,
    size_t end)
{
	const struct smtp_reply *rp = &r->reply;
	struct outcome *o;

	if (t->n == OUTCOMES_MAX)
		return;
	o = &t->o[t->n++];
	memset(o, 0, sizeof(*o));
	o->st = st;
	o->end = end;
	o->code = rp->code;
	o->nlines = rp->nlines;
	o->textlen = rp->textlen;
	o->wire_lines = rp->wire_lines;
	o->truncated = rp->truncated;
	o->bare_lf = rp->bare_lf;
	o->hash = fnv(fnv(14695981039346656037ULL, rp->text, rp->textlen),
	    rp->line, rp->nlines * sizeof(rp->line[0]));
}

/* same - two outcomes agree */
static bool
same(const struct outcome *a, const struct outcome *b)
{
	if (a->st != b->st)
		return false;
	if (a->st == SMTP_ERR_LIMIT)
		return true;
	return a->end == b->end && a->code == b->code &&
	    a->nlines == b->nlines && a->textlen == b->textlen &&
	    a->wire_lines == b->wire_lines && a->truncated == b->truncated &&
	    a->bare_lf == b->bare_lf && a->hash == b->hash;
}

/* fnv - FNV-1a over p[0..n), continuing from h */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}
