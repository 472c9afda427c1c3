/*
 * render_ocsp.h - the "ocsp" and "injection" objects of a probe, for the
 * JSON report (reports/json.c) and the text report (reports/text.c).
 * Server-controlled text (the responder URL a certificate names, a reply's
 * text) is sanitised here.
 */
#ifndef SMTP_PROBE_RENDER_OCSP_H
#define SMTP_PROBE_RENDER_OCSP_H

#include <stddef.h>

#include <jansson.h>

#include "result.h"

/* render_ocsp_json - the "ocsp" object; NULL only when out of memory */
json_t *render_ocsp_json(const struct ocsp_result *);

/* render_injection_json - the "injection" object; NULL: out of memory */
json_t *render_injection_json(const struct injection_result *);

/*
 * render_ocsp_text - the OCSP line for people into buf (raw: the caller
 * escapes it for the terminal); returns false when there is nothing to
 * say (no TLS, nothing stapled and no responder named)
 */
bool render_ocsp_text(const struct probe_result *, char *buf, size_t size);

/* render_injection_text - the injection line for people, likewise */
bool render_injection_text(
    const struct injection_result *, char *buf, size_t size);

#endif
