/*
 * prometheus.c - the Prometheus text exposition format 0.0.4, for the
 * node_exporter textfile collector (report-contract.md, "Prometheus").
 *
 * The format wants every series of a metric family in one group, under
 * its # HELP and # TYPE, while targets arrive one at a time and are freed
 * at once. Each family therefore has a spool (spool.h: an unnamed
 * temporary file) that a target's series are appended to as it finishes;
 * the end writes each family's header and copies its spool after it. What
 * is held grows on disk, never in memory: memory depends on -j, as in
 * every format. (Sorting the series in memory would keep every target;
 * holding each target until the end would too.)
 *
 * No sample carries a timestamp (the textfile collector skips a file that
 * has one); values are in base units, seconds and Unix seconds. Every
 * per-probe series has the labels host, address, port and mode (the
 * dialogue that really took place, as the report's "mode"); label values
 * are escaped as the format asks (backslash, double quote, newline). A
 * target given twice gives the same series twice, which the collector
 * refuses: give each target once.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "versions.h"
#include "spool.h"
#include "target.h"
#include "xalloc.h"

enum fam {
	FAM_SUCCESS,
	FAM_DURATION,
	FAM_PHASE,
	FAM_STARTTLS,
	FAM_TLS,
	FAM_TLS_VERSION,
	FAM_VERSION_ACCEPTED,
	FAM_EXPIRY,
	FAM_TRUSTED,
	FAM_AUTH,
	FAM_FINDINGS,
	FAM_FINDING,
	FAM_COUNT
};

static const struct {
	const char *name, *help;
} fams[FAM_COUNT] = {
    [FAM_SUCCESS] = {"smtp_probe_success",
	"1 when the dialogue ran to QUIT and TLS was established where it "
	"was expected (every mode but plain)."},
    [FAM_DURATION] = {"smtp_probe_duration_seconds",
	"Time the whole probe of the port took, reconnections included."},
    [FAM_PHASE] = {"smtp_probe_phase_duration_seconds",
	"Time each phase of the dialogue took, for the phases that ran."},
    [FAM_STARTTLS] = {"smtp_probe_starttls_offered",
	"1 when EHLO in clear text offered STARTTLS."},
    [FAM_TLS] = {"smtp_probe_tls_established",
	"1 when a TLS session was established."},
    [FAM_TLS_VERSION] = {"smtp_probe_tls_version_info",
	"The TLS version and cipher suite negotiated (value 1)."},
    [FAM_VERSION_ACCEPTED] = {"smtp_probe_tls_version_accepted",
	"With --tls-versions: 1 when a handshake offering only this TLS "
	"version succeeded."},
    [FAM_EXPIRY] = {"smtp_probe_cert_expiry_timestamp_seconds",
	"The earliest notAfter in the chain the server sent, in Unix "
	"seconds."},
    [FAM_TRUSTED] = {"smtp_probe_cert_trusted",
	"1 when the chain leads to a trusted root."},
    [FAM_AUTH] = {"smtp_probe_auth_only_after_tls",
	"1 when AUTH is offered inside TLS and not in clear text."},
    [FAM_FINDINGS] = {"smtp_probe_findings",
	"Number of findings of the probe, by severity."},
    [FAM_FINDING] = {"smtp_probe_finding",
	"Each finding the probe raised (value 1); ids are in the README."},
};

/* The spools, one per family, in the order they are written out. */
struct prom {
	FILE *spool[FAM_COUNT]; /* owned */
};

/* Room for the four labels, values escaped (at worst doubled). */
#define LABELS_MAX 1024

static void probe_series(
    FILE **, const struct target_result *, const struct probe_result *);
static void findings_series(FILE *, const char *, const struct probe_result *);
static void finding_series(FILE *, const char *, const struct probe_result *);
static void labels(
    char *, size_t, const struct target_result *, const struct probe_result *);
static void escape(char *, size_t, const char *);
static void flag(FILE **, enum fam, const char *, bool);
static int run_series(FILE *, const struct sink *, const struct run_summary *);
static void family(FILE *, const char *, const char *);
static void prom_free(struct prom *);

