/*
 * session.h - one probe of one port: the SMTP/TLS state machine.
 *
 * A session owns its socket, its reply reader and its TLS session, and
 * writes everything it observes into a probe_result it does not own. It
 * never blocks: the loop asks which fd and events it waits for and when its
 * next deadline is, and calls it back.
 */
#ifndef SMTP_PROBE_SESSION_H
#define SMTP_PROBE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/x509.h>

#include "result.h"
#include "smtp.h"
#include "tls.h"

/* What every session of a run shares; owned by the caller. */
struct sess_params {
	const char *ehlo_name;
	int timeout_ms; /* one port's whole probe */
	int connect_timeout_ms;
	const struct tls_ctx *tls;
	gnutls_x509_trust_list_t trust;
	bool with_pem;
};

enum sess_state {
	SESS_IDLE,
	SESS_CONNECT,
	SESS_BANNER,
	SESS_EHLO,
	SESS_HELO,
	SESS_STARTTLS,
	SESS_HANDSHAKE,
	SESS_EHLO_TLS,
	SESS_QUIT,
	SESS_DONE,
	SESS_STATE_COUNT
};

struct sess {
	const struct sess_params *params;
	struct probe_result *res; /* not owned */
	const char *sni;          /* not owned; NULL: none */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	enum mode mode; /* the dialogue being attempted */
	enum sess_state state;
	int fd; /* owned; -1 when closed */
	bool tls_on;
	struct tls_conn tls;            /* owned while tls_on */
	struct probe_error first_error; /* the first attempt's, for auto */
	struct timings first_timing;    /* and its timings */
	struct smtp_reader reader;
	unsigned char tx[HOSTNAME_MAX + 16]; /* one command at a time */
	size_t txlen, txoff;
	int64_t t_start; /* monotonic ms */
	int64_t t_phase;
	int64_t deadline; /* the whole port */
	int64_t phase_deadline;
};

/*
 * sess_init - prepare a session for the address in res; nothing is opened
 * until sess_start.
 */
void sess_init(struct sess *, const struct sess_params *,
    struct probe_result *res, const struct sockaddr *, socklen_t,
    const char *sni);

/* sess_start - open the socket and begin connecting */
void sess_start(struct sess *, int64_t now);

/* sess_pollfd - fd and poll events the session waits for; fd -1 if none */
int sess_pollfd(const struct sess *, short *events);

/* sess_deadline - when sess_on_timeout must be called (monotonic ms) */
int64_t sess_deadline(const struct sess *);

/* sess_on_io - the fd is ready with revents */
void sess_on_io(struct sess *, short revents, int64_t now);

/* sess_on_timeout - the deadline passed */
void sess_on_timeout(struct sess *, int64_t now);

/* sess_done - true once the session closed everything */
bool sess_done(const struct sess *);

#endif
