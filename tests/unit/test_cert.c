/*
 * test_cert.c - unit tests of probe/cert_*.c: description and verification
 * of certificate chains, through cert_examine(), and trust loading.
 *
 * Usage: test_cert DIR, where DIR holds the PEM fixtures that
 * certs/make-fixtures.sh made once with certtool (a root CA, an intermediate,
 * leaves for mail.lab.test and others). "now" is pinned, mostly to
 * 2026-06-01T12:00:00Z, inside every fixture's validity window except the
 * expired leaf's, so the tests never rot. The half day makes the
 * floor-division of days_remaining visible.
 */
#include "cert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bounds.h"
#include "names.h"
#include "result.h"
#include "xalloc.h"

#include "tap.h"

#define NOW ((time_t)1780315200)           /* 2026-06-01T12:00:00Z */
#define BEFORE_LEAVES ((time_t)1764547200) /* 2025-12-01T00:00:00Z */
#define T_2024_01_01 ((time_t)1704067200)
#define T_2025_01_01 ((time_t)1735689600)
#define T_2026_01_01 ((time_t)1767225600)
#define T_2027_01_01 ((time_t)1798761600)

#define BIT(e) (1u << (e))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum fixture {
	F_ROOT,
	F_INTER,
	F_MAIL,
	F_EXPIRED,
	F_SELF,
	F_IP,
	F_EC,
	F_ED25519,
	F_BYLEAF,
	F_TWIN_CA,
	F_TWIN_LEAF,
	F_BIGDN,
	F_COUNT
};

/*
 * The hashes come from the tools, not from the code under test:
 * sha256 is "certtool --fingerprint --hash sha256 --infile FILE", lower-cased
 * with the colons removed; spki is "openssl x509 -pubkey -noout -in FILE |
 * openssl pkey -pubin -outform DER | sha256sum". make-fixtures.sh prints both.
 */
static const struct {
	const char *file;
	const char *sha256;
	const char *spki;
} fixtures[F_COUNT] = {
    [F_ROOT] =
	{
	    "root-ca.pem",
	    "f5c9ac919cd60818162f4cee8ca189f0ef8c09829c1f399d7f0e33027afd390e",
	    "9537583208ac2cdb87077200601e1d833e110abff0ed00722c1a9ae547572de8",
	},
    [F_INTER] =
	{
	    "intermediate-ca.pem",
	    "f58ce22608ef27f730fa6a110064ffbffaad07701a12d7b56be79e76a1257a48",
	    "90b3f35d6210db2a47339efd6117c1e404e0c624d2598c4dc78f98f28cd7ca33",
	},
    [F_MAIL] =
	{
	    "leaf-mail.pem",
	    "b67f55265329995272c7449cf989b33e028469c57b896f6b9427908bd04bac30",
	    "ba5774e3c115ad72110f3d928cce69df223643787eec3d363f50e3aa2774cb71",
	},
    [F_EXPIRED] =
	{
	    "leaf-expired.pem",
	    "77ce99f1c62965b8e3e480069c941353721193908fd9d4e55c8c081376eac3a1",
	    "392e583fba0c6dcb0b9300c40bd7a5d41c1a04ccbfaf10ccf8ce81faf4b838d0",
	},
    [F_SELF] =
	{
	    "leaf-selfsigned.pem",
	    "e1129f11612b00f7b9c6a91aea3d7b95403f1a86f9da8a7dc3b7d5f310afaf5f",
	    "750ad6bd38dbecde5b865df24a2168c9e6a67fcf9d3b3a1b29db1fe13c63675e",
	},
    [F_IP] =
	{
	    "leaf-ip.pem",
	    "ec13ebf235039dc69d2082bb4de90b86707e434401431e3becbd885cfe5c5843",
	    "5c1c7167f77d3d04631c5092adc87ea1c2b68715c72e90f01dee774e859ff031",
	},
    [F_EC] =
	{
	    "leaf-ec.pem",
	    "08d7316d93ae8feaf57bc85be31a1f4d6b68a87070e339abcd4823321edcbb20",
	    "b541247c3e5a1ee5f29f170431f8a031cc0823908620b81478524dea466d9690",
	},
    [F_ED25519] =
	{
	    "leaf-ed25519.pem",
	    "2d34ea126595a8b182937334d126078707527ace455ab2d48580818cb7be125c",
	    "066933a86b9c78759c057cf39160295aff0b92e823d44dfc44d5ca51336914b1",
	},
    [F_BYLEAF] =
	{
	    "leaf-by-leaf.pem",
	    "3360dbc4b61258eb5fa20912c41abd0043b19d15102d7e7a474fae3142078930",
	    "3640eecac05714679c158e8bf50b0947b4df3fd404dc222d5650acea24cfebeb",
	},
    [F_TWIN_CA] =
	{
	    "twin-ca.pem",
	    "ddef5ec5cfad86f83706cc42eaa37d34ed046743331b990d7157c248225f1b86",
	    "a1fb979f29ccc6182754e3d603d415c76759d562fca9ae43197adc99c0ffb625",
	},
    [F_TWIN_LEAF] =
	{
	    "twin-leaf.pem",
	    "a08a69675f762b4903dc8e60344c30d19b612096093ecfb365498aec99f097ec",
	    "69309cabaf7ae2618a6165e9b0d5eed5e011cb21634ffb9b8e6dac2607c9dd30",
	},
    [F_BIGDN] =
	{
	    "leaf-bigdn.pem",
	    "e2d4abcd6bf42731784d0388dd6c58a0886abc3319d040881c47d4de4e66dbb8",
	    "1bebe320e433552e520b30f79a7a26f58a1b44c8e21af7c1f88525222e96dced",
	},
};

#define INTER_DN "CN=smtp-probe Test Intermediate CA,O=smtp-probe tests"
#define ROOT_DN "CN=smtp-probe Test Root CA,O=smtp-probe tests"

