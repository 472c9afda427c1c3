/*
 * smtp.c - SMTP reply reader and EHLO capability parser.
 *
 * Pure functions: bytes in, replies and capabilities out, nothing else.
 * A reply line is a three-digit code (first digit 2-5), then SP for the last
 * line or "-" for more (RFC 5321 4.2); every line of one reply must carry the
 * same code. Bare LF endings are accepted and noted (RFC 5321 2.3.8 forbids
 * them, and many broken servers send them). Bytes are kept raw, NUL included;
 * the renderers make them safe to print.
 *
 * Limits: see smtp.h. Capabilities follow RFC 5321 4.1.1.1 (keyword, then
 * parameters separated by spaces); "AUTH=" is the pre-RFC 4954 form that
 * old Microsoft clients needed, still sent by many servers.
 */
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static enum smtp_status end_line(struct smtp_reader *, const char **);
static void store_line(struct smtp_reply *, const unsigned char *, size_t);
static void text_upper(struct text *);
static size_t split_words(
    const unsigned char *, size_t, struct smtp_bytes *, size_t, bool *);
static size_t add_mech(
    struct text *, size_t, size_t, const unsigned char *, size_t);
static bool same_word(
    const unsigned char *, size_t, const unsigned char *, size_t);
static unsigned char ascii_upper(unsigned char);

/* smtp_reader_init - empty reader */
void
smtp_reader_init(struct smtp_reader *r)
{
	r->len = 0;
	r->overlong = false;
	memset(&r->reply, 0, offsetof(struct smtp_reply, line));
}

/* smtp_reader_free - the text buffer, and a zeroed reader */
void
smtp_reader_free(struct smtp_reader *r)
{
	free(r->reply.text);
	memset(r, 0, sizeof(*r));
}

/* smtp_reader_feed - consume bytes until a reply is complete or input ends */
enum smtp_status
smtp_reader_feed(struct smtp_reader *r, const unsigned char *data, size_t len,
    size_t *consumed, const char **why)
{
	struct smtp_reply *rp = &r->reply;
	const unsigned char *lf;
	enum smtp_status st;
	size_t pos = 0, n, room;
	bool over;

	*why = NULL;
	while (pos < len) {
		lf = memchr(data + pos, '\n', len - pos);
		n = lf != NULL ? (size_t)(lf - (data + pos)) + 1 : len - pos;
		/* Take no byte past the limit, so where it stops does not
		 * depend on how the input was split. */
		over = n > SMTP_REPLY_WIRE_MAX - rp->wire_bytes;
		if (over) {
			n = SMTP_REPLY_WIRE_MAX - rp->wire_bytes;
			lf = NULL;
		}
		rp->wire_bytes += n;
		/* Keep what fits of the line; the rest of a long one is cut. */
		room = sizeof(r->buf) - r->len;
		if (!r->overlong) {
			memcpy(
			    r->buf + r->len, data + pos, n < room ? n : room);
			r->len += n < room ? n : room;
			if (n > room)
				r->overlong = true;
		}
		pos += n;
		if (over) {
			/* Keep what the unfinished line showed, raw and cut. */
			if (r->len > 0)
				store_line(rp, r->buf,
				    r->len < SMTP_LINE_MAX ? r->len
							   : SMTP_LINE_MAX);
			rp->truncated = true;
			*consumed = pos;
			*why = "the reply went on for more than 1 MiB";
			return SMTP_ERR_LIMIT;
		}
		if (lf == NULL)
			break;
		st = end_line(r, why);
		if (st != SMTP_NEED_MORE) {
			*consumed = pos;
			return st;
		}
	}
	*consumed = pos;
	return SMTP_NEED_MORE;
}

/* smtp_ehlo_parse - capabilities from every line after the first */
size_t
smtp_ehlo_parse(const struct smtp_reply *rp, struct smtp_cap *caps, size_t max,
    bool *truncated)
{
	struct smtp_bytes words[CAP_PARAMS_MAX + 1];
	const unsigned char *p;
	size_t i, k, n, ncaps = 0;
	bool more;

	*truncated = false;
	for (i = 1; i < rp->nlines; i++) {
		p = rp->text + rp->line[i].off;
		n = split_words(
		    p, rp->line[i].len, words, CAP_PARAMS_MAX + 1, &more);
		if (n == 0)
			continue;
		if (ncaps == max) {
			*truncated = true;
			break;
		}
		caps[ncaps].keyword = words[0];
		caps[ncaps].nparams = n - 1;
		for (k = 1; k < n; k++)
			caps[ncaps].params[k - 1] = words[k];
		if (more)
			*truncated = true;
		ncaps++;
	}
	if (rp->truncated)
		*truncated = true;
	return ncaps;
}

