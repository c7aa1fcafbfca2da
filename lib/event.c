/*
 * The event record (schema v1).  The names of protocols and states are
 * the kernel's (nf_conntrack_proto_*.c), spelled as conntrack(8) and the
 * Go conntrackd print them.
 */
#include "event.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "inet.h"
#include "ndjson.h"
#include "timefmt.h"

#ifndef IPPROTO_DCCP
#define IPPROTO_DCCP 33
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

static const char *const type_names[] = {
	[CT_EVENT_NEW] = "NEW",
	[CT_EVENT_UPDATE] = "UPDATE",
	[CT_EVENT_DESTROY] = "DESTROY",
	[CT_EVENT_EXISTING] = "EXISTING",
	[CT_EVENT_LOST] = "LOST",
};

/* enum tcp_conntrack */
static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

/* enum sctp_conntrack */
static const char *const sctp_states[] = {
	"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT",
	"HEARTBEAT_ACKED",
};

/* enum ct_dccp_states */
static const char *const dccp_states[] = {
	"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ",
	"CLOSING", "TIMEWAIT", "IGNORE", "INVALID",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
ct_event_type_name(enum ct_event_type t)
{
	return (size_t)t < NELEM(type_names) ? type_names[t] : "UNKNOWN";
}

const char *
ct_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_ICMP: return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	case IPPROTO_SCTP: return "SCTP";
	case IPPROTO_DCCP: return "DCCP";
	case IPPROTO_UDPLITE: return "UDPLITE";
	case IPPROTO_GRE: return "GRE";
	}
	return NULL;
}

const char *
ct_state_name(uint8_t proto, uint8_t state)
{
	switch (proto) {
	case IPPROTO_TCP:
		return state < NELEM(tcp_states) ? tcp_states[state] : NULL;
	case IPPROTO_SCTP:
		return state < NELEM(sctp_states) ? sctp_states[state] : NULL;
	case IPPROTO_DCCP:
		return state < NELEM(dccp_states) ? dccp_states[state] : NULL;
	}
	return NULL;
}

static void
put_addr(struct ct_buf *b, const char *key, int family, const uint8_t *a)
{
	char text[CT_INET_MAX];
	size_t n = ct_inet_format(text, family, a);

	ct_json_key(b, key);
	/* Address text never needs escaping. */
	ct_buf_addc(b, '"');
	ct_buf_add(b, text, n);
	ct_buf_addc(b, '"');
}

static void
put_time(struct ct_buf *b, const char *key, uint64_t ns)
{
	char text[CT_TIME_MAX];
	size_t n = ct_time_format_ns(text, sizeof(text), ns);

	ct_json_strn(b, key, text, n);
}

/* Whether the reply tuple is the original with both ends swapped. */
static bool
is_mirror(const struct ct_event *ev)
{
	const struct ct_tuple *o = &ev->orig, *r = &ev->reply;
	size_t alen = ev->family == AF_INET6 ? 16 : 4;

	if (!r->has_addr)
		return true;
	if (memcmp(o->src, r->dst, alen) != 0 ||
	    memcmp(o->dst, r->src, alen) != 0)
		return false;
	if (o->has_ports && r->has_ports &&
	    (o->sport != r->dport || o->dport != r->sport))
		return false;
	return true;
}

void
ct_event_write(struct ct_buf *b, const struct ct_event *ev)
{
	char text[CT_TIME_MAX];
	const struct ct_tuple *o = &ev->orig, *r = &ev->reply;
	const char *name;
	size_t n;

	ct_json_open(b);
	n = ct_time_format(text, sizeof(text), ev->time.tv_sec,
	    ev->time.tv_nsec);
	ct_json_strn(b, "time", text, n);
	ct_json_str(b, "type", ct_event_type_name(ev->type));
	if (ev->type == CT_EVENT_LOST) {
		ct_json_u64(b, "count", ev->lost);
		goto out;
	}
	if (ev->has_id)
		ct_json_u64(b, "flow", ev->id);
	ct_json_str(b, "family", ev->family == AF_INET6 ? "ipv6" : "ipv4");
	if (o->has_proto) {
		if ((name = ct_proto_name(o->proto)) != NULL)
			ct_json_str(b, "prot", name);
		else {
			ct_json_key(b, "prot");
			ct_buf_addc(b, '"');
			ct_buf_addu(b, o->proto);
			ct_buf_addc(b, '"');
		}
	}
	if (o->has_addr) {
		put_addr(b, "src", ev->family, o->src);
		put_addr(b, "dst", ev->family, o->dst);
	}
	if (o->has_ports) {
		ct_json_u64(b, "sport", o->sport);
		ct_json_u64(b, "dport", o->dport);
	}
	if (ev->has_state &&
	    (name = ct_state_name(o->proto, ev->state)) != NULL)
		ct_json_str(b, "state", name);
	if (o->has_icmp) {
		ct_json_u64(b, "icmp_type", o->icmp_type);
		ct_json_u64(b, "icmp_code", o->icmp_code);
		ct_json_u64(b, "icmp_id", o->icmp_id);
	}
	if (ev->has_reply && !is_mirror(ev)) {
		put_addr(b, "reply_src", ev->family, r->src);
		put_addr(b, "reply_dst", ev->family, r->dst);
		if (r->has_ports) {
			ct_json_u64(b, "reply_sport", r->sport);
			ct_json_u64(b, "reply_dport", r->dport);
		}
	}
	if (ev->has_status) {
		if (ev->status & IPS_ASSURED)
			ct_json_bool(b, "assured", true);
		if (!(ev->status & IPS_SEEN_REPLY))
			ct_json_bool(b, "unreplied", true);
	}
	if (ev->has_counters) {
		ct_json_u64(b, "orig_packets", ev->orig_packets);
		ct_json_u64(b, "orig_bytes", ev->orig_bytes);
		ct_json_u64(b, "reply_packets", ev->reply_packets);
		ct_json_u64(b, "reply_bytes", ev->reply_bytes);
	}
	if (ev->has_start)
		put_time(b, "start", ev->start_ns);
	if (ev->has_stop)
		put_time(b, "stop", ev->stop_ns);
	if (ev->mark != 0)
		ct_json_u64(b, "mark", ev->mark);
	if (ev->zone != 0)
		ct_json_u64(b, "zone", ev->zone);
out:
	if (ev->netns != NULL)
		ct_json_str(b, "netns", ev->netns);
	ct_json_close(b);
}
