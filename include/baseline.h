/*
 * baseline.h - an earlier JSON report of the same targets (--baseline
 * FILE), and the changed-* findings that comparing a probe with it
 * raises (report-contract.md, "Change detection").
 *
 * A probe is matched with the baseline's probe of the same host, port and
 * address, by value: the order of targets and probes does not matter, so
 * a reordered or sharded run compares correctly. A probe the baseline
 * does not have (a new port, a new address) raises nothing.
 */
#ifndef SMTP_PROBE_BASELINE_H
#define SMTP_PROBE_BASELINE_H

#include <stddef.h>

#include "result.h"

struct baseline; /* opaque: the compact index of what is compared */

/*
 * baseline_load - read FILE, a report of --format json of this schema
 * version, into a compact index. NULL with a sentence naming the file in
 * err when it cannot be read, is not such a report, or passes the limits
 * of bounds.h (BASELINE_*).
 */
struct baseline *baseline_load(const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void baseline_free(struct baseline *);

/*
 * baseline_compare - append to p's findings the changed-* findings
 * between p (a probe of target t) and its match in b; nothing when b is
 * NULL or has no match. Pure; call it after diagnose(), which clears the
 * findings, and before policy_probe(), which weighs them.
 */
void baseline_compare(const struct baseline *b, const struct target_result *t,
    struct probe_result *p);

#endif
