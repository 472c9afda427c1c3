/*
 * plan.c - auto mode's decisions, and the merging of attempts.
 *
 * Pure: the job (job.c) runs what this file decides. Keeping every
 * decision here means a version sweep or an injection test later adds a
 * rule to this file, not a branch to the session's state machine.
 *
 * The greeting wait of a first STARTTLS attempt in auto mode is half of
 * --timeout: long enough for Postfix postscreen's 6 s greet delay at the
 * default 30 s, and it leaves the other half to the implicit attempt.
 *
 * The parallel pause is 1.5 s: a submission server greets within one
 * round trip of the connect (two for the whole exchange: 0.6 s at a
 * 300 ms intercontinental RTT), postscreen-style greet delays are for
 * port 25 (which never gets a parallel attempt), and 1.5 s plus an
 * implicit handshake and dialogue still diagnoses a swapped port within
 * 3 s.
 */
#include "plan.h"

#include <stdio.h>
#include <string.h>

#define AUTO_BANNER_SHARE 2
#define PARALLEL_PAUSE_MS 1500

static size_t deciding(const struct plan_attempt *, size_t);
static bool silent_greeting(const struct plan_attempt *);
static void merge_transcripts(
    struct transcript *, const struct plan_attempt *, size_t);
static void add_line(struct transcript *, const struct transcript_line *);
static void list_attempts(
    struct probe_result *, const struct plan_attempt *, size_t, size_t);
static void append(struct probe_error *, const char *, const char *);

/* plan_first - implicit TLS on 465 (RFC 8314), STARTTLS elsewhere */
enum mode
plan_first(enum mode requested, int port)
{
	if (requested != MODE_AUTO)
		return requested;
	return port == 465 ? MODE_IMPLICIT : MODE_STARTTLS;
}

/* plan_banner_timeout - only auto's first clear-text attempt is hurried */
int
plan_banner_timeout(
    enum mode requested, size_t n, enum mode mode, int timeout_ms)
{
	if (requested != MODE_AUTO || n != 0 || mode == MODE_IMPLICIT)
		return 0;
	return timeout_ms / AUTO_BANNER_SHARE;
}

/* plan_parallel_pause - not on 25 (MX servers), nor outside auto mode */
int
plan_parallel_pause(enum mode requested, int port, enum mode mode)
{
	if (requested != MODE_AUTO || mode != MODE_STARTTLS || port == 25)
		return 0;
	return PARALLEL_PAUSE_MS;
}

/*
 * plan_decides - a greeting in clear decides (a late greeting wins), and
 * so does an implicit handshake that worked; a failure leaves it to the
 * other attempt
 */
bool
plan_decides(const struct plan_attempt *att, size_t i)
{
	if (i == 0)
		return att[0].res.banner.present;
	return att[1].res.tls.established;
}

/* plan_next - auto mode tries the other mode once */
enum mode
plan_next(enum mode requested, const struct plan_attempt *att, size_t n,
    bool time_left)
{
	if (requested != MODE_AUTO || n != 1 || !time_left)
		return MODE_UNKNOWN;
	if (silent_greeting(&att[0]))
		return MODE_IMPLICIT;
	if (att[0].mode == MODE_IMPLICIT && att[0].smtp_answer)
		return MODE_STARTTLS;
	return MODE_UNKNOWN;
}

/*
 * plan_sweep - the deciding attempt's mode when it got as far as a TLS
 * handshake; a ClientHello answered in plaintext SMTP is no handshake
 */
enum mode
plan_sweep(bool wanted, const struct plan_attempt *att, size_t n)
{
	const struct plan_attempt *d;

	if (!wanted || n == 0)
		return MODE_UNKNOWN;
	d = &att[deciding(att, n)];
	if (!d->res.tls.attempted || d->smtp_answer)
		return MODE_UNKNOWN;
	return d->mode;
}

