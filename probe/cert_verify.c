/*
 * cert_verify.c - the judgement of a parsed chain into struct verification.
 *
 * GnuTLS decides the signatures and the path to a trust anchor
 * (RFC 5280 6); this file adds what a probe needs beyond it: validity
 * periods judged against "now" (GnuTLS's time checks are switched off),
 * self-signature, completeness of the chain as sent (RFC 8446 4.4.2), and
 * the host name (RFC 6125, IP literals included, matched by GnuTLS).
 * Every reason found is kept, none stops the others.
 *
 * Works on the certificates cert_examine() parsed once (struct cert_chain),
 * and never parses, describes or frees one itself. No I/O, no clock.
 */
#include "cert.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bounds.h"
#include "names.h"
#include "result.h"

#define VBIT(e) (1u << (e))

/* The verification failures that make a chain untrusted. */
#define TRUST_ERRORS                                                           \
	(VBIT(VERR_UNTRUSTED) | VBIT(VERR_SIGNER_NOT_CA) |                     \
	    VBIT(VERR_INSECURE_ALGORITHM) | VBIT(VERR_INVALID_SIGNATURE) |     \
	    VBIT(VERR_REVOKED) | VBIT(VERR_EXPIRED) |                          \
	    VBIT(VERR_NOT_YET_VALID) | VBIT(VERR_CHAIN_TOO_LONG) |             \
	    VBIT(VERR_PURPOSE_MISMATCH))

/* GnuTLS status bits with a reason of their own; others become "other". */
static const struct {
	unsigned int status;
	enum verr verr;
} status_map[] = {
    {GNUTLS_CERT_SIGNER_NOT_FOUND, VERR_UNTRUSTED},
    {GNUTLS_CERT_SIGNER_NOT_CA, VERR_SIGNER_NOT_CA},
    {GNUTLS_CERT_INSECURE_ALGORITHM, VERR_INSECURE_ALGORITHM},
    {GNUTLS_CERT_SIGNATURE_FAILURE, VERR_INVALID_SIGNATURE},
    {GNUTLS_CERT_REVOKED, VERR_REVOKED},
    {GNUTLS_CERT_PURPOSE_MISMATCH, VERR_PURPOSE_MISMATCH},
    /* Not expected with CERT_NO_TIME_CHECKS, but mapped if GnuTLS says so. */
    {GNUTLS_CERT_EXPIRED, VERR_EXPIRED},
    {GNUTLS_CERT_NOT_ACTIVATED, VERR_NOT_YET_VALID},
};

static bool is_anchor(gnutls_x509_trust_list_t, gnutls_x509_crt_t);
static bool has_anchor_issuer(gnutls_x509_trust_list_t, gnutls_x509_crt_t);
static bool same_key(gnutls_x509_crt_t, gnutls_x509_crt_t);
static int chain_status(gnutls_x509_trust_list_t, gnutls_x509_crt_t const *,
    size_t, unsigned int *);
static unsigned int status_errors(unsigned int, bool);
static int match_hostname(gnutls_x509_crt_t, const char *);
static bool walk_chain(
    const struct cert_chain *, gnutls_x509_trust_list_t, bool *);

/*
 * cert_verify_chain - what does not change with the time or the name:
 * completeness, GnuTLS's verdict on signatures and the path, and the
 * self-signature of the leaf
 */
void
cert_verify_chain(const struct cert_chain *pc, gnutls_x509_trust_list_t trust,
    struct verification *base)
{
	unsigned int errs = 0, status;
	bool nonca_signer = false;

	memset(base, 0, sizeof(*base));
	base->present = true;
	base->hostname_match = -1;
	if (pc->nsent == 0) {
		base->errors = VBIT(VERR_UNTRUSTED);
		return;
	}
	if (pc->nsent > CERT_CHAIN_MAX)
		errs |= VBIT(VERR_CHAIN_TOO_LONG);
	/* Unparsable certificates are left out; they are described by
	 * cert_examine(), and here they are "other". */
	if (pc->unparsable)
		errs |= VBIT(VERR_OTHER);
	if (!pc->leaf) {
		/* No leaf: nothing is proven. */
		base->errors = errs | VBIT(VERR_UNTRUSTED);
		return;
	}
	base->chain_complete = walk_chain(pc, trust, &nonca_signer);
	if (!base->chain_complete)
		errs |= VBIT(VERR_CHAIN_INCOMPLETE);
	if (chain_status(trust, pc->crt, pc->n, &status) == 0)
		errs |= status_errors(status, nonca_signer);
	else
		errs |= VBIT(VERR_UNTRUSTED) | VBIT(VERR_OTHER);
	if (pc->self_signed[0] && !is_anchor(trust, pc->crt[0]))
		errs |= VBIT(VERR_SELF_SIGNED);
	base->errors = errs;
}

