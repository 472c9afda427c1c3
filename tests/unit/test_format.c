/*
 * test_format.c - reports/format.c: the format table, the sinks that
 * stream targets into json, ndjson and text, and the exit status.
 *
 * Targets are built by hand (result_probe_init and findings added as
 * diagnose.c would), judged by policy.c as run.c does, and written through
 * open_memstream. The JSON is read back with jansson, never compared as
 * text, so only what the contract names is checked. Failing output is
 * /dev/full (unbuffered, so each write fails where it happens, and
 * buffered, so only the final flush does) and a pipe whose reader is gone.
 * One host holds an escape sequence and invalid UTF-8: json must still
 * parse and text must not pass the escape through.
 */
#include "report.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "names.h"
#include "policy.h"
#include "result.h"
#include "xalloc.h"

#include "tap.h"

#define NOW ((time_t)1780315200) /* 2026-06-01T12:00:00Z */
#define NOW_TEXT "2026-06-01T12:00:00Z"
#define LIBRARY "GnuTLS 0.0-unit"
#define DURATION 1234
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define HOSTILE_HOST "bad\x1b[2J\xff-host"
/* As read back from JSON: the escape survives (jansson wrote \u001b). */
#define HOSTILE_HOST_JSON "bad\x1b[2J\xef\xbf\xbd-host"

/* What the three hand-built targets hold, for checking the output. */
struct want_target {
	const char *host; /* NULL: the hostile one, checked apart */
	size_t index;
	size_t nprobes;
	int port0;            /* first probe's port */
	const char *finding0; /* first probe's first finding id, or NULL */
	const char *severity0;
};

static const struct want_target want[] = {
    {"mx1.example.org", 0, 2, 25, "tls-legacy-version", "warning"},
    {"mx2.example.net", 7, 1, 587, "connect-failed", "critical"},
    {NULL, 2, 0, 0, NULL, NULL},
};

/* An output: what was written and what the sink said about it. */
struct out {
	char *buf;
	size_t len;
	bool failed_after_begin, failed_after_target, failed, closed;
	size_t written;
};

static void finding_add(struct probe_result *, const char *, enum severity);
static void target_make(struct target_result *, size_t which);
static void targets_free(struct target_result *, size_t);
static void summarize(
    struct run_summary *, const struct target_result *, size_t);
static void render(FILE *, const char *, const struct target_result *, size_t,
    const struct report_opts *, struct out *);
static void render_mem(const char *, const struct target_result *, size_t,
    const struct report_opts *, struct out *);
static void table_cases(void);
static json_t *json_parse(const struct out *, const char *);
static void json_target_check(json_t *, size_t, const char *);
static void json_cases(void);
static void json_transcript_cases(void);
static void ndjson_cases(void);
static void text_cases(void);
static void failing_fp_cases(void);
static void closed_pipe_cases(void);
static void exit_status_cases(void);

/* finding_add - one finding, as diagnose.c would add it */
static void
finding_add(struct probe_result *p, const char *id, enum severity sev)
{
	struct finding *f = &p->findings[p->nfindings++];

	f->id = id;
	f->severity = sev;
	f->message = xstrdup(lbl("%s, by hand", id));
}

/*
 * target_make - target number which of want[]: 0 two probes (a warning,
 * an info finding), 1 one failed probe (a critical finding), 2 a bad -f
 * line with a hostile host and no probe.
 */
