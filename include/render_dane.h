/*
 * render_dane.h - the dane object of a probe (--dane) in the JSON report
 * and as one line of the text report (reports/render_dane.c); renders
 * only, judges nothing.
 */
#ifndef SMTP_PROBE_RENDER_DANE_H
#define SMTP_PROBE_RENDER_DANE_H

#include <jansson.h>

#include "result.h"

/* dane_json - d as the report's "dane" object */
json_t *dane_json(const struct dane_result *d);

/* dane_text - d in words, for people; the caller frees it */
char *dane_text(const struct dane_result *d);

#endif
