/*
 * step.h - one reply through the dialogue (dialogue.c), for the unit
 * tests of its states: test_plan.c and test_login.c.
 */
#ifndef SMTP_PROBE_STEP_H
#define SMTP_PROBE_STEP_H

#include <stdbool.h>
#include <string.h>

#include "dialogue.h"
#include "smtp.h"

/*
 * dialogue_step - feed text as one complete reply received in state st
 * and return the next state; SESS_STATE_COUNT when text is not one reply
 */
static inline enum sess_state
dialogue_step(enum sess_state st, enum mode mode, bool tls_on, bool login,
    const char *text, struct probe_result *r)
{
	static struct smtp_reader rd;
	const char *why;
	size_t used;

	smtp_reader_init(&rd);
	if (smtp_reader_feed(&rd, (const unsigned char *)text, strlen(text),
		&used, &why) != SMTP_REPLY_DONE)
		return SESS_STATE_COUNT;
	return dialogue_reply(st, mode, tls_on, login, &rd.reply, r);
}

#endif
