/*
 * ct_event_write(): struct ct_event values in, exact JSON lines out.  The
 * expected text is the schema v1 record of docs/events.md, key order
 * included, so a change in the writer shows up here first.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "event.h"
#include "timefmt.h"

/* 2023-11-14T22:13:20Z */
#define T0 1700000000

static void
addr(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	CHECK(inet_pton(family, text, out) == 1);
}

/* A TCP flow 192.0.2.1:40000 -> 198.51.100.2:80 with a mirrored reply. */
static void
tcp4(struct ct_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->time.tv_sec = T0;
	ev->time.tv_nsec = 123456789;
	ev->type = CT_EVENT_NEW;
	ev->family = AF_INET;
	ev->id = 2899284024u;
	ev->has_id = true;
	addr(AF_INET, "192.0.2.1", ev->orig.src);
	addr(AF_INET, "198.51.100.2", ev->orig.dst);
	ev->orig.sport = 40000;
	ev->orig.dport = 80;
	ev->orig.proto = IPPROTO_TCP;
	ev->orig.has_addr = ev->orig.has_proto = ev->orig.has_ports = true;
	addr(AF_INET, "198.51.100.2", ev->reply.src);
	addr(AF_INET, "192.0.2.1", ev->reply.dst);
	ev->reply.sport = 80;
	ev->reply.dport = 40000;
	ev->reply.proto = IPPROTO_TCP;
	ev->reply.has_addr = ev->reply.has_proto = ev->reply.has_ports = true;
	ev->has_reply = true;
	ev->status = IPS_CONFIRMED;
	ev->has_status = true;
	ev->state = 1;		/* TCP_CONNTRACK_SYN_SENT */
	ev->has_state = true;
}

static void
expect(const struct ct_event *ev, const char *want, int line)
{
	struct ct_buf b;

	ct_buf_init(&b);
	ct_event_write(&b, ev);
	unit_check_str(want, b.data, b.len, __FILE__, line, "record");
	ct_buf_release(&b);
}

#define EXPECT(ev, want) expect((ev), (want), __LINE__)

static void
test_tcp4(void)
{
	struct ct_event ev;

	tcp4(&ev);
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true}\n");

	/* Seen reply and assured: unreplied goes, assured comes. */
	ev.type = CT_EVENT_UPDATE;
	ev.status = IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED;
	ev.state = 3;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"UPDATE\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"ESTABLISHED\","
	    "\"assured\":true}\n");

	/* Without a status attribute neither flag is written. */
	ev.has_status = false;
	ev.status = 0;
	ev.has_state = false;
	ev.has_id = false;
	ev.type = CT_EVENT_EXISTING;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"EXISTING\",\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80}\n");
}

static void
test_states(void)
{
	static const char *const tcp[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};
	size_t i;

	for (i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		const char *n = ct_state_name(IPPROTO_TCP, (uint8_t)i);

		CHECK(n != NULL && strcmp(n, tcp[i]) == 0);
	}
	CHECK(ct_state_name(IPPROTO_TCP, 10) == NULL);
	CHECK(ct_state_name(IPPROTO_UDP, 1) == NULL);
	CHECK(strcmp(ct_state_name(IPPROTO_SCTP, 4), "ESTABLISHED") == 0);
	CHECK(strcmp(ct_state_name(IPPROTO_SCTP, 2), "COOKIE_WAIT") == 0);
	CHECK(strcmp(ct_state_name(33, 4), "OPEN") == 0);
	CHECK(strcmp(ct_state_name(33, 7), "TIMEWAIT") == 0);
	CHECK(strcmp(ct_event_type_name(CT_EVENT_DESTROY), "DESTROY") == 0);
	CHECK(strcmp(ct_event_type_name(CT_EVENT_LOST), "LOST") == 0);
}

