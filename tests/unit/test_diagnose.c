/*
 * test_diagnose.c - findings and client advice from hand-built results.
 *
 * Each case starts from result_probe_init(), sets the fields a probe would
 * have filled in, runs diagnose() and compares the whole list of findings,
 * in order, as "id:severity,id:severity" (so a missing, extra or duplicated
 * finding fails the check). Owned fields are set with result_text_set() or
 * xstrdup(), and result_probe_free() releases everything.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "mta_sts.h"
#include "names.h"
#include "result.h"
#include "xalloc.h"
#include "tap.h"

#define VB(e) (1u << (e))
#define WARN_DAYS 21

static const char *findings_of(const struct probe_result *);
static bool message_has(
    const struct probe_result *, const char *, const char *);
static void diag(struct probe_result *);
static void dialogue(struct probe_result *, int, enum mode);
static void no_ehlo(struct probe_result *);
static void tls_up(struct probe_result *, enum mode, enum tls_version);
static struct cert_info *add_cert(struct probe_result *, const char *, long,
    enum pk_alg, unsigned int, const char *, enum sig_hash, bool);
static void set_sig(struct cert_info *, const char *, enum sig_hash);
static void healthy(struct probe_result *);
static void expect(struct probe_result *, const char *, const char *);
static void expect_says(struct probe_result *, const char *, const char *,
    const char *, const char *, const char *);
static void table_cases(void);
static void connect_cases(void);
static void error_cases(void);
static void syntax_cases(void);
static void starttls_cases(void);
static void mode_cases(void);
static void tls_cases(void);
static void verification_cases(void);
static void cert_cases(void);
static void advice_cases(void);
static void order_cases(void);
static void bound_cases(void);
static void target_cases(void);

/* findings_of - "id:severity,..." in order (one static buffer) */
static const char *
findings_of(const struct probe_result *p)
{
	static char buf[2048];
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < p->nfindings; i++) {
		n = snprintf(buf + o, sizeof(buf) - o, "%s%s:%s", i ? "," : "",
		    p->findings[i].id, severity_names[p->findings[i].severity]);
		if (n < 0 || (size_t)n >= sizeof(buf) - o)
			break;
		o += (size_t)n;
	}
	return buf;
}

/* message_has - the first finding called id has s in its message */
static bool
message_has(const struct probe_result *p, const char *id, const char *s)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (strcmp(p->findings[i].id, id) == 0)
			return p->findings[i].message != NULL &&
			    strstr(p->findings[i].message, s) != NULL;
	return false;
}

/* diag - diagnose with the default warning window */
static void
diag(struct probe_result *p)
{
	struct diag_params dp = {WARN_DAYS};

	diagnose(p, &dp);
}

/*
 * dialogue - a 220 banner and a 250 EHLO without STARTTLS, on a port
 * probed with the given mode.
 */
static void
dialogue(struct probe_result *p, int port, enum mode requested)
{
	result_probe_init(p, port, requested);
	p->banner.present = true;
	p->banner.code = 220;
	p->banner.nlines = 1;
	p->banner.lines = xcalloc(1, sizeof(*p->banner.lines));
	result_text_set(&p->banner.lines[0], "mx ESMTP", 8);
	p->ehlo.reply.present = true;
	p->ehlo.reply.code = 250;
	p->mode = MODE_PLAIN;
}

/* no_ehlo - the dialogue ended before EHLO was answered */
static void
no_ehlo(struct probe_result *p)
{
	p->ehlo.reply.present = false;
	p->ehlo.reply.code = 0;
}

/* tls_up - an established TLS session in mode m */
static void
tls_up(struct probe_result *p, enum mode m, enum tls_version version)
{
	p->mode = m;
	if (m == MODE_STARTTLS) {
		p->starttls.offered = true;
		p->starttls.sent = true;
		p->starttls.code = 220;
	}
	p->tls.attempted = true;
	p->tls.established = true;
	p->tls.version = version;
	(void)snprintf(
	    p->tls.cipher, sizeof(p->tls.cipher), "%s", "AES-256-GCM");
}

/* add_cert - append a certificate to the chain */
static struct cert_info *
add_cert(struct probe_result *p, const char *subject, long days, enum pk_alg pk,
    unsigned int bits, const char *sig, enum sig_hash hash, bool self_signed)
{
	struct cert_info *c;

	p->certs = xreallocarray(p->certs, p->ncerts + 1, sizeof(*p->certs));
	c = &p->certs[p->ncerts++];
	memset(c, 0, sizeof(*c));

	c->parsed = true;
	c->subject = xstrdup(subject);
	c->issuer = xstrdup(self_signed ? subject : "CN=CA");
	c->days_remaining = days;
	c->pk_algorithm = pk;
	c->pk_bits = bits;
	set_sig(c, sig, hash);
	c->self_signed = self_signed;
	return c;
}

/* set_sig - the signature algorithm as named, and its hash */
static void
set_sig(struct cert_info *c, const char *name, enum sig_hash hash)
{
	(void)snprintf(c->sig_algorithm, sizeof(c->sig_algorithm), "%s", name);
	c->sig_hash = hash;
}

/*
 * healthy - port 587, STARTTLS, TLS 1.3, a trusted leaf and intermediate
 * with the right name: no findings at all.
 */
static void
healthy(struct probe_result *p)
{
	dialogue(p, 587, MODE_STARTTLS);
	tls_up(p, MODE_STARTTLS, TLSV_1_3);
	p->verification.present = true;
	p->verification.trusted = true;
	p->verification.chain_complete = true;
	p->verification.hostname_match = 1;
	(void)add_cert(p, "CN=mx.example.org", 80, PK_RSA, 2048, "RSA-SHA256",
	    SIGHASH_SHA256, false);
	(void)add_cert(p, "CN=Intermediate", 800, PK_EC, 384, "RSA-SHA256",
	    SIGHASH_SHA256, false);
}

