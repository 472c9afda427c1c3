/*
 * text.c - the report for people: one compact block per port, and the
 * findings about the host as a whole when its last port is done.
 *
 * Every byte that came from a server is escaped (sanitize SAN_TERMINAL):
 * a banner must not be able to move the cursor or recolour the terminal.
 * Colour is used only when the caller allows it (a terminal, NO_COLOR
 * unset). Lines are wrapped at the caller's width with a hanging indent
 * under the value column; width 0 (a pipe) leaves every line whole, for
 * grep and friends. Each line is built in memory, then wrapped.
 */
#include "report.h"

#include <sys/ioctl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "render_dane.h"
#include "render_versions.h"
#include "render_sts.h"
#include "render_ocsp.h"
#include "sanitize.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

/* Columns before a value: 9 of indent, a 9-column label and a space. */
#define VALUE_COL 19
/* Narrower terminals are wrapped as if they had this many columns. */
#define WIDTH_MIN 40
#define WIDTH_MAX 1000

struct out {
	FILE *fp;  /* where the line being built goes: line, or dst */
	FILE *dst; /* the report; not owned */
	bool color;
	int width;  /* wrap at this column; 0: never */
	int indent; /* of the continuation lines of this line */
	FILE *line; /* owned: the line being built, when wrapping */
	char *buf;  /* owned by line until it is closed */
	size_t len;
};

static void out_init(struct out *, struct sink *);
static void begin(struct out *, int);
static void endl(struct out *);
static void wrap(FILE *, const char *, size_t, int, int);
static int columns(const char *, size_t);
static void host_findings(struct out *, const struct target_result *);
static void target_header(struct out *, const struct target_result *);
static void probe_text(struct out *, const struct probe_result *, bool, bool);
static void reply_line(struct out *, const char *, const struct reply *);
static void caps_line(struct out *, const char *, const struct ehlo_result *);
static void tls_lines(struct out *, const struct probe_result *);
static void verify_line(struct out *, const struct verification *);
static void auth_line(struct out *, const struct auth_result *);
static void login_line(struct out *, const struct login_result *);
static void deep_line(struct out *, const char *, bool, const char *);
static void findings_lines(struct out *, const struct finding *, size_t);
static void dns_lines(struct out *, const struct target_result *);
static void transcript_lines(struct out *, const struct transcript *);
static void label(struct out *, const char *);
static void line(void *, const char *, const char *);
static void color(struct out *, const char *);
static void put(struct out *, const void *, size_t);
static void puts_safe(struct out *, const char *);

/*
 * report_text_probe - one port, printed as soon as it finishes, under its
 * target's name (again, when another target's port came in between)
 */
int
report_text_probe(
    struct sink *s, const struct target_result *t, const struct probe_result *p)
{
	struct out out;

	out_init(&out, s);
	if (s->current != t) {
		if (s->current != NULL)
			fputc('\n', s->fp);
		target_header(&out, t);
		s->current = t;
	}
	probe_text(&out, p, s->o.transcript, t->mx != NULL || t->srv != NULL);
	return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
}

/*
 * report_text_target - the end of a target: its findings as a whole (its
 * DNS, its host's ports together), under its name (again, when another
 * target came in between), or the whole of a target without ports (a bad
 * -f line, a null MX)
 */
int
report_text_target(struct sink *s, const struct target_result *t)
{
	struct out out;

	out_init(&out, s);
	if (t->nprobes > 0 && t->nfindings == 0) {
		if (s->current == t)
			s->current = NULL, fputc('\n', s->fp);
		return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
	}
	if (s->current != t) {
		if (s->current != NULL)
			fputc('\n', s->fp);
		target_header(&out, t);
	}
	s->current = NULL;
	host_findings(&out, t);
	fputc('\n', s->fp);
	s->current = NULL;
	return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
}

/*
 * report_text_width - the columns to wrap at when writing to out: the
 * terminal's, else $COLUMNS, else 0 (no wrapping: pipes get whole lines)
 */
int
report_text_width(FILE *out)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	long v;

	if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if (env == NULL || *env == '\0')
		return 0;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return 0;
	return v > WIDTH_MAX ? WIDTH_MAX : (int)v;
}

