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
	local p i ns live=""

	# Only processes that are still this shell's children: a PID of
	# one that ended may have been reused by someone else's process.
	for p in $BG_PIDS; do
		if [ "$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = "$BASHPID" ]; then
			live="$live $p"
			kill -TERM "$p" 2>/dev/null || true
		fi
	done
	for p in $live; do
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
	synopsis="$(man_synopsis "$TOP/man/ct-listen.1")"
	# What the program prints after a bad option, minus getopt's line.
	run -64 --separate-stderr ct-listen -x
	usage="$(printf '%s\n' "$stderr" | sed '1d; 2s/^usage: //' |
	    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//')"
	[[ "$usage" == "ct-listen "* ]] || flunk "no usage: $stderr"
	assert_equal "$usage" "$synopsis" "SYNOPSIS"
}

@test "man page is clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run mandoc -Tlint -W warning "$TOP/man/ct-listen.1"
	assert_equal "" "$output" "mandoc -Tlint"
	[ "$status" -eq 0 ]
}

@test "docs/events.md: the examples are JSON lines with documented keys" {
	local keys
	keys="$(documented_keys | paste -sd ' ')"
	assert_equal "assured count dport dst family flow icmp_code icmp_id icmp_type mark netns orig_bytes orig_packets prot reply_bytes reply_dport reply_dst reply_packets reply_sport reply_src sport src start state stop time type unreplied zone" \
	    "$keys" "documented keys"
	awk '/^```json/ { f = 1; next } /^```/ { f = 0 } f' "$TOP/docs/events.md" >"$T/out"
	[ "$(wc -l <"$T/out")" -ge 5 ]
	check_common
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

@test "--netns: a file that is not a network namespace exits 71" {
	require_netns
	run -71 --separate-stderr ct-listen --netns /etc/hostname
	assert_equal "ct-listen: cannot enter network namespace '/etc/hostname': Invalid argument" \
	    "$stderr"
	[ -z "$output" ]
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
	link_ready "$NS_A" eth0 "192.0.2.1 2001:db8::1" "$NS_B" eth0 "192.0.2.2 2001:db8::2"
	ct_on "$NS_B"
}

# link_ready NS1 IF1 "ADDRS1" NS2 IF2 "ADDRS2": wait until both ends of a
# veth pair are up, and give each end static neighbour entries for the
# other's addresses, so that the first packet of a test is not delayed
# or dropped by ARP or neighbour discovery on a link that just came up.
link_ready() {
	local i a mac1 mac2
	for i in $(seq 250); do
		ip -n "$1" -br link show "$2" | grep -q ' UP ' &&
		    ip -n "$4" -br link show "$5" | grep -q ' UP ' && break
		sleep 0.02
	done
	mac1="$(ip -n "$1" -br link show "$2" | awk '{ print $3 }')"
	mac2="$(ip -n "$4" -br link show "$5" | awk '{ print $3 }')"
	for a in $6; do
		ip -n "$1" neigh replace "$a" lladdr "$mac2" dev "$2" nud permanent
	done
	for a in $3; do
		ip -n "$4" neigh replace "$a" lladdr "$mac1" dev "$5" nud permanent
	done
}


# listen [ARGS...]: ct-listen in namespace B, stdout to $T/out, stderr
# to $T/err; returns when it receives events.
listen() {
	bg_run ip netns exec "$NS_B" ct-listen "$@" >"$T/out" 2>"$T/err"
	LPID=$BG
	wait_joined "$LPID"
}

# wait_exit [WHY]: wait (5 s at most) for ct-listen to exit; its status
# goes into LRC.
wait_exit() {
	local i
	for i in $(seq 250); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.02
	done
	! kill -0 "$LPID" 2>/dev/null ||
	    flunk "ct-listen did not exit within 5 s${1:+ of $1}"
	LRC=0
	wait "$LPID" || LRC=$?
}

# stop [SIGNAL]: stop ct-listen (SIGTERM) and check that it exits 0.
stop() {
	kill -"${1:-TERM}" "$LPID"
	wait_exit "SIG${1:-TERM}"
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
	if [ "$1" = 4 ]; then
		tcp_conn_to "$NS_B" TCP4-LISTEN:80,reuseaddr 192.0.2.2:80
	else
		tcp_conn_to "$NS_B" TCP6-LISTEN:80,reuseaddr '[2001:db8::2]:80'
	fi
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
	# Every key is one that docs/events.md documents.
	local undocumented
	undocumented="$(jq -r 'keys[]' "$T/out" | sort -u | comm -23 - <(documented_keys))"
	assert_equal "" "$undocumented" "keys missing from docs/events.md"
}

# The keys of the schema table in docs/events.md.
documented_keys() {
	sed -n 's/^| \(`[^|]*\) |.*/\1/p' "$TOP/docs/events.md" |
	    grep -o '`[a-z_]*`' | tr -d '`' | sort -u
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

# tcp_conn_to SERVER_NS LISTEN_ADDRESS CONNECT_ADDRESS: one connection
# from A port 40000 that sends "hello\n"; waits until B's conntrack has
# seen the close (TIME_WAIT).
tcp_conn_to() {
	local i port="${2#*:}"
	bg_run ip netns exec "$1" socat -u "$2" OPEN:/dev/null
	wait_port "$1" "${port%%,*}"
	echo hello | ip netns exec "$NS_A" socat -u - \
	    "TCP:$3,sourceport=40000,reuseaddr"
	for i in $(seq 250); do
		ip netns exec "$NS_B" conntrack -L -p tcp --state TIME_WAIT \
		    2>/dev/null | grep -q . && return 0
		sleep 0.02
	done
	flunk "the TCP connection did not reach TIME_WAIT"
}

# A router between A and a third namespace C:
#   A 192.0.2.1 -- 192.0.2.2 B 198.51.100.1 -- 198.51.100.2 C
net_router() {
	net_pair
	ip netns add "$NS_C"
	ip link add eth1 netns "$NS_B" type veth peer name eth0 netns "$NS_C"
	ip -n "$NS_C" link set lo up
	ip -n "$NS_B" addr add 198.51.100.1/24 dev eth1
	ip -n "$NS_C" addr add 198.51.100.2/24 dev eth0
	ip -n "$NS_B" link set eth1 up
	ip -n "$NS_C" link set eth0 up
	link_ready "$NS_B" eth1 198.51.100.1 "$NS_C" eth0 198.51.100.2
	ip -n "$NS_A" route add default via 192.0.2.2
	ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1
}

@test "SNAT on a router: reply_src, reply_dst, reply_sport, reply_dport" {
	net_router
	ip netns exec "$NS_B" nft -f - <<-'EOF'
	table ip ctlnat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "eth1" ip protocol tcp snat to 198.51.100.1:50000
		}
	}
	EOF
	listen
	# C has no route back to A: only the SNAT makes the replies work.
	tcp_conn_to "$NS_C" TCP4-LISTEN:80,reuseaddr 198.51.100.2:80
	flush
	wait_for '.type == "DESTROY"'
	stop
	check_common
	check_one_flow '.prot == "TCP"'
	local k='"family":"ipv4","prot":"TCP","src":"192.0.2.1","dst":"198.51.100.2","sport":40000,"dport":80'
	local r='"reply_src":"198.51.100.2","reply_dst":"198.51.100.1","reply_sport":80,"reply_dport":50000'
	run stable
	assert_equal "{\"type\":\"NEW\",$k,\"state\":\"SYN_SENT\",$r,\"unreplied\":true}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"SYN_RECV\",$r}" "${lines[1]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"state\":\"ESTABLISHED\",$r,\"assured\":true}" "${lines[2]}"
	run jq -e -s 'all(.[]; has("reply_src") and .reply_dport == 50000)' "$T/out"
	[ "$status" -eq 0 ] || flunk "a record without the reply tuple" "$(cat "$T/out")"
}

