/*
 * spool.h - an anonymous temporary file that a renderer fills as targets
 * finish and copies out at the end, for formats whose output must be
 * grouped or headed by what only the end knows (prometheus, nagios).
 *
 * The file lives in $TMPDIR (default /tmp) and is unlinked as soon as it
 * is made, so nothing is left behind whatever happens to the process:
 * what a format keeps is bounded by the disk, not by memory.
 */
#ifndef SMTP_PROBE_SPOOL_H
#define SMTP_PROBE_SPOOL_H

#include <stdio.h>

/* spool_open - a new empty spool opened for writing and reading, or NULL
 * (errno set) */
FILE *spool_open(void);

/*
 * spool_copy - append everything written to sp onto out; 0, or -1 when
 * reading sp or writing out failed (errno set)
 */
int spool_copy(FILE *sp, FILE *out);

#endif
