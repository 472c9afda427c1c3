/*
 * run.c - expand targets into jobs (one per address and port), run them
 * all in one loop, and diagnose each probe as it ends.
 *
 * Probes of a target appear in the report in port-list order, then in the
 * resolver's address order; a name that does not resolve still gets one
 * probe per port, each carrying the resolve error, so the report always
 * has an entry for everything the user asked about.
 */
#include "run.h"

#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "clock.h"
#include "diagnose.h"
#include "log.h"
#include "loop.h"
#include "report.h"
#include "resolve.h"
#include "target.h"
#include "tls.h"
#include "xalloc.h"

/* Descriptors kept free for stdio, the report, and what GnuTLS opens. */
#define FD_RESERVE 16

struct run_state {
	const struct config *cfg;
	struct diag_params dp;
	struct run_result *run;
	size_t *pending; /* per target: probes not yet done */
	FILE *ndjson;    /* NULL unless --format ndjson */
	int write_failed;
};

static size_t expand_target(const struct config *, size_t,
    struct target_result *, struct job **, size_t *, size_t *);
static void job_done(struct job *, void *);
static void target_done(struct run_state *, size_t);
static size_t inflight_max(size_t);

/* run_setup - trust anchors and TLS credentials, before any output */
int
run_setup(const struct config *cfg, struct run_ctx *ctx)
{
	char err[512];

	memset(ctx, 0, sizeof(*ctx));
	if (cert_trust_load(cfg->cafile, &ctx->trust, err, sizeof(err)) == -1) {
		log_warn("%s", err);
		return EXIT_USAGE;
	}
	if (tls_ctx_init(&ctx->tls, cfg->client_cert, cfg->client_key, err,
		sizeof(err)) == -1) {
		log_warn("%s", err);
		gnutls_x509_trust_list_deinit(ctx->trust, 1);
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
}

/* run_probe - the whole run */
int
run_probe(const struct config *cfg, const struct run_ctx *ctx, FILE *out,
    struct run_result *run)
{
	struct sess_params sp;
	struct run_state st;
	struct job *jobs = NULL;
	size_t njobs = 0, capjobs = 0, t, i;
	int64_t t0;

	memset(run, 0, sizeof(*run));
	run->started_at = time(NULL);
	t0 = clock_ms();
	run->ntargets = cfg->ntargets;
	run->targets = xcalloc(cfg->ntargets, sizeof(*run->targets));
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.dp.warn_days = cfg->warn_days;
	st.run = run;
	st.pending = xcalloc(cfg->ntargets, sizeof(*st.pending));
	st.ndjson = cfg->format == FORMAT_NDJSON ? out : NULL;
	for (t = 0; t < cfg->ntargets; t++)
		st.pending[t] = expand_target(
		    cfg, t, &run->targets[t], &jobs, &njobs, &capjobs);
	/* Probes that failed before any I/O (resolution) are done now. */
	for (t = 0; t < cfg->ntargets; t++) {
		for (i = 0; i < run->targets[t].nprobes; i++)
			if (run->targets[t].probes[i].error.set)
				diagnose(&run->targets[t].probes[i], &st.dp);
		if (st.pending[t] == 0)
			target_done(&st, t);
	}

	memset(&sp, 0, sizeof(sp));
	sp.ehlo_name = cfg->ehlo_name;
	sp.timeout_ms = cfg->timeout_ms;
	sp.connect_timeout_ms = cfg->connect_timeout_ms;
	sp.tls = &ctx->tls;
	sp.trust = ctx->trust;
	sp.with_pem = cfg->pem;
	loop_run(
	    &sp, jobs, njobs, inflight_max((size_t)cfg->jobs), job_done, &st);

	run->duration_ms = clock_ms() - t0;
	free(jobs);
	free(st.pending);
	return st.write_failed ? EXIT_TOOL_FAILURE : 0;
}

/* run_free - release every target */
void
run_free(struct run_result *run)
{
	size_t t;

	for (t = 0; t < run->ntargets; t++)
		result_target_free(&run->targets[t]);
	free(run->targets);
	memset(run, 0, sizeof(*run));
}

/*
 * expand_target - fill tr for one TARGET and append its jobs. Returns the
 * number of jobs appended (probes still to run).
 */
static size_t
expand_target(const struct config *cfg, size_t t, struct target_result *tr,
    struct job **jobs, size_t *njobs, size_t *capjobs)
{
	struct port_spec one;
	const struct port_spec *ports = cfg->ports;
	struct resolved addrs;
	struct probe_result *p;
	struct target tg;
	struct job *j;
	size_t nports = cfg->nports, i, a, added = 0;
	char err[512];
	int resolved;

	/* cli_parse() checked every target already. */
	if (target_parse(cfg->targets[t], &tg, err, sizeof(err)) == -1)
		abort();
	tr->host = xstrdup(cfg->targets[t]);
	if (cfg->sni != NULL)
		tr->sni = xstrdup(cfg->sni);
	else if (!tg.is_ip)
		tr->sni = xstrdup(tg.host);
	if (tg.port != 0) {
		one.port = tg.port;
		one.mode = tg.mode;
		ports = &one;
		nports = 1;
	}
	resolved = resolve_host(tg.host, &addrs, err, sizeof(err)) == 0;
	tr->nprobes = nports * (resolved ? addrs.n : 1);
	tr->probes = xcalloc(tr->nprobes, sizeof(*tr->probes));
	for (i = 0; i < nports; i++) {
		if (!resolved) {
			p = &tr->probes[i];
			result_probe_init(p, ports[i].port, ports[i].mode);
			result_fail(
			    &p->error, PHASE_RESOLVE, KIND_DNS, "%s", err);
			continue;
		}
		for (a = 0; a < addrs.n; a++) {
			p = &tr->probes[i * addrs.n + a];
			result_probe_init(p, ports[i].port, ports[i].mode);
			p->transcript.enabled = cfg->transcript;
			resolve_addr_text((struct sockaddr *)&addrs.addr[a],
			    p->address, sizeof(p->address));
			if (*njobs == *capjobs) {
				*capjobs = *capjobs ? *capjobs * 2 : 16;
				*jobs = xreallocarray(
				    *jobs, *capjobs, sizeof(**jobs));
			}
			j = &(*jobs)[(*njobs)++];
			memset(j, 0, sizeof(*j));
			j->res = p;
			j->addr = addrs.addr[a];
			j->addrlen = addrs.len[a];
			resolve_set_port(&j->addr, ports[i].port);
			j->sni = tr->sni;
			j->target = t;
			added++;
		}
	}
	return added;
}

/* job_done - diagnose a finished probe; emit its target when complete */
static void
job_done(struct job *j, void *arg)
{
	struct run_state *st = arg;

	diagnose(j->res, &st->dp);
	if (--st->pending[j->target] == 0)
		target_done(st, j->target);
}

/* target_done - stream a finished target in ndjson mode */
static void
target_done(struct run_state *st, size_t t)
{
	struct report_opts o = {st->cfg->transcript, false};

	if (st->ndjson != NULL &&
	    report_ndjson_target(st->ndjson, &st->run->targets[t], &o) == -1)
		st->write_failed = 1;
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
