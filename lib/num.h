/* Checked conversions of command-line numbers ("atoi with error detection"). */
#ifndef CT_NUM_H
#define CT_NUM_H

#include <stdint.h>

/*
 * Parse a decimal number in [min, max] that fills all of s.  Returns 0,
 * or -1 with errno EINVAL (not a number) or ERANGE (out of range).
 */
int ct_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Parse a byte size: a number with an optional K, M or G suffix (powers of
 * 1024, "KiB" and "k" accepted).  Same return as ct_parse_u64().
 */
int ct_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
