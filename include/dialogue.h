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
 * TLS.
 */
enum sess_state dialogue_reply(enum sess_state state, enum mode mode,
    bool tls_on, const struct smtp_reply *rp, struct probe_result *r);

/*
 * dialogue_partial - keep what a reply that broke the syntax or a limit
 * delivered before it failed, where a complete one would have gone.
 */
void dialogue_partial(enum sess_state state, bool tls_on,
    const struct smtp_reply *rp, struct probe_result *r);

/* dialogue_phase - the report's phase of a state */
enum phase dialogue_phase(enum sess_state, bool tls_on);

/* dialogue_state_name - "BANNER", for the debug log */
const char *dialogue_state_name(enum sess_state);

/* dialogue_waiting_for - "the reply to EHLO", for messages */
const char *dialogue_waiting_for(enum sess_state, bool tls_on);

#endif
