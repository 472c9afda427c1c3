/*
 * smtp.h - SMTP reply reader and EHLO capability parser (pure, no I/O).
 *
 * The reader turns bytes, in pieces of any size, into complete replies
 * (RFC 5321 4.2). Everything it keeps is bounded by bounds.h: a line past
 * SMTP_LINE_MAX is cut, lines past SMTP_REPLY_LINES_MAX or text past
 * SMTP_REPLY_BYTES_MAX are dropped (the reply is marked truncated), and a
 * reply that goes on past SMTP_REPLY_WIRE_MAX bytes or SMTP_REPLY_WIRE_LINES
 * lines is an error, so a server that never ends a reply costs bounded memory
 * and ends the probe with a "limit" error instead of a timeout.
 */
#ifndef SMTP_PROBE_SMTP_H
#define SMTP_PROBE_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "result.h"

enum smtp_status {
	SMTP_NEED_MORE,  /* all input consumed, reply not complete */
	SMTP_REPLY_DONE, /* reply complete; bytes after it not consumed */
	SMTP_ERR_SYNTAX, /* not an SMTP reply; reason in *why */
	SMTP_ERR_LIMIT   /* a hard limit was reached; reason in *why */
};

struct smtp_span {
	uint32_t off;
	uint32_t len;
};

/* A reply as received; line texts exclude the "NNN-" prefix and CRLF. */
/*
 * The scalars come first: smtp_reader_init() clears them, not the spans or
 * the text. The text grows as lines come (most replies are a few hundred
 * bytes) up to SMTP_REPLY_BYTES_MAX, and is kept from reply to reply: a
 * thousand probes in flight hold their replies' size, not the bound.
 */
struct smtp_reply {
	int code; /* 0 until a valid line was seen */
	size_t nlines;
	size_t textlen;
	bool truncated;
	bool dropping; /* a line was dropped: so are all after it */
	bool bare_lf;
	size_t wire_bytes; /* counted against SMTP_REPLY_WIRE_MAX */
	size_t wire_lines;
	struct smtp_span line[SMTP_REPLY_LINES_MAX];
	unsigned char *text; /* owned by the reader; textcap bytes */
	size_t textcap;
};

struct smtp_reader {
	unsigned char buf[SMTP_RX_MAX]; /* the line being received */
	size_t len;
	bool overlong; /* current line was cut; skip to LF */
	struct smtp_reply reply;
};

/* A view into a reply's text: valid while the reply is. */
struct smtp_bytes {
	const unsigned char *p;
	size_t len;
};

struct smtp_cap {
	struct smtp_bytes keyword;
	size_t nparams;
	struct smtp_bytes params[CAP_PARAMS_MAX];
};

/*
 * smtp_reader_init - empty reader, ready for the first byte of a reply. A
 * reader starts zeroed (or with smtp_reader_free); init keeps the text
 * buffer it has for the next reply.
 */
void smtp_reader_init(struct smtp_reader *);

/* smtp_reader_free - release the reply's text buffer; zeroes the reader */
void smtp_reader_free(struct smtp_reader *);

/*
 * smtp_reader_feed - consume bytes from data[0..len).
 * *consumed gets how many bytes were used. On SMTP_REPLY_DONE the reply is in
 * r->reply and data[*consumed..len) are bytes the server sent after it. On
 * an error *why is a static sentence; r->reply holds what was read,
 * including the line that failed, raw (code 0 when no valid line was seen).
 * After SMTP_REPLY_DONE or an error, smtp_reader_init() must be called
 * before the next reply is fed. The result does not depend on how the input
 * is split into calls.
 */
enum smtp_status smtp_reader_feed(struct smtp_reader *r,
    const unsigned char *data, size_t len, size_t *consumed, const char **why);

/*
 * smtp_ehlo_parse - capabilities of an EHLO reply: one per line after the
 * first (which names the server). The keyword is the first word, params the
 * rest split on spaces; at most max caps and CAP_PARAMS_MAX params each.
 * Returns the count; *truncated is set when there were more.
 */
size_t smtp_ehlo_parse(const struct smtp_reply *, struct smtp_cap *caps,
    size_t max, bool *truncated);

/* smtp_reply_store - owned copy of a reply into the result */
void smtp_reply_store(const struct smtp_reply *, struct reply *out);

/* smtp_ehlo_store - owned copy of an EHLO reply and its capabilities */
void smtp_ehlo_store(
    const struct smtp_reply *, bool helo, struct ehlo_result *out);

/*
 * smtp_auth_mechs - SASL mechanisms advertised by an EHLO result, from both
 * "AUTH X Y" and the pre-standard "AUTH=X Y" forms, upper-cased and without
 * duplicates. Returns the count (at most max); the caller owns out[].
 */
size_t smtp_auth_mechs(
    const struct ehlo_result *, struct text *out, size_t max);

/*
 * smtp_reply_transcript - a reply's lines, code included, appended to t
 * at ms (nothing when t is not enabled)
 */
void smtp_reply_transcript(
    const struct smtp_reply *, struct transcript *t, int64_t ms);

/* smtp_has_cap - true when the EHLO result advertises keyword */
bool smtp_has_cap(const struct ehlo_result *, const char *keyword);

#endif
