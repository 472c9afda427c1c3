/*
 * diagnose.h - findings and client advice from what a probe observed.
 *
 * Pure: reads a probe_result, writes only its findings and advice. The
 * finding ids are a public, documented contract (README, "Findings").
 */
#ifndef SMTP_PROBE_DIAGNOSE_H
#define SMTP_PROBE_DIAGNOSE_H

#include <stddef.h>

#include "names.h"
#include "result.h"

struct diag_params {
	int warn_days; /* cert-expiring below this */
};

struct finding_def {
	const char *id;
	enum severity severity;
};

/* Every finding id diagnose() can raise, in documentation order. */
extern const struct finding_def finding_defs[];
extern const size_t finding_defs_count;

/* diagnose - fill p->findings and p->advice from the rest of p */
void diagnose(struct probe_result *p, const struct diag_params *);

#endif
