/*
 * expand.c - a target into its probes, through DNS (expand.h).
 *
 * A plain target is one host: its addresses, each probed on every port.
 * A mail domain (--mx) is its MX hosts in preference order, each on port
 * 25 (or the ports given) and every address; with no MX, the domain
 * itself (RFC 5321 5.1); with a null MX (RFC 7505), nothing. With --srv,
 * the targets of _submissions._tcp (implicit TLS, RFC 8314) and
 * _submission._tcp (STARTTLS, RFC 6186) follow, on the ports their
 * records give; a target of "." says the service is not offered.
 *
 * The report lists probes host by host (MX, then submissions, then
 * submission), then by port, then by address, whatever order the answers
 * came in. A host whose name gives no address still gets one probe per
 * port, carrying the resolve error, so every name the DNS gave appears
 * in the report. A domain lookup that fails (timeout, SERVFAIL, no such
 * domain) is the target's error, phase resolve; what other lookups found
 * is still probed. Findings are left to judgement (diagnose_target).
 */
#include "expand.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

/* What a host is probed for, in report order. */
enum host_kind { HK_TARGET, HK_MX, HK_SUBMISSIONS, HK_SUBMISSION, HK_COUNT };

/* One name to probe, and what its address lookup found. */
struct xhost {
	struct expansion *x;
	enum host_kind kind;
	char name[HOSTNAME_MAX + 1];
	int port;     /* an SRV record's; 0: the port list */
	bool invalid; /* not a host name: neither looked up nor sent */
	/* An earlier host of the same name (an MX host that is an SRV
	 * target too): its one address lookup serves both. */
	const struct xhost *same;
	struct dns_addrs addrs;
	enum dns_status status;
	char message[ERR_MSG_MAX];
};

struct expansion {
	struct dns *dns;
	const struct expand_cfg *cfg;
	struct target tg;
	struct target_result *res;
	struct port_spec one; /* the port a TARGET named */
	const struct port_spec *ports;
	size_t nports;
	size_t nhosts;
	struct xhost *hosts[1 + 3 * DNS_RECORDS_MAX]; /* owned */
	size_t waiting; /* lookups not answered yet */
	expand_done_fn *done;
	void *arg;
};

static void on_mx(void *, const struct dns_answer *);
static void on_submissions(void *, const struct dns_answer *);
static void on_submission(void *, const struct dns_answer *);
static void on_srv(
    struct expansion *, enum srv_service, const struct dns_answer *);
static void domain_failed(struct expansion *, const struct dns_answer *);
static void add_host(
    struct expansion *, enum host_kind, const struct dns_rr *, const char *);
static void on_addrs(void *, const struct dns_answer *);
static void lookup_done(struct expansion *);
static size_t host_probes(const struct expansion *, const struct xhost *);
static void make_probes(struct expansion *, struct probe_addr *);
static void host_probe(struct expansion *, const struct xhost *, size_t, size_t,
    struct probe_result *, struct probe_addr *);
static bool name_ok(const char *);

/* expand_start - the target's first lookups */
struct expansion *
expand_start(struct dns *dns, const struct expand_cfg *cfg,
    const struct target *t, struct target_result *res, expand_done_fn *done,
    void *arg)
{
	struct expansion *x = xcalloc(1, sizeof(*x));
	char name[HOSTNAME_MAX + 32];
	bool domain = !t->is_ip && (cfg->mx || cfg->srv);

	x->dns = dns;
	x->cfg = cfg;
	x->tg = *t;
	x->res = res;
	x->done = done;
	x->arg = arg;
	x->ports = cfg->ports;
	x->nports = cfg->nports;
	if (t->port != 0) {
		x->one.port = t->port;
		x->one.mode = t->mode;
		x->ports = &x->one;
		x->nports = 1;
	}
	/* A domain's probes each name their own host: no one SNI. */
	if (cfg->sni != NULL)
		res->sni = xstrdup(cfg->sni);
	else if (!t->is_ip && !domain)
		res->sni = xstrdup(t->host);
	if (!domain) {
		add_host(x, HK_TARGET, NULL, t->host);
		return x;
	}
	/* Every domain lookup is asked before any can answer. */
	x->waiting = (cfg->mx ? 1 : 0) + (cfg->srv ? 2 : 0);
	if (cfg->mx) {
		res->mx = xcalloc(1, sizeof(*res->mx));
		dns_lookup_mx(dns, t->host, on_mx, x);
	}
	if (cfg->srv) {
		res->srv = xcalloc(1, sizeof(*res->srv));
		snprintf(name, sizeof(name), "_submissions._tcp.%s", t->host);
		dns_lookup_srv(dns, name, on_submissions, x);
		snprintf(name, sizeof(name), "_submission._tcp.%s", t->host);
		dns_lookup_srv(dns, name, on_submission, x);
	}
	return x;
}

