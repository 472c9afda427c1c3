/*
 * diagnose.c - what is wrong with a port, and what to do about it.
 *
 * A pure function of the probe's result: every finding is derived from
 * data the report also carries, so a reader can check each one. Messages
 * say what happened in plain words and end with the fix. The ids and their
 * severities are defined once, in include/findings.h; this file expands
 * that table, runs the rules of each area (diagnose_dialogue.c,
 * diagnose_tls.c, diagnose_cert.c) in the order of the report, and gives
 * the client advice. It never reads the network, the clock or GnuTLS.
 *
 * Severity: critical when mail or passwords are exposed or clients fail;
 * warning when it works but is fragile or weak; info for what is worth
 * knowing.
 */
#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

#define FINDING_DEF(name, id, sev, milder, note, means, todo)                  \
	[name] = {id, sev, milder},

const struct finding_def finding_defs[F_COUNT] = {FINDINGS(FINDING_DEF)};
const size_t finding_defs_count = F_COUNT;

static void advise(struct probe_result *);
static void target_add(struct target_result *, enum finding_id, const char *,
    ...) __attribute__((format(printf, 3, 4)));
static void vadd(struct finding *, size_t *, enum finding_id, enum severity,
    const char *, va_list) __attribute__((format(printf, 5, 0)));

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
	diag_tls(p);
	diag_error(p);
	diag_syntax(p);
	diag_cert(p, dp);
	advise(p);
}

/* diag_target - what the target's DNS says about the domain */
void
diag_target(struct target_result *t)
{
	size_t i;

	for (i = 0; i < t->nfindings; i++)
		free(t->findings[i].message);
	t->nfindings = 0;
	if (t->error.set && t->error.phase == PHASE_RESOLVE)
		target_add(t, F_DNS_FAILED,
		    "%s. Check the domain's name and its DNS servers.",
		    t->error.message);
	if (t->mx != NULL && t->mx->null_mx)
		target_add(t, F_NULL_MX,
		    "%s publishes a null MX (RFC 7505): it accepts no mail, "
		    "so nothing was probed.",
		    t->host);
	if (t->mx != NULL && t->mx->implicit)
		target_add(t, F_MX_MISSING,
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
	vadd(
	    p->findings, &p->nfindings, id, finding_defs[id].severity, fmt, ap);
	va_end(ap);
}

/* target_add - a finding about the target as a whole */
static void
target_add(struct target_result *t, enum finding_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(
	    t->findings, &t->nfindings, id, finding_defs[id].severity, fmt, ap);
	va_end(ap);
}

/* diag_add_milder - append a finding, at its milder severity if milder */
void
diag_add_milder(struct probe_result *p, enum finding_id id, bool milder,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(p->findings, &p->nfindings, id,
	    milder ? finding_defs[id].milder : finding_defs[id].severity, fmt,
	    ap);
	va_end(ap);
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

/* vadd - append a finding to f[*n], unless the bounded list is full */
static void
vadd(struct finding *f, size_t *n, enum finding_id id, enum severity sev,
    const char *fmt, va_list ap)
{
	char buf[1024];

	if (*n == FINDINGS_MAX)
		return;
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	f[*n].id = finding_defs[id].id;
	f[*n].severity = sev;
	f[*n].message = xstrdup(buf);
	(*n)++;
}
