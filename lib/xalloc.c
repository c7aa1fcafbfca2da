/* Allocation that never returns NULL, for tools. */
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		fatal(EX_OSERR, "malloc");
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if ((p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		fatal(EX_OSERR, "calloc");
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p;

	if ((p = realloc(old, n ? n : 1)) == NULL)
		fatal(EX_OSERR, "realloc");
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal(EX_OSERR, "strdup");
	return p;
}
