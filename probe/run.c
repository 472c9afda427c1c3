/*
 * run.c - pull targets while there is room, expand each into probes (one
 * per port and address), start them in the loop, and judge and emit each
 * target when its last probe ends.
 *
 * Only the targets with a probe in flight, and the one being started,
 * exist at any time: memory depends on -j, never on the number of targets.
 * Probes of a target appear in the report in port-list order, then in the
 * resolver's address order; a name that does not resolve still gets one
 * probe per port, each carrying the resolve error, so the report always
 * has an entry for everything the user asked about. A bad -f line becomes
 * a target whose error has phase "input": nothing is silently lost.
 *
 * XXX resolution is getaddrinfo(), which blocks the loop while a name is
 * looked up; it happens as a target is pulled, one name at a time.
 */
#include "run.h"

#include <sys/resource.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cert.h"
#include "clock.h"
#include "diagnose.h"
#include "dialogue.h"
#include "job.h"
#include "log.h"
#include "resolve.h"
#include "xalloc.h"

/* A target whose probes are running. */
struct tgt {
	struct target_result res;
	struct port_spec one; /* the port a TARGET named */
	const struct port_spec *ports;
	size_t nports;
	struct resolved addrs;
	size_t next;    /* the next probe to start */
	size_t pending; /* probes started and not finished */
};

struct run {
	const struct config *cfg;
	struct job_env env;
	struct source stop; /* the signal pipe's read end */
	struct cert_cache cache;
	struct rjob *jobs; /* in flight, for an interrupted run */
	struct diag_params dp;
	struct target_src *src;
	struct sink *sink;
	struct run_summary *sum;
	struct tgt *cur; /* the target whose probes are being started */
	size_t inflight, max_inflight;
	bool src_done;
	int failed;
};

/* One probe in flight. */
struct rjob {
	struct job job;
	struct tgt *t;
	struct run *run;
	struct rjob *prev, *next; /* run->jobs */
};

static bool refill(void *, int64_t);
static bool pull(struct run *);
static void expand(struct run *, struct tgt *, const struct target *);
static void start_probe(struct run *, int64_t);
static void probe_done(struct job *, void *);
static void target_end(struct run *, struct tgt *);
static size_t inflight_max(size_t);
static void on_signal(struct source *, short, int64_t);
static void abandon_all(struct run *, int64_t);
static void unlink_job(struct run *, struct rjob *);

/* run_setup - trust anchors and TLS credentials, before any output */
int
run_setup(const struct config *cfg, struct run_ctx *ctx)
{
	char err[512];

	memset(ctx, 0, sizeof(*ctx));
	/* First: the environment variable leaves the process at once. */
	if (cfg->auth_user != NULL &&
	    cred_load(&ctx->cred, cfg->auth_user, cfg->auth_password_file, err,
		sizeof(err)) == -1) {
		log_warn("%s", err);
		return EXIT_USAGE;
	}
	if (cert_trust_load(cfg->cafile, &ctx->trust, err, sizeof(err)) == -1) {
		cred_free(&ctx->cred);
		log_warn("%s", err);
		return EXIT_USAGE;
	}
	if (tls_ctx_init(&ctx->tls, cfg->client_cert, cfg->client_key, err,
		sizeof(err)) == -1) {
		log_warn("%s", err);
		gnutls_x509_trust_list_deinit(ctx->trust, 1);
		cred_free(&ctx->cred);
		return EXIT_USAGE;
	}
	return 0;
}

/* run_ctx_free - release what run_setup made */
void
run_ctx_free(struct run_ctx *ctx)
{
	tls_ctx_free(&ctx->tls);
	gnutls_x509_trust_list_deinit(ctx->trust, 1);
	cred_free(&ctx->cred);
}

/* run_probe - the whole run, in one loop */
int
run_probe(const struct config *cfg, const struct run_ctx *ctx,
    struct target_src *src, int stop_fd, struct sink *sink,
    struct run_summary *sum)
{
	struct run r;
	int64_t t0 = clock_ms();

