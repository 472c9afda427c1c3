/*
 * diagnose_cert.c - findings about the certificate chain: its
 * verification as a whole (trust, name, completeness, validity) and the
 * quality of each certificate (expiry, key size, signature hash).
 *
 * Pure: reads struct verification and struct cert_info, which cert_*.c
 * filled in; never parses a certificate or reads the clock (days_remaining
 * was counted against the probe's "now"). Writes findings through
 * diag_add(). Key sizes after NIST SP 800-57 (112-bit security).
 */
#include "diagnose.h"

#include <stdio.h>

/* Weak-key thresholds (NIST SP 800-57: 112-bit security). */
#define RSA_BITS_MIN 2048
#define EC_BITS_MIN 256

#define VBIT(e) (1u << (e))
/* Names of a leaf quoted in cert-hostname-mismatch; the rest are counted. */
#define LEAF_NAMES_SHOWN 8

static void chain_findings(struct probe_result *);
static void trust_finding(struct probe_result *, bool);
static void name_finding(struct probe_result *);
static void leaf_names(const struct cert_info *, char *, size_t);
static void expiry_finding(
    struct probe_result *, size_t, const struct diag_params *);
static void key_finding(struct probe_result *, size_t);
static void signature_finding(struct probe_result *, size_t);
static bool has_verr(const struct probe_result *, enum verr);
static void verr_list(unsigned int, char *, size_t);

/* diag_cert - verification and the quality of each certificate */
void
diag_cert(struct probe_result *p, const struct diag_params *dp)
{
	size_t i;

	if (!p->verification.present || p->ncerts == 0)
		return;
	chain_findings(p);
	for (i = 0; i < p->ncerts; i++) {
		if (!p->certs[i].parsed)
			continue; /* nothing to judge; verification said so */
		expiry_finding(p, i, dp);
		key_finding(p, i);
		signature_finding(p, i);
	}
}

/* chain_findings - what verification found about the chain as a whole */
static void
chain_findings(struct probe_result *p)
{
	bool selfsigned = has_verr(p, VERR_SELF_SIGNED);
	bool incomplete = has_verr(p, VERR_CHAIN_INCOMPLETE);

	if (selfsigned)
		diag_add(p, F_CERT_SELF_SIGNED,
		    "The certificate is "
		    "self-signed, so no client can verify it. Get one from a "
		    "public CA (for example Let's Encrypt).");
	if (incomplete)
		diag_add(p, F_CHAIN_INCOMPLETE,
		    "The server sends "
		    "its certificate without the intermediate CA certificates "
		    "that link it to a trusted root. Mail clients do not fetch "
		    "them: configure the full chain (Postfix: "
		    "smtpd_tls_chain_files with the leaf, then the "
		    "intermediates).");
	trust_finding(p, selfsigned || incomplete);
	if (p->verification.hostname_match == 0)
		name_finding(p);
	if (has_verr(p, VERR_NOT_YET_VALID))
		diag_add(p, F_CERT_NOT_YET_VALID,
		    "A certificate in the chain is not valid yet. Check the "
		    "server's clock, or wait for the certificate's start "
		    "date.");
}

/*
 * trust_finding - cert-untrusted for every reason without a finding of its
 * own (self-signed, incomplete, expired, not yet valid, the name), so that
 * fixing those alone is not mistaken for the whole fix. explained: a
 * self-signed or incomplete chain already says why it is untrusted.
 */
static void
trust_finding(struct probe_result *p, bool explained)
{
	unsigned int others;
	char reasons[256];

	others = p->verification.errors &
	    ~(VBIT(VERR_SELF_SIGNED) | VBIT(VERR_CHAIN_INCOMPLETE) |
		VBIT(VERR_EXPIRED) | VBIT(VERR_NOT_YET_VALID) |
		VBIT(VERR_HOSTNAME_MISMATCH));
	if (explained)
		others &= ~VBIT(VERR_UNTRUSTED);
	if (others == 0)
		return;
	verr_list(others, reasons, sizeof(reasons));
	diag_add(p, F_CERT_UNTRUSTED,
	    "The certificate chain fails verification (%s): clients "
	    "that verify refuse it. Use a certificate from a CA the "
	    "clients trust, or give the right --cafile.",
	    reasons);
}

