/*
 * The rule lexer.  A rule is one line, so the lexer works on the line in
 * memory and every token keeps its byte offset for error carets.
 * Addresses lex as single words (letters, digits and ".:/"), which keeps
 * "2001:db8::1/64" whole instead of rebuilding it from pieces as the Go
 * original did; keywords are words found in a sorted table.
 */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char lex_bad_char[] = "unexpected character";

struct keyword {
	const char *name;
	enum tok type;
};

/* Sorted for bsearch(); "allow"/"deny" are the conntrackd docs' words. */
static const struct keyword keywords[] = {
	{ "address", T_ADDRESS },
	{ "allow", T_LOG },
	{ "and", T_AND },
	{ "any", T_ANY },
	{ "city", T_CITY },
	{ "country", T_COUNTRY },
	{ "deny", T_DROP },
	{ "dest", T_DST },
	{ "destination", T_DST },
	{ "drop", T_DROP },
	{ "dst", T_DST },
	{ "family", T_FAMILY },
	{ "log", T_LOG },
	{ "mark", T_MARK },
	{ "network", T_NETWORK },
	{ "not", T_NOT },
	{ "on", T_ON },
	{ "or", T_OR },
	{ "port", T_PORT },
	{ "protocol", T_PROTOCOL },
	{ "source", T_SRC },
	{ "src", T_SRC },
	{ "state", T_STATE },
	{ "type", T_TYPE },
	{ "zone", T_ZONE },
};

struct word {
	const char *p;
	size_t len;
};

static int
kw_cmp(const void *k, const void *e)
{
	const struct word *w = k;
	const struct keyword *kw = e;
	int c = strncasecmp(w->p, kw->name, w->len);

	if (c != 0)
		return c;
	return kw->name[w->len] == '\0' ? 0 : -1;
}

static enum tok
lookup(const char *p, size_t len)
{
	struct word w = { p, len };
	const struct keyword *kw;

	kw = bsearch(&w, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return kw != NULL ? kw->type : T_WORD;
}

static bool
wordchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	    c == '/' || c == '%' || c >= 0x80;
}

/* Characters that end an @path: a path may hold anything else. */
static bool
pathchar(unsigned char c)
{
	return c > ' ' && c != ',' && c != ')' && c != '(' && c != '#' &&
	    c != 0x7f;
}

static int
lgetc(struct lexer *lx)
{
	if (lx->pos >= lx->n)
		return EOF;
	return (unsigned char)lx->s[lx->pos++];
}

static void
lungetc(struct lexer *lx, int c)
{
	if (c != EOF)
		lx->pos--;
}

void
lex_init(struct lexer *lx, const char *s, size_t n)
{
	lx->s = s;
	lx->n = n;
	lx->pos = 0;
	lx->err = NULL;
}

void
lex_next(struct lexer *lx, struct token *t)
{
	int c;

	do
		c = lgetc(lx);
	while (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f');
	t->off = c == EOF ? lx->pos : lx->pos - 1;
	t->p = lx->s + t->off;
	t->len = 1;
	switch (c) {
	case '#':
		/* A comment runs to the end of the line. */
		lx->pos = lx->n;
		/* FALLTHROUGH */
	case EOF:
		t->type = T_EOF;
		t->len = 0;
		break;
	case ',':
		t->type = T_COMMA;
		break;
	case '-':
		t->type = T_DASH;
		break;
	case '(':
		t->type = T_LPAREN;
		break;
	case ')':
		t->type = T_RPAREN;
		break;
	case '!':
		t->type = T_BANG;
		break;
	case '"':
		t->p++;
		while ((c = lgetc(lx)) != EOF && c != '"')
			;
		if (c == EOF) {
			t->type = T_ERROR;
			lx->err = "unterminated string";
			t->p = lx->s + t->off;
			t->len = lx->pos - t->off;
			break;
		}
		t->type = T_STRING;
		t->len = lx->pos - t->off - 2;
		break;
	case '@':
		t->p++;
		while ((c = lgetc(lx)) != EOF && pathchar(c))
			;
		lungetc(lx, c);
		t->type = T_FILE;
		t->len = lx->pos - t->off - 1;
		break;
	default:
		if (!wordchar(c)) {
			t->type = T_ERROR;
			lx->err = lex_bad_char;
			break;
		}
		while ((c = lgetc(lx)) != EOF && wordchar(c))
			;
		lungetc(lx, c);
		t->len = lx->pos - t->off;
		t->type = lookup(t->p, t->len);
		break;
	}
	t->span = t->type == T_STRING ? t->len + 2 :
	    t->type == T_FILE ? t->len + 1 : t->len;
	if (t->type == T_EOF)
		t->span = 1;
}
