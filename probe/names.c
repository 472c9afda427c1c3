/*
 * names.c - contract strings for every enum that reaches the report.
 *
 * Designated initializers keep each string next to its constant, so the order
 * of an enum can change without the report changing.
 */
#include "names.h"

#include <string.h>

const char *const phase_names[PHASE_COUNT] = {
    [PHASE_INPUT] = "input",
    [PHASE_RESOLVE] = "resolve",
    [PHASE_CONNECT] = "connect",
    [PHASE_BANNER] = "banner",
    [PHASE_EHLO] = "ehlo",
    [PHASE_STARTTLS] = "starttls",
    [PHASE_HANDSHAKE] = "handshake",
    [PHASE_EHLO_TLS] = "ehlo_tls",
    [PHASE_QUIT] = "quit",
};

const char *const kind_names[KIND_COUNT] = {
    [KIND_TIMEOUT] = "timeout",
    [KIND_REFUSED] = "refused",
    [KIND_RESET] = "reset",
    [KIND_CLOSED] = "closed",
    [KIND_PROTOCOL] = "protocol",
    [KIND_TLS] = "tls",
    [KIND_DNS] = "dns",
    [KIND_LIMIT] = "limit",
    [KIND_SYNTAX] = "syntax",
};

const char *const mode_names[MODE_COUNT] = {
    [MODE_AUTO] = "auto",
    [MODE_STARTTLS] = "starttls",
    [MODE_IMPLICIT] = "implicit",
    [MODE_PLAIN] = "plain",
    [MODE_UNKNOWN] = "unknown",
};

const char *const severity_names[SEV_COUNT] = {
    [SEV_INFO] = "info",
    [SEV_WARNING] = "warning",
    [SEV_CRITICAL] = "critical",
};

const char *const status_names[STATUS_COUNT] = {
    [STATUS_OK] = "ok",
    [STATUS_WARNING] = "warning",
    [STATUS_CRITICAL] = "critical",
};

const char *const verr_names[VERR_COUNT] = {
    [VERR_UNTRUSTED] = "untrusted",
    [VERR_EXPIRED] = "expired",
    [VERR_NOT_YET_VALID] = "not-yet-valid",
    [VERR_SELF_SIGNED] = "self-signed",
    [VERR_HOSTNAME_MISMATCH] = "hostname-mismatch",
    [VERR_CHAIN_INCOMPLETE] = "chain-incomplete",
    [VERR_SIGNER_NOT_CA] = "signer-not-ca",
    [VERR_INSECURE_ALGORITHM] = "insecure-algorithm",
    [VERR_INVALID_SIGNATURE] = "invalid-signature",
    [VERR_REVOKED] = "revoked",
    [VERR_CHAIN_TOO_LONG] = "chain-too-long",
    [VERR_PURPOSE_MISMATCH] = "purpose-mismatch",
    [VERR_OTHER] = "other",
};

const char *const tdir_names[TDIR_COUNT] = {
    [TDIR_SENT] = "sent",
    [TDIR_RECEIVED] = "received",
    [TDIR_TLS] = "tls",
};

/* GnuTLS's names, which the report has always carried. */
const char *const tls_version_names[TLSV_COUNT] = {
    [TLSV_UNKNOWN] = "",
    [TLSV_SSL3] = "SSL3.0",
    [TLSV_1_0] = "TLS1.0",
    [TLSV_1_1] = "TLS1.1",
    [TLSV_1_2] = "TLS1.2",
    [TLSV_1_3] = "TLS1.3",
};

/* Short names for the common keys, GnuTLS's for the others. */
/* RFC 4954 mechanism names; none is "" (null in the report). */
const char *const login_mech_names[MECH_COUNT] = {
    [MECH_NONE] = "",
    [MECH_PLAIN] = "PLAIN",
    [MECH_LOGIN] = "LOGIN",
};

const char *const pk_alg_names[PK_COUNT] = {
    [PK_UNKNOWN] = "",
    [PK_RSA] = "RSA",
    [PK_RSA_PSS] = "RSA-PSS",
    [PK_DSA] = "DSA",
    [PK_EC] = "EC",
    [PK_EDDSA] = "EdDSA",
    [PK_DH] = "DH",
    [PK_X25519] = "ECDH (X25519)",
    [PK_X448] = "ECDH (X448)",
    [PK_GOST_01] = "GOST R 34.10-2001",
    [PK_GOST_12_256] = "GOST R 34.10-2012-256",
    [PK_GOST_12_512] = "GOST R 34.10-2012-512",
};

/* names_lookup - index of s in table, or -1 */
int
names_lookup(const char *const *table, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (table[i] != NULL && strcmp(table[i], s) == 0)
			return i;
	return -1;
}
