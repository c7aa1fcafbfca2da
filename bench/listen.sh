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
. "$TOP/tests/netns.sh"

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

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# once SCENARIO TOOL [RATE]: one measurement, appended to $OUT/r as
# "generated received cpu-ns peak-KiB seconds lost...".
once() {
	local c0 c1 rss gen got
	flush
	start "$2" "$OUT/ev"
	case $1 in
	burst)	# BURST NEW as fast as one sender goes, then BURST DESTROY
		c0=$(cpu_ns "$LPID")
		got=$(nsx "$FLOOD" "$BURST" $ADDRS)
		gen=$((2 * $(entries)))
		flush ;;
	rate)	# NEW only, paced (0: unpaced)
		c0=$(cpu_ns "$LPID")
		got=$(nsx "$FLOOD" -r "$3" "$4" $ADDRS)
		gen=$(entries) ;;
	backlog) # BURST NEW queued while the reader is stopped
		kill -STOP "$LPID"
		got=$(nsx "$FLOOD" "$BURST" $ADDRS)
		gen=$(entries)
		c0=$(cpu_ns "$LPID")
		kill -CONT "$LPID" ;;
	esac
	settle "$OUT/ev"
	c1=$(cpu_ns "$LPID")
	rss=$(rss_kb "$LPID")
	stop
	count "$2" "$OUT/ev"
	echo "$gen $received $((c1 - c0)) $rss ${got#* } $lost" >>"$OUT/r"
}

# measure LABEL SCENARIO TOOL [RATE COUNT]: REPEAT runs, one row of medians.
# "@" in LABEL becomes the rate the sender reached.
measure() {
	local label=$1 gen rec cpu rss secs lst i
	: >"$OUT/r"
	for i in $(seq "$REPEAT"); do
		once "$2" "$3" "${4:-}" "${5:-}"
	done
	gen=$(cut -d' ' -f1 "$OUT/r" | median)
	rec=$(cut -d' ' -f2 "$OUT/r" | median)
	cpu=$(cut -d' ' -f3 "$OUT/r" | median)
	rss=$(cut -d' ' -f4 "$OUT/r" | median)
	secs=$(cut -d' ' -f5 "$OUT/r" | median)
	lst=$(sort -k2n "$OUT/r" | sed -n "$(( (REPEAT + 1) / 2 ))p" | cut -d' ' -f6-)
	label=${label/@/$(awk -v n="${5:-$BURST}" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')}
	printf '%-24s %-10s %10s %10s %6s%% %-16s %12s %9s\n' "$label" "$3" \
	    "$gen" "$rec" \
	    "$(awk -v r="$rec" -v g="$gen" 'BEGIN { printf "%.1f", g ? 100 * r / g : 0 }')" \
	    "$lst" $((cpu / (rec > 0 ? rec : 1))) "$rss"
}

echo "Rates: asked for / reached by one ct-flood sender while the listener runs."
printf '%-24s %-10s %10s %10s %7s %-16s %12s %9s\n' scenario tool generated \
    received recv lost-reported "cpu ns/event" "peak KiB"
for tool in ct-listen conntrack; do
	measure "burst $BURST+flush" burst $tool
done
for rate in $RATES; do
	n=$((rate > 0 && rate < BURST ? rate : BURST))
	label="$rate/s: @/s"
	[ "$rate" = 0 ] && label="max: @/s"
	for tool in ct-listen conntrack; do
		measure "$label" rate $tool "$rate" "$n"
	done
done
# A buffer that holds the whole backlog (about 1.3 KiB of kernel memory
# an event); the default holds about 100,000.
LISTEN_OPTS="-b 256M"
measure "backlog $BURST, -b 256M" backlog ct-listen
flush
