/*
 * json.c - the JSON report (report-contract.md; the schema in
 * reports/schema/report.schema.json is its authority).
 *
 * Every string that came from a server passes through sanitize() first,
 * because json_stringn() returns NULL on invalid UTF-8, and every jansson
 * return value is checked: a key silently missing from the report would
 * be a lie to the monitoring that reads it. jansson failing here can only
 * mean out of memory, which is the tool's own failure (exit 3).
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "names.h"
#include "render_dane.h"
#include "render_versions.h"
#include "render_sts.h"
#include "render_ocsp.h"
#include "sanitize.h"
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
static json_t *bytes(const void *, size_t);
static json_t *str(const char *);
static json_t *str_or_null(const char *);
static json_t *time_json(time_t);
static json_t *checked(json_t *);
static void set(json_t *, const char *, json_t *);
static void push(json_t *, json_t *);
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
	json_t *tool = checked(json_object());
	char *enc;
	int ret;

	set(tool, "name", str("smtp-probe"));
	set(tool, "version", str(SMTP_PROBE_VERSION));
	set(tool, "tls_library", str(s->tls_library));
	enc = json_dumps(checked(tool), JSON_INDENT(2));
	json_decref(tool);
	if (enc == NULL)
		checked(NULL);
	ret = fprintf(s->fp, "{\n  \"schema_version\": %d,\n  \"tool\": ",
		  REPORT_SCHEMA_VERSION) < 0 ||
		put_indented(s->fp, enc, "  ") == -1
	    ? -1
	    : 0;
	free(enc);
	if (ret == 0)
		ret =
		    dump_member(s->fp, "started_at", time_json(s->started_at));
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
		checked(NULL);
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
	json_t *obj = checked(json_object()), *probes;
	size_t i;

	set(obj, "host", str(t->host));
	set(obj, "index", json_integer((json_int_t)t->index));
	set(obj, "sni", t->sni != NULL ? str(t->sni) : json_null());
	set(obj, "error", error_json(&t->error));
	set(obj, "mx", mx_json(t->mx));
	set(obj, "srv", srv_json(t->srv));
	render_sts_json_target(obj, t);
	set(obj, "findings", findings_json(t->findings, t->nfindings));
	probes = checked(json_array());
	for (i = 0; i < t->nprobes; i++)
		push(probes, probe_json(&t->probes[i], o));
	set(obj, "probes", probes);
	return obj;
}

static json_t *
probe_json(const struct probe_result *p, const struct report_opts *o)
{
	json_t *obj = checked(json_object()), *certs, *adv;
	size_t i;

	set(obj, "host", str(p->host));
	set(obj, "sni", str_or_null(p->sni));
	set(obj, "port", json_integer(p->port));
	set(obj, "address", str_or_null(p->address));
	set(obj, "requested_mode", str(mode_names[p->requested_mode]));
	set(obj, "mode", str(mode_names[p->mode]));
	set(obj, "outcome", str(p->error.set ? "error" : "ok"));
	set(obj, "error", error_json(&p->error));
	set(obj, "timing_ms", timing_json(&p->timing));
	set(obj, "banner", reply_json(&p->banner));
	set(obj, "ehlo", ehlo_json(&p->ehlo));
	set(obj, "starttls", starttls_json(&p->starttls));
	set(obj, "tls", tls_json(&p->tls));
	certs = checked(json_array());
	for (i = 0; i < p->ncerts; i++)
		push(certs, cert_json(&p->certs[i]));
	set(obj, "certificates", certs);
	set(obj, "chain_truncated", json_boolean(p->chain_truncated));
	set(obj, "verification", verification_json(&p->verification));
	set(obj, "ocsp", render_ocsp_json(&p->ocsp));
	set(obj, "ehlo_tls", ehlo_json(&p->ehlo_tls));
	if (p->injection.wanted)
		set(obj, "injection", render_injection_json(&p->injection));
	set(obj, "auth", auth_json(&p->auth));
	if (p->versions != NULL)
		set(obj, "tls_versions", render_versions_json(p->versions));
	if (p->login.wanted)
		set(obj, "login", login_json(&p->login));
	if (p->dane != NULL)
		set(obj, "dane", dane_json(p->dane, str));
	adv = checked(json_object());
	set(adv, "tls", str(p->advice.tls != NULL ? p->advice.tls : "none"));
	set(adv, "text", str(p->advice.text != NULL ? p->advice.text : ""));
	set(obj, "client_advice", adv);
	set(obj, "findings", findings_json(p->findings, p->nfindings));
	render_sts_json_probe(obj, p);
	set(obj, "status", str(status_names[p->status]));
	set(obj, "attempts", attempts_json(p));
	if (o->transcript)
		set(obj, "transcript", transcript_json(&p->transcript));
	return obj;
}

/* findings_json - a probe's or a target's findings */
static json_t *
findings_json(const struct finding *list, size_t n)
{
	json_t *arr = checked(json_array()), *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = checked(json_object());
		set(f, "id", str(list[i].id));
		set(f, "severity", str(severity_names[list[i].severity]));
		set(f, "message", str(list[i].message));
		push(arr, f);
	}
	return arr;
}

