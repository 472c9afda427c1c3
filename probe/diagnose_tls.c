/*
 * diagnose_tls.c - findings about the TLS session: did the handshake
 * work, and is the protocol version one clients still accept.
 *
 * Pure: reads struct tls_result and the mode, writes findings through
 * diag_add(). The certificate chain is judged by diagnose_cert.c, the
 * SMTP dialogue around the handshake by diagnose_dialogue.c. RFC 8996
 * (TLS 1.0 and 1.1 deprecated).
 */
#include "diagnose.h"

static bool legacy_version(const struct tls_result *);

/* diag_tls - handshake outcome and protocol version */
void
diag_tls(struct probe_result *p)
{
	const struct tls_result *t = &p->tls;

	if (diag_handshake_failed(p))
		diag_add(p, F_HANDSHAKE_FAILED,
		    "The TLS handshake "
		    "on port %d failed: %s%s%s. Clients cannot protect mail "
		    "here; check the server's certificate, key and allowed "
		    "TLS versions and ciphers.",
		    p->port, t->error[0] ? t->error : "unknown error",
		    t->alert[0] ? "; alert " : "", t->alert);
	if (t->established && legacy_version(t))
		diag_add(p, F_TLS_LEGACY_VERSION,
		    "The server "
		    "negotiated %s, which RFC 8996 deprecates; current clients "
		    "refuse it. Enable TLS 1.2 and 1.3 on the server.",
		    tls_version_names[t->version]);
}

/*
 * diag_handshake_failed - a handshake was tried and failed. Without a
 * dialogue (mode unknown) the failure is the dialogue's, not TLS's.
 */
bool
diag_handshake_failed(const struct probe_result *p)
{
	return p->tls.attempted && !p->tls.established &&
	    p->mode != MODE_UNKNOWN;
}

/* legacy_version - SSL 3.0, TLS 1.0 or TLS 1.1 */
static bool
legacy_version(const struct tls_result *t)
{
	return t->version == TLSV_SSL3 || t->version == TLSV_1_0 ||
	    t->version == TLSV_1_1;
}