static void
test_protocols(void)
{
	static const struct { uint8_t num; const char *name; } p[] = {
		{ 6, "TCP" }, { 17, "UDP" }, { 1, "ICMP" }, { 58, "ICMPv6" },
		{ 132, "SCTP" }, { 33, "DCCP" }, { 136, "UDPLITE" },
		{ 47, "GRE" },
	};
	struct ct_event ev;
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		const char *n = ct_proto_name(p[i].num);

		CHECK(n != NULL && strcmp(n, p[i].name) == 0);
	}
	CHECK(ct_proto_name(50) == NULL);
	CHECK(ct_proto_name(0) == NULL);

	/* ESP: no name, no ports, no state; prot is the number as a string. */
	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = T0;
	ev.type = CT_EVENT_DESTROY;
	ev.family = AF_INET;
	ev.id = 7;
	ev.has_id = true;
	addr(AF_INET, "203.0.113.9", ev.orig.src);
	addr(AF_INET, "192.0.2.200", ev.orig.dst);
	ev.orig.proto = 50;
	ev.orig.has_addr = ev.orig.has_proto = true;
	ev.state = 3;
	ev.has_state = true;	/* ignored: ESP has no state names */
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"DESTROY\",\"flow\":7,\"family\":\"ipv4\","
	    "\"prot\":\"50\",\"src\":\"203.0.113.9\","
	    "\"dst\":\"192.0.2.200\"}\n");
	ev.orig.proto = 0;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"DESTROY\",\"flow\":7,\"family\":\"ipv4\","
	    "\"prot\":\"0\",\"src\":\"203.0.113.9\","
	    "\"dst\":\"192.0.2.200\"}\n");
	ev.orig.proto = 255;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"DESTROY\",\"flow\":7,\"family\":\"ipv4\","
	    "\"prot\":\"255\",\"src\":\"203.0.113.9\","
	    "\"dst\":\"192.0.2.200\"}\n");
	/* An unknown state number of a known protocol is left out. */
	ev.orig.proto = IPPROTO_TCP;
	ev.state = 200;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"DESTROY\",\"flow\":7,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"203.0.113.9\","
	    "\"dst\":\"192.0.2.200\"}\n");
	ev.orig.proto = IPPROTO_SCTP;
	ev.state = 7;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"DESTROY\",\"flow\":7,\"family\":\"ipv4\","
	    "\"prot\":\"SCTP\",\"src\":\"203.0.113.9\","
	    "\"dst\":\"192.0.2.200\",\"state\":\"SHUTDOWN_ACK_SENT\"}\n");
}

/* IPv6 text must be RFC 5952's canonical form. */
static void
test_ipv6_text(void)
{
	static const struct { const char *in, *out; } a[] = {
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },	/* first run */
		{ "2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::" },	/* longest run */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },	/* one zero field */
		{ "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001",
		    "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "fe80:0:0:0:0:0:0:0", "fe80::" },
		{ "::ffff:c000:0201", "::ffff:192.0.2.1" },
		{ "2003:cf:1716:7b64:da80:83ff:fecd:da51",
		    "2003:cf:1716:7b64:da80:83ff:fecd:da51" },
	};
	struct ct_event ev;
	struct ct_buf b;
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.time.tv_sec = T0;
		ev.type = CT_EVENT_NEW;
		ev.family = AF_INET6;
		addr(AF_INET6, a[i].in, ev.orig.src);
		addr(AF_INET6, "2a01:4f8:160:5372::2", ev.orig.dst);
		ev.orig.proto = IPPROTO_UDP;
		ev.orig.sport = 5353;
		ev.orig.dport = 53;
		ev.orig.has_addr = ev.orig.has_proto = true;
		ev.orig.has_ports = true;
		snprintf(want, sizeof(want),
		    "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
		    "\"type\":\"NEW\",\"family\":\"ipv6\",\"prot\":\"UDP\","
		    "\"src\":\"%s\",\"dst\":\"2a01:4f8:160:5372::2\","
		    "\"sport\":5353,\"dport\":53}\n", a[i].out);
		ct_buf_init(&b);
		ct_event_write(&b, &ev);
		unit_check_str(want, b.data, b.len, __FILE__, __LINE__,
		    a[i].in);
		ct_buf_release(&b);
	}
}

