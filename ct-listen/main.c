/*
 * ct-listen: write every conntrack event the kernel reports as one JSON
 * line on stdout, and say how many were lost when the kernel had to drop
 * some.  This file: options, sockets, privileges; loop.c reads.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "num.h"
#include "out.h"
#include "sig.h"

#define DEFAULT_BUFSIZE	(64ULL << 20)

static struct listen_opts opts;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-46dfhrV] [-b size] [-e events] "
	    "[-n netns] [-p protocols] [-u user]\n"
	    "       [--log-format text|json] [--log-level level]\n",
	    program_invocation_short_name);
	exit(EX_USAGE);
}

static void __attribute__((noreturn))
help(void)
{
	printf("usage: %s [-46dfhrV] [-b size] [-e events] [-n netns] "
	    "[-p protocols] [-u user]\n"
	    "       [--log-format text|json] [--log-level level]\n"
	    "Write conntrack events as JSON lines on standard output.\n\n"
	    "  -4, --ipv4              IPv4 flows only\n"
	    "  -6, --ipv6              IPv6 flows only\n"
	    "  -b, --buffer-size SIZE  kernel receive buffer (default 64M)\n"
	    "  -d, --dump              write the conntrack table and exit\n"
	    "  -e, --events LIST       NEW,UPDATE,DESTROY (default all)\n"
	    "  -f, --follow            with -d: then follow live events\n"
	    "  -n, --netns NAME|PATH   listen in that network namespace\n"
	    "  -p, --protocols LIST    tcp,udp,icmp,... or numbers (default all)\n"
	    "  -r, --reliable          kernel retries undelivered DESTROY events\n"
	    "  -u, --user USER         run as USER once the socket is bound\n"
	    "      --log-format FMT    text or json diagnostics\n"
	    "      --log-level LEVEL   error, warning, info or debug\n"
	    "  -h, --help              this help\n"
	    "  -V, --version           print the version\n\n"
	    "SIGUSR1 prints counters on standard error.  See ct-listen(1).\n",
	    program_invocation_short_name);
	exit(0);
}

static void
parse_events(char *list)
{
	char *tok, *save = NULL;

	opts.groups = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(tok, "NEW") == 0)
			opts.groups |= 1u << (NFNLGRP_CONNTRACK_NEW - 1);
		else if (strcasecmp(tok, "UPDATE") == 0)
			opts.groups |= 1u << (NFNLGRP_CONNTRACK_UPDATE - 1);
		else if (strcasecmp(tok, "DESTROY") == 0)
			opts.groups |= 1u << (NFNLGRP_CONNTRACK_DESTROY - 1);
		else {
			log_errorx("invalid event type '%s' (expected NEW, "
			    "UPDATE or DESTROY)", tok);
			usage();
		}
	}
	if (opts.groups == 0) {
		log_errorx("no event types given");
		usage();
	}
}

static void
parse_protocols(char *list)
{
	static const struct { const char *name; int num; } names[] = {
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
		{ "sctp", IPPROTO_SCTP }, { "dccp", 33 },
		{ "udplite", 136 }, { "gre", IPPROTO_GRE },
	};
	char *tok, *save = NULL;
	uint64_t num;
	size_t i;
	bool any = false;

	memset(opts.proto, 0, sizeof(opts.proto));
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(tok, names[i].name) == 0)
				break;
		if (i < sizeof(names) / sizeof(names[0]))
			num = names[i].num;
		else if (ct_parse_u64(tok, 0, 255, &num) < 0) {
			log_errorx("invalid protocol '%s' (expected tcp, udp, "
			    "icmp, icmpv6, sctp, dccp, udplite, gre or a "
			    "number up to 255)", tok);
			usage();
		}
		opts.proto[num] = true;
		any = true;
	}
	if (!any) {
		log_errorx("no protocols given");
		usage();
	}
}

/* Ask for the table; nfnetlink checks CAP_NET_ADMIN on the sender. */
static uint32_t
request_dump(int fd)
{
	uint32_t seq = (uint32_t)time(NULL);
	int family = AF_UNSPEC;

	if (opts.family4 && !opts.family6)
		family = AF_INET;
	else if (opts.family6 && !opts.family4)
		family = AF_INET6;
	if (sock_request_dump(fd, family, seq) < 0)
		fatal(EX_OSERR, "cannot request the conntrack table");
	return seq;
}

