/*
 * dns.h - asynchronous DNS (c-ares) as sources of the one loop.
 *
 * Every socket c-ares opens is a source of the reactor, and c-ares's own
 * retransmission timer is one more: no lookup ever blocks the loop, so a
 * name whose server never answers delays nothing else. Each lookup also
 * has a deadline of its own (lookup_ms): when it passes, the caller is
 * told at once, and whatever c-ares answers later is dropped.
 *
 * A lookup calls its callback exactly once, from the loop, never from
 * inside the dns_lookup_* call itself; dns_free cancels every lookup
 * still waiting without calling it.
 */
#ifndef SMTP_PROBE_DNS_H
#define SMTP_PROBE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "bounds.h"
#include "loop.h"

struct dns; /* opaque: the channel and its sources */

enum dns_status {
	DNS_OK,
	DNS_NODATA,   /* the name exists, without a record of that type */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_TIMEOUT,  /* no answer before the lookup's deadline */
	DNS_FAILED    /* SERVFAIL, REFUSED, a malformed answer, ... */
};

/* The addresses of a name (AF_INET and AF_INET6), without duplicates. */
struct dns_addrs {
	size_t n;
	struct sockaddr_storage addr[RESOLVE_ADDRS_MAX];
	socklen_t len[RESOLVE_ADDRS_MAX];
};

/* One MX (pref, host) or SRV (pref = priority, weight, port, host). */
struct dns_rr {
	int pref;
	int weight;
	int port;
	/* As c-ares spells it ("" for the root, "."): at most HOSTNAME_MAX
	 * bytes are kept; a longer name is cut and marked too_long. */
	char host[HOSTNAME_MAX + 1];
	bool too_long;
};

/*
 * TXT records (dns_lookup_txt), each its strings joined (RFC 8461 3.1),
 * NUL-terminated; bytes past DNS_TXT_LEN_MAX are cut, records past
 * DNS_TXT_MAX dropped.
 */
struct dns_txt {
	size_t n;
	char rec[DNS_TXT_MAX][DNS_TXT_LEN_MAX + 1];
};

/* What a lookup found; message says why when status is not DNS_OK. */
struct dns_answer {
	enum dns_status status;
	char message[ERR_MSG_MAX];
	struct dns_addrs addrs; /* dns_lookup_addrs */
	size_t nrr;             /* dns_lookup_mx, dns_lookup_srv */
	struct dns_rr rr[DNS_RECORDS_MAX];
	struct dns_txt txt; /* dns_lookup_txt */
};

typedef void dns_done_fn(void *arg, const struct dns_answer *);

/*
 * dns_new - a channel on loop. server is --resolver's "IP", "IP:PORT" or
 * "[IPv6]:PORT" (NULL: the system's, /etc/resolv.conf); lookup_ms each
 * lookup's deadline. Returns NULL with a sentence in err when server is
 * not an address or c-ares cannot start.
 */
struct dns *dns_new(struct loop *, const char *server, int lookup_ms, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* dns_free - close the channel; waiting lookups end without callback */
void dns_free(struct dns *);

/* dns_pending - lookups whose callback has not run yet */
size_t dns_pending(const struct dns *);

/*
 * dns_lookup_addrs - the addresses of name, from the hosts file then DNS
 * (family AF_UNSPEC: A and AAAA at once, or AF_INET, AF_INET6 alone), in
 * c-ares's order (RFC 6724). An address literal is answered as itself.
 */
void dns_lookup_addrs(
    struct dns *, const char *name, int family, dns_done_fn *, void *arg);

/* dns_lookup_mx - the MX records of name, by preference (RFC 5321 5.1) */
void dns_lookup_mx(struct dns *, const char *name, dns_done_fn *, void *arg);

/*
 * dns_lookup_srv - the SRV records of name (a whole "_service._tcp.domain"),
 * by priority, then weight, heaviest first (RFC 2782)
 */
void dns_lookup_srv(struct dns *, const char *name, dns_done_fn *, void *arg);

/*
 * dns_raw_fn - for dns_lookup_raw: c-ares's status and the answer's bytes
 * (abuf NULL when none came), from c-ares's callback, only while the
 * caller still waits (never after its deadline, never while the channel
 * closes); may set a->status and a->message.
 */
typedef void dns_raw_fn(void *arg, int status, const unsigned char *abuf,
    int alen, struct dns_answer *a);

/*
 * dns_lookup_raw - send q[0..qlen), a whole query the caller made (for
 * header flags c-ares has no option for: AD, CD), for name (in messages);
 * parse reads the answer, then done is called as for any lookup
 */
void dns_lookup_raw(struct dns *, const char *name, const unsigned char *q,
    int qlen, dns_raw_fn *parse, dns_done_fn *done, void *arg);

/* dns_lookup_txt - the TXT records of name, in the order received */
void dns_lookup_txt(struct dns *, const char *name, dns_done_fn *, void *arg);

/* dns_set_port - set the port of an AF_INET or AF_INET6 address */
void dns_set_port(struct sockaddr_storage *, int port);

/* dns_addr_text - the numeric address of sa into buf */
void dns_addr_text(const struct sockaddr *sa, char *buf, size_t len);

/*
 * dns_server_ok - whether s is a usable --resolver value ("IP",
 * "IP:PORT", "[IPv6]:PORT"); cli.c checks with it before anything runs.
 */
bool dns_server_ok(const char *s);

struct ares_addr_port_node;
/*
 * dns_parse_server - for dns.c: --resolver's "IP", "IP:PORT", "IPv6",
 * "[IPv6]" or "[IPv6]:PORT" into one c-ares server (port 0: c-ares's
 * default, 53); 0, or -1 when s is none of these
 */
int dns_parse_server(const char *s, struct ares_addr_port_node *n);

/*
 * dns_parse_records - for dns.c: the MX (mx true) or SRV records of a
 * reply into a, at most DNS_RECORDS_MAX, by preference then weight;
 * returns ARES_SUCCESS or c-ares's error (a->nrr is then 0)
 */
int dns_parse_records(
    bool mx, const unsigned char *abuf, int alen, struct dns_answer *a);

/* dns_parse_txt - for dns.c: the TXT records of a reply into a->txt */
int dns_parse_txt(const unsigned char *abuf, int alen, struct dns_answer *a);

#endif
