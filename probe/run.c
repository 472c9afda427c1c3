/*
 * run.c - pull targets while there is room, expand each into probes (its
 * DNS through expand.c), start them in the loop, and judge and emit each
 * target when its last probe ends.
 *
 * Two bounds keep memory to -j whatever the number of targets: at most
 * -j probes in flight, and at most -j targets waiting (for DNS, for a
 * slot for their probes, or, with --mta-sts, for their policy once their
 * probes are done: a probe's verdict needs it, so its judgement waits
 * too). A target waiting for DNS holds no probe slot: a slow or silent
 * DNS server delays only its own targets, and an answer turns into probes
 * on the loop's next pass. Probes of a target appear in
 * the report in the order expand.c gives; a name that does not resolve
 * still gets one probe per port, each carrying the resolve error, so the
 * report has an entry for everything the user asked about. A bad -f line
 * becomes a target whose error has phase "input": nothing is silently
 * lost. With --dane, a probe is judged once its TLSA answer is in as well
 * (dane_wait.c), and a target whose dialogues ended first waits for its
 * answers as it waits for its MTA-STS policy.
 */
#include "run.h"

#include <sys/resource.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cert.h"
#include "clock.h"
#include "dane.h"
#include "diagnose.h"
#include "dialogue.h"
#include "dns.h"
#include "expand.h"
#include "job.h"
#include "log.h"
#include "progress.h"
#include "sts.h"
#include "xalloc.h"

/* A target between its pull and its end. */
struct tgt {
	struct target_result res;
	struct run *run;
	struct expansion *x;       /* while its DNS is looked up */
	struct probe_addr *addrs;  /* owned: where each probe connects */
	struct sts_check *sts;     /* --mta-sts, while it runs */
	bool *held;                /* owned: probes ended, judged after sts */
	size_t next;               /* the next probe to start */
	size_t pending;            /* probes started and not finished */
	struct tgt *lprev, *lnext; /* in r->resolving, ready or finishing */
	struct dane_wait *dane;    /* owned: its TLSA lookups (--dane) */
};

/* A list of targets, oldest first. */
struct tlist {
	struct tgt *head, *tail;
};

struct run {
	const struct config *cfg;
	struct job_env env;
	struct dns *dns;
	struct expand_cfg xcfg;
	struct source stop; /* the signal pipe's read end */
	struct cert_cache cache;
	struct rjob *jobs; /* in flight, for an interrupted run */
	struct diag_params dp;
	struct target_src *src;
	struct sink *sink;
	struct run_summary *sum;
	struct tlist resolving; /* waiting for DNS */
	struct tlist ready;     /* resolved, with probes to start */
	struct tlist finishing; /* dialogues over, TLSA or policy to come */
	size_t nfinishing;      /* in finishing: they count against -j */
	struct https *https;    /* --mta-sts's policy fetches */
	struct progress *progress;
	struct progress_counts count;
	size_t max_inflight;
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
static void expanded(void *, struct probe_addr *);
static void judge(struct run *, struct tgt *, struct probe_result *);
static void probe_over(struct run *, struct tgt *, size_t);
static void judge_or_hold(struct run *, struct tgt *, size_t);
static void target_over(struct run *, struct tgt *);
static void target_maybe_end(struct run *, struct tgt *);
static bool dialogues_over(const struct tgt *);
static void tlsa_ready(void *, size_t);
static void sts_done(void *);
static void skip_unstartable(struct tgt *);
static void start_probe(struct run *, struct tgt *, int64_t);
static void probe_done(struct job *, void *);
static void list_add(struct tlist *, struct tgt *);
static void list_del(struct tlist *, struct tgt *);
static void target_end(struct run *, struct tgt *);
static size_t inflight_max(size_t, size_t);
static void on_signal(struct source *, short, int64_t);
static void finish(struct run *);
static void abandon_all(struct run *, int64_t);
static void target_free(struct tgt *);
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
	if (cfg->tls_versions &&
	    versions_ctx_init(&ctx->versions, err, sizeof(err)) == -1) {
		log_warn("%s", err);
		run_ctx_free(ctx);
		return EXIT_USAGE;
	}
	return 0;
}

