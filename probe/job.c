/*
 * job.c - run a probe's attempts, as the plan decides, and merge them.
 *
 * The job is the only place that knows one probe may take several
 * connections; the session knows one, the plan decides without I/O. Two
 * attempts may run at once (auto mode on a silent submission port): the
 * one that ends first asks the plan whether its answer decides the probe,
 * and if so the other is abandoned.
 */
#include "job.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xalloc.h"

static void attempt_start(struct job *, enum mode, int64_t);
static void attempt_done(struct sess *, void *);
static void on_pause(struct source *, int64_t);
static void abandon(struct job *, size_t, int64_t, const char *);
static bool start_sweep(struct job *, int64_t);
static void sweep_done(void *);
static void finish(struct job *, int64_t);

/* job_start - the first attempt, and the timer of a parallel one */
void
job_start(struct job *j, const struct job_env *env, struct probe_result *res,
    const struct sockaddr *sa, socklen_t salen, const char *sni,
    job_done_fn *done, void *arg, int64_t now)
{
	enum mode first = plan_first(res->requested_mode, res->port);
	int pause;

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
	j->pause.fd = -1;
	j->pause.deadline = LOOP_NEVER;
	j->pause.on_timeout = on_pause;
	pause = plan_parallel_pause(res->requested_mode, res->port, first);
	if (pause > 0) {
		j->pause.deadline = now + pause;
		loop_add(env->loop, &j->pause);
	}
	attempt_start(j, first, now);
}

/* job_cancel - abandon everything, report nothing */
void
job_cancel(struct job *j, int64_t now)
{
	size_t i;

	loop_del(j->env->loop, &j->pause);
	for (i = 0; i < j->natt; i++) {
		if (j->sess[i] != NULL)
			abandon(j, i, now, "the run was interrupted");
		result_probe_free(&j->att[i].res);
	}
	if (j->sweep != NULL) {
		sweep_cancel(j->sweep, now);
		free(j->sweep);
		j->sweep = NULL;
	}
}

/* attempt_start - a session in mode, recording into a fresh result */
static void
attempt_start(struct job *j, enum mode mode, int64_t now)
{
	struct plan_attempt *a = &j->att[j->natt];
	struct sess_params p;

	result_probe_init(&a->res, j->res->port, j->res->requested_mode);
	/* Where the probe went is the probe's, whichever attempt decides. */
	memcpy(a->res.host, j->res->host, sizeof(a->res.host));
	memcpy(a->res.sni, j->res->sni, sizeof(a->res.sni));
	memcpy(a->res.address, j->res->address, sizeof(a->res.address));
	a->res.dane_wanted = j->res->dane_wanted;
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
	j->sess[j->natt] = xmalloc(sizeof(struct sess));
	sess_start(j->sess[j->natt++], j->env->loop, &j->env->shared, &p,
	    (struct sockaddr *)&j->addr, j->addrlen, &a->res, attempt_done, j,
	    now);
}

/*
 * on_pause - the first attempt still waits for a greeting: try implicit
 * TLS on a second connection while it goes on waiting
 */
static void
on_pause(struct source *src, int64_t now)
{
	struct job *j =
	    (struct job *)((char *)src - offsetof(struct job, pause));

	loop_del(j->env->loop, src);
	if (j->natt == 1 && j->sess[0] != NULL &&
	    j->sess[0]->state == SESS_BANNER)
		attempt_start(j, MODE_IMPLICIT, now);
}

/* attempt_done - the other attempt, another attempt, or the result */
static void
attempt_done(struct sess *s, void *arg)
{
	struct job *j = arg;
	int64_t now = clock_ms();
	size_t i = s == j->sess[0] ? 0 : 1, other = 1 - i;
	enum mode next;

	j->att[i].smtp_answer = s->smtp_answer;
	free(j->sess[i]);
	j->sess[i] = NULL;
	if (j->natt > other && j->sess[other] != NULL) {
		if (!plan_decides(j->att, i))
			return; /* the other attempt may still answer */
		abandon(j, other, now,
		    other == 0 ? "the server sent no greeting in clear while "
				 "implicit TLS worked on a second connection"
			       : "given up: the first connection got its "
				 "greeting");
	}
	next = plan_next(
	    j->res->requested_mode, j->att, j->natt, now < j->deadline);
	if (next != MODE_UNKNOWN && j->natt < MAIN_ATTEMPTS_MAX) {
		attempt_start(j, next, now);
		return;
	}
	if (!start_sweep(j, now))
		finish(j, now);
}

/* abandon - stop attempt i with why as its error */
static void
abandon(struct job *j, size_t i, int64_t now, const char *why)
{
	sess_abandon(j->sess[i], now, why);
	free(j->sess[i]);
	j->sess[i] = NULL;
}

/*
 * start_sweep - with --tls-versions, once the probe's own attempts are
 * over: one more connection per version, if the plan wants them. Returns
 * true when they run (the job finishes when they end).
 */
static bool
start_sweep(struct job *j, int64_t now)
{
	struct sweep_target t;
	enum mode mode;

	mode = plan_sweep(j->env->versions != NULL, j->att, j->natt);
	if (mode == MODE_UNKNOWN)
		return false;
	t.probe = j->res;
	t.addr = (const struct sockaddr *)&j->addr;
	t.addrlen = j->addrlen;
	t.sni = j->sni;
	t.t0 = j->t0;
	t.deadline = j->deadline;
	j->sweep = xmalloc(sizeof(*j->sweep));
	return sweep_start(j->sweep, j->env->loop, &j->env->shared,
		   j->env->versions, mode, &t, sweep_done, j, now) > 0;
}

/* sweep_done - every version has had its connection */
static void
sweep_done(void *arg)
{
	struct job *j = arg;

	finish(j, clock_ms());
}

/*
 * finish - merge the attempts (and the versions' connections after them)
 * into the probe and tell the owner
 */
static void
finish(struct job *j, int64_t now)
{
	size_t i;

	loop_del(j->env->loop, &j->pause);
	plan_merge(j->res, j->att, j->natt, now - j->t0);
	for (i = 0; i < j->natt; i++)
		result_probe_free(&j->att[i].res);
	if (j->sweep != NULL) {
		sweep_merge(j->sweep, j->res);
		free(j->sweep);
		j->sweep = NULL;
	}
	j->done(j, j->done_arg);
}
