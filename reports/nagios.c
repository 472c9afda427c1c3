/*
 * nagios.c - a Monitoring Plugins check (the Monitoring Plugins
 * development guidelines; report-contract.md, "--format nagios"):
 *
 *   SMTP-TLS CRITICAL - mail.example.com/192.0.2.1:25 cert-expired: ... |
 * perfdata CRITICAL mail.example.com/192.0.2.1:25 starttls TLS1.3: cert-expired
 *   OK mail.example.com/192.0.2.1:587 starttls TLS1.3
 *
 * The first line is the status and the worst finding (or a summary when
 * nothing counts), then the performance data after '|'; the long output
 * has one line per port. Perfdata, in the guidelines' syntax
 * 'label'=value[UOM];warn;crit;min;max, gives each port's total time in s
 * and the days until the earliest expiry in its chain, with the ranges
 * "W:" (alert below --warn-days) and "0:" (critical once expired): a bare
 * "21" would mean "alert outside 0..21", the opposite.
 *
 * The status line needs the whole run, so the port lines and the perfdata
 * are spooled to unnamed temporary files (spool.h) as targets finish and
 * copied out at the end: memory stays independent of the number of
 * targets. The state and the exit status come from policy_nagios(); this
 * file only picks the worst finding to show. Server text is escaped
 * (sanitize SAN_TERMINAL) and '|' replaced, so that no server can end the
 * status line or forge perfdata.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "sanitize.h"
#include "spool.h"
#include "target.h"
#include "xalloc.h"

#define WORST_MAX 512

struct nag {
	FILE *lines; /* owned spool: one line per port */
	FILE *perf;  /* owned spool: perfdata, ' '-separated */
	int worst;   /* severity of worst[]; -1: no finding yet */
	char worst_text[WORST_MAX]; /* "LABEL ID: MESSAGE", made safe */
};

static const char *const state_names[NAGIOS_COUNT] = {
    [NAGIOS_OK] = "OK",
    [NAGIOS_WARNING] = "WARNING",
    [NAGIOS_CRITICAL] = "CRITICAL",
    [NAGIOS_UNKNOWN] = "UNKNOWN",
};

static void port_line(struct nag *, const char *, const struct probe_result *);
static void perfdata(
    struct nag *, const char *, const struct probe_result *, int);
static void keep_worst(struct nag *, const char *, const struct probe_result *);
static void port_label(
    char *, size_t, const struct target_result *, const struct probe_result *);
static void summary(FILE *, int, const struct run_summary *);
static char *one_line(const char *);
static void nag_free(struct nag *);

/* report_nagios_begin - the spools */
int
report_nagios_begin(struct sink *s)
{
	struct nag *ng = xcalloc(1, sizeof(*ng));

	s->state = ng;
	ng->worst = -1;
	if ((ng->lines = spool_open()) == NULL ||
	    (ng->perf = spool_open()) == NULL)
		return -1;
	return 0;
}

/* report_nagios_target - a line and perfdata per port of t */
int
report_nagios_target(struct sink *s, const struct target_result *t)
{
	struct nag *ng = s->state;
	char label[HOSTNAME_MAX + 80], *safe;
	size_t i;

	if (ng == NULL || ng->perf == NULL)
		return -1;
	if (t->error.set) {
		safe = one_line(t->error.message);
		fprintf(ng->lines, "UNKNOWN %s\n", safe);
		free(safe);
	}
	for (i = 0; i < t->nprobes; i++) {
		port_label(label, sizeof(label), t, &t->probes[i]);
		port_line(ng, label, &t->probes[i]);
		perfdata(ng, label, &t->probes[i], s->o.warn_days);
		keep_worst(ng, label, &t->probes[i]);
	}
	return ferror(ng->lines) || ferror(ng->perf) ? -1 : 0;
}

/* report_nagios_end - status line, perfdata, then the port lines */
int
report_nagios_end(struct sink *s, const struct run_summary *sum)
{
	struct nag *ng = s->state;
	int state = policy_nagios(sum), ret = -1;

	if (ng != NULL && ng->perf != NULL) {
		fprintf(s->fp, "SMTP-TLS %s - ", state_names[state]);
		if (state == NAGIOS_WARNING || state == NAGIOS_CRITICAL)
			fputs(ng->worst_text, s->fp);
		else
			summary(s->fp, state, sum);
		if (ftell(ng->perf) > 0)
			fputs(" |", s->fp);
		ret = spool_copy(ng->perf, s->fp);
		fputc('\n', s->fp);
		if (ret == 0)
			ret = spool_copy(ng->lines, s->fp);
		if (ret == 0 && (fflush(s->fp) == EOF || ferror(s->fp)))
			ret = -1;
	}
	if (ng != NULL)
		nag_free(ng);
	s->state = NULL;
	return ret;
}

