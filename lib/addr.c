/*
 * Address parsing by hand rather than with inet_pton(3): the text sits
 * inside a JSON line without a NUL, this runs once per event, and the
 * accepted forms must match Go's netip (no leading zeros in IPv4
 * octets, which some inet_pton versions read as octal).
 */
#include "addr.h"

#include <string.h>
#include <sys/socket.h>

/* A hex digit's value plus one, 0 for other bytes: one load per digit. */
static const unsigned char hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int
hexdigit(char c)
{
	return (int)hex1[(unsigned char)c] - 1;
}

/* Dotted quad, all of s[0..n). */
static int
parse4(const char *s, size_t n, uint32_t *out)
{
	const char *end = s + n;
	uint32_t v = 0;
	unsigned octet, digits;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (s == end || *s != '.')
				return -1;
			s++;
		}
		octet = 0;
		digits = 0;
		while (s < end && *s >= '0' && *s <= '9') {
			if (digits > 0 && octet == 0)
				return -1;	/* leading zero */
			octet = octet * 10 + (unsigned)(*s - '0');
			if (octet > 255)
				return -1;
			digits++;
			s++;
		}
		if (digits == 0)
			return -1;
		v = v << 8 | octet;
	}
	if (s != end)
		return -1;
	*out = v;
	return 0;
}

/* RFC 4291 section 2.2 text, all of s[0..n), into 16 bytes. */
static int
parse6(const char *s, size_t n, uint8_t out[16])
{
	const char *end = s + n, *start;
	uint16_t g[8];
	uint32_t v4;
	int ng = 0, gap = -1, d, i;
	unsigned v, digits;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
		if (s == end)
			goto done;
	} else if (n >= 1 && s[0] == ':')
		return -1;
	for (;;) {
		start = s;
		v = 0;
		digits = 0;
		while (s < end && (d = hexdigit(*s)) >= 0) {
			if (++digits > 4)
				return -1;
			v = v << 4 | (unsigned)d;
			s++;
		}
		if (s < end && *s == '.') {
			/* A trailing dotted quad fills the last two groups. */
			if (ng > 6 || parse4(start, (size_t)(end - start), &v4) < 0)
				return -1;
			g[ng++] = v4 >> 16;
			g[ng++] = v4 & 0xffff;
			s = end;
			break;
		}
		if (digits == 0 || ng == 8)
			return -1;
		g[ng++] = v;
		if (s == end)
			break;
		if (*s != ':')
			return -1;
		s++;
		if (s < end && *s == ':') {
			if (gap >= 0)
				return -1;
			gap = ng;
			s++;
			if (s == end)
				break;
		} else if (s == end)
			return -1;
	}
done:
	if (gap < 0 && ng != 8)
		return -1;
	if (gap >= 0 && ng > 7)
		return -1;
	memset(out, 0, 16);
	if (gap < 0)
		gap = ng;
	for (i = 0; i < gap; i++) {
		out[2 * i] = g[i] >> 8;
		out[2 * i + 1] = g[i] & 0xff;
	}
	for (i = ng - 1; i >= gap; i--) {
		int j = 8 - (ng - i);

		out[2 * j] = g[i] >> 8;
		out[2 * j + 1] = g[i] & 0xff;
	}
	return 0;
}

static uint64_t
load64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* Whether a 16-byte address is ::ffff:a.b.c.d. */
static bool
is_mapped(uint64_t hi, uint64_t lo)
{
	return hi == 0 && lo >> 32 == 0xffff;
}

/*
 * Whether text is IPv6: a colon comes within the first five bytes ("::"
 * or a group of at most four hex digits), and never in IPv4.
 */
static bool
has_colon(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 5; i++)
		if (s[i] == ':')
			return true;
	return false;
}

int
ct_addr_parse(const char *s, size_t n, struct ct_addr *a)
{
	uint8_t b[16];

	if (!has_colon(s, n)) {
		if (parse4(s, n, &a->v4) < 0)
			return -1;
		a->family = AF_INET;
		a->hi = a->lo = 0;
		return 0;
	}
	if (parse6(s, n, b) < 0)
		return -1;
	a->hi = load64(b);
	a->lo = load64(b + 8);
	if (is_mapped(a->hi, a->lo)) {
		a->family = AF_INET;
		a->v4 = (uint32_t)a->lo;
		a->hi = a->lo = 0;
	} else {
		a->family = AF_INET6;
		a->v4 = 0;
	}
	return 0;
}

int
ct_prefix_parse(const char *s, size_t n, struct ct_addr *a, unsigned *len,
    const char **why)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash != NULL ? (size_t)(slash - s) : n;
	unsigned v = 0, max;
	size_t i;
	bool mapped;

	if (ct_addr_parse(s, alen, a) < 0) {
		*why = "invalid address";
		return -1;
	}
	mapped = a->family == AF_INET && memchr(s, ':', alen) != NULL;
	max = a->family == AF_INET && !mapped ? 32 : 128;
	if (slash == NULL) {
		*len = a->family == AF_INET ? 32 : 128;
		return 0;
	}
	if (alen + 1 == n) {
		*why = "missing prefix length";
		return -1;
	}
	for (i = alen + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || (i > alen + 1 && v == 0)) {
			*why = "invalid prefix length";
			return -1;
		}
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max) {
			*why = "prefix length out of range";
			return -1;
		}
	}
	if (mapped) {
		if (v < 96) {
			/* Shorter than the mapped block: an IPv6 prefix. */
			a->family = AF_INET6;
			a->hi = 0;
			a->lo = 0xffff00000000ULL | a->v4;
			a->v4 = 0;
		} else
			v -= 96;
	}
	*len = v;
	return 0;
}

void
ct_addr_mask(struct ct_addr *a, unsigned len)
{
	if (a->family == AF_INET) {
		if (len < 32)
			a->v4 &= len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
		return;
	}
	if (len < 64) {
		a->hi &= len == 0 ? 0 : ~(uint64_t)0 << (64 - len);
		a->lo = 0;
	} else if (len < 128)
		a->lo &= len == 64 ? 0 : ~(uint64_t)0 << (128 - len);
}

unsigned
ct_addr_class(const struct ct_addr *a)
{
	uint32_t v = a->v4;
	uint64_t hi = a->hi;

	if (a->family == AF_INET) {
		if (v >> 24 == 127 || v >> 16 == 0xa9fe)
			return CT_NET_LOCAL;
		if (v >> 24 == 10 || v >> 20 == 0xac1 || v >> 16 == 0xc0a8)
			return CT_NET_PRIVATE;
		if (v >> 28 == 0xe)
			return CT_NET_MULTICAST;
		return CT_NET_PUBLIC;
	}
	if ((hi == 0 && a->lo == 1) || hi >> 54 == 0x3fa)
		return CT_NET_LOCAL;
	if (hi >> 57 == 0x7e)
		return CT_NET_PRIVATE;
	if (hi >> 56 == 0xff)
		return CT_NET_MULTICAST;
	return CT_NET_PUBLIC;
}

bool
ct_addr_eq(const struct ct_addr *a, const struct ct_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return a->hi == b->hi && a->lo == b->lo;
}
