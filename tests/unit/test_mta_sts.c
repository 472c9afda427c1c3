/*
 * test_mta_sts.c - the pure parsers of probe/mta_sts.c against the RFCs'
 * grammar: MTA-STS TXT records (RFC 8461 3.1), policies (3.2), the mx
 * patterns (4.1) and TLS-RPT records (RFC 8460 3), each with records that
 * must be accepted and ones that must not; and the judgement of
 * probe/diagnose_sts.c: each MX probe against a policy, by name and
 * certificate, at the severity of the policy's mode, and the domain's
 * mta-sts-invalid and tls-rpt-missing.
 */
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "dns.h"
#include "mta_sts.h"
#include "tap.h"

static void test_pick(void);
static void test_txt(void);
static void test_policy(void);
static void test_policy_bad(void);
static void test_match(void);
static void test_tlsrpt(void);
static void test_txt_answer(void);
static size_t rr_txt(unsigned char *, const size_t *, size_t, int);
static void test_judge(void);
static void test_judge_target(void);
static void test_judge_dane(void);
static int policy(const char *, struct sts_policy *, char *);
static const char *judged(struct probe_result *, const struct sts_result *,
    const char *, bool, int, unsigned);

int
main(void)
{
	test_pick();
	test_txt();
	test_policy();
	test_policy_bad();
	test_match();
	test_tlsrpt();
	test_txt_answer();
	test_judge();
	test_judge_target();
	test_judge_dane();
	return done_testing();
}

static void
test_pick(void)
{
	const char *one[] = {"v=spf1 -all", "v=STSv1; id=1", "v=STSv1"};
	const char *two[] = {"v=STSv1; id=1", "v=STSv1; id=2"};
	char why[256];

	is_int(sts_txt_pick(one, 3, "v=STSv1;", why, sizeof(why)), 1,
	    "records not beginning with v=STSv1; are discarded");
	is_int(sts_txt_pick(two, 2, "v=STSv1;", why, sizeof(why)), -2,
	    "two STSv1 records: none is used");
	is_str(why,
	    "2 TXT records begin with \"v=STSv1;\": there must be exactly one",
	    "and why");
	is_int(sts_txt_pick(one, 1, "v=STSv1;", why, sizeof(why)), -1,
	    "no STSv1 record");
}

static void
test_txt(void)
{
	static const struct {
		const char *rec, *id;
	} good[] = {
	    {"v=STSv1; id=20160831085700Z", "20160831085700Z"},
	    {"v=STSv1;id=abc;", "abc"},
	    {"v=STSv1 ;\tid=abc ; ext.x-1=val:ue ;", "abc"},
	    {"v=STSv1; id=12345678901234567890123456789012", NULL},
	    {"v=STSv1; id=a; id=b", "a"},
	};
	static const char *const bad[] = {"v=STSv1", "v=STSv1;", "v=STSv1; x=1",
	    "v=STSv1; id=", "v=STSv1; id=a-b", "v=STSv1; id=a b",
	    "v=STSv1; id=123456789012345678901234567890123", "v=STSv10; id=1",
	    "v=STSv1 id=1", "v=STSv1; id=1; =x", "v=STSv1; id=1; x=a=b",
	    "V=STSv1; id=1"};
	char id[STS_ID_MAX + 1], why[256];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		is_int(sts_txt_parse(good[i].rec, id, why, sizeof(why)), 0,
		    lbl("accepts \"%s\"", good[i].rec));
		is_str(id,
		    good[i].id != NULL ? good[i].id
				       : "12345678901234567890123456789012",
		    "its id");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(sts_txt_parse(bad[i], id, why, sizeof(why)), -1,
		    lbl("refuses \"%s\" (%s)", bad[i], why));
}

