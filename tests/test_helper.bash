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

# wait_listening PID: wait (at most 5 s) until process PID has a
# NETLINK_NETFILTER socket (protocol 12) that has joined groups, as the
# kernel lists in its network namespace's /proc/net/netlink.
wait_listening() {
	local i
	for i in $(seq 100); do
		awk -v pid="$1" '$2 == 12 && $3 == pid && $4 != "00000000" { found = 1 }
		    END { exit !found }' /proc/"$1"/net/netlink 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || flunk "process $1 exited before listening"
		sleep 0.05
	done
	flunk "process $1 is not listening after 5 s"
}

# man_synopsis PAGE: the SYNOPSIS of a man page on one line, as the
# usage message prints it.
man_synopsis() {
	mandoc -Tascii -O width=200 "$1" | sed "s/.\x08//g" |
	    sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' |
	    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}