@test "DNAT (IPv6 address and port): the reply tuple shows the real server" {
	net_pair
	ip -n "$NS_A" -6 route add 2001:db8:1::/64 via 2001:db8::2
	ip netns exec "$NS_B" nft -f - <<-'EOF'
	table ip6 ctlnat {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			ip6 daddr 2001:db8:1::80 tcp dport 8080 dnat to [2001:db8::2]:80
		}
	}
	EOF
	listen
	tcp_conn_to "$NS_B" TCP6-LISTEN:80,reuseaddr '[2001:db8:1::80]:8080'
	flush
	wait_for '.type == "DESTROY"'
	stop
	check_common
	local k='"family":"ipv6","prot":"TCP","src":"2001:db8::1","dst":"2001:db8:1::80","sport":40000,"dport":8080'
	local r='"reply_src":"2001:db8::2","reply_dst":"2001:db8::1","reply_sport":80,"reply_dport":40000'
	run stable
	assert_equal "{\"type\":\"NEW\",$k,\"state\":\"SYN_SENT\",$r,\"unreplied\":true}" "${lines[0]}"
	run jq -e -s 'all(.[]; .reply_src == "2001:db8::2" and .reply_sport == 80)' "$T/out"
	[ "$status" -eq 0 ] || flunk "a record without the reply tuple" "$(cat "$T/out")"
}

