/*
 * names.h - the enums that reach the report, and their contract strings.
 *
 * Each enum has exactly one name table (names.c, designated initializers), and
 * the strings are the ones report-contract.md promises to users.
 */
#ifndef SMTP_PROBE_NAMES_H
#define SMTP_PROBE_NAMES_H

enum phase {
	PHASE_INPUT, /* a bad line of -f: nothing was probed */
	PHASE_RESOLVE,
	PHASE_CONNECT,
	PHASE_BANNER,
	PHASE_EHLO,
	PHASE_STARTTLS,
	PHASE_HANDSHAKE,
	PHASE_EHLO_TLS,
	PHASE_QUIT,
	PHASE_COUNT
};

enum err_kind {
	KIND_TIMEOUT,
	KIND_REFUSED,
	KIND_RESET,
	KIND_CLOSED,
	KIND_PROTOCOL,
	KIND_TLS,
	KIND_DNS,
	KIND_LIMIT,
	KIND_SYNTAX, /* a -f line that is not a TARGET */
	KIND_COUNT
};

/* What was asked for; MODE_AUTO never describes a dialogue that took place. */
enum mode {
	MODE_AUTO,
	MODE_STARTTLS,
	MODE_IMPLICIT,
	MODE_PLAIN,
	MODE_UNKNOWN,
	MODE_COUNT
};

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL, SEV_COUNT };

/* A probe's verdict: its worst finding, info counting as ok. */
enum status { STATUS_OK, STATUS_WARNING, STATUS_CRITICAL, STATUS_COUNT };

/* Certificate verification failures; a bit each in verification.errors. */
enum verr {
	VERR_UNTRUSTED,
	VERR_EXPIRED,
	VERR_NOT_YET_VALID,
	VERR_SELF_SIGNED,
	VERR_HOSTNAME_MISMATCH,
	VERR_CHAIN_INCOMPLETE,
	VERR_SIGNER_NOT_CA,
	VERR_INSECURE_ALGORITHM,
	VERR_INVALID_SIGNATURE,
	VERR_REVOKED,
	VERR_CHAIN_TOO_LONG,
	VERR_PURPOSE_MISMATCH,
	VERR_OTHER,
	VERR_COUNT
};

enum transcript_dir { TDIR_SENT, TDIR_RECEIVED, TDIR_TLS, TDIR_COUNT };

/* The negotiated protocol version; unknown is "" (null in the report). */
enum tls_version {
	TLSV_UNKNOWN,
	TLSV_SSL3,
	TLSV_1_0,
	TLSV_1_1,
	TLSV_1_2,
	TLSV_1_3,
	TLSV_COUNT
};

/*
 * A certificate's public key algorithm; unknown is "" (a key GnuTLS could
 * not name, or one newer than this list).
 */
enum pk_alg {
	PK_UNKNOWN,
	PK_RSA,
	PK_RSA_PSS,
	PK_DSA,
	PK_EC,
	PK_EDDSA,
	PK_DH,
	PK_X25519,
	PK_X448,
	PK_GOST_01,
	PK_GOST_12_256,
	PK_GOST_12_512,
	PK_COUNT
};

/* The SASL mechanism of a login (--auth-user); none: not attempted. */
enum login_mech { MECH_NONE, MECH_PLAIN, MECH_LOGIN, MECH_COUNT };

extern const char *const phase_names[PHASE_COUNT];
extern const char *const kind_names[KIND_COUNT];
extern const char *const mode_names[MODE_COUNT];
extern const char *const severity_names[SEV_COUNT];
extern const char *const status_names[STATUS_COUNT];
extern const char *const verr_names[VERR_COUNT];
extern const char *const tdir_names[TDIR_COUNT];
extern const char *const tls_version_names[TLSV_COUNT];
extern const char *const pk_alg_names[PK_COUNT];
extern const char *const login_mech_names[MECH_COUNT];

/*
 * names_lookup - index of s in a name table of n entries, or -1.
 */
int names_lookup(const char *const *table, int n, const char *s);

#endif
