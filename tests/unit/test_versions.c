/*
 * test_versions.c - --tls-versions without a server: when the plan sweeps
 * and in which mode, the priority strings (each compiled by the GnuTLS in
 * use, offering its version and no other), each connection's verdict and
 * its entry in the attempts, tls-legacy-version from the sweep, and the
 * rendering.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <jansson.h>

#include "diagnose.h"
#include "plan.h"
#include "render_versions.h"
#include "result.h"
#include "tap.h"
#include "versions.h"

static void attempt(struct plan_attempt *, enum mode);
static void test_sweep_rules(void);
static void test_priorities(void);
static void test_verdicts(void);
static void test_not_tried(void);
static void test_legacy_finding(void);
static void test_render(void);
static void handshake(struct probe_result *, enum tls_version, const char *);
static void legacy(struct probe_result *, enum tls_version, bool, bool);
static const char *finding_message(const struct probe_result *, const char *);

int
main(void)
{
	test_sweep_rules();
	test_priorities();
	test_verdicts();
	test_not_tried();
	test_legacy_finding();
	test_render();
	return done_testing();
}

/* attempt - an empty attempt in mode */
static void
attempt(struct plan_attempt *a, enum mode mode)
{
	memset(a, 0, sizeof(*a));
	result_probe_init(&a->res, 587, MODE_AUTO);
	a->mode = mode;
}

static void
test_sweep_rules(void)
{
	struct plan_attempt att[2];

	attempt(&att[0], MODE_STARTTLS);
	att[0].res.banner.present = true;
	att[0].res.tls.attempted = att[0].res.tls.established = true;
	is_str(mode_names[plan_sweep(true, att, 1)], "starttls",
	    "a STARTTLS handshake: sweep in STARTTLS");
	is_str(mode_names[plan_sweep(false, att, 1)], "unknown",
	    "without --tls-versions: no sweep");
	is_str(mode_names[plan_sweep(true, att, 0)], "unknown",
	    "no attempt at all: no sweep");

	att[0].res.tls.established = false;
	is_str(mode_names[plan_sweep(true, att, 1)], "starttls",
	    "a failed handshake is still swept: the server may speak only "
	    "another version");

	att[0].res.tls.attempted = false;
	is_str(mode_names[plan_sweep(true, att, 1)], "unknown",
	    "STARTTLS not offered or refused: no sweep");

	attempt(&att[0], MODE_PLAIN);
	att[0].res.banner.present = true;
	is_str(mode_names[plan_sweep(true, att, 1)], "unknown",
	    "plain mode: no sweep");

	attempt(&att[0], MODE_STARTTLS);
	result_fail(&att[0].res.error, PHASE_CONNECT, KIND_REFUSED, "refused");
	is_str(mode_names[plan_sweep(true, att, 1)], "unknown",
	    "connection refused: no sweep");

	attempt(&att[0], MODE_IMPLICIT);
	att[0].res.tls.attempted = true;
	att[0].smtp_answer = true;
	is_str(mode_names[plan_sweep(true, att, 1)], "unknown",
	    "ClientHello answered in plaintext: no sweep in implicit mode");
	attempt(&att[1], MODE_STARTTLS);
	att[1].res.banner.present = true;
	att[1].res.tls.attempted = att[1].res.tls.established = true;
	is_str(mode_names[plan_sweep(true, att, 2)], "starttls",
	    "465 speaking plaintext, STARTTLS retry: sweep in STARTTLS");

	attempt(&att[0], MODE_STARTTLS);
	result_fail(&att[0].res.error, PHASE_BANNER, KIND_TIMEOUT, "silent");
	attempt(&att[1], MODE_IMPLICIT);
	att[1].res.tls.attempted = att[1].res.tls.established = true;
	is_str(mode_names[plan_sweep(true, att, 2)], "implicit",
	    "silent STARTTLS port speaking implicit TLS: sweep implicit");

	att[1].res.tls.established = false;
	is_str(mode_names[plan_sweep(true, att, 2)], "unknown",
	    "silent port whose implicit retry failed too: the STARTTLS "
	    "attempt decides, and it never reached TLS");
}