static const char *dir;
static gnutls_datum_t der[F_COUNT];         /* owned, gnutls_free() */
static gnutls_x509_trust_list_t trust_root; /* root-ca.pem */

static int path_of(const char *, char *, size_t);
static int load_fixtures(void);
static void free_fixtures(void);

/* Examinations repeated through a cache, and those that differed. */
static size_t cached_checks, cached_failures;
static gnutls_datum_t corrupt(enum fixture);
static void test_hashes(void);
static void test_inspect_leaf(void);
static void test_inspect_cas(void);
static void test_inspect_expired(void);
static void test_inspect_ip(void);
static void test_inspect_keys(void);
static void test_inspect_self_signed(void);
static void test_inspect_pem(void);
static void test_inspect_unparsable(void);
static void test_inspect_long_dn(void);
static void test_inspect_limits(void);
static void test_trust_load(void);
static void test_verify_good(void);
static void test_verify_names(void);
static void test_verify_chains(void);
static void test_verify_time(void);
static void test_verify_self_signed(void);
static void test_verify_broken(void);
static void test_verify_edges(void);
static void test_cache(void);
static void same_examination(
    const struct probe_result *, const struct probe_result *, int);
static void examine(const gnutls_datum_t *, size_t, gnutls_x509_trust_list_t,
    const char *, time_t, bool, struct probe_result *);
static void inspect(
    const gnutls_datum_t *, size_t, time_t, bool, struct probe_result *);
static const char *errs_str(unsigned int, char *, size_t);
static void check_verify(
    const char *, const struct verification *, bool, int, bool, unsigned int);
static void verify_list(const char *, const enum fixture *, size_t,
    gnutls_x509_trust_list_t, const char *, time_t, bool, int, bool,
    unsigned int);

/* main - run every test; argv[1] is the fixture directory */
int
main(int argc, char **argv)
{
	char err[ERR_MSG_MAX], path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: test_cert FIXTURE-DIR\n");
		return 2;
	}
	dir = argv[1];
	if (load_fixtures() == -1)
		return 1;
	if (path_of("root-ca.pem", path, sizeof(path)) == -1 ||
	    cert_trust_load(path, &trust_root, err, sizeof(err)) == -1) {
		printf("Bail out! root-ca.pem: %s\n", err);
		free_fixtures();
		return 1;
	}

	test_hashes();
	test_inspect_leaf();
	test_inspect_cas();
	test_inspect_expired();
	test_inspect_ip();
	test_inspect_keys();
	test_inspect_self_signed();
	test_inspect_pem();
	test_inspect_unparsable();
	test_inspect_long_dn();
	test_inspect_limits();
	test_trust_load();
	test_verify_good();
	test_verify_names();
	test_verify_chains();
	test_verify_time();
	test_verify_self_signed();
	test_verify_broken();
	test_verify_edges();
	test_cache();
	ok(cached_checks > 50 && cached_failures == 0,
	    lbl("%zu cached examinations equal fresh ones, %zu differ",
		cached_checks, cached_failures));

	gnutls_x509_trust_list_deinit(trust_root, 1);
	free_fixtures();
	return done_testing();
}

/* path_of - dir/name into buf; -1 if it does not fit */
static int
path_of(const char *name, char *buf, size_t len)
{
	int r;

	r = snprintf(buf, len, "%s/%s", dir, name);
	if (r < 0 || (size_t)r >= len)
		return -1;
	return 0;
}

/* load_fixtures - every fixture's DER into der[]; -1 after "Bail out!" */
static int
load_fixtures(void)
{
	gnutls_datum_t pem;
	char path[4096];
	size_t i;
	int r;

	for (i = 0; i < F_COUNT; i++) {
		if (path_of(fixtures[i].file, path, sizeof(path)) == -1) {
			printf("Bail out! fixture path too long\n");
			return -1;
		}
		if ((r = gnutls_load_file(path, &pem)) < 0) {
			printf("Bail out! %s: %s\n", path, gnutls_strerror(r));
			return -1;
		}
		r = gnutls_pem_base64_decode2("CERTIFICATE", &pem, &der[i]);
		gnutls_free(pem.data);
		if (r < 0) {
			printf("Bail out! %s: %s\n", path, gnutls_strerror(r));
			return -1;
		}
	}
	return 0;
}

/* free_fixtures - release der[] */
static void
free_fixtures(void)
{
	size_t i;

	for (i = 0; i < F_COUNT; i++) {
		gnutls_free(der[i].data);
		der[i].data = NULL;
	}
}

/*
 * corrupt - a copy of a fixture with the last byte of its signature
 * flipped: still parses, no longer verifies. The caller frees .data.
 */
static gnutls_datum_t
corrupt(enum fixture f)
{
	gnutls_datum_t d;

	d.data = xmemdup(der[f].data, der[f].size);
	d.size = der[f].size;
	d.data[d.size - 1] ^= 0x01;
	return d;
}

/*
 * examine - cert_examine() of chain[0..n) into r, a fresh result; the
 * caller frees r with result_probe_free()
 */
static void
examine(const gnutls_datum_t *chain, size_t n, gnutls_x509_trust_list_t trust,
    const char *host, time_t now, bool with_pem, struct probe_result *r)
{
	static struct cert_cache cache;
	struct probe_result c;
	int pass;

	result_probe_init(r, 25, MODE_STARTTLS);
	cert_examine(chain, n, trust, NULL, host, now, with_pem, r);
	/* The same through a cache, twice (filled, then used): what is
	 * kept must give exactly what examining afresh gives. */
	for (pass = 0; pass < 2; pass++) {
		result_probe_init(&c, 25, MODE_STARTTLS);
		cert_examine(chain, n, trust, &cache, host, now, with_pem, &c);
		same_examination(r, &c, pass);
		result_probe_free(&c);
	}
	cert_cache_free(&cache);
}

