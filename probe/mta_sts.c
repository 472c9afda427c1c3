/*
 * mta_sts.c - pure parsers of MTA-STS (RFC 8461) and TLS-RPT (RFC 8460):
 * the TXT records (RFC 8461 3.1, RFC 8460 3), the policy file (RFC 8461
 * 3.2) and the matching of an MX host name against a policy's patterns
 * (RFC 8461 4.1).
 *
 * Strict where the RFCs are: a TXT record is "v=..." then fields each
 * after a ";" with optional blanks around it; a policy is "key: value"
 * lines ended by LF or CRLF, no blank line, no blank before the colon.
 * Unknown keys are ignored, as both RFCs require, but their syntax is
 * still checked. The first of a repeated policy key wins (RFC 8461 3.2),
 * except mx, which repeats. No I/O and no allocation beyond the strings
 * handed to the caller.
 */
#include "mta_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')
#define IS_ALNUM(c)                                                            \
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') ||           \
	    ((c) >= '0' && (c) <= '9'))

/* One "name=value" field of a TXT record, or "name: value" of a policy. */
struct field {
	const char *name, *value;
	size_t nlen, vlen;
};

const char *const sts_mode_names[] = {[STS_MODE_NONE] = "none",
    [STS_MODE_TESTING] = "testing",
    [STS_MODE_ENFORCE] = "enforce"};

static int txt_fields(const char *, const char *, struct field *, size_t,
    size_t *, char *, size_t);
static bool ext_name_ok(const char *, size_t);
static bool txt_value_ok(const char *, size_t);
static bool is(const struct field *, const char *);
static int policy_line(const char *, size_t, struct field *, char *, size_t);
static int policy_field(
    const struct field *, struct sts_policy *, unsigned *, char *, size_t);
static bool domain_ok(const char *, size_t);
static int rua_split(const char *, size_t, char **, size_t *, char *, size_t);

/* sts_result_free - the record texts, the URIs, and r itself */
void
sts_result_free(struct sts_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->txt);
	free(r->rpt_txt);
	for (i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	free(r);
}

/* sts_txt_pick - the one record that begins with prefix */
int
sts_txt_pick(const char *const *recs, size_t n, const char *prefix, char *why,
    size_t whylen)
{
	size_t i, found = 0;
	int at = -1;

	for (i = 0; i < n; i++)
		if (strncmp(recs[i], prefix, strlen(prefix)) == 0) {
			found++;
			at = (int)i;
		}
	if (found == 1)
		return at;
	if (found == 0) {
		snprintf(
		    why, whylen, "no TXT record begins with \"%s\"", prefix);
		return -1;
	}
	snprintf(why, whylen,
	    "%zu TXT records begin with \"%s\": there must be exactly one",
	    found, prefix);
	return -2;
}

/* sts_txt_parse - RFC 8461 3.1's record, and its id */
int
sts_txt_parse(
    const char *rec, char id[STS_ID_MAX + 1], char *why, size_t whylen)
{
	struct field f[DNS_TXT_LEN_MAX / 4];
	size_t i, k, n;

	id[0] = '\0';
	if (txt_fields(rec, "v=STSv1", f, sizeof(f) / sizeof(f[0]), &n, why,
		whylen) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is(&f[i], "id") || id[0] != '\0')
			continue;
		if (f[i].vlen > STS_ID_MAX) {
			snprintf(why, whylen,
			    "the id is %zu characters long, more than %d",
			    f[i].vlen, STS_ID_MAX);
			return -1;
		}
		memcpy(id, f[i].value, f[i].vlen);
		id[f[i].vlen] = '\0';
		for (k = 0; k < f[i].vlen; k++)
			if (!IS_ALNUM(id[k])) {
				snprintf(why, whylen,
				    "the id \"%s\" has a character other "
				    "than letters and digits",
				    id);
				id[0] = '\0';
				return -1;
			}
	}
	if (id[0] == '\0') {
		snprintf(why, whylen, "the record has no id");
		return -1;
	}
	return 0;
}

/* sts_policy_parse - RFC 8461 3.2's policy file */
int
sts_policy_parse(const char *body, size_t len, struct sts_policy *p, char *why,
    size_t whylen)
{
	const char *line = body, *end = body + len, *nl;
	unsigned seen = 0; /* bit 0 version, 1 mode, 2 max_age */
	struct field f;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (len == 0) {
		snprintf(why, whylen, "the policy is empty");
		return -1;
	}
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (policy_line(line, n, &f, why, whylen) == -1 ||
		    policy_field(&f, p, &seen, why, whylen) == -1)
			return -1;
		line = nl != NULL ? nl + 1 : end;
	}
	if ((seen & 7) != 7) {
		snprintf(why, whylen, "the policy has no %s",
		    !(seen & 1)       ? "version"
			: !(seen & 2) ? "mode"
				      : "max_age");
		return -1;
	}
	if (p->nmx == 0 && p->mode != STS_MODE_NONE) {
		snprintf(why, whylen, "the policy has no mx");
		return -1;
	}
	return 0;
}

