/*
 * test_advice.c - advice that follows from what was seen: AUTH judged by
 * its mechanisms with the setting of the software the greeting names, the
 * host-level ports-swapped finding from the ports of one target, and the
 * client advice of a port probed in plain mode.
 *
 * Results are built by hand as a probe would fill them, judged with
 * diagnose() and diagnose_target(), and released with result_*_free().
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "names.h"
#include "result.h"
#include "xalloc.h"
#include "tap.h"

static void greeted(struct probe_result *, int, enum mode, const char *);
static void auth_clear(struct probe_result *, const char *, const char *);
static void judge(struct probe_result *);
static const char *only_finding(const struct probe_result *, enum severity *);
static void target(struct target_result *, struct probe_result *, size_t);
static void plaintext_465(struct probe_result *, const char *);
static void implicit_587(struct probe_result *);
static void software_cases(void);
static void auth_cases(void);
static void swap_cases(void);
static void advice_cases(void);

int
main(void)
{
	software_cases();
	auth_cases();
	swap_cases();
	advice_cases();
	return done_testing();
}

/* greeted - a 220 greeting with text banner on port, probed as requested */
static void
greeted(
    struct probe_result *p, int port, enum mode requested, const char *banner)
{
	result_probe_init(p, port, requested);
	snprintf(p->address, sizeof(p->address), "%s", "192.0.2.1");
	p->banner.present = true;
	p->banner.code = 220;
	p->banner.nlines = 1;
	p->banner.lines = xcalloc(1, sizeof(*p->banner.lines));
	result_text_set(&p->banner.lines[0], banner, strlen(banner));
	p->ehlo.reply.present = true;
	p->ehlo.reply.code = 250;
	p->mode = MODE_PLAIN;
}

/* auth_clear - mechanisms a and b (NULL: none) offered before TLS */
static void
auth_clear(struct probe_result *p, const char *a, const char *b)
{
	result_text_set(&p->auth.before[p->auth.nbefore++], a, strlen(a));
	if (b != NULL)
		result_text_set(
		    &p->auth.before[p->auth.nbefore++], b, strlen(b));
	p->starttls.offered = true;
}

static void
judge(struct probe_result *p)
{
	struct diag_params dp = {21};

	diagnose(p, &dp);
}

/* only_finding - the message of p's one finding and its severity */
static const char *
only_finding(const struct probe_result *p, enum severity *sev)
{
	if (p->nfindings != 1)
		return "";
	*sev = p->findings[0].severity;
	return p->findings[0].message;
}

/* software_cases - the server software a real greeting names */
static void
software_cases(void)
{
	static const struct {
		const char *banner;
		enum server_sw sw;
	} cases[] = {
	    {"mail.example.org ESMTP Postfix (Debian/GNU)", SW_POSTFIX},
	    {"mx.example.org ESMTP Postfix", SW_POSTFIX},
	    {"mx.example.org ESMTP Exim 4.96 Mon, 01 Jan 2024 00:00:00 +0000",
		SW_EXIM},
	    {"mx.example.org ESMTP Sendmail 8.17.1/8.17.1; Mon, 1 Jan 2024",
		SW_SENDMAIL},
	    {"mx.example.org ESMTP OpenSMTPD", SW_OPENSMTPD},
	    {"EX01.example.org Microsoft ESMTP MAIL Service ready at Mon",
		SW_EXCHANGE},
	    {"mx.example.org ESMTP", SW_UNKNOWN},
	    /* Whole words only: "Eximious" and "postfixed" name nothing. */
	    {"mx.example.org ESMTP Eximious postfixed", SW_UNKNOWN},
	};
	struct probe_result p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		greeted(&p, 25, MODE_STARTTLS, cases[i].banner);
		is_int(diag_server_software(&p), cases[i].sw,
		    lbl("software of \"%s\"", cases[i].banner));
		result_probe_free(&p);
	}
}

