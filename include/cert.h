/*
 * cert.h - the certificate chain as sent, and its verification.
 *
 * Pure: no I/O, and "now" is a parameter so tests can pin time. The
 * handshake never verifies (a probe must see bad certificates); these
 * functions judge the chain afterwards and keep every failure reason.
 */
#ifndef SMTP_PROBE_CERT_H
#define SMTP_PROBE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "result.h"

/*
 * cert_inspect - describe each DER certificate of chain[0..n) into out[].
 * At most max entries are filled; *nout gets the count. A certificate that
 * does not parse still gets an entry, with the subject
 * "(unparsable certificate: ...)".
 * days_remaining is counted from now. with_pem adds each PEM.
 * The caller frees each entry with cert_info_free().
 */
void cert_inspect(const gnutls_datum_t *chain, size_t n, time_t now,
    bool with_pem, struct cert_info *out, size_t max, size_t *nout);

void cert_info_free(struct cert_info *);

/*
 * cert_trust_load - trust anchors from a PEM file, or the system store when
 * cafile is NULL. Returns 0, or -1 with a sentence in err.
 */
int cert_trust_load(const char *cafile, gnutls_x509_trust_list_t *out,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * cert_verify - verify chain[0..n) (leaf first, as sent) against trust and,
 * unless hostname is NULL, the name. Validity periods are judged against
 * now by this code, not by GnuTLS's clock. Every failure sets its bit in
 * v->errors; v->present is set.
 */
void cert_verify(const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust, const char *hostname, time_t now,
    struct verification *v);

void cert_examine(const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust, const char *hostname, time_t now,
    bool with_pem, struct probe_result *r);

#endif
