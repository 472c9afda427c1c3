/*
 * findings.h - every finding id, with its severity and its README text, once.
 *
 * FINDINGS(F) lists F(name, id, severity, milder, note, means, todo):
 *   name      the C constant of enum finding_id
 *   id        the stable id of the report (report-contract.md, "Findings")
 *   severity  the severity of the finding
 *   milder    the severity where the rule judges the case milder (the same
 *             as severity for a finding that never is)
 *   note      what the README's severity column says after the severity:
 *             when the milder one applies
 *   means     the README's "what it means"
 *   todo      the README's "what to do"
 *
 * The rules (probe/diagnose*.c) expand the list into enum finding_id and
 * finding_defs[]; the README text never reaches the binary. tests/docs.bats
 * reads this file as text and derives the README's findings table, in this
 * order, and the ids it checks in the man page, the schema and
 * tests/findings.bats. Keep each F(...) in the layout below (one string a
 * line, long ones as adjacent literals) so that the script can read it.
 */
#ifndef SMTP_PROBE_FINDINGS_H
#define SMTP_PROBE_FINDINGS_H

#include <stddef.h>

#include "names.h"

/* clang-format off */
#define FINDINGS(F)							\
	F(F_CONNECT_FAILED, "connect-failed",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the name did not resolve, or no TCP connection could be "	\
	    "made",							\
	    "check the name, that the server listens on the port, and "	\
	    "firewalls")						\
	F(F_BANNER_TIMEOUT, "banner-timeout",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the connection was accepted but no 220 greeting came (in "	\
	    "`auto` mode: and implicit TLS on a second connection "	\
	    "failed too)",						\
	    "if the port speaks implicit TLS, probe it as "		\
	    "`PORT/implicit`; otherwise check the daemon and any proxy") \
	F(F_GREETING_REJECTED, "greeting-rejected",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the greeting was not 220 (e.g. 421 or 554), or EHLO (and "	\
	    "HELO after it) was refused",				\
	    "read the reply text and the server's logs (overload, "	\
	    "block lists)")						\
	F(F_STARTTLS_MISSING, "starttls-missing",			\
	    SEV_CRITICAL, SEV_WARNING, " (warning on port 25)",		\
	    "EHLO did not offer STARTTLS",				\
	    "enable STARTTLS; if it is offered elsewhere, something may " \
	    "be stripping it (STRIPTLS)")				\
	F(F_STARTTLS_REJECTED, "starttls-rejected",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "STARTTLS was offered but refused (e.g. 454)",		\
	    "fix the server's certificate or key loading")		\
	F(F_AUTH_BEFORE_TLS, "auth-before-tls",				\
	    SEV_CRITICAL, SEV_WARNING,					\
	    " when a mechanism that sends the password (PLAIN, LOGIN) "	\
	    "is offered, warning when only challenge-response ones "	\
	    "(CRAM-MD5, SCRAM-*) are",					\
	    "AUTH is offered in clear text",				\
	    "offer AUTH only inside TLS: the message names the setting "	\
	    "of the server software the greeting names (Postfix "	\
	    "`smtpd_tls_auth_only = yes`, Exim `auth_advertise_hosts`, "	\
	    "Sendmail `confAUTH_OPTIONS`, OpenSMTPD, Exchange)")		\
	F(F_IMPLICIT_PORT_SPEAKS_PLAINTEXT,				\
	    "implicit-port-speaks-plaintext",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "a port probed for implicit TLS answered in plaintext SMTP", \
	    "enable implicit TLS there (Postfix "			\
	    "`smtpd_tls_wrappermode=yes`); clients may use STARTTLS "	\
	    "there only if the port offers it")				\
	F(F_PORT_EXPECTS_IMPLICIT_TLS, "port-expects-implicit-tls",	\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "a port probed for STARTTLS sends no greeting but speaks "	\
	    "implicit TLS: STARTTLS-only clients (.NET `SmtpClient` "	\
	    "with `EnableSsl`) hang here",				\
	    "configure clients for SSL/TLS on connect on this port, or "	\
	    "serve STARTTLS there (on 587 it is what clients expect)")	\
	F(F_HANDSHAKE_FAILED, "handshake-failed",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the TLS handshake failed (the error and any alert are in "	\
	    "`tls`)",							\
	    "check the server's certificate, key, versions and ciphers") \
	F(F_TLS_LEGACY_VERSION, "tls-legacy-version",			\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "TLS 1.0 or 1.1 was negotiated, or accepted when offered "	\
	    "alone (`--tls-versions`) (RFC 8996)",			\
	    "enable TLS 1.2 and 1.3, and disable 1.0 and 1.1")		\
	F(F_CERT_UNTRUSTED, "cert-untrusted",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the chain does not lead to a trusted root (other than "	\
	    "self-signed or incomplete)",				\
	    "use a certificate from a CA the clients trust, or pass the " \
	    "right `--cafile`")						\
	F(F_CERT_EXPIRED, "cert-expired",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "a certificate in the chain has expired",			\
	    "renew it and reload the server")				\
	F(F_CERT_NOT_YET_VALID, "cert-not-yet-valid",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "a certificate is not valid yet",				\
	    "check the server's clock or the certificate's start date")	\
	F(F_CERT_EXPIRING, "cert-expiring",				\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "a certificate expires in fewer than `--warn-days` days",	\
	    "renew it before then")					\
	F(F_CERT_HOSTNAME_MISMATCH, "cert-hostname-mismatch",		\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the certificate is not valid for the SNI name",		\
	    "add the name to the subject alternative names")		\
	F(F_CERT_SELF_SIGNED, "cert-self-signed",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the leaf is self-signed",					\
	    "get a certificate from a public CA")			\
	F(F_CHAIN_INCOMPLETE, "chain-incomplete",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server sent its certificate without the intermediates " \
	    "that lead to a root",					\
	    "configure the full chain (Postfix "			\
	    "`smtpd_tls_chain_files`)")					\
	F(F_WEAK_KEY, "weak-key",					\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "RSA or DSA key under 2048 bits, EC under 256",		\
	    "reissue with a stronger key")				\
	F(F_WEAK_SIGNATURE, "weak-signature",				\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "a certificate (not a root) is signed with SHA-1 or MD5",	\
	    "reissue with SHA-256")					\
	F(F_SMTP_PROTOCOL_ERROR, "smtp-protocol-error",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server broke SMTP: a line that is not a reply, codes "	\
	    "that change inside a reply, data nobody asked for, or a "	\
	    "reply past smtp-probe's limits (`error.kind` `protocol` or " \
	    "`limit`)",							\
	    "fix the server, or the proxy or appliance in front of it "	\
	    "that rewrites SMTP")					\
	F(F_CONNECTION_LOST, "connection-lost",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server closed or reset the connection in the middle of " \
	    "the dialogue, or the TLS session broke after the handshake", \
	    "check the server's logs and limits, and anything in "	\
	    "between that cuts connections")				\
	F(F_DIALOGUE_TIMEOUT, "dialogue-timeout",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server stopped answering after the greeting (EHLO, "	\
	    "STARTTLS, handshake or EHLO inside TLS)",			\
	    "check the server's load and any proxy or firewall that "	\
	    "inspects SMTP")						\
	F(F_SMTP_NONCONFORMING, "smtp-nonconforming",			\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "replies end in a bare LF, or hold NUL or control "		\
	    "characters (RFC 5321 2.3.8)",				\
	    "fix the server; strict clients may refuse such replies")	\
	F(F_STARTTLS_RESPONSE_INJECTION, "starttls-response-injection",	\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server sent bytes after its 220 to STARTTLS, before "	\
	    "TLS (CVE-2011-0411 class)",				\
	    "fix the server or whatever sits in front of it; smtp-probe " \
	    "discarded the bytes")					\
	F(F_CHANGED_STARTTLS_LOST, "changed-starttls-lost",		\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--baseline`: STARTTLS was offered in the baseline and " \
	    "is not now",						\
	    "if the server was not changed, look for a middlebox "	\
	    "stripping STARTTLS (STRIPTLS) between the two")		\
	F(F_CHANGED_TLS_DOWNGRADED, "changed-tls-downgraded",		\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "with `--baseline`: the TLS version is lower than in the "	\
	    "baseline, or TLS is no longer established",		\
	    "check the server's TLS settings and anything that "	\
	    "intercepts TLS")						\
	F(F_CHANGED_CERTIFICATE, "changed-certificate",			\
	    SEV_INFO, SEV_INFO, "",					\
	    "with `--baseline`: the leaf certificate is another one (the " \
	    "message gives both SHA-256 fingerprints)",			\
	    "nothing after a planned renewal; otherwise find out who "	\
	    "changed it")						\
	F(F_CHANGED_PORT_STATE, "changed-port-state",			\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "with `--baseline`: a port that accepted connections no "	\
	    "longer does, or the reverse",				\
	    "check that the server runs and what firewalls let through") \
	F(F_CHANGED_AUTH, "changed-auth",				\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "with `--baseline`: the AUTH mechanisms offered before or "	\
	    "after TLS changed",					\
	    "check that passwords are still asked for only inside TLS")	\
	F(F_CHANGED_CAPABILITIES, "changed-capabilities",		\
	    SEV_INFO, SEV_INFO, "",					\
	    "with `--baseline`: EHLO keywords other than AUTH and "	\
	    "STARTTLS changed, in clear text or inside TLS",		\
	    "nothing if the server was reconfigured on purpose")	\
	F(F_LOGIN_FAILED, "login-failed",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--auth-user`, the login inside TLS was refused: 535 "	\
	    "wrong user name or password; 534 the account needs a "	\
	    "stronger mechanism; 538 it needs encryption; 454 a "	\
	    "temporary failure on the server's side",			\
	    "TLS worked, so: on 535 check the user name (Cyrus SASL "	\
	    "often wants `user@realm`) and the password; on 454 the "	\
	    "server's SASL setup and logs; on 534 or 538 which "		\
	    "mechanisms the account may use")	\
	F(F_PORTS_SWAPPED, "ports-swapped",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "host level (the target's `findings`): the implicit-TLS port " \
	    "speaks plaintext or STARTTLS while a STARTTLS port speaks "	\
	    "implicit TLS; the message says which port does what",	\
	    "swap the two ports' settings on the server; until then "	\
	    "set clients as the message says (the port that speaks "	\
	    "implicit TLS with SSL/TLS on connect)")	\
	F(F_NULL_MX, "null-mx",						\
	    SEV_INFO, SEV_INFO, "",					\
	    "with `--mx`: the domain publishes a null MX (`MX 0 .`, RFC " \
	    "7505): it accepts no mail, and nothing was probed",	\
	    "nothing, if the domain is not meant to receive mail; "	\
	    "otherwise replace it with MX records naming the servers")	\
	F(F_MX_MISSING, "mx-missing",					\
	    SEV_INFO, SEV_INFO, "",					\
	    "with `--mx`: the domain has no MX record, so mail goes to "	\
	    "the domain's own address (RFC 5321 5.1), which was probed", \
	    "publish MX records naming the mail servers, or a null MX if " \
	    "the domain takes no mail")					\
	F(F_DNS_FAILED, "dns-failed",					\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--mx` or `--srv`: an MX or SRV lookup failed or timed " \
	    "out, or the domain does not exist (the target's `error` has " \
	    "phase `resolve`)",						\
	    "check the domain's name and its DNS servers (or the one "	\
	    "`--resolver` names)")					\
	F(F_DANE_MISMATCH, "dane-mismatch",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--dane`: the port's TLSA records are DNSSEC-signed "	\
	    "and usable, and none matches the chain the server "	\
	    "presented (or it presented none): DANE senders defer mail " \
	    "to it (RFC 7672 2.2)",					\
	    "publish the record in `dane.suggested` beside the old ones " \
	    "(RFC 7671 8.1), or serve the certificate the records name; " \
	    "change keys only after the new record has been published " \
	    "for two TTLs")						\
	F(F_DANE_BOGUS, "dane-bogus",					\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--dane`: the TLSA lookup failed DNSSEC validation "	\
	    "(the resolver answered SERVFAIL, and returned the records " \
	    "with checking disabled): DANE senders defer mail to it",	\
	    "re-sign the zone or fix its DS and DNSKEY records (expired " \
	    "signatures, a key rollover gone wrong); `delv` or "	\
	    "`dig +cd +dnssec` shows the records")	\
	F(F_MTA_STS_MISMATCH, "mta-sts-mismatch",			\
	    SEV_CRITICAL, SEV_WARNING,					\
	    " in MTA-STS mode `enforce`, warning in mode `testing`",	\
	    "with `--mta-sts`: an MX host fails the domain's MTA-STS "	\
	    "policy (RFC 8461 4.1): its name matches none of the "	\
	    "policy's `mx` patterns, or its certificate is not trusted, " \
	    "not valid for its name, or expired; senders that apply an " \
	    "`enforce` policy will not deliver to it",			\
	    "list the host in the policy's `mx` lines (and change the "	\
	    "id of the `_mta-sts` record), or serve a certificate from "	\
	    "a public CA valid for the MX host's name")			\
	F(F_MTA_STS_INVALID, "mta-sts-invalid",				\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "with `--mta-sts`, in the target's `findings`: the domain "	\
	    "publishes MTA-STS but senders cannot use it: a bad or "	\
	    "second `v=STSv1` TXT record, or a policy that cannot be "	\
	    "fetched (no address, TLS or certificate failure, a "	\
	    "redirect, not 200, not `text/plain`, too big, too slow) or " \
	    "is not valid; `mta_sts.error` says which",		\
	    "fix what `mta_sts.error` names; senders ignore the "	\
	    "policy until then")					\
	F(F_TLS_RPT_MISSING, "tls-rpt-missing",				\
	    SEV_INFO, SEV_INFO, "",					\
	    "with `--mta-sts`, in the target's `findings`: the domain "	\
	    "uses MTA-STS (or, with `--dane` too, DNSSEC-signed TLSA "	\
	    "records) without a valid TLS-RPT record (RFC 8460), so "	\
	    "nobody hears of senders that fail to deliver over TLS",	\
	    "publish a TXT record `v=TLSRPTv1; rua=mailto:...` at "	\
	    "`_smtp._tls.DOMAIN`")	\
	F(F_STARTTLS_INJECTION, "starttls-injection",			\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "with `--check-injection`: the server answered, inside TLS, " \
	    "a NOOP sent in clear text in the same write as STARTTLS: it " \
	    "keeps plaintext across the upgrade, so an attacker can "	\
	    "inject commands into the encrypted session (CVE-2011-0411)", \
	    "update the mail server (Postfix 2.8 and the 2.4 to 2.7 "	\
	    "patch releases of March 2011 fixed it); a proxy or load "	\
	    "balancer in front of it must also discard what it "	\
	    "buffered when STARTTLS is accepted")			\
	F(F_OCSP_REVOKED, "ocsp-revoked",				\
	    SEV_CRITICAL, SEV_CRITICAL, "",				\
	    "the server staples an OCSP response, signed for the "	\
	    "certificate's issuer and about this certificate, that says " \
	    "it is revoked",						\
	    "install a new key and certificate now: clients that check " \
	    "revocation refuse this one")				\
	F(F_OCSP_MISSING, "ocsp-missing",				\
	    SEV_INFO, SEV_INFO, "",					\
	    "the certificate names an OCSP responder (Authority "	\
	    "Information Access) but the server staples no response; a " \
	    "certificate that names none raises nothing",		\
	    "staple where the server can (Exim `tls_ocsp_file`; Postfix " \
	    "cannot staple, nothing to do there); a must-staple "	\
	    "certificate (RFC 7633) needs it, or clients that honour it " \
	    "refuse the connection")					\
	F(F_OCSP_INVALID, "ocsp-invalid",				\
	    SEV_WARNING, SEV_WARNING, "",				\
	    "the stapled OCSP response cannot be used: it does not "	\
	    "verify against the certificate's issuer, is about another " \
	    "certificate, cannot be read, or has expired (its next "	\
	    "update has passed); the message says which, and the status " \
	    "it claims",						\
	    "make the server refresh its staple from the CA's "		\
	    "responder (and check which responder and issuer it uses); " \
	    "clients that check staples may refuse the connection")
/* clang-format on */

#define FINDING_ENUM(name, id, sev, milder, note, means, todo) name,

/* The findings, in documentation order. */
enum finding_id { FINDINGS(FINDING_ENUM) F_COUNT };

struct finding_def {
	const char *id;
	enum severity severity;
	enum severity milder; /* where the rule judges the case milder */
};

/* Every finding id diagnose() can raise, indexed by enum finding_id. */
extern const struct finding_def finding_defs[];
extern const size_t finding_defs_count;

#endif