/* report_text_end - one line for the whole run */
int
report_text_end(struct sink *s, const struct run_summary *sum)
{
	if (s->current != NULL)
		fputc('\n', s->fp);
	fprintf(s->fp, "%zu target%s probed in %lld ms%s\n", sum->targets,
	    sum->targets == 1 ? "" : "s", (long long)sum->duration_ms,
	    sum->signal != 0 ? " (interrupted: unfinished probes were not "
			       "reported)"
			     : "");
	return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
}

/* out_init - a writer of sink s's report, no line open */
static void
out_init(struct out *o, struct sink *s)
{
	memset(o, 0, sizeof(*o));
	o->fp = o->dst = s->fp;
	o->color = s->o.color;
	o->width =
	    s->o.width > 0 && s->o.width < WIDTH_MIN ? WIDTH_MIN : s->o.width;
}

/*
 * begin - start a line whose continuations are indented by indent; when
 * wrapping, it is built in memory (straight to the report if that fails)
 */
static void
begin(struct out *o, int indent)
{
	o->indent = indent;
	if (o->width == 0 || o->line != NULL)
		return;
	if ((o->line = open_memstream(&o->buf, &o->len)) != NULL)
		o->fp = o->line;
}

/* endl - end the line: wrapped into the report */
static void
endl(struct out *o)
{
	if (o->line != NULL) {
		if (fclose(o->line) == 0)
			wrap(o->dst, o->buf, o->len, o->width, o->indent);
		free(o->buf);
		o->line = NULL;
		o->buf = NULL;
		o->fp = o->dst;
	}
	fputc('\n', o->dst);
}

/*
 * wrap - s[0..n) (one line) broken at spaces so that no part passes width
 * columns where a break can help; continuations start at column indent.
 * Nothing is broken before indent (the label), and a word longer than a
 * line stays whole.
 */
static void
wrap(FILE *dst, const char *s, size_t n, int width, int indent)
{
	size_t i = 0, sp, w;
	int col = 0, wc;

	while (i < n) {
		sp = i;
		while (i < n && s[i] == ' ')
			i++;
		w = i;
		while (i < n && s[i] != ' ')
			i++;
		wc = columns(s + w, i - w);
		if (wc > 0 && col > indent &&
		    col + (int)(w - sp) + wc > width) {
			fprintf(dst, "\n%*s", indent, "");
			col = indent;
		} else {
			fwrite(s + sp, 1, w - sp, dst);
			col += (int)(w - sp);
		}
		fwrite(s + w, 1, i - w, dst);
		col += wc;
	}
}

/*
 * columns - screen columns of s: colour sequences take none, and a UTF-8
 * character one (its continuation bytes none)
 */
static int
columns(const char *s, size_t n)
{
	size_t i;
	int c = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && (s[i] < 0x40 || s[i] > 0x7e); i++)
				;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	}
	return c;
}

/* host_findings - the findings about the host as a whole */
static void
host_findings(struct out *o, const struct target_result *t)
{
	int worst = -1;
	size_t i;

	if (t->nfindings == 0)
		return;
	for (i = 0; i < t->nfindings; i++)
		if ((int)t->findings[i].severity > worst)
			worst = (int)t->findings[i].severity;
	begin(o, 9);
	color(o,
	    worst == SEV_CRITICAL      ? C_RED
		: worst == SEV_WARNING ? C_YELLOW
				       : C_DIM);
	fputs(worst == SEV_CRITICAL    ? "  [FAIL]"
		: worst == SEV_WARNING ? "  [WARN]"
				       : "  [INFO]",
	    o->fp);
	color(o, C_OFF);
	fputs(" the target as a whole", o->fp);
	endl(o);
	findings_lines(o, t->findings, t->nfindings);
}

static void
target_header(struct out *o, const struct target_result *t)
{
	begin(o, 4);
	color(o, C_BOLD);
	puts_safe(o, t->host);
	color(o, C_OFF);
	if (t->sni != NULL) {
		fputs("  (SNI ", o->fp);
		puts_safe(o, t->sni);
		fputc(')', o->fp);
	}
	endl(o);
	if (t->error.set) {
		label(o, "error");
		fprintf(o->fp, "%s/%s: ", phase_names[t->error.phase],
		    kind_names[t->error.kind]);
		puts_safe(o, t->error.message);
		endl(o);
	}
	dns_lines(o, t);
}

