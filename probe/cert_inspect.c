/*
 * cert_inspect.c - the certificate chain as sent, parsed once and described.
 *
 * Owns cert_examine(), the one entry point after a handshake: each DER
 * certificate is parsed by GnuTLS once, described into struct cert_info
 * (RFC 5280 4.1 fields, SANs of 4.2.1.6, basic constraints of 4.2.1.9),
 * and the parsed chain is handed to cert_verify.c, which judges it. No I/O
 * and no clock: "now" is a parameter.
 *
 * Strings from a certificate are server data: they are kept raw (renderers
 * escape them), shorter than CERT_DN_MAX bytes (cut on a UTF-8 boundary),
 * with NUL bytes turned into '?' because a C string cannot carry them. At
 * most CERT_CHAIN_MAX certificates and CERT_SAN_MAX names of each kind are
 * looked at.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* inet_ntop() under -std=c11 */
#endif

#include "cert.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "bounds.h"
#include "dane.h"
#include "names.h"
#include "result.h"
#include "xalloc.h"

/*
 * For the self-signature check only: verify the certificate against itself
 * as the sole anchor, without the shortcut that trusts a certificate found
 * in the anchor list (DO_NOT_ALLOW_SAME), and without the policy checks
 * (CA flag, algorithm strength, time) that say nothing about who signed it.
 */
#define SELF_FLAGS                                                             \
	(GNUTLS_VERIFY_DO_NOT_ALLOW_SAME | GNUTLS_VERIFY_DISABLE_CA_SIGN |     \
	    GNUTLS_VERIFY_ALLOW_BROKEN |                                       \
	    GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT | CERT_NO_TIME_CHECKS)

#define DAY_SECONDS 86400

static void inspect_one(const gnutls_datum_t *, time_t, bool,
    struct cert_info *, struct cert_chain *);
static void inspect_unparsable(struct cert_info *, int);
static void inspect_names(gnutls_x509_crt_t, struct cert_info *);
static void inspect_serial(gnutls_x509_crt_t, struct cert_info *);
static void inspect_sans(gnutls_x509_crt_t, struct cert_info *);
static void inspect_algorithms(gnutls_x509_crt_t, struct cert_info *);
static enum pk_alg pk_alg_of(int);
static enum sig_hash sig_hash_of(gnutls_digest_algorithm_t);
static void inspect_hashes(gnutls_x509_crt_t, struct cert_info *);
static void der_fingerprint(const gnutls_datum_t *, struct cert_info *);
static void inspect_pem(const gnutls_datum_t *, struct cert_info *);
static void add_name(char ***, size_t *, const void *, size_t);
static char *bounded_dup(const void *, size_t);
static void hexify(const unsigned char *, size_t, char *, size_t);
static void copy_str(char *, size_t, const char *);
static long days_between(time_t, time_t);
static gnutls_x509_crt_t parse_der(const gnutls_datum_t *, int *);
static bool is_self_signed(gnutls_x509_crt_t);
static bool chain_key(const gnutls_datum_t *, size_t, unsigned char *);
static bool from_cache(struct cert_cache *, const unsigned char *, const char *,
    time_t, struct probe_result *);
static bool to_cache(struct cert_cache *, const unsigned char *,
    const struct probe_result *, const struct verification *,
    gnutls_x509_crt_t);
static void cache_drop(struct cert_cache *, size_t);

/*
 * cert_examine - describe and verify the chain, parsing each once, or
 * nothing at all when the run has seen the chain before
 */
