/*
 * https.h - HTTPS GETs (libcurl's multi interface) as sources of the one
 * loop: for MTA-STS policies (RFC 8461 3.3).
 *
 * Every socket libcurl opens is a source of the reactor, and its timer one
 * more: a fetch never blocks the loop. The caller resolves the name itself
 * (through the project's c-ares channel) and hands over the addresses, so
 * libcurl resolves nothing. HTTPS only, no redirect followed, no proxy,
 * the certificate verified for the URL's host against --cafile or the
 * system's trust store, the body bounded, the whole fetch timed.
 *
 * A fetch calls its callback exactly once, from the loop, never from
 * inside https_get; https_cancel ends one without calling it.
 */
#ifndef SMTP_PROBE_HTTPS_H
#define SMTP_PROBE_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "dns.h"
#include "loop.h"

struct https;     /* opaque: the multi handle and its sources */
struct https_get; /* opaque: one fetch */

/* What a fetch got. error is "" when an HTTP reply came in whole. */
struct https_reply {
	long code;              /* the HTTP status; 0: no reply */
	char content_type[128]; /* as sent; "" none */
	const char *body;       /* len bytes, valid during the callback */
	size_t len;
	char error[ERR_MSG_MAX]; /* the transfer failed: why */
};

typedef void https_done_fn(void *arg, const struct https_reply *);

/*
 * https_new - fetches on loop, trusting cafile (PEM; NULL: the system's
 * store). Returns NULL with a sentence in err when libcurl cannot start.
 */
struct https *https_new(struct loop *, const char *cafile, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* https_free - after every fetch has ended or been cancelled */
void https_free(struct https *);

/*
 * https_get - GET url (https://host/...) from one of addrs (port 443),
 * within timeout_ms, keeping at most max bytes of body (more is an
 * error). host must be the URL's host.
 */
struct https_get *https_get(struct https *, const char *url, const char *host,
    const struct dns_addrs *addrs, int timeout_ms, size_t max,
    https_done_fn *done, void *arg);

/* https_cancel - end a fetch whose callback has not run; NULL: nothing */
void https_cancel(struct https_get *);

#endif