/* The seed's own example from issue 2, byte for byte (plus time/family). */
static void
test_seed_example(void)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = T0;
	ev.time.tv_nsec = 1;
	ev.type = CT_EVENT_NEW;
	ev.family = AF_INET6;
	ev.id = 2899284024u;
	ev.has_id = true;
	addr(AF_INET6, "2003:cf:1716:7b64:da80:83ff:fecd:da51", ev.orig.src);
	addr(AF_INET6, "2a01:4f8:160:5372::2", ev.orig.dst);
	ev.orig.sport = 41220;
	ev.orig.dport = 80;
	ev.orig.proto = IPPROTO_TCP;
	ev.orig.has_addr = ev.orig.has_proto = ev.orig.has_ports = true;
	ev.reply = ev.orig;
	memcpy(ev.reply.src, ev.orig.dst, 16);
	memcpy(ev.reply.dst, ev.orig.src, 16);
	ev.reply.sport = 80;
	ev.reply.dport = 41220;
	ev.has_reply = true;
	ev.state = 1;
	ev.has_state = true;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000001Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv6\","
	    "\"prot\":\"TCP\",\"src\":\"2003:cf:1716:7b64:da80:83ff:fecd:da51\","
	    "\"dst\":\"2a01:4f8:160:5372::2\",\"sport\":41220,\"dport\":80,"
	    "\"state\":\"SYN_SENT\"}\n");
}

static void
test_nat(void)
{
	struct ct_event ev;

	/* SNAT (masquerade): the reply comes back to the router's address. */
	tcp4(&ev);
	addr(AF_INET, "198.51.100.1", ev.reply.dst);
	ev.reply.dport = 61000;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"reply_src\":\"198.51.100.2\",\"reply_dst\":\"198.51.100.1\","
	    "\"reply_sport\":80,\"reply_dport\":61000,"
	    "\"unreplied\":true}\n");

	/* DNAT to another address, same ports. */
	tcp4(&ev);
	addr(AF_INET, "203.0.113.5", ev.reply.src);
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"reply_src\":\"203.0.113.5\",\"reply_dst\":\"192.0.2.1\","
	    "\"reply_sport\":80,\"reply_dport\":40000,"
	    "\"unreplied\":true}\n");

	/* A port redirect only (same addresses) is NAT too. */
	tcp4(&ev);
	ev.reply.sport = 8080;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"reply_src\":\"198.51.100.2\",\"reply_dst\":\"192.0.2.1\","
	    "\"reply_sport\":8080,\"reply_dport\":40000,"
	    "\"unreplied\":true}\n");

	/* A reply without addresses is treated as a mirror. */
	tcp4(&ev);
	ev.reply.has_addr = false;
	ev.reply.dport = 1;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true}\n");

	/* has_reply false: no reply keys even if the tuple differs. */
	tcp4(&ev);
	addr(AF_INET, "203.0.113.5", ev.reply.src);
	ev.has_reply = false;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true}\n");

	/* IPv6 NAT66 of an ICMPv6 echo: reply addresses, no reply ports. */
	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = T0;
	ev.type = CT_EVENT_NEW;
	ev.family = AF_INET6;
	addr(AF_INET6, "2001:db8:1::10", ev.orig.src);
	addr(AF_INET6, "2001:db8:2::20", ev.orig.dst);
	ev.orig.proto = IPPROTO_ICMPV6;
	ev.orig.icmp_type = 128;
	ev.orig.icmp_id = 0x1234;
	ev.orig.has_addr = ev.orig.has_proto = ev.orig.has_icmp = true;
	addr(AF_INET6, "2001:db8:2::20", ev.reply.src);
	addr(AF_INET6, "2001:db8:2::1", ev.reply.dst);
	ev.reply.proto = IPPROTO_ICMPV6;
	ev.reply.icmp_type = 129;
	ev.reply.icmp_id = 0x1234;
	ev.reply.has_addr = ev.reply.has_proto = ev.reply.has_icmp = true;
	ev.has_reply = true;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"NEW\",\"family\":\"ipv6\",\"prot\":\"ICMPv6\","
	    "\"src\":\"2001:db8:1::10\",\"dst\":\"2001:db8:2::20\","
	    "\"icmp_type\":128,\"icmp_code\":0,\"icmp_id\":4660,"
	    "\"reply_src\":\"2001:db8:2::20\",\"reply_dst\":\"2001:db8:2::1\"}\n");
	/* ... and the same echo without NAT: no reply keys. */
	addr(AF_INET6, "2001:db8:1::10", ev.reply.dst);
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.000000000Z\","
	    "\"type\":\"NEW\",\"family\":\"ipv6\",\"prot\":\"ICMPv6\","
	    "\"src\":\"2001:db8:1::10\",\"dst\":\"2001:db8:2::20\","
	    "\"icmp_type\":128,\"icmp_code\":0,\"icmp_id\":4660}\n");
}

