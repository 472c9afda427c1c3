/*
 * policy.h - findings and --fail-on into the exit status.
 */
#ifndef SMTP_PROBE_POLICY_H
#define SMTP_PROBE_POLICY_H

#include "result.h"

#define EXIT_THRESHOLD 1

/*
 * policy_exit - 1 when any finding of run is at least fail_on (an enum
 * severity), 0 otherwise or when fail_on is -1.
 */
int policy_exit(const struct run_result *run, int fail_on);

#endif
