/*
 * session.c - the per-port state machine: CONNECT, BANNER, EHLO, STARTTLS,
 * HANDSHAKE, EHLO_TLS, QUIT (implicit TLS: CONNECT, HANDSHAKE, BANNER,
 * EHLO_TLS, QUIT).
 *
 * This file moves bytes and decides what comes next; parsing is smtp.c's,
 * TLS is tls.c's and judging certificates is cert.c's. set_state() is the
 * only place the state changes: it closes the old phase's timing, arms the
 * new phase's deadline and runs the entry action.
 *
 * Rules it keeps (RFC 3207, RFC 8314, and what strict servers enforce):
 * - nothing is sent before the greeting (Postfix postscreen drops clients
 *   that talk first), and nothing is pipelined past STARTTLS;
 * - bytes a server sends after its 220 to STARTTLS are counted and thrown
 *   away, never fed to TLS (they are a STARTTLS injection attempt);
 * - capabilities are learnt again after TLS and kept apart;
 * - deadlines are absolute per phase and per port, so a server dripping one
 *   byte at a time cannot stretch either.
 *
 * In auto mode a silent port is re-probed with implicit TLS, and an
 * implicit-TLS port that answers in plaintext is re-probed with STARTTLS, so
 * the report can say which mode the port really speaks.
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
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "log.h"
#include "sock.h"

#define RX_CHUNK 4096
/* In auto mode, the share of --timeout spent waiting for a greeting before
 * trying implicit TLS instead: long enough for a postscreen greet delay. */
#define AUTO_BANNER_SHARE 2

static const struct {
	const char *name;
	enum phase phase;
} states[SESS_STATE_COUNT] = {
    [SESS_IDLE] = {"IDLE", PHASE_CONNECT},
    [SESS_CONNECT] = {"CONNECT", PHASE_CONNECT},
    [SESS_BANNER] = {"BANNER", PHASE_BANNER},
    [SESS_EHLO] = {"EHLO", PHASE_EHLO},
    [SESS_HELO] = {"HELO", PHASE_EHLO},
    [SESS_STARTTLS] = {"STARTTLS", PHASE_STARTTLS},
    [SESS_HANDSHAKE] = {"HANDSHAKE", PHASE_HANDSHAKE},
    [SESS_EHLO_TLS] = {"EHLO_TLS", PHASE_EHLO_TLS},
    [SESS_QUIT] = {"QUIT", PHASE_QUIT},
    [SESS_DONE] = {"DONE", PHASE_QUIT},
};

