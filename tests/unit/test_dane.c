/*
 * test_dane.c - --dane's pure parts: the TLSA name, the query's header
 * bits, the answer parser (well-formed, cut at every byte, lying lengths,
 * too many or too long records), the DNSSEC state decision, and the
 * matching (probe/dane.c) on the fixture chain, whose expected records
 * come from cert_inspect's SHA-256 of the leaf's key and of the CA
 * certificate, not from the library that matches. End to end against
 * knot and a validating unbound: tests/dane.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "dane.h"
#include "tap.h"

/* 2026-06-01, inside every fixture's validity but leaf-expired's. */
#define NOW ((time_t)1780272000)
#define LATER ((time_t)2000000000)

static const char *dir;

static void test_name(void);
static void test_query(void);
static void test_parse(void);
static void test_parse_limits(void);
static void test_state(void);
static void test_match(void);
static size_t answer(unsigned char *, size_t, int, bool, size_t, size_t);
static int load(const char *, gnutls_datum_t *);
static void hex_to(const char *, unsigned char *);
static int match_of(const gnutls_datum_t *, size_t, const char *host,
    const char *records, enum dane_dnssec, time_t, char *, size_t);

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_dane FIXTURE-DIR\n");
		return 2;
	}
	dir = argv[1];
	test_name();
	test_query();
	test_parse();
	test_parse_limits();
	test_state();
	test_match();
	dane_end();
	return done_testing();
}

/* test_name - "_PORT._tcp.HOST", and none for an address */
static void
test_name(void)
{
	char buf[HOSTNAME_MAX + 16], big[HOSTNAME_MAX + 16];

	ok(tlsa_name("mx1.example.com", 25, buf, sizeof(buf)) == 0,
	    "a host name has a TLSA name");
	is_str(buf, "_25._tcp.mx1.example.com", "_PORT._tcp.HOST");
	ok(tlsa_name("192.0.2.1", 25, buf, sizeof(buf)) == -1,
	    "an IPv4 address has none");
	ok(tlsa_name("2001:db8::1", 465, buf, sizeof(buf)) == -1,
	    "an IPv6 address has none");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(tlsa_name(big, 25, buf, sizeof(buf)) == -1,
	    "a name that does not fit has none");
}

/* test_query - TLSA, recursion desired, AD always, CD when asked */
static void
test_query(void)
{
	unsigned char *q;
	int len, cd;

	for (cd = 0; cd < 2; cd++) {
		if (!ok(tlsa_query_make("_25._tcp.mx.example", cd, &q, &len) ==
			    0,
			"the query is made"))
			continue;
		ok(q[2] & 0x01, "RD set");
		ok(q[3] & 0x20, "AD set (RFC 6840 5.7)");
		is_int((q[3] & 0x10) != 0, cd, "CD set only when asked");
		/* Question: name, then type 52 and class 1, then the OPT. */
		is_int(q[12 + 21] << 8 | q[12 + 22], 52, "type TLSA");
		is_int(q[12 + 23] << 8 | q[12 + 24], 1, "class IN");
		is_int(q[10] << 8 | q[11], 1, "one EDNS OPT record");
		ares_free_string(q);
	}
}

/*
 * answer - a DNS answer into buf: the question _25._tcp.mx.example TLSA,
 * a CNAME, then ntlsa TLSA records "3 1 1" with datalen bytes of data
 * (0x00, 0x01, ...), each owner a compression pointer; returns its length
 */
