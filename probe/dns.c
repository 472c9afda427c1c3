/*
 * dns.c - c-ares inside the reactor: A, AAAA, MX, SRV and TXT lookups that
 * never block.
 *
 * c-ares tells us, through its socket-state callback, each socket it
 * opens and what it waits for; each becomes a source of the loop, and
 * readiness is handed back with ares_process_fd(). Its retransmission
 * timer (ares_timeout) is one more source. Nothing here polls or sleeps.
 *
 * Each lookup has a deadline of its own, on top of c-ares's retries: a
 * server that never answers must not hold a target longer than that. A
 * lookup past its deadline is answered DNS_TIMEOUT at once and left to
 * c-ares, whose own timeouts (set to fit in the same time) end it soon;
 * its late answer is dropped. c-ares answers some lookups (a hosts-file
 * name, an address literal) inside the call that starts them: those are
 * delivered on the next pass of the loop, so a caller never sees its
 * callback run before the call that asked for it has returned.
 *
 * TXT and TLSA lookups (MTA-STS, DANE) go through the same lookups
 * with a parser of their own; a TLSA query is made by dns_tlsa.c (it
 * needs the AD and CD bits) and sent as it is (dns_lookup_raw).
 */
#include "dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "clock.h"
#include "xalloc.h"

/* c-ares tries each server twice (the second try waits twice as long):
 * three per-try timeouts make one lookup's deadline. */
#define DNS_TRIES 2
#define DNS_TRY_MIN_MS 100
/* Bytes of a name quoted in a message: the reason must fit after it. */
#define NAME_QUOTE 128

/* One socket c-ares has open, as a source of the loop. */
struct dns_sock {
	struct source src;
	struct dns *d;
};

enum lookup_type { LK_ADDRS, LK_MX, LK_SRV, LK_TXT, LK_RAW };

/* One lookup, alive until c-ares is done with it and its caller is told. */
struct lookup {
	struct dns *d;
	struct source timer; /* its deadline, or "deliver now" */
	enum lookup_type type;
	char name[HOSTNAME_MAX + 16]; /* for messages; "_submissions._tcp." */
	dns_done_fn *done;            /* NULL once the caller was told */
	void *arg;
	int family;                 /* LK_ADDRS: AF_UNSPEC, AF_INET, AF_INET6 */
	bool sent;                  /* handed to c-ares, which holds it */
	bool cares_done;            /* c-ares called back: it holds nothing */
	bool starting;              /* inside the call that started it */
	struct dns_answer *answer;  /* owned: found while starting */
	struct lookup *prev, *next; /* d->lookups */
	struct lookup *qnext;       /* d->queue */

	unsigned char *query; /* LK_RAW: owned, qlen bytes */
	int qlen;
	dns_raw_fn *parse; /* LK_RAW: reads the answer */
};

struct dns {
	struct loop *loop;
	ares_channel ch;
	struct source timer;     /* c-ares's retransmission deadline */
	struct dns_sock **socks; /* owned, one per c-ares socket */
	size_t nsocks, capsocks;
	int lookup_ms;
	size_t pending;         /* lookups whose caller was not told yet */
	size_t outstanding;     /* lookups c-ares holds */
	struct lookup *lookups; /* every live lookup */
	struct lookup *queue,
	    *queue_tail; /* waiting for c-ares to hold fewer */
	bool closing;    /* dns_free: callbacks only release */
};

static void sock_state(void *, ares_socket_t, int, int);
static void on_sock(struct source *, short, int64_t);
static void on_cares_timer(struct source *, int64_t);
static void timer_update(struct dns *);
static struct lookup *lookup_new(
    struct dns *, enum lookup_type, const char *, dns_done_fn *, void *);
static void lookup_query(
    struct dns *, enum lookup_type, const char *, dns_done_fn *, void *);
static void lookup_ask(struct lookup *);
static void lookup_send(struct lookup *);
static void lookup_started(struct lookup *);
static void on_deadline(struct source *, int64_t);
static void deliver(struct lookup *, const struct dns_answer *);
static void lookup_release(struct lookup *);
static void pump(struct dns *);
static void cares_finished(struct lookup *, struct dns_answer *);
static struct dns_answer *literal(const char *, int);
static void on_addrinfo(void *, int, int, struct ares_addrinfo *);
static void on_query(void *, int, int, unsigned char *, int);
static void answer_status(const struct lookup *, int, struct dns_answer *);

