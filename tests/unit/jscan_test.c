/*
 * lib/: the flat JSON scanner, address parsing and classes, and the
 * prefix set, whose users (ct-filter, ct-geoip, the sinks) rely on the
 * exact edge behaviour checked here.
 */
#include "unit.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "jscan.h"
#include "prefix.h"

static int
scan_all(const char *s, const char **msg, size_t *col)
{
	return ct_jscan_validate(s, strlen(s), msg, col);
}

static void
test_jscan_valid(void)
{
	static const char *const good[] = {
		"{}", " { } ", "{\"a\":1}", "{\"a\":-0.5e+10,\"b\":[]}",
		"{\"a\":{\"b\":[1,{\"c\":null}],\"d\":true},\"e\":false}",
		"{\"k\":\"\\u00e9\\ud83d\\ude00\\\\\\\"\\/\\b\\f\\n\\r\\t\"}",
		"{\"utf8\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}\r",
	};
	static const struct {
		const char *s;
		size_t col;
		const char *msg;
	} bad[] = {
		{ "", 1, "empty line" },
		{ "[1]", 1, "not a JSON object" },
		{ "{\"a\":1,}", 8, "expected a string key" },
		{ "{\"a\" 1}", 6, "expected ':' after key" },
		{ "{\"a\":01}", 7, "invalid number" },
		{ "{\"a\":1.}", 8, "invalid number" },
		{ "{\"a\":\"\x01\"}", 7, "control character in string" },
		{ "{\"a\":\"\xc0\xaf\"}", 7, "invalid UTF-8" },
		{ "{\"a\":\"\xed\xa0\x80\"}", 7, "invalid UTF-8" },
		{ "{\"a\":\"\\x\"}", 7, "invalid escape in string" },
		{ "{\"a\":\"\\u12g4\"}", 7, "invalid \\u escape" },
		{ "{\"a\":[1 2]}", 9, "expected ',' or ']'" },
		{ "{\"a\":1} 2", 9, "trailing characters after the object" },
		{ "{\"a\":\"x", 8, "unterminated string" },
	};
	const char *msg;
	size_t i, col;
	char deep[2 * CT_JSCAN_MAXDEPTH + 16];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(scan_all(good[i], &msg, &col) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		col = 0;
		CHECK(scan_all(bad[i].s, &msg, &col) == -1);
		CHECK(col == bad[i].col);
		CHECK(msg != NULL && strcmp(msg, bad[i].msg) == 0);
	}
	/* Nesting beyond the limit is refused, not recursed into. */
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"a\":", 5);
	deep[sizeof(deep) - 1] = '\0';
	CHECK(scan_all(deep, &msg, &col) == -1);
	CHECK(strcmp(msg, "nesting too deep") == 0);
}

static void
test_jscan_members(void)
{
	const char *s = "{\"t\\u0079pe\":\"N\\u0045W\",\"n\":42,\"n\":7,"
	    "\"o\":{\"x\":[1]},\"big\":18446744073709551615}";
	struct ct_jscan js;
	struct ct_jmember m;
	char buf[16];
	uint64_t v;
	size_t n;

	ct_jscan_init(&js, s, strlen(s));
	CHECK(ct_jscan_next(&js, &m) == 1);
	CHECK(m.key_esc && m.val_esc && m.type == CT_JSTRING);
	CHECK(ct_jscan_keyeq(&m, "type", 4));
	n = ct_jscan_unescape(m.val, m.vallen, buf, sizeof(buf));
	CHECK_STR("NEW", buf, n);
	CHECK(ct_jscan_next(&js, &m) == 1);
	CHECK(ct_jscan_u64(&m, 100, &v) == 0 && v == 42);
	CHECK(ct_jscan_u64(&m, 41, &v) == -1);
	CHECK(ct_jscan_next(&js, &m) == 1);
	CHECK(ct_jscan_next(&js, &m) == 1);
	CHECK(m.type == CT_JOBJECT);
	CHECK_STR("{\"x\":[1]}", m.val, m.vallen);
	CHECK(ct_jscan_next(&js, &m) == 1);
	CHECK(ct_jscan_u64(&m, UINT64_MAX, &v) == 0 && v == UINT64_MAX);
	CHECK(ct_jscan_close(&js) == NULL);
	CHECK(ct_jscan_next(&js, &m) == 0);
	CHECK(ct_jscan_next(&js, &m) == 0);
	CHECK(ct_jscan_close(&js) == s + strlen(s) - 1);
	/* The last duplicate wins; absent keys are 0; bad text is -1. */
	CHECK(ct_jscan_find(s, strlen(s), "n", &m) == 1);
	CHECK_STR("7", m.val, m.vallen);
	CHECK(ct_jscan_find(s, strlen(s), "zz", &m) == 0);
	CHECK(ct_jscan_find("{\"n\":1,", 7, "n", &m) == -1);
	/* Unescaping reports the full length even when truncated. */
	CHECK(ct_jscan_unescape("\\ud83d\\ude00\\ud800x", 19, buf, 2) == 8);
	n = ct_jscan_unescape("\\ud83d\\ude00\\ud800x", 19, buf, sizeof(buf));
	CHECK_STR("\xf0\x9f\x98\x80\xef\xbf\xbdx", buf, n);
}

