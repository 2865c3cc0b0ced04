#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test network, built in namespaces. Source it after lib.sh.
#
#   $LAN (clients)       $RTR (mwan)                 $ISPn            $INET
#   lan0 10.0.0.2/24 --- lan0 10.0.0.1
#        fd00:a::2/64        fd00:a::1
#                            wan1 100.64.1.2 ---- 100.64.1.1  up0 -- isp1 192.0.2.6
#                                 2001:db8:1::2   2001:db8:1::1          ...
#                            wanN 100.64.N.2 ---- 100.64.N.1  up0 -- ispN
#                                                                 server 203.0.113.1
#                                                                        2001:db8:ff::1
#
# The router masquerades on every uplink, so the server sees which link a
# connection took: 100.64.N.2 / 2001:db8:N::2 is link N. Each link N has
# routing table 100+N, chosen by fwmark N<<8/0x3f00; the main table's
# default route goes through link 1. Like real ISPs (BCP 38), ISP N drops
# what the router sends it from any address but its own on that link, so a
# packet that leaves by the wrong link is lost, not quietly delivered.

SERVER4=203.0.113.1
SERVER6=2001:db8:ff::1
TOPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FLOWS="/usr/bin/python3 $TOPO_DIR/flows.py"
MWANCTL=${MWANCTL:-$(cd "$TOPO_DIR/.." && pwd)/user/mwanctl/mwanctl}

rtr() { ip netns exec "$RTR" "$@"; }
lan() { ip netns exec "$LAN" "$@"; }
inet() { ip netns exec "$INET" "$@"; }
isp() { local n=$1; shift; ip netns exec "$(isp_ns "$n")" "$@"; }
isp_ns() { eval echo "\$ISP$1"; }
mwanctl() { ip netns exec "$RTR" "$MWANCTL" "$@"; }

# Forwarding everywhere; rp_filter off so replies may come back on any link.
ns_sysctls() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

veth() { # veth NS1 DEV1 NS2 DEV2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

addr() { ip -n "$1" addr add "$3" dev "$2" nodad 2>/dev/null ||
	 ip -n "$1" addr add "$3" dev "$2"; }

topo_isp() { # topo_isp N: link N from router to the internet
	local n=$1 ns
	ns=$(isp_ns "$n")
	veth "$RTR" "wan$n" "$ns" down0
	addr "$RTR" "wan$n" "100.64.$n.2/24"
	addr "$RTR" "wan$n" "2001:db8:$n::2/64"
	addr "$ns" down0 "100.64.$n.1/24"
	addr "$ns" down0 "2001:db8:$n::1/64"
	veth "$ns" up0 "$INET" "isp$n"
	addr "$ns" up0 "192.0.2.$((4 * n + 1))/30"
	addr "$ns" up0 "2001:db8:100:$n::1/64"
	addr "$INET" "isp$n" "192.0.2.$((4 * n + 2))/30"
	addr "$INET" "isp$n" "2001:db8:100:$n::2/64"
	ip netns exec "$ns" nft -f - <<-NFT
	table inet bcp38 {
		chain forward {
			type filter hook forward priority 0;
			iifname "down0" ip saddr != 100.64.$n.0/24 counter drop
			iifname "down0" ip6 saddr != 2001:db8:$n::/64 counter drop
		}
	}
	NFT
	ip -n "$ns" route add default via "192.0.2.$((4 * n + 2))"
	ip -n "$ns" -6 route add default via "2001:db8:100:$n::2"
	ip -n "$INET" route add "100.64.$n.0/24" via "192.0.2.$((4 * n + 1))"
	ip -n "$INET" -6 route add "2001:db8:$n::/64" via "2001:db8:100:$n::1"
	# the link's own routing table and the fwmark rule that selects it
	ip -n "$RTR" route add default via "100.64.$n.1" table $((100 + n))
	ip -n "$RTR" -6 route add default via "2001:db8:$n::1" table $((100 + n))
	ip -n "$RTR" rule add pref $((1000 + n)) fwmark $((n << 8))/0x3f00 table $((100 + n))
	ip -n "$RTR" -6 rule add pref $((1000 + n)) fwmark $((n << 8))/0x3f00 table $((100 + n))
}

# topo_create N: a LAN, a router with N uplinks, N ISPs and the internet.
topo_create() {
	local n=$1 i
	setup_ns LAN RTR INET
	for i in $(seq 1 "$n"); do
		setup_ns "ISP$i"
	done
	for ns in "$LAN" "$RTR" "$INET"; do ns_sysctls "$ns"; done
	veth "$LAN" lan0 "$RTR" lan0
	addr "$LAN" lan0 10.0.0.2/24
	addr "$LAN" lan0 fd00:a::2/64
	addr "$RTR" lan0 10.0.0.1/24
	addr "$RTR" lan0 fd00:a::1/64
	ip -n "$LAN" route add default via 10.0.0.1
	ip -n "$LAN" -6 route add default via fd00:a::1
	ip -n "$INET" link add srv type dummy
	ip -n "$INET" link set srv up
	addr "$INET" srv "$SERVER4/32"
	addr "$INET" srv "$SERVER6/128"
	for i in $(seq 1 "$n"); do
		ns_sysctls "$(isp_ns "$i")"
		topo_isp "$i"
	done
	# connected routes (the LAN) win over the links' default routes
	ip -n "$RTR" rule add pref 900 table main suppress_prefixlength 0
	ip -n "$RTR" -6 rule add pref 900 table main suppress_prefixlength 0
	ip -n "$RTR" route add default via 100.64.1.1
	ip -n "$RTR" -6 route add default via 2001:db8:1::1
	rtr nft -f - <<-NFT
	table inet nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "wan*" masquerade
		}
	}
	NFT
}

