/*
 * baseline.c - --baseline FILE: an earlier report, reduced to what is
 * compared, and the changed-* findings (include/baseline.h).
 *
 * A baseline may describe many thousands of targets, so it is never held
 * whole. The file is read as a stream: a small scanner walks the top
 * level of the document and hands jansson one target at a time (at most
 * BASELINE_TARGET_BYTES_MAX bytes of JSON); from each probe only the
 * facts compared are kept, in a compact entry of about 300 bytes: the
 * answer to connect, STARTTLS offered, TLS established and its version,
 * the leaf's fingerprint, and the AUTH mechanisms and EHLO keywords as
 * sorted lists of at most BASELINE_LIST_MAX bytes. At most
 * BASELINE_PROBES_MAX probes are kept (about 80 MB); a larger baseline is
 * refused, naming the limit, rather than read in part. Entries are sorted
 * by host, port and address and found by binary search: matching is by
 * value, never by position.
 *
 * Comparing is pure: a probe and its entry in, findings out. Each part is
 * compared only where both runs observed it (EHLO in clear text, EHLO
 * inside TLS), so one change raises one finding, not a cascade: a port
 * that stopped answering is changed-port-state and nothing else.
 */
#include "baseline.h"

#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diagnose.h"
#include "report.h"
#include "target.h"
#include "xalloc.h"

/* The lists kept of a probe. */
enum blist { L_AUTH_BEFORE, L_AUTH_AFTER, L_CAPS, L_CAPS_TLS, L_COUNT };

/* What is compared of one probe. */
struct bprobe {
	char *host; /* owned */
	int port;
	char address[64];
	bool answered; /* the TCP connection was accepted */
	bool ehlo;     /* an EHLO reply in clear text was seen */
	bool ehlo_tls; /* one inside TLS was */
	bool starttls; /* offered */
	bool tls;      /* established */
	enum tls_version version;
	char leaf[65];       /* SHA-256 of the leaf, hex; "": none */
	char *list[L_COUNT]; /* owned: sorted, ' '-separated */
};

struct baseline {
	const char *path;    /* not owned: argv's */
	char started_at[32]; /* of the baseline's run, for messages */
	size_t n, cap;
	struct bprobe *probes; /* owned, sorted by host, port, address */
};

/* Bytes of one JSON value as read from the file; at most max. */
struct span {
	char *data; /* owned */
	size_t len, cap, max;
};

static int read_report(FILE *, struct baseline *, char *, size_t);
static int member(FILE *, struct baseline *, const char *, struct span *,
    bool *, char *, size_t);
static int read_targets(
    FILE *, struct baseline *, struct span *, char *, size_t);
static int read_value(FILE *, struct span *, bool);
static int read_container(FILE *, struct span *, bool, int);
static int span_put(struct span *, int, bool);
static int next_char(FILE *);
static json_t *span_json(const struct span *);
static int index_target(struct baseline *, json_t *, char *, size_t);
static void index_probe(struct bprobe *, json_t *);
static bool json_answered(json_t *);
static void json_list(json_t *, const char *, char **, bool);
static void make_list(const char **, size_t, bool, char *, size_t);
static int cmp_item(const void *, const void *);
static int cmp_probe(const void *, const void *);
static void probe_lists(
    const struct probe_result *, char (*)[BASELINE_LIST_MAX]);
static void compare(
    const struct baseline *, const struct bprobe *, struct probe_result *);
static void compare_lists(
    const struct bprobe *, struct probe_result *, char (*)[BASELINE_LIST_MAX]);
static bool answered(const struct probe_result *);
static const char *or_none(const char *);

/* baseline_load - stream FILE into the index */
struct baseline *
baseline_load(const char *path, char *err, size_t errlen)
{
	struct baseline *b;
	char why[256];
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(
		    err, errlen, "--baseline %s: %s", path, strerror(errno));
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->path = path;
	if (read_report(fp, b, why, sizeof(why)) == -1) {
		snprintf(err, errlen,
		    "--baseline %s: not an smtp-probe JSON report of schema "
		    "version %d: %s",
		    path, REPORT_SCHEMA_VERSION, why);
		(void)fclose(fp);
		baseline_free(b);
		return NULL;
	}
	(void)fclose(fp);
	if (b->n > 0)
		qsort(b->probes, b->n, sizeof(*b->probes), cmp_probe);
	return b;
}

