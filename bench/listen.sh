#!/bin/bash
# ct-listen against conntrack -E on the same load, in the same run.
#
# Inside a network namespace of its own, bench/ct-flood creates UDP flows
# towards addresses behind a veth whose peer drops the frames, so every
# datagram is one conntrack entry and one NEW event; `conntrack -F` then
# makes one DESTROY event per entry.  Each scenario runs REPEAT times
# (default 3); the table shows medians.  Needs root.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
LISTEN=$TOP/ct-listen/ct-listen
FLOOD=$TOP/bench/ct-flood
REPEAT=${REPEAT:-3}
LISTEN_OPTS=
BURST=${BURST:-200000}
RATES=${RATES:-"50000 100000 250000 0"}
NS=ctbench-$$
. "$TOP/tests/floodns.sh"

if [ "$(id -u)" != 0 ]; then
	echo "bench/listen.sh: skipped: needs root (network namespaces)" >&2
	exit 0
fi
for c in conntrack nft ip; do
	command -v $c >/dev/null || { echo "bench/listen.sh: needs $c" >&2; exit 69; }
done

OUT=$(mktemp -d /dev/shm/ctbench.XXXXXX)
LPID=
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	floodns_down $NS
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

floodns_up $NS || exit 71
ADDRS=$FLOOD_ADDRS

nsx() { ip netns exec $NS "$@"; }
flush() { nsx conntrack -F >/dev/null 2>&1; }
entries() { nsx conntrack -C; }
cpu_ns() { cut -d' ' -f1 /proc/"$1"/schedstat; }
rss_kb() { awk '/^VmHWM/ { print $2 }' /proc/"$1"/status; }

# start TOOL FILE: run a listener in the namespace; sets LPID.
start() {
	case $1 in
	# ip-netns(8) execs the tool, so $! is the tool itself.
	ct-listen) ip netns exec $NS "$LISTEN" $LISTEN_OPTS >"$2" 2>"$2.err" & ;;
	conntrack) ip netns exec $NS conntrack -E -o id >"$2" 2>"$2.err" & ;;
	esac
	LPID=$!
	sleep 0.3	# joining the groups takes microseconds; be generous
}

stop() {
	kill "$LPID"
	wait "$LPID" 2>/dev/null
	LPID=
}

# count TOOL FILE: events received and losses reported.
count() {
	case $1 in
	ct-listen)
		received=$(grep -vc '"type":"LOST"' "$2")
		lost=$(grep '"type":"LOST"' "$2" | sed 's/.*"count":\([0-9]*\).*/\1/' |
		    awk '{ s += $1 } END { print s + 0 }') ;;
	conntrack)
		received=$(grep -c '^ *\[' "$2")
		lost=$(grep -c ENOBUFS "$2.err")
		lost="$lost warning(s)" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

row() {	# scenario tool generated received lost cpu rss
	local pct
	pct=$(awk -v r="$4" -v g="$3" 'BEGIN { printf "%.1f", g ? 100 * r / g : 0 }')
	printf '%-24s %-14s %10s %10s %6s%% %-14s %12s %10s\n' "$1" "$2" "$3" "$4" "$pct" "$5" "$6" "$7"
}

echo "Rates: asked for / reached by one ct-flood sender with the listener running."
printf '%-24s %-14s %10s %10s %7s %-14s %12s %10s\n' scenario tool generated received recv lost-reported "cpu ns/event" "peak KiB"