/* dns_new - a c-ares channel whose sockets are sources of loop */
struct dns *
dns_new(struct loop *loop, const char *server, int lookup_ms, char *err,
    size_t errlen)
{
	struct ares_addr_port_node node;
	struct ares_options opts;
	struct dns *d;
	int rc, optmask;

	if (server != NULL && dns_parse_server(server, &node) == -1) {
		snprintf(err, errlen,
		    "\"%s\" is not IP, IP:PORT or [IPv6]:PORT", server);
		return NULL;
	}
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->loop = loop;
	d->lookup_ms = lookup_ms;
	memset(&opts, 0, sizeof(opts));
	opts.sock_state_cb = sock_state;
	opts.sock_state_cb_data = d;
	opts.timeout = lookup_ms / (1 + DNS_TRIES) > DNS_TRY_MIN_MS
	    ? lookup_ms / (1 + DNS_TRIES)
	    : DNS_TRY_MIN_MS;
	opts.tries = DNS_TRIES;
	/* Room for the answers of DNS_LOOKUPS_MAX lookups at once (the
	 * kernel caps it at net.core.rmem_max). */
	opts.socket_receive_buffer_size = DNS_RCVBUF;
	optmask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_RCVBUF;
	if ((rc = ares_init_options(&d->ch, &opts, optmask)) != ARES_SUCCESS ||
	    (server != NULL &&
		(rc = ares_set_servers_ports(d->ch, &node)) != ARES_SUCCESS)) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		if (d->ch != NULL)
			ares_destroy(d->ch);
		ares_library_cleanup();
		free(d);
		return NULL;
	}
	loop_add_timer(loop, &d->timer, LOOP_NEVER, on_cares_timer);
	return d;
}

/* dns_free - cancel what is left, close every socket, free the channel */
void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	d->closing = true;
	d->queue = d->queue_tail = NULL;
	/* Each outstanding query calls back (ARES_EDESTRUCTION) and each
	 * socket is reported closed: both only release here. */
	ares_destroy(d->ch);
	while (d->lookups != NULL)
		lookup_release(d->lookups);
	while (d->nsocks > 0) {
		loop_del(d->loop, &d->socks[--d->nsocks]->src);
		free(d->socks[d->nsocks]);
	}
	loop_del(d->loop, &d->timer);
	free(d->socks);
	free(d);
	ares_library_cleanup();
}

/* dns_pending - lookups not answered yet */
size_t
dns_pending(const struct dns *d)
{
	return d->pending;
}

/* dns_lookup_addrs - A and AAAA (or one family) of name */
void
dns_lookup_addrs(
    struct dns *d, const char *name, int family, dns_done_fn *done, void *arg)
{
	struct lookup *l = lookup_new(d, LK_ADDRS, name, done, arg);
	struct dns_answer *a;

	l->family = family;
	/* c-ares 1.18 sends an IPv4 literal to the DNS server when both
	 * families are asked for: a literal never reaches it. */
	if ((a = literal(name, family)) != NULL)
		cares_finished(l, a);
	else
		lookup_ask(l);
	lookup_started(l);
}

/* dns_lookup_mx - MX of name */
void
dns_lookup_mx(struct dns *d, const char *name, dns_done_fn *done, void *arg)
{
	lookup_query(d, LK_MX, name, done, arg);
}

/* dns_lookup_srv - SRV of name */
void
dns_lookup_srv(struct dns *d, const char *name, dns_done_fn *done, void *arg)
{
	lookup_query(d, LK_SRV, name, done, arg);
}

/* dns_lookup_txt - TXT of name */
void
dns_lookup_txt(struct dns *d, const char *name, dns_done_fn *done, void *arg)
{
	lookup_query(d, LK_TXT, name, done, arg);
}

/* lookup_query - a lookup c-ares makes the query of, asked now */
static void
lookup_query(struct dns *d, enum lookup_type type, const char *name,
    dns_done_fn *done, void *arg)
{
	struct lookup *l = lookup_new(d, type, name, done, arg);

	lookup_ask(l);
	lookup_started(l);
}

