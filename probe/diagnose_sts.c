/*
 * diagnose_sts.c - what --mta-sts found, judged: each MX probe against
 * the domain's policy (RFC 8461 4.1), and the domain's records as a whole.
 *
 * An MX host passes its policy when its name matches one of the policy's
 * mx patterns and its certificate passes: PKIX-trusted (--cafile or the
 * system store), valid for the MX host's name, in its validity period, as
 * the probe's verification already says. mta-sts-mismatch is critical in
 * mode enforce (senders that apply the policy will not deliver there),
 * a warning in mode testing (they deliver, and report), nothing in mode
 * none. A probe that never reached its server (no address, no TCP
 * connection) does not pass either, but connect-failed already says why.
 *
 * mta-sts-invalid: a record or a policy is published and unusable (the
 * check's error says which and why). tls-rpt-missing: the domain uses
 * MTA-STS, or DANE (a probe's TLSA records are DNSSEC-secure, with
 * --dane), without a valid TLS-RPT record, so nobody hears of senders'
 * failures (RFC 8460).
 *
 * Pure: reads the check's result and the probes' observations.
 */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#include "mta_sts.h"

#define PATTERNS_TEXT 160

static const char *cert_fails(const struct probe_result *);
static bool dane_in_use(const struct target_result *);

/* diag_sts_probe - mta_sts_match of p, and mta-sts-mismatch */
void
diag_sts_probe(struct probe_result *p, const struct sts_result *s)
{
	const struct sts_policy *pol = &s->policy;
	const char *why, *pattern = NULL;
	char list[PATTERNS_TEXT];
	size_t i;

	p->mta_sts_checked = true;
	p->mta_sts_match = -1;
	if (!s->has_policy)
		return;
	for (i = 0; i < pol->nmx && pattern == NULL; i++)
		if (sts_mx_match(pol->mx[i], p->host))
			pattern = pol->mx[i];
	why = cert_fails(p);
	p->mta_sts_match = pattern != NULL && why == NULL;
	if (p->mta_sts_match || pol->mode == STS_MODE_NONE ||
	    (p->error.set &&
		(p->error.phase == PHASE_RESOLVE ||
		    p->error.phase == PHASE_CONNECT)))
		return;
	sts_mx_text(pol, list, sizeof(list));
	if (pattern == NULL)
		diag_add_milder(p, F_MTA_STS_MISMATCH,
		    pol->mode == STS_MODE_TESTING,
		    "%s matches none of the MTA-STS policy's mx patterns "
		    "(%s): in mode %s, senders %s. Add it to the policy's "
		    "mx lines (and change the policy's id), or remove it "
		    "from the MX records.",
		    p->host, list, sts_mode_names[pol->mode],
		    pol->mode == STS_MODE_ENFORCE
			? "that apply the policy will not deliver to it"
			: "deliver to it and report the failure");
	else
		diag_add_milder(p, F_MTA_STS_MISMATCH,
		    pol->mode == STS_MODE_TESTING,
		    "%s matches the MTA-STS policy's mx pattern %s, but %s: "
		    "in mode %s, senders %s. Serve a certificate from a "
		    "public CA valid for %s.",
		    p->host, pattern, why, sts_mode_names[pol->mode],
		    pol->mode == STS_MODE_ENFORCE
			? "that apply the policy will not deliver to it"
			: "deliver to it and report the failure",
		    p->host);
}

/*
 * diag_sts - mta-sts-invalid and tls-rpt-missing of the target: TLS-RPT is
 * how a domain that uses MTA-STS or DANE hears of senders' failures
 */
void
diag_sts(struct target_result *t)
{
	const struct sts_result *s = t->mta_sts;
	bool sts, dane;

	if (s == NULL)
		return;
	if (s->invalid)
		diag_add_target(t, F_MTA_STS_INVALID,
		    "%s. Senders ignore the domain's MTA-STS until it is "
		    "fixed (RFC 8461 3).",
		    s->error);
	sts = s->txt != NULL || s->has_policy;
	dane = dane_in_use(t);
	if ((sts || dane) && s->nrua == 0)
		diag_add_target(t, F_TLS_RPT_MISSING,
		    "%s uses %s without a valid TLS-RPT record%s%s%s: "
		    "publish _smtp._tls.%s TXT \"v=TLSRPTv1; "
		    "rua=mailto:...\" to hear from senders that fail to "
		    "deliver over TLS (RFC 8460).",
		    t->host,
		    sts && dane ? "MTA-STS and DANE"
			: sts   ? "MTA-STS"
				: "DANE",
		    s->rpt_error[0] != '\0' ? " (" : "", s->rpt_error,
		    s->rpt_error[0] != '\0' ? ")" : "", t->host);
}

/*
 * dane_in_use - with --dane: a probe of t found DNSSEC-secure TLSA
 * records, which DANE senders apply (RFC 7672)
 */
static bool
dane_in_use(const struct target_result *t)
{
	size_t i;

	for (i = 0; i < t->nprobes; i++)
		if (t->probes[i].dane != NULL &&
		    t->probes[i].dane->dnssec == DANE_DNSSEC_SECURE &&
		    t->probes[i].dane->nrecords > 0)
			return true;
	return false;
}

/* cert_fails - why p's certificate does not pass; NULL when it does */
static const char *
cert_fails(const struct probe_result *p)
{
	const struct verification *v = &p->verification;

	if (!p->tls.established || !v->present)
		return "no TLS session was established with it";
	if (v->errors & (1u << VERR_EXPIRED))
		return "its certificate has expired";
	if (v->errors & (1u << VERR_NOT_YET_VALID))
		return "its certificate is not valid yet";
	if (!v->trusted)
		return "its certificate is not trusted";
	if (v->hostname_match != 1)
		return "its certificate is not valid for its name";
	return NULL;
}
