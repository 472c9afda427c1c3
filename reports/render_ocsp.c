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

#include "json_build.h"
#include "ocsp.h"

static json_t *when(time_t);

/* render_ocsp_json - stapled, status, times, verified, error, responder */
json_t *
render_ocsp_json(const struct ocsp_result *o)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "stapled", json_boolean(o->stapled));
	jb_set(obj, "status", jb_str_or_null(ocsp_status_names[o->status]));
	jb_set(obj, "this_update", when(o->this_update));
	jb_set(obj, "next_update", when(o->next_update));
	jb_set(obj, "revoked_at", when(o->revoked_at));
	jb_set(obj, "verified",
	    o->verified_set ? json_boolean(o->verified) : json_null());
	jb_set(obj, "error", jb_str_or_null(o->error));
	jb_set(obj, "responder", jb_str_or_null(o->responder));
	jb_set(obj, "must_staple", json_boolean(o->must_staple));
	return obj;
}

/* render_injection_json - vulnerable, evidence, reason */
json_t *
render_injection_json(const struct injection_result *in)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "vulnerable",
	    in->judged ? json_boolean(in->vulnerable) : json_null());
	jb_set(obj, "evidence",
	    in->evidence.len > 0 ? jb_bytes(in->evidence.data, in->evidence.len)
				 : json_null());
	jb_set(obj, "reason", jb_str_or_null(in->reason));
	return obj;
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
		    o->next_update != 0
			? rfc3339_utc(o->next_update, t, sizeof(t))
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
	return t != 0 ? jb_time(t) : json_null();
}