/* smtp_reply_store - owned copy of a reply */
void
smtp_reply_store(const struct smtp_reply *rp, struct reply *out)
{
	size_t i;

	out->present = true;
	out->code = rp->code;
	out->truncated = rp->truncated;
	out->bare_lf = rp->bare_lf;
	out->nlines = rp->nlines;
	out->lines = xcalloc(rp->nlines ? rp->nlines : 1, sizeof(*out->lines));
	for (i = 0; i < rp->nlines; i++)
		result_text_set(&out->lines[i], rp->text + rp->line[i].off,
		    rp->line[i].len);
}

/* smtp_ehlo_store - owned copy of an EHLO reply with its capabilities */
void
smtp_ehlo_store(const struct smtp_reply *rp, bool helo, struct ehlo_result *out)
{
	struct smtp_cap caps[EHLO_CAPS_MAX];
	struct capability *c;
	size_t i, k;

	smtp_reply_store(rp, &out->reply);
	out->helo = helo;
	out->ncaps = helo
	    ? 0
	    : smtp_ehlo_parse(rp, caps, EHLO_CAPS_MAX, &out->caps_truncated);
	out->caps = xcalloc(out->ncaps ? out->ncaps : 1, sizeof(*out->caps));
	for (i = 0; i < out->ncaps; i++) {
		c = &out->caps[i];
		result_text_set(
		    &c->keyword, caps[i].keyword.p, caps[i].keyword.len);
		text_upper(&c->keyword);
		c->nparams = caps[i].nparams;
		c->params =
		    xcalloc(c->nparams ? c->nparams : 1, sizeof(*c->params));
		for (k = 0; k < c->nparams; k++)
			result_text_set(&c->params[k], caps[i].params[k].p,
			    caps[i].params[k].len);
	}
}

/* smtp_auth_mechs - SASL mechanisms from AUTH and AUTH= capabilities */
size_t
smtp_auth_mechs(const struct ehlo_result *e, struct text *out, size_t max)
{
	const struct capability *c;
	size_t i, k, n = 0;
	bool glued;

	for (i = 0; i < e->ncaps; i++) {
		c = &e->caps[i];
		/* Keywords are stored upper-cased. */
		if (c->keyword.len == 4 &&
		    memcmp(c->keyword.data, "AUTH", 4) == 0)
			glued = false;
		else if (c->keyword.len >= 5 &&
		    memcmp(c->keyword.data, "AUTH=", 5) == 0)
			glued = true;
		else
			continue;
		/* "AUTH=PLAIN LOGIN": the first mechanism is glued to the
		 * keyword. */
		if (glued && c->keyword.len > 5)
			n = add_mech(out, n, max, c->keyword.data + 5,
			    c->keyword.len - 5);
		for (k = 0; k < c->nparams; k++)
			n = add_mech(
			    out, n, max, c->params[k].data, c->params[k].len);
	}
	return n;
}

/* smtp_reply_transcript - each line as "250-text", into the transcript */
void
smtp_reply_transcript(
    const struct smtp_reply *rp, struct transcript *t, int64_t ms)
{
	unsigned char line[SMTP_LINE_MAX + 4];
	size_t i, len;

	if (!t->enabled)
		return;
	for (i = 0; i < rp->nlines; i++) {
		len = 0;
		if (rp->code != 0) {
			snprintf((char *)line, sizeof(line), "%03d%c", rp->code,
			    i + 1 < rp->nlines ? '-' : ' ');
			len = 4;
		}
		memcpy(line + len, rp->text + rp->line[i].off, rp->line[i].len);
		len += rp->line[i].len;
		result_transcript_add(t, ms, TDIR_RECEIVED, line, len);
	}
}

/* smtp_has_cap - true when keyword is advertised (case-insensitively) */
bool
smtp_has_cap(const struct ehlo_result *e, const char *keyword)
{
	size_t i, n = strlen(keyword);

	for (i = 0; i < e->ncaps; i++)
		if (same_word(e->caps[i].keyword.data, e->caps[i].keyword.len,
			(const unsigned char *)keyword, n))
			return true;
	return false;
}

/*
 * end_line - a whole line is in r->buf: check it and add it to the reply.
 * Returns SMTP_NEED_MORE for a continuation line, SMTP_REPLY_DONE for the
 * last line, or an error.
 */