/* baseline_free - release the index */
void
baseline_free(struct baseline *b)
{
	size_t i, k;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->probes[i].host);
		for (k = 0; k < L_COUNT; k++)
			free(b->probes[i].list[k]);
	}
	free(b->probes);
	free(b);
}

/* baseline_compare - the changed-* findings of p against its match */
void
baseline_compare(const struct baseline *b, const struct target_result *t,
    struct probe_result *p)
{
	struct bprobe key, *e;
	char host[HOSTNAME_MAX + 1];

	if (b == NULL || b->n == 0)
		return;
	target_host(t->host, host, sizeof(host));
	memset(&key, 0, sizeof(key));
	key.host = host;
	key.port = p->port;
	(void)snprintf(key.address, sizeof(key.address), "%s", p->address);
	e = bsearch(&key, b->probes, b->n, sizeof(*b->probes), cmp_probe);
	if (e != NULL)
		compare(b, e, p);
}

/*
 * read_report - the top level of the document: schema_version, the run's
 * started_at, and the targets; every other member is skipped unkept
 */
static int
read_report(FILE *fp, struct baseline *b, char *why, size_t size)
{
	struct span sp = {NULL, 0, 0, BASELINE_TARGET_BYTES_MAX};
	bool version = false, targets = false;
	int c, ret = -1;
	json_t *k;

	snprintf(why, size, "not JSON, or cut short");
	if (next_char(fp) != '{')
		goto out;
	do {
		if (read_value(fp, &sp, true) == -1 ||
		    (k = span_json(&sp)) == NULL)
			goto out;
		c = next_char(fp) == ':' ? member(fp, b, json_string_value(k),
					       &sp, &version, why, size)
					 : -1;
		if (c == 1)
			targets = true;
		json_decref(k);
		if (c == -1)
			goto out;
	} while ((c = next_char(fp)) == ',');
	if (c != '}')
		goto out;
	if (!version || !targets)
		snprintf(why, size, "%s",
		    !version ? "its schema_version is not 1"
			     : "it has no targets");
	else
		ret = 0;
out:
	free(sp.data);
	return ret;
}

/*
 * member - the value of the top-level member key: 1 for the targets, 0
 * for any other, -1 when it cannot be read
 */
static int
member(FILE *fp, struct baseline *b, const char *key, struct span *sp,
    bool *version, char *why, size_t size)
{
	json_t *v;

	if (key == NULL)
		return -1;
	if (strcmp(key, "targets") == 0)
		return read_targets(fp, b, sp, why, size) == -1 ? -1 : 1;
	if (strcmp(key, "schema_version") != 0 &&
	    strcmp(key, "started_at") != 0)
		return read_value(fp, sp, false);
	if (read_value(fp, sp, true) == -1 || (v = span_json(sp)) == NULL)
		return -1;
	if (strcmp(key, "schema_version") == 0)
		*version = json_is_integer(v) &&
		    json_integer_value(v) == REPORT_SCHEMA_VERSION;
	else if (json_is_string(v))
		snprintf(b->started_at, sizeof(b->started_at), "%s",
		    json_string_value(v));
	json_decref(v);
	return 0;
}

/* read_targets - "targets": [...], one target at a time into the index */
static int
read_targets(
    FILE *fp, struct baseline *b, struct span *sp, char *why, size_t size)
{
	json_t *t;
	int c;

	if (next_char(fp) != '[') {
		snprintf(why, size, "targets is not an array");
		return -1;
	}
	if ((c = next_char(fp)) == ']')
		return 0;
	(void)ungetc(c, fp);
	for (;;) {
		if (read_value(fp, sp, true) == -1) {
			snprintf(why, size,
			    sp->len >= sp->max
				? "a target is larger than %d MiB"
				: "not JSON, or cut short",
			    BASELINE_TARGET_BYTES_MAX >> 20);
			return -1;
		}
		if ((t = span_json(sp)) == NULL) {
			snprintf(why, size, "a target is not JSON");
			return -1;
		}
		if (index_target(b, t, why, size) == -1) {
			json_decref(t);
			return -1;
		}
		json_decref(t);
		if ((c = next_char(fp)) == ']')
			return 0;
		if (c != ',') {
			snprintf(why, size, "not JSON, or cut short");
			return -1;
		}
	}
}

/*
 * read_value - the bytes of the JSON value at fp's position into sp (only
 * skipped unless keep); what ends a number or literal is left unread.
 * 0, or -1 at the end of the file, on bytes that cannot start a value, or
 * past sp->max.
 */