static void set_state(struct sess *, enum sess_state, int64_t);
static enum phase cur_phase(const struct sess *);
static enum phase state_phase(const struct sess *, enum sess_state);
static void fail(struct sess *, enum err_kind, int64_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static void finish(struct sess *, int64_t);
static void restart(struct sess *, enum mode, int64_t);
static void open_socket(struct sess *, int64_t);
static void connected(struct sess *, int64_t);
static void send_cmd(struct sess *, int64_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static int flush(struct sess *, int64_t);
static void read_input(struct sess *, int64_t);
static int feed(struct sess *, const unsigned char *, size_t, int64_t);
static void on_reply(struct sess *, const struct smtp_reply *,
    const unsigned char *, size_t, int64_t);
static void on_ehlo(struct sess *, const struct smtp_reply *, int64_t);
static void on_starttls(struct sess *, const struct smtp_reply *,
    const unsigned char *, size_t, int64_t);
static void store_partial(struct sess *, const struct smtp_reply *);
static void handshake(struct sess *, int64_t);
static void handshake_done(struct sess *, int64_t);
static void handshake_failed(struct sess *, int64_t);
static size_t drain(struct sess *, int64_t);
static void log_reply(struct sess *, const struct smtp_reply *, int64_t);
static void io_error(struct sess *, int, int64_t);
static const char *waiting_for(const struct sess *);
static bool auto_may_switch(const struct sess *);

/* sess_init - prepare a session; nothing is opened yet */
void
sess_init(struct sess *s, const struct sess_params *params,
    struct probe_result *res, const struct sockaddr *sa, socklen_t salen,
    const char *sni)
{
	memset(s, 0, sizeof(*s));
	s->params = params;
	s->res = res;
	s->sni = sni;
	memcpy(&s->addr, sa, salen);
	s->addrlen = salen;
	s->fd = -1;
	s->state = SESS_IDLE;
	s->mode = res->requested_mode;
	if (s->mode == MODE_AUTO)
		s->mode = res->port == 465 ? MODE_IMPLICIT : MODE_STARTTLS;
}

/* sess_start - begin connecting */
void
sess_start(struct sess *s, int64_t now)
{
	s->t_start = now;
	s->deadline = now + s->params->timeout_ms;
	set_state(s, SESS_CONNECT, now);
}

/* sess_pollfd - what the session waits for */
int
sess_pollfd(const struct sess *s, short *events)
{
	*events = 0;
	if (s->fd < 0 || s->state == SESS_DONE)
		return -1;
	if (s->state == SESS_CONNECT)
		*events = POLLOUT;
	else if (s->tls_on && s->state == SESS_HANDSHAKE)
		*events = tls_wants_write((struct tls_conn *)&s->tls) ? POLLOUT
								      : POLLIN;
	else if (s->txoff < s->txlen)
		*events = POLLOUT;
	else
		*events = POLLIN;
	return s->fd;
}

/* sess_deadline - the earlier of the phase and port deadlines */
int64_t
sess_deadline(const struct sess *s)
{
	return s->phase_deadline < s->deadline ? s->phase_deadline
					       : s->deadline;
}

/* sess_on_io - readiness on the session's socket */
void
sess_on_io(struct sess *s, short revents, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	switch (s->state) {
	case SESS_CONNECT:
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0)
			io_error(s, err, now);
		else
			connected(s, now);
		return;
	case SESS_HANDSHAKE:
		handshake(s, now);
		return;
	case SESS_IDLE:
	case SESS_DONE:
		return;
	default:
		break;
	}
	if ((revents & (POLLOUT | POLLERR | POLLHUP)) && s->txoff < s->txlen &&
	    flush(s, now) == -1)
		return;
	if (s->state == SESS_QUIT || s->state == SESS_DONE)
		return;
	if ((revents & (POLLIN | POLLERR | POLLHUP)) ||
	    (s->tls_on && tls_pending(&s->tls)))
		read_input(s, now);
}

/* sess_on_timeout - a phase or the whole port ran out of time */
void
sess_on_timeout(struct sess *s, int64_t now)
{
	int secs = (int)((now - s->t_phase + 500) / 1000);

	if (s->state == SESS_DONE)
		return;
	if (s->state == SESS_BANNER && !s->tls_on && auto_may_switch(s) &&
	    now < s->deadline) {
		/* A port that stays silent may expect TLS first (RFC 8314). */
		result_fail(&s->first_error, PHASE_BANNER, KIND_TIMEOUT,
		    "the server accepted the connection but sent no complete "
		    "greeting "
		    "within %d s",
		    secs);
		s->first_timing = s->res->timing;
		s->first_timing.phase[PHASE_BANNER] = now - s->t_phase;
		restart(s, MODE_IMPLICIT, now);
		return;
	}
	if (s->state == SESS_QUIT) {
		finish(s, now);
		return;
	}
	/* Name the deadline that fired: the phase's, or the whole port's. */
	if (now >= s->deadline)
		secs = (int)((now - s->t_start + 500) / 1000);
	if (s->state == SESS_BANNER && !s->tls_on)
		fail(s, KIND_TIMEOUT, now,
		    "the server accepted the connection but sent no complete "
		    "greeting within %d s; a port that expects implicit TLS "
		    "(usually 465) behaves like this for a STARTTLS client",
		    secs);
	else if (now >= s->deadline)
		fail(s, KIND_TIMEOUT, now,
		    "the probe reached its --timeout of %d s while waiting "
		    "for %s",
		    secs, waiting_for(s));
	else
		fail(s, KIND_TIMEOUT, now,
		    "timed out after %d s waiting for %s", secs,
		    waiting_for(s));
}

/* sess_done - everything closed */
bool
sess_done(const struct sess *s)
{
	return s->state == SESS_DONE;
}

/*
 * set_state - the only place the state changes: timing, deadline, entry
 * action.
 */
static void
set_state(struct sess *s, enum sess_state next, int64_t now)
{
	struct probe_result *r = s->res;
	enum phase old = cur_phase(s), new = state_phase(s, next);
	int64_t limit;

	log_debug("%s:%d: %s -> %s", r->address, r->port, states[s->state].name,
	    states[next].name);
	if (s->state != SESS_IDLE) {
		if (r->timing.phase[old] < 0)
			r->timing.phase[old] = 0;
		r->timing.phase[old] += now - s->t_phase;
	}
	s->state = next;
	s->t_phase = now;
	limit = s->params->timeout_ms;
	if (next == SESS_CONNECT)
		limit = s->params->connect_timeout_ms;
	else if (next == SESS_BANNER && auto_may_switch(s) && !s->tls_on)
		limit = s->params->timeout_ms / AUTO_BANNER_SHARE;
	s->phase_deadline = now + limit;
	if (new != old && r->timing.phase[new] < 0 && next != SESS_DONE)
		r->timing.phase[new] = 0;

	switch (next) {
	case SESS_CONNECT:
		open_socket(s, now);
		break;
	case SESS_EHLO:
	case SESS_EHLO_TLS:
		send_cmd(s, now, "EHLO %s", s->params->ehlo_name);
		break;
	case SESS_HELO:
		send_cmd(s, now, "HELO %s", s->params->ehlo_name);
		break;
	case SESS_STARTTLS:
		send_cmd(s, now, "STARTTLS");
		break;
	case SESS_HANDSHAKE:
		if (tls_conn_start(&s->tls, s->params->tls, s->fd, s->sni,
			&r->tls) == -1) {
			fail(s, KIND_TLS, now, "cannot start TLS: %s",
			    r->tls.error);
			return;
		}
		s->tls_on = true;
		handshake(s, now);
		break;
	case SESS_QUIT:
		send_cmd(s, now, "QUIT");
		if (s->state == SESS_QUIT && s->txoff == s->txlen)
			finish(s, now);
		break;
	default:
		break;
	}
}

/* cur_phase - the report phase of the current state */
static enum phase
cur_phase(const struct sess *s)
{
	return state_phase(s, s->state);
}

/* state_phase - the report phase of state st for this session */
static enum phase
state_phase(const struct sess *s, enum sess_state st)
{
	/* HELO after a refused EHLO belongs to the EHLO it replaces. */
	if (st == SESS_HELO && s->tls_on)
		return PHASE_EHLO_TLS;
	return states[st].phase;
}

/* fail - record the first error with the current phase, and end */
static void
fail(struct sess *s, enum err_kind kind, int64_t now, const char *fmt, ...)
{
	struct probe_error *e = &s->res->error;
	char retry[sizeof(e->message)];
	va_list ap;
	size_t n;

	if (!e->set) {
		e->set = true;
		e->phase = cur_phase(s);
		e->kind = kind;
		va_start(ap, fmt);
		(void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
		va_end(ap);
	}
	/* The implicit retry of a silent port failed too: the report is the
	 * first attempt's, and its error says what the retry met. */
	if (s->res->other_mode_tried && s->mode == MODE_IMPLICIT &&
	    !s->res->detected_other_mode) {
		snprintf(retry, sizeof(retry), "%s", e->message);
		*e = s->first_error;
		n = strlen(e->message);
		snprintf(e->message + n, sizeof(e->message) - n,
		    "; a second connection trying implicit TLS failed too: %s",
		    retry);
		result_probe_reset_dialogue(s->res);
		s->res->timing = s->first_timing;
		/* No phase of the retry may add its time to them. */
		s->state = SESS_IDLE;
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
	if (s->tls_on) {
		if (s->state == SESS_QUIT)
			tls_close_notify(&s->tls);
		tls_conn_free(&s->tls);
		s->tls_on = false;
	}
	if (s->fd >= 0) {
		(void)close(s->fd);
		s->fd = -1;
	}
	set_state(s, SESS_DONE, now);
	r->timing.total = now - s->t_start;
	r->auth.nbefore =
	    smtp_auth_mechs(&r->ehlo, r->auth.before, AUTH_MECHS_MAX);
	r->auth.nafter =
	    smtp_auth_mechs(&r->ehlo_tls, r->auth.after, AUTH_MECHS_MAX);
	r->auth.only_after_tls = r->auth.nafter > 0 && r->auth.nbefore == 0;
}

/* restart - reconnect to the same address in the other mode */
static void
restart(struct sess *s, enum mode mode, int64_t now)
{
	char note[64];

	log_info("%s:%d: trying %s", s->res->address, s->res->port,
	    mode_names[mode]);
	if (s->tls_on) {
		tls_conn_free(&s->tls);
		s->tls_on = false;
	}
	(void)close(s->fd);
	s->fd = -1;
	result_probe_reset_dialogue(s->res);
	memset(&s->res->error, 0, sizeof(s->res->error));
	snprintf(
	    note, sizeof(note), "reconnecting in %s mode", mode_names[mode]);
	result_transcript_add(&s->res->transcript, now - s->t_start, TDIR_TLS,
	    note, strlen(note));
	s->mode = mode;
	s->res->other_mode_tried = true;
	s->txlen = s->txoff = 0;
	/* The first attempt's phase time is not the new dialogue's. */
	s->state = SESS_IDLE;
	set_state(s, SESS_CONNECT, now);
}

/* open_socket - non-blocking socket and connect() */
static void
open_socket(struct sess *s, int64_t now)
{
	int one = 1;

	smtp_reader_init(&s->reader);
	s->fd = socket(
	    s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		fail(s, KIND_REFUSED, now, "cannot create a socket: %s",
		    strerror(errno));
		return;
	}
	/* Without it the client's Finished and the EHLO after it can wait in
	 * Nagle's buffer for a round trip. */
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0)
		connected(s, now);
	else if (errno != EINPROGRESS)
		io_error(s, errno, now);
}

/* connected - the TCP handshake completed */
static void
connected(struct sess *s, int64_t now)
{
	set_state(
	    s, s->mode == MODE_IMPLICIT ? SESS_HANDSHAKE : SESS_BANNER, now);
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
	result_transcript_add(
	    &s->res->transcript, now - s->t_start, TDIR_SENT, s->tx, (size_t)n);
	s->tx[n] = '\r';
	s->tx[n + 1] = '\n';
	s->txlen = (size_t)n + 2;
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
		if (s->tls_on) {
			n = tls_write(&s->tls, s->tx + s->txoff,
			    s->txlen - s->txoff, err, sizeof(err));
			if (n == TLS_IO_AGAIN)
				return 0;
			if (n == TLS_IO_ERROR) {
				if (s->state == SESS_QUIT) {
					finish(s, now);
					return -1;
				}
				fail(s, KIND_TLS, now,
				    "sending over TLS "
				    "failed: %s",
				    err);
				return -1;
			}
		} else {
			n = send(s->fd, s->tx + s->txoff, s->txlen - s->txoff,
			    MSG_NOSIGNAL);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n == -1) {
				io_error(s, errno, now);
				return -1;
			}
		}
		s->txoff += (size_t)n;
	}
	if (s->state == SESS_QUIT) {
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
		if (s->tls_on) {
			n = tls_read(
			    &s->tls, buf, sizeof(buf), err, sizeof(err));
			if (n == TLS_IO_AGAIN)
				return;
			if (n == TLS_IO_ERROR) {
				fail(s, KIND_TLS, now,
				    "TLS error while waiting"
				    " for %s: %s",
				    waiting_for(s), err);
				return;
			}
		} else {
			n = sock_recv(s->fd, buf, sizeof(buf), 0);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n == -1) {
				io_error(s, errno, now);
				return;
			}
		}
		if (n == 0) {
			fail(s, KIND_CLOSED, now,
			    "the server closed the "
			    "connection while we waited for %s",
			    waiting_for(s));
			return;
		}
		if (feed(s, buf, (size_t)n, now) == -1)
			return;
	} while (s->tls_on && s->state != SESS_DONE && tls_pending(&s->tls));
}

