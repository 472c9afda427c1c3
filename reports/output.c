/*
 * output.c - the report's destination (include/output.h).
 *
 * The temporary file of an atomic -o is ".NAME.XXXXXX" next to FILE: the
 * same file system, so rename(2) replaces FILE in one step (POSIX), and a
 * name the textfile collector ignores (it reads only *.prom). mkstemp()
 * creates it 0600; it gets the mode a plain fopen() would have given
 * (0666 less the umask), so whoever could read FILE still can.
 */
#include "output.h"

#include <sys/stat.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static int open_atomic(struct output *, char *, size_t);

/* output_open - stdout, FILE in place, or a temporary file beside FILE */
int
output_open(
    struct output *o, const char *path, bool atomic, char *err, size_t errsize)
{
	struct stat sb;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (path == NULL) {
		o->fp = stdout;
		return 0;
	}
	if (atomic && (stat(path, &sb) == -1 || S_ISREG(sb.st_mode)))
		return open_atomic(o, err, errsize);
	if ((o->fp = fopen(path, "w")) == NULL) {
		snprintf(
		    err, errsize, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* output_close - close, then rename or remove the temporary file */
int
output_close(struct output *o, bool keep)
{
	int ret = 0;

	if (o->fp != stdout && o->fp != NULL && fclose(o->fp) == EOF)
		ret = -1;
	o->fp = NULL;
	if (o->tmp != NULL) {
		if (keep && ret == 0 && rename(o->tmp, o->path) == -1)
			ret = -1;
		if (!keep || ret == -1)
			(void)unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	return ret;
}

/* open_atomic - the temporary file beside o->path, with fopen's mode */
static int
open_atomic(struct output *o, char *err, size_t errsize)
{
	char *d = xstrdup(o->path), *b = xstrdup(o->path);
	size_t n = strlen(o->path) + 16;
	mode_t mask;
	int fd;

	o->tmp = xmalloc(n);
	(void)snprintf(o->tmp, n, "%s/.%s.XXXXXX", dirname(d), basename(b));
	free(d);
	free(b);
	mask = umask(0);
	(void)umask(mask);
	if ((fd = mkstemp(o->tmp)) == -1 || fchmod(fd, 0666 & ~mask) == -1 ||
	    (o->fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "cannot write %s: %s", o->path,
		    strerror(errno));
		if (fd != -1) {
			(void)close(fd);
			(void)unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}
