/*
 * diagnose.c - what is wrong with a port, and what to do about it.
 *
 * A pure function of the probe's result: every finding is derived from
 * data the report also carries, so a reader can check each one. Messages
 * say what happened in plain words and end with the fix. The ids are
 * stable (report-contract.md, "Findings"); the README documents each, and a
 * test checks that every id in finding_defs[] is documented.
 *
 * Severity: critical when mail or passwords are exposed or clients fail;
 * warning when it works but is fragile or weak; info for what is worth
 * knowing.
 */
#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Weak-key thresholds (NIST SP 800-57: 112-bit security). */
#define RSA_BITS_MIN 2048
#define EC_BITS_MIN 256

enum finding_id {
	F_CONNECT_FAILED,
	F_BANNER_TIMEOUT,
	F_GREETING_REJECTED,
	F_STARTTLS_MISSING,
	F_STARTTLS_REJECTED,
	F_AUTH_BEFORE_TLS,
	F_IMPLICIT_PORT_SPEAKS_PLAINTEXT,
	F_PORT_EXPECTS_IMPLICIT_TLS,
	F_HANDSHAKE_FAILED,
	F_TLS_LEGACY_VERSION,
	F_CERT_UNTRUSTED,
	F_CERT_EXPIRED,
	F_CERT_NOT_YET_VALID,
	F_CERT_EXPIRING,
	F_CERT_HOSTNAME_MISMATCH,
	F_CERT_SELF_SIGNED,
	F_CHAIN_INCOMPLETE,
	F_WEAK_KEY,
	F_WEAK_SIGNATURE,
	F_STARTTLS_RESPONSE_INJECTION,
	F_SMTP_PROTOCOL_ERROR,
	F_CONNECTION_LOST,
	F_DIALOGUE_TIMEOUT,
	F_SMTP_NONCONFORMING,
	F_COUNT
};

const struct finding_def finding_defs[F_COUNT] = {
    [F_CONNECT_FAILED] = {"connect-failed", SEV_CRITICAL},
    [F_BANNER_TIMEOUT] = {"banner-timeout", SEV_CRITICAL},
    [F_GREETING_REJECTED] = {"greeting-rejected", SEV_CRITICAL},
    [F_STARTTLS_MISSING] = {"starttls-missing", SEV_CRITICAL},
    [F_STARTTLS_REJECTED] = {"starttls-rejected", SEV_CRITICAL},
    [F_AUTH_BEFORE_TLS] = {"auth-before-tls", SEV_CRITICAL},
    [F_IMPLICIT_PORT_SPEAKS_PLAINTEXT] = {"implicit-port-speaks-plaintext",
	SEV_CRITICAL},
    [F_PORT_EXPECTS_IMPLICIT_TLS] = {"port-expects-implicit-tls", SEV_WARNING},
    [F_HANDSHAKE_FAILED] = {"handshake-failed", SEV_CRITICAL},
    [F_TLS_LEGACY_VERSION] = {"tls-legacy-version", SEV_WARNING},
    [F_CERT_UNTRUSTED] = {"cert-untrusted", SEV_CRITICAL},
    [F_CERT_EXPIRED] = {"cert-expired", SEV_CRITICAL},
    [F_CERT_NOT_YET_VALID] = {"cert-not-yet-valid", SEV_CRITICAL},
    [F_CERT_EXPIRING] = {"cert-expiring", SEV_WARNING},
    [F_CERT_HOSTNAME_MISMATCH] = {"cert-hostname-mismatch", SEV_CRITICAL},
    [F_CERT_SELF_SIGNED] = {"cert-self-signed", SEV_CRITICAL},
    [F_CHAIN_INCOMPLETE] = {"chain-incomplete", SEV_CRITICAL},
    [F_WEAK_KEY] = {"weak-key", SEV_WARNING},
    [F_WEAK_SIGNATURE] = {"weak-signature", SEV_WARNING},
    [F_STARTTLS_RESPONSE_INJECTION] = {"starttls-response-injection",
	SEV_CRITICAL},
    [F_SMTP_PROTOCOL_ERROR] = {"smtp-protocol-error", SEV_CRITICAL},
    [F_CONNECTION_LOST] = {"connection-lost", SEV_CRITICAL},
    [F_DIALOGUE_TIMEOUT] = {"dialogue-timeout", SEV_CRITICAL},
    [F_SMTP_NONCONFORMING] = {"smtp-nonconforming", SEV_WARNING},
};
const size_t finding_defs_count = F_COUNT;