void
cert_examine(const gnutls_datum_t *chain, size_t n,
    gnutls_x509_trust_list_t trust, struct cert_cache *cache,
    const char *hostname, time_t now, bool with_pem, struct probe_result *r)
{
	struct verification base;
	struct cert_chain pc;
	unsigned char key[32];
	size_t i, count;
	bool keyed = cache != NULL && chain_key(chain, n, key);

	dane_keep_chain(r, chain, n);
	if (keyed && from_cache(cache, key, hostname, now, r))
		return;
	memset(&pc, 0, sizeof(pc));
	pc.nsent = n;
	count = n < CERT_CHAIN_MAX ? n : CERT_CHAIN_MAX;
	/* Exactly the entries needed: a result's size follows its chain. */
	r->certs = count > 0 ? xcalloc(count, sizeof(*r->certs)) : NULL;
	for (i = 0; i < count; i++)
		inspect_one(&chain[i], now, with_pem, &r->certs[i], &pc);
	r->ncerts = count;
	r->chain_truncated = n > CERT_CHAIN_MAX;
	cert_verify_chain(&pc, trust, &base);
	cert_verify_finish(&r->verification, &base, r->certs, r->ncerts,
	    pc.leaf ? pc.crt[0] : NULL, hostname, now);
	/* The cache keeps the parsed leaf, to check other names against. */
	i = keyed && to_cache(cache, key, r, &base, pc.leaf ? pc.crt[0] : NULL)
	    ? 1
	    : 0;
	for (; i < pc.n; i++)
		gnutls_x509_crt_deinit(pc.crt[i]);
}

/* cert_cache_free - every cached chain */
void
cert_cache_free(struct cert_cache *cache)
{
	size_t i;

	for (i = 0; i < CERT_CACHE_MAX; i++)
		cache_drop(cache, i);
}

/*
 * from_cache - fill r from a chain seen before: its description (days
 * counted from now) and its verification finished for hostname and now
 */
static bool
from_cache(struct cert_cache *cache, const unsigned char *key,
    const char *hostname, time_t now, struct probe_result *r)
{
	size_t i, k;

	for (i = 0; i < CERT_CACHE_MAX; i++)
		if (cache->entry[i].used &&
		    memcmp(cache->entry[i].key, key, 32) == 0)
			break;
	if (i == CERT_CACHE_MAX)
		return false;
	r->ncerts = cache->entry[i].ncerts;
	r->certs = r->ncerts > 0 ? xcalloc(r->ncerts, sizeof(*r->certs)) : NULL;
	for (k = 0; k < r->ncerts; k++) {
		(void)result_cert_copy(&r->certs[k], &cache->entry[i].certs[k]);
		if (r->certs[k].parsed)
			r->certs[k].days_remaining =
			    days_between(now, r->certs[k].not_after);
	}
	r->chain_truncated = cache->entry[i].truncated;
	cert_verify_finish(&r->verification, &cache->entry[i].base, r->certs,
	    r->ncerts, cache->entry[i].leaf, hostname, now);
	return true;
}

/*
 * to_cache - keep r's chain, unless its description is too large; true
 * when the cache took leaf
 */
static bool
to_cache(struct cert_cache *cache, const unsigned char *key,
    const struct probe_result *r, const struct verification *base,
    gnutls_x509_crt_t leaf)
{
	struct cert_info *copy;
	size_t i, k, bytes = 0;

	copy = r->ncerts > 0 ? xcalloc(r->ncerts, sizeof(*copy)) : NULL;
	for (k = 0; k < r->ncerts; k++)
		bytes +=
		    sizeof(*copy) + result_cert_copy(&copy[k], &r->certs[k]);
	if (bytes > CERT_CACHE_ENTRY_MAX) {
		for (k = 0; k < r->ncerts; k++)
			result_cert_free(&copy[k]);
		free(copy);
		return false;
	}
	i = cache->next;
	cache->next = (cache->next + 1) % CERT_CACHE_MAX;
	cache_drop(cache, i);
	cache->entry[i].used = true;
	memcpy(cache->entry[i].key, key, 32);
	cache->entry[i].ncerts = r->ncerts;
	cache->entry[i].certs = copy;
	cache->entry[i].truncated = r->chain_truncated;
	cache->entry[i].base = *base;
	cache->entry[i].leaf = leaf;
	return leaf != NULL;
}

