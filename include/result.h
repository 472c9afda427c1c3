/*
 * result.h - everything a probe observed, as plain data.
 *
 * Nothing here is judged or rendered: session.c, tls.c and cert_*.c fill it in,
 * diagnose.c reads it to derive findings, and the renderers print it. Server
 * text is kept as raw bytes with explicit lengths (it may contain NUL or
 * invalid UTF-8); the renderers make it safe. No GnuTLS or jansson types.
 *
 * Ownership: a struct probe_result owns every pointer inside it and is
 * released with result_probe_free().
 */
#ifndef SMTP_PROBE_RESULT_H
#define SMTP_PROBE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bounds.h"
#include "names.h"

/* Raw bytes from a server; data is owned and NUL-terminated as a safety net. */
struct text {
	unsigned char *data;
	size_t len;
};

/* One SMTP reply as received (RFC 5321 4.2). */
struct reply {
	bool present;
	int code; /* 0: no valid reply code was seen */
	size_t nlines;
	struct text *lines; /* owned, nlines entries */
	bool truncated;     /* a line or reply limit was reached */
	bool bare_lf;       /* a line ended in LF without CR */
};

struct capability {
	struct text keyword; /* upper-cased */
	size_t nparams;
	struct text *params; /* owned */
};

struct ehlo_result {
	struct reply reply;
	bool helo; /* EHLO was refused; this is HELO's reply */
	size_t ncaps;
	struct capability *caps; /* owned, at most EHLO_CAPS_MAX */
	bool caps_truncated;
};

struct probe_error {
	bool set;
	enum phase phase;
	enum err_kind kind;
	char message[ERR_MSG_MAX];
};

struct starttls_result {
	bool offered;
	bool sent;
	int code;
	struct text text;      /* the reply's text, lines joined by LF */
	size_t trailing_bytes; /* sent after the 220, discarded */
};

/* Empty strings stand for "unknown" (null in the report). */
struct tls_result {
	bool attempted;
	bool established;
	enum tls_version version;
	char cipher[128];
	char group[64];
	char alert[96];
	char error[ERR_MSG_MAX];
	bool client_cert_requested; /* the server sent CertificateRequest */
};

/* The digest of a certificate's signature, judged by diagnose_cert.c. */
enum sig_hash {
	SIGHASH_UNKNOWN, /* not given, or an algorithm GnuTLS does not know */
	SIGHASH_MD2,
	SIGHASH_MD5,
	SIGHASH_SHA1,
	SIGHASH_RIPEMD160,
	SIGHASH_SHA224,
	SIGHASH_SHA256,
	SIGHASH_SHA384,
	SIGHASH_SHA512,
	SIGHASH_SHA3, /* any length */
	SIGHASH_GOST  /* GOST R 34.11-94 or Streebog */
};

struct cert_info {
	bool parsed;   /* false: GnuTLS could not read it; only sha256 is set */
	char *subject; /* owned, RFC 4514, raw from GnuTLS */
	char *issuer;  /* owned */
	char serial[2 * 64 + 1];
	time_t not_before;
	time_t not_after;
	long days_remaining;
	size_t nsan_dns;
	char **san_dns; /* owned */
	size_t nsan_ip;
	char **san_ip; /* owned */
	enum pk_alg pk_algorithm;
	unsigned int pk_bits;
	char sig_algorithm[64]; /* as GnuTLS names it ("RSA-SHA256"), or OID */
	enum sig_hash sig_hash;
	char sha256[65];
	char spki_sha256[65];
	bool self_signed;
	bool is_ca;
	char *pem; /* owned; NULL unless --pem */
};

struct verification {
	bool present;
	bool trusted;
	int hostname_match;          /* -1: no name to check */
	char name[HOSTNAME_MAX + 1]; /* the name checked; empty: none */
	bool chain_complete;
	unsigned int errors; /* bit (1u << enum verr) */
};

/*
 * A stapled OCSP response (RFC 6960, RFC 6066 8) as ocsp.c read it, and
 * what the leaf says about OCSP. Times are 0 where unknown (null in the
 * report); verified_set false: not judged (verified null).
 */
enum ocsp_cert_status {
	OCSP_STATUS_NONE, /* nothing stapled, or no status could be read */
	OCSP_GOOD,
	OCSP_REVOKED,
	OCSP_UNKNOWN
};

struct ocsp_result {
	bool stapled;
	enum ocsp_cert_status status;
	time_t this_update, next_update, revoked_at;
	bool verified_set;
	bool verified; /* signed by the leaf's issuer (or its delegate), and
			* about this leaf */
	bool expired;  /* next_update has passed */
	char error[ERR_MSG_MAX];          /* why it is not usable; "": none */
	char responder[OCSP_URL_MAX + 1]; /* the leaf's AIA OCSP URL, raw */
	bool must_staple; /* the leaf's TLS Feature status_request */
};