/*
 * feed - pass received bytes to the reader and act on complete replies.
 * Returns -1 once the session has left the reading states.
 */
static int
feed(struct sess *s, const unsigned char *p, size_t len, int64_t now)
{
	enum sess_state before;
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
			before = s->state;
			log_reply(s, &s->reader.reply, now);
			on_reply(s, &s->reader.reply, p, len, now);
			smtp_reader_init(&s->reader);
			/* After STARTTLS the rest was counted and dropped. */
			if (before == SESS_STARTTLS || s->state == SESS_DONE ||
			    s->state == SESS_HANDSHAKE)
				return -1;
			if (len > 0) {
				fail(s, KIND_PROTOCOL, now,
				    "the server sent "
				    "%zu bytes nobody asked for after its "
				    "reply (pipelining without being asked)",
				    len);
				return -1;
			}
			return 0;
		case SMTP_ERR_SYNTAX:
		case SMTP_ERR_LIMIT:
			log_reply(s, &s->reader.reply, now);
			store_partial(s, &s->reader.reply);
			fail(s,
			    st == SMTP_ERR_LIMIT ? KIND_LIMIT : KIND_PROTOCOL,
			    now, "%s while waiting for %s", why,
			    waiting_for(s));
			return -1;
		}
	}
	return 0;
}

