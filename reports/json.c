/*
 * json.c - the JSON report (report-contract.md; the schema in
 * reports/schema/report.schema.json is its authority).
 *
 * Every string that came from a server passes through sanitize() first
 * (json_build.c), because json_stringn() returns NULL on invalid UTF-8,
 * and every jansson return value is checked: a key silently missing from
 * the report would be a lie to the monitoring that reads it. jansson
 * failing here can only mean out of memory, which is the tool's own
 * failure (exit 3).
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "json_build.h"
#include "names.h"
#include "render_dane.h"
#include "render_versions.h"
#include "render_sts.h"
#include "render_ocsp.h"
#include "version.h"
#include "xalloc.h"

static json_t *target_json(
    const struct target_result *, const struct report_opts *);
static json_t *probe_json(
    const struct probe_result *, const struct report_opts *);
static json_t *error_json(const struct probe_error *);
static json_t *mx_json(const struct mx_result *);
static json_t *srv_json(const struct srv_result *);
static json_t *findings_json(const struct finding *, size_t);
static json_t *timing_json(const struct timings *);
static json_t *attempts_json(const struct probe_result *);
static json_t *summary_json(const struct run_summary *);
static json_t *reply_json(const struct reply *);
static json_t *ehlo_json(const struct ehlo_result *);
static json_t *starttls_json(const struct starttls_result *);
static json_t *tls_json(const struct tls_result *);
static json_t *cert_json(const struct cert_info *);
static json_t *verification_json(const struct verification *);
static json_t *auth_json(const struct auth_result *);
static json_t *login_json(const struct login_result *);
static json_t *texts_json(const struct text *, size_t);
static json_t *strings_json(char *const *, size_t);
static json_t *transcript_json(const struct transcript *);
static int dump(FILE *, json_t *, size_t);
static int put_indented(FILE *, const char *, const char *);
static int dump_member(FILE *, const char *, json_t *);

/*
 * report_json_begin - the document up to its targets. The layout is
 * jansson's JSON_INDENT(2), so the streamed document reads exactly like
 * one dumped whole; the scalars are encoded by jansson too.
 */
int
report_json_begin(struct sink *s)
{
	json_t *tool = jb_checked(json_object());
	char *enc;
	int ret;

	jb_set(tool, "name", jb_str("smtp-probe"));
	jb_set(tool, "version", jb_str(SMTP_PROBE_VERSION));
	jb_set(tool, "tls_library", jb_str(s->tls_library));
	enc = json_dumps(jb_checked(tool), JSON_INDENT(2));
	json_decref(tool);
	if (enc == NULL)
		jb_checked(NULL);
	ret = fprintf(s->fp, "{\n  \"schema_version\": %d,\n  \"tool\": ",
		  REPORT_SCHEMA_VERSION) < 0 ||
		put_indented(s->fp, enc, "  ") == -1
	    ? -1
	    : 0;
	free(enc);
	if (ret == 0)
		ret = dump_member(s->fp, "started_at", jb_time(s->started_at));
	if (ret == 0 && fputs(",\n  \"targets\": [", s->fp) == EOF)
		ret = -1;
	return ret;
}

/* report_json_target - one element of "targets", as it finishes */
int
report_json_target(struct sink *s, const struct target_result *t)
{
	json_t *obj = target_json(t, &s->o);
	char *enc = json_dumps(obj, JSON_INDENT(2));
	int ret;

	json_decref(obj);
	if (enc == NULL)
		jb_checked(NULL);
	ret = fputs(s->written > 0 ? ",\n    " : "\n    ", s->fp) == EOF ||
		put_indented(s->fp, enc, "    ") == -1
	    ? -1
	    : 0;
	free(enc);
	return ret;
}

/* report_json_end - close "targets" and the document */
int
report_json_end(struct sink *s, const struct run_summary *sum)
{
	if (fputs(s->written > 0 ? "\n  ]" : "]", s->fp) == EOF ||
	    dump_member(s->fp, "duration_ms", json_integer(sum->duration_ms)) ==
		-1 ||
	    dump_member(s->fp, "summary", summary_json(sum)) == -1 ||
	    dump_member(s->fp, "interrupted", json_boolean(sum->signal != 0)) ==
		-1 ||
	    fputs("\n}\n", s->fp) == EOF)
		return -1;
	return fflush(s->fp) == EOF ? -1 : 0;
}

