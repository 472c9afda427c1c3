/*
 * ocsp.c - what a stapled OCSP response says, and whether it can be
 * believed (RFC 6960 4.2, 4.2.2.2 for delegated responders; RFC 6066 8
 * for stapling; RFC 7633 for must-staple).
 *
 * A client that checks staples (GnuTLS's gnutls_certificate_verify_peers,
 * browsers) rejects the server when the staple says revoked, and also when
 * it does not verify or has expired; the probe reports each case rather
 * than failing. Nothing is fetched: the probe judges what the server sent,
 * the one thing under the operator's control. The response's signature is
 * checked with the leaf's issuer from the chain as sent, or from the trust
 * list when a root issued the leaf directly; GnuTLS checks a delegated
 * signer's certificate (issued by that issuer, id-kp-OCSPSigning).
 */
#include "ocsp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/ocsp.h>

/* Entries of one response looked at for the leaf: a staple carries one. */
#define OCSP_SINGLES_MAX 16
/* Authority Information Access entries looked at for the OCSP URL. */
#define OCSP_AIA_MAX 16

const char *const ocsp_status_names[] = {
    [OCSP_STATUS_NONE] = NULL,
    [OCSP_GOOD] = "good",
    [OCSP_REVOKED] = "revoked",
    [OCSP_UNKNOWN] = "unknown",
};

static void leaf_facts(gnutls_x509_crt_t, struct ocsp_result *);
static int read_entry(
    gnutls_ocsp_resp_t, gnutls_x509_crt_t, struct ocsp_result *, bool *);
static gnutls_x509_crt_t find_issuer(gnutls_x509_crt_t, const gnutls_datum_t *,
    size_t, gnutls_x509_trust_list_t);
static void verify(gnutls_ocsp_resp_t, gnutls_x509_crt_t,
    const gnutls_datum_t *, size_t, gnutls_x509_trust_list_t,
    struct ocsp_result *);
