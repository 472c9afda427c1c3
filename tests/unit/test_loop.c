/*
 * test_loop.c - probe/loop.c: the reactor's sources, timers and dispatch.
 *
 * Sources wait on pipes and socketpairs made ready before loop_run, or on
 * deadlines a few milliseconds ahead, so the whole run waits well under a
 * second. Each source is embedded in a struct src that records what the
 * loop did to it (calls, revents, the time and the order of each call).
 * Sources that a callback deletes are heap copies freed at once, so ASan
 * sees any later touch by the loop. Every run is bounded: a guard timer
 * stops the loop if a case never ends by itself, and alarm() ends the
 * program (an unfinished plan, so a failure) if a broken loop never even
 * calls the guard.
 */
#include "loop.h"

#include <sys/socket.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "xalloc.h"

#include "tap.h"

#define NTIMERS 200
/* A case that has not ended after this long has hung: the guard stops it. */
#define GUARD_MS 2000
/* The whole program takes well under a second, even under valgrind. */
#define ALARM_S 30

struct src {
	struct source s; /* first: the loop's pointer is the struct src's */
	struct loop *l;
	const char *name;
	int io_calls, timeout_calls;
	short revents;
	int64_t io_at, timeout_at; /* when called */
	int64_t armed;             /* deadline when the timer was armed */
	bool del_on_call;          /* delete (not free) itself when called */
	bool free_on_call;         /* delete and free itself when called */
	struct src *victim;        /* delete (and free) this one when called */
	struct src *move;          /* loop_update this one's deadline to ... */
	int64_t move_to;           /* ... now + move_to */
	bool stop;                 /* loop_stop when called */
	int64_t rearm_ms;          /* on_io: push the deadline this far */
};

/* The order in which callbacks ran, as "name:io" and "name:timeout". */
static char trace[512];
static int seq;
static int64_t fired[NTIMERS];
static int nfired;
static bool guard_hit;
/* Where refill_counted adds its sources; NULL: it adds none. */
static struct loop *refill_loop;

static void on_io(struct source *, short, int64_t);
static void on_timeout(struct source *, int64_t);
static void act(struct src *, int64_t);
static void traced(const struct src *, const char *);
static void src_init(struct src *, struct loop *, const char *, int fd,
    short events, int64_t deadline);
static struct src *src_new(
    struct loop *, const char *, int fd, short events, int64_t deadline);
static void guard_timeout(struct source *, int64_t);
static void guard_add(struct loop *, struct src *);
static bool no_refill(void *, int64_t);
static void make_pipe(int fd[2]);
static void close_pair(int fd[2]);
static void timer_cases(void);
static void io_cases(void);
static void delete_cases(void);
static void io_and_timeout_cases(void);
static void update_cases(void);
static void heap_order_cases(void);
static void on_heap_timeout(struct source *, int64_t);
static bool refill_counted(void *, int64_t);
static void refill_cases(void);
static void stop_cases(void);
static void bookkeeping_cases(void);

static void
on_io(struct source *s, short revents, int64_t now)
{
	struct src *x = (struct src *)s;

	x->io_calls++;
	x->revents = revents;
	x->io_at = now;
	traced(x, "io");
	if (x->rearm_ms != 0) {
		s->deadline = now + x->rearm_ms;
		loop_update(x->l, s);
	}
	act(x, now);
}

static void
on_timeout(struct source *s, int64_t now)
{
	struct src *x = (struct src *)s;

	x->timeout_calls++;
	x->timeout_at = now;
	traced(x, "timeout");
	act(x, now);
}

/* act - what a source was told to do to others and to itself */
static void
act(struct src *x, int64_t now)
{
	if (x->move != NULL) {
		x->move->s.deadline = now + x->move_to;
		x->move->armed = x->move->s.deadline;
		loop_update(x->l, &x->move->s);
	}
	if (x->victim != NULL) {
		loop_del(x->l, &x->victim->s);
		free(x->victim);
		x->victim = NULL;
	}
	if (x->stop)
		loop_stop(x->l);
	if (x->del_on_call)
		loop_del(x->l, &x->s);
	if (x->free_on_call) {
		loop_del(x->l, &x->s);
		free(x);
	}
}

/* traced - append "name:what" to the trace */
static void
traced(const struct src *x, const char *what)
{
	size_t n = strlen(trace);

	seq++;
	snprintf(trace + n, sizeof(trace) - n, "%s%s:%s", n > 0 ? " " : "",
	    x->name, what);
}

