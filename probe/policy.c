/*
 * policy.c - the one place that turns findings into a verdict: a probe's
 * worst severity, the run's, and the exit status (report-contract.md:
 * --fail-on SEV exits 1 when a finding has severity SEV or worse).
 */
#include "policy.h"

/* policy_probe - the worst severity among a probe's findings */
void
policy_probe(struct probe_result *p)
{
	size_t i;

	p->worst = -1;
	for (i = 0; i < p->nfindings; i++)
		if ((int)p->findings[i].severity > p->worst)
			p->worst = (int)p->findings[i].severity;
}

/* policy_count - one more finished target */
void
policy_count(struct run_summary *s, const struct target_result *t)
{
	size_t i;

	s->targets++;
	s->probes += t->nprobes;
	for (i = 0; i < t->nprobes; i++)
		if (t->probes[i].worst > s->worst)
			s->worst = t->probes[i].worst;
}

/* policy_exit - 1 when the threshold was reached */
int
policy_exit(const struct run_summary *s, int fail_on)
{
	if (fail_on < 0 || s->worst < fail_on)
		return 0;
	return EXIT_THRESHOLD;
}
