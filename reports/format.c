/*
 * format.c - the table of output formats and the sink they write to.
 *
 * One entry per --format name. A format leaves out what it does not
 * need (NULL): ndjson has no begin or end, text no begin.
 *
 * Only prometheus writes -o FILE atomically: its reader (the textfile
 * collector) reads whole files at any moment, while a json, ndjson or
 * text -o FILE may be followed as it grows (tail -f), and each shows its
 * targets as they finish. nagios alone has its own exit statuses
 * (Monitoring Plugins: 3 UNKNOWN for bad usage).
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void failed(struct sink *);

static const struct report_format formats[] = {
    {
	.name = "json",
	.begin = report_json_begin,
	.target = report_json_target,
	.end = report_json_end,
	.exit_status = policy_exit,
	.usage_status = EXIT_USAGE,
    },
    {
	.name = "ndjson",
	.target = report_ndjson_target,
	.exit_status = policy_exit,
	.usage_status = EXIT_USAGE,
    },
    {
	.name = "text",
	.probe = report_text_probe,
	.target = report_text_target,
	.end = report_text_end,
	.exit_status = policy_exit,
	.usage_status = EXIT_USAGE,
    },
    {
	.name = "prometheus",
	.begin = report_prometheus_begin,
	.target = report_prometheus_target,
	.end = report_prometheus_end,
	.exit_status = policy_exit,
	.usage_status = EXIT_USAGE,
	.atomic_output = true,
    },
    {
	.name = "nagios",
	.begin = report_nagios_begin,
	.target = report_nagios_target,
	.end = report_nagios_end,
	.exit_status = policy_nagios,
	.usage_status = NAGIOS_UNKNOWN,
	.usage_line = "SMTP-TLS UNKNOWN - bad usage or configuration (the "
		      "message is on standard error)\n",
    },
};

/* format_find - look a format up by its --format name */
const struct report_format *
format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

/* format_names - every name, comma-separated, for messages */
const char *
format_names(void)
{
	static char names[128];
	size_t i, n = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		    i > 0 ? ", " : "", formats[i].name);
	return names;
}

/* format_usage - the format's word on bad usage, and its exit status */
int
format_usage(const struct report_format *fmt)
{
	if (fmt == NULL)
		return EXIT_USAGE;
	if (fmt->usage_line != NULL) {
		fputs(fmt->usage_line, stdout);
		(void)fflush(stdout);
	}
	return fmt->usage_status;
}

/* sink_open - ready to write a report */
void
sink_open(struct sink *s, const struct report_format *fmt, FILE *fp,
    const struct report_opts *o, time_t started_at, const char *tls_library)
{
	memset(s, 0, sizeof(*s));
	s->fmt = fmt;
	s->fp = fp;
	s->o = *o;
	s->started_at = started_at;
	s->tls_library = tls_library;
}

/* sink_begin - the format's opening, if it has one */
void
sink_begin(struct sink *s)
{
	if (s->fmt->begin != NULL && s->fmt->begin(s) == -1)
		failed(s);
}

/* sink_probe - one judged port, for formats that show ports as they end */
void
sink_probe(
    struct sink *s, const struct target_result *t, const struct probe_result *p)
{
	if (!s->closed && s->fmt->probe != NULL && s->fmt->probe(s, t, p) == -1)
		failed(s);
}

/* sink_target - one finished target */
void
sink_target(struct sink *s, const struct target_result *t)
{
	if (!s->closed && s->fmt->target(s, t) == -1)
		failed(s);
	s->written++;
}

/* sink_end - the format's closing, if it has one */
void
sink_end(struct sink *s, const struct run_summary *sum)
{
	if (!s->closed && s->fmt->end != NULL && s->fmt->end(s, sum) == -1)
		failed(s);
}

/*
 * failed - a write failed; a reader that went away (smtp-probe | head)
 * is no failure of the tool, only the end of the report
 */
static void
failed(struct sink *s)
{
	if (errno == EPIPE)
		s->closed = true;
	else
		s->failed = true;
}
