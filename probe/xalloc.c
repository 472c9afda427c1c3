/*
 * xalloc.c - die-on-failure allocation (Postfix mymalloc style).
 *
 * The fault-injection counter lets the test suite make the Nth allocation
 * fail and check that the tool exits 3 without a crash.
 */
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t) __attribute__((noreturn));
static int injected_failure(void);

/* xmalloc - malloc that exits 3 on failure */
void *
xmalloc(size_t n)
{
	void *p;

	if (injected_failure() || (p = malloc(n ? n : 1)) == NULL)
		out_of_memory(n);
	return p;
}

/* xcalloc - zeroed array that exits 3 on failure or overflow */
void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (injected_failure() ||
	    (p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		out_of_memory(nmemb * size);
	return p;
}

/* xreallocarray - resize an array, checking nmemb * size for overflow */
void *
xreallocarray(void *old, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	if (injected_failure() ||
	    (p = realloc(old, nmemb * size != 0 ? nmemb * size : 1)) == NULL)
		out_of_memory(nmemb * size);
	return p;
}

/* xstrdup - copy a C string */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

/* xmemdup - copy len bytes and add a NUL */
void *
xmemdup(const void *src, size_t len)
{
	unsigned char *p;

	if (len == SIZE_MAX)
		out_of_memory(len);
	p = xmalloc(len + 1);
	if (len)
		memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

static void
out_of_memory(size_t n)
{
	fprintf(
	    stderr, "smtp-probe: out of memory (allocating %zu bytes)\n", n);
	exit(EXIT_TOOL_FAILURE);
}

/* injected_failure - true once, for the allocation XALLOC_FAIL_AT names */
static int
injected_failure(void)
{
	static long fail_at = -1, count;
	const char *s;
	char *end;

	if (fail_at == -1) {
		fail_at = 0;
		if ((s = getenv("XALLOC_FAIL_AT")) != NULL) {
			errno = 0;
			fail_at = strtol(s, &end, 10);
			if (errno || *end != '\0' || fail_at < 0)
				fail_at = 0;
		}
	}
	return fail_at > 0 && ++count == fail_at;
}
