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

#include <stdio.h>

#include "versions.h"

static bool legacy_version(enum tls_version);
static void legacy_accepted(const struct probe_result *, char *, size_t);

/* diag_tls - handshake outcome and protocol version */
void
diag_tls(struct probe_result *p)
{
	const struct tls_result *t = &p->tls;
	bool negotiated = t->established && legacy_version(t->version);
	char swept[32];

	if (diag_handshake_failed(p))
		diag_add(p, F_HANDSHAKE_FAILED,
		    "The TLS handshake "
		    "on port %d failed: %s%s%s. Clients cannot protect mail "
		    "here; check the server's certificate, key and allowed "
		    "TLS versions and ciphers.",
		    p->port, t->error[0] ? t->error : "unknown error",
		    t->alert[0] ? "; alert " : "", t->alert);
	legacy_accepted(p, swept, sizeof(swept));
	if (negotiated || swept[0] != '\0')
		diag_add(p, F_TLS_LEGACY_VERSION,
		    "The server %s%s%s%s%s%s, which RFC 8996 deprecates and "
		    "current clients refuse. Enable TLS 1.2 and 1.3 on the "
		    "server%s.",
		    negotiated ? "negotiated " : "",
		    negotiated ? tls_version_names[t->version] : "",
		    negotiated && swept[0] != '\0' ? ", and " : "",
		    swept[0] != '\0' ? "accepts " : "", swept,
		    swept[0] != '\0' ? " offered alone (--tls-versions)" : "",
		    swept[0] != '\0' ? ", and disable the old versions" : "");
}

/*
 * legacy_accepted - "TLS1.0 and TLS1.1", or one of them: the legacy
 * versions the --tls-versions sweep saw accepted when offered alone;
 * "" for none
 */
static void
legacy_accepted(const struct probe_result *p, char *out, size_t size)
{
	enum tls_version v;
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; p->versions != NULL && i < SWEEP_VERSIONS; i++) {
		v = versions_version(i);
		if (p->versions->v[i].accepted && legacy_version(v))
			n += (size_t)snprintf(out + n, size - n, "%s%s",
			    n > 0 ? " and " : "", tls_version_names[v]);
	}
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

/* legacy_version - SSL 3.0, TLS 1.0 or TLS 1.1, negotiated or swept */
static bool
legacy_version(enum tls_version v)
{
	return v == TLSV_SSL3 || v == TLSV_1_0 || v == TLSV_1_1;
}
