/*
 * cert_trust.c - the trust anchors certificates are verified against, and
 * what is wrong with a PEM file the user named.
 *
 * Owns loading the anchors, from a PEM file (--cafile) or the system
 * store, into a GnuTLS trust list that the run keeps for all its probes,
 * and, when a file given to --cafile, --client-cert or --client-key cannot
 * be used, saying why in words a user can act on ("not PEM", "no
 * certificate in it") rather than GnuTLS's sentence alone. The only file
 * I/O of the certificate code; it judges no server.
 */
#include "cert.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

static const char *pem_problem(const gnutls_datum_t *, bool);
static bool readable(const gnutls_datum_t *, bool);
static bool has(const gnutls_datum_t *, const char *);
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
	const char *why;
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
		if (r <= 0)
			set_err(err, errlen, "--cafile %s: %s", cafile,
			    (why = cert_file_problem(cafile, false)) != NULL
				? why
				: r < 0 ? gnutls_strerror(r)
					: "no certificate in it could be read");
	}
	if (r <= 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return -1;
	}
	*out = tl;
	return 0;
}

/*
 * cert_file_problem - what keeps path, named for a certificate (key false)
 * or a private key (key true), from being used, or NULL when it holds one
 * that GnuTLS reads
 */
const char *
cert_file_problem(const char *path, bool key)
{
	gnutls_datum_t d = {NULL, 0};
	const char *why;

	if (gnutls_load_file(path, &d) < 0)
		return "cannot be read";
	why = pem_problem(&d, key);
	gnutls_free(d.data);
	return why;
}

/* pem_problem - what d lacks to hold a certificate or a key, or NULL */
static const char *
pem_problem(const gnutls_datum_t *d, bool key)
{
	if (!has(d, "-----BEGIN "))
		return "not PEM: no \"-----BEGIN\" line (a DER file converts "
		       "with openssl x509 -inform der)";
	if (!key && !has(d, "-----BEGIN CERTIFICATE-----") &&
	    !has(d, "-----BEGIN X509 CERTIFICATE-----"))
		return "PEM, but no certificate in it (no \"-----BEGIN "
		       "CERTIFICATE-----\" block)";
	if (!key)
		return readable(d, false) ? NULL
					  : "a certificate in it is damaged";
	if (has(d, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
	    has(d, "Proc-Type: 4,ENCRYPTED"))
		return "the private key in it is encrypted: give it without a "
		       "passphrase";
	if (!has(d, "PRIVATE KEY-----"))
		return "PEM, but no private key in it (no \"-----BEGIN ... "
		       "PRIVATE KEY-----\" block)";
	return readable(d, true) ? NULL : "the private key in it is damaged";
}

/* readable - whether GnuTLS parses the certificates or the key in d */
static bool
readable(const gnutls_datum_t *d, bool key)
{
	gnutls_x509_privkey_t pk;
	gnutls_x509_crt_t *crts;
	unsigned int n, i;
	int r;

	if (!key) {
		r = gnutls_x509_crt_list_import2(
		    &crts, &n, d, GNUTLS_X509_FMT_PEM, 0);
		if (r < 0)
			return false;
		for (i = 0; i < n; i++)
			gnutls_x509_crt_deinit(crts[i]);
		gnutls_free(crts);
		return true;
	}
	if (gnutls_x509_privkey_init(&pk) < 0)
		return false;
	r = gnutls_x509_privkey_import2(pk, d, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_x509_privkey_deinit(pk);
	return r >= 0;
}

/* has - whether d holds the text s */
static bool
has(const gnutls_datum_t *d, const char *s)
{
	return memmem(d->data, d->size, s, strlen(s)) != NULL;
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
