/*
 * run.h - one run: targets into jobs, the loop, diagnosis.
 */
#ifndef SMTP_PROBE_RUN_H
#define SMTP_PROBE_RUN_H

#include <stdio.h>

#include "cli.h"
#include <gnutls/x509.h>

#include "result.h"
#include "tls.h"

/* What every probe of a run shares: trust anchors, TLS credentials. */
struct run_ctx {
	struct tls_ctx tls;
	gnutls_x509_trust_list_t trust;
};

/*
 * run_setup - load the trust anchors and the client certificate. Returns 0,
 * or EXIT_USAGE with the message printed; called before any output is
 * opened, so a bad configuration destroys nothing.
 */
int run_setup(const struct config *cfg, struct run_ctx *ctx)
    __attribute__((warn_unused_result));
void run_ctx_free(struct run_ctx *ctx);

/*
 * run_probe - probe every target of cfg into run (the caller releases it
 * with run_free). With --format ndjson each target is written to out as
 * it completes. Returns 0, or EXIT_TOOL_FAILURE when out cannot be
 * written.
 */
int run_probe(const struct config *cfg, const struct run_ctx *ctx, FILE *out,
    struct run_result *run) __attribute__((warn_unused_result));

void run_free(struct run_result *);

#endif