static json_t *
error_json(const struct probe_error *e)
{
	json_t *obj;

	if (!e->set)
		return json_null();
	obj = checked(json_object());
	set(obj, "phase", str(phase_names[e->phase]));
	set(obj, "kind", str(kind_names[e->kind]));
	set(obj, "message", str(e->message));
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
	obj = checked(json_object());
	recs = checked(json_array());
	for (i = 0; i < mx->n; i++) {
		r = checked(json_object());
		set(r, "preference", json_integer(mx->records[i].preference));
		set(r, "host", str(mx->records[i].host));
		push(recs, r);
	}
	set(obj, "records", recs);
	set(obj, "implicit", json_boolean(mx->implicit));
	set(obj, "null_mx", json_boolean(mx->null_mx));
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
	obj = checked(json_object());
	for (s = 0; s < SRV_COUNT; s++) {
		arr = checked(json_array());
		for (i = 0; i < srv->n[s]; i++) {
			rec = &srv->records[s][i];
			r = checked(json_object());
			set(r, "priority", json_integer(rec->priority));
			set(r, "weight", json_integer(rec->weight));
			set(r, "port", json_integer(rec->port));
			set(r, "target", str(rec->target));
			push(arr, r);
		}
		set(obj, names[s], arr);
	}
	return obj;
}

/* attempts_json - each connection the probe made, in start order */
static json_t *
attempts_json(const struct probe_result *p)
{
	json_t *arr = checked(json_array()), *a;
	size_t i;

	for (i = 0; i < p->nattempts; i++) {
		a = checked(json_object());
		set(a, "mode", str(mode_names[p->attempts[i].mode]));
		set(a, "outcome",
		    str(p->attempts[i].error.set ? "error" : "ok"));
		set(a, "error", error_json(&p->attempts[i].error));
		set(a, "timing_ms", timing_json(&p->attempts[i].timing));
		if (render_versions_attempt(a, &p->attempts[i]) == -1)
			checked(NULL);
		push(arr, a);
	}
	return arr;
}

/* summary_json - the run in numbers, and the --fail-on verdict */
static json_t *
summary_json(const struct run_summary *s)
{
	json_t *obj = checked(json_object());

	set(obj, "targets", json_integer((json_int_t)s->targets));
	set(obj, "probes", json_integer((json_int_t)s->probes));
	set(obj, "ok", json_integer((json_int_t)s->status[STATUS_OK]));
	set(obj, "warning",
	    json_integer((json_int_t)s->status[STATUS_WARNING]));
	set(obj, "critical",
	    json_integer((json_int_t)s->status[STATUS_CRITICAL]));
	set(obj, "fail_on",
	    s->fail_on >= 0 ? str(severity_names[s->fail_on]) : json_null());
	set(obj, "failed", json_boolean(policy_failed(s)));
	return obj;
}

