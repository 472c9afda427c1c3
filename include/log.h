/*
 * log.h - diagnostics on stderr (stdout is the report), one line each,
 * "smtp-probe: MESSAGE", with every control character of the message
 * escaped as \xNN (user input and server text may be quoted in it).
 */
#ifndef SMTP_PROBE_LOG_H
#define SMTP_PROBE_LOG_H

#include <stdarg.h>

/* 0: warnings only; 1: -v; 2: -vv */
extern int log_verbosity;

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_vwarn(const char *, va_list) __attribute__((format(printf, 1, 0)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
