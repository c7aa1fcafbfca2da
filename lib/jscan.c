/*
 * The flat JSON scanner.  Speed matters here (every tool of a pipeline
 * scans every line), so the hot loops are table-driven and nested values
 * are validated without recursion, with a bit stack bounded by
 * CT_JSCAN_MAXDEPTH, so hostile input cannot exhaust the C stack.
 */
#include "jscan.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <string.h>

enum {
	ST_START,	/* before '{' */
	ST_FIRST,	/* after '{': a key or '}' */
	ST_NEXT,	/* after a member: ',' or '}' */
	ST_END,		/* valid, done */
	ST_ERROR
};

/*
 * Bytes a string may hold as they are: printable ASCII other than '"' and
 * '\\'.  Everything else needs a closer look.
 */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1,	/* '"' is 0x22 */
	[0x23 ... 0x5b] = 1,	/* '\\' is 0x5c */
	[0x5d ... 0x7f] = 1,
};

/* A hex digit's value plus one; 0 for other bytes. */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int
fail(struct ct_jscan *js, const char *at, const char *msg)
{
	js->errmsg = msg;
	js->errcol = (size_t)(at - js->s) + 1;
	js->state = ST_ERROR;
	return -1;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Validate one UTF-8 sequence at p (a byte >= 0x80), per the table in
 * RFC 3629 section 4: no overlong forms, no surrogates, nothing above
 * U+10FFFF.  Returns its length, or 0.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Scan a string whose opening quote is at *pp.  On success *pp points
 * past the closing quote and *esc tells whether escapes occurred.
 */
static int
scan_string(struct ct_jscan *js, const char **pp, bool *esc)
{
	const unsigned char *p = (const unsigned char *)*pp + 1;
	const unsigned char *end = (const unsigned char *)js->end;
	size_t n;
	int i;

	*esc = false;
	for (;;) {
#ifdef __SSE2__
		/*
		 * Sixteen bytes at a time: stop at '"', '\\', a control
		 * character or a non-ASCII byte (a signed compare with 0x20
		 * catches both of the last two).
		 */
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)p);
			int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
			    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));

			if (m != 0) {
				p += __builtin_ctz(m);
				break;
			}
			p += 16;
		}
#endif
		/* Unrolled: strings are short, but every line has dozens. */
		while (end - p >= 4 && plain[p[0]] && plain[p[1]] &&
		    plain[p[2]] && plain[p[3]])
			p += 4;
		while (p < end && plain[*p])
			p++;
		if (p == end)
			return fail(js, (const char *)p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			*esc = true;
			if (++p == end)
				return fail(js, (const char *)p,
				    "unterminated string");
			switch (*p) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p++;
				continue;
			case 'u':
				for (i = 1; i <= 4; i++)
					if (p + i >= end || hexval1[p[i]] == 0)
						return fail(js,
						    (const char *)p - 1,
						    "invalid \\u escape");
				p += 5;
				continue;
			}
			return fail(js, (const char *)p - 1,
			    "invalid escape in string");
		}
		if (*p < 0x20)
			return fail(js, (const char *)p,
			    "control character in string");
		if ((n = utf8_len(p, end)) == 0)
			return fail(js, (const char *)p, "invalid UTF-8");
		p += n;
	}
	*pp = (const char *)p + 1;
	return 0;
}

