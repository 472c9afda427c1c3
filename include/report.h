/*
 * report.h - renderers of a run's results. They render; they never judge
 * (a finding computed here would be missing from the other formats).
 */
#ifndef SMTP_PROBE_REPORT_H
#define SMTP_PROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

struct report_opts {
	bool transcript; /* include the dialogue */
	bool color;      /* text: ANSI colour allowed */
};

/*
 * report_json_write - the whole run as one JSON document.
 * Returns 0, or -1 when the output could not be written.
 */
int report_json_write(FILE *, const struct run_result *,
    const struct report_opts *) __attribute__((warn_unused_result));

/* report_ndjson_target - one target on one line (--format ndjson) */
int report_ndjson_target(FILE *, const struct target_result *,
    const struct report_opts *) __attribute__((warn_unused_result));

/* report_text_write - the run for people */
int report_text_write(FILE *, const struct run_result *,
    const struct report_opts *) __attribute__((warn_unused_result));

#endif
