/*
 * struct ct_lines: reading newline-delimited records from a descriptor
 * with no fixed line limit.  Works on blocking and non-blocking
 * descriptors; the caller polls.  Lines point into the reader's buffer
 * and stay valid until the next ct_lines_fill().
 */
#ifndef CT_LINES_H
#define CT_LINES_H

#include <stddef.h>
#include <sys/types.h>

struct ct_lines {
	char *buf;
	size_t start;		/* first unconsumed byte */
	size_t len;		/* bytes held, from buf[0] */
	size_t cap;
	unsigned long lineno;	/* number of the line last returned */
	int eof;
};

/* Set up an empty reader; allocates nothing. */
void ct_lines_init(struct ct_lines *);

/* Free the buffer. */
void ct_lines_release(struct ct_lines *);

/*
 * Read once from fd.  Returns the bytes read (> 0), 0 at end of file
 * (eof is then set), or -1 with errno (EAGAIN when nothing is ready).
 */
ssize_t ct_lines_fill(struct ct_lines *, int fd);

/*
 * Take the next complete line, without its newline.  After end of file a
 * last line without a newline is returned too.  Returns 1 with *line and
 * *len set, or 0 when no complete line is held.  *line is NUL-terminated
 * in place.
 */
int ct_lines_next(struct ct_lines *, char **line, size_t *len);

#endif
