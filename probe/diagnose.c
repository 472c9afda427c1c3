/*
 * diagnose.c - what is wrong with a port, and what to do about it.
 *
 * A pure function of the probe's result: every finding is derived from
 * data the report also carries, so a reader can check each one. Messages
 * say what happened in plain words and end with the fix. The ids and their
 * severities are defined once, in include/findings.h; this file expands
 * that table, runs the rules of each area (diagnose_dialogue.c,
 * diagnose_auth.c, diagnose_tls.c, diagnose_cert.c, diagnose_ocsp.c) in the
 * order of the report, and gives the client advice. It never reads the network,
 * the clock or GnuTLS.
 *
 * Severity: critical when mail or passwords are exposed or clients fail;
 * warning when it works but is fragile or weak; info for what is worth
 * knowing.
 */
#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dane.h"
#include "xalloc.h"

#define FINDING_DEF(name, id, sev, milder, note, means, todo)                  \
	[name] = {id, sev, milder},

const struct finding_def finding_defs[F_COUNT] = {FINDINGS(FINDING_DEF)};
const size_t finding_defs_count = F_COUNT;

static void advise(struct probe_result *);
static const char *no_tls_advice(const struct probe_result *);
static void vadd(struct finding *, size_t *, size_t, enum finding_id,
    enum severity, const char *, va_list) __attribute__((format(printf, 6, 0)));

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
	diag_dialogue(p);
	diag_auth(p);
	diag_tls(p);
	diag_error(p);
	diag_syntax(p);
	diag_cert(p, dp);
	diag_dane(p);
	diag_ocsp(p);
	advise(p);
}

/* diag_dns - what the target's DNS says about the domain */
void
diag_dns(struct target_result *t)
{
	if (t->error.set && t->error.phase == PHASE_RESOLVE)
		diag_add_target(t, F_DNS_FAILED,
		    "%s. Check the domain's name and its DNS servers.",
		    t->error.message);
	if (t->mx != NULL && t->mx->null_mx)
		diag_add_target(t, F_NULL_MX,
		    "%s publishes a null MX (RFC 7505): it accepts no mail, "
		    "so nothing was probed.",
		    t->host);
	if (t->mx != NULL && t->mx->implicit)
		diag_add_target(t, F_MX_MISSING,
		    "%s has no MX record: mail goes to the domain's own "
		    "address (RFC 5321 5.1), which was probed. Publish MX "
		    "records naming the mail servers, or a null MX if the "
		    "domain takes no mail.",
		    t->host);
}

/* diag_add - append a finding at the severity of its table entry */
void
diag_add(struct probe_result *p, enum finding_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(p->findings, &p->nfindings, FINDINGS_MAX, id,
	    finding_defs[id].severity, fmt, ap);
	va_end(ap);
}

/* diag_add_target - append a finding about the host as a whole */
void
diag_add_target(
    struct target_result *t, enum finding_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(t->findings, &t->nfindings, TARGET_FINDINGS_MAX, id,
	    finding_defs[id].severity, fmt, ap);
	va_end(ap);
}

/* diag_add_milder - append a finding, at its milder severity if milder */
void
diag_add_milder(struct probe_result *p, enum finding_id id, bool milder,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(p->findings, &p->nfindings, FINDINGS_MAX, id,
	    milder ? finding_defs[id].milder : finding_defs[id].severity, fmt,
	    ap);
	va_end(ap);
}

/*
 * advise - how a mail client should be set up for this port, and whether
 * people need to read it: on submission ports and wherever AUTH is
 * offered, not on every MX port that no mail client uses
 */
static void
advise(struct probe_result *p)
{
	const char *tls = "none", *text;

	p->advice.for_clients = p->port == 465 || p->port == 587 ||
	    p->auth.nbefore > 0 || p->auth.nafter > 0;
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
	} else
		text = no_tls_advice(p);
	p->advice.tls = tls;
	p->advice.text = xstrdup(text);
}

/* no_tls_advice - the advice for a port where no TLS session worked */
static const char *
no_tls_advice(const struct probe_result *p)
{
	/* Plain mode never tries TLS: its absence proves nothing. */
	if (p->requested_mode == MODE_PLAIN && p->banner.present)
		return p->starttls.offered
		    ? "Probed in plain mode, so TLS was not tried; the port "
		      "offers STARTTLS: probe it in auto or starttls mode to "
		      "check its TLS."
		    : "Probed in plain mode, so TLS was not tried; the port "
		      "does not offer STARTTLS, so mail and passwords sent "
		      "here cross the network in clear text.";
	if (!p->banner.present && !p->tls.attempted)
		return "No SMTP dialogue took place on this port: see the "
		       "error and findings.";
	return p->nfindings > 0
	    ? "No working TLS on this port: do not send passwords or "
	      "private mail here until the findings are fixed."
	    : "No working TLS on this port: do not send passwords or "
	      "private mail here.";
}

/* vadd - append a finding, unless the bounded list (max) is full */
static void
vadd(struct finding *list, size_t *n, size_t max, enum finding_id id,
    enum severity sev, const char *fmt, va_list ap)
{
	char buf[1024];

	if (*n == max)
		return;
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	list[*n].id = finding_defs[id].id;
	list[*n].severity = sev;
	list[*n].message = xstrdup(buf);
	(*n)++;
}