static void
test_icmp(void)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = T0;
	ev.time.tv_nsec = 999999999;
	ev.type = CT_EVENT_NEW;
	ev.family = AF_INET;
	ev.id = 1;
	ev.has_id = true;
	addr(AF_INET, "192.0.2.1", ev.orig.src);
	addr(AF_INET, "192.0.2.2", ev.orig.dst);
	ev.orig.proto = IPPROTO_ICMP;
	ev.orig.icmp_type = 8;
	ev.orig.icmp_code = 0;
	ev.orig.icmp_id = 65535;
	ev.orig.has_addr = ev.orig.has_proto = ev.orig.has_icmp = true;
	ev.status = 0;
	ev.has_status = true;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.999999999Z\","
	    "\"type\":\"NEW\",\"flow\":1,\"family\":\"ipv4\",\"prot\":\"ICMP\","
	    "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"icmp_type\":8,"
	    "\"icmp_code\":0,\"icmp_id\":65535,\"unreplied\":true}\n");
}

static void
test_counters_times(void)
{
	struct ct_event ev;

	tcp4(&ev);
	ev.type = CT_EVENT_DESTROY;
	ev.status = IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED;
	ev.state = 7;
	ev.orig_packets = 6;
	ev.orig_bytes = 347;
	ev.reply_packets = 4;
	ev.reply_bytes = 18446744073709551615ull;
	ev.has_counters = true;
	ev.start_ns = (uint64_t)T0 * 1000000000u - 5000000000u;
	ev.stop_ns = (uint64_t)T0 * 1000000000u + 42;
	ev.has_start = ev.has_stop = true;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"DESTROY\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"TIME_WAIT\","
	    "\"assured\":true,\"orig_packets\":6,\"orig_bytes\":347,"
	    "\"reply_packets\":4,\"reply_bytes\":18446744073709551615,"
	    "\"start\":\"2023-11-14T22:13:15.000000000Z\","
	    "\"stop\":\"2023-11-14T22:13:20.000000042Z\"}\n");

	/* Zero counters are still written when the kernel sent them. */
	tcp4(&ev);
	ev.has_counters = true;
	ev.has_start = true;
	ev.start_ns = 0;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true,\"orig_packets\":0,\"orig_bytes\":0,"
	    "\"reply_packets\":0,\"reply_bytes\":0,"
	    "\"start\":\"1970-01-01T00:00:00.000000000Z\"}\n");
}

static void
test_mark_zone_netns(void)
{
	struct ct_event ev;

	tcp4(&ev);
	ev.mark = 42;
	ev.zone = 7;
	ev.netns = "ctl-\"a\"";
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true,\"mark\":42,\"zone\":7,"
	    "\"netns\":\"ctl-\\\"a\\\"\"}\n");
	ev.mark = 4294967295u;
	ev.zone = 0;
	ev.netns = NULL;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true,\"mark\":4294967295}\n");
	ev.mark = 0;
	ev.zone = 65535;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"NEW\",\"flow\":2899284024,\"family\":\"ipv4\","
	    "\"prot\":\"TCP\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\","
	    "\"sport\":40000,\"dport\":80,\"state\":\"SYN_SENT\","
	    "\"unreplied\":true,\"zone\":65535}\n");
}