/* report_prometheus_begin - a spool for each family */
int
report_prometheus_begin(struct sink *s)
{
	struct prom *pm = xcalloc(1, sizeof(*pm));
	size_t i;

	s->state = pm;
	for (i = 0; i < FAM_COUNT; i++)
		if ((pm->spool[i] = spool_open()) == NULL)
			return -1;
	return 0;
}

/* report_prometheus_target - t's series, appended to their families */
int
report_prometheus_target(struct sink *s, const struct target_result *t)
{
	struct prom *pm = s->state;
	size_t i;

	if (pm == NULL || pm->spool[FAM_COUNT - 1] == NULL)
		return -1;
	for (i = 0; i < t->nprobes; i++)
		probe_series(pm->spool, t, &t->probes[i]);
	for (i = 0; i < FAM_COUNT; i++)
		if (ferror(pm->spool[i]))
			return -1;
	return 0;
}

/*
 * report_prometheus_end - each family that has series, header first,
 * then the run's own; the spools are released whatever happens
 */
int
report_prometheus_end(struct sink *s, const struct run_summary *sum)
{
	struct prom *pm = s->state;
	int ret = 0;
	size_t i;

	if (pm == NULL || pm->spool[FAM_COUNT - 1] == NULL)
		ret = -1;
	for (i = 0; ret == 0 && i < FAM_COUNT; i++) {
		if (ftell(pm->spool[i]) <= 0)
			continue;
		family(s->fp, fams[i].name, fams[i].help);
		ret = spool_copy(pm->spool[i], s->fp);
	}
	if (ret == 0)
		ret = run_series(s->fp, s, sum);
	if (pm != NULL)
		prom_free(pm);
	s->state = NULL;
	return ret;
}

/* probe_series - every series of one probe, into the families' spools */
static void
probe_series(
    FILE **sp, const struct target_result *t, const struct probe_result *p)
{
	char l[LABELS_MAX], v[256], c[256];
	time_t expiry = 0;
	size_t i;
	int ph;

	labels(l, sizeof(l), t, p);
	flag(sp, FAM_SUCCESS, l, policy_success(p));
	if (p->timing.total >= 0)
		fprintf(sp[FAM_DURATION], "%s{%s} %.3f\n",
		    fams[FAM_DURATION].name, l, (double)p->timing.total / 1000);
	for (ph = PHASE_CONNECT; ph < PHASE_COUNT; ph++)
		if (p->timing.phase[ph] >= 0)
			fprintf(sp[FAM_PHASE], "%s{%s,phase=\"%s\"} %.3f\n",
			    fams[FAM_PHASE].name, l, phase_names[ph],
			    (double)p->timing.phase[ph] / 1000);
	flag(sp, FAM_STARTTLS, l, p->starttls.offered);
	flag(sp, FAM_TLS, l, p->tls.established);
	if (p->tls.established) {
		escape(v, sizeof(v), tls_version_names[p->tls.version]);
		escape(c, sizeof(c), p->tls.cipher);
		fprintf(sp[FAM_TLS_VERSION],
		    "%s{%s,version=\"%s\",cipher=\"%s\"} 1\n",
		    fams[FAM_TLS_VERSION].name, l, v, c);
	}
	for (i = 0; p->versions != NULL && i < SWEEP_VERSIONS; i++)
		fprintf(sp[FAM_VERSION_ACCEPTED], "%s{%s,version=\"%s\"} %d\n",
		    fams[FAM_VERSION_ACCEPTED].name, l,
		    tls_version_names[versions_version(i)],
		    p->versions->v[i].accepted);
	for (i = 0; i < p->ncerts; i++)
		if (p->certs[i].parsed &&
		    (expiry == 0 || p->certs[i].not_after < expiry))
			expiry = p->certs[i].not_after;
	if (expiry != 0)
		fprintf(sp[FAM_EXPIRY], "%s{%s} %lld\n", fams[FAM_EXPIRY].name,
		    l, (long long)expiry);
	if (p->verification.present)
		flag(sp, FAM_TRUSTED, l, p->verification.trusted);
	flag(sp, FAM_AUTH, l, p->auth.only_after_tls);
	findings_series(sp[FAM_FINDINGS], l, p);
	finding_series(sp[FAM_FINDING], l, p);
}

