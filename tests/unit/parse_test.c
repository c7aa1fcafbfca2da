/*
 * parse_event(): netlink messages built with libmnl the way the kernel
 * builds them (ctnetlink_conntrack_event() and ctnetlink_fill_info() in
 * net/netfilter/nf_conntrack_netlink.c), decoded and written as records.
 * Broken messages must be refused with a reason, never read past.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "event.h"
#include "listen.h"

#define CTA_TIMESTAMP_EVENT_ 27	/* Linux 6.14; not in older headers */
#define T0 1700000000		/* 2023-11-14T22:13:20Z */
#define TIME0 "\"time\":\"2023-11-14T22:13:20.000000000Z\""

/* A message buffer with room; aligned for struct nlmsghdr. */
static union {
	char buf[8192];
	struct nlmsghdr h;
} m;

static struct nlmsghdr *
msg(uint16_t type, uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(&m, 0, sizeof(m));
	nlh = mnl_nlmsg_put_header(m.buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* The kernel's nla_nest_start() sets NLA_F_NESTED; do the same. */
static struct nlattr *
nest(struct nlmsghdr *nlh, uint16_t type)
{
	return mnl_attr_nest_start(nlh, type | NLA_F_NESTED);
}

static void
put_be16(struct nlmsghdr *nlh, uint16_t type, uint16_t v)
{
	mnl_attr_put_u16(nlh, type, htons(v));
}

static void
put_be32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	mnl_attr_put_u32(nlh, type, htonl(v));
}

static void
put_be64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put_u64(nlh, type, htobe64(v));
}

struct tup {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;			/* ports when non-zero */
	int icmp;				/* 1: ICMP attrs, 2: ICMPv6 attrs */
	uint8_t itype, icode;
	uint16_t iid;
};

/* ctnetlink_dump_tuples(): CTA_TUPLE_IP, CTA_TUPLE_PROTO. */
static void
put_tuple(struct nlmsghdr *nlh, uint16_t type, int family,
    const struct tup *t)
{
	struct nlattr *tn, *in, *pn;
	uint8_t a[16];

	tn = nest(nlh, type);
	in = nest(nlh, CTA_TUPLE_IP);
	if (family == AF_INET) {
		inet_pton(AF_INET, t->src, a);
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
		inet_pton(AF_INET, t->dst, a);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	} else {
		inet_pton(AF_INET6, t->src, a);
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, a);
		inet_pton(AF_INET6, t->dst, a);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, a);
	}
	mnl_attr_nest_end(nlh, in);
	pn = nest(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	if (t->icmp == 1) {
		put_be16(nlh, CTA_PROTO_ICMP_ID, t->iid);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, t->itype);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, t->icode);
	} else if (t->icmp == 2) {
		put_be16(nlh, CTA_PROTO_ICMPV6_ID, t->iid);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_TYPE, t->itype);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_CODE, t->icode);
	} else if (t->sport || t->dport) {
		put_be16(nlh, CTA_PROTO_SRC_PORT, t->sport);
		put_be16(nlh, CTA_PROTO_DST_PORT, t->dport);
	}
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, tn);
}

static void
put_tcp_state(struct nlmsghdr *nlh, uint8_t state)
{
	struct nlattr *p, *t;

	p = nest(nlh, CTA_PROTOINFO);
	t = nest(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, state);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 7);
	mnl_attr_put_u16(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, 0x0303);
	mnl_attr_put_u16(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, 0x0303);
	mnl_attr_nest_end(nlh, t);
	mnl_attr_nest_end(nlh, p);
}

static void
put_counters(struct nlmsghdr *nlh, uint16_t type, uint64_t pk, uint64_t by)
{
	struct nlattr *c = nest(nlh, type);

	put_be64(nlh, CTA_COUNTERS_PACKETS, pk);
	put_be64(nlh, CTA_COUNTERS_BYTES, by);
	mnl_attr_nest_end(nlh, c);
}

static const struct tup tcp_o = {
	"192.0.2.1", "198.51.100.2", IPPROTO_TCP, 40000, 80, 0, 0, 0, 0
};
static const struct tup tcp_r = {
	"198.51.100.2", "192.0.2.1", IPPROTO_TCP, 80, 40000, 0, 0, 0, 0
};

/* The head of every TCP message: tuples, zone (none), id. */
static struct nlmsghdr *
tcp_head(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = msg(type, flags, AF_INET);

	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &tcp_o);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, &tcp_r);
	put_be32(nlh, CTA_ID, 2899284024u);
	return nlh;
}