static void
test_lost(void)
{
	struct ct_event ev;

	/* A LOST record has time, type and count only (plus netns). */
	tcp4(&ev);
	ev.type = CT_EVENT_LOST;
	ev.lost = 12345;
	ev.mark = 42;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"LOST\",\"count\":12345}\n");
	ev.netns = "ctl-a";
	ev.lost = 4294967296ull;
	EXPECT(&ev, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"type\":\"LOST\",\"count\":4294967296,\"netns\":\"ctl-a\"}\n");
}

/* Records appended one after the other stay separate lines. */
static void
test_append(void)
{
	struct ct_event ev;
	struct ct_buf b;

	memset(&ev, 0, sizeof(ev));
	ev.type = CT_EVENT_LOST;
	ev.lost = 1;
	ct_buf_init(&b);
	ct_event_write(&b, &ev);
	ct_event_write(&b, &ev);
	CHECK_STR("{\"time\":\"1970-01-01T00:00:00.000000000Z\","
	    "\"type\":\"LOST\",\"count\":1}\n"
	    "{\"time\":\"1970-01-01T00:00:00.000000000Z\","
	    "\"type\":\"LOST\",\"count\":1}\n", b.data, b.len);
	ct_buf_release(&b);
}

static void *
format_minus_one(void *arg)
{
	char *out = arg;

	ct_time_format(out, CT_TIME_MAX, -1, 5);
	return NULL;
}

static void
test_timefmt(void)
{
	char t[CT_TIME_MAX], small[8];
	pthread_t th;
	size_t n;

	n = ct_time_format(t, sizeof(t), 0, 0);
	CHECK_STR("1970-01-01T00:00:00.000000000Z", t, n);
	n = ct_time_format(t, sizeof(t), T0, 5);
	CHECK_STR("2023-11-14T22:13:20.000000005Z", t, n);
	/* Same second again (the cached date part), other nanoseconds. */
	n = ct_time_format(t, sizeof(t), T0, 100000000);
	CHECK_STR("2023-11-14T22:13:20.100000000Z", t, n);
	n = ct_time_format(t, sizeof(t), T0 + 1, 0);
	CHECK_STR("2023-11-14T22:13:21.000000000Z", t, n);
	n = ct_time_format(t, sizeof(t), 951782400, 0);	/* leap day 2000 */
	CHECK_STR("2000-02-29T00:00:00.000000000Z", t, n);
	n = ct_time_format(t, sizeof(t), 2147483648LL, 0);	/* past 2038 */
	CHECK_STR("2038-01-19T03:14:08.000000000Z", t, n);
	n = ct_time_format(t, sizeof(t), 253402300799LL, 999999999);
	CHECK_STR("9999-12-31T23:59:59.999999999Z", t, n);
	n = ct_time_format_ns(t, sizeof(t), 1700000000123456789ull);
	CHECK_STR("2023-11-14T22:13:20.123456789Z", t, n);
	n = ct_time_format_ns(t, sizeof(t), 999999999ull);
	CHECK_STR("1970-01-01T00:00:00.999999999Z", t, n);
	n = ct_time_format(t, sizeof(t), -1, 0);
	CHECK_STR("1969-12-31T23:59:59.000000000Z", t, n);
	/* Too small a buffer: nothing but an empty string. */
	n = ct_time_format(small, sizeof(small), T0, 0);
	CHECK(n == 0 && small[0] == '\0');

	/*
	 * The date cache is per thread and starts out "second -1": the
	 * first call in a new thread for exactly that second must not
	 * return the empty cache.
	 */
	memset(t, 'x', sizeof(t));
	CHECK(pthread_create(&th, NULL, format_minus_one, t) == 0);
	pthread_join(th, NULL);
	CHECK_STR("1969-12-31T23:59:59.000000005Z", t, strnlen(t, sizeof(t)));
}

void
test_event(void)
{
	test_tcp4();
	test_states();
	test_protocols();
	test_ipv6_text();
	test_seed_example();
	test_nat();
	test_icmp();
	test_counters_times();
	test_mark_zone_netns();
	test_lost();
	test_append();
	test_timefmt();
}