static void add(struct probe_result *, enum finding_id, enum severity,
    const char *, ...) __attribute__((format(printf, 4, 5)));
static void dialogue_findings(struct probe_result *);
static void error_findings(struct probe_result *);
static void syntax_findings(struct probe_result *);
static bool has_finding(const struct probe_result *, enum finding_id);
static bool reply_has_controls(const struct reply *);
static const struct ehlo_result *refused_ehlo(const struct probe_result *);
static void verr_list(unsigned int, char *, size_t);
static void tls_findings(struct probe_result *);
static void cert_findings(struct probe_result *, const struct diag_params *);
static void advise(struct probe_result *);
static bool expects_starttls(const struct probe_result *);
static bool has_verr(const struct probe_result *, enum verr);

/* diagnose - findings and advice for one probe */
void
diagnose(struct probe_result *p, const struct diag_params *dp)
{
	size_t i;

	/* Judging the same result again gives the same findings, once. */
	for (i = 0; i < p->nfindings; i++)
		free(p->findings[i].message);
	p->nfindings = 0;
	free(p->advice.text);
	p->advice.text = NULL;
	dialogue_findings(p);
	tls_findings(p);
	error_findings(p);
	syntax_findings(p);
	cert_findings(p, dp);
	advise(p);
}

/* dialogue_findings - reachability, greeting, STARTTLS, AUTH, mode */
static void
dialogue_findings(struct probe_result *p)
{
	const struct probe_error *e = &p->error;
	const struct ehlo_result *ehlo;
	char next[256];
	bool plain_port;

	if (e->set && (e->phase == PHASE_RESOLVE || e->phase == PHASE_CONNECT))
		add(p, F_CONNECT_FAILED, SEV_CRITICAL,
		    "No SMTP session could "
		    "be opened on port %d: %s. Check the host name, that the "
		    "server listens on this port, and firewalls in between.",
		    p->port, e->message);
	if (e->set && e->phase == PHASE_BANNER && e->kind == KIND_TIMEOUT &&
	    !p->banner.present) {
		/* Auto mode tried implicit TLS already: no use suggesting it.
		 */
		if (p->other_mode_tried)
			snprintf(next, sizeof(next),
			    ", and implicit TLS on a second connection did not "
			    "work either. Clients hang here until they time "
			    "out. Check the SMTP daemon, its load, and any "
			    "proxy in front of it.");
		else
			snprintf(next, sizeof(next),
			    ". Clients hang here until they time out. If this "
			    "port should speak implicit TLS, probe it with "
			    "--ports %d/implicit; otherwise check the SMTP "
			    "daemon and any proxy in front of it.",
			    p->port);
		add(p, F_BANNER_TIMEOUT, SEV_CRITICAL,
		    "The server accepted the TCP connection on port %d but "
		    "never sent its 220 greeting%s",
		    p->port, next);
	}
	if (p->banner.present && p->banner.code >= 200 && p->banner.code != 220)
		add(p, F_GREETING_REJECTED, SEV_CRITICAL,
		    "The server greeted "
		    "with %d instead of 220: it refuses to serve this client "
		    "now (overload, a block list, or a policy). Read the "
		    "greeting text and the server's logs.",
		    p->banner.code);
	else if ((ehlo = refused_ehlo(p)) != NULL)
		add(p, F_GREETING_REJECTED, SEV_CRITICAL,
		    "The server refused "
		    "%s with %d: it refuses to serve this client now "
		    "(overload, "
		    "a block list, or a policy). Read the reply text and the "
		    "server's logs.",
		    ehlo->helo ? "EHLO and HELO" : "EHLO", ehlo->reply.code);
	if (p->detected_other_mode && p->mode != MODE_IMPLICIT)
		add(p, F_IMPLICIT_PORT_SPEAKS_PLAINTEXT, SEV_CRITICAL,
		    "Port "
		    "%d was probed for implicit TLS (TLS from the first byte, "
		    "RFC 8314), but the server answered in plaintext SMTP. "
		    "Clients set to SSL/TLS-on-connect fail here; either "
		    "enable implicit TLS on this port (Postfix: "
		    "smtpd_tls_wrappermode=yes) or tell clients to use "
		    "STARTTLS.",
		    p->port);
	if (p->detected_other_mode && p->mode == MODE_IMPLICIT)
		add(p, F_PORT_EXPECTS_IMPLICIT_TLS, SEV_WARNING,
		    "Port %d "
		    "sends no greeting in plaintext: it expects implicit TLS "
		    "from the first byte (RFC 8314). A STARTTLS-only client "
		    "(for example .NET System.Net.Mail.SmtpClient with "
		    "EnableSsl) waits for a greeting that never comes and "
		    "times out. Configure clients for SSL/TLS on connect, or "
		    "use port 587 with STARTTLS.",
		    p->port);
	/* Only a complete EHLO reply proves STARTTLS is not offered. */
	if (expects_starttls(p) && p->ehlo.reply.code == 250 &&
	    !(e->set && e->phase == PHASE_EHLO) && !p->starttls.offered)
		add(p, F_STARTTLS_MISSING,
		    p->port == 25 ? SEV_WARNING : SEV_CRITICAL,
		    "The server does not offer STARTTLS on port "
		    "%d, so mail and passwords cross the network in clear "
		    "text. Enable it (Postfix: smtpd_tls_security_level=may "
		    "with a certificate). If it is offered elsewhere, a "
		    "network attacker may be stripping it (STRIPTLS).",
		    p->port);
	/* Code 0: the answer was not an SMTP reply, a protocol error. */
	if (p->starttls.sent && p->starttls.code != 220 &&
	    p->starttls.code != 0)
		add(p, F_STARTTLS_REJECTED, SEV_CRITICAL,
		    "The server offered "
		    "STARTTLS but answered it with %d, so no TLS session "
		    "could start. This is usually a certificate or key the "
		    "server cannot load: check its TLS settings and logs.",
		    p->starttls.code);
	if (p->starttls.trailing_bytes > 0)
		add(p, F_STARTTLS_RESPONSE_INJECTION, SEV_CRITICAL,
		    "The server sent "
		    "%zu bytes after its 220 reply to STARTTLS, before the TLS "
		    "handshake. They were discarded. Such bytes are either a "
		    "broken server or an attacker injecting plaintext "
		    "responses (CVE-2011-0411 class); a client that keeps "
		    "them can be tricked.",
		    p->starttls.trailing_bytes);
	if (p->auth.nbefore > 0) {
		plain_port = !p->starttls.offered;
		add(p, F_AUTH_BEFORE_TLS,
		    plain_port ? SEV_CRITICAL : SEV_WARNING,
		    "The server offers AUTH before TLS on port "
		    "%d%s. A client may send its password in clear text. "
		    "Offer AUTH only inside TLS (Postfix: "
		    "smtpd_tls_auth_only=yes).",
		    p->port,
		    plain_port ? ", and offers no STARTTLS at all" : "");
	}
}