/* Parse nlh with the given receive time; write it; compare. */
static void
expect(const struct nlmsghdr *nlh, const char *want, int line)
{
	struct ct_event ev;
	struct ct_buf b;

	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = T0;
	parse_error = NULL;
	if (parse_event(nlh, &ev) < 0) {
		unit_check(0, __FILE__, line, "parse_event() == 0");
		fprintf(stderr, "  parse_error: %s\n",
		    parse_error ? parse_error : "(null)");
		return;
	}
	unit_check(1, __FILE__, line, "parse_event() == 0");
	ct_buf_init(&b);
	ct_event_write(&b, &ev);
	unit_check_str(want, b.data, b.len, __FILE__, line, "record");
	ct_buf_release(&b);
}

/* parse_event() must refuse nlh, with a reason. */
static void
refuse(const struct nlmsghdr *nlh, const char *why, int line)
{
	struct ct_event ev;
	int r;

	memset(&ev, 0, sizeof(ev));
	parse_error = NULL;
	r = parse_event(nlh, &ev);
	unit_check(r == -1, __FILE__, line, "parse_event() == -1");
	if (r == -1)
		unit_check_str(why, parse_error ? parse_error : "(null)",
		    parse_error ? strlen(parse_error) : 6, __FILE__, line,
		    "parse_error");
}

#define EXPECT(nlh, want) expect((nlh), (want), __LINE__)
#define REFUSE(nlh, why) refuse((nlh), (why), __LINE__)

#define TCP4 "\"flow\":2899284024,\"family\":\"ipv4\",\"prot\":\"TCP\"," \
	"\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\",\"sport\":40000," \
	"\"dport\":80"

