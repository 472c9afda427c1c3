/*
 * dns_records.c - what the DNS answers become: MX (RFC 5321 5.1), SRV
 * (RFC 2782, RFC 6186) and TXT (RFC 1035 3.3.14) replies parsed by c-ares into
 * bounded records in preference order, and the addresses' port and text. No
 * I/O: dns.c asks and delivers, this file reads answers.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

static int rr_cmp(const void *, const void *);
static void rr_host(struct dns_rr *, const char *);

/*
 * dns_parse_txt - TXT records of a reply, each one's strings joined (a
 * record_start begins a new record); returns ARES_SUCCESS or the error
 */
int
dns_parse_txt(const unsigned char *abuf, int alen, struct dns_answer *a)
{
	struct ares_txt_ext *txt = NULL, *t;
	struct dns_txt *o = &a->txt;
	size_t have = 0, take;
	char *rec = NULL;
	int rc;

	rc = ares_parse_txt_reply_ext(abuf, alen, &txt);
	for (t = txt; rc == ARES_SUCCESS && t != NULL; t = t->next) {
		if (t->record_start) {
			if (o->n == DNS_TXT_MAX)
				break;
			rec = o->rec[o->n++];
			have = 0;
		}
		if (rec == NULL)
			continue;
		take = t->length < DNS_TXT_LEN_MAX - have
		    ? t->length
		    : DNS_TXT_LEN_MAX - have;
		memcpy(rec + have, t->txt, take);
		have += take;
		rec[have] = '\0';
	}
	ares_free_data(txt);
	if (rc != ARES_SUCCESS)
		o->n = 0;
	return rc;
}

/*
 * dns_parse_records - MX (mx true) or SRV records of a reply into a, at
 * most DNS_RECORDS_MAX, sorted; returns ARES_SUCCESS or c-ares's error
 */
int
dns_parse_records(
    bool mx, const unsigned char *abuf, int alen, struct dns_answer *a)
{
	struct ares_mx_reply *mxs = NULL, *m;
	struct ares_srv_reply *srv = NULL, *s;
	int rc;

	if (mx) {
		rc = ares_parse_mx_reply(abuf, alen, &mxs);
		for (m = mxs; rc == ARES_SUCCESS && m != NULL &&
		     a->nrr < DNS_RECORDS_MAX;
		     m = m->next) {
			a->rr[a->nrr].pref = m->priority;
			rr_host(&a->rr[a->nrr++], m->host);
		}
	} else {
		rc = ares_parse_srv_reply(abuf, alen, &srv);
		for (s = srv; rc == ARES_SUCCESS && s != NULL &&
		     a->nrr < DNS_RECORDS_MAX;
		     s = s->next) {
			a->rr[a->nrr].pref = s->priority;
			a->rr[a->nrr].weight = s->weight;
			a->rr[a->nrr].port = s->port;
			rr_host(&a->rr[a->nrr++], s->host);
		}
	}
	ares_free_data(mxs);
	ares_free_data(srv);
	if (rc != ARES_SUCCESS) {
		a->nrr = 0;
		return rc;
	}
	qsort(a->rr, a->nrr, sizeof(a->rr[0]), rr_cmp);
	return ARES_SUCCESS;
}

/* rr_cmp - preference (priority) first, then the heavier weight */
static int
rr_cmp(const void *a, const void *b)
{
	const struct dns_rr *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return (x->weight < y->weight) - (x->weight > y->weight);
}

/* rr_host - a record's host name, cut at HOSTNAME_MAX */
static void
rr_host(struct dns_rr *rr, const char *host)
{
	size_t len = host != NULL ? strlen(host) : 0;

	rr->too_long = len > HOSTNAME_MAX;
	memcpy(rr->host, host != NULL ? host : "",
	    rr->too_long ? HOSTNAME_MAX : len);
	rr->host[rr->too_long ? HOSTNAME_MAX : len] = '\0';
}

/* dns_set_port - port in network byte order */
void
dns_set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* dns_addr_text - numeric form of an address */
void
dns_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6
	    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
	    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}
