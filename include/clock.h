/*
 * clock.h - monotonic milliseconds for deadlines and timings.
 *
 * Wall-clock time is used only for started_at and certificate validity;
 * everything that measures or limits a duration uses this.
 */
#ifndef SMTP_PROBE_CLOCK_H
#define SMTP_PROBE_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);

#endif