/* same_examination - a cached examination equals the fresh one */
static void
same_examination(
    const struct probe_result *want, const struct probe_result *got, int pass)
{
	const struct verification *a = &want->verification,
				  *b = &got->verification;
	bool same = got->ncerts == want->ncerts &&
	    got->chain_truncated == want->chain_truncated &&
	    a->present == b->present && a->trusted == b->trusted &&
	    a->hostname_match == b->hostname_match &&
	    a->chain_complete == b->chain_complete && a->errors == b->errors;
	size_t i;

	for (i = 0; same && i < want->ncerts; i++)
		same =
		    strcmp(got->certs[i].sha256, want->certs[i].sha256) == 0 &&
		    got->certs[i].days_remaining ==
			want->certs[i].days_remaining &&
		    (want->certs[i].subject == NULL ||
			strcmp(got->certs[i].subject, want->certs[i].subject) ==
			    0) &&
		    got->certs[i].nsan_dns == want->certs[i].nsan_dns &&
		    (want->certs[i].pem == NULL) == (got->certs[i].pem == NULL);
	cached_checks++;
	if (!same) {
		cached_failures++;
		printf("# cached examination %d differs: errors %#x/%#x, "
		       "name %d/%d, certs %zu/%zu\n",
		    pass, b->errors, a->errors, b->hostname_match,
		    a->hostname_match, got->ncerts, want->ncerts);
	}
}

/* inspect - examine chain[0..n) for the description of its certificates */
static void
inspect(const gnutls_datum_t *chain, size_t n, time_t now, bool with_pem,
    struct probe_result *r)
{
	examine(chain, n, trust_root, NULL, now, with_pem, r);
}

/* test_hashes - fingerprint and SPKI hash of every fixture, as the tools say */
static void
test_hashes(void)
{
	struct probe_result r;
	const struct cert_info *ci;
	char label[128];
	size_t i;

	for (i = 0; i < F_COUNT; i++) {
		inspect(&der[i], 1, NOW, false, &r);
		ci = r.certs;
		snprintf(label, sizeof(label), "%s: sha256 fingerprint",
		    fixtures[i].file);
		is_str(ci->sha256, fixtures[i].sha256, label);
		snprintf(
		    label, sizeof(label), "%s: spki sha256", fixtures[i].file);
		is_str(ci->spki_sha256, fixtures[i].spki, label);
		result_probe_free(&r);
	}
}

/* test_inspect_leaf - every field of the mail.lab.test leaf */
static void
test_inspect_leaf(void)
{
	struct probe_result r;
	const struct cert_info *ci;

	inspect(&der[F_MAIL], 1, NOW, false, &r);
	ci = r.certs;
	is_int(r.ncerts, 1, "leaf: one entry");
	is_str(ci->subject, "CN=mail.lab.test,O=smtp-probe tests",
	    "leaf: subject, RFC 4514 order");
	is_str(ci->issuer, INTER_DN, "leaf: issuer");
	is_str(ci->serial, "1001", "leaf: serial");
	is_int(ci->not_before, T_2026_01_01, "leaf: not_before");
	is_int(ci->not_after, T_2027_01_01, "leaf: not_after");
	is_int(ci->days_remaining, 213, "leaf: days_remaining = floor(213.5)");
	is_int(ci->nsan_dns, 2, "leaf: two DNS SANs");
	if (ci->nsan_dns == 2) {
		is_str(ci->san_dns[0], "mail.lab.test", "leaf: SAN 1");
		is_str(ci->san_dns[1], "smtp.lab.test", "leaf: SAN 2");
	}
	is_int(ci->nsan_ip, 0, "leaf: no IP SAN");
	ok(ci->san_ip == NULL, "leaf: no IP SAN array");
	is_str(pk_alg_names[ci->pk_algorithm], "RSA", "leaf: key algorithm");
	is_int(ci->pk_bits, 2048, "leaf: key bits");
	is_str(ci->sig_algorithm, "RSA-SHA256", "leaf: signature algorithm");
	is_int(ci->sig_hash, SIGHASH_SHA256, "leaf: signature hash");
	ok(!ci->self_signed, "leaf: not self-signed");
	ok(!ci->is_ca, "leaf: not a CA");
	ok(ci->pem == NULL, "leaf: no PEM unless asked");

	result_probe_free(&r);
	ok(r.certs == NULL && r.ncerts == 0,
	    "release frees the chain and empties it");
	result_probe_free(&r);
	ok(r.certs == NULL && r.ncerts == 0,
	    "release of an empty chain leaves it empty");

	/* A later now: one day less, on the same floor. */
	inspect(&der[F_MAIL], 1, NOW + 86400, false, &r);
	ci = r.certs;
	is_int(ci->days_remaining, 212, "leaf: a day later, 212");
	result_probe_free(&r);
	inspect(&der[F_MAIL], 1, T_2027_01_01, false, &r);
	ci = r.certs;
	is_int(ci->days_remaining, 0, "leaf: at not_after, 0");
	result_probe_free(&r);
	inspect(&der[F_MAIL], 1, T_2027_01_01 + 1, false, &r);
	ci = r.certs;
	is_int(ci->days_remaining, -1, "leaf: a second after not_after, -1");
	result_probe_free(&r);
}

/* test_inspect_cas - root and intermediate */
static void
test_inspect_cas(void)
{
	struct probe_result r;
	const struct cert_info *ci;
	gnutls_datum_t chain[2];

	chain[0] = der[F_ROOT];
	chain[1] = der[F_INTER];
	inspect(chain, 2, NOW, false, &r);
	ci = r.certs;
	is_int(r.ncerts, 2, "cas: two entries");
	is_str(ci[0].subject, ROOT_DN, "root: subject");
	is_str(ci[0].issuer, ROOT_DN, "root: issuer is itself");
	is_str(ci[0].serial, "01", "root: serial keeps its byte");
	ok(ci[0].self_signed, "root: self-signed");
	ok(ci[0].is_ca, "root: CA");
	is_int(ci[0].nsan_dns + ci[0].nsan_ip, 0, "root: no SANs");
	is_str(ci[1].subject, INTER_DN, "intermediate: subject");
	is_str(ci[1].issuer, ROOT_DN, "intermediate: issuer");
	ok(!ci[1].self_signed, "intermediate: not self-signed");
	ok(ci[1].is_ca, "intermediate: CA");
	result_probe_free(&r);
}

