/*
 * diagnose_dialogue.c - findings about the SMTP dialogue: could a client
 * connect, was it greeted, which way does the port speak TLS, is STARTTLS
 * offered and accepted, did the login of --auth-user work, and the
 * failure that ended the dialogue (AUTH offered in clear is
 * diagnose_auth.c's).
 *
 * Pure: reads the probe's observations only (never the findings raised so
 * far), writes findings through diag_add(). Knows nothing of certificates
 * or TLS parameters (diagnose_tls.c, diagnose_cert.c). RFC 5321 (replies,
 * 2.3.8 line endings), RFC 3207 (STARTTLS), RFC 8314 (implicit TLS).
 */
#include "diagnose.h"

#include <stdio.h>

static void reach_findings(struct probe_result *);
static void banner_timeout(struct probe_result *);
static void greeting_findings(struct probe_result *);
static void mode_findings(struct probe_result *);
static const char *plaintext_rest(const struct probe_result *);
static void starttls_findings(struct probe_result *);
static void login_finding(struct probe_result *);
static bool connect_failed(const struct probe_result *);
static bool banner_timed_out(const struct probe_result *);
static bool banner_refused(const struct probe_result *);
static bool starttls_refused(const struct probe_result *);
static bool error_explained(const struct probe_result *);
static const struct ehlo_result *refused_ehlo(const struct probe_result *);
static bool expects_starttls(const struct probe_result *);
static bool reply_has_controls(const struct reply *);

/* diag_dialogue - reachability, greeting, mode, STARTTLS and AUTH */
void
diag_dialogue(struct probe_result *p)
{
	reach_findings(p);
	mode_findings(p);
	starttls_findings(p);
	login_finding(p);
}

/*
 * diag_error - every failure gets a finding: one the specific findings do
 * not explain is named by its kind.
 */
void
diag_error(struct probe_result *p)
{
	const struct probe_error *e = &p->error;
	enum finding_id id;
	const char *what, *todo;

	if (!e->set || error_explained(p))
		return;
	switch (e->kind) {
	case KIND_TIMEOUT:
		id = F_DIALOGUE_TIMEOUT;
		what = "The server stopped answering during the SMTP dialogue";
		todo = "Clients hang here; check the server's load and any "
		       "proxy or firewall that inspects SMTP.";
		break;
	case KIND_RESET:
	case KIND_CLOSED:
	case KIND_TLS:
		id = F_CONNECTION_LOST;
		what = "The connection broke during the SMTP dialogue";
		todo = "Check the server's logs, its limits on clients, and "
		       "anything in between that may cut connections.";
		break;
	default:
		id = F_SMTP_PROTOCOL_ERROR;
		what = "The server broke the SMTP protocol";
		todo = "Clients give up here; fix the server, or the proxy or "
		       "security appliance in front of it that rewrites SMTP.";
		break;
	}
	diag_add(p, id, "%s (%s: %s). %s", what, phase_names[e->phase],
	    e->message, todo);
}

/*
 * diag_syntax - replies a strict client may refuse: bare LF endings
 * (RFC 5321 2.3.8) and control characters or NUL in reply text.
 */
void
diag_syntax(struct probe_result *p)
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
		diag_add(p, F_SMTP_NONCONFORMING,
		    "The server's replies break RFC 5321: %s%s%s. Strict "
		    "clients may refuse them; fix the server or whatever "
		    "rewrites its replies.",
		    bare_lf ? "lines end in a bare LF instead of CRLF" : "",
		    bare_lf && controls ? ", and " : "",
		    controls ? "the text holds NUL or control characters" : "");
}

/* reach_findings - no connection, no greeting, or a refusal */
static void
reach_findings(struct probe_result *p)
{
	if (connect_failed(p))
		diag_add(p, F_CONNECT_FAILED,
		    "No SMTP session could "
		    "be opened on port %d: %s. Check the host name, that the "
		    "server listens on this port, and firewalls in between.",
		    p->port, p->error.message);
	if (banner_timed_out(p))
		banner_timeout(p);
	greeting_findings(p);
}

/* banner_timeout - connected, but the 220 greeting never came */
static void
banner_timeout(struct probe_result *p)
{
	char next[256];

	/* Auto mode tried implicit TLS already: no use suggesting it. */
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
	diag_add(p, F_BANNER_TIMEOUT,
	    "The server accepted the TCP connection on port %d but "
	    "never sent its 220 greeting%s",
	    p->port, next);
}