/*
 * --check-injection (CVE-2011-0411): NOOP sent after STARTTLS in the same
 * write, and the replies inside TLS counted (dialogue.c). judged false:
 * vulnerable is unknown (null), reason says why.
 */
struct injection_result {
	bool wanted; /* --check-injection */
	bool sent;   /* STARTTLS and NOOP went out in one write */
	bool extra;  /* a reply inside TLS that no command there asked for */
	bool judged;
	bool vulnerable;
	struct text evidence; /* owned: the reply to the NOOP, inside TLS */
	char reason[ERR_MSG_MAX];
};

struct auth_result {
	size_t nbefore;
	struct text before[AUTH_MECHS_MAX]; /* upper-cased, owned */
	size_t nafter;
	struct text after[AUTH_MECHS_MAX];
	bool only_after_tls;
};

/*
 * The login of --auth-user, attempted only inside TLS. mech is MECH_NONE
 * when it was not attempted, and why says why; code 0: no final reply to
 * AUTH (the dialogue ended first, why says so).
 */
struct login_result {
	bool wanted; /* --auth-user was given */
	enum login_mech mech;
	int code;
	struct text text; /* the final reply's lines joined by LF, owned */
	char why[ERR_MSG_MAX];
};

struct transcript_line {
	int64_t ms;
	enum transcript_dir dir;
	struct text text;
};

struct transcript {
	bool enabled;
	size_t n, cap;
	struct transcript_line *lines; /* owned */
	size_t bytes; /* counted against TRANSCRIPT_BYTES_MAX */
	bool truncated;
};

struct finding {
	const char *id; /* static, from diagnose.c's table */
	enum severity severity;
	char *message; /* owned */
};

struct client_advice {
	const char *tls;  /* "implicit", "starttls" or "none" */
	char *text;       /* owned */
	bool for_clients; /* a port mail clients use: worth showing people */
};

/* Timings in milliseconds; -1 where the phase did not run. */
struct timings {
	int64_t phase[PHASE_COUNT];
	int64_t total;
};

/* One connection a probe made, as the report lists it. */
struct attempt_result {
	enum mode mode; /* the dialogue tried: starttls, implicit or plain */
	/* --tls-versions: the one version this connection offered;
	 * unknown for the probe's own attempts */
	enum tls_version version;
	struct probe_error error;
	struct timings timing; /* total: this connection's own */
};

/*
 * --tls-versions: one handshake per version (versions.h gives the version
 * of each index); error is a sentence, empty when accepted.
 */
struct version_result {
	bool tried; /* false: not tried here, error says why */
	bool accepted;
	char error[ERR_MSG_MAX];
};

struct tls_versions_result {
	struct version_result v[SWEEP_VERSIONS];
};

/*
 * --dane (RFC 7672): the TLSA records of the probe's "_PORT._tcp.HOST",
 * their DNSSEC state, and whether the chain matched (probe/dane*.c).
 */
enum dane_dnssec {
	DANE_DNSSEC_ERROR,    /* no usable answer: timeout, SERVFAIL, ... */
	DANE_DNSSEC_SECURE,   /* the resolver validated it (AD) */
	DANE_DNSSEC_INSECURE, /* an answer without AD: unsigned zone */
	DANE_DNSSEC_BOGUS,    /* validation failed (SERVFAIL, data with CD) */
	DANE_DNSSEC_COUNT
};

struct tlsa_record {
	unsigned char usage, selector, mtype; /* RFC 6698 2.1 */
	size_t len;
	unsigned char *data; /* owned, len bytes */
};

struct dane_result {
	bool named;                   /* false: an address literal, no name */
	char name[HOSTNAME_MAX + 16]; /* "_25._tcp.mx1.example.com" */
	enum dane_dnssec dnssec;
	char error[ERR_MSG_MAX]; /* why: error, bogus, or no name */
	size_t nrecords;
	struct tlsa_record records[TLSA_RECORDS_MAX];
	bool records_truncated;
	int match;                  /* 1, 0, or -1: not applied (null) */
	char reason[ERR_MSG_MAX];   /* how match was decided */
	char suggested[2 * 32 + 7]; /* "3 1 1 <hex>"; empty: no leaf */
	size_t nchain;
	struct text chain[CERT_CHAIN_MAX]; /* DER as sent; until dane_apply */
};

