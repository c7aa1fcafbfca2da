/*
 * Decoding an input line into a struct fevent: one pass of the JSON
 * scanner over the whole line (so every line is validated), converting
 * only the members that some rule reads.  Key names are matched here,
 * once per member, so that evaluation never looks at a string.  A
 * member whose value is null counts as absent.
 */
#include "filter.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "jscan.h"

/* The F_* flag of a key of the event schema, or 0. */
static unsigned
field_of(const char *k, size_t n)
{
#define IS(lit) (memcmp(k, lit, sizeof(lit) - 1) == 0)
	switch (n) {
	case 3:
		return IS("src") ? F_SRC : IS("dst") ? F_DST : 0;
	case 4:
		return IS("type") ? F_TYPE : IS("prot") ? F_PROTO :
		    IS("mark") ? F_MARK : IS("zone") ? F_ZONE : 0;
	case 5:
		return IS("sport") ? F_SPORT : IS("dport") ? F_DPORT :
		    IS("state") ? F_STATE : 0;
	case 6:
		return IS("family") ? F_FAMILY : 0;
	case 8:
		return IS("src_city") ? F_SRC_CITY :
		    IS("dst_city") ? F_DST_CITY : 0;
	case 11:
		return IS("src_country") ? F_SRC_COUNTRY :
		    IS("dst_country") ? F_DST_COUNTRY : 0;
	case 16:
		return IS("src_country_code") ? F_SRC_CC :
		    IS("dst_country_code") ? F_DST_CC : 0;
	}
	return 0;
#undef IS
}

static int
geo_slot(unsigned f)
{
	switch (f) {
	case F_SRC_COUNTRY: return G_SRC_COUNTRY;
	case F_DST_COUNTRY: return G_DST_COUNTRY;
	case F_SRC_CC: return G_SRC_CC;
	case F_DST_CC: return G_DST_CC;
	case F_SRC_CITY: return G_SRC_CITY;
	default: return G_DST_CITY;
	}
}

/* The string value of m, unescaped into buf when needed. */
static int
string_of(const struct ct_jmember *m, char *buf, size_t bufsz,
    const char **p, size_t *n)
{
	if (m->type != CT_JSTRING)
		return -1;
	if (!m->val_esc) {
		*p = m->val;
		*n = m->vallen;
		return 0;
	}
	*n = ct_jscan_unescape(m->val, m->vallen, buf, bufsz);
	if (*n > bufsz)
		*n = bufsz;	/* too long to be any name we know */
	*p = buf;
	return 0;
}

/* Convert one member; returns NULL, or what was expected instead. */
static const char *
decode_value(struct fevent *ev, unsigned f, const struct ct_jmember *m)
{
	char buf[64];
	const char *p;
	size_t n, i;
	uint64_t v;
	char *g;
	int slot, t;

	switch (f) {
	case F_SPORT:
	case F_DPORT:
	case F_ZONE:
		if (ct_jscan_u64(m, 65535, &v) < 0)
			return f == F_ZONE ? "a zone number 0-65535" :
			    "a port number 0-65535";
		if (f == F_SPORT)
			ev->sport = v;
		else if (f == F_DPORT)
			ev->dport = v;
		else
			ev->zone = v;
		return NULL;
	case F_MARK:
		if (ct_jscan_u64(m, UINT32_MAX, &v) < 0)
			return "a mark 0-4294967295";
		ev->mark = v;
		return NULL;
	}
	if (f & (F_SRC_COUNTRY | F_DST_COUNTRY | F_SRC_CC | F_DST_CC |
	    F_SRC_CITY | F_DST_CITY)) {
		if (m->type != CT_JSTRING)
			return "a string";
		slot = geo_slot(f);
		g = ev->geo[slot];
		n = ct_jscan_unescape(m->val, m->vallen, g, GEO_MAX);
		if (n >= GEO_MAX)
			n = GEO_MAX;	/* longer than any rule's name */
		for (i = 0; i < n; i++)
			if (g[i] >= 'A' && g[i] <= 'Z')
				g[i] += 'a' - 'A';
		ev->geolen[slot] = n;
		return NULL;
	}
	if (string_of(m, buf, sizeof(buf), &p, &n) < 0)
		return f == F_SRC || f == F_DST ? "an IP address" : "a string";
	switch (f) {
	case F_TYPE:
		t = type_lookup(p, n);
		ev->type = t < 0 ? EV_OTHER : t;
		break;
	case F_FAMILY:
		t = family_lookup(p, n);
		ev->family = t < 0 ? 0 : t;
		break;
	case F_PROTO:
		t = proto_lookup(p, n);
		ev->proto = t < 0 ? 256 : t;
		break;
	case F_STATE:
		ev->state = state_lookup(p, n);
		break;
	case F_SRC:
		if (ct_addr_parse(p, n, &ev->src) < 0)
			return "an IP address";
		break;
	case F_DST:
		if (ct_addr_parse(p, n, &ev->dst) < 0)
			return "an IP address";
		break;
	}
	return NULL;
}

