/* Number parsing for options. */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
parse(const char *s, uint64_t min, uint64_t max, uint64_t *out, int sized)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	if (sized && *end != '\0') {
		switch (*end) {
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		default: errno = EINVAL; return -1;
		}
		end++;
		if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
			end += strlen(end);
	}
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (v > max / mult || v * mult < min || v * mult > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mult;
	return 0;
}

int
ct_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse(s, min, max, out, 0);
}

int
ct_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse(s, min, max, out, 1);
}