/*
 * error_findings - every failure gets a finding: those the specific
 * findings above did not explain are named by their kind.
 */
static void
error_findings(struct probe_result *p)
{
	static const enum finding_id explains[] = {F_CONNECT_FAILED,
	    F_BANNER_TIMEOUT, F_GREETING_REJECTED, F_STARTTLS_REJECTED,
	    F_HANDSHAKE_FAILED};
	const struct probe_error *e = &p->error;
	size_t i;

	if (!e->set)
		return;
	for (i = 0; i < sizeof(explains) / sizeof(explains[0]); i++)
		if (has_finding(p, explains[i]))
			return;
	/* Plaintext on an implicit port explains the failed handshake, not
	 * what went wrong in the STARTTLS dialogue that followed. */
	if (has_finding(p, F_IMPLICIT_PORT_SPEAKS_PLAINTEXT) &&
	    e->phase == PHASE_HANDSHAKE && p->mode != MODE_STARTTLS)
		return;
	switch (e->kind) {
	case KIND_TIMEOUT:
		add(p, F_DIALOGUE_TIMEOUT, SEV_CRITICAL,
		    "The server stopped answering during the SMTP dialogue "
		    "(%s: %s). Clients hang here; check the server's load and "
		    "any proxy or firewall that inspects SMTP.",
		    phase_names[e->phase], e->message);
		break;
	case KIND_RESET:
	case KIND_CLOSED:
	case KIND_TLS:
		add(p, F_CONNECTION_LOST, SEV_CRITICAL,
		    "The connection broke during the SMTP dialogue (%s: %s). "
		    "Check the server's logs, its limits on clients, and "
		    "anything in between that may cut connections.",
		    phase_names[e->phase], e->message);
		break;
	default:
		add(p, F_SMTP_PROTOCOL_ERROR, SEV_CRITICAL,
		    "The server broke the SMTP protocol (%s: %s). Clients "
		    "give up here; fix the server, or the proxy or security "
		    "appliance in front of it that rewrites SMTP.",
		    phase_names[e->phase], e->message);
		break;
	}
}