static void
test_policy(void)
{
	struct sts_policy p;
	char why[256];

	is_int(policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com"
		      "\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
		   &p, why),
	    0, "the RFC's example, CRLF");
	is_str(sts_mode_names[p.mode], "enforce", "mode");
	is_int((long long)p.nmx, 2, "two mx");
	is_str(p.mx[0], "mail.example.com", "first mx");
	is_str(p.mx[1], "*.example.net", "second mx");
	is_int(p.max_age, 604800, "max_age");
	is_int(policy("version:STSv1\nmode:   testing\t\nmx: a.test\n"
		      "max_age: 31557600\nfoo_bar: any thing\nmode: enforce",
		   &p, why),
	    0, "LF, blanks after the colon, unknown key, no final LF");
	is_str(sts_mode_names[p.mode], "testing", "the first mode wins");
	is_int(p.max_age, 31557600, "the largest max_age");
	is_int(policy("version: STSv1\nmode: none\nmax_age: 0\n", &p, why), 0,
	    "mode none needs no mx");
}

static void
test_policy_bad(void)
{
	static const char *const bad[] = {
	    "",
	    "version: STSv1\nmode: enforce\nmax_age: 86400\n",
	    "version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 86400\n",
	    "version: STSv1\nmode: sometimes\nmx: a.test\nmax_age: 86400\n",
	    "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n",
	    "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n",
	    "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 12345678901\n",
	    "version: STSv1\nmode: enforce\nmx: a.test\n",
	    "mode: enforce\nmx: a.test\nmax_age: 86400\n",
	    "version: STSv1\nmode: enforce\nmx: a..test\nmax_age: 86400\n",
	    "version: STSv1\nmode: enforce\nmx: *.*.test\nmax_age: 86400\n",
	    "version: STSv1\nmode: enforce\nmx: a_b.test\nmax_age: 86400\n",
	    "version: STSv1\n\nmode: enforce\nmx: a.test\nmax_age: 86400\n",
	    "version : STSv1\nmode: enforce\nmx: a.test\nmax_age: 86400\n",
	    "version STSv1\nmode: enforce\nmx: a.test\nmax_age: 86400\n",
	    "<html>\n<body>redirected</body>\n",
	    "version: STSv1\nmode: enforce\nmx:\nmax_age: 86400\n",
	};
	struct sts_policy p;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(policy(bad[i], &p, why), -1,
		    lbl("refuses policy %zu (%s)", i, why));
}

static void
test_match(void)
{
	struct sts_policy p;
	char buf[64];

	ok(sts_mx_match("mail.example.com", "mail.example.com"), "exact");
	ok(sts_mx_match("Mail.Example.COM", "mail.example.com."),
	    "case and a final dot do not matter");
	ok(sts_mx_match("*.example.com", "mx1.example.com"),
	    "a wildcard stands for one label");
	ok(!sts_mx_match("*.example.com", "a.b.example.com"),
	    "and not for two (RFC 8461 4.1)");
	ok(!sts_mx_match("*.example.com", "example.com"), "nor for none");
	ok(!sts_mx_match("mail.example.com", "mail.example.net"),
	    "another name");
	ok(!sts_mx_match("example.com", "mail.example.com"),
	    "no suffix matching without a wildcard");
	ok(!sts_mx_match("*.example.com", ".example.com"),
	    "an empty label is not one");
	/* sts_mx_text: the list in messages and the text report */
	memset(&p, 0, sizeof(p));
	sts_mx_text(&p, buf, sizeof(buf));
	is_str(buf, "", "no mx: nothing");
	p.nmx = 2;
	snprintf(p.mx[0], sizeof(p.mx[0]), "mail.example.com");
	snprintf(p.mx[1], sizeof(p.mx[1]), "*.example.net");
	sts_mx_text(&p, buf, sizeof(buf));
	is_str(buf, "mail.example.com, *.example.net", "comma-separated");
	sts_mx_text(&p, buf, 20);
	is_str(buf, "mail.example.com...", "cut to fit, and says so");
}

