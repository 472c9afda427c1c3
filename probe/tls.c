/*
 * tls.c - GnuTLS client sessions, non-blocking, on the job's own socket.
 *
 * GnuTLS reads and writes through our transport functions so that the
 * first bytes the server sends are kept: a server that answers a
 * ClientHello with "220 ..." speaks plaintext SMTP, and the session uses
 * that to name the real mode instead of reporting a bare TLS error.
 *
 * The priority string keeps TLS 1.0 and 1.1 (and SHA-1 signatures)
 * enabled on purpose: a probe must complete the handshake with a legacy
 * server to report it (finding tls-legacy-version), not refuse it. It
 * offers X25519 first: the TLS 1.3 key share is then X25519, several
 * times cheaper than the P-256 that GnuTLS's NORMAL puts first.
 */
#include "tls.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "sock.h"

#define TLS_PRIORITY                                                           \
	"NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+SIGN-RSA-SHA1:"                     \
	"+SIGN-ECDSA-SHA1:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"          \
	"+GROUP-SECP384R1:+GROUP-SECP521R1:+GROUP-X448:+GROUP-FFDHE2048:"      \
	"+GROUP-FFDHE3072:+GROUP-FFDHE4096:+GROUP-FFDHE6144:"                  \
	"+GROUP-FFDHE8192:%COMPAT"

static ssize_t pull(gnutls_transport_ptr_t, void *, size_t);
static ssize_t push(gnutls_transport_ptr_t, const void *, size_t);
static void fill_params(struct tls_conn *, struct tls_result *);
static void copy_name(char *, size_t, const char *);
static void client_cred_problem(
    const char *, const char *, int, char *, size_t);

/* tls_ctx_init - credentials and priorities shared by a run */
int
tls_ctx_init(struct tls_ctx *ctx, const char *client_cert,
    const char *client_key, char *err, size_t errlen)
{
	const char *where;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	if ((ret = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
		snprintf(
		    err, errlen, "cannot set up TLS: %s", gnutls_strerror(ret));
		return -1;
	}
	if (client_cert != NULL &&
	    (ret = gnutls_certificate_set_x509_key_file(ctx->cred, client_cert,
		 client_key, GNUTLS_X509_FMT_PEM)) < 0) {
		client_cred_problem(client_cert, client_key, ret, err, errlen);
		tls_ctx_free(ctx);
		return -1;
	}
	if ((ret = gnutls_priority_init2(&ctx->prio, TLS_PRIORITY, &where,
		 GNUTLS_PRIORITY_INIT_DEF_APPEND)) < 0 &&
	    (ret = gnutls_priority_init(&ctx->prio, "NORMAL", &where)) < 0) {
		snprintf(err, errlen, "cannot set TLS priorities at \"%s\": %s",
		    where, gnutls_strerror(ret));
		tls_ctx_free(ctx);
		return -1;
	}
	return 0;
}

/* tls_ctx_free - release what tls_ctx_init made */
void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx->prio != NULL)
		gnutls_priority_deinit(ctx->prio);
	if (ctx->cred != NULL)
		gnutls_certificate_free_credentials(ctx->cred);
	memset(ctx, 0, sizeof(*ctx));
}

/* tls_conn_start - a client session on fd */
int
tls_conn_start(struct tls_conn *c, const struct tls_ctx *ctx,
    gnutls_priority_t prio, int fd, const char *sni, struct tls_result *out)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	out->attempted = true;
	/* One TLS 1.3 key share, X25519, as OpenSSL's clients send: GnuTLS
	 * would also compute a P-256 share that X25519 servers never use (a
	 * tenth of a probe's CPU). A server without X25519 answers with a
	 * HelloRetryRequest, as it must for OpenSSL's clients. */
	if ((ret = gnutls_init(&c->session,
		 GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_KEY_SHARE_TOP)) < 0)
		goto fail;
	if ((ret = gnutls_priority_set(c->session, prio)) < 0 ||
	    (ret = gnutls_credentials_set(
		 c->session, GNUTLS_CRD_CERTIFICATE, ctx->cred)) < 0)
		goto fail;
	if (sni != NULL &&
	    (ret = gnutls_server_name_set(
		 c->session, GNUTLS_NAME_DNS, sni, strlen(sni))) < 0)
		goto fail;
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_pull_function(c->session, pull);
	gnutls_transport_set_push_function(c->session, push);
	return 0;
