#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A connection never follows link bits that stopped meaning its link.
# Under UDP flows on every link: a link deleted and its id given to a new
# link on another ISP; the mark mask changed by a replace that leaves it out
# and by globals set; the module unloaded with 1:1 IPv4 maps on the links.
# After each, no ISP sees a packet with another link's source address (its
# BCP 38 filter drops and counts them), and no conntrack entry keeps bits
# that no longer name its link: those connections start over.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "conntrack --version" "needs conntrack-tools"

topo_create 4		# ISP 4 is for the link that takes over id 3
# Static SNAT per link, as the Debian seed writes it: masquerade would drop
# a connection's packets leaving another device, SNAT lets them go.
rtr nft -f - <<-NFT
	flush chain inet nat post
	add rule inet nat post oifname "wan1" snat ip to 100.64.1.2
	add rule inet nat post oifname "wan2" snat ip to 100.64.2.2
	add rule inet nat post oifname "wan3" snat ip to 100.64.3.2
	add rule inet nat post oifname "wan4" snat ip to 100.64.4.2
NFT
{
	topo_links_conf 3
	echo "policy add balanced member wan1 member wan2 member wan3"
	echo "globals set default-policy balanced"
} | mwanctl config replace -
topo_server

stop=$(mktemp -u)
defer rm -f "$stop" "$stop".*
N=9	# enough for the stride walk to reach every link

# flows_on TAG SPORT: N UDP flows that keep talking until flows_end, and
# the wait until each has been seen twice
round=0
flows_on() {
	round=$((round + 1))
	lan $FLOWS connect --proto udp --dst "$SERVER4" --count "$N" \
		--packets 2 --gap 0.1 --parallel --sport "$2" --tag "$1" \
		--timeout 1 --until "$stop.$round" >/dev/null 2>&1 &
	flows_pid=$!
	slowwait 60 seen_at_least "$1" $((2 * N))
}
flows_end() { touch "$stop.$round"; wait "$flows_pid"; }

# The flows' own datagrams with a wrong source, counted apart from the
# rest: a reply that arrives after its connection was removed meets a
# closed port, and the router's port unreachable leaves by the main route
# from the address it was sent to. That is the router answering a dead
# connection, not the connection leaving by the wrong link.
for n in 1 2 3 4; do
	isp "$n" nft -f - <<-NFT
	insert rule inet bcp38 forward iifname "down0" ip saddr != 100.64.$n.0/24 udp dport 5001 counter drop comment "flows"
	NFT
done
spoofed_total() {
	local n c t=0 each= all=
	for n in 1 2 3 4; do
		c=$(isp "$n" nft list chain inet bcp38 forward | nft_packets flows)
		each+=" $c"
		all+=" $(isp_spoofed "$n")"
		t=$((t + c))
	done
	echo "# the flows' datagrams dropped for a wrong source at ISPs 1-4:$each" \
		"(all packets:$all)" >&2
	echo "$t"
}

# ct_with_bits MASK: conntrack entries with a mark bit under MASK
ct_with_bits() {
	local m n=0
	for m in $(rtr conntrack -L 2>/dev/null | sed -n 's/.*mark=\([0-9]*\).*/\1/p'); do
		((m & $1)) && n=$((n + 1))
	done
	echo "$n"
}

# settle: the flows talk on for a second, so that a packet that would leave
# by the wrong link has done so
settle() { sleep 1; seen_after "$1" "$N"; }

echo "# a link deleted, its id given to a new link"
flows_on del 41000
check "the flows are under way on all three links" \
	test "$(links_of del)" = "1 2 3"
mwanctl policy set balanced member wan1 member wan2
mwanctl link del wan3
check "deleting wan3 removed its connections" \
	test "$(rtr conntrack -L -m 0x300/0x3f00 2>/dev/null | grep -c mark=)" = 0
mwanctl link add lte dev wan4
check "the new link lte got wan3's id 3" \
	test "$(mwanctl -j link show lte | pyq 'd[0]["id"]')" = 3
rtr ip route replace default via 100.64.4.1 dev wan4 onlink table 103
mwanctl policy set balanced member wan1 member wan2 member lte
settle del
flows "$LAN" connect --dst "$SERVER4" --count 6 --sport 44000 --tag lte \
	--timeout 2 >/dev/null
check "new connections take lte" grep -qw 4 <<<"$(links_of lte)"
check "no datagram of wan3's connections left by lte with wan3's address" \
	test "$(spoofed_total)" = 0
flows_end

echo "# the mark mask changed"
rtr ip rule add pref 950 fwmark 0x10000/0xff0000 table 101
rtr ip rule add pref 951 fwmark 0x20000/0xff0000 table 102
rtr ip rule add pref 952 fwmark 0x30000/0xff0000 table 103
conf=$(mktemp)
defer rm -f "$conf"
cat >"$conf" <<EOF
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
link add lte dev wan4 id 3
policy add balanced member wan1 member wan2 member lte
globals set default-policy balanced
EOF
{ cat "$conf"; echo "globals set mark-mask 0xff0000"; } |
	mwanctl config replace -
flows_on mask 42000
check "the flows are under way with mask 0xff0000" \
	test "$(links_of mask)" = "1 2 4"
mwanctl config replace "$conf"
check "a replace without a mask (0x3f00) removed the connections of 0xff0000" \
	test "$(ct_with_bits 0xff0000)" = 0
settle mask
mwanctl globals set mark-mask 0xff0000
check "globals set mark-mask removed the connections of 0x3f00" \
	test "$(ct_with_bits 0x3f00)" = 0
settle mask
check "no datagram left with another link's address" test "$(spoofed_total)" = 0
flows_end

echo "# the module unloaded under 1:1-mapped flows"
for n in 1 2 4; do
	rtr ip addr add "100.64.$n.100/32" dev "wan$n"
done
mwanctl link set wan1 map4 10.0.0.2-10.0.0.2 100.64.1.100
mwanctl link set wan2 map4 10.0.0.2-10.0.0.2 100.64.2.100
mwanctl link set lte map4 10.0.0.2-10.0.0.2 100.64.4.100
flows_on map 43000
check "the mapped flows are under way on all three links" \
	test "$(links_of map)" = "1 2 4"	# 100.64.N.100 is link N
mapped=$(rtr conntrack -L -p udp --reply-dst 100.64.2.100 2>/dev/null | grep -c udp)
echo "# connections mapped to 100.64.2.100: $mapped"
check "some flows were mapped on wan2" test "$mapped" -gt 0
rmmod mwan
# mapped: replies go to the twin. A reply already on its way when the
# module went makes a fresh, unmapped entry *to* the twin: not one of them.
mapped_left() {
	local n
	for n in 1 2 4; do
		rtr conntrack -L --reply-dst "100.64.$n.100" 2>/dev/null
	done | grep -c udp
}
check "unloading removed the mapped connections" test "$(mapped_left)" = 0
check "unloading removed every connection with link bits" \
	test "$(ct_with_bits 0xff0000)" = 0
settle map
check "no datagram left with another link's or an internal address" \
	test "$(spoofed_total)" = 0
flows_end
modprobe mwan
exit $rc