/* test_inspect_expired - negative days, floor division */
static void
test_inspect_expired(void)
{
	struct probe_result r;
	const struct cert_info *ci;

	inspect(&der[F_EXPIRED], 1, NOW, false, &r);
	ci = r.certs;
	is_str(ci->subject, "CN=old.lab.test", "expired: subject");
	is_int(ci->not_before, T_2024_01_01, "expired: not_before");
	is_int(ci->not_after, T_2025_01_01, "expired: not_after");
	is_int(ci->days_remaining, -517,
	    "expired: days_remaining = floor(-516.5) = -517");
	result_probe_free(&r);
}

/* test_inspect_ip - IP SANs as text, a serial with a leading zero byte */
static void
test_inspect_ip(void)
{
	struct probe_result r;
	const struct cert_info *ci;

	inspect(&der[F_IP], 1, NOW, false, &r);
	ci = r.certs;
	is_str(ci->serial, "008a11", "ip: serial keeps DER's leading zero");
	is_int(ci->nsan_dns, 1, "ip: one DNS SAN");
	if (ci->nsan_dns == 1)
		is_str(ci->san_dns[0], "ip.lab.test", "ip: DNS SAN");
	is_int(ci->nsan_ip, 2, "ip: two IP SANs");
	if (ci->nsan_ip == 2) {
		is_str(ci->san_ip[0], "192.0.2.25", "ip: IPv4 SAN");
		is_str(ci->san_ip[1], "2001:db8::25", "ip: IPv6 SAN");
	}
	result_probe_free(&r);
}

/* test_inspect_keys - EC, EdDSA keys, ECDSA signature */
static void
test_inspect_keys(void)
{
	struct probe_result r;
	const struct cert_info *ci;

	inspect(&der[F_EC], 1, NOW, false, &r);
	ci = r.certs;
	is_str(pk_alg_names[ci->pk_algorithm], "EC", "ec: key algorithm");
	is_int(ci->pk_bits, 256, "ec: key bits (P-256)");
	is_str(ci->sig_algorithm, "RSA-SHA256", "ec: signed by the RSA CA");
	result_probe_free(&r);

	inspect(&der[F_ED25519], 1, NOW, false, &r);
	ci = r.certs;
	is_str(
	    pk_alg_names[ci->pk_algorithm], "EdDSA", "ed25519: key algorithm");
	is_int(ci->pk_bits, 256, "ed25519: key bits");
	result_probe_free(&r);

	inspect(&der[F_TWIN_CA], 1, NOW, false, &r);
	ci = r.certs;
	is_str(ci->sig_algorithm, "ECDSA-SHA256", "twin ca: ECDSA signature");
	is_int(ci->sig_hash, SIGHASH_SHA256, "twin ca: signature hash");
	is_str(pk_alg_names[ci->pk_algorithm], "EC", "twin ca: EC key");
	result_probe_free(&r);
}

/*
 * test_inspect_self_signed - self-signed means "signed by its own key", not
 * only "subject equals issuer".
 */
static void
test_inspect_self_signed(void)
{
	struct probe_result r;
	const struct cert_info *ci;
	gnutls_datum_t bad;

	inspect(&der[F_SELF], 1, NOW, false, &r);
	ci = r.certs;
	is_str(ci->subject, "CN=self.lab.test", "self: subject");
	is_str(ci->issuer, "CN=self.lab.test", "self: issuer");
	ok(ci->self_signed, "self: self-signed");
	ok(!ci->is_ca, "self: not a CA");
	result_probe_free(&r);

	inspect(&der[F_TWIN_LEAF], 1, NOW, false, &r);
	ci = r.certs;
	ok(strcmp(ci->subject, ci->issuer) == 0, "twin leaf: subject = issuer");
	ok(!ci->self_signed, "twin leaf: not self-signed (another key signed)");
	is_str(ci->sig_algorithm, "ECDSA-SHA256", "twin leaf: signature");
	result_probe_free(&r);

	inspect(&der[F_TWIN_CA], 1, NOW, false, &r);
	ci = r.certs;
	ok(ci->self_signed, "twin ca: self-signed");
	result_probe_free(&r);

	bad = corrupt(F_SELF);
	inspect(&bad, 1, NOW, false, &r);
	ci = r.certs;
	is_str(ci->subject, "CN=self.lab.test", "self, bad signature: parses");
	ok(!ci->self_signed, "self, bad signature: not self-signed");
	result_probe_free(&r);
	free(bad.data);
}

