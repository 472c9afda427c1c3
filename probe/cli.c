/*
 * cli.c - argv into one struct config (report-contract.md, "Command line").
 *
 * Every value is checked here, with a message that names the option and
 * says what is wrong, so that a bad invocation probes nothing and exits 2.
 * Numbers go through strtod/strtol with an end pointer and a range.
 */
#include "cli.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "dns.h"
#include "report.h"
#include "version.h"

#define DEFAULT_PORTS "25,465,587"
/* --mx: an MX host takes mail on 25 (RFC 5321 2.3.5) */
#define DEFAULT_MX_PORTS "25"

enum {
	OPT_CAFILE = 256,
	OPT_SNI,
	OPT_EHLO,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_WARN_DAYS,
	OPT_CLIENT_CERT,
	OPT_CLIENT_KEY,
	OPT_TRANSCRIPT,
	OPT_PEM,
	OPT_BASELINE,
	OPT_AUTH_USER,
	OPT_AUTH_PASSWORD_FILE,
	OPT_MX,
	OPT_SRV,
	OPT_FIRST_ADDRESS,
	OPT_RESOLVER,
	OPT_SHARD,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_TLS_VERSIONS,
	OPT_CHECK_INJECTION,
	OPT_DANE,
	OPT_MTA_STS,
	OPT_ALL_CHECKS
};