static void
test_types(void)
{
	struct nlmsghdr *nlh;

	/* NEW: IPCT_NEW sets NLM_F_CREATE|NLM_F_EXCL. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED);
	put_be32(nlh, CTA_TIMEOUT, 120);
	put_tcp_state(nlh, 1);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\"," TCP4
	    ",\"state\":\"SYN_SENT\",\"unreplied\":true}\n");

	/* Either flag alone is still NEW. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_CREATE);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\"," TCP4 "}\n");

	/* UPDATE: the same message type without the flags. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY |
	    IPS_ASSURED);
	put_be32(nlh, CTA_TIMEOUT, 432000);
	put_tcp_state(nlh, 3);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\"," TCP4
	    ",\"state\":\"ESTABLISHED\",\"assured\":true}\n");

	/* DESTROY: IPCTNL_MSG_CT_DELETE, with counters and time stamps. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY |
	    IPS_ASSURED);
	put_counters(nlh, CTA_COUNTERS_ORIG, 6, 347);
	put_counters(nlh, CTA_COUNTERS_REPLY, 4, 250);
	{
		struct nlattr *ts = nest(nlh, CTA_TIMESTAMP);

		put_be64(nlh, CTA_TIMESTAMP_START,
		    (uint64_t)T0 * 1000000000u - 2500000000u);
		put_be64(nlh, CTA_TIMESTAMP_STOP,
		    (uint64_t)T0 * 1000000000u + 7);
		mnl_attr_nest_end(nlh, ts);
	}
	put_tcp_state(nlh, 7);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\"," TCP4
	    ",\"state\":\"TIME_WAIT\",\"assured\":true,\"orig_packets\":6,"
	    "\"orig_bytes\":347,\"reply_packets\":4,\"reply_bytes\":250,"
	    "\"start\":\"2023-11-14T22:13:17.500000000Z\","
	    "\"stop\":\"2023-11-14T22:13:20.000000007Z\"}\n");

	/* DELETE keeps its type whatever the flags say. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, NLM_F_CREATE | NLM_F_EXCL);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\"," TCP4 "}\n");

	/* A dump entry: IPCTNL_MSG_CT_NEW with NLM_F_MULTI. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_MULTI);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY);
	put_tcp_state(nlh, 3);
	put_be32(nlh, CTA_USE, 1);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"EXISTING\"," TCP4
	    ",\"state\":\"ESTABLISHED\"}\n");
}

static void
test_families(void)
{
	static const struct tup u6o = {
		"2001:db8::1", "2001:db8:0:0:1::2", IPPROTO_UDP, 5353, 53,
		0, 0, 0, 0
	};
	static const struct tup u6r = {
		"2001:db8:0:0:1::2", "2001:db8::1", IPPROTO_UDP, 53, 5353,
		0, 0, 0, 0
	};
	static const struct tup i4o = {
		"203.0.113.7", "192.0.2.2", IPPROTO_ICMP, 0, 0, 1, 8, 0, 4711
	};
	static const struct tup i4r = {
		"192.0.2.2", "203.0.113.7", IPPROTO_ICMP, 0, 0, 1, 0, 0, 4711
	};
	static const struct tup i6o = {
		"2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 0, 0, 2, 128, 0, 9
	};
	static const struct tup i6r = {
		"2001:db8::2", "2001:db8::1", IPPROTO_ICMPV6, 0, 0, 2, 129, 0, 9
	};
	struct nlmsghdr *nlh;

	nlh = msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET6);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET6, &u6o);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET6, &u6r);
	put_be32(nlh, CTA_ID, 1);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\",\"flow\":1,\"family\":\"ipv6\","
	    "\"prot\":\"UDP\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::1:0:0:2\","
	    "\"sport\":5353,\"dport\":53,\"unreplied\":true}\n");

	nlh = msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &i4o);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, &i4r);
	put_be32(nlh, CTA_ID, 2);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\",\"flow\":2,\"family\":\"ipv4\","
	    "\"prot\":\"ICMP\",\"src\":\"203.0.113.7\",\"dst\":\"192.0.2.2\","
	    "\"icmp_type\":8,\"icmp_code\":0,\"icmp_id\":4711,"
	    "\"unreplied\":true}\n");

	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET6);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET6, &i6o);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET6, &i6r);
	put_be32(nlh, CTA_ID, 3);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\",\"flow\":3,\"family\":\"ipv6\","
	    "\"prot\":\"ICMPv6\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\","
	    "\"icmp_type\":128,\"icmp_code\":0,\"icmp_id\":9}\n");
}

static void
test_optional(void)
{
	static const struct tup gre = {
		"192.0.2.1", "192.0.2.2", IPPROTO_GRE, 1, 2, 0, 0, 0, 0
	};
	static const struct tup snat_r = {
		"198.51.100.2", "198.51.100.1", IPPROTO_TCP, 80, 61000,
		0, 0, 0, 0
	};
	static const struct tup esp = {
		"192.0.2.1", "192.0.2.2", 50, 0, 0, 0, 0, 0, 0
	};
	struct nlmsghdr *nlh;
	struct nlattr *n;

	/* NAT: reply tuple not the mirror; mark and zone. */
	nlh = msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &tcp_o);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, &snat_r);
	put_be16(nlh, CTA_ZONE, 7);
	put_be32(nlh, CTA_ID, 2899284024u);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SRC_NAT |
	    IPS_SRC_NAT_DONE);
	put_tcp_state(nlh, 1);
	put_be32(nlh, CTA_MARK, 42);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\"," TCP4
	    ",\"state\":\"SYN_SENT\",\"reply_src\":\"198.51.100.2\","
	    "\"reply_dst\":\"198.51.100.1\",\"reply_sport\":80,"
	    "\"reply_dport\":61000,\"unreplied\":true,\"mark\":42,"
	    "\"zone\":7}\n");

	/* Zero mark and zone are left out. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	put_be32(nlh, CTA_MARK, 0);
	put_be16(nlh, CTA_ZONE, 0);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\"," TCP4 "}\n");

	/* GRE keys are not ports. */
	nlh = msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &gre);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\",\"family\":\"ipv4\","
	    "\"prot\":\"GRE\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\"}\n");

	/* A protocol without a name; no reply tuple at all. */
	nlh = msg(IPCTNL_MSG_CT_DELETE, 0, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &esp);
	put_be32(nlh, CTA_ID, 5);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\",\"flow\":5,"
	    "\"family\":\"ipv4\",\"prot\":\"50\",\"src\":\"192.0.2.1\","
	    "\"dst\":\"192.0.2.2\"}\n");

	/* Old 32-bit counters. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	n = nest(nlh, CTA_COUNTERS_ORIG);
	put_be32(nlh, CTA_COUNTERS32_PACKETS, 3);
	put_be32(nlh, CTA_COUNTERS32_BYTES, 180);
	mnl_attr_nest_end(nlh, n);
	n = nest(nlh, CTA_COUNTERS_REPLY);
	put_be32(nlh, CTA_COUNTERS32_PACKETS, 2);
	put_be32(nlh, CTA_COUNTERS32_BYTES, 120);
	mnl_attr_nest_end(nlh, n);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\"," TCP4
	    ",\"orig_packets\":3,\"orig_bytes\":180,\"reply_packets\":2,"
	    "\"reply_bytes\":120}\n");

	/* 64-bit counters with the padding attribute nla_put_64bit() adds. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	n = nest(nlh, CTA_COUNTERS_ORIG);
	mnl_attr_put(nlh, CTA_COUNTERS_PAD, 0, NULL);
	put_be64(nlh, CTA_COUNTERS_PACKETS, 0x100000000ull);
	mnl_attr_put(nlh, CTA_COUNTERS_PAD, 0, NULL);
	put_be64(nlh, CTA_COUNTERS_BYTES, 0x123456789abcull);
	mnl_attr_nest_end(nlh, n);
	put_counters(nlh, CTA_COUNTERS_REPLY, 0, 0);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\"," TCP4
	    ",\"orig_packets\":4294967296,\"orig_bytes\":20015998343868,"
	    "\"reply_packets\":0,\"reply_bytes\":0}\n");

	/* Counters of one direction only are not written. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	put_counters(nlh, CTA_COUNTERS_ORIG, 1, 60);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"DESTROY\"," TCP4 "}\n");

	/* Only a start time stamp (the entry is still alive). */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_MULTI);
	n = nest(nlh, CTA_TIMESTAMP);
	put_be64(nlh, CTA_TIMESTAMP_START, (uint64_t)T0 * 1000000000u);
	mnl_attr_nest_end(nlh, n);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"EXISTING\"," TCP4
	    ",\"start\":\"2023-11-14T22:13:20.000000000Z\"}\n");

	/* SCTP and DCCP states come from their own protoinfo nests. */
	{
		static const struct tup sctp = {
			"192.0.2.1", "192.0.2.2", IPPROTO_SCTP, 3868, 3868,
			0, 0, 0, 0
		};
		struct nlattr *p, *s;

		nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
		put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &sctp);
		p = nest(nlh, CTA_PROTOINFO);
		s = nest(nlh, CTA_PROTOINFO_SCTP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_SCTP_STATE, 4);
		put_be32(nlh, CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, 1);
		put_be32(nlh, CTA_PROTOINFO_SCTP_VTAG_REPLY, 2);
		mnl_attr_nest_end(nlh, s);
		mnl_attr_nest_end(nlh, p);
		EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\",\"family\":\"ipv4\","
		    "\"prot\":\"SCTP\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\","
		    "\"sport\":3868,\"dport\":3868,\"state\":\"ESTABLISHED\"}\n");
	}
}