/* run_ctx_free - release what run_setup made */
void
run_ctx_free(struct run_ctx *ctx)
{
	versions_ctx_free(&ctx->versions);
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
	char err[ERR_MSG_MAX];
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
	r.max_inflight = inflight_max(
	    (size_t)cfg->jobs, cfg->tls_versions ? SWEEP_VERSIONS : 1);
	r.env.loop = loop_new();
	r.env.timeout_ms = cfg->timeout_ms;
	r.env.versions = cfg->tls_versions ? &ctx->versions : NULL;
	r.env.shared.ehlo_name = cfg->ehlo_name;
	r.env.shared.connect_timeout_ms = cfg->connect_timeout_ms;
	r.env.shared.tls = &ctx->tls;
	r.env.shared.trust = ctx->trust;
	r.env.shared.cache = &r.cache;
	r.env.shared.with_pem = cfg->pem;
	r.env.shared.transcript = cfg->transcript;
	r.env.shared.auth = cfg->auth_user != NULL ? &ctx->cred : NULL;
	r.env.shared.check_injection = cfg->check_injection;
	r.xcfg.ports = cfg->ports;
	r.xcfg.nports = cfg->nports;
	r.xcfg.mx = cfg->mx;
	r.xcfg.srv = cfg->srv;
	r.xcfg.family = cfg->family;
	r.xcfg.first_address = cfg->first_address;
	r.xcfg.sni = cfg->sni;
	/* A lookup may take what a connect may, inside --timeout. */
	if ((r.dns = dns_new(r.env.loop, cfg->resolver, cfg->connect_timeout_ms,
		 err, sizeof(err))) == NULL) {
		log_warn("%s", err);
		loop_free(r.env.loop);
		sum->duration_ms = clock_ms() - t0;
		return EXIT_TOOL_FAILURE;
	}
	if (cfg->mta_sts &&
	    (r.https = https_new(r.env.loop, cfg->cafile, err, sizeof(err))) ==
		NULL) {
		log_warn("%s", err);
		dns_free(r.dns);
		loop_free(r.env.loop);
		sum->duration_ms = clock_ms() - t0;
		return EXIT_TOOL_FAILURE;
	}
	r.stop.fd = stop_fd;
	r.stop.events = POLLIN;
	r.stop.deadline = LOOP_NEVER;
	r.stop.on_io = on_signal;
	loop_add(r.env.loop, &r.stop);
	if (cfg->progress)
		r.progress = progress_start(r.env.loop, &r.count);
	loop_run(r.env.loop, refill, &r);
	abandon_all(&r, clock_ms());
	loop_free(r.env.loop);
	cert_cache_free(&r.cache);
	dane_end();
	sum->duration_ms = clock_ms() - t0;
	return r.failed ? EXIT_TOOL_FAILURE : 0;
}

/*
 * refill - start probes while there is room, and pull targets while
 * fewer than -j wait; false once everything has ended. Called between
 * two waits of the loop, never from inside a callback, so the channel
 * can be closed here.
 */
static bool
refill(void *arg, int64_t now)
{
	struct run *r = arg;
	struct tgt *t;

	for (;;) {
		if (r->count.inflight < r->max_inflight &&
		    (t = r->ready.head) != NULL)
			start_probe(r, t, now);
		else if (r->count.waiting + r->nfinishing >=
			(size_t)r->cfg->jobs ||
		    !pull(r))
			break;
	}
	if (!r->src_done || r->count.waiting > 0 || r->count.inflight > 0 ||
	    r->nfinishing > 0)
		return true;
	finish(r);
	return false;
}

/*
 * pull - the next target from the source: its DNS starts, or it ends at
 * once (a bad line). False at the end, or when the run stops.
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
		r->src_done = r->count.total_known = true;
		return false;
	}
	r->count.targets++;
	t = xcalloc(1, sizeof(*t));
	t->run = r;
	t->res.host = item.text;
	item.text = NULL;
	t->res.index = item.index;
	if (item.bad) {
		result_fail(&t->res.error, PHASE_INPUT, KIND_SYNTAX, "%s",
		    item.message);
		target_item_free(&item);
		target_end(r, t);
		return true;
	}
	list_add(&r->resolving, t);
	r->count.waiting++;
	/* The domain's MTA-STS runs beside its MX expansion and probes. */
	if (r->cfg->mta_sts && !item.target.is_ip) {
		t->res.mta_sts = xcalloc(1, sizeof(*t->res.mta_sts));
		t->sts = sts_start(r->dns, r->https, item.target.host,
		    r->cfg->family, r->cfg->timeout_ms, t->res.mta_sts,
		    sts_done, t);
	}
	t->x =
	    expand_start(r->dns, &r->xcfg, &item.target, &t->res, expanded, t);
	target_item_free(&item);
	return true;
}

