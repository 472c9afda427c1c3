/*
 * test_transport.c - probe/transport.c: the plain and the TLS transport.
 *
 * Both run over a socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK). For
 * TLS the other end is a GnuTLS server session in this same process, with
 * a throwaway ECDSA key and self-signed certificate made at start-up (no
 * key is ever committed); the two handshakes are stepped in turn, without
 * blocking, in a loop bounded by count. A "server" that answers the
 * ClientHello with a plaintext "220" shows tls_smtp_answer().
 */
#include "transport.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "result.h"
#include "tls.h"
#include "xalloc.h"

#include "tap.h"

/* Handshake and read loops give up after this many rounds. */
#define ROUNDS_MAX 200
/* More than a socketpair buffers, so a sender must meet XPORT_AGAIN. */
#define BULK (1024 * 1024)

/* The server side of a TLS pair: its credentials and its session. */
struct server {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t der; /* the certificate as sent; gnutls_free */
};

/* A client (code under test) and a server session on one socketpair. */
struct tls_pair {
	int fd[2]; /* [0] client, [1] server */
	struct tls_conn c;
	struct tls_result res;
	gnutls_session_t s;
	struct transport t;
};

static struct tls_ctx ctx;
static struct server srv;

static void make_pair(int fd[2]);
static void plain_cases(void);
static void plain_full_cases(void);
static int server_init(struct server *);
static void server_free(struct server *);
static int pair_start(struct tls_pair *);
static bool pair_handshake(struct tls_pair *, enum tls_status *);
static void pair_free(struct tls_pair *);
static ssize_t server_recv(gnutls_session_t, char *, size_t);
static ssize_t xport_recv_some(struct transport *, char *, size_t);
static void tls_cases(void);
static void tls_pending_cases(void);
static size_t server_drain(gnutls_session_t, unsigned char *, size_t);
static void tls_backpressure_cases(void);
static void tls_close_cases(void);
static void tls_garbage_cases(void);
static void tls_plaintext_answer_cases(void);

/* make_pair - a non-blocking socketpair, or abort */
static void
make_pair(int fd[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == -1) {
		perror("socketpair");
		abort();
	}
}

/* plain_cases - round trips, AGAIN, close, EPIPE, pending */
static void
plain_cases(void)
{
	struct transport a, b;
	char buf[64], err[256];
	ssize_t n;
	int fd[2];

	make_pair(fd);
	transport_plain(&a, fd[0]);
	transport_plain(&b, fd[1]);
	is_str(a.ops->name, "plain", "plain: ops name");
	is_int(a.fd, fd[0], "plain: fd kept");
	ok(a.tls == NULL, "plain: no TLS session");

	n = a.ops->send(&a, "EHLO x\r\n", 8, err, sizeof(err));
	is_int(n, 8, "plain: send a -> b count");
	n = b.ops->recv(&b, buf, sizeof(buf), err, sizeof(err));
	is_mem(buf, n > 0 ? (size_t)n : 0, "EHLO x\r\n", "plain: b receives");
	n = b.ops->send(&b, "250 ok\r\n", 8, err, sizeof(err));
	is_int(n, 8, "plain: send b -> a count");
	/* A short buffer takes part; the rest waits in the kernel. */
	n = a.ops->recv(&a, buf, 3, err, sizeof(err));
	is_mem(buf, n > 0 ? (size_t)n : 0, "250", "plain: partial recv");
	ok(!a.ops->pending(&a), "plain: pending false with bytes unread");
	n = a.ops->recv(&a, buf, sizeof(buf), err, sizeof(err));
	is_mem(buf, n > 0 ? (size_t)n : 0, " ok\r\n", "plain: rest of it");

	n = a.ops->recv(&a, buf, sizeof(buf), err, sizeof(err));
	is_int(n, XPORT_AGAIN, "plain: empty socket gives XPORT_AGAIN");
	ok(!a.ops->pending(&a), "plain: pending false when empty");
	a.ops->shutdown(&a);
	n = b.ops->recv(&b, buf, sizeof(buf), err, sizeof(err));
	is_int(n, XPORT_AGAIN, "plain: shutdown sends nothing, keeps open");

	close(fd[1]);
	n = a.ops->recv(&a, buf, sizeof(buf), err, sizeof(err));
	is_int(n, 0, "plain: recv 0 once the peer closed");
	err[0] = '\0';
	errno = 0;
	n = a.ops->send(&a, "QUIT\r\n", 6, err, sizeof(err));
	is_int(n, XPORT_ERROR, "plain: send to a closed peer fails");
	is_int(errno, EPIPE, "plain: errno kept (EPIPE)");
	is_str(err, strerror(EPIPE), "plain: the error is a sentence");
	close(fd[0]);
}