static json_t *
timing_json(const struct timings *t)
{
	json_t *obj = checked(json_object());
	int i;

	for (i = PHASE_CONNECT; i < PHASE_COUNT; i++)
		set(obj, phase_names[i],
		    t->phase[i] < 0 ? json_null() : json_integer(t->phase[i]));
	set(obj, "total", json_integer(t->total));
	return obj;
}

static json_t *
reply_json(const struct reply *r)
{
	json_t *obj;

	if (!r->present)
		return json_null();
	obj = checked(json_object());
	set(obj, "code", json_integer(r->code));
	set(obj, "lines", texts_json(r->lines, r->nlines));
	set(obj, "truncated", json_boolean(r->truncated));
	set(obj, "bare_lf", json_boolean(r->bare_lf));
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
	set(obj, "command", str(e->helo ? "HELO" : "EHLO"));
	caps = checked(json_array());
	for (i = 0; i < e->ncaps; i++) {
		cap = checked(json_object());
		set(cap, "keyword",
		    bytes(e->caps[i].keyword.data, e->caps[i].keyword.len));
		set(cap, "params",
		    texts_json(e->caps[i].params, e->caps[i].nparams));
		push(caps, cap);
	}
	set(obj, "capabilities", caps);
	set(obj, "capabilities_truncated", json_boolean(e->caps_truncated));
	return obj;
}

static json_t *
starttls_json(const struct starttls_result *s)
{
	json_t *obj = checked(json_object());

	set(obj, "offered", json_boolean(s->offered));
	set(obj, "code", s->sent ? json_integer(s->code) : json_null());
	set(obj, "text",
	    s->sent ? bytes(s->text.data, s->text.len) : json_null());
	set(obj, "trailing_bytes", json_integer((json_int_t)s->trailing_bytes));
	return obj;
}