@test "ct mark set 42 and ct zone set 7 show as mark and zone" {
	net_pair
	ip netns exec "$NS_B" nft -f - <<-'EOF'
	table inet ctlmark {
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			ct zone set 7
		}
		chain out {
			type filter hook output priority raw; policy accept;
			ct zone set 7
		}
		chain in {
			type filter hook input priority filter; policy accept;
			ct mark set 42
		}
	}
	EOF
	listen
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 77 192.0.2.2 >/dev/null
	flush
	wait_for '.type == "DESTROY"'
	stop
	check_common
	local k='"family":"ipv4","prot":"ICMP","src":"192.0.2.1","dst":"192.0.2.2","icmp_type":8,"icmp_code":0,"icmp_id":77'
	run stable
	assert_equal "{\"type\":\"NEW\",$k,\"unreplied\":true,\"mark\":42,\"zone\":7}" "${lines[0]}"
	assert_equal "{\"type\":\"UPDATE\",$k,\"mark\":42,\"zone\":7}" "${lines[1]}"
	assert_equal "{\"type\":\"DESTROY\",$k,\"orig_packets\":1,\"orig_bytes\":84,\"reply_packets\":1,\"reply_bytes\":84,\"mark\":42,\"zone\":7}" \
	    "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
}

# Two entries made with conntrack -I in B: a UDP/IPv4 one and an
# established, assured TCP/IPv6 one with a mark.
insert_entries() {
	ip netns exec "$NS_B" conntrack -I -p udp -s 192.0.2.1 -d 192.0.2.2 \
	    --sport 1000 --dport 2000 -t 120 2>/dev/null
	ip netns exec "$NS_B" conntrack -I -p tcp -s 2001:db8::1 -d 2001:db8::2 \
	    --sport 1001 --dport 22 --state ESTABLISHED -u SEEN_REPLY,ASSURED \
	    -m 42 -t 120 2>/dev/null
}

DUMP_UDP='{"type":"EXISTING","family":"ipv4","prot":"UDP","src":"192.0.2.1","dst":"192.0.2.2","sport":1000,"dport":2000,"unreplied":true,"orig_packets":0,"orig_bytes":0,"reply_packets":0,"reply_bytes":0}'
DUMP_TCP='{"type":"EXISTING","family":"ipv6","prot":"TCP","src":"2001:db8::1","dst":"2001:db8::2","sport":1001,"dport":22,"state":"ESTABLISHED","assured":true,"orig_packets":0,"orig_bytes":0,"reply_packets":0,"reply_bytes":0,"mark":42}'

@test "--dump writes the table as EXISTING records and exits 0" {
	net_pair
	run -0 --separate-stderr ip netns exec "$NS_B" ct-listen --dump
	assert_equal "" "$output" "dump of an empty table"
	assert_equal "" "$stderr"
	insert_entries
	ip netns exec "$NS_B" ct-listen --dump >"$T/out" 2>"$T/err"
	[ ! -s "$T/err" ] || flunk "stderr: $(cat "$T/err")"
	check_common
	run stable
	[ "${#lines[@]}" -eq 2 ] || flunk "expected 2 records" "$output"
	run stable 'select(.prot == "UDP")'
	assert_equal "$DUMP_UDP" "$output"
	run stable 'select(.prot == "TCP")'
	assert_equal "$DUMP_TCP" "$output"
	# Entries have a start time (nf_conntrack_timestamp=1), no stop.
	run jq -e -s 'all(.[]; has("start") and (has("stop") | not))' "$T/out"
	[ "$status" -eq 0 ]
	# The flow ids are conntrack's.
	run bash -c "ip netns exec '$NS_B' conntrack -L -o id 2>/dev/null | sed 's/.* id=//' | sort"
	local ids="$output"
	run bash -c "jq .flow '$T/out' | sort"
	assert_equal "$ids" "$output" "flow ids"
	# A dump that cannot be written exits 74.
	run -74 --separate-stderr bash -c "ip netns exec '$NS_B' ct-listen --dump >/dev/full"
	assert_equal "ct-listen: cannot write to standard output: No space left on device" \
	    "$stderr"
}