/* plain_full_cases - a full socket: XPORT_AGAIN, and nothing lost */
static void
plain_full_cases(void)
{
	static unsigned char chunk[4096];
	struct transport a, b;
	char err[256];
	size_t sent = 0, got = 0;
	ssize_t n = 0;
	int i, fd[2];

	make_pair(fd);
	transport_plain(&a, fd[0]);
	transport_plain(&b, fd[1]);
	for (i = 0; i < BULK / (int)sizeof(chunk); i++) {
		n = a.ops->send(&a, chunk, sizeof(chunk), err, sizeof(err));
		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	is_int(n, XPORT_AGAIN, "plain full: send gives XPORT_AGAIN");
	for (i = 0; i < BULK / (int)sizeof(chunk); i++) {
		n = b.ops->recv(&b, chunk, sizeof(chunk), err, sizeof(err));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	is_int(n, XPORT_AGAIN, "plain full: drained");
	is_int((long long)got, (long long)sent,
	    "plain full: what was accepted arrives");
	close(fd[0]);
	close(fd[1]);
}

/*
 * server_init - a throwaway P-256 key and a self-signed certificate for
 * mail.unit.test, valid an hour either side of now. Returns 0 or -1.
 */
static int
server_init(struct server *s)
{
	time_t now = time(NULL);
	static const unsigned char serial[] = {0x01, 0x23};
	const char *cn = "mail.unit.test";

	memset(s, 0, sizeof(*s));
	if (gnutls_x509_privkey_init(&s->key) < 0 ||
	    gnutls_x509_privkey_generate(s->key, GNUTLS_PK_ECDSA,
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_crt_init(&s->crt) < 0 ||
	    gnutls_x509_crt_set_version(s->crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(s->crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(s->crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(s->crt, now + 3600) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(s->crt, GNUTLS_OID_X520_COMMON_NAME,
		0, cn, (unsigned int)strlen(cn)) < 0 ||
	    gnutls_x509_crt_set_key(s->crt, s->key) < 0 ||
	    gnutls_x509_crt_sign2(
		s->crt, s->crt, s->key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export2(s->crt, GNUTLS_X509_FMT_DER, &s->der) < 0 ||
	    gnutls_certificate_allocate_credentials(&s->cred) < 0 ||
	    gnutls_certificate_set_x509_key(s->cred, &s->crt, 1, s->key) < 0)
		return -1;
	return 0;
}

static void
server_free(struct server *s)
{
	if (s->cred != NULL)
		gnutls_certificate_free_credentials(s->cred);
	if (s->crt != NULL)
		gnutls_x509_crt_deinit(s->crt);
	if (s->key != NULL)
		gnutls_x509_privkey_deinit(s->key);
	gnutls_free(s->der.data);
}

/* pair_start - a socketpair, the client under test and a server session */
static int
pair_start(struct tls_pair *p)
{
	memset(p, 0, sizeof(*p));
	make_pair(p->fd);
	if (tls_conn_start(&p->c, &ctx, ctx.prio, p->fd[0], "mail.unit.test",
		&p->res) == -1)
		return -1;
	if (gnutls_init(&p->s, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0 ||
	    gnutls_set_default_priority(p->s) < 0 ||
	    gnutls_credentials_set(p->s, GNUTLS_CRD_CERTIFICATE, srv.cred) < 0)
		return -1;
	gnutls_transport_set_int(p->s, p->fd[1]);
	return 0;
}

/*
 * pair_handshake - step both handshakes in turn, at most ROUNDS_MAX
 * rounds; true when both finished. *last is the client's last status.
 */
static bool
pair_handshake(struct tls_pair *p, enum tls_status *last)
{
	bool cdone = false, sdone = false;
	int i, ret;

	*last = TLS_FAILED;
	for (i = 0; i < ROUNDS_MAX && !(cdone && sdone); i++) {
		if (!cdone) {
			*last = tls_handshake_step(&p->c, &p->res);
			if (*last == TLS_FAILED)
				return false;
			cdone = *last == TLS_DONE;
		}
		if (!sdone) {
			ret = gnutls_handshake(p->s);
			if (ret < 0 && gnutls_error_is_fatal(ret))
				return false;
			sdone = ret == GNUTLS_E_SUCCESS;
		}
	}
	if (cdone && sdone)
		transport_tls(&p->t, &p->c);
	return cdone && sdone;
}

static void
pair_free(struct tls_pair *p)
{
	if (p->s != NULL)
		gnutls_deinit(p->s);
	tls_conn_free(&p->c);
	if (p->fd[0] >= 0)
		close(p->fd[0]);
	if (p->fd[1] >= 0)
		close(p->fd[1]);
}

/*
 * server_recv - one record's application data on the server side, retried
 * while it would block (ROUNDS_MAX times): a count, or a GnuTLS error.
 */
static ssize_t
server_recv(gnutls_session_t s, char *buf, size_t len)
{
	ssize_t n = GNUTLS_E_AGAIN;
	int i;

	for (i = 0; i < ROUNDS_MAX && n == GNUTLS_E_AGAIN; i++)
		n = gnutls_record_recv(s, buf, len);
	return n;
}

/*
 * xport_recv_some - t->ops->recv, retried while it gives XPORT_AGAIN (a
 * TLS 1.3 session ticket is a record without data), ROUNDS_MAX times.
 */
static ssize_t
xport_recv_some(struct transport *t, char *buf, size_t len)
{
	char err[256];
	ssize_t n = XPORT_AGAIN;
	int i;

	for (i = 0; i < ROUNDS_MAX && n == XPORT_AGAIN; i++)
		n = t->ops->recv(t, buf, len, err, sizeof(err));
	return n;
}

/* tls_cases - handshake, negotiated values, data both ways */
static void
tls_cases(void)
{
	struct tls_pair p;
	enum tls_status st;
	const gnutls_datum_t *chain;
	char buf[64], err[256];
	size_t nchain = 0;
	ssize_t n;

	if (!ok(pair_start(&p) == 0, "tls: client and server sessions start")) {
		pair_free(&p);
		return;
	}
	ok(p.res.attempted, "tls: attempted set by tls_conn_start");
	ok(!tls_smtp_answer(&p.c), "tls: no first bytes, no SMTP answer");
	if (!ok(pair_handshake(&p, &st), "tls: both handshakes finish")) {
		printf("#   client %s\n", p.res.error);
		pair_free(&p);
		return;
	}
	ok(p.res.established, "tls: established");
	is_str(tls_version_names[p.res.version], "TLS1.3", "tls: version");
	is_str(p.res.group, "X25519", "tls: X25519 offered first and chosen");
	ok(p.res.cipher[0] != '\0', "tls: cipher named");
	ok(!tls_smtp_answer(&p.c), "tls: a ServerHello is no SMTP answer");
	chain = tls_peer_chain(&p.c, &nchain);
	is_int((long long)nchain, 1, "tls: one certificate sent");
	ok(chain != NULL && nchain == 1 && chain[0].size == srv.der.size &&
		memcmp(chain[0].data, srv.der.data, srv.der.size) == 0,
	    "tls: the chain is the server's certificate");

	is_str(p.t.ops->name, "tls", "tls: ops name");
	is_int(p.t.fd, p.fd[0], "tls: fd of the session");
	ok(p.t.tls == &p.c, "tls: the session is the client's");

	n = p.t.ops->send(&p.t, "EHLO x\r\n", 8, err, sizeof(err));
	is_int(n, 8, "tls: client send count");
	n = server_recv(p.s, buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "EHLO x\r\n",
	    "tls: server decrypts the client's data");
	n = gnutls_record_send(p.s, "250 ok\r\n", 8);
	is_int(n, 8, "tls: server send count");
	n = xport_recv_some(&p.t, buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "250 ok\r\n",
	    "tls: client decrypts the server's data");
	ok(!p.t.ops->pending(&p.t), "tls: nothing pending after all read");
	n = p.t.ops->recv(&p.t, buf, sizeof(buf), err, sizeof(err));
	is_int(n, XPORT_AGAIN, "tls: nothing more gives XPORT_AGAIN");
	pair_free(&p);
}

/* tls_pending_cases - two records, the first read in part */
static void
tls_pending_cases(void)
{
	struct tls_pair p;
	enum tls_status st;
	char buf[64];
	ssize_t n;

	if (pair_start(&p) == -1 || !pair_handshake(&p, &st)) {
		ok(0, "pending: handshake");
		pair_free(&p);
		return;
	}
	is_int(gnutls_record_send(p.s, "250-first\r\n", 11), 11,
	    "pending: first record sent");
	is_int(gnutls_record_send(p.s, "250 second\r\n", 12), 12,
	    "pending: second record sent");
	ok(!p.t.ops->pending(&p.t), "pending: false before any read");
	n = xport_recv_some(&p.t, buf, 4);
	is_mem(buf, n > 0 ? (size_t)n : 0, "250-", "pending: part of record 1");
	ok(p.t.ops->pending(&p.t), "pending: true, record 1 is not all read");
	n = xport_recv_some(&p.t, buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "first\r\n",
	    "pending: the rest of record 1, alone");
	ok(!p.t.ops->pending(&p.t), "pending: false, record 2 not decrypted");
	n = xport_recv_some(&p.t, buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "250 second\r\n",
	    "pending: record 2 whole");
	ok(!p.t.ops->pending(&p.t), "pending: false at the end");
	pair_free(&p);
}

/*
 * server_drain - every record the server can read now, appended to
 * buf[0..cap); returns the count read.
 */
static size_t
server_drain(gnutls_session_t s, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (
	    got < cap && (n = gnutls_record_recv(s, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

/*
 * tls_backpressure_cases - a megabyte through a full socket: send gives
 * short counts and XPORT_AGAIN, and a retry with the same remaining bytes
 * (GnuTLS's rule, and what session.c's flush does) delivers each byte
 * once, in order.
 */
static void
tls_backpressure_cases(void)
{
	unsigned char *out = xmalloc(BULK), *in = xmalloc(BULK);
	struct tls_pair p;
	enum tls_status st;
	char err[256];
	size_t off = 0, got = 0, i;
	int again = 0, rounds;
	ssize_t n;

	for (i = 0; i < BULK; i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	if (pair_start(&p) == -1 || !pair_handshake(&p, &st)) {
		ok(0, "bulk: handshake");
		goto done;
	}
	for (rounds = 0; rounds < 100000 && (off < BULK || got < BULK);
	     rounds++) {
		if (off < BULK) {
			n = p.t.ops->send(
			    &p.t, out + off, BULK - off, err, sizeof(err));
			if (n == XPORT_ERROR)
				break;
			if (n > 0) {
				off += (size_t)n;
				continue;
			}
			again += n == XPORT_AGAIN;
		}
		got += server_drain(p.s, in + got, BULK - got);
	}
	is_int((long long)off, BULK, "bulk: every byte accepted");
	ok(again > 0, lbl("bulk: XPORT_AGAIN met (%d times)", again));
	is_int((long long)got, BULK, "bulk: every byte received");
	ok(got == BULK && memcmp(in, out, BULK) == 0,
	    "bulk: once each, in order");
done:
	pair_free(&p);
	free(out);
	free(in);
}

/* tls_close_cases - close_notify from us; the server closing on us */
static void
tls_close_cases(void)
{
	struct tls_pair p;
	enum tls_status st;
	char buf[64], err[256];
	ssize_t n;

	if (pair_start(&p) == -1 || !pair_handshake(&p, &st)) {
		ok(0, "close: handshake");
		pair_free(&p);
		return;
	}
	p.t.ops->shutdown(&p.t);
	n = server_recv(p.s, buf, sizeof(buf));
	is_int(n, 0, "close: server sees close_notify as end of data");

	/* A TCP close without close_notify reads as 0, like recv(). */
	close(p.fd[1]);
	p.fd[1] = -1;
	n = xport_recv_some(&p.t, buf, sizeof(buf));
	is_int(n, 0, "close: peer gone without close_notify gives 0");
	ok(p.c.peer_closed, "close: peer_closed set");
	err[0] = '\0';
	n = p.t.ops->send(&p.t, "QUIT\r\n", 6, err, sizeof(err));
	is_int(n, XPORT_ERROR, "close: send after the peer left fails");
	ok(err[0] != '\0', "close: with a sentence");
	pair_free(&p);

	if (pair_start(&p) == -1 || !pair_handshake(&p, &st)) {
		ok(0, "close_notify: handshake");
		pair_free(&p);
		return;
	}
	is_int(gnutls_bye(p.s, GNUTLS_SHUT_WR), 0, "close_notify: sent");
	n = xport_recv_some(&p.t, buf, sizeof(buf));
	is_int(n, 0, "close_notify: the server's gives 0");
	ok(!p.c.peer_closed, "close_notify: the TCP stream is still open");
	pair_free(&p);
}

/* tls_garbage_cases - bytes that are not a record after the handshake */
static void
tls_garbage_cases(void)
{
	static const char junk[] = "\x17\x03\x03\x00\x10not a tls record";
	struct tls_pair p;
	enum tls_status st;
	char buf[64];
	char err[256] = "";
	ssize_t n = XPORT_AGAIN;
	int i;

	if (pair_start(&p) == -1 || !pair_handshake(&p, &st)) {
		ok(0, "garbage: handshake");
		pair_free(&p);
		return;
	}
	is_int(write(p.fd[1], junk, sizeof(junk) - 1), sizeof(junk) - 1,
	    "garbage: written raw");
	for (i = 0; i < ROUNDS_MAX && n == XPORT_AGAIN; i++)
		n = p.t.ops->recv(&p.t, buf, sizeof(buf), err, sizeof(err));
	is_int(n, XPORT_ERROR, "garbage: recv gives XPORT_ERROR");
	ok(err[0] != '\0', "garbage: with a sentence");
	pair_free(&p);
}

/*
 * tls_plaintext_answer_cases - the "server" sends "220 hello" where a
 * ServerHello belongs: the handshake fails and the bytes are kept.
 */
static void
tls_plaintext_answer_cases(void)
{
	static const char hello[] = "220 hello\r\n";
	struct tls_pair p;
	enum tls_status st = TLS_WANT_READ;
	size_t want;
	int i;

	if (!ok(pair_start(&p) == 0, "220: client starts")) {
		pair_free(&p);
		return;
	}
	st = tls_handshake_step(&p.c, &p.res);
	is_int(st, TLS_WANT_READ, "220: ClientHello sent, waiting");
	ok(!tls_smtp_answer(&p.c), "220: nothing received yet");
	is_int(write(p.fd[1], hello, sizeof(hello) - 1), sizeof(hello) - 1,
	    "220: plaintext written");
	for (i = 0;
	     i < ROUNDS_MAX && (st == TLS_WANT_READ || st == TLS_WANT_WRITE);
	     i++)
		st = tls_handshake_step(&p.c, &p.res);
	is_int(st, TLS_FAILED, "220: the handshake fails");
	ok(!p.res.established, "220: not established");
	ok(p.res.error[0] != '\0', "220: the failure has a sentence");
	ok(tls_smtp_answer(&p.c), "220: tls_smtp_answer true");
	want = p.c.nfirst < sizeof(hello) - 1 ? p.c.nfirst : sizeof(hello) - 1;
	ok(p.c.nfirst >= 3 && memcmp(p.c.first, hello, want) == 0,
	    lbl("220: the first %zu bytes are kept as sent", p.c.nfirst));
	pair_free(&p);
}

/* main - plain cases, then TLS against an in-process server */
int
main(void)
{
	char err[256];

	plain_cases();
	plain_full_cases();
	if (tls_ctx_init(&ctx, NULL, NULL, err, sizeof(err)) == -1) {
		ok(0, lbl("tls_ctx_init: %s", err));
		return done_testing();
	}
	if (!ok(server_init(&srv) == 0, "server key and certificate made")) {
		tls_ctx_free(&ctx);
		server_free(&srv);
		return done_testing();
	}
	tls_cases();
	tls_pending_cases();
	tls_backpressure_cases();
	tls_close_cases();
	tls_garbage_cases();
	tls_plaintext_answer_cases();
	server_free(&srv);
	tls_ctx_free(&ctx);
	return done_testing();
}