static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		/* Some NSS modules say "not found" with ENOENT or ESRCH. */
		if (errno != 0 && errno != ENOENT && errno != ESRCH)
			fatal(EX_OSERR, "cannot look up user '%s'", user);
		fatalx(EX_USAGE, "unknown user '%s'", user);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		fatal(EX_OSERR, "cannot drop privileges to '%s'", user);
	if (pw->pw_uid != 0 && setuid(0) == 0)
		fatalx(EX_OSERR, "privileges could be regained after dropping them");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "dump", no_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'e' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "netns", required_argument, NULL, 'n' },
		{ "protocols", required_argument, NULL, 'p' },
		{ "reliable", no_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		CT_LOG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	bool only4 = false, only6 = false;
	uint32_t seq = 0;
	int ch, nl = -1, dfd = -1, sfd;

	opts.groups = 1u << (NFNLGRP_CONNTRACK_NEW - 1) |
	    1u << (NFNLGRP_CONNTRACK_UPDATE - 1) |
	    1u << (NFNLGRP_CONNTRACK_DESTROY - 1);
	memset(opts.proto, 1, sizeof(opts.proto));
	opts.bufsize = DEFAULT_BUFSIZE;

	if (ct_out_guard_std() & 2)
		fatalx(EX_IOERR, "standard output is closed");
	/* getopt's own messages name argv[0]; make it the short name. */
	argv[0] = program_invocation_short_name;
	while ((ch = getopt_long(argc, argv, "46b:de:fhn:p:ru:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '4':
			only4 = true;
			break;
		case '6':
			only6 = true;
			break;
		case 'b':
			if (ct_parse_size(optarg, 4096, 1ULL << 30,
			    &opts.bufsize) < 0) {
				log_errorx("invalid buffer size '%s' (expected "
				    "4K to 1G, e.g. 64M)", optarg);
				usage();
			}
			break;
		case 'd':
			opts.dump = true;
			break;
		case 'e':
			parse_events(optarg);
			break;
		case 'f':
			opts.follow = true;
			break;
		case 'h':
			help();
		case 'n':
			opts.netns = optarg;
			break;
		case 'p':
			parse_protocols(optarg);
			break;
		case 'r':
			opts.reliable = true;
			break;
		case 'u':
			opts.user = optarg;
			break;
		case 'V':
			printf("ct-listen %s\n", CT_VERSION);
			exit(0);
		default:
			if (log_getopt(ch, optarg) == 0)
				break;
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0) {
		log_errorx("unexpected operand '%s'", argv[0]);
		usage();
	}
	if (opts.follow && !opts.dump) {
		log_errorx("-f/--follow needs -d/--dump");
		usage();
	}
	/* -4 -6 together is the same as neither. */
	opts.family4 = only4 || !only6;
	opts.family6 = only6 || !only4;

	if ((sfd = ct_sig_open(sigs, sizeof(sigs) / sizeof(sigs[0]))) < 0)
		fatal(EX_OSERR, "signalfd");
	if (opts.netns != NULL)
		sock_enter_netns(opts.netns);
	/* Subscribe before the dump so that no change falls between the two. */
	if (!opts.dump || opts.follow)
		nl = sock_open_events(&opts);
	if (opts.dump) {
		dfd = sock_open_dump();
		seq = request_dump(dfd);
	}
	if (opts.user != NULL)
		drop_privileges(opts.user);

	loop_setup(&opts, nl);
	if (opts.dump) {
		loop_dump(dfd, seq);
		close(dfd);
	}
	if (nl >= 0)
		loop_run(nl, sfd);
	loop_finish();
	return ct_out_close();
}