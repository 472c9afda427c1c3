/*
 * dialogue.h - what each SMTP reply means, state by state.
 *
 * Pure: given the state, the mode and whether TLS is on, a complete reply
 * is recorded into the probe result and the next state is returned. The
 * session (session.c) only moves bytes and enters that state; every
 * decision about meaning (RFC 5321 4.2 and 3.2, RFC 3207 4) is here, and
 * tested without a socket.
 */
#ifndef SMTP_PROBE_DIALOGUE_H
#define SMTP_PROBE_DIALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "names.h"
#include "result.h"
#include "smtp.h"

/* One attempt's states; implicit TLS goes CONNECT, HANDSHAKE, BANNER. */
enum sess_state {
	SESS_IDLE,
	SESS_CONNECT,
	SESS_BANNER,
	SESS_EHLO,
	SESS_HELO,
	SESS_STARTTLS,
	SESS_HANDSHAKE,
	SESS_EHLO_TLS,
	SESS_AUTH,      /* --auth-user, inside TLS only: AUTH sent */
	SESS_AUTH_USER, /* LOGIN: the user name sent */
	SESS_AUTH_PASS, /* LOGIN: the password sent */
	SESS_QUIT,
	SESS_DONE,
	SESS_STATE_COUNT
};

/*
 * dialogue_reply - record rp, received in state, into r and return the
 * next state: the next command's, SESS_HANDSHAKE after a 220 to STARTTLS,
 * SESS_QUIT after a refusal (its reason in r->error), or SESS_DONE for a
 * reply in a state that asked for none (r->error set). mode is the
 * attempt's (plain never starts TLS); tls_on says the reply came inside
 * TLS; login asks for a login (--auth-user) after the EHLO inside TLS,
 * with the mechanism that EHLO offers (r->login.mech, SESS_AUTH), or
 * says in r->login.why why there is none. No AUTH state is ever returned
 * for a reply received outside TLS.
 */
enum sess_state dialogue_reply(enum sess_state state, enum mode mode,
    bool tls_on, bool login, const struct smtp_reply *rp,
    struct probe_result *r);

/*
 * dialogue_login_close - at the end of an attempt that wanted a login,
 * say in r->login.why why it was not attempted, or why no final reply
 * came; r->auth must be complete.
 */
void dialogue_login_close(struct probe_result *r);

/*
 * dialogue_quit_awaited - true while the injection check (--check-injection)
 * still counts replies inside TLS: the session then waits for the reply
 * to QUIT (dialogue_reply takes it) instead of closing once QUIT is sent
 */
bool dialogue_quit_awaited(const struct probe_result *r);

/*
 * dialogue_injection_close - at the end of an attempt with the injection
 * check, say in r->injection.reason why it has no verdict, if it has none
 */
void dialogue_injection_close(struct probe_result *r);

/*
 * dialogue_partial - keep what a reply that broke the syntax or a limit
 * delivered before it failed, where a complete one would have gone.
 */
void dialogue_partial(enum sess_state state, bool tls_on,
    const struct smtp_reply *rp, struct probe_result *r);

/*
 * dialogue_io_error - what the socket error err (an errno) in state means:
 * the error kind, and a sentence into msg[0..size)
 */
enum err_kind dialogue_io_error(
    enum sess_state, bool tls_on, int err, int port, char *msg, size_t size);

/*
 * dialogue_timeout - the sentence for a deadline that fired in state after
 * secs seconds: the whole probe's (whole), or the phase's
 */
void dialogue_timeout(
    enum sess_state, bool tls_on, bool whole, int secs, char *msg, size_t size);

/* dialogue_phase - the report's phase of a state */
enum phase dialogue_phase(enum sess_state, bool tls_on);

/* dialogue_state_name - "BANNER", for the debug log */
const char *dialogue_state_name(enum sess_state);

/* dialogue_waiting_for - "the reply to EHLO", for messages */
const char *dialogue_waiting_for(enum sess_state, bool tls_on);

#endif