static void
target_make(struct target_result *t, size_t which)
{
	struct probe_result *p;

	memset(t, 0, sizeof(*t));
	t->index = want[which].index;
	t->nprobes = want[which].nprobes;
	t->probes = t->nprobes ? xcalloc(t->nprobes, sizeof(*p)) : NULL;
	switch (which) {
	case 0:
		t->host = xstrdup(want[0].host);
		t->sni = xstrdup(want[0].host);
		p = &t->probes[0];
		result_probe_init(p, 25, MODE_AUTO);
		p->mode = MODE_STARTTLS;
		snprintf(p->address, sizeof(p->address), "192.0.2.1");
		p->timing.total = 40;
		finding_add(p, "tls-legacy-version", SEV_WARNING);
		finding_add(p, "unit-info", SEV_INFO);
		result_probe_init(&t->probes[1], 465, MODE_IMPLICIT);
		t->probes[1].mode = MODE_IMPLICIT;
		finding_add(&t->probes[1], "unit-info", SEV_INFO);
		break;
	case 1:
		t->host = xstrdup(want[1].host);
		p = &t->probes[0];
		result_probe_init(p, 587, MODE_STARTTLS);
		result_fail(&p->error, PHASE_CONNECT, KIND_REFUSED,
		    "connection refused by %s", "192.0.2.2");
		finding_add(p, "connect-failed", SEV_CRITICAL);
		break;
	default:
		t->host = xstrdup(HOSTILE_HOST);
		result_fail(&t->error, PHASE_INPUT, KIND_SYNTAX,
		    "line 3: not a target");
		break;
	}
}

static void
targets_free(struct target_result *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		result_target_free(&t[i]);
}

/* summarize - judge every probe and count every target, as run.c does */
static void
summarize(struct run_summary *sum, const struct target_result *t, size_t n)
{
	size_t i, j;

	memset(sum, 0, sizeof(*sum));
	sum->worst = -1;
	sum->fail_on = -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < t[i].nprobes; j++)
			policy_probe(&t[i].probes[j]);
		policy_count(sum, &t[i]);
	}
	sum->duration_ms = DURATION;
}

/*
 * render - a whole run of format name on fp as run.c drives a sink: begin,
 * each probe and then its target, end. out->buf is left alone (render_mem
 * fills it).
 */
static void
render(FILE *fp, const char *name, const struct target_result *t, size_t n,
    const struct report_opts *o, struct out *out)
{
	struct run_summary sum;
	struct sink s;
	size_t i, k;

	summarize(&sum, t, n);
	sink_open(&s, format_find(name), fp, o, NOW, LIBRARY);
	sink_begin(&s);
	out->failed_after_begin = s.failed;
	for (i = 0; i < n; i++) {
		for (k = 0; k < t[i].nprobes; k++)
			sink_probe(&s, &t[i], &t[i].probes[k]);
		sink_target(&s, &t[i]);
	}
	out->failed_after_target = s.failed;
	sink_end(&s, &sum);
	out->failed = s.failed;
	out->closed = s.closed;
	out->written = s.written;
}

/* render_mem - render into memory; out->buf is the caller's to free */
static void
render_mem(const char *name, const struct target_result *t, size_t n,
    const struct report_opts *o, struct out *out)
{
	FILE *fp;

	memset(out, 0, sizeof(*out));
	fp = open_memstream(&out->buf, &out->len);
	if (fp == NULL)
		abort();
	render(fp, name, t, n, o, out);
	if (fclose(fp) != 0)
		abort();
}

/* table_cases - format_find and format_names */
static void
table_cases(void)
{
	static const char *const known[] = {
	    "json", "ndjson", "text", "prometheus", "nagios"};
	static const char *const unknown[] = {
	    "", "xml", "jso", "jsonx", "text ", "Prometheus", "nagios2"};
	const struct report_format *f;
	size_t i;

	for (i = 0; i < NELEM(known); i++) {
		f = format_find(known[i]);
		ok(f != NULL, lbl("find: \"%s\" exists", known[i]));
		if (f == NULL)
			continue;
		is_str(f->name, known[i],
		    lbl("find: \"%s\" is named so", known[i]));
		ok(f->target != NULL && f->exit_status != NULL,
		    lbl("find: \"%s\" has target and exit_status", known[i]));
	}
	ok(format_find("json")->begin != NULL && format_find("json")->end,
	    "find: json opens and closes a document");
	ok(format_find("ndjson")->begin == NULL &&
		format_find("ndjson")->end == NULL,
	    "find: ndjson has no begin or end");
	for (i = 0; i < NELEM(unknown); i++)
		ok(format_find(unknown[i]) == NULL,
		    lbl("find: \"%s\" is no format", unknown[i]));
	is_str(format_names(), "json, ndjson, text, prometheus, nagios",
	    "format_names");
	is_str(format_names(), "json, ndjson, text, prometheus, nagios",
	    "format_names again");
}

