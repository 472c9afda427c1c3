/*
 * test_target.c - the TARGET and PORT[/MODE] syntax and the target source
 * (probe/target.c).
 *
 * Table cases give an input and the fields wanted, or a piece of the
 * message wanted for a refusal. The source is run over temporary files
 * written byte for byte (NUL bytes, CRLF, no final newline, a line past
 * TARGET_LINE_MAX), after argv targets, and must yield each target once,
 * in order, with its index, its text as written and the line number of a
 * bad line. stdin is not used: "-" is only a different FILE *.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "target.h"
#include "tap.h"

/* Input with an explicit length, since it may hold NUL. */
#define B(s) (s), sizeof(s) - 1

struct tcase {
	const char *in;
	const char *host; /* NULL: refused, with err containing why */
	bool is_ip;
	int port;
	enum mode mode;
	const char *why;
};

static const struct tcase tcases[] = {
    {"mail.example.com", "mail.example.com", false, 0, MODE_AUTO, NULL},
    {"mail.example.com:587", "mail.example.com", false, 587, MODE_AUTO, NULL},
    {"mx.example.com:465/implicit", "mx.example.com", false, 465, MODE_IMPLICIT,
	NULL},
    {"192.0.2.1:25/plain", "192.0.2.1", true, 25, MODE_PLAIN, NULL},
    {"192.0.2.1", "192.0.2.1", true, 0, MODE_AUTO, NULL},
    {"[2001:db8::1]:25/starttls", "2001:db8::1", true, 25, MODE_STARTTLS, NULL},
    {"2001:db8::1", "2001:db8::1", true, 0, MODE_AUTO, NULL},
    {"[::1]", "::1", true, 0, MODE_AUTO, NULL},
    {"under_score.example", "under_score.example", false, 0, MODE_AUTO, NULL},
    {"[::1", NULL, false, 0, 0, "target \"[::1\": missing ']'"},
    {"[::1]25", NULL, false, 0, 0, "expected ':PORT' after ']'"},
    {"[mail.example.com]:25", NULL, false, 0, 0,
	"\"mail.example.com\" is not a host name or IP address"},
    {"host:", NULL, false, 0, 0, "target \"host:\": give one port"},
    {"host:25,587", NULL, false, 0, 0, "give one port after ':'"},
    {"host:0", NULL, false, 0, 0, "\"0\" is not a port number (1-65535)"},
    {"host:65536", NULL, false, 0, 0, "is not a port number"},
    {"host:25/tls", NULL, false, 0, 0, "mode \"tls\" is not auto"},
    {":25", NULL, false, 0, 0, "the host name is empty"},
    {"", NULL, false, 0, 0, "the host name is empty"},
    {"127.1", NULL, false, 0, 0, "write the IPv4 address in full"},
    {"2130706433", NULL, false, 0, 0, "write the IPv4 address in full"},
    {"a b", NULL, false, 0, 0,
	"target \"a b\": \"a b\" is not a host name or IP address"},
    {"bad_host!.example", NULL, false, 0, 0, "is not a host name"},
    {"a..example", NULL, false, 0, 0, "is not a host name"},
    {"host\x1b[2J", NULL, false, 0, 0, "is not a host name"},
};

struct pcase {
	const char *in;
	size_t max;
	size_t n; /* 0: refused, with err containing why */
	struct port_spec want[4];
	const char *why;
};

