#!/usr/bin/env bats
# ct-listen: option handling without root, then the real kernel as root
# inside network namespaces that each test makes and removes.
#
# Topology of the kernel tests (addresses from RFC 5737 and RFC 3849):
#
#   A (client)  eth0 192.0.2.1/24 2001:db8::1/64
#        |  veth
#   B (server)  eth0 192.0.2.2/24 2001:db8::2/64   conntrack on, ct-listen here
#
# The NAT test adds a router in the middle (see net_router).

load test_helper

setup_test() {
	NS_A="ctl-$$-$BATS_TEST_NUMBER-a"
	NS_B="ctl-$$-$BATS_TEST_NUMBER-b"
	NS_C="ctl-$$-$BATS_TEST_NUMBER-c"
	BG_PIDS=""
	LPID=""
}

teardown_test() {
	local p i ns

	for p in $BG_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $BG_PIDS; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.02
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for ns in "$NS_A" "$NS_B" "$NS_C"; do
		if [ -e "/run/netns/$ns" ]; then
			ip netns del "$ns" 2>/dev/null || true
		fi
	done
}

# Run a command in the background (fd 3 closed for bats), remembering its
# PID in BG_PIDS for teardown and in BG.
bg_run() {
	"$@" 3>&- &
	BG=$!
	BG_PIDS="$BG_PIDS $BG"
}

# The usage message, as ct-listen prints it after an error.
USAGE='usage: ct-listen [-46dfhrV] [-b size] [-e events] [-n netns] [-p protocols] [-u user]
       [--log-format text|json] [--log-level level]'

# ---------------------------------------------------------------------
# Option handling: no root, no kernel.

@test "--help: usage and options on stdout, exit 0" {
	run --separate-stderr ct-listen --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	assert_equal "usage: ct-listen [-46dfhrV] [-b size] [-e events] [-n netns] [-p protocols] [-u user]" \
	    "${lines[0]}"
	local opt
	for opt in --ipv4 --ipv6 --buffer-size --dump --events --follow \
	    --netns --protocols --reliable --user --log-format --log-level \
	    --help --version; do
		[[ "$output" == *" $opt"* ]] || flunk "--help does not mention $opt"
	done
	run --separate-stderr ct-listen -h
	[ "$status" -eq 0 ]
	assert_equal "usage: ct-listen [-46dfhrV] [-b size] [-e events] [-n netns] [-p protocols] [-u user]" \
	    "${lines[0]}"
}

@test "--version and -V print the version on stdout" {
	local version
	version="$(sed -n 's/^VERSION *= *//p' "$TOP/config.mk")"
	run --separate-stderr ct-listen --version
	[ "$status" -eq 0 ]
	assert_equal "ct-listen $version" "$output"
	[ -z "$stderr" ]
	run --separate-stderr ct-listen -V
	[ "$status" -eq 0 ]
	assert_equal "ct-listen $version" "$output"
}

# expect_usage_error MESSAGE ARGS...: exit 64, MESSAGE then the usage on
# stderr, nothing on stdout.
expect_usage_error() {
	local msg="$1"
	shift
	run -64 --separate-stderr ct-listen "$@"
	assert_equal "" "$output" "stdout"
	assert_equal "$msg
$USAGE" "$stderr" "stderr"
}

@test "unknown options exit 64 with getopt's message and the usage" {
	expect_usage_error "ct-listen: invalid option -- 'x'" -x
	expect_usage_error "ct-listen: unrecognized option '--bogus'" --bogus
	expect_usage_error "ct-listen: option requires an argument -- 'e'" -e
	expect_usage_error "ct-listen: option '--events' requires an argument" --events
	expect_usage_error "ct-listen: option '--dump' doesn't allow an argument" --dump=yes
}

@test "-e/--events: invalid lists exit 64" {
	expect_usage_error "ct-listen: invalid event type 'FOO' (expected NEW, UPDATE or DESTROY)" -e FOO
	expect_usage_error "ct-listen: invalid event type 'EXISTING' (expected NEW, UPDATE or DESTROY)" --events NEW,EXISTING
	expect_usage_error "ct-listen: no event types given" -e ''
	expect_usage_error "ct-listen: no event types given" -e ,,
}