# topo_links N [WEIGHTS...]: register wan1..wanN with mwan, weights 1 unless given.
topo_links() {
	local n=$1 i w
	shift
	for i in $(seq 1 "$n"); do
		w=${1:-1}
		[ $# -gt 0 ] && shift
		mwanctl link add "wan$i" dev "wan$i" id "$i" weight "$w" || return 1
	done
}

# Packets ISP N dropped for leaving the router by the wrong link.
isp_spoofed() {
	isp "$1" nft list chain inet bcp38 forward |
		awk '/counter/ { for (i = 1; i <= NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}

# Record in ISP N the source ports of PROTO flows to PORT (isp_ports lists them).
isp_watch() { # isp_watch N PROTO PORT
	isp "$1" nft -f - <<-NFT
	table inet watch {
		set flows { type inet_service; flags dynamic; size 65535; }
		chain forward {
			type filter hook forward priority 0;
			$2 dport $3 add @flows { $2 sport }
		}
	}
	NFT
}

isp_ports() {
	isp "$1" nft -j list set inet watch flows | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e)'
}

# Keep a server running in $INET; its log has one line per flow.
start_server() { # start_server LOGFILE [flows.py serve options]
	local log=$1
	shift
	inet $FLOWS serve --log "$log" --addr "$SERVER4" "$SERVER6" "$@" &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	$FLOWS wait-ready "$log"
}

stop_servers() {
	[ -n "${SERVER_PIDS:-}" ] && kill $SERVER_PIDS 2>/dev/null
	wait 2>/dev/null
	SERVER_PIDS=
}

# pyq EXPR: print a Python expression over the JSON read from stdin (as d).
pyq() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# check WHAT CMD...: one PASS or FAIL line from CMD's status; failures stick in $rc.
rc=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "PASS: $what"
	else
		echo "FAIL: $what"
		rc=1
	fi
}

# topo_require: skip unless the tools every traffic test needs are here.
topo_require() {
	checktool "nft --version" "needs nftables"
	checktool "/usr/bin/python3 --version" "needs python3"
	checktool "$MWANCTL --version" "needs mwanctl (make user)"
	require_module mwan
}

# topo_server: start the internet server; its log is $log (gone at exit).
topo_server() {
	log=$(mktemp)
	defer rm -f "$log" "$log.ready"
	defer stop_servers
	start_server "$log"
}

# topo_balanced N [WEIGHTS...]: N links, all in policy "balanced", which is
# the default for forwarded traffic; then the server.
topo_balanced() {
	local n=$1 i members=()
	topo_create "$n"
	topo_links "$@"
	for i in $(seq 1 "$n"); do
		members+=(member "wan$i")
	done
	mwanctl policy add balanced "${members[@]}"
	mwanctl globals set default-policy balanced
	topo_server
}

# links_of TAG: the links the server saw flows tagged TAG use, e.g. "1 3"
links_of() {
	$FLOWS links "$log" --tag "$1" |
		pyq '" ".join(map(str, sorted(set(l for v in d.values() for l in v))))'
}

# flows_stayed TAG N LINKS: the N flows tagged TAG each used a single link,
# and LINKS different links between them.
flows_stayed() {
	[ "$($FLOWS links "$log" --tag "$1" | pyq \
		"len(d) == $2 and all(len(v) == 1 for v in d.values()) and len(set(v[0] for v in d.values())) == $3")" = True ]
}