static void
test_tlsrpt(void)
{
	char *rua[TLSRPT_RUA_MAX], why[256];
	size_t n = 0;

	is_int(tlsrpt_parse("v=TLSRPTv1; rua=mailto:tls@example.com , "
			    "https://r.example.com/v1?a=b",
		   rua, &n, why, sizeof(why)),
	    0, "two URIs, blanks around the comma");
	is_int((long long)n, 2, "both kept");
	if (n == 2) {
		is_str(rua[0], "mailto:tls@example.com", "the mailto:");
		is_str(rua[1], "https://r.example.com/v1?a=b", "the https:");
	}
	while (n > 0)
		free(rua[--n]);
	is_int(tlsrpt_parse("v=TLSRPTv1;rua=mailto:a@b.test;", rua, &n, why,
		   sizeof(why)),
	    0, "no blanks, a final delimiter");
	while (n > 0)
		free(rua[--n]);
	is_int(tlsrpt_parse(
		   "v=TLSRPTv1; rua=ftp://x.test", rua, &n, why, sizeof(why)),
	    -1, "ftp: is not a reporting URI");
	is_int((long long)n, 0, "nothing kept");
	is_int(tlsrpt_parse("v=TLSRPTv1; rua=mailto:a@b.test,http://x.test",
		   rua, &n, why, sizeof(why)),
	    -1, "http: is not either, and spoils the record");
	is_int((long long)n, 0, "the first URI is released");
	is_int(tlsrpt_parse("v=TLSRPTv1", rua, &n, why, sizeof(why)), -1,
	    "no rua");
	is_int(tlsrpt_parse("v=TLSRPTv1; ext=1", rua, &n, why, sizeof(why)), -1,
	    "an extension but no rua");
	is_int(tlsrpt_parse("v=TLSRPTv1; rua=", rua, &n, why, sizeof(why)), -1,
	    "an empty rua");
}

/*
 * test_txt_answer - dns_parse_txt on a reply made here: a record of two
 * strings (joined), one of one, and one of five strings of 220 bytes
 * (1100 bytes, cut at DNS_TXT_LEN_MAX)
 */
static void
test_txt_answer(void)
{
	static const unsigned char head[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3,
	    0, 0, 0, 0, 8, '_', 'm', 't', 'a', '-', 's', 't', 's', 1, 'x', 4,
	    't', 'e', 's', 't', 0, 0, 16, 0, 1};
	static const size_t two[] = {9, 5}, one[] = {11},
			    five[] = {220, 220, 220, 220, 220};
	unsigned char buf[2048];
	struct dns_answer *a = calloc(1, sizeof(*a));
	size_t n = sizeof(head);

	memcpy(buf, head, n);
	n += rr_txt(buf + n, two, 2, 0);
	memcpy(buf + n - 15, "v=STSv1; ", 9);
	memcpy(buf + n - 5, "id=ab", 5);
	n += rr_txt(buf + n, one, 1, 0);
	memcpy(buf + n - 11, "v=spf1 -all", 11);
	n += rr_txt(buf + n, five, 5, 'z');
	is_int(dns_parse_txt(buf, (int)n, a), 0, "a reply of three TXT");
	is_int((long long)a->txt.n, 3, "three records");
	is_str(a->txt.rec[0], "v=STSv1; id=ab", "two strings joined");
	is_str(a->txt.rec[1], "v=spf1 -all", "one string");
	is_int((long long)strlen(a->txt.rec[2]), DNS_TXT_LEN_MAX,
	    "a long record cut at DNS_TXT_LEN_MAX");
	ok(dns_parse_txt(buf, 40, a) != 0 && a->txt.n == 0,
	    "a cut reply is an error, and leaves no record");
	free(a);
}

/*
 * rr_txt - one TXT answer naming the question (a pointer), its n strings
 * of len[i] bytes of fill (0: zeros, for the caller to write over)
 */