static int
read_value(FILE *fp, struct span *sp, bool keep)
{
	int c = next_char(fp);

	sp->len = 0;
	if (c == '{' || c == '[' || c == '"')
		return read_container(fp, sp, keep, c);
	if (c == EOF || strchr("-0123456789tfn", c) == NULL)
		return -1;
	do {
		if (span_put(sp, c, keep) == -1)
			return -1;
		c = getc(fp);
	} while (c != EOF && strchr(",}] \t\r\n", c) == NULL);
	(void)ungetc(c, fp);
	return 0;
}

/*
 * read_container - an object, array or string that opened with c: up to
 * its matching close, strings and their escapes respected
 */
static int
read_container(FILE *fp, struct span *sp, bool keep, int c)
{
	bool in_str = c == '"', esc = false;
	int depth = in_str ? 0 : 1;

	if (span_put(sp, c, keep) == -1)
		return -1;
	while (depth > 0 || in_str) {
		if ((c = getc(fp)) == EOF || span_put(sp, c, keep) == -1)
			return -1;
		if (esc)
			esc = false;
		else if (in_str)
			esc = c == '\\', in_str = c != '"';
		else if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
	}
	return 0;
}

/* span_put - one byte more, within sp->max; only counted unless keep */
static int
span_put(struct span *sp, int c, bool keep)
{
	if (!keep)
		return 0;
	if (sp->len == sp->max)
		return -1;
	if (sp->len == sp->cap) {
		sp->cap = sp->cap == 0 ? 4096 : 2 * sp->cap;
		if (sp->cap > sp->max)
			sp->cap = sp->max;
		sp->data = xreallocarray(sp->data, sp->cap, 1);
	}
	sp->data[sp->len++] = (char)c;
	return 0;
}