static const struct pcase pcases[] = {
    {"25,465,587", PORTS_MAX, 3,
	{{25, MODE_AUTO}, {465, MODE_AUTO}, {587, MODE_AUTO}}, NULL},
    {"25/starttls,465/implicit,2525/plain,1/auto", PORTS_MAX, 4,
	{{25, MODE_STARTTLS}, {465, MODE_IMPLICIT}, {2525, MODE_PLAIN},
	    {1, MODE_AUTO}},
	NULL},
    {"65535", 1, 1, {{65535, MODE_AUTO}}, NULL},
    {"", PORTS_MAX, 0, {{0, 0}}, "\"\": empty or overlong item"},
    {"25,,587", PORTS_MAX, 0, {{0, 0}}, "empty or overlong item"},
    {"25,", PORTS_MAX, 0, {{0, 0}}, "empty or overlong item"},
    {"0", PORTS_MAX, 0, {{0, 0}}, "\"0\": \"0\" is not a port number"},
    {"65536", PORTS_MAX, 0, {{0, 0}}, "is not a port number"},
    {"+25", PORTS_MAX, 0, {{0, 0}}, "\"+25\" is not a port number"},
    {" 25", PORTS_MAX, 0, {{0, 0}}, "is not a port number"},
    {"25x", PORTS_MAX, 0, {{0, 0}}, "is not a port number"},
    {"25/", PORTS_MAX, 0, {{0, 0}}, "mode \"\" is not auto"},
    {"25/TLS", PORTS_MAX, 0, {{0, 0}}, "mode \"TLS\" is not auto"},
    {"25/unknown", PORTS_MAX, 0, {{0, 0}}, "mode \"unknown\""},
    {"1,2,3", 2, 0, {{0, 0}}, "more than 2 ports"},
    {"25,587,25", PORTS_MAX, 0, {{0, 0}}, "port 25 is listed twice"},
    {"25/starttls,25/implicit", PORTS_MAX, 0, {{0, 0}},
	"port 25 is listed twice"},
    {"99999999999999999999999999999999999999999999999999999999999999999",
	PORTS_MAX, 0, {{0, 0}}, "...\": empty or overlong item"},
};

/* What the source must yield, in order. */
struct want {
	size_t index;
	const char *text;
	const char *host; /* NULL: a bad item, with message containing why */
	int port;
	const char *why;
};

static void test_targets(void);
static void test_ports(void);
static void test_long_target(void);
static void test_source(void);
static void test_source_edges(void);
static void test_open_errors(void);
static char *write_file(const char *, size_t);
static void test_many_lines(void);
static void test_shard(void);
static void check_source(const char *, char *const *, size_t, const char *,
    const struct want *, size_t, size_t);
static int contains(const char *, const char *, const char *);

/* main - run every test */
int
main(void)
{
	test_targets();
	test_ports();
	test_long_target();
	test_source();
	test_source_edges();
	test_open_errors();
	test_many_lines();
	test_shard();
	return done_testing();
}

/* test_targets - target_parse over tcases */
static void
test_targets(void)
{
	const struct tcase *c;
	struct target t;
	char err[ERR_MSG_MAX];
	size_t i;
	int r;

	for (i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
		c = &tcases[i];
		err[0] = '\0';
		r = target_parse(c->in, &t, err, sizeof(err));
		if (c->host == NULL) {
			is_int(r, -1, lbl("target \"%s\": refused", c->in));
			contains(err, c->why, c->in);
			continue;
		}
		if (!is_int(r, 0, lbl("target \"%s\": accepted", c->in)))
			printf("#   err: %s\n", err);
		is_str(t.host, c->host, lbl("target \"%s\": host", c->in));
		is_int(t.is_ip, c->is_ip, lbl("target \"%s\": is_ip", c->in));
		is_int(t.port, c->port, lbl("target \"%s\": port", c->in));
		is_int(t.mode, c->mode, lbl("target \"%s\": mode", c->in));
	}
}

