/*
 * The arguments of the predicates: name lists, port and zone ranges,
 * marks, address lists (inline or from an @file) and GeoIP names.  Each
 * is checked completely and compiled to the form eval.c wants (masks,
 * sorted ranges, a prefix set, lowercase names), so that a typo anywhere
 * in a list is an error instead of a rule that silently never matches.
 */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "xalloc.h"

struct names_spec {
	const char *noun;	/* for "expected a(n) ..." and "unknown ..." */
	const char *article;
	const char *choices;
	int (*lookup)(const char *, size_t);
};

static const struct names_spec *
names_spec(enum expr_kind kind)
{
	static const struct names_spec type = { "event type", "an",
	    "NEW, UPDATE, DESTROY or EXISTING", type_lookup };
	static const struct names_spec proto = { "protocol", "a",
	    "TCP, UDP, ICMP, ICMPv6, SCTP, DCCP, UDPLITE, GRE or a number "
	    "0-255", proto_lookup };
	static const struct names_spec family = { "family", "a",
	    "ipv4 or ipv6", family_lookup };
	static const struct names_spec net = { "network class", "a",
	    "LOCAL, PRIVATE, PUBLIC or MULTICAST", network_lookup };
	static const struct names_spec state = { "state", "a",
	    "a TCP, SCTP or DCCP state such as ESTABLISHED", state_lookup };

	switch (kind) {
	case E_TYPE: return &type;
	case E_PROTO: return &proto;
	case E_FAMILY: return &family;
	case E_NET: return &net;
	default: return &state;
	}
}

struct expr *
parse_names(struct parser *p, enum expr_kind kind)
{
	const struct names_spec *sp = names_spec(kind);
	struct expr *e = xcalloc(1, sizeof(*e));
	char what[64];
	int v;

	e->kind = kind;
	snprintf(what, sizeof(what), "%s %s", sp->article, sp->noun);
	for (;;) {
		if (p->tok.type != T_WORD)
			goto fail_expected;
		v = sp->lookup(p->tok.p, p->tok.len);
		/* LOST records bypass the rules, so no rule may name them. */
		if (v < 0 || (kind == E_TYPE && v == CT_EVENT_LOST)) {
			perror_at(p, &p->tok, "unknown %s '%.*s' (expected %s)",
			    sp->noun, p->tok.len > 64 ? 64 : (int)p->tok.len,
			    p->tok.p, sp->choices);
			goto fail;
		}
		if (kind == E_PROTO)
			e->u.protos[v / 64] |= 1ULL << (v % 64);
		else if (kind == E_NET)
			e->u.mask |= (uint32_t)v;
		else
			e->u.mask |= 1u << v;
		advance(p);
		if (p->tok.type != T_COMMA)
			return e;
		advance(p);
	}
fail_expected:
	expected(p, what);
fail:
	expr_free(e);
	return NULL;
}

/* A decimal number filling the token, at most max; -1 if not a number. */
static int64_t
token_number(const struct token *t, uint32_t max)
{
	uint64_t v = 0;
	size_t i;

	if (t->type != T_WORD || t->len == 0)
		return -1;
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(t->p[i] - '0');
		if (v > (uint64_t)max)
			return -2;
	}
	return (int64_t)v;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

int
parse_ranges(struct parser *p, const char *what, uint32_t max,
    struct ranges *r)
{
	struct token first;
	int64_t lo, hi;
	size_t cap = 0, i, o;
	char exp[64];

	snprintf(exp, sizeof(exp), "a %s number", what);
	for (;;) {
		if (p->tok.type != T_WORD) {
			expected(p, exp);
			return -1;
		}
		first = p->tok;
		if ((lo = token_number(&p->tok, max)) < 0)
			goto bad;
		hi = lo;
		advance(p);
		if (p->tok.type == T_DASH) {
			advance(p);
			if (p->tok.type != T_WORD) {
				expected(p, exp);
				return -1;
			}
			if ((hi = token_number(&p->tok, max)) < 0)
				goto bad;
			if (hi < lo) {
				first.span = p->tok.off + p->tok.len - first.off;
				perror_at(p, &first, "reversed %s range "
				    "'%lld-%lld'", what, (long long)lo,
				    (long long)hi);
				return -1;
			}
			advance(p);
		}
		if (r->n == cap) {
			cap = cap ? cap * 2 : 4;
			r->r = xrealloc(r->r, cap * sizeof(*r->r));
		}
		r->r[r->n].lo = lo;
		r->r[r->n++].hi = hi;
		if (p->tok.type != T_COMMA)
			break;
		advance(p);
	}
	qsort(r->r, r->n, sizeof(*r->r), range_cmp);
	for (i = 1, o = 0; i < r->n; i++) {
		if (r->r[i].lo <= r->r[o].hi + 1) {
			if (r->r[i].hi > r->r[o].hi)
				r->r[o].hi = r->r[i].hi;
		} else
			r->r[++o] = r->r[i];
	}
	r->n = o + 1;
	return 0;
bad:
	if (token_number(&p->tok, max) == -2)
		perror_at(p, &p->tok, "%s number '%.*s' out of range (0-%u)",
		    what, p->tok.len > 64 ? 64 : (int)p->tok.len, p->tok.p,
		    max);
	else
		perror_at(p, &p->tok, "invalid %s number '%.*s'", what,
		    p->tok.len > 64 ? 64 : (int)p->tok.len, p->tok.p);
	return -1;
}

