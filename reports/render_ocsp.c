/*
 * render_ocsp.c - the OCSP stapling and STARTTLS injection results as the
 * report shows them: JSON objects (schema: $defs/probe, "ocsp" and
 * "injection") and one line each for the text report. Judges nothing.
 */
#include "render_ocsp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocsp.h"
#include "sanitize.h"

static json_t *when(time_t);
static json_t *text_or_null(const void *, size_t);
static const char *rfc3339(time_t, char *, size_t);

/* render_ocsp_json - stapled, status, times, verified, error, responder */
json_t *
render_ocsp_json(const struct ocsp_result *o)
{
	return json_pack("{s:b, s:s?, s:o, s:o, s:o, s:o, s:s?, s:o, s:b}",
	    "stapled", o->stapled, "status", ocsp_status_names[o->status],
	    "this_update", when(o->this_update), "next_update",
	    when(o->next_update), "revoked_at", when(o->revoked_at), "verified",
	    o->verified_set ? json_boolean(o->verified) : json_null(), "error",
	    o->error[0] != '\0' ? o->error : NULL, "responder",
	    text_or_null(o->responder, strlen(o->responder)), "must_staple",
	    o->must_staple);
}

/* render_injection_json - vulnerable, evidence, reason */
json_t *
render_injection_json(const struct injection_result *in)
{
	return json_pack("{s:o, s:o, s:s?}", "vulnerable",
	    in->judged ? json_boolean(in->vulnerable) : json_null(), "evidence",
	    text_or_null(in->evidence.data, in->evidence.len), "reason",
	    in->reason[0] != '\0' ? in->reason : NULL);
}

/* render_ocsp_text - "stapled, good, verified, next update ..." */
bool
render_ocsp_text(const struct probe_result *p, char *buf, size_t size)
{
	const struct ocsp_result *o = &p->ocsp;
	char t[32];

	/* A certificate without OCSP is the common case: no line. */
	if (!p->tls.established || (!o->stapled && o->responder[0] == '\0'))
		return false;
	if (!o->stapled)
		snprintf(buf, size,
		    "not stapled, though the certificate names %s%s",
		    o->responder,
		    o->must_staple ? " and demands stapling" : "");
	else
		snprintf(buf, size, "stapled, %s, %s, next update %s%s%s",
		    o->status != OCSP_STATUS_NONE ? ocsp_status_names[o->status]
						  : "no status",
		    o->verified ? "verified" : "not verified",
		    o->next_update != 0 ? rfc3339(o->next_update, t, sizeof(t))
					: "none",
		    o->error[0] != '\0' ? ": " : "", o->error);
	return true;
}

/* render_injection_text - "not vulnerable: ..." */
bool
render_injection_text(const struct injection_result *in, char *buf, size_t size)
{
	if (!in->wanted)
		return false;
	snprintf(buf, size, "%s: %s",
	    !in->judged          ? "unknown"
		: in->vulnerable ? "VULNERABLE"
				 : "not vulnerable",
	    in->reason);
	return true;
}

/* when - an RFC 3339 time, or null for 0 */
static json_t *
when(time_t t)
{
	char buf[32];

	return t != 0 ? json_string(rfc3339(t, buf, sizeof(buf))) : json_null();
}

/* text_or_null - server bytes as a valid UTF-8 string; null when empty */
static json_t *
text_or_null(const void *data, size_t len)
{
	json_t *j;
	size_t n;
	char *s;

	if (data == NULL || len == 0)
		return json_null();
	s = sanitize(data, len, SAN_JSON, &n);
	j = json_stringn(s, n);
	free(s);
	return j;
}

/* rfc3339 - t in UTC as 2026-11-30T09:00:00Z */
static const char *
rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "1970-01-01T00:00:00Z");
	return buf;
}