/* name_finding - the leaf is not valid for the name checked: say both */
static void
name_finding(struct probe_result *p)
{
	const char *name = p->verification.name;
	char names[512];

	if (p->ncerts > 0 && p->certs[0].parsed)
		leaf_names(&p->certs[0], names, sizeof(names));
	else
		(void)snprintf(
		    names, sizeof(names), "no name that could be read");
	diag_add(p, F_CERT_HOSTNAME_MISMATCH,
	    "The certificate is not valid for %s%s%s, the name checked (--sni, "
	    "or the target's host name); it holds %s. Add the name to the "
	    "certificate's subject alternative names, or have clients use a "
	    "name it lists.",
	    name[0] != '\0' ? "\"" : "", name[0] != '\0' ? name : "the name",
	    name[0] != '\0' ? "\"" : "", names);
}

/*
 * leaf_names - "DNS:a, DNS:b, IP:1.2.3.4 (and 3 more)", the names a leaf
 * holds (its subject when it has no alternative names)
 */
static void
leaf_names(const struct cert_info *c, char *buf, size_t size)
{
	size_t i, len = 0, shown = 0, total = c->nsan_dns + c->nsan_ip;
	const char *kind, *v;
	int n;

	buf[0] = '\0';
	if (total == 0) {
		(void)snprintf(buf, size,
		    "no subject alternative names, only "
		    "the subject %s",
		    c->subject != NULL ? c->subject : "");
		return;
	}
	for (i = 0; i < total && shown < LEAF_NAMES_SHOWN; i++, shown++) {
		kind = i < c->nsan_dns ? "DNS" : "IP";
		v = i < c->nsan_dns ? c->san_dns[i]
				    : c->san_ip[i - c->nsan_dns];
		n = snprintf(buf + len, size - len, "%s%s:%s",
		    shown > 0 ? ", " : "", kind, v);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	if (shown < total && len < size)
		(void)snprintf(
		    buf + len, size - len, " (and %zu more)", total - shown);
}

/* expiry_finding - certificate i has expired, or expires soon */
static void
expiry_finding(struct probe_result *p, size_t i, const struct diag_params *dp)
{
	const struct cert_info *c = &p->certs[i];

	if (c->days_remaining < 0)
		diag_add(p, F_CERT_EXPIRED,
		    "Certificate %zu "
		    "(%s) expired %ld days ago. Renew it and reload "
		    "the server.",
		    i, c->subject, -c->days_remaining);
	else if (c->days_remaining < dp->warn_days)
		diag_add(p, F_CERT_EXPIRING,
		    "Certificate %zu "
		    "(%s) expires in %ld days. Renew it before then.",
		    i, c->subject, c->days_remaining);
}

/* key_finding - certificate i has a key below 112-bit security */
static void
key_finding(struct probe_result *p, size_t i)
{
	const struct cert_info *c = &p->certs[i];

	if ((c->pk_algorithm == PK_RSA || c->pk_algorithm == PK_RSA_PSS ||
		c->pk_algorithm == PK_DSA) &&
	    c->pk_bits < RSA_BITS_MIN)
		diag_add(p, F_WEAK_KEY,
		    "Certificate %zu has a "
		    "%u-bit %s key; use at least %d bits (or EC "
		    "P-256).",
		    i, c->pk_bits, pk_alg_names[c->pk_algorithm], RSA_BITS_MIN);
	else if (c->pk_algorithm == PK_EC && c->pk_bits < EC_BITS_MIN)
		diag_add(p, F_WEAK_KEY,
		    "Certificate %zu has a "
		    "%u-bit EC key; use at least %d bits.",
		    i, c->pk_bits, EC_BITS_MIN);
}

/* signature_finding - certificate i is signed with a broken hash */
static void
signature_finding(struct probe_result *p, size_t i)
{
	const struct cert_info *c = &p->certs[i];

	/* A root's own signature is never checked by clients. */
	if (!c->self_signed &&
	    (c->sig_hash == SIGHASH_SHA1 || c->sig_hash == SIGHASH_MD5 ||
		c->sig_hash == SIGHASH_MD2))
		diag_add(p, F_WEAK_SIGNATURE,
		    "Certificate %zu "
		    "is signed with %s, which is broken; reissue it "
		    "with SHA-256.",
		    i, c->sig_algorithm);
}

/* has_verr - a verification error bit */
static bool
has_verr(const struct probe_result *p, enum verr v)
{
	return (p->verification.errors & VBIT(v)) != 0;
}

/* verr_list - "untrusted, chain-too-long": the names of the error bits */
static void
verr_list(unsigned int errors, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < VERR_COUNT; i++) {
		if (!(errors & VBIT(i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
		    verr_names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}
