/*
 * render_dane.c - struct dane_result (--dane) for the JSON and the text
 * report. Each TLSA record is written as in a zone file, "3 1 1 <hex>"
 * (RFC 6698 2.2), so that it can be compared with dig's output and pasted
 * into a zone; the name, the state and the sentences as they are.
 */
#include "render_dane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "dane.h"
#include "json_build.h"
#include "xalloc.h"

static char *record_text(const struct tlsa_record *);

/* dane_json - the "dane" object; null name and state without a name */
json_t *
dane_json(const struct dane_result *d)
{
	json_t *obj = jb_checked(json_object()),
	       *recs = jb_checked(json_array());
	char *s;
	size_t i;

	for (i = 0; i < d->nrecords; i++) {
		s = record_text(&d->records[i]);
		jb_push(recs, jb_str(s));
		free(s);
	}
	jb_set(obj, "name", d->named ? jb_str(d->name) : json_null());
	jb_set(obj, "dnssec",
	    d->named ? jb_str(dane_dnssec_names[d->dnssec]) : json_null());
	jb_set(obj, "records", recs);
	jb_set(obj, "records_truncated", json_boolean(d->records_truncated));
	jb_set(
	    obj, "match", d->match < 0 ? json_null() : json_boolean(d->match));
	jb_set(obj, "suggested", jb_str_or_null(d->suggested));
	jb_set(obj, "error", jb_str_or_null(d->error));
	jb_set(obj, "reason", jb_str_or_null(d->reason));
	return obj;
}

/*
 * dane_text - "secure _25._tcp.mx.example: match (why); 1 record: 3 1 1
 * ...; suggested 3 1 1 ..."
 */
char *
dane_text(const struct dane_result *d)
{
	static const char *const verdict[] = {"no match", "match"};
	char *buf, *s;
	size_t len = 4 * ERR_MSG_MAX + 2 * HOSTNAME_MAX, off;
	size_t i;

	for (i = 0; i < d->nrecords; i++)
		len += 2 * d->records[i].len + 16;
	buf = xmalloc(len);
	if (!d->named) {
		snprintf(buf, len, "no TLSA name: %s", d->error);
		return buf;
	}
	off = (size_t)snprintf(buf, len, "%s %s: %s (%s)",
	    dane_dnssec_names[d->dnssec], d->name,
	    d->match < 0 ? "not applied" : verdict[d->match], d->reason);
	if (d->error[0] && d->reason[0] && off < len)
		off += (size_t)snprintf(buf + off, len - off, "; %s", d->error);
	for (i = 0; i < d->nrecords && off < len; i++) {
		s = record_text(&d->records[i]);
		off += (size_t)snprintf(
		    buf + off, len - off, "%s %s", i == 0 ? ";" : ",", s);
		free(s);
	}
	if (d->suggested[0] && off < len)
		snprintf(buf + off, len - off, "; suggested %s", d->suggested);
	return buf;
}

/* record_text - "usage selector mtype hex", allocated */
static char *
record_text(const struct tlsa_record *r)
{
	const gnutls_datum_t d = {r->data, (unsigned int)r->len};
	size_t n = 16 + 2 * r->len, off, size;
	char *s = xmalloc(n);

	off = (size_t)snprintf(
	    s, n, "%u %u %u ", r->usage, r->selector, r->mtype);
	size = n - off;
	if (r->len > 0 && gnutls_hex_encode(&d, s + off, &size) < 0)
		s[off] = '\0';
	return s;
}