/*
 * on_reply - decide what a complete reply means in the current state;
 * rest[0..restlen) followed it in the same read.
 */
static void
on_reply(struct sess *s, const struct smtp_reply *rp, const unsigned char *rest,
    size_t restlen, int64_t now)
{
	struct probe_result *r = s->res;

	switch (s->state) {
	case SESS_BANNER:
		smtp_reply_store(rp, &r->banner);
		/* Until STARTTLS is accepted, the dialogue is in clear. */
		r->mode = s->tls_on ? MODE_IMPLICIT : MODE_PLAIN;
		if (rp->code == 220) {
			set_state(
			    s, s->tls_on ? SESS_EHLO_TLS : SESS_EHLO, now);
			return;
		}
		result_fail(&r->error, PHASE_BANNER, KIND_PROTOCOL,
		    "the server greeted with %d instead of 220: it refuses "
		    "to serve this client now",
		    rp->code);
		set_state(s, SESS_QUIT, now);
		return;
	case SESS_EHLO:
	case SESS_EHLO_TLS:
	case SESS_HELO:
		on_ehlo(s, rp, now);
		return;
	case SESS_STARTTLS:
		on_starttls(s, rp, rest, restlen, now);
		return;
	default:
		fail(s, KIND_PROTOCOL, now,
		    "the server sent a reply nobody "
		    "asked for");
		return;
	}
}