/* test_ports - target_parse_ports over pcases */
static void
test_ports(void)
{
	struct port_spec ports[PORTS_MAX];
	const struct pcase *c;
	char err[ERR_MSG_MAX];
	size_t i, k, n;
	int r;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		c = &pcases[i];
		err[0] = '\0';
		r = target_parse_ports(
		    c->in, ports, c->max, &n, err, sizeof(err));
		if (c->n == 0) {
			is_int(r, -1, lbl("ports \"%s\": refused", c->in));
			contains(err, c->why, c->in);
			continue;
		}
		is_int(r, 0, lbl("ports \"%s\": accepted", c->in));
		if (!is_int((long long)n, (long long)c->n,
			lbl("ports \"%s\": count", c->in)))
			continue;
		for (k = 0; k < n; k++) {
			is_int(ports[k].port, c->want[k].port,
			    lbl("ports \"%s\": [%zu].port", c->in, k));
			is_int(ports[k].mode, c->want[k].mode,
			    lbl("ports \"%s\": [%zu].mode", c->in, k));
		}
	}
}

/*
 * test_long_target - a target far longer than a message: the quote is
 * cut, and the reason still fits.
 */
static void
test_long_target(void)
{
	char in[600], err[ERR_MSG_MAX];
	struct target t;

	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	is_int(target_parse(in, &t, err, sizeof(err)), -1,
	    "a 599-byte target: refused");
	contains(err, "...\": the host name is empty or longer than 255",
	    "a 599-byte target");
	in[100] = ' ';
	in[200] = '\0';
	is_int(target_parse(in, &t, err, sizeof(err)), -1,
	    "a 200-byte target with a blank: refused");
	contains(err, "...\" is not a host name or IP address",
	    "a 200-byte target with a blank");
}

/*
 * test_source - argv, then a file with comments, blank lines, CRLF,
 * surrounding blanks, bad lines and no final newline.
 */
static void
test_source(void)
{
	static const char file[] = "# targets for the lab\n"
				   "\n"
				   "mx1.example.com\n"
				   "   \t\n"
				   "  mx2.example.com:587  \r\n"
				   "\t# an indented comment\r\n"
				   "a b\n"
				   "\r\n"
				   "[2001:db8::1]:465/implicit\n"
				   "host\x01\xff\n"
				   "127.0.0.1:25";
	static char *argv[] = {"argv.example.com", "192.0.2.9:2525", "bad!"};
	static const struct want want[] = {
	    {0, "argv.example.com", "argv.example.com", 0, NULL},
	    {1, "192.0.2.9:2525", "192.0.2.9", 2525, NULL},
	    {2, "bad!", NULL, 0, "target \"bad!\": \"bad!\" is not a host"},
	    {3, "mx1.example.com", "mx1.example.com", 0, NULL},
	    {4, "mx2.example.com:587", "mx2.example.com", 587, NULL},
	    {5, "a b", NULL, 0,
		" line 7: target \"a b\": \"a b\" is not a host name"},
	    {6, "[2001:db8::1]:465/implicit", "2001:db8::1", 465, NULL},
	    {7, "host\x01\xff", NULL, 0, " line 10: target \"host\x01\xff\""},
	    {8, "127.0.0.1:25", "127.0.0.1", 25, NULL},
	};
	char *path = write_file(file, sizeof(file) - 1);

	check_source("comments, blanks, CRLF", argv, 3, path, want,
	    sizeof(want) / sizeof(want[0]), 0);
	check_source("argv only", argv, 2, NULL, want, 2, 0);
	check_source("file only", NULL, 0, path, want + 3,
	    sizeof(want) / sizeof(want[0]) - 3, 3);
	(void)unlink(path);
	free(path);
}

/*
 * test_source_edges - NUL bytes, a line past the bound (kept cut, the
 * rest skipped), a long comment, long trailing blanks, an empty file.
 */
