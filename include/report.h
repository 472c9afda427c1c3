/*
 * report.h - the output formats: a table of sinks, after curl's protocol
 * handlers. Adding a format touches reports/ and the table only.
 *
 * A sink receives each target as it finishes (begin, target..., end), so
 * the run can free it at once: memory depends on the probes in flight,
 * not on the number of targets, in every format. Renderers render; they
 * never judge (a finding computed here would be missing from the other
 * formats): severities and the exit status come from policy.c.
 */
#ifndef SMTP_PROBE_REPORT_H
#define SMTP_PROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "policy.h"
#include "result.h"

/* The report's "schema_version" (reports/schema/report.schema.json). */
#define REPORT_SCHEMA_VERSION 1

struct report_opts {
	bool transcript; /* include the dialogue */
	bool color;      /* text: ANSI colour allowed */
	int warn_days;   /* nagios: the expiry threshold of its perfdata */
	int width;       /* text: wrap at this column; 0: never */
};

struct report_format;

struct sink {
	const struct report_format *fmt;
	FILE *fp; /* not owned */
	struct report_opts o;
	time_t started_at;
	const char *tls_library; /* "GnuTLS 3.7.9", for the report's tool */
	size_t written;          /* targets written so far */
	bool failed;             /* a write failed: the report is incomplete */
	bool closed; /* the reader went away (EPIPE): stop quietly */
	const struct target_result *current; /* text: whose ports are shown */
	void *state; /* the format's own: made by begin, freed by end */
};

struct report_format {
	const char *name;
	/* begin, target, end - 0, or -1 when the output could not be
	 * written */
	int (*begin)(struct sink *);
	/* probe - one port of t, as soon as it is judged (optional) */
	int (*probe)(struct sink *, const struct target_result *t,
	    const struct probe_result *);
	/* target - t with every port judged; it is freed right after */
	int (*target)(struct sink *, const struct target_result *);
	int (*end)(struct sink *, const struct run_summary *);
	/* exit_status - the process's exit status for a complete run */
	int (*exit_status)(const struct run_summary *);
	/* usage_status - the exit status of bad usage or configuration */
	int usage_status;
	/* usage_line - what stdout gets then (NULL: nothing) */
	const char *usage_line;
	/* atomic_output - -o FILE is written beside FILE and renamed onto
	 * it at the end (output.h), for readers of whole files */
	bool atomic_output;
};

/* format_find - the format called name, or NULL */
const struct report_format *format_find(const char *name);

/* format_names - "json, ndjson, ...", for messages */
const char *format_names(void);

/*
 * format_usage - bad usage or configuration when fmt (NULL: none named)
 * was asked for: writes fmt's usage_line, returns its usage_status
 */
int format_usage(const struct report_format *fmt);

/* sink_open - a sink of format fmt writing to fp */
void sink_open(struct sink *, const struct report_format *fmt, FILE *fp,
    const struct report_opts *, time_t started_at, const char *tls_library);

/*
 * sink_begin, sink_target, sink_end - through the format's table entry; a
 * write that fails sets failed (as ferror() does for a FILE), and the run
 * goes on so that its exit status still says what was found.
 */
void sink_begin(struct sink *);
void sink_probe(
    struct sink *, const struct target_result *, const struct probe_result *);
void sink_target(struct sink *, const struct target_result *);
void sink_end(struct sink *, const struct run_summary *);

/*
 * The renderers, one set per format (reports/json.c, reports/text.c,
 * reports/prometheus.c, reports/nagios.c).
 */
int report_json_begin(struct sink *);
int report_json_target(struct sink *, const struct target_result *);
int report_json_end(struct sink *, const struct run_summary *);
int report_ndjson_target(struct sink *, const struct target_result *);
int report_text_probe(
    struct sink *, const struct target_result *, const struct probe_result *);
int report_text_target(struct sink *, const struct target_result *);
int report_text_end(struct sink *, const struct run_summary *);
int report_prometheus_begin(struct sink *);
int report_prometheus_target(struct sink *, const struct target_result *);
int report_prometheus_end(struct sink *, const struct run_summary *);
int report_nagios_begin(struct sink *);
int report_nagios_target(struct sink *, const struct target_result *);
int report_nagios_end(struct sink *, const struct run_summary *);
/* report_text_width - the width to wrap text written to out at (0: none) */
int report_text_width(FILE *out);

#endif