static void
test_priorities(void)
{
	static const char *const want[] = {
	    "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"};
	static const gnutls_protocol_t proto[] = {
	    GNUTLS_TLS1_0, GNUTLS_TLS1_1, GNUTLS_TLS1_2, GNUTLS_TLS1_3};
	struct versions_ctx ctx;
	const unsigned int *list;
	char err[ERR_MSG_MAX];
	size_t i;
	int n;

	is_int(versions_ctx_init(&ctx, err, sizeof(err)), 0,
	    "every priority string compiles");
	for (i = 0; i < SWEEP_VERSIONS; i++) {
		is_str(tls_version_names[versions_version(i)], want[i],
		    lbl("index %zu is %s", i, want[i]));
		ok(strncmp(versions_priority(i), "NORMAL:-VERS-ALL:+VERS-",
		       23) == 0,
		    lbl("%s: NORMAL, every version removed, one added",
			want[i]));
		ok(strstr(versions_priority(i), "@SYSTEM") == NULL,
		    lbl("%s: not the system's default string", want[i]));
		if (!ok(ctx.prio[i] != NULL,
			lbl("%s: offered (no system configuration here)",
			    want[i])))
			continue;
		n = gnutls_priority_protocol_list(ctx.prio[i], &list);
		is_int(n, 1, lbl("%s: exactly one version offered", want[i]));
		if (n == 1)
			is_int(list[0], proto[i],
			    lbl("%s: the version offered", want[i]));
	}
	/* What old servers need: CBC with SHA-1 and 3DES, SHA-1 signatures. */
	for (i = 0; i < 2; i++) {
		ok(strstr(versions_priority(i), "+3DES-CBC") != NULL,
		    lbl("%s allows 3DES-CBC", want[i]));
		ok(strstr(versions_priority(i), "+SIGN-RSA-SHA1") != NULL,
		    lbl("%s allows RSA-SHA1 signatures", want[i]));
	}
	versions_ctx_free(&ctx);
	ok(ctx.prio[0] == NULL, "freed priorities are cleared");
}

/* handshake - an attempt that established v, or failed with alert */
static void
handshake(struct probe_result *r, enum tls_version v, const char *alert)
{
	result_probe_init(r, 25, MODE_AUTO);
	r->tls.attempted = true;
	r->timing.total = 150;
	if (alert == NULL) {
		r->tls.established = true;
		r->tls.version = v;
		return;
	}
	snprintf(r->tls.alert, sizeof(r->tls.alert), "%s", alert);
	result_fail(&r->error, PHASE_HANDSHAKE, KIND_TLS,
	    "the TLS handshake failed: A TLS fatal alert has been received.");
}

static void
test_verdicts(void)
{
	struct probe_result out, att;

	result_probe_init(&out, 25, MODE_AUTO);
	out.nattempts = 1;

	handshake(&att, TLSV_1_0, "Protocol version");
	versions_record(&out, 0, &att, MODE_STARTTLS, 100, "");
	ok(out.versions != NULL, "the first verdict makes tls_versions");
	ok(out.versions->v[0].tried && !out.versions->v[0].accepted,
	    "TLS1.0 refused");
	is_str(out.versions->v[0].error,
	    "the server refused it with the alert \"Protocol version\"",
	    "TLS1.0: the alert, as a sentence");
	is_int(out.nattempts, 2, "one attempt more");
	is_int(out.attempts[1].version, TLSV_1_0, "the attempt names TLS1.0");
	is_str(
	    mode_names[out.attempts[1].mode], "starttls", "the attempt's mode");
	is_int(out.attempts[1].timing.total, 50,
	    "the attempt's own time, from when it started");
	ok(out.attempts[1].error.set, "the attempt's error is kept");
	result_probe_free(&att);

	handshake(&att, TLSV_1_1, NULL);
	att.tls.attempted = true;
	att.tls.established = false;
	result_fail(&att.error, PHASE_HANDSHAKE, KIND_CLOSED,
	    "the server closed the connection during the TLS handshake "
	    "without answering");
	versions_record(&out, 1, &att, MODE_STARTTLS, 100, "");
	is_str(out.versions->v[1].error,
	    "the server closed the connection during the TLS handshake "
	    "without answering",
	    "TLS1.1: no alert, the connection's own error");
	result_probe_free(&att);

	handshake(&att, TLSV_1_2, NULL);
	versions_record(&out, 2, &att, MODE_STARTTLS, 100, "");
	ok(out.versions->v[2].accepted, "TLS1.2 accepted");
	is_str(out.versions->v[2].error, "", "accepted: no error");
	result_probe_free(&att);

	handshake(&att, TLSV_1_2, NULL);
	versions_record(&out, 3, &att, MODE_STARTTLS, 100, "");
	ok(!out.versions->v[3].accepted,
	    "TLS1.3 offered, TLS1.2 established: not accepted");
	is_str(out.versions->v[3].error,
	    "the server negotiated TLS1.2 although only TLS1.3 was offered",
	    "another version negotiated: said so");
	is_int(out.nattempts, 5, "four attempts after the probe's own");
	is_int(out.attempts[0].version, TLSV_UNKNOWN,
	    "the probe's own attempt names no version");
	result_probe_free(&att);

	out.nattempts = ATTEMPTS_MAX;
	handshake(&att, TLSV_1_3, NULL);
	versions_record(&out, 3, &att, MODE_STARTTLS, 100, "");
	ok(out.versions->v[3].accepted,
	    "a verdict even when attempts are full");
	is_int(out.nattempts, ATTEMPTS_MAX, "attempts never overflow");
	result_probe_free(&att);
	result_probe_free(&out);
}