/* dns_lines - what --mx and --srv found */
static void
dns_lines(struct out *o, const struct target_result *t)
{
	static const char *const svc[SRV_COUNT] = {
	    [SRV_SUBMISSIONS] = "submissions", [SRV_SUBMISSION] = "submission"};
	const struct srv_record *r;
	size_t i;
	int k;

	if (t->mx != NULL && (t->mx->n > 0 || t->mx->implicit)) {
		label(o, "mx");
		for (i = 0; i < t->mx->n; i++) {
			fprintf(o->fp, "%s%d ", i > 0 ? ", " : "",
			    t->mx->records[i].preference);
			puts_safe(o, t->mx->records[i].host);
		}
		fputs(t->mx->implicit    ? "none: the domain itself\n"
			: t->mx->null_mx ? " (null MX)\n"
					 : "\n",
		    o->fp);
	}
	for (k = 0; t->srv != NULL && k < SRV_COUNT; k++)
		for (i = 0; i < t->srv->n[k]; i++) {
			r = &t->srv->records[k][i];
			label(o, i == 0 ? svc[k] : "");
			fprintf(o->fp, "%d %d %d ", r->priority, r->weight,
			    r->port);
			puts_safe(o, r->target);
			fputc('\n', o->fp);
		}
	render_sts_text_target(t, line, o);
}

static void
probe_text(
    struct out *o, const struct probe_result *p, bool transcript, bool host)
{
	char buf[1024]; /* a deeper check's line (render_ocsp.c) */

	begin(o, 9);
	if (p->error.set || p->worst == SEV_CRITICAL) {
		color(o, C_RED);
		fputs("  [FAIL]", o->fp);
	} else if (p->worst == SEV_WARNING) {
		color(o, C_YELLOW);
		fputs("  [WARN]", o->fp);
	} else {
		color(o, C_GREEN);
		fputs("  [ OK ]", o->fp);
	}
	color(o, C_OFF);
	fprintf(o->fp, " port %d", p->port);
	if (host) {
		fputc(' ', o->fp);
		puts_safe(o, p->host);
	}
	if (p->address[0] != '\0')
		fprintf(o->fp, " (%s)", p->address);
	fprintf(o->fp, "  mode %s", mode_names[p->mode]);
	if (p->requested_mode != p->mode)
		fprintf(o->fp, " (asked %s)", mode_names[p->requested_mode]);
	fprintf(o->fp, "  %lld ms", (long long)p->timing.total);
	endl(o);
	if (p->error.set) {
		label(o, "error");
		fprintf(o->fp, "%s/%s: ", phase_names[p->error.phase],
		    kind_names[p->error.kind]);
		puts_safe(o, p->error.message);
		endl(o);
	}
	reply_line(o, "banner", &p->banner);
	caps_line(o, p->ehlo.helo ? "helo" : "ehlo", &p->ehlo);
	if (p->starttls.offered || p->starttls.sent) {
		label(o, "starttls");
		fputs(p->starttls.offered ? "offered" : "not offered", o->fp);
		if (p->starttls.sent) {
			fprintf(o->fp, ", answered %d ", p->starttls.code);
			put(o, p->starttls.text.data, p->starttls.text.len);
		}
		if (p->starttls.trailing_bytes)
			fprintf(o->fp, " (+%zu bytes injected, discarded)",
			    p->starttls.trailing_bytes);
		endl(o);
	}
	tls_lines(o, p);
	if (p->versions != NULL) {
		label(o, "versions");
		render_versions_text(o->fp, p->versions);
		endl(o);
	}
	deep_line(o, "ocsp", render_ocsp_text(p, buf, sizeof(buf)), buf);
	caps_line(o, "ehlo tls", &p->ehlo_tls);
	deep_line(o, "injection",
	    render_injection_text(&p->injection, buf, sizeof(buf)), buf);
	auth_line(o, &p->auth);
	login_line(o, &p->login);
	if (p->dane != NULL) {
		char *dane = dane_text(p->dane);

		label(o, "dane");
		puts_safe(o, dane);
		endl(o);
		free(dane);
	}
	if (p->advice.text != NULL && p->advice.for_clients) {
		label(o, "advice");
		puts_safe(o, p->advice.text);
		endl(o);
	}
	render_sts_text_probe(p, line, o);
	findings_lines(o, p->findings, p->nfindings);
	if (transcript)
		transcript_lines(o, &p->transcript);
}