/* expect - diagnose p, compare its findings with want, then free p */
static void
expect(struct probe_result *p, const char *label, const char *want)
{
	diag(p);
	is_str(findings_of(p), want, label);
	result_probe_free(p);
}

/*
 * expect_says - expect, and that finding id's message holds text: the
 * advice a reader acts on is part of what is tested
 */
static void
expect_says(struct probe_result *p, const char *label, const char *want,
    const char *id, const char *text, const char *says_label)
{
	diag(p);
	is_str(findings_of(p), want, label);
	ok(message_has(p, id, text), says_label);
	result_probe_free(p);
}

/* target_ids - a target's finding ids and severities, in order */
static const char *
target_ids(const struct target_result *t)
{
	static char buf[256];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->nfindings; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s/%s",
		    i > 0 ? " " : "", t->findings[i].id,
		    severity_names[t->findings[i].severity]);
	return buf;
}

/*
 * target_cases - what a domain's DNS says: a failed lookup, a null MX, no
 * MX; nothing for a plain target or a domain with MX records; judging
 * twice gives the same list once
 */
static void
target_cases(void)
{
	struct target_result t;

	memset(&t, 0, sizeof(t));
	t.host = strdup("example.test");
	diagnose_target(&t);
	is_str(target_ids(&t), "", "target: a plain target has none");
	t.mx = calloc(1, sizeof(*t.mx));
	t.mx->n = 1;
	diagnose_target(&t);
	is_str(target_ids(&t), "", "target: MX records are no finding");
	t.mx->null_mx = true;
	diagnose_target(&t);
	is_str(target_ids(&t), "null-mx/info", "target: null MX");
	t.mx->null_mx = false;
	t.mx->implicit = true;
	diagnose_target(&t);
	diagnose_target(&t);
	is_str(
	    target_ids(&t), "mx-missing/info", "target: no MX, judged twice");
	ok(strstr(t.findings[0].message, "RFC 5321 5.1") != NULL,
	    "target: mx-missing cites RFC 5321 5.1");
	free(t.mx);
	t.mx = NULL;
	result_fail(&t.error, PHASE_RESOLVE, KIND_TIMEOUT,
	    "no DNS answer for example.test within 10000 ms");
	diagnose_target(&t);
	is_str(target_ids(&t), "dns-failed/critical", "target: lookup failed");
	ok(strstr(t.findings[0].message, "within 10000 ms") != NULL,
	    "target: dns-failed says why");
	t.error.phase = PHASE_INPUT;
	diagnose_target(&t);
	is_str(target_ids(&t), "", "target: a bad -f line is no DNS failure");
	memset(&t.error, 0, sizeof(t.error));
	/* TLS-RPT is asked for when DANE is in use, MTA-STS or not (issue
	 * 12): DNSSEC-secure TLSA records, no _smtp._tls record. */
	t.mta_sts = xcalloc(1, sizeof(*t.mta_sts));
	t.nprobes = 1;
	t.probes = xcalloc(1, sizeof(*t.probes));
	result_probe_init(&t.probes[0], 25, MODE_STARTTLS);
	t.probes[0].dane = xcalloc(1, sizeof(*t.probes[0].dane));
	t.probes[0].dane->dnssec = DANE_DNSSEC_SECURE;
	t.probes[0].dane->nrecords = 1;
	diagnose_target(&t);
	is_str(
	    target_ids(&t), "tls-rpt-missing/info", "target: DANE, no TLS-RPT");
	ok(strstr(t.findings[0].message, "uses DANE without") != NULL,
	    "target: tls-rpt-missing names DANE");
	t.probes[0].dane->dnssec = DANE_DNSSEC_INSECURE;
	diagnose_target(&t);
	is_str(target_ids(&t), "",
	    "target: TLSA records in an unsigned zone are no DANE in use");
	result_target_free(&t);
}

