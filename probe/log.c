/*
 * log.c - one line per call on stderr, never on stdout.
 *
 * Messages quote what the user typed (option values, file names, targets)
 * and what a server sent, so every line is escaped here, in the one place
 * that prints them, as the text report escapes a banner: a control
 * character from argv must not reach the terminal (an ESC could recolour
 * it or retitle the window, a newline could forge a second message). A
 * line longer than LOG_LINE_MAX ends in "...". Nothing is allocated, so
 * the message of a failed allocation is escaped too.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "sanitize.h"

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

/* log_vwarn - log_warn with a va_list, for callers with their own prefix */
void
log_vwarn(const char *fmt, va_list ap)
{
	vlog(0, fmt, ap);
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

/* vlog - format, escape, print "smtp-probe: MESSAGE" */
static void
vlog(int level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], safe[SANITIZE_SIZE(LOG_LINE_MAX)];
	int n;

	if (level > log_verbosity)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "%s", "(unprintable message)");
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	sanitize_into(msg, strlen(msg), SAN_TERMINAL, safe);
	fprintf(stderr, "smtp-probe: %s\n", safe);
}
