/*
 * policy.h - severities into statuses, and findings into the exit status.
 *
 * Pure. The worst severity of a probe is computed here once (when it is
 * judged) and stored in it; the run's summary counts them as targets
 * finish, so the exit status needs no target kept in memory.
 */
#ifndef SMTP_PROBE_POLICY_H
#define SMTP_PROBE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define EXIT_THRESHOLD 1

/* What the run as a whole comes to; filled as targets finish. */
struct run_summary {
	size_t targets;
	size_t probes;
	size_t status[STATUS_COUNT]; /* probes by status */
	int worst;   /* the worst finding's severity in the run; -1: none */
	int fail_on; /* --fail-on's severity; -1: none */
	int64_t duration_ms;
	int signal; /* SIGINT or SIGTERM that stopped the run; 0: none */
};

/*
 * policy_probe - store p's worst finding severity (-1: none) and the
 * status it gives
 */
void policy_probe(struct probe_result *p);

/* policy_count - add a judged target to the summary */
void policy_count(struct run_summary *, const struct target_result *);

/* policy_failed - a finding of the run reached --fail-on */
bool policy_failed(const struct run_summary *);

/*
 * policy_exit - 128 + the signal of an interrupted run (130, 143);
 * EXIT_THRESHOLD when policy_failed; 0 otherwise.
 */
int policy_exit(const struct run_summary *);

#endif