/* report_ndjson_target - one target, one line */
int
report_ndjson_target(struct sink *s, const struct target_result *t)
{
	int ret = dump(s->fp, target_json(t, &s->o), JSON_COMPACT);

	if (ret == 0 && fflush(s->fp) == EOF)
		ret = -1;
	return ret;
}

static json_t *
target_json(const struct target_result *t, const struct report_opts *o)
{
	json_t *obj = jb_checked(json_object()), *probes;
	size_t i;

	jb_set(obj, "host", jb_str(t->host));
	jb_set(obj, "index", json_integer((json_int_t)t->index));
	jb_set(obj, "sni", t->sni != NULL ? jb_str(t->sni) : json_null());
	jb_set(obj, "error", error_json(&t->error));
	jb_set(obj, "mx", mx_json(t->mx));
	jb_set(obj, "srv", srv_json(t->srv));
	render_sts_json_target(obj, t);
	jb_set(obj, "findings", findings_json(t->findings, t->nfindings));
	probes = jb_checked(json_array());
	for (i = 0; i < t->nprobes; i++)
		jb_push(probes, probe_json(&t->probes[i], o));
	jb_set(obj, "probes", probes);
	return obj;
}

static json_t *
probe_json(const struct probe_result *p, const struct report_opts *o)
{
	json_t *obj = jb_checked(json_object()), *certs, *adv;
	size_t i;

	jb_set(obj, "host", jb_str(p->host));
	jb_set(obj, "sni", jb_str_or_null(p->sni));
	jb_set(obj, "port", json_integer(p->port));
	jb_set(obj, "address", jb_str_or_null(p->address));
	jb_set(obj, "requested_mode", jb_str(mode_names[p->requested_mode]));
	jb_set(obj, "mode", jb_str(mode_names[p->mode]));
	jb_set(obj, "outcome", jb_str(p->error.set ? "error" : "ok"));
	jb_set(obj, "error", error_json(&p->error));
	jb_set(obj, "timing_ms", timing_json(&p->timing));
	jb_set(obj, "banner", reply_json(&p->banner));
	jb_set(obj, "ehlo", ehlo_json(&p->ehlo));
	jb_set(obj, "starttls", starttls_json(&p->starttls));
	jb_set(obj, "tls", tls_json(&p->tls));
	certs = jb_checked(json_array());
	for (i = 0; i < p->ncerts; i++)
		jb_push(certs, cert_json(&p->certs[i]));
	jb_set(obj, "certificates", certs);
	jb_set(obj, "chain_truncated", json_boolean(p->chain_truncated));
	jb_set(obj, "verification", verification_json(&p->verification));
	jb_set(obj, "ocsp", render_ocsp_json(&p->ocsp));
	jb_set(obj, "ehlo_tls", ehlo_json(&p->ehlo_tls));
	if (p->injection.wanted)
		jb_set(obj, "injection", render_injection_json(&p->injection));
	jb_set(obj, "auth", auth_json(&p->auth));
	if (p->versions != NULL)
		jb_set(obj, "tls_versions", render_versions_json(p->versions));
	if (p->login.wanted)
		jb_set(obj, "login", login_json(&p->login));
	if (p->dane != NULL)
		jb_set(obj, "dane", dane_json(p->dane));
	adv = jb_checked(json_object());
	jb_set(
	    adv, "tls", jb_str(p->advice.tls != NULL ? p->advice.tls : "none"));
	jb_set(
	    adv, "text", jb_str(p->advice.text != NULL ? p->advice.text : ""));
	jb_set(obj, "client_advice", adv);
	jb_set(obj, "findings", findings_json(p->findings, p->nfindings));
	render_sts_json_probe(obj, p);
	jb_set(obj, "status", jb_str(status_names[p->status]));
	jb_set(obj, "attempts", attempts_json(p));
	if (o->transcript)
		jb_set(obj, "transcript", transcript_json(&p->transcript));
	return obj;
}

/* findings_json - a probe's or a target's findings */
static json_t *
findings_json(const struct finding *list, size_t n)
{
	json_t *arr = jb_checked(json_array()), *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = jb_checked(json_object());
		jb_set(f, "id", jb_str(list[i].id));
		jb_set(f, "severity", jb_str(severity_names[list[i].severity]));
		jb_set(f, "message", jb_str(list[i].message));
		jb_push(arr, f);
	}
	return arr;
}

