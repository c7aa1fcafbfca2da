/*
 * struct ct_event: one conntrack event record (schema v1, see
 * docs/events.md) and its NDJSON form.  Every tool that produces records
 * writes them through ct_event_write(); tools that read records use the
 * key and value names defined here.
 */
#ifndef CT_EVENT_H
#define CT_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

enum ct_event_type {
	CT_EVENT_NEW,
	CT_EVENT_UPDATE,
	CT_EVENT_DESTROY,
	CT_EVENT_EXISTING,
	CT_EVENT_LOST
};

/* One direction of a connection. */
struct ct_tuple {
	uint8_t src[16];	/* network byte order; IPv4 uses 4 bytes */
	uint8_t dst[16];
	uint16_t sport;		/* host byte order */
	uint16_t dport;
	uint8_t proto;		/* IPPROTO_* */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;
	bool has_addr;		/* both addresses were sent */
	bool has_proto;
	bool has_ports;
	bool has_icmp;
};

/* Optional members are written only when their has_ flag is set. */
struct ct_event {
	struct timespec time;
	enum ct_event_type type;
	int family;		/* AF_INET or AF_INET6 */
	struct ct_tuple orig;
	struct ct_tuple reply;
	uint32_t id;
	uint32_t status;	/* IPS_* bits */
	uint32_t mark;
	uint16_t zone;
	uint8_t state;		/* the protocol's own state number */
	uint64_t orig_packets, orig_bytes, reply_packets, reply_bytes;
	uint64_t start_ns, stop_ns;
	uint64_t lost;		/* LOST records: events dropped */
	const char *netns;	/* borrowed */
	bool has_id;
	bool has_reply;
	bool has_status;
	bool has_state;
	bool has_counters;
	bool has_start;
	bool has_stop;
};

/* "NEW", "UPDATE", ... */
const char *ct_event_type_name(enum ct_event_type);

/*
 * The schema's name of a layer-4 protocol ("TCP", "ICMPv6", ...), or NULL
 * for a protocol without one (it is then written as its number).
 */
const char *ct_proto_name(uint8_t proto);

/* The name of state for proto (TCP, SCTP, DCCP), or NULL. */
const char *ct_state_name(uint8_t proto, uint8_t state);

/* Append ev as one JSON line to b. */
void ct_event_write(struct ct_buf *b, const struct ct_event *ev);

#endif