/*
 * cert_verify_finish - v from base: the validity periods of the parsed
 * certificates against now (a time GnuTLS could not read is (time_t)-1,
 * which counts as expired), the name against the leaf, and the verdict
 */
void
cert_verify_finish(struct verification *v, const struct verification *base,
    const struct cert_info *certs, size_t n, gnutls_x509_crt_t leaf,
    const char *hostname, time_t now)
{
	size_t i;

	*v = *base;
	if (hostname != NULL)
		(void)snprintf(v->name, sizeof(v->name), "%s", hostname);
	/* No chain: nothing to check a name against, and nothing proven. */
	if (n == 0)
		goto out;
	for (i = 0; leaf != NULL && i < n; i++) {
		if (!certs[i].parsed)
			continue;
		if (certs[i].not_after < now)
			v->errors |= VBIT(VERR_EXPIRED);
		if (certs[i].not_before > now)
			v->errors |= VBIT(VERR_NOT_YET_VALID);
	}
	if (hostname != NULL) {
		v->hostname_match =
		    leaf != NULL ? match_hostname(leaf, hostname) : 0;
		if (!v->hostname_match)
			v->errors |= VBIT(VERR_HOSTNAME_MISMATCH);
	}
out:
	v->trusted = (v->errors & TRUST_ERRORS) == 0;
}

/*
 * is_anchor - crt is itself in the trust list: an anchor with its name and
 * its key (GnuTLS trusts a certificate with the same name and key as an
 * anchor, so a renewed self-signed certificate counts too).
 */
static bool
is_anchor(gnutls_x509_trust_list_t trust, gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t ca;
	bool same;

	if (trust == NULL ||
	    gnutls_x509_trust_list_get_issuer(
		trust, crt, &ca, GNUTLS_TL_GET_COPY) < 0)
		return false;
	same = gnutls_x509_crt_equals(ca, crt) || same_key(ca, crt);
	gnutls_x509_crt_deinit(ca);
	return same;
}

/* has_anchor_issuer - the trust list holds an issuer of crt */
static bool
has_anchor_issuer(gnutls_x509_trust_list_t trust, gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t ca;

	if (trust == NULL ||
	    gnutls_x509_trust_list_get_issuer(
		trust, crt, &ca, GNUTLS_TL_GET_COPY) < 0)
		return false;
	gnutls_x509_crt_deinit(ca);
	return true;
}

/* same_key - a and b carry the same public key */
static bool
same_key(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	unsigned char ida[64], idb[64];
	size_t la = sizeof(ida), lb = sizeof(idb);

	if (gnutls_x509_crt_get_key_id(a, GNUTLS_KEYID_USE_SHA256, ida, &la) <
		0 ||
	    gnutls_x509_crt_get_key_id(b, GNUTLS_KEYID_USE_SHA256, idb, &lb) <
		0)
		return false;
	return la == lb && memcmp(ida, idb, la) == 0;
}

/*
 * chain_status - GnuTLS's verdict on the chain, in *status. No host name
 * goes in the typed data: the name is judged separately, so a name mismatch
 * never hides or adds a trust reason. Without a trust list nothing can be
 * trusted. Returns -1 if GnuTLS could not verify at all. GnuTLS takes
 * the list without const, so it gets a copy of the handles.
 */
static int
chain_status(gnutls_x509_trust_list_t trust, gnutls_x509_crt_t const *crts,
    size_t n, unsigned int *status)
{
	gnutls_x509_crt_t list[CERT_CHAIN_MAX];

	*status = 0;
	if (trust == NULL) {
		*status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
		return 0;
	}
	memcpy(list, crts, n * sizeof(list[0]));
	if (gnutls_x509_trust_list_verify_crt2(trust, list, (unsigned int)n,
		NULL, 0, CERT_NO_TIME_CHECKS, status, NULL) < 0)
		return -1;
	return 0;
}

