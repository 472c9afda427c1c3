/*
 * dane.c - does the chain a server presented match its TLSA records
 * (RFC 7672 3, RFC 6698 2.1, RFC 7671 5)?
 *
 * Only DNSSEC-secure records are applied (RFC 7672 2.2): an insecure
 * zone's records are reported, and bogus or failed lookups are states of
 * their own. Of the records, only the two usages RFC 7672 3.1 keeps for
 * SMTP are used; PKIX-TA(0) and PKIX-EE(1) are "unusable" (3.1.3), and
 * so is an unknown usage, selector or matching type.
 *
 *   DANE-EE(3)  matches the leaf (its certificate or its public key, in
 *               full, SHA-256 or SHA-512); names and dates are ignored
 *               (3.1.1).
 *   DANE-TA(2)  matches a certificate the server sent above the leaf,
 *               which becomes the only trust anchor: the chain from the
 *               leaf up to it must verify, its dates hold, and the leaf
 *               name the TLSA base domain, the MX host (3.1.2, 3.2.2).
 *
 * The matching is GnuTLS's libgnutls-dane (dane_raw_tlsa() and
 * dane_verify_crt_raw()), never done here by hand; its own DNS lookups
 * (libunbound, blocking) are not used: the records come from the loop
 * (dns_tlsa.c). libgnutls-dane checks a DANE-TA record against the direct
 * issuer of the certificate given first only, so each certificate of the
 * chain is offered to it in turn with the one below it; the path from the
 * leaf to a match is then verified by GnuTLS's X.509 verification, its
 * dates and the name by cert_verify_finish(), as for every chain.
 */
#include "dane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/dane.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "xalloc.h"

const char *const dane_dnssec_names[DANE_DNSSEC_COUNT] = {
    [DANE_DNSSEC_ERROR] = "error",
    [DANE_DNSSEC_SECURE] = "secure",
    [DANE_DNSSEC_INSECURE] = "insecure",
    [DANE_DNSSEC_BOGUS] = "bogus",
};

/*
 * The state dane_raw_tlsa() wants (it reads only its flags), made on first
 * use and kept: each one costs a libunbound context, 0.3 ms of CPU, which
 * a state per probe would spend thousands of times in a large run.
 */
static dane_state_t lib_state;

static int judge(struct dane_result *, const struct probe_result *, time_t);
static int not_applied(struct dane_result *);
static bool usable(const struct tlsa_record *);
static dane_query_t query_of(
    dane_state_t, const struct dane_result *, unsigned int, char **);
static bool ee_match(dane_state_t, const struct dane_result *);
static bool ta_match(
    dane_state_t, struct dane_result *, const struct probe_result *, time_t);
static bool path_ok(
    const struct dane_result *, size_t, const struct probe_result *, time_t);
static void chain_free(struct dane_result *);

/* dane_keep_chain - the DER chain, for dane_apply, when --dane wants it */
void
dane_keep_chain(struct probe_result *p, const gnutls_datum_t *chain, size_t n)
{
	struct dane_result *d;
	size_t i;

	if (!p->dane_wanted)
		return;
	if (p->dane == NULL)
		p->dane = xcalloc(1, sizeof(*p->dane));
	d = p->dane;
	chain_free(d);
	for (i = 0; i < n && i < CERT_CHAIN_MAX; i++)
		result_text_set(&d->chain[i], chain[i].data, chain[i].size);
	d->nchain = i;
}

/* dane_apply - records, state and the verdict on p's chain */
void
dane_apply(struct probe_result *p, const struct tlsa_answer *ans,
    enum dane_dnssec state, const char *error, time_t now)
{
	struct dane_result *d;
	size_t i;

	if (p->dane == NULL)
		p->dane = xcalloc(1, sizeof(*p->dane));
	d = p->dane;
	d->named = tlsa_name(p->host, p->port, d->name, sizeof(d->name)) == 0;
	d->dnssec = state;
	snprintf(d->error, sizeof(d->error), "%s", error != NULL ? error : "");
	for (i = 0; ans != NULL && i < ans->n; i++) {
		d->records[i] = ans->rr[i];
		d->records[i].data = xmalloc(ans->rr[i].len);
		memcpy(d->records[i].data, ans->rr[i].data, ans->rr[i].len);
	}
	d->nrecords = i;
	d->records_truncated = ans != NULL && ans->truncated;
	if (p->ncerts > 0 && p->certs[0].parsed &&
	    p->certs[0].spki_sha256[0] != '\0')
		snprintf(d->suggested, sizeof(d->suggested), "3 1 1 %s",
		    p->certs[0].spki_sha256);
	d->match = judge(d, p, now);
	chain_free(d);
}

/* dane_end - release libgnutls-dane's state, if it was made */
void
dane_end(void)
{
	if (lib_state != NULL)
		dane_state_deinit(lib_state);
	lib_state = NULL;
}

