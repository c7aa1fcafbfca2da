/*
 * Diagnostics on stderr for every ct-* tool: levels, and a text or JSON
 * format so that a supervisor can parse them.  stdout is never touched.
 */
#ifndef CT_LOG_H
#define CT_LOG_H

#include <stdarg.h>

enum ct_log_level {
	CT_LOG_ERROR,
	CT_LOG_WARN,
	CT_LOG_INFO,
	CT_LOG_DEBUG
};

enum ct_log_format {
	CT_LOG_TEXT,	/* "prog: message" like err(3) */
	CT_LOG_JSON	/* {"time":..,"level":..,"prog":..,"msg":..} */
};

/* Long options every tool accepts; see log_getopt(). */
#define CT_LOG_OPT_FORMAT	0x100
#define CT_LOG_OPT_LEVEL	0x101
#define CT_LOG_LONGOPTS \
	{ "log-format", required_argument, NULL, CT_LOG_OPT_FORMAT }, \
	{ "log-level", required_argument, NULL, CT_LOG_OPT_LEVEL }

/*
 * Handle --log-format or --log-level from a getopt_long loop.  Returns 0
 * when the option was one of them and its argument was valid, -1 when the
 * argument was invalid (a message has been printed), 1 when opt is not a
 * log option.
 */
int log_getopt(int opt, const char *arg);

/* Set the threshold and the format; defaults are CT_LOG_INFO and text. */
void log_setup(enum ct_log_level, enum ct_log_format);

/* Return the level or format named by s, or -1. */
int log_parse_level(const char *s);
int log_parse_format(const char *s);

/* Whether messages of this level are printed. */
int log_enabled(enum ct_log_level);

/* Messages at each level; the forms without x append strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An answer the user asked for (SIGUSR1 counters): labelled info, never filtered. */
void log_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print an error and exit with status (a sysexits code). */
void fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void fatalx(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* The va_list form of all of the above; errnum 0 means no strerror. */
void log_vmsg(enum ct_log_level, int errnum, const char *fmt, va_list);

#endif
