/*
 * The rule parser: recursive descent with one function per precedence
 * level, building the tree that eval.c walks.  The grammar is the Go
 * conntrackd's (1.0-1.3) with ct-filter's additions:
 *
 *	rule       ::= action expression
 *	action     ::= "log" | "drop" | "allow" | "deny"
 *	expression ::= and { "or" and }
 *	and        ::= not { "and" not }
 *	not        ::= { "not" | "!" } primary
 *	primary    ::= predicate | "(" expression ")"
 *	predicate  ::= "any"
 *	             | "type" names | "protocol" names | "family" names
 *	             | "state" names | "mark" marks | "zone" numbers
 *	             | [ direction ] "port" ports | "on" "port" ports
 *	             | direction "address" addrs [ "on" "port" ports ]
 *	             | direction "network" names
 *	             | direction "country" geonames
 *	             | direction "city" geonames
 *	direction  ::= "source" | "src" | "destination" | "dst" | "dest"
 *	names      ::= WORD { "," WORD }
 *	ports      ::= port { "," port }         port ::= NUMBER [ "-" NUMBER ]
 *	addrs      ::= addr { "," addr }         addr ::= ADDRESS | "@" PATH
 *	geonames   ::= name { "," name }         name ::= WORD | STRING
 *
 * A blank line or one starting with "#" holds no rule.  The parser never
 * exits; it records the first error with its position and returns NULL.
 */
#include "filter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "xalloc.h"

/* Parentheses and negations deeper than this are surely a mistake. */
#define MAXDEPTH 64
/*
 * Evaluation recurses along chains of "and" and "or"; bounding them keeps
 * the stack small whatever a rule file holds.  Lists and @files serve
 * long alternatives.
 */
#define MAXOPS 1024

static struct expr *parse_or(struct parser *);

void
advance(struct parser *p)
{
	lex_next(&p->lx, &p->tok);
}

void *
perror_at(struct parser *p, const struct token *t, const char *fmt, ...)
{
	va_list ap;

	if (p->err->msg[0] != '\0')
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	p->err->off = t->off;
	p->err->len = t->span;
	return NULL;
}

/* Describe the current token for "got ..." and lexer errors. */
void *
expected(struct parser *p, const char *what)
{
	const struct token *t = &p->tok;
	unsigned char c = t->len > 0 ? (unsigned char)t->p[0] : 0;

	if (t->type == T_ERROR && p->lx.err == lex_bad_char)
		return c > ' ' && c < 0x7f ?
		    perror_at(p, t, "unexpected character '%c'%s", c,
			c == '&' || c == '|' ? " (use 'and', 'or')" : "") :
		    perror_at(p, t, "unexpected byte 0x%02x", c);
	if (t->type == T_ERROR)
		return perror_at(p, t, "%s", p->lx.err);
	if (t->type == T_EOF)
		return perror_at(p, t, "expected %s, got end of rule", what);
	return perror_at(p, t, "expected %s, got '%.*s'", what,
	    t->len > 64 ? 64 : (int)t->len, t->p);
}

static struct expr *
new_expr(enum expr_kind kind)
{
	struct expr *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	return e;
}

static struct expr *
binary(enum expr_kind kind, struct expr *l, struct expr *r)
{
	struct expr *e;

	if (r == NULL) {
		expr_free(l);
		return NULL;
	}
	e = new_expr(kind);
	e->u.bin.l = l;
	e->u.bin.r = r;
	return e;
}

/* After "source" or "destination". */
static struct expr *
parse_directed(struct parser *p)
{
	enum side side = p->tok.type == T_SRC ? SIDE_SRC : SIDE_DST;
	bool src = side == SIDE_SRC;
	struct token dir = p->tok;
	struct expr *e;
	char what[128];

	advance(p);
	switch (p->tok.type) {
	case T_ADDRESS:
		advance(p);
		return parse_addrs(p, side);
	case T_NETWORK:
		advance(p);
		p->need |= src ? F_SRC : F_DST;
		if ((e = parse_names(p, E_NET)) != NULL)
			e->side = side;
		return e;
	case T_PORT:
		advance(p);
		p->need |= src ? F_SPORT : F_DPORT;
		return parse_ports(p, E_PORT, side);
	case T_COUNTRY:
		advance(p);
		p->need |= src ? F_SRC_COUNTRY | F_SRC_CC :
		    F_DST_COUNTRY | F_DST_CC;
		return parse_geo(p, E_COUNTRY, side);
	case T_CITY:
		advance(p);
		p->need |= src ? F_SRC_CITY : F_DST_CITY;
		return parse_geo(p, E_CITY, side);
	default:
		snprintf(what, sizeof(what), "'address', 'network', 'port', "
		    "'country' or 'city' after '%.*s'", (int)dir.len, dir.p);
		return expected(p, what);
	}
}

