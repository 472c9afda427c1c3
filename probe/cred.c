/*
 * cred.c - the password of --auth-user: read once, held in one page, and
 * kept out of everything that outlives the process or that others see.
 *
 * - Never argv: a command line is world-readable in /proc/PID/cmdline.
 * - The environment variable is copied, then taken out of environ and its
 *   bytes zeroed where they lie, in the block /proc/PID/environ shows: an
 *   unsetenv() alone leaves them there.
 * - A password file must be a regular file nobody but its owner may read
 *   or write (ssh's rule for keys); it is read with read(2) straight into
 *   the page, so no stdio buffer holds a copy.
 * - The page is mmap()ed on its own, MADV_DONTDUMP, and mlock()ed when
 *   the limits allow (never swapped); the process gives up core dumps
 *   (RLIMIT_CORE 0, and PR_SET_DUMPABLE 0, which also keeps other users'
 *   debuggers out); the page is zeroed with explicit_bzero() when released,
 *   and by an atexit() handler when the tool exits from deep inside
 *   (out of memory).
 * What is derived from the password for the wire (base64 in sasl.c, the
 * session's command buffer) is zeroed by its owner once sent.
 */
#include "cred.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"

extern char **environ;

static int map_page(struct cred *, char *, size_t);
static int read_file(struct cred *, const char *, char *, size_t);
static int read_env(struct cred *, char *, size_t);
static const char *one_line(const unsigned char *, size_t, size_t *);
static void wipe_at_exit(void);

/* The page held now, for wipe_at_exit: main's struct may be gone by then. */
static unsigned char *held_page;
static size_t held_len;

/* cred_load - the password, from file or from the environment */
int
cred_load(struct cred *c, const char *user, const char *file, char *err,
    size_t errlen)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->user = user;
	if (map_page(c, err, errlen) == -1)
		return -1;
	r = file != NULL ? read_file(c, file, err, errlen)
			 : read_env(c, err, errlen);
	if (r == -1)
		cred_free(c);
	return r;
}

/* cred_free - zero and unmap the page */
void
cred_free(struct cred *c)
{
	if (c->password != NULL) {
		explicit_bzero(c->password, c->map_len);
		(void)munmap(c->password, c->map_len);
		if (held_page == c->password)
			held_page = NULL;
	}
	c->password = NULL;
	c->password_len = 0;
	c->map_len = 0;
}

/*
 * map_page - a page of its own for the password, out of core dumps, in a
 * process that cannot dump core
 */
static int
map_page(struct cred *c, char *err, size_t errlen)
{
	static bool registered;
	struct rlimit none = {0, 0};
	long page = sysconf(_SC_PAGESIZE);

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	c->map_len = page > AUTH_PASSWORD_MAX + 3 ? (size_t)page : 4096;
	c->password = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->password == MAP_FAILED) {
		c->password = NULL;
		snprintf(err, errlen,
		    "--auth-user: cannot map memory for "
		    "the password: %s",
		    strerror(errno));
		return -1;
	}
	(void)madvise(c->password, c->map_len, MADV_DONTDUMP);
	/* Best effort: RLIMIT_MEMLOCK may forbid it, and dumps are off. */
	(void)mlock(c->password, c->map_len);
	held_page = c->password;
	held_len = c->map_len;
	if (!registered)
		registered = atexit(wipe_at_exit) == 0;
	return 0;
}

/*
 * read_file - one line, from a file only its owner may read or write;
 * checked on the open descriptor, so the file cannot change in between
 */
static int
read_file(struct cred *c, const char *file, char *err, size_t errlen)
{
	/* One byte more than a password and its CRLF: "too long". */
	size_t cap = AUTH_PASSWORD_MAX + 3, n = 0, len;
	unsigned char *pw = c->password;
	const char *why = NULL;
	struct stat sb;
	ssize_t got;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "--auth-password-file %s: %s", file,
		    strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode))
		why = "not a regular file";
	else if (sb.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		snprintf(err, errlen,
		    "--auth-password-file %s: readable or writable by group "
		    "or others (mode %04o): make it private (chmod 600)",
		    file, (unsigned)(sb.st_mode & 07777));
		(void)close(fd);
		return -1;
	}
	while (
	    why == NULL && n < cap && (got = read(fd, pw + n, cap - n)) != 0) {
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			why = strerror(errno);
		else
			n += (size_t)got;
	}
	(void)close(fd);
	if (why == NULL)
		why = one_line(pw, n, &len);
	if (why != NULL) {
		snprintf(err, errlen, "--auth-password-file %s: %s", file, why);
		return -1;
	}
	explicit_bzero(pw + len, c->map_len - len);
	c->password_len = len;
	return 0;
}

/*
 * read_env - the value of CRED_ENV, then every entry of it out of environ
 * and zeroed where it lies
 */
static int
read_env(struct cred *c, char *err, size_t errlen)
{
	const size_t nlen = sizeof(CRED_ENV "=") - 1;
	bool found = false;
	size_t len = 0, k;
	char *entry;

	for (k = 0; environ != NULL && environ[k] != NULL;) {
		entry = environ[k];
		if (strncmp(entry, CRED_ENV "=", nlen) != 0) {
			k++;
			continue;
		}
		len = strlen(entry);
		if (!found && len - nlen <= AUTH_PASSWORD_MAX) {
			memcpy(c->password, entry + nlen, len - nlen);
			c->password_len = len - nlen;
		}
		found = true;
		/* What unsetenv() does, keeping the pointer to zero it. */
		for (; environ[k] != NULL; k++)
			environ[k] = environ[k + 1];
		explicit_bzero(entry, len);
		k = 0;
	}
	if (!found)
		snprintf(err, errlen,
		    "--auth-user: no password: set " CRED_ENV
		    " or give --auth-password-file FILE");
	else if (c->password_len == 0)
		snprintf(err, errlen,
		    "--auth-user: " CRED_ENV
		    " is empty or longer than %d bytes",
		    AUTH_PASSWORD_MAX);
	return found && c->password_len > 0 ? 0 : -1;
}

/*
 * one_line - the password in a file's first n bytes: one line, its LF or
 * CRLF not counted. Returns NULL with *len set, or what is wrong.
 */
static const char *
one_line(const unsigned char *pw, size_t n, size_t *len)
{
	const unsigned char *nl = memchr(pw, '\n', n);

	*len = nl != NULL ? (size_t)(nl - pw) : n;
	if (nl != NULL && *len + 1 < n)
		return "holds more than one line";
	if (*len > 0 && pw[*len - 1] == '\r')
		(*len)--;
	if (*len > AUTH_PASSWORD_MAX)
		return "the password is longer than 255 bytes";
	if (*len == 0)
		return "the password is empty";
	if (memchr(pw, '\0', *len) != NULL)
		return "the password holds a NUL byte";
	return NULL;
}

/* wipe_at_exit - the page still held when the process exits */
static void
wipe_at_exit(void)
{
	if (held_page != NULL)
		explicit_bzero(held_page, held_len);
}
