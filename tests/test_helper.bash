# Shared set-up for the bats suites: built binaries first on PATH, a
# private temp dir per test, and helpers for root-only tests.
bats_require_minimum_version 1.5.0

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
. "$TOP/tests/netns.sh"
FIXTURES="$TOP/tests/fixtures"
PATH="$TOP/ct-listen:$TOP/ct-filter:$TOP/tests/stubs:$PATH"
export PATH TOP FIXTURES

setup() {
	T="$(mktemp -d "${BATS_TMPDIR:-/tmp}/ct-test.XXXXXX")"
	export T
	if declare -F setup_test >/dev/null; then
		setup_test
	fi
}

teardown() {
	if declare -F teardown_test >/dev/null; then
		teardown_test
	fi
	rm -rf "$T"
}

flunk() {
	printf '%s\n' "$@" >&2
	return 1
}

# Skip unless root with network namespaces and conntrack available.
require_netns() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, CAP_NET_ADMIN)"
	command -v ip >/dev/null || skip "needs ip(8) from iproute2"
	command -v nft >/dev/null || skip "needs nft(8) from nftables"
	[ -e /proc/sys/net/netfilter ] || [ -e /proc/net/nf_conntrack ] ||
	    modprobe nf_conntrack 2>/dev/null || true
}

# assert_equal EXPECTED ACTUAL [WHAT]
assert_equal() {
	if [ "$1" != "$2" ]; then
		flunk "${3:-value} differs" "expected: $1" "actual:   $2"
	fi
}

# wait_joined PID: wait until one of process PID's sockets (found by
# inode) shows in its namespace's /proc/net/netlink with protocol 12
# (NETLINK_NETFILTER) and a non-zero group mask.  Unlike test_helper's
# wait_listening this does not assume that the port id is the PID, which
# does not hold for conntrack(8).
wait_joined() {
	local pid="$1" i inodes
	for i in $(seq 250); do
		inodes="$(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		    tr -dc '0-9\n' | paste -sd ' ')"
		if [ -n "$inodes" ] && awk -v list="$inodes" '
		    BEGIN { n = split(list, a, " "); for (j = 1; j <= n; j++) s[a[j]] = 1 }
		    $2 == 12 && $4 != "00000000" && ($NF in s) { f = 1 }
		    END { exit !f }' "/proc/$pid/net/netlink" 2>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null ||
		    flunk "process $pid exited before it listened" "$(cat "$T/err" 2>/dev/null)"
		sleep 0.02
	done
	flunk "process $pid did not join the conntrack groups in 5 s"
}

# man_synopsis PAGE: the SYNOPSIS of a man page on one line, as the
# usage message prints it.
man_synopsis() {
	mandoc -Tascii -O width=200 "$1" | sed "s/.\x08//g" |
	    sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' |
	    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}

