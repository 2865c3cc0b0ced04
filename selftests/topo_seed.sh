#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reference network of issue 3 (a Debian router with AT&T and Webpass)
# in namespaces, for the NPTv6 and 1:1 IPv4 tests. Source it after lib.sh
# and topo.sh; it reuses their helpers, links and ISPs.
#
#   $LAN (hosts behind OPNsense)   $RTR (mwan)                    $ISP1 = att
#   lan0 3d06:bad:b01::2/64 ------ lan0 3d06:bad:b01::1/64        routes to wan1:
#        3d06:bad:b01:1::100/128        3d06:bad:b01::/60 via ::2  2600:1700:2f71:c80::/60
#        3d06:bad:b01:2::50/128         10.250.250.1/29            104.57.226.192/29
#        10.250.250.2-.6/29             192.168.7.1/24
#        192.168.7.2/24 (unmapped)
#                                  wan1 100.64.1.2 --- $ISP1 --+
#                                       2001:db8:1::2          +-- $INET: server
#                                  wan2 100.64.2.2 --- $ISP2 --+   203.0.113.1
#                                       2001:db8:2::2                2001:db8:ff::1
#                                                                 $ISP2 = webpass
#                                                                  2604:5500:c271:be00::/60
#                                                                  136.25.91.240/29
#
# 3d06:bad:b01:1::100 (VLAN100) and 3d06:bad:b01:2::50 (VLAN200) are the
# seed's example hosts, behind OPNsense there, here on the LAN host, the
# router routing the rest of the /60 to it.
#
# mwan links: att (wan1, id 1) and webpass (wan2, id 2), routing tables 101
# and 102 chosen by fwmark as in topo.sh. Each ISP routes its delegated
# /60 and public /29 to the router's WAN address and, like a real ISP
# (BCP 38), drops what the router sends from anything else; the internet
# routes them to the ISP. The internal prefixes exist only behind the
# router: every ISP counts (netdev ingress, before anything else) what
# arrives from the router with an internal source, which must stay 0.
# The router masquerades IPv4 on wan* (the sources the 1:1 map does not
# cover), and does not masquerade IPv6.
#
# FLOWTABLE=1 adds an nftables flowtable over lan0, wan1 and wan2 with
# "flow add @ft" for TCP and UDP in the forward chain, like OpenWrt fw4's
# software flow offloading.

# shellcheck disable=SC2034 # for the tests
INTERNAL6=3d06:bad:b01::/60
HOST6=3d06:bad:b01::2
VLAN100_HOST6=3d06:bad:b01:1::100
VLAN200_HOST6=3d06:bad:b01:2::50
ATT6=2600:1700:2f71:c80::/60
WEBPASS6=2604:5500:c271:be00::/60
INTERNAL4=10.250.250.0/29
MAP4_RANGE=10.250.250.2-10.250.250.6
ATT4=104.57.226.192/29
ATT4_FIRST=104.57.226.193
WEBPASS4=136.25.91.240/29
WEBPASS4_FIRST=136.25.91.242
UNMAPPED4=192.168.7.2
FLOWTABLE=${FLOWTABLE:-0}

# seed_require: skip unless what the seed tests need is here.
seed_require() {
	topo_require
	[ "$FLOWTABLE" = 1 ] && require_module nf_flow_table_inet nft_flow_offload
	return 0
}

# seed_prefix N PREFIX...: ISP N routes each PREFIX (v4 or v6) to the
# router and accepts it as a source from there; the internet routes it to
# ISP N.
seed_prefix() {
	local n=$1 ns=ISP$1 p isp_lines= inet_lines= nft_lines=
	shift
	for p in "$@"; do
		if [[ $p == *:* ]]; then
			isp_lines+="route add $p via 2001:db8:$n::2"$'\n'
			inet_lines+="route add $p via 2001:db8:100:$n::1"$'\n'
			nft_lines+="add element inet bcp38 own6 { $p }"$'\n'
		else
			isp_lines+="route add $p via 100.64.$n.2"$'\n'
			inet_lines+="route add $p via 192.0.2.$((4 * n + 1))"$'\n'
			nft_lines+="add element inet bcp38 own4 { $p }"$'\n'
		fi
	done
	ip -n "${!ns}" -batch - <<<"$isp_lines"
	ip -n "$INET" -batch - <<<"$inet_lines"
	isp "$n" nft -f - <<<"$nft_lines"
}