static json_t *
error_json(const struct probe_error *e)
{
	json_t *obj;

	if (!e->set)
		return json_null();
	obj = jb_checked(json_object());
	jb_set(obj, "phase", jb_str(phase_names[e->phase]));
	jb_set(obj, "kind", jb_str(kind_names[e->kind]));
	jb_set(obj, "message", jb_str(e->message));
	return obj;
}

/* mx_json - --mx: the records by preference; null without --mx */
static json_t *
mx_json(const struct mx_result *mx)
{
	json_t *obj, *recs, *r;
	size_t i;

	if (mx == NULL)
		return json_null();
	obj = jb_checked(json_object());
	recs = jb_checked(json_array());
	for (i = 0; i < mx->n; i++) {
		r = jb_checked(json_object());
		jb_set(
		    r, "preference", json_integer(mx->records[i].preference));
		jb_set(r, "host", jb_str(mx->records[i].host));
		jb_push(recs, r);
	}
	jb_set(obj, "records", recs);
	jb_set(obj, "implicit", json_boolean(mx->implicit));
	jb_set(obj, "null_mx", json_boolean(mx->null_mx));
	return obj;
}

/* srv_json - --srv: each service's records; null without --srv */
static json_t *
srv_json(const struct srv_result *srv)
{
	static const char *const names[SRV_COUNT] = {
	    [SRV_SUBMISSIONS] = "submissions", [SRV_SUBMISSION] = "submission"};
	const struct srv_record *rec;
	json_t *obj, *arr, *r;
	size_t i;
	int s;

	if (srv == NULL)
		return json_null();
	obj = jb_checked(json_object());
	for (s = 0; s < SRV_COUNT; s++) {
		arr = jb_checked(json_array());
		for (i = 0; i < srv->n[s]; i++) {
			rec = &srv->records[s][i];
			r = jb_checked(json_object());
			jb_set(r, "priority", json_integer(rec->priority));
			jb_set(r, "weight", json_integer(rec->weight));
			jb_set(r, "port", json_integer(rec->port));
			jb_set(r, "target", jb_str(rec->target));
			jb_push(arr, r);
		}
		jb_set(obj, names[s], arr);
	}
	return obj;
}

/* attempts_json - each connection the probe made, in start order */
static json_t *
attempts_json(const struct probe_result *p)
{
	json_t *arr = jb_checked(json_array()), *a;
	size_t i;

	for (i = 0; i < p->nattempts; i++) {
		a = jb_checked(json_object());
		jb_set(a, "mode", jb_str(mode_names[p->attempts[i].mode]));
		jb_set(a, "outcome",
		    jb_str(p->attempts[i].error.set ? "error" : "ok"));
		jb_set(a, "error", error_json(&p->attempts[i].error));
		jb_set(a, "timing_ms", timing_json(&p->attempts[i].timing));
		if (render_versions_attempt(a, &p->attempts[i]) == -1)
			jb_checked(NULL);
		jb_push(arr, a);
	}
	return arr;
}

/* summary_json - the run in numbers, and the --fail-on verdict */
static json_t *
summary_json(const struct run_summary *s)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "targets", json_integer((json_int_t)s->targets));
	jb_set(obj, "probes", json_integer((json_int_t)s->probes));
	jb_set(obj, "ok", json_integer((json_int_t)s->status[STATUS_OK]));
	jb_set(obj, "warning",
	    json_integer((json_int_t)s->status[STATUS_WARNING]));
	jb_set(obj, "critical",
	    json_integer((json_int_t)s->status[STATUS_CRITICAL]));
	jb_set(obj, "fail_on",
	    s->fail_on >= 0 ? jb_str(severity_names[s->fail_on]) : json_null());
	jb_set(obj, "failed", json_boolean(policy_failed(s)));
	return obj;
}

static json_t *
timing_json(const struct timings *t)
{
	json_t *obj = jb_checked(json_object());
	int i;

	for (i = PHASE_CONNECT; i < PHASE_COUNT; i++)
		jb_set(obj, phase_names[i],
		    t->phase[i] < 0 ? json_null() : json_integer(t->phase[i]));
	jb_set(obj, "total", json_integer(t->total));
	return obj;
}

