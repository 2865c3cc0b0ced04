#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Weighted split: three links weighted 1:2:3 share new connections in that
# proportion, as the server sees them. 1200 UDP flows from 20 clients over
# IPv4 and 300 TCP connections over IPv6 (times $MWAN_TEST_SCALE percent);
# each link's share must be within 3 percentage points of its target (more
# for fewer flows), and mwanctl's per-link flow counters must account for
# every flow the server saw.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

udp=$(scaled 1200)
tcp=$(scaled 300)
tol=$(share_tolerance 3)

topo_balanced 3 1 2 3
clients=(10.0.0.{10..29})
addrs "$LAN" lan0 "${clients[@]/%//24}"

flows "$LAN" connect --proto udp --dst "$SERVER4" --count "$udp" --timeout 2 \
	--src "${clients[@]}" --sport 20000 --tag u4 >/dev/null
check "$udp UDP/IPv4 flows split 1:2:3 within $tol points" \
	flows - shares "$log" --tag u4 --weights 1:2:3 --tolerance "$tol"
flows "$LAN" connect --proto tcp --dst "$SERVER6" --count "$tcp" --timeout 2 \
	--sport 30000 --tag t6 >/dev/null
check "$tcp TCP/IPv6 connections split 1:2:3 within $tol points" \
	flows - shares "$log" --tag t6 --weights 1:2:3 --tolerance "$tol"

# Every flow the server saw was counted on the link it used (no flow
# reused a port, so each is a new connection). Counters may be higher
# (connections the server never saw), never lower.
counted_all() {
	local links seen
	links=$(mwanctl -j link show)
	seen=$(flows - count "$log")
	$PY - "$links" "$seen" $((udp + tcp)) <<-'PY'
	import json, sys
	links = {l["id"]: l["stats"]["new_flows"] for l in json.loads(sys.argv[1])}
	seen = {}
	for peer, n in json.loads(sys.argv[2]).items():
	    link = int(peer.split(".")[2]) if "." in peer else int(peer.split(":")[2], 16)
	    seen[link] = seen.get(link, 0) + n
	for link in (1, 2, 3):
	    print("link %d: counted %d new flows, server saw %d" % (link, links[link], seen.get(link, 0)))
	sys.exit(0 if all(links[l] >= seen.get(l, 0) for l in (1, 2, 3)) and sum(seen.values()) >= int(sys.argv[3]) else 1)
	PY
}
check "link counters account for every flow" counted_all
exit $rc