# topo.sh's ISP N, with BCP 38 widened to the prefixes it routes to the
# router (seed_prefix adds them), and counters (isp_counted) of what the
# router sends it: all of it, what has an internal source ("leaked"), and
# echo replies.
seed_isp() {
	local n=$1
	topo_isp "$n" "$(seed_isp_nft "$n")"
}

seed_isp_nft() {
	local n=$1
	cat <<-NFT
	table inet bcp38 {
		set own4 { type ipv4_addr; flags interval; elements = { 100.64.$n.0/24 }; }
		set own6 { type ipv6_addr; flags interval; elements = { 2001:db8:$n::/64 }; }
		chain forward {
			type filter hook forward priority 0;
			iifname "down0" ip saddr != @own4 counter drop
			iifname "down0" ip6 saddr != @own6 counter drop
		}
	}
	table netdev watch {
		chain in {
			type filter hook ingress device "down0" priority -500;
			counter comment "total"
			ip saddr { $INTERNAL4, 192.168.7.0/24 } counter comment "leaked"
			ip6 saddr $INTERNAL6 counter comment "leaked"
			icmp type echo-reply counter comment "echo"
			icmpv6 type echo-reply counter comment "echo"
		}
	}
	NFT
}

isp_counted() { # isp_counted N NAME: packets so far
	isp "$1" nft list chain netdev watch in | nft_packets "$2"
}


# reach ADDR TAG: "ok" if a TCP connection from the internet to ADDR gets
# through, else the error
reach() {
	flows "$INET" connect --dst "$1" --tag "$2" --timeout 2 --packets 3 |
		pyq '"ok" if d["ok"] == 1 else d["flows"][0]["error"]'
}

# ping_via ADDR N: ping ADDR from the internet twice; prints "OTHER MINE",
# the echo replies the other ISP and ISP N got from the router meanwhile
ping_via() {
	local b1 b2 a1 a2
	read -r b1 b2 <<<"$(isp_counted 1 echo) $(isp_counted 2 echo)"
	inet ping -c 2 -i 0.5 -W 2 "$1" >/dev/null
	read -r a1 a2 <<<"$(isp_counted 1 echo) $(isp_counted 2 echo)"
	if [ "$2" = 1 ]; then
		echo "$((a2 - b2)) $((a1 - b1))"
	else
		echo "$((a1 - b1)) $((a2 - b2))"
	fi
}

# seed_lan_server ADDR...: a TCP and UDP server on each ADDR in $LAN; its
# log is $lan_log (gone at exit)
seed_lan_server() {
	lan_log=$(mktemp)
	defer rm -f "$lan_log" "$lan_log.ready"
	lan $FLOWS serve --log "$lan_log" --addr "$@" &
	SERVER_PIDS="$SERVER_PIDS $!"
	flows - wait-ready "$lan_log"
}

# seed_inbound HOST ATT-ADDR WEBPASS-ADDR: TCP from the internet to each
# link's external address of HOST reaches seed_lan_server's server, and
# ping gets both replies back through the link it came in on. A reply's
# source is the address the client reached only if it was translated on
# the link the connection came in by (and the ISPs drop any other).
seed_inbound() {
	seed_inbound_one "$1" att 1 "$2"
	seed_inbound_one "$1" webpass 2 "$3"
}