/* on_ehlo - EHLO or HELO answered, before or inside TLS */
static void
on_ehlo(struct sess *s, const struct smtp_reply *rp, int64_t now)
{
	struct probe_result *r = s->res;
	struct ehlo_result *e = s->tls_on ? &r->ehlo_tls : &r->ehlo;

	if (rp->code == 250 || s->state == SESS_HELO) {
		smtp_ehlo_store(rp, s->state == SESS_HELO, e);
		if (rp->code != 250) {
			result_fail(&r->error, cur_phase(s), KIND_PROTOCOL,
			    "HELO was refused with %d after EHLO was refused",
			    rp->code);
			set_state(s, SESS_QUIT, now);
			return;
		}
	} else if (rp->code >= 500) {
		/* RFC 5321 3.2: a server that does not know EHLO gets HELO. */
		set_state(s, SESS_HELO, now);
		return;
	} else {
		smtp_ehlo_store(rp, false, e);
		result_fail(&r->error, cur_phase(s), KIND_PROTOCOL,
		    "EHLO was answered with %d: the server refuses this "
		    "client for now",
		    rp->code);
		set_state(s, SESS_QUIT, now);
		return;
	}
	if (s->tls_on) {
		set_state(s, SESS_QUIT, now);
		return;
	}
	/* What the clear-text EHLO advertised, whether or not it is used. */
	r->starttls.offered = smtp_has_cap(e, "STARTTLS");
	if (r->starttls.offered && s->mode != MODE_PLAIN) {
		set_state(s, SESS_STARTTLS, now);
		return;
	}
	set_state(s, SESS_QUIT, now);
}

