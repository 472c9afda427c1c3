/*
 * json_build.h - the pieces every JSON renderer builds the report with:
 * strings made valid UTF-8 first (jansson refuses anything else, and a
 * server may send anything), RFC 3339 times, and insertion that ends the
 * tool on out of memory (exit 3), the only way jansson fails here.
 */
#ifndef SMTP_PROBE_JSON_BUILD_H
#define SMTP_PROBE_JSON_BUILD_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

/* jb_bytes - a JSON string from len raw bytes (data NULL: "") */
json_t *jb_bytes(const void *data, size_t len);

/* jb_str - a JSON string from a C string */
json_t *jb_str(const char *s);

/* jb_str_or_null - s, or null for NULL or "" (unknown, as the report says) */
json_t *jb_str_or_null(const char *s);

/* rfc3339_utc - t as RFC 3339 in UTC, "2026-11-30T09:00:00Z", into buf
 * (32 bytes are enough); returns buf */
const char *rfc3339_utc(time_t t, char *buf, size_t size);

/* jb_time - t as an RFC 3339 string in UTC */
json_t *jb_time(time_t t);

/* jb_checked - j, or exit 3 when it is NULL (jansson: out of memory) */
json_t *jb_checked(json_t *j);

/* jb_set - obj[key] = v, taking v's reference */
void jb_set(json_t *obj, const char *key, json_t *v);

/* jb_push - v appended to arr, taking v's reference */
void jb_push(json_t *arr, json_t *v);

#endif
