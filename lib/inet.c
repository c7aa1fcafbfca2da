/* Address formatting. */
#include "inet.h"

#include <string.h>
#include <sys/socket.h>

static char *
put_quad(char *p, const uint8_t *a)
{
	int i;
	unsigned v;

	for (i = 0; i < 4; i++) {
		v = a[i];
		if (v >= 100)
			*p++ = '0' + v / 100;
		if (v >= 10)
			*p++ = '0' + v / 10 % 10;
		*p++ = '0' + v % 10;
		if (i < 3)
			*p++ = '.';
	}
	return p;
}

static char *
put_group(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift, started = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned d = v >> shift & 0xf;

		if (d != 0 || started || shift == 0) {
			*p++ = hex[d];
			started = 1;
		}
	}
	return p;
}

size_t
ct_inet_format(char *out, int family, const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	unsigned g[8];
	int i, best = -1, bestlen = 1, run = -1;
	char *p = out;

	if (family == AF_INET) {
		p = put_quad(p, a);
		*p = '\0';
		return p - out;
	}
	if (family != AF_INET6) {
		*out = '\0';
		return 0;
	}
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		memcpy(p, "::ffff:", 7);
		p = put_quad(p + 7, a + 12);
		*p = '\0';
		return p - out;
	}
	for (i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* Find the first longest run of at least two zero groups. */
	for (i = 0; i <= 8; i++) {
		if (i < 8 && g[i] == 0) {
			if (run < 0)
				run = i;
			continue;
		}
		if (run >= 0 && i - run > bestlen) {
			best = run;
			bestlen = i - run;
		}
		run = -1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		p = put_group(p, g[i]);
		if (i < 7)
			*p++ = ':';
	}
	*p = '\0';
	return p - out;
}