static size_t
answer(unsigned char *buf, size_t cap, int rcode, bool ad, size_t ntlsa,
    size_t datalen)
{
	static const unsigned char q[] = "\x03_25\x04_tcp\x02mx\x07"
					 "example";
	size_t n = 0, i, k, rdlen = 3 + datalen;

	memset(buf, 0, cap);
	buf[2] = 0x81;
	buf[3] = (unsigned char)((ad ? 0x20 : 0) | 0x80 | rcode);
	buf[5] = 1;
	buf[7] = (unsigned char)(ntlsa + 1);
	n = 12;
	memcpy(buf + n, q, sizeof(q));
	n += sizeof(q);
	memcpy(buf + n, "\x00\x34\x00\x01", 4);
	n += 4;
	/* owner ptr, CNAME IN ttl, rdlen 4: "\x01x" + ptr */
	memcpy(buf + n,
	    "\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x04"
	    "\x01x\xc0\x0c",
	    16);
	n += 16;
	for (i = 0; i < ntlsa; i++) {
		memcpy(buf + n, "\xc0\x0c\x00\x34\x00\x01\x00\x00\x01\x2c", 10);
		buf[n + 10] = (unsigned char)(rdlen >> 8);
		buf[n + 11] = (unsigned char)rdlen;
		buf[n + 12] = 3;
		buf[n + 13] = 1;
		buf[n + 14] = 1;
		n += 15;
		for (k = 0; k < datalen; k++)
			buf[n++] = (unsigned char)k;
	}
	return n;
}

/* test_parse - header flags and records, and every cut of the message */
static void
test_parse(void)
{
	static unsigned char buf[4096];
	struct tlsa_answer a;
	const char *why = NULL;
	size_t n = answer(buf, sizeof(buf), 0, true, 2, 32), cut;
	unsigned char *copy;
	int r, fails = 0;

	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == 0, "an answer parses");
	ok(a.answered && a.ad && a.rcode == 0, "NOERROR, AD set");
	is_int((long long)a.n, 2, "two TLSA records, the CNAME passed over");
	ok(a.rr[1].usage == 3 && a.rr[1].selector == 1 && a.rr[1].mtype == 1,
	    "usage, selector, matching type");
	ok(a.rr[1].len == 32 && a.rr[1].data[31] == 31, "the data, whole");
	tlsa_answer_free(&a);
	n = answer(buf, sizeof(buf), 3, false, 0, 0);
	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == 0 && a.rcode == 3 &&
		!a.ad && a.n == 0,
	    "NXDOMAIN without AD");
	/* Every prefix is either refused or parsed (a whole record fewer),
	 * on a copy of exactly that length, so ASan sees any overread. */
	n = answer(buf, sizeof(buf), 0, true, 2, 32);
	for (cut = 0; cut < n; cut++) {
		copy = malloc(cut > 0 ? cut : 1);
		memcpy(copy, buf, cut);
		r = tlsa_answer_parse(copy, (int)cut, &a, &why);
		fails += r == -1;
		tlsa_answer_free(&a);
		free(copy);
	}
	is_int(fails, (long long)n, "every cut message is refused");
	buf[12 + 21 + 4 + 16 + 10] = 0xff; /* first TLSA rdlen: 65280+ */
	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == -1,
	    "a record whose length runs past the message is refused");
	is_str(why, "a record of the answer runs past its end", "and why");
}

/* test_parse_limits - too many records, too long a record, too short */
static void
test_parse_limits(void)
{
	static unsigned char buf[65536];
	struct tlsa_answer a;
	const char *why;
	size_t n;

	n = answer(buf, sizeof(buf), 0, true, TLSA_RECORDS_MAX + 1, 32);
	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == 0 &&
		a.n == TLSA_RECORDS_MAX && a.truncated,
	    "records past TLSA_RECORDS_MAX are left out, and said so");
	tlsa_answer_free(&a);
	n = answer(buf, sizeof(buf), 0, true, 1, TLSA_DATA_MAX + 1);
	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == 0 && a.n == 0 &&
		a.truncated,
	    "a record past TLSA_DATA_MAX is left out, and said so");
	n = answer(buf, sizeof(buf), 0, true, 1, 0);
	ok(tlsa_answer_parse(buf, (int)n, &a, &why) == -1,
	    "a TLSA record without data is refused");
}

