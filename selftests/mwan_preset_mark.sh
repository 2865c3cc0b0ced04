#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A link mark that is already on a flow's first packet wins over the rules:
# a router-local socket with SO_MARK (as the agent's probes, or a pinned
# daemon) keeps its link and has it saved in conntrack; a forwarded flow
# that the user's own nft rule marks before mwan runs is bound to that
# link; marks in bits outside mwan's mask are left alone. Everything else
# follows the policies: forwarded traffic is pinned to wan1, and a rule
# sends the router's own connections to the server through wan3.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "conntrack --version" "needs conntrack-tools"

topo_create 3
topo_links 3
mwanctl policy add pin1 member wan1
mwanctl globals set default-policy pin1
mwanctl policy add pin3 member wan3
mwanctl rule add router-to-wan3 policy pin3 dst "$SERVER4/32" local no-forward
addr "$LAN" lan0 10.0.0.77/24
rtr nft -f - <<-NFT
table inet user {
	chain pre {
		type filter hook prerouting priority mangle;
		ip saddr 10.0.0.77 meta mark set meta mark and 0xffffc0ff or 0x300
		ip saddr 10.0.0.2 meta mark set meta mark or 0x10000
	}
}
NFT
topo_server

flows "$LAN" connect --dst "$SERVER4" --count 10 --src 10.0.0.77 --tag marked \
	>/dev/null
flows "$LAN" connect --dst "$SERVER4" --count 10 --src 10.0.0.2 --tag plain \
	>/dev/null
check "flows the user's nft rule marks 0x300 leave by wan3" test "$(links_of marked)" = 3
check "unmarked flows, and marks outside the mask, follow the policy (wan1)" \
	test "$(links_of plain)" = 1

flows "$RTR" connect --dst "$SERVER4" --count 5 --mark 0x200 --sport 45000 \
	--packets 3 --tag so2 >/dev/null
flows "$RTR" connect --dst "$SERVER4" --count 5 --sport 46000 --tag local \
	>/dev/null
check "router sockets with SO_MARK 0x200 leave by wan2 despite the rule" \
	test "$(links_of so2)" = 2
check "router sockets without a mark follow the local rule (rerouted to wan3)" \
	test "$(links_of local)" = 3
saved() {
	rtr conntrack -L -p tcp --sport 45000 2>/dev/null | grep -q "mark=512"
}
check "the SO_MARK flow's link is saved in its conntrack mark" saved

# A connected router socket takes its link's bits, as SO_MARK would: from
# then on the socket routes by the link, and mwan re-routes none of its
# packets.
longstop=$(mktemp -u)
defer rm -f "$longstop"
rtr $FLOWS connect --dst "$SERVER4" --sport 47000 --packets 3 --gap 0.1 \
	--until "$longstop" --tag long >/dev/null &
long_pid=$!
sockmark() {
	rtr ss -tnHe state established "sport = :47000" |
		grep -o 'fwmark:0x[0-9a-f]*'
}
slowwait 60 sockmark >/dev/null
mark=$(sockmark)
touch "$longstop"
wait "$long_pid"
check "a router TCP socket placed by the local rule carries wan3's bits ($mark)" \
	test "$mark" = fwmark:0x300
check "the long router connection went by wan3 all along" \
	test "$(links_of long)" = 3
exit $rc
