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

#include "json_build.h"
#include "names.h"
#include "versions.h"

/* render_versions_json - one object per version, in version order */
json_t *
render_versions_json(const struct tls_versions_result *vr)
{
	json_t *obj = jb_checked(json_object()), *one;
	size_t i;

	for (i = 0; i < SWEEP_VERSIONS; i++) {
		one = jb_checked(json_object());
		jb_set(one, "accepted", json_boolean(vr->v[i].accepted));
		jb_set(one, "error",
		    vr->v[i].accepted ? json_null() : jb_str(vr->v[i].error));
		jb_set(obj, tls_version_names[versions_version(i)], one);
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
