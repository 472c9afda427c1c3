/*
 * policy.c - the exit status a CI job gates on.
 */
#include "policy.h"

/* policy_exit - 1 when a finding reaches the threshold */
int
policy_exit(const struct run_result *run, int fail_on)
{
	const struct probe_result *p;
	size_t t, i, k;

	if (fail_on < 0)
		return 0;
	for (t = 0; t < run->ntargets; t++)
		for (i = 0; i < run->targets[t].nprobes; i++) {
			p = &run->targets[t].probes[i];
			for (k = 0; k < p->nfindings; k++)
				if ((int)p->findings[k].severity >= fail_on)
					return EXIT_THRESHOLD;
		}
	return 0;
}