static const char *verify_problem(unsigned int);
static void judge_time(struct ocsp_result *, time_t);
static void problem(struct ocsp_result *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* ocsp_examine - read and judge the staple for chain[0] */
void
ocsp_examine(const gnutls_datum_t *resp, const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust, time_t now, struct ocsp_result *out)
{
	gnutls_x509_crt_t leaf = NULL;
	gnutls_ocsp_resp_t r = NULL;
	bool for_leaf = false;
	int ret;

	memset(out, 0, sizeof(*out));
	if (n == 0 || gnutls_x509_crt_init(&leaf) < 0)
		return;
	if (gnutls_x509_crt_import(leaf, &chain[0], GNUTLS_X509_FMT_DER) < 0)
		goto out;
	leaf_facts(leaf, out);
	if (resp == NULL || resp->size == 0)
		goto out;
	out->stapled = true;
	out->verified_set = true;
	if (gnutls_ocsp_resp_init(&r) < 0)
		goto out;
	if ((ret = gnutls_ocsp_resp_import(r, resp)) < 0) {
		problem(out, "the stapled response cannot be read: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_ocsp_resp_get_status(r)) !=
	    GNUTLS_OCSP_RESP_SUCCESSFUL) {
		problem(out,
		    "the stapled response is an error from the responder "
		    "(responseStatus %d), not a certificate status",
		    ret);
		goto out;
	}
	if (read_entry(r, leaf, out, &for_leaf) == 0) {
		if (!for_leaf)
			problem(out,
			    "the stapled response is about another "
			    "certificate, not this leaf");
		verify(r, leaf, chain, n, trust, out);
		out->verified = out->verified && for_leaf;
		judge_time(out, now);
	}
out:
	if (r != NULL)
		gnutls_ocsp_resp_deinit(r);
	gnutls_x509_crt_deinit(leaf);
}

/* leaf_facts - the leaf's OCSP URL and its must-staple extension */
static void
leaf_facts(gnutls_x509_crt_t leaf, struct ocsp_result *out)
{
	gnutls_x509_tlsfeatures_t feats;
	gnutls_datum_t uri;
	unsigned int i, crit, feature;
	size_t len;
	int ret;

	/* Entries of other kinds (caIssuers) may come first. */
	for (i = 0; i < OCSP_AIA_MAX; i++) {
		ret = gnutls_x509_crt_get_authority_info_access(
		    leaf, i, GNUTLS_IA_OCSP_URI, &uri, NULL);
		if (ret == GNUTLS_E_UNKNOWN_ALGORITHM)
			continue;
		if (ret < 0)
			break;
		len = uri.size < OCSP_URL_MAX ? uri.size : OCSP_URL_MAX;
		memcpy(out->responder, uri.data, len);
		out->responder[len] = '\0';
		gnutls_free(uri.data);
		/* An empty URL names no responder; a NUL inside it is kept
		 * out of the C string, which is then shorter. */
		if (out->responder[0] != '\0')
			break;
	}
	if (gnutls_x509_tlsfeatures_init(&feats) < 0)
		return;
	if (gnutls_x509_crt_get_tlsfeatures(leaf, feats, 0, &crit) == 0)
		for (i = 0;
		     gnutls_x509_tlsfeatures_get(feats, i, &feature) == 0; i++)
			if (feature == 5) /* status_request, RFC 6066 8 */
				out->must_staple = true;
	gnutls_x509_tlsfeatures_deinit(feats);
}

/*
 * read_entry - the status of the response's entry for the leaf (else its
 * first entry, with *for_leaf false). Returns 0, or -1 with error set.
 */
static int
read_entry(gnutls_ocsp_resp_t r, gnutls_x509_crt_t leaf,
    struct ocsp_result *out, bool *for_leaf)
{
	unsigned int i, idx = 0, status;
	time_t this_u, next_u, rev;
	int ret;

	for (i = 0; i < OCSP_SINGLES_MAX; i++) {
		ret = gnutls_ocsp_resp_check_crt(r, i, leaf);
		if (ret == 0) {
			idx = i;
			*for_leaf = true;
			break;
		}
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
	}
	ret = gnutls_ocsp_resp_get_single(r, idx, NULL, NULL, NULL, NULL,
	    &status, &this_u, &next_u, &rev, NULL);
	if (ret < 0) {
		problem(out,
		    "the stapled response holds no certificate "
		    "status");
		return -1;
	}
	out->status = status == GNUTLS_OCSP_CERT_GOOD ? OCSP_GOOD
	    : status == GNUTLS_OCSP_CERT_REVOKED      ? OCSP_REVOKED
						      : OCSP_UNKNOWN;
	out->this_update = this_u != (time_t)-1 ? this_u : 0;
	out->next_update = next_u != (time_t)-1 ? next_u : 0;
	if (out->status == OCSP_REVOKED && rev != (time_t)-1)
		out->revoked_at = rev;
	return 0;
}

/* verify - the response's signature, against the leaf's issuer */
static void
verify(gnutls_ocsp_resp_t r, gnutls_x509_crt_t leaf,
    const gnutls_datum_t *chain, size_t n, gnutls_x509_trust_list_t trust,
    struct ocsp_result *out)
{
	gnutls_x509_crt_t issuer;
	unsigned int v = 0;
	int ret;

	issuer = find_issuer(leaf, chain, n, trust);
	if (issuer == NULL) {
		problem(out,
		    "the leaf's issuer is neither in the chain nor a "
		    "trusted root, so the response's signature "
		    "cannot be checked");
		return;
	}
	ret = gnutls_ocsp_resp_verify_direct(r, issuer, &v, 0);
	gnutls_x509_crt_deinit(issuer);
	if (ret < 0)
		problem(out, "the response's signature cannot be checked: %s",
		    gnutls_strerror(ret));
	else if (v != 0)
		problem(
		    out, "the response does not verify: %s", verify_problem(v));
	else
		out->verified = true;
}

/*
 * find_issuer - a copy of the certificate that issued leaf: from the
 * chain as sent, else from trust; NULL when neither has it
 */
static gnutls_x509_crt_t
find_issuer(gnutls_x509_crt_t leaf, const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust)
{
	gnutls_x509_crt_t c, copy;
	size_t i;

	for (i = 1; i < n && i < CERT_CHAIN_MAX; i++) {
		if (gnutls_x509_crt_init(&c) < 0)
			return NULL;
		if (gnutls_x509_crt_import(c, &chain[i], GNUTLS_X509_FMT_DER) ==
			0 &&
		    gnutls_x509_crt_check_issuer(leaf, c) == 1)
			return c;
		gnutls_x509_crt_deinit(c);
	}
	if (trust != NULL &&
	    gnutls_x509_trust_list_get_issuer(
		trust, leaf, &copy, GNUTLS_TL_GET_COPY) == 0)
		return copy;
	return NULL;
}

/* verify_problem - the first reason of an OCSP verification status */
static const char *
verify_problem(unsigned int v)
{
	if (v & GNUTLS_OCSP_VERIFY_SIGNER_NOT_FOUND)
		return "its signer is neither the leaf's issuer nor a "
		       "responder the issuer certified";
	if (v & GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR)
		return "its signer's certificate lacks OCSP signing "
		       "(id-kp-OCSPSigning)";
	if (v & GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER)
		return "its signer was not certified by the leaf's issuer";
	if (v & GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM)
		return "it is signed with an insecure algorithm";
	if (v & GNUTLS_OCSP_VERIFY_CERT_EXPIRED)
		return "its signer's certificate has expired";
	if (v & GNUTLS_OCSP_VERIFY_CERT_NOT_ACTIVATED)
		return "its signer's certificate is not valid yet";
	return "its signature is wrong";
}

/* judge_time - a response past its next update, or from the future */
static void
judge_time(struct ocsp_result *out, time_t now)
{
	/* Clocks differ: a response minutes from the future is usual. */
	if (out->this_update > now + 300)
		problem(out,
		    "the response is not valid yet (this update is "
		    "in the future)");
	if (out->next_update != 0 && out->next_update < now) {
		out->expired = true;
		problem(out,
		    "the response expired %lld days ago (its next update "
		    "has passed): the server staples a stale response",
		    (long long)((now - out->next_update) / 86400));
	}
}

/* problem - record why the response is not usable; the first one wins */
static void
problem(struct ocsp_result *out, const char *fmt, ...)
{
	va_list ap;

	if (out->error[0] != '\0')
		return;
	va_start(ap, fmt);
	(void)vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
}
