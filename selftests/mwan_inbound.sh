#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inbound connections are answered over the link they came in on. The
# router forwards port 8080 on every uplink to a LAN server and runs a
# service of its own; connections from the internet to each uplink's
# address must work, and since the ISPs drop packets sent from another
# link's address (BCP 38), they only work if the replies leave the right
# way. Without mwan, replies to links 2 and 3 would take the main table's
# route through link 1: the test checks that this indeed fails first.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

lan_log=$(mktemp)
rtr_log=$(mktemp)
defer rm -f "$lan_log" "$lan_log.ready" "$rtr_log" "$rtr_log.ready"
defer stop_servers

topo_create 3
rtr nft -f - <<-NFT
table inet portfwd {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "wan*" tcp dport 8080 dnat ip to 10.0.0.2:5001
		iifname "wan*" tcp dport 8080 dnat ip6 to [fd00:a::2]:5001
	}
}
NFT
lan $FLOWS serve --log "$lan_log" --addr 10.0.0.2 fd00:a::2 &
SERVER_PIDS=$!
rtr $FLOWS serve --log "$rtr_log" --port 7000 --addr 0.0.0.0 :: &
SERVER_PIDS="$SERVER_PIDS $!"
flows - wait-ready "$lan_log" && flows - wait-ready "$rtr_log"

# reach ADDR PORT: "ok" if a TCP connection from the internet gets through
reach() {
	flows "$INET" connect --dst "$1" --port "$2" --timeout 2 --packets 3 |
		pyq '"ok" if d["ok"] == 1 else d["flows"][0].get("error")'
}

# The LAN server must not retransmit the control experiment's SYN-ACKs
# later, into the drop counters of the real test.
lan sysctl -qw net.ipv4.tcp_synack_retries=0
check "without mwan, a port forward on wan2 breaks (replies leave by wan1)" \
	test "$(reach 100.64.2.2 8080)" != ok
sleep 1

# what the ISPs dropped so far came from that control experiment
spoofed() { echo "$(isp_spoofed 1) $(isp_spoofed 2) $(isp_spoofed 3)"; }
dropped_before=$(spoofed)

topo_links 3
mwanctl policy add balanced member wan1 member wan2 member wan3
mwanctl globals set default-policy balanced
for n in 1 2 3; do
	check "port forward via wan$n (IPv4)" test "$(reach "100.64.$n.2" 8080)" = ok
	check "port forward via wan$n (IPv6)" test "$(reach "2001:db8:$n::2" 8080)" = ok
	check "service on the router via wan$n (IPv4)" \
		test "$(reach "100.64.$n.2" 7000)" = ok
	check "service on the router via wan$n (IPv6)" \
		test "$(reach "2001:db8:$n::2" 7000)" = ok
	check "ping of the router's wan$n address" \
		inet ping -c 1 -W 2 "100.64.$n.2"
done
inbound_counted() {
	mwanctl -j link show | pyq \
		'all(l["stats"]["new_flows"] >= 4 and l["stats"]["rx_packets"] > 0 and l["stats"]["tx_packets"] > 0 for l in d)'
}
check "each link counted its inbound flows and packets both ways" \
	test "$(inbound_counted)" = True
check "with mwan, no ISP saw a packet from another link's address" \
	test "$(spoofed)" = "$dropped_before"
exit $rc
