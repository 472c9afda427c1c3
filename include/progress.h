/*
 * progress.h - one line on stderr, redrawn, saying how far a run is:
 * targets done (of how many, once the list has been read to its end),
 * probes in flight, targets waiting, probes a second and the time left.
 *
 * Meant for a terminal: the line is redrawn in place with a carriage
 * return, so a log file or a CI console would fill with it. main.c turns
 * it on only when stderr is a terminal and the report does not go to a
 * terminal too, unless --progress or --no-progress says otherwise.
 */
#ifndef SMTP_PROBE_PROGRESS_H
#define SMTP_PROBE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* What the run counts as it goes; the progress line only reads it. */
struct progress_counts {
	size_t targets;   /* pulled from the target list so far */
	bool total_known; /* the list was read to its end: targets is all */
	size_t done;      /* targets finished */
	size_t probes;    /* probes finished */
	size_t inflight;  /* probes running */
	size_t waiting;   /* targets waiting for DNS or for a slot */
};

struct progress;

/* progress_start - redraw the line from c every PROGRESS_MS on loop */
struct progress *progress_start(struct loop *, const struct progress_counts *c);

/* progress_end - draw the last state, end the line, free (NULL: nothing) */
void progress_end(struct progress *);

/*
 * progress_line - the line for c after elapsed_ms, into buf (pure: the
 * unit tests call it)
 */
void progress_line(
    const struct progress_counts *c, int64_t elapsed_ms, char *buf, size_t len);

#endif
