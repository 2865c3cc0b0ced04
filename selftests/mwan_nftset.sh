#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rules over a set of addresses, the way mwan3's "option ipset" is used
# (a streaming service's addresses, filled by dnsmasq): an nftables set,
# a chain at priority mangle (before mwan's hook) that puts a bit outside
# mwan's mark mask on packets to the set, and an mwan rule matching that
# bit (mwanctl(8), EXAMPLES, Sets of addresses). Forwarded traffic goes
# by wan1; the set's by wan2:
#
#   - TCP and UDP to the set's addresses, IPv4 and IPv6, leave by wan2,
#     every datagram of a flow; the rest by wan1;
#   - an address added to the set while the router runs takes new
#     connections to wan2 at once, and a flow already under way to it
#     stays on wan1; deleted again, new connections go back to wan1;
#   - the set's bit stays on the packets: mwan's mark restore leaves bits
#     outside its mask alone;
#   - the router's own IPv4 connections to the set leave by wan2 too, with
#     the same in a route chain at hook output and a rule with local.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

SET4=203.0.113.2
SET6=2001:db8:ff::2
tmp=$(mktemp -d)
log=$tmp/server.log
defer rm -rf "$tmp"
defer stop_servers

topo_create 2
topo_links 2
mwanctl -b - <<-EOF
policy add isp1 member wan1
policy add isp2 member wan2
rule add streaming policy isp2 mark 0x10000/0x10000
rule add streaming-own policy isp2 family ipv4 mark 0x10000/0x10000 local no-forward
globals set default-policy isp1
EOF
rtr nft -f - <<-NFT
table inet streaming {
	set addrs4 { type ipv4_addr; flags interval; elements = { $SET4 } }
	set addrs6 { type ipv6_addr; flags interval; elements = { $SET6 } }
	chain tag {
		type filter hook prerouting priority mangle; policy accept;
		ip daddr @addrs4 meta mark set meta mark | 0x10000
		ip6 daddr @addrs6 meta mark set meta mark | 0x10000
	}
	chain tag_own {
		type route hook output priority mangle; policy accept;
		ip daddr @addrs4 meta mark set meta mark | 0x10000
	}
	chain tally {
		type filter hook postrouting priority 0; policy accept;
		iifname "lan0" oifname "wan2" counter comment "wan2"
		iifname "lan0" oifname "wan2" meta mark & 0x10000 == 0x10000 counter comment "set_bit"
	}
}
NFT
check "nftables takes the sets and the chain that marks" \
	rtr nft list chain inet streaming tag
addrs "$INET" srv "$SET4/32" "$SET6/128"
start_server "$log" "$SET4" "$SET6"	# more addresses to serve

# batch TAG DST PROTO SPORT: 8 flows of 3 messages from the LAN host
batch() {
	flows "$LAN" connect --tag "$1" --dst "$2" --proto "$3" --sport "$4" \
		--count 8 --packets 3 >"$tmp/$1.json"
}
# all_on TAG LINK: all of the batch answered, every flow on LINK only
all_on() {
	local ok
	ok=$(pyq 'd["ok"]' <"$tmp/$1.json")
	echo "$1: $ok of 8 answered, links seen: $(links_of "$1")"
	[ "$ok" = 8 ] && [ "$(links_of "$1")" = "$2" ]
}

batch set4tcp "$SET4" tcp 20000
batch set4udp "$SET4" udp 20100
batch set6tcp "$SET6" tcp 20200
batch set6udp "$SET6" udp 20300
batch other4 "$SERVER4" udp 20400
batch other6 "$SERVER6" tcp 20500
check "TCP to the set's IPv4 address leaves by wan2" all_on set4tcp 2
check "UDP to it too, every datagram" all_on set4udp 2
check "TCP to the set's IPv6 address leaves by wan2" all_on set6tcp 2
check "UDP to it too, every datagram" all_on set6udp 2
check "UDP to an address outside the set leaves by wan1" all_on other4 1
check "TCP to one over IPv6 too" all_on other6 1
counted() { rtr nft list chain inet streaming tally | nft_packets "$1"; }
check "the set's bit is on all that left by wan2 ($(counted set_bit) of $(counted wan2) packets)" \
	test "$(counted set_bit)" = "$(counted wan2)" -a "$(counted wan2)" -gt 0

# batch_own TAG DST SPORT: the same from the router itself, UDP
batch_own() {
	rtr $FLOWS connect --tag "$1" --dst "$2" --proto udp --sport "$3" \
		--count 8 --packets 3 >"$tmp/$1.json"
}
batch_own own_set "$SET4" 20600
batch_own own_other "$SERVER4" 20700
check "the router's own UDP to the set leaves by wan2" all_on own_set 2
check "... and to an address outside it by main's route, wan1" \
	all_on own_other 1

# dnsmasq adds the service's new address while a flow to it runs
lan $FLOWS connect --proto udp --dst "$SERVER4" --count 1 --gap 0.1 \
	--sport 21000 --tag held --until "$tmp/stop" --timeout 2 \
	>"$tmp/held.json" &
held=$!
slowwait 10 seen_flows held 1
rtr nft add element inet streaming addrs4 "{ $SERVER4 }"
batch added "$SERVER4" tcp 21100
check "an address added to the set: new connections to it leave by wan2" \
	all_on added 2
seen_after held 5
rtr nft delete element inet streaming addrs4 "{ $SERVER4 }"
batch deleted "$SERVER4" tcp 21200
check "deleted from it again: new connections leave by wan1" \
	all_on deleted 1
touch "$tmp/stop"
wait "$held"
check "the flow under way through both changes: every message answered" \
	test "$(pyq 'd["ok"]' <"$tmp/held.json")" = 1
check "... all on wan1, where it started" flows_stayed held 1 1
check "no ISP dropped a packet sent by the wrong link" \
	test "$(isp_spoofed 1)$(isp_spoofed 2)" = 00
exit $rc
