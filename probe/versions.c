/*
 * versions.c - the priority strings of --tls-versions, and each version's
 * verdict.
 *
 * Each string offers one version and nothing else, from GnuTLS's NORMAL
 * (never the system's @SYSTEM default, which a distribution may narrow),
 * widened for what old servers need: SHA-1 signatures (TLS 1.2 servers
 * that sign with nothing better) and 3DES-CBC beside NORMAL's AES-CBC
 * with HMAC-SHA1, the only suites many TLS 1.0 servers have. RC4 stays
 * out (RFC 7465 forbids it in every version). %COMPAT tolerates the
 * record-size quirks of old stacks.
 *
 * The system's GnuTLS configuration (/etc/gnutls/config, or the file
 * GNUTLS_SYSTEM_PRIORITY_FILE names) is read by GnuTLS's library
 * constructor, before main(). In its default blocklist mode an [overrides]
 * "disabled-version" removes the version from every priority string for
 * the life of the process, with no call to undo it (GnuTLS 3.7's
 * gnutls_protocol_set_enabled() works only in allowlist mode). Such a
 * version is not tried, and its error says why and what to set.
 */
#include "versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SHA1_SIGS "+SIGN-RSA-SHA1:+SIGN-ECDSA-SHA1:"

static const char *const priorities[SWEEP_VERSIONS] = {
    "NORMAL:-VERS-ALL:+VERS-TLS1.0:+3DES-CBC:" SHA1_SIGS "%COMPAT",
    "NORMAL:-VERS-ALL:+VERS-TLS1.1:+3DES-CBC:" SHA1_SIGS "%COMPAT",
    "NORMAL:-VERS-ALL:+VERS-TLS1.2:" SHA1_SIGS "%COMPAT",
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:%COMPAT",
};

static const gnutls_protocol_t protocols[SWEEP_VERSIONS] = {
    GNUTLS_TLS1_0,
    GNUTLS_TLS1_1,
    GNUTLS_TLS1_2,
    GNUTLS_TLS1_3,
};

static bool offers(gnutls_priority_t, gnutls_protocol_t);
static void verdict(
    struct version_result *, enum tls_version, const struct probe_result *);

/* versions_version - TLS 1.0, 1.1, 1.2, 1.3 */
enum tls_version
versions_version(size_t i)
{
	return (enum tls_version)(TLSV_1_0 + i);
}

/* versions_priority - one version alone */
const char *
versions_priority(size_t i)
{
	return priorities[i];
}

/* versions_ctx_init - compile the four; note those the system removes */
int
versions_ctx_init(struct versions_ctx *ctx, char *err, size_t errlen)
{
	const char *where;
	size_t i;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	for (i = 0; i < SWEEP_VERSIONS; i++) {
		/* GnuTLS sets where only for a syntax error. */
		where = priorities[i];
		ret =
		    gnutls_priority_init(&ctx->prio[i], priorities[i], &where);
		if (ret == 0 && offers(ctx->prio[i], protocols[i]))
			continue;
		if (ret != 0 && ret != GNUTLS_E_NO_PRIORITIES_WERE_SET) {
			snprintf(err, errlen,
			    "cannot set the TLS priorities of --tls-versions "
			    "at "
			    "\"%s\": %s",
			    where, gnutls_strerror(ret));
			versions_ctx_free(ctx);
			return -1;
		}
		if (ret == 0)
			gnutls_priority_deinit(ctx->prio[i]);
		ctx->prio[i] = NULL;
		snprintf(ctx->why[i], sizeof(ctx->why[i]),
		    "not tried: the system's GnuTLS configuration %s disables "
		    "%s for every program here; GNUTLS_SYSTEM_PRIORITY_FILE "
		    "naming a file without it lets this run try it",
		    gnutls_get_system_config_file(),
		    tls_version_names[versions_version(i)]);
	}
	return 0;
}

/* versions_ctx_free - release what versions_ctx_init made */
void
versions_ctx_free(struct versions_ctx *ctx)
{
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++)
		if (ctx->prio[i] != NULL)
			gnutls_priority_deinit(ctx->prio[i]);
	memset(ctx, 0, sizeof(*ctx));
}

/* versions_record - the verdict, and the connection in the attempts */
void
versions_record(struct probe_result *out, size_t i,
    const struct probe_result *att, enum mode mode, int64_t started_ms,
    const char *why)
{
	struct attempt_result *a;

	if (out->versions == NULL)
		out->versions = xcalloc(1, sizeof(*out->versions));
	if (att == NULL) {
		snprintf(out->versions->v[i].error,
		    sizeof(out->versions->v[i].error), "%s", why);
		return;
	}
	out->versions->v[i].tried = true;
	verdict(&out->versions->v[i], versions_version(i), att);
	if (out->nattempts >= ATTEMPTS_MAX)
		return;
	a = &out->attempts[out->nattempts++];
	a->mode = mode;
	a->version = versions_version(i);
	a->error = att->error;
	a->timing = att->timing;
	/* A session's total counts from the probe's start. */
	a->timing.total = att->timing.total - started_ms;
}

/* offers - the compiled priorities still hold the version */
static bool
offers(gnutls_priority_t prio, gnutls_protocol_t v)
{
	const unsigned int *list;
	int i, n;

	n = gnutls_priority_protocol_list(prio, &list);
	for (i = 0; i < n; i++)
		if (list[i] == (unsigned int)v)
			return true;
	return false;
}

/*
 * verdict - accepted when the handshake completed at v; otherwise the
 * alert the server sent, or the connection's own error
 */
static void
verdict(struct version_result *vr, enum tls_version v,
    const struct probe_result *att)
{
	const struct tls_result *t = &att->tls;

	vr->accepted = t->established && t->version == v;
	if (vr->accepted)
		vr->error[0] = '\0';
	else if (t->established)
		snprintf(vr->error, sizeof(vr->error),
		    "the server negotiated %s although only %s was offered",
		    tls_version_names[t->version], tls_version_names[v]);
	else if (t->alert[0] != '\0')
		snprintf(vr->error, sizeof(vr->error),
		    "the server refused it with the alert \"%s\"", t->alert);
	else if (att->error.set)
		snprintf(
		    vr->error, sizeof(vr->error), "%s", att->error.message);
	else
		snprintf(vr->error, sizeof(vr->error),
		    "no TLS handshake took place");
}