static void
src_init(struct src *x, struct loop *l, const char *name, int fd, short events,
    int64_t deadline)
{
	memset(x, 0, sizeof(*x));
	x->l = l;
	x->name = name;
	x->s.fd = fd;
	x->s.events = events;
	x->s.deadline = deadline;
	x->armed = deadline;
	x->s.on_io = on_io;
	x->s.on_timeout = on_timeout;
}

static struct src *
src_new(
    struct loop *l, const char *name, int fd, short events, int64_t deadline)
{
	struct src *x = xmalloc(sizeof(*x));

	src_init(x, l, name, fd, events, deadline);
	return x;
}

/* guard_timeout - a case hung: stop the loop so the test can say so */
static void
guard_timeout(struct source *s, int64_t now)
{
	struct src *x = (struct src *)s;

	(void)now;
	guard_hit = true;
	loop_del(x->l, s);
	loop_stop(x->l);
}

static void
guard_add(struct loop *l, struct src *g)
{
	src_init(g, l, "guard", -1, 0, clock_ms() + GUARD_MS);
	g->s.on_timeout = guard_timeout;
	guard_hit = false;
	loop_add(l, &g->s);
}

static bool
no_refill(void *arg, int64_t now)
{
	(void)arg;
	(void)now;
	return false;
}

static void
make_pipe(int fd[2])
{
	if (pipe(fd) == -1) {
		perror("pipe");
		abort();
	}
}

/* close_pair - close both ends of a pipe or socketpair (-1: closed) */
static void
close_pair(int fd[2])
{
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	fd[0] = fd[1] = -1;
}

/* timer_cases - a timer fires once, at its deadline or the next pass */
static void
timer_cases(void)
{
	struct loop *l = loop_new();
	struct src a, b, past, guard;
	int64_t t0 = clock_ms();

	guard_add(l, &guard);
	src_init(&a, l, "a", -1, 0, t0 + 3);
	src_init(&b, l, "b", -1, 0, t0 + 15);
	b.stop = true;
	b.del_on_call = true;
	loop_add(l, &a.s);
	loop_add(l, &b.s);
	loop_run(l, no_refill, NULL);
	ok(!guard_hit, "timer: the run ended by itself");
	is_int(a.timeout_calls, 1, "timer: a fired once");
	ok(a.timeout_at >= a.armed,
	    lbl("timer: a not early (at %lld, deadline %lld)",
		(long long)a.timeout_at, (long long)a.armed));
	is_int(a.io_calls, 0, "timer: no I/O for a timer-only source");
	is_int(b.timeout_calls, 1, "timer: b fired once");
	ok(b.timeout_at >= b.armed, "timer: b not early");
	is_str(trace, "a:timeout b:timeout", "timer: in deadline order");
	/* a stayed registered without a deadline pending: */
	is_int((long long)loop_count(l), 2, "timer: a and the guard remain");
	loop_del(l, &a.s);
	loop_del(l, &guard.s);

	trace[0] = '\0';
	guard_add(l, &guard);
	src_init(&past, l, "past", -1, 0, clock_ms() - 1000);
	past.del_on_call = true;
	past.stop = true;
	loop_add(l, &past.s);
	t0 = clock_ms();
	loop_run(l, no_refill, NULL);
	is_int(past.timeout_calls, 1, "timer: a past deadline fires");
	ok(past.timeout_at - t0 < GUARD_MS / 2,
	    lbl("timer: at once (after %lld ms)",
		(long long)(past.timeout_at - t0)));
	loop_del(l, &guard.s);
	is_int((long long)loop_count(l), 0, "timer: none left");
	loop_free(l);
}

/* io_cases - on_io gets the revents poll() reported */
static void
io_cases(void)
{
	struct loop *l = loop_new();
	struct src r, w, hup, guard;
	int p[2], q[2], sp[2];

	make_pipe(p);
	make_pipe(q);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp) == -1)
		abort();
	trace[0] = '\0';
	guard_add(l, &guard);
	is_int(write(p[1], "x", 1), 1, "io: a byte in the pipe");
	close(q[1]);
	q[1] = -1;
	src_init(&r, l, "r", p[0], POLLIN, LOOP_NEVER);
	r.del_on_call = true;
	src_init(&w, l, "w", sp[0], POLLOUT, LOOP_NEVER);
	w.del_on_call = true;
	src_init(&hup, l, "hup", q[0], POLLIN, LOOP_NEVER);
	hup.del_on_call = true;
	loop_add(l, &r.s);
	loop_add(l, &w.s);
	loop_add(l, &hup.s);
	/* Run until the three are gone, then the guard alone is left. */
	guard.s.deadline = clock_ms() + 50;
	loop_update(l, &guard.s);
	loop_run(l, no_refill, NULL);
	is_int(r.io_calls, 1, "io: readable source called once");
	is_int(r.revents, POLLIN, "io: revents POLLIN");
	is_int(w.io_calls, 1, "io: writable source called once");
	is_int(w.revents, POLLOUT, "io: revents POLLOUT");
	is_int(hup.io_calls, 1, "io: closed pipe called once");
	ok(hup.revents & POLLHUP,
	    lbl("io: revents has POLLHUP (0x%x)", (unsigned)hup.revents));
	is_int(r.timeout_calls + w.timeout_calls + hup.timeout_calls, 0,
	    "io: no timeouts");
	ok(guard_hit, "io: only the guard was left to end the run");
	close_pair(p);
	close_pair(q);
	close_pair(sp);
	loop_free(l);
}

