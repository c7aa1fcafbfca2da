/*
 * struct ct_addr: an IPv4 or IPv6 address as a value, parsed from text
 * without allocation, and its network class.  IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are stored as the IPv4 address they carry, so that
 * "10.0.0.1" and "::ffff:10.0.0.1" compare equal and classify alike.
 */
#ifndef CT_ADDR_H
#define CT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint32_t v4;		/* AF_INET: host byte order */
	uint64_t hi, lo;	/* AF_INET6: the two halves, host order */
};

/* Network classes, as Go's net/netip and the Go conntrackd define them. */
#define CT_NET_LOCAL		0x1	/* loopback, link-local unicast */
#define CT_NET_PRIVATE		0x2	/* RFC 1918, fc00::/7 */
#define CT_NET_MULTICAST	0x4	/* 224.0.0.0/4, ff00::/8 */
#define CT_NET_PUBLIC		0x8	/* none of the above */

/*
 * Parse the n bytes at s (no NUL needed) as an address in the usual text
 * forms: dotted quad without leading zeros, or RFC 4291 IPv6 text
 * (any case, "::", trailing dotted quad), no zone.  Returns 0 or -1.
 */
int ct_addr_parse(const char *s, size_t n, struct ct_addr *a);

/*
 * Parse "ADDR" or "ADDR/LEN".  *len is the prefix length in the family
 * of the stored address (an IPv4-mapped prefix of length 96 or more
 * becomes an IPv4 prefix); without "/LEN" it is the full length.  Host
 * bits beyond the length are allowed and kept (see ct_addr_mask()).
 * Returns 0, or -1 with *why set to a static reason.
 */
int ct_prefix_parse(const char *s, size_t n, struct ct_addr *a,
    unsigned *len, const char **why);

/* Clear the bits of a beyond the first len. */
void ct_addr_mask(struct ct_addr *a, unsigned len);

/* The CT_NET_* class of a (exactly one bit). */
unsigned ct_addr_class(const struct ct_addr *a);

/* Whether a and b are the same address. */
bool ct_addr_eq(const struct ct_addr *a, const struct ct_addr *b);

#endif
