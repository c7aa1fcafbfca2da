/*
 * ct-flood: create conntrack entries fast, for the benchmarks and the
 * burst test.  Each UDP datagram goes to a new (port, address) pair, so
 * each one makes one conntrack entry and one NEW event.  Run it only
 * inside a network namespace whose destination is a dummy interface.
 *
 * usage: ct-flood [-r rate] [-p first-port] count dst-address...
 * -r paces to rate datagrams per second (0, the default: as fast as
 * possible).  Prints the number sent and the seconds taken on stdout.
 * It gives up after 60 seconds, whatever it has sent by then.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ct-flood [-r rate] [-p first-port] count "
	    "dst-address...\n");
	exit(EX_USAGE);
}

static unsigned long
number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0')
		errx(EX_USAGE, "invalid number '%s'", s);
	return v;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	static struct sockaddr_storage dst[BATCH];
	static struct mmsghdr msgs[BATCH];
	struct sockaddr_storage *addrs;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	unsigned long count, rate = 0, sent = 0, port = 1024, naddr, i;
	double start, due;
	int ch, fd4 = -1, fd6 = -1, fd, n;
	socklen_t len;

	while ((ch = getopt(argc, argv, "p:r:")) != -1) {
		switch (ch) {
		case 'p':
			port = number(optarg);
			break;
		case 'r':
			rate = number(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	count = number(argv[0]);
	naddr = argc - 1;
	if ((addrs = calloc(naddr, sizeof(*addrs))) == NULL)
		err(EX_OSERR, "calloc");
	for (i = 0; i < naddr; i++) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&addrs[i];
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addrs[i];

		if (inet_pton(AF_INET, argv[i + 1], &a4->sin_addr) == 1)
			a4->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, argv[i + 1], &a6->sin6_addr) == 1)
			a6->sin6_family = AF_INET6;
		else
			errx(EX_USAGE, "invalid address '%s'", argv[i + 1]);
	}
	if ((fd4 = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    (fd6 = socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
		err(EX_OSERR, "socket");

	start = now();
	while (sent < count && now() - start < 60) {
		/* One batch per family keeps sendmmsg() on one socket. */
		int family = addrs[(sent / 64512) % naddr].ss_family;

		fd = family == AF_INET ? fd4 : fd6;
		for (n = 0; n < BATCH && sent + n < count; n++) {
			unsigned long k = sent + n;
			unsigned long a = (k / 64512) % naddr;
			uint16_t p = (uint16_t)(port + k % 64512);

			if (addrs[a].ss_family != family)
				break;
			dst[n] = addrs[a];
			if (family == AF_INET) {
				((struct sockaddr_in *)&dst[n])->sin_port = htons(p);
				len = sizeof(struct sockaddr_in);
			} else {
				((struct sockaddr_in6 *)&dst[n])->sin6_port = htons(p);
				len = sizeof(struct sockaddr_in6);
			}
			memset(&msgs[n].msg_hdr, 0, sizeof(msgs[n].msg_hdr));
			msgs[n].msg_hdr.msg_name = &dst[n];
			msgs[n].msg_hdr.msg_namelen = len;
			msgs[n].msg_hdr.msg_iov = &iov;
			msgs[n].msg_hdr.msg_iovlen = 1;
		}
		n = sendmmsg(fd, msgs, n, 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS ||
			    errno == EAGAIN)
				continue;
			err(EX_OSERR, "sendmmsg");
		}
		sent += n;
		if (rate > 0) {
			due = start + (double)sent / rate;
			while (now() < due)
				;	/* a sleep is too coarse at 4 µs a datagram */
		}
	}
	printf("%lu %.6f\n", sent, now() - start);
	free(addrs);
	return 0;
}