/* sts_mx_match - RFC 8461 4.1: exact, or a wildcard for one label */
bool
sts_mx_match(const char *pattern, const char *host)
{
	size_t plen = strlen(pattern), hlen = strlen(host);
	const char *dot;

	if (plen > 0 && pattern[plen - 1] == '.')
		plen--;
	if (hlen > 0 && host[hlen - 1] == '.')
		hlen--;
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* The wildcard stands for the host's left-most label only. */
		if ((dot = memchr(host, '.', hlen)) == NULL || dot == host)
			return false;
		hlen -= (size_t)(dot - host);
		host = dot;
		pattern++;
		plen--;
	}
	return plen == hlen && plen > 0 &&
	    strncasecmp(pattern, host, plen) == 0;
}

/* sts_mx_text - the mx patterns, comma-separated, cut to fit */
void
sts_mx_text(const struct sts_policy *p, char *buf, size_t len)
{
	size_t i, n = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < p->nmx && n < len; i++) {
		w = snprintf(
		    buf + n, len - n, "%s%s", i > 0 ? ", " : "", p->mx[i]);
		if (w < 0 || (size_t)w >= len - n) {
			snprintf(buf + len - 4, 4, "...");
			return;
		}
		n += (size_t)w;
	}
}

/* tlsrpt_parse - RFC 8460 3's record, and its rua URIs */
int
tlsrpt_parse(
    const char *rec, char **rua, size_t *nrua, char *why, size_t whylen)
{
	struct field f[DNS_TXT_LEN_MAX / 4];
	size_t i, n;

	*nrua = 0;
	if (txt_fields(rec, "v=TLSRPTv1", f, sizeof(f) / sizeof(f[0]), &n, why,
		whylen) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (is(&f[i], "rua"))
			return rua_split(
			    f[i].value, f[i].vlen, rua, nrua, why, whylen);
	snprintf(why, whylen, "the record has no rua");
	return -1;
}

/*
 * txt_fields - a TXT record "VERSION *(delim field) [delim]" into its
 * fields after the version; delim is *WSP ";" *WSP, a field name=value
 * with the value up to the next ";" less trailing blanks
 */
static int
txt_fields(const char *rec, const char *version, struct field *f, size_t max,
    size_t *n, char *why, size_t whylen)
{
	const char *p = rec + strlen(version), *eq, *semi;

	*n = 0;
	if (strncmp(rec, version, strlen(version)) != 0 ||
	    (*p != '\0' && *p != ';' && !IS_WSP(*p))) {
		snprintf(why, whylen, "the record does not begin with \"%s\"",
		    version);
		return -1;
	}
	for (;;) {
		while (IS_WSP(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ';') {
			snprintf(
			    why, whylen, "a field is not separated by \";\"");
			return -1;
		}
		while (IS_WSP(*p))
			p++;
		if (*p == '\0')
			break;
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		if ((eq = memchr(p, '=', (size_t)(semi - p))) == NULL ||
		    *n == max || !ext_name_ok(p, (size_t)(eq - p))) {
			snprintf(why, whylen,
			    "\"%.*s\" is not a name=value field",
			    (int)(semi - p > 64 ? 64 : semi - p), p);
			return -1;
		}
		f[*n].name = p;
		f[*n].nlen = (size_t)(eq - p);
		f[*n].value = eq + 1;
		for (p = semi; p > eq + 1 && IS_WSP(p[-1]); p--)
			;
		f[*n].vlen = (size_t)(p - eq - 1);
		if (f[*n].vlen == 0 ||
		    (!is(&f[*n], "rua") && !txt_value_ok(eq + 1, f[*n].vlen))) {
			snprintf(why, whylen,
			    "the field \"%.*s\" has a bad value",
			    (int)f[*n].nlen, f[*n].name);
			return -1;
		}
		(*n)++;
		p = semi;
	}
	if (*n == 0) {
		snprintf(why, whylen, "the record has no field after \"%s\"",
		    version);
		return -1;
	}
	return 0;
}

/* ext_name_ok - (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool
ext_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 32 || !IS_ALNUM(s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!IS_ALNUM(s[i]) && s[i] != '_' && s[i] != '-' &&
		    s[i] != '.')
			return false;
	return true;
}

/* txt_value_ok - 1*(%x21-3A / %x3C / %x3E-7E): no blank, ";" or "=" */
static bool
txt_value_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ';' || s[i] == '=')
			return false;
	return n > 0;
}

/* is - whether field f is called name (names are case-sensitive) */
static bool
is(const struct field *f, const char *name)
{
	return f->nlen == strlen(name) && memcmp(f->name, name, f->nlen) == 0;
}

/*
 * policy_line - "name:" *WSP value *WSP, value printable ASCII and blanks
 * inside; n bytes at s, its line end removed
 */
