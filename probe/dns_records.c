/*
 * dns_records.c - what the DNS answers become: MX (RFC 5321 5.1), SRV
 * (RFC 2782, RFC 6186) and TXT (RFC 1035 3.3.14) replies parsed by c-ares into
 * bounded records in preference order, the addresses' port and text, and
 * --resolver's address. No I/O: dns.c asks and delivers, this file reads.
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

/* dns_server_ok - a --resolver value c-ares can use */
bool
dns_server_ok(const char *s)
{
	struct ares_addr_port_node node;

	return dns_parse_server(s, &node) == 0;
}

/*
 * dns_parse_server - "IP", "IP:PORT", "IPv6", "[IPv6]" or "[IPv6]:PORT" into
 * one c-ares server; port 0 means c-ares's default, 53.
 */
int
dns_parse_server(const char *s, struct ares_addr_port_node *n)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	const char *port = NULL, *close;
	bool bracket = s[0] == '[';
	size_t len;
	long p = 0;

	memset(n, 0, sizeof(*n));
	if (bracket) {
		if ((close = strchr(s, ']')) == NULL ||
		    (close[1] != '\0' && close[1] != ':'))
			return -1;
		len = (size_t)(close - s - 1);
		s++;
		port = close[1] == ':' ? close + 2 : NULL;
	} else if ((port = strchr(s, ':')) != NULL && strchr(port + 1, ':'))
		port = NULL, len = strlen(s); /* a bare IPv6 address */
	else
		len = port != NULL ? (size_t)(port++ - s) : strlen(s);
	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	if (port != NULL &&
	    (port[0] < '0' || port[0] > '9' ||
		(p = strtol(port, &end, 10)) < 1 || p > 65535 || *end != '\0'))
		return -1;
	n->udp_port = n->tcp_port = (int)p;
	if (inet_pton(AF_INET, host, &n->addr.addr4) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &n->addr.addr6) == 1)
		n->family = AF_INET6;
	else
		return -1;
	/* "[192.0.2.1]" brackets nothing that needs them. */
	return bracket && n->family != AF_INET6 ? -1 : 0;
}
