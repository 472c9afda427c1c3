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
 */
#include "plan.h"

#include <stdio.h>
#include <string.h>

#define AUTO_BANNER_SHARE 2

static size_t deciding(const struct plan_attempt *, size_t);
static bool silent_greeting(const struct plan_attempt *);
static void merge_transcripts(
    struct transcript *, const struct plan_attempt *, size_t);
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
	out->timing.total = total_ms;
	out->other_mode_tried = n > 1;
	out->detected_other_mode = d > 0 || att[0].smtp_answer;
	if (retry == NULL && silent)
		append(&out->error,
		    "; a port that expects implicit TLS (usually 465) behaves "
		    "like this for a STARTTLS client",
		    "");
	else if (retry != NULL && d == 0)
		/* The implicit retry of a silent port failed too: the report
		 * is the first attempt's, and says what the retry met. */
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
	if (n < 2)
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
 * merge_transcripts - every attempt's lines in order, a note where each
 * retry begins; copied under the transcript's own byte bound.
 */
static void
merge_transcripts(
    struct transcript *tr, const struct plan_attempt *att, size_t n)
{
	const struct transcript *t;
	char note[64];
	size_t i, k;

	tr->enabled = att[0].res.transcript.enabled;
	for (i = 0; i < n; i++) {
		t = &att[i].res.transcript;
		if (i > 0) {
			snprintf(note, sizeof(note), "reconnecting in %s mode",
			    mode_names[att[i].mode]);
			result_transcript_add(tr, att[i].started_ms, TDIR_TLS,
			    note, strlen(note));
		}
		for (k = 0; k < t->n; k++)
			result_transcript_add(tr, t->lines[k].ms,
			    t->lines[k].dir, t->lines[k].text.data,
			    t->lines[k].text.len);
		tr->truncated |= t->truncated;
	}
}

/* append - text and more after an error's message, cut to its size */
static void
append(struct probe_error *e, const char *text, const char *more)
{
	size_t n = strlen(e->message);

	snprintf(e->message + n, sizeof(e->message) - n, "%s%s", text, more);
}
