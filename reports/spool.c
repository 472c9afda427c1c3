/*
 * spool.c - anonymous temporary files for the formats that must hold
 * their output until the end (include/spool.h).
 *
 * mkstemp() in $TMPDIR, then unlink(): the file has no name from the
 * start, so an interrupted or crashed run leaves nothing in the
 * directory. tmpfile() would do the same but ignores $TMPDIR.
 */
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* spool_open - an unnamed read-write temporary file */
FILE *
spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *fp;
	int fd, saved;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/smtp-probe.XXXXXX", dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	(void)unlink(path);
	if ((fp = fdopen(fd, "w+")) == NULL) {
		saved = errno;
		(void)close(fd);
		errno = saved;
	}
	return fp;
}

/* spool_copy - rewind sp and copy it to out */
int
spool_copy(FILE *sp, FILE *out)
{
	char buf[8192];
	size_t n;

	if (fflush(sp) == EOF || fseek(sp, 0, SEEK_SET) == -1)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), sp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	return ferror(sp) ? -1 : 0;
}
