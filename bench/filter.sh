#!/bin/sh
# Benchmark ct-filter against jq on the same selection, and a 100,000-prefix
# @file list against a one-address rule.  Prints lines/s (median of RUNS
# runs), the speed relative to jq (and of @file relative to one address),
# and peak RSS.  The events are generated
# deterministically, so every run and every machine filters the same
# bytes.  Run from the top directory: bench/filter.sh [lines]
set -eu

LINES=${1:-1000000}
RUNS=${RUNS:-3}
OUT=bench/out
FILTER=${FILTER:-ct-filter/ct-filter}

command -v jq >/dev/null || { echo "bench/filter.sh: needs jq" >&2; exit 69; }
[ -x /usr/bin/time ] || { echo "bench/filter.sh: needs /usr/bin/time (package time)" >&2; exit 69; }
[ -x "$FILTER" ] || { echo "bench/filter.sh: build $FILTER first" >&2; exit 69; }
mkdir -p "$OUT"

# Events shaped like ct-listen's: a home network talking to the world,
# with a Park-Miller generator so that awk's own rand() plays no part.
gen_events() {
	awk -v n="$1" '
	function r(m) { seed = (seed * 16807) % 2147483647; return seed % m }
	function v4pub() {
		k = r(100)
		if (k < 5) return "8.8.8.8"
		if (k < 8) return "1.1.1.1"
		if (k < 10) return "10.19.80.100"
		if (k < 16) return "192.168.1." (1 + r(250))
		if (k < 18) return "224.0.0." (1 + r(250))
		if (k < 19) return "127.0.0.1"
		return (11 + r(200)) "." r(256) "." r(256) "." (1 + r(254))
	}
	function v6pub() {
		k = r(100)
		if (k < 5) return "2001:4860:4860::8888"
		if (k < 8) return "fe80::" sprintf("%x", 1 + r(65535))
		if (k < 10) return "ff02::fb"
		if (k < 15) return "fd00::" sprintf("%x", 1 + r(65535))
		return sprintf("2a%02x:%x:%x:%x::%x", r(256), r(65536), r(65536), r(65536), 1 + r(65535))
	}
	BEGIN {
		seed = 42
		split("NEW UPDATE DESTROY", types, " ")
		split("SYN_SENT ESTABLISHED FIN_WAIT TIME_WAIT CLOSE", states, " ")
		split("443 80 53 22 3389 8080 123 993 5353 25", ports, " ")
		for (i = 0; i < n; i++) {
			t = types[1 + r(3)]
			k = r(100)
			prot = k < 65 ? "TCP" : k < 95 ? "UDP" : k < 99 ? "ICMP" : "GRE"
			v6 = r(100) < 35
			if (v6) {
				fam = "ipv6"
				if (prot == "ICMP") prot = "ICMPv6"
				src = "2003:cf:1716:7b64:" sprintf("%x:%x:%x:%x", r(65536), r(65536), r(65536), r(65536))
				dst = v6pub()
			} else {
				fam = "ipv4"
				src = "192.168.1." (1 + r(250))
				dst = v4pub()
			}
			if (r(10) == 0) { tmp = src; src = dst; dst = tmp }
			line = sprintf("{\"time\":\"2026-12-01T23:%02d:%02d.%09dZ\",\"type\":\"%s\",\"flow\":%d,\"family\":\"%s\",\"prot\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\"",
			    int(i / 60000) % 60, int(i / 1000) % 60, r(1000000000), t, r(2147483647), fam, prot, src, dst)
			if (prot == "TCP" || prot == "UDP") {
				dport = r(10) < 8 ? ports[1 + r(10)] : 1 + r(65535)
				line = line sprintf(",\"sport\":%d,\"dport\":%d", 1024 + r(64512), dport)
			} else if (prot != "GRE")
				line = line sprintf(",\"icmp_type\":8,\"icmp_code\":0,\"icmp_id\":%d", r(65536))
			if (prot == "TCP")
				line = line sprintf(",\"state\":\"%s\"", t == "NEW" ? "SYN_SENT" : states[1 + r(5)])
			if (t == "NEW")
				line = line ",\"unreplied\":true"
			else if (r(2))
				line = line ",\"assured\":true"
			if (t == "DESTROY")
				line = line sprintf(",\"orig_packets\":%d,\"orig_bytes\":%d,\"reply_packets\":%d,\"reply_bytes\":%d,\"start\":\"2026-12-01T23:00:00.000000000Z\",\"stop\":\"2026-12-01T23:40:00.000000000Z\"",
				    1 + r(1000), 40 + r(1000000), r(1000), r(5000000))
			if (r(200) == 0)
				line = line ",\"mark\":" (1 + r(255))
			print line "}"
			if (r(100000) == 0)
				print "{\"time\":\"2026-12-01T23:40:00.000000000Z\",\"type\":\"LOST\",\"count\":" (1 + r(100)) "}"
		}
	}'
}

