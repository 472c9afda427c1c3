/*
 * tap.h - a minimal Test Anything Protocol producer for the unit tests.
 *
 * Each check prints "ok N - label" or "not ok N - label" with got/want, and
 * done_testing() prints the plan and returns the exit status.
 */
#ifndef SMTP_PROBE_TAP_H
#define SMTP_PROBE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int
ok(int cond, const char *label)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, label);
	return cond;
}

static inline int
is_int(long long got, long long want, const char *label)
{
	if (!ok(got == want, label))
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}

static inline int
is_str(const char *got, const char *want, const char *label)
{
	int same =
	    got != NULL && want != NULL ? strcmp(got, want) == 0 : got == want;

	if (!ok(same, label))
		printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

static inline int
is_mem(const void *got, size_t gotlen, const char *want, const char *label)
{
	size_t wantlen = strlen(want);
	int same = gotlen == wantlen && memcmp(got, want, wantlen) == 0;

	if (!ok(same, label))
		printf("#   got \"%.*s\", want \"%s\"\n", (int)gotlen,
		    (const char *)got, want);
	return same;
}

/* lbl - a formatted test label (one static buffer: use it at once) */
static inline const char *lbl(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline const char *
lbl(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
