/*
 * json_build.c - the JSON report's building blocks, shared by json.c and
 * the renderers of the deeper checks (reports/render_*.c), so that every
 * string is sanitized and every failure handled the same way.
 */
#include "json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "sanitize.h"

/* jb_bytes - made valid UTF-8 first: json_stringn refuses anything else */
json_t *
jb_bytes(const void *data, size_t len)
{
	json_t *j;
	size_t n;
	char *s;

	s = sanitize(
	    data != NULL ? data : "", data != NULL ? len : 0, SAN_JSON, &n);
	j = jb_checked(json_stringn(s, n));
	free(s);
	return j;
}

json_t *
jb_str(const char *s)
{
	return jb_bytes(s, strlen(s));
}

json_t *
jb_str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? jb_str(s) : json_null();
}

/* rfc3339_utc - also for the text report, which shows times the same way */
const char *
rfc3339_utc(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "1970-01-01T00:00:00Z");
	return buf;
}

json_t *
jb_time(time_t t)
{
	char buf[32];

	return jb_str(rfc3339_utc(t, buf, sizeof(buf)));
}

json_t *
jb_checked(json_t *j)
{
	if (j == NULL) {
		fputs("smtp-probe: out of memory while building the report\n",
		    stderr);
		exit(EXIT_TOOL_FAILURE);
	}
	return j;
}

void
jb_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, jb_checked(v)) == -1)
		jb_checked(NULL);
}

void
jb_push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, jb_checked(v)) == -1)
		jb_checked(NULL);
}