/* table_cases - finding_defs[] is complete and consistent */
static void
table_cases(void)
{
	static const struct {
		const char *id;
		enum severity severity;
	} known[] = {{"connect-failed", SEV_CRITICAL},
	    {"banner-timeout", SEV_CRITICAL},
	    {"greeting-rejected", SEV_CRITICAL},
	    {"starttls-missing", SEV_CRITICAL},
	    {"starttls-rejected", SEV_CRITICAL},
	    {"auth-before-tls", SEV_CRITICAL},
	    {"implicit-port-speaks-plaintext", SEV_CRITICAL},
	    {"port-expects-implicit-tls", SEV_CRITICAL},
	    {"handshake-failed", SEV_CRITICAL},
	    {"tls-legacy-version", SEV_WARNING},
	    {"cert-untrusted", SEV_CRITICAL}, {"cert-expired", SEV_CRITICAL},
	    {"cert-not-yet-valid", SEV_CRITICAL},
	    {"cert-expiring", SEV_WARNING},
	    {"cert-hostname-mismatch", SEV_CRITICAL},
	    {"cert-self-signed", SEV_CRITICAL},
	    {"chain-incomplete", SEV_CRITICAL}, {"weak-key", SEV_WARNING},
	    {"weak-signature", SEV_WARNING},
	    {"starttls-response-injection", SEV_CRITICAL},
	    {"smtp-protocol-error", SEV_CRITICAL},
	    {"connection-lost", SEV_CRITICAL},
	    {"dialogue-timeout", SEV_CRITICAL},
	    {"smtp-nonconforming", SEV_WARNING},
	    {"changed-starttls-lost", SEV_CRITICAL},
	    {"changed-tls-downgraded", SEV_WARNING},
	    {"changed-certificate", SEV_INFO},
	    {"changed-port-state", SEV_WARNING}, {"changed-auth", SEV_WARNING},
	    {"changed-capabilities", SEV_INFO}, {"login-failed", SEV_CRITICAL},
	    {"ports-swapped", SEV_CRITICAL}, {"null-mx", SEV_INFO},
	    {"mx-missing", SEV_INFO}, {"dns-failed", SEV_CRITICAL},
	    {"dane-mismatch", SEV_CRITICAL}, {"dane-bogus", SEV_CRITICAL},
	    {"mta-sts-mismatch", SEV_CRITICAL},
	    {"mta-sts-invalid", SEV_WARNING}, {"tls-rpt-missing", SEV_INFO},
	    {"starttls-injection", SEV_CRITICAL},
	    {"ocsp-revoked", SEV_CRITICAL}, {"ocsp-missing", SEV_INFO},
	    {"ocsp-invalid", SEV_WARNING}};
	size_t i, k, nknown = sizeof(known) / sizeof(known[0]);
	bool unique = true, named = true, found;

	is_int(
	    finding_defs_count, nknown, "finding_defs: as many ids as known");
	for (i = 0; i < nknown; i++) {
		found = false;
		for (k = 0; k < finding_defs_count; k++)
			if (strcmp(finding_defs[k].id, known[i].id) == 0 &&
			    finding_defs[k].severity == known[i].severity)
				found = true;
		ok(found,
		    lbl("finding_defs: %s, %s", known[i].id,
			severity_names[known[i].severity]));
	}
	for (i = 0; i < finding_defs_count; i++) {
		if (finding_defs[i].id == NULL ||
		    finding_defs[i].severity >= SEV_COUNT)
			named = false;
		for (k = 0; named && k < i; k++)
			if (strcmp(finding_defs[i].id, finding_defs[k].id) == 0)
				unique = false;
	}
	ok(named, "finding_defs: every entry has an id and a severity");
	ok(unique, "finding_defs: ids are unique");
}

/* connect_cases - nothing or little happened */
static void
connect_cases(void)
{
	struct probe_result p;

	result_probe_init(&p, 25, MODE_AUTO);
	result_fail(
	    &p.error, PHASE_CONNECT, KIND_REFUSED, "connection refused");
	diag(&p);
	is_str(findings_of(&p), "connect-failed:critical", "connect refused");
	ok(message_has(&p, "connect-failed", "connection refused"),
	    "connect refused: message carries the error");
	ok(message_has(&p, "connect-failed", "port 25"),
	    "connect refused: message names the port");
	result_probe_free(&p);

	result_probe_init(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_RESOLVE, KIND_DNS, "NXDOMAIN");
	expect(&p, "resolution failed", "connect-failed:critical");

	result_probe_init(&p, 587, MODE_STARTTLS);
	result_fail(&p.error, PHASE_BANNER, KIND_TIMEOUT, "no greeting");
	expect_says(&p, "banner timeout", "banner-timeout:critical",
	    "banner-timeout", "--ports 587/implicit",
	    "banner timeout: message suggests implicit TLS");

	/* Auto mode tried implicit TLS already: suggesting it is no help. */
	result_probe_init(&p, 587, MODE_AUTO);
	p.other_mode_tried = true;
	result_fail(&p.error, PHASE_BANNER, KIND_TIMEOUT, "no greeting");
	diag(&p);
	is_str(findings_of(&p), "banner-timeout:critical",
	    "banner timeout, implicit tried");
	ok(message_has(&p, "banner-timeout",
	       "implicit TLS on a second "
	       "connection did not work either") &&
		!message_has(&p, "banner-timeout", "/implicit"),
	    "banner timeout, implicit tried: message says so");
	result_probe_free(&p);

	result_probe_init(&p, 587, MODE_STARTTLS);
	result_fail(&p.error, PHASE_BANNER, KIND_CLOSED, "closed");
	expect(&p, "banner closed: not a timeout", "connection-lost:critical");

	dialogue(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_EHLO, KIND_TIMEOUT, "slow EHLO");
	no_ehlo(&p);
	expect(&p, "EHLO timeout: not a banner timeout",
	    "dialogue-timeout:critical");

	dialogue(&p, 25, MODE_AUTO);
	p.banner.code = 554;
	no_ehlo(&p);
	p.mode = MODE_UNKNOWN;
	result_fail(&p.error, PHASE_BANNER, KIND_PROTOCOL,
	    "the server greeted with 554");
	expect_says(&p, "banner 554", "greeting-rejected:critical",
	    "greeting-rejected", "554", "banner 554: message carries the code");

	dialogue(&p, 25, MODE_AUTO);
	p.banner.code = 421;
	no_ehlo(&p);
	expect(&p, "banner 421", "greeting-rejected:critical");

	/* A refused EHLO (or HELO after it) is a refusal, not a protocol
	 * break. */
	dialogue(&p, 25, MODE_AUTO);
	p.ehlo.reply.code = 421;
	result_fail(&p.error, PHASE_EHLO, KIND_PROTOCOL, "EHLO 421");
	expect_says(&p, "EHLO 421", "greeting-rejected:critical",
	    "greeting-rejected", "refused EHLO with 421",
	    "EHLO 421: message names the command and code");

	dialogue(&p, 587, MODE_STARTTLS);
	p.ehlo.helo = true;
	p.ehlo.reply.code = 550;
	result_fail(&p.error, PHASE_EHLO, KIND_PROTOCOL, "HELO 550");
	expect_says(&p, "HELO 550", "greeting-rejected:critical",
	    "greeting-rejected", "refused EHLO and HELO with 550",
	    "HELO 550: message names both commands");

	/* An EHLO reply that is no SMTP reply stays a protocol error. */
	dialogue(&p, 25, MODE_AUTO);
	p.ehlo.reply.code = 0;
	result_fail(&p.error, PHASE_EHLO, KIND_PROTOCOL, "not SMTP");
	expect(&p, "EHLO without a code", "smtp-protocol-error:critical");

	/* A banner that is no SMTP reply at all (code 0) is a protocol
	 * error, not a refusal with code 0. */
	dialogue(&p, 25, MODE_AUTO);
	p.banner.code = 0;
	no_ehlo(&p);
	p.mode = MODE_UNKNOWN;
	result_fail(&p.error, PHASE_BANNER, KIND_PROTOCOL, "not SMTP");
	expect(&p, "banner without a code", "smtp-protocol-error:critical");
}