/* dns_lookup_raw - a query made by the caller (dns_tlsa.c) */
void
dns_lookup_raw(struct dns *d, const char *name, const unsigned char *q,
    int qlen, dns_raw_fn *parse, dns_done_fn *done, void *arg)
{
	struct lookup *l = lookup_new(d, LK_RAW, name, done, arg);

	l->query = xmalloc((size_t)qlen);
	memcpy(l->query, q, (size_t)qlen);
	l->qlen = qlen;
	l->parse = parse;
	lookup_ask(l);
	lookup_started(l);
}

/*
 * sock_state - c-ares opened, changed or closed a socket: make the loop's
 * source of it say the same
 */
static void
sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = arg;
	struct dns_sock *s = NULL;
	size_t i;

	for (i = 0; i < d->nsocks; i++)
		if (d->socks[i]->src.fd == fd) {
			s = d->socks[i];
			break;
		}
	if (!readable && !writable) {
		if (s == NULL)
			return;
		loop_del(d->loop, &s->src);
		d->socks[i] = d->socks[--d->nsocks];
		free(s);
		return;
	}
	if (s == NULL) {
		if (d->nsocks == d->capsocks) {
			d->capsocks = d->capsocks ? 2 * d->capsocks : 8;
			d->socks = xreallocarray(
			    d->socks, d->capsocks, sizeof(*d->socks));
		}
		s = xcalloc(1, sizeof(*s));
		s->d = d;
		s->src.fd = fd;
		s->src.deadline = LOOP_NEVER;
		s->src.on_io = on_sock;
		d->socks[d->nsocks++] = s;
	}
	s->src.events =
	    (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	if (s->src.added)
		loop_update(d->loop, &s->src);
	else
		loop_add(d->loop, &s->src);
}

/* on_sock - a c-ares socket is ready; it may be closed (and s freed) */
static void
on_sock(struct source *src, short revents, int64_t now)
{
	struct dns_sock *s = (struct dns_sock *)src;
	struct dns *d = s->d;
	ares_socket_t fd = src->fd;

	(void)now;
	ares_process_fd(d->ch,
	    revents & (POLLIN | POLLERR | POLLHUP) ? fd : ARES_SOCKET_BAD,
	    revents & (POLLOUT | POLLERR) ? fd : ARES_SOCKET_BAD);
	timer_update(d);
}

/* on_cares_timer - c-ares retransmits or gives up */
static void
on_cares_timer(struct source *src, int64_t now)
{
	struct dns *d =
	    (struct dns *)((char *)src - offsetof(struct dns, timer));

	(void)now;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	timer_update(d);
}

/* timer_update - the loop wakes when c-ares next needs to */
static void
timer_update(struct dns *d)
{
	struct timeval tv, *tvp;

	tvp = ares_timeout(d->ch, NULL, &tv);
	d->timer.deadline = tvp == NULL
	    ? LOOP_NEVER
	    : clock_ms() + tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	loop_update(d->loop, &d->timer);
}

/* lookup_new - a lookup with its deadline, linked into d */
static struct lookup *
lookup_new(struct dns *d, enum lookup_type type, const char *name,
    dns_done_fn *done, void *arg)
{
	struct lookup *l = xcalloc(1, sizeof(*l));

	l->d = d;
	l->type = type;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->done = done;
	l->arg = arg;
	l->starting = true;
	/* No deadline until c-ares has it. */
	loop_add_timer(d->loop, &l->timer, LOOP_NEVER, on_deadline);
	l->next = d->lookups;
	if (d->lookups != NULL)
		d->lookups->prev = l;
	d->lookups = l;
	d->pending++;
	return l;
}

/*
 * lookup_ask - hand l to c-ares now, or queue it while c-ares holds
 * DNS_LOOKUPS_MAX: a burst of answers larger than the socket's receive
 * buffer would be dropped by the kernel and cost a retransmission
 */