static json_t *
reply_json(const struct reply *r)
{
	json_t *obj;

	if (!r->present)
		return json_null();
	obj = jb_checked(json_object());
	jb_set(obj, "code", json_integer(r->code));
	jb_set(obj, "lines", texts_json(r->lines, r->nlines));
	jb_set(obj, "truncated", json_boolean(r->truncated));
	jb_set(obj, "bare_lf", json_boolean(r->bare_lf));
	return obj;
}

static json_t *
ehlo_json(const struct ehlo_result *e)
{
	json_t *obj, *caps, *cap;
	size_t i;

	if (!e->reply.present)
		return json_null();
	obj = reply_json(&e->reply);
	jb_set(obj, "command", jb_str(e->helo ? "HELO" : "EHLO"));
	caps = jb_checked(json_array());
	for (i = 0; i < e->ncaps; i++) {
		cap = jb_checked(json_object());
		jb_set(cap, "keyword",
		    jb_bytes(e->caps[i].keyword.data, e->caps[i].keyword.len));
		jb_set(cap, "params",
		    texts_json(e->caps[i].params, e->caps[i].nparams));
		jb_push(caps, cap);
	}
	jb_set(obj, "capabilities", caps);
	jb_set(obj, "capabilities_truncated", json_boolean(e->caps_truncated));
	return obj;
}

static json_t *
starttls_json(const struct starttls_result *s)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "offered", json_boolean(s->offered));
	jb_set(obj, "code", s->sent ? json_integer(s->code) : json_null());
	jb_set(obj, "text",
	    s->sent ? jb_bytes(s->text.data, s->text.len) : json_null());
	jb_set(
	    obj, "trailing_bytes", json_integer((json_int_t)s->trailing_bytes));
	return obj;
}

static json_t *
tls_json(const struct tls_result *t)
{
	json_t *obj;

	if (!t->attempted)
		return json_null();
	obj = jb_checked(json_object());
	jb_set(obj, "established", json_boolean(t->established));
	jb_set(obj, "version", jb_str_or_null(tls_version_names[t->version]));
	jb_set(obj, "cipher", jb_str_or_null(t->cipher));
	jb_set(obj, "group", jb_str_or_null(t->group));
	jb_set(obj, "alert", jb_str_or_null(t->alert));
	jb_set(obj, "error", jb_str_or_null(t->error));
	jb_set(obj, "client_certificate_requested",
	    json_boolean(t->client_cert_requested));
	return obj;
}

/*
 * cert_json - one certificate. What needs parsing is null for one GnuTLS
 * could not read; its fingerprint, over the DER as sent, is always there.
 */
static json_t *
cert_json(const struct cert_info *c)
{
	json_t *obj = jb_checked(json_object()), *pk = json_null();
	bool p = c->parsed;

	jb_set(obj, "parsed", json_boolean(p));
	jb_set(obj, "subject", jb_str(c->subject != NULL ? c->subject : ""));
	jb_set(obj, "issuer", jb_str(c->issuer != NULL ? c->issuer : ""));
	jb_set(obj, "serial", jb_str_or_null(c->serial));
	jb_set(obj, "not_before", p ? jb_time(c->not_before) : json_null());
	jb_set(obj, "not_after", p ? jb_time(c->not_after) : json_null());
	jb_set(obj, "days_remaining",
	    p ? json_integer(c->days_remaining) : json_null());
	jb_set(obj, "san_dns", strings_json(c->san_dns, c->nsan_dns));
	jb_set(obj, "san_ip", strings_json(c->san_ip, c->nsan_ip));
	if (p) {
		pk = jb_checked(json_object());
		jb_set(pk, "algorithm", jb_str(pk_alg_names[c->pk_algorithm]));
		jb_set(pk, "bits", json_integer(c->pk_bits));
	}
	jb_set(obj, "public_key", pk);
	jb_set(obj, "signature_algorithm", jb_str_or_null(c->sig_algorithm));
	jb_set(obj, "sha256_fingerprint", jb_str(c->sha256));
	jb_set(obj, "spki_sha256", jb_str_or_null(c->spki_sha256));
	jb_set(obj, "self_signed", json_boolean(c->self_signed));
	jb_set(obj, "is_ca", json_boolean(c->is_ca));
	if (c->pem != NULL)
		jb_set(obj, "pem", jb_str(c->pem));
	return obj;
}

