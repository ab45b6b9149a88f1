/* timeutil.h: clocks and RFC 3339 formatting. */
#ifndef WEBMON_TIMEUTIL_H
#define WEBMON_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

/* Monotonic clock in milliseconds (fractional), for intervals and timeouts. */
double mono_ms(void);
/* Wall clock in microseconds since the Unix epoch. */
int64_t now_us(void);
/* "2026-11-23T12:34:56.123456Z" into out (at least 28 bytes). */
void fmt_rfc3339_us(char *out, size_t size, int64_t unix_us);
/* "2026-11-23T12:34:56Z" into out (at least 21 bytes). */
void fmt_rfc3339(char *out, size_t size, time_t t);

#endif