@test "--dump with -4, -6 and -p" {
	net_pair
	insert_entries
	ip netns exec "$NS_B" ct-listen -d -4 >"$T/out"
	run stable
	assert_equal "$DUMP_UDP" "$output" "-4"
	ip netns exec "$NS_B" ct-listen -d -6 >"$T/out"
	run stable
	assert_equal "$DUMP_TCP" "$output" "-6"
	ip netns exec "$NS_B" ct-listen --dump --protocols udp >"$T/out"
	run stable
	assert_equal "$DUMP_UDP" "$output" "-p udp"
	ip netns exec "$NS_B" ct-listen --dump -p tcp,icmp >"$T/out"
	run stable
	assert_equal "$DUMP_TCP" "$output" "-p tcp,icmp"
	ip netns exec "$NS_B" ct-listen --dump -4 -6 >"$T/out"
	run stable
	[ "${#lines[@]}" -eq 2 ] || flunk "-4 -6 is both families" "$output"
	ip netns exec "$NS_B" ct-listen --dump -6 -p udp >"$T/out"
	[ ! -s "$T/out" ] || flunk "-6 -p udp matches nothing" "$(cat "$T/out")"
}

@test "--dump --follow: the table first, then live events" {
	net_pair
	insert_entries
	listen --dump --follow
	wait_for '.type == "EXISTING"' 2
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 99 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	check_common
	run jq -r '.type' "$T/out"
	assert_equal "EXISTING EXISTING NEW UPDATE" "$(echo $output)"
	run stable 'select(.type == "NEW")'
	assert_equal '{"type":"NEW","family":"ipv4","prot":"ICMP","src":"192.0.2.1","dst":"192.0.2.2","icmp_type":8,"icmp_code":0,"icmp_id":99,"unreplied":true}' \
	    "$output"
}

@test "--netns NAME and --netns PATH from outside: records carry netns" {
	net_pair
	bg_run ct-listen --netns "$NS_B" >"$T/out" 2>"$T/err"
	LPID=$BG
	wait_joined "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 5 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	check_common
	run jq -r '.netns' "$T/out"
	assert_equal "$NS_B $NS_B" "$(echo $output)"
	run jq -c 'to_entries | last | .key' "$T/out"
	assert_equal '"netns" "netns"' "$(echo $output)" "netns is the last key"
	run stable 'select(.type == "NEW")'
	assert_equal "{\"type\":\"NEW\",\"family\":\"ipv4\",\"prot\":\"ICMP\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"icmp_type\":8,\"icmp_code\":0,\"icmp_id\":5,\"unreplied\":true,\"netns\":\"$NS_B\"}" \
	    "$output"

	# A path; and --dump from outside.
	bg_run ct-listen -n "/run/netns/$NS_B" >"$T/out" 2>"$T/err"
	LPID=$BG
	wait_joined "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 6 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE" and .icmp_id == 6'
	stop
	run jq -r '.netns' "$T/out"
	assert_equal "/run/netns/$NS_B /run/netns/$NS_B" "$(echo $output)"
	run -0 ct-listen --dump --netns "$NS_B"
	run jq -r -s 'map(.netns) | unique | join(" ")' <<<"$output"
	assert_equal "$NS_B" "$output"
}

# groups_of PID: the netlink groups that ct-listen PID joined (its event
# socket is its first, so its port id is its PID).
groups_of() {
	awk -v p="$1" '$2 == 12 && $3 == p { print $4 }' "/proc/$1/net/netlink"
}

@test "-e NEW joins only the NEW group and reports only NEW" {
	net_pair
	listen -e NEW
	assert_equal 00000001 "$(groups_of "$LPID")" "groups"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	flush
	# Events arrive in order: once the next NEW is here, an UPDATE or
	# DESTROY of the first flow would have been written before it.
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	wait_for '.icmp_id == 2'
	stop
	run jq -r '"\(.type) \(.icmp_id)"' "$T/out"
	assert_equal "NEW 1 NEW 2" "$(echo $output)"
}

