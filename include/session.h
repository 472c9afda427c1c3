/*
 * session.h - one attempt: one connection, one mode, the SMTP dialogue.
 *
 * A session is a source of the loop. It owns its socket, its reply reader,
 * its TLS session and its transports, and writes everything it observes
 * into a probe_result it does not own. It decides nothing beyond its own
 * dialogue: whether to try the other mode is the job's plan (plan.h).
 */
#ifndef SMTP_PROBE_SESSION_H
#define SMTP_PROBE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "cred.h"
#include "dialogue.h"
#include "loop.h"
#include "result.h"
#include "smtp.h"
#include "tls.h"
#include "transport.h"

/* What every attempt of a run shares; owned by the run. */
struct sess_shared {
	const char *ehlo_name;
	int connect_timeout_ms;
	const struct tls_ctx *tls;
	gnutls_x509_trust_list_t trust;
	struct cert_cache *cache; /* verdicts on chains seen; the run's */
	bool with_pem;
	bool transcript;
	const struct cred *auth; /* --auth-user: the run's; NULL: no login */
	bool check_injection;    /* --check-injection: NOOP with STARTTLS */
};

/* What one attempt is asked to do; copied into the session. */
struct sess_params {
	enum mode mode;         /* starttls, implicit or plain; never auto */
	const char *sni;        /* not owned; NULL: none */
	int64_t t0;             /* the probe's start: times count from it */
	int64_t deadline;       /* the whole probe's (monotonic ms) */
	int banner_timeout_ms;  /* 0: only the probe's deadline */
	gnutls_priority_t prio; /* TLS priorities of this attempt */
	bool tls_only; /* end once TLS is up: no EHLO (--tls-versions) */
};

struct sess;
typedef void sess_done_fn(struct sess *, void *arg);

struct sess {
	struct source src; /* fd, events, deadline: registered with loop */
	struct loop *loop; /* not owned */
	const struct sess_shared *shared;
	struct sess_params p;
	struct probe_result *res; /* not owned */
	sess_done_fn *done;
	void *done_arg;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	enum sess_state state;
	struct transport plain; /* the socket as it is */
	struct transport tlsx;  /* records of tls, once established */
	struct transport *xp;   /* the one in use: &plain or &tlsx */
	bool tls_started;       /* tls holds a GnuTLS session */
	struct tls_conn tls;    /* owned while tls_started */
	bool smtp_answer;       /* a ClientHello was answered in plaintext */
	struct smtp_reader reader;
	/* One command at a time; zeroed once sent: a login's line holds the
	 * credentials. */
	unsigned char tx[SMTP_CMD_MAX];
	size_t txlen, txoff;
	int64_t t_phase;
	int64_t phase_deadline;
};

/*
 * sess_start - connect to addr and run the dialogue of p->mode, recording
 * into res; done(sess, arg) is called once, when everything is closed and
 * the session is out of the loop (the caller may then free it).
 */
void sess_start(struct sess *, struct loop *, const struct sess_shared *,
    const struct sess_params *p, const struct sockaddr *, socklen_t,
    struct probe_result *res, sess_done_fn *done, void *arg, int64_t now);

/*
 * sess_abandon - stop at once without calling done (another attempt
 * answered, or the run was interrupted): res keeps what was seen, and why
 * as its error (kind timeout) unless it had one.
 */
void sess_abandon(struct sess *, int64_t now, const char *why);

#endif