fail:
	copy_name(out->error, sizeof(out->error), gnutls_strerror(ret));
	tls_conn_free(c);
	return -1;
}

/* tls_handshake_step - one non-blocking step of the handshake */
enum tls_status
tls_handshake_step(struct tls_conn *c, struct tls_result *out)
{
	int ret;

	for (;;) {
		ret = gnutls_handshake(c->session);
		if (ret == GNUTLS_E_SUCCESS) {
			out->established = true;
			out->client_cert_requested =
			    gnutls_certificate_client_get_request_status(
				c->session) != 0;
			fill_params(c, out);
			return TLS_DONE;
		}
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
			return gnutls_record_get_direction(c->session)
			    ? TLS_WANT_WRITE
			    : TLS_WANT_READ;
		if (!gnutls_error_is_fatal(ret))
			continue; /* a warning alert: keep going */
		break;
	}
	if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
		copy_name(out->alert, sizeof(out->alert),
		    gnutls_alert_get_name(gnutls_alert_get(c->session)));
	copy_name(out->error, sizeof(out->error), gnutls_strerror(ret));
	/* A server that requires a certificate fails the handshake after
	 * asking for it: the request is the explanation. */
	out->client_cert_requested =
	    gnutls_certificate_client_get_request_status(c->session) != 0;
	return TLS_FAILED;
}

/* tls_read - decrypted bytes, 0 on close, TLS_IO_AGAIN or TLS_IO_ERROR */
ssize_t
tls_read(struct tls_conn *c, void *buf, size_t len, char *err, size_t errlen)
{
	ssize_t n;

	for (;;) {
		n = gnutls_record_recv(c->session, buf, len);
		if (n >= 0)
			return n;
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return TLS_IO_AGAIN;
		/* A server closing without close_notify is common after QUIT,
		 * and means the same as a TCP close. */
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (!gnutls_error_is_fatal((int)n))
			continue;
		snprintf(err, errlen, "%s", gnutls_strerror((int)n));
		return TLS_IO_ERROR;
	}
}

/* tls_write - encrypt and send; may send less than len */
ssize_t
tls_write(
    struct tls_conn *c, const void *buf, size_t len, char *err, size_t errlen)
{
	ssize_t n;

	n = gnutls_record_send(c->session, buf, len);
	if (n >= 0)
		return n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return TLS_IO_AGAIN;
	snprintf(err, errlen, "%s", gnutls_strerror((int)n));
	return TLS_IO_ERROR;
}

/* tls_pending - decrypted data waiting to be read */
bool
tls_pending(const struct tls_conn *c)
{
	return gnutls_record_check_pending(c->session) > 0;
}

/* tls_wants_write - direction of the last interrupted operation */
bool
tls_wants_write(const struct tls_conn *c)
{
	return gnutls_record_get_direction(c->session) == 1;
}

/* tls_peer_chain - the server's certificates, leaf first, as sent */
const gnutls_datum_t *
tls_peer_chain(struct tls_conn *c, size_t *n)
{
	const gnutls_datum_t *chain;
	unsigned int count = 0;

	chain = gnutls_certificate_get_peers(c->session, &count);
	*n = chain != NULL ? count : 0;
	return chain;
}

/*
 * tls_stapled_ocsp - the OCSP response stapled for the leaf, or NULL.
 * GnuTLS 3.7.9 clients send status_request in every ClientHello unless
 * gnutls_init() gets GNUTLS_NO_STATUS_REQUEST, so nothing enables it.
 */
const gnutls_datum_t *
tls_stapled_ocsp(struct tls_conn *c, gnutls_datum_t *d)
{
	return gnutls_ocsp_status_request_get2(c->session, 0, d) == 0 ? d
								      : NULL;
}

