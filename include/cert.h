/*
 * cert.h - the certificate chain as sent: inspection, verification, trust.
 *
 * Three files share this header, in Postfix's tls_*.c manner:
 *   cert_inspect.c  cert_examine(): parses each certificate once, describes
 *                   it (struct cert_info) and has the chain verified
 *   cert_verify.c   judges the parsed chain: trust, name, completeness,
 *                   validity against "now"
 *   cert_trust.c    loads the trust anchors (files; the only I/O here)
 *
 * The handshake never verifies (a probe must see bad certificates); these
 * functions judge the chain afterwards and keep every failure reason.
 * "now" is a parameter so that tests can pin time.
 */
#ifndef SMTP_PROBE_CERT_H
#define SMTP_PROBE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bounds.h"
#include "result.h"

/*
 * The signatures of a chain cost most of a probe's CPU (three ECDSA or RSA
 * verifications against one key exchange), and an MX farm, a monitoring
 * run or a fleet behind one provider presents the same chain again and
 * again. GnuTLS's verdict does not depend on the time (time is judged by
 * this code) nor on the name, so it is kept per chain: the SHA-256 of the
 * DER as sent. Bounded; the oldest entry makes room. Owned by the run,
 * for one trust list.
 */
struct cert_cache {
	struct {
		unsigned char key[32]; /* SHA-256 over every DER sent */
		unsigned int status;   /* GnuTLS's verification status */
		bool used;
	} entry[CERT_CACHE_MAX];
	size_t next; /* the entry replaced next */
};

/*
 * cert_examine - describe and verify chain[0..n), the DER certificates as
 * the server sent them (leaf first). Fills r->certs and r->ncerts (at
 * most CERT_CHAIN_MAX entries; r->chain_truncated when more were sent)
 * and r->verification, against trust and, unless hostname is NULL, the
 * name. days_remaining and validity are judged against now; with_pem adds
 * each PEM. A certificate that does not parse still gets an entry, with
 * the subject "(unparsable certificate: ...)". Each certificate is parsed
 * once. r's chain must be empty (a fresh or reset result); r owns what is
 * filled in, and result_probe_free() releases it. cache (NULL: none)
 * remembers GnuTLS's verdict on chains already seen with this trust.
 */
void cert_examine(const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust, struct cert_cache *cache,
    const char *hostname, time_t now, bool with_pem, struct probe_result *r);

/*
 * cert_trust_load - trust anchors from a PEM file, or the system store when
 * cafile is NULL. Returns 0, or -1 with a sentence in err.
 */
int cert_trust_load(const char *cafile, gnutls_x509_trust_list_t *out,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * The rest is shared by cert_inspect.c and cert_verify.c only.
 */

/* Validity is judged against "now" by this code, never by GnuTLS's clock. */
#define CERT_NO_TIME_CHECKS                                                    \
	(GNUTLS_VERIFY_DISABLE_TIME_CHECKS |                                   \
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

/*
 * The chain parsed once by cert_examine(), for verification. crt[] holds
 * the certificates that parsed, in the order sent, at most CERT_CHAIN_MAX;
 * the ones that did not are left out, and counted in unparsable.
 */
struct cert_chain {
	size_t nsent;                          /* certificates sent */
	size_t n;                              /* entries of crt[] */
	gnutls_x509_crt_t crt[CERT_CHAIN_MAX]; /* owned by cert_examine() */
	bool self_signed[CERT_CHAIN_MAX];      /* crt[i] signed by its key */
	bool is_ca[CERT_CHAIN_MAX];            /* crt[i] says it is a CA */
	bool leaf;       /* the first certificate sent is crt[0] */
	bool unparsable; /* a certificate looked at did not parse */
	bool keyed;      /* key holds the chain's digest */
	unsigned char key[32];
};

/*
 * cert_verify - judge the parsed chain against trust and, unless hostname
 * is NULL, the name; validity periods against now. Every failure sets its
 * bit in v->errors; v->present is set.
 */
void cert_verify(const struct cert_chain *, gnutls_x509_trust_list_t trust,
    struct cert_cache *cache, const char *hostname, time_t now,
    struct verification *v);

#endif
