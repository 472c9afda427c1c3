/*
 * test_mta_sts.c - the pure parsers of probe/mta_sts.c against the RFCs'
 * grammar: MTA-STS TXT records (RFC 8461 3.1), policies (3.2), the mx
 * patterns (4.1) and TLS-RPT records (RFC 8460 3), each with records that
 * must be accepted and ones that must not.
 */
#include <stdlib.h>
#include <string.h>

#include "mta_sts.h"
#include "tap.h"

static void test_pick(void);
static void test_txt(void);
static void test_policy(void);
static void test_policy_bad(void);
static void test_match(void);
static void test_tlsrpt(void);
static int policy(const char *, struct sts_policy *, char *);

int
main(void)
{
	test_pick();
	test_txt();
	test_policy();
	test_policy_bad();
	test_match();
	test_tlsrpt();
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
	is_int(sts_txt_pick(two, 2, "v=STSv1;", why, sizeof(why)), -1,
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

/* policy - sts_policy_parse of a C string */
static int
policy(const char *body, struct sts_policy *p, char *why)
{
	return sts_policy_parse(body, strlen(body), p, why, 256);
}
