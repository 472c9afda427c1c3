/*
 * test_monitor.c - the monitoring formats and --baseline on hand-built
 * results: what the lab cannot send (a host label with a quote, a finding
 * message with '|' and a newline), and the baseline reader on documents
 * jq or a person may write (members reordered, braces inside strings,
 * cut short, another schema version).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "diagnose.h"
#include "report.h"
#include "result.h"
#include "xalloc.h"
#include "tap.h"

static char *render(const char *, struct target_result *);
static int count(const char *, const char *);
static void one_probe(struct target_result *, const char *);
static struct baseline *load(const char *, char *, size_t);
static void prometheus_cases(void);
static void nagios_cases(void);
static void baseline_load_cases(void);
static void baseline_compare_cases(void);

/* render - the whole output of format name for the one target t */
static char *
render(const char *name, struct target_result *t)
{
	struct report_opts o = {false, false, 21, 0};
	struct run_summary sum;
	struct sink s;
	FILE *fp = tmpfile();
	char *buf = xcalloc(1, 65536);
	size_t i;

	memset(&sum, 0, sizeof(sum));
	sum.worst = -1;
	sum.fail_on = -1;
	for (i = 0; i < t->nprobes; i++)
		policy_probe(&t->probes[i]);
	policy_count(&sum, t);
	sink_open(&s, format_find(name), fp, &o, 1700000000, "GnuTLS");
	sink_begin(&s);
	sink_target(&s, t);
	sink_end(&s, &sum);
	ok(!s.failed, lbl("%s: written", name));
	rewind(fp);
	ok(fread(buf, 1, 65535, fp) > 0, lbl("%s: read back", name));
	fclose(fp);
	return buf;
}

/* count - occurrences of needle in s */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* one_probe - t with host and one probe of port 25 that ran to QUIT */
static void
one_probe(struct target_result *t, const char *host)
{
	memset(t, 0, sizeof(*t));
	t->host = xstrdup(host);
	t->nprobes = 1;
	t->probes = xcalloc(1, sizeof(*t->probes));
	result_probe_init(&t->probes[0], 25, MODE_AUTO);
	t->probes[0].mode = MODE_PLAIN;
	snprintf(
	    t->probes[0].address, sizeof(t->probes[0].address), "192.0.2.1");
	t->probes[0].timing.total = 1234;
}

static void
prometheus_cases(void)
{
	struct target_result t;
	char *out;

	/* Not a TARGET, so the label is the text as given, escaped. */
	one_probe(&t, "a\"b\\c\nd");
	diag_add(&t.probes[0], F_STARTTLS_MISSING, "x");
	diag_add(&t.probes[0], F_STARTTLS_MISSING, "y");
	out = render("prometheus", &t);
	ok(strstr(out,
	       "smtp_probe_success{host=\"a\\\"b\\\\c\\nd\","
	       "address=\"192.0.2.1\",port=\"25\",mode=\"plain\"} 0\n") != NULL,
	    "prometheus: label value escaped");
	ok(strstr(out, "smtp_probe_duration_seconds{") != NULL &&
		strstr(out, "} 1.234\n") != NULL,
	    "prometheus: seconds");
	is_int(count(out, "id=\"starttls-missing\""), 1,
	    "prometheus: a finding raised twice is one series");
	is_int(count(out, "# TYPE smtp_probe_success gauge\n"), 1,
	    "prometheus: one TYPE per family");
	ok(strstr(out, "severity=\"critical\"} 2\n") != NULL,
	    "prometheus: both counted by severity");
	free(out);
	result_target_free(&t);
}

static void
nagios_cases(void)
{
	struct target_result t;
	char *out, *nl;

	one_probe(&t, "mx.example.com");
	diag_add(&t.probes[0], F_GREETING_REJECTED,
	    "greeted with 554 x|y\nSMTP-TLS OK - z");
	out = render("nagios", &t);
	nl = strchr(out, '\n');
	ok(nl != NULL, "nagios: a status line");
	is_int(count(out, "|"), 1, "nagios: the only '|' is the perfdata's");
	is_int(count(out, "\n"), 2, "nagios: status line and one port line");
	ok(strncmp(out,
	       "SMTP-TLS CRITICAL - mx.example.com/192.0.2.1:25 "
	       "greeting-rejected: greeted with 554 x/y\\x0aSMTP-TLS OK - z | "
	       "'mx.example.com/192.0.2.1:25 time'=1.234s;;;0\n",
	       (size_t)(nl - out + 1)) == 0,
	    lbl("nagios: status line: %.*s", (int)(nl - out), out));
	ok(strstr(out,
	       "\nCRITICAL mx.example.com/192.0.2.1:25 plain: "
	       "greeting-rejected\n") != NULL,
	    "nagios: port line");
	free(out);
	result_target_free(&t);
}

