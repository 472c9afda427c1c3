/*
 * clock.c - CLOCK_MONOTONIC in milliseconds.
 */
#include "clock.h"

#include <time.h>

/* clock_ms - monotonic time in milliseconds */
int64_t
clock_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