# 100,000 distinct IPv4 /24 and IPv6 /48 prefixes, none of them matching
# the events' destinations more than by chance.
gen_prefixes() {
	awk 'function r(m) { seed = (seed * 16807) % 2147483647; return seed % m }
	BEGIN {
		seed = 7
		for (i = 0; i < 90000; i++)
			printf "%d.%d.%d.0/24\n", 11 + int(i / 65536) * 100, int(i / 256) % 256, i % 256
		for (i = 0; i < 10000; i++)
			printf "2a%02x:%x:%x::/48\n", r(256), r(65536), r(65536)
	}'
}

EVENTS=$OUT/events-$LINES.ndjson
[ -s "$EVENTS" ] || gen_events "$LINES" >"$EVENTS"
PREFIXES=$OUT/prefixes-100000.txt
[ -s "$PREFIXES" ] || gen_prefixes >"$PREFIXES"
NLINES=$(wc -l <"$EVENTS")

cat >"$OUT/rules.conf" <<'EOF'
drop dst address 10.19.80.100 on port 53
drop src network LOCAL or dst network LOCAL,MULTICAST
drop state TIME_WAIT,CLOSE
log type NEW and protocol TCP and dst port 22
drop dst network PRIVATE and dst port 22,23,3389
drop protocol ICMP,ICMPv6 and type UPDATE,DESTROY
log dst address 8.8.8.8,1.1.1.1,2001:4860:4860::8888
drop src port 1024-65535 and dst port 1024-65535 and type UPDATE
drop type DESTROY and protocol UDP and dst port 53
log dst network PUBLIC and not protocol GRE
EOF

# The same ten rules for jq, first match wins.  Address classes are
# prefix tests on the text (exact for the canonical text the generator
# writes); jq 1.6 compiles a regex on every test(), so none are used.
cat >"$OUT/rules.jq" <<'EOF'
def local: startswith("127.") or startswith("169.254.") or . == "::1"
    or (.[0:3] | . == "fe8" or . == "fe9" or . == "fea" or . == "feb");
def private($p172): startswith("10.") or startswith("192.168.")
    or (.[0:2] | . == "fc" or . == "fd") or $p172[.[0:7]] != null;
def mcast($m4): startswith("ff") or $m4[.[0:4]] != null;
def port(p; lo; hi): p != null and p >= lo and p <= hi;
{"172.16.":1, "172.17.":1, "172.18.":1, "172.19.":1, "172.20.":1, "172.21.":1,
 "172.22.":1, "172.23.":1, "172.24.":1, "172.25.":1, "172.26.":1, "172.27.":1,
 "172.28.":1, "172.29.":1, "172.30.":1, "172.31.":1} as $p172 |
{"224.":1, "225.":1, "226.":1, "227.":1, "228.":1, "229.":1, "230.":1, "231.":1,
 "232.":1, "233.":1, "234.":1, "235.":1, "236.":1, "237.":1, "238.":1, "239.":1} as $m4 |
select(.type == "LOST" or
  if .dst == "10.19.80.100" and .dport == 53 then false
  elif (.src != null and (.src | local)) or
      (.dst != null and (.dst | local or mcast($m4))) then false
  elif .state == "TIME_WAIT" or .state == "CLOSE" then false
  elif .type == "NEW" and .prot == "TCP" and .dport == 22 then true
  elif .dst != null and (.dst | private($p172)) and
      (.dport == 22 or .dport == 23 or .dport == 3389) then false
  elif (.prot == "ICMP" or .prot == "ICMPv6") and (.type == "UPDATE" or .type == "DESTROY") then false
  elif .dst == "8.8.8.8" or .dst == "1.1.1.1" or .dst == "2001:4860:4860::8888" then true
  elif port(.sport; 1024; 65535) and port(.dport; 1024; 65535) and .type == "UPDATE" then false
  elif .type == "DESTROY" and .prot == "UDP" and .dport == 53 then false
  elif .dst != null and (.dst | local or private($p172) or mcast($m4) | not) and
      .prot != "GRE" then true
  else true end)