static void
test_not_tried(void)
{
	struct probe_result out;

	result_probe_init(&out, 465, MODE_AUTO);
	versions_record(&out, 0, NULL, MODE_IMPLICIT, 0,
	    "not tried: the system's GnuTLS configuration disables it");
	ok(!out.versions->v[0].tried && !out.versions->v[0].accepted,
	    "not tried, not accepted");
	is_str(out.versions->v[0].error,
	    "not tried: the system's GnuTLS configuration disables it",
	    "the reason is the version's error");
	is_int(out.nattempts, 0, "no connection, no attempt");
	result_probe_free(&out);
}

/* finding_message - the message of finding id, or NULL */
static const char *
finding_message(const struct probe_result *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (strcmp(p->findings[i].id, id) == 0)
			return p->findings[i].message;
	return NULL;
}

/* legacy - p established v, with a sweep that accepted 1.0 and/or 1.1 */
static void
legacy(struct probe_result *p, enum tls_version v, bool v10, bool v11)
{
	struct diag_params dp = {21};

	result_probe_init(p, 465, MODE_IMPLICIT);
	p->mode = MODE_IMPLICIT;
	p->banner.present = true;
	p->banner.code = 220;
	p->tls.attempted = p->tls.established = true;
	p->tls.version = v;
	p->versions = calloc(1, sizeof(*p->versions));
	p->versions->v[0].accepted = v10;
	p->versions->v[1].accepted = v11;
	p->versions->v[3].accepted = true;
	diagnose(p, &dp);
}

static void
test_legacy_finding(void)
{
	struct probe_result p;
	const char *m;

	legacy(&p, TLSV_1_3, true, true);
	m = finding_message(&p, "tls-legacy-version");
	ok(m != NULL &&
		strstr(m,
		    "accepts TLS1.0 and TLS1.1 offered alone "
		    "(--tls-versions)") != NULL,
	    "TLS1.3 negotiated, sweep accepted 1.0 and 1.1: both named");
	ok(m != NULL && strstr(m, "negotiated") == NULL,
	    "nothing legacy negotiated: not said");
	result_probe_free(&p);

	legacy(&p, TLSV_1_3, false, true);
	m = finding_message(&p, "tls-legacy-version");
	ok(m != NULL && strstr(m, "accepts TLS1.1 offered") != NULL &&
		strstr(m, "TLS1.0") == NULL,
	    "only 1.1 accepted: only 1.1 named");
	result_probe_free(&p);

	legacy(&p, TLSV_1_0, true, false);
	m = finding_message(&p, "tls-legacy-version");
	ok(m != NULL &&
		strstr(m,
		    "negotiated TLS1.0, and accepts TLS1.0 "
		    "offered alone") != NULL,
	    "legacy negotiated and swept: both said");
	result_probe_free(&p);

	legacy(&p, TLSV_1_3, false, false);
	ok(finding_message(&p, "tls-legacy-version") == NULL,
	    "only 1.3 accepted: no finding");
	result_probe_free(&p);
}

static void
test_render(void)
{
	struct tls_versions_result vr;
	struct attempt_result a;
	json_t *j, *o;
	char *buf;
	size_t len;
	FILE *fp;

	memset(&vr, 0, sizeof(vr));
	vr.v[0].tried = true;
	snprintf(vr.v[0].error, sizeof(vr.v[0].error), "%s",
	    "bad \xff byte from a server");
	snprintf(vr.v[1].error, sizeof(vr.v[1].error), "%s", "not tried: x");
	vr.v[2].tried = vr.v[2].accepted = true;
	vr.v[3].tried = vr.v[3].accepted = true;
	j = render_versions_json(&vr);
	ok(j != NULL && json_object_size(j) == 4, "four versions in JSON");
	o = json_object_get(j, "TLS1.0");
	ok(json_is_false(json_object_get(o, "accepted")), "TLS1.0 false");
	is_str(json_string_value(json_object_get(o, "error")),
	    "bad \xef\xbf\xbd byte from a server",
	    "invalid UTF-8 replaced, never a missing key");
	o = json_object_get(j, "TLS1.3");
	ok(json_is_true(json_object_get(o, "accepted")) &&
		json_is_null(json_object_get(o, "error")),
	    "TLS1.3 accepted, error null");
	json_decref(j);

	memset(&a, 0, sizeof(a));
	j = json_object();
	is_int(render_versions_attempt(j, &a), 0, "a main attempt");
	ok(json_object_get(j, "tls_version") == NULL,
	    "a main attempt has no tls_version");
	a.version = TLSV_1_1;
	render_versions_attempt(j, &a);
	is_str(json_string_value(json_object_get(j, "tls_version")), "TLS1.1",
	    "a sweep attempt names its version");
	json_decref(j);

	fp = open_memstream(&buf, &len);
	render_versions_text(fp, &vr);
	fclose(fp);
	is_str(buf, "TLS1.0 no, TLS1.1 not tried, TLS1.2 yes, TLS1.3 yes",
	    "the text line");
	free(buf);
}