/*
 * error_cases - a failure that no specific finding explains is named by
 * its kind; one that is explained gets no second finding.
 */
static void
error_cases(void)
{
	struct probe_result p;

	dialogue(&p, 587, MODE_STARTTLS);
	no_ehlo(&p);
	p.mode = MODE_UNKNOWN;
	result_fail(&p.error, PHASE_EHLO, KIND_PROTOCOL,
	    "the lines of one reply carry different codes");
	expect_says(&p, "EHLO syntax error", "smtp-protocol-error:critical",
	    "smtp-protocol-error",
	    "(ehlo: the lines of one reply carry different codes)",
	    "EHLO syntax error: message names phase and error");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_fail(&p.error, PHASE_EHLO_TLS, KIND_RESET, "reset by peer");
	expect(&p, "reset after TLS", "connection-lost:critical");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_fail(&p.error, PHASE_EHLO_TLS, KIND_TLS, "bad record MAC");
	expect(&p, "TLS error after the handshake", "connection-lost:critical");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_fail(&p.error, PHASE_EHLO_TLS, KIND_TIMEOUT, "no answer");
	expect_says(&p, "timeout after TLS", "dialogue-timeout:critical",
	    "dialogue-timeout", "ehlo_tls",
	    "timeout after TLS: message names the phase");

	dialogue(&p, 25, MODE_STARTTLS);
	result_fail(&p.error, PHASE_BANNER, KIND_LIMIT, "over 1 MiB");
	no_ehlo(&p);
	expect(&p, "greeting over the limit", "smtp-protocol-error:critical");

	/* Each explained failure gets only its own finding. */
	result_probe_init(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_CONNECT, KIND_TIMEOUT, "timed out");
	expect(&p, "connect timeout: explained", "connect-failed:critical");

	result_probe_init(&p, 465, MODE_IMPLICIT);
	p.mode = MODE_IMPLICIT;
	p.tls.attempted = true;
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_TIMEOUT, "timed out");
	expect(&p, "handshake timeout: explained", "handshake-failed:critical");

	dialogue(&p, 25, MODE_AUTO);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	expect(&p, "no error: no error finding", "");
}

