/*
 * cred.h - the credentials of --auth-user, held so they leak nowhere.
 *
 * The password comes from the environment variable SMTP_PROBE_PASSWORD or
 * from --auth-password-file, never from argv (which every user of the
 * machine can read in /proc). It lives in one page of its own, excluded
 * from core dumps, in a process that cannot dump core at all, and is
 * zeroed when released or when the process exits.
 */
#ifndef SMTP_PROBE_CRED_H
#define SMTP_PROBE_CRED_H

#include <stddef.h>

#define CRED_ENV "SMTP_PROBE_PASSWORD"

struct cred {
	const char *user;        /* argv's, 1 to AUTH_USER_MAX bytes (cli.c) */
	unsigned char *password; /* a private page, mapped by cred_load */
	size_t password_len;     /* at most AUTH_PASSWORD_MAX */
	size_t map_len;          /* the mapping's size: one page */
};

/*
 * cred_load - the password for user: from file when not NULL (one line,
 * a regular file neither readable nor writable by group or others), else
 * from CRED_ENV, which is then wiped from the environment and from the
 * process's initial environment block (/proc/PID/environ). Returns 0, or
 * -1 with a message naming the option in err (a usage error: exit 2).
 */
int cred_load(struct cred *, const char *user, const char *file, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* cred_free - zero and unmap the password; safe on a zeroed struct */
void cred_free(struct cred *);

#endif
