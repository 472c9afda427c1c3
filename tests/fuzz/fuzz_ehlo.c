/*
 * fuzz_ehlo.c - libFuzzer harness for the EHLO capability parser.
 *
 * Input: the bytes a server sends. Every reply the reader returns, complete
 * or cut by an error (session.c keeps those too), goes through
 * smtp_ehlo_parse(), smtp_ehlo_store(), smtp_auth_mechs() and
 * smtp_has_cap(), and everything is released with result_probe_free(), so
 * LeakSanitizer sees any leak.
 *
 * Invariants (abort() on failure): counts within their maxima, every word a
 * non-empty run of non-space bytes inside the reply text, stored keywords
 * and mechanisms upper-case and NUL-terminated, mechanisms without
 * duplicates, and smtp_has_cap() finding every stored keyword in any case.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void one_reply(const struct smtp_reply *, bool);
static void check_word(const struct smtp_reply *, const struct smtp_bytes *);
static void check_parse(const struct smtp_reply *, size_t);
static void check_text(const struct text *);
static bool same_ascii(const struct text *, const struct text *);

static struct smtp_reader reader;
static struct probe_result res;

/* LLVMFuzzerTestOneInput - every reply of the input, one after another */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum smtp_status st;
	const char *why;
	size_t pos = 0, used;
	unsigned int nreplies = 0;

	smtp_reader_init(&reader);
	while (pos < size) {
		st = smtp_reader_feed(
		    &reader, data + pos, size - pos, &used, &why);
		pos += used;
		if (st == SMTP_NEED_MORE)
			break;
		one_reply(&reader.reply, (nreplies++ & 1) != 0);
		smtp_reader_init(&reader);
		if (st != SMTP_REPLY_DONE && used == 0)
			break;
	}
	/* A reply cut by the end of the input, as after a timeout. */
	one_reply(&reader.reply, false);
	return 0;
}

/* one_reply - parse, store and query one reply, then free it all */
static void
one_reply(const struct smtp_reply *rp, bool helo)
{
	struct ehlo_result *e = &res.ehlo;
	struct text lower;
	size_t i, k, max = rp->textlen % (EHLO_CAPS_MAX + 2);

	check_parse(rp, EHLO_CAPS_MAX);
	check_parse(rp, max);

	result_probe_init(&res, 25, MODE_AUTO);
	smtp_reply_store(rp, &res.banner);
	if (res.banner.nlines != rp->nlines)
		abort();
	for (i = 0; i < rp->nlines; i++)
		check_text(&res.banner.lines[i]);

	smtp_ehlo_store(rp, helo, e);
	if (e->ncaps > EHLO_CAPS_MAX || (helo && e->ncaps != 0))
		abort();
	for (i = 0; i < e->ncaps; i++) {
		check_text(&e->caps[i].keyword);
		if (e->caps[i].keyword.len == 0 ||
		    e->caps[i].nparams > CAP_PARAMS_MAX)
			abort();
		for (k = 0; k < e->caps[i].keyword.len; k++)
			if (e->caps[i].keyword.data[k] >= 'a' &&
			    e->caps[i].keyword.data[k] <= 'z')
				abort();
		for (k = 0; k < e->caps[i].nparams; k++)
			check_text(&e->caps[i].params[k]);
		if (!smtp_has_cap(e, (const char *)e->caps[i].keyword.data) &&
		    memchr(e->caps[i].keyword.data, '\0',
			e->caps[i].keyword.len) == NULL)
			abort();
		/* The same keyword in lower case is found too. */
		lower.len = e->caps[i].keyword.len;
		lower.data = malloc(lower.len + 1);
		if (lower.data == NULL)
			abort();
		for (k = 0; k <= lower.len; k++) {
			lower.data[k] = e->caps[i].keyword.data[k];
			if (lower.data[k] >= 'A' && lower.data[k] <= 'Z')
				lower.data[k] += 'a' - 'A';
		}
		if (memchr(lower.data, '\0', lower.len) == NULL &&
		    !smtp_has_cap(e, (const char *)lower.data))
			abort();
		free(lower.data);
	}

	res.auth.nbefore = smtp_auth_mechs(
	    e, res.auth.before, rp->textlen % 2 ? AUTH_MECHS_MAX : 3);
	if (res.auth.nbefore > AUTH_MECHS_MAX)
		abort();
	for (i = 0; i < res.auth.nbefore; i++) {
		check_text(&res.auth.before[i]);
		if (res.auth.before[i].len == 0)
			abort();
		for (k = 0; k < res.auth.before[i].len; k++)
			if (res.auth.before[i].data[k] >= 'a' &&
			    res.auth.before[i].data[k] <= 'z')
				abort();
		for (k = 0; k < i; k++)
			if (same_ascii(
				&res.auth.before[i], &res.auth.before[k]))
				abort();
	}
	result_probe_free(&res);
}

/* check_parse - smtp_ehlo_parse with at most max caps */
static void
check_parse(const struct smtp_reply *rp, size_t max)
{
	struct smtp_cap caps[EHLO_CAPS_MAX + 1];
	bool truncated;
	size_t n, i, k;

	n = smtp_ehlo_parse(rp, caps, max, &truncated);
	if (n > max)
		abort();
	if (rp->truncated && !truncated)
		abort();
	for (i = 0; i < n; i++) {
		check_word(rp, &caps[i].keyword);
		if (caps[i].nparams > CAP_PARAMS_MAX)
			abort();
		for (k = 0; k < caps[i].nparams; k++)
			check_word(rp, &caps[i].params[k]);
	}
}

/* check_word - a non-empty run of non-space bytes inside the reply */
static void
check_word(const struct smtp_reply *rp, const struct smtp_bytes *w)
{
	if (w->len == 0 || w->p < rp->text ||
	    w->p + w->len > rp->text + rp->textlen)
		abort();
	if (memchr(w->p, ' ', w->len) != NULL)
		abort();
}

/* check_text - an owned text is NUL-terminated */
static void
check_text(const struct text *t)
{
	if (t->data == NULL || t->data[t->len] != '\0')
		abort();
}

/* same_ascii - equal ignoring the case of ASCII letters */
static bool
same_ascii(const struct text *a, const struct text *b)
{
	size_t i;
	unsigned char x, y;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++) {
		x = a->data[i];
		y = b->data[i];
		if (x >= 'a' && x <= 'z')
			x -= 'a' - 'A';
		if (y >= 'a' && y <= 'z')
			y -= 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}
