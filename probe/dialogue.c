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
 * - What a socket error or a deadline means in each state, in words.
 * - A login (--auth-user) follows the EHLO inside TLS, and nothing else:
 *   credentials are never sent where TLS did not get established, whatever
 *   the clear-text EHLO offered. PLAIN is preferred to LOGIN (sasl.c).
 *   Its replies (RFC 4954 4, 6): 235 logged in; 535 wrong credentials;
 *   534 a stronger mechanism is needed; 538 encryption is needed; 454 a
 *   temporary failure (Postfix: its SASL backend is unreachable); 334 a
 *   challenge, which only LOGIN expects. The login's time and any failure
 *   while it runs belong to the quit phase: the report's phases are the
 *   contract's, and the login is the dialogue's last step before QUIT.
 * - --check-injection sends NOOP with STARTTLS in one write. A server that
 *   keeps the NOOP across the upgrade (CVE-2011-0411) answers it inside
 *   TLS before anything sent there: its replies are one step behind the
 *   commands, so the reply to QUIT (awaited then, not skipped) is another
 *   command's reply and the 221 comes one reply later. Counting replies
 *   needs no sleep and no second connection; once the shift shows, the
 *   reply taken for EHLO's is the NOOP's (the evidence) and the EHLO reply
 *   is stored where it belongs.
 */
#include "dialogue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasl.h"

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
    [SESS_AUTH] = {"AUTH", PHASE_QUIT},
    [SESS_AUTH_USER] = {"AUTH_USER", PHASE_QUIT},
    [SESS_AUTH_PASS] = {"AUTH_PASS", PHASE_QUIT},
    [SESS_QUIT] = {"QUIT", PHASE_QUIT},
    [SESS_DONE] = {"DONE", PHASE_QUIT},
};

static enum sess_state on_banner(
    bool, const struct smtp_reply *, struct probe_result *);
static enum sess_state on_ehlo(enum sess_state, enum mode, bool, bool,
    const struct smtp_reply *, struct probe_result *);
static enum sess_state on_starttls(
    const struct smtp_reply *, struct probe_result *);
static enum sess_state login_start(struct probe_result *);
static enum sess_state on_auth(
    enum sess_state, const struct smtp_reply *, struct probe_result *);
static enum sess_state on_quit(
    const struct smtp_reply *, struct probe_result *);
static void injection_not_run(struct probe_result *);
static bool noop_in_tls(const struct probe_result *);
static void join_lines(const struct smtp_reply *, struct text *);
static void reply_text(const struct reply *, struct text *);

/* dialogue_reply - one complete reply */
enum sess_state
dialogue_reply(enum sess_state state, enum mode mode, bool tls_on, bool login,
    const struct smtp_reply *rp, struct probe_result *r)
{
	switch (state) {
	case SESS_BANNER:
		return on_banner(tls_on, rp, r);
	case SESS_EHLO:
	case SESS_EHLO_TLS:
	case SESS_HELO:
		return on_ehlo(state, mode, tls_on, login, rp, r);
	case SESS_STARTTLS:
		return on_starttls(rp, r);
	case SESS_AUTH:
	case SESS_AUTH_USER:
	case SESS_AUTH_PASS:
		return on_auth(state, rp, r);
	case SESS_QUIT:
		if (dialogue_quit_awaited(r))
			return on_quit(rp, r);
		/* FALLTHROUGH */
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
	case SESS_AUTH:
	case SESS_AUTH_USER:
	case SESS_AUTH_PASS:
		r->login.code = rp->code;
		break;
	default:
		break;
	}
}

