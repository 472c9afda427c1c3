/*
 * version.h - the version smtp-probe reports (--version, tool.version).
 */
#ifndef SMTP_PROBE_VERSION_H
#define SMTP_PROBE_VERSION_H

#define SMTP_PROBE_VERSION "0.1.0"

#endif