/*
 * status_errors - every GnuTLS status bit as a verr bit. GnuTLS reports a
 * leaf that signs another leaf as a "signer constraints" failure, which also
 * covers name constraints and key usage; when the walk found a non-CA
 * signer among the certificates sent, it is reported as signer-not-ca, else
 * as other. INVALID is only a summary: it becomes "untrusted" when no trust
 * reason explains it, so an invalid chain is never called trusted, even
 * when its only reason is "other".
 */
static unsigned int
status_errors(unsigned int status, bool nonca_signer)
{
	unsigned int bit, errs = 0;
	size_t i;

	for (bit = 1; bit != 0; bit <<= 1) {
		if (!(status & bit) || bit == GNUTLS_CERT_INVALID)
			continue;
		for (i = 0; i < sizeof(status_map) / sizeof(status_map[0]); i++)
			if (status_map[i].status == bit)
				break;
		if (i < sizeof(status_map) / sizeof(status_map[0]))
			errs |= VBIT(status_map[i].verr);
		else if (bit == GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE &&
		    nonca_signer)
			errs |= VBIT(VERR_SIGNER_NOT_CA);
		else
			errs |= VBIT(VERR_OTHER);
	}
	if ((status & GNUTLS_CERT_INVALID) && !(errs & TRUST_ERRORS))
		errs |= VBIT(VERR_UNTRUSTED);
	return errs;
}

/*
 * match_hostname - 1 if the leaf is valid for hostname (DNS name or IP
 * literal, RFC 6125 rules as GnuTLS applies them), else 0. One trailing dot
 * is dropped first: "mx.example.com." is the same DNS name, and GnuTLS
 * would not match it.
 */
static int
match_hostname(gnutls_x509_crt_t leaf, const char *hostname)
{
	char name[HOSTNAME_MAX + 1];
	size_t len;

	len = strlen(hostname);
	if (len > 1 && hostname[len - 1] == '.' && len - 1 <= HOSTNAME_MAX) {
		memcpy(name, hostname, len - 1);
		name[len - 1] = '\0';
		hostname = name;
	}
	if (*hostname == '\0')
		return 0;
	return gnutls_x509_crt_check_hostname2(leaf, hostname, 0) ? 1 : 0;
}

/*
 * walk_chain - chain completeness: from the leaf, follow issuers among the
 * certificates sent. Complete iff some path reaches a self-signed
 * certificate, one whose issuer is in the trust list, or an intermediate
 * CA: servers are not expected to send the root (RFC 8446 4.4.2), so a
 * chain that stops at a CA is as complete as the server can make it, and
 * an unknown root is "untrusted", not "incomplete". This is a breadth
 * first search over at most CERT_CHAIN_MAX nodes, each visited once, so a
 * loop of cross-signed certificates ends and a wrong first choice between
 * two candidate issuers cannot hide a good path. *nonca_signer is set when
 * an issuer found among the certificates sent is not a CA. Self-signature
 * and CA status come from the one inspection of each certificate.
 */
static bool
walk_chain(const struct cert_chain *pc, gnutls_x509_trust_list_t trust,
    bool *nonca_signer)
{
	size_t queue[CERT_CHAIN_MAX], head = 0, tail = 0, cur, j;
	bool seen[CERT_CHAIN_MAX] = {false};

	queue[tail++] = 0;
	seen[0] = true;
	while (head < tail) {
		cur = queue[head++];
		if (pc->self_signed[cur] ||
		    has_anchor_issuer(trust, pc->crt[cur]) ||
		    (cur != 0 && pc->is_ca[cur]))
			return true;
		for (j = 0; j < pc->n; j++) {
			if (seen[j] ||
			    gnutls_x509_crt_check_issuer(
				pc->crt[cur], pc->crt[j]) != 1)
				continue;
			if (!pc->is_ca[j])
				*nonca_signer = true;
			seen[j] = true;
			queue[tail++] = j;
		}
	}
	return false;
}