static bool
isdigit_(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
scan_number(struct ct_jscan *js, const char **pp)
{
	const char *p = *pp, *end = js->end;

	if (p < end && *p == '-')
		p++;
	if (p == end || !isdigit_(*p))
		return fail(js, p, "invalid number");
	if (*p == '0')
		p++;
	else
		while (p < end && isdigit_(*p))
			p++;
	if (p < end && *p == '.') {
		if (++p == end || !isdigit_(*p))
			return fail(js, p, "invalid number");
		while (p < end && isdigit_(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !isdigit_(*p))
			return fail(js, p, "invalid number");
		while (p < end && isdigit_(*p))
			p++;
	}
	if (p < end && (isdigit_(*p) || *p == '.' || *p == 'e' ||
	    *p == 'E' || *p == '-' || *p == '+'))
		return fail(js, p, "invalid number");
	*pp = p;
	return 0;
}

static int
scan_literal(struct ct_jscan *js, const char **pp, const char *lit,
    size_t n)
{
	const char *p = *pp;

	if ((size_t)(js->end - p) < n || memcmp(p, lit, n) != 0)
		return fail(js, p, "invalid literal");
	*pp = p + n;
	return 0;
}

/* A scalar value at *pp; sets its type. */
static int
scan_scalar(struct ct_jscan *js, const char **pp, enum ct_jtype *type,
    bool *esc)
{
	const char *p = *pp;

	*esc = false;
	if (p == js->end)
		return fail(js, p, "unexpected end of line, expected a value");
	switch (*p) {
	case '"':
		*type = CT_JSTRING;
		return scan_string(js, pp, esc);
	case 't':
		*type = CT_JTRUE;
		return scan_literal(js, pp, "true", 4);
	case 'f':
		*type = CT_JFALSE;
		return scan_literal(js, pp, "false", 5);
	case 'n':
		*type = CT_JNULL;
		return scan_literal(js, pp, "null", 4);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		*type = CT_JNUMBER;
		return scan_number(js, pp);
	}
	return fail(js, p, "expected a value");
}

/*
 * Validate the object or array that opens at *pp, with an explicit stack
 * of container kinds (bit set: object).
 */
static int
skip_container(struct ct_jscan *js, const char **pp)
{
	unsigned char stack[CT_JSCAN_MAXDEPTH / 8];
	const char *p = *pp, *end = js->end;
	enum ct_jtype t;
	size_t depth = 0;
	bool esc, obj;

open:
	if (depth == CT_JSCAN_MAXDEPTH)
		return fail(js, p, "nesting too deep");
	obj = *p == '{';
	if (obj)
		stack[depth / 8] |= 1u << (depth % 8);
	else
		stack[depth / 8] &= ~(1u << (depth % 8));
	depth++;
	p = skip_ws(p + 1, end);
	if (p < end && *p == (obj ? '}' : ']')) {
		p++;
		depth--;
		goto after;
	}
element:
	if (obj) {
		if (p == end || *p != '"')
			return fail(js, p, "expected a string key");
		if (scan_string(js, &p, &esc) < 0)
			return -1;
		p = skip_ws(p, end);
		if (p == end || *p != ':')
			return fail(js, p, "expected ':' after key");
		p = skip_ws(p + 1, end);
	}
	if (p < end && (*p == '{' || *p == '['))
		goto open;
	if (scan_scalar(js, &p, &t, &esc) < 0)
		return -1;
after:
	if (depth == 0) {
		*pp = p;
		return 0;
	}
	obj = stack[(depth - 1) / 8] & (1u << ((depth - 1) % 8));
	p = skip_ws(p, end);
	if (p < end && *p == ',') {
		p = skip_ws(p + 1, end);
		goto element;
	}
	if (p < end && *p == (obj ? '}' : ']')) {
		p++;
		depth--;
		goto after;
	}
	return fail(js, p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
}

void
ct_jscan_init(struct ct_jscan *js, const char *s, size_t n)
{
	js->s = js->p = s;
	js->end = s + n;
	js->close = NULL;
	js->errmsg = NULL;
	js->errcol = 0;
	js->state = ST_START;
}

int
ct_jscan_next(struct ct_jscan *js, struct ct_jmember *m)
{
	const char *p = js->p, *end = js->end;

	switch (js->state) {
	case ST_END:
		return 0;
	case ST_ERROR:
		return -1;
	case ST_START:
		p = skip_ws(p, end);
		if (p == end)
			return fail(js, p, "empty line");
		if (*p != '{')
			return fail(js, p, "not a JSON object");
		p = skip_ws(p + 1, end);
		if (p < end && *p == '}')
			goto close;
		break;
	case ST_NEXT:
		p = skip_ws(p, end);
		if (p < end && *p == '}')
			goto close;
		if (p == end || *p != ',')
			return fail(js, p, "expected ',' or '}'");
		p = skip_ws(p + 1, end);
		break;
	}
	if (p == end || *p != '"')
		return fail(js, p, "expected a string key");
	m->key = p + 1;
	if (scan_string(js, &p, &m->key_esc) < 0)
		return -1;
	m->keylen = (size_t)(p - 1 - m->key);
	p = skip_ws(p, end);
	if (p == end || *p != ':')
		return fail(js, p, "expected ':' after key");
	p = skip_ws(p + 1, end);
	m->val = p;
	if (p < end && (*p == '{' || *p == '[')) {
		m->type = *p == '{' ? CT_JOBJECT : CT_JARRAY;
		m->val_esc = false;
		if (skip_container(js, &p) < 0)
			return -1;
		m->vallen = (size_t)(p - m->val);
	} else {
		if (scan_scalar(js, &p, &m->type, &m->val_esc) < 0)
			return -1;
		if (m->type == CT_JSTRING) {
			m->val++;
			m->vallen = (size_t)(p - 1 - m->val);
		} else
			m->vallen = (size_t)(p - m->val);
	}
	js->p = p;
	js->state = ST_NEXT;
	return 1;
close:
	js->close = p;
	p = skip_ws(p + 1, end);
	if (p != end)
		return fail(js, p, "trailing characters after the object");
	js->p = p;
	js->state = ST_END;
	return 0;
}

const char *
ct_jscan_close(const struct ct_jscan *js)
{
	return js->state == ST_END ? js->close : NULL;
}

const char *
ct_jscan_error(const struct ct_jscan *js, size_t *col)
{
	if (col != NULL)
		*col = js->errcol;
	return js->errmsg;
}

int
ct_jscan_validate(const char *s, size_t n, const char **msg, size_t *col)
{
	struct ct_jscan js;
	struct ct_jmember m;
	int r;

	ct_jscan_init(&js, s, n);
	while ((r = ct_jscan_next(&js, &m)) > 0)
		;
	if (r < 0) {
		*msg = ct_jscan_error(&js, col);
		return -1;
	}
	return 0;
}

int
ct_jscan_find(const char *s, size_t n, const char *key,
    struct ct_jmember *out)
{
	struct ct_jscan js;
	struct ct_jmember m;
	size_t klen = strlen(key);
	int r, found = 0;

	ct_jscan_init(&js, s, n);
	while ((r = ct_jscan_next(&js, &m)) > 0)
		if (ct_jscan_keyeq(&m, key, klen)) {
			*out = m;
			found = 1;
		}
	return r < 0 ? -1 : found;
}

bool
ct_jscan_keyeq(const struct ct_jmember *m, const char *key, size_t n)
{
	char buf[256];

	if (!m->key_esc)
		return m->keylen == n && memcmp(m->key, key, n) == 0;
	/* An escaped key is never shorter than its unescaped form. */
	if (m->keylen < n || n > sizeof(buf))
		return false;
	return ct_jscan_unescape(m->key, m->keylen, buf, sizeof(buf)) == n &&
	    memcmp(buf, key, n) == 0;
}

static unsigned
hex4(const char *p)
{
	return (unsigned)(hexval1[(unsigned char)p[0]] - 1) << 12 |
	    (unsigned)(hexval1[(unsigned char)p[1]] - 1) << 8 |
	    (unsigned)(hexval1[(unsigned char)p[2]] - 1) << 4 |
	    (unsigned)(hexval1[(unsigned char)p[3]] - 1);
}

static size_t
put_utf8(char *out, size_t outsz, size_t o, unsigned cp)
{
	unsigned char u[4];
	size_t n, i;

	if (cp < 0x80) {
		u[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = 0xc0 | cp >> 6;
		u[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | cp >> 12;
		u[1] = 0x80 | (cp >> 6 & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | cp >> 18;
		u[1] = 0x80 | (cp >> 12 & 0x3f);
		u[2] = 0x80 | (cp >> 6 & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	for (i = 0; i < n; i++, o++)
		if (o < outsz)
			out[o] = u[i];
	return o;
}

size_t
ct_jscan_unescape(const char *s, size_t n, char *out, size_t outsz)
{
	const char *end = s + n;
	size_t o = 0;
	unsigned cp, lo;
	char c;

	while (s < end) {
		if (*s != '\\') {
			if (o < outsz)
				out[o] = *s;
			o++;
			s++;
			continue;
		}
		/* The scanner validated the escapes; guard anyway. */
		if (end - s < 2)
			break;
		c = s[1];
		s += 2;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (end - s < 4)
				return o;
			cp = hex4(s);
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - s >= 6 &&
			    s[0] == '\\' && s[1] == 'u' &&
			    (lo = hex4(s + 2)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				s += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			o = put_utf8(out, outsz, o, cp);
			continue;
		}
		if (o < outsz)
			out[o] = c;
		o++;
	}
	return o;
}

int
ct_jscan_u64(const struct ct_jmember *m, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned d;
	size_t i;

	if (m->type != CT_JNUMBER || m->vallen == 0)
		return -1;
	for (i = 0; i < m->vallen; i++) {
		if (!isdigit_(m->val[i]))
			return -1;
		d = (unsigned)(m->val[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}
