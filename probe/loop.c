/*
 * loop.c - the reactor: a poll set, a timer heap, and a dispatch list.
 *
 * The poll set and the heap are updated in place (O(1) and O(log n)) when
 * a source changes, so a pass costs one poll() over the sources in flight,
 * not a rebuild. Ready sources are copied to a dispatch list before any
 * callback runs; loop_del clears a source's entries there, so a callback
 * may delete any source (its sibling attempt, itself) safely.
 *
 * Deliberately not here: what a source is. Sessions, DNS and HTTPS are all
 * the same struct source to the loop (redis's ae, curl's multi handle).
 */
#include "loop.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xalloc.h"

/* A wait never lasts longer, so a clock jump cannot stall the loop. */
#define LOOP_WAIT_MAX_MS 60000

struct ready {
	struct source *src; /* NULL: deleted after it became ready */
	short revents;      /* 0: its deadline passed */
};

struct loop {
	struct pollfd *pfd; /* the poll set, parallel to psrc */
	struct source **psrc;
	size_t np, capp;
	struct source **heap; /* min-heap on deadline */
	size_t nh, caph;
	struct ready *ready; /* this pass's dispatch list */
	size_t nready, capready;
	size_t count; /* sources registered */
	bool stopped;
};

static void poll_set(struct loop *, struct source *);
static void poll_remove(struct loop *, struct source *);
static void heap_set(struct loop *, struct source *);
static void heap_remove(struct loop *, struct source *);
static void heap_swap(struct loop *, size_t, size_t);
static void heap_up(struct loop *, size_t);
static void heap_down(struct loop *, size_t);
static void ready_add(struct loop *, struct source *, short);
static int wait_ms(const struct loop *, int64_t now);
static void dispatch(struct loop *, int64_t now);

/* loop_new - an empty loop */
struct loop *
loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

/* loop_free - release the loop (not the sources) */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->pfd);
	free(l->psrc);
	free(l->heap);
	free(l->ready);
	free(l);
}

/* loop_add - register a source */
void
loop_add(struct loop *l, struct source *s)
{
	s->poll_at = s->heap_at = 0;
	s->added = true;
	l->count++;
	loop_update(l, s);
}

/* loop_add_timer - a source that is a deadline and nothing else */
void
loop_add_timer(struct loop *l, struct source *s, int64_t deadline,
    source_timeout_fn *on_timeout)
{
	s->fd = -1;
	s->events = 0;
	s->deadline = deadline;
	s->on_timeout = on_timeout;
	loop_add(l, s);
}

/* loop_update - bring the poll set and the heap in line with the source */
void
loop_update(struct loop *l, struct source *s)
{
	if (!s->added)
		return;
	if (s->fd >= 0 && s->events != 0)
		poll_set(l, s);
	else
		poll_remove(l, s);
	if (s->deadline != LOOP_NEVER)
		heap_set(l, s);
	else
		heap_remove(l, s);
}

/* loop_del - forget a source, including any pending dispatch of it */
void
loop_del(struct loop *l, struct source *s)
{
	size_t i;

	if (!s->added)
		return;
	poll_remove(l, s);
	heap_remove(l, s);
	for (i = 0; i < l->nready; i++)
		if (l->ready[i].src == s)
			l->ready[i].src = NULL;
	s->added = false;
	l->count--;
}

/* loop_count - how many sources are registered */
size_t
loop_count(const struct loop *l)
{
	return l->count;
}

/* loop_stop - end loop_run after this pass */
void
loop_stop(struct loop *l)
{
	l->stopped = true;
}

/* loop_run - wait, dispatch, refill, until there is nothing left */
void
loop_run(struct loop *l, loop_refill_fn *refill, void *arg)
{
	bool more = true;
	int64_t now;
	size_t i;

	l->stopped = false;
	while (!l->stopped) {
		now = clock_ms();
		if (more)
			more = refill(arg, now);
		if (l->count == 0 && !more)
			break;
		/* EINTR or a failure is harmless: deadlines are checked
		 * below and the set is polled again on the next pass. */
		if (poll(l->pfd, l->np, wait_ms(l, now)) > 0)
			for (i = 0; i < l->np; i++)
				if (l->pfd[i].revents != 0)
					ready_add(
					    l, l->psrc[i], l->pfd[i].revents);
		dispatch(l, clock_ms());
	}
}

