/*
 * ct-listen: conntrack events from netlink as NDJSON.
 * Private header; prototypes grouped by file.
 */
#ifndef CT_LISTEN_H
#define CT_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "event.h"

/* What the user asked for, filled in by main.c. */
struct listen_opts {
	unsigned int groups;	/* NFNLGRP_CONNTRACK_* bit mask (1 << (g - 1)) */
	bool family4, family6;	/* which families to report */
	bool proto[256];	/* which layer-4 protocols to report */
	bool dump, follow, reliable;
	uint64_t bufsize;
	const char *netns;	/* as given; NULL for the current namespace */
	const char *user;
};

/* parse.c */

/* Why parse_event() refused a message (static text). */
extern const char *parse_error;

/*
 * Decode one ctnetlink conntrack message into ev (the caller sets
 * ev->time and ev->netns).  Returns 0, or -1 with parse_error set.
 */
int parse_event(const struct nlmsghdr *, struct ct_event *ev);

/* loop.c */

/* Get ready to write records; nl is the event socket, or -1. */
void loop_setup(const struct listen_opts *, int nl);

/* Write the table requested on fd with sequence number seq as EXISTING records. */
void loop_dump(int fd, uint32_t seq);

/* Write events from nl until a terminating signal arrives on sfd. */
void loop_run(int nl, int sfd);

/* Flush stdout and free what the loop holds. */
void loop_finish(void);

/* sock.c */

/*
 * Open the event socket and join the groups in opts->groups, sized and
 * flagged as opts asks.  Exits with EX_OSERR on failure.
 */
int sock_open_events(const struct listen_opts *opts);

/* Open a socket for the table dump.  Exits with EX_OSERR on failure. */
int sock_open_dump(void);

/* Ask the kernel for the table (family AF_UNSPEC, AF_INET, AF_INET6). */
int sock_request_dump(int fd, int family, uint32_t seq);

/* The kernel's count of messages dropped on fd (SK_MEMINFO_DROPS), or -1. */
int64_t sock_drops(int fd);

/* Enter the network namespace named or found at path; exits on failure. */
void sock_enter_netns(const char *name_or_path);

#endif
