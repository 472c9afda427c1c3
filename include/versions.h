/*
 * versions.h - --tls-versions: which TLS versions a server accepts.
 *
 * After a probe's own attempts reached a TLS handshake, the job (job.c)
 * makes one more connection per version, TLS 1.0, 1.1, 1.2 and 1.3, each
 * offering that version alone, in the mode the probe really spoke; the
 * plan (plan_sweep) decides whether. This module owns the priority
 * strings, their compiled forms for a run, and how one connection's
 * outcome becomes the version's verdict and an entry of "attempts".
 * No I/O.
 */
#ifndef SMTP_PROBE_VERSIONS_H
#define SMTP_PROBE_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "result.h"

/* The compiled priorities of a run; owned by the run. */
struct versions_ctx {
	/* NULL: the version cannot be offered here, why[i] says why */
	gnutls_priority_t prio[SWEEP_VERSIONS];
	char why[SWEEP_VERSIONS][ERR_MSG_MAX];
};

/* versions_version - the TLS version swept at index i (TLS 1.0 first) */
enum tls_version versions_version(size_t i);

/*
 * versions_priority - the GnuTLS priority string that offers the version
 * of index i and no other (static)
 */
const char *versions_priority(size_t i);

/*
 * versions_ctx_init - compile every version's priorities. A version the
 * system's GnuTLS configuration removes gets prio NULL and a sentence in
 * why; that is not an error. Returns 0, or -1 with a sentence in err
 * when a priority string does not compile at all.
 */
int versions_ctx_init(struct versions_ctx *, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void versions_ctx_free(struct versions_ctx *);

/*
 * versions_record - the verdict on version i from att, the result of the
 * connection that offered it alone (NULL: it was not tried, why says
 * why), into out->versions (allocated on first use); and, when it was
 * tried, one entry of out->attempts with its mode, error and own timings
 * (started_ms: when it began, from the probe's start).
 */
void versions_record(struct probe_result *out, size_t i,
    const struct probe_result *att, enum mode mode, int64_t started_ms,
    const char *why);

#endif