static void
reply_line(struct out *o, const char *name, const struct reply *r)
{
	size_t i;

	if (!r->present)
		return;
	label(o, name);
	fprintf(o->fp, "%d ", r->code);
	for (i = 0; i < r->nlines; i++) {
		if (i > 0)
			fputs(" / ", o->fp);
		put(o, r->lines[i].data, r->lines[i].len);
	}
	if (r->truncated)
		fputs(" [truncated]", o->fp);
	endl(o);
}

static void
caps_line(struct out *o, const char *name, const struct ehlo_result *e)
{
	size_t i, k;

	if (!e->reply.present)
		return;
	if (e->reply.code != 250 || e->helo) {
		reply_line(o, name, &e->reply);
		return;
	}
	label(o, name);
	for (i = 0; i < e->ncaps; i++) {
		if (i > 0)
			fputs(", ", o->fp);
		put(o, e->caps[i].keyword.data, e->caps[i].keyword.len);
		for (k = 0; k < e->caps[i].nparams; k++) {
			fputc(' ', o->fp);
			put(o, e->caps[i].params[k].data,
			    e->caps[i].params[k].len);
		}
	}
	if (e->ncaps == 0)
		fputs("(no extensions)", o->fp);
	if (e->caps_truncated)
		fputs(" [truncated]", o->fp);
	endl(o);
}

static void
tls_lines(struct out *o, const struct probe_result *p)
{
	const struct cert_info *c;
	size_t i;

	if (!p->tls.attempted)
		return;
	label(o, "tls");
	if (p->tls.established)
		fprintf(o->fp, "%s %s%s%s", tls_version_names[p->tls.version],
		    p->tls.cipher, p->tls.group[0] ? " " : "", p->tls.group);
	else {
		fputs("failed: ", o->fp);
		puts_safe(o, p->tls.error);
		if (p->tls.alert[0])
			fprintf(o->fp, " (alert %s)", p->tls.alert);
	}
	if (p->tls.client_cert_requested)
		fputs("; client certificate requested", o->fp);
	endl(o);
	for (i = 0; i < p->ncerts; i++) {
		c = &p->certs[i];
		label(o, i == 0 ? "chain" : "");
		fprintf(o->fp, "[%zu] ", i);
		puts_safe(o, c->subject);
		fputs(" <- ", o->fp);
		puts_safe(o, c->issuer);
		if (c->parsed && c->days_remaining < 0)
			fprintf(o->fp, "  (expired %ld days ago)",
			    -c->days_remaining);
		else if (c->parsed)
			fprintf(o->fp, "  (%ld days left)", c->days_remaining);
		else
			fputs("  (not parseable)", o->fp);
		endl(o);
	}
	if (p->chain_truncated) {
		label(o, "");
		fputs("[more certificates not kept]", o->fp);
		endl(o);
	}
	verify_line(o, &p->verification);
}

/* verify_line - the verdict on the chain, and on the name if one was set */
static void
verify_line(struct out *o, const struct verification *v)
{
	int e;

	if (!v->present)
		return;
	label(o, "verify");
	fputs(v->trusted ? "trusted" : "NOT trusted", o->fp);
	if (v->hostname_match > 0)
		fputs(", name ok", o->fp);
	else if (v->hostname_match == 0)
		fputs(", NAME MISMATCH", o->fp);
	else if (v->name[0] == '\0')
		fputs(", name NOT CHECKED (no name to check it against: give "
		      "--sni NAME)",
		    o->fp);
	else
		fputs(", name not checked", o->fp);
	fputs(v->chain_complete ? ", chain complete" : ", chain INCOMPLETE",
	    o->fp);
	for (e = 0; e < VERR_COUNT; e++)
		if (v->errors & (1u << e))
			fprintf(o->fp, " [%s]", verr_names[e]);
	endl(o);
}

