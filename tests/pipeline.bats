#!/usr/bin/env bats
# ct-listen | ct-filter against the real kernel: the filter sees the
# listener's records unchanged and keeps what the rules log.
load test_helper

setup_test() {
	require_netns
	command -v socat >/dev/null || skip "needs socat"
	NS=ctpipe-$$-$BATS_TEST_NUMBER
	conntrack_ns "$NS" || flunk "cannot set up namespace $NS"
	LPID=
}

teardown_test() {
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}

@test "ct-listen | ct-filter keeps NEW UDP to port 53 only, byte for byte" {
	ip netns exec "$NS" ct-listen --netns "$NS" >"$T/all" 2>"$T/listen.err" &
	LPID=$!
	wait_joined "$LPID"
	for port in 53 54; do
		echo q | ip netns exec "$NS" socat -u - UDP4:127.0.0.1:$port,bind=127.0.0.1:400$port
	done
	ip netns exec "$NS" ping -c1 -W1 127.0.0.1 >/dev/null
	ip netns exec "$NS" conntrack -F >/dev/null 2>&1
	for i in $(seq 100); do
		[ "$(grep -c DESTROY "$T/all")" -ge 3 ] && break
		sleep 0.05
	done
	kill "$LPID"
	wait "$LPID"
	LPID=
	run -0 --separate-stderr ct-filter -e 'log type NEW and protocol UDP and destination port 53' \
	    -e 'drop any' <"$T/all"
	assert_equal 1 "${#lines[@]}" "records kept"
	assert_equal "$(grep '"type":"NEW".*"dport":53,' "$T/all")" "$output" "the kept record"
	run jq -r '[.type, .prot, .src, .dst, .sport, .dport, .netns] | join(" ")' <<<"$output"
	assert_equal "NEW UDP 127.0.0.1 127.0.0.1 40053 53 $NS" "$output" "fields"
	# DESTROY records of the same flows pass a rule on them.
	run -0 ct-filter -e 'drop not type DESTROY' <"$T/all"
	assert_equal 3 "${#lines[@]}" "DESTROY records"
}
