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

/*
 * The record is built with a cursor into space reserved up front: the
 * largest record without netns is under RECORD_MAX bytes, and writing
 * through a plain pointer is several times cheaper than a bounds check per
 * member.  Only trusted text (names, numbers, addresses) goes this way.
 */
#define RECORD_MAX 1536

/* Append ,"key": (the comma only if a member precedes). */
static char *
put_key(char *p, const char *key, size_t n)
{
	*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p;
}

#define KEY(p, lit) put_key((p), (lit), sizeof(lit) - 1)

static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

static char *
put_text(char *p, const char *s)
{
	size_t n = strlen(s);

	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	return p;
}

static char *
put_addr(char *p, int family, const uint8_t *a)
{
	*p++ = '"';
	p += ct_inet_format(p, family, a);
	*p++ = '"';
	return p;
}

static char *
put_time(char *p, time_t sec, long nsec)
{
	*p++ = '"';
	p += ct_time_format(p, CT_TIME_MAX, sec, nsec);
	*p++ = '"';
	return p;
}

static char *
put_time_ns(char *p, uint64_t ns)
{
	return put_time(p, (time_t)(ns / 1000000000), (long)(ns % 1000000000));
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
	const struct ct_tuple *o = &ev->orig, *r = &ev->reply;
	const char *name;
	char *start, *p;

	start = p = ct_buf_grow(b, RECORD_MAX);
	memcpy(p, "{\"time\":", 8);
	p = put_time(p + 8, ev->time.tv_sec, ev->time.tv_nsec);
	p = put_text(KEY(p, "type"), ct_event_type_name(ev->type));
	if (ev->type == CT_EVENT_LOST) {
		p = put_u64(KEY(p, "count"), ev->lost);
		goto out;
	}
	if (ev->has_id)
		p = put_u64(KEY(p, "flow"), ev->id);
	p = put_text(KEY(p, "family"), ev->family == AF_INET6 ? "ipv6" : "ipv4");
	if (o->has_proto) {
		p = KEY(p, "prot");
		if ((name = ct_proto_name(o->proto)) != NULL)
			p = put_text(p, name);
		else {
			*p++ = '"';
			p = put_u64(p, o->proto);
			*p++ = '"';
		}
	}
	if (o->has_addr) {
		p = put_addr(KEY(p, "src"), ev->family, o->src);
		p = put_addr(KEY(p, "dst"), ev->family, o->dst);
	}
	if (o->has_ports) {
		p = put_u64(KEY(p, "sport"), o->sport);
		p = put_u64(KEY(p, "dport"), o->dport);
	}
	if (ev->has_state &&
	    (name = ct_state_name(o->proto, ev->state)) != NULL)
		p = put_text(KEY(p, "state"), name);
	if (o->has_icmp) {
		p = put_u64(KEY(p, "icmp_type"), o->icmp_type);
		p = put_u64(KEY(p, "icmp_code"), o->icmp_code);
		p = put_u64(KEY(p, "icmp_id"), o->icmp_id);
	}
	if (ev->has_reply && !is_mirror(ev)) {
		p = put_addr(KEY(p, "reply_src"), ev->family, r->src);
		p = put_addr(KEY(p, "reply_dst"), ev->family, r->dst);
		if (r->has_ports) {
			p = put_u64(KEY(p, "reply_sport"), r->sport);
			p = put_u64(KEY(p, "reply_dport"), r->dport);
		}
	}
	if (ev->has_status) {
		if (ev->status & IPS_ASSURED) {
			p = KEY(p, "assured");
			memcpy(p, "true", 4);
			p += 4;
		}
		if (!(ev->status & IPS_SEEN_REPLY)) {
			p = KEY(p, "unreplied");
			memcpy(p, "true", 4);
			p += 4;
		}
	}
	if (ev->has_counters) {
		p = put_u64(KEY(p, "orig_packets"), ev->orig_packets);
		p = put_u64(KEY(p, "orig_bytes"), ev->orig_bytes);
		p = put_u64(KEY(p, "reply_packets"), ev->reply_packets);
		p = put_u64(KEY(p, "reply_bytes"), ev->reply_bytes);
	}
	if (ev->has_start)
		p = put_time_ns(KEY(p, "start"), ev->start_ns);
	if (ev->has_stop)
		p = put_time_ns(KEY(p, "stop"), ev->stop_ns);
	if (ev->mark != 0)
		p = put_u64(KEY(p, "mark"), ev->mark);
	if (ev->zone != 0)
		p = put_u64(KEY(p, "zone"), ev->zone);
out:
	b->len += p - start;
	/* The namespace name is the user's text: escape it the slow way. */
	if (ev->netns != NULL)
		ct_json_str(b, "netns", ev->netns);
	ct_json_close(b);
}