static const struct option longopts[] = {
    {"ports", required_argument, NULL, 'p'},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"sni", required_argument, NULL, OPT_SNI},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"jobs", required_argument, NULL, 'j'},
    {"warn-days", required_argument, NULL, OPT_WARN_DAYS},
    {"client-cert", required_argument, NULL, OPT_CLIENT_CERT},
    {"client-key", required_argument, NULL, OPT_CLIENT_KEY},
    {"auth-user", required_argument, NULL, OPT_AUTH_USER},
    {"auth-password-file", required_argument, NULL, OPT_AUTH_PASSWORD_FILE},
    {"transcript", no_argument, NULL, OPT_TRANSCRIPT},
    {"pem", no_argument, NULL, OPT_PEM}, {"mx", no_argument, NULL, OPT_MX},
    {"srv", no_argument, NULL, OPT_SRV},
    {"first-address", no_argument, NULL, OPT_FIRST_ADDRESS},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"tls-versions", no_argument, NULL, OPT_TLS_VERSIONS},
    {"check-injection", no_argument, NULL, OPT_CHECK_INJECTION},
    {"dane", no_argument, NULL, OPT_DANE},
    {"mta-sts", no_argument, NULL, OPT_MTA_STS},
    {"all-checks", no_argument, NULL, OPT_ALL_CHECKS},
    {"verbose", no_argument, NULL, 'v'}, {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

/* What the option handlers share while argv is read. */
struct cli_state {
	struct config *cfg;
	char **argv;
	bool format_set; /* --format given: no default from the terminal */
	bool ports_set;  /* -p given: no default from --mx */
	bool all_checks; /* --all-checks: settled once --mx is known */
};

/* One option's handler: CLI_OK to go on, else what cli_parse returns. */
struct opt_handler {
	int opt;
	enum cli_result (*fn)(struct cli_state *, int, const char *);
};

static const struct report_format *named_format(int, char **);
static enum cli_result set_defaults(struct config *);
static enum cli_result apply_option(struct cli_state *, int);
static enum cli_result finish(struct cli_state *, int, bool, bool);
static enum cli_result opt_ports(struct cli_state *, int, const char *);
static enum cli_result opt_file(struct cli_state *, int, const char *);
static enum cli_result opt_targets_file(struct cli_state *, int, const char *);
static enum cli_result opt_name(struct cli_state *, int, const char *);
static enum cli_result opt_number(struct cli_state *, int, const char *);
static enum cli_result opt_format(struct cli_state *, int, const char *);
static enum cli_result opt_output(struct cli_state *, int, const char *);
static enum cli_result opt_fail_on(struct cli_state *, int, const char *);
static enum cli_result opt_flag(struct cli_state *, int, const char *);
static enum cli_result opt_auth(struct cli_state *, int, const char *);
static enum cli_result opt_info(struct cli_state *, int, const char *);
static enum cli_result opt_dns(struct cli_state *, int, const char *);
static enum cli_result opt_resolver(struct cli_state *, int, const char *);
static enum cli_result opt_shard(struct cli_state *, int, const char *);
static enum cli_result bad_option(struct cli_state *, int);
static const char *file_problem(int);
static int parse_seconds(const char *, const char *, int *);
static int parse_int(const char *, const char *, long, long, int *);
static enum cli_result usage_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static const struct opt_handler handlers[] = {
    {'p', opt_ports},
    {'f', opt_targets_file},
    {OPT_CAFILE, opt_file},
    {OPT_CLIENT_CERT, opt_file},
    {OPT_CLIENT_KEY, opt_file},
    {OPT_BASELINE, opt_file},
    {OPT_SNI, opt_name},
    {OPT_EHLO, opt_name},
    {OPT_TIMEOUT, opt_number},
    {OPT_CONNECT_TIMEOUT, opt_number},
    {'j', opt_number},
    {OPT_WARN_DAYS, opt_number},
    {OPT_FORMAT, opt_format},
    {'o', opt_output},
    {OPT_FAIL_ON, opt_fail_on},
    {OPT_AUTH_USER, opt_auth},
    {OPT_AUTH_PASSWORD_FILE, opt_auth},
    {OPT_TRANSCRIPT, opt_flag},
    {OPT_PEM, opt_flag},
    {'v', opt_flag},
    {OPT_PROGRESS, opt_flag},
    {OPT_NO_PROGRESS, opt_flag},
    {OPT_MX, opt_dns},
    {OPT_SRV, opt_dns},
    {OPT_FIRST_ADDRESS, opt_dns},
    {'4', opt_dns},
    {'6', opt_dns},
    {OPT_RESOLVER, opt_resolver},
    {OPT_SHARD, opt_shard},
    {OPT_TLS_VERSIONS, opt_flag},
    {OPT_CHECK_INJECTION, opt_flag},
    {OPT_DANE, opt_flag},
    {OPT_MTA_STS, opt_flag},
    {OPT_ALL_CHECKS, opt_flag},
    {'V', opt_info},
    {'h', opt_info},
};

/* cli_parse - argv into cfg; prints its own messages */
enum cli_result
cli_parse(
    int argc, char **argv, bool stdout_tty, bool no_color, struct config *cfg)
{
	struct cli_state st;
	enum cli_result r;
	int c;

	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.argv = argv;
	if ((r = set_defaults(cfg)) != CLI_OK)
		return r;
	cfg->format = named_format(argc, argv);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(
		    argc, argv, ":p:o:j:f:46vVh", longopts, NULL)) != -1)
		if ((r = apply_option(&st, c)) != CLI_OK)
			return r;
	return finish(&st, argc, stdout_tty, no_color);
}

/*
 * named_format - the last valid --format in argv, read with the same
 * getopt_long as the real parse (so that "-o --format" is -o's value),
 * errors ignored: a usage error anywhere must exit with the status of
 * the format asked for. optind 0 makes GNU getopt start afresh.
 */
static const struct report_format *
named_format(int argc, char **argv)
{
	const struct report_format *fmt = NULL, *f;
	int c;

	opterr = 0;
	optind = 0;
	while (
	    (c = getopt_long(argc, argv, ":p:o:j:f:vVh", longopts, NULL)) != -1)
		if (c == OPT_FORMAT && (f = format_find(optarg)) != NULL)
			fmt = f;
	return fmt;
}

