#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live weight changes. 30 UDP flows keep talking over three equal links
# until the weights have changed twice; no flow may change link (every datagram
# of a flow arrives from one link, every exchange completes), and 800 new
# connections ($MWAN_TEST_SCALE percent of them) follow the new weights.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

long=$(mktemp)
defer rm -f "$long"
topo_balanced 3

stop=$(mktemp -u)
defer rm -f "$stop"
lan $FLOWS connect --proto udp --dst "$SERVER4" --count 30 --packets 5 \
	--gap 0.2 --parallel --sport 40000 --tag long --until "$stop" >"$long" &
long_pid=$!
check "the 30 long flows are under way" slowwait 60 seen_flows long 30
mwanctl link set wan1 weight 5
check "... and go on after the first change" seen_after long 30
mwanctl link set wan2 weight 2
mwanctl link set wan3 weight 1
check "... and after the second" seen_after long 30
touch "$stop"
wait $long_pid
check "all 30 long flows completed every exchange" \
	test "$(pyq 'd["ok"]' <"$long")" = 30
check "no long flow changed link, and they used all three" flows_stayed long 30 3
sent=$(pyq 'sum(f["messages"] for f in d["flows"])' <"$long")
check "server got all $sent datagrams of the long flows" \
	test "$(grep -c ' long-' "$log")" -eq "$sent"

new=$(scaled 800)
tol=$(share_tolerance 3)
flows "$LAN" connect --proto udp --dst "$SERVER6" --count "$new" --sport 20000 \
	--tag new --timeout 2 >/dev/null
check "$new new flows follow the new weights 5:2:1 within $tol points" \
	flows - shares "$log" --tag new --weights 5:2:1 --tolerance "$tol"
exit $rc
