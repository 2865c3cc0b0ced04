#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 1:1 IPv4 mapping per link, in the network of issue 3 (topo_seed.sh):
# 10.250.250.2-.6 leave AT&T as 104.57.226.193-.197 and Webpass as
# 136.25.91.242-.246, as the server on the internet sees them:
#   - the static table, address by address, TCP and UDP, with each link
#     in turn the only one up;
#   - balanced per flow, new connections from 10.250.250.2 show up as both
#     external addresses, each connection as one for its whole life;
#   - inbound ping and TCP to 104.57.226.193 and 136.25.91.242 reach
#     10.250.250.2, and the replies leave by the link they came in on (the
#     ISPs' BCP 38 would drop them otherwise, and count it);
#   - 192.168.7.2, outside the map, is still masqueraded;
#   - the map4_out / map4_in counters match the flows made;
#   - no packet with an internal source ever reaches an ISP;
#   - "map4 off" stops the mapping for new flows; flows already mapped
#     keep their address.
# With FLOWTABLE=1 (mwan_map4_flowtable.sh) the router offloads TCP and UDP
# to an nftables flowtable, and the test also checks that the flows were
# really offloaded.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/topo_seed.sh"
seed_require

long_report=$(mktemp)
stop=$(mktemp -u)
defer rm -f "$long_report" "$stop"
seed_create
seed_links
topo_server
[ "$FLOWTABLE" = 1 ] && echo "router offloads TCP and UDP to flowtable ft"

mwanctl link set att map4 "$MAP4_RANGE" "$ATT4_FIRST"
mwanctl link set webpass map4 "$MAP4_RANGE" "$WEBPASS4_FIRST"
mwanctl link show

# expect TAG BASE FIRST: "TAG-i BASE.(FIRST+i)" for the 5 mapped hosts
expect() {
	local i
	for i in 0 1 2 3 4; do
		echo "$1-$i $2.$(($3 + i))"
	done
}

# from_each PROTO SPORT TAG: one flow from each of 10.250.250.2-.6, in order
from_each() {
	flows "$LAN" connect --proto "$1" --dst "$SERVER4" --sport "$2" --tag "$3" \
		--src 10.250.250.{2..6} --count 5 --timeout 2 | pyq 'd["ok"]'
}

# The static table, one link at a time.
mwanctl link set webpass state down
check "with only att up, 5 TCP and 5 UDP flows complete" \
	test "$(from_each tcp 20000 att-t)$(from_each udp 20100 att-u)" = 55
mwanctl link set webpass state up
mwanctl link set att state down
check "with only webpass up, 5 TCP and 5 UDP flows complete" \
	test "$(from_each tcp 20200 wp-t)$(from_each udp 20300 wp-u)" = 55
mwanctl link set att state up
check "att: 10.250.250.2-.6 seen as 104.57.226.193-.197 (TCP)" \
	test "$(flow_peers att-t)" = "$(expect att-t 104.57.226 193)"
check "att: 10.250.250.2-.6 seen as 104.57.226.193-.197 (UDP)" \
	test "$(flow_peers att-u)" = "$(expect att-u 104.57.226 193)"
check "webpass: 10.250.250.2-.6 seen as 136.25.91.242-.246 (TCP)" \
	test "$(flow_peers wp-t)" = "$(expect wp-t 136.25.91 242)"
check "webpass: 10.250.250.2-.6 seen as 136.25.91.242-.246 (UDP)" \
	test "$(flow_peers wp-u)" = "$(expect wp-u 136.25.91 242)"

# Balanced per flow over both links.
bal_t=$(flows "$LAN" connect --proto tcp --dst "$SERVER4" --src 10.250.250.2 \
	--count 16 --packets 3 --sport 21000 --tag bal-t --timeout 2 | pyq 'd["ok"]')
bal_u=$(flows "$LAN" connect --proto udp --dst "$SERVER4" --src 10.250.250.2 \
	--count 16 --packets 5 --gap 0.05 --sport 21100 --tag bal-u --timeout 2 |
	pyq 'd["ok"]')
echo "balanced: $bal_t TCP and $bal_u UDP flows ok; server saw $(peers_of bal)"
check "16 TCP connections and 16 UDP flows from 10.250.250.2 complete" \
	test "$bal_t $bal_u" = "16 16"
check "new TCP connections from 10.250.250.2 show up as 104.57.226.193 and 136.25.91.242" \
	test "$(peers_of bal-t)" = "104.57.226.193 136.25.91.242"
check "new UDP flows from 10.250.250.2 show up as 104.57.226.193 and 136.25.91.242" \
	test "$(peers_of bal-u)" = "104.57.226.193 136.25.91.242"
check "every datagram of a UDP flow came from one address" flows_one_peer bal-u 16