@test "-e UPDATE,DESTROY and --events destroy: groups and records" {
	net_pair
	listen -e UPDATE,DESTROY
	assert_equal 00000006 "$(groups_of "$LPID")" "groups"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	flush
	wait_for '.type == "DESTROY"'
	stop
	run jq -r '.type' "$T/out"
	assert_equal "UPDATE DESTROY" "$(echo $output)"

	listen --events destroy
	assert_equal 00000004 "$(groups_of "$LPID")" "groups"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	flush
	wait_for '.type == "DESTROY"'
	stop
	run jq -r '"\(.type) \(.icmp_id)"' "$T/out"
	assert_equal "DESTROY 2" "$(echo $output)"
}

@test "-p udp reports only UDP" {
	net_pair
	listen -p udp
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	tcp_conn 4
	udp_exchange 6
	flush
	wait_for '.type == "DESTROY"'
	stop
	run jq -r '"\(.type) \(.prot) \(.family)"' "$T/out"
	assert_equal "NEW UDP ipv6 UPDATE UDP ipv6 DESTROY UDP ipv6" "$(echo $output)"
}

@test "-p with numbers and names: 1,udp" {
	net_pair
	listen -p 1,UDP
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 1 2001:db8::2 >/dev/null
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	# ICMPv6 is protocol 58, not 1.
	run jq -r '"\(.type) \(.prot) \(.icmp_id)"' "$T/out"
	assert_equal "NEW ICMP 2 UPDATE ICMP 2" "$(echo $output)"
}

@test "-4 reports only IPv4, -6 only IPv6" {
	net_pair
	listen -4
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 1 2001:db8::2 >/dev/null
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	run jq -r '"\(.type) \(.family) \(.icmp_id)"' "$T/out"
	assert_equal "NEW ipv4 2 UPDATE ipv4 2" "$(echo $output)"

	listen --ipv6
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 3 192.0.2.2 >/dev/null
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 4 2001:db8::2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	run jq -r '"\(.type) \(.family) \(.icmp_id)"' "$T/out"
	assert_equal "NEW ipv6 4 UPDATE ipv6 4" "$(echo $output)"
}

@test "--user nobody: runs as 65534 without capabilities and still receives events" {
	net_pair
	getent passwd nobody >/dev/null || skip "no user nobody"
	listen --user nobody
	# The drop happens right after binding; wait for it.
	local i
	for i in $(seq 100); do
		grep -q '^Uid:[[:space:]]*65534[[:space:]]' "/proc/$LPID/status" && break
		sleep 0.02
	done
	run grep -E '^(Uid|Gid|CapEff|CapPrm):' "/proc/$LPID/status"
	local gid
	gid="$(id -g nobody)"
	assert_equal "Uid:	65534	65534	65534	65534" "${lines[0]}"
	assert_equal "Gid:	$gid	$gid	$gid	$gid" "${lines[1]}"
	assert_equal "CapPrm:	0000000000000000" "${lines[2]}"
	assert_equal "CapEff:	0000000000000000" "${lines[3]}"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 8 192.0.2.2 >/dev/null
	flush
	wait_for '.type == "DESTROY"'
	stop
	run jq -r '.type' "$T/out"
	assert_equal "NEW UPDATE DESTROY" "$(echo $output)"
}

@test "--dump --user nobody: the table is dumped, then exit 0" {
	net_pair
	getent passwd nobody >/dev/null || skip "no user nobody"
	insert_entries
	# ctnetlink checks CAP_NET_ADMIN of the task that sends the dump
	# request, not only of the socket's opener: the request must leave
	# before the privileges are dropped.
	run -0 --separate-stderr ip netns exec "$NS_B" ct-listen --dump --user nobody
	assert_equal "" "$stderr" "stderr"
	printf '%s\n' "$output" >"$T/out"
	run stable
	[ "${#lines[@]}" -eq 2 ] || flunk "expected 2 EXISTING records" "$output"
}

@test "--dump --follow --user nobody: table, then live events" {
	net_pair
	getent passwd nobody >/dev/null || skip "no user nobody"
	insert_entries
	listen -d -f -u nobody
	wait_for '.type == "EXISTING"' 2
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 7 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	stop
	run jq -r '.type' "$T/out"
	assert_equal "EXISTING EXISTING NEW UPDATE" "$(echo $output)"
}