/* set_defaults - the values every option starts from */
static enum cli_result
set_defaults(struct config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 30000;
	cfg->connect_timeout_ms = 10000;
	cfg->fail_on = -1;
	cfg->jobs = 64;
	cfg->warn_days = 21;
	cfg->family = AF_UNSPEC;
	cfg->progress = -1;
	snprintf(
	    cfg->ehlo_name, sizeof(cfg->ehlo_name), "%s", CLI_DEFAULT_EHLO);
	if (target_parse_ports(DEFAULT_PORTS, cfg->ports, PORTS_MAX,
		&cfg->nports, err, sizeof(err)) == -1)
		return usage_error("%s", err);
	return CLI_OK;
}

/* apply_option - run the handler of option c */
static enum cli_result
apply_option(struct cli_state *st, int c)
{
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].opt == c)
			return handlers[i].fn(st, c, optarg);
	return bad_option(st, c);
}

/*
 * finish - what needs every option seen: the checks between options, the
 * defaults that depend on others, and the TARGETs after the options.
 */
static enum cli_result
finish(struct cli_state *st, int argc, bool stdout_tty, bool no_color)
{
	struct config *cfg = st->cfg;
	struct target t;
	char err[256];
	int i;

	if ((cfg->client_cert == NULL) != (cfg->client_key == NULL))
		return usage_error("--client-cert and --client-key go "
				   "together");
	if (cfg->auth_password_file != NULL && cfg->auth_user == NULL)
		return usage_error("--auth-password-file needs --auth-user");
	if (cfg->connect_timeout_ms > cfg->timeout_ms)
		cfg->connect_timeout_ms = cfg->timeout_ms;
	if (cfg->mta_sts && !cfg->mx)
		return usage_error("--mta-sts needs --mx: MTA-STS is a mail "
				   "domain's policy for its MX hosts");
	if (st->all_checks) {
		cfg->tls_versions = cfg->check_injection = cfg->dane = true;
		cfg->mta_sts = cfg->mx;
	}
	if (cfg->mx && !st->ports_set &&
	    target_parse_ports(DEFAULT_MX_PORTS, cfg->ports, PORTS_MAX,
		&cfg->nports, err, sizeof(err)) == -1)
		return usage_error("%s", err);
	if (!st->format_set)
		cfg->format = format_find(
		    stdout_tty && cfg->output == NULL ? "text" : "json");
	cfg->color = stdout_tty && cfg->output == NULL && !no_color;

	if (optind == argc && cfg->targets_file == NULL)
		return usage_error("no TARGET or -f FILE given");
	for (i = optind; i < argc; i++)
		if (target_parse(st->argv[i], &t, err, sizeof(err)) == -1)
			return usage_error("%s", err);
	cfg->targets = st->argv + optind;
	cfg->ntargets = (size_t)(argc - optind);
	return CLI_OK;
}

/* opt_ports - -p LIST */
static enum cli_result
opt_ports(struct cli_state *st, int c, const char *arg)
{
	char err[256];

	(void)c;
	if (target_parse_ports(arg, st->cfg->ports, PORTS_MAX, &st->cfg->nports,
		err, sizeof(err)) == -1)
		return usage_error("--ports: %s", err);
	st->ports_set = true;
	return CLI_OK;
}

/*
 * opt_file - --cafile, --client-cert, --client-key, --baseline: a
 * readable file; what is inside is judged when it is loaded
 * (cert_trust_load, tls_ctx_init, baseline_load)
 */
static enum cli_result
opt_file(struct cli_state *st, int c, const char *arg)
{
	const char *name = c == OPT_CAFILE ? "cafile"
	    : c == OPT_CLIENT_CERT         ? "client-cert"
	    : c == OPT_BASELINE            ? "baseline"
					   : "client-key";
	struct stat sb;

	if (stat(arg, &sb) == -1 || access(arg, R_OK) == -1)
		return usage_error(
		    "--%s %s: %s", name, arg, file_problem(errno));
	if (S_ISDIR(sb.st_mode))
		return usage_error(
		    "--%s %s: is a directory, not a file", name, arg);
	if (c == OPT_CAFILE)
		st->cfg->cafile = arg;
	else if (c == OPT_CLIENT_CERT)
		st->cfg->client_cert = arg;
	else if (c == OPT_BASELINE)
		st->cfg->baseline_file = arg;
	else
		st->cfg->client_key = arg;
	return CLI_OK;
}

