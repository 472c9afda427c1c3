/*
 * sweep.h - the connections of --tls-versions for one probe: one per TLS
 * version, all at once, each offering that version alone and ending once
 * the handshake is over.
 *
 * The job (job.c) starts a sweep when the plan says so (plan_sweep), and
 * merges it into the probe once every connection has ended. A sweep owns
 * its sessions and their results; versions.c judges each one.
 */
#ifndef SMTP_PROBE_SWEEP_H
#define SMTP_PROBE_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"
#include "result.h"
#include "session.h"
#include "versions.h"

typedef void sweep_done_fn(void *arg);

struct sweep {
	struct sess_shared shared; /* the run's, without transcript or login */
	const struct versions_ctx *ctx; /* not owned */
	enum mode mode;                 /* the dialogue of every connection */
	int64_t started_ms;             /* from the probe's start */
	size_t left;                    /* connections still running */
	struct sess *sess[SWEEP_VERSIONS];       /* owned while running */
	struct probe_result res[SWEEP_VERSIONS]; /* owned */
	sweep_done_fn *done;
	void *done_arg;
};

/* Where and how the probe's own attempts went; copied from the job. */
struct sweep_target {
	const struct probe_result *probe; /* host, address, port, sni */
	const struct sockaddr *addr;
	socklen_t addrlen;
	const char *sni;  /* NULL: none */
	int64_t t0;       /* the probe's start */
	int64_t deadline; /* the probe's: every connection keeps it */
};

/*
 * sweep_start - a connection in mode for every version the run can offer.
 * Returns how many started; done(arg) is called from the loop once they
 * have all ended, and never when none started.
 */
size_t sweep_start(struct sweep *, struct loop *, const struct sess_shared *,
    const struct versions_ctx *, enum mode, const struct sweep_target *,
    sweep_done_fn *done, void *arg, int64_t now);

/* sweep_cancel - stop every connection at once; done is not called */
void sweep_cancel(struct sweep *, int64_t now);

/*
 * sweep_merge - every version's verdict into out->versions and each
 * connection into out->attempts, after the probe's own; the sweep's
 * results are released.
 */
void sweep_merge(struct sweep *, struct probe_result *out);

#endif
