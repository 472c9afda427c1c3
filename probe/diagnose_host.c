/*
 * diagnose_host.c - findings about a host as a whole: what only its ports
 * together show.
 *
 * ports-swapped: on one address, a port probed for implicit TLS (RFC 8314,
 * 465) speaks plaintext SMTP while a port probed for STARTTLS (RFC 6409,
 * 587) speaks implicit TLS. Each port's own finding says what that port
 * does; this one says that the two were configured the other way round,
 * and which client settings work on this host as it is. One finding per
 * target: the first swapped pair, in report order, names it.
 *
 * Pure: reads the probes' observations (never their findings), writes the
 * target's findings through diag_add_target().
 */
#include "diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void swap_finding(struct target_result *);
static const struct probe_result *swap_partner(
    const struct target_result *, const struct probe_result *);
static const char *server_fix(enum server_sw);

/* diagnose_target - the host-level findings of t */
void
diagnose_target(struct target_result *t)
{
	size_t i;

	/* Judging the same target again gives the same findings, once. */
	for (i = 0; i < t->nfindings; i++)
		free(t->findings[i].message);
	t->nfindings = 0;
	diag_dns(t);
	swap_finding(t);
	diag_sts(t);
}

/* swap_finding - ports-swapped, for the first swapped pair */
static void
swap_finding(struct target_result *t)
{
	const struct probe_result *plain = NULL, *impl = NULL;
	char alt[128];
	size_t i;

	for (i = 0; i < t->nprobes && impl == NULL; i++) {
		plain = &t->probes[i];
		if (diag_speaks_plaintext(plain) && plain->banner.present)
			impl = swap_partner(t, plain);
	}
	if (impl == NULL)
		return;
	if (plain->mode == MODE_STARTTLS && plain->tls.established)
		(void)snprintf(alt, sizeof(alt), "; or port %d with STARTTLS",
		    plain->port);
	else
		(void)snprintf(alt, sizeof(alt),
		    "; port %d has no working TLS: send nothing there",
		    plain->port);
	diag_add_target(t, F_PORTS_SWAPPED,
	    "Ports %d and %d are swapped: port %d, where clients expect "
	    "implicit TLS, speaks plaintext SMTP%s, and port %d, where "
	    "clients expect STARTTLS, speaks implicit TLS. Client settings "
	    "that work on this host as it is: port %d with SSL/TLS on "
	    "connect (Thunderbird \"SSL/TLS\", Python smtplib.SMTP_SSL, "
	    "MailKit SslOnConnect)%s. Fix the server by swapping the two "
	    "ports' settings%s.",
	    plain->port, impl->port, plain->port,
	    plain->starttls.offered ? " with STARTTLS" : " without STARTTLS",
	    impl->port, impl->port, alt,
	    server_fix(diag_server_software(plain)));
}

/*
 * swap_partner - a port of the same address as plain that was probed for
 * STARTTLS and speaks implicit TLS; NULL if none
 */
static const struct probe_result *
swap_partner(const struct target_result *t, const struct probe_result *plain)
{
	const struct probe_result *q;
	size_t i;

	for (i = 0; i < t->nprobes; i++) {
		q = &t->probes[i];
		if (q != plain && diag_speaks_implicit(q) &&
		    q->tls.established &&
		    strcmp(q->address, plain->address) == 0)
			return q;
	}
	return NULL;
}

/* server_fix - where the swapped setting lives, when the greeting says */
static const char *
server_fix(enum server_sw sw)
{
	if (sw == SW_POSTFIX)
		return " (Postfix master.cf: -o smtpd_tls_wrappermode=yes "
		       "belongs on the implicit-TLS port's service, not on the "
		       "STARTTLS port's)";
	return "";
}