/*
 * delete_cases - a source deleted (and freed) by another's callback in the
 * same pass is never called; a source deleting itself.
 */
static void
delete_cases(void)
{
	struct loop *l = loop_new();
	struct src *a, *b, *t1, *t2, *self;
	struct src guard;
	int p[2], q[2];

	make_pipe(p);
	make_pipe(q);
	guard_add(l, &guard);
	is_int(write(p[1], "x", 1), 1, "delete: pipe p ready");
	is_int(write(q[1], "x", 1), 1, "delete: pipe q ready");
	a = src_new(l, "a", p[0], POLLIN, LOOP_NEVER);
	b = src_new(l, "b", q[0], POLLIN, LOOP_NEVER);
	a->victim = b;
	b->victim = a;
	a->stop = b->stop = true;
	loop_add(l, &a->s);
	loop_add(l, &b->s);
	seq = 0;
	trace[0] = '\0';
	loop_run(l, no_refill, NULL);
	ok(!guard_hit, "delete: the run ended by itself");
	is_int(seq, 1, lbl("delete: one of two ready called (%s)", trace));
	is_int((long long)loop_count(l), 2, "delete: the caller and the guard");
	/* The survivor's victim is gone; delete and free the survivor. */
	if (strcmp(trace, "a:io") == 0) {
		loop_del(l, &a->s);
		free(a);
	} else {
		loop_del(l, &b->s);
		free(b);
	}

	/* Two expired timers: the first deletes the second. */
	t1 = src_new(l, "t1", -1, 0, clock_ms() - 20);
	t2 = src_new(l, "t2", -1, 0, clock_ms() - 10);
	t1->victim = t2;
	t1->free_on_call = true;
	t2->free_on_call = true;
	t2->stop = true;
	loop_add(l, &t2->s);
	loop_add(l, &t1->s);
	seq = 0;
	trace[0] = '\0';
	guard.s.deadline = clock_ms() + 30;
	loop_update(l, &guard.s);
	loop_run(l, no_refill, NULL);
	is_str(trace, "t1:timeout", "delete: an expired timer deleted unseen");
	ok(guard_hit, "delete: t2 never ran (so never stopped the loop)");
	is_int((long long)loop_count(l), 0, "delete: none left");

	/*
	 * A source ready and expired at once deletes and frees itself in
	 * on_io: its timeout, queued in the same pass, must not run. The
	 * run then ends, nothing being left.
	 */
	is_int(write(p[1], "y", 1), 1, "delete: pipe p ready again");
	self = src_new(l, "self", p[0], POLLIN, clock_ms() - 5);
	self->free_on_call = true;
	loop_add(l, &self->s);
	seq = 0;
	trace[0] = '\0';
	loop_run(l, no_refill, NULL);
	is_str(trace, "self:io", "delete: self-deleting source called once");
	is_int((long long)loop_count(l), 0, "delete: the loop is empty");
	close_pair(p);
	close_pair(q);
	loop_free(l);
}

/*
 * io_and_timeout_cases - ready and expired in one pass: I/O first, then
 * the timeout, unless on_io pushed the deadline back.
 */
