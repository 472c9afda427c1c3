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
 * starttls_discard - count and throw away rest[0..restlen), what came
 * after the 220 to STARTTLS in the same read, and what already waits on
 * the socket after it (at most SMTP_REPLY_WIRE_MAX bytes more: a flood
 * cannot keep the session here); the first STARTTLS_TRAILING_MAX bytes
 * go to the transcript. Returns the count.
 */
size_t starttls_discard(
    struct sess *, const unsigned char *rest, size_t restlen, int64_t now);

#endif