/* on_starttls - the reply to STARTTLS; restlen bytes followed it */
static void
on_starttls(struct sess *s, const struct smtp_reply *rp,
    const unsigned char *rest, size_t restlen, int64_t now)
{
	struct starttls_result *st = &s->res->starttls;
	/* Every line of a bounded reply, with a separator between each. */
	unsigned char joined[SMTP_REPLY_BYTES_MAX + SMTP_REPLY_LINES_MAX];
	size_t i, k, n = 0;

	st->sent = true;
	st->code = rp->code;
	for (i = 0; i < rp->nlines && n < sizeof(joined); i++) {
		if (i > 0)
			joined[n++] = '\n';
		k = rp->line[i].len;
		if (k > sizeof(joined) - n)
			k = sizeof(joined) - n;
		memcpy(joined + n, rp->text + rp->line[i].off, k);
		n += k;
	}
	result_text_set(&st->text, joined, n);
	if (rp->code != 220) {
		result_fail(&s->res->error, PHASE_STARTTLS, KIND_PROTOCOL,
		    "STARTTLS was refused with %d", rp->code);
		set_state(s, SESS_QUIT, now);
		return;
	}
	s->res->mode = MODE_STARTTLS;
	/* RFC 3207 5: anything the server sent before the handshake is not
	 * protected and must not be kept (CVE-2011-0411 class). */
	if (restlen > 0)
		result_transcript_add(&s->res->transcript, now - s->t_start,
		    TDIR_RECEIVED, rest,
		    restlen < STARTTLS_TRAILING_MAX ? restlen
						    : STARTTLS_TRAILING_MAX);
	st->trailing_bytes = restlen + drain(s, now);
	set_state(s, SESS_HANDSHAKE, now);
}

/* store_partial - keep what a failed reply delivered, where it belongs */
static void
store_partial(struct sess *s, const struct smtp_reply *rp)
{
	struct probe_result *r = s->res;

	switch (s->state) {
	case SESS_BANNER:
		smtp_reply_store(rp, &r->banner);
		break;
	case SESS_EHLO:
	case SESS_EHLO_TLS:
	case SESS_HELO:
		smtp_ehlo_store(rp, s->state == SESS_HELO,
		    s->tls_on ? &r->ehlo_tls : &r->ehlo);
		break;
	case SESS_STARTTLS:
		r->starttls.sent = true;
		r->starttls.code = rp->code;
		break;
	default:
		break;
	}
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
	const gnutls_datum_t *chain;
	char line[256];
	size_t n;
	time_t wall = time(NULL);

	chain = tls_peer_chain(&s->tls, &n);
	cert_examine(
	    chain, n, s->params->trust, s->sni, wall, s->params->with_pem, r);
	snprintf(line, sizeof(line), "TLS established: %s, %s%s%s",
	    tls_version_names[r->tls.version], r->tls.cipher,
	    r->tls.group[0] ? ", " : "", r->tls.group);
	result_transcript_add(
	    &r->transcript, now - s->t_start, TDIR_TLS, line, strlen(line));
	if (s->mode == MODE_IMPLICIT) {
		r->mode = MODE_IMPLICIT;
		if (s->res->other_mode_tried)
			r->detected_other_mode = true;
		set_state(s, SESS_BANNER, now);
	} else
		set_state(s, SESS_EHLO_TLS, now);
}