	memset(&r, 0, sizeof(r));
	memset(sum, 0, sizeof(*sum));
	sum->worst = -1;
	sum->fail_on = cfg->fail_on;
	r.cfg = cfg;
	r.src = src;
	r.sink = sink;
	r.sum = sum;
	r.dp.warn_days = cfg->warn_days;
	r.max_inflight = inflight_max((size_t)cfg->jobs);
	r.env.loop = loop_new();
	r.env.timeout_ms = cfg->timeout_ms;
	r.env.shared.ehlo_name = cfg->ehlo_name;
	r.env.shared.connect_timeout_ms = cfg->connect_timeout_ms;
	r.env.shared.tls = &ctx->tls;
	r.env.shared.trust = ctx->trust;
	r.env.shared.cache = &r.cache;
	r.env.shared.with_pem = cfg->pem;
	r.env.shared.transcript = cfg->transcript;
	r.env.shared.auth = cfg->auth_user != NULL ? &ctx->cred : NULL;
	r.stop.fd = stop_fd;
	r.stop.events = POLLIN;
	r.stop.deadline = LOOP_NEVER;
	r.stop.on_io = on_signal;
	loop_add(r.env.loop, &r.stop);
	loop_run(r.env.loop, refill, &r);
	abandon_all(&r, clock_ms());
	loop_free(r.env.loop);
	cert_cache_free(&r.cache);
	sum->duration_ms = clock_ms() - t0;
	return r.failed ? EXIT_TOOL_FAILURE : 0;
}

/*
 * refill - start probes while there is room; false once every target has
 * been pulled and every probe started.
 */
static bool
refill(void *arg, int64_t now)
{
	struct run *r = arg;

	while (r->inflight < r->max_inflight) {
		if (r->cur == NULL && !pull(r)) {
			/* Only the signal pipe left: nothing more will come. */
			if (r->inflight == 0)
				loop_del(r->env.loop, &r->stop);
			return false;
		}
		if (r->cur != NULL)
			start_probe(r, now);
	}
	return true;
}

/*
 * pull - the next target from the source into r->cur (left NULL when it
 * needs no connection: it is finished at once). False at the end.
 */
static bool
pull(struct run *r)
{
	struct target_item item;
	struct tgt *t;
	char err[ERR_MSG_MAX];
	int got;

	if (r->src_done || r->sum->signal != 0 || r->sink->closed ||
	    r->sink->failed)
		return false;
	if ((got = target_src_next(r->src, &item, err, sizeof(err))) != 1) {
		if (got == -1) {
			log_warn("%s", err);
			r->failed = 1;
		}
		r->src_done = true;
		return false;
	}
	t = xcalloc(1, sizeof(*t));
	t->res.host = item.text;
	item.text = NULL;
	t->res.index = item.index;
	if (item.bad)
		result_fail(&t->res.error, PHASE_INPUT, KIND_SYNTAX, "%s",
		    item.message);
	else
		expand(r, t, &item.target);
	target_item_free(&item);
	if (t->next < t->res.nprobes)
		r->cur = t;
	else
		target_end(r, t);
	return true;
}

/*
 * expand - the target's probes, in report order; those that failed
 * before any I/O (resolution) are judged at once.
 */
static void
expand(struct run *r, struct tgt *t, const struct target *tg)
{
	const struct config *cfg = r->cfg;
	struct probe_result *p;
	char err[ERR_MSG_MAX];
	size_t i, a, naddr = 1;
	bool resolved;

	if (cfg->sni != NULL)
		t->res.sni = xstrdup(cfg->sni);
	else if (!tg->is_ip)
		t->res.sni = xstrdup(tg->host);
	t->ports = cfg->ports;
	t->nports = cfg->nports;
	if (tg->port != 0) {
		t->one.port = tg->port;
		t->one.mode = tg->mode;
		t->ports = &t->one;
		t->nports = 1;
	}
	resolved = resolve_host(tg->host, &t->addrs, err, sizeof(err)) == 0;
	if (resolved)
		naddr = t->addrs.n;
	t->res.nprobes = t->nports * naddr;
	t->res.probes = xcalloc(t->res.nprobes, sizeof(*t->res.probes));
	for (i = 0; i < t->nports; i++)
		for (a = 0; a < naddr; a++) {
			p = &t->res.probes[i * naddr + a];
			result_probe_init(
			    p, t->ports[i].port, t->ports[i].mode);
			if (resolved)
				resolve_addr_text(
				    (struct sockaddr *)&t->addrs.addr[a],
				    p->address, sizeof(p->address));
			else {
				result_fail(&p->error, PHASE_RESOLVE, KIND_DNS,
				    "%s", err);
				p->login.wanted = cfg->auth_user != NULL;
				dialogue_login_close(p);
				diagnose(p, &r->dp);
				policy_probe(p);
				sink_probe(r->sink, &t->res, p);
			}
		}
	if (!resolved)
		t->next = t->res.nprobes;
}