/* greeting_findings - a greeting other than 220, or a refused EHLO */
static void
greeting_findings(struct probe_result *p)
{
	const struct ehlo_result *ehlo;

	if (banner_refused(p))
		diag_add(p, F_GREETING_REJECTED,
		    "The server greeted "
		    "with %d instead of 220: it refuses to serve this client "
		    "now (overload, a block list, or a policy). Read the "
		    "greeting text and the server's logs.",
		    p->banner.code);
	else if ((ehlo = refused_ehlo(p)) != NULL)
		diag_add(p, F_GREETING_REJECTED,
		    "The server refused "
		    "%s with %d: it refuses to serve this client now "
		    "(overload, "
		    "a block list, or a policy). Read the reply text and the "
		    "server's logs.",
		    ehlo->helo ? "EHLO and HELO" : "EHLO", ehlo->reply.code);
}

/*
 * mode_findings - the port speaks TLS the other way than asked. Each
 * message says what this port does and what works on it; what the other
 * ports of the host change (a swap) is diagnose_host.c's.
 */
static void
mode_findings(struct probe_result *p)
{
	if (diag_speaks_plaintext(p))
		diag_add(p, F_IMPLICIT_PORT_SPEAKS_PLAINTEXT,
		    "Port %d was probed for implicit TLS (TLS from the first "
		    "byte, RFC 8314), but the server answered in plaintext "
		    "SMTP. Clients set to SSL/TLS on connect fail here. "
		    "Enable implicit TLS on this port (Postfix: "
		    "smtpd_tls_wrappermode=yes)%s",
		    p->port, plaintext_rest(p));
	if (diag_speaks_implicit(p))
		diag_add(p, F_PORT_EXPECTS_IMPLICIT_TLS,
		    "Port %d sends no greeting in plaintext: it expects "
		    "implicit TLS from the first byte (RFC 8314). A "
		    "STARTTLS-only client (for example .NET "
		    "System.Net.Mail.SmtpClient with EnableSsl) waits for a "
		    "greeting that never comes and times out. On this port, "
		    "set clients to SSL/TLS on connect%s.",
		    p->port,
		    p->port == 587 ? "; or serve STARTTLS here, which is what "
				     "clients expect on 587 (RFC 6409)"
				   : "");
}

/* plaintext_rest - what works on an implicit port that spoke plaintext */
static const char *
plaintext_rest(const struct probe_result *p)
{
	if (p->mode == MODE_STARTTLS && p->tls.established)
		return "; until then, clients can use STARTTLS on it, which "
		       "works.";
	if (p->starttls.offered)
		return ". It offers STARTTLS, but no TLS session started "
		       "there either (see the other findings).";
	/* Implicit mode asked: no EHLO was sent, so STARTTLS is unknown. */
	if (!p->ehlo.reply.present)
		return ". Probe it in auto mode to see whether it offers "
		       "STARTTLS.";
	return ". It offers no STARTTLS either: nothing sent to this port "
	       "is encrypted.";
}

/* starttls_findings - STARTTLS missing, refused, or followed by bytes */
static void
starttls_findings(struct probe_result *p)
{
	const struct probe_error *e = &p->error;

	/* Only a complete EHLO reply proves STARTTLS is not offered. */
	if (expects_starttls(p) && p->ehlo.reply.code == 250 &&
	    !(e->set && e->phase == PHASE_EHLO) && !p->starttls.offered)
		diag_add_milder(p, F_STARTTLS_MISSING, p->port == 25,
		    "The server does not offer STARTTLS on port "
		    "%d, so mail and passwords cross the network in clear "
		    "text. Enable it (Postfix: smtpd_tls_security_level=may "
		    "with a certificate). If it is offered elsewhere, a "
		    "network attacker may be stripping it (STRIPTLS).",
		    p->port);
	if (starttls_refused(p))
		diag_add(p, F_STARTTLS_REJECTED,
		    "The server offered "
		    "STARTTLS but answered it with %d, so no TLS session "
		    "could start. This is usually a certificate or key the "
		    "server cannot load: check its TLS settings and logs.%s",
		    p->starttls.code,
		    p->injection.sent
			? " With --check-injection a NOOP went in the same "
			  "write: a server that enforces command order "
			  "refuses STARTTLS for that alone, so probe without "
			  "it to tell."
			: "");
	if (p->starttls.trailing_bytes > 0)
		diag_add(p, F_STARTTLS_RESPONSE_INJECTION,
		    "The server sent "
		    "%zu bytes after its 220 reply to STARTTLS, before the TLS "
		    "handshake. They were discarded. Such bytes are either a "
		    "broken server or an attacker injecting plaintext "
		    "responses (CVE-2011-0411 class); a client that keeps "
		    "them can be tricked.",
		    p->starttls.trailing_bytes);
	if (p->injection.judged && p->injection.vulnerable)
		diag_add(p, F_STARTTLS_INJECTION,
		    "The server answered a NOOP that smtp-probe sent in clear "
		    "text in the same write as STARTTLS, inside TLS, before "
		    "its reply to EHLO: it keeps plaintext across the "
		    "upgrade, so an attacker on the path can inject commands "
		    "into the encrypted session (CVE-2011-0411). Update the "
		    "server, and any proxy in front of it.");
}