static enum smtp_status
end_line(struct smtp_reader *r, const char **why)
{
	struct smtp_reply *rp = &r->reply;
	unsigned char *b = r->buf;
	size_t len = r->len;
	int code;
	bool last;

	if (r->overlong) {
		/* Only the first SMTP_LINE_MAX bytes are kept. */
		len = SMTP_LINE_MAX;
		rp->truncated = true;
	} else {
		len--; /* the LF */
		if (len > 0 && b[len - 1] == '\r')
			len--;
		else
			rp->bare_lf = true;
		/* Without its CR, a line one byte over the limit still fits
		 * the buffer: cut it like any other. */
		if (len > SMTP_LINE_MAX) {
			len = SMTP_LINE_MAX;
			rp->truncated = true;
		}
	}
	r->len = 0;
	r->overlong = false;

	if (++rp->wire_lines > SMTP_REPLY_WIRE_LINES) {
		*why = "the reply went on for more than 10000 lines";
		return SMTP_ERR_LIMIT;
	}
	if (len < 3 || b[0] < '2' || b[0] > '5' || b[1] < '0' || b[1] > '9' ||
	    b[2] < '0' || b[2] > '9' ||
	    (len > 3 && b[3] != ' ' && b[3] != '-')) {
		store_line(rp, b, len);
		*why = "the server sent a line that is not an SMTP reply";
		return SMTP_ERR_SYNTAX;
	}
	code = (b[0] - '0') * 100 + (b[1] - '0') * 10 + (b[2] - '0');
	if (rp->code != 0 && code != rp->code) {
		store_line(rp, b, len);
		*why = "the lines of one reply carry different codes";
		return SMTP_ERR_SYNTAX;
	}
	rp->code = code;
	last = len == 3 || b[3] == ' ';
	store_line(rp, len > 4 ? b + 4 : b + len, len > 4 ? len - 4 : 0);
	return last ? SMTP_REPLY_DONE : SMTP_NEED_MORE;
}

/* store_line - keep a line's text if the reply still has room */
static void
store_line(struct smtp_reply *rp, const unsigned char *p, size_t len)
{
	/* Once one line is dropped, so are the rest: the kept lines are
	 * always the reply's first ones, without gaps. */
	size_t cap;

	if (rp->dropping || rp->nlines == SMTP_REPLY_LINES_MAX ||
	    len > SMTP_REPLY_BYTES_MAX - rp->textlen) {
		rp->dropping = true;
		rp->truncated = true;
		return;
	}
	if (rp->text == NULL || rp->textlen + len > rp->textcap) {
		/* Doubling from 512: a few reallocations at most. */
		for (cap = rp->textcap ? rp->textcap : 512;
		     cap < rp->textlen + len; cap *= 2)
			;
		if (cap > SMTP_REPLY_BYTES_MAX)
			cap = SMTP_REPLY_BYTES_MAX;
		rp->text = xreallocarray(rp->text, cap, 1);
		rp->textcap = cap;
	}
	if (len > 0)
		memcpy(rp->text + rp->textlen, p, len);
	rp->line[rp->nlines].off = (uint32_t)rp->textlen;
	rp->line[rp->nlines].len = (uint32_t)len;
	rp->textlen += len;
	rp->nlines++;
}

/* text_upper - upper-case ASCII letters in place */
static void
text_upper(struct text *t)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		t->data[i] = ascii_upper(t->data[i]);
}

/*
 * split_words - split p[0..len) on spaces into at most max words.
 * *more is set when words were left over.
 */
static size_t
split_words(const unsigned char *p, size_t len, struct smtp_bytes *w,
    size_t max, bool *more)
{
	size_t i = 0, start, n = 0;

	*more = false;
	for (;;) {
		while (i < len && p[i] == ' ')
			i++;
		if (i == len)
			return n;
		if (n == max) {
			*more = true;
			return n;
		}
		start = i;
		while (i < len && p[i] != ' ')
			i++;
		w[n].p = p + start;
		w[n].len = i - start;
		n++;
	}
}

/*
 * add_mech - append m to out[0..n) unless it is there already (ignoring
 * case) or out is full; returns the new count.
 */
static size_t
add_mech(
    struct text *out, size_t n, size_t max, const unsigned char *m, size_t mlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_word(out[i].data, out[i].len, m, mlen))
			return n;
	if (n == max)
		return n;
	result_text_set(&out[n], m, mlen);
	text_upper(&out[n]);
	return n + 1;
}

/*
 * same_word - equal ignoring the case of ASCII letters only: SMTP keywords
 * are ASCII (RFC 5321 4.1.1.1), and folding other bytes would make
 * different octets equal.
 */
static bool
same_word(
    const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	size_t k;

	if (alen != blen)
		return false;
	for (k = 0; k < alen; k++)
		if (ascii_upper(a[k]) != ascii_upper(b[k]))
			return false;
	return true;
}

/* ascii_upper - upper-case an ASCII letter, leave every other byte */
static unsigned char
ascii_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - ('a' - 'A')) : c;
}
