/*
 * dane_wait.c - a target's TLSA lookups (--dane), while its probes run.
 *
 * Each distinct "_PORT._tcp.HOST" of a target is looked up once, however
 * many addresses its host has, as soon as the target's probes are known:
 * the lookups run while the probes do, in the same loop. A probe is
 * judged when both its dialogue and its name's answer are over, whichever
 * ends last. One name costs one query, or two when the first one fails
 * with SERVFAIL: the same query with CD set then tells a validation
 * failure (bogus) from a server that cannot answer (error).
 */
#include "dane.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#include "xalloc.h"

/* One TLSA name and its lookup. */
struct tname {
	struct dane_wait *w;
	char name[HOSTNAME_MAX + 16];
	struct tlsa_answer first; /* to the query with AD */
	struct tlsa_answer cd;    /* to the query with CD, after a SERVFAIL */
	bool servfail;            /* the first query got SERVFAIL */
	bool cd_asked;
	bool done;
	enum dane_dnssec state;
	char error[ERR_MSG_MAX];
};

struct dane_wait {
	struct dns *dns;
	struct target_result *res; /* not owned */
	dane_ready_fn *ready;
	void *arg;
	size_t nnames;
	struct tname *names; /* owned, at most res->nprobes */
	size_t *of;          /* owned: probe -> its name, SIZE_MAX: none */
	bool *ended;         /* owned: the probe's dialogue is over */
	size_t busy;         /* probes ended, waiting for their answer */
};

static size_t name_of(struct dane_wait *, const char *);
static void ask(struct tname *);
static void on_parse(
    void *, int, const unsigned char *, int, struct dns_answer *);
static void on_answer(void *, const struct dns_answer *);
static void apply(struct dane_wait *, size_t);

/* dane_wait_start - one lookup per distinct name of res's probes */
struct dane_wait *
dane_wait_start(
    struct dns *dns, struct target_result *res, dane_ready_fn *ready, void *arg)
{
	struct dane_wait *w;
	struct probe_result *p;
	char name[HOSTNAME_MAX + 16];
	size_t i;

	if (res->nprobes == 0)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->dns = dns;
	w->res = res;
	w->ready = ready;
	w->arg = arg;
	w->names = xcalloc(res->nprobes, sizeof(*w->names));
	w->of = xcalloc(res->nprobes, sizeof(*w->of));
	w->ended = xcalloc(res->nprobes, sizeof(*w->ended));
	for (i = 0; i < res->nprobes; i++) {
		p = &res->probes[i];
		p->dane_wanted = true;
		w->of[i] = tlsa_name(p->host, p->port, name, sizeof(name)) == 0
		    ? name_of(w, name)
		    : SIZE_MAX;
	}
	for (i = 0; i < w->nnames; i++)
		ask(&w->names[i]);
	return w;
}

/* dane_wait_probe - probe i is over: judged now, or when its answer is in */
bool
dane_wait_probe(struct dane_wait *w, size_t i)
{
	if (w == NULL)
		return true;
	w->ended[i] = true;
	if (w->of[i] != SIZE_MAX && !w->names[w->of[i]].done) {
		w->busy++;
		return false;
	}
	apply(w, i);
	return true;
}

/* dane_wait_busy - probes waiting for an answer */
size_t
dane_wait_busy(const struct dane_wait *w)
{
	return w != NULL ? w->busy : 0;
}

/* dane_wait_free - the answers and the bookkeeping */
void
dane_wait_free(struct dane_wait *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nnames; i++) {
		tlsa_answer_free(&w->names[i].first);
		tlsa_answer_free(&w->names[i].cd);
	}
	free(w->names);
	free(w->of);
	free(w->ended);
	free(w);
}

/* name_of - the index of name among w's names, added if new */
static size_t
name_of(struct dane_wait *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nnames; i++)
		if (strcmp(w->names[i].name, name) == 0)
			return i;
	w->names[i].w = w;
	memcpy(w->names[i].name, name, sizeof(w->names[i].name));
	w->nnames++;
	return i;
}

