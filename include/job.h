/*
 * job.h - one probe: one host, address and port, run as the plan says.
 *
 * A job runs its attempts through sessions, one after another or, where
 * the plan says so, a second one in parallel after a pause; it asks the
 * plan what follows each and which answer wins, and merges them into the
 * probe result it was given. It owns its sessions, its timer and its
 * attempts' results; the probe result belongs to the caller.
 */
#ifndef SMTP_PROBE_JOB_H
#define SMTP_PROBE_JOB_H

#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"
#include "plan.h"
#include "result.h"
#include "session.h"
#include "sweep.h"
#include "versions.h"

/* What every job of a run shares; owned by the run. */
struct job_env {
	struct loop *loop;
	struct sess_shared shared;
	int timeout_ms; /* one probe's whole time, every attempt included */
	const struct versions_ctx *versions; /* NULL without --tls-versions */
};

struct job;
typedef void job_done_fn(struct job *, void *arg);

struct job {
	const struct job_env *env;
	struct probe_result *res; /* not owned: where the merged result goes */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *sni; /* not owned; NULL: none */
	int64_t t0;
	int64_t deadline;
	size_t natt;
	struct plan_attempt att[MAIN_ATTEMPTS_MAX]; /* results owned */
	struct sess *sess[MAIN_ATTEMPTS_MAX];       /* owned while running */
	struct source pause; /* when a parallel attempt may start */
	struct sweep *sweep; /* owned while --tls-versions runs */
	job_done_fn *done;
	void *done_arg;
};

/*
 * job_start - probe addr (its port set) for res->port in
 * res->requested_mode; res must be initialised with result_probe_init.
 * done(job, arg) is called once, from the loop, when res is complete.
 */
void job_start(struct job *, const struct job_env *, struct probe_result *res,
    const struct sockaddr *, socklen_t, const char *sni, job_done_fn *done,
    void *arg, int64_t now);

/*
 * job_cancel - stop every attempt at once; done is not called and res is
 * left as it was (the run was interrupted).
 */
void job_cancel(struct job *, int64_t now);

#endif
