/*
 * run.h - one run: targets pulled as there is room, expanded into probes,
 * run in the loop, judged, and handed to the sink as each target ends.
 */
#ifndef SMTP_PROBE_RUN_H
#define SMTP_PROBE_RUN_H

#include <gnutls/x509.h>

#include "cli.h"
#include "cred.h"
#include "policy.h"
#include "report.h"
#include "target.h"
#include "tls.h"
#include "versions.h"

/*
 * What every probe of a run shares: trust anchors, TLS credentials, and
 * the login's credentials (cred.user NULL without --auth-user).
 */
struct run_ctx {
	struct tls_ctx tls;
	gnutls_x509_trust_list_t trust;
	struct cred cred;
	struct versions_ctx versions; /* --tls-versions' priorities */
};

/*
 * run_setup - load the trust anchors, the client certificate and the
 * password of --auth-user (cred.h). Returns 0,
 * or EXIT_USAGE with the message printed; called before any output is
 * opened, so a bad configuration destroys nothing.
 */
int run_setup(const struct config *cfg, struct run_ctx *ctx)
    __attribute__((warn_unused_result));
void run_ctx_free(struct run_ctx *ctx);

/*
 * run_probe - probe every target src yields, at most cfg->jobs probes at a
 * time, and write each target to sink as soon as all its probes are
 * judged; then free it. sum gets the counts and the worst severity. A
 * signal number written to stop_fd (by a signal handler) ends the run
 * early: sum->signal says which, and only finished targets are written.
 * Returns 0, or EXIT_TOOL_FAILURE when src could not be read (said on
 * stderr; what finished is reported all the same).
 */
int run_probe(const struct config *cfg, const struct run_ctx *ctx,
    struct target_src *src, int stop_fd, struct sink *sink,
    struct run_summary *sum) __attribute__((warn_unused_result));

#endif