/* dialogue_login_close - why a wanted login has no final reply */
void
dialogue_login_close(struct probe_result *r)
{
	struct login_result *l = &r->login;

	if (!l->wanted || l->why[0] != '\0' || l->code != 0)
		return;
	if (l->mech != MECH_NONE)
		snprintf(l->why, sizeof(l->why),
		    "no answer to AUTH %s: the dialogue ended first (see "
		    "error)",
		    login_mech_names[l->mech]);
	else if (!r->banner.present && !r->tls.attempted)
		snprintf(l->why, sizeof(l->why),
		    "not attempted: no SMTP dialogue took place on this port");
	else if (!r->tls.established)
		snprintf(l->why, sizeof(l->why),
		    "not attempted: TLS was not established on this port, and "
		    "smtp-probe never sends credentials without it%s",
		    r->auth.nbefore > 0 ? " (the server offers AUTH in clear "
					  "text)"
					: "");
	else
		snprintf(l->why, sizeof(l->why),
		    "not attempted: the dialogue ended before the EHLO inside "
		    "TLS was answered (see error)");
}

/* dialogue_quit_awaited - the injection check still counts replies */
bool
dialogue_quit_awaited(const struct probe_result *r)
{
	return noop_in_tls(r) && !r->injection.judged;
}

/* dialogue_injection_close - why the injection check has no verdict */
void
dialogue_injection_close(struct probe_result *r)
{
	struct injection_result *in = &r->injection;

	if (!in->wanted || in->judged || in->reason[0] != '\0')
		return;
	if (in->extra)
		snprintf(in->reason, sizeof(in->reason),
		    "a reply came inside TLS that no command there asked for, "
		    "but QUIT got no 221 after it, so the replies could not "
		    "be matched to the commands for sure");
	else if (noop_in_tls(r))
		snprintf(in->reason, sizeof(in->reason),
		    "the dialogue inside TLS ended before QUIT got its "
		    "reply, so the replies there could not be counted");
	else
		injection_not_run(r);
}

/* dialogue_io_error - a socket error, classified for the report */
enum err_kind
dialogue_io_error(
    enum sess_state st, bool tls_on, int err, int port, char *msg, size_t size)
{
	switch (err) {
	case ECONNREFUSED:
		snprintf(msg, size,
		    "the connection was refused: "
		    "nothing listens on port %d, or a firewall rejects it",
		    port);
		return KIND_REFUSED;
	case ECONNRESET:
	case EPIPE:
		snprintf(msg, size,
		    "the server reset the connection while we waited for %s",
		    dialogue_waiting_for(st, tls_on));
		return KIND_RESET;
	case ETIMEDOUT:
		snprintf(
		    msg, size, "the connection timed out (%s)", strerror(err));
		return KIND_TIMEOUT;
	default:
		snprintf(msg, size, "%s failed: %s",
		    st == SESS_CONNECT ? "connecting" : "the connection",
		    strerror(err));
		return st == SESS_CONNECT ? KIND_REFUSED : KIND_CLOSED;
	}
}