static void
test_addr(void)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1.2.3.4 ",
		":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::1%lo",
		"1:2:3:4:5:6:7::8", "::ffff:1.2.3", "g::1", "1.2.3.4::",
	};
	struct ct_addr a, b;
	unsigned len;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(ct_addr_parse(bad[i], strlen(bad[i]), &a) == -1);
	CHECK(ct_addr_parse("2001:DB8::1", 11, &a) == 0);
	CHECK(ct_addr_parse("2001:db8:0:0::0:1", 17, &b) == 0);
	CHECK(ct_addr_eq(&a, &b));
	CHECK(ct_addr_parse("::ffff:10.1.2.3", 15, &a) == 0);
	CHECK(a.family == AF_INET && a.v4 == 0x0a010203);
	CHECK(ct_addr_parse("1:2:3:4:5:6:1.2.3.4", 19, &a) == 0);
	CHECK(a.family == AF_INET6 && a.lo == 0x0005000601020304ULL);
	CHECK(ct_prefix_parse("10.1.2.3/8", 10, &a, &len, &why) == 0);
	CHECK(len == 8);
	ct_addr_mask(&a, len);
	CHECK(a.v4 == 0x0a000000);
	CHECK(ct_prefix_parse("::ffff:0:0/96", 13, &a, &len, &why) == 0);
	CHECK(a.family == AF_INET && len == 0);
	CHECK(ct_prefix_parse("10.0.0.0/33", 11, &a, &len, &why) == -1);
	CHECK(ct_prefix_parse("10.0.0.0/08", 11, &a, &len, &why) == -1);
	CHECK(ct_addr_parse("169.254.255.255", 15, &a) == 0 &&
	    ct_addr_class(&a) == CT_NET_LOCAL);
	CHECK(ct_addr_parse("172.32.0.0", 10, &a) == 0 &&
	    ct_addr_class(&a) == CT_NET_PUBLIC);
	CHECK(ct_addr_parse("febf::1", 7, &a) == 0 &&
	    ct_addr_class(&a) == CT_NET_LOCAL);
	CHECK(ct_addr_parse("fdff::1", 7, &a) == 0 &&
	    ct_addr_class(&a) == CT_NET_PRIVATE);
	CHECK(ct_addr_parse("ff00::", 6, &a) == 0 &&
	    ct_addr_class(&a) == CT_NET_MULTICAST);
}

static bool
has(const struct ct_prefix_set *s, const char *text)
{
	struct ct_addr a;

	if (ct_addr_parse(text, strlen(text), &a) < 0)
		return false;
	return ct_prefix_set_contains(s, &a);
}

static void
add(struct ct_prefix_set *s, const char *text)
{
	struct ct_addr a;
	unsigned len;
	const char *why;

	if (ct_prefix_parse(text, strlen(text), &a, &len, &why) == 0)
		ct_prefix_set_add(s, &a, len);
}

static void
test_prefix(void)
{
	struct ct_prefix_set s;
	struct ct_addr a;
	unsigned i;

	ct_prefix_set_init(&s);
	CHECK(ct_prefix_set_build(&s) == 0);
	CHECK(!has(&s, "1.2.3.4") && !has(&s, "::1"));
	add(&s, "10.0.0.0/8");
	add(&s, "10.1.0.0/16");
	add(&s, "11.0.0.0/8");
	add(&s, "255.255.255.255/32");
	add(&s, "::/0");
	CHECK(ct_prefix_set_build(&s) == 0);
	/* 10/8, 10.1/16 and 11/8 merge into one range. */
	CHECK(ct_prefix_set_ranges(&s) == 3);
	CHECK(has(&s, "10.0.0.0") && has(&s, "11.255.255.255"));
	CHECK(!has(&s, "9.255.255.255") && !has(&s, "12.0.0.0"));
	CHECK(has(&s, "255.255.255.255") && has(&s, "::") && has(&s, "ffff::"));
	CHECK(!has(&s, "::ffff:8.8.8.8"));
	ct_prefix_set_release(&s);

	/* Enough ranges for the index: every other /24 of 20.0.0.0/16. */
	ct_prefix_set_init(&s);
	for (i = 0; i < 256; i += 2) {
		a.family = AF_INET;
		a.v4 = 0x14000000 | i << 8;
		ct_prefix_set_add(&s, &a, 24);
		a.family = AF_INET6;
		a.hi = 0x20010db800000000ULL | (uint64_t)i << 16;
		a.lo = 0;
		ct_prefix_set_add(&s, &a, 48);
	}
	CHECK(ct_prefix_set_build(&s) == 0 && s.idx4 != NULL && s.idx6 != NULL);
	CHECK(has(&s, "20.0.0.0") && has(&s, "20.0.254.255"));
	CHECK(!has(&s, "20.0.1.0") && !has(&s, "20.0.255.255"));
	CHECK(!has(&s, "19.255.255.255") && !has(&s, "20.1.0.0"));
	CHECK(has(&s, "2001:db8:2::1") && !has(&s, "2001:db8:3::1"));
	CHECK(!has(&s, "2001:db9::") && !has(&s, "::1"));
	ct_prefix_set_release(&s);
}

void
test_jscan(void)
{
	test_jscan_valid();
	test_jscan_members();
	test_addr();
	test_prefix();
}
