/*
 * ct-filter: conntrackd's rule language over ct-listen's NDJSON events.
 * Rules are lexed and parsed once into expression trees whose values
 * (address sets, port ranges, name masks) are resolved at parse time;
 * each input line is then decoded into a struct fevent with the fields
 * the rules need, and evaluated without allocation or string lookups.
 */
#ifndef CT_FILTER_H
#define CT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "prefix.h"

/* Longest country or city name a rule may hold, and an event may match. */
#define GEO_MAX 128

/* lex.c */
enum tok {
	T_EOF,
	T_WORD,		/* letters, digits and . : / _ % (names, numbers, addresses) */
	T_STRING,	/* "quoted", the quotes excluded */
	T_FILE,		/* @path, the @ excluded */
	T_COMMA,
	T_DASH,
	T_LPAREN,
	T_RPAREN,
	T_BANG,
	T_ERROR,	/* the lexer's message is in struct lexer */
	/* keywords (all after T_ERROR), found by lookup() in lex.c */
	T_ADDRESS,
	T_AND,
	T_ANY,
	T_CITY,
	T_COUNTRY,
	T_DROP,
	T_DST,
	T_FAMILY,
	T_LOG,
	T_MARK,
	T_NETWORK,
	T_NOT,
	T_ON,
	T_OR,
	T_PORT,
	T_PROTOCOL,
	T_SRC,
	T_STATE,
	T_TYPE,
	T_ZONE
};

struct token {
	enum tok type;
	const char *p;		/* the token's text in the rule */
	size_t len;
	size_t off;		/* byte offset of the token in the rule */
	size_t span;		/* bytes to underline, from off */
};

struct lexer {
	const char *s;
	size_t n;
	size_t pos;
	const char *err;	/* set with T_ERROR */
};

/* lexer.err for a byte that starts no token (the parser names it). */
extern const char lex_bad_char[];

void lex_init(struct lexer *, const char *s, size_t n);
/* The next token; T_EOF at the end (again and again). */
void lex_next(struct lexer *, struct token *);

/* parse.c */
enum action {
	ACT_LOG,
	ACT_DROP
};

enum side {
	SIDE_SRC,
	SIDE_DST,
	SIDE_EITHER
};

enum expr_kind {
	E_AND,
	E_OR,
	E_NOT,
	E_ANY,
	E_TYPE,
	E_PROTO,
	E_FAMILY,
	E_STATE,
	E_ADDR,
	E_NET,
	E_PORT,
	E_MARK,
	E_ZONE,
	E_COUNTRY,
	E_CITY
};

/* Inclusive ranges of ports or zones, sorted and merged. */
struct range {
	uint32_t lo, hi;
};

struct ranges {
	struct range *r;
	size_t n;
};

struct mark {
	uint32_t value, mask;
};

struct name {
	char s[GEO_MAX];	/* lowercase */
	size_t len;
};

struct expr {
	enum expr_kind kind;
	enum side side;
	union {
		struct {
			struct expr *l, *r;	/* E_NOT uses l */
		} bin;
		uint32_t mask;			/* E_TYPE E_FAMILY E_STATE E_NET */
		uint64_t protos[4];		/* E_PROTO: bit per number */
		struct {
			struct ct_prefix_set set;
			struct ranges ports;	/* "on port", when n > 0 */
		} addr;
		struct ranges ranges;		/* E_PORT E_ZONE */
		struct {
			struct mark *v;
			size_t n;
		} mark;
		struct {
			struct name *v;
			size_t n;
		} names;			/* E_COUNTRY E_CITY */
	} u;
};

struct rule {
	enum action action;
	struct expr *expr;
};

/*
 * A parse error.  When text is NULL the error lies in the rule itself;
 * otherwise (a bad line of an @file) origin, line and text say where, and
 * are owned by the error.
 */
struct perr {
	int status;		/* EX_DATAERR or EX_NOINPUT */
	size_t off, len;	/* bytes to underline */
	char msg[512];
	char *origin;
	unsigned long line;
	char *text;
	size_t textlen;
};

/* Parsing options. */
#define PARSE_NO_FILES 0x1	/* refuse @file (the fuzzer) */

/* The state of one rule's parse, shared by parse.c and value.c. */
struct parser {
	struct lexer lx;
	struct token tok;	/* the current token */
	struct perr *err;
	int flags;
	unsigned need;
	int depth;
	int ops;		/* "and" and "or" so far */
};

