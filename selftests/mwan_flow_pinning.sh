#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every packet of a flow leaves on one link. Three balanced links carry 30
# TCP connections and 30 UDP flows at once, each exchanging 10 messages
# spread over two seconds. On the ISP side each flow's source port must
# show up at exactly one ISP, the ISPs must have dropped nothing for a
# wrong source, and the server must see every UDP datagram of a flow from
# the same link.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

tcp_report=$(mktemp)
udp_report=$(mktemp)
defer rm -f "$tcp_report" "$udp_report"

topo_balanced 3
for i in 1 2 3; do
	isp_watch "$i" tcp 5001
done

lan $FLOWS connect --proto tcp --dst "$SERVER4" --count 30 --packets 10 \
	--gap 0.2 --parallel --sport 40000 --tag tcp >"$tcp_report" &
tcp_pid=$!
lan $FLOWS connect --proto udp --dst "$SERVER6" --count 30 --packets 10 \
	--gap 0.2 --parallel --sport 41000 --tag udp >"$udp_report" &
wait $tcp_pid $!
check "30 TCP and 30 UDP flows complete every exchange" \
	test "$(pyq 'd["ok"]' <"$tcp_report")$(pyq 'd["ok"]' <"$udp_report")" = 3030

# A TCP port seen at two ISPs had packets on two links.
ports=()
for i in 1 2 3; do
	ports[i]=$(isp_ports "$i")
done
one_isp_per_port() {
	local all
	all=$(printf '%s\n' "${ports[@]}" | grep . | sort)
	echo "ports at the ISPs: $(echo "$all" | wc -l) lines, $(echo "$all" | sort -u | wc -l) distinct"
	[ "$(echo "$all" | wc -l)" -eq 30 ] && [ -z "$(echo "$all" | uniq -d)" ]
}
check "each TCP connection seen at exactly one ISP" one_isp_per_port
check "TCP connections used all three links" \
	test -n "${ports[1]}" -a -n "${ports[2]}" -a -n "${ports[3]}"

check "each UDP flow's datagrams all came over one link (all three used)" \
	flows_stayed udp 30 3
check "server saw all 300 UDP datagrams" \
	test "$(grep -c '^udp' "$log")" -eq 300
check "no ISP dropped a packet sent by the wrong link" \
	test "$(isp_spoofed 1)$(isp_spoofed 2)$(isp_spoofed 3)" = 000
exit $rc
