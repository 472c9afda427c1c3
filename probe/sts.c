/*
 * sts.c - one mail domain's MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)
 * check, as lookups and a fetch in the loop.
 *
 * The TXT records of _mta-sts.DOMAIN and _smtp._tls.DOMAIN and the
 * addresses of mta-sts.DOMAIN are asked at once; when the first two
 * answers are in and the domain publishes exactly one valid "v=STSv1;"
 * record, the policy is fetched from
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 3.3): only a
 * 200 with a text/plain body of at most STS_POLICY_MAX bytes counts; a
 * redirect is refused, not followed. A domain without a record does not
 * use MTA-STS and nothing is fetched: a sender would not fetch either.
 * Anything that keeps a sender from a valid policy (bad or several
 * records, a failed lookup or fetch, a bad policy) is recorded as the
 * result's error and marks it invalid, which diagnose_sts.c turns into
 * mta-sts-invalid. The parsing is probe/mta_sts.c's.
 */
#include "sts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

struct sts_check {
	struct dns *dns;
	struct https *https;
	struct sts_result *res; /* not owned: the target's */
	char domain[HOSTNAME_MAX + 1];
	char host[HOSTNAME_MAX + 16]; /* mta-sts.DOMAIN */
	int timeout_ms;
	bool use;               /* one valid STSv1 record: fetch */
	struct dns_addrs addrs; /* of host */
	char addr_error[ERR_MSG_MAX];
	int before_fetch;      /* answers still needed to decide on it */
	int pending;           /* lookups and fetch not ended */
	struct https_get *get; /* the policy fetch, while it runs */
	sts_done_fn *done;
	void *arg;
};

static void on_sts_txt(void *, const struct dns_answer *);
static void on_rpt_txt(void *, const struct dns_answer *);
static void on_addrs(void *, const struct dns_answer *);
static void decide(struct sts_check *);
static void on_policy(void *, const struct https_reply *);
static bool text_plain(const char *);
static int one_record(const struct dns_answer *, const char *, const char *,
    const char *, char *, size_t);
