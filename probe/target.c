/*
 * target.c - what to probe: the syntax of TARGET and of a PORT[/MODE]
 * list, and the target source that yields targets one at a time.
 *
 * An IPv6 literal needs brackets to carry a port ("[2001:db8::1]:25"); a
 * bare one ("2001:db8::1") is taken whole, without a port. The host part is
 * checked to be a plausible name or address here so that nothing odd ever
 * reaches the resolver or the SNI extension.
 *
 * The source reads -f FILE lazily, one line per target asked for, with a
 * line bounded by TARGET_LINE_MAX: a file of a million lines costs the same
 * memory as one of ten. A bad line is an item of its own (so the report
 * accounts for it), not an error of the source. Reading that file is the
 * only I/O here: nothing is resolved, and nothing is printed.
 */
#include "target.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct target_src {
	char *const *argv; /* not owned: the caller's */
	size_t nargv;
	size_t next_arg; /* argv[next_arg] is yielded next */
	FILE *fp;        /* NULL: no file */
	bool own_fp;     /* false for stdin, which is never closed */
	char *name;      /* owned: the file in messages, "stdin" for "-" */
	size_t lineno;   /* lines read so far, blank and comment included */
	size_t index;    /* the next item's index */
	int read_errno;  /* not 0: a read failed, and the source is done */
	/* The file's end was read: never read again (a terminal's stdin
	 * would give more after ^D). */
	bool at_end;
	/* The current line from its first non-blank byte, up to the bound. */
	char line[TARGET_LINE_MAX];
	size_t len;
	bool too_long; /* a non-blank byte came past the bound */
	unsigned int shard_k, shard_n; /* yield part K of N; N 0: all */
};

/* U+FFFD, standing for a NUL byte in an item's text. */
static const char replacement[] = "\xef\xbf\xbd";

static int quote_error(char *, size_t, const char *, const char *, const char *,
    ...) __attribute__((format(printf, 5, 6)));
static int port_item(char *, struct port_spec *, char *, size_t);
static int host_ok(const char *);
static int next_item(struct target_src *, struct target_item *, char *, size_t);
static int read_line(struct target_src *);
static int is_blank(int);
static void line_item(struct target_src *, struct target_item *);
static char *line_text(const char *, size_t);

/* target_src_open - argv targets, then the lines of file */
struct target_src *
target_src_open(char *const *targets, size_t ntargets, const char *file,
    char *err, size_t errlen)
{
	struct target_src *src;
	struct stat st;
	int saved;

	src = xcalloc(1, sizeof(*src));
	src->argv = targets;
	src->nargv = ntargets;
	if (file == NULL)
		return src;
	if (strcmp(file, "-") == 0) {
		src->fp = stdin;
		src->name = xstrdup("stdin");
		return src;
	}
	if ((src->fp = fopen(file, "r")) == NULL)
		saved = errno;
	else if (fstat(fileno(src->fp), &st) == -1)
		saved = errno;
	else if (S_ISDIR(st.st_mode))
		saved = EISDIR; /* fopen() opens one; only reading fails */
	else {
		src->own_fp = true;
		src->name = xstrdup(file);
		return src;
	}
	snprintf(err, errlen, "cannot open %s: %s", file, strerror(saved));
	if (src->fp != NULL)
		(void)fclose(src->fp);
	free(src);
	return NULL;
}

/* target_src_shard - from now on, only the items of part k of n */
void
target_src_shard(struct target_src *src, unsigned int k, unsigned int n)
{
	src->shard_k = k;
	src->shard_n = n;
}

/*
 * target_shard - the part (1..n) text belongs to: FNV-1a, 64 bits, of the
 * text as the report's "host" has it, so a target lands in the same part
 * wherever it sits in the list, on every machine
 */
unsigned int
target_shard(const char *text, unsigned int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (unsigned int)(h % n) + 1;
}

/*
 * target_src_next - the next item of the shard: the others are read and
 * counted (their index stays their place in the whole list) but skipped
 */
int
target_src_next(
    struct target_src *src, struct target_item *item, char *err, size_t errlen)
{
	int r;

	while ((r = next_item(src, item, err, errlen)) == 1 &&
	    src->shard_n > 0 &&
	    target_shard(item->text, src->shard_n) != src->shard_k)
		target_item_free(item);
	return r;
}

/* next_item - the next argv target, or the next target line */
static int
next_item(
    struct target_src *src, struct target_item *item, char *err, size_t errlen)
{
	char perr[ERR_MSG_MAX];
	int r;

