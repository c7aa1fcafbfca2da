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
#include <linux/filter.h>
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

/*
 * A classic BPF program that lets only the wanted families and layer-4
 * protocols through, so that the kernel neither queues nor copies the
 * rest (libnetfilter_conntrack's filters work the same way).  The
 * protocol is found with the netlink attribute extensions: CTA_TUPLE_ORIG
 * > CTA_TUPLE_PROTO > CTA_PROTO_NUM.  A message without them is let
 * through for the decoder to report.  Returns 0 when nothing needs
 * filtering, else the number of instructions written to prog.
 */
static size_t
build_filter(const struct listen_opts *opts, struct sock_filter *prog,
    size_t max)
{
	/* Offsets in the message: struct nlmsghdr, then struct nfgenmsg. */
	const unsigned family_off = NLMSG_HDRLEN;
	const unsigned attrs_off = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	size_t n = 0, i, nproto = 0, accept;
	bool all_protos = true;

	for (i = 0; i < 256; i++) {
		if (opts->proto[i])
			nproto++;
		else
			all_protos = false;
	}
	if (all_protos && opts->family4 && opts->family6)
		return 0;
	/* Jump offsets are 8 bits; past that, user space filters alone. */
	if (all_protos || nproto > 64) {
		all_protos = true;
		nproto = 0;
	}
	if (max < 16 + nproto)
		return 0;

#define STMT(c, k) \
	do { prog[n] = (struct sock_filter)BPF_STMT((c), (k)); n++; } while (0)
	/* A jump when equal to k, to instruction "to" (absolute). */
#define JEQ_TO(k, to) do { \
	prog[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, \
	    (k), (to) - n - 1, 0); \
	n++; \
} while (0)
	if (!(opts->family4 && opts->family6)) {
		STMT(BPF_LD | BPF_B | BPF_ABS, family_off);
		JEQ_TO(opts->family4 ? AF_INET : AF_INET6, n + 2);
		STMT(BPF_RET | BPF_K, 0);
	}
	if (!all_protos) {
		/* Each "not found" jumps to the accept at the end. */
		accept = n + 13 + nproto;
		STMT(BPF_LD | BPF_IMM, attrs_off);
		STMT(BPF_LDX | BPF_IMM, CTA_TUPLE_ORIG);
		STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR);
		JEQ_TO(0, accept);
		STMT(BPF_LDX | BPF_IMM, CTA_TUPLE_PROTO);
		STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
		JEQ_TO(0, accept);
		STMT(BPF_LDX | BPF_IMM, CTA_PROTO_NUM);
		STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
		JEQ_TO(0, accept);
		STMT(BPF_MISC | BPF_TAX, 0);
		STMT(BPF_LD | BPF_B | BPF_IND, sizeof(struct nlattr));
		for (i = 0; i < 256; i++)
			if (opts->proto[i])
				JEQ_TO(i, accept);
		STMT(BPF_RET | BPF_K, 0);
	}
	STMT(BPF_RET | BPF_K, 0xffffffff);
#undef STMT
#undef JEQ_TO
	return n;
}

static void
attach_filter(int fd, const struct listen_opts *opts)
{
	struct sock_filter prog[128];
	struct sock_fprog fprog;

	fprog.len = build_filter(opts, prog, sizeof(prog) / sizeof(prog[0]));
	fprog.filter = prog;
	if (fprog.len == 0)
		return;
	/* Not fatal: user space applies the same filter anyway. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
	    sizeof(fprog)) < 0)
		log_warn("cannot attach the kernel-side event filter");
}

int
sock_open_events(const struct listen_opts *opts)
{
	int fd, g, size;
	socklen_t len;

	fd = open_netfilter();
	/* Before joining, so that no unwanted event is ever queued. */
	attach_filter(fd, opts);
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
