/*
 * RFC 3339 formatting.  The date part is cached per second: at 250,000
 * events a second, gmtime_r() for every event would cost more than the
 * rest of the record.
 */
#include "timefmt.h"

#include <string.h>

size_t
ct_time_format(char *out, size_t outsz, time_t sec, long nsec)
{
	static __thread time_t cached_sec;
	static __thread int cached_valid;
	static __thread char cached[24];	/* "YYYY-MM-DDTHH:MM:SS" */
	struct tm tm;
	long ns;
	int i;

	if (outsz < CT_TIME_MAX) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	if (!cached_valid || sec != cached_sec) {
		if (gmtime_r(&sec, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		if (strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S",
		    &tm) != 19)
			memcpy(cached, "0000-00-00T00:00:00", 20);
		cached_sec = sec;
		cached_valid = 1;
	}
	memcpy(out, cached, 19);
	out[19] = '.';
	ns = nsec;
	for (i = 28; i >= 20; i--) {
		out[i] = '0' + ns % 10;
		ns /= 10;
	}
	out[29] = 'Z';
	out[30] = '\0';
	return 30;
}

size_t
ct_time_format_ns(char *out, size_t outsz, uint64_t ns)
{
	return ct_time_format(out, outsz, (time_t)(ns / 1000000000),
	    (long)(ns % 1000000000));
}
