/*
 * render_sts.c - what --mta-sts found, in JSON and in text: the domain's
 * "mta_sts" (its record, the policy's URL, the policy as parsed, why none
 * is usable) and "tls_rpt" (its record, the reporting URIs), and each MX
 * probe's "mta_sts_match". The shapes are in the JSON Schema
 * (reports/schema/report.schema.json). DNS and HTTP text is made safe as
 * every server's text is: by json_build.c in JSON, by text.c in text.
 */
#include "render_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_build.h"
#include "mta_sts.h"
#include "sanitize.h"

#define LINE_MAX_STS 1024

static json_t *policy_json(const struct sts_policy *);

/* render_sts_json_target - the target's "mta_sts" and "tls_rpt" */
void
render_sts_json_target(json_t *obj, const struct target_result *t)
{
	const struct sts_result *s = t->mta_sts;
	json_t *sts, *rpt, *rua;
	size_t i;

	if (s == NULL)
		return;
	sts = jb_checked(json_object());
	jb_set(sts, "txt", jb_str_or_null(s->txt));
	jb_set(sts, "policy_url", jb_str_or_null(s->policy_url));
	jb_set(sts, "policy",
	    s->has_policy ? policy_json(&s->policy) : json_null());
	jb_set(sts, "error", jb_str_or_null(s->error));
	jb_set(obj, "mta_sts", sts);
	rpt = jb_checked(json_object());
	jb_set(rpt, "txt", jb_str_or_null(s->rpt_txt));
	rua = jb_checked(json_array());
	for (i = 0; i < s->nrua; i++)
		jb_push(rua, jb_str_or_null(s->rua[i]));
	jb_set(rpt, "rua", rua);
	jb_set(rpt, "error", jb_str_or_null(s->rpt_error));
	jb_set(obj, "tls_rpt", rpt);
}

/* render_sts_json_probe - true, false, or null without a policy */
void
render_sts_json_probe(json_t *obj, const struct probe_result *p)
{
	if (p->mta_sts_checked)
		jb_set(obj, "mta_sts_match",
		    p->mta_sts_match < 0 ? json_null()
					 : json_boolean(p->mta_sts_match));
}

/* render_sts_text_target - "mta-sts" and "tls-rpt" lines */
void
render_sts_text_target(
    const struct target_result *t, render_line_fn *line, void *ctx)
{
	const struct sts_result *s = t->mta_sts;
	char buf[LINE_MAX_STS], mx[LINE_MAX_STS - 64];

	if (s == NULL)
		return;
	line(ctx, "mta-sts", s->txt != NULL ? s->txt : "no v=STSv1 record");
	if (s->has_policy) {
		sts_mx_text(&s->policy, mx, sizeof(mx));
		snprintf(buf, sizeof(buf),
		    "policy mode %s, max_age %ld, mx%s%s",
		    sts_mode_names[s->policy.mode], s->policy.max_age,
		    mx[0] != '\0' ? " " : "", mx);
		line(ctx, "", buf);
	}
	if (s->error[0] != '\0')
		line(ctx, "", s->error);
	line(ctx, "tls-rpt",
	    s->rpt_txt != NULL ? s->rpt_txt : "no v=TLSRPTv1 record");
	if (s->rpt_error[0] != '\0')
		line(ctx, "", s->rpt_error);
}

/* render_sts_text_probe - whether the MX host passes the policy */
void
render_sts_text_probe(
    const struct probe_result *p, render_line_fn *line, void *ctx)
{
	if (p->mta_sts_checked && p->mta_sts_match >= 0)
		line(ctx, "mta-sts",
		    p->mta_sts_match ? "passes the domain's policy"
				     : "fails the domain's policy");
}

/* policy_json - {"version", "mode", "mx", "max_age"} */
static json_t *
policy_json(const struct sts_policy *pol)
{
	json_t *o = jb_checked(json_object()), *mx = jb_checked(json_array());
	size_t i;

	jb_set(o, "version", jb_str("STSv1"));
	jb_set(o, "mode", jb_str(sts_mode_names[pol->mode]));
	for (i = 0; i < pol->nmx; i++)
		jb_push(mx, jb_str(pol->mx[i]));
	jb_set(o, "mx", mx);
	jb_set(o, "max_age", json_integer(pol->max_age));
	return o;
}
