#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The wire benches of the NPT byte comparisons (mwan_npt_wire.sh against
# ip6t_NPT, mwan_npt_prefix_wire.sh against nft's prefix NAT): an inside
# end, a router and an outside end, whose ends are packet sockets only.
# Source it after lib.sh.

# wire INSIDE ROUTER OUTSIDE [PREFIX...]: the same addresses and MACs on
# both benches; fd00::/8 and each PREFIX are inside, the rest outside.
wire() {
	local a=$1 r=$2 b=$3 d p
	ip link add a0 netns "$a" address 02:00:00:00:0a:02 type veth \
		peer name ra netns "$r" address 02:00:00:00:0a:01
	ip link add b0 netns "$b" address 02:00:00:00:0b:02 type veth \
		peer name rb netns "$r" address 02:00:00:00:0b:01
	# The ends are packet sockets only: no stack answering behind them.
	in_ns "$a" sysctl -qw net.ipv6.conf.a0.disable_ipv6=1
	in_ns "$b" sysctl -qw net.ipv6.conf.b0.disable_ipv6=1
	in_ns "$r" sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.icmp.ratelimit=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	for d in "$a a0" "$r ra" "$r rb" "$b b0"; do
		# shellcheck disable=SC2086 # namespace and device
		ip -n ${d% *} link set ${d#* } up
	done
	addr "$r" ra fc00:a::1/64
	addr "$r" rb fc00:b::1/64
	ip -n "$r" -6 neigh add fc00:a::2 lladdr 02:00:00:00:0a:02 dev ra nud permanent
	ip -n "$r" -6 neigh add fc00:b::2 lladdr 02:00:00:00:0b:02 dev rb nud permanent
	for p in fd00::/8 "${@:4}"; do
		ip -n "$r" -6 route add "$p" via fc00:a::2
	done
	ip -n "$r" -6 route add default via fc00:b::2
}