# seed_inbound_one HOST LINK N ADDR: the same for one link, LINK (id N)
seed_inbound_one() {
	local host=$1 name=$2 n=$3 ext=$4 tag=in-$2-${4//:/-}
	check "TCP from the internet to $ext ($name) gets through" \
		test "$(reach "$ext" "$tag")" = ok
	check "... and reached $host (its server saw the connection)" \
		test "$(flow_peers "$tag" "$lan_log" | cut -d' ' -f1)" = "$tag-0"
	check "ping from the internet to $ext: both replies left by $name" \
		test "$(ping_via "$ext" "$n")" = "0 2"
}

# isp_tally N: "SPOOFED LEAKED TOTAL" of ISP N, from one listing of its
# ruleset: what BCP 38 dropped, and what the watch counted (isp_counted)
isp_tally() {
	isp "$1" nft list ruleset | awk '
		/^table / { t = $2 " " $3 }
		/counter/ {
			p = 0
			for (i = 1; i < NF; i++) if ($i == "packets") p = $(i + 1)
			if (t == "inet bcp38") s += p
			else if (t == "netdev watch" && /comment "leaked"/) l += p
			else if (t == "netdev watch" && /comment "total"/) n += p
		}
		END { print s + 0, l + 0, n + 0 }'
}

# seed_clean: the ISPs dropped nothing of the router's for a source not
# theirs, and no packet with an internal source reached them
seed_clean() {
	local s1 l1 n1 s2 l2 n2
	read -r s1 l1 n1 <<<"$(isp_tally 1)"
	read -r s2 l2 n2 <<<"$(isp_tally 2)"
	check "no ISP dropped a packet from a source not its own" \
		test "$s1 $s2" = "0 0"
	check "no packet with an internal source reached an ISP (att: $l1 of $n1, webpass: $l2 of $n2)" \
		test "$l1 $l2" = "0 0"
}

# seed_create: the network above; FLOWTABLE=1 adds the flowtable.
seed_create() {
	local ns hosts
	setup_ns LAN RTR INET ISP1 ISP2
	ns_sysctls "$LAN" "$RTR" "$INET" "$ISP1" "$ISP2"
	printf -v hosts '10.250.250.%s/29 ' 2 3 4 5 6
	topo_lan "$HOST6/64 $hosts $UNMAPPED4/24" \
		"10.250.250.1/29 3d06:bad:b01::1/64 192.168.7.1/24"
	# deprecated: used when a socket binds them, never picked as a source
	ip -6 -n "$LAN" -batch - <<-EOF
	addr add $VLAN100_HOST6/128 dev lan0 nodad preferred_lft 0
	addr add $VLAN200_HOST6/128 dev lan0 nodad preferred_lft 0
	EOF
	ip -6 -n "$RTR" route add "$INTERNAL6" via "$HOST6" dev lan0
	topo_agents
	seed_isp 1
	seed_isp 2
	topo_router
	seed_prefix 1 "$ATT6" "$ATT4"
	seed_prefix 2 "$WEBPASS6" "$WEBPASS4"
	seed_masquerade
	[ "$FLOWTABLE" = 1 ] && seed_flowtable
	return 0
}

# seed_masquerade: what the seed does for addresses outside the 1:1 maps
seed_masquerade() {
	rtr nft -f - <<-NFT
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "wan*" masquerade
		}
	}
	NFT
}