/*
 * expanded - the target's DNS is done: the probes that failed already
 * (a name without an address) are judged now, the rest wait for a slot
 */
static void
expanded(void *arg, struct probe_addr *addrs)
{
	struct tgt *t = arg;
	struct run *r = t->run;
	size_t i;

	expand_free(t->x);
	t->x = NULL;
	t->addrs = addrs;
	list_del(&r->resolving, t);
	if (r->cfg->dane)
		t->dane = dane_wait_start(r->dns, &t->res, tlsa_ready, t);
	if (t->sts != NULL)
		t->held = xcalloc(t->res.nprobes, sizeof(*t->held));
	for (i = 0; i < t->res.nprobes; i++)
		if (addrs[i].len == 0) {
			/* No connection: no login either, and the report
			 * says why. */
			t->res.probes[i].login.wanted =
			    r->cfg->auth_user != NULL;
			dialogue_login_close(&t->res.probes[i]);
			probe_over(r, t, i);
		}
	skip_unstartable(t);
	if (t->next < t->res.nprobes) {
		list_add(&r->ready, t);
		return;
	}
	r->count.waiting--;
	target_over(r, t);
}

/* judge - findings and status of a finished probe, and to the sink */
static void
judge(struct run *r, struct tgt *t, struct probe_result *p)
{
	diagnose(p, &r->dp);
	if (t->res.mta_sts != NULL)
		diag_sts_probe(p, t->res.mta_sts);
	baseline_compare(r->cfg->baseline, &t->res, p);
	policy_probe(p);
	sink_probe(r->sink, &t->res, p);
	r->count.probes++;
}

/*
 * probe_over - probe i's dialogue ended: judge it once its TLSA answer
 * (--dane) and its target's policy (--mta-sts) are in
 */
static void
probe_over(struct run *r, struct tgt *t, size_t i)
{
	if (dane_wait_probe(t->dane, i))
		judge_or_hold(r, t, i);
}

/* judge_or_hold - judge probe i now, or when the MTA-STS check is done */
static void
judge_or_hold(struct run *r, struct tgt *t, size_t i)
{
	if (t->sts != NULL)
		t->held[i] = true;
	else
		judge(r, t, &t->res.probes[i]);
}

/*
 * target_over - every dialogue of t ended: t is emitted, or waits, counted
 * against -j, for the TLSA answers or the policy its probes need
 */
static void
target_over(struct run *r, struct tgt *t)
{
	list_add(&r->finishing, t);
	r->nfinishing++;
	target_maybe_end(r, t);
}

/* target_maybe_end - emit a finishing t once nothing it waits for runs */
static void
target_maybe_end(struct run *r, struct tgt *t)
{
	if (!dialogues_over(t) || dane_wait_busy(t->dane) > 0 || t->sts != NULL)
		return;
	list_del(&r->finishing, t);
	r->nfinishing--;
	target_end(r, t);
}

/*
 * dialogues_over - t's DNS is done and every probe of it ended: t is in
 * r->finishing from then on (target_over), until it ends
 */
static bool
dialogues_over(const struct tgt *t)
{
	return t->addrs != NULL && t->pending == 0 && t->next == t->res.nprobes;
}

/* tlsa_ready - probe i's TLSA answer came after its dialogue ended */
static void
tlsa_ready(void *arg, size_t i)
{
	struct tgt *t = arg;

	judge_or_hold(t->run, t, i);
	target_maybe_end(t->run, t);
}

/* skip_unstartable - move next past probes that have no address */
static void
skip_unstartable(struct tgt *t)
{
	while (t->next < t->res.nprobes && t->addrs[t->next].len == 0)
		t->next++;
}

/* start_probe - target t's next probe */
static void
start_probe(struct run *r, struct tgt *t, int64_t now)
{
	size_t k = t->next++;
	struct probe_result *p = &t->res.probes[k];
	struct rjob *rj = xcalloc(1, sizeof(*rj));

	skip_unstartable(t);
	if (t->next == t->res.nprobes) {
		list_del(&r->ready, t);
		r->count.waiting--;
	}
	t->pending++;
	r->count.inflight++;
	rj->t = t;
	rj->run = r;
	rj->next = r->jobs;
	if (r->jobs != NULL)
		r->jobs->prev = rj;
	r->jobs = rj;
	job_start(&rj->job, &r->env, p, (struct sockaddr *)&t->addrs[k].sa,
	    t->addrs[k].len, p->sni[0] != '\0' ? p->sni : NULL, probe_done, rj,
	    now);
}