static void
test_source_edges(void)
{
	static char content[3 * TARGET_LINE_MAX + 256];
	static char longtext[TARGET_LINE_MAX + 1];
	struct want want[5];
	size_t n = 0;
	char *path;

	memcpy(content + n, B("nul\0byte.example\n"));
	n += sizeof("nul\0byte.example\n") - 1;
	content[n++] = '#';
	memset(content + n, 'c', TARGET_LINE_MAX + 10);
	n += TARGET_LINE_MAX + 10;
	content[n++] = '\n';
	memset(content + n, 'x', TARGET_LINE_MAX + 10);
	n += TARGET_LINE_MAX + 10;
	content[n++] = '\n';
	memcpy(content + n, B("blanks.example"));
	n += sizeof("blanks.example") - 1;
	memset(content + n, ' ', TARGET_LINE_MAX + 10);
	n += TARGET_LINE_MAX + 10;
	memcpy(content + n, B("\nlast.example\n"));
	n += sizeof("\nlast.example\n") - 1;
	memset(longtext, 'x', TARGET_LINE_MAX);

	want[0] = (struct want){0,
	    "nul\xef\xbf\xbd"
	    "byte.example",
	    NULL, 0, " line 1: a NUL byte in the line"};
	want[1] = (struct want){
	    1, longtext, NULL, 0, " line 3: longer than 1024 bytes"};
	want[2] = (struct want){2, "blanks.example", "blanks.example", 0, NULL};
	want[3] = (struct want){3, "last.example", "last.example", 0, NULL};
	path = write_file(content, n);
	check_source("NUL, long lines", NULL, 0, path, want, 4, 0);
	(void)unlink(path);
	free(path);

	path = write_file("", 0);
	check_source("an empty file", NULL, 0, path, NULL, 0, 0);
	(void)unlink(path);
	free(path);
	path = write_file(B("# only\n\n  \n#comments\n"));
	check_source("comments only", NULL, 0, path, NULL, 0, 0);
	(void)unlink(path);
	free(path);
}

/* test_open_errors - a missing file and a directory are refused */
static void
test_open_errors(void)
{
	struct target_src *src;
	char err[ERR_MSG_MAX] = "";

	src = target_src_open(
	    NULL, 0, "/nonexistent/targets.txt", err, sizeof(err));
	ok(src == NULL, "a missing file: NULL");
	contains(err, "/nonexistent/targets.txt: No such file", "missing file");
	target_src_close(src);
	err[0] = '\0';
	src = target_src_open(NULL, 0, "/", err, sizeof(err));
	ok(src == NULL, "a directory: NULL");
	contains(err, "cannot open /: Is a directory", "directory");
	target_src_close(src);
}

