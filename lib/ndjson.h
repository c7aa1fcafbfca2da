/*
 * Writing one flat JSON object per line into a struct ct_buf.  Keys are
 * trusted ASCII literals; values are escaped.  Commas are placed by
 * looking at the previous byte, so members may be added in any order.
 */
#ifndef CT_NDJSON_H
#define CT_NDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Start an object: appends '{'. */
void ct_json_open(struct ct_buf *);

/* End an object and the line: appends "}\n". */
void ct_json_close(struct ct_buf *);

/* Members.  s is a NUL-terminated string, escaped as JSON requires. */
void ct_json_str(struct ct_buf *, const char *key, const char *s);
void ct_json_strn(struct ct_buf *, const char *key, const char *s, size_t n);
void ct_json_u64(struct ct_buf *, const char *key, uint64_t);
void ct_json_bool(struct ct_buf *, const char *key, bool);

/* Append a member's key (with the comma before it) and the colon. */
void ct_json_key(struct ct_buf *, const char *key);

/* Append s as a quoted JSON string; invalid UTF-8 bytes become U+FFFD. */
void ct_json_quote(struct ct_buf *, const char *s, size_t n);

#endif