static void
lookup_ask(struct lookup *l)
{
	struct dns *d = l->d;

	if (d->outstanding < DNS_LOOKUPS_MAX) {
		lookup_send(l);
		return;
	}
	if (d->queue_tail != NULL)
		d->queue_tail->qnext = l;
	else
		d->queue = l;
	d->queue_tail = l;
}

/*
 * lookup_send - the query goes out: its deadline starts now. c-ares may
 * answer inside the call (a name in the hosts file): starting says so.
 */
static void
lookup_send(struct lookup *l)
{
	struct ares_addrinfo_hints hints;
	struct dns *d = l->d;
	bool was_starting = l->starting;

	l->starting = true;
	l->sent = true;
	d->outstanding++;
	l->timer.deadline = clock_ms() + d->lookup_ms;
	loop_update(d->loop, &l->timer);
	if (l->type == LK_ADDRS) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = l->family;
		hints.ai_socktype = SOCK_STREAM;
		ares_getaddrinfo(d->ch, l->name, NULL, &hints, on_addrinfo, l);
	} else if (l->type == LK_RAW)
		ares_send(d->ch, l->query, l->qlen, on_query, l);
	else
		ares_query(d->ch, l->name, ns_c_in,
		    l->type == LK_MX        ? ns_t_mx
			: l->type == LK_TXT ? ns_t_txt
					    : ns_t_srv,
		    on_query, l);
	if (!was_starting)
		lookup_started(l);
}

/* pump - queued lookups go to c-ares as it holds fewer */
static void
pump(struct dns *d)
{
	struct lookup *l;

	while (d->queue != NULL && d->outstanding < DNS_LOOKUPS_MAX) {
		l = d->queue;
		if ((d->queue = l->qnext) == NULL)
			d->queue_tail = NULL;
		l->qnext = NULL;
		lookup_send(l);
	}
}

/*
 * lookup_started - the starting call returned; an answer c-ares gave
 * inside it is delivered on the loop's next pass
 */
static void
lookup_started(struct lookup *l)
{
	l->starting = false;
	if (l->answer != NULL) {
		l->timer.deadline = 0;
		loop_update(l->d->loop, &l->timer);
	}
	timer_update(l->d);
}

