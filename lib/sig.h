/*
 * Signals as file descriptor events (signalfd), so that the poll loop
 * handles them like any input and no work happens in a handler.
 */
#ifndef CT_SIG_H
#define CT_SIG_H

/*
 * Block the n signals in sigs and return a non-blocking, close-on-exec
 * signalfd that reports them, or -1 with errno set.
 */
int ct_sig_open(const int *sigs, int n);

/* Read one pending signal: returns its number, 0 if none is pending, -1 on error. */
int ct_sig_read(int fd);

#endif