/* test_inspect_pem - with_pem gives the certificate as sent */
static void
test_inspect_pem(void)
{
	struct probe_result r;
	const struct cert_info *ci;
	gnutls_datum_t file;
	char path[4096];

	inspect(&der[F_MAIL], 1, NOW, true, &r);
	ci = r.certs;
	ok(ci->pem != NULL &&
		strncmp(ci->pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0,
	    "pem: starts with the armour");
	if (path_of(fixtures[F_MAIL].file, path, sizeof(path)) == 0 &&
	    gnutls_load_file(path, &file) >= 0) {
		is_mem(file.data, file.size, ci->pem ? ci->pem : "",
		    "pem: same as the fixture file");
		gnutls_free(file.data);
	} else
		ok(0, "pem: fixture file readable");
	/* Leak checks (ASan, valgrind) prove the PEM itself is released. */
	result_probe_free(&r);
	ok(r.certs == NULL && r.ncerts == 0, "pem: freed");
}

/* test_inspect_unparsable - garbage gets an entry, not a crash */
static void
test_inspect_unparsable(void)
{
	static unsigned char junk[] = "this is not DER";
	struct probe_result r;
	const struct cert_info *ci;
	gnutls_datum_t chain[4];
	size_t i;

	chain[0].data = junk;
	chain[0].size = sizeof(junk) - 1;
	chain[1].data = der[F_MAIL].data; /* cut short */
	chain[1].size = 100;
	chain[2].data = NULL;
	chain[2].size = 0;
	chain[3] = der[F_INTER];
	inspect(chain, 4, NOW, true, &r);
	ci = r.certs;
	is_int(r.ncerts, 4, "unparsable: an entry for each");
	for (i = 0; i < 3; i++) {
		ok(ci[i].subject != NULL &&
			strncmp(ci[i].subject,
			    "(unparsable certificate: ", 25) == 0 &&
			ci[i].subject[strlen(ci[i].subject) - 1] == ')',
		    "unparsable: subject says why");
		ok(!ci[i].parsed && ci[i].issuer != NULL &&
			ci[i].issuer[0] == '\0' && ci[i].serial[0] == '\0' &&
			ci[i].spki_sha256[0] == '\0' &&
			ci[i].pk_algorithm == PK_UNKNOWN &&
			ci[i].sig_hash == SIGHASH_UNKNOWN &&
			ci[i].sig_algorithm[0] == '\0',
		    "unparsable: not parsed, empty strings elsewhere");
		/* The fingerprint is over the bytes sent: no parsing needed. */
		is_int((long long)strspn(ci[i].sha256, "0123456789abcdef"), 64,
		    "unparsable: still has its SHA-256 fingerprint");
		ok(ci[i].nsan_dns == 0 && ci[i].nsan_ip == 0 &&
			ci[i].not_before == 0 && ci[i].not_after == 0 &&
			ci[i].days_remaining == 0 && ci[i].pk_bits == 0 &&
			!ci[i].self_signed && !ci[i].is_ca && ci[i].pem == NULL,
		    "unparsable: zeros, and no PEM");
	}
	is_str(ci[3].subject, INTER_DN, "unparsable: the next one is fine");
	result_probe_free(&r);
}

/*
 * test_inspect_long_dn - a 4635-byte UTF-8 DN is cut below CERT_DN_MAX, at
 * the start of the character that would straddle the limit: the 4096th
 * byte is inside a 3-byte euro sign, so 4093 bytes are kept.
 */
static void
test_inspect_long_dn(void)
{
	static const char euro[] = "\xe2\x82\xac";
	gnutls_x509_crt_t crt;
	gnutls_datum_t full = {NULL, 0};
	struct probe_result r;
	const struct cert_info *ci;
	size_t len;

	inspect(&der[F_BIGDN], 1, NOW, false, &r);
	ci = r.certs;
	len = strlen(ci->subject);
	is_int(len, 4093, "long DN: cut on a character boundary");
	ok(len < CERT_DN_MAX, "long DN: shorter than CERT_DN_MAX");
	ok(len >= 3 && memcmp(ci->subject + len - 3, euro, 3) == 0,
	    "long DN: ends with a whole character");
	if (gnutls_x509_crt_init(&crt) >= 0) {
		if (gnutls_x509_crt_import(
			crt, &der[F_BIGDN], GNUTLS_X509_FMT_DER) >= 0)
			gnutls_x509_crt_get_dn3(crt, &full, 0);
		gnutls_x509_crt_deinit(crt);
	}
	ok(full.size == 4635 && memcmp(full.data, ci->subject, len) == 0,
	    "long DN: a prefix of GnuTLS's whole DN");
	gnutls_free(full.data);
	is_str(ci->issuer, ci->subject, "long DN: issuer cut the same way");
	ok(ci->self_signed, "long DN: self-signed");
	result_probe_free(&r);
}

/*
 * test_inspect_limits - at most CERT_CHAIN_MAX entries, in the order sent,
 * and chain_truncated when more were sent
 */
static void
test_inspect_limits(void)
{
	struct probe_result r;
	gnutls_datum_t chain[CERT_CHAIN_MAX + 1];
	size_t i;

	chain[0] = der[F_MAIL];
	chain[1] = der[F_INTER];
	for (i = 2; i < NELEM(chain); i++)
		chain[i] = der[F_ROOT];
	inspect(chain, CERT_CHAIN_MAX, NOW, false, &r);
	is_int(r.ncerts, CERT_CHAIN_MAX, "limits: CERT_CHAIN_MAX entries");
	ok(!r.chain_truncated, "limits: CERT_CHAIN_MAX is not truncated");
	result_probe_free(&r);
	inspect(chain, NELEM(chain), NOW, false, &r);
	is_int(r.ncerts, CERT_CHAIN_MAX, "limits: at most max entries");
	ok(r.chain_truncated, "limits: more than CERT_CHAIN_MAX is truncated");
	is_str(r.certs[1].subject, INTER_DN, "limits: in order");
	result_probe_free(&r);
	inspect(chain, 0, NOW, false, &r);
	is_int(r.ncerts, 0, "limits: n == 0 gives none");
	result_probe_free(&r);
}

/* test_trust_load - files with and without certificates, system store */
static void
test_trust_load(void)
{
	gnutls_x509_trust_list_t tl;
	char err[ERR_MSG_MAX], path[4096], small[16];
	int r;

	err[0] = '\0';
	if (path_of("no-cert.pem", path, sizeof(path)) == -1)
		return;
	r = cert_trust_load(path, &tl, err, sizeof(err));
	is_int(r, -1, "trust: a PEM file without certificates fails");
	ok(tl == NULL, "trust: no list on failure");
	ok(strstr(err, "--cafile ") == err && strstr(err, path) != NULL &&
		strstr(err, ": PEM, but no certificate in it") != NULL,
	    "trust: the message names the file and the problem");

	if (path_of("does-not-exist.pem", path, sizeof(path)) == -1)
		return;
	err[0] = '\0';
	r = cert_trust_load(path, &tl, err, sizeof(err));
	is_int(r, -1, "trust: a missing file fails");
	ok(strstr(err, path) != NULL && strstr(err, ": cannot be read") != NULL,
	    "trust: the message names the file and the problem");

	r = cert_trust_load(path, &tl, small, sizeof(small));
	ok(r == -1 && strlen(small) == sizeof(small) - 1 &&
		strcmp(small + sizeof(small) - 4, "...") == 0,
	    "trust: a cut message ends in ...");

	if (path_of("intermediate-ca.pem", path, sizeof(path)) == -1)
		return;
	r = cert_trust_load(path, &tl, err, sizeof(err));
	is_int(r, 0, "trust: a CA file loads");
	if (r == 0)
		gnutls_x509_trust_list_deinit(tl, 1);

	/* The machine's store: present on a normal system, but either way
	 * the call must answer cleanly. */
	err[0] = '\0';
	r = cert_trust_load(NULL, &tl, err, sizeof(err));
	ok((r == 0 && tl != NULL) ||
		(r == -1 && tl == NULL &&
		    strstr(err, "system trust store: ") == err),
	    "trust: system store loads or says why");
	if (r == 0)
		gnutls_x509_trust_list_deinit(tl, 1);
}

/* errs_str - verr bits as "name,name" for messages */
static const char *
errs_str(unsigned int errs, char *buf, size_t len)
{
	size_t i, used = 0;
	int r;

	buf[0] = '\0';
	for (i = 0; i < VERR_COUNT; i++) {
		if (!(errs & BIT(i)))
			continue;
		r = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
		    verr_names[i]);
		if (r < 0 || (size_t)r >= len - used)
			break;
		used += (size_t)r;
	}
	if (errs >> VERR_COUNT)
		snprintf(buf + used, len - used, "%s0x%x", used ? "," : "",
		    errs >> VERR_COUNT << VERR_COUNT);
	return buf;
}