/*
 * syntax_findings - replies a strict client may refuse: bare LF endings
 * (RFC 5321 2.3.8) and control characters or NUL in reply text.
 */
static void
syntax_findings(struct probe_result *p)
{
	const struct reply *r[] = {
	    &p->banner, &p->ehlo.reply, &p->ehlo_tls.reply};
	bool bare_lf = false, controls = false;
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		bare_lf = bare_lf || (r[i]->present && r[i]->bare_lf);
		controls = controls || reply_has_controls(r[i]);
	}
	if (bare_lf || controls)
		add(p, F_SMTP_NONCONFORMING, SEV_WARNING,
		    "The server's replies break RFC 5321: %s%s%s. Strict "
		    "clients may refuse them; fix the server or whatever "
		    "rewrites its replies.",
		    bare_lf ? "lines end in a bare LF instead of CRLF" : "",
		    bare_lf && controls ? ", and " : "",
		    controls ? "the text holds NUL or control characters" : "");
}

/* tls_findings - handshake outcome and protocol version */
static void
tls_findings(struct probe_result *p)
{
	const struct tls_result *t = &p->tls;

	if (t->attempted && !t->established && p->mode != MODE_UNKNOWN)
		add(p, F_HANDSHAKE_FAILED, SEV_CRITICAL,
		    "The TLS handshake "
		    "on port %d failed: %s%s%s. Clients cannot protect mail "
		    "here; check the server's certificate, key and allowed "
		    "TLS versions and ciphers.",
		    p->port, t->error[0] ? t->error : "unknown error",
		    t->alert[0] ? "; alert " : "", t->alert);
	if (t->established &&
	    (strcmp(t->version, "TLS1.0") == 0 ||
		strcmp(t->version, "TLS1.1") == 0 ||
		strcmp(t->version, "SSL3.0") == 0))
		add(p, F_TLS_LEGACY_VERSION, SEV_WARNING,
		    "The server "
		    "negotiated %s, which RFC 8996 deprecates; current clients "
		    "refuse it. Enable TLS 1.2 and 1.3 on the server.",
		    t->version);
}