static json_t *
verification_json(const struct verification *v)
{
	json_t *obj, *errors;
	int i;

	if (!v->present)
		return json_null();
	obj = jb_checked(json_object());
	jb_set(obj, "trusted", json_boolean(v->trusted));
	jb_set(obj, "hostname_match",
	    v->hostname_match < 0 ? json_null()
				  : json_boolean(v->hostname_match));
	jb_set(obj, "chain_complete", json_boolean(v->chain_complete));
	errors = jb_checked(json_array());
	for (i = 0; i < VERR_COUNT; i++)
		if (v->errors & (1u << i))
			jb_push(errors, jb_str(verr_names[i]));
	jb_set(obj, "errors", errors);
	return obj;
}

static json_t *
auth_json(const struct auth_result *a)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "before_tls", texts_json(a->before, a->nbefore));
	jb_set(obj, "after_tls", texts_json(a->after, a->nafter));
	jb_set(obj, "only_after_tls", json_boolean(a->only_after_tls));
	return obj;
}

/*
 * login_json - mechanism null: not attempted; text is the final reply's
 * when there is one, else the sentence saying why there is none
 */
static json_t *
login_json(const struct login_result *l)
{
	json_t *obj = jb_checked(json_object());

	jb_set(obj, "mechanism", jb_str_or_null(login_mech_names[l->mech]));
	jb_set(obj, "code", l->code != 0 ? json_integer(l->code) : json_null());
	jb_set(obj, "ok", json_boolean(l->code == 235));
	jb_set(obj, "text",
	    l->code != 0 ? jb_bytes(l->text.data, l->text.len)
			 : jb_str(l->why));
	return obj;
}

static json_t *
texts_json(const struct text *t, size_t n)
{
	json_t *arr = jb_checked(json_array());
	size_t i;

	for (i = 0; i < n; i++)
		jb_push(arr, jb_bytes(t[i].data, t[i].len));
	return arr;
}

static json_t *
strings_json(char *const *s, size_t n)
{
	json_t *arr = jb_checked(json_array());
	size_t i;

	for (i = 0; i < n; i++)
		jb_push(arr, jb_str(s[i]));
	return arr;
}

static json_t *
transcript_json(const struct transcript *t)
{
	json_t *obj = jb_checked(json_object()), *lines, *l;
	size_t i;

	lines = jb_checked(json_array());
	for (i = 0; i < t->n; i++) {
		l = jb_checked(json_object());
		jb_set(l, "ms", json_integer(t->lines[i].ms));
		jb_set(l, "dir", jb_str(tdir_names[t->lines[i].dir]));
		jb_set(l, "text",
		    jb_bytes(t->lines[i].text.data, t->lines[i].text.len));
		jb_push(lines, l);
	}
	jb_set(obj, "lines", lines);
	jb_set(obj, "truncated", json_boolean(t->truncated));
	return obj;
}

/*
 * put_indented - enc with every line after the first indented by indent:
 * a value dumped alone, placed inside the document.
 */
static int
put_indented(FILE *fp, const char *enc, const char *indent)
{
	const char *nl;

	while ((nl = strchr(enc, '\n')) != NULL) {
		if (fwrite(enc, 1, (size_t)(nl - enc) + 1, fp) !=
			(size_t)(nl - enc) + 1 ||
		    fputs(indent, fp) == EOF)
			return -1;
		enc = nl + 1;
	}
	return fputs(enc, fp) == EOF ? -1 : 0;
}

/* dump_member - ',\n  "key": value' of the document, value released */
static int
dump_member(FILE *fp, const char *key, json_t *v)
{
	char *enc = json_dumps(jb_checked(v), JSON_ENCODE_ANY | JSON_INDENT(2));
	int ret;

	json_decref(v);
	if (enc == NULL)
		jb_checked(NULL);
	ret = fprintf(fp, ",\n  \"%s\": ", key) < 0 ||
		put_indented(fp, enc, "  ") == -1
	    ? -1
	    : 0;
	free(enc);
	return ret;
}

/* dump - write and release a document; -1 when writing failed */
static int
dump(FILE *fp, json_t *doc, size_t flags)
{
	int ret;

	ret =
	    json_dumpf(doc, fp, flags) == 0 && fputc('\n', fp) != EOF ? 0 : -1;
	json_decref(doc);
	return ret;
}