/* tls_close_notify - one attempt; the socket is closed right after */
void
tls_close_notify(struct tls_conn *c)
{
	(void)gnutls_bye(c->session, GNUTLS_SHUT_WR);
}

/* tls_conn_free - release the session (not the socket) */
void
tls_conn_free(struct tls_conn *c)
{
	if (c->session != NULL)
		gnutls_deinit(c->session);
	c->session = NULL;
}

/* tls_library - name and version of the TLS library in use */
const char *
tls_library(void)
{
	static char name[64];

	if (name[0] == '\0')
		snprintf(name, sizeof(name), "GnuTLS %s",
		    gnutls_check_version(NULL));
	return name;
}

/* tls_smtp_answer - the first bytes are an SMTP reply code */
bool
tls_smtp_answer(const struct tls_conn *c)
{
	size_t i;

	if (c->nfirst < 3)
		return false;
	for (i = 0; i < 3; i++)
		if (c->first[i] < '0' || c->first[i] > '9')
			return false;
	return true;
}

/* pull - recv() for GnuTLS, keeping the server's first bytes */
static ssize_t
pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct tls_conn *c = ptr;
	ssize_t n;
	size_t k;

	n = sock_recv(c->fd, buf, len, 0);
	if (n < 0) {
		gnutls_transport_set_errno(c->session, errno);
		return -1;
	}
	if (n == 0)
		c->peer_closed = true;
	for (k = 0; k < (size_t)n && c->nfirst < sizeof(c->first); k++)
		c->first[c->nfirst++] = ((unsigned char *)buf)[k];
	return n;
}

/* push - send() for GnuTLS, never raising SIGPIPE */
static ssize_t
push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
	struct tls_conn *c = ptr;
	ssize_t n;

	n = send(c->fd, buf, len, MSG_NOSIGNAL);
	if (n < 0)
		gnutls_transport_set_errno(c->session, errno);
	return n;
}

/* fill_params - negotiated version, cipher suite and key-exchange group */
static void
fill_params(struct tls_conn *c, struct tls_result *out)
{
	/* GnuTLS's protocol numbers as ours; any other (DTLS) is unknown. */
	static const enum tls_version versions[] = {
	    [GNUTLS_SSL3] = TLSV_SSL3,
	    [GNUTLS_TLS1_0] = TLSV_1_0,
	    [GNUTLS_TLS1_1] = TLSV_1_1,
	    [GNUTLS_TLS1_2] = TLSV_1_2,
	    [GNUTLS_TLS1_3] = TLSV_1_3,
	};
	gnutls_protocol_t v = gnutls_protocol_get_version(c->session);
	gnutls_group_t group;

	out->version = (size_t)v < sizeof(versions) / sizeof(versions[0])
	    ? versions[v]
	    : TLSV_UNKNOWN;
	copy_name(out->cipher, sizeof(out->cipher),
	    gnutls_ciphersuite_get(c->session));
	group = gnutls_group_get(c->session);
	copy_name(out->group, sizeof(out->group),
	    group != 0 ? gnutls_group_get_name(group) : NULL);
}

/* copy_name - bounded copy; NULL becomes "" (null in the report) */
static void
copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/*
 * client_cred_problem - which of --client-cert and --client-key is wrong,
 * and how, as a sentence naming the option and the file
 */
static void
client_cred_problem(
    const char *cert, const char *key, int ret, char *err, size_t errlen)
{
	const char *why;

	if ((why = cert_file_problem(cert, false)) != NULL)
		snprintf(err, errlen, "--client-cert %s: %s", cert, why);
	else if ((why = cert_file_problem(key, true)) != NULL)
		snprintf(err, errlen, "--client-key %s: %s", key, why);
	else if (ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
		snprintf(err, errlen,
		    "--client-key %s does not match --client-cert %s: they "
		    "are not one key pair",
		    key, cert);
	else
		snprintf(err, errlen, "--client-cert %s / --client-key %s: %s",
		    cert, key, gnutls_strerror(ret));
}
