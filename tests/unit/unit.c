/*
 * The unit test runner: runs every group and prints the totals.  Exits 1
 * when a check failed, so `make unit` fails.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long unit_passed, unit_failed;

void
unit_check(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		unit_passed++;
		return;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
}

static void
print_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

void
unit_check_str(const char *want, const char *got, size_t gotlen,
    const char *file, int line, const char *what)
{
	size_t wantlen = strlen(want);

	if (gotlen == wantlen && memcmp(want, got, wantlen) == 0) {
		unit_passed++;
		return;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: %s differs\n  expected: ", file, line, what);
	print_escaped(want, wantlen);
	fputs("  actual:   ", stderr);
	print_escaped(got, gotlen);
}

int
main(void)
{
	test_event();
	test_parse();
	test_lines();
	test_num();
	test_ndjson();
	test_jscan();
	printf("%lu passed, %lu failed\n", unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}