/* cache_drop - empty entry i */
static void
cache_drop(struct cert_cache *cache, size_t i)
{
	size_t k;

	if (!cache->entry[i].used)
		return;
	for (k = 0; k < cache->entry[i].ncerts; k++)
		result_cert_free(&cache->entry[i].certs[k]);
	free(cache->entry[i].certs);
	if (cache->entry[i].leaf != NULL)
		gnutls_x509_crt_deinit(cache->entry[i].leaf);
	memset(&cache->entry[i], 0, sizeof(cache->entry[i]));
}

/*
 * inspect_one - fill ci from one DER certificate, and keep the parsed
 * certificate in pc for verification (pc owns it from then on).
 */
static void
inspect_one(const gnutls_datum_t *der, time_t now, bool with_pem,
    struct cert_info *ci, struct cert_chain *pc)
{
	gnutls_x509_crt_t crt;
	int r;

	memset(ci, 0, sizeof(*ci));
	der_fingerprint(der, ci);
	if ((crt = parse_der(der, &r)) == NULL) {
		inspect_unparsable(ci, r);
		pc->unparsable = true;
		return;
	}
	ci->parsed = true;
	inspect_names(crt, ci);
	inspect_serial(crt, ci);
	ci->not_before = gnutls_x509_crt_get_activation_time(crt);
	ci->not_after = gnutls_x509_crt_get_expiration_time(crt);
	ci->days_remaining = days_between(now, ci->not_after);
	inspect_sans(crt, ci);
	inspect_algorithms(crt, ci);
	inspect_hashes(crt, ci);
	ci->self_signed = is_self_signed(crt);
	ci->is_ca = gnutls_x509_crt_get_ca_status(crt, NULL) > 0;
	if (with_pem)
		inspect_pem(der, ci);
	/* The first parsed, and none failed before it: the one sent first. */
	if (pc->n == 0 && !pc->unparsable)
		pc->leaf = true;
	pc->crt[pc->n] = crt;
	pc->self_signed[pc->n] = ci->self_signed;
	pc->is_ca[pc->n] = ci->is_ca;
	pc->n++;
}

/* inspect_unparsable - the entry of a certificate GnuTLS cannot read */
static void
inspect_unparsable(struct cert_info *ci, int gerr)
{
	char buf[ERR_MSG_MAX];
	int r;

	r = snprintf(buf, sizeof(buf), "(unparsable certificate: %s)",
	    gnutls_strerror(gerr));
	if (r < 0 || (size_t)r >= sizeof(buf))
		copy_str(buf, sizeof(buf), "(unparsable certificate)");
	ci->subject = xstrdup(buf);
	ci->issuer = xstrdup("");
}

/* inspect_names - subject and issuer DNs, RFC 4514 (most specific first) */
static void
inspect_names(gnutls_x509_crt_t crt, struct cert_info *ci)
{
	gnutls_datum_t d;

	if (gnutls_x509_crt_get_dn3(crt, &d, 0) >= 0) {
		ci->subject = bounded_dup(d.data, d.size);
		gnutls_free(d.data);
	} else
		ci->subject = xstrdup("");
	if (gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) >= 0) {
		ci->issuer = bounded_dup(d.data, d.size);
		gnutls_free(d.data);
	} else
		ci->issuer = xstrdup("");
}

/*
 * inspect_serial - the serial's bytes as GnuTLS returns them, in hex. A
 * serial longer than the field (RFC 5280 4.1.2.2 allows 20 octets; the field
 * holds 64) is left empty, "unknown", rather than cut.
 */
static void
inspect_serial(gnutls_x509_crt_t crt, struct cert_info *ci)
{
	unsigned char buf[(sizeof(ci->serial) - 1) / 2];
	size_t len = sizeof(buf);

	if (gnutls_x509_crt_get_serial(crt, buf, &len) >= 0)
		hexify(buf, len, ci->serial, sizeof(ci->serial));
}

