/*
 * Decoding ctnetlink messages (nf_conntrack_netlink.c's
 * ctnetlink_conntrack_event() and ctnetlink_dump_table()) into records.
 * Every attribute's length is checked before its payload is read; an
 * attribute this code does not know is skipped, so newer kernels work.
 */
#include "listen.h"

#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/* Linux 6.14 added the event's own time stamp; older headers lack it. */
#ifndef CTA_TIMESTAMP_EVENT
#define CTA_TIMESTAMP_EVENT 27
#endif

/* Top-level attributes this code reads go up to CTA_TIMESTAMP_EVENT. */
#define TB_MAX (CTA_TIMESTAMP_EVENT + 1)

const char *parse_error;

/*
 * Index the attributes in [start, start + len) by type into tb[0..max];
 * later duplicates win, types past max are skipped.
 */
static void
index_attrs(const void *start, size_t len, const struct nlattr **tb,
    unsigned max)
{
	const char *p = start, *end = p + len;
	const struct nlattr *a;
	uint16_t type;

	/* mnl_attr_ok() and friends, inlined: this runs for every event. */
	memset(tb, 0, (max + 1) * sizeof(tb[0]));
	while (end - p >= (ptrdiff_t)sizeof(*a)) {
		a = (const struct nlattr *)p;
		if (a->nla_len < sizeof(*a) || a->nla_len > end - p)
			break;
		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		p += MNL_ALIGN(a->nla_len);
	}
}

/* The same for the attributes nested in nest. */
static void
index_nest(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	index_attrs(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
	    tb, max);
}

static int
bad(const char *why)
{
	parse_error = why;
	return -1;
}

static int
get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_get_payload_len(a) < 1)
		return bad("short 8-bit attribute");
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int
get_be16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_get_payload_len(a) < 2)
		return bad("short 16-bit attribute");
	*v = be16toh(mnl_attr_get_u16(a));
	return 0;
}

static int
get_be32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) < 4)
		return bad("short 32-bit attribute");
	*v = be32toh(mnl_attr_get_u32(a));
	return 0;
}

static int
get_be64(const struct nlattr *a, uint64_t *v)
{
	uint64_t raw;

	if (mnl_attr_get_payload_len(a) < 8)
		return bad("short 64-bit attribute");
	/* 64-bit attributes are only 4-byte aligned. */
	memcpy(&raw, mnl_attr_get_payload(a), 8);
	*v = be64toh(raw);
	return 0;
}

static int
get_addr(const struct nlattr *a, uint8_t *out, size_t n)
{
	if (mnl_attr_get_payload_len(a) < n)
		return bad("short address attribute");
	memcpy(out, mnl_attr_get_payload(a), n);
	return 0;
}

