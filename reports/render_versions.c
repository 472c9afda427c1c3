/*
 * render_versions.c - --tls-versions in the JSON and text reports.
 *
 * Each version's error is a sentence from the probe (an alert name from
 * GnuTLS, or a session's error, which may quote what a server sent), so
 * it is made valid UTF-8 before jansson sees it: json_stringn() refuses
 * anything else. The text line keeps to yes, no and "not tried": the
 * reasons are in the JSON report.
 */
#include "render_versions.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "sanitize.h"
#include "versions.h"

static json_t *one(const struct version_result *);

/* render_versions_json - one object per version, in version order */
json_t *
render_versions_json(const struct tls_versions_result *vr)
{
	json_t *obj = json_object(), *v;
	size_t i;

	if (obj == NULL)
		return NULL;
	for (i = 0; i < SWEEP_VERSIONS; i++) {
		v = one(&vr->v[i]);
		if (v == NULL ||
		    json_object_set_new(
			obj, tls_version_names[versions_version(i)], v) == -1) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* render_versions_attempt - only the sweep's connections carry it */
int
render_versions_attempt(json_t *obj, const struct attempt_result *a)
{
	if (a->version == TLSV_UNKNOWN)
		return 0;
	return json_object_set_new(
	    obj, "tls_version", json_string(tls_version_names[a->version]));
}

/* render_versions_text - accepted or not, each version in turn */
void
render_versions_text(FILE *fp, const struct tls_versions_result *vr)
{
	const struct version_result *v;
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++) {
		v = &vr->v[i];
		fprintf(fp, "%s%s %s", i > 0 ? ", " : "",
		    tls_version_names[versions_version(i)],
		    v->accepted    ? "yes"
			: v->tried ? "no"
				   : "not tried");
	}
}

/* one - {"accepted": bool, "error": string or null} */
static json_t *
one(const struct version_result *v)
{
	json_t *obj = json_object(), *err;
	size_t n;
	char *s;

	if (obj == NULL)
		return NULL;
	if (v->accepted)
		err = json_null();
	else {
		s = sanitize(v->error, strlen(v->error), SAN_JSON, &n);
		err = json_stringn(s, n);
		free(s);
	}
	if (err == NULL ||
	    json_object_set_new(obj, "accepted", json_boolean(v->accepted)) ==
		-1 ||
	    json_object_set_new(obj, "error", err) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