@test "--user with an unknown user exits 64" {
	net_pair
	run -64 --separate-stderr ip netns exec "$NS_B" ct-listen --user "ctl-no-such-user-$$"
	assert_equal "ct-listen: unknown user 'ctl-no-such-user-$$'" "$stderr"
}

# kernel_at_least MAJOR MINOR
kernel_at_least() {
	local v major minor
	v="$(uname -r)"
	major="${v%%.*}"
	minor="${v#*.}"
	minor="${minor%%[!0-9]*}"
	[ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}

@test "time is the kernel's event time stamp (Linux 6.14+), not the time of reading" {
	kernel_at_least 6 14 || skip "needs Linux 6.14 or later for CTA_TIMESTAMP_EVENT"
	net_pair
	listen
	# Read half a second late: the records must still carry event times.
	kill -STOP "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	sleep 0.5
	flush
	kill -CONT "$LPID"
	wait_for '.type == "DESTROY"'
	stop
	run jq -e -s '
	    def secs: (.[0:19] + "Z" | fromdate) + (.[20:29] | tonumber) / 1e9;
	    (map(select(.type == "DESTROY"))[0]) as $d |
	    (map(select(.type == "NEW"))[0]) as $n |
	    (($n.time | secs) - ($d.start | secs) | fabs) < 0.05 and
	    (($d.time | secs) - ($d.stop | secs) | fabs) < 0.05 and
	    (($d.time | secs) - ($n.time | secs)) > 0.4' "$T/out"
	[ "$status" -eq 0 ] || flunk "times are not the events' own" "$(cat "$T/out")"
}

@test "SIGUSR1 prints one counters line on stderr and ct-listen goes on" {
	net_pair
	listen
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	flush
	wait_for '.type == "DESTROY"'
	kill -USR1 "$LPID"
	local i
	for i in $(seq 250); do
		[ -s "$T/err" ] && break
		sleep 0.02
	done
	local bytes
	bytes="$(stat -c %s "$T/out")"
	assert_equal "ct-listen: records new=1 update=1 destroy=1 existing=0 lost-records=0; events lost=0 skipped=0 retried=0; bad messages=0; bytes written=$bytes" \
	    "$(cat "$T/err")"
	# Still running and still writing.
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	wait_for '.icmp_id == 2'
	stop
}

@test "SIGUSR1 counters: printed at --log-level error too, as JSON with --log-format json" {
	net_pair
	listen --log-level error --log-format json
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	wait_for '.type == "UPDATE"'
	kill -USR1 "$LPID"
	local i
	for i in $(seq 250); do
		[ -s "$T/err" ] && break
		sleep 0.02
	done
	stop
	run jq -r '"\(.level) \(.prog) \(.msg)"' "$T/err"
	assert_equal "info ct-listen records new=1 update=1 destroy=0 existing=0 lost-records=0; events lost=0 skipped=0 retried=0; bad messages=0; bytes written=$(stat -c %s "$T/out")" \
	    "$output"
	run jq -e '.time | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{9}Z$")' "$T/err"
	[ "$status" -eq 0 ]
}

@test "SIGTERM, SIGINT and SIGHUP: exit 0 with every record written" {
	net_pair
	local sig
	for sig in TERM INT HUP; do
		listen
		ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
		flush
		wait_for '.type == "DESTROY"'
		stop "$sig"
		run jq -r '.type' "$T/out"
		assert_equal "NEW UPDATE DESTROY" "$(echo $output)" "after SIG$sig"
		[ ! -s "$T/err" ] || flunk "stderr after SIG$sig: $(cat "$T/err")"
	done
}

@test "SIGTERM while events are queued: they are written before exit" {
	net_pair
	listen
	# Stopped, ct-listen cannot read: events and the signal queue up.
	kill -STOP "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	flush
	kill -TERM "$LPID"
	kill -CONT "$LPID"
	wait_exit
	assert_equal 0 "$LRC" "exit status"
	run jq -r '.type' "$T/out"
	assert_equal "NEW UPDATE DESTROY" "$(echo $output)" "records written"
}

@test "> /dev/full: exit 74 with one message" {
	net_pair
	bg_run ip netns exec "$NS_B" ct-listen >/dev/full 2>"$T/err"
	LPID=$BG
	wait_joined "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	wait_exit
	assert_equal 74 "$LRC" "exit status"
	assert_equal "ct-listen: cannot write to standard output: No space left on device" \
	    "$(cat "$T/err")"
}

@test "a closed pipe (EPIPE) ends ct-listen quietly with 0" {
	net_pair
	mkfifo "$T/fifo"
	# The reader opens the FIFO itself: a redirection on bg_run would
	# block this shell until a writer appears.
	bg_run bash -c 'exec head -n 1 <"$0" >"$1"' "$T/fifo" "$T/out"
	bg_run ip netns exec "$NS_B" ct-listen >"$T/fifo" 2>"$T/err"
	LPID=$BG
	wait_joined "$LPID"
	local i
	for i in $(seq 20); do
		kill -0 "$LPID" 2>/dev/null || break
		ip netns exec "$NS_A" ping -c 1 -W 1 -e "$i" 192.0.2.2 >/dev/null
	done
	wait_exit
	assert_equal 0 "$LRC" "exit status"
	assert_equal "" "$(cat "$T/err")" "stderr"
	run jq -r .type "$T/out"
	assert_equal NEW "$output"
}

@test "-b sets the receive buffer (the kernel doubles it); 64M by default" {
	net_pair
	listen -b 1M
	run bash -c "ip netns exec '$NS_B' ss -f netlink -a -m -p | grep 'ct-listen/$LPID' | grep -o 'rb[0-9]*' | head -n 1"
	assert_equal rb2097152 "$output"
	stop
	listen
	run bash -c "ip netns exec '$NS_B' ss -f netlink -a -m -p | grep 'ct-listen/$LPID' | grep -o 'rb[0-9]*' | head -n 1"
	assert_equal rb134217728 "$output"
	stop
}

# burst N: N UDP flows from A to B's discard port, one socket each.
burst() {
	ip netns exec "$NS_A" bash -c \
	    "for i in \$(seq $1); do echo >/dev/udp/192.0.2.2/9; done" 2>/dev/null
}

@test "a reader too slow for a small buffer gets LOST records that add up" {
	net_pair
	listen -e NEW -b 4K
	kill -STOP "$LPID"
	burst 400
	local made
	made="$(ip netns exec "$NS_B" conntrack -C)"
	kill -CONT "$LPID"
	wait_for '.type == "LOST"'
	# A last event marks the end of the burst.
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	wait_for '.prot == "ICMP"'
	stop
	check_common
	local new lost
	new="$(jq -s '[.[] | select(.type == "NEW" and .prot == "UDP")] | length' "$T/out")"
	lost="$(jq -s '[.[] | select(.type == "LOST") | .count] | add' "$T/out")"
	[ "$lost" -gt 0 ]
	assert_equal "$made" "$((new + lost))" "NEW records + LOST counts"
	run jq -c 'select(.type == "LOST") | keys_unsorted' "$T/out"
	assert_equal '["time","type","count"]' "${lines[0]}"
	grep -q "^ct-listen: kernel dropped [0-9]* events: receive buffer full (reader too slow; raise --buffer-size)$" "$T/err" ||
	    flunk "no warning on stderr" "$(cat "$T/err")"
}

@test "the default buffer holds the same burst: nothing lost" {
	net_pair
	listen -e NEW
	kill -STOP "$LPID"
	burst 400
	local made
	made="$(ip netns exec "$NS_B" conntrack -C)"
	kill -CONT "$LPID"
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 1 192.0.2.2 >/dev/null
	wait_for '.prot == "ICMP"'
	stop
	run jq -s '[.[] | select(.type == "NEW" and .prot == "UDP")] | length' "$T/out"
	assert_equal "$made" "$output" "NEW records"
	run jq -c 'select(.type == "LOST")' "$T/out"
	assert_equal "" "$output" "LOST records"
}

@test "events excluded by -6 or -p take no buffer space (kernel-side filter)" {
	net_pair
	# A buffer that 400 NEW events overflow many times over, a stopped
	# reader, and 400 IPv4 UDP flows: none may reach the socket.
	listen -6 -e NEW -b 4K
	kill -STOP "$LPID"
	burst 400
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 1 2001:db8::2 >/dev/null
	kill -CONT "$LPID"
	wait_for '.prot == "ICMPv6"'
	stop
	run jq -c 'select(.type == "LOST" or .family == "ipv4")' "$T/out"
	assert_equal "" "$output" "LOST or IPv4 records with -6"

	listen -p icmp -e NEW -b 4K
	kill -STOP "$LPID"
	burst 400
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 2 192.0.2.2 >/dev/null
	kill -CONT "$LPID"
	wait_for '.prot == "ICMP"'
	stop
	run jq -r '"\(.type) \(.prot) \(.icmp_id)"' "$T/out"
	assert_equal "NEW ICMP 2" "$output" "records with -p icmp"
}

@test "--dump of a table larger than one netlink read" {
	net_pair
	burst 600
	local made
	made="$(ip netns exec "$NS_B" conntrack -C)"
	[ "$made" -ge 550 ] || flunk "only $made entries"
	ip netns exec "$NS_B" ct-listen --dump >"$T/out" 2>"$T/err"
	check_common
	run jq -s 'map(select(.type == "EXISTING" and .prot == "UDP" and .dport == 9)) | length' "$T/out"
	assert_equal "$made" "$output" "EXISTING records"
	run jq -s 'map(.flow) | unique | length' "$T/out"
	assert_equal "$made" "$output" "distinct flow ids"
}

@test "--reliable: every DESTROY of a stalled reader arrives, none counted lost" {
	net_pair
	listen --reliable -e DESTROY -b 4K
	burst 200
	local made
	made="$(ip netns exec "$NS_B" conntrack -C)"
	kill -STOP "$LPID"
	flush
	kill -CONT "$LPID"
	wait_for '.type == "DESTROY" and .prot == "UDP"' "$made"
	stop
	run jq -s '[.[] | select(.type == "DESTROY")] | length' "$T/out"
	assert_equal "$made" "$output" "DESTROY records"
	run jq -c 'select(.type == "LOST")' "$T/out"
	assert_equal "" "$output" "LOST records"
}

# conntrack -E -o id lines as "TYPE FLOW proto src dst sport dport", with
# ICMP's id and type in place of the ports.
normalize_conntrack() {
	sed -n 's/^ *\[\([A-Z]*\)\] */\1 /p' "$1" | awk '{
		src = dst = sp = dp = it = iid = flow = ""
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "src" && src == "") src = kv[2]
			else if (kv[1] == "dst" && dst == "") dst = kv[2]
			else if (kv[1] == "sport" && sp == "") sp = kv[2]
			else if (kv[1] == "dport" && dp == "") dp = kv[2]
			else if (kv[1] == "type" && it == "") it = kv[2]
			else if (kv[1] == "id") { if (iid == "") iid = kv[2]; flow = kv[2] }
		}
		if (sp == "") { sp = iid; dp = it }
		print $1, flow, $2, src, dst, sp, dp
	}' | sort
}

