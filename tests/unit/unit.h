/*
 * A minimal unit test harness for the ct-* C code: no framework, one
 * binary, one line per failed check, and a final "N passed, M failed".
 * Prototypes are grouped by file.
 */
#ifndef CT_UNIT_H
#define CT_UNIT_H

#include <stddef.h>

extern unsigned long unit_passed, unit_failed;

/* Record a check; on failure print where and why on stderr. */
void unit_check(int ok, const char *file, int line, const char *expr);

/* Compare two byte strings; on failure print both (escaped) on stderr. */
void unit_check_str(const char *want, const char *got, size_t gotlen,
    const char *file, int line, const char *what);

#define CHECK(e)	unit_check((e) ? 1 : 0, __FILE__, __LINE__, #e)
#define CHECK_STR(want, got, len) \
	unit_check_str((want), (got), (len), __FILE__, __LINE__, #got)

/* event_test.c */
void test_event(void);

/* parse_test.c */
void test_parse(void);

/* lib_test.c */
void test_lines(void);
void test_num(void);
void test_ndjson(void);

/* jscan_test.c */
void test_jscan(void);

#endif
