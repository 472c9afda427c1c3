/*
 * job.c - run a probe's attempts, as the plan decides, and merge them.
 *
 * The job is the only place that knows one probe may take several
 * connections; the session knows one, the plan decides without I/O.
 */
#include "job.h"

#include <string.h>

#include "clock.h"

static void attempt_start(struct job *, enum mode, int64_t);
static void attempt_done(struct sess *, void *);

/* job_start - the first attempt */
void
job_start(struct job *j, const struct job_env *env, struct probe_result *res,
    const struct sockaddr *sa, socklen_t salen, const char *sni,
    job_done_fn *done, void *arg, int64_t now)
{
	memset(j, 0, sizeof(*j));
	j->env = env;
	j->res = res;
	memcpy(&j->addr, sa, salen);
	j->addrlen = salen;
	j->sni = sni;
	j->t0 = now;
	j->deadline = now + env->timeout_ms;
	j->done = done;
	j->done_arg = arg;
	attempt_start(j, plan_first(res->requested_mode, res->port), now);
}

/* attempt_start - a session in mode, recording into a fresh result */
static void
attempt_start(struct job *j, enum mode mode, int64_t now)
{
	struct plan_attempt *a = &j->att[j->natt];
	struct sess_params p;

	result_probe_init(&a->res, j->res->port, j->res->requested_mode);
	memcpy(a->res.address, j->res->address, sizeof(a->res.address));
	a->mode = mode;
	a->started_ms = now - j->t0;
	memset(&p, 0, sizeof(p));
	p.mode = mode;
	p.sni = j->sni;
	p.t0 = j->t0;
	p.deadline = j->deadline;
	p.banner_timeout_ms = plan_banner_timeout(
	    j->res->requested_mode, j->natt, mode, j->env->timeout_ms);
	p.prio = j->env->shared.tls->prio;
	j->natt++;
	sess_start(&j->sess, j->env->loop, &j->env->shared, &p,
	    (struct sockaddr *)&j->addr, j->addrlen, &a->res, attempt_done, j,
	    now);
}

/* attempt_done - another attempt, or the merged result */
static void
attempt_done(struct sess *s, void *arg)
{
	struct job *j = arg;
	struct plan_attempt *a = &j->att[j->natt - 1];
	int64_t now = clock_ms();
	enum mode next;
	size_t i;

	a->smtp_answer = s->smtp_answer;
	next = plan_next(
	    j->res->requested_mode, j->att, j->natt, now < j->deadline);
	if (next != MODE_UNKNOWN && j->natt < ATTEMPTS_MAX) {
		attempt_start(j, next, now);
		return;
	}
	plan_merge(j->res, j->att, j->natt, now - j->t0);
	for (i = 0; i < j->natt; i++)
		result_probe_free(&j->att[i].res);
	j->done(j, j->done_arg);
}
