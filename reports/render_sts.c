/*
 * render_sts.c - what --mta-sts found, in JSON and in text: the domain's
 * "mta_sts" (its record, the policy's URL, the policy as parsed, why none
 * is usable) and "tls_rpt" (its record, the reporting URIs), and each MX
 * probe's "mta_sts_match". The shapes are in the JSON Schema
 * (reports/schema/report.schema.json). DNS and HTTP text passes through
 * sanitize() first: json_stringn() refuses invalid UTF-8.
 */
#include "render_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_sts.h"
#include "sanitize.h"
#include "xalloc.h"

#define LINE_MAX_STS 1024

static json_t *policy_json(const struct sts_policy *);
static json_t *text_or_null(const char *);
static void put(json_t *, const char *, json_t *);

/* render_sts_json_target - the target's "mta_sts" and "tls_rpt" */
void
render_sts_json_target(json_t *obj, const struct target_result *t)
{
	const struct sts_result *s = t->mta_sts;
	json_t *sts, *rpt, *rua;
	size_t i;

	if (s == NULL)
		return;
	sts = json_object();
	put(sts, "txt", text_or_null(s->txt));
	put(sts, "policy_url", text_or_null(s->policy_url));
	put(sts, "policy",
	    s->has_policy ? policy_json(&s->policy) : json_null());
	put(sts, "error", text_or_null(s->error));
	put(obj, "mta_sts", sts);
	rpt = json_object();
	put(rpt, "txt", text_or_null(s->rpt_txt));
	rua = json_array();
	for (i = 0; i < s->nrua; i++)
		put(rua, NULL, text_or_null(s->rua[i]));
	put(rpt, "rua", rua);
	put(rpt, "error", text_or_null(s->rpt_error));
	put(obj, "tls_rpt", rpt);
}

/* render_sts_json_probe - true, false, or null without a policy */
void
render_sts_json_probe(json_t *obj, const struct probe_result *p)
{
	if (p->mta_sts_checked)
		put(obj, "mta_sts_match",
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
	json_t *o = json_object(), *mx = json_array();
	size_t i;

	put(o, "version", text_or_null("STSv1"));
	put(o, "mode", text_or_null(sts_mode_names[pol->mode]));
	for (i = 0; i < pol->nmx; i++)
		put(mx, NULL, text_or_null(pol->mx[i]));
	put(o, "mx", mx);
	put(o, "max_age", json_integer(pol->max_age));
	return o;
}

/* text_or_null - a JSON string made safe; NULL or "" is null */
static json_t *
text_or_null(const char *s)
{
	json_t *j;
	size_t n;
	char *safe;

	if (s == NULL || s[0] == '\0')
		return json_null();
	safe = sanitize(s, strlen(s), SAN_JSON, &n);
	j = json_stringn(safe, n);
	free(safe);
	return j;
}

/*
 * put - v into obj under key, or appended to the array obj (key NULL);
 * jansson fails (or gave NULL) only when out of memory: the tool failed
 */
static void
put(json_t *obj, const char *key, json_t *v)
{
	int rc = obj == NULL || v == NULL ? -1
	    : key != NULL                 ? json_object_set_new(obj, key, v)
					  : json_array_append_new(obj, v);

	if (rc == -1) {
		fputs("smtp-probe: out of memory while building the report\n",
		    stderr);
		exit(EXIT_TOOL_FAILURE);
	}
}
