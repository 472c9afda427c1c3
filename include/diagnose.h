/*
 * diagnose.h - findings and client advice from what a probe observed.
 *
 * Pure: reads a probe_result, writes only its findings and advice. The
 * finding ids are a public, documented contract, listed once in
 * findings.h with their severities.
 *
 * Below diagnose() are the rules by area, one file each (Postfix's
 * smtp_*.c manner): probe/diagnose_dialogue.c, probe/diagnose_auth.c,
 * probe/diagnose_tls.c and probe/diagnose_cert.c. They are for
 * probe/diagnose*.c only. Each rule reads the observations in p, never the
 * findings raised so far, so the areas may run in any order; diagnose()
 * fixes the order of the list. diagnose_target() (probe/diagnose_host.c)
 * then judges what only the ports of one host together show.
 */
#ifndef SMTP_PROBE_DIAGNOSE_H
#define SMTP_PROBE_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "findings.h"
#include "names.h"
#include "result.h"

struct diag_params {
	int warn_days; /* cert-expiring below this */
};

/* diagnose - fill p->findings and p->advice from the rest of p */
void diagnose(struct probe_result *p, const struct diag_params *);

/*
 * diagnose_target - fill t->findings (about the target as a whole: its
 * DNS, and the ports of its host seen together) from its mx, error and
 * probes, each already judged by diagnose(); reads the probes'
 * observations only, never changes them
 */
void diagnose_target(struct target_result *t);

/* The server software a greeting names, for settings in messages. */
enum server_sw {
	SW_UNKNOWN,
	SW_POSTFIX,
	SW_EXIM,
	SW_SENDMAIL,
	SW_OPENSMTPD,
	SW_EXCHANGE
};

/* diag_server_software - the software p's greeting names, by its words */
enum server_sw diag_server_software(const struct probe_result *p);

/* diag_speaks_plaintext - asked for implicit TLS, the port spoke plaintext */
bool diag_speaks_plaintext(const struct probe_result *);
/* diag_speaks_implicit - auto mode found implicit TLS on a STARTTLS port */
bool diag_speaks_implicit(const struct probe_result *);

/*
 * diag_dns - for diagnose_target: the findings about a mail domain's DNS
 * (null-mx, mx-missing, dns-failed), from the target's mx and error
 */
void diag_dns(struct target_result *t);

/*
 * diag_sts_probe - with --mta-sts: p's mta_sts_match against the target's
 * policy s, and mta-sts-mismatch (probe/diagnose_sts.c); after diagnose()
 */
struct sts_result;
void diag_sts_probe(struct probe_result *p, const struct sts_result *s);
/* diag_sts - for diagnose_target: mta-sts-invalid and tls-rpt-missing */
void diag_sts(struct target_result *t);

/* diag_dialogue - reachability, greeting, mode, STARTTLS and AUTH */
void diag_dialogue(struct probe_result *);
/* diag_auth - AUTH offered before TLS, by what its mechanisms expose */
void diag_auth(struct probe_result *);
/* diag_error - the failure no specific finding explains, by its kind */
void diag_error(struct probe_result *);
/* diag_syntax - replies that break RFC 5321 but were understood */
void diag_syntax(struct probe_result *);
/* diag_tls - handshake outcome and protocol version */
void diag_tls(struct probe_result *);
/* diag_handshake_failed - true when diag_tls() raises handshake-failed */
bool diag_handshake_failed(const struct probe_result *);
/* diag_cert - verification and the quality of each certificate */
void diag_cert(struct probe_result *, const struct diag_params *);
/* diag_ocsp - what the stapled OCSP response says, or its absence */
void diag_ocsp(struct probe_result *);

/*
 * diag_add - append finding id with the severity of findings.h; the message
 * is formatted. Nothing happens when FINDINGS_MAX findings are there.
 * diag_add_milder is the same with the milder severity when milder is true.
 */
void diag_add(struct probe_result *, enum finding_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_add_milder(struct probe_result *, enum finding_id, bool milder,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* diag_add_target - diag_add for a finding about the host as a whole */
void diag_add_target(struct target_result *, enum finding_id, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
