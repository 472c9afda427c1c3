/*
 * fuzz_mta_sts.c - libFuzzer harness for the MTA-STS and TLS-RPT parsers
 * (probe/mta_sts.c).
 *
 * Input: a policy file as an HTTPS server would send it, bytes that may
 * hold NUL, CR and anything else. The whole input goes through
 * sts_policy_parse(); its text up to the first NUL (what a TXT record
 * becomes) through sts_txt_parse() and tlsrpt_parse(), and, cut at its
 * first LF, as an mx pattern and a host name through sts_mx_match().
 *
 * Invariants (abort() on failure): a parsed policy has a known mode,
 * max_age within 0..STS_MAX_AGE_MAX, at most STS_MX_MAX patterns, each
 * NUL-terminated, non-empty and matching itself; a parsed id is 1 to 32
 * letters and digits; rua URIs are mailto: or https:, at most
 * TLSRPT_RUA_MAX, freed here so LeakSanitizer sees any leak.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mta_sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void check_policy(const uint8_t *, size_t);
static void check_txt(const char *);

/* LLVMFuzzerTestOneInput - every parser on one input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl;

	check_policy(data, size);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_txt(s);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		(void)sts_mx_match(s, nl + 1);
	}
	free(s);
	return 0;
}

/* check_policy - sts_policy_parse and what a parsed policy promises */
static void
check_policy(const uint8_t *data, size_t size)
{
	struct sts_policy p;
	char why[256];
	size_t i;

	if (sts_policy_parse((const char *)data, size, &p, why, sizeof(why)) !=
	    0)
		return;
	if (p.mode > STS_MODE_ENFORCE || p.max_age < 0 ||
	    p.max_age > STS_MAX_AGE_MAX || p.nmx > STS_MX_MAX)
		abort();
	for (i = 0; i < p.nmx; i++)
		if (memchr(p.mx[i], '\0', sizeof(p.mx[i])) == NULL ||
		    p.mx[i][0] == '\0' ||
		    (p.mx[i][0] != '*' && !sts_mx_match(p.mx[i], p.mx[i])))
			abort();
}

/* check_txt - the two TXT record parsers on s */
static void
check_txt(const char *s)
{
	char id[STS_ID_MAX + 1], why[256], *rua[TLSRPT_RUA_MAX];
	size_t i, n;

	if (sts_txt_parse(s, id, why, sizeof(why)) == 0) {
		n = strlen(id);
		if (n == 0 || n > STS_ID_MAX)
			abort();
		for (i = 0; i < n; i++)
			if (!((id[i] >= 'a' && id[i] <= 'z') ||
				(id[i] >= 'A' && id[i] <= 'Z') ||
				(id[i] >= '0' && id[i] <= '9')))
				abort();
	}
	if (tlsrpt_parse(s, rua, &n, why, sizeof(why)) != 0) {
		if (n != 0)
			abort();
		return;
	}
	if (n == 0 || n > TLSRPT_RUA_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (strncasecmp(rua[i], "mailto:", 7) != 0 &&
		    strncasecmp(rua[i], "https://", 8) != 0)
			abort();
		free(rua[i]);
	}
}
