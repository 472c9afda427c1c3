/*
 * sweep.c - run the connections of --tls-versions for one probe.
 *
 * Every version at once, in the probe's own reactor and under the probe's
 * own deadline, so the sweep adds one handshake's time to a probe, not
 * four, and a server that stops answering halfway costs no more than
 * --timeout. Each connection repeats the dialogue the probe really spoke
 * (STARTTLS: greeting, EHLO, STARTTLS, handshake; implicit: handshake)
 * and then ends: no EHLO inside TLS, no login, no certificate judged.
 */
#include "sweep.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void one_done(struct sess *, void *);

/* sweep_start - one connection per version the run can offer */
size_t
sweep_start(struct sweep *sw, struct loop *loop,
    const struct sess_shared *shared, const struct versions_ctx *ctx,
    enum mode mode, const struct sweep_target *t, sweep_done_fn *done,
    void *arg, int64_t now)
{
	struct sess_params p;
	size_t i;

	memset(sw, 0, sizeof(*sw));
	sw->shared = *shared;
	sw->shared.transcript = false;
	sw->shared.auth = NULL;
	sw->ctx = ctx;
	sw->mode = mode;
	sw->started_ms = now - t->t0;
	sw->done = done;
	sw->done_arg = arg;
	memset(&p, 0, sizeof(p));
	p.mode = mode;
	p.sni = t->sni;
	p.t0 = t->t0;
	p.deadline = t->deadline;
	p.tls_only = true;
	for (i = 0; i < SWEEP_VERSIONS; i++) {
		if (ctx->prio[i] == NULL)
			continue;
		result_probe_init(
		    &sw->res[i], t->probe->port, t->probe->requested_mode);
		/* For the log lines of the session. */
		memcpy(sw->res[i].address, t->probe->address,
		    sizeof(sw->res[i].address));
		p.prio = ctx->prio[i];
		sw->sess[i] = xmalloc(sizeof(struct sess));
		sw->left++;
		sess_start(sw->sess[i], loop, &sw->shared, &p, t->addr,
		    t->addrlen, &sw->res[i], one_done, sw, now);
	}
	return sw->left;
}

/* sweep_cancel - abandon what still runs */
void
sweep_cancel(struct sweep *sw, int64_t now)
{
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++) {
		if (sw->sess[i] != NULL) {
			sess_abandon(
			    sw->sess[i], now, "the run was interrupted");
			free(sw->sess[i]);
			sw->sess[i] = NULL;
		}
		result_probe_free(&sw->res[i]);
	}
	sw->left = 0;
}

/* sweep_merge - the verdicts, in version order, and free the results */
void
sweep_merge(struct sweep *sw, struct probe_result *out)
{
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++) {
		versions_record(out, i,
		    sw->ctx->prio[i] != NULL ? &sw->res[i] : NULL, sw->mode,
		    sw->started_ms, sw->ctx->why[i]);
		result_probe_free(&sw->res[i]);
	}
}

/* one_done - a connection ended; the last one ends the sweep */
static void
one_done(struct sess *s, void *arg)
{
	struct sweep *sw = arg;
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++)
		if (sw->sess[i] == s) {
			free(s);
			sw->sess[i] = NULL;
		}
	if (--sw->left == 0)
		sw->done(sw->done_arg);
}