static const char *
field_name(unsigned f)
{
	static const char *const names[] = {
		"type", "family", "prot", "src", "dst", "sport", "dport",
		"state", "mark", "zone", "src_country", "dst_country",
		"src_country_code", "dst_country_code", "src_city", "dst_city",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f == 1u << i)
			return names[i];
	return "?";
}

int
ev_decode(const char *line, size_t len, unsigned need, struct fevent *ev,
    char *msgbuf, size_t msgsz, size_t *col)
{
	struct ct_jscan js;
	struct ct_jmember m;
	const char *k, *why[16], *jmsg;
	char kbuf[32];
	size_t klen, badcol[16];
	unsigned f, bad = 0, i, first;
	int r;

	ev->have = 0;
	ev->type = EV_OTHER;
	ev->mark = 0;
	ev->zone = 0;
	need |= F_TYPE;
	ct_jscan_init(&js, line, len);
	while ((r = ct_jscan_next(&js, &m)) > 0) {
		k = m.key;
		klen = m.keylen;
		if (m.key_esc) {
			klen = ct_jscan_unescape(m.key, m.keylen, kbuf,
			    sizeof(kbuf));
			if (klen > sizeof(kbuf))
				continue;
			k = kbuf;
		}
		if ((f = field_of(k, klen) & need) == 0)
			continue;
		/* The last of duplicate keys wins, as in jq, bad or good. */
		bad &= ~f;
		if (m.type == CT_JNULL) {
			ev->have &= ~f;
			continue;
		}
		if ((why[i = __builtin_ctz(f)] = decode_value(ev, f, &m)) !=
		    NULL) {
			ev->have &= ~f;
			bad |= f;
			badcol[i] = (size_t)(m.val - line) +
			    (m.type == CT_JSTRING ? 0 : 1);
			continue;
		}
		ev->have |= f;
	}
	if (r < 0) {
		jmsg = ct_jscan_error(&js, col);
		snprintf(msgbuf, msgsz, "%s%s", strcmp(jmsg,
		    "not a JSON object") == 0 ? "" : "invalid JSON: ", jmsg);
		return DEC_BAD;
	}
	/* Loss stays visible whatever else the record holds. */
	if ((ev->have & F_TYPE) && ev->type == CT_EVENT_LOST)
		return DEC_LOST;
	if (bad == 0)
		return DEC_OK;
	/* Report the leftmost bad value. */
	first = __builtin_ctz(bad);
	for (i = first + 1; i < 16; i++)
		if ((bad >> i & 1) && badcol[i] < badcol[first])
			first = i;
	*col = badcol[first];
	snprintf(msgbuf, msgsz, "bad value for '%s' (expected %s)",
	    field_name(1u << first), why[first]);
	return DEC_BAD;
}