/* auth_cases - the severity follows the mechanisms, the fix the software */
static void
auth_cases(void)
{
	static const struct {
		const char *banner, *a, *b;
		enum severity sev;
		const char *has;
	} cases[] = {
	    {"mx ESMTP Postfix", "PLAIN", "LOGIN", SEV_CRITICAL,
		"smtpd_tls_auth_only = yes"},
	    {"mx ESMTP Exim 4.96", "PLAIN", "LOGIN", SEV_CRITICAL,
		"auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}"},
	    {"mx ESMTP Sendmail 8.17.1/8.17.1", "CRAM-MD5", NULL, SEV_WARNING,
		"define(`confAUTH_OPTIONS', `p')"},
	    {"mx ESMTP Sendmail 8.17.1/8.17.1", "LOGIN", NULL, SEV_CRITICAL,
		"define(`confAUTH_OPTIONS', `p')"},
	    {"mx ESMTP OpenSMTPD", "PLAIN", NULL, SEV_CRITICAL,
		"listen on ... tls auth"},
	    {"mx Microsoft ESMTP MAIL Service", "LOGIN", NULL, SEV_CRITICAL,
		"Receive connector"},
	    {"mx ESMTP", "SCRAM-SHA-256", "CRAM-MD5", SEV_WARNING,
		"does not name the server software"},
	    /* One that sends the password is enough to be critical. */
	    {"mx ESMTP", "CRAM-MD5", "PLAIN", SEV_CRITICAL, "(PLAIN;"},
	    /* Unknown mechanisms are assumed to send it. */
	    {"mx ESMTP", "X-MADE-UP", NULL, SEV_CRITICAL, "(X-MADE-UP;"},
	};
	struct probe_result p;
	enum severity sev = SEV_INFO;
	const char *msg;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		greeted(&p, 587, MODE_STARTTLS, cases[i].banner);
		auth_clear(&p, cases[i].a, cases[i].b);
		judge(&p);
		msg = only_finding(&p, &sev);
		is_str(p.nfindings ? p.findings[0].id : "", "auth-before-tls",
		    lbl("%s %s: auth-before-tls", cases[i].banner, cases[i].a));
		is_str(severity_names[sev], severity_names[cases[i].sev],
		    lbl("%s %s: severity", cases[i].banner, cases[i].a));
		ok(strstr(msg, cases[i].has) != NULL,
		    lbl("%s %s: message has \"%s\"", cases[i].banner,
			cases[i].a, cases[i].has));
		result_probe_free(&p);
	}
	greeted(&p, 587, MODE_STARTTLS, "mx ESMTP Sendmail 8.17.1");
	auth_clear(&p, "CRAM-MD5", NULL);
	judge(&p);
	ok(p.nfindings == 1 &&
		strstr(p.findings[0].message, "do not send the password") &&
		strstr(p.findings[0].message, "Postfix") == NULL,
	    "CRAM-MD5 only: says the password is not sent, no Postfix advice");
	result_probe_free(&p);
}

/*
 * target - a target of n probes (moved in: the caller's copies must not
 * be freed), judged as run.c does
 */
static void
target(struct target_result *t, struct probe_result *probes, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->host = xstrdup("mail.example.org");
	t->probes = xcalloc(n, sizeof(*t->probes));
	memcpy(t->probes, probes, n * sizeof(*probes));
	t->nprobes = n;
	diagnose_target(t);
}

/* plaintext_465 - 465 answered in plaintext and STARTTLS worked */
static void
plaintext_465(struct probe_result *p, const char *banner)
{
	greeted(p, 465, MODE_AUTO, banner);
	p->detected_other_mode = true;
	p->mode = MODE_STARTTLS;
	p->starttls.offered = p->starttls.sent = true;
	p->starttls.code = 220;
	p->tls.attempted = p->tls.established = true;
	judge(p);
}

/* implicit_587 - 587 was silent in plaintext and implicit TLS worked */
static void
implicit_587(struct probe_result *p)
{
	greeted(p, 587, MODE_AUTO, "mx ESMTP Postfix");
	p->detected_other_mode = true;
	p->mode = MODE_IMPLICIT;
	p->ehlo.reply.present = false;
	p->tls.attempted = p->tls.established = true;
	judge(p);
}

