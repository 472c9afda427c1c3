/*
 * target.h - what to probe: the TARGET and PORT[/MODE] syntax, and the
 * target source that yields the targets one at a time (argv, then the
 * lines of -f FILE).
 *
 * The syntax knows nothing of the command line: cli.h includes this header,
 * never the reverse.
 */
#ifndef SMTP_PROBE_TARGET_H
#define SMTP_PROBE_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "names.h"

struct port_spec {
	int port;
	enum mode mode;
};

struct target {
	char host[HOSTNAME_MAX + 1]; /* brackets removed */
	bool is_ip;                  /* an address literal: no SNI */
	int port;                    /* 0: use the port list */
	enum mode mode;              /* with port */
};

/* One entry of the target list, as the run consumes it. */
struct target_item {
	/*
	 * Position among the targets given: argv, then -f lines; comments
	 * and blank lines do not count, bad lines do; 0-based.
	 */
	size_t index;
	/*
	 * Owned: the target as written (a line trimmed of surrounding
	 * blanks), for the report's "host". Control characters and invalid
	 * UTF-8 are kept raw for the renderers to escape; a NUL byte, which
	 * a C string cannot carry, is stored as U+FFFD. At most
	 * TARGET_LINE_MAX bytes of a line are kept.
	 */
	char *text;
	bool bad; /* could not be parsed */
	/*
	 * When bad: names the file's line number and what is wrong, e.g.
	 * "targets.txt line 12: target \"a b\": ..." (an argv target has
	 * no line: "target \"a b\": ...").
	 */
	char message[ERR_MSG_MAX];
	struct target target; /* valid unless bad */
};

struct target_src; /* opaque */

/*
 * target_src_open - a source of the argv targets (not copied: they must
 * outlive the source), then the lines of file (NULL: none; "-": stdin,
 * which is never closed). The file is read lazily, one bounded line at a
 * time, so its size does not matter. Returns NULL with a sentence in err
 * when file cannot be opened.
 */
struct target_src *target_src_open(char *const *targets, size_t ntargets,
    const char *file, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * target_src_next - the next target: 1 with *item filled (free it with
 * target_item_free), 0 at the end, -1 on a read error with a sentence in
 * err. A line that cannot be parsed is not an error of the source: it is
 * an item with bad set and a message naming the line.
 */
int target_src_next(struct target_src *, struct target_item *item, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/*
 * target_src_shard - yield only the items of part k (1..k..n) of n, as
 * target_shard() places them; the index of an item is still its place in
 * the whole list, so the parts' reports merge back in order
 */
void target_src_shard(struct target_src *, unsigned int k, unsigned int n);

/* target_shard - the part (1..n) a target's text belongs to */
unsigned int target_shard(const char *text, unsigned int n);

/* target_item_free - release what target_src_next put in item */
void target_item_free(struct target_item *);

/* target_src_close - close the file (never stdin) and free the source */
void target_src_close(struct target_src *);

/*
 * target_parse - split one TARGET. Returns 0, or -1 with a sentence in err.
 * A port may carry a mode as in --ports: "host:465/implicit".
 */
int target_parse(const char *s, struct target *t, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * target_host - the host of TARGET text as written (brackets and port
 * removed) into buf, or text itself when it is not a TARGET; the name a
 * probe of that target is labelled with in monitoring outputs and matched
 * by against a baseline.
 */
void target_host(const char *text, char *buf, size_t size);

/*
 * target_parse_ports - a comma list of PORT[/MODE], "25,465/implicit,587",
 * into ports[0..max); *n is the count. Returns 0, or -1 with a sentence in
 * err (an empty or overlong item, a bad port or mode, more than max ports,
 * a port listed twice).
 */
int target_parse_ports(const char *s, struct port_spec *ports, size_t max,
    size_t *n, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * target_ehlo_name - the EHLO argument naming t: the name itself, or an
 * address literal, "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3)
 */
void target_ehlo_name(const struct target *t, char *buf, size_t size);

#endif
