/*
 * output.h - where the report goes: standard output, -o FILE written in
 * place, or -o FILE replaced atomically.
 *
 * Atomic: the report is written to a temporary file in FILE's directory
 * and renamed onto FILE only once it is complete, so a reader (the
 * node_exporter textfile collector) sees the old file or the new one,
 * never half of one; a run that fails leaves FILE as it was. FILE that
 * exists and is not a regular file (a FIFO, /dev/stdout) is written in
 * place: renaming onto it would replace the device, not feed it.
 */
#ifndef SMTP_PROBE_OUTPUT_H
#define SMTP_PROBE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct output {
	FILE *fp;         /* stdout, or owned */
	const char *path; /* -o FILE, not owned; NULL: stdout */
	char *tmp;        /* owned; the temporary name when atomic */
};

/*
 * output_open - ready o for writing to path (NULL: stdout); 0, or -1 with
 * a message naming the file in err
 */
int output_open(struct output *o, const char *path, bool atomic, char *err,
    size_t errsize) __attribute__((warn_unused_result));

/*
 * output_close - close o; a complete report (keep) is renamed into place,
 * anything else is removed. 0, or -1 when closing or renaming failed.
 */
int output_close(struct output *o, bool keep);

#endif