/* test_state - the DNSSEC state from one or two answers */
static void
test_state(void)
{
	struct tlsa_answer ad = {.answered = true, .ad = true},
			   plain = {.answered = true},
			   nx = {.answered = true, .ad = true, .rcode = 3},
			   refused = {.answered = true, .rcode = 5}, none = {0};

	is_str(dane_dnssec_names[tlsa_state(&ad, false, NULL)], "secure",
	    "AD set: secure");
	is_str(dane_dnssec_names[tlsa_state(&nx, false, NULL)], "secure",
	    "an authenticated NXDOMAIN: secure");
	is_str(dane_dnssec_names[tlsa_state(&plain, false, NULL)], "insecure",
	    "an answer without AD: insecure");
	is_str(dane_dnssec_names[tlsa_state(&none, true, &plain)], "bogus",
	    "SERVFAIL, then data with CD: bogus");
	is_str(dane_dnssec_names[tlsa_state(&none, true, &none)], "error",
	    "SERVFAIL both ways: error");
	is_str(dane_dnssec_names[tlsa_state(&none, false, NULL)], "error",
	    "no answer (timeout): error");
	is_str(dane_dnssec_names[tlsa_state(&none, false, &plain)], "error",
	    "data with CD after something else than SERVFAIL: error");
	is_str(dane_dnssec_names[tlsa_state(&refused, false, NULL)], "error",
	    "REFUSED: error");
}

/* The records of a test_match case. */
enum recs { R_EE, R_TA, R_EE_OTHER, R_OTHER_AND_TA, R_PKIX_EE, R_COUNT };

/*
 * test_match - DANE-EE and DANE-TA on leaf-mail.pem (or leaf-expired.pem)
 * and their intermediate, what is not applied, and the suggested record
 */