/* json_parse - out->buf as one JSON document, or NULL (a failed test) */
static json_t *
json_parse(const struct out *out, const char *what)
{
	json_error_t jerr;
	json_t *doc = json_loadb(out->buf, out->len, 0, &jerr);

	if (!ok(doc != NULL, lbl("%s: parses as JSON", what)))
		printf("#   line %d: %s\n", jerr.line, jerr.text);
	return doc;
}

/* json_target_check - one target object against want[which] */
static void
json_target_check(json_t *jt, size_t which, const char *what)
{
	const struct want_target *w = &want[which];
	json_t *probes, *p0, *f0;
	const char *host;

	host = json_string_value(json_object_get(jt, "host"));
	if (w->host != NULL)
		is_str(host, w->host, lbl("%s: target %zu host", what, which));
	else
		is_str(host, HOSTILE_HOST_JSON,
		    lbl("%s: hostile host, U+FFFD for the bad byte", what));
	is_int(json_integer_value(json_object_get(jt, "index")),
	    (long long)w->index, lbl("%s: target %zu index", what, which));
	probes = json_object_get(jt, "probes");
	is_int(json_is_array(probes) ? (long long)json_array_size(probes) : -1,
	    (long long)w->nprobes, lbl("%s: target %zu probes", what, which));
	if (w->nprobes == 0) {
		is_str(json_string_value(json_object_get(
			   json_object_get(jt, "error"), "kind")),
		    "syntax", lbl("%s: target %zu error kind", what, which));
		return;
	}
	ok(json_is_null(json_object_get(jt, "error")),
	    lbl("%s: target %zu error null", what, which));
	p0 = json_array_get(probes, 0);
	is_int(json_integer_value(json_object_get(p0, "port")), w->port0,
	    lbl("%s: target %zu port", what, which));
	f0 = json_array_get(json_object_get(p0, "findings"), 0);
	is_str(json_string_value(json_object_get(f0, "id")), w->finding0,
	    lbl("%s: target %zu finding id", what, which));
	is_str(json_string_value(json_object_get(f0, "severity")), w->severity0,
	    lbl("%s: target %zu finding severity", what, which));
}

/* json_cases - documents of 0, 1 and 3 targets, read back */
static void
json_cases(void)
{
	struct report_opts o = {false, false, 21, 0};
	struct target_result t[3];
	struct out out;
	json_t *doc, *targets, *tool;
	char what[32];
	size_t n, i;

	for (i = 0; i < NELEM(t); i++)
		target_make(&t[i], i);
	for (n = 0; n <= 3; n += n == 0 ? 1 : 2) {
		render_mem("json", t, n, &o, &out);
		ok(!out.failed, lbl("json %zu: not failed", n));
		is_int((long long)out.written, (long long)n,
		    lbl("json %zu: written counts targets", n));
		/* A copy: lbl's buffer cannot format itself. */
		snprintf(what, sizeof(what), "json %zu", n);
		doc = json_parse(&out, what);
		if (doc == NULL) {
			printf("# %.*s\n", (int)out.len, out.buf);
			free(out.buf);
			continue;
		}
		is_int(
		    json_integer_value(json_object_get(doc, "schema_version")),
		    1, lbl("json %zu: schema_version", n));
		tool = json_object_get(doc, "tool");
		is_str(json_string_value(json_object_get(tool, "name")),
		    "smtp-probe", lbl("json %zu: tool name", n));
		is_str(json_string_value(json_object_get(tool, "tls_library")),
		    LIBRARY, lbl("json %zu: tool tls_library", n));
		is_str(json_string_value(json_object_get(doc, "started_at")),
		    NOW_TEXT, lbl("json %zu: started_at", n));
		ok(json_is_integer(json_object_get(doc, "duration_ms")),
		    lbl("json %zu: duration_ms present", n));
		is_int(json_integer_value(json_object_get(doc, "duration_ms")),
		    DURATION, lbl("json %zu: duration_ms value", n));
		targets = json_object_get(doc, "targets");
		is_int(json_is_array(targets)
			? (long long)json_array_size(targets)
			: -1,
		    (long long)n, lbl("json %zu: targets", n));
		for (i = 0; i < n && i < json_array_size(targets); i++)
			json_target_check(json_array_get(targets, i), i, what);
		ok(out.len > 0 && out.buf[out.len - 1] == '\n',
		    lbl("json %zu: ends in a newline", n));
		ok(memchr(out.buf, '\x1b', out.len) == NULL,
		    lbl("json %zu: no raw escape byte in the text", n));
		json_decref(doc);
		free(out.buf);
	}
	targets_free(t, NELEM(t));
}

