/*
 * cert_trust.c - the trust anchors certificates are verified against.
 *
 * Owns loading them, from a PEM file (--cafile) or the system store, into
 * a GnuTLS trust list that the run keeps for all its probes. The only
 * file I/O of the certificate code; it judges nothing.
 */
#include "cert.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

static void set_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * cert_trust_load - a trust list from cafile (PEM), or the system store when
 * cafile is NULL. A source that yields no certificate is an error: a probe
 * against an empty trust list would call every server untrusted.
 */
int
cert_trust_load(
    const char *cafile, gnutls_x509_trust_list_t *out, char *err, size_t errlen)
{
	gnutls_x509_trust_list_t tl;
	int r;

	*out = NULL;
	if ((r = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
		set_err(err, errlen, "cannot create a trust list: %s",
		    gnutls_strerror(r));
		return -1;
	}
	if (cafile == NULL) {
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (r == 0 || r == GNUTLS_E_NO_CERTIFICATE_FOUND)
			set_err(err, errlen,
			    "system trust store: no certificate found");
		else if (r < 0)
			set_err(err, errlen, "system trust store: %s",
			    gnutls_strerror(r));
	} else {
		r = gnutls_x509_trust_list_add_trust_file(
		    tl, cafile, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (r == 0 || r == GNUTLS_E_NO_CERTIFICATE_FOUND)
			set_err(err, errlen,
			    "--cafile %s: no PEM certificate found", cafile);
		else if (r < 0)
			set_err(err, errlen, "--cafile %s: %s", cafile,
			    gnutls_strerror(r));
	}
	if (r <= 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return -1;
	}
	*out = tl;
	return 0;
}

/* set_err - format a message into err; a cut message ends in "..." */
static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	r = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (r < 0)
		(void)snprintf(err, errlen, "%s", "error");
	else if ((size_t)r >= errlen && errlen > 3)
		memcpy(err + errlen - 4, "...", 4);
}