/* port_line - "STATUS LABEL MODE [VERSION][: ids]" */
static void
port_line(struct nag *ng, const char *label, const struct probe_result *p)
{
	size_t i;

	fprintf(ng->lines, "%s %s %s",
	    state_names[p->status == STATUS_CRITICAL ? NAGIOS_CRITICAL
		    : p->status == STATUS_WARNING    ? NAGIOS_WARNING
						     : NAGIOS_OK],
	    label, mode_names[p->mode]);
	if (p->tls.established && p->tls.version != TLSV_UNKNOWN)
		fprintf(ng->lines, " %s", tls_version_names[p->tls.version]);
	for (i = 0; i < p->nfindings; i++)
		fprintf(
		    ng->lines, "%s%s", i == 0 ? ": " : ", ", p->findings[i].id);
	fputc('\n', ng->lines);
}

/*
 * perfdata - 'LABEL time'=Ss;;;0 and, when a certificate was parsed,
 * 'LABEL cert_days'=D;W:;0:
 */
static void
perfdata(struct nag *ng, const char *label, const struct probe_result *p,
    int warn_days)
{
	long days = 0;
	bool any = false;
	size_t i;

	if (p->timing.total >= 0)
		fprintf(ng->perf, " '%s time'=%.3fs;;;0", label,
		    (double)p->timing.total / 1000);
	for (i = 0; i < p->ncerts; i++)
		if (p->certs[i].parsed &&
		    (!any || p->certs[i].days_remaining < days)) {
			days = p->certs[i].days_remaining;
			any = true;
		}
	if (any)
		fprintf(ng->perf, " '%s cert_days'=%ld;%d:;0:", label, days,
		    warn_days);
}

/* keep_worst - remember the first finding of the worst severity so far */
static void
keep_worst(struct nag *ng, const char *label, const struct probe_result *p)
{
	const struct finding *f;
	char *safe;
	size_t i;

	for (i = 0; i < p->nfindings; i++) {
		f = &p->findings[i];
		if ((int)f->severity <= ng->worst)
			continue;
		ng->worst = (int)f->severity;
		safe = one_line(f->message);
		(void)snprintf(ng->worst_text, sizeof(ng->worst_text),
		    "%s %s: %s", label, f->id, safe);
		free(safe);
	}
}

/*
 * port_label - "HOST/ADDRESS:PORT", or "ADDRESS:PORT" when the host is
 * the address; an IPv6 address in brackets. Characters that perfdata
 * labels cannot hold (', =, |) and blanks become '_'.
 */
static void
port_label(char *buf, size_t size, const struct target_result *t,
    const struct probe_result *p)
{
	char host[HOSTNAME_MAX + 1];
	const char *a = p->address[0] != '\0' ? p->address : "-";
	bool v6 = strchr(a, ':') != NULL;
	size_t k;

	target_host(t->host, host, sizeof(host));
	if (strcmp(host, p->address) == 0)
		(void)snprintf(buf, size, "%s%s%s:%d", v6 ? "[" : "", a,
		    v6 ? "]" : "", p->port);
	else
		(void)snprintf(buf, size, "%s/%s%s%s:%d", host, v6 ? "[" : "",
		    a, v6 ? "]" : "", p->port);
	for (k = 0; buf[k] != '\0'; k++)
		if (strchr("'=| ", buf[k]) != NULL ||
		    (unsigned char)buf[k] < 0x20)
			buf[k] = '_';
}

/* summary - one line about the run when no finding counts */
static void
summary(FILE *fp, int state, const struct run_summary *sum)
{
	fprintf(fp,
	    "%zu port%s of %zu target%s: %zu ok, %zu warning, %zu "
	    "critical",
	    sum->probes, sum->probes == 1 ? "" : "s", sum->targets,
	    sum->targets == 1 ? "" : "s", sum->status[STATUS_OK],
	    sum->status[STATUS_WARNING], sum->status[STATUS_CRITICAL]);
	if (state != NAGIOS_UNKNOWN)
		return;
	if (sum->signal != 0)
		fputs("; interrupted, unfinished ports not checked", fp);
	else if (sum->target_errors > 0)
		fprintf(fp, "; %zu target%s could not be probed",
		    sum->target_errors, sum->target_errors == 1 ? "" : "s");
	else
		fputs("; nothing was probed", fp);
}

/* one_line - s escaped for one line of output, '|' made '/'; freed by
 * the caller */
static char *
one_line(const char *s)
{
	size_t k, n;
	char *safe = sanitize(s, strlen(s), SAN_TERMINAL, &n);

	for (k = 0; k < n; k++)
		if (safe[k] == '|')
			safe[k] = '/';
	return safe;
}

/* nag_free - close the spools */
static void
nag_free(struct nag *ng)
{
	if (ng->lines != NULL)
		(void)fclose(ng->lines);
	if (ng->perf != NULL)
		(void)fclose(ng->perf);
	free(ng);
}