	memset(item, 0, sizeof(*item));
	if (src->next_arg < src->nargv) {
		item->index = src->index++;
		item->text = xstrdup(src->argv[src->next_arg++]);
		if (target_parse(
			item->text, &item->target, perr, sizeof(perr)) == -1) {
			item->bad = true;
			snprintf(
			    item->message, sizeof(item->message), "%s", perr);
		}
		return 1;
	}
	while (src->fp != NULL && !src->at_end && src->read_errno == 0) {
		if ((r = read_line(src)) == 0) {
			src->at_end = true;
			return 0;
		}
		if (r == -1)
			break;
		/* Blank lines and comments are not targets: no index. */
		if (src->len == 0 || src->line[0] == '#')
			continue;
		line_item(src, item);
		return 1;
	}
	if (src->read_errno == 0)
		return 0;
	snprintf(err, errlen, "cannot read %s: %s", src->name,
	    strerror(src->read_errno));
	return -1;
}

/* target_item_free - release the item's text */
void
target_item_free(struct target_item *item)
{
	free(item->text);
	item->text = NULL;
}

/* target_src_close - close the file unless it is stdin; free the source */
void
target_src_close(struct target_src *src)
{
	if (src == NULL)
		return;
	if (src->own_fp)
		(void)fclose(src->fp);
	free(src->name);
	free(src);
}

/* target_parse - host and optional port/mode of one TARGET */
int
target_parse(const char *s, struct target *t, char *err, size_t errlen)
{
	struct port_spec ps;
	const char *host = s, *end, *port = NULL;
	unsigned char addr[16];
	struct in_addr in;
	char perr[160];
	size_t hostlen, n;

	memset(t, 0, sizeof(*t));
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return quote_error(
			    err, errlen, "target ", s, "missing ']'");
		host = s + 1;
		hostlen = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return quote_error(err, errlen, "target ", s,
			    "expected ':PORT' after ']'");
	} else if ((end = strchr(s, ':')) != NULL &&
	    strchr(end + 1, ':') == NULL) {
		hostlen = (size_t)(end - s);
		port = end + 1;
	} else
		hostlen = strlen(s);

	if (hostlen == 0 || hostlen > HOSTNAME_MAX)
		return quote_error(err, errlen, "target ", s,
		    "the host name is empty or longer than %d characters",
		    HOSTNAME_MAX);
	memcpy(t->host, host, hostlen);
	t->host[hostlen] = '\0';
	t->is_ip = inet_pton(AF_INET, t->host, addr) == 1 ||
	    inet_pton(AF_INET6, t->host, addr) == 1;
	/* The resolver reads "127.1" or "2130706433" as an address; the
	 * certificate check would read it as a name. */
	if (!t->is_ip && inet_aton(t->host, &in) != 0)
		return quote_error(err, errlen, "target ", s,
		    "write the IPv4 address in full, like 192.0.2.1");
	if (!t->is_ip && (s[0] == '[' || !host_ok(t->host)))
		return quote_error(err, errlen, "target ", s,
		    "\"%.*s%s\" is not a host name or IP address",
		    TARGET_QUOTE_MAX, t->host,
		    hostlen > TARGET_QUOTE_MAX ? "..." : "");
	if (port == NULL)
		return 0;
	if (port[0] == '\0' || strchr(port, ',') != NULL)
		return quote_error(err, errlen, "target ", s,
		    "give one port after ':' (a list goes in --ports)");
	if (target_parse_ports(port, &ps, 1, &n, perr, sizeof(perr)) == -1)
		return quote_error(err, errlen, "target ", s, "%s", perr);
	t->port = ps.port;
	t->mode = ps.mode;
	return 0;
}

/* target_host - the host part of a TARGET, or the text as written */
void
target_host(const char *text, char *buf, size_t size)
{
	struct target t;
	char err[ERR_MSG_MAX];

	(void)snprintf(buf, size, "%s",
	    target_parse(text, &t, err, sizeof(err)) == 0 ? t.host : text);
}

/* target_parse_ports - a comma list of PORT[/MODE] */
int
target_parse_ports(const char *s, struct port_spec *ports, size_t max,
    size_t *n, char *err, size_t errlen)
{
	char item[64], why[128];
	const char *p = s, *comma;
	size_t len, k;

	*n = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(item))
			return quote_error(
			    err, errlen, "", s, "empty or overlong item");
		if (*n == max)
			return quote_error(
			    err, errlen, "", s, "more than %zu ports", max);
		memcpy(item, p, len);
		item[len] = '\0';
		if (port_item(item, &ports[*n], why, sizeof(why)) == -1)
			return quote_error(err, errlen, "", s, "%s", why);
		for (k = 0; k < *n; k++)
			if (ports[k].port == ports[*n].port)
				return quote_error(err, errlen, "", s,
				    "port %d is listed twice", ports[k].port);
		(*n)++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/*
 * quote_error - WHAT"S": REASON into err; returns -1. S is cut at
 * TARGET_QUOTE_MAX bytes so that the reason fits in ERR_MSG_MAX, however
 * long the line S came from.
 */
