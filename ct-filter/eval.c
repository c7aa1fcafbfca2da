/*
 * Evaluation of compiled rules against a decoded event.  This is the hot
 * path: it switches on the node kind, short-circuits, and reads only
 * numbers and masks that parsing prepared; it never allocates.  A
 * predicate on a field the event lacks is false.  expr_free() mirrors
 * expr_eval().
 */
#include "filter.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static bool
in_ranges(const struct ranges *r, uint32_t v)
{
	size_t lo = 0, hi = r->n, mid;

	/* Most lists hold a port or two; binary search serves long ones. */
	if (r->n <= 4) {
		for (lo = 0; lo < r->n; lo++)
			if (v >= r->r[lo].lo && v <= r->r[lo].hi)
				return true;
		return false;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->r[mid].hi < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->r[lo].lo <= v;
}

static bool
port_match(const struct ranges *r, enum side side, const struct fevent *ev)
{
	if (side != SIDE_DST && (ev->have & F_SPORT) &&
	    in_ranges(r, ev->sport))
		return true;
	return side != SIDE_SRC && (ev->have & F_DPORT) &&
	    in_ranges(r, ev->dport);
}

static bool
names_match(const struct expr *e, size_t slot, const struct fevent *ev)
{
	size_t i, n = ev->geolen[slot];

	for (i = 0; i < e->u.names.n; i++)
		if (e->u.names.v[i].len == n &&
		    memcmp(e->u.names.v[i].s, ev->geo[slot], n) == 0)
			return true;
	return false;
}

static bool
geo_match(const struct expr *e, const struct fevent *ev)
{
	bool src = e->side == SIDE_SRC;

	if (e->kind == E_CITY)
		return (ev->have & (src ? F_SRC_CITY : F_DST_CITY)) &&
		    names_match(e, src ? G_SRC_CITY : G_DST_CITY, ev);
	/* A country is its ISO code or its name, whichever key holds it. */
	return ((ev->have & (src ? F_SRC_COUNTRY : F_DST_COUNTRY)) &&
	    names_match(e, src ? G_SRC_COUNTRY : G_DST_COUNTRY, ev)) ||
	    ((ev->have & (src ? F_SRC_CC : F_DST_CC)) &&
	    names_match(e, src ? G_SRC_CC : G_DST_CC, ev));
}

bool
expr_eval(const struct expr *e, const struct fevent *ev)
{
	const struct ct_addr *a;
	size_t i;
	bool src = e->side == SIDE_SRC;

	switch (e->kind) {
	case E_AND:
		return expr_eval(e->u.bin.l, ev) && expr_eval(e->u.bin.r, ev);
	case E_OR:
		return expr_eval(e->u.bin.l, ev) || expr_eval(e->u.bin.r, ev);
	case E_NOT:
		return !expr_eval(e->u.bin.l, ev);
	case E_ANY:
		return true;
	case E_TYPE:
		return (ev->have & F_TYPE) && (e->u.mask >> ev->type & 1);
	case E_PROTO:
		return (ev->have & F_PROTO) && ev->proto < 256 &&
		    (e->u.protos[ev->proto / 64] >> (ev->proto % 64) & 1);
	case E_FAMILY:
		return (ev->have & F_FAMILY) && (e->u.mask >> ev->family & 1);
	case E_STATE:
		return (ev->have & F_STATE) && ev->state >= 0 &&
		    (e->u.mask >> ev->state & 1);
	case E_ADDR:
		if (!(ev->have & (src ? F_SRC : F_DST)))
			return false;
		a = src ? &ev->src : &ev->dst;
		if (!ct_prefix_set_contains(&e->u.addr.set, a))
			return false;
		return e->u.addr.ports.n == 0 ||
		    port_match(&e->u.addr.ports, e->side, ev);
	case E_NET:
		if (!(ev->have & (src ? F_SRC : F_DST)))
			return false;
		return (ct_addr_class(src ? &ev->src : &ev->dst) &
		    e->u.mask) != 0;
	case E_PORT:
		return port_match(&e->u.ranges, e->side, ev);
	case E_ZONE:
		return in_ranges(&e->u.ranges, ev->zone);
	case E_MARK:
		for (i = 0; i < e->u.mark.n; i++)
			if ((ev->mark & e->u.mark.v[i].mask) ==
			    e->u.mark.v[i].value)
				return true;
		return false;
	case E_COUNTRY:
	case E_CITY:
		return geo_match(e, ev);
	}
	return false;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	switch (e->kind) {
	case E_AND:
	case E_OR:
		expr_free(e->u.bin.r);
		/* FALLTHROUGH */
	case E_NOT:
		expr_free(e->u.bin.l);
		break;
	case E_ADDR:
		ct_prefix_set_release(&e->u.addr.set);
		free(e->u.addr.ports.r);
		break;
	case E_PORT:
	case E_ZONE:
		free(e->u.ranges.r);
		break;
	case E_MARK:
		free(e->u.mark.v);
		break;
	case E_COUNTRY:
	case E_CITY:
		free(e->u.names.v);
		break;
	default:
		break;
	}
	free(e);
}

void
ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->need = F_TYPE;
}

void
ruleset_add(struct ruleset *rs, const struct rule *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n++] = *r;
}

void
ruleset_release(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	ruleset_init(rs);
}

bool
ruleset_keep(const struct ruleset *rs, const struct fevent *ev)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (expr_eval(rs->v[i].expr, ev))
			return rs->v[i].action == ACT_LOG;
	return true;
}