/* dialogue_timeout - which deadline fired, and while waiting for what */
void
dialogue_timeout(enum sess_state st, bool tls_on, bool whole, int secs,
    char *msg, size_t size)
{
	if (st == SESS_BANNER && !tls_on)
		snprintf(msg, size,
		    "the server accepted the connection but sent no complete "
		    "greeting within %d s",
		    secs);
	else if (whole)
		snprintf(msg, size,
		    "the probe reached its --timeout of %d s while waiting "
		    "for %s",
		    secs, dialogue_waiting_for(st, tls_on));
	else
		snprintf(msg, size, "timed out after %d s waiting for %s", secs,
		    dialogue_waiting_for(st, tls_on));
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
	case SESS_AUTH:
		return "the reply to AUTH";
	case SESS_AUTH_USER:
		return "the reply to the user name (AUTH LOGIN)";
	case SESS_AUTH_PASS:
		return "the reply to the password (AUTH LOGIN)";
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
on_ehlo(enum sess_state state, enum mode mode, bool tls_on, bool login,
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
		return login ? login_start(r) : SESS_QUIT;
	/* What the clear-text EHLO advertised, whether or not it is used. */
	r->starttls.offered = smtp_has_cap(e, "STARTTLS");
	if (!r->starttls.offered || mode == MODE_PLAIN)
		return SESS_QUIT;
	r->injection.sent = r->injection.wanted;
	return SESS_STARTTLS;
}

/* on_starttls - the reply to STARTTLS, its lines joined by LF */
static enum sess_state
on_starttls(const struct smtp_reply *rp, struct probe_result *r)
{
	struct starttls_result *st = &r->starttls;

	st->sent = true;
	st->code = rp->code;
	join_lines(rp, &st->text);
	if (rp->code != 220) {
		result_fail(&r->error, PHASE_STARTTLS, KIND_PROTOCOL,
		    "STARTTLS was refused with %d", rp->code);
		return SESS_QUIT;
	}
	r->mode = MODE_STARTTLS;
	return SESS_HANDSHAKE;
}

/*
 * login_start - inside TLS, after EHLO: AUTH with the best mechanism the
 * EHLO offers, or QUIT with the reason there is none
 */
static enum sess_state
login_start(struct probe_result *r)
{
	struct text mechs[AUTH_MECHS_MAX];
	size_t i, n, len;

	memset(mechs, 0, sizeof(mechs));
	n = smtp_auth_mechs(&r->ehlo_tls, mechs, AUTH_MECHS_MAX);
	r->login.mech = sasl_choose(mechs, n);
	if (n == 0)
		snprintf(r->login.why, sizeof(r->login.why),
		    "not attempted: the server offers no AUTH inside TLS");
	else if (r->login.mech == MECH_NONE) {
		len = (size_t)snprintf(r->login.why, sizeof(r->login.why),
		    "not attempted: smtp-probe logs in with PLAIN or LOGIN, "
		    "and the server offers only");
		for (i = 0; i < n && len < sizeof(r->login.why); i++)
			len += (size_t)snprintf(r->login.why + len,
			    sizeof(r->login.why) - len, " %s",
			    (const char *)mechs[i].data);
	}
	for (i = 0; i < n; i++)
		result_text_free(&mechs[i]);
	return r->login.mech == MECH_NONE ? SESS_QUIT : SESS_AUTH;
}

/*
 * on_auth - a reply during the login: LOGIN's challenges lead to the next
 * line; any other reply is the final one, and QUIT follows
 */
static enum sess_state
on_auth(
    enum sess_state state, const struct smtp_reply *rp, struct probe_result *r)
{
	struct login_result *l = &r->login;
	size_t len = rp->nlines > 0 ? rp->line[0].len : 0;
	const unsigned char *text =
	    rp->nlines > 0 ? rp->text + rp->line[0].off : rp->text;

	if (rp->code == 334 && l->mech == MECH_LOGIN &&
	    state != SESS_AUTH_PASS) {
		if (sasl_challenge_ok(text, len))
			return state == SESS_AUTH ? SESS_AUTH_USER
						  : SESS_AUTH_PASS;
		result_fail(&r->error, PHASE_QUIT, KIND_PROTOCOL,
		    "the server's 334 challenge to AUTH LOGIN is not base64 "
		    "(RFC 4954 4)");
	}
	/* 334 where no challenge is due is the final word all the same: a
	 * second answer would be a guess, and QUIT ends the exchange. */
	l->code = rp->code;
	join_lines(rp, &l->text);
	return SESS_QUIT;
}

/*
 * on_quit - with the injection check, the reply to QUIT inside TLS: 221
 * when every reply answered a command sent inside TLS; another reply
 * first when the server answered the NOOP sent in clear (then the reply
 * stored as EHLO's was the NOOP's, and this one is EHLO's)
 */
static enum sess_state
on_quit(const struct smtp_reply *rp, struct probe_result *r)
{
	struct injection_result *in = &r->injection;

	if (rp->code == 221) {
		in->judged = true;
		in->vulnerable = in->extra;
		snprintf(in->reason, sizeof(in->reason), "%s",
		    in->extra ? "the server answered the NOOP sent in clear "
				"after STARTTLS inside TLS, before the reply "
				"to EHLO: it keeps plaintext across the "
				"upgrade, so an attacker can inject commands "
				"into the TLS session (CVE-2011-0411)"
			: r->starttls.trailing_bytes > 0
			? "every reply inside TLS answered a command sent "
			  "there, and QUIT got 221; the bytes sent in clear "
			  "after the 220 (see starttls.trailing_bytes) may be "
			  "the NOOP's reply, run before the upgrade"
			: "every reply inside TLS answered a command "
			  "sent inside TLS and QUIT got 221: the NOOP "
			  "sent in clear after STARTTLS was discarded");
		return SESS_DONE;
	}
	if (in->extra) {
		snprintf(in->reason, sizeof(in->reason),
		    "replies inside TLS kept coming out of step (%d where "
		    "221 to QUIT was due), so they could not be matched",
		    rp->code);
		return SESS_DONE;
	}
	in->extra = true;
	reply_text(&r->ehlo_tls.reply, &in->evidence);
	result_ehlo_free(&r->ehlo_tls);
	smtp_ehlo_store(rp, false, &r->ehlo_tls);
	if (r->login.wanted && r->login.mech == MECH_NONE)
		snprintf(r->login.why, sizeof(r->login.why),
		    "not attempted: the server's replies inside TLS were one "
		    "step behind (it answered the injected NOOP there), so "
		    "its EHLO reply came too late to choose a mechanism");
	return SESS_QUIT;
}

/*
 * noop_in_tls - the NOOP went with STARTTLS, 220 came and TLS is up: the
 * replies inside TLS are the ones the check counts
 */
static bool
noop_in_tls(const struct probe_result *r)
{
	return r->injection.sent && r->starttls.code == 220 &&
	    r->tls.established;
}

/* injection_not_run - the dialogue never reached TLS after STARTTLS */
static void
injection_not_run(struct probe_result *r)
{
	struct injection_result *in = &r->injection;
	const char *why;

	if (r->mode == MODE_IMPLICIT || r->requested_mode == MODE_IMPLICIT)
		why = "this port speaks implicit TLS, and the check needs a "
		      "STARTTLS dialogue";
	else if (r->requested_mode == MODE_PLAIN)
		why = "plain mode never sends STARTTLS";
	else if (!r->ehlo.reply.present)
		why = "the dialogue ended before EHLO was answered (see error)";
	else if (!r->starttls.offered)
		why = "the server does not offer STARTTLS";
	else if (r->starttls.sent && r->starttls.code != 220) {
		snprintf(in->reason, sizeof(in->reason),
		    "not run: STARTTLS (with NOOP after it in the same write) "
		    "was answered with %d, not 220; a server that refuses "
		    "pipelining after STARTTLS says so here",
		    r->starttls.code);
		return;
	} else if (!r->starttls.sent)
		why = "no reply to STARTTLS came (see error)";
	else
		why = "TLS was not established after STARTTLS (see error)";
	snprintf(in->reason, sizeof(in->reason), "not run: %s", why);
}

/*
 * reply_text - a stored reply as "CODE first line" into t: a NOOP's reply
 * has one line, and ERR_MSG_MAX bytes of it are evidence enough
 */
static void
reply_text(const struct reply *rp, struct text *t)
{
	char buf[ERR_MSG_MAX];
	int n, len = 0;

	if (rp->nlines > 0)
		len = rp->lines[0].len < 200 ? (int)rp->lines[0].len : 200;
	n = snprintf(buf, sizeof(buf), "%d %.*s", rp->code, len,
	    len > 0 ? (const char *)rp->lines[0].data : "");
	result_text_set(t, buf, n > 0 && n < (int)sizeof(buf) ? (size_t)n : 0);
}

/* join_lines - a reply's lines joined by LF, into t */
static void
join_lines(const struct smtp_reply *rp, struct text *t)
{
	/* Every line of a bounded reply, with a separator between each. */
	unsigned char joined[SMTP_REPLY_BYTES_MAX + SMTP_REPLY_LINES_MAX];
	size_t i, k, n = 0;

	for (i = 0; i < rp->nlines && n < sizeof(joined); i++) {
		if (i > 0)
			joined[n++] = '\n';
		k = rp->line[i].len;
		if (k > sizeof(joined) - n)
			k = sizeof(joined) - n;
		memcpy(joined + n, rp->text + rp->line[i].off, k);
		n += k;
	}
	result_text_set(t, joined, n);
}