struct probe_result {
	char host[HOSTNAME_MAX + 1]; /* the name probed: MX, SRV or target */
	char sni[HOSTNAME_MAX + 1];  /* empty: none sent */
	int port;
	char address[64]; /* empty: none could be resolved */
	enum mode requested_mode;
	enum mode mode; /* the dialogue that really happened */
	struct probe_error error;
	struct timings timing;
	struct reply banner;
	struct ehlo_result ehlo;
	struct starttls_result starttls;
	struct tls_result tls;
	size_t ncerts;
	struct cert_info *certs; /* owned, ncerts (<= CERT_CHAIN_MAX) entries */
	bool chain_truncated;
	struct verification verification;
	struct ocsp_result ocsp; /* probe/ocsp.c */
	struct ehlo_result ehlo_tls;
	struct injection_result injection;
	struct auth_result auth;
	struct login_result login;
	bool dane_wanted;         /* --dane: keep the chain for it */
	struct dane_result *dane; /* owned; NULL until --dane fills it */
	struct client_advice advice;
	size_t nfindings;
	struct finding findings[FINDINGS_MAX];
	struct transcript transcript;
	size_t nattempts; /* connections made, in start order */
	struct attempt_result attempts[ATTEMPTS_MAX];
	struct tls_versions_result *versions; /* owned; NULL: no sweep */
	/* What diagnose.c needs to know about the mode detection. */
	bool detected_other_mode;
	bool other_mode_tried; /* auto mode reconnected in the other mode */
	/* --mta-sts (probe/diagnose_sts.c): whether the check applied, and
	 * the match: -1 no policy (null), 0 or 1. */
	bool mta_sts_checked;
	int mta_sts_match;
	int worst; /* the worst finding's severity, -1: none (policy.c) */
	enum status status; /* worst as the report's verdict (policy.c) */
};

/* --mx: the domain's MX records, by preference. */
struct mx_record {
	int preference;
	char host[HOSTNAME_MAX + 1]; /* "." for a null MX */
};

struct mx_result {
	size_t n;
	struct mx_record records[DNS_RECORDS_MAX];
	bool implicit; /* no MX: the domain itself (RFC 5321 5.1) */
	bool null_mx;  /* "MX 0 .": no mail accepted (RFC 7505) */
};

/* --srv: RFC 6186 submission records, by priority then weight. */
enum srv_service {
	SRV_SUBMISSIONS, /* _submissions._tcp: implicit TLS (RFC 8314) */
	SRV_SUBMISSION,  /* _submission._tcp: STARTTLS */
	SRV_COUNT
};

struct srv_record {
	int priority;
	int weight;
	int port;
	char target[HOSTNAME_MAX + 1]; /* "." : the service is not offered */
};

struct srv_result {
	size_t n[SRV_COUNT];
	struct srv_record records[SRV_COUNT][DNS_RECORDS_MAX];
};

struct sts_result; /* include/mta_sts.h */

struct target_result {
	char *host;                 /* owned, as given */
	size_t index;               /* position among the targets given */
	char *sni;                  /* owned; NULL for none */
	struct probe_error error;   /* the target could not be probed at all */
	struct mx_result *mx;       /* owned; NULL without --mx */
	struct srv_result *srv;     /* owned; NULL without --srv */
	struct sts_result *mta_sts; /* owned; NULL without --mta-sts */
	size_t nfindings;           /* about the target as a whole */
	struct finding findings[TARGET_FINDINGS_MAX];
	size_t nprobes;
	struct probe_result *probes; /* owned */
};

/* result_probe_init - empty result for one port; timings unset */
void result_probe_init(struct probe_result *, int port, enum mode requested);
void result_probe_free(struct probe_result *);
void result_target_free(struct target_result *);

/* result_cert_free - release what one certificate entry owns */
void result_cert_free(struct cert_info *);
/* result_cert_copy - deep copy of src; returns the bytes dst owns */
size_t result_cert_copy(struct cert_info *dst, const struct cert_info *src);

/* result_text_set - copy len raw bytes into t (NUL-terminated copy) */
void result_text_set(struct text *t, const void *data, size_t len);
void result_text_free(struct text *t);
/* result_ehlo_free - release what an EHLO result owns, and empty it */
void result_ehlo_free(struct ehlo_result *);

/* result_fail - record the first failure of a probe; later ones are ignored */
void result_fail(struct probe_error *, enum phase, enum err_kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * result_transcript_add - append one line to the transcript if enabled.
 * Past TRANSCRIPT_BYTES_MAX the line is dropped and truncated is set.
 */
void result_transcript_add(struct transcript *, int64_t ms, enum transcript_dir,
    const void *data, size_t len);

#endif
