/*
 * sasl.h - the SASL side of --auth-user (RFC 4954 AUTH with PLAIN, RFC
 * 4616, and LOGIN): which mechanism to use, and the lines to send.
 *
 * Only PLAIN and LOGIN: both send the password itself, which is what a
 * mail client configured with a password does, and smtp-probe sends them
 * only inside TLS. PLAIN is preferred: its initial response logs in with
 * one round trip, LOGIN needs three.
 */
#ifndef SMTP_PROBE_SASL_H
#define SMTP_PROBE_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "cred.h"
#include "names.h"
#include "result.h"

/* What a line of the exchange carries. */
enum sasl_step {
	SASL_AUTH,    /* "AUTH PLAIN <initial response>" or "AUTH LOGIN" */
	SASL_USER,    /* LOGIN: the user name, base64 */
	SASL_PASSWORD /* LOGIN: the password, base64 */
};

/*
 * sasl_choose - the mechanism to use among n offered ones (upper-cased,
 * as smtp_auth_mechs() gives them): PLAIN, else LOGIN, else MECH_NONE.
 */
enum login_mech sasl_choose(const struct text *offered, size_t n);

/*
 * sasl_line - the line (without CRLF) of step for mech into buf[0..size):
 * its length, or -1 when it does not fit (the bounds of bounds.h make it
 * fit in SMTP_CMD_MAX). *shown is what a transcript may show instead:
 * the credentials are masked as "****". Every temporary copy of the
 * credentials is zeroed; buf holds them until its owner zeroes it.
 */
int sasl_line(enum sasl_step step, enum login_mech mech, const struct cred *,
    char *buf, size_t size, const char **shown)
    __attribute__((warn_unused_result));

/*
 * sasl_challenge_ok - true when a 334 reply's text is base64 (RFC 4954
 * 4), as LOGIN's "VXNlcm5hbWU6" ("Username:") is; empty is allowed.
 */
bool sasl_challenge_ok(const unsigned char *text, size_t len);

#endif