seed_flowtable() {
	rtr nft -f - <<-NFT
	table inet fw4 {
		flowtable ft {
			hook ingress priority filter;
			devices = { lan0, wan1, wan2 };
		}
		chain forward {
			type filter hook forward priority filter;
			meta l4proto { tcp, udp } th sport 22000-22199 counter comment "long"
			meta l4proto { tcp, udp } th dport 22000-22199 counter comment "long"
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	NFT
}

# seed_links: att and webpass in policy "balanced" (per flow), the default
# for forwarded traffic; no translation yet.
seed_links() {
	mwanctl link add att dev wan1 id 1 &&
		mwanctl link add webpass dev wan2 id 2 &&
		mwanctl policy add balanced member att member webpass &&
		mwanctl globals set default-policy balanced
}

# link_stat LINK KEY: one of mwanctl's counters for LINK
link_stat() {
	mwanctl -j link show "$1" | pyq "d[0]['stats']['$2']"
}

# peers_of TAG: the addresses the server saw flows tagged TAG come from
peers_of() {
	awk -v t="$1-" 'index($4, t) == 1 { print $2 }' "$log" | LC_ALL=C sort -u | xargs
}

# flow_peers TAG [LOG]: "FLOW ADDRESS" for every address each flow tagged
# TAG came from, one line each, sorted
flow_peers() {
	awk -v t="$1-" 'index($4, t) == 1 { print $4, $2 }' "${2:-$log}" | sort -u -V
}

# seen_from_at_least FLOW ADDR N: the server has logged N lines of the flow
# tagged FLOW from ADDR
seen_from_at_least() {
	[ "$(awk -v f="$1" -v a="$2" '$4 == f && $2 == a' "$log" | wc -l)" -ge "$3" ]
}

# flows_one_peer TAG N: the N flows tagged TAG each came from one address
flows_one_peer() {
	local seen
	seen=$(flow_peers "$1")
	[ "$(echo "$seen" | cut -d' ' -f1 | sort -u | wc -l)" -eq "$2" ] &&
		[ -z "$(echo "$seen" | cut -d' ' -f1 | uniq -d)" ]
}

# offload_carried N: the flowtable carried the N long flows (LAN ports
# 22000-22199): fewer than 15 packets a flow crossed the forward chain,
# where each of their 120 or so would without it (the first ones of a flow
# are forwarded before it is offloaded, its FIN after)
offload_carried() {
	local n
	n=$(rtr nft list chain inet fw4 forward | nft_packets long)
	echo "packets of the $1 long flows that crossed the forward chain: $n"
	[ "$n" -lt $((15 * $1)) ]
}

# swap6 ADDR FROM TO: ADDR (in prefix FROM) with its prefix bits replaced
# by those of prefix TO, the rest kept: NPT's prefix mode, computed here.
swap6() {
	$PY - "$@" <<-'PY'
	import ipaddress, sys
	addr, a, b = sys.argv[1:]
	b = ipaddress.IPv6Network(b)
	host = int(ipaddress.IPv6Address(addr)) & int(b.hostmask)
	print(ipaddress.IPv6Address(int(b.network_address) | host))
	PY
}

# npt6 ADDR FROM TO: the RFC 6296 image of ADDR (in prefix FROM) in prefix
# TO, computed here independently of the kernel: one's complement sum of
# FROM minus that of TO added into the first word past the prefix (word 3
# for prefixes up to /48, else the first of words 4-7 that is not 0xffff),
# 0xffff written as 0. Prints nothing for an address that cannot be mapped.
npt6() {
	$PY - "$@" <<-'PY'
	import ipaddress, sys
	addr, a, b = sys.argv[1:]
	a, b = ipaddress.IPv6Network(a), ipaddress.IPv6Network(b)
	plen = max(a.prefixlen, b.prefixlen)
	words = lambda x: [(int(x) >> (112 - 16 * i)) & 0xffff for i in range(8)]
	def add(x, y):
	    s = x + y
	    return (s & 0xffff) + (s >> 16)
	def total(ws):
	    s = 0
	    for w in ws:
	        s = add(s, w)
	    return s
	adj = add(total(words(a.network_address)), 0xffff ^ total(words(b.network_address)))
	host = int(ipaddress.IPv6Address(addr)) & ((1 << (128 - plen)) - 1)
	w = words(int(b.network_address) | host)
	idx = [3] if plen <= 48 else [i for i in range(4, 8) if w[i] != 0xffff][:1]
	if idx:
	    i = idx[0]
	    w[i] = add(w[i], adj)
	    w[i] = 0 if w[i] == 0xffff else w[i]
	    print(ipaddress.IPv6Address(sum(v << (112 - 16 * k) for k, v in enumerate(w))))
	PY
}