/* wait_ms - how long poll may sleep: until the earliest deadline */
static int
wait_ms(const struct loop *l, int64_t now)
{
	int64_t d;

	if (l->nh == 0)
		return l->np > 0 ? LOOP_WAIT_MAX_MS : 0;
	d = l->heap[0]->deadline - now;
	if (d <= 0)
		return 0;
	return d > LOOP_WAIT_MAX_MS ? LOOP_WAIT_MAX_MS : (int)d;
}

/*
 * dispatch - call back what is ready, then what has expired. A source that
 * was both ready and expired gets its I/O first: data that arrived in time
 * wins over the deadline.
 */
static void
dispatch(struct loop *l, int64_t now)
{
	struct source *s;
	size_t i;

	while (l->nh > 0 && l->heap[0]->deadline <= now) {
		s = l->heap[0];
		heap_remove(l, s);
		ready_add(l, s, 0);
	}
	for (i = 0; i < l->nready; i++) {
		if ((s = l->ready[i].src) == NULL)
			continue;
		l->ready[i].src = NULL;
		if (l->ready[i].revents != 0)
			s->on_io(s, l->ready[i].revents, now);
		else if (s->added && s->heap_at == 0 && s->deadline <= now)
			s->on_timeout(s, now);
	}
	l->nready = 0;
}

/* ready_add - queue a source for this pass's dispatch */
static void
ready_add(struct loop *l, struct source *s, short revents)
{
	if (l->nready == l->capready) {
		l->capready = l->capready ? l->capready * 2 : 64;
		l->ready =
		    xreallocarray(l->ready, l->capready, sizeof(*l->ready));
	}
	l->ready[l->nready].src = s;
	l->ready[l->nready++].revents = revents;
}

/* poll_set - add the source to the poll set or update its entry */
static void
poll_set(struct loop *l, struct source *s)
{
	size_t i;

	if (s->poll_at == 0) {
		if (l->np == l->capp) {
			l->capp = l->capp ? l->capp * 2 : 64;
			l->pfd =
			    xreallocarray(l->pfd, l->capp, sizeof(*l->pfd));
			l->psrc =
			    xreallocarray(l->psrc, l->capp, sizeof(*l->psrc));
		}
		l->psrc[l->np] = s;
		s->poll_at = ++l->np;
	}
	i = s->poll_at - 1;
	l->pfd[i].fd = s->fd;
	l->pfd[i].events = s->events;
	l->pfd[i].revents = 0;
}

/* poll_remove - take the source out of the poll set (last entry moves) */
static void
poll_remove(struct loop *l, struct source *s)
{
	size_t i;

	if (s->poll_at == 0)
		return;
	i = s->poll_at - 1;
	s->poll_at = 0;
	if (i != --l->np) {
		l->pfd[i] = l->pfd[l->np];
		l->psrc[i] = l->psrc[l->np];
		l->psrc[i]->poll_at = i + 1;
	}
}

/* heap_set - insert the source in the timer heap, or move it */
static void
heap_set(struct loop *l, struct source *s)
{
	size_t i;

	if (s->heap_at == 0) {
		if (l->nh == l->caph) {
			l->caph = l->caph ? l->caph * 2 : 64;
			l->heap =
			    xreallocarray(l->heap, l->caph, sizeof(*l->heap));
		}
		l->heap[l->nh] = s;
		s->heap_at = ++l->nh;
	}
	i = s->heap_at - 1;
	heap_up(l, i);
	heap_down(l, s->heap_at - 1);
}

/* heap_remove - take the source out of the timer heap */
static void
heap_remove(struct loop *l, struct source *s)
{
	size_t i;

	if (s->heap_at == 0)
		return;
	i = s->heap_at - 1;
	s->heap_at = 0;
	if (i == --l->nh)
		return;
	l->heap[i] = l->heap[l->nh];
	l->heap[i]->heap_at = i + 1;
	heap_up(l, i);
	heap_down(l, l->heap[i]->heap_at - 1);
}

static void
heap_swap(struct loop *l, size_t a, size_t b)
{
	struct source *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_at = a + 1;
	l->heap[b]->heap_at = b + 1;
}

static void
heap_up(struct loop *l, size_t i)
{
	while (i > 0 && l->heap[i]->deadline < l->heap[(i - 1) / 2]->deadline) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct loop *l, size_t i)
{
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nh)
			return;
		if (c + 1 < l->nh &&
		    l->heap[c + 1]->deadline < l->heap[c]->deadline)
			c++;
		if (l->heap[i]->deadline <= l->heap[c]->deadline)
			return;
		heap_swap(l, i, c);
		i = c;
	}
}
