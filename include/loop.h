/*
 * loop.h - one thread, non-blocking sockets, poll(), a deadline per job.
 *
 * The same loop probes one port or many targets: there is no second,
 * blocking path for the simple case.
 */
#ifndef SMTP_PROBE_LOOP_H
#define SMTP_PROBE_LOOP_H

#include <stddef.h>
#include <sys/socket.h>

#include "result.h"
#include "session.h"

/* One port of one address to probe; the result is owned by the caller. */
struct job {
	struct probe_result *res;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *sni; /* not owned; NULL: none */
	size_t target;   /* the caller's index of its target */
};

typedef void loop_done_fn(struct job *, void *);

/*
 * loop_run - probe jobs[0..n) with at most max_inflight at once, calling
 * done(job, arg) as each finishes. Returns when all have finished; every
 * job ends by its own deadline.
 */
void loop_run(const struct sess_params *, struct job *jobs, size_t n,
    size_t max_inflight, loop_done_fn *done, void *arg);

#endif
