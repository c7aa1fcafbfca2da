# Network namespaces for flooding conntrack, shared by the burst tests and
# bench/listen.sh (source this file).  floodns_up NAME makes NAME, where
# conntrack is switched on by an nftables rule, and NAME-sink at the other
# end of a veth.  FLOOD_ADDRS answer to a made-up MAC address, so the sink
# drops every frame: each datagram bench/ct-flood sends is one new
# conntrack entry and nothing comes back.
FLOOD_ADDRS="192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5"

floodns_up() {
	local ns=$1 a
	ip netns add "$ns" || return
	ip netns add "$ns-sink" || return
	ip -n "$ns" link set lo up
	ip -n "$ns" link add v0 type veth peer name v1 netns "$ns-sink" || return
	ip -n "$ns" link set v0 up
	ip -n "$ns-sink" link set v1 up
	ip -n "$ns" addr add 192.0.2.1/24 dev v0
	for a in $FLOOD_ADDRS; do
		ip -n "$ns" neigh add "$a" lladdr 02:00:00:00:00:02 dev v0 \
		    nud permanent || return
	done
	ip netns exec "$ns" nft add table inet flood &&
	ip netns exec "$ns" nft add chain inet flood out \
	    '{ type filter hook output priority 0; }' &&
	ip netns exec "$ns" nft add rule inet flood out ct state new counter
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
