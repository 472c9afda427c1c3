/*
 * run.h - one run: targets into jobs, the loop, diagnosis.
 */
#ifndef SMTP_PROBE_RUN_H
#define SMTP_PROBE_RUN_H

#include <stdio.h>

#include "cli.h"
#include "result.h"

/*
 * run_probe - probe every target of cfg into run (the caller releases it
 * with run_free). With --format ndjson each target is written to out as
 * it completes. Returns 0, EXIT_USAGE when the configuration is unusable
 * (message printed), or EXIT_TOOL_FAILURE when out cannot be written.
 */
int run_probe(const struct config *cfg, FILE *out, struct run_result *run)
    __attribute__((warn_unused_result));

void run_free(struct run_result *);

#endif
