/*
 * struct ct_jscan: a zero-allocation reader for one flat JSON object, the
 * shape of every NDJSON record the ct-* tools exchange.  The scanner
 * walks the object's members in order and hands out spans that point
 * into the caller's text; nested objects and arrays are validated and
 * returned as raw spans.  Nothing is copied or allocated: the text must
 * stay valid and unchanged while a scan and its members are in use.
 *
 * Strictness: the whole line must be one JSON object (RFC 8259), with
 * valid UTF-8, no control characters inside strings, strict numbers and
 * nothing but whitespace after the closing brace.  An error reports the
 * byte column of the offending byte (1-based; one past the end for a
 * truncated line).
 */
#ifndef CT_JSCAN_H
#define CT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting limit for skipped values, a guard against hostile input. */
#define CT_JSCAN_MAXDEPTH 512

enum ct_jtype {
	CT_JSTRING = 1,
	CT_JNUMBER,
	CT_JTRUE,
	CT_JFALSE,
	CT_JNULL,
	CT_JOBJECT,
	CT_JARRAY
};

/*
 * One member.  key and val point into the scanned text.  For strings,
 * the spans exclude the quotes and are still escaped when the _esc flag
 * is set (see ct_jscan_unescape()); for other types val is the value's
 * raw text.
 */
struct ct_jmember {
	const char *key;
	size_t keylen;
	const char *val;
	size_t vallen;
	enum ct_jtype type;
	bool key_esc;
	bool val_esc;
};

/* Scanner state; fields are private. */
struct ct_jscan {
	const char *s;
	const char *p;
	const char *end;
	const char *close;	/* the closing brace, once seen */
	const char *errmsg;
	size_t errcol;
	int state;
};

/*
 * Start scanning the n bytes at s, which should hold one object.  Never
 * fails; errors surface from ct_jscan_next().
 */
void ct_jscan_init(struct ct_jscan *, const char *s, size_t n);

/*
 * Read the next member into *m.  Returns 1 for a member, 0 once the
 * object has ended and the rest of the text is whitespace (the text is
 * then known to be valid), or -1 on invalid text; ct_jscan_error() then
 * tells why and where.  After 0 or -1, further calls return the same.
 */
int ct_jscan_next(struct ct_jscan *, struct ct_jmember *m);

/*
 * After -1: a static message ("unterminated string", ...) and the byte
 * column (1-based) where the problem was found.
 */
const char *ct_jscan_error(const struct ct_jscan *, size_t *col);

/*
 * After ct_jscan_next() returned 0: the object's closing brace, where a
 * tool that adds members (ct-geoip) inserts them; NULL before.
 */
const char *ct_jscan_close(const struct ct_jscan *);

/* Validate the whole text; returns 0, or -1 with *msg and *col set. */
int ct_jscan_validate(const char *s, size_t n, const char **msg,
    size_t *col);

/*
 * Find key (a NUL-terminated literal, compared with the member's
 * unescaped key) and validate the whole text.  When the key occurs more
 * than once, the last one wins, as in jq.  Returns 1 with *m set, 0 if
 * the key is absent, -1 if the text is invalid.
 */
int ct_jscan_find(const char *s, size_t n, const char *key,
    struct ct_jmember *m);

/* Whether the member's key, unescaped, equals the n bytes at key. */
bool ct_jscan_keyeq(const struct ct_jmember *, const char *key, size_t n);

/*
 * Unescape the validated string text s[0..n) into out, writing at most
 * outsz bytes (no NUL).  Lone surrogates become U+FFFD.  Returns the
 * unescaped length, which may exceed outsz: the output is then
 * truncated.
 */
size_t ct_jscan_unescape(const char *s, size_t n, char *out, size_t outsz);

/*
 * Convert a member that is a plain non-negative JSON integer (no
 * fraction, no exponent) in [0, max].  Returns 0, or -1 if the member is
 * not such a number.
 */
int ct_jscan_u64(const struct ct_jmember *, uint64_t max, uint64_t *out);

#endif