/* cert_findings - verification and the quality of each certificate */
static void
cert_findings(struct probe_result *p, const struct diag_params *dp)
{
	const struct cert_info *c;
	bool selfsigned, incomplete;
	unsigned int others;
	char reasons[256];
	size_t i;

	if (!p->verification.present || p->ncerts == 0)
		return;
	selfsigned = has_verr(p, VERR_SELF_SIGNED);
	incomplete = has_verr(p, VERR_CHAIN_INCOMPLETE);
	if (selfsigned)
		add(p, F_CERT_SELF_SIGNED, SEV_CRITICAL,
		    "The certificate is "
		    "self-signed, so no client can verify it. Get one from a "
		    "public CA (for example Let's Encrypt).");
	if (incomplete)
		add(p, F_CHAIN_INCOMPLETE, SEV_CRITICAL,
		    "The server sends "
		    "its certificate without the intermediate CA certificates "
		    "that link it to a trusted root. Mail clients do not fetch "
		    "them: configure the full chain (Postfix: "
		    "smtpd_tls_chain_files with the leaf, then the "
		    "intermediates).");
	/* Self-signed, incomplete, expired and not-yet-valid chains have
	 * findings of their own; this one names every other reason, so that
	 * fixing those alone is not mistaken for the whole fix. */
	others = p->verification.errors &
	    ~(1u << VERR_SELF_SIGNED | 1u << VERR_CHAIN_INCOMPLETE |
		1u << VERR_EXPIRED | 1u << VERR_NOT_YET_VALID |
		1u << VERR_HOSTNAME_MISMATCH);
	if (selfsigned || incomplete)
		others &= ~(1u << VERR_UNTRUSTED);
	if (others != 0) {
		verr_list(others, reasons, sizeof(reasons));
		add(p, F_CERT_UNTRUSTED, SEV_CRITICAL,
		    "The certificate chain fails verification (%s): clients "
		    "that verify refuse it. Use a certificate from a CA the "
		    "clients trust, or give the right --cafile.",
		    reasons);
	}
	if (p->verification.hostname_match == 0)
		add(p, F_CERT_HOSTNAME_MISMATCH, SEV_CRITICAL,
		    "The "
		    "certificate is not valid for the name the client asked "
		    "for. Add that name to the certificate's subject "
		    "alternative names, or have clients use a name it lists.");
	if (has_verr(p, VERR_NOT_YET_VALID))
		add(p, F_CERT_NOT_YET_VALID, SEV_CRITICAL,
		    "A certificate in the chain is not valid yet. Check the "
		    "server's clock, or wait for the certificate's start "
		    "date.");
	for (i = 0; i < p->ncerts; i++) {
		c = &p->certs[i];
		if (!c->parsed)
			continue; /* nothing to judge; verification said so */
		if (c->days_remaining < 0)
			add(p, F_CERT_EXPIRED, SEV_CRITICAL,
			    "Certificate %zu "
			    "(%s) expired %ld days ago. Renew it and reload "
			    "the server.",
			    i, c->subject, -c->days_remaining);
		else if (c->days_remaining < dp->warn_days)
			add(p, F_CERT_EXPIRING, SEV_WARNING,
			    "Certificate %zu "
			    "(%s) expires in %ld days. Renew it before then.",
			    i, c->subject, c->days_remaining);
		/* "RSA" and "RSA-PSS" keys alike */
		if ((strncmp(c->pk_algorithm, "RSA", 3) == 0 ||
			strcmp(c->pk_algorithm, "DSA") == 0) &&
		    c->pk_bits < RSA_BITS_MIN)
			add(p, F_WEAK_KEY, SEV_WARNING,
			    "Certificate %zu has a "
			    "%u-bit %s key; use at least %d bits (or EC "
			    "P-256).",
			    i, c->pk_bits, c->pk_algorithm, RSA_BITS_MIN);
		else if (strcmp(c->pk_algorithm, "EC") == 0 &&
		    c->pk_bits < EC_BITS_MIN)
			add(p, F_WEAK_KEY, SEV_WARNING,
			    "Certificate %zu has a "
			    "%u-bit EC key; use at least %d bits.",
			    i, c->pk_bits, EC_BITS_MIN);
		/* A root's own signature is never checked by clients. */
		if (!c->self_signed &&
		    (strstr(c->sig_algorithm, "SHA1") != NULL ||
			strstr(c->sig_algorithm, "MD5") != NULL ||
			strstr(c->sig_algorithm, "MD2") != NULL))
			add(p, F_WEAK_SIGNATURE, SEV_WARNING,
			    "Certificate %zu "
			    "is signed with %s, which is broken; reissue it "
			    "with SHA-256.",
			    i, c->sig_algorithm);
	}
}