/*
 * judge - 1 a usable record matches, 0 none does (or no chain to match),
 * -1 the records are not applied; reason says which and why
 */
static int
judge(struct dane_result *d, const struct probe_result *p, time_t now)
{
	size_t i, n = 0;

	if (not_applied(d) != 0)
		return -1;
	for (i = 0; i < d->nrecords; i++)
		n += usable(&d->records[i]);
	if (n == 0) {
		snprintf(d->reason, sizeof(d->reason),
		    "none of the records is usable for SMTP (RFC 7672 3.1.3: "
		    "PKIX-TA(0) and PKIX-EE(1) are not, nor unknown "
		    "parameters): a DANE client requires TLS, unauthenticated");
		return -1;
	}
	if (d->nchain == 0 && p->error.set &&
	    (p->error.phase == PHASE_RESOLVE ||
		p->error.phase == PHASE_CONNECT)) {
		/* Not a DANE failure: a sender tries the next address. */
		snprintf(d->reason, sizeof(d->reason),
		    "no connection was made: there is no certificate to match");
		return -1;
	}
	if (d->nchain == 0) {
		snprintf(d->reason, sizeof(d->reason),
		    "no certificate was presented: with usable TLSA records a "
		    "DANE client requires TLS, and defers the mail without it");
		return 0;
	}
	if (lib_state == NULL &&
	    dane_state_init(&lib_state,
		DANE_F_IGNORE_LOCAL_RESOLVER | DANE_F_IGNORE_DNSSEC |
		    DANE_F_INSECURE) != DANE_E_SUCCESS) {
		lib_state = NULL;
		snprintf(d->reason, sizeof(d->reason),
		    "libgnutls-dane could not start: nothing was matched");
		return -1;
	}
	if (ee_match(lib_state, d)) {
		snprintf(d->reason, sizeof(d->reason),
		    "a DANE-EE(3) record matches the leaf");
		return 1;
	}
	return ta_match(lib_state, d, p, now) ? 1 : 0;
}

/* not_applied - records that are not to be used: says why, returns -1 */
static int
not_applied(struct dane_result *d)
{
	static const char *const why[DANE_DNSSEC_COUNT] = {
	    [DANE_DNSSEC_ERROR] = "the TLSA lookup failed: a DANE client "
				  "defers the mail until it succeeds",
	    [DANE_DNSSEC_INSECURE] =
		"the zone is not DNSSEC-signed (no AD bit): its TLSA records "
		"are not used (RFC 7672 2.2)",
	    [DANE_DNSSEC_BOGUS] = "records that fail DNSSEC validation are "
				  "never used: a DANE client defers the mail",
	};

	if (!d->named)
		return -1;
	if (d->dnssec != DANE_DNSSEC_SECURE) {
		snprintf(d->reason, sizeof(d->reason), "%s", why[d->dnssec]);
		return -1;
	}
	if (d->nrecords == 0) {
		snprintf(d->reason, sizeof(d->reason),
		    "no TLSA records, and DNSSEC proves there are none: DANE "
		    "is not in use for this name");
		return -1;
	}
	return 0;
}

/* usable - DANE-TA(2) or DANE-EE(3) with parameters GnuTLS knows */
static bool
usable(const struct tlsa_record *r)
{
	return (r->usage == DANE_CERT_USAGE_LOCAL_CA ||
		   r->usage == DANE_CERT_USAGE_LOCAL_EE) &&
	    r->selector <= DANE_CERT_PK && r->mtype <= DANE_MATCH_SHA2_512;
}

/*
 * query_of - libgnutls-dane's form of d's usable records of one usage;
 * rdata[] (TLSA_RECORDS_MAX + 1, NULL-terminated) holds their bytes until
 * the query is freed. NULL: none, or the library refused them.
 */
static dane_query_t
query_of(dane_state_t s, const struct dane_result *d, unsigned int usage,
    char **rdata)
{
	int len[TLSA_RECORDS_MAX + 1];
	const struct tlsa_record *r;
	dane_query_t q = NULL;
	size_t i, n = 0;

	for (i = 0; i < d->nrecords; i++) {
		r = &d->records[i];
		if (r->usage != usage || !usable(r))
			continue;
		rdata[n] = xmalloc(r->len + 3);
		rdata[n][0] = (char)r->usage;
		rdata[n][1] = (char)r->selector;
		rdata[n][2] = (char)r->mtype;
		memcpy(rdata[n] + 3, r->data, r->len);
		len[n++] = (int)r->len + 3;
	}
	rdata[n] = NULL;
	if (n > 0 && dane_raw_tlsa(s, &q, rdata, len, 1, 0) != DANE_E_SUCCESS) {
		if (q != NULL)
			dane_query_deinit(q);
		q = NULL;
	}
	return q;
}