/* load - a baseline from text, written to a temporary file */
static struct baseline *
load(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/test_monitor.XXXXXX";
	struct baseline *b;
	FILE *fp;
	int fd = mkstemp(path);

	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	b = baseline_load(path, err, errlen);
	unlink(path);
	return b;
}

static void
baseline_load_cases(void)
{
	static const struct {
		const char *label, *text, *why;
	} bad[] = {
	    {"empty", "", "not JSON"},
	    {"an array", "[]", "not JSON"},
	    {"cut short", "{\"schema_version\": 1, \"targets\": [{\"host\"",
		"not JSON"},
	    {"version 2", "{\"schema_version\": 2, \"targets\": []}",
		"schema_version is not 1"},
	    {"no version", "{\"targets\": []}", "schema_version is not 1"},
	    {"no targets", "{\"schema_version\": 1}", "has no targets"},
	    {"a probe without port",
		"{\"schema_version\": 1, \"targets\": [{\"host\": \"a\", "
		"\"probes\": [{}]}]}",
		"no port"},
	    {"trailing comma", "{\"schema_version\": 1, \"targets\": [],}",
		"not JSON"},
	};
	char err[512];
	size_t i;
	struct baseline *b;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = load(bad[i].text, err, sizeof(err));
		ok(b == NULL && strstr(err, "--baseline /tmp/test_monitor.") &&
			strstr(err, bad[i].why) != NULL,
		    lbl("baseline refused: %s (%s)", bad[i].label, err));
		baseline_free(b);
	}
	/* Braces and quotes inside strings, members in another order. */
	b = load("{\"tool\": {\"name\": \"}]\\\"{[\"}, \"targets\": [], "
		 "\"x\": [1, {\"y\": null}], \"schema_version\": 1, "
		 "\"n\": -1.5e3, \"t\": true}",
	    err, sizeof(err));
	ok(b != NULL, lbl("baseline read: %s", err));
	baseline_free(b);
}

static void
baseline_compare_cases(void)
{
	struct target_result t;
	struct baseline *b;
	char err[512];
	struct probe_result *p;

	b = load(
	    "{\"schema_version\": 1, \"started_at\": \"2026-01-01T00:00:00Z\","
	    " \"targets\": [{\"host\": \"other:25\", \"probes\": [{\"port\": "
	    "25,"
	    " \"address\": \"192.0.2.1\", \"error\": null}]},"
	    " {\"host\": \"mx.example.com\", \"probes\": [{\"port\": 587,"
	    " \"address\": \"192.0.2.1\"}, {\"port\": 25, \"address\":"
	    " \"192.0.2.1\", \"error\": null, \"starttls\": {\"offered\": "
	    "true},"
	    " \"ehlo\": {\"capabilities\": [{\"keyword\": \"SIZE\"},"
	    " {\"keyword\": \"STARTTLS\"}, {\"keyword\": \"AUTH\"}]},"
	    " \"auth\": {\"before_tls\": [], \"after_tls\": [\"PLAIN\"]}}]}]}",
	    err, sizeof(err));
	ok(b != NULL, lbl("baseline read: %s", err));
	one_probe(&t, "mx.example.com:25");
	p = &t.probes[0];
	p->ehlo.reply.present = true;
	p->ehlo.ncaps = 1;
	p->ehlo.caps = xcalloc(1, sizeof(*p->ehlo.caps));
	result_text_set(&p->ehlo.caps[0].keyword, "SIZE", 4);
	baseline_compare(b, &t, p);
	is_int((long long)p->nfindings, 1, "compare: one finding");
	ok(p->nfindings == 1 &&
		strcmp(p->findings[0].id, "changed-starttls-lost") == 0 &&
		strstr(p->findings[0].message, "2026-01-01T00:00:00Z") != NULL,
	    "compare: STARTTLS lost, matched by host, port and address");
	/* AUTH before TLS now: the clear-text EHLO was seen in both. */
	p->auth.nbefore = 1;
	result_text_set(&p->auth.before[0], "PLAIN", 5);
	p->starttls.offered = true;
	p->nfindings = 0;
	free(p->findings[0].message);
	baseline_compare(b, &t, p);
	ok(p->nfindings == 1 &&
		strcmp(p->findings[0].id, "changed-auth") == 0 &&
		strstr(p->findings[0].message,
		    "before TLS: none, after TLS: PLAIN in the baseline, and "
		    "is now before TLS: PLAIN") != NULL,
	    lbl("compare: AUTH moved (%s)",
		p->nfindings ? p->findings[0].message : ""));
	/* Another address: no match, nothing raised. */
	snprintf(p->address, sizeof(p->address), "192.0.2.2");
	free(p->findings[0].message);
	p->nfindings = 0;
	baseline_compare(b, &t, p);
	is_int((long long)p->nfindings, 0, "compare: no match, no finding");
	result_target_free(&t);
	baseline_free(b);
}

int
main(void)
{
	prometheus_cases();
	nagios_cases();
	baseline_load_cases();
	baseline_compare_cases();
	return done_testing();
}
