/*
 * test_plan.c - the attempt plan of auto mode, and how attempts merge, and
 * what each reply means in each state (dialogue.c): both pure, so every
 * branch is reached here without a server.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogue.h"
#include "plan.h"
#include "result.h"
#include "smtp.h"
#include "step.h"
#include "tap.h"

static void attempt(
    struct plan_attempt *, enum mode requested, enum mode, int64_t started);
static void test_first(void);
static void test_next(void);
static void test_merge_one(void);
static void test_merge_silent_then_implicit(void);
static void test_merge_plaintext_465(void);
static void test_parallel(void);
static void test_dialogue(void);
static enum sess_state reply(
    enum sess_state, enum mode, bool, const char *, struct probe_result *);

int
main(void)
{
	test_first();
	test_next();
	test_merge_one();
	test_merge_silent_then_implicit();
	test_merge_plaintext_465();
	test_parallel();
	test_dialogue();
	return done_testing();
}

/* attempt - an empty attempt of port 587 with a transcript */
static void
attempt(struct plan_attempt *a, enum mode requested, enum mode mode,
    int64_t started)
{
	memset(a, 0, sizeof(*a));
	result_probe_init(&a->res, 587, requested);
	a->res.transcript.enabled = true;
	a->mode = mode;
	a->started_ms = started;
}

static void
test_first(void)
{
	static const struct {
		enum mode requested;
		int port;
		enum mode want;
		int banner_wait; /* of a 30 s probe */
	} cases[] = {
	    {MODE_AUTO, 465, MODE_IMPLICIT, 0},
	    {MODE_AUTO, 25, MODE_STARTTLS, 15000},
	    {MODE_AUTO, 587, MODE_STARTTLS, 15000},
	    {MODE_STARTTLS, 465, MODE_STARTTLS, 0},
	    {MODE_IMPLICIT, 587, MODE_IMPLICIT, 0},
	    {MODE_PLAIN, 25, MODE_PLAIN, 0},
	};
	size_t i;
	enum mode m;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = plan_first(cases[i].requested, cases[i].port);
		is_str(mode_names[m], mode_names[cases[i].want],
		    lbl("first mode of %s on %d",
			mode_names[cases[i].requested], cases[i].port));
		is_int(plan_banner_timeout(cases[i].requested, 0, m, 30000),
		    cases[i].banner_wait,
		    lbl("greeting wait of %s on %d",
			mode_names[cases[i].requested], cases[i].port));
	}
	is_int(plan_banner_timeout(MODE_AUTO, 1, MODE_STARTTLS, 30000), 0,
	    "a second attempt waits until the probe's deadline");
}

static void
test_next(void)
{
	struct plan_attempt a[2];

	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	result_fail(&a[0].res.error, PHASE_BANNER, KIND_TIMEOUT, "silent");
	is_str(mode_names[plan_next(MODE_AUTO, a, 1, true)], "implicit",
	    "a silent STARTTLS port is tried with implicit TLS");
	is_str(mode_names[plan_next(MODE_AUTO, a, 1, false)], "unknown",
	    "not once the probe's time is spent");
	is_str(mode_names[plan_next(MODE_STARTTLS, a, 1, true)], "unknown",
	    "not when the mode was asked for");
	is_str(mode_names[plan_next(MODE_AUTO, a, 2, true)], "unknown",
	    "never a third attempt");
	result_probe_free(&a[0].res);

	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	result_fail(&a[0].res.error, PHASE_EHLO, KIND_TIMEOUT, "slow EHLO");
	is_str(mode_names[plan_next(MODE_AUTO, a, 1, true)], "unknown",
	    "a port that greeted is not retried");
	result_probe_free(&a[0].res);

	attempt(&a[0], MODE_AUTO, MODE_IMPLICIT, 0);
	result_fail(&a[0].res.error, PHASE_HANDSHAKE, KIND_PROTOCOL, "220");
	a[0].smtp_answer = true;
	is_str(mode_names[plan_next(MODE_AUTO, a, 1, true)], "starttls",
	    "465 answering in plaintext is tried with STARTTLS");
	a[0].smtp_answer = false;
	is_str(mode_names[plan_next(MODE_AUTO, a, 1, true)], "unknown",
	    "a TLS failure on 465 is not retried");
	result_probe_free(&a[0].res);
}