/* json_transcript_cases - the dialogue only when asked for */
static void
json_transcript_cases(void)
{
	struct report_opts o = {false, false, 21, 0};
	struct target_result t;
	struct out out;
	json_t *doc, *p0;
	int with;

	target_make(&t, 1);
	t.probes[0].transcript.enabled = true;
	result_transcript_add(
	    &t.probes[0].transcript, 3, TDIR_RECEIVED, "220 hi", 6);
	for (with = 0; with <= 1; with++) {
		o.transcript = with;
		render_mem("json", &t, 1, &o, &out);
		doc = json_parse(&out, with ? "transcript 1" : "transcript 0");
		p0 = json_array_get(
		    json_object_get(
			json_array_get(json_object_get(doc, "targets"), 0),
			"probes"),
		    0);
		is_int(json_object_get(p0, "transcript") != NULL, with,
		    lbl("transcript %d: key present as asked", with));
		if (with)
			is_str(json_string_value(json_object_get(
				   json_array_get(
				       json_object_get(
					   json_object_get(p0, "transcript"),
					   "lines"),
				       0),
				   "text")),
			    "220 hi", "transcript 1: the line");
		json_decref(doc);
		free(out.buf);
	}
	result_target_free(&t);
}

/* ndjson_cases - one JSON object per line, no opening or closing */
static void
ndjson_cases(void)
{
	struct report_opts o = {false, false, 21, 0};
	struct target_result t[3];
	struct out out;
	json_error_t jerr;
	json_t *obj;
	char *line, *nl;
	size_t i, n;

	for (i = 0; i < NELEM(t); i++)
		target_make(&t[i], i);
	render_mem("ndjson", t, 0, &o, &out);
	is_int((long long)out.len, 0, "ndjson 0: writes nothing");
	ok(!out.failed, "ndjson 0: not failed");
	free(out.buf);

	render_mem("ndjson", t, 3, &o, &out);
	ok(!out.failed, "ndjson 3: not failed");
	is_int((long long)out.written, 3, "ndjson 3: written");
	n = 0;
	for (line = out.buf; line < out.buf + out.len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(out.buf + out.len - line));
		if (!ok(nl != NULL, lbl("ndjson 3: line %zu ends", n)))
			break;
		obj = json_loadb(line, (size_t)(nl - line), 0, &jerr);
		if (ok(json_is_object(obj),
			lbl("ndjson 3: line %zu is one object", n)) &&
		    n < NELEM(want))
			json_target_check(obj, n, "ndjson 3");
		json_decref(obj);
		n++;
	}
	is_int((long long)n, 3, "ndjson 3: three lines");
	ok(memchr(out.buf, '\x1b', out.len) == NULL,
	    "ndjson 3: no raw escape byte in the text");
	free(out.buf);
	targets_free(t, NELEM(t));
}

