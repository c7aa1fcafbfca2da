/*
 * stdout for the ct-* tools: data is gathered in a struct ct_buf and
 * written with as few write(2) calls as possible.  A closed pipe (EPIPE)
 * ends the tool quietly with status 0, as head(1) downstream expects;
 * any other write error ends it with EX_IOERR.
 */
#ifndef CT_OUT_H
#define CT_OUT_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/*
 * Occupy closed standard descriptors with /dev/null, so that no socket,
 * file or signalfd opened later takes their place (and receives data
 * meant for stdout).  Call first thing in main().  Returns a bit per
 * descriptor that was closed (1 stdin, 2 stdout, 4 stderr); exits with
 * EX_OSERR if /dev/null cannot be opened.
 */
int ct_out_guard_std(void);

/*
 * Prepare the process for writing to a pipe: ignore SIGPIPE so that a
 * vanished reader shows up as EPIPE.
 */
void ct_out_setup(void);

/*
 * Write all n bytes to fd, waiting in poll(2) if fd is non-blocking.
 * Returns 0, or -1 with errno set.
 */
int ct_write_all(int fd, const void *p, size_t n);

/*
 * Write out and empty b on stdout.  Exits 0 on EPIPE (after running
 * the hook set with ct_out_on_exit), EX_IOERR on any other error.
 * Returns the number of bytes written.
 */
size_t ct_out_flush(struct ct_buf *b);

/* A function ct_out_flush() calls before it exits (e.g. to print counters). */
void ct_out_on_exit(void (*fn)(int status));

/* Check stdout a last time at exit: returns 0, or EX_IOERR after a message. */
int ct_out_close(void);

#endif
