/*
 * starttls.c - the plaintext that follows a 220 to STARTTLS (RFC 3207 5):
 * counted and thrown away, never fed to TLS, because it is not protected
 * and a client that keeps it can be made to act on an attacker's replies
 * (CVE-2011-0411's mirror image). Only its first STARTTLS_TRAILING_MAX
 * bytes reach the transcript, however many reads bring it: a flood must
 * not crowd the rest of the dialogue out of the transcript's budget.
 * Split from session.c, which calls it.
 */
#include "starttls.h"

#include <sys/types.h>

#include "result.h"

static void log_trailing(
    struct sess *, const unsigned char *, size_t, size_t, int64_t);

/* starttls_discard - count and drop rest and what already waits after it */
size_t
starttls_discard(
    struct sess *s, const unsigned char *rest, size_t restlen, int64_t now)
{
	unsigned char buf[RX_CHUNK];
	char err[ERR_MSG_MAX];
	size_t drained = 0;
	ssize_t n;

	log_trailing(s, rest, restlen, 0, now);
	while (drained < SMTP_REPLY_WIRE_MAX) {
		n = s->plain.ops->recv(
		    &s->plain, buf, sizeof(buf), err, sizeof(err));
		if (n <= 0)
			break;
		log_trailing(s, buf, (size_t)n, restlen + drained, now);
		drained += (size_t)n;
	}
	return restlen + drained;
}

/*
 * log_trailing - p[0..len), which follows logged bytes of the same
 * plaintext, in the transcript as far as STARTTLS_TRAILING_MAX allows
 */
static void
log_trailing(struct sess *s, const unsigned char *p, size_t len, size_t logged,
    int64_t now)
{
	if (len == 0 || logged >= STARTTLS_TRAILING_MAX)
		return;
	if (len > STARTTLS_TRAILING_MAX - logged)
		len = STARTTLS_TRAILING_MAX - logged;
	result_transcript_add(
	    &s->res->transcript, now - s->p.t0, TDIR_RECEIVED, p, len);
}
