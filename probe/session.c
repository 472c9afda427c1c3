/*
 * session.c - one attempt: CONNECT, BANNER, EHLO, STARTTLS, HANDSHAKE,
 * EHLO_TLS, QUIT (implicit TLS: CONNECT, HANDSHAKE, BANNER, EHLO_TLS,
 * QUIT), in one mode; with --auth-user, AUTH (and LOGIN's AUTH_USER,
 * AUTH_PASS) before QUIT, inside TLS only. Whether another attempt follows is
 * the plan's decision (plan.c); what a reply means is dialogue.c's; parsing is
 * smtp.c's, TLS tls.c's, certificates cert_*.c's. This file moves bytes.
 * set_state() is the only place the state changes: it closes the old
 * phase's timing, arms the new phase's deadline and runs the entry action.
 *
 * Rules it keeps (RFC 3207, RFC 8314, and what strict servers enforce):
 * - nothing is sent before the greeting (Postfix postscreen drops clients
 *   that talk first), and nothing is pipelined past STARTTLS but the NOOP
 *   of --check-injection, on purpose (dialogue.c counts the replies);
 * - bytes a server sends after its 220 to STARTTLS are counted and thrown
 *   away, never fed to TLS (they are a STARTTLS injection attempt);
 * - deadlines are absolute per phase and per probe, so a server dripping
 *   one byte at a time cannot stretch either;
 * - credentials are sent inside TLS only (dialogue.c decides, and the
 *   entry action checks again), never reach the transcript or the log
 *   (shown as "AUTH PLAIN ****"), and the command buffer that held them
 *   is zeroed as soon as they are sent, or when the session ends.
 *
 * Every entry point (sess_start, the loop's on_io and on_timeout) leaves
 * through settle(), the only caller of the owner: the owner may free the
 * session when called.
 */
#include "session.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "log.h"
#include "ocsp.h"
#include "sasl.h"
#include "sock.h"
#include "starttls.h"