/* swap_cases - ports-swapped from the ports of one host, and only then */
static void
swap_cases(void)
{
	struct probe_result pr[3];
	struct target_result t;

	greeted(&pr[0], 25, MODE_AUTO, "mx ESMTP Postfix");
	judge(&pr[0]);
	plaintext_465(&pr[1], "mx ESMTP Postfix");
	implicit_587(&pr[2]);
	target(&t, pr, 3);
	is_int(t.nfindings, 1, "465 plaintext, 587 implicit: one finding");
	is_str(t.nfindings ? t.findings[0].id : "", "ports-swapped",
	    "465 plaintext, 587 implicit: ports-swapped");
	is_str(severity_names[t.nfindings ? t.findings[0].severity : 0],
	    "critical", "ports-swapped is critical");
	ok(t.nfindings &&
		strstr(t.findings[0].message,
		    "port 587 with SSL/TLS on connect") &&
		strstr(t.findings[0].message, "port 465 with STARTTLS") &&
		strstr(t.findings[0].message, "smtpd_tls_wrappermode=yes"),
	    "ports-swapped: says what works, and the Postfix setting");
	diagnose_target(&t);
	is_int(t.nfindings, 1, "judged again: still one finding");
	result_target_free(&t);

	/* The same ports on two addresses are not one host's swap. */
	plaintext_465(&pr[0], "mx ESMTP");
	implicit_587(&pr[1]);
	snprintf(pr[1].address, sizeof(pr[1].address), "%s", "192.0.2.2");
	target(&t, pr, 2);
	is_int(t.nfindings, 0, "swap across two addresses: no finding");
	result_target_free(&t);

	/* One side alone is that port's finding only. */
	implicit_587(&pr[0]);
	greeted(&pr[1], 465, MODE_AUTO, "mx ESMTP");
	judge(&pr[1]);
	target(&t, pr, 2);
	is_int(t.nfindings, 0, "587 implicit, 465 fine: no host finding");
	result_target_free(&t);

	/* 465 plaintext without STARTTLS: nothing works there. */
	greeted(&pr[0], 465, MODE_AUTO, "mx ESMTP");
	pr[0].detected_other_mode = true;
	judge(&pr[0]);
	implicit_587(&pr[1]);
	target(&t, pr, 2);
	ok(t.nfindings == 1 &&
		strstr(t.findings[0].message, "without STARTTLS") &&
		strstr(t.findings[0].message, "port 465 has no working TLS") &&
		strstr(t.findings[0].message, "Postfix") == NULL,
	    "465 plaintext without STARTTLS: says 465 has no working TLS");
	result_target_free(&t);
}

/* advice_cases - plain mode, and which ports people are advised on */
static void
advice_cases(void)
{
	struct probe_result p;

	greeted(&p, 2525, MODE_PLAIN, "mx ESMTP");
	p.starttls.offered = true;
	judge(&p);
	is_int(p.nfindings, 0, "plain mode, STARTTLS offered: no finding");
	ok(strstr(p.advice.text, "until the findings are fixed") == NULL &&
		strstr(p.advice.text, "plain mode") != NULL,
	    "plain mode: the advice says TLS was not tried, not 'findings'");
	ok(!p.advice.for_clients, "port 2525 without AUTH: not for clients");
	result_probe_free(&p);

	greeted(&p, 25, MODE_STARTTLS, "mx ESMTP");
	judge(&p);
	ok(!p.advice.for_clients, "MX port 25 without AUTH: not for clients");
	result_probe_free(&p);

	greeted(&p, 25, MODE_STARTTLS, "mx ESMTP");
	result_text_set(&p.auth.after[p.auth.nafter++], "PLAIN", 5);
	judge(&p);
	ok(p.advice.for_clients, "port 25 with AUTH: for clients");
	result_probe_free(&p);

	greeted(&p, 587, MODE_STARTTLS, "mx ESMTP");
	judge(&p);
	ok(p.advice.for_clients, "port 587: for clients");
	result_probe_free(&p);
}
