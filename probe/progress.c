/*
 * progress.c - the progress line (progress.h): a timer source of the
 * loop redraws it, so it moves even while every probe waits on a slow
 * server, and costs nothing between two redraws.
 */
#include "progress.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "xalloc.h"

/* Four redraws a second: smooth enough, and cheap on a slow terminal. */
#define PROGRESS_MS 250

struct progress {
	struct source timer;
	struct loop *loop;
	const struct progress_counts *c; /* the run's */
	int64_t t0;
};

static void on_tick(struct source *, int64_t);
static void draw(struct progress *, int64_t, const char *);

/* progress_start - the first line now, then one every PROGRESS_MS */
struct progress *
progress_start(struct loop *loop, const struct progress_counts *c)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->c = c;
	p->t0 = clock_ms();
	loop_add_timer(loop, &p->timer, p->t0 + PROGRESS_MS, on_tick);
	draw(p, p->t0, "");
	return p;
}

/* progress_end - the final state stays on screen, on a line of its own */
void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	loop_del(p->loop, &p->timer);
	draw(p, clock_ms(), "\n");
	free(p);
}

static void
on_tick(struct source *src, int64_t now)
{
	struct progress *p = (struct progress *)src;

	draw(p, now, "");
	p->timer.deadline = now + PROGRESS_MS;
	loop_update(p->loop, &p->timer);
}

/* draw - back to the line's start, the line, clear what is left of it */
static void
draw(struct progress *p, int64_t now, const char *end)
{
	char line[128];

	progress_line(p->c, now - p->t0, line, sizeof(line));
	fprintf(stderr, "\r%s\033[K%s", line, end);
}

/* progress_line - "120/400 targets, 64 in flight, ... ETA 0:42" */
void
progress_line(
    const struct progress_counts *c, int64_t elapsed_ms, char *buf, size_t len)
{
	double secs = elapsed_ms > 0 ? (double)elapsed_ms / 1000 : 0;
	double rate = secs > 0 ? (double)c->probes / secs : 0;
	int n, eta;

	if (c->total_known)
		n = snprintf(buf, len, "smtp-probe: %zu/%zu targets", c->done,
		    c->targets);
	else
		n = snprintf(buf, len, "smtp-probe: %zu targets", c->done);
	if (n < 0 || (size_t)n >= len)
		return;
	n += snprintf(buf + n, len - (size_t)n,
	    ", %zu in flight, %zu waiting, %.1f probes/s", c->inflight,
	    c->waiting, rate);
	if (n < 0 || (size_t)n >= len || !c->total_known || c->done == 0 ||
	    c->done >= c->targets)
		return;
	/* Time left at the pace of targets so far. */
	eta = (int)(secs * (double)(c->targets - c->done) / (double)c->done);
	snprintf(buf + n, len - (size_t)n, ", ETA %d:%02d", eta / 60, eta % 60);
}
