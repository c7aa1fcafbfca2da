# Network namespaces for the kernel tests and bench/listen.sh (sourced by
# tests/test_helper.bash and by the benchmark).

# conntrack_ns NAME: make network namespace NAME with loopback up and an
# nftables rule that switches conntrack on for locally sent packets, as a
# namespace needs before it has any entries.
conntrack_ns() {
	ip netns add "$1" || return
	ip -n "$1" link set lo up &&
	ip netns exec "$1" nft add table inet ct_test &&
	ip netns exec "$1" nft add chain inet ct_test out \
	    '{ type filter hook output priority 0; }' &&
	ip netns exec "$1" nft add rule inet ct_test out ct state new counter
}

# floodns_up NAME makes NAME, where
# conntrack is switched on by an nftables rule, and NAME-sink at the other
# end of a veth.  FLOOD_ADDRS answer to a made-up MAC address, so the sink
# drops every frame: each datagram bench/ct-flood sends is one new
# conntrack entry and nothing comes back.
FLOOD_ADDRS="192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5"

floodns_up() {
	local ns=$1 a
	conntrack_ns "$ns" || return
	ip netns add "$ns-sink" || return
	ip -n "$ns" link add v0 type veth peer name v1 netns "$ns-sink" || return
	ip -n "$ns" link set v0 up
	ip -n "$ns-sink" link set v1 up
	ip -n "$ns" addr add 192.0.2.1/24 dev v0
	for a in $FLOOD_ADDRS; do
		ip -n "$ns" neigh add "$a" lladdr 02:00:00:00:00:02 dev v0 \
		    nud permanent || return
	done
}

floodns_down() {
	ip netns del "$1" 2>/dev/null
	ip netns del "$1-sink" 2>/dev/null
	return 0
}

# Wait until file $1 stops growing (at most 20 s).
settle() {
	local last=-1 size i
	for i in $(seq 100); do
		size=$(stat -c %s "$1")
		[ "$size" = "$last" ] && return 0
		last=$size
		sleep 0.2
	done
}
