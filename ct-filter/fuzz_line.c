/*
 * libFuzzer target for input lines: any bytes as one line, decoded for
 * rules that read every field and evaluated, plus the scanner's other
 * entry points.  Nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const rules[] = {
	"drop src address 10.0.0.0/8, 2001:db8::/32, ::ffff:1.2.3.4 on port 1-1024",
	"log (type NEW or not state ESTABLISHED) and dst network PUBLIC,LOCAL",
	"drop src country DE,\"United States\" or dst city Berlin",
	"drop mark 0x10/0xf0 or zone 1-3 or family ipv6 or protocol 17,TCP",
	"log on port 53 and not dst port 80,443 and src port 1024-65535",
	"drop dst address 0.0.0.0/0 and ! src network PRIVATE,MULTICAST",
};

static struct ruleset rs;

static void
setup(void)
{
	struct rule r;
	struct perr err;
	size_t i;

	ruleset_init(&rs);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rule_parse(rules[i], strlen(rules[i]), 0, &r, &rs.need,
		    &err) != 1)
			abort();
		ruleset_add(&rs, &r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *msg;
	struct fevent ev;
	struct ct_jscan js;
	struct ct_jmember m;
	char buf[256];
	size_t col;
	uint64_t v;
	volatile bool keep = false;

	if (rs.v == NULL)
		setup();
	if (ev_decode(s, size, rs.need, &ev, buf, sizeof(buf), &col) ==
	    DEC_OK)
		keep = ruleset_keep(&rs, &ev);
	(void)keep;
	ct_jscan_init(&js, s, size);
	while (ct_jscan_next(&js, &m) > 0) {
		ct_jscan_unescape(m.key, m.keylen, buf, sizeof(buf));
		if (m.type == CT_JSTRING)
			ct_jscan_unescape(m.val, m.vallen, buf, 8);
		ct_jscan_u64(&m, UINT64_MAX, &v);
		ct_jscan_keyeq(&m, "type", 4);
	}
	ct_jscan_validate(s, size, &msg, &col);
	ct_jscan_find(s, size, "dport", &m);
	return 0;
}