static void
io_and_timeout_cases(void)
{
	struct loop *l = loop_new();
	struct src both, pushed, guard;
	int p[2], q[2];

	make_pipe(p);
	make_pipe(q);
	is_int(write(p[1], "x", 1), 1, "both: pipe p ready");
	is_int(write(q[1], "x", 1), 1, "both: pipe q ready");
	trace[0] = '\0';
	guard_add(l, &guard);
	src_init(&both, l, "both", p[0], POLLIN, clock_ms() - 5);
	both.stop = true;
	loop_add(l, &both.s);
	loop_run(l, no_refill, NULL);
	is_str(trace, "both:io both:timeout", "both: on_io, then on_timeout");
	loop_del(l, &both.s);
	loop_del(l, &guard.s);

	trace[0] = '\0';
	guard_add(l, &guard);
	src_init(&pushed, l, "pushed", q[0], POLLIN, clock_ms() - 5);
	pushed.rearm_ms = 10000;
	pushed.stop = true;
	loop_add(l, &pushed.s);
	loop_run(l, no_refill, NULL);
	is_str(trace, "pushed:io", "both: a deadline pushed back in on_io");
	is_int(pushed.timeout_calls, 0, "both: no timeout after the push");
	loop_del(l, &pushed.s);
	loop_del(l, &guard.s);
	close_pair(p);
	close_pair(q);
	loop_free(l);
}

/*
 * update_cases - loop_update moves a pending deadline earlier and later:
 * a mover's timeout moves the target's deadline to now + move_to.
 */
static void
update_cases(void)
{
	static const struct {
		const char *label;
		int64_t target_ms, mover_ms, move_to;
	} cases[] = {
	    {"earlier", 1000, 2, 5},
	    {"later", 10, 2, 40},
	};
	struct loop *l = loop_new();
	struct src target, mover, guard;
	int64_t t0;
	size_t i;

	guard_add(l, &guard);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		trace[0] = '\0';
		t0 = clock_ms();
		src_init(&target, l, "target", -1, 0, t0 + cases[i].target_ms);
		target.del_on_call = true;
		target.stop = true;
		src_init(&mover, l, "mover", -1, 0, t0 + cases[i].mover_ms);
		mover.del_on_call = true;
		mover.move = &target;
		mover.move_to = cases[i].move_to;
		loop_add(l, &target.s);
		loop_add(l, &mover.s);
		loop_run(l, no_refill, NULL);
		is_str(trace, "mover:timeout target:timeout",
		    lbl("update %s: order", cases[i].label));
		ok(target.timeout_at >= target.armed,
		    lbl("update %s: not before the new deadline (%lld ms, "
			"wanted >= %lld)",
			cases[i].label, (long long)(target.timeout_at - t0),
			(long long)(target.armed - t0)));
		if (cases[i].move_to < cases[i].target_ms)
			ok(target.timeout_at < t0 + cases[i].target_ms,
			    lbl("update %s: before the old deadline",
				cases[i].label));
	}
	ok(!guard_hit, "update: the runs ended by themselves");
	loop_del(l, &guard.s);
	loop_free(l);
}

static void
on_heap_timeout(struct source *s, int64_t now)
{
	struct src *x = (struct src *)s;

	x->timeout_calls++;
	x->timeout_at = now;
	if (nfired < NTIMERS)
		fired[nfired++] = s->deadline;
	loop_del(x->l, s);
}

/*
 * heap_order_cases - 200 timers with shuffled deadlines a few ms apart;
 * a third moved (both ways), a fifth deleted before the run. They must
 * fire in non-decreasing deadline order, each once and never early, and
 * the deleted never.
 */
static void
heap_order_cases(void)
{
	static struct src t[NTIMERS];
	struct loop *l = loop_new();
	int perm[NTIMERS];
	int i, j, k, early = 0, twice = 0, deleted_ran = 0, out_of_order = 0;
	int alive = 0;
	unsigned int rnd = 12345;
	int64_t t0 = clock_ms();

	for (i = 0; i < NTIMERS; i++)
		perm[i] = i;
	for (i = NTIMERS - 1; i > 0; i--) {
		rnd = rnd * 1103515245u + 12345u;
		j = (int)((rnd >> 16) % (unsigned)(i + 1));
		k = perm[i];
		perm[i] = perm[j];
		perm[j] = k;
	}
	for (i = 0; i < NTIMERS; i++) {
		src_init(&t[i], l, "heap", -1, 0, t0 + 2 + perm[i] / 5);
		t[i].s.on_timeout = on_heap_timeout;
		loop_add(l, &t[i].s);
	}
	for (i = 0; i < NTIMERS; i += 3) {
		t[i].s.deadline = t0 + 2 + perm[NTIMERS - 1 - i] / 5;
		loop_update(l, &t[i].s);
	}
	for (i = 1; i < NTIMERS; i += 5)
		loop_del(l, &t[i].s);
	nfired = 0;
	loop_run(l, no_refill, NULL);
	for (i = 0; i < NTIMERS; i++) {
		if (i % 5 == 1) {
			deleted_ran += t[i].timeout_calls != 0;
			continue;
		}
		alive++;
		twice += t[i].timeout_calls != 1;
		early += t[i].timeout_at < t[i].s.deadline;
	}
	for (i = 1; i < nfired; i++)
		out_of_order += fired[i] < fired[i - 1];
	is_int(nfired, alive, "heap: every live timer fired");
	is_int(twice, 0, "heap: each exactly once");
	is_int(deleted_ran, 0, "heap: deleted timers never fired");
	is_int(early, 0, "heap: none before its deadline");
	is_int(out_of_order, 0, "heap: in non-decreasing deadline order");
	is_int((long long)loop_count(l), 0, "heap: none left");
	loop_free(l);
}