/* expand_free - the hosts and the expansion */
void
expand_free(struct expansion *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nhosts; i++)
		free(x->hosts[i]);
	free(x);
}

/*
 * on_mx - the MX hosts by preference; none: the domain itself; a lone
 * "." (RFC 7505): nothing. A "." among real hosts breaks RFC 7505 3; the
 * real ones are probed.
 */
static void
on_mx(void *arg, const struct dns_answer *a)
{
	struct expansion *x = arg;
	struct mx_result *mx = x->res->mx;
	size_t i;

	if (a->status == DNS_NODATA) {
		mx->implicit = true;
		add_host(x, HK_MX, NULL, x->tg.host);
	} else if (a->status != DNS_OK) {
		domain_failed(x, a);
		free(mx);
		x->res->mx = NULL;
	}
	for (i = 0; a->status == DNS_OK && i < a->nrr; i++) {
		mx->records[mx->n].preference = a->rr[i].pref;
		snprintf(mx->records[mx->n++].host, sizeof(mx->records[0].host),
		    "%s", a->rr[i].host[0] != '\0' ? a->rr[i].host : ".");
		if (a->rr[i].host[0] == '\0' || strcmp(a->rr[i].host, ".") == 0)
			mx->null_mx = a->nrr == 1;
		else
			add_host(x, HK_MX, &a->rr[i], a->rr[i].host);
	}
	lookup_done(x);
}

static void
on_submissions(void *arg, const struct dns_answer *a)
{
	on_srv(arg, SRV_SUBMISSIONS, a);
}

static void
on_submission(void *arg, const struct dns_answer *a)
{
	on_srv(arg, SRV_SUBMISSION, a);
}

/*
 * on_srv - one service's records; no such name or no record means the
 * domain does not advertise it (RFC 6186 3.1), which is not an error
 */
static void
on_srv(struct expansion *x, enum srv_service svc, const struct dns_answer *a)
{
	struct srv_result *srv = x->res->srv;
	struct srv_record *r;
	size_t i;

	if (a->status != DNS_OK && a->status != DNS_NODATA &&
	    a->status != DNS_NXDOMAIN)
		domain_failed(x, a);
	for (i = 0; a->status == DNS_OK && i < a->nrr; i++) {
		r = &srv->records[svc][srv->n[svc]++];
		r->priority = a->rr[i].pref;
		r->weight = a->rr[i].weight;
		r->port = a->rr[i].port;
		snprintf(r->target, sizeof(r->target), "%s",
		    a->rr[i].host[0] != '\0' ? a->rr[i].host : ".");
		if (strcmp(r->target, ".") != 0 && r->port != 0)
			add_host(x,
			    svc == SRV_SUBMISSIONS ? HK_SUBMISSIONS
						   : HK_SUBMISSION,
			    &a->rr[i], a->rr[i].host);
	}
	lookup_done(x);
}

/* domain_failed - the first failed domain lookup is the target's error */
static void
domain_failed(struct expansion *x, const struct dns_answer *a)
{
	result_fail(&x->res->error, PHASE_RESOLVE,
	    a->status == DNS_TIMEOUT ? KIND_TIMEOUT : KIND_DNS, "%s",
	    a->message);
}

/*
 * add_host - a name to probe (from record rr, or the target's own: rr
 * NULL), its address lookup asked at once; the same name twice for the
 * same use (two MX records naming one host) is probed once
 */
static void
add_host(struct expansion *x, enum host_kind kind, const struct dns_rr *rr,
    const char *name)
{
	int port = rr != NULL && kind != HK_MX ? rr->port : 0;
	struct xhost *h;
	size_t i;

	for (i = 0; i < x->nhosts; i++)
		if (x->hosts[i]->kind == kind && x->hosts[i]->port == port &&
		    strcasecmp(x->hosts[i]->name, name) == 0)
			return;
	if (x->nhosts == sizeof(x->hosts) / sizeof(x->hosts[0]))
		return;
	h = xcalloc(1, sizeof(*h));
	h->x = x;
	h->kind = kind;
	h->port = port;
	snprintf(h->name, sizeof(h->name), "%s", name);
	x->hosts[x->nhosts++] = h;
	/* A name from DNS reaches SNI and the report: it must be one. */
	if (rr != NULL && (rr->too_long || !name_ok(name))) {
		h->status = DNS_FAILED;
		h->invalid = true;
		snprintf(h->message, sizeof(h->message),
		    "\"%.*s\" from DNS is not a host name", TARGET_QUOTE_MAX,
		    name);
		return;
	}
	for (i = 0; i + 1 < x->nhosts && h->same == NULL; i++)
		if (!x->hosts[i]->invalid &&
		    strcasecmp(x->hosts[i]->name, name) == 0)
			h->same = x->hosts[i];
	if (h->same != NULL)
		return;
	x->waiting++;
	dns_lookup_addrs(x->dns, name, x->cfg->family, on_addrs, h);
}

