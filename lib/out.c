/* Writing data to stdout, with exit codes that tell EPIPE from I/O errors. */
#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"

static void (*exit_hook)(int);

int
ct_out_guard_std(void)
{
	int fd, closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed |= 1 << fd;
		if (open("/dev/null", O_RDWR) != fd)
			exit(EX_OSERR);
	}
	return closed;
}

void
ct_out_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

void
ct_out_on_exit(void (*fn)(int))
{
	exit_hook = fn;
}

int
ct_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w >= 0) {
			s += w;
			n -= w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		/* An inherited O_NONBLOCK descriptor: wait until it drains. */
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
out_exit(int status)
{
	if (exit_hook != NULL)
		exit_hook(status);
	exit(status);
}

size_t
ct_out_flush(struct ct_buf *b)
{
	size_t n = b->len;

	if (n == 0)
		return 0;
	if (ct_write_all(STDOUT_FILENO, b->data, n) < 0) {
		if (errno == EPIPE)
			out_exit(0);
		log_error("cannot write to standard output");
		out_exit(EX_IOERR);
	}
	b->len = 0;
	return n;
}

int
ct_out_close(void)
{
	/* Catch errors of a descriptor that buffers (e.g. NFS) at close. */
	if (close(STDOUT_FILENO) < 0 && errno != EPIPE && errno != EBADF) {
		log_error("cannot close standard output");
		return EX_IOERR;
	}
	return 0;
}