/* plan_merge - one result from the attempts */
void
plan_merge(struct probe_result *out, struct plan_attempt *att, size_t n,
    int64_t total_ms)
{
	size_t d = deciding(att, n);
	struct transcript tr;
	const struct plan_attempt *retry = n > 1 ? &att[1] : NULL;
	bool silent = silent_greeting(&att[0]);

	memset(&tr, 0, sizeof(tr));
	if (n > 1)
		merge_transcripts(&tr, att, n);
	*out = att[d].res;
	memset(&att[d].res, 0, sizeof(att[d].res));
	if (n > 1) {
		att[d].res.transcript = out->transcript;
		out->transcript = tr;
	}
	list_attempts(out, att, n, d);
	out->timing.total = total_ms;
	out->other_mode_tried = n > 1;
	out->detected_other_mode = d > 0 || att[0].smtp_answer;
	if (retry == NULL && silent)
		append(&out->error,
		    "; a port that expects implicit TLS (usually 465) behaves "
		    "like this for a STARTTLS client",
		    "");
	else if (retry != NULL && d == 0 && silent)
		/* The implicit attempt on a silent port failed too: the
		 * report is the first attempt's, and says what the other met.
		 */
		append(&out->error,
		    "; a second connection trying implicit TLS failed too: ",
		    retry->smtp_answer
			? "it got a plaintext greeting during the TLS "
			  "handshake, so this STARTTLS port greets later than "
			  "that: raise --timeout to see the dialogue"
			: retry->res.error.message);
}

/*
 * deciding - whose dialogue the probe reports: the retry's when it found
 * the mode the port really speaks, else the first attempt's.
 */
static size_t
deciding(const struct plan_attempt *att, size_t n)
{
	if (n < 2 || att[0].res.banner.present)
		return 0;
	if (att[0].smtp_answer)
		return 1;
	return att[1].res.tls.established ? 1 : 0;
}

/* silent_greeting - connected in clear, but no greeting came in time */
static bool
silent_greeting(const struct plan_attempt *a)
{
	return a->mode != MODE_IMPLICIT && a->res.error.set &&
	    a->res.error.phase == PHASE_BANNER &&
	    a->res.error.kind == KIND_TIMEOUT;
}

/*
 * merge_transcripts - both attempts' lines in time order (they may have
 * run at once), with a note where the second begins; copied under the
 * transcript's own byte bound.
 */
static void
merge_transcripts(
    struct transcript *tr, const struct plan_attempt *att, size_t n)
{
	const struct transcript *a = &att[0].res.transcript,
				*b = &att[1].res.transcript;
	struct transcript_line note;
	char text[64];
	size_t i = 0, k = 0;

	(void)n;
	tr->enabled = a->enabled;
	note.ms = att[1].started_ms;
	note.dir = TDIR_TLS;
	note.text.len = (size_t)snprintf(text, sizeof(text),
	    "reconnecting in %s mode", mode_names[att[1].mode]);
	note.text.data = (unsigned char *)text;
	while (i < a->n && a->lines[i].ms <= note.ms)
		add_line(tr, &a->lines[i++]);
	add_line(tr, &note);
	while (i < a->n || k < b->n)
		if (k == b->n || (i < a->n && a->lines[i].ms <= b->lines[k].ms))
			add_line(tr, &a->lines[i++]);
		else
			add_line(tr, &b->lines[k++]);
	tr->truncated |= a->truncated || b->truncated;
}

/* add_line - a copy of one transcript line */
static void
add_line(struct transcript *tr, const struct transcript_line *l)
{
	result_transcript_add(tr, l->ms, l->dir, l->text.data, l->text.len);
}

/* list_attempts - each connection's mode, error and own timings */
static void
list_attempts(struct probe_result *out, const struct plan_attempt *att,
    size_t n, size_t d)
{
	const struct probe_result *r;
	struct attempt_result *a;
	size_t i;

	out->nattempts = n;
	for (i = 0; i < n; i++) {
		/* The deciding attempt's data moved into out. */
		r = i == d ? out : &att[i].res;
		a = &out->attempts[i];
		a->mode = att[i].mode;
		a->error = r->error;
		a->timing = r->timing;
		/* A session's total counts from the probe's start. */
		a->timing.total = r->timing.total - att[i].started_ms;
	}
}

/* append - text and more after an error's message, cut to its size */
static void
append(struct probe_error *e, const char *text, const char *more)
{
	size_t n = strlen(e->message);

	snprintf(e->message + n, sizeof(e->message) - n, "%s%s", text, more);
}
