/*
 * cli.c - argv into one struct config (report-contract.md, "Command line").
 *
 * Every value is checked here, with a message that names the option and
 * says what is wrong, so that a bad invocation probes nothing and exits 2.
 * Numbers go through strtod/strtol with an end pointer and a range.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"

#define DEFAULT_PORTS "25,465,587"
#define DEFAULT_EHLO "smtp-probe.invalid"

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
	OPT_PEM
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
    {"transcript", no_argument, NULL, OPT_TRANSCRIPT},
    {"pem", no_argument, NULL, OPT_PEM}, {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char usage_text[] =
    "usage: smtp-probe [OPTIONS] TARGET...\n"
    "Probe how the mail servers TARGET (host, host:port, 1.2.3.4:port,\n"
    "[2001:db8::1]:port) do TLS on each port, and report what they did.\n"
    "\n"
    "  -p, --ports LIST         PORT[/MODE],... (default 25,465,587); MODE is\n"
    "                           auto, starttls, implicit or plain\n"
    "      --cafile FILE        trust anchors in PEM (default: system store)\n"
    "      --sni NAME           name sent as SNI and checked against the\n"
    "                           certificate (default: the target's host name)\n"
    "      --ehlo NAME          name given in EHLO (default " DEFAULT_EHLO ")\n"
    "      --timeout SEC        deadline for one port's whole probe (30)\n"
    "      --connect-timeout SEC  deadline for the TCP connect (10)\n"
    "      --format FMT         json, ndjson or text (text on a terminal)\n"
    "  -o, --output FILE        write the report to FILE\n"
    "      --fail-on SEV        exit 1 if a finding is SEV or worse\n"
    "                           (info, warning, critical)\n"
    "  -j, --jobs N             probes in flight at once (default 64)\n"
    "      --warn-days N        cert-expiring below N days left (21)\n"
    "      --client-cert FILE   client certificate (PEM) for the handshake\n"
    "      --client-key FILE    its private key (PEM)\n"
    "      --transcript         include the SMTP dialogue with times\n"
    "      --pem                include each certificate's PEM\n"
    "  -v, --verbose            progress on stderr (twice: more)\n"
    "  -V, --version            print the version\n"
    "  -h, --help               print this help\n"
    "\n"
    "Exit status: 0 report written; 1 --fail-on threshold reached;\n"
    "2 bad usage; 3 the tool itself failed.\n";

static void ehlo_name(const struct target *, char *, size_t);
static int parse_seconds(const char *, const char *, int *);
static int parse_int(const char *, const char *, long, long, int *);
static enum cli_result usage_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));

/* cli_parse - argv into cfg; prints its own messages */
enum cli_result
cli_parse(
    int argc, char **argv, bool stdout_tty, bool no_color, struct config *cfg)
{
	char err[256], sevbuf[32];
	struct target t;
	bool format_set = false;
	int c, i;
	size_t len;

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 30000;
	cfg->connect_timeout_ms = 10000;
	cfg->fail_on = -1;
	cfg->jobs = 64;
	cfg->warn_days = 21;
	snprintf(cfg->ehlo_name, sizeof(cfg->ehlo_name), "%s", DEFAULT_EHLO);
	if (target_parse_ports(DEFAULT_PORTS, cfg->ports, PORTS_MAX,
		&cfg->nports, err, sizeof(err)) == -1)
		return usage_error("%s", err);

	opterr = 0;
	optind = 1;
	while (
	    (c = getopt_long(argc, argv, ":p:o:j:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (target_parse_ports(optarg, cfg->ports, PORTS_MAX,
				&cfg->nports, err, sizeof(err)) == -1)
				return usage_error("--ports: %s", err);
			break;
		case OPT_CAFILE:
			if (access(optarg, R_OK) == -1)
				return usage_error(
				    "--cafile %s: %s", optarg, strerror(errno));
			cfg->cafile = optarg;
			break;
		case OPT_SNI:
		case OPT_EHLO:
			len = strlen(optarg);
			if (len == 0 || len > HOSTNAME_MAX ||
			    strpbrk(optarg, " \t\r\n") != NULL ||
			    target_parse(optarg, &t, err, sizeof(err)) == -1 ||
			    t.port != 0)
				return usage_error("--%s \"%s\": not a host "
						   "name",
				    c == OPT_SNI ? "sni" : "ehlo", optarg);
			if (c == OPT_SNI && t.is_ip)
				return usage_error("--sni \"%s\": SNI carries "
						   "a host name, never an IP "
						   "address (RFC 6066 3)",
				    optarg);
			if (c == OPT_SNI)
				cfg->sni = optarg;
			else
				ehlo_name(
				    &t, cfg->ehlo_name, sizeof(cfg->ehlo_name));
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(
				"--timeout", optarg, &cfg->timeout_ms) == -1)
				return CLI_USAGE;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (parse_seconds("--connect-timeout", optarg,
				&cfg->connect_timeout_ms) == -1)
				return CLI_USAGE;
			break;
		case OPT_FORMAT:
			format_set = true;
			if (strcmp(optarg, "json") == 0)
				cfg->format = FORMAT_JSON;
			else if (strcmp(optarg, "ndjson") == 0)
				cfg->format = FORMAT_NDJSON;
			else if (strcmp(optarg, "text") == 0)
				cfg->format = FORMAT_TEXT;
			else
				return usage_error("--format \"%s\": use json, "
						   "ndjson or text",
				    optarg);
			break;
		case 'o':
			cfg->output = optarg;
			break;
		case OPT_FAIL_ON:
			snprintf(sevbuf, sizeof(sevbuf), "%s", optarg);
			cfg->fail_on =
			    names_lookup(severity_names, SEV_COUNT, sevbuf);
			if (cfg->fail_on == -1)
				return usage_error(
				    "--fail-on \"%s\": use info, "
				    "warning or critical",
				    optarg);
			break;
		case 'j':
			if (parse_int(
				"--jobs", optarg, 1, 100000, &cfg->jobs) == -1)
				return CLI_USAGE;
			break;
		case OPT_WARN_DAYS:
			if (parse_int("--warn-days", optarg, 0, 3650,
				&cfg->warn_days) == -1)
				return CLI_USAGE;
			break;
		case OPT_CLIENT_CERT:
		case OPT_CLIENT_KEY:
			if (access(optarg, R_OK) == -1)
				return usage_error("--%s %s: %s",
				    c == OPT_CLIENT_CERT ? "client-cert"
							 : "client-key",
				    optarg, strerror(errno));
			if (c == OPT_CLIENT_CERT)
				cfg->client_cert = optarg;
			else
				cfg->client_key = optarg;
			break;
		case OPT_TRANSCRIPT:
			cfg->transcript = true;
			break;
		case OPT_PEM:
			cfg->pem = true;
			break;
		case 'v':
			cfg->verbosity++;
			break;
		case 'V':
			printf("smtp-probe %s\n", SMTP_PROBE_VERSION);
			return CLI_EXIT_OK;
		case 'h':
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		case ':':
			return usage_error(
			    "%s needs a value", argv[optind - 1]);
		default:
			/* getopt sets optopt for a known long option given a
			 * value it does not take ("--pem=yes"). */
			if (strncmp(argv[optind - 1], "--", 2) == 0 &&
			    optopt != 0)
				return usage_error("%.*s takes no value",
				    (int)strcspn(argv[optind - 1], "="),
				    argv[optind - 1]);
			/* In a group of short options ("-Zv") argv names the
			 * group, not the option. */
			if (optopt > 0 && optopt < 128 && isgraph(optopt))
				return usage_error(
				    "unknown option -%c", optopt);
			return usage_error(
			    "unknown option %s", argv[optind - 1]);
		}
	}
	if ((cfg->client_cert == NULL) != (cfg->client_key == NULL))
		return usage_error("--client-cert and --client-key go "
				   "together");
	if (cfg->connect_timeout_ms > cfg->timeout_ms)
		cfg->connect_timeout_ms = cfg->timeout_ms;
	if (!format_set)
		cfg->format = stdout_tty && cfg->output == NULL ? FORMAT_TEXT
								: FORMAT_JSON;
	cfg->color = stdout_tty && cfg->output == NULL && !no_color;

	if (optind == argc)
		return usage_error("no TARGET given");
	for (i = optind; i < argc; i++)
		if (target_parse(argv[i], &t, err, sizeof(err)) == -1)
			return usage_error("%s", err);
	cfg->targets = argv + optind;
	cfg->ntargets = (size_t)(argc - optind);
	return CLI_OK;
}

/*
 * ehlo_name - the EHLO argument for a name or an address: an address must
 * be a literal, "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3).
 */
static void
ehlo_name(const struct target *t, char *buf, size_t size)
{
	int n;

	if (!t->is_ip)
		n = snprintf(buf, size, "%s", t->host);
	else if (strchr(t->host, ':') != NULL)
		n = snprintf(buf, size, "[IPv6:%s]", t->host);
	else
		n = snprintf(buf, size, "[%s]", t->host);
	/* An address is far shorter than a host name may be. */
	if (n < 0 || (size_t)n >= size)
		abort();
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

/* usage_error - print "smtp-probe: MESSAGE" and a hint; returns CLI_USAGE */
static enum cli_result
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smtp-probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'smtp-probe --help' for more information.\n", stderr);
	return CLI_USAGE;
}