static void
test_match(void)
{
	static const struct {
		bool expired; /* leaf-expired.pem instead of leaf-mail.pem */
		size_t n;     /* certificates sent */
		const char *host;
		enum recs recs;
		enum dane_dnssec state;
		time_t now;
		int want;
		const char *label;
	} cases[] = {
	    {false, 2, "mail.lab.test", R_EE, DANE_DNSSEC_SECURE, NOW, 1,
		"3 1 1 of the leaf's key matches"},
	    {false, 2, "other.lab.test", R_EE, DANE_DNSSEC_SECURE, LATER, 1,
		"DANE-EE ignores the name and the dates (RFC 7672 3.1.1)"},
	    {false, 2, "mail.lab.test", R_TA, DANE_DNSSEC_SECURE, NOW, 1,
		"2 0 1 of the intermediate matches"},
	    {false, 2, "other.lab.test", R_TA, DANE_DNSSEC_SECURE, NOW, 0,
		"DANE-TA checks the name (RFC 7672 3.2.2)"},
	    {true, 2, "old.lab.test", R_TA, DANE_DNSSEC_SECURE, NOW, 0,
		"DANE-TA checks the dates"},
	    {false, 1, "mail.lab.test", R_TA, DANE_DNSSEC_SECURE, NOW, 0,
		"DANE-TA needs the anchor in the chain sent"},
	    {false, 2, "mail.lab.test", R_EE_OTHER, DANE_DNSSEC_SECURE, NOW, 0,
		"another key's 3 1 1 does not match"},
	    {false, 2, "mail.lab.test", R_OTHER_AND_TA, DANE_DNSSEC_SECURE, NOW,
		1, "one matching record among others is enough"},
	    {false, 2, "mail.lab.test", R_PKIX_EE, DANE_DNSSEC_SECURE, NOW, -1,
		"PKIX-EE(1) is not used for SMTP (RFC 7672 3.1.3)"},
	    {false, 2, "mail.lab.test", R_EE, DANE_DNSSEC_INSECURE, NOW, -1,
		"an insecure zone's records are not applied"},
	    {false, 2, "mail.lab.test", R_EE, DANE_DNSSEC_BOGUS, NOW, -1,
		"bogus records are not applied"},
	    {false, 0, "mail.lab.test", R_EE, DANE_DNSSEC_SECURE, NOW, 0,
		"no chain at all does not match usable records"},
	};
	gnutls_datum_t chain[2], expired[2];
	char recs[R_COUNT][300], reason[ERR_MSG_MAX];
	struct probe_result p;
	size_t i;

	if (load("leaf-mail.pem", &chain[0]) == -1 ||
	    load("intermediate-ca.pem", &chain[1]) == -1 ||
	    load("leaf-expired.pem", &expired[0]) == -1)
		return;
	expired[1] = chain[1];
	/* The expected records, from cert_inspect's digests. */
	memset(&p, 0, sizeof(p));
	cert_examine(chain, 2, NULL, NULL, NULL, NOW, false, &p);
	snprintf(
	    recs[R_EE], sizeof(recs[0]), "3 1 1 %s", p.certs[0].spki_sha256);
	snprintf(recs[R_TA], sizeof(recs[0]), "2 0 1 %s", p.certs[1].sha256);
	snprintf(recs[R_PKIX_EE], sizeof(recs[0]), "1 1 1 %s",
	    p.certs[0].spki_sha256);
	memcpy(recs[R_EE_OTHER], recs[R_EE], sizeof(recs[0]));
	recs[R_EE_OTHER][7] ^= 1;
	snprintf(recs[R_OTHER_AND_TA], sizeof(recs[0]), "%.100s\n%.100s",
	    recs[R_EE_OTHER], recs[R_TA]);
	result_probe_free(&p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(match_of(cases[i].expired ? expired : chain, cases[i].n,
			   cases[i].host, recs[cases[i].recs], cases[i].state,
			   cases[i].now, reason, sizeof(reason)),
		    cases[i].want, cases[i].label);
	match_of(chain, 2, "mail.lab.test", recs[R_PKIX_EE], DANE_DNSSEC_SECURE,
	    NOW, reason, sizeof(reason));
	ok(strstr(reason, "RFC 7672 3.1.3") != NULL,
	    "the reason says why PKIX-EE is not used");
	gnutls_free(chain[0].data);
	gnutls_free(chain[1].data);
	gnutls_free(expired[0].data);
}

/*
 * match_of - dane_apply on chain[0..n) for host with records (lines of
 * "u s m hex") in state; match, and its reason into reason
 */
static int
match_of(const gnutls_datum_t *chain, size_t n, const char *host,
    const char *records, enum dane_dnssec state, time_t now, char *reason,
    size_t len)
{
	struct tlsa_answer a;
	struct probe_result p;
	const char *s = records;
	struct tlsa_record *r;
	int m;

	memset(&a, 0, sizeof(a));
	for (; *s != '\0' && a.n < TLSA_RECORDS_MAX; a.n++) {
		r = &a.rr[a.n];
		r->usage = (unsigned char)(s[0] - '0');
		r->selector = (unsigned char)(s[2] - '0');
		r->mtype = (unsigned char)(s[4] - '0');
		r->len = strcspn(s + 6, "\n") / 2;
		r->data = malloc(r->len);
		hex_to(s + 6, r->data);
		s += 6 + 2 * r->len + (s[6 + 2 * r->len] == '\n');
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.host, sizeof(p.host), "%s", host);
	p.port = 25;
	p.dane_wanted = true;
	cert_examine(chain, n, NULL, NULL, host, now, false, &p);
	dane_apply(&p, &a, state, "", now);
	m = p.dane->match;
	snprintf(reason, len, "%s", p.dane->reason);
	if (n > 0)
		ok(strncmp(p.dane->suggested, "3 1 1 ", 6) == 0 &&
			strlen(p.dane->suggested) == 70,
		    "suggested is the 3 1 1 record of the leaf");
	else
		is_str(p.dane->suggested, "", "no leaf, no suggested record");
	result_probe_free(&p);
	tlsa_answer_free(&a);
	return m;
}

/* load - the DER of a PEM fixture */
static int
load(const char *name, gnutls_datum_t *out)
{
	gnutls_datum_t pem;
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((r = gnutls_load_file(path, &pem)) < 0 ||
	    (r = gnutls_pem_base64_decode2("CERTIFICATE", &pem, out),
		gnutls_free(pem.data), r) < 0) {
		printf("Bail out! %s: %s\n", path, gnutls_strerror(r));
		return -1;
	}
	return 0;
}

/* hex_to - lower-case hex pairs into bytes, up to a newline or the end */
static void
hex_to(const char *hex, unsigned char *out)
{
	char pair[3] = {0};
	size_t i;

	for (i = 0; hex[2 * i] != '\0' && hex[2 * i] != '\n'; i++) {
		memcpy(pair, hex + 2 * i, 2);
		out[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
}
