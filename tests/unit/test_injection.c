/*
 * test_injection.c - the injection check of --check-injection without a
 * server (dialogue.c): whole dialogues inside TLS, reply by reply, for a
 * correct server, a vulnerable one (its replies one behind: the NOOP's
 * 250 taken for EHLO's, then the EHLO reply where the 221 was due), one
 * that answers QUIT out of step, and the reasons when the check cannot
 * run. The session (session.c) feeds replies exactly like this; the
 * end-to-end tests (tests/injection.bats) run it against real servers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dialogue.h"
#include "result.h"
#include "smtp.h"
#include "step.h"
#include "tap.h"

#define EHLO_CLEAR "250-x.test\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"
#define EHLO_TLS "250-x.test\r\n250 SIZE 1000\r\n"

static void test_correct(void);
static void test_vulnerable(void);
static void test_out_of_step(void);
static void test_not_run(void);
static void one_behind(struct probe_result *);
static enum sess_state upgrade(struct probe_result *, bool wanted);
static const char *name(enum sess_state);

int
main(void)
{
	test_correct();
	test_vulnerable();
	test_out_of_step();
	test_not_run();
	return done_testing();
}

/* test_correct - every reply inside TLS in step, 221 to QUIT */
static void
test_correct(void)
{
	struct probe_result r;

	result_probe_init(&r, 25, MODE_STARTTLS);
	is_str(name(upgrade(&r, true)), "HANDSHAKE", "correct: 220, TLS next");
	ok(r.injection.sent, "correct: the NOOP went with STARTTLS");
	ok(!dialogue_quit_awaited(&r), "correct: nothing awaited before TLS");
	r.tls.established = true;
	is_str(name(dialogue_step(
		   SESS_EHLO_TLS, MODE_STARTTLS, true, false, EHLO_TLS, &r)),
	    "QUIT", "correct: EHLO answered, QUIT");
	ok(dialogue_quit_awaited(&r), "correct: the reply to QUIT awaited");
	is_str(name(dialogue_step(SESS_QUIT, MODE_STARTTLS, true, false,
		   "221 2.0.0 Bye\r\n", &r)),
	    "DONE", "correct: 221 ends it");
	ok(r.injection.judged && !r.injection.vulnerable,
	    "correct: not vulnerable");
	is_int((long long)r.injection.evidence.len, 0, "correct: no evidence");
	ok(!dialogue_quit_awaited(&r), "correct: nothing awaited once judged");
	ok(!r.error.set, "correct: no error");
	result_probe_free(&r);
}

/* test_vulnerable - the NOOP's reply first, EHLO's one step late */
static void
test_vulnerable(void)
{
	struct probe_result r;

	result_probe_init(&r, 25, MODE_STARTTLS);
	r.login.wanted = true;
	upgrade(&r, true);
	r.tls.established = true;
	is_str(name(dialogue_step(SESS_EHLO_TLS, MODE_STARTTLS, true, true,
		   "250 2.0.0 Ok\r\n", &r)),
	    "QUIT", "vulnerable: the NOOP's 250 taken for EHLO's, no AUTH");
	is_str(name(dialogue_step(
		   SESS_QUIT, MODE_STARTTLS, true, true, EHLO_TLS, &r)),
	    "QUIT", "vulnerable: EHLO's reply where 221 was due: wait on");
	ok(r.injection.extra && !r.injection.judged,
	    "vulnerable: one reply too many, not judged before the 221");
	is_mem(r.injection.evidence.data, r.injection.evidence.len,
	    "250 2.0.0 Ok", "vulnerable: the NOOP's reply is the evidence");
	is_int((long long)r.ehlo_tls.reply.nlines, 2,
	    "vulnerable: ehlo_tls is EHLO's reply now");
	ok(smtp_has_cap(&r.ehlo_tls, "SIZE"),
	    "vulnerable: with its capabilities");
	ok(strstr(r.login.why, "one step behind") != NULL,
	    "vulnerable: why the login was not attempted");
	is_str(name(dialogue_step(SESS_QUIT, MODE_STARTTLS, true, true,
		   "221 2.0.0 Bye\r\n", &r)),
	    "DONE", "vulnerable: then the 221");
	ok(r.injection.judged && r.injection.vulnerable,
	    "vulnerable: vulnerable");
	ok(strstr(r.injection.reason, "CVE-2011-0411") != NULL,
	    "vulnerable: the reason names the CVE");
	result_probe_free(&r);
}