static int
policy_line(const char *s, size_t n, struct field *f, char *why, size_t whylen)
{
	const char *colon = memchr(s, ':', n), *v, *end = s + n;
	size_t i;

	if (colon == NULL || !ext_name_ok(s, (size_t)(colon - s))) {
		snprintf(why, whylen, "the line \"%.*s\" is not \"key: value\"",
		    (int)(n > 64 ? 64 : n), s);
		return -1;
	}
	for (v = colon + 1; v < end && IS_WSP(*v); v++)
		;
	while (end > v && IS_WSP(end[-1]))
		end--;
	for (i = 0; v + i < end; i++)
		if ((v[i] < 0x21 || v[i] > 0x7e) && v[i] != ' ') {
			snprintf(why, whylen,
			    "the line of \"%.*s\" has a control character",
			    (int)(colon - s), s);
			return -1;
		}
	f->name = s;
	f->nlen = (size_t)(colon - s);
	f->value = v;
	f->vlen = (size_t)(end - v);
	if (f->vlen == 0) {
		snprintf(why, whylen, "\"%.*s\" has no value", (int)f->nlen, s);
		return -1;
	}
	return 0;
}

/* policy_field - one known key into p; seen: which were set already */
static int
policy_field(const struct field *f, struct sts_policy *p, unsigned *seen,
    char *why, size_t whylen)
{
	char v[24];
	long age;
	size_t i;
	int m;

	if (is(f, "mx")) {
		if (!domain_ok(f->value, f->vlen)) {
			snprintf(why, whylen,
			    "mx \"%.*s\" is not a host name "
			    "or \"*.\" and a domain",
			    (int)(f->vlen > 64 ? 64 : f->vlen), f->value);
			return -1;
		}
		if (p->nmx < STS_MX_MAX) {
			memcpy(p->mx[p->nmx], f->value, f->vlen);
			p->mx[p->nmx++][f->vlen] = '\0';
		}
		return 0;
	}
	i = is(f, "version") ? 0 : is(f, "mode") ? 1 : is(f, "max_age") ? 2 : 3;
	if (i == 3 || (*seen & (1u << i)))
		return 0;
	*seen |= 1u << i;
	snprintf(
	    v, sizeof(v), "%.*s", (int)(f->vlen < 23 ? f->vlen : 23), f->value);
	if (i == 0 && (f->vlen != 5 || strcmp(v, "STSv1") != 0)) {
		snprintf(why, whylen, "the version is \"%s\", not STSv1", v);
		return -1;
	}
	for (m = 0; i == 1 && m <= STS_MODE_ENFORCE; m++)
		if (f->vlen == strlen(sts_mode_names[m]) &&
		    strcmp(v, sts_mode_names[m]) == 0)
			break;
	if (i == 1 && m > STS_MODE_ENFORCE) {
		snprintf(why, whylen,
		    "the mode is \"%s\", not enforce, testing or none", v);
		return -1;
	}
	if (i == 1)
		p->mode = (enum sts_mode)m;
	if (i != 2)
		return 0;
	for (i = 0, age = 0;
	     i < f->vlen && i < 10 && v[i] >= '0' && v[i] <= '9'; i++)
		age = age * 10 + (v[i] - '0');
	if (i != f->vlen || age > STS_MAX_AGE_MAX) {
		snprintf(why, whylen,
		    "max_age \"%s\" is not a number of seconds from 0 to %ld",
		    v, STS_MAX_AGE_MAX);
		return -1;
	}
	p->max_age = age;
	return 0;
}

/*
 * domain_ok - ["*."] Domain (RFC 5321 4.1.2): labels of letters, digits
 * and inner hyphens, at most 63 bytes each, HOSTNAME_MAX in all
 */
static bool
domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.')
		s += 2, n -= 2;
	if (n == 0 || n > HOSTNAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (IS_ALNUM(s[i]) || (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

/*
 * rua_split - "uri *(*WSP "," *WSP uri)", each mailto: or https: (RFC
 * 8460 3); at most TLSRPT_RUA_MAX are kept, the rest counted as checked
 */
static int
rua_split(
    const char *s, size_t n, char **rua, size_t *nrua, char *why, size_t whylen)
{
	const char *end = s + n, *comma, *e;
	size_t i;

	for (;;) {
		while (s < end && IS_WSP(*s))
			s++;
		for (comma = s; comma < end && *comma != ','; comma++)
			;
		for (e = comma; e > s && IS_WSP(e[-1]); e--)
			;
		for (i = 0; s + i < e; i++)
			if (s[i] < 0x21 || s[i] > 0x7e)
				break;
		if (s + i != e || e - s > TLSRPT_URI_MAX ||
		    !((e - s > 7 && strncasecmp(s, "mailto:", 7) == 0) ||
			(e - s > 8 && strncasecmp(s, "https://", 8) == 0))) {
			snprintf(why, whylen,
			    "rua \"%.*s\" is not a mailto: or https: URI",
			    (int)(e - s > 64 ? 64 : e - s), s);
			while (*nrua > 0)
				free(rua[--*nrua]);
			return -1;
		}
		if (*nrua < TLSRPT_RUA_MAX)
			rua[(*nrua)++] = xmemdup(s, (size_t)(e - s));
		if (comma == end)
			return 0;
		s = comma + 1;
	}
}
