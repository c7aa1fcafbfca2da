#!/usr/bin/env bats
# ct-listen under valgrind against the real kernel: no invalid access, no
# leak, through events, a dump, a signal and a clean exit.  (ct-filter's own
# valgrind runs live in ct-filter.bats.)
load test_helper

setup_test() {
	[ "${CT_SANITIZE:-}" != 1 ] || skip "sanitizer build: valgrind cannot run it"
	command -v valgrind >/dev/null || skip "needs valgrind"
	require_netns
	NS=ctvg-$$-$BATS_TEST_NUMBER
	conntrack_ns "$NS" || flunk "cannot set up namespace $NS"
	VPID=
}

teardown_test() {
	[ -z "$VPID" ] || kill "$VPID" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}


@test "ct-listen: events, SIGUSR1 and SIGTERM under valgrind" {
	ip netns exec "$NS" ping -c1 -W1 127.0.0.1 >/dev/null
	ip netns exec "$NS" valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=all --show-leak-kinds=all --log-file="$T/vg" \
	    ct-listen --dump --follow -p icmp,udp >"$T/out" 2>"$T/err" &
	VPID=$!
	wait_joined "$VPID" || true
	# valgrind starts slowly; the dump record shows the program is running.
	for i in $(seq 100); do grep -q EXISTING "$T/out" && break; sleep 0.1; done
	ip netns exec "$NS" ping -c1 -W1 127.0.0.1 >/dev/null
	for i in $(seq 100); do grep -q '"NEW"' "$T/out" && break; sleep 0.1; done
	kill -USR1 "$VPID"
	for i in $(seq 50); do grep -q 'records new=' "$T/err" && break; sleep 0.1; done
	kill "$VPID"
	status=0
	wait "$VPID" || status=$?
	VPID=
	assert_equal 0 "$status" "exit status (valgrind log: $(cat "$T/vg"))"
	[ ! -s "$T/vg" ] || flunk "valgrind reports:" "$(cat "$T/vg")"
	grep -q '"type":"EXISTING"' "$T/out" || flunk "no dump record"
	grep -q '"type":"NEW"' "$T/out" || flunk "no NEW record"
}

@test "ct-listen --dump under valgrind" {
	ip netns exec "$NS" ping -c1 -W1 127.0.0.1 >/dev/null
	run -0 ip netns exec "$NS" valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=all --show-leak-kinds=all --log-file="$T/vg" \
	    ct-listen --dump
	[ ! -s "$T/vg" ] || flunk "valgrind reports:" "$(cat "$T/vg")"
	[[ "$output" == *'"type":"EXISTING"'* ]] || flunk "no dump record: $output"
}
