/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Out of memory is the tool's own failure: one line on stderr, exit 3, as the
 * contract says. XALLOC_FAIL_AT=N in the environment makes the Nth
 * allocation fail, so tests can prove that path is clean.
 */
#ifndef SMTP_PROBE_XALLOC_H
#define SMTP_PROBE_XALLOC_H

#include <stddef.h>

#define EXIT_TOOL_FAILURE 3

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
/* xmemdup - copy of len bytes plus a NUL terminator */
void *xmemdup(const void *, size_t len);

#endif
