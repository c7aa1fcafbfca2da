/* Line reader with a buffer that grows to the longest line seen. */
#include "lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define CT_LINES_CHUNK 65536

void
ct_lines_init(struct ct_lines *r)
{
	memset(r, 0, sizeof(*r));
}

void
ct_lines_release(struct ct_lines *r)
{
	free(r->buf);
	ct_lines_init(r);
}

ssize_t
ct_lines_fill(struct ct_lines *r, int fd)
{
	ssize_t n;

	/* Move the partial line to the front, then grow if still short. */
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->cap - r->len < CT_LINES_CHUNK / 2) {
		r->cap = r->cap ? r->cap * 2 : CT_LINES_CHUNK;
		r->buf = xrealloc(r->buf, r->cap + 1);
	}
	do
		n = read(fd, r->buf + r->len, r->cap - r->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->len += n;
	else if (n == 0)
		r->eof = 1;
	return n;
}

int
ct_lines_next(struct ct_lines *r, char **line, size_t *len)
{
	char *p, *nl;
	size_t avail = r->len - r->start;

	if (avail == 0)
		return 0;
	p = r->buf + r->start;
	if ((nl = memchr(p, '\n', avail)) != NULL) {
		*nl = '\0';
		*line = p;
		*len = nl - p;
		r->start += *len + 1;
	} else if (r->eof) {
		/* buf has one spare byte past cap for this NUL. */
		p[avail] = '\0';
		*line = p;
		*len = avail;
		r->start = r->len;
	} else {
		return 0;
	}
	r->lineno++;
	return 1;
}