/* syntax_cases - bare LF and control characters in replies */
static void
syntax_cases(void)
{
	struct probe_result p;

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	p.banner.bare_lf = true;
	diag(&p);
	is_str(findings_of(&p), "smtp-nonconforming:warning",
	    "bare LF in the greeting");
	ok(message_has(&p, "smtp-nonconforming", "bare LF instead of CRLF"),
	    "bare LF: message says so");
	ok(!message_has(&p, "smtp-nonconforming", "NUL"),
	    "bare LF: message names only that");
	result_probe_free(&p);

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	p.ehlo_tls.reply.present = true;
	p.ehlo_tls.reply.code = 250;
	p.ehlo_tls.reply.bare_lf = true;
	expect(&p, "bare LF after TLS", "smtp-nonconforming:warning");

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_text_set(&p.banner.lines[0], "mx\0ESMTP", 8);
	expect_says(&p, "NUL in the greeting", "smtp-nonconforming:warning",
	    "smtp-nonconforming", "NUL or control", "NUL: message says so");

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_text_set(&p.banner.lines[0], "mx\x7f", 3);
	p.banner.bare_lf = true;
	expect_says(&p, "DEL and bare LF: one finding",
	    "smtp-nonconforming:warning", "smtp-nonconforming",
	    "CRLF, and the text", "DEL and bare LF: message names both");

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_text_set(&p.banner.lines[0], "mx\tESMTP \xc3\xa9", 11);
	expect(&p, "TAB and UTF-8 in the greeting: fine", "");

	dialogue(&p, 25, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	p.ehlo_tls.reply.bare_lf = true;
	expect(&p, "bare LF flag on an absent reply: ignored", "");
}

/* starttls_cases - offered, missing, refused, injected; AUTH before TLS */
static void
starttls_cases(void)
{
	struct probe_result p;

	dialogue(&p, 587, MODE_STARTTLS);
	expect(&p, "no STARTTLS on 587", "starttls-missing:critical");
	dialogue(&p, 25, MODE_STARTTLS);
	expect(&p, "no STARTTLS on 25", "starttls-missing:warning");
	dialogue(&p, 587, MODE_AUTO);
	expect(&p, "no STARTTLS on 587, auto", "starttls-missing:critical");
	dialogue(&p, 2525, MODE_AUTO);
	expect(&p, "no STARTTLS on 2525, auto", "starttls-missing:critical");
	dialogue(&p, 465, MODE_AUTO);
	expect(&p, "no STARTTLS on 465, auto: not expected", "");
	dialogue(&p, 25, MODE_PLAIN);
	expect(&p, "no STARTTLS, plain asked: not expected", "");

	dialogue(&p, 587, MODE_STARTTLS);
	p.ehlo.reply.code = 550;
	expect(&p, "EHLO refused: STARTTLS unknown", "");
	dialogue(&p, 587, MODE_STARTTLS);
	no_ehlo(&p);
	expect(&p, "no EHLO reply: STARTTLS unknown", "");

	/* A 250 EHLO reply cut short by an error proves nothing. */
	dialogue(&p, 587, MODE_STARTTLS);
	result_fail(&p.error, PHASE_EHLO, KIND_LIMIT, "too long");
	expect(&p, "EHLO 250 cut by an error: STARTTLS unknown",
	    "smtp-protocol-error:critical");

	dialogue(&p, 587, MODE_STARTTLS);
	p.starttls.offered = true;
	p.starttls.sent = true;
	p.starttls.code = 454;
	result_fail(&p.error, PHASE_STARTTLS, KIND_PROTOCOL,
	    "STARTTLS was refused with 454");
	expect_says(&p, "STARTTLS answered 454", "starttls-rejected:critical",
	    "starttls-rejected", "454",
	    "STARTTLS answered 454: message carries the code");

	/* An answer to STARTTLS that is no SMTP reply (code 0) is a
	 * protocol error, not a refusal with code 0. */
	dialogue(&p, 587, MODE_STARTTLS);
	p.starttls.offered = true;
	p.starttls.sent = true;
	p.starttls.code = 0;
	result_fail(&p.error, PHASE_STARTTLS, KIND_PROTOCOL, "not SMTP");
	expect(&p, "STARTTLS answered without a code",
	    "smtp-protocol-error:critical");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	p.starttls.trailing_bytes = 17;
	expect_says(&p, "bytes after the 220 to STARTTLS",
	    "starttls-response-injection:critical",
	    "starttls-response-injection", "17 bytes",
	    "bytes after STARTTLS: message counts them");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_text_set(&p.auth.before[0], "PLAIN", 5);
	result_text_set(&p.auth.before[1], "LOGIN", 5);
	p.auth.nbefore = 2;
	expect(&p, "AUTH PLAIN before TLS, STARTTLS offered",
	    "auth-before-tls:critical");

	dialogue(&p, 587, MODE_STARTTLS);
	result_text_set(&p.auth.before[0], "PLAIN", 5);
	p.auth.nbefore = 1;
	expect_says(&p, "AUTH and no STARTTLS at all",
	    "starttls-missing:critical,"
	    "auth-before-tls:critical",
	    "auth-before-tls", "no STARTTLS",
	    "AUTH and no STARTTLS: message says so");

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	result_text_set(&p.auth.after[0], "PLAIN", 5);
	p.auth.nafter = 1;
	p.auth.only_after_tls = true;
	expect(&p, "AUTH only after TLS", "");
}

/* mode_cases - the port speaks another mode than the one probed */
static void
mode_cases(void)
{
	struct probe_result p;

	/* Implicit TLS asked, the server said "220" to the ClientHello and
	 * the probe could not switch: the handshake failure is a
	 * consequence, not a finding of its own. */
	dialogue(&p, 465, MODE_IMPLICIT);
	p.ehlo.reply.present = false;
	p.detected_other_mode = true;
	p.mode = MODE_UNKNOWN;
	p.tls.attempted = true;
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_PROTOCOL, "plaintext");
	expect(&p, "implicit asked, plaintext, unknown",
	    "implicit-port-speaks-plaintext:critical");

	dialogue(&p, 465, MODE_AUTO);
	p.detected_other_mode = true;
	p.tls.attempted = true;
	tls_up(&p, MODE_STARTTLS, TLSV_1_3);
	expect(&p, "465 auto, switched to STARTTLS",
	    "implicit-port-speaks-plaintext:critical");

	dialogue(&p, 465, MODE_AUTO);
	p.detected_other_mode = true;
	p.mode = MODE_PLAIN;
	diag(&p);
	is_str(findings_of(&p), "implicit-port-speaks-plaintext:critical",
	    "465 auto, switched to plain");
	ok(!message_has(&p, "implicit-port-speaks-plaintext", "use STARTTLS"),
	    "465 without STARTTLS: no advice to use STARTTLS");
	ok(message_has(&p, "implicit-port-speaks-plaintext",
	       "offers no STARTTLS either"),
	    "465 without STARTTLS: says so");
	result_probe_free(&p);

	/* What breaks in the plaintext dialogue after the switch is named
	 * too: the switch explains only the failed implicit handshake. */
	dialogue(&p, 465, MODE_AUTO);
	p.detected_other_mode = true;
	tls_up(&p, MODE_STARTTLS, TLSV_UNKNOWN);
	p.tls.established = false;
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_TLS, "bad record");
	expect(&p, "465 auto, switched to STARTTLS, handshake failed",
	    "implicit-port-speaks-plaintext:critical,handshake-failed:"
	    "critical");

	dialogue(&p, 465, MODE_AUTO);
	p.detected_other_mode = true;
	result_fail(&p.error, PHASE_EHLO, KIND_TIMEOUT, "slow EHLO");
	no_ehlo(&p);
	expect(&p, "465 auto, switched to plain, EHLO timeout",
	    "implicit-port-speaks-plaintext:critical,dialogue-timeout:"
	    "critical");

	/* The port stayed silent in plaintext and then spoke TLS. */
	dialogue(&p, 587, MODE_AUTO);
	p.detected_other_mode = true;
	tls_up(&p, MODE_IMPLICIT, TLSV_1_3);
	diag(&p);
	is_str(findings_of(&p), "port-expects-implicit-tls:critical",
	    "587 auto, switched to implicit");
	ok(!message_has(&p, "port-expects-implicit-tls", "use port 587"),
	    "587 auto, switched to implicit: no advice to use 587 itself");
	ok(message_has(&p, "port-expects-implicit-tls",
	       "set clients to SSL/TLS on connect"),
	    "587 auto, switched to implicit: says what works on the port");
	result_probe_free(&p);
}

