/*
 * cli_help.c - the text of --help: every option, one line or two each,
 * and the exit statuses. Kept apart from the parser (cli.c) because it is
 * prose that changes with every option, not logic.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "usage: smtp-probe [OPTIONS] TARGET...\n"
    "       smtp-probe [OPTIONS] -f FILE [TARGET...]\n"
    "Probe how the mail servers TARGET (host, host:port, 1.2.3.4:port,\n"
    "[2001:db8::1]:port) do TLS on each port, and report what they did.\n"
    "\n"
    "  -f FILE                  more targets, one per line ('-': stdin);\n"
    "                           blank lines and lines starting '#' skipped\n"
    "      --mx                 TARGETs are mail domains: probe every MX host\n"
    "                           (no MX: the domain), on port 25 unless -p\n"
    "      --srv                TARGETs are mail domains: probe the "
    "submission\n"
    "                           servers their SRV records name (RFC 6186)\n"
    "      --first-address      probe only the first address of each name\n"
    "  -4, -6                   probe only IPv4, or only IPv6, addresses\n"
    "      --resolver IP[:PORT] DNS server to ask ([IPv6]:PORT; default:\n"
    "                           the system's, /etc/resolv.conf)\n"
    "      --shard K/N          probe only part K (1..N) of N of the targets\n"
    "  -p, --ports LIST         PORT[/MODE],... (default 25,465,587); MODE is\n"
    "                           auto, starttls, implicit or plain\n"
    "      --cafile FILE        trust anchors in PEM (default: system store)\n"
    "      --sni NAME           name sent as SNI and checked against the\n"
    "                           certificate (default: the target's host name)\n"
    "      --ehlo NAME          name given in EHLO (default " CLI_DEFAULT_EHLO
    ")\n"
    "      --timeout SEC        deadline for one port's whole probe (30)\n"
    "      --connect-timeout SEC  deadline for the TCP connect (10)\n"
    "      --format FMT         json, ndjson, text (default on a terminal),\n"
    "                           prometheus or nagios\n"
    "  -o, --output FILE        write the report to FILE\n"
    "      --fail-on SEV        exit 1 if a finding is SEV or worse\n"
    "                           (info, warning, critical)\n"
    "  -j, --jobs N             probes in flight at once (default 64)\n"
    "      --warn-days N        cert-expiring below N days left (21)\n"
    "      --client-cert FILE   client certificate (PEM) for the handshake\n"
    "      --client-key FILE    its private key (PEM)\n"
    "      --auth-user USER     log in as USER after TLS (never before);\n"
    "                           the password comes from SMTP_PROBE_PASSWORD\n"
    "                           or --auth-password-file, never from argv\n"
    "      --auth-password-file FILE  the password: one line, in a file\n"
    "                           only its owner may read (chmod 600)\n"
    "      --transcript         include the SMTP dialogue with times\n"
    "      --pem                include each certificate's PEM\n"
    "      --baseline FILE      compare with an earlier JSON report and\n"
    "                           raise changed-* findings\n"
    "      --tls-versions       try TLS 1.0, 1.1, 1.2 and 1.3 one by one\n"
    "                           (one more handshake each)\n"
    "      --check-injection    send STARTTLS and NOOP in one write: does\n"
    "                           the server answer the NOOP inside TLS?\n"
    "      --dane               look up the DNSSEC-validated TLSA records\n"
    "                           (RFC 7672) and match them to the chain\n"
    "      --mta-sts            with --mx: fetch the domain's MTA-STS\n"
    "                           policy and TLS-RPT record, check each MX\n"
    "      --all-checks         all four above (--mta-sts only with --mx)\n"
    "      --progress, --no-progress  a progress line on stderr (default: on\n"
    "                           when stderr is a terminal, stdout is not)\n"
    "  -v, --verbose            log on stderr (twice: more)\n"
    "  -V, --version            print the version\n"
    "  -h, --help               print this help\n"
    "\n"
    "Exit status: 0 report written; 1 --fail-on threshold reached;\n"
    "2 bad usage; 3 the tool itself failed. With --format nagios: 0 OK,\n"
    "1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad usage, the tool failed).\n";

/* cli_help - print the --help text */
void
cli_help(FILE *fp)
{
	fputs(usage_text, fp);
}