static int
quote_error(char *err, size_t errlen, const char *what, const char *s,
    const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(s);
	int n;

	n = snprintf(err, errlen, "%s\"%.*s%s\": ", what, TARGET_QUOTE_MAX, s,
	    len > TARGET_QUOTE_MAX ? "..." : "");
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * port_item - one PORT[/MODE] (item is cut at the '/'). Returns 0, or -1
 * with the reason in why.
 */
static int
port_item(char *item, struct port_spec *ps, char *why, size_t whylen)
{
	char *slash, *end;
	long port;
	int mode = MODE_AUTO;

	if ((slash = strchr(item, '/')) != NULL) {
		*slash = '\0';
		mode = names_lookup(mode_names, MODE_UNKNOWN, slash + 1);
		if (mode == -1) {
			snprintf(why, whylen,
			    "mode \"%s\" is not auto, starttls, implicit or "
			    "plain",
			    slash + 1);
			return -1;
		}
	}
	errno = 0;
	port = strtol(item, &end, 10);
	if (item[0] < '0' || item[0] > '9' || *end != '\0' || errno != 0 ||
	    port < 1 || port > 65535) {
		snprintf(
		    why, whylen, "\"%s\" is not a port number (1-65535)", item);
		return -1;
	}
	ps->port = (int)port;
	ps->mode = (enum mode)mode;
	return 0;
}

/* host_ok - letters, digits, '-', '_' and dots, no empty label */
static int
host_ok(const char *h)
{
	size_t label = 0;

	for (; *h != '\0'; h++) {
		if (*h == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
			(*h >= '0' && *h <= '9') || *h == '-' || *h == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

/*
 * read_line - the next line of the file into src->line, without its
 * surrounding blanks (so a CRLF line end is a LF). Only the first
 * TARGET_LINE_MAX bytes are stored; a later non-blank byte sets too_long.
 * Returns 1, 0 at the end of the file, or -1 with read_errno set.
 */
static int
read_line(struct target_src *src)
{
	bool any = false;
	int c;

	src->len = 0;
	src->too_long = false;
	errno = 0;
	while ((c = getc_unlocked(src->fp)) != EOF && c != '\n') {
		any = true;
		/* Leading blanks are trimmed anyway: never stored. */
		if (src->len == 0 && is_blank(c))
			continue;
		if (src->len < sizeof(src->line))
			src->line[src->len++] = (char)c;
		else if (!is_blank(c))
			src->too_long = true;
	}
	if (ferror(src->fp)) {
		src->read_errno = errno != 0 ? errno : EIO;
		return -1;
	}
	if (c == EOF && !any)
		return 0;
	src->lineno++;
	while (src->len > 0 && is_blank((unsigned char)src->line[src->len - 1]))
		src->len--;
	return 1;
}

/* is_blank - white space that surrounds a target on its line */
static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* line_item - the item for the current (non-blank, non-comment) line */
static void
line_item(struct target_src *src, struct target_item *item)
{
	/* Room for the cut file name and the line number in message. */
	char perr[ERR_MSG_MAX - TARGET_QUOTE_MAX - 32];
	const char *name = src->name, *cut = "";
	size_t namelen = strlen(name);

	item->index = src->index++;
	item->text = line_text(src->line, src->len);
	if (src->too_long)
		snprintf(perr, sizeof(perr), "longer than %d bytes",
		    TARGET_LINE_MAX);
	else if (memchr(src->line, '\0', src->len) != NULL)
		snprintf(perr, sizeof(perr), "a NUL byte in the line");
	else if (target_parse(item->text, &item->target, perr, sizeof(perr)) ==
	    0)
		return;
	item->bad = true;
	/* The line number and the reason must fit whatever the path: keep
	 * the end of a long one, where the file's own name is. */
	if (namelen > TARGET_QUOTE_MAX) {
		name += namelen - TARGET_QUOTE_MAX;
		cut = "...";
	}
	snprintf(item->message, sizeof(item->message), "%s%s line %zu: %s", cut,
	    name, src->lineno, perr);
}

/* line_text - a C string of the line, each NUL byte as U+FFFD */
static char *
line_text(const char *line, size_t len)
{
	size_t i, o = 0;
	char *text;

	text = xmalloc(len * (sizeof(replacement) - 1) + 1);
	for (i = 0; i < len; i++) {
		if (line[i] != '\0') {
			text[o++] = line[i];
			continue;
		}
		memcpy(text + o, replacement, sizeof(replacement) - 1);
		o += sizeof(replacement) - 1;
	}
	text[o] = '\0';
	return text;
}

/* target_ehlo_name - an address is written as RFC 5321 4.1.3 says */
void
target_ehlo_name(const struct target *t, char *buf, size_t size)
{
	int n;

	if (!t->is_ip)
		n = snprintf(buf, size, "%s", t->host);
	else if (strchr(t->host, ':') != NULL)
		n = snprintf(buf, size, "[IPv6:%s]", t->host);
	else
		n = snprintf(buf, size, "[%s]", t->host);
	/* An address is far shorter than a host name may be. */
	if (n < 0 || (size_t)n >= size)
		abort();
}
