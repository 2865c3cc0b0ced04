#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Link states and flush. Under traffic over two links: after `drain` a link
# takes no new connection while its existing ones keep flowing to the end;
# after `down` it takes no new connection either; `link flush` deletes the
# conntrack entries of that link and no others.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "conntrack --version" "needs conntrack-tools"

long=$(mktemp)
defer rm -f "$long"
topo_balanced 2

new_links() { # the links the next 20 connections take
	flows "$LAN" connect --dst "$SERVER4" --count 20 --sport "$1" --tag "$2" \
		--timeout 2 >/dev/null
	links_of "$2"
}

# 20 UDP flows that keep talking until the drain is over
stop=$(mktemp -u)
defer rm -f "$stop"
lan $FLOWS connect --proto udp --dst "$SERVER4" --count 20 --packets 5 \
	--gap 0.2 --parallel --sport 40000 --tag long --until "$stop" >"$long" &
long_pid=$!
check "the 20 long flows are under way" slowwait 60 seen_flows long 20
check "before drain, new connections use both links" \
	test "$(new_links 20000 a)" = "1 2"
mwanctl link set wan1 state drain
check "drained wan1 takes no new connection" \
	test "$(new_links 20100 b)" = "2"
check "the long flows go on after the drain" seen_after long 40
touch "$stop"
wait $long_pid
check "every long flow completed every exchange through the drain" \
	test "$(pyq 'd["ok"]' <"$long")" = 20
check "long flows stayed on their links, wan1's included" flows_stayed long 20 2

mwanctl link set wan1 state up
check "wan1 up again takes new connections" test "$(new_links 20200 c)" = "1 2"
mwanctl link set wan1 state down
check "wan1 down takes no new connection" test "$(new_links 20300 d)" = "2"

ct_count() { rtr conntrack -L -m "$1"/0x3f00 2>/dev/null | grep -c "mark=$(($1))"; }
before1=$(ct_count 0x100)
before2=$(ct_count 0x200)
echo "conntrack entries: wan1 $before1, wan2 $before2"
flushed=$(mwanctl link flush wan1)
echo "mwanctl: $flushed"
check "flush removed every wan1 entry" test "$(ct_count 0x100)" -eq 0
check "flush left every wan2 entry" test "$(ct_count 0x200)" -eq "$before2"
check "flush reported how many it removed ($before1)" \
	grep -qw "$before1" <<<"$flushed"
exit $rc