@test "-p/--protocols: invalid lists exit 64" {
	local m="(expected tcp, udp, icmp, icmpv6, sctp, dccp, udplite, gre or a number up to 255)"
	expect_usage_error "ct-listen: invalid protocol '256' $m" -p 256
	expect_usage_error "ct-listen: invalid protocol 'http' $m" -p tcp,http
	expect_usage_error "ct-listen: invalid protocol '-1' $m" --protocols -1
	expect_usage_error "ct-listen: no protocols given" -p ''
}

@test "-b/--buffer-size: outside 4K..1G or not a size exits 64" {
	local v
	for v in 1K 4095 2G 1025M abc 64X '' -4K 4.5M; do
		expect_usage_error "ct-listen: invalid buffer size '$v' (expected 4K to 1G, e.g. 64M)" -b "$v"
	done
}

@test "--log-format and --log-level: invalid values exit 64" {
	expect_usage_error "ct-listen: invalid log format 'xml' (expected text or json)" --log-format xml
	expect_usage_error "ct-listen: invalid log level 'loud' (expected error, warning, info or debug)" --log-level loud
}

@test "operands are rejected" {
	expect_usage_error "ct-listen: unexpected operand 'eth0'" eth0
	expect_usage_error "ct-listen: unexpected operand 'b'" -4 -- b c
}

@test "-f/--follow without -d/--dump exits 64" {
	expect_usage_error "ct-listen: -f/--follow needs -d/--dump" -f
	expect_usage_error "ct-listen: -f/--follow needs -d/--dump" --follow -4
}

@test "the usage message is the man page SYNOPSIS" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	local synopsis usage
	synopsis="$(MANWIDTH=200 mandoc -Tutf8 -O width=200 "$TOP/man/ct-listen.1" |
	    col -bx | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//')"
	usage="$(printf '%s\n' "$USAGE" | sed '1s/^usage: //' | tr -s ' \n' '  ' |
	    sed 's/^ *//; s/ *$//')"
	assert_equal "$usage" "$synopsis" "SYNOPSIS"
}

@test "man page is clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run mandoc -Tlint -W warning "$TOP/man/ct-listen.1"
	assert_equal "" "$output" "mandoc -Tlint"
	[ "$status" -eq 0 ]
}

@test "--netns: a missing namespace exits 66" {
	run -66 --separate-stderr ct-listen --netns "ctl-$$-no-such-ns"
	assert_equal "ct-listen: cannot open network namespace '/run/netns/ctl-$$-no-such-ns': No such file or directory" \
	    "$stderr"
	[ -z "$output" ]
	run -66 --separate-stderr ct-listen -n "$T/missing"
	assert_equal "ct-listen: cannot open network namespace '$T/missing': No such file or directory" \
	    "$stderr"
}

# Run ct-listen without CAP_NET_ADMIN: as the user we are if not root,
# else as nobody through setpriv(1).
unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "needs setpriv(1) to drop root"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    --inh-caps=-all --bounding-set=-all "$@"
	else
		"$@"
	fi
}

@test "without CAP_NET_ADMIN: one clear line and exit 71" {
	run -71 --separate-stderr unprivileged "$TOP/ct-listen/ct-listen"
	assert_equal "ct-listen: cannot join conntrack event groups: Operation not permitted (needs CAP_NET_ADMIN)" \
	    "$stderr"
	[ -z "$output" ]
	run -71 --separate-stderr unprivileged "$TOP/ct-listen/ct-listen" -e DESTROY
	assert_equal "ct-listen: cannot join conntrack event groups: Operation not permitted (needs CAP_NET_ADMIN)" \
	    "$stderr"
}

@test "without CAP_NET_ADMIN: --dump exits 71" {
	run -71 --separate-stderr unprivileged "$TOP/ct-listen/ct-listen" --dump
	assert_equal "ct-listen: cannot dump the conntrack table: Operation not permitted" "$stderr"
	[ -z "$output" ]
}

# ---------------------------------------------------------------------
# The real kernel.

# nft rules that switch conntrack on in namespace $1 ("ct state" needs it),
# plus counters and time stamps (per-namespace sysctls).
ct_on() {
	ip netns exec "$1" nft -f - <<-'EOF'
	table inet ctl {
		chain ctl_in {
			type filter hook input priority filter; policy accept;
			ct state new,established,related accept
		}
		chain ctl_fwd {
			type filter hook forward priority filter; policy accept;
			ct state new,established,related accept
		}
	}
	EOF
	ip netns exec "$1" sysctl -qw net.netfilter.nf_conntrack_acct=1 \
	    net.netfilter.nf_conntrack_timestamp=1
}