static void
auth_line(struct out *o, const struct auth_result *a)
{
	size_t i;

	if (a->nbefore == 0 && a->nafter == 0)
		return;
	label(o, "auth");
	fputs("before TLS:", o->fp);
	for (i = 0; i < a->nbefore; i++) {
		fputc(' ', o->fp);
		put(o, a->before[i].data, a->before[i].len);
	}
	if (a->nbefore == 0)
		fputs(" none", o->fp);
	fputs("; after TLS:", o->fp);
	for (i = 0; i < a->nafter; i++) {
		fputc(' ', o->fp);
		put(o, a->after[i].data, a->after[i].len);
	}
	if (a->nafter == 0)
		fputs(" none", o->fp);
	endl(o);
}

/* login_line - how --auth-user's login went, or why it was not tried */
static void
login_line(struct out *o, const struct login_result *l)
{
	if (!l->wanted)
		return;
	label(o, "login");
	if (l->code != 0) {
		fprintf(o->fp, "%s %s, answered %d ", login_mech_names[l->mech],
		    l->code == 235 ? "ok" : "FAILED", l->code);
		put(o, l->text.data, l->text.len);
	} else
		puts_safe(o, l->why);
	fputc('\n', o->fp);
}

/* deep_line - a deeper check's line, when it has one */
static void
deep_line(struct out *o, const char *name, bool has, const char *text)
{
	if (!has)
		return;
	label(o, name);
	puts_safe(o, text);
	endl(o);
}

static void
findings_lines(struct out *o, const struct finding *list, size_t n)
{
	static const char *const col[SEV_COUNT] = {
	    [SEV_INFO] = C_DIM,
	    [SEV_WARNING] = C_YELLOW,
	    [SEV_CRITICAL] = C_RED,
	};
	const struct finding *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = &list[i];
		label(o, i == 0 ? "findings" : "");
		/* Continuations under the message, clear of the next id. */
		o->indent = VALUE_COL + 9;
		color(o, col[f->severity]);
		fprintf(o->fp, "%-8s %s", severity_names[f->severity], f->id);
		color(o, C_OFF);
		fputs(": ", o->fp);
		puts_safe(o, f->message);
		endl(o);
	}
}

static void
transcript_lines(struct out *o, const struct transcript *t)
{
	static const char *const arrow[TDIR_COUNT] = {
	    [TDIR_SENT] = "C:",
	    [TDIR_RECEIVED] = "S:",
	    [TDIR_TLS] = "--",
	};
	size_t i;

	for (i = 0; i < t->n; i++) {
		label(o, i == 0 ? "dialogue" : "");
		fprintf(o->fp, "%6lld ms %s ", (long long)t->lines[i].ms,
		    arrow[t->lines[i].dir]);
		put(o, t->lines[i].text.data, t->lines[i].text.len);
		endl(o);
	}
	if (t->truncated) {
		label(o, "");
		fputs("[transcript truncated]", o->fp);
		endl(o);
	}
}

/* label - start a line with its indented field name */
static void
label(struct out *o, const char *name)
{
	begin(o, VALUE_COL);
	color(o, C_DIM);
	fprintf(o->fp, "         %-9s ", name);
	color(o, C_OFF);
}

/* line - one labelled line of server or DNS text (render_line_fn) */
static void
line(void *ctx, const char *name, const char *text)
{
	label(ctx, name);
	puts_safe(ctx, text);
	endl(ctx);
}

static void
color(struct out *o, const char *code)
{
	if (o->color)
		fputs(code, o->fp);
}

/* put - server bytes, escaped for a terminal */
static void
put(struct out *o, const void *data, size_t len)
{
	size_t n;
	char *s;

	s = sanitize(
	    data != NULL ? data : "", data != NULL ? len : 0, SAN_TERMINAL, &n);
	fwrite(s, 1, n, o->fp);
	free(s);
}

static void
puts_safe(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}
