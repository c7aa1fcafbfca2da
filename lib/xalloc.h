/*
 * Allocation for tools: out of memory is fatal (EX_OSERR) there.
 * Reusable lib code must not call these; it returns -1 with ENOMEM.
 */
#ifndef CT_XALLOC_H
#define CT_XALLOC_H

#include <stddef.h>

/* Like malloc/calloc/realloc/strdup, but exit with EX_OSERR on failure. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);

#endif