static void
test_merge_one(void)
{
	struct plan_attempt a[1];
	struct probe_result out;

	attempt(&a[0], MODE_STARTTLS, MODE_STARTTLS, 0);
	a[0].res.timing.phase[PHASE_BANNER] = 30000;
	result_fail(&a[0].res.error, PHASE_BANNER, KIND_TIMEOUT,
	    "no greeting within 30 s");
	result_transcript_add(&a[0].res.transcript, 1, TDIR_SENT, "x", 1);
	plan_merge(&out, a, 1, 30004);
	is_str(out.error.message,
	    "no greeting within 30 s; a port that expects implicit TLS "
	    "(usually 465) behaves like this for a STARTTLS client",
	    "a silent port without a retry says what it may be");
	is_int(out.timing.total, 30004, "total is the probe's");
	is_int(out.timing.phase[PHASE_BANNER], 30000, "phases are its own");
	is_int(out.transcript.n, 1, "the transcript moved");
	ok(!out.other_mode_tried && !out.detected_other_mode, "no other mode");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
}

static void
test_merge_silent_then_implicit(void)
{
	struct plan_attempt a[2];
	struct probe_result out;

	/* The implicit retry worked: the port expects implicit TLS. */
	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	result_fail(&a[0].res.error, PHASE_BANNER, KIND_TIMEOUT, "silent");
	result_transcript_add(&a[0].res.transcript, 0, TDIR_TLS, "a", 1);
	attempt(&a[1], MODE_AUTO, MODE_IMPLICIT, 15000);
	a[1].res.tls.established = true;
	a[1].res.mode = MODE_IMPLICIT;
	a[1].res.timing.phase[PHASE_HANDSHAKE] = 7;
	result_transcript_add(&a[1].res.transcript, 15003, TDIR_TLS, "b", 1);
	plan_merge(&out, a, 2, 15020);
	is_str(mode_names[out.mode], "implicit", "the retry decides");
	ok(!out.error.set, "without the first attempt's error");
	ok(out.other_mode_tried && out.detected_other_mode, "detected");
	is_int(out.timing.phase[PHASE_HANDSHAKE], 7, "the retry's timings");
	is_int(out.timing.total, 15020, "and the whole probe's total");
	is_int(out.transcript.n, 3, "both dialogues and a note");
	is_mem(out.transcript.lines[1].text.data,
	    out.transcript.lines[1].text.len, "reconnecting in implicit mode",
	    "the note names the mode");
	is_int(out.transcript.lines[1].ms, 15000, "at the retry's start");
	is_int(out.transcript.lines[2].ms, 15003, "retry lines keep times");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);

	/* The retry failed: the first attempt's report, and why. */
	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	result_fail(&a[0].res.error, PHASE_BANNER, KIND_TIMEOUT, "silent");
	a[0].res.timing.phase[PHASE_BANNER] = 15000;
	attempt(&a[1], MODE_AUTO, MODE_IMPLICIT, 15000);
	result_fail(&a[1].res.error, PHASE_HANDSHAKE, KIND_TLS, "no TLS");
	plan_merge(&out, a, 2, 30000);
	is_str(out.error.message,
	    "silent; a second connection trying implicit TLS failed too: no "
	    "TLS",
	    "the retry's failure is named");
	is_str(phase_names[out.error.phase], "banner", "first error's phase");
	is_int(out.timing.phase[PHASE_BANNER], 15000, "first timings");
	ok(out.other_mode_tried && !out.detected_other_mode, "not detected");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);

	/* The retry met a plaintext greeting: a slow STARTTLS port. */
	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	result_fail(&a[0].res.error, PHASE_BANNER, KIND_TIMEOUT, "silent");
	attempt(&a[1], MODE_AUTO, MODE_IMPLICIT, 7000);
	result_fail(&a[1].res.error, PHASE_HANDSHAKE, KIND_PROTOCOL, "220");
	a[1].smtp_answer = true;
	plan_merge(&out, a, 2, 7100);
	ok(strstr(out.error.message, "greets later") != NULL,
	    "a late greeting is called one");
	is_str(kind_names[out.error.kind], "timeout", "kind stays timeout");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);
}

