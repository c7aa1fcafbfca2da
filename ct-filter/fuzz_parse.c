/*
 * libFuzzer target for the rule parser: any bytes as one rule line.
 * Parsing must never crash, leak or overrun, and an error's caret
 * display must work for whatever offset the parser reports.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct rule r;
	struct perr err;
	struct ct_buf b;
	unsigned need = 0;

	/* @file would open arbitrary paths; the parser refuses it here. */
	switch (rule_parse(s, size, PARSE_NO_FILES, &r, &need, &err)) {
	case 1:
		rule_free(&r);
		break;
	case -1:
		ct_buf_init(&b);
		perr_format(&b, &err, "fuzz", 1, s, size);
		ct_buf_release(&b);
		perr_release(&err);
		break;
	}
	return 0;
}