/*
 * login_finding - the login inside TLS got a final reply other than 235
 * (RFC 4954 6 names the codes); no reply at all is the error's finding
 */
static void
login_finding(struct probe_result *p)
{
	const struct login_result *l = &p->login;
	const char *why;

	if (l->mech == MECH_NONE || l->code == 0 || l->code == 235)
		return;
	switch (l->code) {
	case 535:
		why = "the user name or the password is wrong. Check both: "
		      "the full name the server expects (Cyrus SASL often "
		      "wants user@realm) and the password";
		break;
	case 534:
		why = "the account needs a stronger mechanism than this one. "
		      "Check which mechanisms it may use";
		break;
	case 538:
		why = "the server wants encryption for this mechanism although "
		      "TLS is on. Check its SASL and TLS settings";
		break;
	case 454:
		why = "a temporary failure on the server's side: its "
		      "authentication backend did not answer or is "
		      "misconfigured (Postfix says so when Cyrus SASL cannot "
		      "read its configuration). Check the server's logs";
		break;
	default:
		why = "read the reply text and the server's logs";
		break;
	}
	diag_add(p, F_LOGIN_FAILED,
	    "Logging in with AUTH %s inside TLS on port %d was refused with "
	    "%d. TLS worked, so the cause is the login itself: %s.",
	    login_mech_names[l->mech], p->port, l->code, why);
}

/* connect_failed - the name did not resolve or TCP did not connect */
static bool
connect_failed(const struct probe_result *p)
{
	return p->error.set &&
	    (p->error.phase == PHASE_RESOLVE ||
		p->error.phase == PHASE_CONNECT);
}

/* banner_timed_out - connected, and no greeting came before the deadline */
static bool
banner_timed_out(const struct probe_result *p)
{
	return p->error.set && p->error.phase == PHASE_BANNER &&
	    p->error.kind == KIND_TIMEOUT && !p->banner.present;
}

/* banner_refused - a greeting with a code other than 220 */
static bool
banner_refused(const struct probe_result *p)
{
	return p->banner.present && p->banner.code >= 200 &&
	    p->banner.code != 220;
}

/* starttls_refused - a reply code to STARTTLS, and not 220 */
static bool
starttls_refused(const struct probe_result *p)
{
	/* Code 0: the answer was not an SMTP reply, a protocol error. */
	return p->starttls.sent && p->starttls.code != 220 &&
	    p->starttls.code != 0;
}

/* diag_speaks_plaintext - asked for implicit TLS, the port spoke plaintext */
bool
diag_speaks_plaintext(const struct probe_result *p)
{
	return p->detected_other_mode && p->mode != MODE_IMPLICIT;
}

/* diag_speaks_implicit - silent in plaintext, and implicit TLS worked */
bool
diag_speaks_implicit(const struct probe_result *p)
{
	return p->detected_other_mode && p->mode == MODE_IMPLICIT;
}

/*
 * error_explained - a specific finding names the cause of the failure, so
 * that the failure needs no finding of its own kind.
 */
static bool
error_explained(const struct probe_result *p)
{
	if (connect_failed(p) || banner_timed_out(p) || banner_refused(p) ||
	    refused_ehlo(p) != NULL || starttls_refused(p) ||
	    diag_handshake_failed(p))
		return true;
	/* Plaintext on an implicit port explains the failed handshake, not
	 * what went wrong in the STARTTLS dialogue that followed. */
	return diag_speaks_plaintext(p) && p->error.phase == PHASE_HANDSHAKE &&
	    p->mode != MODE_STARTTLS;
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

/* expects_starttls - the probe asked for STARTTLS, explicitly or by auto */
static bool
expects_starttls(const struct probe_result *p)
{
	return p->requested_mode == MODE_STARTTLS ||
	    (p->requested_mode == MODE_AUTO && p->port != 465 &&
		!p->detected_other_mode);
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