/* tls_cases - the handshake and the protocol version */
static void
tls_cases(void)
{
	static const enum tls_version legacy[] = {
	    TLSV_1_0, TLSV_1_1, TLSV_SSL3};
	static const enum tls_version current[] = {TLSV_1_2, TLSV_1_3};
	struct probe_result p;
	size_t i;

	result_probe_init(&p, 465, MODE_IMPLICIT);
	p.mode = MODE_IMPLICIT;
	p.tls.attempted = true;
	(void)snprintf(p.tls.error, sizeof(p.tls.error), "%s",
	    "no supported cipher suites");
	(void)snprintf(
	    p.tls.alert, sizeof(p.tls.alert), "%s", "Handshake failed");
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_TLS, "handshake");
	diag(&p);
	is_str(findings_of(&p), "handshake-failed:critical",
	    "implicit handshake failed");
	ok(message_has(&p, "handshake-failed",
	       "no supported cipher suites; alert Handshake failed"),
	    "handshake failed: message carries error and alert");
	is_str(p.advice.tls, "none", "handshake failed: advice none");
	result_probe_free(&p);

	dialogue(&p, 587, MODE_STARTTLS);
	p.starttls.offered = p.starttls.sent = true;
	p.starttls.code = 220;
	p.mode = MODE_STARTTLS;
	p.tls.attempted = true;
	expect_says(&p, "STARTTLS handshake failed",
	    "handshake-failed:critical", "handshake-failed", "unknown error",
	    "handshake failed without detail: says unknown");

	result_probe_init(&p, 465, MODE_IMPLICIT);
	p.tls.attempted = true;
	expect(&p, "handshake failed, mode unknown: no finding", "");

	result_probe_init(&p, 465, MODE_IMPLICIT);
	p.tls.attempted = true;
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_CLOSED, "closed");
	expect(&p, "handshake, mode unknown, closed: connection lost",
	    "connection-lost:critical");

	for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		result_probe_init(&p, 465, MODE_IMPLICIT);
		tls_up(&p, MODE_IMPLICIT, legacy[i]);
		expect(&p, lbl("%s", tls_version_names[legacy[i]]),
		    "tls-legacy-version:warning");
	}
	for (i = 0; i < sizeof(current) / sizeof(current[0]); i++) {
		result_probe_init(&p, 465, MODE_IMPLICIT);
		tls_up(&p, MODE_IMPLICIT, current[i]);
		expect(&p, lbl("%s: no finding", tls_version_names[current[i]]),
		    "");
	}
	result_probe_init(&p, 465, MODE_IMPLICIT);
	tls_up(&p, MODE_IMPLICIT, TLSV_1_0);
	p.tls.established = false;
	p.mode = MODE_UNKNOWN;
	expect(&p, "TLS1.0 not established: no version finding", "");
}

/* verification_cases - trust, self-signed, chain, name */
static void
verification_cases(void)
{
	struct probe_result p;

	healthy(&p);
	diag(&p);
	is_str(findings_of(&p), "", "healthy STARTTLS port: no findings");
	is_str(p.advice.tls, "starttls", "healthy: advice starttls");
	result_probe_free(&p);

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_SELF_SIGNED) | VB(VERR_UNTRUSTED);
	expect(&p, "self-signed", "cert-self-signed:critical");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.chain_complete = false;
	p.verification.errors = VB(VERR_CHAIN_INCOMPLETE) | VB(VERR_UNTRUSTED);
	expect(&p, "chain incomplete", "chain-incomplete:critical");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_SELF_SIGNED) |
	    VB(VERR_CHAIN_INCOMPLETE) | VB(VERR_UNTRUSTED);
	expect(&p, "self-signed and incomplete",
	    "cert-self-signed:critical,chain-incomplete:critical");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_UNTRUSTED);
	expect(&p, "untrusted", "cert-untrusted:critical");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_SIGNER_NOT_CA);
	diag(&p);
	is_str(findings_of(&p), "cert-untrusted:critical", "signer not a CA");
	ok(message_has(&p, "cert-untrusted", "(signer-not-ca)"),
	    "signer not a CA: message names the cause");
	result_probe_free(&p);

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_CHAIN_TOO_LONG);
	expect_says(&p, "chain too long", "cert-untrusted:critical",
	    "cert-untrusted", "(chain-too-long)",
	    "chain too long: message names the cause");

	healthy(&p);
	p.verification.hostname_match = 0;
	p.verification.errors = VB(VERR_HOSTNAME_MISMATCH);
	(void)snprintf(p.verification.name, sizeof(p.verification.name), "%s",
	    "mail.example.org");
	p.certs[0].san_dns = xcalloc(2, sizeof(char *));
	p.certs[0].san_dns[0] = xstrdup("mx.example.org");
	p.certs[0].san_dns[1] = xstrdup("smtp.example.org");
	p.certs[0].nsan_dns = 2;
	diag(&p);
	is_str(findings_of(&p), "cert-hostname-mismatch:critical",
	    "hostname mismatch");
	ok(message_has(&p, "cert-hostname-mismatch",
	       "not valid for \"mail.example.org\", the name checked"),
	    "hostname mismatch: names the name checked");
	ok(message_has(&p, "cert-hostname-mismatch",
	       "it holds DNS:mx.example.org, DNS:smtp.example.org."),
	    "hostname mismatch: names the names the certificate holds");
	result_probe_free(&p);

	healthy(&p);
	p.verification.hostname_match = -1;
	expect(&p, "no name to check", "");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.hostname_match = 0;
	p.verification.errors =
	    VB(VERR_UNTRUSTED) | VB(VERR_REVOKED) | VB(VERR_HOSTNAME_MISMATCH);
	expect_says(&p, "untrusted, revoked, wrong name",
	    "cert-untrusted:critical,"
	    "cert-hostname-mismatch:critical",
	    "cert-untrusted", "(untrusted, revoked)",
	    "untrusted: causes listed, the name left to its own finding");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_EXPIRED);
	p.certs[0].days_remaining = -3;
	expect_says(&p, "expired: not also untrusted", "cert-expired:critical",
	    "cert-expired", "expired 3 days ago",
	    "expired: message counts the days");

	healthy(&p);
	p.verification.present = false;
	p.verification.errors = VB(VERR_UNTRUSTED);
	p.certs[0].days_remaining = -3;
	expect(&p, "no verification: no certificate findings", "");

	healthy(&p);
	p.verification.trusted = false;
	p.verification.errors = VB(VERR_NOT_YET_VALID);
	diag(&p);
	ok(strstr(findings_of(&p), "cert-not-yet-valid:critical") != NULL,
	    "not yet valid: raised");
	is_str(findings_of(&p), "cert-not-yet-valid:critical",
	    "not yet valid, two certificates: raised once");
	result_probe_free(&p);
}