/* next_char - the next byte that is not JSON white space, or EOF */
static int
next_char(FILE *fp)
{
	int c;

	while ((c = getc(fp)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		;
	return c;
}

/* span_json - jansson's reading of the value in sp, or NULL */
static json_t *
span_json(const struct span *sp)
{
	json_error_t jerr;

	return json_loadb(sp->data, sp->len, JSON_DECODE_ANY, &jerr);
}

/* index_target - an entry for each probe of target t */
static int
index_target(struct baseline *b, json_t *t, char *why, size_t size)
{
	json_t *probes = json_object_get(t, "probes"), *p, *h;
	const char *host = json_string_value(json_object_get(t, "host"));
	char name[HOSTNAME_MAX + 1];
	size_t i;

	if (host == NULL || !json_is_array(probes)) {
		snprintf(why, size, "a target has no host or probes");
		return -1;
	}
	target_host(host, name, sizeof(name));
	json_array_foreach(probes, i, p)
	{
		if (!json_is_integer(json_object_get(p, "port"))) {
			snprintf(why, size, "a probe has no port");
			return -1;
		}
		if (b->n == BASELINE_PROBES_MAX) {
			snprintf(why, size,
			    "it has more than %d probes: compare in parts",
			    BASELINE_PROBES_MAX);
			return -1;
		}
		if (b->n == b->cap) {
			b->cap = b->cap == 0 ? 64 : 2 * b->cap;
			b->probes = xreallocarray(
			    b->probes, b->cap, sizeof(*b->probes));
		}
		h = json_object_get(p, "host");
		b->probes[b->n].host =
		    xstrdup(json_is_string(h) ? json_string_value(h) : name);
		index_probe(&b->probes[b->n++], p);
	}
	return 0;
}

/* index_probe - the facts compared, from one probe of the report */
static void
index_probe(struct bprobe *e, json_t *p)
{
	json_t *tls = json_object_get(p, "tls"), *cert, *v;
	const char *s;

	e->port = (int)json_integer_value(json_object_get(p, "port"));
	s = json_string_value(json_object_get(p, "address"));
	(void)snprintf(e->address, sizeof(e->address), "%s", s ? s : "");
	e->answered = json_answered(json_object_get(p, "error"));
	e->ehlo = json_is_object(json_object_get(p, "ehlo"));
	e->ehlo_tls = json_is_object(json_object_get(p, "ehlo_tls"));
	e->starttls = json_is_true(
	    json_object_get(json_object_get(p, "starttls"), "offered"));
	e->tls = json_is_true(json_object_get(tls, "established"));
	v = json_object_get(tls, "version");
	e->version = json_is_string(v)
	    ? (enum tls_version)names_lookup(
		  tls_version_names, TLSV_COUNT, json_string_value(v))
	    : TLSV_UNKNOWN;
	if ((int)e->version == -1)
		e->version = TLSV_UNKNOWN;
	cert = json_array_get(json_object_get(p, "certificates"), 0);
	s = json_string_value(json_object_get(cert, "sha256_fingerprint"));
	if (s != NULL && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64)
		memcpy(e->leaf, s, 65);
	json_list(json_object_get(p, "auth"), "before_tls",
	    &e->list[L_AUTH_BEFORE], false);
	json_list(json_object_get(p, "auth"), "after_tls",
	    &e->list[L_AUTH_AFTER], false);
	json_list(
	    json_object_get(p, "ehlo"), "capabilities", &e->list[L_CAPS], true);
	json_list(json_object_get(p, "ehlo_tls"), "capabilities",
	    &e->list[L_CAPS_TLS], true);
}

/* json_answered - a probe's error says the connection was accepted */
static bool
json_answered(json_t *err)
{
	const char *phase = json_string_value(json_object_get(err, "phase"));

	return phase == NULL ||
	    (strcmp(phase, "resolve") != 0 && strcmp(phase, "connect") != 0 &&
		strcmp(phase, "input") != 0);
}

/*
 * json_list - the sorted list of obj[key]: its strings, or with caps the
 * "keyword" of its objects
 */
static void
json_list(json_t *obj, const char *key, char **out, bool caps)
{
	const char *items[EHLO_CAPS_MAX];
	char buf[BASELINE_LIST_MAX];
	json_t *arr = json_object_get(obj, key), *v;
	size_t i, n = 0;

	json_array_foreach(arr, i, v)
	{
		if (caps)
			v = json_object_get(v, "keyword");
		if (json_is_string(v) && n < EHLO_CAPS_MAX)
			items[n++] = json_string_value(v);
	}
	make_list(items, n, caps, buf, sizeof(buf));
	*out = xstrdup(buf);
}

/*
 * make_list - items sorted, without repeats, joined by ' ' into out; with
 * caps, AUTH and STARTTLS are left out (they have findings of their
 * own). Bytes other than letters, digits, '-', '_' and '.' become '?', so
 * that messages stay plain ASCII whatever a server or a file held.
 */
static void
make_list(const char **items, size_t n, bool caps, char *out, size_t size)
{
	char clean[EHLO_CAPS_MAX][64];
	size_t i, k, len = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; items[i][k] != '\0' && k + 1 < sizeof(clean[i]);
		     k++)
			clean[i][k] = isalnum((unsigned char)items[i][k]) ||
				strchr("-_.", items[i][k]) != NULL
			    ? items[i][k]
			    : '?';
		clean[i][k] = '\0';
	}
	qsort(clean, n, sizeof(clean[0]), cmp_item);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((i > 0 && strcmp(clean[i], clean[i - 1]) == 0) ||
		    (caps &&
			(strcmp(clean[i], "AUTH") == 0 ||
			    strcmp(clean[i], "STARTTLS") == 0)))
			continue;
		if (len + strlen(clean[i]) + 2 > size)
			break;
		len += (size_t)snprintf(out + len, size - len, "%s%s",
		    len > 0 ? " " : "", clean[i]);
	}
}

