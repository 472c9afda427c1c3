/*
 * starttls.h - what a session does with the bytes around the upgrade to
 * TLS (RFC 3207 5): whatever followed the server's 220 to STARTTLS in
 * clear is counted, shown in the transcript and thrown away, never fed to
 * TLS. (The STARTTLS command itself, and with --check-injection the NOOP
 * in the same write, are sent by session.c; dialogue.c judges the replies.)
 */
#ifndef SMTP_PROBE_STARTTLS_H
#define SMTP_PROBE_STARTTLS_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

/*
 * starttls_drain - read and discard what already arrived on the socket
 * after the 220 to STARTTLS, at most SMTP_REPLY_WIRE_MAX bytes (a flood
 * cannot keep the session here); returns the count
 */
size_t starttls_drain(struct sess *, int64_t now);

/* starttls_log_trailing - p[0..len) in the transcript, bounded */
void starttls_log_trailing(
    struct sess *, const unsigned char *p, size_t len, int64_t now);

#endif
