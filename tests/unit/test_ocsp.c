/*
 * test_ocsp.c - unit tests of probe/ocsp.c: stapled OCSP responses read and
 * judged, on DER that tests/servers/tlsd-pki.sh made with openssl at build
 * time (make puts it in BUILD/ocsp-fixtures, beside this program).
 *
 * Usage: test_ocsp [DIR]; the fixtures are found from argv[0]'s directory.
 * "now" is pinned relative to each response's own this_update (read with
 * openssl's -ndays 7 in mind: next update 7 days later), so the tests
 * hold on any day. Every prefix of a good response is fed too: a cut
 * response never crashes and is never taken as verified.
 */
#include "ocsp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bounds.h"
#include "result.h"

#include "tap.h"

#define DAY 86400

struct chain {
	gnutls_datum_t der[4];
	size_t n;
};

static char dir[4096];

static void examine(const char *, const char *, time_t, struct ocsp_result *);
static void load_chain(const char *, struct chain *);
static void free_chain(struct chain *);
static gnutls_datum_t load(const char *);
static void test_nothing(void);
static void test_good(void);
static void test_revoked(void);
static void test_expired(void);
static void test_unverified(void);
static void test_issuer(void);
static void test_must_staple(void);
static void test_prefixes(void);

int
main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');

	(void)argc;
	snprintf(dir, sizeof(dir), "%.*s/ocsp-fixtures",
	    slash != NULL ? (int)(slash - argv[0]) : 1,
	    slash != NULL ? argv[0] : ".");
	test_nothing();
	test_good();
	test_revoked();
	test_expired();
	test_unverified();
	test_issuer();
	test_must_staple();
	test_prefixes();
	return done_testing();
}

/* test_nothing - no certificate, or nothing stapled */
static void
test_nothing(void)
{
	struct ocsp_result o;
	struct chain c;

	memset(&o, 0xff, sizeof(o));
	ocsp_examine(NULL, NULL, 0, NULL, 0, &o);
	ok(!o.stapled && !o.verified_set && o.status == OCSP_STATUS_NONE &&
		o.responder[0] == '\0' && !o.must_staple,
	    "no chain: nothing stapled, the rest unknown");
	load_chain("aia.pem", &c);
	ocsp_examine(NULL, c.der, c.n, NULL, 0, &o);
	ok(!o.stapled && !o.verified_set, "nothing stapled: not judged");
	is_str(o.responder, "http://ocsp.tlsd.test/",
	    "the leaf's OCSP URL (AIA), past its caIssuers entry");
	is_str(o.error, "", "no error without a staple");
	free_chain(&c);
	load_chain("noaia.pem", &c);
	ocsp_examine(NULL, c.der, c.n, NULL, 0, &o);
	is_str(o.responder, "", "a leaf without AIA names no responder");
	free_chain(&c);
}

/* test_good - a good response, verified, times as written */
static void
test_good(void)
{
	gnutls_datum_t r = load("good.der");
	struct ocsp_result o;
	struct chain c;

	load_chain("aia.pem", &c);
	ocsp_examine(&r, c.der, c.n, NULL, time(NULL), &o);
	ok(o.stapled, "good: stapled");
	is_int(o.status, OCSP_GOOD, "good: status good");
	ok(o.verified_set && o.verified, "good: verified by the delegate");
	is_str(o.error, "", "good: no error");
	is_int(o.next_update - o.this_update, 7 * DAY,
	    "good: next update 7 days after this update (-ndays 7)");
	is_int(o.revoked_at, 0, "good: no revocation time");
	ok(!o.expired, "good: not expired");
	ocsp_examine(&r, c.der, c.n, NULL, o.this_update - DAY, &o);
	ok(strstr(o.error, "not valid yet") != NULL,
	    "good, a day before its this update: not valid yet");
	free_chain(&c);
	/* The response is about aia.pem: noaia.pem is another leaf. */
	load_chain("noaia.pem", &c);
	ocsp_examine(&r, c.der, c.n, NULL, time(NULL), &o);
	ok(o.verified_set && !o.verified, "another leaf's response: no");
	ok(strstr(o.error, "another certificate") != NULL,
	    "another leaf's response: said so");
	free_chain(&c);
	gnutls_free(r.data);
}

/* test_revoked - revoked, with its time */
static void
test_revoked(void)
{
	struct ocsp_result o;

	examine("revoked.der", "revoked.pem", time(NULL), &o);
	is_int(o.status, OCSP_REVOKED, "revoked: status revoked");
	ok(o.verified, "revoked: verified");
	/* tlsd-pki.sh revokes it two days before it makes the response. */
	is_int((o.this_update - o.revoked_at + DAY / 2) / DAY, 2,
	    "revoked: two days before this update");
}

