/*
 * log.c - one line per call on stderr, never on stdout.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

int log_verbosity;

static void vlog(int, const char *, va_list);

/* log_warn - always printed */
void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

/* log_info - printed with -v */
void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(1, fmt, ap);
	va_end(ap);
}

/* log_debug - printed with -vv */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, fmt, ap);
	va_end(ap);
}

static void
vlog(int level, const char *fmt, va_list ap)
{
	if (level > log_verbosity)
		return;
	fputs("smtp-probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}
