/*
 * mta_sts.h - MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460): the
 * pure parsers and the per-target data of --mta-sts.
 *
 * The parsers read what DNS and HTTPS returned and never do I/O:
 * probe/mta_sts.c. The check that asks DNS and fetches the policy is
 * probe/sts.c; the judgement of its data is probe/diagnose_sts.c.
 */
#ifndef SMTP_PROBE_MTA_STS_H
#define SMTP_PROBE_MTA_STS_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"

/* RFC 8461 3.2: the policy's mode. */
enum sts_mode { STS_MODE_NONE, STS_MODE_TESTING, STS_MODE_ENFORCE };

extern const char *const sts_mode_names[]; /* "none", "testing", "enforce" */

/* A policy as served, parsed (RFC 8461 3.2). */
struct sts_policy {
	enum sts_mode mode;
	long max_age; /* seconds, 0..STS_MAX_AGE_MAX */
	size_t nmx;
	char mx[STS_MX_MAX][HOSTNAME_MAX + 3]; /* "*." and a domain */
};

/*
 * What --mta-sts found for one mail domain; the target owns it
 * (result_target_free releases it with sts_result_free).
 */
struct sts_result {
	char *txt; /* owned: the one "v=STSv1;" record; NULL: none used */
	char policy_url[HOSTNAME_MAX + 48];
	bool has_policy;          /* policy holds a valid policy */
	struct sts_policy policy; /* applies to the MX probes */
	char error[ERR_MSG_MAX];  /* why there is no usable policy; "" */
	bool invalid;             /* a record or policy is there but bad */
	char *rpt_txt;            /* owned: the "v=TLSRPTv1;" record */
	size_t nrua;
	char *rua[TLSRPT_RUA_MAX];   /* owned, the reporting URIs */
	char rpt_error[ERR_MSG_MAX]; /* why TLS-RPT is not usable; "" */
};

/* sts_result_free - release r and what it owns (NULL: nothing) */
void sts_result_free(struct sts_result *r);

/*
 * sts_txt_pick - RFC 8461 3.1 and RFC 8460 3: of n TXT records, those not
 * beginning with prefix ("v=STSv1;", "v=TLSRPTv1;") are discarded; returns
 * the index of the only one left, -1 when none is (the name does not use
 * the mechanism), or -2 when several are (it is published, unusably),
 * with why.
 */
int sts_txt_pick(const char *const *recs, size_t n, const char *prefix,
    char *why, size_t whylen);

/*
 * sts_txt_parse - the syntax of an MTA-STS TXT record (RFC 8461 3.1):
 * "v=STSv1", an "id" of 1 to 32 letters and digits, extensions; id gets
 * the id. Returns 0, or -1 with why.
 */
int sts_txt_parse(const char *rec, char id[STS_ID_MAX + 1], char *why,
    size_t whylen) __attribute__((warn_unused_result));

/*
 * sts_policy_parse - a policy body of len bytes (not NUL-terminated) into
 * p (RFC 8461 3.2): "key: value" lines ended by LF or CRLF, version STSv1,
 * mode, max_age, one or more mx (none needed in mode none); the first of a
 * repeated key wins; unknown keys are ignored. Returns 0, or -1 with why.
 */
int sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
    char *why, size_t whylen) __attribute__((warn_unused_result));

/*
 * sts_mx_match - whether host matches pattern (RFC 8461 4.1): equal
 * ignoring case and a final dot, or "*.rest" with host one label more
 * than rest
 */
bool sts_mx_match(const char *pattern, const char *host);

/*
 * sts_mx_text - the policy's mx patterns as "a, *.b", cut to len with
 * "..." at its end when they do not fit (len at least 4)
 */
void sts_mx_text(const struct sts_policy *p, char *buf, size_t len);

/*
 * tlsrpt_parse - a TLS-RPT record (RFC 8460 3): "v=TLSRPTv1", "rua" with
 * one or more comma-separated mailto: or https: URIs (each at most
 * TLSRPT_URI_MAX bytes, at most TLSRPT_RUA_MAX kept), extensions. The
 * URIs go into rua (owned by the caller then), their number into *nrua.
 * Returns 0, or -1 with why (rua holds nothing then).
 */
int tlsrpt_parse(const char *rec, char **rua, size_t *nrua, char *why,
    size_t whylen) __attribute__((warn_unused_result));

#endif
