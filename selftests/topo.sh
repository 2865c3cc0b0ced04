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
# default route goes through link 1. With TOPO_ROUTES=main the router is
# left as DHCP would leave it, for mwan-agent to route: no tables or
# rules, and in main a default route per link, metric 100+N. Like real ISPs (BCP 38), ISP N drops
# what the router sends it from any address but its own on that link, so a
# packet that leaves by the wrong link is lost, not quietly delivered.

SERVER4=203.0.113.1
SERVER6=2001:db8:ff::1
TOPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# -S: no site-packages for what needs only the standard library; under
# emulation, and more so on a debug kernel, scanning them costs seconds
# per start.
PY="/usr/bin/python3 -S"
FLOWS="$PY $TOPO_DIR/flows.py"
MWANCTL=${MWANCTL:-$(cd "$TOPO_DIR/.." && pwd)/user/mwanctl/mwanctl}

# flows NS CMD [ARGS...]: what "flows.py CMD ARGS..." prints, and its
# status, run in namespace NS ("-": this one) by an agent kept there for
# the test: a Python start a call saved, seconds each on a debug kernel.
# An agent serves one call at a time: what runs in the background starts
# flows.py itself ($FLOWS).
declare -A FLOWS_TO FLOWS_FROM
flows() {
	local ns=$1 line
	shift
	if [ -z "${FLOWS_TO[$ns]:-}" ]; then
		if ((BASH_SUBSHELL)); then	# could not keep an agent
			flows_run "$ns" "$@"
			return
		fi
		flows_agent "$ns" || return 1
	fi
	printf '%s\n' "$@" $'\x1e' >&"${FLOWS_TO[$ns]}" || return 1
	while IFS= read -r line <&"${FLOWS_FROM[$ns]}"; do
		if [[ $line == $'\x1e'* ]]; then
			return "${line#?}"
		fi
		printf '%s\n' "$line"
	done
	echo "flows: the agent in $ns is gone" >&2
	return 1
}

flows_stop() { kill "$1" 2>/dev/null; return 0; }

# flows_run NS CMD [ARGS...]: flows.py itself, in NS ("-": this one)
flows_run() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then
		$FLOWS "$@"
	else
		in_ns "$ns" $FLOWS "$@"
	fi
}