/* on_addrs - a host's addresses are in */
static void
on_addrs(void *arg, const struct dns_answer *a)
{
	struct xhost *h = arg;

	h->status = a->status;
	snprintf(h->message, sizeof(h->message), "%s", a->message);
	h->addrs = a->addrs;
	if (h->x->cfg->first_address && h->addrs.n > 1)
		h->addrs.n = 1;
	lookup_done(h->x);
}

/* lookup_done - one answer fewer to wait for; the last makes the probes */
static void
lookup_done(struct expansion *x)
{
	struct target_result *res = x->res;
	struct probe_addr *addrs;
	struct xhost *h;
	size_t i, n = 0;

	if (--x->waiting > 0)
		return;
	for (i = 0; i < x->nhosts; i++) {
		if ((h = x->hosts[i])->same != NULL) {
			h->status = h->same->status;
			memcpy(
			    h->message, h->same->message, sizeof(h->message));
			h->addrs = h->same->addrs;
		}
		n += host_probes(x, h);
	}
	res->nprobes = n;
	res->probes = xcalloc(n > 0 ? n : 1, sizeof(*res->probes));
	addrs = xcalloc(n > 0 ? n : 1, sizeof(*addrs));
	make_probes(x, addrs);
	x->done(x->arg, addrs);
}

/* host_probes - how many probes a host gets: ports times addresses */
static size_t
host_probes(const struct expansion *x, const struct xhost *h)
{
	size_t naddr = h->status == DNS_OK ? h->addrs.n : 1;

	return (h->port != 0 ? 1 : x->nports) * naddr;
}

/* make_probes - host by host in report order, then port, then address */
static void
make_probes(struct expansion *x, struct probe_addr *addrs)
{
	struct probe_result *p = x->res->probes;
	const struct xhost *h;
	size_t i, k, a, nports, naddr;
	int kind;

	for (kind = 0; kind < HK_COUNT; kind++)
		for (i = 0; i < x->nhosts; i++) {
			if ((h = x->hosts[i])->kind != (enum host_kind)kind)
				continue;
			nports = h->port != 0 ? 1 : x->nports;
			naddr = h->status == DNS_OK ? h->addrs.n : 1;
			for (k = 0; k < nports; k++)
				for (a = 0; a < naddr; a++)
					host_probe(x, h, k, a, p++, addrs++);
		}
}

/* host_probe - one probe of host h: port k of its list, address a */
static void
host_probe(struct expansion *x, const struct xhost *h, size_t k, size_t a,
    struct probe_result *p, struct probe_addr *pa)
{
	int port = h->port != 0 ? h->port : x->ports[k].port;
	enum mode mode = h->kind == HK_SUBMISSIONS ? MODE_IMPLICIT
	    : h->kind == HK_SUBMISSION             ? MODE_STARTTLS
						   : x->ports[k].mode;
	const char *sni = x->cfg->sni;

	result_probe_init(p, port, mode);
	snprintf(p->host, sizeof(p->host), "%s", h->name);
	/* An address literal has no name to send (RFC 6066 3). */
	if (sni == NULL && !h->invalid &&
	    !(h->kind == HK_TARGET && x->tg.is_ip))
		sni = h->name;
	if (sni != NULL)
		snprintf(p->sni, sizeof(p->sni), "%s", sni);
	if (h->status != DNS_OK) {
		result_fail(&p->error, PHASE_RESOLVE,
		    h->status == DNS_TIMEOUT ? KIND_TIMEOUT : KIND_DNS, "%s",
		    h->message);
		return;
	}
	memcpy(&pa->sa, &h->addrs.addr[a], h->addrs.len[a]);
	pa->len = h->addrs.len[a];
	dns_set_port(&pa->sa, port);
	dns_addr_text(
	    (struct sockaddr *)&pa->sa, p->address, sizeof(p->address));
}

/*
 * name_ok - a host name as target.c accepts one, without a port: letters,
 * digits, '-', '_', dots; an address from an MX record is refused too
 * (RFC 5321 5.1 wants a name there)
 */
static bool
name_ok(const char *name)
{
	struct target t;
	char err[ERR_MSG_MAX];

	return strlen(name) <= HOSTNAME_MAX &&
	    target_parse(name, &t, err, sizeof(err)) == 0 && t.port == 0 &&
	    !t.is_ip;
}
