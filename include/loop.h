/*
 * loop.h - the reactor: one thread, poll(), a timer heap, and sources.
 *
 * A source is anything that waits for a descriptor or a deadline: an SMTP
 * attempt, later a DNS channel or an HTTPS fetch. The loop knows nothing
 * else about them. The same loop probes one port or a hundred thousand
 * targets: there is no second, blocking path for the simple case.
 *
 * A source sets fd, events and deadline itself, then tells the loop with
 * loop_update(); the loop calls on_io or on_timeout. A callback may add,
 * update or delete any source, itself included (after loop_del the loop
 * never touches that source again, so its owner may free it at once).
 */
#ifndef SMTP_PROBE_LOOP_H
#define SMTP_PROBE_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_NEVER INT64_MAX

struct source;

typedef void source_io_fn(struct source *, short revents, int64_t now);
typedef void source_timeout_fn(struct source *, int64_t now);

struct source {
	int fd;           /* -1: no descriptor (a timer only) */
	short events;     /* POLLIN / POLLOUT; 0: not polled */
	int64_t deadline; /* monotonic ms; LOOP_NEVER: none */
	source_io_fn *on_io;
	source_timeout_fn *on_timeout;
	/* The loop's own bookkeeping; zero before loop_add. */
	size_t poll_at; /* 1 + index in the poll set; 0: not in it */
	size_t heap_at; /* 1 + index in the timer heap; 0: not in it */
	bool added;
};

struct loop;

/*
 * loop_refill_fn - called before every wait: the place to start new work
 * (pull targets while there is room). Returns false once it has nothing
 * left to start, ever.
 */
typedef bool loop_refill_fn(void *arg, int64_t now);

struct loop *loop_new(void);
void loop_free(struct loop *);

/* loop_add - register a source with its current fd, events and deadline */
void loop_add(struct loop *, struct source *);

/*
 * loop_add_timer - register s as a timer only (no descriptor): on_timeout
 * runs at deadline (LOOP_NEVER: not yet, until loop_update sets one)
 */
void loop_add_timer(struct loop *, struct source *s, int64_t deadline,
    source_timeout_fn *on_timeout);

/* loop_update - the source changed its fd, events or deadline */
void loop_update(struct loop *, struct source *);

/* loop_del - forget a source; it may be freed as soon as this returns */
void loop_del(struct loop *, struct source *);

/* loop_count - sources registered */
size_t loop_count(const struct loop *);

/*
 * loop_run - dispatch until no source is left and refill has nothing more
 * to start, or loop_stop was called.
 */
void loop_run(struct loop *, loop_refill_fn *refill, void *arg);

/* loop_stop - make loop_run return after the current dispatch */
void loop_stop(struct loop *);

#endif