/*
 * refill_counted - *(int *)arg counts calls: it adds a timer to
 * refill_loop (if set) on each of the first three calls, and says false
 * on the third.
 */
static bool
refill_counted(void *arg, int64_t now)
{
	int *calls = arg;
	int n = (*calls)++;
	struct src *x;

	if (refill_loop == NULL || n >= 3)
		return false;
	x = src_new(refill_loop, "added", -1, 0, now + 1 + n);
	x->free_on_call = true;
	loop_add(refill_loop, &x->s);
	return n < 2;
}

/* refill_cases - refill runs before waits, can add, and is asked no more */
static void
refill_cases(void)
{
	struct loop *l = loop_new();
	int calls = 0;

	refill_loop = NULL;
	loop_run(l, refill_counted, &calls);
	is_int(calls, 1, "refill: empty loop, nothing to start: one call");

	calls = 0;
	refill_loop = l;
	seq = 0;
	trace[0] = '\0';
	loop_run(l, refill_counted, &calls);
	is_int(calls, 3, "refill: never asked again after false");
	is_str(trace, "added:timeout added:timeout added:timeout",
	    "refill: the three it added ran");
	is_int((long long)loop_count(l), 0, "refill: none left");
	refill_loop = NULL;
	loop_free(l);
}

/* stop_cases - loop_stop returns with sources left; a new run goes on */
static void
stop_cases(void)
{
	struct loop *l = loop_new();
	struct src stopper, rest;
	int64_t t0 = clock_ms();

	trace[0] = '\0';
	src_init(&stopper, l, "stopper", -1, 0, t0 + 2);
	stopper.stop = true;
	stopper.del_on_call = true;
	/* Far enough not to expire in the stopper's pass on a loaded host. */
	src_init(&rest, l, "rest", -1, 0, t0 + GUARD_MS);
	rest.del_on_call = true;
	loop_add(l, &stopper.s);
	loop_add(l, &rest.s);
	loop_run(l, no_refill, NULL);
	is_str(trace, "stopper:timeout", "stop: returns after the stop");
	is_int((long long)loop_count(l), 1, "stop: the other source remains");
	rest.s.deadline = rest.armed = clock_ms() + 2;
	loop_update(l, &rest.s);
	loop_run(l, no_refill, NULL);
	is_str(
	    trace, "stopper:timeout rest:timeout", "stop: a new run goes on");
	ok(rest.timeout_at >= rest.armed, "stop: rest fired at its deadline");
	is_int((long long)loop_count(l), 0, "stop: none left");
	loop_free(l);
}

/* bookkeeping_cases - count, double delete, update of an unadded source */
static void
bookkeeping_cases(void)
{
	struct loop *l = loop_new();
	struct src a, b;

	src_init(&a, l, "a", -1, 0, LOOP_NEVER);
	src_init(&b, l, "b", -1, 0, clock_ms() + 1);
	is_int((long long)loop_count(l), 0, "count: empty");
	loop_update(l, &a.s);
	is_int((long long)loop_count(l), 0, "count: update before add ignored");
	loop_add(l, &a.s);
	loop_add(l, &b.s);
	is_int((long long)loop_count(l), 2, "count: two added");
	loop_del(l, &a.s);
	loop_del(l, &a.s);
	is_int((long long)loop_count(l), 1, "count: a second delete ignored");
	ok(!a.s.added && a.s.poll_at == 0 && a.s.heap_at == 0,
	    "count: a deleted source is out of every set");
	loop_del(l, &b.s);
	is_int((long long)loop_count(l), 0, "count: none left");
	loop_free(l);
}

int
main(void)
{
	alarm(ALARM_S);
	timer_cases();
	io_cases();
	delete_cases();
	io_and_timeout_cases();
	update_cases();
	heap_order_cases();
	refill_cases();
	stop_cases();
	bookkeeping_cases();
	return done_testing();
}