static int
parse_tuple(const struct nlattr *nest, int family, struct ct_tuple *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	const struct nlattr *pr[CTA_PROTO_MAX + 1];

	index_nest(nest, tb, CTA_TUPLE_MAX);
	if (tb[CTA_TUPLE_IP] != NULL) {
		index_nest(tb[CTA_TUPLE_IP], ip, CTA_IP_MAX);
		if (family == AF_INET && ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST]) {
			if (get_addr(ip[CTA_IP_V4_SRC], t->src, 4) < 0 ||
			    get_addr(ip[CTA_IP_V4_DST], t->dst, 4) < 0)
				return -1;
			t->has_addr = true;
		} else if (family == AF_INET6 && ip[CTA_IP_V6_SRC] &&
		    ip[CTA_IP_V6_DST]) {
			if (get_addr(ip[CTA_IP_V6_SRC], t->src, 16) < 0 ||
			    get_addr(ip[CTA_IP_V6_DST], t->dst, 16) < 0)
				return -1;
			t->has_addr = true;
		}
	}
	if (tb[CTA_TUPLE_PROTO] == NULL)
		return 0;
	index_nest(tb[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX);
	if (pr[CTA_PROTO_NUM] == NULL)
		return 0;
	if (get_u8(pr[CTA_PROTO_NUM], &t->proto) < 0)
		return -1;
	t->has_proto = true;
	/* GRE keys travel in the port attributes; they are not ports. */
	if (t->proto != IPPROTO_GRE && pr[CTA_PROTO_SRC_PORT] &&
	    pr[CTA_PROTO_DST_PORT]) {
		if (get_be16(pr[CTA_PROTO_SRC_PORT], &t->sport) < 0 ||
		    get_be16(pr[CTA_PROTO_DST_PORT], &t->dport) < 0)
			return -1;
		t->has_ports = true;
	}
	if (pr[CTA_PROTO_ICMP_TYPE] && pr[CTA_PROTO_ICMP_CODE] &&
	    pr[CTA_PROTO_ICMP_ID]) {
		if (get_u8(pr[CTA_PROTO_ICMP_TYPE], &t->icmp_type) < 0 ||
		    get_u8(pr[CTA_PROTO_ICMP_CODE], &t->icmp_code) < 0 ||
		    get_be16(pr[CTA_PROTO_ICMP_ID], &t->icmp_id) < 0)
			return -1;
		t->has_icmp = true;
	} else if (pr[CTA_PROTO_ICMPV6_TYPE] && pr[CTA_PROTO_ICMPV6_CODE] &&
	    pr[CTA_PROTO_ICMPV6_ID]) {
		if (get_u8(pr[CTA_PROTO_ICMPV6_TYPE], &t->icmp_type) < 0 ||
		    get_u8(pr[CTA_PROTO_ICMPV6_CODE], &t->icmp_code) < 0 ||
		    get_be16(pr[CTA_PROTO_ICMPV6_ID], &t->icmp_id) < 0)
			return -1;
		t->has_icmp = true;
	}
	return 0;
}

static int
parse_protoinfo(const struct nlattr *nest, struct ct_event *ev)
{
	const struct nlattr *tb[CTA_PROTOINFO_MAX + 1], *in[8];
	const struct nlattr *state = NULL;

	index_nest(nest, tb, CTA_PROTOINFO_MAX);
	if (tb[CTA_PROTOINFO_TCP] != NULL) {
		index_nest(tb[CTA_PROTOINFO_TCP], in, 7);
		state = in[CTA_PROTOINFO_TCP_STATE];
	} else if (tb[CTA_PROTOINFO_SCTP] != NULL) {
		index_nest(tb[CTA_PROTOINFO_SCTP], in, 7);
		state = in[CTA_PROTOINFO_SCTP_STATE];
	} else if (tb[CTA_PROTOINFO_DCCP] != NULL) {
		index_nest(tb[CTA_PROTOINFO_DCCP], in, 7);
		state = in[CTA_PROTOINFO_DCCP_STATE];
	}
	if (state == NULL)
		return 0;
	if (get_u8(state, &ev->state) < 0)
		return -1;
	ev->has_state = true;
	return 0;
}

static int
parse_counters(const struct nlattr *nest, uint64_t *packets, uint64_t *bytes)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1];
	uint32_t v32;

	index_nest(nest, tb, CTA_COUNTERS_MAX);
	if (tb[CTA_COUNTERS_PACKETS] && tb[CTA_COUNTERS_BYTES])
		return get_be64(tb[CTA_COUNTERS_PACKETS], packets) < 0 ||
		    get_be64(tb[CTA_COUNTERS_BYTES], bytes) < 0 ? -1 : 0;
	/* Kernels before 2.6.27 sent 32-bit counters. */
	if (tb[CTA_COUNTERS32_PACKETS] && tb[CTA_COUNTERS32_BYTES]) {
		if (get_be32(tb[CTA_COUNTERS32_PACKETS], &v32) < 0)
			return -1;
		*packets = v32;
		if (get_be32(tb[CTA_COUNTERS32_BYTES], &v32) < 0)
			return -1;
		*bytes = v32;
		return 0;
	}
	return bad("counters without packets or bytes");
}