static void
test_event_time(void)
{
	struct nlmsghdr *nlh;

	/* CTA_TIMESTAMP_EVENT (be64 ns, Linux 6.14) replaces receive time. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL);
	put_be64(nlh, CTA_TIMESTAMP_EVENT_,
	    (uint64_t)1600000000 * 1000000000u + 123456789);
	EXPECT(nlh, "{\"time\":\"2020-09-13T12:26:40.123456789Z\","
	    "\"type\":\"NEW\"," TCP4 "}\n");

	/* A short one is refused rather than read past. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL);
	put_be32(nlh, CTA_TIMESTAMP_EVENT_, 1);
	REFUSE(nlh, "short 64-bit attribute");
}

static void
test_unknown_attrs(void)
{
	static const uint8_t junk[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16 };
	struct nlmsghdr *nlh;
	struct nlattr *n;

	/*
	 * Attributes a newer kernel may add, at every level, must be
	 * skipped: a high type number (beyond any table), one inside
	 * the table's range, odd lengths that need padding.
	 */
	nlh = msg(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET);
	mnl_attr_put(nlh, 200, sizeof(junk), junk);
	mnl_attr_put(nlh, 31, 3, junk);
	n = nest(nlh, CTA_TUPLE_ORIG);
	mnl_attr_put(nlh, 99, 5, junk);
	{
		struct nlattr *ip = nest(nlh, CTA_TUPLE_IP);
		uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 198, 51, 100, 2 };

		mnl_attr_put(nlh, 77, 1, junk);
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, b);
		mnl_attr_nest_end(nlh, ip);
	}
	{
		struct nlattr *pr = nest(nlh, CTA_TUPLE_PROTO);

		mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
		mnl_attr_put(nlh, 30, 7, junk);
		put_be16(nlh, CTA_PROTO_SRC_PORT, 40000);
		put_be16(nlh, CTA_PROTO_DST_PORT, 80);
		mnl_attr_nest_end(nlh, pr);
	}
	put_be16(nlh, CTA_TUPLE_ZONE, 0);
	mnl_attr_nest_end(nlh, n);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, &tcp_r);
	put_be32(nlh, CTA_ID, 2899284024u);
	put_be32(nlh, CTA_USE, 1);
	mnl_attr_put(nlh, CTA_LABELS, 16, junk);
	mnl_attr_put(nlh, CTA_SYNPROXY, 12, junk);
	mnl_attr_put(nlh, 0x7fff, 2, junk);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"NEW\"," TCP4 "}\n");
}

