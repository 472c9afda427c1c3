/*
 * dialogue.c - the meaning of each reply in each state (pure).
 *
 * - The greeting must be 220; anything else is a refusal (RFC 5321 4.3.1)
 *   and the attempt says QUIT.
 * - EHLO answered with 5xx gets HELO (RFC 5321 3.2); 4xx is a refusal for
 *   now, not an old server.
 * - STARTTLS is sent only when the clear-text EHLO offered it and the mode
 *   is not plain; after TLS the capabilities are learnt again and kept
 *   apart (RFC 3207 4.2), and QUIT follows.
 * - Until STARTTLS is accepted the dialogue is in clear (mode plain).
 */
#include "dialogue.h"

#include <string.h>

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

static enum sess_state on_banner(
    bool, const struct smtp_reply *, struct probe_result *);
static enum sess_state on_ehlo(enum sess_state, enum mode, bool,
    const struct smtp_reply *, struct probe_result *);
static enum sess_state on_starttls(
    const struct smtp_reply *, struct probe_result *);

/* dialogue_reply - one complete reply */
enum sess_state
dialogue_reply(enum sess_state state, enum mode mode, bool tls_on,
    const struct smtp_reply *rp, struct probe_result *r)
{
	switch (state) {
	case SESS_BANNER:
		return on_banner(tls_on, rp, r);
	case SESS_EHLO:
	case SESS_EHLO_TLS:
	case SESS_HELO:
		return on_ehlo(state, mode, tls_on, rp, r);
	case SESS_STARTTLS:
		return on_starttls(rp, r);
	default:
		result_fail(&r->error, dialogue_phase(state, tls_on),
		    KIND_PROTOCOL, "the server sent a reply nobody asked for");
		return SESS_DONE;
	}
}

/* dialogue_partial - store what a broken reply delivered */
void
dialogue_partial(enum sess_state state, bool tls_on,
    const struct smtp_reply *rp, struct probe_result *r)
{
	switch (state) {
	case SESS_BANNER:
		smtp_reply_store(rp, &r->banner);
		break;
	case SESS_EHLO:
	case SESS_EHLO_TLS:
	case SESS_HELO:
		smtp_ehlo_store(
		    rp, state == SESS_HELO, tls_on ? &r->ehlo_tls : &r->ehlo);
		break;
	case SESS_STARTTLS:
		r->starttls.sent = true;
		r->starttls.code = rp->code;
		break;
	default:
		break;
	}
}

/* dialogue_phase - HELO after a refused EHLO belongs to the EHLO it
 * replaces, inside TLS or not */
enum phase
dialogue_phase(enum sess_state st, bool tls_on)
{
	if (st == SESS_HELO && tls_on)
		return PHASE_EHLO_TLS;
	return states[st].phase;
}

/* dialogue_state_name - the state's name */
const char *
dialogue_state_name(enum sess_state st)
{
	return states[st].name;
}

/* dialogue_waiting_for - what a state waits for, in words */
const char *
dialogue_waiting_for(enum sess_state st, bool tls_on)
{
	switch (st) {
	case SESS_CONNECT:
		return "the TCP connection";
	case SESS_BANNER:
		return tls_on ? "the greeting inside TLS" : "the greeting";
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

/* on_banner - the greeting, in clear or inside implicit TLS */
static enum sess_state
on_banner(bool tls_on, const struct smtp_reply *rp, struct probe_result *r)
{
	smtp_reply_store(rp, &r->banner);
	r->mode = tls_on ? MODE_IMPLICIT : MODE_PLAIN;
	if (rp->code == 220)
		return tls_on ? SESS_EHLO_TLS : SESS_EHLO;
	result_fail(&r->error, PHASE_BANNER, KIND_PROTOCOL,
	    "the server greeted with %d instead of 220: it refuses "
	    "to serve this client now",
	    rp->code);
	return SESS_QUIT;
}

/* on_ehlo - EHLO or HELO answered, before or inside TLS */
static enum sess_state
on_ehlo(enum sess_state state, enum mode mode, bool tls_on,
    const struct smtp_reply *rp, struct probe_result *r)
{
	struct ehlo_result *e = tls_on ? &r->ehlo_tls : &r->ehlo;
	enum phase phase = dialogue_phase(state, tls_on);

	if (rp->code != 250 && state != SESS_HELO && rp->code >= 500)
		return SESS_HELO;
	smtp_ehlo_store(rp, state == SESS_HELO, e);
	if (rp->code != 250 && state == SESS_HELO) {
		result_fail(&r->error, phase, KIND_PROTOCOL,
		    "HELO was refused with %d after EHLO was refused",
		    rp->code);
		return SESS_QUIT;
	}
	if (rp->code != 250) {
		result_fail(&r->error, phase, KIND_PROTOCOL,
		    "EHLO was answered with %d: the server refuses this "
		    "client for now",
		    rp->code);
		return SESS_QUIT;
	}
	if (tls_on)
		return SESS_QUIT;
	/* What the clear-text EHLO advertised, whether or not it is used. */
	r->starttls.offered = smtp_has_cap(e, "STARTTLS");
	return r->starttls.offered && mode != MODE_PLAIN ? SESS_STARTTLS
							 : SESS_QUIT;
}

/* on_starttls - the reply to STARTTLS, its lines joined by LF */
static enum sess_state
on_starttls(const struct smtp_reply *rp, struct probe_result *r)
{
	struct starttls_result *st = &r->starttls;
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
		result_fail(&r->error, PHASE_STARTTLS, KIND_PROTOCOL,
		    "STARTTLS was refused with %d", rp->code);
		return SESS_QUIT;
	}
	r->mode = MODE_STARTTLS;
	return SESS_HANDSHAKE;
}