# A longer transfer: TCP and UDP flows that keep talking for ~3 seconds;
# with the flowtable, these are carried by it.
lan $FLOWS connect --proto tcp --dst "$SERVER4" --src 10.250.250.{2..6} \
	--count 5 --packets 60 --gap 0.05 --parallel --sport 22000 --tag long-t \
	>"$long_report" &
long_pid=$!
lan $FLOWS connect --proto udp --dst "$SERVER4" --src 10.250.250.{2..6} \
	--count 5 --packets 60 --gap 0.05 --parallel --sport 22100 --tag long-u \
	>/dev/null &
long_u_pid=$!
check "the long flows are under way" seen_wait long-u 25
wait $long_pid $long_u_pid
if [ "$FLOWTABLE" = 1 ]; then
	check "the flowtable carried the long flows" offload_carried 10
fi
check "5 long TCP connections complete all 60 exchanges" \
	test "$(pyq 'd["ok"]' <"$long_report")" = 5
check "long TCP connections seen as their mapped addresses" \
	test "$(peers_of long-t | wc -w)" -eq 5
check "long UDP flows: every datagram from the flow's mapped address" \
	flows_one_peer long-u 5
check "server saw all 300 datagrams of the long UDP flows" \
	test "$(grep -c ' long-u-' "$log")" -eq 300

# Outside the map: masqueraded to the link's own address.
flows "$LAN" connect --proto tcp --dst "$SERVER4" --src "$UNMAPPED4" --count 8 \
	--sport 23000 --tag masq --timeout 2 >/dev/null
check "192.168.7.2 (not mapped) is masqueraded to 100.64.1.2 and 100.64.2.2" \
	test "$(peers_of masq)" = "100.64.1.2 100.64.2.2"

# Inbound: to each link's first external address, which is 10.250.250.2.
seed_lan_server 10.250.250.2
seed_inbound 10.250.250.2 "$ATT4_FIRST" "$WEBPASS4_FIRST"
seed_clean

# Counters: every outbound flow the server saw from a link's block is one
# map4_out on it; the inbound ones are a ping and a TCP connection per link.
seen_from() { # seen_from PREFIX.: flows the server saw from that block
	awk -v p="$1" 'index($2, p) == 1 && $4 !~ /^in-/ { print $4 }' "$log" |
		sort -u | wc -l
}
for x in "att 104.57.226." "webpass 136.25.91."; do
	read -r name block <<<"$x"
	out=$(link_stat "$name" map4_out)
	in=$(link_stat "$name" map4_in)
	echo "$name: map4_out $out, map4_in $in, server saw $(seen_from "$block") mapped flows"
	check "$name: map4_out counts each mapped flow once" \
		test "$out" -eq "$(seen_from "$block")"
	check "$name: map4_in counts the ping and the TCP connection" test "$in" -eq 2
done

# map4 off: new flows are masqueraded again, a mapped flow keeps its
# address: two UDP flows from 10.250.250.3, mapped before, go on until the
# server has seen 10 more of their datagrams after it.
lan $FLOWS connect --proto udp --dst "$SERVER4" --src 10.250.250.3 --count 2 \
	--packets 4 --gap 0.1 --parallel --sport 24000 --tag kept --until "$stop" \
	>"$long_report" &
long_pid=$!
check "the UDP flows from 10.250.250.3 are under way" slowwait 60 seen_flows kept 2
mwanctl link set att map4 off
mwanctl link set webpass map4 off
check "... and send 10 more datagrams after map4 off" seen_after kept 10
out_before="$(link_stat att map4_out) $(link_stat webpass map4_out)"
flows "$LAN" connect --proto tcp --dst "$SERVER4" --src 10.250.250.2 --count 8 \
	--sport 25000 --tag off --timeout 2 >/dev/null
touch "$stop"
wait $long_pid
check "after map4 off, new flows from 10.250.250.2 are masqueraded" \
	test "$(peers_of off)" = "100.64.1.2 100.64.2.2"
check "after map4 off, map4_out no longer moves" \
	test "$(link_stat att map4_out) $(link_stat webpass map4_out)" = "$out_before"
check "UDP flows from 10.250.250.3 mapped before map4 off completed" \
	test "$(pyq 'd["ok"]' <"$long_report")" = 2
# Masqueraded datagrams of these flows would come from 100.64.N.2.
kept_mapped() { flows_one_peer kept 2 && ! peers_of kept | grep -q 100.64.; }
check "... each from 104.57.226.194 or 136.25.91.243 to the end ($(peers_of kept))" \
	kept_mapped
check "mwanctl shows no map4 any more" \
	test "$(mwanctl -j link show | pyq '[l.get("map4") for l in d]')" = '[None, None]'
exit $rc