EOF

now() { date +%s%N; }

# measure NAME CMD...: the median wall time of RUNS runs (ns) and the
# largest peak RSS (KiB) that /usr/bin/time saw.
measure() {
	name=$1
	shift
	times=""
	rss=0
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(now)
		/usr/bin/time -f %M -o "$OUT/rss" "$@" <"$EVENTS" >/dev/null
		t1=$(now)
		times="$times $((t1 - t0))"
		r=$(tail -1 "$OUT/rss")
		[ "$r" -le "$rss" ] || rss=$r
		i=$((i + 1))
	done
	median=$(printf '%s\n' $times | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	echo "$name $median $rss"
}

# Both must keep exactly the same lines before their speed means anything.
"$FILTER" -f "$OUT/rules.conf" <"$EVENTS" >"$OUT/kept.ct"
jq -c -f "$OUT/rules.jq" <"$EVENTS" >"$OUT/kept.jq" 2>"$OUT/jq.err" || {
	head -3 "$OUT/jq.err" >&2
	exit 1
}
if ! cmp -s "$OUT/kept.ct" "$OUT/kept.jq"; then
	echo "bench/filter.sh: ct-filter and jq keep different lines:" >&2
	diff "$OUT/kept.ct" "$OUT/kept.jq" | head -5 >&2
	exit 1
fi
KEPT=$(wc -l <"$OUT/kept.ct")

"$FILTER" -e "drop dst address @$PREFIXES" <"$EVENTS" >"$OUT/kept.file"
"$FILTER" -e 'drop dst address 192.0.2.1' <"$EVENTS" >"$OUT/kept.one"

{
	measure ct-filter "$FILTER" -f "$OUT/rules.conf"
	measure jq jq -c -f "$OUT/rules.jq"
	measure jq-one jq -c 'select(.type == "NEW")'
	measure one-address "$FILTER" -e 'drop dst address 192.0.2.1'
	measure prefix-file "$FILTER" -e "drop dst address @$PREFIXES"
} >"$OUT/results"

awk -v lines="$NLINES" -v kept="$KEPT" -v runs="$RUNS" '
function rate(ns) { return lines / (ns / 1e9) }
{ t[$1] = $2; m[$1] = $3 }
END {
	printf "%d lines, %d kept by the 10 rules (same lines as jq), median of %d runs\n\n", lines, kept, runs
	printf "%-34s %12s %8s %10s\n", "run", "lines/s", "speed", "peak RSS"
	printf "%-34s %12.0f %7.1fx %7.1f MB\n", "ct-filter, 10 rules", rate(t["ct-filter"]), t["jq"] / t["ct-filter"], m["ct-filter"] / 1024
	printf "%-34s %12.0f %7.1fx %7.1f MB\n", "jq -c select(...), 10 rules", rate(t["jq"]), 1, m["jq"] / 1024
	printf "%-34s %12.0f %7.1fx %7.1f MB\n", "jq -c select(.type == \"NEW\")", rate(t["jq-one"]), t["jq"] / t["jq-one"], m["jq-one"] / 1024
	printf "%-34s %12.0f %7.2f  %7.1f MB\n", "ct-filter, one-address rule", rate(t["one-address"]), 1, m["one-address"] / 1024
	printf "%-34s %12.0f %7.2f  %7.1f MB\n", "ct-filter, 100,000-prefix @file", rate(t["prefix-file"]), t["one-address"] / t["prefix-file"], m["prefix-file"] / 1024
	ok = t["jq"] / t["ct-filter"] >= 10 && t["prefix-file"] <= 1.2 * t["one-address"]
	printf "\ntargets (>= 10x jq; @file within 20%% of one address): %s\n", ok ? "met" : "NOT met"
}' "$OUT/results"
# The events stay as a cache for the next run; the outputs go.
rm -f "$OUT"/kept.*