@test "side by side with conntrack -E -o id: same flows, types and tuples" {
	net_pair
	listen
	bg_run ip netns exec "$NS_B" conntrack -E -o id >"$T/ct" 2>"$T/ct.err"
	local CPID=$BG
	wait_joined "$CPID"
	tcp_conn 4
	udp_exchange 6
	ip netns exec "$NS_A" ping -c 1 -W 2 -e 3 192.0.2.2 >/dev/null
	ip netns exec "$NS_A" ping -6 -c 1 -W 2 -e 4 2001:db8::2 >/dev/null
	flush
	wait_for '.type == "DESTROY"' 4
	local i n
	n="$(wc -l <"$T/out")"
	for i in $(seq 250); do
		[ "$(grep -c '^ *\[' "$T/ct")" -ge "$n" ] && break
		sleep 0.02
	done
	stop
	kill -TERM "$CPID"
	normalize_conntrack "$T/ct" >"$T/ct.norm"
	jq -r '[.type, .flow, (.prot | ascii_downcase), .src, .dst,
	    (.sport // .icmp_id), (.dport // .icmp_type)] | map(tostring) | join(" ")' \
	    "$T/out" | sort >"$T/out.norm"
	[ "$(wc -l <"$T/out.norm")" -ge 13 ] || flunk "too few records" "$(cat "$T/out")"
	run diff "$T/ct.norm" "$T/out.norm"
	[ "$status" -eq 0 ] || flunk "conntrack -E and ct-listen differ" "$output"
}