/*
 * findings_series - the count of each severity, 0 included, so that an
 * alert can compare it
 */
static void
findings_series(FILE *fp, const char *l, const struct probe_result *p)
{
	size_t i, n[SEV_COUNT] = {0};
	int sev;

	for (i = 0; i < p->nfindings; i++)
		n[p->findings[i].severity]++;
	for (sev = 0; sev < SEV_COUNT; sev++)
		fprintf(fp, "%s{%s,severity=\"%s\"} %zu\n",
		    fams[FAM_FINDINGS].name, l, severity_names[sev], n[sev]);
}

/*
 * finding_series - each distinct id and severity once: a probe may raise
 * an id twice (two expiring certificates), and two equal series would
 * make the collector refuse the whole file
 */
static void
finding_series(FILE *fp, const char *l, const struct probe_result *p)
{
	const struct finding *f = p->findings;
	size_t i, k;

	for (i = 0; i < p->nfindings; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(f[k].id, f[i].id) == 0 &&
			    f[k].severity == f[i].severity)
				break;
		if (k == i)
			fprintf(fp, "%s{%s,id=\"%s\",severity=\"%s\"} 1\n",
			    fams[FAM_FINDING].name, l, f[i].id,
			    severity_names[f[i].severity]);
	}
}

/* labels - host="…",address="…",port="…",mode="…" */
static void
labels(char *buf, size_t size, const struct target_result *t,
    const struct probe_result *p)
{
	char host[HOSTNAME_MAX + 1], eh[2 * sizeof(host)], ea[2 * 64 + 2];

	target_host(t->host, host, sizeof(host));
	escape(eh, sizeof(eh), host);
	escape(ea, sizeof(ea), p->address);
	(void)snprintf(buf, size,
	    "host=\"%s\",address=\"%s\",port=\"%d\",mode=\"%s\"", eh, ea,
	    p->port, mode_names[p->mode]);
}

/*
 * escape - s as a label value: backslash, double quote and newline
 * escaped, other control bytes as '?' (a host name has none; a target
 * line might); cut to fit out
 */
static void
escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 < size; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			out[n++] = '\\';
			out[n++] = *s == '\n' ? 'n' : *s;
		} else
			out[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
	}
	out[n] = '\0';
}

/* flag - one 0/1 series of family f */
static void
flag(FILE **sp, enum fam f, const char *l, bool v)
{
	fprintf(sp[f], "%s{%s} %d\n", fams[f].name, l, v ? 1 : 0);
}

/* run_series - the run's own families, straight to the output */
static int
run_series(FILE *fp, const struct sink *s, const struct run_summary *sum)
{
	family(fp, "smtp_probe_run_timestamp_seconds",
	    "When the run started, in Unix seconds.");
	fprintf(fp, "smtp_probe_run_timestamp_seconds %lld\n",
	    (long long)s->started_at);
	family(
	    fp, "smtp_probe_run_duration_seconds", "Time the whole run took.");
	fprintf(fp, "smtp_probe_run_duration_seconds %.3f\n",
	    (double)sum->duration_ms / 1000);
	family(fp, "smtp_probe_run_target_errors",
	    "Targets that could not be probed at all (a bad line of -f).");
	fprintf(fp, "smtp_probe_run_target_errors %zu\n", sum->target_errors);
	family(fp, "smtp_probe_run_interrupted",
	    "1 when SIGINT or SIGTERM stopped the run: unfinished probes "
	    "are missing.");
	fprintf(fp, "smtp_probe_run_interrupted %d\n", sum->signal != 0);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}

/* family - the # HELP and # TYPE lines of a gauge */
static void
family(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* prom_free - close every spool */
static void
prom_free(struct prom *pm)
{
	size_t i;

	for (i = 0; i < FAM_COUNT; i++)
		if (pm->spool[i] != NULL)
			(void)fclose(pm->spool[i]);
	free(pm);
}
