/*
 * result.c - construction and release of the plain result data.
 *
 * The first failure recorded for a probe wins (curl's rule): later
 * failures are consequences of it and would only hide the cause. Freeing
 * needs no library: a result holds plain data only, certificates included.
 */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_sts.h"
#include "xalloc.h"

static void reply_free(struct reply *);
static char **strings_copy(char *const *, size_t, size_t *);
static void dane_free(struct dane_result *);

/* result_probe_init - empty result for one port */
void
result_probe_init(struct probe_result *p, int port, enum mode requested)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->port = port;
	p->requested_mode = requested;
	p->mode = MODE_UNKNOWN;
	for (i = 0; i < PHASE_COUNT; i++)
		p->timing.phase[i] = -1;
	p->timing.total = 0;
	p->verification.hostname_match = -1;
	p->worst = -1;
}

/* result_probe_free - release everything a probe result owns */
void
result_probe_free(struct probe_result *p)
{
	size_t i;

	reply_free(&p->banner);
	result_ehlo_free(&p->ehlo);
	result_ehlo_free(&p->ehlo_tls);
	result_text_free(&p->injection.evidence);
	result_text_free(&p->starttls.text);
	result_text_free(&p->login.text);
	for (i = 0; i < p->ncerts; i++)
		result_cert_free(&p->certs[i]);
	free(p->certs);
	for (i = 0; i < p->auth.nbefore; i++)
		result_text_free(&p->auth.before[i]);
	for (i = 0; i < p->auth.nafter; i++)
		result_text_free(&p->auth.after[i]);
	free(p->advice.text);
	dane_free(p->dane);
	for (i = 0; i < p->nfindings; i++)
		free(p->findings[i].message);
	for (i = 0; i < p->transcript.n; i++)
		result_text_free(&p->transcript.lines[i].text);
	free(p->transcript.lines);
	free(p->versions);
	memset(p, 0, sizeof(*p));
}

/* result_target_free - release a target and its probes */
void
result_target_free(struct target_result *t)
{
	size_t i;

	for (i = 0; i < t->nfindings; i++)
		free(t->findings[i].message);
	for (i = 0; i < t->nprobes; i++)
		result_probe_free(&t->probes[i]);
	free(t->probes);
	free(t->host);
	free(t->sni);
	free(t->mx);
	free(t->srv);
	sts_result_free(t->mta_sts);
	memset(t, 0, sizeof(*t));
}

/* result_text_set - owned, NUL-terminated copy of raw bytes */
void
result_text_set(struct text *t, const void *data, size_t len)
{
	free(t->data);
	t->data = xmemdup(data, len);
	t->len = len;
}

/* result_text_free - release a text */
void
result_text_free(struct text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

/* result_fail - record the first failure; later ones are ignored */
void
result_fail(struct probe_error *e, enum phase phase, enum err_kind kind,
    const char *fmt, ...)
{
	va_list ap;

	if (e->set)
		return;
	e->set = true;
	e->phase = phase;
	e->kind = kind;
	va_start(ap, fmt);
	/* A cut message is still a useful message. */
	(void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* result_transcript_add - append a line unless the byte budget is spent */
void
result_transcript_add(struct transcript *t, int64_t ms, enum transcript_dir dir,
    const void *data, size_t len)
{
	struct transcript_line *l;

	if (!t->enabled)
		return;
	if (len > TRANSCRIPT_BYTES_MAX - t->bytes) {
		t->truncated = true;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->lines = xreallocarray(t->lines, t->cap, sizeof(*t->lines));
	}
	l = &t->lines[t->n++];
	l->ms = ms;
	l->dir = dir;
	l->text.data = NULL;
	result_text_set(&l->text, data, len);
	t->bytes += len;
}

static void
reply_free(struct reply *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		result_text_free(&r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* result_ehlo_free - release what an EHLO result owns, and empty it */
void
result_ehlo_free(struct ehlo_result *e)
{
	size_t i, k;

	reply_free(&e->reply);
	for (i = 0; i < e->ncaps; i++) {
		result_text_free(&e->caps[i].keyword);
		for (k = 0; k < e->caps[i].nparams; k++)
			result_text_free(&e->caps[i].params[k]);
		free(e->caps[i].params);
	}
	free(e->caps);
	memset(e, 0, sizeof(*e));
}

/* result_cert_free - release what one certificate entry owns and zero it */
void
result_cert_free(struct cert_info *ci)
{
	size_t i;

	free(ci->subject);
	free(ci->issuer);
	for (i = 0; i < ci->nsan_dns; i++)
		free(ci->san_dns[i]);
	free(ci->san_dns);
	for (i = 0; i < ci->nsan_ip; i++)
		free(ci->san_ip[i]);
	free(ci->san_ip);
	free(ci->pem);
	memset(ci, 0, sizeof(*ci));
}

/* result_cert_copy - a deep copy; returns the bytes the copy owns */
size_t
result_cert_copy(struct cert_info *dst, const struct cert_info *src)
{
	size_t bytes = 0;

	*dst = *src;
	if (src->subject != NULL) {
		dst->subject = xstrdup(src->subject);
		bytes += strlen(src->subject) + 1;
	}
	if (src->issuer != NULL) {
		dst->issuer = xstrdup(src->issuer);
		bytes += strlen(src->issuer) + 1;
	}
	if (src->pem != NULL) {
		dst->pem = xstrdup(src->pem);
		bytes += strlen(src->pem) + 1;
	}
	dst->san_dns = strings_copy(src->san_dns, src->nsan_dns, &bytes);
	dst->san_ip = strings_copy(src->san_ip, src->nsan_ip, &bytes);
	return bytes;
}

/* strings_copy - n owned strings, their size added to *bytes */
static char **
strings_copy(char *const *v, size_t n, size_t *bytes)
{
	char **out;
	size_t i;

	if (n == 0)
		return NULL;
	out = xcalloc(n, sizeof(*out));
	*bytes += n * sizeof(*out);
	for (i = 0; i < n; i++) {
		out[i] = xstrdup(v[i]);
		*bytes += strlen(v[i]) + 1;
	}
	return out;
}

/* dane_free - --dane's result: its records, a chain still kept, itself */
static void
dane_free(struct dane_result *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nrecords; i++)
		free(d->records[i].data);
	for (i = 0; i < d->nchain; i++)
		result_text_free(&d->chain[i]);
	free(d);
}
