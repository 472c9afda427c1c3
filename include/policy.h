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

/* The Monitoring Plugins' states, which are also their exit statuses. */
enum nagios_state {
	NAGIOS_OK,
	NAGIOS_WARNING,
	NAGIOS_CRITICAL,
	NAGIOS_UNKNOWN,
	NAGIOS_COUNT
};

/* What the run as a whole comes to; filled as targets finish. */
struct run_summary {
	size_t targets;
	size_t probes;
	size_t status[STATUS_COUNT]; /* probes by status */
	size_t target_errors; /* targets not probed at all (a bad -f line) */
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

/*
 * policy_success - the probe did what a client needs: the dialogue ran to
 * QUIT, with TLS established unless plain mode was asked for
 */
bool policy_success(const struct probe_result *p);

/* policy_count - add a judged target to the summary */
void policy_count(struct run_summary *, const struct target_result *);

/* policy_failed - a finding of the run reached --fail-on */
bool policy_failed(const struct run_summary *);

/*
 * policy_exit - 128 + the signal of an interrupted run (130, 143);
 * EXIT_THRESHOLD when policy_failed; 0 otherwise.
 */
int policy_exit(const struct run_summary *);

/*
 * policy_nagios - the run as a Monitoring Plugins state, which is also
 * the exit status of --format nagios. A finding counts when its severity
 * is --fail-on's or worse (default: warning): the state is CRITICAL when
 * a counted finding is critical, WARNING when one is (a warning, or info
 * with --fail-on info). Otherwise UNKNOWN when the check could not be
 * made whole (interrupted, a target not probed, nothing probed), else OK.
 * An interrupted run is UNKNOWN whatever it found.
 */
int policy_nagios(const struct run_summary *);

#endif
