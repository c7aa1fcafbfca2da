/*
 * ct-filter: keep or drop ct-listen's NDJSON events by conntrackd's rule
 * language.  Kept lines are copied byte for byte; bad lines are reported
 * (rate-limited), counted and skipped, never fatal.  One poll loop reads
 * stdin and a signalfd, so SIGTERM ends the tool after the lines already
 * read have been filtered and written.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "lines.h"
#include "log.h"
#include "out.h"
#include "sig.h"
#include "xalloc.h"

/* Write before the output buffer grows past this, even mid-batch. */
#define OUT_HIGH 262144
/* Bad-line reports: a burst, then at most one a second. */
#define BAD_BURST 10

struct stats {
	unsigned long lines, kept, bad, unshown;
	unsigned burst;
	time_t last;
};

static struct stats st;
static bool strict;		/* a bad line ends the run with EX_DATAERR */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-hV] [--check] [--strict] [-e rule] "
	    "[-f file] [--log-format format] [--log-level level]\n",
	    program_invocation_short_name);
	exit(EX_USAGE);
}

static void __attribute__((noreturn))
help(void)
{
	printf("usage: %s [-hV] [--check] [--strict] [-e rule] [-f file] "
	    "[--log-format format] [--log-level level]\n"
	    "Keep the conntrack events on stdin that the rules log.\n\n"
	    "  -e RULE             a rule, e.g. 'drop destination network PRIVATE'\n"
	    "  -f FILE             rules from FILE, one a line, # comments\n"
	    "      --check         check the rules and exit; read nothing\n"
	    "      --strict        stop at the first bad input line (exit 65)\n"
	    "      --log-format F  text or json diagnostics\n"
	    "      --log-level L   error, warning, info or debug\n"
	    "  -h, --help          this help\n"
	    "  -V, --version       print the version\n\n"
	    "The first rule that matches decides; unmatched events are kept.\n"
	    "See ct-filter(1) and the rule language in ct-filter(5).\n",
	    program_invocation_short_name);
	exit(0);
}

static void
report_bad(unsigned long lineno, size_t col, const char *msg)
{
	struct timespec now;

	st.bad++;
	if (st.burst >= BAD_BURST) {
		/* Only pay for the clock when the burst is spent. */
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		if (now.tv_sec == st.last) {
			st.unshown++;
			return;
		}
		st.last = now.tv_sec;
	}
	st.burst++;
	if (st.unshown > 0)
		log_warnx("stdin:%lu:%zu: %s (%lu more bad lines not shown)",
		    lineno, col, msg, st.unshown);
	else
		log_warnx("stdin:%lu:%zu: %s", lineno, col, msg);
	st.unshown = 0;
}

static bool
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Filter the complete lines held; returns -1 at a bad line under --strict. */
static int
filter_lines(struct ct_lines *in, const struct ruleset *rs,
    struct ct_buf *out)
{
	struct fevent ev;
	char *line, msg[256];
	size_t len, col;

	while (ct_lines_next(in, &line, &len)) {
		st.lines++;
		switch (ev_decode(line, len, rs->need, &ev, msg, sizeof(msg),
		    &col)) {
		case DEC_BAD:
			/* Blank lines hold no value; jq skips them too. */
			if (blank(line, len))
				continue;
			if (strict) {
				log_errorx("stdin:%lu:%zu: %s", in->lineno,
				    col, msg);
				return -1;
			}
			report_bad(in->lineno, col, msg);
			continue;
		case DEC_OK:
			if (!ruleset_keep(rs, &ev))
				continue;
			break;
		}
		st.kept++;
		ct_buf_add(out, line, len);
		ct_buf_addc(out, '\n');
		if (out->len >= OUT_HIGH)
			ct_out_flush(out);
	}
	return 0;
}

static void
summary(int status)
{
	(void)status;
	if (st.unshown > 0)
		log_warnx("%lu more bad lines not shown", st.unshown);
	if (st.bad > 0)
		log_warnx("%lu bad input line%s skipped", st.bad,
		    st.bad == 1 ? "" : "s");
	log_debug("%lu lines read, %lu kept", st.lines, st.kept);
}

/* Filter stdin to stdout until EOF or a signal; returns an exit status. */
static int
run(const struct ruleset *rs)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct ct_lines in;
	struct ct_buf out;
	struct pollfd pfd[2];
	ssize_t n;
	int sigfd, status = 0;
	bool stop = false;

	if ((sigfd = ct_sig_open(sigs, 2)) < 0)
		fatal(EX_OSERR, "cannot set up signals");
	ct_lines_init(&in);
	ct_buf_init(&out);
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = sigfd;
	pfd[1].events = POLLIN;
	while (!stop) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fatal(EX_OSERR, "poll");
		}
		if (pfd[1].revents & POLLIN) {
			if (ct_sig_read(sigfd) > 0)
				stop = true;
		}
		if (pfd[0].revents == 0)
			continue;
		if ((n = ct_lines_fill(&in, STDIN_FILENO)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			log_warn("cannot read standard input");
			status = EX_IOERR;
			break;
		}
		if (filter_lines(&in, rs, &out) < 0) {
			status = EX_DATAERR;
			break;
		}
		/* Flush before waiting again: never hold events back. */
		ct_out_flush(&out);
		if (in.eof)
			break;
	}
	ct_out_flush(&out);
	/*
	 * Skipped lines are data the user did not get: a script or a cron
	 * job must be able to tell, so the end of input says so too.  (A
	 * signal ends a service, which the warnings have already told.)
	 */
	if (status == 0 && in.eof && st.bad > 0)
		status = EX_DATAERR;
	summary(status);
	ct_lines_release(&in);
	ct_buf_release(&out);
	close(sigfd);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "strict", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		CT_LOG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ruleset rs;
	struct loader ld;
	struct source {
		int opt;
		const char *arg;
	} *src;
	int ch, check = 0, status, nsrc = 0, i, closed;

	closed = ct_out_guard_std();

	/*
	 * Rules load after all options, so that --log-format applies to
	 * their errors, but in the order of -e and -f on the command line.
	 */
	src = xcalloc(argc, sizeof(*src));
	/* getopt's own messages name argv[0]; make it the short name. */
	argv[0] = program_invocation_short_name;
	while ((ch = getopt_long(argc, argv, "e:f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'h':
			help();
		case 'V':
			printf("ct-filter %s\n", CT_VERSION);
			exit(0);
		case 's':
			strict = true;
			break;
		case 'e':
		case 'f':
			src[nsrc].opt = ch;
			src[nsrc++].arg = optarg;
			break;
		default:
			switch (log_getopt(ch, optarg)) {
			case 0:
				break;
			case -1:
				exit(EX_USAGE);
			default:
				usage();
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		usage();
	ruleset_init(&rs);
	loader_init(&ld, &rs);
	for (i = 0; i < nsrc; i++)
		if (src[i].opt == 'e')
			loader_expr(&ld, src[i].arg);
		else
			loader_file(&ld, src[i].arg);
	free(src);
	if (ld.status != 0) {
		ruleset_release(&rs);
		return ld.status;
	}
	if (check) {
		log_info("%zu rule%s ok", rs.n, rs.n == 1 ? "" : "s");
		ruleset_release(&rs);
		return 0;
	}
	if (closed & 1)
		fatalx(EX_IOERR, "standard input is closed");
	if (closed & 2)
		fatalx(EX_IOERR, "standard output is closed");
	ct_out_setup();
	ct_out_on_exit(summary);
	status = run(&rs);
	ruleset_release(&rs);
	if (ct_out_close() != 0)
		status = EX_IOERR;
	return status;
}