/* ee_match - a DANE-EE(3) record matches the leaf */
static bool
ee_match(dane_state_t s, const struct dane_result *d)
{
	char *rdata[TLSA_RECORDS_MAX + 1];
	gnutls_datum_t leaf;
	dane_query_t q;
	unsigned int v = 0;
	bool ok;
	size_t i;

	q = query_of(s, d, DANE_CERT_USAGE_LOCAL_EE, rdata);
	leaf.data = d->chain[0].data;
	leaf.size = (unsigned int)d->chain[0].len;
	ok = q != NULL &&
	    dane_verify_crt_raw(s, &leaf, 1, GNUTLS_CRT_X509, q, 0,
		DANE_VFLAG_ONLY_CHECK_EE_USAGE, &v) == DANE_E_SUCCESS &&
	    v == 0;
	if (q != NULL)
		dane_query_deinit(q);
	for (i = 0; rdata[i] != NULL; i++)
		free(rdata[i]);
	return ok;
}

/*
 * ta_match - a DANE-TA(2) record matches chain[k], k >= 1, which signed
 * chain[k - 1], and the path from the leaf to it holds (path_ok)
 */
static bool
ta_match(dane_state_t s, struct dane_result *d, const struct probe_result *p,
    time_t now)
{
	char *rdata[TLSA_RECORDS_MAX + 1];
	gnutls_datum_t pair[2];
	dane_query_t q;
	unsigned int v;
	bool found = false, ok = false;
	size_t i, k;

	q = query_of(s, d, DANE_CERT_USAGE_LOCAL_CA, rdata);
	for (k = 1; q != NULL && k < d->nchain && !ok; k++) {
		for (i = 0; i < 2; i++) {
			pair[i].data = d->chain[k - 1 + i].data;
			pair[i].size = (unsigned int)d->chain[k - 1 + i].len;
		}
		v = 0;
		if (dane_verify_crt_raw(s, pair, 2, GNUTLS_CRT_X509, q, 0,
			DANE_VFLAG_ONLY_CHECK_CA_USAGE, &v) != DANE_E_SUCCESS ||
		    v != 0)
			continue;
		found = true;
		ok = path_ok(d, k, p, now);
	}
	if (q != NULL)
		dane_query_deinit(q);
	for (i = 0; rdata[i] != NULL; i++)
		free(rdata[i]);
	if (!ok)
		snprintf(d->reason, sizeof(d->reason), "%s",
		    found ? "a DANE-TA(2) record matches a certificate of the "
			    "chain, but the chain up to it fails (name, dates "
			    "or signatures)"
			  : "no usable record matches the leaf or a CA "
			    "certificate the server sent (a DANE-TA(2) anchor "
			    "must be in the chain sent, RFC 7672 3.1.2)");
	else
		snprintf(d->reason, sizeof(d->reason),
		    "a DANE-TA(2) record matches certificate %zu of the chain, "
		    "and the leaf verifies up to it for %.64s",
		    k - 1, p->host);
	return ok;
}

/*
 * path_ok - the chain from the leaf up to chain[k] verifies with chain[k]
 * as the only trust anchor, every certificate on it is within its dates,
 * and the leaf names p->host
 */
static bool
path_ok(const struct dane_result *d, size_t k, const struct probe_result *p,
    time_t now)
{
	gnutls_x509_crt_t crt[CERT_CHAIN_MAX];
	gnutls_x509_trust_list_t tl = NULL;
	struct verification base, v;
	gnutls_datum_t der;
	unsigned int status = 1;
	size_t i, n = 0;

	for (i = 0; i <= k; i++, n++) {
		der.data = d->chain[i].data;
		der.size = (unsigned int)d->chain[i].len;
		if (gnutls_x509_crt_init(&crt[i]) < 0)
			break;
		if (gnutls_x509_crt_import(crt[i], &der, GNUTLS_X509_FMT_DER) <
		    0) {
			gnutls_x509_crt_deinit(crt[i]);
			break;
		}
	}
	if (n == k + 1 && gnutls_x509_trust_list_init(&tl, 0) == 0 &&
	    gnutls_x509_trust_list_add_cas(tl, &crt[k], 1, 0) == 1) {
		n = k; /* the list owns the anchor now */
		(void)gnutls_x509_trust_list_verify_crt2(tl, crt, (unsigned)k,
		    NULL, 0, CERT_NO_TIME_CHECKS, &status, NULL);
	}
	memset(&base, 0, sizeof(base));
	base.present = true;
	base.errors = status == 0 ? 0 : 1u << VERR_UNTRUSTED;
	cert_verify_finish(&v, &base, p->certs,
	    p->ncerts < k + 1 ? p->ncerts : k + 1, n > 0 ? crt[0] : NULL,
	    p->host, now);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crt[i]);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	return status == 0 && v.trusted && v.hostname_match == 1;
}

/* chain_free - the DER chain is not needed once matched */
static void
chain_free(struct dane_result *d)
{
	size_t i;

	for (i = 0; i < d->nchain; i++)
		result_text_free(&d->chain[i]);
	d->nchain = 0;
}
