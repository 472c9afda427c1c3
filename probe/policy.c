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
	p->status = p->worst == SEV_CRITICAL ? STATUS_CRITICAL
	    : p->worst == SEV_WARNING        ? STATUS_WARNING
					     : STATUS_OK;
}

/* policy_success - ran to QUIT, with TLS unless plain was asked for */
bool
policy_success(const struct probe_result *p)
{
	return !p->error.set &&
	    (p->requested_mode == MODE_PLAIN || p->tls.established);
}

/*
 * policy_count - one more finished target; its findings about the host as
 * a whole count towards --fail-on like those of its probes
 */
void
policy_count(struct run_summary *s, const struct target_result *t)
{
	size_t i;

	s->targets++;
	if (t->error.set)
		s->target_errors++;
	s->probes += t->nprobes;
	/* A domain that does not resolve fails --fail-on with no probe. */
	for (i = 0; i < t->nfindings; i++)
		if ((int)t->findings[i].severity > s->worst)
			s->worst = (int)t->findings[i].severity;
	for (i = 0; i < t->nprobes; i++) {
		s->status[t->probes[i].status]++;
		if (t->probes[i].worst > s->worst)
			s->worst = t->probes[i].worst;
	}
	for (i = 0; i < t->nfindings; i++)
		if ((int)t->findings[i].severity > s->worst)
			s->worst = (int)t->findings[i].severity;
}

/* policy_failed - the --fail-on threshold was reached */
bool
policy_failed(const struct run_summary *s)
{
	return s->fail_on >= 0 && s->worst >= s->fail_on;
}

/* policy_exit - the contract's exit status of a complete report */
int
policy_exit(const struct run_summary *s)
{
	if (s->signal != 0)
		return 128 + s->signal;
	return policy_failed(s) ? EXIT_THRESHOLD : 0;
}

/* policy_nagios - the Monitoring Plugins state of the run */
int
policy_nagios(const struct run_summary *s)
{
	int counts = s->fail_on >= 0 ? s->fail_on : SEV_WARNING;

	if (s->signal != 0)
		return NAGIOS_UNKNOWN;
	if (s->worst >= counts)
		return s->worst == SEV_CRITICAL ? NAGIOS_CRITICAL
						: NAGIOS_WARNING;
	if (s->target_errors > 0 || s->probes == 0)
		return NAGIOS_UNKNOWN;
	return NAGIOS_OK;
}