/*
 * ask - the query for t, with AD, or with CD after a SERVFAIL; one c-ares
 * cannot make (a name it refuses) ends t at once as an error
 */
static void
ask(struct tname *t)
{
	struct dns_answer a;
	unsigned char *q;
	int qlen;

	if (tlsa_query_make(t->name, t->cd_asked, &q, &qlen) == -1) {
		memset(&a, 0, sizeof(a));
		a.status = DNS_FAILED;
		snprintf(t->error, sizeof(t->error),
		    "no DNS query can be made for this name");
		t->cd_asked = true;
		on_answer(t, &a);
		return;
	}
	dns_lookup_raw(t->w->dns, t->name, q, qlen, on_parse, on_answer, t);
	ares_free_string(q);
}

/* on_parse - c-ares's answer into the answer of the query asked last */
static void
on_parse(void *arg, int status, const unsigned char *abuf, int alen,
    struct dns_answer *a)
{
	struct tname *t = arg;
	struct tlsa_answer *ta = t->cd_asked ? &t->cd : &t->first;
	const char *why;

	/* c-ares keeps a SERVFAIL (or REFUSED) message to itself, tries the
	 * next server, and once its tries are spent says "could not contact
	 * DNS servers": both call for the CD query, whose answer tells a
	 * validation failure from a server that will not answer. */
	if (!t->cd_asked)
		t->servfail =
		    status == ARES_ESERVFAIL || status == ARES_ECONNREFUSED;
	if (status != ARES_SUCCESS)
		return;
	if (tlsa_answer_parse(abuf, alen, ta, &why) == -1) {
		a->status = DNS_FAILED;
		snprintf(a->message, sizeof(a->message), "%s", why);
	} else if (!tlsa_answered(ta)) {
		a->status = DNS_FAILED;
		snprintf(a->message, sizeof(a->message),
		    "the resolver answered with DNS rcode %d", ta->rcode);
	}
}

/*
 * on_answer - the first query's answer asks for the CD query, or t is
 * decided: the probes that ended meanwhile are applied and judged
 */
static void
on_answer(void *arg, const struct dns_answer *a)
{
	struct tname *t = arg;
	struct dane_wait *w = t->w;
	bool last;
	size_t i;

	if (!t->cd_asked) {
		memcpy(t->error, a->message, sizeof(t->error));
		if (t->servfail) {
			t->cd_asked = true;
			ask(t);
			return;
		}
	}
	t->state = tlsa_state(&t->first, t->servfail, &t->cd);
	if (t->state == DANE_DNSSEC_ERROR && t->servfail)
		snprintf(t->error, sizeof(t->error),
		    "the resolver gave no answer it stands by (SERVFAIL, "
		    "REFUSED or none), with checking disabled (CD) either: "
		    "%.140s",
		    a->message[0] ? a->message : "no usable answer");
	else if (t->state == DANE_DNSSEC_BOGUS)
		snprintf(t->error, sizeof(t->error),
		    "the resolver answered SERVFAIL, and with checking "
		    "disabled (CD) it returned the data: its DNSSEC "
		    "signatures do not validate");
	t->done = true;
	for (i = 0; i < w->res->nprobes; i++)
		if (w->ended[i] && w->of[i] == (size_t)(t - w->names)) {
			apply(w, i);
			last = --w->busy == 0;
			/* After the last one, w may be freed. */
			w->ready(w->arg, i);
			if (last)
				return;
		}
}

/* apply - probe i's name's answer, or that it has none, into the probe */
static void
apply(struct dane_wait *w, size_t i)
{
	struct tname *t = w->of[i] != SIZE_MAX ? &w->names[w->of[i]] : NULL;

	if (t == NULL)
		dane_apply(&w->res->probes[i], NULL, DANE_DNSSEC_ERROR,
		    "the host is an address: it has no TLSA name (RFC 7672 "
		    "looks TLSA records up under MX host names)",
		    time(NULL));
	else
		dane_apply(&w->res->probes[i],
		    t->state == DANE_DNSSEC_BOGUS ? &t->cd : &t->first,
		    t->state, t->error, time(NULL));
}
