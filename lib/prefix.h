/*
 * struct ct_prefix_set: a set of IPv4 and IPv6 prefixes with a lookup
 * whose cost hardly depends on the set's size, for address lists of
 * 100,000 entries (blocklists) as well as for one address.
 *
 * The set owns its memory.  Add prefixes, call ct_prefix_set_build()
 * once, then look addresses up; lookups allocate nothing and do not
 * change the set.  IPv4 and IPv6 live in separate tables, so an IPv6
 * prefix such as ::/0 holds no IPv4 address, as in Go's netip; since
 * ct_addr_parse() stores IPv4-mapped addresses as IPv4, they are found
 * among the IPv4 prefixes.
 */
#ifndef CT_PREFIX_H
#define CT_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct ct_range4 {
	uint32_t first, last;
};

struct ct_range6 {
	uint64_t first_hi, first_lo, last_hi, last_lo;
};

struct ct_prefix_set {
	struct ct_range4 *r4;	/* sorted, disjoint, not adjacent */
	size_t n4, cap4;
	struct ct_range6 *r6;
	size_t n6, cap6;
	uint32_t *idx4;		/* by the top 16 bits; NULL when small */
	uint32_t *idx6;
};

/* Set up an empty set; allocates nothing. */
void ct_prefix_set_init(struct ct_prefix_set *);

/* Free the contents; the set is then empty. */
void ct_prefix_set_release(struct ct_prefix_set *);

/*
 * Add the prefix a/len (host bits beyond len are ignored).  Returns 0, or
 * -1 with errno ENOMEM.
 */
int ct_prefix_set_add(struct ct_prefix_set *, const struct ct_addr *a,
    unsigned len);

/*
 * Sort and merge what was added and build the lookup index.  Returns 0,
 * or -1 with errno ENOMEM.  Adding after building needs another build.
 */
int ct_prefix_set_build(struct ct_prefix_set *);

/* Whether a lies in one of the prefixes (after ct_prefix_set_build()). */
bool ct_prefix_set_contains(const struct ct_prefix_set *,
    const struct ct_addr *a);

/* The number of disjoint ranges the set holds, IPv4 plus IPv6. */
size_t ct_prefix_set_ranges(const struct ct_prefix_set *);

#endif