/* cert_cases - expiry, key size and signature of each certificate */
static void
cert_cases(void)
{
	struct probe_result p;
	struct diag_params dp = {30};

	healthy(&p);
	p.certs[0].days_remaining = -3;
	expect(&p, "expired 3 days ago", "cert-expired:critical");
	healthy(&p);
	p.certs[0].days_remaining = -1;
	expect(&p, "expired 1 day ago", "cert-expired:critical");
	healthy(&p);
	p.certs[0].days_remaining = 0;
	expect(&p, "expires today", "cert-expiring:warning");
	healthy(&p);
	p.certs[0].days_remaining = 5;
	diag(&p);
	is_str(findings_of(&p), "cert-expiring:warning", "5 days of 21");
	ok(message_has(&p, "cert-expiring", "expires in 5 days"),
	    "5 days: message counts the days");
	ok(message_has(&p, "cert-expiring", "CN=mx.example.org"),
	    "5 days: message names the certificate");
	result_probe_free(&p);
	healthy(&p);
	p.certs[0].days_remaining = WARN_DAYS - 1;
	expect(&p, "20 days of 21", "cert-expiring:warning");
	healthy(&p);
	p.certs[0].days_remaining = WARN_DAYS;
	expect(&p, "21 days of 21", "");
	healthy(&p);
	p.certs[0].days_remaining = 30;
	expect(&p, "30 days of 21", "");
	healthy(&p);
	p.certs[0].days_remaining = 29;
	diagnose(&p, &dp);
	is_str(findings_of(&p), "cert-expiring:warning",
	    "29 days with warn_days 30");
	result_probe_free(&p);
	healthy(&p);
	p.certs[1].days_remaining = 2;
	expect_says(&p, "intermediate expiring", "cert-expiring:warning",
	    "cert-expiring", "Certificate 1",
	    "intermediate expiring: message names certificate 1");

	healthy(&p);
	p.certs[0].pk_bits = 1024;
	expect_says(&p, "RSA 1024", "weak-key:warning", "weak-key",
	    "1024-bit RSA", "RSA 1024: message names the key");
	healthy(&p);
	p.certs[0].pk_bits = 2047;
	expect(&p, "RSA 2047", "weak-key:warning");
	healthy(&p);
	p.certs[0].pk_bits = 4096;
	expect(&p, "RSA 4096", "");
	healthy(&p);
	p.certs[0].pk_algorithm = PK_DSA;
	p.certs[0].pk_bits = 1024;
	expect(&p, "DSA 1024", "weak-key:warning");
	healthy(&p);
	p.certs[0].pk_algorithm = PK_EC;
	p.certs[0].pk_bits = 256;
	expect(&p, "EC 256", "");
	healthy(&p);
	p.certs[1].pk_bits = 192;
	expect(&p, "EC 192", "weak-key:warning");
	healthy(&p);
	p.certs[0].pk_algorithm = PK_EDDSA;
	p.certs[0].pk_bits = 256;
	expect(&p, "EdDSA", "");

	healthy(&p);
	set_sig(&p.certs[0], "RSA-SHA1", SIGHASH_SHA1);
	expect_says(&p, "RSA-SHA1 leaf", "weak-signature:warning",
	    "weak-signature", "RSA-SHA1",
	    "RSA-SHA1: message names the algorithm");
	healthy(&p);
	set_sig(&p.certs[1], "ECDSA-SHA1", SIGHASH_SHA1);
	expect(&p, "ECDSA-SHA1 intermediate", "weak-signature:warning");
	healthy(&p);
	set_sig(&p.certs[0], "RSA-MD5", SIGHASH_MD5);
	expect(&p, "RSA-MD5", "weak-signature:warning");
	healthy(&p);
	(void)add_cert(
	    &p, "CN=Root", 3000, PK_RSA, 4096, "RSA-SHA1", SIGHASH_SHA1, true);
	expect(&p, "RSA-SHA1 on a self-signed root", "");
	healthy(&p);
	set_sig(&p.certs[0], "RSA-SHA512", SIGHASH_SHA512);
	expect(&p, "RSA-SHA512", "");

	healthy(&p);
	p.certs[0].days_remaining = -10;
	p.certs[0].pk_bits = 1024;
	set_sig(&p.certs[0], "RSA-SHA1", SIGHASH_SHA1);
	p.certs[1].days_remaining = 3;
	expect(&p, "several per certificate, in chain order",
	    "cert-expired:critical,weak-key:warning,weak-signature:warning,"
	    "cert-expiring:warning");
}