/* handshake_failed - name the cause, or the mode the port really speaks */
static void
handshake_failed(struct sess *s, int64_t now)
{
	struct tls_conn *c = &s->tls;
	struct tls_result *t = &s->res->tls;
	bool smtp = c->nfirst >= 3 && c->first[0] >= '0' &&
	    c->first[0] <= '9' && c->first[1] >= '0' && c->first[1] <= '9' &&
	    c->first[2] >= '0' && c->first[2] <= '9';

	if (smtp && s->mode == MODE_STARTTLS) {
		/* Plaintext after the 220 that came too late for drain():
		 * the same injection, caught by the TLS layer. */
		s->res->starttls.trailing_bytes += c->nfirst;
		fail(s, KIND_PROTOCOL, now,
		    "the server sent plaintext SMTP (\"%.3s...\") after its "
		    "220 to STARTTLS instead of a TLS handshake",
		    (const char *)c->first);
		return;
	}
	if (smtp && s->res->other_mode_tried) {
		/* The implicit retry of a port silent in plaintext met a
		 * plaintext greeting after all: a STARTTLS port that greets
		 * late, not one that expects implicit TLS. */
		fail(s, KIND_TIMEOUT, now,
		    "it got a plaintext greeting during the TLS handshake, "
		    "so this STARTTLS port greets later than that: raise "
		    "--timeout to see the dialogue");
		return;
	}
	if (smtp) {
		/* "220 ..." in answer to a ClientHello: plaintext SMTP. */
		s->res->detected_other_mode = true;
		if (auto_may_switch(s)) {
			restart(s, MODE_STARTTLS, now);
			return;
		}
		fail(s, KIND_PROTOCOL, now,
		    "the server answered the TLS "
		    "ClientHello with plaintext SMTP (\"%.3s...\"): this port "
		    "does not speak implicit TLS",
		    (const char *)c->first);
		return;
	}
	if (s->mode == MODE_IMPLICIT && !s->res->other_mode_tried)
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

/*
 * drain - count and discard what already arrived after the 220 to
 * STARTTLS. Bounded so a flood cannot keep the session here.
 */
static size_t
drain(struct sess *s, int64_t now)
{
	unsigned char buf[RX_CHUNK];
	size_t total = 0;
	ssize_t n;

	while (total < SMTP_REPLY_WIRE_MAX) {
		n = sock_recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		result_transcript_add(&s->res->transcript, now - s->t_start,
		    TDIR_RECEIVED, buf,
		    (size_t)n < STARTTLS_TRAILING_MAX ? (size_t)n
						      : STARTTLS_TRAILING_MAX);
		total += (size_t)n;
	}
	return total;
}

/* log_reply - add a reply's lines to the transcript, code included */
static void
log_reply(struct sess *s, const struct smtp_reply *rp, int64_t now)
{
	unsigned char line[SMTP_LINE_MAX + 4];
	size_t i, len;

	if (!s->res->transcript.enabled)
		return;
	for (i = 0; i < rp->nlines; i++) {
		len = 0;
		if (rp->code != 0) {
			snprintf((char *)line, sizeof(line), "%03d%c", rp->code,
			    i + 1 < rp->nlines ? '-' : ' ');
			len = 4;
		}
		memcpy(line + len, rp->text + rp->line[i].off, rp->line[i].len);
		len += rp->line[i].len;
		result_transcript_add(&s->res->transcript, now - s->t_start,
		    TDIR_RECEIVED, line, len);
	}
}

/* io_error - a socket error, classified for the report */
static void
io_error(struct sess *s, int err, int64_t now)
{
	if (s->state == SESS_QUIT) {
		finish(s, now);
		return;
	}
	switch (err) {
	case ECONNREFUSED:
		fail(s, KIND_REFUSED, now,
		    "the connection was refused: "
		    "nothing listens on port %d, or a firewall rejects it",
		    s->res->port);
		break;
	case ECONNRESET:
	case EPIPE:
		fail(s, KIND_RESET, now,
		    "the server reset the connection "
		    "while we waited for %s",
		    waiting_for(s));
		break;
	case ETIMEDOUT:
		fail(s, KIND_TIMEOUT, now, "the connection timed out (%s)",
		    strerror(err));
		break;
	default:
		fail(s, s->state == SESS_CONNECT ? KIND_REFUSED : KIND_CLOSED,
		    now, "%s failed: %s",
		    s->state == SESS_CONNECT ? "connecting" : "the connection",
		    strerror(err));
		break;
	}
}

/* waiting_for - what the current state waits for, for messages */
static const char *
waiting_for(const struct sess *s)
{
	switch (s->state) {
	case SESS_CONNECT:
		return "the TCP connection";
	case SESS_BANNER:
		return s->tls_on ? "the greeting inside TLS" : "the greeting";
	case SESS_EHLO:
	case SESS_EHLO_TLS:
		return "the reply to EHLO";
	case SESS_HELO:
		return "the reply to HELO";
	case SESS_STARTTLS:
		return "the reply to STARTTLS";
	case SESS_HANDSHAKE:
		return "the TLS handshake";
	default:
		return "QUIT to be sent";
	}
}

/* auto_may_switch - auto mode, and the other mode was not tried yet */
static bool
auto_may_switch(const struct sess *s)
{
	return s->res->requested_mode == MODE_AUTO && !s->res->other_mode_tried;
}