/* on_deadline - an answer waiting to be delivered, or time is up */
static void
on_deadline(struct source *src, int64_t now)
{
	struct lookup *l =
	    (struct lookup *)((char *)src - offsetof(struct lookup, timer));
	struct dns_answer a;

	(void)now;
	if (l->answer != NULL) {
		deliver(l, l->answer);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.status = DNS_TIMEOUT;
	snprintf(a.message, sizeof(a.message),
	    "no DNS answer for %.*s within %d ms", NAME_QUOTE, l->name,
	    l->d->lookup_ms);
	deliver(l, &a);
}

/*
 * deliver - tell the caller once; release when c-ares is done too. The
 * caller may start lookups, never free the channel (dns_free is called
 * between two passes of the loop only).
 */
static void
deliver(struct lookup *l, const struct dns_answer *a)
{
	dns_done_fn *done = l->done;
	void *arg = l->arg;

	loop_del(l->d->loop, &l->timer);
	l->done = NULL;
	l->d->pending--;
	done(arg, a);
	/* a may be l->answer: released only now. */
	if (l->cares_done)
		lookup_release(l);
}

/* lookup_release - unlink and free */
static void
lookup_release(struct lookup *l)
{
	struct dns *d = l->d;

	if (l->done != NULL)
		d->pending--;
	loop_del(d->loop, &l->timer);
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		d->lookups = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	free(l->answer);
	free(l->query);
	free(l);
}

/*
 * cares_finished - c-ares called back with answer a (heap): deliver it,
 * keep it for the next pass, or drop it (too late, or closing)
 */
static void
cares_finished(struct lookup *l, struct dns_answer *a)
{
	struct dns *d = l->d;

	if (l->sent)
		d->outstanding--;
	l->cares_done = true;
	if (l->d->closing || l->done == NULL) {
		free(a);
		lookup_release(l);
	} else if (l->starting)
		l->answer = a;
	else {
		deliver(l, a);
		free(a);
	}
	if (!d->closing)
		pump(d);
}

/*
 * literal - the answer for an address literal (NULL: name is not one): the
 * address itself, or none when -4 or -6 excludes its family
 */
static struct dns_answer *
literal(const char *name, int family)
{
	struct sockaddr_in6 *sin6;
	struct sockaddr_in *sin;
	struct dns_answer *a = xcalloc(1, sizeof(*a));

	sin = (struct sockaddr_in *)&a->addrs.addr[0];
	sin6 = (struct sockaddr_in6 *)&a->addrs.addr[0];
	if (inet_pton(AF_INET, name, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		a->addrs.len[0] = sizeof(*sin);
	} else if (inet_pton(AF_INET6, name, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		a->addrs.len[0] = sizeof(*sin6);
	} else {
		free(a);
		return NULL;
	}
	if (family != AF_UNSPEC && family != a->addrs.addr[0].ss_family) {
		a->status = DNS_NODATA;
		snprintf(a->message, sizeof(a->message),
		    "the address %s is not of the family -4 or -6 asks for",
		    name);
	} else
		a->addrs.n = 1;
	return a;
}

/* on_addrinfo - the addresses of a name, without duplicates */
static void
on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct lookup *l = arg;
	struct dns_answer *a = xcalloc(1, sizeof(*a));
	struct dns_addrs *o = &a->addrs;
	struct ares_addrinfo_node *n;
	size_t i;

	(void)timeouts;
	answer_status(l, status, a);
	for (n = ai != NULL ? ai->nodes : NULL;
	     n != NULL && o->n < RESOLVE_ADDRS_MAX; n = n->ai_next) {
		if (n->ai_addrlen > sizeof(o->addr[0]))
			continue;
		for (i = 0; i < o->n; i++)
			if (o->len[i] == n->ai_addrlen &&
			    memcmp(&o->addr[i], n->ai_addr, n->ai_addrlen) == 0)
				break;
		if (i < o->n)
			continue;
		memcpy(&o->addr[o->n], n->ai_addr, n->ai_addrlen);
		o->len[o->n++] = n->ai_addrlen;
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	if (a->status == DNS_OK && o->n == 0) {
		a->status = DNS_NODATA;
		snprintf(a->message, sizeof(a->message),
		    "the name %.*s has no usable address", NAME_QUOTE, l->name);
	}
	cares_finished(l, a);
}

/*
 * on_query - an MX, SRV or TXT answer, or a caller's query's (LK_RAW),
 * read by its parser only while its caller still waits for it
 */
static void
on_query(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct lookup *l = arg;
	struct dns_answer *a = xcalloc(1, sizeof(*a));

	(void)timeouts;
	answer_status(l, status, a);
	if (!l->d->closing && l->done != NULL) {
		if (l->type == LK_RAW)
			l->parse(l->arg, status, abuf, alen, a);
		else if (a->status == DNS_OK &&
		    (status = l->type == LK_TXT
			    ? dns_parse_txt(abuf, alen, a)
			    : dns_parse_records(l->type == LK_MX, abuf, alen,
				  a)) != ARES_SUCCESS)
			answer_status(l, status, a);
	}
	cares_finished(l, a);
}

/* answer_status - a c-ares status as ours, with a sentence */
static void
answer_status(const struct lookup *l, int status, struct dns_answer *a)
{
	static const char *const what[] = {[LK_ADDRS] = "the name",
	    [LK_MX] = "MX of",
	    [LK_SRV] = "SRV of",
	    [LK_TXT] = "TXT of",
	    [LK_RAW] = "the query for"};

	a->status = status == ARES_SUCCESS ? DNS_OK
	    : status == ARES_ENODATA       ? DNS_NODATA
	    : status == ARES_ENOTFOUND     ? DNS_NXDOMAIN
	    : status == ARES_ETIMEOUT      ? DNS_TIMEOUT
					   : DNS_FAILED;
	if (a->status == DNS_OK)
		return;
	/* "does not resolve" is what a name that is not there has always
	 * said in this report; tests and scripts match it. */
	snprintf(a->message, sizeof(a->message), "%s %.*s %s: %s",
	    what[l->type], NAME_QUOTE, l->name,
	    l->type == LK_ADDRS ? "does not resolve" : "failed",
	    ares_strerror(status));
}