void advance(struct parser *);
/* Record an error at token t (the first one wins); returns NULL. */
void *perror_at(struct parser *, const struct token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record "expected WHAT, got ..." at the current token; returns NULL. */
void *expected(struct parser *, const char *what);

/*
 * Parse one rule line.  Returns 1 with *r set, 0 for a blank or comment
 * line, -1 with *err set.  *need gains the F_* fields the rule reads.
 */
int rule_parse(const char *s, size_t n, int flags, struct rule *r,
    unsigned *need, struct perr *err);
void rule_free(struct rule *);
void perr_release(struct perr *);

/*
 * value.c (addrs.c for parse_addrs): the predicates' arguments.  Each
 * returns NULL on error.
 */
struct expr *parse_names(struct parser *, enum expr_kind);
struct expr *parse_ports(struct parser *, enum expr_kind, enum side);
struct expr *parse_marks(struct parser *);
struct expr *parse_addrs(struct parser *, enum side);
struct expr *parse_geo(struct parser *, enum expr_kind, enum side);
/* Parse "N" or "N-M" items into r; returns 0 or -1. */
int parse_ranges(struct parser *, const char *what, uint32_t max,
    struct ranges *r);

/* names.c: the names the language knows, also used to decode events. */
int type_lookup(const char *s, size_t n);
int proto_lookup(const char *s, size_t n);
int family_lookup(const char *s, size_t n);
int network_lookup(const char *s, size_t n);
int state_lookup(const char *s, size_t n);

/* decode.c */
#define F_TYPE		0x0001
#define F_FAMILY	0x0002
#define F_PROTO		0x0004
#define F_SRC		0x0008
#define F_DST		0x0010
#define F_SPORT		0x0020
#define F_DPORT		0x0040
#define F_STATE		0x0080
#define F_MARK		0x0100
#define F_ZONE		0x0200
#define F_SRC_COUNTRY	0x0400
#define F_DST_COUNTRY	0x0800
#define F_SRC_CC	0x1000
#define F_DST_CC	0x2000
#define F_SRC_CITY	0x4000
#define F_DST_CITY	0x8000

/* Event types beyond enum ct_event_type: a name the schema lacks. */
#define EV_OTHER	31

enum geo_slot {
	G_SRC_COUNTRY,
	G_DST_COUNTRY,
	G_SRC_CC,
	G_DST_CC,
	G_SRC_CITY,
	G_DST_CITY,
	G_NSLOT
};

struct fevent {
	unsigned have;		/* F_* of the fields present */
	uint8_t type;		/* enum ct_event_type or EV_OTHER */
	uint8_t family;		/* 4, 6, or 0 for an unknown name */
	uint16_t proto;		/* 0-255, or 256 for an unknown name */
	int state;		/* state_lookup() index, or -1 */
	uint16_t sport, dport, zone;
	uint32_t mark;
	struct ct_addr src, dst;
	size_t geolen[G_NSLOT];	/* lowercase, in geo[]; GEO_MAX: too long */
	char geo[G_NSLOT][GEO_MAX];
};

/* Decode outcomes. */
#define DEC_OK		0
#define DEC_LOST	1	/* a LOST record: pass it through */
#define DEC_BAD		(-1)	/* *msg (in msgbuf) and *col say why */

/*
 * Decode line into ev, reading the fields in need (F_TYPE always).
 * msgbuf (msgsz bytes) receives the reason for DEC_BAD.
 */
int ev_decode(const char *line, size_t len, unsigned need,
    struct fevent *ev, char *msgbuf, size_t msgsz, size_t *col);

/* eval.c */
bool expr_eval(const struct expr *, const struct fevent *);
void expr_free(struct expr *);

struct ruleset {
	struct rule *v;
	size_t n, cap;
	unsigned need;		/* F_* fields any rule reads */
};

void ruleset_init(struct ruleset *);
void ruleset_add(struct ruleset *, const struct rule *);
void ruleset_release(struct ruleset *);
/* Whether the event is kept: the first matching rule decides, else log. */
bool ruleset_keep(const struct ruleset *, const struct fevent *);

/* load.c */
struct loader {
	struct ruleset *rs;
	unsigned long eline;	/* lines of -e text so far */
	int status;		/* worst error so far: 0, 65 or 66 */
	unsigned errors;
	const char *any_origin;	/* where a rule matching everything is */
	unsigned long any_line;
};

void loader_init(struct loader *, struct ruleset *);
/* Add the rules of one -e argument or of one -f file; errors are printed. */
void loader_expr(struct loader *, const char *text);
void loader_file(struct loader *, const char *path);
/*
 * Append an error to b: origin:line:column, the message, the offending
 * line and a caret under the token.
 */
void perr_format(struct ct_buf *b, const struct perr *, const char *origin,
    unsigned long line, const char *text, size_t textlen);

#endif