static struct expr *
parse_predicate(struct parser *p)
{
	switch (p->tok.type) {
	case T_ANY:
		advance(p);
		return new_expr(E_ANY);
	case T_TYPE:
		advance(p);
		p->need |= F_TYPE;
		return parse_names(p, E_TYPE);
	case T_PROTOCOL:
		advance(p);
		p->need |= F_PROTO;
		return parse_names(p, E_PROTO);
	case T_FAMILY:
		advance(p);
		p->need |= F_FAMILY;
		return parse_names(p, E_FAMILY);
	case T_STATE:
		advance(p);
		p->need |= F_STATE;
		return parse_names(p, E_STATE);
	case T_MARK:
		advance(p);
		p->need |= F_MARK;
		return parse_marks(p);
	case T_ZONE:
		advance(p);
		p->need |= F_ZONE;
		return parse_ports(p, E_ZONE, SIDE_EITHER);
	case T_ON:
		advance(p);
		if (p->tok.type != T_PORT)
			return expected(p, "'port' after 'on'");
		/* FALLTHROUGH */
	case T_PORT:
		advance(p);
		p->need |= F_SPORT | F_DPORT;
		return parse_ports(p, E_PORT, SIDE_EITHER);
	case T_SRC:
	case T_DST:
		return parse_directed(p);
	default:
		return expected(p, "a predicate");
	}
}

static struct expr *
parse_primary(struct parser *p)
{
	struct token open = p->tok;
	struct expr *e;

	if (p->tok.type != T_LPAREN)
		return parse_predicate(p);
	if (++p->depth > MAXDEPTH)
		return perror_at(p, &open, "expression nested too deeply");
	advance(p);
	if ((e = parse_or(p)) == NULL)
		return NULL;
	if (p->tok.type != T_RPAREN) {
		expr_free(e);
		return expected(p, "')'");
	}
	advance(p);
	p->depth--;
	return e;
}

static struct expr *
parse_not(struct parser *p)
{
	struct token op = p->tok;
	struct expr *e, *n;

	if (p->tok.type != T_NOT && p->tok.type != T_BANG)
		return parse_primary(p);
	if (++p->depth > MAXDEPTH)
		return perror_at(p, &op, "expression nested too deeply");
	advance(p);
	if ((e = parse_not(p)) == NULL)
		return NULL;
	p->depth--;
	n = new_expr(E_NOT);
	n->u.bin.l = e;
	return n;
}

/* Count an "and" or "or" at the current token; false when too many. */
static bool
count_op(struct parser *p)
{
	if (++p->ops <= MAXOPS)
		return true;
	perror_at(p, &p->tok, "more than %d 'and' and 'or' in one rule "
	    "(use lists or an @file)", MAXOPS);
	return false;
}

static struct expr *
parse_and(struct parser *p)
{
	struct expr *l;

	if ((l = parse_not(p)) == NULL)
		return NULL;
	while (p->tok.type == T_AND) {
		if (!count_op(p)) {
			expr_free(l);
			return NULL;
		}
		advance(p);
		l = binary(E_AND, l, parse_not(p));
		if (l == NULL)
			return NULL;
	}
	return l;
}

static struct expr *
parse_or(struct parser *p)
{
	struct expr *l;

	if ((l = parse_and(p)) == NULL)
		return NULL;
	while (p->tok.type == T_OR) {
		if (!count_op(p)) {
			expr_free(l);
			return NULL;
		}
		advance(p);
		l = binary(E_OR, l, parse_and(p));
		if (l == NULL)
			return NULL;
	}
	return l;
}

int
rule_parse(const char *s, size_t n, int flags, struct rule *r,
    unsigned *need, struct perr *err)
{
	struct parser p;
	struct expr *e;

	memset(err, 0, sizeof(*err));
	err->status = EX_DATAERR;
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.flags = flags;
	lex_init(&p.lx, s, n);
	advance(&p);
	if (p.tok.type == T_EOF)
		return 0;
	if (p.tok.type != T_LOG && p.tok.type != T_DROP) {
		expected(&p, "'log' or 'drop'");
		return -1;
	}
	r->action = p.tok.type == T_LOG ? ACT_LOG : ACT_DROP;
	advance(&p);
	if ((e = parse_or(&p)) == NULL)
		return -1;
	if (p.tok.type != T_EOF) {
		expr_free(e);
		if (p.tok.type == T_RPAREN)
			perror_at(&p, &p.tok, "unbalanced ')'");
		else if (p.tok.type == T_COMMA)
			perror_at(&p, &p.tok, "unexpected ',' (use 'or' "
			    "between predicates)");
		else
			expected(&p, "'and', 'or' or the end of the rule");
		return -1;
	}
	r->expr = e;
	*need |= p.need | F_TYPE;
	return 1;
}

void
rule_free(struct rule *r)
{
	expr_free(r->expr);
	r->expr = NULL;
}

void
perr_release(struct perr *err)
{
	free(err->origin);
	free(err->text);
	err->origin = err->text = NULL;
}