static int
cmp_item(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* cmp_probe - by host, port, address */
static int
cmp_probe(const void *a, const void *b)
{
	const struct bprobe *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return strcmp(x->address, y->address);
}

/* probe_lists - p's lists, made as the baseline's are */
static void
probe_lists(const struct probe_result *p, char (*out)[BASELINE_LIST_MAX])
{
	const char *items[EHLO_CAPS_MAX];
	const struct ehlo_result *e;
	size_t i, n;
	int l;

	for (l = 0; l < L_COUNT; l++) {
		n = 0;
		if (l == L_AUTH_BEFORE || l == L_AUTH_AFTER) {
			const struct text *t =
			    l == L_AUTH_BEFORE ? p->auth.before : p->auth.after;
			size_t nt = l == L_AUTH_BEFORE ? p->auth.nbefore
						       : p->auth.nafter;

			for (i = 0; i < nt && n < EHLO_CAPS_MAX; i++)
				items[n++] = (const char *)t[i].data;
		} else {
			e = l == L_CAPS ? &p->ehlo : &p->ehlo_tls;
			for (i = 0; i < e->ncaps && n < EHLO_CAPS_MAX; i++)
				items[n++] =
				    (const char *)e->caps[i].keyword.data;
		}
		make_list(items, n, l == L_CAPS || l == L_CAPS_TLS, out[l],
		    BASELINE_LIST_MAX);
	}
}

/* compare - the findings of p's differences from e */
static void
compare(
    const struct baseline *b, const struct bprobe *e, struct probe_result *p)
{
	char lists[L_COUNT][BASELINE_LIST_MAX];
	const char *was = b->started_at[0] != '\0' ? b->started_at : b->path;

	if (e->answered != answered(p)) {
		diag_add(p, F_CHANGED_PORT_STATE,
		    e->answered
			? "Port %d accepted connections in the baseline "
			  "(%s) and does not now (%s): check that the "
			  "server runs and what a firewall lets through."
			: "Port %d did not accept connections in the "
			  "baseline (%s) and does now (%s): make sure "
			  "this service is meant to be reachable.",
		    p->port, was, p->error.set ? p->error.message : "answered");
		return;
	}
	if (!e->answered)
		return;
	if (e->starttls && !p->starttls.offered && p->ehlo.reply.present)
		diag_add(p, F_CHANGED_STARTTLS_LOST,
		    "STARTTLS was offered in the baseline (%s) and is not "
		    "now: if the server was not changed, something between "
		    "may be stripping it (STRIPTLS).",
		    was);
	if (e->tls && e->version != TLSV_UNKNOWN &&
	    ((p->tls.attempted && !p->tls.established) ||
		(p->tls.established && p->tls.version != TLSV_UNKNOWN &&
		    p->tls.version < e->version)))
		diag_add(p, F_CHANGED_TLS_DOWNGRADED,
		    "TLS was %s in the baseline (%s) and is %s now: check the "
		    "server's TLS settings and anything that intercepts TLS.",
		    tls_version_names[e->version], was,
		    p->tls.established ? tls_version_names[p->tls.version]
				       : "not established");
	if (e->leaf[0] != '\0' && p->ncerts > 0 && p->certs[0].sha256[0] &&
	    strcmp(e->leaf, p->certs[0].sha256) != 0)
		diag_add(p, F_CHANGED_CERTIFICATE,
		    "The leaf certificate was %s in the baseline (%s) and is "
		    "%s now (SHA-256): expected after a renewal; otherwise "
		    "find out who changed it.",
		    e->leaf, was, p->certs[0].sha256);
	probe_lists(p, lists);
	compare_lists(e, p, lists);
}

/*
 * compare_lists - AUTH mechanisms and EHLO keywords, each where both runs
 * saw the EHLO reply they come from
 */
static void
compare_lists(const struct bprobe *e, struct probe_result *p,
    char (*now)[BASELINE_LIST_MAX])
{
	bool clear = e->ehlo && p->ehlo.reply.present;
	bool tls = e->ehlo_tls && p->ehlo_tls.reply.present;

	if ((clear && strcmp(e->list[L_AUTH_BEFORE], now[L_AUTH_BEFORE])) ||
	    (tls && strcmp(e->list[L_AUTH_AFTER], now[L_AUTH_AFTER])))
		diag_add(p, F_CHANGED_AUTH,
		    "AUTH was offered before TLS: %s, after TLS: %s in the "
		    "baseline, and is now before TLS: %s, after TLS: %s: "
		    "check that passwords are still asked for only inside "
		    "TLS.",
		    or_none(e->list[L_AUTH_BEFORE]),
		    or_none(e->list[L_AUTH_AFTER]), or_none(now[L_AUTH_BEFORE]),
		    or_none(now[L_AUTH_AFTER]));
	if ((clear && strcmp(e->list[L_CAPS], now[L_CAPS])) ||
	    (tls && strcmp(e->list[L_CAPS_TLS], now[L_CAPS_TLS])))
		diag_add(p, F_CHANGED_CAPABILITIES,
		    "EHLO offered %s in clear text and %s inside TLS in the "
		    "baseline, and offers %s and %s now.",
		    or_none(e->list[L_CAPS]), or_none(e->list[L_CAPS_TLS]),
		    or_none(now[L_CAPS]), or_none(now[L_CAPS_TLS]));
}

/* answered - the connection was accepted (the baseline's meaning) */
static bool
answered(const struct probe_result *p)
{
	return !p->error.set ||
	    (p->error.phase != PHASE_RESOLVE &&
		p->error.phase != PHASE_CONNECT &&
		p->error.phase != PHASE_INPUT);
}

/* or_none - "none" for an empty list */
static const char *
or_none(const char *list)
{
	return list[0] != '\0' ? list : "none";
}