/* test_expired - next update passed: still verified, expired, error */
static void
test_expired(void)
{
	struct ocsp_result o;

	examine("expired.der", "aia.pem", time(NULL), &o);
	ok(o.verified && o.expired, "expired: verified, and expired");
	ok(strstr(o.error, "expired 3 days ago") != NULL,
	    lbl("expired: says how long ago (%s)", o.error));
	examine("expired.der", "aia.pem", o.next_update - 1, &o);
	ok(!o.expired && o.error[0] == '\0',
	    "expired: a second before its next update, fine");
}

/* test_unverified - signed by a key nobody certified */
static void
test_unverified(void)
{
	struct ocsp_result o;

	examine("rogue-revoked.der", "revoked.pem", time(NULL), &o);
	is_int(o.status, OCSP_REVOKED, "rogue: claims revoked");
	ok(o.verified_set && !o.verified, "rogue: not verified");
	ok(strstr(o.error, "does not verify") != NULL,
	    lbl("rogue: says so (%s)", o.error));
}

/* test_issuer - without the intermediate in the chain: trust, or none */
static void
test_issuer(void)
{
	gnutls_datum_t r = load("good.der"), inter = load("inter.pem");
	gnutls_x509_trust_list_t tl;
	struct ocsp_result o;
	struct chain c;

	load_chain("aia.pem", &c);
	ocsp_examine(&r, c.der, 1, NULL, time(NULL), &o);
	ok(!o.verified && strstr(o.error, "issuer") != NULL,
	    "leaf alone, no trust: the issuer is missing");
	if (gnutls_x509_trust_list_init(&tl, 0) < 0 ||
	    gnutls_x509_trust_list_add_trust_mem(
		tl, &inter, NULL, GNUTLS_X509_FMT_PEM, 0, 0) != 1)
		abort();
	ocsp_examine(&r, c.der, 1, tl, time(NULL), &o);
	ok(o.verified && o.error[0] == '\0',
	    "leaf alone, its issuer a trust anchor: verified");
	gnutls_x509_trust_list_deinit(tl, 1);
	free_chain(&c);
	gnutls_free(r.data);
	gnutls_free(inter.data);
}

/* test_must_staple - the TLS Feature extension */
static void
test_must_staple(void)
{
	struct ocsp_result o;
	struct chain c;

	load_chain("staple.pem", &c);
	ocsp_examine(NULL, c.der, c.n, NULL, 0, &o);
	ok(o.must_staple, "staple.pem: must-staple");
	free_chain(&c);
	load_chain("aia.pem", &c);
	ocsp_examine(NULL, c.der, c.n, NULL, 0, &o);
	ok(!o.must_staple, "aia.pem: not must-staple");
	free_chain(&c);
}

/* test_prefixes - every cut of a good response, and garbage */
static void
test_prefixes(void)
{
	gnutls_datum_t r = load("good.der"), cut;
	struct ocsp_result o;
	struct chain c;
	bool fine = true;
	unsigned int i;

	load_chain("aia.pem", &c);
	for (i = 1; i < r.size; i++) {
		cut.data = r.data;
		cut.size = i;
		ocsp_examine(&cut, c.der, c.n, NULL, time(NULL), &o);
		if (!o.stapled || o.verified || o.error[0] == '\0')
			fine = false;
	}
	ok(fine, "every cut response: stapled, not verified, an error");
	cut.data = (unsigned char *)"not DER";
	cut.size = 7;
	ocsp_examine(&cut, c.der, c.n, NULL, time(NULL), &o);
	ok(strstr(o.error, "cannot be read") != NULL, "garbage: unreadable");
	free_chain(&c);
	gnutls_free(r.data);
}

/* examine - ocsp_examine() of the fixtures resp and chain at now */
static void
examine(const char *resp, const char *chain, time_t now, struct ocsp_result *o)
{
	gnutls_datum_t r = load(resp);
	struct chain c;

	load_chain(chain, &c);
	ocsp_examine(&r, c.der, c.n, NULL, now, o);
	free_chain(&c);
	gnutls_free(r.data);
}

/* load_chain - the PEM chain in the fixture file name, as DER */
static void
load_chain(const char *name, struct chain *c)
{
	gnutls_datum_t pem = load(name);
	gnutls_x509_crt_t *crts;
	unsigned int i, n = 0;

	if (gnutls_x509_crt_list_import2(
		&crts, &n, &pem, GNUTLS_X509_FMT_PEM, 0) < 0 ||
	    n > 4)
		abort();
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_export2(
			crts[i], GNUTLS_X509_FMT_DER, &c->der[i]) < 0)
			abort();
		gnutls_x509_crt_deinit(crts[i]);
	}
	gnutls_free(crts);
	gnutls_free(pem.data);
	c->n = n;
}

static void
free_chain(struct chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		gnutls_free(c->der[i].data);
	c->n = 0;
}

/* load - a fixture file, or stop: without fixtures nothing is tested */
static gnutls_datum_t
load(const char *name)
{
	gnutls_datum_t d;
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gnutls_load_file(path, &d) < 0) {
		printf("Bail out! cannot read %s (make builds it)\n", path);
		exit(1);
	}
	return d;
}
