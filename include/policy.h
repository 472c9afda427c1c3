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
	int worst; /* the worst finding's severity in the run; -1: none */
	int64_t duration_ms;
};

/* policy_probe - store p's worst finding severity (-1: none) in p->worst */
void policy_probe(struct probe_result *p);

/* policy_count - add a judged target to the summary */
void policy_count(struct run_summary *, const struct target_result *);

/*
 * policy_exit - EXIT_THRESHOLD when a finding of the run reached fail_on
 * (an enum severity), 0 otherwise or when fail_on is -1.
 */
int policy_exit(const struct run_summary *, int fail_on);

#endif