/*
 * opt_targets_file - -f FILE: checked without opening it, since opening
 * a named pipe twice would lose what its writer sent to the first reader.
 */
static enum cli_result
opt_targets_file(struct cli_state *st, int c, const char *arg)
{
	struct stat sb;

	(void)c;
	if (st->cfg->targets_file != NULL)
		return usage_error("-f given twice: give one FILE of targets");
	if (strcmp(arg, "-") != 0) {
		if (stat(arg, &sb) == -1 || access(arg, R_OK) == -1)
			return usage_error("-f %s: %s", arg, strerror(errno));
		if (S_ISDIR(sb.st_mode))
			return usage_error("-f %s: %s", arg, strerror(EISDIR));
	}
	st->cfg->targets_file = arg;
	return CLI_OK;
}

/* opt_name - --sni, --ehlo: a host name (or, for EHLO, an address) */
static enum cli_result
opt_name(struct cli_state *st, int c, const char *arg)
{
	struct target t;
	char err[256];
	size_t len;

	len = strlen(arg);
	if (len == 0 || len > HOSTNAME_MAX || strpbrk(arg, " \t\r\n") != NULL ||
	    target_parse(arg, &t, err, sizeof(err)) == -1 || t.port != 0)
		return usage_error("--%s \"%s\": not a host name",
		    c == OPT_SNI ? "sni" : "ehlo", arg);
	if (c == OPT_SNI && t.is_ip)
		return usage_error("--sni \"%s\": SNI carries a host name, "
				   "never an IP address (RFC 6066 3)",
		    arg);
	if (c == OPT_SNI)
		st->cfg->sni = arg;
	else
		target_ehlo_name(
		    &t, st->cfg->ehlo_name, sizeof(st->cfg->ehlo_name));
	return CLI_OK;
}

/* opt_number - --timeout, --connect-timeout, -j, --warn-days */
static enum cli_result
opt_number(struct cli_state *st, int c, const char *arg)
{
	struct config *cfg = st->cfg;
	int r;

	if (c == OPT_TIMEOUT)
		r = parse_seconds("--timeout", arg, &cfg->timeout_ms);
	else if (c == OPT_CONNECT_TIMEOUT)
		r = parse_seconds(
		    "--connect-timeout", arg, &cfg->connect_timeout_ms);
	else if (c == 'j')
		r = parse_int("--jobs", arg, 1, 100000, &cfg->jobs);
	else
		r = parse_int("--warn-days", arg, 0, 3650, &cfg->warn_days);
	return r == -1 ? CLI_USAGE : CLI_OK;
}

/* opt_format - --format FMT */
static enum cli_result
opt_format(struct cli_state *st, int c, const char *arg)
{
	const struct report_format *f = format_find(arg);

	(void)c;
	st->format_set = true;
	if (f == NULL)
		return usage_error(
		    "--format \"%s\": use %s", arg, format_names());
	st->cfg->format = f;
	return CLI_OK;
}

/*
 * opt_output - -o FILE: checked now, so a report that could never be
 * written stops the run before anything is probed, and opened only once
 * the whole configuration is good (a bad one leaves an existing FILE
 * alone). FILE need not exist, but its directory must.
 */
