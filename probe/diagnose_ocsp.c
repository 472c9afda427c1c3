/*
 * diagnose_ocsp.c - findings about OCSP stapling (RFC 6066 8, RFC 6960).
 *
 * - ocsp-revoked only when the stapled response verifies (signed for the
 *   leaf's issuer, about this leaf): an unverified "revoked" proves
 *   nothing, and clients that check staples reject it as invalid, not as
 *   revoked. It raises ocsp-invalid, whose message repeats the claim.
 * - ocsp-invalid for a staple that cannot be used (does not verify, is
 *   about another certificate, unreadable, expired): clients that check
 *   staples may refuse the connection.
 * - ocsp-missing only when the leaf names an OCSP responder (AIA) and
 *   nothing was stapled: certificates without OCSP (Let's Encrypt's since
 *   2025, private CAs') give no noise. Info, as the contract says, also
 *   for a must-staple leaf; its message then says that clients honouring
 *   RFC 7633 refuse the connection.
 * Certificate verification (cert_verify.c) does not consult OCSP, so it
 * never disagrees with these findings.
 */
#include "diagnose.h"

#include <stdio.h>
#include <time.h>

#include "ocsp.h"

static const char *day(time_t, char *, size_t);

/* diag_ocsp - the staple's verdict, or its absence */
void
diag_ocsp(struct probe_result *p)
{
	const struct ocsp_result *o = &p->ocsp;
	char d[32];

	if (!p->tls.established)
		return;
	if (o->stapled && o->verified && o->status == OCSP_REVOKED)
		diag_add(p, F_OCSP_REVOKED,
		    "The server staples an OCSP response from its "
		    "certificate's issuer saying that the certificate was "
		    "revoked on %s. Clients that check revocation refuse it: "
		    "install a new key and certificate now.",
		    day(o->revoked_at, d, sizeof(d)));
	else if (o->stapled && o->error[0] != '\0')
		diag_add(p, F_OCSP_INVALID,
		    "The stapled OCSP response cannot be used: %s.%s%s%s "
		    "Clients that check staples may refuse the connection: "
		    "make the server refresh its staple from the CA's "
		    "responder.",
		    o->error,
		    o->status != OCSP_STATUS_NONE ? " It says \"" : "",
		    o->status != OCSP_STATUS_NONE ? ocsp_status_names[o->status]
						  : "",
		    o->status != OCSP_STATUS_NONE ? "\"." : "");
	if (!o->stapled && o->responder[0] != '\0')
		diag_add(p, F_OCSP_MISSING,
		    "The certificate names the OCSP responder %s, but the "
		    "server staples no response, so each client that checks "
		    "revocation has to ask the responder itself.%s",
		    o->responder,
		    o->must_staple
			? " The certificate is must-staple (RFC 7633): "
			  "clients that honour it refuse this connection. "
			  "Staple, or get a certificate without it."
			: " Staple where the server can (Postfix cannot).");
}

/* day - t as 2026-11-30, or "an unknown date" */
static const char *
day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		return "an unknown date";
	return buf;
}