# flows_agent NS: start the agent of namespace NS; start them before the
# calls made in subshells ($(...), pipelines), which could not keep one
flows_agent() {
	local ns=$1 fifo to from
	if [ -z "${FLOWS_DIR:-}" ]; then	# one folder for all agents
		FLOWS_DIR=$(mktemp -d)
		defer rm -rf "$FLOWS_DIR"
	fi
	fifo=$FLOWS_DIR/${#FLOWS_TO[@]}
	mkfifo "$fifo.to" "$fifo.from" || return 1
	if [ "$ns" = - ]; then
		$FLOWS agent <"$fifo.to" >"$fifo.from" &
	else
		in_ns "$ns" $FLOWS agent <"$fifo.to" >"$fifo.from" &
	fi
	# Gone with the test, also if others hold a copy of its pipe's end.
	defer flows_stop $!
	exec {to}>"$fifo.to" {from}<"$fifo.from"
	FLOWS_TO[$ns]=$to
	FLOWS_FROM[$ns]=$from
}

rtr() { in_ns "$RTR" "$@"; }
lan() { in_ns "$LAN" "$@"; }
inet() { in_ns "$INET" "$@"; }
isp() { local ns=ISP$1; shift; in_ns "${!ns}" "$@"; }
isp_ns() { local ns=ISP$1; echo "${!ns}"; }
mwanctl() { "$MWANCTL" -n "$RTR" "$@"; }

# ns_sysctls NS...: forwarding everywhere; rp_filter off so replies may
# come back on any link; no DAD. Before any device is made (the defaults),
# for all the namespaces at once, by the agent here.
ns_sysctls() {
	flows - sysctl "$@" --set net.ipv4.ip_forward=1 \
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

# Each namespace's part of the network is one "ip -batch" (and one "ip -6
# -batch" for what needs the family spelt out): under emulation every
# process costs a tenth of a second (a second under the debug kernel), and
# a topology is a hundred commands. The ISPs come first, each making its
# veths with their peers in $RTR and $INET; what those two need is queued
# here and done by topo_router, in one batch each.
TOPO_RTR4=
TOPO_RTR6=
TOPO_INET=

# topo_isp N [NFT]: link N from router to the internet; NFT is the ISP's
# ruleset (default: BCP 38, only the router's link addresses as sources)
topo_isp() {
	local n=$1 ns=ISP$1 t=$((100 + $1))
	ns=${!ns}
	ip -n "$ns" -batch - <<-EOF
	link add down0 type veth peer name wan$n netns $RTR
	link set down0 up
	addr add 100.64.$n.1/24 dev down0
	addr add 2001:db8:$n::1/64 dev down0 nodad
	link add up0 type veth peer name isp$n netns $INET
	link set up0 up
	addr add 192.0.2.$((4 * n + 1))/30 dev up0
	addr add 2001:db8:100:$n::1/64 dev up0 nodad
	route add default via 192.0.2.$((4 * n + 2)) dev up0 onlink
	route add ::/0 via 2001:db8:100:$n::2 dev up0 onlink
	EOF
	in_ns "$ns" nft -f - <<<"${2:-$(topo_bcp38 "$n")}"
	TOPO_RTR4+="link set wan$n up
addr add 100.64.$n.2/24 dev wan$n
addr add 2001:db8:$n::2/64 dev wan$n nodad
"
	if [ "${TOPO_ROUTES:-}" = main ]; then
		TOPO_RTR4+="route add default via 100.64.$n.1 dev wan$n metric $((100 + n))
"
		TOPO_RTR6+="route add default via 2001:db8:$n::1 dev wan$n metric $((100 + n))
"
	else
		# the link's own routing table and the fwmark rule that
		# selects it
		TOPO_RTR4+="route add default via 100.64.$n.1 dev wan$n onlink table $t
rule add pref $((1000 + n)) fwmark $((n << 8))/0x3f00 table $t
"
		TOPO_RTR6+="route add default via 2001:db8:$n::1 dev wan$n onlink table $t
rule add pref $((1000 + n)) fwmark $((n << 8))/0x3f00 table $t
"
	fi
	TOPO_INET+="link set isp$n up
addr add 192.0.2.$((4 * n + 2))/30 dev isp$n
addr add 2001:db8:100:$n::2/64 dev isp$n nodad
route add 100.64.$n.0/24 via 192.0.2.$((4 * n + 1)) dev isp$n onlink
route add 2001:db8:$n::/64 via 2001:db8:100:$n::1 dev isp$n onlink
"
}

# topo_bcp38 N: ISP N drops what comes from the router with a source that
# is not the router's address on link N (an nft ruleset)
topo_bcp38() {
	cat <<-NFT
	table inet bcp38 {
		chain forward {
			type filter hook forward priority 0;
			iifname "down0" ip saddr != 100.64.$1.0/24 counter drop
			iifname "down0" ip6 saddr != 2001:db8:$1::/64 counter drop
		}
	}
	NFT
}

# addr_lines DEV ADDR...: "addr add" batch lines (IPv6 without DAD)
addr_lines() {
	local dev=$1 a
	shift
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			echo "addr add $a dev $dev nodad"
		else
			echo "addr add $a dev $dev"
		fi
	done
}

# addrs NS DEV ADDR...: put the addresses on DEV in NS, in one process
addrs() {
	local ns=$1 dev=$2
	shift 2
	addr_lines "$dev" "$@" | ip -n "$ns" -batch -
}

# topo_lan "HOST-ADDRS" "ROUTER-ADDRS": $LAN and $RTR joined by lan0; the
# host's default routes go to the router's first address of each family.
topo_lan() {
	local gw4 gw6 a
	for a in $2; do
		if [[ $a == *:* ]]; then gw6=${gw6:-${a%/*}}; else gw4=${gw4:-${a%/*}}; fi
	done
	# shellcheck disable=SC2086 # lists of addresses
	{
		echo "link add lan0 type veth peer name lan0 netns $RTR"
		echo "link set lan0 up"
		addr_lines lan0 $1
		echo "route add default via $gw4 dev lan0 onlink"
		echo "route add ::/0 via $gw6 dev lan0 onlink"
	} | ip -n "$LAN" -batch -
	# shellcheck disable=SC2086
	{ echo "link set lan0 up"; addr_lines lan0 $2; } | ip -n "$RTR" -batch -
	ip -n "$INET" -batch - <<-EOF
	link add srv type dummy
	link set srv up
	addr add $SERVER4/32 dev srv
	addr add $SERVER6/128 dev srv nodad
	EOF
}

# topo_agents: flows agents in the LAN and on the internet; they start
# while the rest of the network is built
topo_agents() {
	flows_agent "$LAN" && flows_agent "$INET"
}

# topo_router: the links' router and internet sides (queued by topo_isp);
# connected routes (the LAN) win over the links' default routes; the main
# table's default goes through link 1.
topo_router() {
	if [ "${TOPO_ROUTES:-}" = main ]; then
		ip -n "$RTR" -batch - <<<"$TOPO_RTR4"
		ip -6 -n "$RTR" -batch - <<<"$TOPO_RTR6"
	else
		ip -n "$RTR" -batch - <<-EOF
		${TOPO_RTR4}rule add pref 900 table main suppress_prefixlength 0
		route add default via 100.64.1.1 dev wan1 onlink
		EOF
		ip -6 -n "$RTR" -batch - <<-EOF
		${TOPO_RTR6}rule add pref 900 table main suppress_prefixlength 0
		route add default via 2001:db8:1::1 dev wan1 onlink
		EOF
	fi
	ip -n "$INET" -batch - <<<"$TOPO_INET"
	TOPO_RTR4='' TOPO_RTR6='' TOPO_INET=''
}

# topo_create N: a LAN, a router with N uplinks, N ISPs and the internet.
topo_create() {
	local n=$1 i ns names=(LAN RTR INET) made=()
	for ((i = 1; i <= n; i++)); do
		names+=("ISP$i")
	done
	setup_ns "${names[@]}"
	for ns in "${names[@]}"; do
		made+=("${!ns}")
	done
	ns_sysctls "${made[@]}"
	topo_lan "10.0.0.2/24 fd00:a::2/64" "10.0.0.1/24 fd00:a::1/64"
	topo_agents
	for ((i = 1; i <= n; i++)); do
		topo_isp "$i"
	done
	topo_router
	rtr nft -f - <<-NFT
	table inet nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "wan*" masquerade
		}
	}
	NFT
}

# topo_links N [WEIGHTS...]: register wan1..wanN with mwan, weights 1
# unless given, on a router with no config yet (one config replace).
topo_links() {
	topo_links_conf "$@" | mwanctl config replace -
}

topo_links_conf() {
	local n=$1 i w
	shift
	for ((i = 1; i <= n; i++)); do
		w=${1:-1}
		[ $# -gt 0 ] && shift
		echo "link add wan$i dev wan$i id $i weight $w"
	done
}

# nft_packets [NAME]: the packets the counters in the nft listing on stdin
# have counted, all of them or those with comment NAME
nft_packets() {
	awk -v c="comment \"${1:-}\"" '/counter/ && (c == "comment \"\"" || index($0, c)) {
		for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
		END { print n + 0 }'
}

# Packets ISP N dropped for leaving the router by the wrong link.
isp_spoofed() { isp "$1" nft list chain inet bcp38 forward | nft_packets; }

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
	isp "$1" nft list set inet watch flows | awk '
		/elements = \{/ { on = 1; sub(/.*\{/, "") }
		on { end = /\}/; gsub(/[{},]/, " "); for (i = 1; i <= NF; i++) print $i; on = !end }'
}

# Keep a server running in $INET; its log has one line per flow.
start_server() { # start_server LOGFILE [flows.py serve options]
	local log=$1
	shift
	inet $FLOWS serve --log "$log" --addr "$SERVER4" "$SERVER6" "$@" &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	flows - wait-ready "$log"
}

# Only the servers are waited for: the flows agents wait for the test.
stop_servers() {
	[ -n "${SERVER_PIDS:-}" ] || return 0
	kill $SERVER_PIDS 2>/dev/null
	wait $SERVER_PIDS 2>/dev/null
	SERVER_PIDS=
}

# pyq EXPR: print a Python expression over the JSON read from stdin (as
# d), by the agent here (read, the JSON reaches it as one line)
pyq() {
	local json
	IFS= read -r -d '' json
	flows - eval "$1" "${json//$'\n'/$'\x1f'}"
}

# share_tolerance POINTS: POINTS for the full volume of a split check,
# wider as one over the square root of the flows at $MWAN_TEST_SCALE
share_tolerance() {
	awk -v p="$1" -v s="${MWAN_TEST_SCALE:-100}" 'BEGIN { printf "%.1f", p * sqrt(100 / s) }'
}

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
	flows_agent -
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
	local n=$1 i members=
	topo_create "$n"
	for ((i = 1; i <= n; i++)); do
		members+=" member wan$i"
	done
	{
		topo_links_conf "$@"
		echo "policy add balanced$members"
		echo "globals set default-policy balanced"
	} | mwanctl config replace - || return 1
	topo_server
}

# seen_wait TAG N: wait until the server has logged N lines of flows
# tagged TAG, e.g. until background flows are under way; fails after a
# minute (a debug kernel takes seconds to start a client)
seen_wait() { slowwait 60 seen_at_least "$@"; }
seen_at_least() { [ "$(grep -c " $1-" "$log")" -ge "$2" ]; }

# seen_after TAG N: wait until the server has logged N lines more of flows
# tagged TAG than it has now
seen_after() { seen_wait "$1" $(($(grep -c " $1-" "$log") + $2)); }

# seen_flows TAG N: the server has seen each of the N flows tagged TAG
seen_flows() {
	awk -v t="$1-" -v n="$2" 'index($4, t) == 1 && !($4 in f) { f[$4]; k++ }
		END { exit !(k >= n) }' "$log"
}

# The link of an address the server saw, in awk: 100.64.N.2 and
# 2001:db8:N::2 are link N, anything else 0.
AWK_LINK='
function hex(s, i, n) {
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}
function link(peer, a) {
	if (peer ~ /^100\.64\./) { split(peer, a, "."); return a[3] + 0 }
	if (peer ~ /^2001:db8:[0-9a-f]+::2$/) { split(peer, a, ":"); return hex(a[3]) }
	return 0
}'

# links_of TAG: the links the server saw flows tagged TAG use, e.g. "1 3"
links_of() {
	awk -v t="$1-" "$AWK_LINK"' index($4, t) == 1 { print link($2) }' "$log" |
		sort -nu | xargs
}

# flows_stayed TAG N LINKS: the N flows tagged TAG each used a single link,
# and LINKS different links between them.
flows_stayed() {
	awk -v t="$1-" -v n="$2" -v k="$3" "$AWK_LINK"'
		index($4, t) != 1 { next }
		!($4 in flow) { flow[$4] = link($2); flows++
				if (!(flow[$4] in used)) { used[flow[$4]]; links++ }
				next }
		flow[$4] != link($2) { moved = 1 }
		END { exit !(flows == n && links == k && !moved) }' "$log"
}