# Two namespaces A and B joined by a veth pair; conntrack on in B.
net_pair() {
	require_netns
	command -v socat >/dev/null || skip "needs socat"
	command -v jq >/dev/null || skip "needs jq"
	command -v conntrack >/dev/null || skip "needs conntrack(8) (package conntrack)"
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip link add eth0 netns "$NS_A" type veth peer name eth0 netns "$NS_B"
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" addr add 192.0.2.1/24 dev eth0
	ip -n "$NS_B" addr add 192.0.2.2/24 dev eth0
	ip -n "$NS_A" addr add 2001:db8::1/64 dev eth0 nodad
	ip -n "$NS_B" addr add 2001:db8::2/64 dev eth0 nodad
	ip -n "$NS_A" link set eth0 up
	ip -n "$NS_B" link set eth0 up
	ct_on "$NS_B"
}

# Wait until process $2 has joined netfilter netlink groups in namespace
# $1 (/proc/net/netlink: protocol 12, port id = PID, groups non-zero).
wait_listening() {
	local ns="$1" pid="$2" i
	for i in $(seq 250); do
		if ip netns exec "$ns" awk -v p="$pid" \
		    '$2 == 12 && $3 == p && $4 != "00000000" { f = 1 } END { exit !f }' \
		    /proc/net/netlink; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null ||
		    flunk "process $pid exited before it listened" "$(cat "$T/err" 2>/dev/null)"
		sleep 0.02
	done
	flunk "process $pid did not join the conntrack groups in 5 s"
}

# listen [ARGS...]: ct-listen in namespace B, stdout to $T/out, stderr
# to $T/err; returns when it receives events.
listen() {
	bg_run ip netns exec "$NS_B" ct-listen "$@" >"$T/out" 2>"$T/err"
	LPID=$BG
	wait_listening "$NS_B" "$LPID"
}

# stop [SIGNAL]: stop ct-listen (SIGTERM) and check that it exits 0.
stop() {
	local i
	kill -"${1:-TERM}" "$LPID"
	for i in $(seq 250); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.02
	done
	LRC=0
	wait "$LPID" || LRC=$?
	assert_equal 0 "$LRC" "ct-listen's exit status"
}

# wait_for JQ-FILTER [N]: wait until at least N (1) records of $T/out
# match the jq filter.
wait_for() {
	local i n
	for i in $(seq 250); do
		n="$(jq -c "select($1)" "$T/out" 2>/dev/null | wc -l)"
		[ "$n" -ge "${2:-1}" ] && return 0
		sleep 0.02
	done
	flunk "timed out waiting for ${2:-1} records matching $1" "$(cat "$T/out")"
}

# Wait until a TCP server listens on port $2 in namespace $1.
wait_port() {
	local i
	for i in $(seq 250); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.02
	done
	flunk "nothing listens on port $2 in $1"
}

# flush: conntrack -F in B, which turns every entry into a DESTROY event.
flush() {
	ip netns exec "$NS_B" conntrack -F 2>/dev/null
}

# One TCP connection from A port 40000 to B port 80 that sends "hello\n",
# and waits until B's conntrack has seen the close (TIME_WAIT).
tcp_conn() {
	local fam="$1" dst listen i
	if [ "$fam" = 4 ]; then
		dst=192.0.2.2 listen=TCP4-LISTEN:80,reuseaddr
	else
		dst='[2001:db8::2]' listen=TCP6-LISTEN:80,reuseaddr
	fi
	bg_run ip netns exec "$NS_B" socat -u "$listen" OPEN:/dev/null
	wait_port "$NS_B" 80
	echo hello | ip netns exec "$NS_A" socat -u - \
	    "TCP:$dst:80,sourceport=40000,reuseaddr"
	for i in $(seq 250); do
		ip netns exec "$NS_B" conntrack -L -p tcp --state TIME_WAIT \
		    2>/dev/null | grep -q . && return 0
		sleep 0.02
	done
	flunk "the TCP connection did not reach TIME_WAIT"
}