static enum cli_result
opt_output(struct cli_state *st, int c, const char *arg)
{
	char dir[PATH_MAX];
	const char *slash;
	struct stat sb;
	size_t len;

	(void)c;
	if (arg[0] == '\0')
		return usage_error("-o: give a file name");
	if (stat(arg, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return usage_error(
			    "-o %s: is a directory: give a file name", arg);
		if (access(arg, W_OK) == -1)
			return usage_error("-o %s: cannot be written: %s", arg,
			    file_problem(errno));
	} else if (errno != ENOENT)
		return usage_error("-o %s: %s", arg, file_problem(errno));
	else {
		/* The directory the file would be created in. */
		slash = strrchr(arg, '/');
		len = slash == NULL ? 0
		    : slash == arg  ? 1
				    : (size_t)(slash - arg);
		if (len >= sizeof(dir))
			return usage_error("-o %s: name too long", arg);
		memcpy(dir, len ? arg : ".", len ? len : 1);
		dir[len ? len : 1] = '\0';
		if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
			return usage_error(
			    "-o %s: its directory does not exist", arg);
		if (access(dir, W_OK | X_OK) == -1)
			return usage_error("-o %s: cannot be created there: %s",
			    arg, file_problem(errno));
	}
	st->cfg->output = arg;
	return CLI_OK;
}

/* opt_fail_on - --fail-on SEV */
static enum cli_result
opt_fail_on(struct cli_state *st, int c, const char *arg)
{
	char sevbuf[32];

	(void)c;
	snprintf(sevbuf, sizeof(sevbuf), "%s", arg);
	st->cfg->fail_on = names_lookup(severity_names, SEV_COUNT, sevbuf);
	if (st->cfg->fail_on == -1)
		return usage_error(
		    "--fail-on \"%s\": use info, warning or critical", arg);
	return CLI_OK;
}

/*
 * opt_flag - --transcript, --pem, --progress, --no-progress, -v, and the
 * deeper checks (--all-checks is settled by finish(): --mx may follow it)
 */
static enum cli_result
opt_flag(struct cli_state *st, int c, const char *arg)
{
	struct config *cfg = st->cfg;

	(void)arg;
	if (c == OPT_TRANSCRIPT)
		cfg->transcript = true;
	else if (c == OPT_PEM)
		cfg->pem = true;
	else if (c == OPT_PROGRESS || c == OPT_NO_PROGRESS)
		cfg->progress = c == OPT_PROGRESS;
	else if (c == OPT_TLS_VERSIONS)
		cfg->tls_versions = true;
	else if (c == OPT_CHECK_INJECTION)
		cfg->check_injection = true;
	else if (c == OPT_DANE)
		cfg->dane = true;
	else if (c == OPT_MTA_STS)
		cfg->mta_sts = true;
	else if (c == OPT_ALL_CHECKS)
		st->all_checks = true;
	else
		cfg->verbosity++;
	return CLI_OK;
}

/*
 * opt_auth - --auth-user USER, --auth-password-file FILE: the file is
 * opened and checked once, by cred_load (run.c), on one descriptor
 */
static enum cli_result
opt_auth(struct cli_state *st, int c, const char *arg)
{
	if (c == OPT_AUTH_PASSWORD_FILE)
		st->cfg->auth_password_file = arg;
	else if (arg[0] == '\0' || strlen(arg) > AUTH_USER_MAX)
		return usage_error(
		    "--auth-user: give a name of 1 to %d bytes", AUTH_USER_MAX);
	else
		st->cfg->auth_user = arg;
	return CLI_OK;
}

/* opt_dns - --mx, --srv, --first-address, -4, -6 */
static enum cli_result
opt_dns(struct cli_state *st, int c, const char *arg)
{
	struct config *cfg = st->cfg;
	int family = c == '4' ? AF_INET : AF_INET6;

	(void)arg;
	if (c == OPT_MX)
		cfg->mx = true;
	else if (c == OPT_SRV)
		cfg->srv = true;
	else if (c == OPT_FIRST_ADDRESS)
		cfg->first_address = true;
	else if (cfg->family != AF_UNSPEC && cfg->family != family)
		return usage_error("-4 and -6 exclude each other: give "
				   "neither to probe both");
	else
		cfg->family = family;
	return CLI_OK;
}

/* opt_resolver - --resolver IP[:PORT]: an address, never a name */
static enum cli_result
opt_resolver(struct cli_state *st, int c, const char *arg)
{
	(void)c;
	if (!dns_server_ok(arg))
		return usage_error("--resolver \"%s\": give IP, IP:PORT or "
				   "[IPv6]:PORT",
		    arg);
	st->cfg->resolver = arg;
	return CLI_OK;
}

/* opt_shard - --shard K/N, 1 <= K <= N */
static enum cli_result
opt_shard(struct cli_state *st, int c, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char k[16];
	int kv, nv;

	(void)c;
	if (slash == NULL || (size_t)(slash - arg) >= sizeof(k))
		return usage_error("--shard \"%s\": give K/N, as in 2/8", arg);
	memcpy(k, arg, (size_t)(slash - arg));
	k[slash - arg] = '\0';
	if (parse_int("--shard's N", slash + 1, 1, SHARDS_MAX, &nv) == -1 ||
	    parse_int("--shard's K", k, 1, nv, &kv) == -1)
		return CLI_USAGE;
	st->cfg->shard_k = (unsigned int)kv;
	st->cfg->shard_n = (unsigned int)nv;
	return CLI_OK;
}

/* opt_info - -V, -h: print and stop */
static enum cli_result
opt_info(struct cli_state *st, int c, const char *arg)
{
	(void)st;
	(void)arg;
	if (c == 'V')
		printf("smtp-probe %s\n", SMTP_PROBE_VERSION);
	else
		cli_help(stdout);
	return CLI_EXIT_OK;
}

/* bad_option - a missing value, or an option getopt does not know */
static enum cli_result
bad_option(struct cli_state *st, int c)
{
	const char *arg = st->argv[optind - 1];

	if (c == ':')
		return usage_error("%s needs a value", arg);
	/* getopt sets optopt for a known long option given a value it does
	 * not take ("--pem=yes"). */
	if (strncmp(arg, "--", 2) == 0 && optopt != 0)
		return usage_error(
		    "%.*s takes no value", (int)strcspn(arg, "="), arg);
	/* In a group of short options ("-Zv") argv names the group, not the
	 * option. */
	if (optopt > 0 && optopt < 128 && isgraph(optopt))
		return usage_error("unknown option -%c", optopt);
	return usage_error("unknown option %s", arg);
}

/* file_problem - what errno from stat or access means, in plain words */
static const char *
file_problem(int e)
{
	switch (e) {
	case ENOENT:
		return "no such file";
	case ENOTDIR:
		return "a part of the path is not a directory";
	case EACCES:
	case EPERM:
		return "permission denied";
	case EROFS:
		return "on a read-only file system";
	default:
		return strerror(e);
	}
}

/* parse_seconds - positive seconds, decimals allowed, into milliseconds */
static int
parse_seconds(const char *opt, const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* Plain decimals only: strtod also takes " 5", "0x10" and "1e1". */
	if (s[strspn(s, "0123456789.")] != '\0' || end == s || *end != '\0' ||
	    errno != 0 || !isfinite(v) || v < 0.001 || v > 86400) {
		usage_error("%s \"%s\": give seconds between 0.001 and "
			    "86400",
		    opt, s);
		return -1;
	}
	*ms = (int)lround(v * 1000);
	return 0;
}

/* parse_int - an integer in [lo, hi] */
static int
parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[strspn(s, "0123456789")] != '\0' || end == s || *end != '\0' ||
	    errno != 0 || v < lo || v > hi) {
		usage_error("%s \"%s\": give a whole number from %ld to %ld",
		    opt, s, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * usage_error - print "smtp-probe: MESSAGE" (escaped by log.c: it quotes
 * argv) and a hint; returns CLI_USAGE
 */
static enum cli_result
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwarn(fmt, ap);
	va_end(ap);
	fputs("Try 'smtp-probe --help' for more information.\n", stderr);
	return CLI_USAGE;
}