static void
test_merge_plaintext_465(void)
{
	struct plan_attempt a[2];
	struct probe_result out;

	attempt(&a[0], MODE_AUTO, MODE_IMPLICIT, 0);
	result_fail(&a[0].res.error, PHASE_HANDSHAKE, KIND_PROTOCOL, "220");
	a[0].smtp_answer = true;
	attempt(&a[1], MODE_AUTO, MODE_STARTTLS, 40);
	result_fail(&a[1].res.error, PHASE_EHLO, KIND_PROTOCOL, "refused");
	plan_merge(&out, a, 2, 90);
	is_str(out.error.message, "refused",
	    "the STARTTLS dialogue decides, even when it fails");
	ok(out.other_mode_tried && out.detected_other_mode, "detected");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);
}

static void
test_parallel(void)
{
	struct plan_attempt a[2];
	struct probe_result out;

	is_int(plan_parallel_pause(MODE_AUTO, 587, MODE_STARTTLS), 1500,
	    "a silent submission port gets a parallel attempt after 1.5 s");
	is_int(plan_parallel_pause(MODE_AUTO, 25, MODE_STARTTLS), 0,
	    "never on 25: MX servers delay greetings on purpose");
	is_int(plan_parallel_pause(MODE_AUTO, 465, MODE_IMPLICIT), 0,
	    "nor when implicit TLS comes first");
	is_int(plan_parallel_pause(MODE_STARTTLS, 587, MODE_STARTTLS), 0,
	    "nor outside auto mode");

	/* A late greeting wins over the implicit attempt. */
	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	a[0].res.banner.present = true;
	a[0].res.mode = MODE_STARTTLS;
	result_transcript_add(
	    &a[0].res.transcript, 1800, TDIR_RECEIVED, "220 late", 8);
	attempt(&a[1], MODE_AUTO, MODE_IMPLICIT, 1500);
	result_transcript_add(&a[1].res.transcript, 1501, TDIR_TLS, "hello", 5);
	result_fail(&a[1].res.error, PHASE_HANDSHAKE, KIND_TIMEOUT, "given up");
	a[1].res.timing.total = 1810;
	ok(plan_decides(a, 0), "a greeting decides");
	ok(!plan_decides(a, 1), "an implicit attempt without TLS does not");
	plan_merge(&out, a, 2, 1820);
	is_str(mode_names[out.mode], "starttls", "the greeting's dialogue");
	ok(!out.detected_other_mode, "the port speaks STARTTLS");
	is_int(out.transcript.n, 3, "both dialogues and the note");
	is_mem(out.transcript.lines[0].text.data,
	    out.transcript.lines[0].text.len, "reconnecting in implicit mode",
	    "the note at the parallel start");
	is_mem(out.transcript.lines[1].text.data,
	    out.transcript.lines[1].text.len, "hello", "lines in time order");
	is_mem(out.transcript.lines[2].text.data,
	    out.transcript.lines[2].text.len, "220 late", "the late greeting");
	is_int(out.nattempts, 2, "two attempts listed");
	is_str(mode_names[out.attempts[1].mode], "implicit", "second's mode");
	is_str(out.attempts[1].error.message, "given up", "second's error");
	is_int(out.attempts[1].timing.total, 310, "second's own time");
	ok(!out.attempts[0].error.set, "the first ran to QUIT");
	result_probe_free(&out);
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);

	/* Implicit TLS answered first. */
	attempt(&a[0], MODE_AUTO, MODE_STARTTLS, 0);
	attempt(&a[1], MODE_AUTO, MODE_IMPLICIT, 1500);
	a[1].res.tls.established = true;
	ok(plan_decides(a, 1), "an implicit handshake decides");
	result_probe_free(&a[0].res);
	result_probe_free(&a[1].res);
}

