/*
 * ct-listen's reading side: netlink messages in, records out, and the
 * kernel's drop counter turned into LOST records.  One poll loop.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "listen.h"
#include "log.h"
#include "out.h"
#include "sig.h"

#define BATCH		128		/* datagrams per recvmmsg() */
#define SLOT		8192		/* bytes per datagram; events use < 1 KiB */
#define DUMPBUF		65536
#define FLUSH_AT	(256 * 1024)	/* flush a long burst at this size */
#define BUSY		16		/* a drain this large means a flood */
#define BUSY_PAUSE_MS	1		/* then let events gather this long */

static const struct listen_opts *opts;
static struct ct_buf out;

static struct {
	uint64_t type[CT_EVENT_LOST + 1];	/* records written, by type */
	uint64_t lost;		/* events the kernel dropped */
	uint64_t undelivered;	/* --reliable: deliveries the kernel retries */
	uint64_t skipped;	/* events filtered out by -4/-6/-p */
	uint64_t bad;		/* undecodable or unexpected messages */
	uint64_t bytes;		/* written to stdout */
} count;

static uint32_t drops_seen;	/* the kernel's drop counter when last read */
static bool drops_pending;	/* ENOBUFS seen, or drops found last time */
static time_t last_loss_warning;
static uint64_t lost_unwarned;

static void
print_counters(void)
{
	log_report("records new=%llu update=%llu destroy=%llu existing=%llu "
	    "lost-records=%llu; events lost=%llu skipped=%llu "
	    "retried=%llu; bad messages=%llu; bytes written=%llu",
	    (unsigned long long)count.type[CT_EVENT_NEW],
	    (unsigned long long)count.type[CT_EVENT_UPDATE],
	    (unsigned long long)count.type[CT_EVENT_DESTROY],
	    (unsigned long long)count.type[CT_EVENT_EXISTING],
	    (unsigned long long)count.type[CT_EVENT_LOST],
	    (unsigned long long)count.lost,
	    (unsigned long long)count.skipped,
	    (unsigned long long)count.undelivered,
	    (unsigned long long)count.bad,
	    (unsigned long long)count.bytes);
}

static void
on_exit_hook(int status)
{
	(void)status;
	if (log_enabled(CT_LOG_DEBUG))
		print_counters();
}

static void
flush(void)
{
	count.bytes += ct_out_flush(&out);
}

static void
bad_message(const struct nlmsghdr *nlh, const char *why)
{
	count.bad++;
	/* A kernel that sends garbage sends a lot of it: say it sparingly. */
	if (count.bad <= 10 || (count.bad & (count.bad - 1)) == 0)
		log_warnx("ignoring netlink message (type 0x%x, %u bytes): %s "
		    "(%llu so far)", nlh ? nlh->nlmsg_type : 0,
		    nlh ? nlh->nlmsg_len : 0, why,
		    (unsigned long long)count.bad);
}

/* Decode one conntrack message and write it unless the options exclude it. */
static void
handle_message(const struct nlmsghdr *nlh, const struct timespec *now)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = *now;
	ev.netns = opts->netns;
	if (parse_event(nlh, &ev) < 0) {
		bad_message(nlh, parse_error);
		return;
	}
	if ((ev.family == AF_INET && !opts->family4) ||
	    (ev.family == AF_INET6 && !opts->family6) ||
	    !opts->proto[ev.orig.proto]) {
		count.skipped++;
		return;
	}
	ct_event_write(&out, &ev);
	count.type[ev.type]++;
}

/* Walk the netlink messages of one datagram from the event socket. */
static void
handle_datagram(const char *buf, size_t len, const struct timespec *now)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_NOOP)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			bad_message(nlh, "control message on the event socket");
			continue;
		}
		handle_message(nlh, now);
	}
	if (left != 0)
		bad_message(NULL, "truncated netlink message");
}

/*
 * Say on stderr how many events were dropped (or, with --reliable, could
 * not be delivered) since the last warning: at most once a second, and a
 * last time at exit, so that the lines add up to every event.
 */
static void
warn_loss(time_t now, bool final)
{
	if (lost_unwarned == 0 || (!final && now == last_loss_warning))
		return;
	if (opts->reliable)
		log_warnx("kernel could not deliver %llu events: receive "
		    "buffer full; it sends them again with the flows' next "
		    "events (raise --buffer-size)",
		    (unsigned long long)lost_unwarned);
	else
		log_warnx("kernel dropped %llu events: receive buffer full "
		    "(reader too slow; raise --buffer-size)",
		    (unsigned long long)lost_unwarned);
	lost_unwarned = 0;
	last_loss_warning = now;
}

/*
 * Write a LOST record for events the kernel dropped since the last look.
 * The kernel reports ENOBUFS once when a socket overflows, then drops
 * silently until the queue is empty; so after ENOBUFS the counter is read
 * after every drain until it stops moving.  With NETLINK_NO_ENOBUFS there
 * is no report at all, and it is read after every drain.
 */
