#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Last resort, when no member of a policy is up: `unreachable` answers the
# client with ICMP unreachable at once (connect fails fast, IPv4 and IPv6,
# and a pinned router-local socket gets ENETUNREACH), `blackhole` drops
# silently (the client times out), `default` leaves the flow to the main
# table (here: out through wan1). Each refusal is counted.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

topo_create 2
topo_links 2
mwanctl policy add only2 member wan2
mwanctl globals set default-policy only2
mwanctl rule add local-dns policy only2 proto udp dst "$SERVER4/32" dport 5001 local
topo_server
mwanctl link set wan2 state down

attempt() { # attempt FAMILY-DST [PROTO]: the error of one connection, or "ok"
	flows "$LAN" connect --dst "$1" --proto "${2:-tcp}" --timeout 3 |
		pyq 'd["flows"][0].get("error", "ok")'
}

timed() { # timed MAXSECONDS CMD...: CMD's output, and fail if too slow
	local start=$SECONDS out
	out=$("${@:2}")
	echo "$out"
	[ $((SECONDS - start)) -le "$1" ]
}

mwanctl policy set only2 last-resort unreachable
out=$(timed 2 attempt "$SERVER4") ; echo "IPv4 TCP: $out"
check "unreachable: IPv4 connect fails at once with unreachable" \
	grep -qi unreachable <<<"$out"
out=$(timed 2 attempt "$SERVER6") ; echo "IPv6 TCP: $out"
check "unreachable: IPv6 connect fails at once with unreachable" \
	grep -qi unreachable <<<"$out"
out=$(flows "$RTR" connect --dst "$SERVER4" --proto udp --timeout 2 |
	pyq 'd["flows"][0].get("error", "ok")')
echo "router-local UDP: $out"
check "unreachable: a router-local flow matched by a local rule gets ENETUNREACH" \
	grep -qi "network is unreachable" <<<"$out"

mwanctl policy set only2 last-resort blackhole
out=$(attempt "$SERVER4") ; echo "IPv4 TCP: $out"
check "blackhole: the connection times out" grep -qi "timed out" <<<"$out"

mwanctl policy set only2 last-resort default
out=$(attempt "$SERVER4")
check "default: the connection goes through ($out)" test "$out" = ok
check "default: the main table took it out through wan1" \
	test "$(flows - count "$log" --proto tcp | pyq 'list(d)')" = "['100.64.1.2']"

refused=$(mwanctl -j policy show only2 | pyq 'd[0]["stats"]["refused"]')
check "refusals counted ($refused)" test "$refused" -ge 5

mwanctl link set wan2 state up
out=$(attempt "$SERVER4")
check "wan2 up again: connections go through ($out)" test "$out" = ok
exit $rc
