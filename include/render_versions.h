/*
 * render_versions.h - the "tls_versions" of --tls-versions in the JSON and
 * text reports, and the "tls_version" of an attempt that swept one.
 */
#ifndef SMTP_PROBE_RENDER_VERSIONS_H
#define SMTP_PROBE_RENDER_VERSIONS_H

#include <stdio.h>

#include <jansson.h>

#include "result.h"

/*
 * render_versions_json - {"TLS1.0": {"accepted", "error"}, ...}; NULL
 * only when out of memory
 */
json_t *render_versions_json(const struct tls_versions_result *);

/*
 * render_versions_attempt - add "tls_version" to an attempt's object when
 * it swept a version. Returns 0, or -1 when out of memory.
 */
int render_versions_attempt(json_t *, const struct attempt_result *);

/* render_versions_text - "TLS1.0 no, TLS1.1 no, TLS1.2 yes, TLS1.3 yes" */
void render_versions_text(FILE *, const struct tls_versions_result *);

#endif