/* test_out_of_step - no 221 after the extra reply: no verdict */
static void
test_out_of_step(void)
{
	struct probe_result r;

	one_behind(&r);
	is_str(name(dialogue_step(
		   SESS_QUIT, MODE_STARTTLS, true, false, "250 bye\r\n", &r)),
	    "DONE", "out of step twice: ends");
	ok(!r.injection.judged, "out of step twice: no verdict");
	ok(strstr(r.injection.reason, "out of step") != NULL,
	    "out of step twice: said so");
	result_probe_free(&r);
	/* The dialogue ends after the extra reply, before any 221. */
	one_behind(&r);
	dialogue_injection_close(&r);
	ok(!r.injection.judged && strstr(r.injection.reason, "no 221") != NULL,
	    "closed after the extra reply: no verdict, said why");
	result_probe_free(&r);
}

/* one_behind - a vulnerable server's dialogue up to its EHLO reply */
static void
one_behind(struct probe_result *r)
{
	result_probe_init(r, 25, MODE_STARTTLS);
	upgrade(r, true);
	r->tls.established = true;
	dialogue_step(
	    SESS_EHLO_TLS, MODE_STARTTLS, true, false, "250 2.0.0 Ok\r\n", r);
	dialogue_step(SESS_QUIT, MODE_STARTTLS, true, false, EHLO_TLS, r);
}

/* test_not_run - why there is no verdict, by how far the dialogue got */
static void
test_not_run(void)
{
	struct probe_result r;

	result_probe_init(&r, 25, MODE_STARTTLS);
	upgrade(&r, false);
	ok(!r.injection.sent, "not asked: STARTTLS alone");
	dialogue_injection_close(&r);
	is_str(r.injection.reason, "", "not asked: nothing said");
	result_probe_free(&r);

	result_probe_init(&r, 465, MODE_IMPLICIT);
	r.injection.wanted = true;
	dialogue_injection_close(&r);
	ok(strstr(r.injection.reason, "implicit TLS") != NULL,
	    "implicit: not run");
	result_probe_free(&r);

	result_probe_init(&r, 25, MODE_STARTTLS);
	r.injection.wanted = true;
	dialogue_step(
	    SESS_BANNER, MODE_STARTTLS, false, false, "220 x\r\n", &r);
	dialogue_step(
	    SESS_EHLO, MODE_STARTTLS, false, false, "250 x.test\r\n", &r);
	dialogue_injection_close(&r);
	is_str(r.injection.reason,
	    "not run: the server does not offer STARTTLS",
	    "no STARTTLS: not run");
	result_probe_free(&r);

	result_probe_init(&r, 25, MODE_STARTTLS);
	r.injection.wanted = true;
	dialogue_step(
	    SESS_BANNER, MODE_STARTTLS, false, false, "220 x\r\n", &r);
	dialogue_step(SESS_EHLO, MODE_STARTTLS, false, false, EHLO_CLEAR, &r);
	dialogue_step(SESS_STARTTLS, MODE_STARTTLS, false, false,
	    "503 5.5.0 pipelining not allowed\r\n", &r);
	dialogue_injection_close(&r);
	ok(strstr(r.injection.reason, "answered with 503") != NULL,
	    "STARTTLS refused: not run, with the code");
	result_probe_free(&r);

	result_probe_init(&r, 25, MODE_STARTTLS);
	upgrade(&r, true);
	dialogue_injection_close(&r);
	ok(strstr(r.injection.reason, "TLS was not established") != NULL,
	    "handshake failed: not run");
	result_probe_free(&r);
}

/* upgrade - banner, EHLO offering STARTTLS, 220 to STARTTLS */
static enum sess_state
upgrade(struct probe_result *r, bool wanted)
{
	r->injection.wanted = wanted;
	dialogue_step(SESS_BANNER, MODE_STARTTLS, false, false, "220 x\r\n", r);
	dialogue_step(SESS_EHLO, MODE_STARTTLS, false, false, EHLO_CLEAR, r);
	return dialogue_step(SESS_STARTTLS, MODE_STARTTLS, false, false,
	    "220 2.0.0 Ready\r\n", r);
}

static const char *
name(enum sess_state st)
{
	return st < SESS_STATE_COUNT ? dialogue_state_name(st)
				     : "(not a reply)";
}