/* write_file - a temporary file holding exactly data[0..len); its path */
static char *
write_file(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	char *path;
	FILE *fp;
	int fd;

	size_t size = strlen(dir) + sizeof("/test_target.XXXXXX");

	if ((path = malloc(size)) == NULL)
		abort();
	snprintf(path, size, "%s/test_target.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL ||
	    fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/*
 * test_many_lines - 100,000 lines yield 100,000 targets, the last with
 * its index and line number: nothing is lost or counted twice.
 */
static void
test_many_lines(void)
{
	struct target_item item;
	struct target_src *src;
	char err[ERR_MSG_MAX] = "", *path, *data;
	size_t lines = 100000, len = 0, i, count = 0, last = 0;
	int r;

	data = malloc(lines * 32);
	if (data == NULL)
		abort();
	for (i = 0; i < lines - 1; i++)
		len += (size_t)snprintf(data + len, 32, "h%zu.example\n", i);
	len += (size_t)snprintf(data + len, 32, "bad target\n");
	path = write_file(data, len);
	free(data);
	if ((src = target_src_open(NULL, 0, path, err, sizeof(err))) == NULL)
		abort();
	while ((r = target_src_next(src, &item, err, sizeof(err))) == 1) {
		count++;
		last = item.index;
		if (item.bad)
			contains(item.message, " line 100000: target",
			    "100,000 lines: the last");
		target_item_free(&item);
	}
	is_int(r, 0, "100,000 lines: the end, no error");
	is_int((long long)count, (long long)lines, "100,000 lines: count");
	is_int((long long)last, (long long)lines - 1, "100,000 lines: index");
	target_src_close(src);
	(void)unlink(path);
	free(path);
}

/*
 * test_shard - N sources of the same list, each keeping part K, yield
 * every item exactly once between them, with its index in the whole
 * list; a target's part depends on its text alone, not its place
 */
static void
test_shard(void)
{
	static char *argv[] = {"a.example", "b.example", "c.example",
	    "d.example", "bad target", "e.example", "f.example", "g.example",
	    "h.example", "192.0.2.1:25", "[2001:db8::1]:465", "i.example"};
	static char *reversed[] = {"i.example", "a.example"};
	const size_t n = sizeof(argv) / sizeof(argv[0]), parts = 3;
	struct target_item item;
	struct target_src *src;
	char err[ERR_MSG_MAX];
	int seen[sizeof(argv) / sizeof(argv[0])] = {0};
	size_t i, got = 0;
	unsigned int k;

	for (k = 1; k <= parts; k++) {
		src = target_src_open(argv, n, NULL, err, sizeof(err));
		target_src_shard(src, k, (unsigned int)parts);
		while (target_src_next(src, &item, err, sizeof(err)) == 1) {
			is_int(target_shard(item.text, parts), k,
			    lbl("shard %u: %s belongs here", k, item.text));
			is_str(item.text, argv[item.index],
			    lbl("shard %u: index %zu is its place in the list",
				k, item.index));
			seen[item.index]++;
			got++;
			target_item_free(&item);
		}
		target_src_close(src);
	}
	is_int((long long)got, (long long)n, "shards: every item once");
	for (i = 0; i < n; i++)
		is_int(seen[i], 1, lbl("shards: %s seen once", argv[i]));
	is_int(target_shard(reversed[0], parts), target_shard(argv[11], parts),
	    "shard: the same text, the same part, wherever it is");
	is_int(target_shard("x", 1), 1, "shard: one part holds everything");
}

/*
 * check_source - the source over argv and file yields exactly want[] (with
 * indexes less base), then its end (twice: the end is sticky), and never
 * a read error.
 */
static void
check_source(const char *name, char *const *argv, size_t nargv,
    const char *file, const struct want *want, size_t nwant, size_t base)
{
	struct target_item item;
	struct target_src *src;
	char err[ERR_MSG_MAX] = "";
	size_t i;
	int r;

	src = target_src_open(argv, nargv, file, err, sizeof(err));
	if (!ok(src != NULL, lbl("%s: opened", name))) {
		printf("#   err: %s\n", err);
		return;
	}
	for (i = 0; i < nwant; i++) {
		r = target_src_next(src, &item, err, sizeof(err));
		if (!is_int(r, 1, lbl("%s: item %zu yielded", name, i)))
			break;
		is_int((long long)item.index, (long long)(want[i].index - base),
		    lbl("%s: item %zu index", name, i));
		is_str(
		    item.text, want[i].text, lbl("%s: item %zu text", name, i));
		is_int(item.bad, want[i].host == NULL,
		    lbl("%s: item %zu bad", name, i));
		if (want[i].host == NULL)
			contains(item.message, want[i].why,
			    lbl("%s: item %zu", name, i));
		else {
			is_str(item.target.host, want[i].host,
			    lbl("%s: item %zu host", name, i));
			is_int(item.target.port, want[i].port,
			    lbl("%s: item %zu port", name, i));
		}
		target_item_free(&item);
	}
	is_int(target_src_next(src, &item, err, sizeof(err)), 0,
	    lbl("%s: then the end", name));
	is_int(target_src_next(src, &item, err, sizeof(err)), 0,
	    lbl("%s: and the end again", name));
	target_src_close(src);
}

/* contains - ok when got contains want; says both when not */
static int
contains(const char *got, const char *want, const char *label)
{
	int found = strstr(got, want) != NULL;
	char copy[256];

	/* label may be lbl()'s own buffer. */
	snprintf(copy, sizeof(copy), "%s", label);
	if (!ok(found, lbl("%s: message has \"%s\"", copy, want)))
		printf("#   got \"%s\"\n", got);
	return found;
}