/* check_verify - four checks of one verification result */
static void
check_verify(const char *what, const struct verification *v, bool trusted,
    int match, bool complete, unsigned int errors)
{
	char label[160], got[256], want[256];

	snprintf(label, sizeof(label), "%s: present, trusted %s", what,
	    trusted ? "yes" : "no");
	ok(v->present && v->trusted == trusted, label);
	snprintf(label, sizeof(label), "%s: hostname_match %d", what, match);
	is_int(v->hostname_match, match, label);
	snprintf(label, sizeof(label), "%s: chain_complete %s", what,
	    complete ? "yes" : "no");
	ok(v->chain_complete == complete, label);
	snprintf(label, sizeof(label), "%s: errors", what);
	is_str(errs_str(v->errors, got, sizeof(got)),
	    errs_str(errors, want, sizeof(want)), label);
}

/* verify_list - verify the fixtures list[0..n) and check the result */
static void
verify_list(const char *what, const enum fixture *list, size_t n,
    gnutls_x509_trust_list_t trust, const char *host, time_t now, bool trusted,
    int match, bool complete, unsigned int errors)
{
	gnutls_datum_t chain[CERT_CHAIN_MAX + 1];
	struct probe_result r;
	size_t i;

	for (i = 0; i < n && i < NELEM(chain); i++)
		chain[i] = der[list[i]];
	examine(chain, i, trust, host, now, false, &r);
	check_verify(what, &r.verification, trusted, match, complete, errors);
	result_probe_free(&r);
}

/*
 * test_cache - one chain, examined through one cache for other names and
 * at other times: the kept verdict is finished anew for each, and a
 * different chain is never taken for it
 */
static void
test_cache(void)
{
	static const struct {
		const char *host;
		time_t now;
		bool trusted;
		int match;
		unsigned int errors;
	} probes[] = {
	    {"mail.lab.test", NOW, true, 1, 0},
	    {"other.lab.test", NOW, true, 0, BIT(VERR_HOSTNAME_MISMATCH)},
	    {NULL, NOW, true, -1, 0},
	    {"mail.lab.test", T_2027_01_01 + 1, false, 1, BIT(VERR_EXPIRED)},
	    {"mail.lab.test", BEFORE_LEAVES, false, 1, BIT(VERR_NOT_YET_VALID)},
	};
	gnutls_datum_t chain[2] = {der[F_MAIL], der[F_INTER]};
	gnutls_datum_t other[2] = {der[F_EXPIRED], der[F_INTER]};
	struct cert_cache cache;
	struct probe_result fresh, r;
	size_t i;

	memset(&cache, 0, sizeof(cache));
	for (i = 0; i < NELEM(probes); i++) {
		result_probe_init(&r, 25, MODE_STARTTLS);
		cert_examine(chain, 2, trust_root, &cache, probes[i].host,
		    probes[i].now, false, &r);
		check_verify(lbl("cache %zu", i), &r.verification,
		    probes[i].trusted, probes[i].match, true, probes[i].errors);
		result_probe_init(&fresh, 25, MODE_STARTTLS);
		cert_examine(chain, 2, trust_root, NULL, probes[i].host,
		    probes[i].now, false, &fresh);
		is_int(r.certs[0].days_remaining, fresh.certs[0].days_remaining,
		    lbl("cache %zu: days counted from its now", i));
		result_probe_free(&fresh);
		result_probe_free(&r);
	}
	result_probe_init(&r, 25, MODE_STARTTLS);
	cert_examine(
	    other, 2, trust_root, &cache, "old.lab.test", NOW, false, &r);
	check_verify("cache: another chain", &r.verification, false, 1, true,
	    BIT(VERR_EXPIRED));
	result_probe_free(&r);
	cert_cache_free(&cache);
	ok(!cache.entry[0].used && !cache.entry[1].used,
	    "cache: freed entries are empty");
}

