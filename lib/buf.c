/* Growable byte buffers. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
ct_buf_init(struct ct_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ct_buf_release(struct ct_buf *b)
{
	free(b->data);
	ct_buf_init(b);
}

char *
ct_buf_grow(struct ct_buf *b, size_t n)
{
	size_t cap;

	if (b->cap - b->len > n)
		return b->data + b->len;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= n)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return b->data + b->len;
}

void
ct_buf_add(struct ct_buf *b, const void *p, size_t n)
{
	memcpy(ct_buf_grow(b, n), p, n);
	b->len += n;
}

void
ct_buf_adds(struct ct_buf *b, const char *s)
{
	ct_buf_add(b, s, strlen(s));
}

void
ct_buf_addc(struct ct_buf *b, char c)
{
	*ct_buf_grow(b, 1) = c;
	b->len++;
}

void
ct_buf_addu(struct ct_buf *b, unsigned long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	ct_buf_add(b, p, tmp + sizeof(tmp) - p);
}

void
ct_buf_addf(struct ct_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	ct_buf_grow(b, n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

char *
ct_buf_cstr(struct ct_buf *b)
{
	*ct_buf_grow(b, 1) = '\0';
	return b->data;
}
