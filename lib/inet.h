/*
 * Address text for records: dotted quads and RFC 5952 IPv6, written
 * without stdio because ct-listen formats two to four of them per event.
 */
#ifndef CT_INET_H
#define CT_INET_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest address text and its NUL (as INET6_ADDRSTRLEN). */
#define CT_INET_MAX 46

/*
 * Write the text of addr (4 bytes for AF_INET, 16 for AF_INET6, network
 * order) into out, which has at least CT_INET_MAX bytes.  IPv6 follows
 * RFC 5952: lower case, no leading zeros, the longest run of two or more
 * zero groups (the first of equals) as "::", and IPv4-mapped addresses
 * as ::ffff:a.b.c.d.  Returns the length, or 0 for an unknown family.
 */
size_t ct_inet_format(char *out, int family, const uint8_t *addr);

#endif