/* test_verify_good - a good chain, with and without the root */
static void
test_verify_good(void)
{
	static const enum fixture good[] = {F_MAIL, F_INTER};
	static const enum fixture with_root[] = {F_MAIL, F_INTER, F_ROOT};
	static const enum fixture unsorted[] = {F_MAIL, F_ROOT, F_INTER};
	static const enum fixture ec[] = {F_EC, F_INTER};
	static const enum fixture ed[] = {F_ED25519, F_INTER};

	verify_list("good chain", good, NELEM(good), trust_root,
	    "mail.lab.test", NOW, true, 1, true, 0);
	verify_list("good chain + root", with_root, NELEM(with_root),
	    trust_root, "mail.lab.test", NOW, true, 1, true, 0);
	verify_list("good chain, unsorted", unsorted, NELEM(unsorted),
	    trust_root, "mail.lab.test", NOW, true, 1, true, 0);
	verify_list("ec leaf", ec, NELEM(ec), trust_root, "ec.lab.test", NOW,
	    true, 1, true, 0);
	verify_list("ed25519 leaf", ed, NELEM(ed), trust_root, "ed.lab.test",
	    NOW, true, 1, true, 0);
}

/* test_verify_names - host names and IP literals; mismatch stays trusted */
static void
test_verify_names(void)
{
	static const enum fixture good[] = {F_MAIL, F_INTER};
	static const enum fixture ip[] = {F_IP, F_INTER};

	verify_list("second SAN", good, NELEM(good), trust_root,
	    "smtp.lab.test", NOW, true, 1, true, 0);
	verify_list("name in upper case", good, NELEM(good), trust_root,
	    "MAIL.LAB.TEST", NOW, true, 1, true, 0);
	verify_list("absolute name with a dot", good, NELEM(good), trust_root,
	    "mail.lab.test.", NOW, true, 1, true, 0);
	verify_list("wrong name", good, NELEM(good), trust_root,
	    "other.lab.test", NOW, true, 0, true, BIT(VERR_HOSTNAME_MISMATCH));
	verify_list("empty name", good, NELEM(good), trust_root, "", NOW, true,
	    0, true, BIT(VERR_HOSTNAME_MISMATCH));
	verify_list("no name", good, NELEM(good), trust_root, NULL, NOW, true,
	    -1, true, 0);
	verify_list("IPv4 literal", ip, NELEM(ip), trust_root, "192.0.2.25",
	    NOW, true, 1, true, 0);
	verify_list("IPv6 literal", ip, NELEM(ip), trust_root, "2001:db8::25",
	    NOW, true, 1, true, 0);
	verify_list("other IPv4", ip, NELEM(ip), trust_root, "192.0.2.26", NOW,
	    true, 0, true, BIT(VERR_HOSTNAME_MISMATCH));
}

/* test_verify_chains - missing intermediate, anchors, signer not a CA */
static void
test_verify_chains(void)
{
	static const enum fixture leaf[] = {F_MAIL};
	static const enum fixture byleaf[] = {F_BYLEAF, F_MAIL, F_INTER};
	static const enum fixture byleaf_alone[] = {F_BYLEAF};
	static const enum fixture twin[] = {F_TWIN_LEAF};
	static const enum fixture twins[] = {F_TWIN_LEAF, F_TWIN_CA};
	gnutls_x509_trust_list_t trust_inter;
	char err[ERR_MSG_MAX], path[4096];

	verify_list("leaf only", leaf, NELEM(leaf), trust_root, "mail.lab.test",
	    NOW, false, 1, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_CHAIN_INCOMPLETE));
	verify_list("signer not a CA", byleaf, NELEM(byleaf), trust_root,
	    "sub.mail.lab.test", NOW, false, 1, true, BIT(VERR_SIGNER_NOT_CA));
	verify_list("signer not a CA, no root", byleaf, 2, trust_root,
	    "sub.mail.lab.test", NOW, false, 1, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_CHAIN_INCOMPLETE));
	verify_list("leaf by leaf, alone", byleaf_alone, NELEM(byleaf_alone),
	    trust_root, "sub.mail.lab.test", NOW, false, 1, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_CHAIN_INCOMPLETE));
	verify_list("twin leaf alone", twin, NELEM(twin), trust_root,
	    "twin.lab.test", NOW, false, 1, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_CHAIN_INCOMPLETE));
	verify_list("twin leaf + its CA", twins, NELEM(twins), trust_root,
	    "twin.lab.test", NOW, false, 1, true, BIT(VERR_UNTRUSTED));

	/* An intermediate as the anchor: the leaf's issuer is trusted. */
	if (path_of("intermediate-ca.pem", path, sizeof(path)) == -1 ||
	    cert_trust_load(path, &trust_inter, err, sizeof(err)) == -1) {
		ok(0, "intermediate trust list loads");
		return;
	}
	verify_list("leaf only, intermediate trusted", leaf, NELEM(leaf),
	    trust_inter, "mail.lab.test", NOW, true, 1, true, 0);
	gnutls_x509_trust_list_deinit(trust_inter, 1);
}