static json_t *
tls_json(const struct tls_result *t)
{
	json_t *obj;

	if (!t->attempted)
		return json_null();
	obj = checked(json_object());
	set(obj, "established", json_boolean(t->established));
	set(obj, "version", str_or_null(tls_version_names[t->version]));
	set(obj, "cipher", str_or_null(t->cipher));
	set(obj, "group", str_or_null(t->group));
	set(obj, "alert", str_or_null(t->alert));
	set(obj, "error", str_or_null(t->error));
	set(obj, "client_certificate_requested",
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
	json_t *obj = checked(json_object()), *pk = json_null();
	bool p = c->parsed;

	set(obj, "parsed", json_boolean(p));
	set(obj, "subject", str(c->subject != NULL ? c->subject : ""));
	set(obj, "issuer", str(c->issuer != NULL ? c->issuer : ""));
	set(obj, "serial", str_or_null(c->serial));
	set(obj, "not_before", p ? time_json(c->not_before) : json_null());
	set(obj, "not_after", p ? time_json(c->not_after) : json_null());
	set(obj, "days_remaining",
	    p ? json_integer(c->days_remaining) : json_null());
	set(obj, "san_dns", strings_json(c->san_dns, c->nsan_dns));
	set(obj, "san_ip", strings_json(c->san_ip, c->nsan_ip));
	if (p) {
		pk = checked(json_object());
		set(pk, "algorithm", str(pk_alg_names[c->pk_algorithm]));
		set(pk, "bits", json_integer(c->pk_bits));
	}
	set(obj, "public_key", pk);
	set(obj, "signature_algorithm", str_or_null(c->sig_algorithm));
	set(obj, "sha256_fingerprint", str(c->sha256));
	set(obj, "spki_sha256", str_or_null(c->spki_sha256));
	set(obj, "self_signed", json_boolean(c->self_signed));
	set(obj, "is_ca", json_boolean(c->is_ca));
	if (c->pem != NULL)
		set(obj, "pem", str(c->pem));
	return obj;
}

static json_t *
verification_json(const struct verification *v)
{
	json_t *obj, *errors;
	int i;

	if (!v->present)
		return json_null();
	obj = checked(json_object());
	set(obj, "trusted", json_boolean(v->trusted));
	set(obj, "hostname_match",
	    v->hostname_match < 0 ? json_null()
				  : json_boolean(v->hostname_match));
	set(obj, "chain_complete", json_boolean(v->chain_complete));
	errors = checked(json_array());
	for (i = 0; i < VERR_COUNT; i++)
		if (v->errors & (1u << i))
			push(errors, str(verr_names[i]));
	set(obj, "errors", errors);
	return obj;
}

static json_t *
auth_json(const struct auth_result *a)
{
	json_t *obj = checked(json_object());

	set(obj, "before_tls", texts_json(a->before, a->nbefore));
	set(obj, "after_tls", texts_json(a->after, a->nafter));
	set(obj, "only_after_tls", json_boolean(a->only_after_tls));
	return obj;
}

/*
 * login_json - mechanism null: not attempted; text is the final reply's
 * when there is one, else the sentence saying why there is none
 */
static json_t *
login_json(const struct login_result *l)
{
	json_t *obj = checked(json_object());

	set(obj, "mechanism", str_or_null(login_mech_names[l->mech]));
	set(obj, "code", l->code != 0 ? json_integer(l->code) : json_null());
	set(obj, "ok", json_boolean(l->code == 235));
	set(obj, "text",
	    l->code != 0 ? bytes(l->text.data, l->text.len) : str(l->why));
	return obj;
}

static json_t *
texts_json(const struct text *t, size_t n)
{
	json_t *arr = checked(json_array());
	size_t i;

	for (i = 0; i < n; i++)
		push(arr, bytes(t[i].data, t[i].len));
	return arr;
}

static json_t *
strings_json(char *const *s, size_t n)
{
	json_t *arr = checked(json_array());
	size_t i;

	for (i = 0; i < n; i++)
		push(arr, str(s[i]));
	return arr;
}

static json_t *
transcript_json(const struct transcript *t)
{
	json_t *obj = checked(json_object()), *lines, *l;
	size_t i;

	lines = checked(json_array());
	for (i = 0; i < t->n; i++) {
		l = checked(json_object());
		set(l, "ms", json_integer(t->lines[i].ms));
		set(l, "dir", str(tdir_names[t->lines[i].dir]));
		set(l, "text",
		    bytes(t->lines[i].text.data, t->lines[i].text.len));
		push(lines, l);
	}
	set(obj, "lines", lines);
	set(obj, "truncated", json_boolean(t->truncated));
	return obj;
}

/* bytes - a JSON string from raw bytes, made valid UTF-8 first */
static json_t *
bytes(const void *data, size_t len)
{
	json_t *j;
	size_t n;
	char *s;

	s = sanitize(
	    data != NULL ? data : "", data != NULL ? len : 0, SAN_JSON, &n);
	j = checked(json_stringn(s, n));
	free(s);
	return j;
}

static json_t *
str(const char *s)
{
	return bytes(s, strlen(s));
}

/* str_or_null - "" means unknown, which the report says as null */
static json_t *
str_or_null(const char *s)
{
	return s[0] != '\0' ? str(s) : json_null();
}

/* time_json - RFC 3339 in UTC */
static json_t *
time_json(time_t t)
{
	char buf[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "1970-01-01T00:00:00Z");
	return str(buf);
}

/* checked - jansson returns NULL only when out of memory */
static json_t *
checked(json_t *j)
{
	if (j == NULL) {
		fputs("smtp-probe: out of memory while building the report\n",
		    stderr);
		exit(EXIT_TOOL_FAILURE);
	}
	return j;
}

static void
set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, checked(v)) == -1)
		checked(NULL);
}

static void
push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, checked(v)) == -1)
		checked(NULL);
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
	char *enc = json_dumps(checked(v), JSON_ENCODE_ANY | JSON_INDENT(2));
	int ret;

	json_decref(v);
	if (enc == NULL)
		checked(NULL);
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
