/*
 * render_sts.h - --mta-sts in the reports: the target's "mta_sts" and
 * "tls_rpt" objects and each probe's "mta_sts_match" in JSON, and their
 * lines in the text report (reports/render_sts.c). Renders, never judges.
 */
#ifndef SMTP_PROBE_RENDER_STS_H
#define SMTP_PROBE_RENDER_STS_H

#include <jansson.h>

#include "result.h"

/* render_sts_json_target - "mta_sts" and "tls_rpt" into obj, if checked */
void render_sts_json_target(json_t *obj, const struct target_result *t);

/* render_sts_json_probe - "mta_sts_match" into obj, if checked */
void render_sts_json_probe(json_t *obj, const struct probe_result *p);

/*
 * render_line_fn - one line of the text report: label, then text (not yet
 * escaped for a terminal: the callee does that)
 */
typedef void render_line_fn(void *ctx, const char *label, const char *text);

/* render_sts_text_target - the check's lines, if checked */
void render_sts_text_target(
    const struct target_result *t, render_line_fn *line, void *ctx);

/* render_sts_text_probe - the probe's line, if it has a verdict */
void render_sts_text_probe(
    const struct probe_result *p, render_line_fn *line, void *ctx);

#endif
