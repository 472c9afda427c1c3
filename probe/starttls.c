/*
 * starttls.c - the plaintext that follows a 220 to STARTTLS (RFC 3207 5):
 * counted and thrown away, never fed to TLS, because it is not protected
 * and a client that keeps it can be made to act on an attacker's replies
 * (CVE-2011-0411's mirror image). Only STARTTLS_TRAILING_MAX bytes of it
 * reach the transcript. Split from session.c, which calls it.
 */
#include "starttls.h"

#include <sys/types.h>

#include "result.h"

/* starttls_drain - count and discard what arrived after the 220 */
size_t
starttls_drain(struct sess *s, int64_t now)
{
	unsigned char buf[RX_CHUNK];
	char err[ERR_MSG_MAX];
	size_t total = 0;
	ssize_t n;

	while (total < SMTP_REPLY_WIRE_MAX) {
		n = s->plain.ops->recv(
		    &s->plain, buf, sizeof(buf), err, sizeof(err));
		if (n <= 0)
			break;
		starttls_log_trailing(s, buf, (size_t)n, now);
		total += (size_t)n;
	}
	return total;
}

/* starttls_log_trailing - what followed the 220, bounded, for people */
void
starttls_log_trailing(
    struct sess *s, const unsigned char *p, size_t len, int64_t now)
{
	result_transcript_add(&s->res->transcript, now - s->p.t0, TDIR_RECEIVED,
	    p, len < STARTTLS_TRAILING_MAX ? len : STARTTLS_TRAILING_MAX);
}