static void
check_drops(int fd, bool always)
{
	struct ct_event ev;
	int64_t d;
	uint32_t n;

	if (!always && !drops_pending && !opts->reliable)
		return;
	if ((d = sock_drops(fd)) < 0)
		return;
	/* The kernel's counter is 32 bits and wraps. */
	n = (uint32_t)d - drops_seen;
	drops_seen = (uint32_t)d;
	drops_pending = n != 0;
	if (n == 0)
		return;
	memset(&ev, 0, sizeof(ev));
	clock_gettime(CLOCK_REALTIME, &ev.time);
	lost_unwarned += n;
	if (opts->reliable) {
		/*
		 * Here a failed delivery is no loss: conntrack keeps a
		 * DESTROY event and sends it again, and merges a NEW or
		 * UPDATE into the flow's next event.  Say so, but write no
		 * LOST record.
		 */
		count.undelivered += n;
	} else {
		ev.type = CT_EVENT_LOST;
		ev.lost = n;
		ev.netns = opts->netns;
		ct_event_write(&out, &ev);
		count.type[CT_EVENT_LOST]++;
		count.lost += n;
	}
	warn_loss(ev.time.tv_sec, false);
}

/*
 * Read everything the kernel has queued on the event socket.  Returns the
 * number of datagrams read.
 */
static size_t
drain_events(int fd)
{
	static char bufs[BATCH][SLOT] __attribute__((aligned(8)));
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static bool ready;
	struct timespec now;
	size_t total = 0;
	int i, n;

	/*
	 * recvmmsg() only writes msg_len and msg_flags, so the headers are
	 * set up once.  No sender address is asked for: only the kernel and
	 * processes with CAP_NET_ADMIN over this namespace may send to a
	 * NETLINK_NETFILTER socket, and copying the address out costs 5 %.
	 */
	if (!ready) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = SLOT;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		ready = true;
	}
	for (;;) {
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return total;
			/* Events were dropped; check_drops() counts them. */
			if (errno == ENOBUFS) {
				drops_pending = true;
				continue;
			}
			fatal(EX_OSERR, "cannot receive from netlink");
		}
		clock_gettime(CLOCK_REALTIME, &now);
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
				bad_message(NULL, "message larger than the "
				    "receive slot");
			else
				handle_datagram(bufs[i], msgs[i].msg_len, &now);
		}
		total += n;
		if (out.len >= FLUSH_AT)
			flush();
		if (n < BATCH)
			return total;
	}
}

void
loop_dump(int fd, uint32_t seq)
{
	static char buf[DUMPBUF] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;
	struct timespec now;
	ssize_t len;
	int left, interrupted = 0;

	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			fatal(EX_OSERR, "cannot read the conntrack table");
		}
		if (len == 0)
			fatalx(EX_OSERR, "cannot read the conntrack table: "
			    "the kernel ended the dump without NLMSG_DONE");
		clock_gettime(CLOCK_REALTIME, &now);
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		    nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = 1;
			if (nlh->nlmsg_type == NLMSG_DONE)
				goto done;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*e))
					fatalx(EX_OSERR, "cannot dump the "
					    "conntrack table: short error message");
				e = mnl_nlmsg_get_payload(nlh);
				errno = -e->error;
				if (e->error == 0)
					goto done;
				fatal(EX_OSERR, "cannot dump the conntrack table");
			}
			handle_message(nlh, &now);
		}
		if (out.len >= FLUSH_AT)
			flush();
	}
done:
	if (interrupted)
		log_warnx("the table changed while it was read: some entries "
		    "may be missing or repeated");
	flush();
}

void
loop_run(int nl, int sfd)
{
	struct pollfd pfd[2];
	size_t n;
	int sig;

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = nl;
	pfd[1].events = POLLIN;
	for (;;) {
		n = drain_events(nl);
		check_drops(nl, false);
		flush();
		/*
		 * Waking up for every event of a flood costs more than the
		 * event itself.  When the last drain was large, wait a moment
		 * on the signals alone so that the next one reads a full
		 * batch; the kernel buffer holds far more than a millisecond.
		 */
		if (poll(pfd, n >= BUSY ? 1 : 2, n >= BUSY ? BUSY_PAUSE_MS : -1)
		    < 0) {
			if (errno == EINTR)
				continue;
			fatal(EX_OSERR, "poll");
		}
		if (pfd[0].revents == 0)
			continue;
		while ((sig = ct_sig_read(sfd)) > 0) {
			if (sig == SIGUSR1) {
				check_drops(nl, true);
				print_counters();
			} else {
				/* What the kernel already queued is not lost. */
				drain_events(nl);
				check_drops(nl, true);
				return;
			}
		}
		if (sig < 0)
			fatal(EX_OSERR, "cannot read signals");
	}
}

void
loop_setup(const struct listen_opts *o, int nl)
{
	int64_t d;

	opts = o;
	ct_out_setup();
	ct_out_on_exit(on_exit_hook);
	if (nl >= 0 && (d = sock_drops(nl)) >= 0)
		drops_seen = (uint32_t)d;
}

void
loop_finish(void)
{
	warn_loss(0, true);
	flush();
	on_exit_hook(0);
	ct_buf_release(&out);
}