/* text_cases - hosts, verdicts, the footer, colour and escapes */
static void
text_cases(void)
{
	static const struct {
		size_t n;
		const char *footer;
	} footers[] = {
	    {0, "0 targets probed in 1234 ms\n"},
	    {1, "1 target probed in 1234 ms\n"},
	    {3, "3 targets probed in 1234 ms\n"},
	};
	/* What the three targets' blocks must hold. */
	static const struct {
		const char *has, *label;
	} lines[] = {
	    {"mx1.example.org", "first host"},
	    {"mx2.example.net", "second host"},
	    {"[WARN] port 25", "a warning probe is [WARN]"},
	    {"[ OK ] port 465", "an info-only probe is [ OK ]"},
	    {"[FAIL] port 587", "a failed probe is [FAIL]"},
	    {"tls-legacy-version", "finding id"},
	    {"input/syntax", "the target's error"},
	};
	struct report_opts o = {false, false, 21, 0};
	struct target_result t[3];
	struct out out;
	size_t i, flen;

	for (i = 0; i < NELEM(t); i++)
		target_make(&t[i], i);
	for (i = 0; i < NELEM(footers); i++) {
		render_mem("text", t, footers[i].n, &o, &out);
		ok(!out.failed, lbl("text %zu: not failed", footers[i].n));
		flen = strlen(footers[i].footer);
		if (!ok(out.len >= flen &&
			    memcmp(out.buf + out.len - flen, footers[i].footer,
				flen) == 0,
			lbl("text %zu: footer \"%.*s\"", footers[i].n,
			    (int)flen - 1, footers[i].footer)))
			printf("# %.*s\n", (int)out.len, out.buf);
		free(out.buf);
	}

	render_mem("text", t, 3, &o, &out);
	for (i = 0; i < NELEM(lines); i++)
		ok(memmem(out.buf, out.len, lines[i].has,
		       strlen(lines[i].has)) != NULL,
		    lbl("text: %s", lines[i].label));
	ok(memchr(out.buf, '\x1b', out.len) == NULL,
	    "text: no escape byte without colour (hostile host escaped)");
	free(out.buf);

	o.color = true;
	render_mem("text", t, 1, &o, &out);
	ok(memmem(out.buf, out.len, "\x1b[", 2) != NULL,
	    "text: colour when allowed");
	free(out.buf);
	targets_free(t, NELEM(t));
}

/*
 * failing_fp_cases - /dev/full: unbuffered, each format fails at its
 * first write; buffered, at the flush that ends it. The run goes on.
 */
static void
failing_fp_cases(void)
{
	static const struct {
		const char *name;
		bool buffered;
		bool after_begin, after_target;
	} cases[] = {
	    {"json", false, true, true},
	    {"ndjson", false, false, true},
	    {"text", false, false, true},
	    {"json", true, false, false},
	    {"ndjson", true, false, true},
	    {"text", true, false, true},
	};
	struct report_opts o = {false, false, 21, 0};
	struct target_result t;
	struct out out;
	FILE *fp;
	size_t i;

	target_make(&t, 0);
	for (i = 0; i < NELEM(cases); i++) {
		fp = fopen("/dev/full", "w");
		if (!ok(fp != NULL, "/dev/full opens"))
			break;
		if (!cases[i].buffered)
			setvbuf(fp, NULL, _IONBF, 0);
		memset(&out, 0, sizeof(out));
		render(fp, cases[i].name, &t, 1, &o, &out);
		is_int(out.failed_after_begin, cases[i].after_begin,
		    lbl("full %s%s: failed after begin", cases[i].name,
			cases[i].buffered ? " buffered" : ""));
		is_int(out.failed_after_target, cases[i].after_target,
		    lbl("full %s%s: failed after the target", cases[i].name,
			cases[i].buffered ? " buffered" : ""));
		ok(out.failed,
		    lbl("full %s%s: failed at the end", cases[i].name,
			cases[i].buffered ? " buffered" : ""));
		is_int((long long)out.written, 1,
		    lbl("full %s%s: the run went on", cases[i].name,
			cases[i].buffered ? " buffered" : ""));
		fclose(fp);
	}
	result_target_free(&t);
}