struct expr *
parse_ports(struct parser *p, enum expr_kind kind, enum side side)
{
	struct expr *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	e->side = side;
	if (parse_ranges(p, kind == E_ZONE ? "zone" : "port", 65535,
	    &e->u.ranges) < 0) {
		expr_free(e);
		return NULL;
	}
	return e;
}

/* A 32-bit number in decimal or 0x hex, all of s[0..n). */
static int
parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	unsigned base = 10, d;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		v = v * base + d;
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

struct expr *
parse_marks(struct parser *p)
{
	struct expr *e = xcalloc(1, sizeof(*e));
	const struct token *t = &p->tok;
	struct mark m;
	const char *slash;
	size_t cap = 0, vlen;

	e->kind = E_MARK;
	for (;;) {
		if (t->type != T_WORD) {
			expected(p, "a mark");
			goto fail;
		}
		slash = memchr(t->p, '/', t->len);
		vlen = slash ? (size_t)(slash - t->p) : t->len;
		m.mask = UINT32_MAX;
		if (parse_u32(t->p, vlen, &m.value) < 0 || (slash != NULL &&
		    parse_u32(slash + 1, t->len - vlen - 1, &m.mask) < 0)) {
			perror_at(p, t, "invalid mark '%.*s' (expected N or "
			    "N/MASK, decimal or 0x hex, 32 bits)",
			    t->len > 64 ? 64 : (int)t->len, t->p);
			goto fail;
		}
		if (m.value & ~m.mask) {
			perror_at(p, t, "mark '%.*s' has bits outside its "
			    "mask, so it never matches",
			    t->len > 64 ? 64 : (int)t->len, t->p);
			goto fail;
		}
		if (e->u.mark.n == cap) {
			cap = cap ? cap * 2 : 4;
			e->u.mark.v = xrealloc(e->u.mark.v,
			    cap * sizeof(*e->u.mark.v));
		}
		e->u.mark.v[e->u.mark.n++] = m;
		advance(p);
		if (t->type != T_COMMA)
			return e;
		advance(p);
	}
fail:
	expr_free(e);
	return NULL;
}

struct expr *
parse_geo(struct parser *p, enum expr_kind kind, enum side side)
{
	struct expr *e = xcalloc(1, sizeof(*e));
	const struct token *t = &p->tok;
	struct name *nm;
	size_t cap = 0, i;

	e->kind = kind;
	e->side = side;
	for (;;) {
		/* Keywords are names here: "dst city Port" means a city. */
		if (t->type != T_WORD && t->type != T_STRING &&
		    t->type < T_ADDRESS) {
			expected(p, kind == E_CITY ? "a city name" :
			    "a country code or name");
			goto fail;
		}
		if (t->len == 0) {
			perror_at(p, t, "empty name");
			goto fail;
		}
		if (t->len >= GEO_MAX) {
			perror_at(p, t, "name too long (at most %d bytes)",
			    GEO_MAX - 1);
			goto fail;
		}
		if (e->u.names.n == cap) {
			cap = cap ? cap * 2 : 4;
			e->u.names.v = xrealloc(e->u.names.v,
			    cap * sizeof(*e->u.names.v));
		}
		nm = &e->u.names.v[e->u.names.n++];
		/* Events are lowercased the same way when decoded. */
		for (i = 0; i < t->len; i++)
			nm->s[i] = t->p[i] >= 'A' && t->p[i] <= 'Z' ?
			    t->p[i] - 'A' + 'a' : t->p[i];
		nm->len = t->len;
		advance(p);
		if (t->type != T_COMMA)
			return e;
		advance(p);
	}
fail:
	expr_free(e);
	return NULL;
}
