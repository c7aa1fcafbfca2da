/*
 * The prefix set as a two-level table rather than a pointer trie: the
 * prefixes become sorted, merged address ranges, and a 65,536-entry index
 * on the top 16 bits narrows each lookup to the one or two ranges that
 * share them.  A lookup then touches two cache lines whatever the set's
 * size, where a binary trie walks up to 128 nodes scattered in memory.
 */
#include "prefix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Below this many ranges a plain binary search is as fast as the index. */
#define INDEX_MIN 64
#define NBUCKET 65536

void
ct_prefix_set_init(struct ct_prefix_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
ct_prefix_set_release(struct ct_prefix_set *s)
{
	free(s->r4);
	free(s->r6);
	free(s->idx4);
	free(s->idx6);
	ct_prefix_set_init(s);
}

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / size / 2) {
		errno = ENOMEM;
		return -1;
	}
	if ((np = realloc(*p, ncap * size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
add6(struct ct_prefix_set *s, uint64_t fh, uint64_t fl, uint64_t lh,
    uint64_t ll)
{
	struct ct_range6 *r;

	if (grow((void **)&s->r6, &s->cap6, s->n6, sizeof(*s->r6)) < 0)
		return -1;
	r = &s->r6[s->n6++];
	r->first_hi = fh;
	r->first_lo = fl;
	r->last_hi = lh;
	r->last_lo = ll;
	return 0;
}

int
ct_prefix_set_add(struct ct_prefix_set *s, const struct ct_addr *a,
    unsigned len)
{
	struct ct_addr m = *a;
	uint64_t lh, ll;

	ct_addr_mask(&m, len);
	if (m.family == AF_INET) {
		if (grow((void **)&s->r4, &s->cap4, s->n4, sizeof(*s->r4)) < 0)
			return -1;
		s->r4[s->n4].first = m.v4;
		s->r4[s->n4].last = m.v4 | (len >= 32 ? 0 :
		    ~(uint32_t)0 >> len);
		s->n4++;
		return 0;
	}
	lh = m.hi | (len >= 64 ? 0 : ~(uint64_t)0 >> len);
	ll = m.lo | (len >= 128 ? 0 : len <= 64 ? ~(uint64_t)0 :
	    ~(uint64_t)0 >> (len - 64));
	return add6(s, m.hi, m.lo, lh, ll);
}

static int
cmp4(const void *a, const void *b)
{
	const struct ct_range4 *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/* Compare 128-bit values. */
static int
cmp128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl)
{
	if (ah != bh)
		return ah < bh ? -1 : 1;
	return (al > bl) - (al < bl);
}

static int
cmp6(const void *a, const void *b)
{
	const struct ct_range6 *x = a, *y = b;

	return cmp128(x->first_hi, x->first_lo, y->first_hi, y->first_lo);
}

static size_t
merge4(struct ct_range4 *r, size_t n)
{
	size_t i, o = 0;

	for (i = 1; i < n; i++) {
		if (r[o].last == UINT32_MAX || r[i].first <= r[o].last + 1) {
			if (r[i].last > r[o].last)
				r[o].last = r[i].last;
		} else
			r[++o] = r[i];
	}
	return n ? o + 1 : 0;
}

static size_t
merge6(struct ct_range6 *r, size_t n)
{
	size_t i, o = 0;
	uint64_t nh, nl;

	for (i = 1; i < n; i++) {
		/* next = last + 1, saturating at the top of the space */
		nl = r[o].last_lo + 1;
		nh = r[o].last_hi + (nl == 0);
		if ((r[o].last_hi == UINT64_MAX && r[o].last_lo == UINT64_MAX) ||
		    cmp128(r[i].first_hi, r[i].first_lo, nh, nl) <= 0) {
			if (cmp128(r[i].last_hi, r[i].last_lo, r[o].last_hi,
			    r[o].last_lo) > 0) {
				r[o].last_hi = r[i].last_hi;
				r[o].last_lo = r[i].last_lo;
			}
		} else
			r[++o] = r[i];
	}
	return n ? o + 1 : 0;
}

/* idx[b]: the first range whose last address is in bucket b or later. */
static uint32_t *
index4(const struct ct_range4 *r, size_t n)
{
	uint32_t *idx;
	size_t b, j = 0;

	if ((idx = malloc((NBUCKET + 1) * sizeof(*idx))) == NULL)
		return NULL;
	for (b = 0; b < NBUCKET; b++) {
		while (j < n && r[j].last >> 16 < b)
			j++;
		idx[b] = j;
	}
	idx[NBUCKET] = n;
	return idx;
}

static uint32_t *
index6(const struct ct_range6 *r, size_t n)
{
	uint32_t *idx;
	size_t b, j = 0;

	if ((idx = malloc((NBUCKET + 1) * sizeof(*idx))) == NULL)
		return NULL;
	for (b = 0; b < NBUCKET; b++) {
		while (j < n && r[j].last_hi >> 48 < b)
			j++;
		idx[b] = j;
	}
	idx[NBUCKET] = n;
	return idx;
}

int
ct_prefix_set_build(struct ct_prefix_set *s)
{
	if (s->n4 > UINT32_MAX - 1 || s->n6 > UINT32_MAX - 1) {
		errno = ENOMEM;
		return -1;
	}
	free(s->idx4);
	free(s->idx6);
	s->idx4 = s->idx6 = NULL;
	/* qsort() wants a valid pointer even for nothing to sort. */
	if (s->n4 > 1) {
		qsort(s->r4, s->n4, sizeof(*s->r4), cmp4);
		s->n4 = merge4(s->r4, s->n4);
	}
	if (s->n6 > 1) {
		qsort(s->r6, s->n6, sizeof(*s->r6), cmp6);
		s->n6 = merge6(s->r6, s->n6);
	}
	if (s->n4 >= INDEX_MIN && (s->idx4 = index4(s->r4, s->n4)) == NULL)
		return -1;
	if (s->n6 >= INDEX_MIN && (s->idx6 = index6(s->r6, s->n6)) == NULL)
		return -1;
	return 0;
}

static bool
contains4(const struct ct_prefix_set *s, uint32_t v)
{
	size_t lo = 0, hi = s->n4, mid;

	if (s->idx4 != NULL) {
		lo = s->idx4[v >> 16];
		hi = s->idx4[(v >> 16) + 1] + 1;
		if (hi > s->n4)
			hi = s->n4;
	}
	/* The first range that ends at or after v. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->r4[mid].last < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n4 && s->r4[lo].last >= v && s->r4[lo].first <= v;
}

static bool
contains6(const struct ct_prefix_set *s, uint64_t vh, uint64_t vl)
{
	size_t lo = 0, hi = s->n6, mid;
	const struct ct_range6 *r;

	if (s->idx6 != NULL) {
		lo = s->idx6[vh >> 48];
		hi = s->idx6[(vh >> 48) + 1] + 1;
		if (hi > s->n6)
			hi = s->n6;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &s->r6[mid];
		if (cmp128(r->last_hi, r->last_lo, vh, vl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= s->n6)
		return false;
	r = &s->r6[lo];
	return cmp128(r->last_hi, r->last_lo, vh, vl) >= 0 &&
	    cmp128(r->first_hi, r->first_lo, vh, vl) <= 0;
}

bool
ct_prefix_set_contains(const struct ct_prefix_set *s, const struct ct_addr *a)
{
	if (a->family == AF_INET)
		return s->n4 > 0 && contains4(s, a->v4);
	return s->n6 > 0 && contains6(s, a->hi, a->lo);
}

size_t
ct_prefix_set_ranges(const struct ct_prefix_set *s)
{
	return s->n4 + s->n6;
}