/* inspect_sans - DNS names and IP addresses of subjectAltName */
static void
inspect_sans(gnutls_x509_crt_t crt, struct cert_info *ci)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t ext = {NULL, 0}, san;
	unsigned int i, type;
	char ip[INET6_ADDRSTRLEN];
	int af;

	if (gnutls_x509_crt_get_extension_by_oid2(
		crt, GNUTLS_X509EXT_OID_SAN, 0, &ext, NULL) < 0)
		return;
	if (gnutls_subject_alt_names_init(&sans) < 0)
		goto out;
	if (gnutls_x509_ext_import_subject_alt_names(&ext, sans, 0) < 0)
		goto out;
	for (i = 0;
	     gnutls_subject_alt_names_get(sans, i, &type, &san, NULL) >= 0;
	     i++) {
		if (type == GNUTLS_SAN_DNSNAME && ci->nsan_dns < CERT_SAN_MAX) {
			add_name(
			    &ci->san_dns, &ci->nsan_dns, san.data, san.size);
		} else if (type == GNUTLS_SAN_IPADDRESS &&
		    ci->nsan_ip < CERT_SAN_MAX) {
			/* Other lengths are address/mask forms of name
			 * constraints, meaningless in a SAN: skipped. */
			if (san.size == 4)
				af = AF_INET;
			else if (san.size == 16)
				af = AF_INET6;
			else
				continue;
			if (inet_ntop(af, san.data, ip, sizeof(ip)) != NULL)
				add_name(
				    &ci->san_ip, &ci->nsan_ip, ip, strlen(ip));
		}
		if (ci->nsan_dns >= CERT_SAN_MAX && ci->nsan_ip >= CERT_SAN_MAX)
			break;
	}
out:
	if (sans != NULL)
		gnutls_subject_alt_names_deinit(sans);
	gnutls_free(ext.data);
}

/* inspect_algorithms - public key type and size, signature algorithm */
static void
inspect_algorithms(gnutls_x509_crt_t crt, struct cert_info *ci)
{
	const char *name;
	unsigned int bits = 0;
	char oid[64];
	size_t len = sizeof(oid);
	int sign;

	ci->pk_algorithm =
	    pk_alg_of(gnutls_x509_crt_get_pk_algorithm(crt, &bits));
	if (ci->pk_algorithm != PK_UNKNOWN)
		ci->pk_bits = bits;

	/* gnutls_sign_get_name() gives "RSA-SHA256", "ECDSA-SHA256"...; an
	 * algorithm GnuTLS does not know is shown by its OID. */
	sign = gnutls_x509_crt_get_signature_algorithm(crt);
	if (sign > 0 && (name = gnutls_sign_get_name(sign)) != NULL) {
		copy_str(ci->sig_algorithm, sizeof(ci->sig_algorithm), name);
		ci->sig_hash =
		    sig_hash_of(gnutls_sign_get_hash_algorithm(sign));
	} else if (gnutls_x509_crt_get_signature_oid(crt, oid, &len) >= 0)
		copy_str(ci->sig_algorithm, sizeof(ci->sig_algorithm), oid);
}

/*
 * pk_alg_of - GnuTLS's key algorithm as ours.
 * XXX A key newer than this list (and GnuTLS 3.7) is unknown, "", where
 * GnuTLS might have a name for it.
 */
