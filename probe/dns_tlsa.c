/*
 * dns_tlsa.c - the TLSA query of --dane, and what its answer says.
 *
 * DNSSEC is judged by the resolver, as Postfix does with
 * smtp_dns_support_level = dane: the query carries the AD bit (RFC 6840
 * 5.7), and a validating resolver sets AD in its answer only for data it
 * validated (RFC 4035 3.2.3). c-ares 1.18 has neither an option for that
 * bit nor a TLSA parser, so the query is made here with
 * ares_create_query() and its header flags set by hand, and the answer's
 * header and records are read here, with c-ares's name expansion and
 * every length checked against the message (it is the server's data).
 *
 * The state (tlsa_state): AD set: secure; an answer without AD: insecure;
 * SERVFAIL, then the data with CD set (RFC 4035 3.2.2, "checking
 * disabled"): bogus, for the resolver rejected data it could fetch;
 * anything else: error. Pure: no I/O here.
 */
#include "dane.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "xalloc.h"

/* RFC 6698 7.1 */
#define T_TLSA_RR 52
/* Header: 12 bytes; the AD and CD bits are in its fourth (RFC 4035 3.1). */
#define HDR_LEN 12
#define HDR_AD 0x20
#define HDR_CD 0x10
/* RFC 6891 6.2.5: an EDNS size that avoids fragmentation (1232 by the
 * DNS flag day 2020); a bigger answer comes truncated, then over TCP. */
#define EDNS_SIZE 1232
#define RCODE_NOERROR 0
#define RCODE_NXDOMAIN 3

static int skip_name(const unsigned char *, const unsigned char *, int, long *);
static int read_rr(const unsigned char **, const unsigned char *, int,
    struct tlsa_answer *, const char **);
static void keep_rr(struct tlsa_answer *, const unsigned char *, size_t);

/* tlsa_query_make - the query for name, AD set, CD when asked */
int
tlsa_query_make(const char *name, bool cd, unsigned char **buf, int *len)
{
	if (ares_create_query(name, ns_c_in, T_TLSA_RR, 0, 1, buf, len,
		EDNS_SIZE) != ARES_SUCCESS ||
	    *len < HDR_LEN)
		return -1;
	(*buf)[3] |= HDR_AD | (cd ? HDR_CD : 0);
	return 0;
}

/* tlsa_answer_parse - header flags and TLSA records of one answer */
int
tlsa_answer_parse(const unsigned char *abuf, int alen, struct tlsa_answer *a,
    const char **why)
{
	const unsigned char *p;
	unsigned int qd, an, i;
	long enclen;

	memset(a, 0, sizeof(*a));
	if (abuf == NULL || alen < HDR_LEN) {
		*why = "the answer is shorter than a DNS header";
		return -1;
	}
	a->rcode = abuf[3] & 0x0f;
	a->ad = (abuf[3] & HDR_AD) != 0;
	qd = (unsigned int)abuf[4] << 8 | abuf[5];
	an = (unsigned int)abuf[6] << 8 | abuf[7];
	p = abuf + HDR_LEN;
	for (i = 0; i < qd; i++) {
		if (skip_name(p, abuf, alen, &enclen) == -1 ||
		    abuf + alen - (p + enclen) < 4) {
			*why = "the answer's question is malformed";
			return -1;
		}
		p += enclen + 4;
	}
	for (i = 0; i < an; i++)
		if (read_rr(&p, abuf, alen, a, why) == -1) {
			tlsa_answer_free(a);
			return -1;
		}
	a->answered = true;
	return 0;
}

/* tlsa_answer_free - the records' data */
void
tlsa_answer_free(struct tlsa_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->rr[i].data);
	a->n = 0;
}

/* tlsa_state - secure, insecure, bogus or error, from one or two answers */
enum dane_dnssec
tlsa_state(const struct tlsa_answer *first, bool servfail,
    const struct tlsa_answer *cd)
{
	if (tlsa_answered(first))
		return first->ad ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE;
	if (servfail && cd != NULL && tlsa_answered(cd))
		return DANE_DNSSEC_BOGUS;
	return DANE_DNSSEC_ERROR;
}

/* tlsa_name - "_PORT._tcp.HOST", none for an address literal */
int
tlsa_name(const char *host, int port, char *buf, size_t len)
{
	unsigned char addr[sizeof(struct in6_addr)];
	int n;

	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1 || host[0] == '\0')
		return -1;
	n = snprintf(buf, len, "_%d._tcp.%s", port, host);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* tlsa_answered - the records, or that there are none (NODATA, NXDOMAIN) */
bool
tlsa_answered(const struct tlsa_answer *a)
{
	return a != NULL && a->answered &&
	    (a->rcode == RCODE_NOERROR || a->rcode == RCODE_NXDOMAIN);
}

/* skip_name - the length of the (possibly compressed) name at p */
static int
skip_name(
    const unsigned char *p, const unsigned char *abuf, int alen, long *enclen)
{
	char *name;

	if (p >= abuf + alen ||
	    ares_expand_name(p, abuf, alen, &name, enclen) != ARES_SUCCESS)
		return -1;
	ares_free_string(name);
	return 0;
}

/*
 * read_rr - one resource record of the answer section at *p: kept when it
 * is a TLSA record of class IN (a CNAME or an RRSIG is passed over)
 */
static int
read_rr(const unsigned char **pp, const unsigned char *abuf, int alen,
    struct tlsa_answer *a, const char **why)
{
	const unsigned char *p = *pp, *end = abuf + alen;
	unsigned int type, class, rdlen;
	long enclen;

	if (skip_name(p, abuf, alen, &enclen) == -1 ||
	    end - (p + enclen) < 10) {
		*why = "a record of the answer is malformed";
		return -1;
	}
	p += enclen;
	type = (unsigned int)p[0] << 8 | p[1];
	class = (unsigned int)p[2] << 8 | p[3];
	rdlen = (unsigned int)p[8] << 8 | p[9];
	p += 10;
	if (end - p < (long)rdlen) {
		*why = "a record of the answer runs past its end";
		return -1;
	}
	if (type == T_TLSA_RR && class == ns_c_in) {
		/* RFC 6698 2.1: usage, selector, matching type, then data. */
		if (rdlen < 4) {
			*why = "a TLSA record is too short to hold any data";
			return -1;
		}
		keep_rr(a, p, rdlen);
	}
	*pp = p + rdlen;
	return 0;
}

/* keep_rr - one TLSA RDATA, within the bounds; beyond them: truncated */
static void
keep_rr(struct tlsa_answer *a, const unsigned char *rdata, size_t rdlen)
{
	struct tlsa_record *r;

	if (a->n == TLSA_RECORDS_MAX || rdlen - 3 > TLSA_DATA_MAX) {
		a->truncated = true;
		return;
	}
	r = &a->rr[a->n++];
	r->usage = rdata[0];
	r->selector = rdata[1];
	r->mtype = rdata[2];
	r->len = rdlen - 3;
	r->data = xmalloc(r->len);
	memcpy(r->data, rdata + 3, r->len);
}
