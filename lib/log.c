/*
 * Diagnostics.  Each message is built in one buffer and written with one
 * write(2), so lines from tools sharing a stderr pipe never interleave.
 */
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ndjson.h"
#include "timefmt.h"

static enum ct_log_level threshold = CT_LOG_INFO;
static enum ct_log_format format = CT_LOG_TEXT;
static int forced;	/* set while log_report() prints */

static const char *const level_names[] = {
	[CT_LOG_ERROR] = "error",
	[CT_LOG_WARN] = "warning",
	[CT_LOG_INFO] = "info",
	[CT_LOG_DEBUG] = "debug",
};

void
log_setup(enum ct_log_level l, enum ct_log_format f)
{
	threshold = l;
	format = f;
}

int
log_parse_level(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "warn") == 0)
		return CT_LOG_WARN;
	return -1;
}

int
log_parse_format(const char *s)
{
	if (strcasecmp(s, "text") == 0)
		return CT_LOG_TEXT;
	if (strcasecmp(s, "json") == 0)
		return CT_LOG_JSON;
	return -1;
}

int
log_getopt(int opt, const char *arg)
{
	int v;

	switch (opt) {
	case CT_LOG_OPT_FORMAT:
		if ((v = log_parse_format(arg)) < 0) {
			log_errorx("invalid log format '%s' (expected text or json)",
			    arg);
			return -1;
		}
		format = v;
		return 0;
	case CT_LOG_OPT_LEVEL:
		if ((v = log_parse_level(arg)) < 0) {
			log_errorx("invalid log level '%s' (expected error, "
			    "warning, info or debug)", arg);
			return -1;
		}
		threshold = v;
		return 0;
	}
	return 1;
}

int
log_enabled(enum ct_log_level l)
{
	return l <= threshold;
}

void
log_vmsg(enum ct_log_level l, int errnum, const char *fmt, va_list ap)
{
	char msg[8192], ts[64];
	struct ct_buf b;
	struct timespec now;
	size_t n, off;
	ssize_t w;
	int len;

	if (!forced && !log_enabled(l))
		return;
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len < 0)
		len = 0;
	n = (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1;
	if (errnum != 0)
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	ct_buf_init(&b);
	if (format == CT_LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &now);
		ct_time_format(ts, sizeof(ts), now.tv_sec, now.tv_nsec);
		ct_json_open(&b);
		ct_json_str(&b, "time", ts);
		ct_json_str(&b, "level", level_names[l]);
		ct_json_str(&b, "prog", program_invocation_short_name);
		ct_json_str(&b, "msg", msg);
		ct_json_close(&b);
	} else {
		ct_buf_adds(&b, program_invocation_short_name);
		ct_buf_adds(&b, ": ");
		ct_buf_adds(&b, msg);
		ct_buf_addc(&b, '\n');
	}
	/* stderr errors cannot be reported anywhere; give up quietly. */
	for (off = 0; off < b.len; off += w) {
		w = write(STDERR_FILENO, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0)
			break;
	}
	ct_buf_release(&b);
}

#define LOG_FN(name, level, with_errno)			\
void								\
name(const char *fmt, ...)					\
{								\
	int saved = errno;					\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	log_vmsg(level, with_errno ? saved : 0, fmt, ap);	\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, CT_LOG_WARN, 1)
LOG_FN(log_warnx, CT_LOG_WARN, 0)
LOG_FN(log_info, CT_LOG_INFO, 0)
LOG_FN(log_debug, CT_LOG_DEBUG, 0)
LOG_FN(log_error, CT_LOG_ERROR, 1)
LOG_FN(log_errorx, CT_LOG_ERROR, 0)

void
log_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	forced = 1;
	log_vmsg(CT_LOG_INFO, 0, fmt, ap);
	forced = 0;
	va_end(ap);
}

void
fatal(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(CT_LOG_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(status);
}

void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(CT_LOG_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(status);
}