static void
test_refused(void)
{
	static const struct tup no_ports = {
		"192.0.2.1", "192.0.2.2", IPPROTO_TCP, 0, 0, 0, 0, 0, 0
	};
	struct nlmsghdr *nlh;
	struct nlattr *n, *ip;
	uint8_t a[16] = { 192, 0, 2, 1 };

	/* Another subsystem: an expectation event. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, NLM_F_CREATE);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) |
	    IPCTNL_MSG_EXP_NEW;
	REFUSE(nlh, "message from another netfilter subsystem");
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | 0;
	REFUSE(nlh, "message from another netfilter subsystem");

	/* A ctnetlink message that is not an event. */
	nlh = tcp_head(IPCTNL_MSG_CT_GET_STATS_CPU, 0);
	REFUSE(nlh, "unexpected ctnetlink message type");
	nlh = tcp_head(IPCTNL_MSG_CT_GET, 0);
	REFUSE(nlh, "unexpected ctnetlink message type");

	/* Families other than IPv4 and IPv6. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family =
	    AF_BRIDGE;
	REFUSE(nlh, "unknown address family");
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family =
	    AF_UNSPEC;
	REFUSE(nlh, "unknown address family");

	/* No room for the nfgenmsg header. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	REFUSE(nlh, "message shorter than its header");
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	REFUSE(nlh, "message shorter than its header");

	/* Header only, or no original tuple. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	REFUSE(nlh, "no original tuple");
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, &tcp_r);
	put_be32(nlh, CTA_ID, 9);
	REFUSE(nlh, "no original tuple");

	/* An original tuple without addresses or without protocol. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "original tuple without addresses or protocol");
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "original tuple without addresses or protocol");

	/* IPv6 addresses in an IPv4 message. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	{
		static const struct tup t6 = {
			"2001:db8::1", "2001:db8::2", IPPROTO_UDP, 1, 2,
			0, 0, 0, 0
		};

		put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET6, &t6);
	}
	REFUSE(nlh, "original tuple without addresses or protocol");

	/* TCP without ports is accepted, just without sport/dport. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &no_ports);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\",\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\"}\n");
}

/* Attributes shorter than their type needs. */
static void
test_short_attrs(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *n, *ip, *pr;
	uint8_t a[16] = { 192, 0, 2, 1 };

	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	mnl_attr_put(nlh, CTA_STATUS, 2, a);
	REFUSE(nlh, "short 32-bit attribute");

	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &tcp_o);
	mnl_attr_put(nlh, CTA_ID, 3, a);
	REFUSE(nlh, "short 32-bit attribute");

	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	mnl_attr_put(nlh, CTA_MARK, 0, NULL);
	REFUSE(nlh, "short 32-bit attribute");

	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	mnl_attr_put(nlh, CTA_ZONE, 1, a);
	REFUSE(nlh, "short 16-bit attribute");

	/* A 3-byte IPv4 source address. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 3, a);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	pr = nest(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short address attribute");

	/* A 4-byte IPv6 destination address. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET6);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, a);
	mnl_attr_put(nlh, CTA_IP_V6_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short address attribute");

	/* Empty protocol number; 1-byte port; short ICMP id. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	pr = nest(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put(nlh, CTA_PROTO_NUM, 0, NULL);
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short 8-bit attribute");

	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	pr = nest(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
	mnl_attr_put(nlh, CTA_PROTO_SRC_PORT, 1, a);
	put_be16(nlh, CTA_PROTO_DST_PORT, 53);
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short 16-bit attribute");

	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = nest(nlh, CTA_TUPLE_ORIG);
	ip = nest(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, a);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, a);
	mnl_attr_nest_end(nlh, ip);
	pr = nest(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_ICMP);
	mnl_attr_put(nlh, CTA_PROTO_ICMP_ID, 1, a);
	mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
	mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short 16-bit attribute");

	/* Short TCP state; short counters; short time stamps. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	n = nest(nlh, CTA_PROTOINFO);
	pr = nest(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_STATE, 0, NULL);
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short 8-bit attribute");

	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	n = nest(nlh, CTA_COUNTERS_ORIG);
	put_be32(nlh, CTA_COUNTERS_PACKETS, 1);
	put_be64(nlh, CTA_COUNTERS_BYTES, 1);
	mnl_attr_nest_end(nlh, n);
	put_counters(nlh, CTA_COUNTERS_REPLY, 1, 1);
	REFUSE(nlh, "short 64-bit attribute");

	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	n = nest(nlh, CTA_COUNTERS_ORIG);
	put_be64(nlh, CTA_COUNTERS_PACKETS, 1);
	mnl_attr_nest_end(nlh, n);
	put_counters(nlh, CTA_COUNTERS_REPLY, 1, 1);
	REFUSE(nlh, "counters without packets or bytes");

	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	n = nest(nlh, CTA_TIMESTAMP);
	put_be32(nlh, CTA_TIMESTAMP_STOP, 1);
	mnl_attr_nest_end(nlh, n);
	REFUSE(nlh, "short 64-bit attribute");
}

/*
 * Truncated messages: an attribute whose length runs past the end of the
 * message (or of its nest) ends the walk there.  Nothing past the end may
 * be read; ASan (make check SANITIZE=1) would see it, as the message is
 * copied into a heap block of exactly its size.
 */
static void
test_truncated(void)
{
	struct nlmsghdr *nlh, *copy;
	struct nlattr *n;
	struct ct_event ev;
	uint32_t full, cut;
	int r;

	/* The original tuple's length claims more than the message holds. */
	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	n = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	CHECK((mnl_attr_get_type(n)) == CTA_TUPLE_ORIG);
	n->nla_len += 400;
	REFUSE(nlh, "no original tuple");

	/* Every prefix of a complete DESTROY message. */
	nlh = tcp_head(IPCTNL_MSG_CT_DELETE, 0);
	put_be32(nlh, CTA_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY);
	put_counters(nlh, CTA_COUNTERS_ORIG, 6, 347);
	put_counters(nlh, CTA_COUNTERS_REPLY, 4, 250);
	put_tcp_state(nlh, 7);
	put_be32(nlh, CTA_MARK, 42);
	full = nlh->nlmsg_len;
	for (cut = MNL_NLMSG_HDRLEN + 4; cut <= full; cut++) {
		copy = malloc(cut);
		if (copy == NULL)
			abort();
		memcpy(copy, nlh, cut);
		copy->nlmsg_len = cut;
		memset(&ev, 0, sizeof(ev));
		r = parse_event(copy, &ev);
		/* A cut inside the tuples must fail; the full one succeeds. */
		if (cut == full)
			CHECK(r == 0 && ev.mark == 42 && ev.has_counters);
		else
			CHECK(r == 0 || r == -1);
		free(copy);
	}

	/* A nest whose inner attribute claims more than the nest. */
	nlh = msg(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, &tcp_o);
	n = nest(nlh, CTA_PROTOINFO);
	{
		struct nlattr *t = nest(nlh, CTA_PROTOINFO_TCP);

		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, 3);
		mnl_attr_nest_end(nlh, t);
		t->nla_len += 64;	/* past the outer nest */
	}
	mnl_attr_nest_end(nlh, n);
	put_be32(nlh, CTA_MARK, 1);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\",\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"mark\":1}\n");
}

/* Duplicated attributes: the later one wins (documented in parse.c). */
static void
test_duplicates(void)
{
	struct nlmsghdr *nlh;

	nlh = tcp_head(IPCTNL_MSG_CT_NEW, 0);
	put_be32(nlh, CTA_MARK, 1);
	put_be32(nlh, CTA_MARK, 2);
	EXPECT(nlh, "{" TIME0 ",\"type\":\"UPDATE\"," TCP4 ",\"mark\":2}\n");
}

void
test_parse(void)
{
	test_types();
	test_families();
	test_optional();
	test_event_time();
	test_unknown_attrs();
	test_refused();
	test_short_attrs();
	test_truncated();
	test_duplicates();
}