/* reply - feed text as one reply and step the dialogue */
static enum sess_state
reply(enum sess_state st, enum mode mode, bool tls_on, const char *text,
    struct probe_result *r)
{
	return dialogue_step(st, mode, tls_on, false, text, r);
}

static void
test_dialogue(void)
{
	static const struct {
		const char *label;
		enum sess_state st;
		enum mode mode;
		bool tls_on;
		const char *text;
		enum sess_state want;
		const char *error; /* NULL: none */
	} cases[] = {
	    {"greeting", SESS_BANNER, MODE_STARTTLS, false, "220 hi\r\n",
		SESS_EHLO, NULL},
	    {"greeting inside TLS", SESS_BANNER, MODE_IMPLICIT, true,
		"220 hi\r\n", SESS_EHLO_TLS, NULL},
	    {"refusing greeting", SESS_BANNER, MODE_STARTTLS, false,
		"554 no\r\n", SESS_QUIT,
		"the server greeted with 554 instead of 220: it refuses to "
		"serve this client now"},
	    {"EHLO with STARTTLS", SESS_EHLO, MODE_STARTTLS, false,
		"250-x\r\n250 STARTTLS\r\n", SESS_STARTTLS, NULL},
	    {"plain mode never starts TLS", SESS_EHLO, MODE_PLAIN, false,
		"250-x\r\n250 STARTTLS\r\n", SESS_QUIT, NULL},
	    {"EHLO without STARTTLS", SESS_EHLO, MODE_STARTTLS, false,
		"250 x\r\n", SESS_QUIT, NULL},
	    {"EHLO unknown: HELO", SESS_EHLO, MODE_STARTTLS, false,
		"502 what\r\n", SESS_HELO, NULL},
	    {"EHLO refused for now", SESS_EHLO, MODE_STARTTLS, false,
		"421 busy\r\n", SESS_QUIT,
		"EHLO was answered with 421: the server refuses this client "
		"for now"},
	    {"HELO refused", SESS_HELO, MODE_STARTTLS, false, "550 no\r\n",
		SESS_QUIT, "HELO was refused with 550 after EHLO was refused"},
	    {"EHLO inside TLS ends with QUIT", SESS_EHLO_TLS, MODE_STARTTLS,
		true, "250-x\r\n250 STARTTLS\r\n", SESS_QUIT, NULL},
	    {"STARTTLS accepted", SESS_STARTTLS, MODE_STARTTLS, false,
		"220 go\r\n", SESS_HANDSHAKE, NULL},
	    {"STARTTLS refused", SESS_STARTTLS, MODE_STARTTLS, false,
		"454 no TLS\r\n", SESS_QUIT, "STARTTLS was refused with 454"},
	    {"a reply nobody asked for", SESS_QUIT, MODE_STARTTLS, false,
		"250 ok\r\n", SESS_DONE,
		"the server sent a reply nobody asked for"},
	};
	struct probe_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_probe_init(&r, 25, MODE_AUTO);
		is_str(dialogue_state_name(reply(cases[i].st, cases[i].mode,
			   cases[i].tls_on, cases[i].text, &r)),
		    dialogue_state_name(cases[i].want), cases[i].label);
		is_str(r.error.set ? r.error.message : NULL, cases[i].error,
		    lbl("%s: error", cases[i].label));
		result_probe_free(&r);
	}
	result_probe_init(&r, 25, MODE_AUTO);
	reply(SESS_STARTTLS, MODE_STARTTLS, false, "220-a\r\n220 b\r\n", &r);
	is_mem(r.starttls.text.data, r.starttls.text.len, "a\nb",
	    "the STARTTLS reply's lines joined");
	is_str(mode_names[r.mode], "starttls", "the mode once accepted");
	result_probe_free(&r);
	result_probe_init(&r, 25, MODE_AUTO);
	reply(SESS_HELO, MODE_STARTTLS, true, "550 no\r\n", &r);
	is_str(phase_names[r.error.phase], "ehlo_tls",
	    "HELO inside TLS is in the ehlo_tls phase");
	result_probe_free(&r);
}
