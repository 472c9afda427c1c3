/*
 * ocsp.h - a stapled OCSP response, read and judged (RFC 6960, RFC 6066 8,
 * RFC 7633 for must-staple).
 *
 * Pure: the session hands over the DER the server stapled and the chain it
 * sent; nothing is fetched from a responder, and the result is plain data
 * (struct ocsp_result in result.h).
 */
#ifndef SMTP_PROBE_OCSP_H
#define SMTP_PROBE_OCSP_H

#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "result.h"

/* "good", "revoked", "unknown"; NULL for OCSP_STATUS_NONE (null) */
extern const char *const ocsp_status_names[];

/*
 * ocsp_examine - fill out from resp, the DER response stapled for
 * chain[0] (NULL or empty: none was stapled), judged at now:
 *   - the status, this/next update and revocation time of the response's
 *     entry for the leaf;
 *   - verified: the response is signed by the leaf's issuer, or by a
 *     responder the issuer delegated (id-kp-OCSPSigning), and is about
 *     this leaf. The issuer is the certificate of chain[1..n) that issued
 *     the leaf, else the one trust holds (a leaf issued by a root);
 *   - expired: its next update has passed; error says what makes the
 *     response unusable, first problem first;
 *   - the leaf's OCSP responder URL (Authority Information Access) and
 *     its must-staple (TLS Feature status_request) extension.
 * n == 0 (no TLS, no certificate) leaves out empty: nothing stapled, the
 * rest unknown. The signer's own validity is checked by GnuTLS against
 * its clock; everything else against now.
 */
void ocsp_examine(const gnutls_datum_t *resp, const gnutls_datum_t *chain,
    size_t n, gnutls_x509_trust_list_t trust, time_t now,
    struct ocsp_result *out);

#endif
