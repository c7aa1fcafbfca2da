/* NDJSON writer. */
#include "ndjson.h"

#include <string.h>

void
ct_json_open(struct ct_buf *b)
{
	ct_buf_addc(b, '{');
}

void
ct_json_close(struct ct_buf *b)
{
	ct_buf_add(b, "}\n", 2);
}

void
ct_json_key(struct ct_buf *b, const char *key)
{
	size_t n = strlen(key);
	char *p = ct_buf_grow(b, n + 4);

	if (b->len > 0 && b->data[b->len - 1] != '{')
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	b->len = p - b->data;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x3f >> (len - 1));
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void
ct_json_quote(struct ct_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i, run, u;

	ct_buf_addc(b, '"');
	for (i = 0; i < n; ) {
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\'; run++)
			;
		ct_buf_add(b, s + i, run - i);
		if ((i = run) >= n)
			break;
		switch (s[i]) {
		case '"':
			ct_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			ct_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			ct_buf_add(b, "\\n", 2);
			break;
		case '\t':
			ct_buf_add(b, "\\t", 2);
			break;
		case '\r':
			ct_buf_add(b, "\\r", 2);
			break;
		default:
			if (s[i] < 0x20) {
				ct_buf_add(b, "\\u00", 4);
				ct_buf_addc(b, hex[s[i] >> 4]);
				ct_buf_addc(b, hex[s[i] & 0xf]);
			} else if ((u = utf8_len(s + i, n - i)) > 0) {
				ct_buf_add(b, s + i, u);
				i += u;
				continue;
			} else {
				ct_buf_add(b, "\xef\xbf\xbd", 3);
			}
		}
		i++;
	}
	ct_buf_addc(b, '"');
}

void
ct_json_strn(struct ct_buf *b, const char *key, const char *s, size_t n)
{
	ct_json_key(b, key);
	ct_json_quote(b, s, n);
}

void
ct_json_str(struct ct_buf *b, const char *key, const char *s)
{
	ct_json_strn(b, key, s, strlen(s));
}

void
ct_json_u64(struct ct_buf *b, const char *key, uint64_t v)
{
	ct_json_key(b, key);
	ct_buf_addu(b, v);
}

void
ct_json_bool(struct ct_buf *b, const char *key, bool v)
{
	ct_json_key(b, key);
	if (v)
		ct_buf_add(b, "true", 4);
	else
		ct_buf_add(b, "false", 5);
}
