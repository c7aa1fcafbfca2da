/*
 * struct ct_buf: a growable byte buffer, the output side of every tool.
 * The buffer owns data; it is not NUL-terminated unless ct_buf_cstr() is
 * called.  Growth failure is fatal (these buffers serve tools only).
 */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stddef.h>

struct ct_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Set up an empty buffer; allocates nothing. */
void ct_buf_init(struct ct_buf *);

/* Free the contents; the buffer is then empty and may be reused. */
void ct_buf_release(struct ct_buf *);

/* Make room for at least n more bytes; returns a pointer to the free space. */
char *ct_buf_grow(struct ct_buf *, size_t n);

/* Append bytes, a C string, one byte. */
void ct_buf_add(struct ct_buf *, const void *, size_t);
void ct_buf_adds(struct ct_buf *, const char *);
void ct_buf_addc(struct ct_buf *, char);

/* Append an unsigned number in decimal. */
void ct_buf_addu(struct ct_buf *, unsigned long long);

/* Append printf-style formatted text. */
void ct_buf_addf(struct ct_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* NUL-terminate (not counted in len) and return data. */
char *ct_buf_cstr(struct ct_buf *);

#endif
