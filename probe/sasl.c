/*
 * sasl.c - mechanism choice and the lines of a PLAIN or LOGIN exchange.
 *
 * Base64 is GnuTLS's (gnutls_base64_encode2/decode2), the library the
 * tool already links: Cyrus SASL would add a library and its plugin
 * configuration for two mechanisms that are a few lines each. SCRAM and
 * CRAM-MD5 are left out on purpose: the question --auth-user answers is
 * whether a mail client set up with this user and password can log in
 * once TLS is up, and such clients use PLAIN or LOGIN there. CRAM-MD5
 * makes the server keep every password in clear and is obsolete; SCRAM
 * works only where the server holds SCRAM secrets for the user, so its
 * failure would not tell a wrong password from a missing secret.
 *
 * The credentials pass through a stack buffer and GnuTLS's output, both
 * zeroed before they are released.
 */
#include "sasl.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "bounds.h"

static int encode(const void *, size_t, char *, size_t);

/* sasl_choose - PLAIN (one round trip), else LOGIN */
enum login_mech
sasl_choose(const struct text *offered, size_t n)
{
	enum login_mech best = MECH_NONE;
	size_t i;

	for (i = 0; i < n; i++) {
		if (offered[i].len == 5 &&
		    memcmp(offered[i].data, "PLAIN", 5) == 0)
			best = MECH_PLAIN;
		else if (best == MECH_NONE && offered[i].len == 5 &&
		    memcmp(offered[i].data, "LOGIN", 5) == 0)
			best = MECH_LOGIN;
	}
	return best;
}

/* sasl_line - one line of the exchange, credentials masked in *shown */
int
sasl_line(enum sasl_step step, enum login_mech mech, const struct cred *c,
    char *buf, size_t size, const char **shown)
{
	/* RFC 4616: authzid (empty) NUL authcid NUL passwd. */
	unsigned char msg[2 + AUTH_USER_MAX + AUTH_PASSWORD_MAX];
	size_t ulen = strlen(c->user);
	int n;

	*shown = "****";
	if (step == SASL_USER)
		return encode(c->user, ulen, buf, size);
	if (step == SASL_PASSWORD)
		return encode(c->password, c->password_len, buf, size);
	if (mech == MECH_LOGIN) {
		*shown = "AUTH LOGIN";
		n = snprintf(buf, size, "AUTH LOGIN");
		return n > 0 && (size_t)n < size ? n : -1;
	}
	*shown = "AUTH PLAIN ****";
	if (ulen > AUTH_USER_MAX || c->password_len > AUTH_PASSWORD_MAX ||
	    size < sizeof("AUTH PLAIN "))
		return -1;
	msg[0] = '\0';
	memcpy(msg + 1, c->user, ulen);
	msg[1 + ulen] = '\0';
	memcpy(msg + 2 + ulen, c->password, c->password_len);
	memcpy(buf, "AUTH PLAIN ", 11);
	n = encode(msg, 2 + ulen + c->password_len, buf + 11, size - 11);
	explicit_bzero(msg, sizeof(msg));
	return n == -1 ? -1 : n + 11;
}

/* sasl_challenge_ok - the text of a 334 decodes as base64 */
bool
sasl_challenge_ok(const unsigned char *text, size_t len)
{
	gnutls_datum_t in, out;
	bool ok;

	if (len == 0)
		return true;
	in.data = (unsigned char *)text;
	in.size = (unsigned int)len;
	ok = gnutls_base64_decode2(&in, &out) == 0;
	if (ok)
		gnutls_free(out.data);
	return ok;
}

/* encode - base64 of data[0..len) into buf as a string; its length or -1 */
static int
encode(const void *data, size_t len, char *buf, size_t size)
{
	gnutls_datum_t in, out;
	int n = -1;

	in.data = (unsigned char *)data;
	in.size = (unsigned int)len;
	if (gnutls_base64_encode2(&in, &out) != 0)
		return -1;
	if (out.size < size) {
		memcpy(buf, out.data, out.size);
		buf[out.size] = '\0';
		n = (int)out.size;
	}
	explicit_bzero(out.data, out.size);
	gnutls_free(out.data);
	return n;
}
