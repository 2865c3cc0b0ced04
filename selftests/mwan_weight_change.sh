#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live weight changes. 30 UDP flows keep talking over three equal links
# while the weights change twice; no flow may change link (every datagram
# of a flow arrives from one link, every exchange completes), and new
# connections follow the new weights.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

long=$(mktemp)
defer rm -f "$long"
topo_balanced 3

lan $FLOWS connect --proto udp --dst "$SERVER4" --count 30 --packets 30 \
	--gap 0.2 --parallel --sport 40000 --tag long >"$long" &
long_pid=$!
sleep 1.5
mwanctl link set wan1 weight 5
sleep 1
mwanctl link set wan2 weight 2
mwanctl link set wan3 weight 1
wait $long_pid
check "all 30 long flows completed every exchange" \
	test "$(pyq 'd["ok"]' <"$long")" = 30
check "no long flow changed link, and they used all three" flows_stayed long 30 3
check "server got all 900 datagrams of the long flows" \
	test "$(grep -c ' long-' "$log")" -eq 900

flows "$LAN" connect --proto udp --dst "$SERVER6" --count 800 --sport 20000 \
	--tag new --timeout 2 >/dev/null
check "new flows follow the new weights 5:2:1 within 3 points" \
	flows - shares "$log" --tag new --weights 5:2:1 --tolerance 3
exit $rc
