/*
 * The names of event types, protocols, families, network classes and
 * connection states, as the event schema (lib/event.c) spells them.  The
 * tables are taken from lib/ once, so that rules and events agree with
 * what ct-listen writes; lookups ignore case, as the rule language does.
 */
#include "filter.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "event.h"

#define MAXNAMES 64

struct named {
	const char *name;
	size_t len;
	int value;
};

/* A table entry with its name's length, so lookups compare lengths first. */
#define NAMED(s, v) { s, sizeof(s) - 1, v }

static struct named protos[MAXNAMES], states[MAXNAMES];
static size_t nprotos, nstates;
static bool ready;

static void
setup(void)
{
	static const uint8_t state_protos[] = {
		IPPROTO_TCP, IPPROTO_SCTP, IPPROTO_DCCP
	};
	const char *name;
	size_t i, j;
	unsigned v;

	for (v = 0; v < 256 && nprotos < MAXNAMES; v++)
		if ((name = ct_proto_name(v)) != NULL) {
			protos[nprotos].name = name;
			protos[nprotos].len = strlen(name);
			protos[nprotos++].value = v;
		}
	/* One index per distinct name: TCP and SCTP share ESTABLISHED. */
	for (i = 0; i < sizeof(state_protos); i++)
		for (v = 0; v < 256; v++) {
			if ((name = ct_state_name(state_protos[i], v)) == NULL)
				continue;
			for (j = 0; j < nstates; j++)
				if (strcasecmp(states[j].name, name) == 0)
					break;
			if (j == nstates && nstates < 32) {
				states[nstates].name = name;
				states[nstates].len = strlen(name);
				states[nstates].value = nstates;
				nstates++;
			}
		}
	ready = true;
}

static int
find(const struct named *t, size_t n, const char *s, size_t len)
{
	size_t i;

	/* Events spell names exactly; rules may use any case. */
	for (i = 0; i < n; i++)
		if (t[i].len == len && (memcmp(t[i].name, s, len) == 0 ||
		    strncasecmp(t[i].name, s, len) == 0))
			return t[i].value;
	return -1;
}

int
type_lookup(const char *s, size_t n)
{
	static const struct named types[] = {
		NAMED("NEW", CT_EVENT_NEW),
		NAMED("UPDATE", CT_EVENT_UPDATE),
		NAMED("DESTROY", CT_EVENT_DESTROY),
		NAMED("EXISTING", CT_EVENT_EXISTING),
		NAMED("LOST", CT_EVENT_LOST),
	};

	return find(types, sizeof(types) / sizeof(types[0]), s, n);
}

int
proto_lookup(const char *s, size_t n)
{
	unsigned v = 0;
	size_t i;

	if (!ready)
		setup();
	if (n > 0 && n <= 3 && s[0] >= '0' && s[0] <= '9') {
		/* ct-listen writes protocols without a name as numbers. */
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || (i > 0 && v == 0))
				return -1;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		return v <= 255 ? (int)v : -1;
	}
	return find(protos, nprotos, s, n);
}

int
family_lookup(const char *s, size_t n)
{
	static const struct named families[] = {
		NAMED("ipv4", 4), NAMED("ipv6", 6), NAMED("inet", 4),
		NAMED("inet6", 6),
	};

	return find(families, sizeof(families) / sizeof(families[0]), s, n);
}

int
network_lookup(const char *s, size_t n)
{
	static const struct named nets[] = {
		NAMED("LOCAL", CT_NET_LOCAL),
		NAMED("PRIVATE", CT_NET_PRIVATE),
		NAMED("PUBLIC", CT_NET_PUBLIC),
		NAMED("MULTICAST", CT_NET_MULTICAST),
	};

	return find(nets, sizeof(nets) / sizeof(nets[0]), s, n);
}

int
state_lookup(const char *s, size_t n)
{
	if (!ready)
		setup();
	return find(states, nstates, s, n);
}