static size_t
rr_txt(unsigned char *p, const size_t *len, size_t n, int fill)
{
	size_t i, rd = 0, at = 12;

	for (i = 0; i < n; i++)
		rd += 1 + len[i];
	memcpy(p, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c", 10);
	p[10] = (unsigned char)(rd >> 8);
	p[11] = (unsigned char)rd;
	for (i = 0; i < n; i++) {
		p[at++] = (unsigned char)len[i];
		memset(p + at, fill, len[i]);
		at += len[i];
	}
	return at;
}

static void
test_judge(void)
{
	struct sts_result s;
	struct probe_result p;

	memset(&s, 0, sizeof(s));
	result_probe_init(&p, 25, MODE_AUTO);
	is_str(judged(&p, &s, "mx.example.com", true, 1, 0), "",
	    "no policy: no finding");
	is_int(p.mta_sts_match, -1, "and match null");
	s.has_policy = true;
	s.policy.mode = STS_MODE_ENFORCE;
	s.policy.nmx = 2;
	snprintf(
	    s.policy.mx[0], sizeof(s.policy.mx[0]), "%s", "mx.example.com");
	snprintf(s.policy.mx[1], sizeof(s.policy.mx[1]), "%s", "*.example.net");
	is_str(judged(&p, &s, "MX.example.com.", true, 1, 0), "",
	    "a listed name, a certificate that passes");
	is_int(p.mta_sts_match, 1, "matches");
	is_str(judged(&p, &s, "a.example.net", true, 1, 0), "",
	    "a wildcard pattern");
	is_str(judged(&p, &s, "b.a.example.net", true, 1, 0),
	    "mta-sts-mismatch critical",
	    "the wildcard is one label: critical in enforce");
	is_int(p.mta_sts_match, 0, "does not match");
	ok(strstr(p.findings[0].message, "(mx.example.com, *.example.net)") !=
		NULL,
	    "the message lists the patterns");
	is_str(judged(&p, &s, "a.example.net", true, 0,
		   1u << VERR_HOSTNAME_MISMATCH),
	    "mta-sts-mismatch critical", "a name the certificate lacks");
	ok(strstr(p.findings[0].message, "not valid for its name") != NULL,
	    "says so");
	is_str(judged(&p, &s, "mx.example.com", false, 1, 1u << VERR_EXPIRED),
	    "mta-sts-mismatch critical", "an expired certificate");
	ok(strstr(p.findings[0].message, "has expired") != NULL, "says so");
	s.policy.mode = STS_MODE_TESTING;
	is_str(judged(&p, &s, "other.example.com", true, 1, 0),
	    "mta-sts-mismatch warning", "a warning in mode testing");
	s.policy.mode = STS_MODE_NONE;
	is_str(judged(&p, &s, "other.example.com", true, 1, 0), "",
	    "nothing in mode none");
	is_int(p.mta_sts_match, 0, "though it does not match");
	s.policy.mode = STS_MODE_ENFORCE;
	result_probe_free(&p);
	result_probe_init(&p, 25, MODE_AUTO);
	snprintf(p.host, sizeof(p.host), "%s", "mx.example.com");
	result_fail(&p.error, PHASE_CONNECT, KIND_REFUSED, "refused");
	diag_sts_probe(&p, &s);
	is_int(p.mta_sts_match, 0, "never connected: no match");
	is_int((long long)p.nfindings, 0, "and connect-failed says why");
	result_probe_free(&p);
}

static void
test_judge_target(void)
{
	struct target_result t;

	memset(&t, 0, sizeof(t));
	t.host = strdup("example.com");
	t.mta_sts = calloc(1, sizeof(*t.mta_sts));
	t.mta_sts->txt = strdup("v=STSv1; id=1");
	t.mta_sts->invalid = true;
	snprintf(t.mta_sts->error, sizeof(t.mta_sts->error), "%s",
	    "the policy is bad: the policy has no mx");
	diag_sts(&t);
	is_int((long long)t.nfindings, 2, "invalid, and no TLS-RPT");
	is_str(t.findings[0].id, "mta-sts-invalid", "mta-sts-invalid");
	is_int(t.findings[0].severity, SEV_WARNING, "a warning");
	is_str(t.findings[1].id, "tls-rpt-missing", "tls-rpt-missing");
	is_int(t.findings[1].severity, SEV_INFO, "info");
	result_target_free(&t);
	memset(&t, 0, sizeof(t));
	t.host = strdup("example.com");
	t.mta_sts = calloc(1, sizeof(*t.mta_sts));
	diag_sts(&t);
	is_int(
	    (long long)t.nfindings, 0, "no MTA-STS: TLS-RPT is not asked for");
	result_target_free(&t);
}

/*
 * test_judge_dane - DANE in use makes TLS-RPT expected too, but only
 * records the resolver validated: an unsigned zone's are not applied
 */
static void
test_judge_dane(void)
{
	static const struct {
		enum dane_dnssec dnssec;
		size_t nrecords, nrua;
		const char *txt, *says; /* says NULL: no finding */
	} cases[] = {
	    {DANE_DNSSEC_SECURE, 1, 0, NULL, "example.com uses DANE without"},
	    {DANE_DNSSEC_SECURE, 1, 0, "v=STSv1; id=1",
		"example.com uses MTA-STS and DANE without"},
	    {DANE_DNSSEC_SECURE, 1, 1, NULL, NULL},
	    {DANE_DNSSEC_INSECURE, 1, 0, NULL, NULL},
	    {DANE_DNSSEC_BOGUS, 1, 0, NULL, NULL},
	    {DANE_DNSSEC_SECURE, 0, 0, NULL, NULL},
	};
	struct target_result t;
	char label[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.host = strdup("example.com");
		t.mta_sts = calloc(1, sizeof(*t.mta_sts));
		if (cases[i].txt != NULL)
			t.mta_sts->txt = strdup(cases[i].txt);
		t.mta_sts->nrua = cases[i].nrua;
		if (cases[i].nrua > 0)
			t.mta_sts->rua[0] = strdup("mailto:r@example.com");
		/* The second MX has the records: every probe counts. */
		t.nprobes = 2;
		t.probes = calloc(2, sizeof(*t.probes));
		result_probe_init(&t.probes[0], 25, MODE_AUTO);
		result_probe_init(&t.probes[1], 25, MODE_AUTO);
		t.probes[1].dane = calloc(1, sizeof(*t.probes[1].dane));
		t.probes[1].dane->dnssec = cases[i].dnssec;
		t.probes[1].dane->nrecords = cases[i].nrecords;
		diag_sts(&t);
		snprintf(label, sizeof(label), "DANE case %zu: %s", i,
		    cases[i].says != NULL ? cases[i].says : "no finding");
		is_int((long long)t.nfindings, cases[i].says != NULL, label);
		if (cases[i].says != NULL && t.nfindings == 1)
			ok(strncmp(t.findings[0].message, cases[i].says,
			       strlen(cases[i].says)) == 0,
			    "and the message names what is in use");
		result_target_free(&t);
	}
}

/*
 * judged - p judged against s as host, with TLS (established), a
 * verification (hostname_match, errors; trusted unless an error makes it
 * not); its mta-sts findings as "id severity", "" for none
 */
static const char *
judged(struct probe_result *p, const struct sts_result *s, const char *host,
    bool trusted, int name_ok, unsigned errors)
{
	static char buf[128];

	result_probe_free(p);
	result_probe_init(p, 25, MODE_AUTO);
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->tls.established = true;
	p->verification.present = true;
	p->verification.trusted = trusted;
	p->verification.hostname_match = name_ok;
	p->verification.errors = errors;
	diag_sts_probe(p, s);
	buf[0] = '\0';
	if (p->nfindings > 0)
		snprintf(buf, sizeof(buf), "%s %s", p->findings[0].id,
		    severity_names[p->findings[0].severity]);
	/* p's findings stay for the caller to read, freed by the next call */
	return buf;
}

/* policy - sts_policy_parse of a C string */
static int
policy(const char *body, struct sts_policy *p, char *why)
{
	return sts_policy_parse(body, strlen(body), p, why, 256);
}
