/*
 * tls.h - a non-blocking GnuTLS client session on a job's socket.
 *
 * The handshake never verifies the peer: a probe must see expired,
 * self-signed and wrong-name certificates, so verification is cert_*.c's job
 * afterwards, on the chain as sent.
 */
#ifndef SMTP_PROBE_TLS_H
#define SMTP_PROBE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "result.h"

/*
 * Shared by every session of a run: the credentials, and the priorities of
 * an ordinary attempt (an attempt may bring its own, e.g. one version).
 */
struct tls_ctx {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
};

enum tls_status { TLS_DONE, TLS_WANT_READ, TLS_WANT_WRITE, TLS_FAILED };

/* tls_read/tls_write results besides a byte count */
#define TLS_IO_AGAIN (-2)
#define TLS_IO_ERROR (-1)

struct tls_conn {
	gnutls_session_t session;
	int fd;
	unsigned char first[TLS_FIRST_BYTES]; /* server's first bytes */
	size_t nfirst;
	bool peer_closed; /* the server closed the TCP stream */
};

/*
 * tls_ctx_init - credentials (with an optional client certificate) and
 * priorities that accept legacy versions, so old servers can be described
 * rather than refused. Returns 0, or -1 with a sentence in err.
 */
int tls_ctx_init(struct tls_ctx *, const char *client_cert,
    const char *client_key, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void tls_ctx_free(struct tls_ctx *);

/*
 * tls_conn_start - a client session on fd with the run's credentials and
 * the priorities prio; sni may be NULL. Returns 0, or -1 with the reason
 * in out->error.
 */
int tls_conn_start(struct tls_conn *, const struct tls_ctx *,
    gnutls_priority_t prio, int fd, const char *sni, struct tls_result *out)
    __attribute__((warn_unused_result));

/*
 * tls_handshake_step - advance the handshake. On TLS_DONE the negotiated
 * version, cipher and group are in out; on TLS_FAILED out has the error and
 * any alert the server sent.
 */
enum tls_status tls_handshake_step(struct tls_conn *, struct tls_result *out);

/*
 * tls_read - application data: a byte count, 0 when the server closed,
 * TLS_IO_AGAIN, or TLS_IO_ERROR with a sentence in err.
 */
ssize_t tls_read(struct tls_conn *, void *, size_t, char *err, size_t errlen);
/* tls_write - as tls_read, for sending; a short count is possible */
ssize_t tls_write(
    struct tls_conn *, const void *, size_t, char *err, size_t errlen);
/* tls_pending - true when decrypted data waits inside GnuTLS */
bool tls_pending(const struct tls_conn *);
/* tls_wants_write - after TLS_IO_AGAIN: true to poll for output */
bool tls_wants_write(const struct tls_conn *);

/* tls_peer_chain - the certificates as the server sent them, leaf first */
const gnutls_datum_t *tls_peer_chain(struct tls_conn *, size_t *n);

/*
 * tls_stapled_ocsp - the OCSP response the server stapled for its leaf
 * (status_request, RFC 6066 8), in d (GnuTLS's, valid while the session
 * is), or NULL when none was
 */
const gnutls_datum_t *tls_stapled_ocsp(struct tls_conn *, gnutls_datum_t *d);

/* tls_close_notify - send close_notify once, without waiting */
void tls_close_notify(struct tls_conn *);
void tls_conn_free(struct tls_conn *);

/* tls_library - "GnuTLS 3.7.9" */
const char *tls_library(void);

/*
 * tls_smtp_answer - true when the server answered the ClientHello with
 * what looks like a plaintext SMTP reply ("220 ..."): three digits.
 */
bool tls_smtp_answer(const struct tls_conn *);

#endif
