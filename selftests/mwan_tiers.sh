#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tiered failover, as mwan3's metrics: wan1 and wan2 form tier 1, wan3 is
# tier 2. New connections use tier 1 only; with both tier-1 links down they
# all take wan3; when wan1 comes back new connections return to it, and
# with wan2 back too they split over tier 1 again. Disabled, mwan leaves
# new connections to the main table.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

topo_create 3
topo_links 3
mwanctl policy add failover member wan1 metric 1 member wan2 metric 1 \
	member wan3 metric 2
mwanctl globals set default-policy failover
topo_server

round=0
# links_used ROUND: the links 30 new connections take, e.g. "1 2"
links_used() {
	local round=$1
	flows "$LAN" connect --dst "$SERVER4" --count 20 --sport $((20000 + 100 * round)) \
		--tag r$round --timeout 2 >/dev/null
	flows "$LAN" connect --dst "$SERVER6" --count 10 --sport $((20050 + 100 * round)) \
		--tag r$round-6 --timeout 2 >/dev/null
	links_of r$round
}

expect_links() { # expect_links WHAT "1 2"
	local got
	round=$((round + 1))
	got=$(links_used $round)
	echo "new connections used links: $got"
	check "$1" test "$got" = "$2"
}

expect_links "tier 1 (wan1, wan2) carries new connections" "1 2"
mwanctl link set wan1 state down
mwanctl link set wan2 state down
expect_links "tier 1 down: tier 2 (wan3) carries them" "3"
mwanctl link set wan1 state up
expect_links "wan1 back: new connections return to it" "1"
mwanctl link set wan2 state up
expect_links "tier 1 whole again: split over wan1 and wan2" "1 2"
mwanctl globals set enabled off
expect_links "mwan disabled: new connections take the main table (wan1)" "1"
mwanctl globals set enabled on
expect_links "enabled again: split over wan1 and wan2" "1 2"
exit $rc