static enum pk_alg
pk_alg_of(int pk)
{
	switch (pk) {
	case GNUTLS_PK_RSA:
		return PK_RSA;
	case GNUTLS_PK_RSA_PSS:
		return PK_RSA_PSS;
	case GNUTLS_PK_DSA:
		return PK_DSA;
	case GNUTLS_PK_ECDSA:
		return PK_EC;
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
		return PK_EDDSA;
	case GNUTLS_PK_DH:
		return PK_DH;
	case GNUTLS_PK_ECDH_X25519:
		return PK_X25519;
	case GNUTLS_PK_ECDH_X448:
		return PK_X448;
	case GNUTLS_PK_GOST_01:
		return PK_GOST_01;
	case GNUTLS_PK_GOST_12_256:
		return PK_GOST_12_256;
	case GNUTLS_PK_GOST_12_512:
		return PK_GOST_12_512;
	default:
		return PK_UNKNOWN;
	}
}

/* sig_hash_of - the digest of a signature algorithm, as ours */
static enum sig_hash
sig_hash_of(gnutls_digest_algorithm_t dig)
{
	switch (dig) {
	case GNUTLS_DIG_MD2:
		return SIGHASH_MD2;
	case GNUTLS_DIG_MD5:
		return SIGHASH_MD5;
	case GNUTLS_DIG_SHA1:
		return SIGHASH_SHA1;
	case GNUTLS_DIG_RMD160:
		return SIGHASH_RIPEMD160;
	case GNUTLS_DIG_SHA224:
		return SIGHASH_SHA224;
	case GNUTLS_DIG_SHA256:
		return SIGHASH_SHA256;
	case GNUTLS_DIG_SHA384:
		return SIGHASH_SHA384;
	case GNUTLS_DIG_SHA512:
		return SIGHASH_SHA512;
	case GNUTLS_DIG_SHA3_224:
	case GNUTLS_DIG_SHA3_256:
	case GNUTLS_DIG_SHA3_384:
	case GNUTLS_DIG_SHA3_512:
		return SIGHASH_SHA3;
	case GNUTLS_DIG_GOSTR_94:
	case GNUTLS_DIG_STREEBOG_256:
	case GNUTLS_DIG_STREEBOG_512:
		return SIGHASH_GOST;
	default:
		return SIGHASH_UNKNOWN;
	}
}

/*
 * inspect_hashes - SHA-256 of the certificate's SubjectPublicKeyInfo (the
 * value of an HPKP pin or a DANE "1 1" record).
 * The SPKI is GnuTLS's DER re-encoding of the key, which is the sent
 * encoding for any certificate that is valid DER.
 */
static void
inspect_hashes(gnutls_x509_crt_t crt, struct cert_info *ci)
{
	unsigned char md[32];
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = {NULL, 0};

	if (gnutls_pubkey_init(&pub) < 0)
		return;
	if (gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) >= 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, md) >= 0)
		hexify(
		    md, sizeof(md), ci->spki_sha256, sizeof(ci->spki_sha256));
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
}

/*
 * der_fingerprint - SHA-256 over the DER as sent; it needs no parsing, so
 * even a certificate GnuTLS cannot read has one.
 */
static void
der_fingerprint(const gnutls_datum_t *der, struct cert_info *ci)
{
	unsigned char md[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, md) >= 0)
		hexify(md, sizeof(md), ci->sha256, sizeof(ci->sha256));
}

/* inspect_pem - the certificate exactly as sent, PEM-armoured */
static void
inspect_pem(const gnutls_datum_t *der, struct cert_info *ci)
{
	gnutls_datum_t pem = {NULL, 0};

	if (gnutls_pem_base64_encode2("CERTIFICATE", der, &pem) < 0)
		return;
	ci->pem = xmemdup(pem.data, pem.size);
	gnutls_free(pem.data);
}

/* add_name - append a bounded copy of name to the array *v of *n names */
static void
add_name(char ***v, size_t *n, const void *name, size_t len)
{
	/* Grow by doubling: a power of two is reached after each append. */
	if ((*n & (*n - 1)) == 0)
		*v = xreallocarray(*v, *n ? *n * 2 : 1, sizeof(**v));
	(*v)[(*n)++] = bounded_dup(name, len);
}

