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
 * The signatures of a chain cost most of a probe's CPU (two verifications
 * of the chain besides the handshake's own), and describing it most of the
 * rest; yet an MX farm, a provider's fleet or a monitoring run presents the
 * same chain again and again. So a run keeps, per chain (the SHA-256 of the
 * DER as sent), its description and what of its verification depends on
 * neither the time nor the name, with the parsed leaf to check names
 * against; validity and the name are judged anew for every probe. Bounded:
 * CERT_CACHE_MAX chains, none whose description passes
 * CERT_CACHE_ENTRY_MAX bytes; the oldest entry makes room. Owned by the
 * run, for one trust list; released with cert_cache_free().
 */
struct cert_cache {
	struct {
		bool used;
		unsigned char key[32];
		size_t ncerts;
		struct cert_info *certs; /* owned copies */
		bool truncated;
		struct verification base; /* cert_verify_chain()'s */
		gnutls_x509_crt_t leaf;   /* owned; NULL: none parsed */
	} entry[CERT_CACHE_MAX];
	size_t next; /* the entry replaced next */
};

/* cert_cache_free - release every entry */
void cert_cache_free(struct cert_cache *);

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
 * cert_file_problem - what keeps the PEM file path, named for certificates
 * (key false) or a private key (key true), from being used, in plain words
 * ("cannot be read", "not PEM: ...", "PEM, but no certificate in it ...",
 * "the private key in it is encrypted: ..."), or NULL when GnuTLS reads
 * what it should hold. A static string.
 */
const char *cert_file_problem(const char *path, bool key);

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
};

/*
 * cert_verify_chain - what of the verification does not depend on the
 * time or the name: signatures and the path to an anchor (GnuTLS), the
 * chain's completeness, the leaf's self-signature; hostname_match -1.
 */
void cert_verify_chain(const struct cert_chain *,
    gnutls_x509_trust_list_t trust, struct verification *base);

/*
 * cert_verify_finish - v from base and the described certs[0..n): their
 * validity periods against now, and unless hostname is NULL the name
 * against leaf (NULL: no leaf was parsed, so no name matches). Every
 * failure sets its bit in v->errors; trusted follows from them.
 */
void cert_verify_finish(struct verification *v, const struct verification *base,
    const struct cert_info *certs, size_t n, gnutls_x509_crt_t leaf,
    const char *hostname, time_t now);

#endif