/* advice_cases - client_advice.tls and its text */
static void
advice_cases(void)
{
	struct probe_result p;

	result_probe_init(&p, 465, MODE_IMPLICIT);
	tls_up(&p, MODE_IMPLICIT, TLSV_1_3);
	diag(&p);
	is_str(p.advice.tls, "implicit", "advice: implicit established");
	ok(p.advice.text != NULL && strstr(p.advice.text, "SSL/TLS") != NULL,
	    "advice: implicit text");
	result_probe_free(&p);

	dialogue(&p, 587, MODE_STARTTLS);
	tls_up(&p, MODE_STARTTLS, TLSV_1_2);
	diag(&p);
	is_str(p.advice.tls, "starttls", "advice: STARTTLS established");
	ok(p.advice.text != NULL && strstr(p.advice.text, "STARTTLS") != NULL,
	    "advice: STARTTLS text");
	result_probe_free(&p);

	dialogue(&p, 587, MODE_STARTTLS);
	diag(&p);
	is_str(p.advice.tls, "none", "advice: no TLS");
	ok(p.advice.text != NULL &&
		strstr(p.advice.text, "No working TLS") != NULL,
	    "advice: no TLS, do not send passwords");
	result_probe_free(&p);

	result_probe_init(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_CONNECT, KIND_REFUSED, "refused");
	diag(&p);
	is_str(p.advice.tls, "none", "advice: no dialogue");
	ok(p.advice.text != NULL &&
		strstr(p.advice.text, "No SMTP dialogue") != NULL,
	    "advice: no dialogue text");
	result_probe_free(&p);
}

/*
 * bound_cases - the worst chain (every certificate expired, weak key, weak
 * signature) has all its findings kept within FINDINGS_MAX
 */
static void
bound_cases(void)
{
	struct probe_result p;
	size_t i, sound;

	healthy(&p);
	sound = p.ncerts;
	while (p.ncerts < CERT_CHAIN_MAX)
		(void)add_cert(
		    &p, "CN=x", 1, PK_RSA, 512, "RSA-MD5", SIGHASH_MD5, false);
	for (i = 0; i < p.ncerts; i++)
		p.certs[i].days_remaining = -1;
	diag(&p);
	/* Every certificate expired; the added ones weak twice over. */
	is_int(p.nfindings, CERT_CHAIN_MAX + 2 * (CERT_CHAIN_MAX - sound),
	    "a chain of findings: all kept");
	/* All of them fit: none was dropped at the bound. */
	_Static_assert(CERT_CHAIN_MAX + 2 * CERT_CHAIN_MAX <= FINDINGS_MAX,
	    "a chain's findings fit in FINDINGS_MAX");
	ok(p.advice.text != NULL, "a chain of findings: advice still given");
	result_probe_free(&p);
}

/* main - every group; the exit status is done_testing()'s */
int
main(void)
{
	table_cases();
	target_cases();
	connect_cases();
	error_cases();
	syntax_cases();
	starttls_cases();
	mode_cases();
	tls_cases();
	verification_cases();
	cert_cases();
	advice_cases();
	order_cases();
	bound_cases();
	return done_testing();
}

/*
 * order_cases - each area judges the observations, not the findings raised
 * before it: run alone, the error rule stays quiet about a failure another
 * area explains, and still names one nobody explains.
 */
static void
order_cases(void)
{
	struct probe_result p;

	result_probe_init(&p, 465, MODE_IMPLICIT);
	p.mode = MODE_IMPLICIT;
	p.tls.attempted = true;
	result_fail(&p.error, PHASE_HANDSHAKE, KIND_TLS, "handshake");
	diag_error(&p);
	is_str(findings_of(&p), "", "error rule alone: a failed handshake");
	diag_tls(&p);
	is_str(findings_of(&p), "handshake-failed:critical",
	    "tls rule after the error rule: handshake-failed");
	result_probe_free(&p);

	result_probe_init(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_CONNECT, KIND_REFUSED, "refused");
	diag_error(&p);
	is_str(findings_of(&p), "", "error rule alone: a refused connection");
	result_probe_free(&p);

	dialogue(&p, 587, MODE_STARTTLS);
	p.starttls.offered = p.starttls.sent = true;
	p.starttls.code = 454;
	result_fail(&p.error, PHASE_STARTTLS, KIND_PROTOCOL, "454");
	diag_error(&p);
	is_str(findings_of(&p), "", "error rule alone: STARTTLS refused");
	result_probe_free(&p);

	dialogue(&p, 25, MODE_AUTO);
	result_fail(&p.error, PHASE_EHLO, KIND_RESET, "reset");
	no_ehlo(&p);
	diag_error(&p);
	is_str(findings_of(&p), "connection-lost:critical",
	    "error rule alone: a reset nobody explains");
	result_probe_free(&p);
}