/* test_verify_time - expired, not yet valid, judged against now */
static void
test_verify_time(void)
{
	static const enum fixture expired[] = {F_EXPIRED, F_INTER};
	static const enum fixture good[] = {F_MAIL, F_INTER};
	static const enum fixture inter[] = {F_INTER};
	static const enum fixture mixed[] = {F_MAIL, F_EXPIRED, F_INTER};

	verify_list("expired leaf", expired, NELEM(expired), trust_root,
	    "old.lab.test", NOW, false, 1, true, BIT(VERR_EXPIRED));
	/* The one second when both the expired leaf and the intermediate
	 * are valid: bounds are inclusive. */
	verify_list("expired leaf, at its not_after", expired, NELEM(expired),
	    trust_root, "old.lab.test", T_2025_01_01, true, 1, true, 0);
	verify_list("before not_before", good, NELEM(good), trust_root,
	    "mail.lab.test", BEFORE_LEAVES, false, 1, true,
	    BIT(VERR_NOT_YET_VALID));
	verify_list("at not_before", good, NELEM(good), trust_root,
	    "mail.lab.test", T_2026_01_01, true, 1, true, 0);
	verify_list("at not_after", good, NELEM(good), trust_root,
	    "mail.lab.test", T_2027_01_01, true, 1, true, 0);
	verify_list("after not_after", good, NELEM(good), trust_root,
	    "mail.lab.test", T_2027_01_01 + 1, false, 1, true,
	    BIT(VERR_EXPIRED));
	/* Any certificate counts: in 2024 the intermediate is not yet valid
	 * (the leaf then is not either). */
	verify_list("intermediate not yet valid", inter, NELEM(inter),
	    trust_root, NULL, T_2024_01_01, false, -1, true,
	    BIT(VERR_NOT_YET_VALID));
	verify_list("both expired and not yet valid", mixed, NELEM(mixed),
	    trust_root, NULL, BEFORE_LEAVES, false, -1, true,
	    BIT(VERR_EXPIRED) | BIT(VERR_NOT_YET_VALID));
}

/* test_verify_self_signed - untrusted unless it is the anchor itself */
static void
test_verify_self_signed(void)
{
	static const enum fixture self[] = {F_SELF};
	gnutls_x509_trust_list_t trust_self;
	char err[ERR_MSG_MAX], path[4096];

	verify_list("self-signed", self, NELEM(self), trust_root,
	    "self.lab.test", NOW, false, 1, true,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_SELF_SIGNED));
	verify_list("self-signed, wrong name", self, NELEM(self), trust_root,
	    "mail.lab.test", NOW, false, 0, true,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_SELF_SIGNED) |
		BIT(VERR_HOSTNAME_MISMATCH));

	if (path_of("leaf-selfsigned.pem", path, sizeof(path)) == -1 ||
	    cert_trust_load(path, &trust_self, err, sizeof(err)) == -1) {
		ok(0, "self-signed trust list loads");
		return;
	}
	verify_list("self-signed, pinned as the anchor", self, NELEM(self),
	    trust_self, "self.lab.test", NOW, true, 1, true, 0);
	gnutls_x509_trust_list_deinit(trust_self, 1);
}

/* test_verify_broken - bad signatures and unparsable certificates */
static void
test_verify_broken(void)
{
	static unsigned char junk[] = "junk";
	gnutls_datum_t chain[2];
	struct probe_result r;

	chain[0] = corrupt(F_MAIL);
	chain[1] = der[F_INTER];
	examine(chain, 2, trust_root, "mail.lab.test", NOW, false, &r);
	check_verify("bad leaf signature", &r.verification, false, 1, true,
	    BIT(VERR_INVALID_SIGNATURE));
	result_probe_free(&r);
	free(chain[0].data);

	chain[0].data = junk;
	chain[0].size = sizeof(junk) - 1;
	chain[1] = der[F_INTER];
	examine(chain, 2, trust_root, "mail.lab.test", NOW, false, &r);
	check_verify("unparsable leaf", &r.verification, false, 0, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_OTHER) |
		BIT(VERR_HOSTNAME_MISMATCH));
	result_probe_free(&r);
	examine(chain, 2, trust_root, NULL, NOW, false, &r);
	check_verify("unparsable leaf, no name", &r.verification, false, -1,
	    false, BIT(VERR_UNTRUSTED) | BIT(VERR_OTHER));
	result_probe_free(&r);

	/* An unparsable extra: the rest still verifies; it is "other". */
	chain[0] = der[F_MAIL];
	chain[1].data = junk;
	chain[1].size = sizeof(junk) - 1;
	examine(chain, 2, trust_root, "mail.lab.test", NOW, false, &r);
	check_verify("unparsable second", &r.verification, false, 1, false,
	    BIT(VERR_UNTRUSTED) | BIT(VERR_CHAIN_INCOMPLETE) | BIT(VERR_OTHER));
	result_probe_free(&r);
}

/* test_verify_edges - empty chain, too long a chain, no trust list */
static void
test_verify_edges(void)
{
	static const enum fixture good[] = {F_MAIL, F_INTER};
	enum fixture longer[CERT_CHAIN_MAX + 1];
	struct probe_result r;
	size_t i;

	result_probe_init(&r, 25, MODE_STARTTLS);
	memset(&r.verification, 0xff, sizeof(r.verification));
	cert_examine(
	    NULL, 0, trust_root, NULL, "mail.lab.test", NOW, false, &r);
	check_verify("empty chain", &r.verification, false, -1, false,
	    BIT(VERR_UNTRUSTED));
	result_probe_free(&r);

	longer[0] = F_MAIL;
	longer[1] = F_INTER;
	for (i = 2; i < NELEM(longer); i++)
		longer[i] = F_ROOT;
	verify_list("chain of CERT_CHAIN_MAX", longer, CERT_CHAIN_MAX,
	    trust_root, "mail.lab.test", NOW, true, 1, true, 0);
	verify_list("chain of CERT_CHAIN_MAX + 1", longer, NELEM(longer),
	    trust_root, "mail.lab.test", NOW, false, 1, true,
	    BIT(VERR_CHAIN_TOO_LONG));

	/* Leaf and intermediate were sent: complete, but the root is
	 * unknown. */
	verify_list("no trust list", good, NELEM(good), NULL, "mail.lab.test",
	    NOW, false, 1, true, BIT(VERR_UNTRUSTED));
}