/*
 * closed_pipe_cases - the reader went away (| head): every format sees
 * it, as the end of the report rather than a failure of the tool
 */
static void
closed_pipe_cases(void)
{
	static const char *const names[] = {"json", "ndjson", "text"};
	struct report_opts o = {false, false, 21, 0};
	struct target_result t;
	struct out out;
	FILE *fp;
	size_t i;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	target_make(&t, 1);
	for (i = 0; i < NELEM(names); i++) {
		if (pipe(p) == -1)
			abort();
		close(p[0]);
		fp = fdopen(p[1], "w");
		if (fp == NULL)
			abort();
		memset(&out, 0, sizeof(out));
		render(fp, names[i], &t, 1, &o, &out);
		ok(out.closed && !out.failed, lbl("pipe %s: closed", names[i]));
		fclose(fp);
	}
	result_target_free(&t);
}

/*
 * exit_status_cases - --fail-on against the findings of a run, through
 * each format's exit_status.
 */
static void
exit_status_cases(void)
{
	static const struct {
		const char *label;
		int nsev;
		enum severity sev[3];
		int fail_on;
		int want;
	} cases[] = {
	    {"never, with a critical", 1, {SEV_CRITICAL}, -1, 0},
	    {"warning, with a warning", 2, {SEV_INFO, SEV_WARNING}, SEV_WARNING,
		1},
	    {"warning, with only info", 2, {SEV_INFO, SEV_INFO}, SEV_WARNING,
		0},
	    {"warning, with a critical", 1, {SEV_CRITICAL}, SEV_WARNING, 1},
	    {"info, with only info", 1, {SEV_INFO}, SEV_INFO, 1},
	    {"info, with no finding", 0, {SEV_INFO}, SEV_INFO, 0},
	    {"critical, with a warning", 1, {SEV_WARNING}, SEV_CRITICAL, 0},
	    {"critical, with a critical", 3,
		{SEV_INFO, SEV_CRITICAL, SEV_WARNING}, SEV_CRITICAL, 1},
	};
	static const char *const names[] = {"json", "ndjson", "text"};
	struct run_summary sum;
	struct target_result t[2];
	size_t i, j;
	int k;

	for (i = 0; i < NELEM(cases); i++) {
		/* The findings go to the second probe of the second target. */
		for (j = 0; j < NELEM(t); j++) {
			memset(&t[j], 0, sizeof(t[j]));
			t[j].host = xstrdup("mx.example.org");
			t[j].index = j;
			t[j].nprobes = 2;
			t[j].probes = xcalloc(2, sizeof(*t[j].probes));
			result_probe_init(&t[j].probes[0], 25, MODE_STARTTLS);
			result_probe_init(&t[j].probes[1], 587, MODE_STARTTLS);
		}
		for (k = 0; k < cases[i].nsev; k++)
			finding_add(&t[1].probes[1], "unit", cases[i].sev[k]);
		summarize(&sum, t, NELEM(t));
		sum.fail_on = cases[i].fail_on;
		is_int((long long)sum.targets, 2,
		    lbl("exit %s: targets counted", cases[i].label));
		is_int((long long)sum.probes, 4,
		    lbl("exit %s: probes counted", cases[i].label));
		for (j = 0; j < NELEM(names); j++)
			is_int(format_find(names[j])->exit_status(&sum),
			    cases[i].want,
			    lbl("exit %s: %s", cases[i].label, names[j]));
		targets_free(t, NELEM(t));
	}
}

int
main(void)
{
	table_cases();
	json_cases();
	json_transcript_cases();
	ndjson_cases();
	text_cases();
	failing_fp_cases();
	closed_pipe_cases();
	exit_status_cases();
	return done_testing();
}