# One UDP request "ping\n" from A port 40001 to B port 5353 and its echo.
udp_exchange() {
	local fam="$1" dst listen
	if [ "$fam" = 4 ]; then
		dst=192.0.2.2 listen=UDP4-RECVFROM:5353
	else
		dst='[2001:db8::2]' listen=UDP6-RECVFROM:5353
	fi
	bg_run ip netns exec "$NS_B" socat "$listen" PIPE
	# A UDP server shows in ss -lun as soon as it is bound.
	local i
	for i in $(seq 250); do
		ip netns exec "$NS_B" ss -Hlun "sport = :5353" | grep -q . && break
		sleep 0.02
	done
	run bash -c "echo ping | ip netns exec '$NS_A' socat -T 2 - 'UDP:$dst:5353,sourceport=40001'"
	assert_equal "ping" "$output" "UDP echo"
}

# The records of $T/out without the keys that vary from run to run.
stable() {
	jq -c "${1:-.}"' | del(.time, .flow, .start, .stop)' "$T/out"
}

# Every record's time is RFC 3339 UTC with 9 fraction digits, every flow
# a number, start/stop well-formed and ordered.
check_common() {
	local bad
	bad="$(jq -c 'select(
	    (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$") | not)
	    or ((.type != "LOST") and ((.flow | type) != "number"))
	    or (has("start") and (.start | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$") | not))
	    or (has("stop") and (.stop | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$") | not))
	    or (has("start") and has("stop") and .start > .stop))' "$T/out")"
	assert_equal "" "$bad" "malformed records"
	# Every line is one JSON object.
	local n_lines n_objs
	n_lines="$(wc -l <"$T/out")"
	n_objs="$(jq -c . "$T/out" | wc -l)"
	assert_equal "$n_lines" "$n_objs" "lines vs. JSON objects"
}

# All records of one flow share one flow id; DESTROY has start <= stop,
# and the DESTROY record's time is not before stop.
check_one_flow() {
	local ids
	ids="$(jq -s -c "[.[] | select($1) | .flow] | unique | length" "$T/out")"
	assert_equal 1 "$ids" "distinct flow ids of $1"
	run jq -e -s "[.[] | select($1) | select(.type == \"DESTROY\")] |
	    length == 1 and (.[0] | has(\"start\") and has(\"stop\") and .start <= .stop)" "$T/out"
	[ "$status" -eq 0 ] || flunk "DESTROY of $1 lacks ordered start/stop" "$(cat "$T/out")"
}

@test "TCP over IPv4: NEW, UPDATEs through the states, DESTROY with counters" {
	net_pair
	listen
	tcp_conn 4
	flush
	wait_for '.type == "DESTROY"'
	stop
	check_common
	check_one_flow '.prot == "TCP"'
	local k='"family":"ipv4","prot":"TCP","src":"192.0.2.1","dst":"192.0.2.2","sport":40000,"dport":80'
	run stable 'select(.type == "NEW")'
	assert_equal "{\"type\":\"NEW\",$k,\"state\":\"SYN_SENT\",\"unreplied\":true}" "$output"
	run stable 'select(.type == "UPDATE" and .state == "SYN_RECV")'
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"SYN_RECV\"}" "$output"
	run stable 'select(.type == "UPDATE" and .state == "ESTABLISHED")'
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"ESTABLISHED\",\"assured\":true}" "$output"
	run stable 'select(.type == "UPDATE" and .state == "TIME_WAIT")'
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"TIME_WAIT\",\"assured\":true}" "$output"
	# The states in order; the close may skip some of them.
	run jq -r -s '[.[] | .state] | join(" ")' "$T/out"
	[[ "$output" =~ ^SYN_SENT\ SYN_RECV\ ESTABLISHED(\ FIN_WAIT)?(\ CLOSE_WAIT)?(\ LAST_ACK)?\ (TIME_WAIT|CLOSE)\ (TIME_WAIT|CLOSE)$ ]] ||
	    flunk "state sequence: $output"
	run jq -r '.type' "$T/out"
	assert_equal "NEW" "${lines[0]}"
	assert_equal "DESTROY" "${lines[-1]}"
	# Counters: 5 or 6 packets each way; bytes are IP lengths.
	run jq -e 'select(.type == "DESTROY") |
	    .orig_packets >= 4 and .reply_packets >= 3 and
	    .orig_bytes >= .orig_packets * 52 and .reply_bytes >= .reply_packets * 52 and
	    .assured == true and (has("unreplied") | not) and .state == "TIME_WAIT"' "$T/out"
	[ "$status" -eq 0 ] || flunk "DESTROY record" "$(cat "$T/out")"
	run jq -c 'select(.type == "DESTROY") | keys_unsorted' "$T/out"
	assert_equal '["time","type","flow","family","prot","src","dst","sport","dport","state","assured","orig_packets","orig_bytes","reply_packets","reply_bytes","start","stop"]' \
	    "$output"
	[ ! -s "$T/err" ] || flunk "stderr: $(cat "$T/err")"
}

@test "TCP over IPv6: the same records with RFC 5952 addresses" {
	net_pair
	listen
	tcp_conn 6
	flush
	wait_for '.type == "DESTROY"'
	stop
	check_common
	check_one_flow '.prot == "TCP"'
	local k='"family":"ipv6","prot":"TCP","src":"2001:db8::1","dst":"2001:db8::2","sport":40000,"dport":80'
	run stable 'select(.type != "DESTROY")'
	assert_equal "{\"type\":\"NEW\",$k,\"state\":\"SYN_SENT\",\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"SYN_RECV\"}" "${lines[1]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"ESTABLISHED\",\"assured\":true}" "${lines[2]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"TIME_WAIT\",\"assured\":true}" "${lines[-1]}"
	run jq -e 'select(.type == "DESTROY") | .state == "TIME_WAIT" and
	    .orig_packets >= 4 and .orig_bytes >= .orig_packets * 72' "$T/out"
	[ "$status" -eq 0 ] || flunk "DESTROY record" "$(cat "$T/out")"
}

@test "UDP over IPv4 and IPv6: NEW unreplied, UPDATE on the reply, exact counters" {
	net_pair
	listen
	udp_exchange 4
	udp_exchange 6
	flush
	wait_for '.type == "DESTROY"' 2
	stop
	check_common
	check_one_flow '.family == "ipv4"'
	check_one_flow '.family == "ipv6"'
	local k4='"family":"ipv4","prot":"UDP","src":"192.0.2.1","dst":"192.0.2.2","sport":40001,"dport":5353'
	local k6='"family":"ipv6","prot":"UDP","src":"2001:db8::1","dst":"2001:db8::2","sport":40001,"dport":5353'
	run stable 'select(.family == "ipv4")'
	assert_equal "{\"type\":\"NEW\",$k4,\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k4}" "${lines[1]}"
	# 20 (IPv4) + 8 (UDP) + 5 ("ping\n") bytes each way.
	assert_equal "{\"type\":\"DESTROY\",$k4,\"orig_packets\":1,\"orig_bytes\":33,\"reply_packets\":1,\"reply_bytes\":33}" \
	    "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
	run stable 'select(.family == "ipv6")'
	assert_equal "{\"type\":\"NEW\",$k6,\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k6}" "${lines[1]}"
	# 40 (IPv6) + 8 + 5.
	assert_equal "{\"type\":\"DESTROY\",$k6,\"orig_packets\":1,\"orig_bytes\":53,\"reply_packets\":1,\"reply_bytes\":53}" \
	    "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
}

@test "ICMP and ICMPv6 echo: type, code, id; counters" {
	command -v ping >/dev/null || skip "needs ping (package iputils-ping)"
	net_pair
	listen
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 4321 192.0.2.2 >/dev/null
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 4322 2001:db8::2 >/dev/null
	flush
	wait_for '.type == "DESTROY"' 2
	stop
	check_common
	check_one_flow '.prot == "ICMP"'
	check_one_flow '.prot == "ICMPv6"'
	local k4='"family":"ipv4","prot":"ICMP","src":"192.0.2.1","dst":"192.0.2.2","icmp_type":8,"icmp_code":0,"icmp_id":4321'
	local k6='"family":"ipv6","prot":"ICMPv6","src":"2001:db8::1","dst":"2001:db8::2","icmp_type":128,"icmp_code":0,"icmp_id":4322'
	run stable 'select(.prot == "ICMP")'
	assert_equal "{\"type\":\"NEW\",$k4,\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k4}" "${lines[1]}"
	# 20 + 8 + 56 bytes of ping data each way.
	assert_equal "{\"type\":\"DESTROY\",$k4,\"orig_packets\":1,\"orig_bytes\":84,\"reply_packets\":1,\"reply_bytes\":84}" \
	    "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
	run stable 'select(.prot == "ICMPv6")'
	assert_equal "{\"type\":\"NEW\",$k6,\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k6}" "${lines[1]}"
	assert_equal "{\"type\":\"DESTROY\",$k6,\"orig_packets\":1,\"orig_bytes\":104,\"reply_packets\":1,\"reply_bytes\":104}" \
	    "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
}