static void on_io(struct source *, short, int64_t);
static void on_timeout(struct source *, int64_t);
static void settle(struct sess *);
static void rearm(struct sess *);
static void set_state(struct sess *, enum sess_state, int64_t);
static void fail(struct sess *, enum err_kind, int64_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static void finish(struct sess *, int64_t);
static void open_socket(struct sess *, int64_t);
static void connected(struct sess *, int64_t);
static void send_cmd(struct sess *, int64_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void send_auth(struct sess *, enum sess_state, int64_t);
static void queue(struct sess *, int64_t, size_t, const char *);
static int flush(struct sess *, int64_t);
static void read_input(struct sess *, int64_t);
static int feed(struct sess *, const unsigned char *, size_t, int64_t);
static int on_reply(struct sess *, const unsigned char *, size_t, int64_t);
static void handshake(struct sess *, int64_t);
static void handshake_done(struct sess *, int64_t);
static void handshake_failed(struct sess *, int64_t);
static bool tls_on(const struct sess *);
static void io_error(struct sess *, int, int64_t);

/* sess_start - begin connecting; the loop does the rest */
void
sess_start(struct sess *s, struct loop *loop, const struct sess_shared *shared,
    const struct sess_params *p, const struct sockaddr *sa, socklen_t salen,
    struct probe_result *res, sess_done_fn *done, void *arg, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->shared = shared;
	s->p = *p;
	s->res = res;
	s->done = done;
	s->done_arg = arg;
	memcpy(&s->addr, sa, salen);
	s->addrlen = salen;
	s->src.fd = -1;
	s->src.deadline = LOOP_NEVER;
	s->src.on_io = on_io;
	s->src.on_timeout = on_timeout;
	s->state = SESS_IDLE;
	res->transcript.enabled = shared->transcript;
	res->login.wanted = shared->auth != NULL;
	/* A --tls-versions connection stops at the handshake: no NOOP. */
	res->injection.wanted = shared->check_injection && !p->tls_only;
	transport_plain(&s->plain, -1);
	s->xp = &s->plain;
	loop_add(loop, &s->src);
	set_state(s, SESS_CONNECT, now);
	/* Even a session that failed at once ends through the loop, so
	 * its owner is never called back from inside sess_start. */
	rearm(s);
}

/* sess_abandon - close everything now; the owner is not called back */
void
sess_abandon(struct sess *s, int64_t now, const char *why)
{
	loop_del(s->loop, &s->src);
	fail(s, KIND_TIMEOUT, now, "%s", why);
}

/* on_io - readiness on the session's socket */
static void
on_io(struct source *src, short revents, int64_t now)
{
	struct sess *s = (struct sess *)src;
	int err = 0;
	socklen_t len = sizeof(err);

	switch (s->state) {
	case SESS_CONNECT:
		if (getsockopt(s->plain.fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
		    -1)
			err = errno;
		if (err != 0)
			io_error(s, err, now);
		else
			connected(s, now);
		break;
	case SESS_HANDSHAKE:
		handshake(s, now);
		break;
	case SESS_IDLE:
	case SESS_DONE:
		break;
	default:
		if ((revents & (POLLOUT | POLLERR | POLLHUP)) &&
		    s->txoff < s->txlen && flush(s, now) == -1)
			break;
		if (s->state == SESS_DONE ||
		    (s->state == SESS_QUIT && !dialogue_quit_awaited(s->res)))
			break;
		if ((revents & (POLLIN | POLLERR | POLLHUP)) ||
		    s->xp->ops->pending(s->xp))
			read_input(s, now);
		break;
	}
	settle(s);
}

/* on_timeout - a phase or the whole probe ran out of time */
static void
on_timeout(struct source *src, int64_t now)
{
	struct sess *s = (struct sess *)src;
	char msg[ERR_MSG_MAX];
	bool whole = now >= s->p.deadline;

	if (s->state == SESS_DONE || s->state == SESS_QUIT) {
		finish(s, now);
		settle(s);
		return;
	}
	/* Name the deadline that fired: the phase's, or the whole probe's. */
	dialogue_timeout(s->state, tls_on(s), whole,
	    (int)((now - (whole ? s->p.t0 : s->t_phase) + 500) / 1000), msg,
	    sizeof(msg));
	fail(s, KIND_TIMEOUT, now, "%s", msg);
	settle(s);
}

/*
 * settle - the one way out of an entry point: a finished session leaves
 * the loop and tells its owner (who may free it); a running one tells the
 * loop what it waits for now.
 */
static void
settle(struct sess *s)
{
	if (s->state != SESS_DONE) {
		rearm(s);
		return;
	}
	loop_del(s->loop, &s->src);
	s->done(s, s->done_arg);
}

/* rearm - the descriptor, events and deadline for the loop */
static void
rearm(struct sess *s)
{
	struct source *src = &s->src;

	src->fd = s->plain.fd;
	src->deadline = s->phase_deadline < s->p.deadline ? s->phase_deadline
							  : s->p.deadline;
	if (s->state == SESS_DONE) {
		/* Only sess_start gets here: fire at once. */
		src->fd = -1;
		src->deadline = s->t_phase;
	} else if (s->state == SESS_CONNECT)
		src->events = POLLOUT;
	else if (s->state == SESS_HANDSHAKE)
		src->events = tls_wants_write(&s->tls) ? POLLOUT : POLLIN;
	else
		src->events = s->txoff < s->txlen ? POLLOUT : POLLIN;
	loop_update(s->loop, src);
}

/*
 * set_state - the only place the state changes: timing, deadline, entry
 * action.
 */
static void
set_state(struct sess *s, enum sess_state next, int64_t now)
{
	struct probe_result *r = s->res;
	enum phase old = dialogue_phase(s->state, tls_on(s)),
		   new = dialogue_phase(next, tls_on(s));

	log_debug("%s:%d: %s -> %s", r->address, r->port,
	    dialogue_state_name(s->state), dialogue_state_name(next));
	if (s->state != SESS_IDLE) {
		if (r->timing.phase[old] < 0)
			r->timing.phase[old] = 0;
		r->timing.phase[old] += now - s->t_phase;
	}
	s->state = next;
	s->t_phase = now;
	/* Every phase may use what is left of the probe's time, but for the
	 * connect, and a greeting in clear when the plan wants it sooner. */
	s->phase_deadline = LOOP_NEVER;
	if (next == SESS_CONNECT)
		s->phase_deadline = now + s->shared->connect_timeout_ms;
	else if (next == SESS_BANNER && !tls_on(s) &&
	    s->p.banner_timeout_ms > 0)
		s->phase_deadline = now + s->p.banner_timeout_ms;
	if (new != old && r->timing.phase[new] < 0 && next != SESS_DONE)
		r->timing.phase[new] = 0;

	switch (next) {
	case SESS_CONNECT:
		open_socket(s, now);
		break;
	case SESS_EHLO:
	case SESS_EHLO_TLS:
		send_cmd(s, now, "EHLO %s", s->shared->ehlo_name);
		break;
	case SESS_HELO:
		send_cmd(s, now, "HELO %s", s->shared->ehlo_name);
		break;
	case SESS_STARTTLS:
		/* --check-injection: both in one write (dialogue.c). */
		send_cmd(s, now, "%s",
		    s->res->injection.sent ? "STARTTLS\r\nNOOP" : "STARTTLS");
		break;
	case SESS_AUTH:
	case SESS_AUTH_USER:
	case SESS_AUTH_PASS:
		send_auth(s, next, now);
		break;
	case SESS_HANDSHAKE:
		if (tls_conn_start(&s->tls, s->shared->tls, s->p.prio,
			s->plain.fd, s->p.sni, &r->tls) == -1) {
			fail(s, KIND_TLS, now, "cannot start TLS: %s",
			    r->tls.error);
			return;
		}
		s->tls_started = true;
		handshake(s, now);
		break;
	case SESS_QUIT:
		send_cmd(s, now, "QUIT");
		if (s->state == SESS_QUIT && s->txoff == s->txlen &&
		    !dialogue_quit_awaited(r))
			finish(s, now);
		break;
	default:
		break;
	}
}

/* fail - record the first error with the current phase, and end */
static void
fail(struct sess *s, enum err_kind kind, int64_t now, const char *fmt, ...)
{
	struct probe_error *e = &s->res->error;
	va_list ap;

	if (!e->set) {
		e->set = true;
		e->phase = dialogue_phase(s->state, tls_on(s));
		e->kind = kind;
		va_start(ap, fmt);
		(void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
		va_end(ap);
	}
	finish(s, now);
}

/* finish - close everything and complete the result */
static void
finish(struct sess *s, int64_t now)
{
	struct probe_result *r = s->res;

	if (s->state == SESS_DONE)
		return;
	explicit_bzero(s->tx, sizeof(s->tx));
	if (s->tls_started) {
		if ((s->state == SESS_QUIT || s->p.tls_only) && tls_on(s))
			s->xp->ops->shutdown(s->xp);
		tls_conn_free(&s->tls);
		s->tls_started = false;
	}
	s->xp = &s->plain;
	if (s->plain.fd >= 0) {
		(void)close(s->plain.fd);
		s->plain.fd = -1;
	}
	/* The reply buffer holds nothing the result needs any more. */
	smtp_reader_free(&s->reader);
	set_state(s, SESS_DONE, now);
	r->timing.total = now - s->p.t0;
	r->auth.nbefore =
	    smtp_auth_mechs(&r->ehlo, r->auth.before, AUTH_MECHS_MAX);
	r->auth.nafter =
	    smtp_auth_mechs(&r->ehlo_tls, r->auth.after, AUTH_MECHS_MAX);
	r->auth.only_after_tls = r->auth.nafter > 0 && r->auth.nbefore == 0;
	dialogue_login_close(r);
	dialogue_injection_close(r);
}

/* open_socket - non-blocking socket and connect() */
static void
open_socket(struct sess *s, int64_t now)
{
	int one = 1;

	smtp_reader_init(&s->reader);
	s->plain.fd = socket(
	    s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->plain.fd == -1) {
		fail(s, KIND_REFUSED, now, "cannot create a socket: %s",
		    strerror(errno));
		return;
	}
	/* Without it the client's Finished and the EHLO after it can wait in
	 * Nagle's buffer for a round trip. */
	(void)setsockopt(
	    s->plain.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->plain.fd, (struct sockaddr *)&s->addr, s->addrlen) == 0)
		connected(s, now);
	else if (errno != EINPROGRESS)
		io_error(s, errno, now);
}

/* connected - the TCP handshake completed */
static void
connected(struct sess *s, int64_t now)
{
	set_state(
	    s, s->p.mode == MODE_IMPLICIT ? SESS_HANDSHAKE : SESS_BANNER, now);
}

/* send_cmd - queue one command line and try to send it at once */
static void
send_cmd(struct sess *s, int64_t now, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)s->tx, sizeof(s->tx) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(s->tx) - 2)
		n = (int)sizeof(s->tx) - 3; /* cli.c bounds --ehlo */
	queue(s, now, (size_t)n, NULL);
}

/* send_auth - a line of the login, masked in the transcript */
static void
send_auth(struct sess *s, enum sess_state st, int64_t now)
{
	const char *shown;
	int n;

	/* dialogue.c asks for a login inside TLS only: anything else is a
	 * bug, and credentials in clear would be the worst outcome of it. */
	if (!tls_on(s))
		abort();
	n = sasl_line(st == SESS_AUTH  ? SASL_AUTH
		: st == SESS_AUTH_USER ? SASL_USER
				       : SASL_PASSWORD,
	    s->res->login.mech, s->shared->auth, (char *)s->tx,
	    sizeof(s->tx) - 2, &shown);
	/* cred.c bounds the user and the password so that it fits. */
	if (n < 0)
		abort();
	queue(s, now, (size_t)n, shown);
}

/*
 * queue - send the n bytes in tx as one line; the transcript gets shown
 * instead when it is not NULL
 */
static void
queue(struct sess *s, int64_t now, size_t n, const char *shown)
{
	result_transcript_add(&s->res->transcript, now - s->p.t0, TDIR_SENT,
	    shown != NULL ? (const void *)shown : s->tx,
	    shown != NULL ? strlen(shown) : n);
	s->tx[n] = '\r';
	s->tx[n + 1] = '\n';
	s->txlen = n + 2;
	s->txoff = 0;
	(void)flush(s, now);
}

/*
 * flush - write what is queued. Returns 0 (done or would block) or -1 when
 * the session ended.
 */
static int
flush(struct sess *s, int64_t now)
{
	char err[ERR_MSG_MAX];
	ssize_t n;

	while (s->txoff < s->txlen) {
		n = s->xp->ops->send(s->xp, s->tx + s->txoff,
		    s->txlen - s->txoff, err, sizeof(err));
		if (n == XPORT_AGAIN)
			return 0;
		if (n == XPORT_ERROR && s->state == SESS_QUIT) {
			finish(s, now);
			return -1;
		}
		if (n == XPORT_ERROR && tls_on(s)) {
			fail(s, KIND_TLS, now, "sending over TLS failed: %s",
			    err);
			return -1;
		}
		if (n == XPORT_ERROR) {
			io_error(s, errno, now);
			return -1;
		}
		s->txoff += (size_t)n;
	}
	/* Sent: a line of the login must not stay in memory. */
	explicit_bzero(s->tx, s->txlen);
	if (s->state == SESS_QUIT && !dialogue_quit_awaited(s->res)) {
		/* Waiting for 221 costs a round trip and tells nothing. */
		finish(s, now);
		return -1;
	}
	return 0;
}

/* read_input - read what is available and feed it to the reply reader */
static void
read_input(struct sess *s, int64_t now)
{
	unsigned char buf[RX_CHUNK];
	char err[ERR_MSG_MAX];
	ssize_t n;

	do {
		n = s->xp->ops->recv(s->xp, buf, sizeof(buf), err, sizeof(err));
		if (n == XPORT_AGAIN)
			return;
		if (n <= 0 && s->state == SESS_QUIT) {
			/* No reply to QUIT is a verdict, not an error. */
			finish(s, now);
			return;
		}
		if (n == XPORT_ERROR && tls_on(s)) {
			fail(s, KIND_TLS, now,
			    "TLS error while waiting for %s: %s",
			    dialogue_waiting_for(s->state, tls_on(s)), err);
			return;
		}
		if (n == XPORT_ERROR) {
			io_error(s, errno, now);
			return;
		}
		if (n == 0) {
			fail(s, KIND_CLOSED, now,
			    "the server closed the "
			    "connection while we waited for %s",
			    dialogue_waiting_for(s->state, tls_on(s)));
			return;
		}
		if (feed(s, buf, (size_t)n, now) == -1)
			return;
	} while (s->state != SESS_DONE && s->xp->ops->pending(s->xp));
}

/*
 * feed - pass received bytes to the reader and act on complete replies.
 * Returns -1 once the session has left the reading states.
 */
static int
feed(struct sess *s, const unsigned char *p, size_t len, int64_t now)
{
	enum smtp_status st;
	const char *why;
	size_t used;

	while (len > 0) {
		st = smtp_reader_feed(&s->reader, p, len, &used, &why);
		p += used;
		len -= used;
		switch (st) {
		case SMTP_NEED_MORE:
			return 0;
		case SMTP_REPLY_DONE:
			smtp_reply_transcript(&s->reader.reply,
			    &s->res->transcript, now - s->p.t0);
			return on_reply(s, p, len, now);
		case SMTP_ERR_SYNTAX:
		case SMTP_ERR_LIMIT:
			smtp_reply_transcript(&s->reader.reply,
			    &s->res->transcript, now - s->p.t0);
			dialogue_partial(
			    s->state, tls_on(s), &s->reader.reply, s->res);
			fail(s,
			    st == SMTP_ERR_LIMIT ? KIND_LIMIT : KIND_PROTOCOL,
			    now, "%s while waiting for %s", why,
			    dialogue_waiting_for(s->state, tls_on(s)));
			return -1;
		}
	}
	return 0;
}

/*
 * on_reply - enter the state the reply leads to; rest[0..restlen) came
 * after it in the same read. Returns -1 once the session stopped reading.
 */
static int
on_reply(struct sess *s, const unsigned char *rest, size_t restlen, int64_t now)
{
	enum sess_state before = s->state, next;

	next = dialogue_reply(s->state, s->p.mode, tls_on(s),
	    s->shared->auth != NULL, &s->reader.reply, s->res);
	smtp_reader_init(&s->reader);
	if (next == SESS_DONE) {
		finish(s, now);
		return -1;
	}
	if (next == SESS_HANDSHAKE) {
		/* RFC 3207 5: anything the server sent before the handshake
		 * is not protected and must not be kept (CVE-2011-0411). */
		s->res->starttls.trailing_bytes =
		    starttls_discard(s, rest, restlen, now);
	}
	/* QUIT is sent once; its reply may be awaited after another. */
	if (before != SESS_QUIT || next != SESS_QUIT)
		set_state(s, next, now);
	/* After STARTTLS the rest was counted and dropped. */
	if (before == SESS_STARTTLS || s->state == SESS_DONE ||
	    s->state == SESS_HANDSHAKE)
		return -1;
	/* The injection check counts replies inside TLS, pipelined or not. */
	if (restlen > 0 && s->res->injection.sent && tls_on(s))
		return feed(s, rest, restlen, now);
	if (restlen > 0) {
		fail(s, KIND_PROTOCOL, now,
		    "the server sent %zu bytes nobody asked for after its "
		    "reply (pipelining without being asked)",
		    restlen);
		return -1;
	}
	return 0;
}

/* handshake - one step of the TLS handshake */
static void
handshake(struct sess *s, int64_t now)
{
	switch (tls_handshake_step(&s->tls, &s->res->tls)) {
	case TLS_DONE:
		handshake_done(s, now);
		break;
	case TLS_FAILED:
		handshake_failed(s, now);
		break;
	default:
		break;
	}
}

/* handshake_done - record the chain and its verification, go on */
static void
handshake_done(struct sess *s, int64_t now)
{
	struct probe_result *r = s->res;
	gnutls_datum_t staple;
	char line[256];
	size_t n;
	const gnutls_datum_t *chain = tls_peer_chain(&s->tls, &n);

	/* A --tls-versions connection asks only which version was agreed:
	 * the probe's own attempt judges the chain and the staple, once. */
	if (!s->p.tls_only) {
		cert_examine(chain, n, s->shared->trust, s->shared->cache,
		    s->p.sni, time(NULL), s->shared->with_pem, r);
		ocsp_examine(tls_stapled_ocsp(&s->tls, &staple), chain, n,
		    s->shared->trust, time(NULL), &r->ocsp);
	}
	snprintf(line, sizeof(line), "TLS established: %s, %s%s%s",
	    tls_version_names[r->tls.version], r->tls.cipher,
	    r->tls.group[0] ? ", " : "", r->tls.group);
	result_transcript_add(
	    &r->transcript, now - s->p.t0, TDIR_TLS, line, strlen(line));
	transport_tls(&s->tlsx, &s->tls);
	s->xp = &s->tlsx;
	if (s->p.tls_only && s->p.mode == MODE_IMPLICIT)
		finish(s, now); /* --tls-versions: nothing before a greeting */
	else if (s->p.mode == MODE_IMPLICIT) {
		r->mode = MODE_IMPLICIT;
		set_state(s, SESS_BANNER, now);
	} else
		set_state(s, s->p.tls_only ? SESS_QUIT : SESS_EHLO_TLS, now);
}

/* handshake_failed - name the cause, or the mode the port really speaks */
static void
handshake_failed(struct sess *s, int64_t now)
{
	struct tls_conn *c = &s->tls;
	struct tls_result *t = &s->res->tls;

	if (tls_smtp_answer(c) && s->p.mode == MODE_STARTTLS) {
		/* Plaintext after the 220 that came too late for
		 * starttls_discard():
		 * the same injection, caught by the TLS layer. */
		s->res->starttls.trailing_bytes += c->nfirst;
		fail(s, KIND_PROTOCOL, now,
		    "the server sent plaintext SMTP (\"%.3s...\") after its "
		    "220 to STARTTLS instead of a TLS handshake",
		    (const char *)c->first);
		return;
	}
	if (tls_smtp_answer(c)) {
		/* "220 ..." in answer to a ClientHello: plaintext SMTP. */
		s->smtp_answer = true;
		fail(s, KIND_PROTOCOL, now,
		    "the server answered the TLS "
		    "ClientHello with plaintext SMTP (\"%.3s...\"): this port "
		    "does not speak implicit TLS",
		    (const char *)c->first);
		return;
	}
	if (s->p.mode == MODE_IMPLICIT)
		s->res->mode = c->nfirst > 0 ? MODE_IMPLICIT : MODE_UNKNOWN;
	if (c->peer_closed && c->nfirst == 0) {
		fail(s, KIND_CLOSED, now,
		    "the server closed the connection "
		    "during the TLS handshake without answering");
		return;
	}
	fail(s, KIND_TLS, now, "the TLS handshake failed: %s%s%s%s", t->error,
	    t->alert[0] ? " (the server sent the alert \"" : "", t->alert,
	    t->alert[0] ? "\")" : "");
}

/* io_error - a socket error, classified for the report */
static void
io_error(struct sess *s, int err, int64_t now)
{
	char msg[ERR_MSG_MAX];
	enum err_kind kind;

	if (s->state == SESS_QUIT) {
		finish(s, now);
		return;
	}
	kind = dialogue_io_error(
	    s->state, tls_on(s), err, s->res->port, msg, sizeof(msg));
	fail(s, kind, now, "%s", msg);
}

/* tls_on - the dialogue runs inside TLS now */
static bool
tls_on(const struct sess *s)
{
	return s->xp == &s->tlsx;
}