static void fail(struct sts_result *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void say(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void vsay(char *, size_t, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static void end_one(struct sts_check *);

/* sts_start - the three lookups of domain */
struct sts_check *
sts_start(struct dns *dns, struct https *https, const char *domain, int family,
    int timeout_ms, struct sts_result *res, sts_done_fn *done, void *arg)
{
	struct sts_check *c = xcalloc(1, sizeof(*c));
	char name[HOSTNAME_MAX + 16];
	size_t len = strlen(domain);

	/* "example.com." and "example.com" are the same domain. */
	if (len > 0 && domain[len - 1] == '.')
		len--;
	snprintf(c->domain, sizeof(c->domain), "%.*s", (int)len, domain);
	snprintf(c->host, sizeof(c->host), "mta-sts.%s", c->domain);
	snprintf(res->policy_url, sizeof(res->policy_url),
	    "https://%s/.well-known/mta-sts.txt", c->host);
	c->dns = dns;
	c->https = https;
	c->res = res;
	c->timeout_ms = timeout_ms;
	c->done = done;
	c->arg = arg;
	c->before_fetch = 2;
	c->pending = 3;
	snprintf(name, sizeof(name), "_mta-sts.%s", c->domain);
	dns_lookup_txt(dns, name, on_sts_txt, c);
	snprintf(name, sizeof(name), "_smtp._tls.%s", c->domain);
	dns_lookup_txt(dns, name, on_rpt_txt, c);
	dns_lookup_addrs(dns, c->host, family, on_addrs, c);
	return c;
}

/* sts_free - the check, and its fetch if one still runs */
void
sts_free(struct sts_check *c)
{
	if (c == NULL)
		return;
	https_cancel(c->get);
	free(c);
}

/* on_sts_txt - RFC 8461 3.1: exactly one valid "v=STSv1;" record */
static void
on_sts_txt(void *arg, const struct dns_answer *a)
{
	struct sts_check *c = arg;
	struct sts_result *res = c->res;
	char why[ERR_MSG_MAX], id[STS_ID_MAX + 1];
	int k;

	k = one_record(a, "v=STSv1;", "_mta-sts", c->domain, why, sizeof(why));
	if (k == -2)
		fail(res, "%s", why);
	else if (k >= 0) {
		res->txt = xstrdup(a->txt.rec[k]);
		if (sts_txt_parse(res->txt, id, why, sizeof(why)) == 0)
			c->use = true;
		else
			fail(res, "the TXT record of _mta-sts.%s is bad: %s",
			    c->domain, why);
	}
	decide(c);
}

/* on_rpt_txt - RFC 8460 3: exactly one valid "v=TLSRPTv1;" record */
static void
on_rpt_txt(void *arg, const struct dns_answer *a)
{
	struct sts_check *c = arg;
	struct sts_result *res = c->res;
	char why[ERR_MSG_MAX];
	int k;

	k = one_record(
	    a, "v=TLSRPTv1;", "_smtp._tls", c->domain, why, sizeof(why));
	if (k == -2)
		say(res->rpt_error, sizeof(res->rpt_error), "%s", why);
	else if (k >= 0) {
		res->rpt_txt = xstrdup(a->txt.rec[k]);
		if (tlsrpt_parse(res->rpt_txt, res->rua, &res->nrua, why,
			sizeof(why)) == -1)
			say(res->rpt_error, sizeof(res->rpt_error),
			    "the TXT record of _smtp._tls.%s is bad: %s",
			    c->domain, why);
	}
	end_one(c);
}

/* on_addrs - where mta-sts.DOMAIN is, for the fetch */
static void
on_addrs(void *arg, const struct dns_answer *a)
{
	struct sts_check *c = arg;

	if (a->status == DNS_OK)
		c->addrs = a->addrs;
	else
		snprintf(
		    c->addr_error, sizeof(c->addr_error), "%s", a->message);
	decide(c);
}

/* decide - with the record and the addresses in: fetch, or end there */
static void
decide(struct sts_check *c)
{
	if (--c->before_fetch > 0) {
		end_one(c);
		return;
	}
	if (c->use && c->addrs.n == 0)
		fail(c->res, "the policy cannot be fetched: %s", c->addr_error);
	else if (c->use) {
		c->pending++;
		c->get = https_get(c->https, c->res->policy_url, c->host,
		    &c->addrs, c->timeout_ms, STS_POLICY_MAX, on_policy, c);
	}
	end_one(c);
}

/* on_policy - RFC 8461 3.3: a 200, text/plain, and a valid policy */
static void
on_policy(void *arg, const struct https_reply *r)
{
	struct sts_check *c = arg;
	struct sts_result *res = c->res;
	char why[ERR_MSG_MAX];

	c->get = NULL;
	if (r->error[0] != '\0')
		fail(res, "fetching %s failed: %s", res->policy_url, r->error);
	else if (r->code >= 300 && r->code < 400)
		fail(res,
		    "%s answered %ld, a redirect, which RFC 8461 3.3 forbids "
		    "following",
		    res->policy_url, r->code);
	else if (r->code != 200)
		fail(res, "%s answered HTTP %ld, not 200", res->policy_url,
		    r->code);
	else if (!text_plain(r->content_type))
		fail(res,
		    "the policy's Content-Type is \"%.64s\", not text/plain",
		    r->content_type);
	else if (sts_policy_parse(
		     r->body, r->len, &res->policy, why, sizeof(why)) == -1)
		fail(res, "the policy is bad: %s", why);
	else
		res->has_policy = true;
	end_one(c);
}

/* text_plain - the media type is text/plain, parameters aside */
static bool
text_plain(const char *type)
{
	return strncasecmp(type, "text/plain", 10) == 0 &&
	    (type[10] == '\0' || type[10] == ';' || type[10] == ' ' ||
		type[10] == '\t');
}

/*
 * one_record - the index of the answer's one record that begins with
 * prefix, as RFC 8461 3.1 and RFC 8460 3 ask; -1 when the domain has none
 * (no such record, no data, no name); -2 with why when that cannot be
 * told (several such records, a failed lookup)
 */
static int
one_record(const struct dns_answer *a, const char *prefix, const char *label,
    const char *domain, char *why, size_t len)
{
	const char *recs[DNS_TXT_MAX];
	char reason[ERR_MSG_MAX];
	size_t i;
	int k;

	why[0] = '\0';
	if (a->status == DNS_NODATA || a->status == DNS_NXDOMAIN)
		return -1;
	if (a->status != DNS_OK) {
		say(why, len, "%s", a->message);
		return -2;
	}
	for (i = 0; i < a->txt.n; i++)
		recs[i] = a->txt.rec[i];
	k = sts_txt_pick(recs, a->txt.n, prefix, reason, sizeof(reason));
	if (k == -2)
		say(why, len, "%s.%s: %s", label, domain, reason);
	return k;
}

/* fail - the first reason there is no usable policy */
static void
fail(struct sts_result *res, const char *fmt, ...)
{
	va_list ap;

	res->invalid = true;
	va_start(ap, fmt);
	vsay(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

/* say - a sentence into dst, unless one is there */
static void
say(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(dst, len, fmt, ap);
	va_end(ap);
}

/* vsay - say with a va_list; cut to fit */
static void
vsay(char *dst, size_t len, const char *fmt, va_list ap)
{
	if (dst[0] == '\0')
		vsnprintf(dst, len, fmt, ap);
}

/* end_one - a lookup or the fetch ended; the last one tells the caller */
static void
end_one(struct sts_check *c)
{
	if (--c->pending == 0)
		c->done(c->arg);
}