/* probe_done - judge a finished probe; emit its target when complete */
static void
probe_done(struct job *j, void *arg)
{
	struct rjob *rj = arg;
	struct run *r = rj->run;
	struct tgt *t = rj->t;

	(void)j;
	probe_over(r, t, (size_t)(rj->job.res - t->res.probes));
	unlink_job(r, rj);
	t->pending--;
	if (dialogues_over(t))
		target_over(r, t);
}

/*
 * sts_done - the target's MTA-STS check ended: judge the probes it held,
 * and end the target if nothing else runs
 */
static void
sts_done(void *arg)
{
	struct tgt *t = arg;
	struct run *r = t->run;
	size_t i;

	sts_free(t->sts);
	t->sts = NULL;
	for (i = 0; t->held != NULL && i < t->res.nprobes; i++)
		if (t->held[i])
			judge(r, t, &t->res.probes[i]);
	target_maybe_end(r, t);
}

/* list_add - t at the tail of l */
static void
list_add(struct tlist *l, struct tgt *t)
{
	t->lnext = NULL;
	t->lprev = l->tail;
	if (l->tail != NULL)
		l->tail->lnext = t;
	else
		l->head = t;
	l->tail = t;
}

/* list_del - t out of l */
static void
list_del(struct tlist *l, struct tgt *t)
{
	if (t->lprev != NULL)
		t->lprev->lnext = t->lnext;
	else
		l->head = t->lnext;
	if (t->lnext != NULL)
		t->lnext->lprev = t->lprev;
	else
		l->tail = t->lprev;
	t->lprev = t->lnext = NULL;
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
	r->count.inflight--;
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
 * finish - nothing is left: the sources that would keep the loop going
 * (the signal pipe, the DNS channel's sockets, the progress line) go
 */
static void
finish(struct run *r)
{
	loop_del(r->env.loop, &r->stop);
	dns_free(r->dns);
	r->dns = NULL;
	https_free(r->https);
	r->https = NULL;
	progress_end(r->progress);
	r->progress = NULL;
}

/*
 * abandon_all - stop the probes and lookups still running and free the
 * targets they belonged to, unreported: an interrupted report holds only
 * what finished
 */
static void
abandon_all(struct run *r, int64_t now)
{
	struct tgt *t;

	/* Lookups first: expansions and checks are then freed without them;
	 * the checks' fetches are cancelled as their targets go. */
	dns_free(r->dns);
	r->dns = NULL;
	while (r->jobs != NULL) {
		t = r->jobs->t;
		job_cancel(&r->jobs->job, now);
		unlink_job(r, r->jobs);
		t->pending--;
		if (dialogues_over(t))
			target_free(t);
	}
	while ((t = r->resolving.head) != NULL) {
		list_del(&r->resolving, t);
		target_free(t);
	}
	while ((t = r->ready.head) != NULL) {
		list_del(&r->ready, t);
		target_free(t);
	}
	while ((t = r->finishing.head) != NULL) {
		list_del(&r->finishing, t);
		target_free(t);
	}
	finish(r);
}

/* target_end - judge, count, write and free a finished target */
static void
target_end(struct run *r, struct tgt *t)
{
	diagnose_target(&t->res);
	policy_count(r->sum, &t->res);
	sink_target(r->sink, &t->res);
	r->count.done++;
	/* Nobody reads the report any more: probing on would be wasted. */
	if (r->sink->closed || r->sink->failed)
		loop_stop(r->env.loop);
	target_free(t);
}

/* target_free - a target, its expansion (DNS cancelled) and its probes */
static void
target_free(struct tgt *t)
{
	expand_free(t->x);
	dane_wait_free(t->dane);
	sts_free(t->sts);
	free(t->held);
	result_target_free(&t->res);
	free(t->addrs);
	free(t);
}

/*
 * inflight_max - at most jobs probes at once, and no more than the file
 * descriptor limit allows (raised to its hard limit if need be) for fds
 * descriptors each (--tls-versions: a connection per version at once):
 * running out of descriptors would look like servers refusing connections.
 */
static size_t
inflight_max(size_t jobs, size_t fds)
{
	struct rlimit rl;
	size_t need = jobs * fds + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return jobs;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return jobs;
	return rl.rlim_cur > FD_RESERVE + fds ? (rl.rlim_cur - FD_RESERVE) / fds
					      : 1;
}
