/*
 * cli.h - the command line, parsed and checked into one struct config.
 *
 * Nothing is probed until everything given is valid: a bad option is a
 * message naming it, and exit status 2.
 */
#ifndef SMTP_PROBE_CLI_H
#define SMTP_PROBE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "bounds.h"
#include "names.h"
#include "target.h"

#define EXIT_USAGE 2
/* The EHLO name when --ehlo gives none (.invalid: RFC 6761 6.4). */
#define CLI_DEFAULT_EHLO "smtp-probe.invalid"

struct report_format; /* report.h: the table of output formats */
struct baseline;      /* baseline.h */

struct config {
	struct port_spec ports[PORTS_MAX];
	size_t nports;
	const char *cafile; /* NULL: system trust store */
	const char *sni;    /* NULL: the target's host name */
	char ehlo_name[HOSTNAME_MAX + 1];
	int timeout_ms;
	int connect_timeout_ms;
	const struct report_format *format;
	const char *output; /* NULL: stdout */
	int fail_on;        /* enum severity, or -1 for never */
	int jobs;
	int warn_days;
	const char *client_cert;
	const char *client_key;
	const char *auth_user;          /* --auth-user; NULL: no login */
	const char *auth_password_file; /* NULL: SMTP_PROBE_PASSWORD */
	bool transcript;
	bool pem;
	bool color; /* text output may use colour */
	int verbosity;
	char **targets; /* argv's, not owned */
	size_t ntargets;
	const char *targets_file;  /* -f: NULL none, "-" stdin; argv's */
	const char *baseline_file; /* --baseline: NULL none; argv's */
	/* --baseline's report, loaded by main (not by cli_parse, which reads
	 * no file); NULL: none */
	struct baseline *baseline;
	bool mx;              /* targets are mail domains: MX hosts */
	bool srv;             /* and their submission SRV records */
	bool first_address;   /* one address per name */
	int family;           /* AF_UNSPEC; AF_INET (-4), AF_INET6 (-6) */
	const char *resolver; /* --resolver; NULL: /etc/resolv.conf */
	unsigned int shard_k; /* --shard K/N; 0: no shard */
	unsigned int shard_n;
	int progress; /* 1 on, 0 off, -1 as main.c decides (stderr a tty) */
	/* the deeper checks, off by default; --all-checks sets each one
	 * that applies (mta_sts only with --mx) */
	bool tls_versions;    /* one handshake per TLS version */
	bool check_injection; /* STARTTLS and NOOP in one write */
	bool dane;            /* TLSA records, DNSSEC-validated */
	bool mta_sts;         /* the domain's MTA-STS policy and TLS-RPT */
};

enum cli_result {
	CLI_OK,
	CLI_EXIT_OK, /* --help or --version was printed */
	CLI_USAGE    /* message printed; exit 2 */
};

/*
 * cli_parse - fill cfg from argv. stdout_tty decides the default format
 * and whether colour is allowed; no_color is true when NO_COLOR is set. At
 * least one TARGET or -f FILE is required; each TARGET is checked here, and
 * FILE only for being readable (its lines are read by the target source,
 * target.h, and a bad one does not stop the run). On CLI_USAGE,
 * cfg->format is still the --format named anywhere in argv (NULL: none
 * or not valid), so that the exit status can be that format's
 * usage_status (3 for nagios, whatever the mistake and wherever it is).
 */
enum cli_result cli_parse(
    int argc, char **argv, bool stdout_tty, bool no_color, struct config *cfg);

/* cli_help - the --help text: usage, every option, the exit statuses */
void cli_help(FILE *fp);

#endif
