/* RFC 3339 timestamps in UTC with nanoseconds, as every record carries. */
#ifndef CT_TIMEFMT_H
#define CT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest text ct_time_format() writes, with its NUL. */
#define CT_TIME_MAX 40

/*
 * Write "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" into out (at least CT_TIME_MAX
 * bytes).  Returns the length, without the NUL.
 */
size_t ct_time_format(char *out, size_t outsz, time_t sec, long nsec);

/* The same for nanoseconds since the epoch. */
size_t ct_time_format_ns(char *out, size_t outsz, uint64_t ns);

#endif
