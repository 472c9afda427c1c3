/*
 * log.h - diagnostics on stderr (stdout is the report).
 */
#ifndef SMTP_PROBE_LOG_H
#define SMTP_PROBE_LOG_H

/* 0: warnings only; 1: -v; 2: -vv */
extern int log_verbosity;

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