/* start_probe - the current target's next probe */
static void
start_probe(struct run *r, int64_t now)
{
	struct tgt *t = r->cur;
	size_t naddr = t->addrs.n, k = t->next++;
	struct sockaddr_storage sa = t->addrs.addr[k % naddr];
	struct rjob *rj = xcalloc(1, sizeof(*rj));

	if (t->next == t->res.nprobes)
		r->cur = NULL;
	t->pending++;
	r->inflight++;
	rj->t = t;
	rj->run = r;
	rj->next = r->jobs;
	if (r->jobs != NULL)
		r->jobs->prev = rj;
	r->jobs = rj;
	resolve_set_port(&sa, t->res.probes[k].port);
	job_start(&rj->job, &r->env, &t->res.probes[k], (struct sockaddr *)&sa,
	    t->addrs.len[k % naddr], t->res.sni, probe_done, rj, now);
}

/* probe_done - judge a finished probe; emit its target when complete */
static void
probe_done(struct job *j, void *arg)
{
	struct rjob *rj = arg;
	struct run *r = rj->run;
	struct tgt *t = rj->t;

	(void)j;
	diagnose(rj->job.res, &r->dp);
	baseline_compare(r->cfg->baseline, &t->res, rj->job.res);
	policy_probe(rj->job.res);
	sink_probe(r->sink, &t->res, rj->job.res);
	unlink_job(r, rj);
	if (--t->pending == 0 && t != r->cur && t->next == t->res.nprobes)
		target_end(r, t);
	if (r->inflight == 0 && r->src_done)
		loop_del(r->env.loop, &r->stop);
}

/* unlink_job - one probe fewer in flight */
static void
unlink_job(struct run *r, struct rjob *rj)
{
	if (rj->prev != NULL)
		rj->prev->next = rj->next;
	else
		r->jobs = rj->next;
	if (rj->next != NULL)
		rj->next->prev = rj->prev;
	free(rj);
	r->inflight--;
}

/*
 * on_signal - SIGINT or SIGTERM: start nothing more; what finished is
 * already written, what did not is abandoned once the loop returns
 */
static void
on_signal(struct source *src, short revents, int64_t now)
{
	struct run *r =
	    (struct run *)((char *)src - offsetof(struct run, stop));
	unsigned char sig;

	(void)revents;
	(void)now;
	if (read(src->fd, &sig, 1) != 1)
		return;
	r->sum->signal = sig;
	loop_del(r->env.loop, src);
	loop_stop(r->env.loop);
}

/*
 * abandon_all - stop the probes still in flight and free the targets
 * they belonged to, unreported: an interrupted report holds only what
 * finished
 */
static void
abandon_all(struct run *r, int64_t now)
{
	struct tgt *t;

	loop_del(r->env.loop, &r->stop);
	while (r->jobs != NULL) {
		t = r->jobs->t;
		job_cancel(&r->jobs->job, now);
		unlink_job(r, r->jobs);
		if (--t->pending == 0 && t != r->cur) {
			result_target_free(&t->res);
			free(t);
		}
	}
	if (r->cur != NULL) {
		result_target_free(&r->cur->res);
		free(r->cur);
		r->cur = NULL;
	}
}

/* target_end - count, write and free a finished target */
static void
target_end(struct run *r, struct tgt *t)
{
	diagnose_target(&t->res);
	policy_count(r->sum, &t->res);
	sink_target(r->sink, &t->res);
	/* Nobody reads the report any more: probing on would be wasted. */
	if (r->sink->closed || r->sink->failed)
		loop_stop(r->env.loop);
	result_target_free(&t->res);
	free(t);
}

/*
 * inflight_max - at most jobs probes at once, and no more than the file
 * descriptor limit allows (raised to its hard limit if need be): running
 * out of descriptors would look like servers refusing connections.
 */
static size_t
inflight_max(size_t jobs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return jobs;
	if (rl.rlim_cur < jobs + FD_RESERVE && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = jobs + FD_RESERVE < rl.rlim_max
		    ? jobs + FD_RESERVE
		    : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= jobs + FD_RESERVE)
		return jobs;
	return rl.rlim_cur > FD_RESERVE + 1 ? rl.rlim_cur - FD_RESERVE : 1;
}
