/*
 * text.c - the report for people: one compact block per port.
 *
 * Every byte that came from a server is escaped (sanitize SAN_TERMINAL):
 * a banner must not be able to move the cursor or recolour the terminal.
 * Colour is used only when the caller allows it (a terminal, NO_COLOR
 * unset).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "sanitize.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

struct out {
	FILE *fp;
	bool color;
};

static void target_header(struct out *, const struct target_result *);
static void probe_text(struct out *, const struct probe_result *, bool, bool);
static void reply_line(struct out *, const char *, const struct reply *);
static void caps_line(struct out *, const char *, const struct ehlo_result *);
static void tls_lines(struct out *, const struct probe_result *);
static void auth_line(struct out *, const struct auth_result *);
static void findings_lines(struct out *, const struct finding *, size_t);
static void dns_lines(struct out *, const struct target_result *);
static void transcript_lines(struct out *, const struct transcript *);
static void label(struct out *, const char *);
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
	struct out out = {s->fp, s->o.color};

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
 * report_text_target - the findings about the target as a whole, under
 * its ports; a target without ports (a bad -f line, a null MX) gets its
 * header here
 */
int
report_text_target(struct sink *s, const struct target_result *t)
{
	struct out out = {s->fp, s->o.color};

	if (s->current != t) {
		/* Its ports are shown, under its name, and nothing is left. */
		if (t->nprobes > 0 && t->nfindings == 0)
			return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
		if (s->current != NULL)
			fputc('\n', s->fp);
		target_header(&out, t);
	}
	findings_lines(&out, t->findings, t->nfindings);
	fputc('\n', s->fp);
	s->current = NULL;
	return fflush(s->fp) == EOF || ferror(s->fp) ? -1 : 0;
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

static void
target_header(struct out *o, const struct target_result *t)
{
	color(o, C_BOLD);
	puts_safe(o, t->host);
	color(o, C_OFF);
	if (t->sni != NULL) {
		fputs("  (SNI ", o->fp);
		puts_safe(o, t->sni);
		fputc(')', o->fp);
	}
	fputc('\n', o->fp);
	if (t->error.set) {
		label(o, "error");
		fprintf(o->fp, "%s/%s: ", phase_names[t->error.phase],
		    kind_names[t->error.kind]);
		puts_safe(o, t->error.message);
		fputc('\n', o->fp);
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
}

static void
probe_text(
    struct out *o, const struct probe_result *p, bool transcript, bool host)
{
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
	fprintf(o->fp, "  %lld ms\n", (long long)p->timing.total);
	if (p->error.set) {
		label(o, "error");
		fprintf(o->fp, "%s/%s: ", phase_names[p->error.phase],
		    kind_names[p->error.kind]);
		puts_safe(o, p->error.message);
		fputc('\n', o->fp);
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
		fputc('\n', o->fp);
	}
	tls_lines(o, p);
	caps_line(o, "ehlo tls", &p->ehlo_tls);
	auth_line(o, &p->auth);
	if (p->advice.text != NULL) {
		label(o, "advice");
		puts_safe(o, p->advice.text);
		fputc('\n', o->fp);
	}
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
	fputc('\n', o->fp);
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
	fputc('\n', o->fp);
}

static void
tls_lines(struct out *o, const struct probe_result *p)
{
	const struct verification *v = &p->verification;
	const struct cert_info *c;
	size_t i;
	int e;

	if (!p->tls.attempted)
		return;
	label(o, "tls");
	if (p->tls.established)
		fprintf(o->fp, "%s %s%s%s\n", tls_version_names[p->tls.version],
		    p->tls.cipher, p->tls.group[0] ? " " : "", p->tls.group);
	else {
		fputs("failed: ", o->fp);
		puts_safe(o, p->tls.error);
		if (p->tls.alert[0])
			fprintf(o->fp, " (alert %s)", p->tls.alert);
		fputc('\n', o->fp);
	}
	for (i = 0; i < p->ncerts; i++) {
		c = &p->certs[i];
		label(o, i == 0 ? "chain" : "");
		fprintf(o->fp, "[%zu] ", i);
		puts_safe(o, c->subject);
		fputs(" <- ", o->fp);
		puts_safe(o, c->issuer);
		if (c->parsed)
			fprintf(
			    o->fp, "  (%ld days left)\n", c->days_remaining);
		else
			fputs("  (not parseable)\n", o->fp);
	}
	if (p->chain_truncated) {
		label(o, "");
		fputs("[more certificates not kept]\n", o->fp);
	}
	if (!v->present)
		return;
	label(o, "verify");
	fputs(v->trusted ? "trusted" : "NOT trusted", o->fp);
	if (v->hostname_match >= 0)
		fputs(
		    v->hostname_match ? ", name ok" : ", NAME MISMATCH", o->fp);
	fputs(v->chain_complete ? ", chain complete" : ", chain INCOMPLETE",
	    o->fp);
	for (e = 0; e < VERR_COUNT; e++)
		if (v->errors & (1u << e))
			fprintf(o->fp, " [%s]", verr_names[e]);
	fputc('\n', o->fp);
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
	fputc('\n', o->fp);
}

static void
findings_lines(struct out *o, const struct finding *fs, size_t n)
{
	static const char *const col[SEV_COUNT] = {
	    [SEV_INFO] = C_DIM,
	    [SEV_WARNING] = C_YELLOW,
	    [SEV_CRITICAL] = C_RED,
	};
	const struct finding *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = &fs[i];
		label(o, i == 0 ? "findings" : "");
		color(o, col[f->severity]);
		fprintf(o->fp, "%-8s %s", severity_names[f->severity], f->id);
		color(o, C_OFF);
		fputs(": ", o->fp);
		puts_safe(o, f->message);
		fputc('\n', o->fp);
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
		fputc('\n', o->fp);
	}
	if (t->truncated) {
		label(o, "");
		fputs("[transcript truncated]\n", o->fp);
	}
}

/* label - the indented field name of a line */
static void
label(struct out *o, const char *name)
{
	color(o, C_DIM);
	fprintf(o->fp, "         %-9s ", name);
	color(o, C_OFF);
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