static int
parse_timestamp(const struct nlattr *nest, struct ct_event *ev)
{
	const struct nlattr *tb[CTA_TIMESTAMP_MAX + 1];

	index_nest(nest, tb, CTA_TIMESTAMP_MAX);
	if (tb[CTA_TIMESTAMP_START] != NULL) {
		if (get_be64(tb[CTA_TIMESTAMP_START], &ev->start_ns) < 0)
			return -1;
		ev->has_start = true;
	}
	if (tb[CTA_TIMESTAMP_STOP] != NULL) {
		if (get_be64(tb[CTA_TIMESTAMP_STOP], &ev->stop_ns) < 0)
			return -1;
		ev->has_stop = true;
	}
	return 0;
}

int
parse_event(const struct nlmsghdr *nlh, struct ct_event *ev)
{
	const struct nlattr *tb[TB_MAX];
	const struct nfgenmsg *nfg;
	uint64_t ts;
	int msg;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return bad("message from another netfilter subsystem");
	msg = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (msg == IPCTNL_MSG_CT_DELETE)
		ev->type = CT_EVENT_DESTROY;
	else if (msg != IPCTNL_MSG_CT_NEW)
		return bad("unexpected ctnetlink message type");
	else if (nlh->nlmsg_flags & NLM_F_MULTI)
		ev->type = CT_EVENT_EXISTING;
	else if (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL))
		ev->type = CT_EVENT_NEW;
	else
		ev->type = CT_EVENT_UPDATE;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)))
		return bad("message shorter than its header");
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != AF_INET && nfg->nfgen_family != AF_INET6)
		return bad("unknown address family");
	ev->family = nfg->nfgen_family;
	index_attrs(mnl_nlmsg_get_payload_offset(nlh, sizeof(*nfg)),
	    nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(*nfg)), tb,
	    TB_MAX - 1);

	if (tb[CTA_TUPLE_ORIG] == NULL)
		return bad("no original tuple");
	if (parse_tuple(tb[CTA_TUPLE_ORIG], ev->family, &ev->orig) < 0)
		return -1;
	if (!ev->orig.has_addr || !ev->orig.has_proto)
		return bad("original tuple without addresses or protocol");
	if (tb[CTA_TUPLE_REPLY] != NULL) {
		if (parse_tuple(tb[CTA_TUPLE_REPLY], ev->family, &ev->reply) < 0)
			return -1;
		ev->has_reply = ev->reply.has_addr;
	}
	if (tb[CTA_ID] != NULL) {
		if (get_be32(tb[CTA_ID], &ev->id) < 0)
			return -1;
		ev->has_id = true;
	}
	if (tb[CTA_STATUS] != NULL) {
		if (get_be32(tb[CTA_STATUS], &ev->status) < 0)
			return -1;
		ev->has_status = true;
	}
	if (tb[CTA_PROTOINFO] != NULL && parse_protoinfo(tb[CTA_PROTOINFO], ev) < 0)
		return -1;
	if (tb[CTA_COUNTERS_ORIG] && tb[CTA_COUNTERS_REPLY]) {
		if (parse_counters(tb[CTA_COUNTERS_ORIG], &ev->orig_packets,
		    &ev->orig_bytes) < 0 ||
		    parse_counters(tb[CTA_COUNTERS_REPLY], &ev->reply_packets,
		    &ev->reply_bytes) < 0)
			return -1;
		ev->has_counters = true;
	}
	if (tb[CTA_TIMESTAMP] != NULL && parse_timestamp(tb[CTA_TIMESTAMP], ev) < 0)
		return -1;
	if (tb[CTA_MARK] != NULL && get_be32(tb[CTA_MARK], &ev->mark) < 0)
		return -1;
	if (tb[CTA_ZONE] != NULL && get_be16(tb[CTA_ZONE], &ev->zone) < 0)
		return -1;
	if (tb[CTA_TIMESTAMP_EVENT] != NULL) {
		if (get_be64(tb[CTA_TIMESTAMP_EVENT], &ts) < 0)
			return -1;
		ev->time.tv_sec = ts / 1000000000;
		ev->time.tv_nsec = ts % 1000000000;
	}
	return 0;
}
