/*
 * The netlink side of ct-listen: sockets, group membership, buffer size,
 * the table dump request, the kernel's drop counter, network namespaces.
 */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/sock_diag.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

static int
open_netfilter(void)
{
	struct sockaddr_nl sa;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_NETFILTER);
	if (fd < 0)
		fatal(EX_OSERR, "cannot open netlink socket");
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fatal(EX_OSERR, "cannot bind netlink socket");
	return fd;
}

static void
set_int(int fd, int level, int name, int value, const char *what)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
		fatal(EX_OSERR, "cannot set %s", what);
}

int
sock_open_events(const struct listen_opts *opts)
{
	int fd, g, size;
	socklen_t len;

	fd = open_netfilter();
	for (g = NFNLGRP_CONNTRACK_NEW; g <= NFNLGRP_CONNTRACK_DESTROY; g++) {
		if (!(opts->groups & (1u << (g - 1))))
			continue;
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
		    sizeof(g)) == 0)
			continue;
		if (errno == EPERM || errno == EACCES)
			fatalx(EX_OSERR, "cannot join conntrack event groups: "
			    "%s (needs CAP_NET_ADMIN)", strerror(errno));
		fatal(EX_OSERR, "cannot join conntrack event groups");
	}
	/*
	 * The kernel drops events when this buffer is full, and bursts
	 * (a table flush, a scan) fill the default 208 KiB in
	 * milliseconds.  SO_RCVBUFFORCE passes net.core.rmem_max; it is only
	 * memory in use while events wait.
	 */
	size = opts->bufsize > INT32_MAX / 2 ? INT32_MAX / 2 : (int)opts->bufsize;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
		log_warn("cannot force receive buffer size, trying SO_RCVBUF");
		set_int(fd, SOL_SOCKET, SO_RCVBUF, size, "receive buffer size");
	}
	len = sizeof(size);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) == 0)
		log_debug("receive buffer: %d bytes", size);
	if (opts->reliable) {
		/*
		 * With both set, a failed delivery is reported back to
		 * conntrack, which keeps the DESTROY event (and its entry)
		 * and sends it again: no event is lost, but a stalled reader
		 * holds entries in the table.
		 */
		set_int(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, 1,
		    "NETLINK_BROADCAST_ERROR");
		set_int(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1,
		    "NETLINK_NO_ENOBUFS");
	}
	return fd;
}

int
sock_open_dump(void)
{
	int fd = open_netfilter();

	/* Dumps are unicast and paced by our reads; make this one blocking. */
	if (fcntl(fd, F_SETFL, 0) < 0)
		fatal(EX_OSERR, "fcntl");
	return fd;
}

int
sock_request_dump(int fd, int family, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -1;
	return 0;
}

int64_t
sock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof(mem[0]))
		return -1;
	return mem[SK_MEMINFO_DROPS];
}

void
sock_enter_netns(const char *name)
{
	char path[4096];
	int fd;

	/* A bare name is one that ip-netns(8) made. */
	if (strchr(name, '/') == NULL)
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	else
		snprintf(path, sizeof(path), "%s", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		fatal(errno == ENOENT ? EX_NOINPUT : EX_OSERR,
		    "cannot open network namespace '%s'", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		fatal(EX_OSERR, "cannot enter network namespace '%s'", path);
	close(fd);
}
