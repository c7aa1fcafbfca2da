#!/usr/bin/env bats
# A burst of conntrack events against the real kernel: every event is
# either received or counted in a LOST record, and with the default buffer
# none is lost.
load test_helper

setup_test() {
	require_netns
	command -v conntrack >/dev/null || skip "needs conntrack(8)"
	[ -x "$TOP/bench/ct-flood" ] || skip "needs bench/ct-flood (make bench/ct-flood)"
	NS=ctburst-$$-$BATS_TEST_NUMBER
	floodns_up "$NS" || flunk "cannot set up namespace $NS"
	LPID=
}

teardown_test() {
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null || true
	floodns_down "$NS"
}

# burst N [ct-listen options]: N new flows, then a flush (N DESTROY events).
burst() {
	local n=$1
	shift
	ip netns exec "$NS" ct-listen "$@" >"$T/out" 2>"$T/err" &
	LPID=$!
	wait_joined "$LPID"
	run ip netns exec "$NS" "$TOP/bench/ct-flood" "$n" $FLOOD_ADDRS
	[ "$status" = 0 ] || flunk "ct-flood failed: $output"
	entries=$(ip netns exec "$NS" conntrack -C)
	ip netns exec "$NS" conntrack -F >/dev/null 2>&1
	settle "$T/out"
	kill "$LPID"
	wait "$LPID" || flunk "ct-listen exited with $?" "$(cat "$T/err")"
	LPID=
	generated=$((2 * entries))
	received=$(jq -s '[.[] | select(.type == "NEW" or .type == "DESTROY")] | length' "$T/out")
	lost=$(jq -s '[.[] | select(.type == "LOST") | .count] | add // 0' "$T/out")
}

@test "a 50,000-flow burst with the default buffer loses nothing" {
	burst 50000
	assert_equal 100000 "$generated" "events generated"
	assert_equal 0 "$lost" "events lost"
	assert_equal "$generated" "$received" "events received"
	# Every flow appears once as NEW and once as DESTROY.  Flow ids are
	# 32-bit hashes, so 50,000 of them may collide: key on the tuple too.
	run jq -rs 'group_by([.flow, .dst, .dport]) |
	    map(map(.type) | sort | join(",")) | unique | .[]' "$T/out"
	assert_equal "DESTROY,NEW" "$output" "types per flow"
	[ ! -s "$T/err" ] || flunk "unexpected diagnostics: $(cat "$T/err")"
}

@test "with a small buffer, received plus LOST counts equal the events generated" {
	burst 50000 --buffer-size 16K
	assert_equal 100000 "$generated" "events generated"
	[ "$lost" -gt 0 ] || flunk "a 16 KiB buffer should overflow (lost=$lost)"
	assert_equal "$generated" "$((received + lost))" "received + lost"
	grep -q 'kernel dropped [0-9]* events' "$T/err" ||
	    flunk "no loss warning on stderr: $(cat "$T/err")"
	# The warnings are rate-limited, but together they count every loss.
	warned=$(sed -n 's/^ct-listen: kernel dropped \([0-9]*\) events.*/\1/p' "$T/err" |
	    awk '{ s += $1 } END { print s + 0 }')
	assert_equal "$lost" "$warned" "events in the warnings"
	# LOST records are valid records of their own.
	run jq -c 'select(.type == "LOST") | keys' "$T/out"
	assert_equal '["count","time","type"]' "${lines[0]}" "LOST record keys"
}

@test "--reliable: every DESTROY arrives even through a tiny buffer" {
	ip netns exec "$NS" ct-listen --reliable --buffer-size 16K >"$T/out" 2>"$T/err" &
	LPID=$!
	wait_joined "$LPID"
	ip netns exec "$NS" "$TOP/bench/ct-flood" 5000 $FLOOD_ADDRS >/dev/null
	entries=$(ip netns exec "$NS" conntrack -C)
	assert_equal 5000 "$entries" "entries created"
	ip netns exec "$NS" conntrack -F >/dev/null 2>&1
	# The kernel keeps undelivered entries and sends their DESTROY again.
	for i in $(seq 300); do
		[ "$(grep -c '"type":"DESTROY"' "$T/out")" -ge 5000 ] && break
		sleep 0.1
	done
	kill "$LPID"
	wait "$LPID"
	LPID=
	destroyed=$(jq -s '[.[] | select(.type == "DESTROY") | .flow] | unique | length' "$T/out")
	assert_equal 5000 "$destroyed" "distinct flows with a DESTROY record"
	assert_equal 0 "$(ip netns exec "$NS" conntrack -C)" "entries left in the table"
}