/* advise - how a mail client should be set up for this port */
static void
advise(struct probe_result *p)
{
	const char *tls = "none", *text;

	if (p->tls.established && p->mode == MODE_IMPLICIT) {
		tls = "implicit";
		text =
		    "Use SSL/TLS on connect (implicit TLS), not STARTTLS: "
		    "Thunderbird \"SSL/TLS\", MailKit "
		    "SecureSocketOptions.SslOnConnect, Python "
		    "smtplib.SMTP_SSL, "
		    "JavaMail mail.smtp.ssl.enable=true, PHPMailer "
		    "SMTPSecure='ssl'. .NET System.Net.Mail.SmtpClient cannot "
		    "do this and hangs.";
	} else if (p->tls.established && p->mode == MODE_STARTTLS) {
		tls = "starttls";
		text =
		    "Use STARTTLS, not SSL/TLS on connect: Thunderbird "
		    "\"STARTTLS\", .NET SmtpClient EnableSsl=true or MailKit "
		    "SecureSocketOptions.StartTls, Python smtplib.SMTP with "
		    "starttls(), JavaMail mail.smtp.starttls.enable=true and "
		    "mail.smtp.starttls.required=true, PHPMailer "
		    "SMTPSecure='tls'.";
	} else if (p->banner.present || p->tls.attempted)
		text = "No working TLS on this port: do not send passwords or "
		       "private mail here until the findings are fixed.";
	else
		text = "No SMTP dialogue took place on this port: see the "
		       "error and findings.";
	p->advice.tls = tls;
	p->advice.text = xstrdup(text);
}

/* expects_starttls - the probe asked for STARTTLS, explicitly or by auto */
static bool
expects_starttls(const struct probe_result *p)
{
	return p->requested_mode == MODE_STARTTLS ||
	    (p->requested_mode == MODE_AUTO && p->port != 465 &&
		!p->detected_other_mode);
}

/* refused_ehlo - the EHLO (or HELO) reply that refused the client */
static const struct ehlo_result *
refused_ehlo(const struct probe_result *p)
{
	const struct ehlo_result *e =
	    p->error.phase == PHASE_EHLO_TLS ? &p->ehlo_tls : &p->ehlo;

	if (!p->error.set || p->error.kind != KIND_PROTOCOL ||
	    (p->error.phase != PHASE_EHLO && p->error.phase != PHASE_EHLO_TLS))
		return NULL;
	return e->reply.present && e->reply.code >= 400 && e->reply.code < 600
	    ? e
	    : NULL;
}

/* has_finding - true when the finding was raised already */
static bool
has_finding(const struct probe_result *p, enum finding_id id)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (p->findings[i].id == finding_defs[id].id)
			return true;
	return false;
}

/* reply_has_controls - a byte below 0x20 (but TAB) or DEL in the text */
static bool
reply_has_controls(const struct reply *r)
{
	size_t i, k;

	for (i = 0; r->present && i < r->nlines; i++)
		for (k = 0; k < r->lines[i].len; k++)
			if ((r->lines[i].data[k] < 0x20 &&
				r->lines[i].data[k] != '\t') ||
			    r->lines[i].data[k] == 0x7f)
				return true;
	return false;
}

/* verr_list - "untrusted, chain-too-long": the names of the error bits */
static void
verr_list(unsigned int errors, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < VERR_COUNT; i++) {
		if (!(errors & (1u << i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
		    verr_names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* has_verr - a verification error bit */
static bool
has_verr(const struct probe_result *p, enum verr v)
{
	return (p->verification.errors & (1u << v)) != 0;
}

/* add - append a finding, unless the bounded list is full */
static void
add(struct probe_result *p, enum finding_id id, enum severity sev,
    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (p->nfindings == FINDINGS_MAX)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->findings[p->nfindings].id = finding_defs[id].id;
	p->findings[p->nfindings].severity = sev;
	p->findings[p->nfindings].message = xstrdup(buf);
	p->nfindings++;
}