/*
 * bounded_dup - copy of server text, at most CERT_DN_MAX - 1 bytes. A cut
 * backs off to the start of a UTF-8 sequence so that valid text stays valid;
 * NUL bytes become '?' so the string is not silently shortened.
 */
static char *
bounded_dup(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *s;
	size_t i, back;

	if (len > CERT_DN_MAX - 1) {
		len = CERT_DN_MAX - 1;
		for (back = 0; back < 3 && len > 0 && (p[len] & 0xc0) == 0x80;
		     back++)
			len--;
	}
	s = xmemdup(p, len);
	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = '?';
	return s;
}

/* hexify - lower-case hex of p[0..n) into out, or "" if it does not fit */
static void
hexify(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	const gnutls_datum_t d = {(unsigned char *)p, (unsigned int)n};
	size_t size = outlen;

	if (outlen > 0 && gnutls_hex_encode(&d, out, &size) < 0)
		out[0] = '\0';
}

/* copy_str - bounded copy of a NUL-terminated string, always terminated */
static void
copy_str(char *dst, size_t dstlen, const char *src)
{
	size_t len;

	if (dstlen == 0)
		return;
	len = strlen(src);
	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * days_between - floor((to - from) / 86400), without overflow for any two
 * time_t values: whole days and remainders are taken apart first.
 */
static long
days_between(time_t from, time_t to)
{
	long long qa, qb, ra, rb, days;

	qa = (long long)to / DAY_SECONDS;
	ra = (long long)to % DAY_SECONDS;
	if (ra < 0) {
		qa--;
		ra += DAY_SECONDS;
	}
	qb = (long long)from / DAY_SECONDS;
	rb = (long long)from % DAY_SECONDS;
	if (rb < 0) {
		qb--;
		rb += DAY_SECONDS;
	}
	days = qa - qb - (ra < rb);
	if (days > LONG_MAX)
		return LONG_MAX;
	if (days < LONG_MIN)
		return LONG_MIN;
	return (long)days;
}

/* parse_der - a GnuTLS certificate from DER, or NULL with *gerr set */
static gnutls_x509_crt_t
parse_der(const gnutls_datum_t *der, int *gerr)
{
	gnutls_x509_crt_t crt;

	if ((*gerr = gnutls_x509_crt_init(&crt)) < 0)
		return NULL;
	if (der->data == NULL || der->size == 0) {
		*gerr = GNUTLS_E_NO_CERTIFICATE_FOUND;
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	if ((*gerr = gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER)) <
	    0) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	return crt;
}

/*
 * is_self_signed - the subject names the certificate's own issuer AND its
 * own key verifies its signature. gnutls_x509_crt_check_issuer() alone only
 * compares names (and key identifiers when both are present): a leaf that
 * happens to share its CA's DN, or a self-issued certificate whose signature
 * is broken, would pass it. The signature check settles "self-signed".
 */
static bool
is_self_signed(gnutls_x509_crt_t crt)
{
	unsigned int status;

	if (gnutls_x509_crt_check_issuer(crt, crt) != 1)
		return false;
	if (gnutls_x509_crt_verify(crt, &crt, 1, SELF_FLAGS, &status) < 0)
		return false;
	return status == 0;
}

/* chain_key - SHA-256 over every DER sent, each preceded by its length */
static bool
chain_key(const gnutls_datum_t *chain, size_t n, unsigned char *key)
{
	gnutls_hash_hd_t h;
	unsigned char len[4];
	size_t i;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return false;
	for (i = 0; i < n; i++) {
		len[0] = (unsigned char)(chain[i].size >> 24);
		len[1] = (unsigned char)(chain[i].size >> 16);
		len[2] = (unsigned char)(chain[i].size >> 8);
		len[3] = (unsigned char)chain[i].size;
		(void)gnutls_hash(h, len, sizeof(len));
		(void)gnutls_hash(h, chain[i].data, chain[i].size);
	}
	gnutls_hash_deinit(h, key);
	return true;
}