# Burst: BURST NEW events as fast as one sender goes, then BURST DESTROY.
for tool in ct-listen conntrack; do
	: >"$OUT/r"
	for i in $(seq "$REPEAT"); do
		flush
		start $tool "$OUT/ev"
		c0=$(cpu_ns "$LPID")
		nsx "$FLOOD" "$BURST" $ADDRS >/dev/null
		n=$(entries)
		flush
		settle "$OUT/ev"
		c1=$(cpu_ns "$LPID")
		rss=$(rss_kb "$LPID")
		stop
		count $tool "$OUT/ev"
		echo "$((2 * n)) $received $((c1 - c0)) $rss $lost" >>"$OUT/r"
	done
	gen=$(cut -d' ' -f1 "$OUT/r" | median)
	rec=$(cut -d' ' -f2 "$OUT/r" | median)
	cpu=$(cut -d' ' -f3 "$OUT/r" | median)
	rss=$(cut -d' ' -f4 "$OUT/r" | median)
	lst=$(sort -k2n "$OUT/r" | sed -n "$(( (REPEAT + 1) / 2 ))p" | cut -d' ' -f5-)
	row "burst $BURST+flush" $tool "$gen" "$rec" "$lst" $((cpu / (rec > 0 ? rec : 1))) "$rss"
done

# Sustained rates: NEW events only, paced by ct-flood (0: unpaced).
for rate in $RATES; do
	n=$((rate > 0 && rate < BURST ? rate : BURST))
	for tool in ct-listen conntrack; do
		: >"$OUT/r"
		for i in $(seq "$REPEAT"); do
			flush
			start $tool "$OUT/ev"
			c0=$(cpu_ns "$LPID")
			got=$(nsx "$FLOOD" -r "$rate" "$n" $ADDRS)
			settle "$OUT/ev"
			c1=$(cpu_ns "$LPID")
			rss=$(rss_kb "$LPID")
			gen=$(entries)
			stop
			count $tool "$OUT/ev"
			echo "$gen $received $((c1 - c0)) $rss ${got#* } $lost" >>"$OUT/r"
		done
		gen=$(cut -d' ' -f1 "$OUT/r" | median)
		rec=$(cut -d' ' -f2 "$OUT/r" | median)
		cpu=$(cut -d' ' -f3 "$OUT/r" | median)
		rss=$(cut -d' ' -f4 "$OUT/r" | median)
		secs=$(cut -d' ' -f5 "$OUT/r" | sort -g | sed -n "$(( (REPEAT + 1) / 2 ))p")
		lst=$(sort -k2n "$OUT/r" | sed -n "$(( (REPEAT + 1) / 2 ))p" | cut -d' ' -f6-)
		got=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
		if [ "$rate" = 0 ]; then
			label="max: $got/s"
		else
			label="$rate/s: $got/s"
		fi
		row "$label" $tool "$gen" "$rec" "$lst" $((cpu / (rec > 0 ? rec : 1))) "$rss"
	done
done
flush

# Draining a backlog: BURST events queued while ct-listen is stopped,
# with a buffer that holds them all (about 1.3 KiB of kernel memory each).
LISTEN_OPTS="-b 256M"
: >"$OUT/r"
for i in $(seq "$REPEAT"); do
	flush
	start ct-listen "$OUT/ev"
	kill -STOP "$LPID"
	nsx "$FLOOD" "$BURST" $ADDRS >/dev/null
	gen=$(entries)
	c0=$(cpu_ns "$LPID")
	kill -CONT "$LPID"
	settle "$OUT/ev"
	c1=$(cpu_ns "$LPID")
	rss=$(rss_kb "$LPID")
	stop
	count ct-listen "$OUT/ev"
	echo "$gen $received $((c1 - c0)) $rss $lost" >>"$OUT/r"
done
flush
gen=$(cut -d' ' -f1 "$OUT/r" | median)
rec=$(cut -d' ' -f2 "$OUT/r" | median)
cpu=$(cut -d' ' -f3 "$OUT/r" | median)
rss=$(cut -d' ' -f4 "$OUT/r" | median)
lst=$(sort -k2n "$OUT/r" | sed -n "$(( (REPEAT + 1) / 2 ))p" | cut -d' ' -f5-)
row "backlog $BURST, -b 256M" ct-listen "$gen" "$rec" "$lst" $((cpu / (rec > 0 ? rec : 1))) "$rss"
