#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make bench (selftests/bench/bench.sh boots it under
# QEMU with -icount, one vCPU): topo.sh's network with two links, then the
# contenders in alternating rounds (A B C ... A B C ...), each measured in
# packets per guest-second at the internet side of the ISPs. Prints one
# line per measurement, "bench: ROUND CONTENDER WHAT RATE", which
# bench.sh turns into the table, and "ok"/"not ok" lines (KTAP) saying
# whether each contender was measured at all.
#
# Guest time advances with executed instructions (-icount), so the bash
# clock ($EPOCHREALTIME) in here measures per-packet cost, whatever the
# host's load.
#
# Environment (from bench.sh; only MWAN_* reaches the guest):
#   MWAN_BENCH_ROUNDS    rounds (the first is warm-up, dropped by bench.sh)
#   MWAN_BENCH_SECONDS   guest seconds counted per measurement
#   MWAN_BENCH_DIR       blast, mwan_floor.ko, cur/ and base/ (mwan.ko and
#                        mwanctl of this tree and of BENCH_BASE_REV)
#   MWAN_BENCH_CONTENDERS  which contenders, in order (default: all)
#   MWAN_BENCH_SKIP      contenders to leave out of those
#
# What is measured, sent by blast from the LAN (or the router itself) to
# the server, 46-byte UDP datagrams as fast as they go:
#   est    one long flow: the cost of a packet of an established connection
#   new    a new source port per datagram: the cost of a new connection
#   local  a connected UDP socket on the router, pinned to link 2 (by a
#          "local" rule where the contender has one): router-originated
#          traffic; measured for the contenders that have a local_up
#   tcp    one TCP connection from the LAN to the server (socat from
#          /dev/zero to a socat writing to /dev/null), in bits per guest
#          second arriving at the server's side, IP headers included: the
#          main part's contenders only. The veths' offloads stay as they
#          are (TSO/GSO on), so the router forwards segments of up to 64 kB
#          and this is mostly the cost per byte of sending and receiving,
#          where the others are the router's cost per packet
#
# The IPv6 contenders (named ...6 or ...-npt) send the same from the Debian
# seed's host 3d06:bad:b01:1::100 (selftests/topo_seed.sh) to the server's
# IPv6 address; those that translate map the seed's internal /60 to each
# link's delegated /60 and back. Each is compared with baseline6, and one
# that translates also with the same router untranslated (its "bench-ref"
# line says which), which is what the translation itself costs.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=selftests/lib.sh
source "$HERE/../lib.sh"
# shellcheck source=selftests/topo.sh
source "$HERE/../topo.sh"
# shellcheck source=selftests/topo_seed.sh
source "$HERE/../topo_seed.sh"	# the seed's IPv6 prefixes

ROUNDS=${MWAN_BENCH_ROUNDS:-3}
SECS=${MWAN_BENCH_SECONDS:-2}
DIR=${MWAN_BENCH_DIR:?}
BLAST=$DIR/blast
PORT=9
TCP_PORT=5001
TCP_BUF=131072
# Before each count, once the sender sends: caches warm.
SETTLE=0.3
ALL_CONTENDERS="baseline mwan mwan-agent mwan-iif mwan-base nft ipt-nft ipt-legacy floor"
ALL_CONTENDERS+=" baseline6 mwan6-plain mwan6-prefix mwan6-rfc6296"
ALL_CONTENDERS+=" ip6t-nft-notrack ip6t-nft-npt ip6t-legacy-notrack"
ALL_CONTENDERS+=" ip6t-legacy-npt nft-npt"
CONTENDERS=${MWAN_BENCH_CONTENDERS:-$ALL_CONTENDERS}
for c in ${MWAN_BENCH_SKIP:-}; do
	CONTENDERS=$(echo " $CONTENDERS " | sed "s/ $c / /")
done

# Each link's fwmark rule and the rule mwan requires ahead of them; the
# contenders add what they use, the baseline none.
RULE_SUPPRESS="pref 900 lookup main suppress_prefixlength 0"
RULE_LINK1="pref 1001 fwmark 0x100/0x3f00 lookup 101"
RULE_LINK2="pref 1002 fwmark 0x200/0x3f00 lookup 102"
# mwan3's: what comes in from a link goes by main, ahead of the fwmark rules
RULE_ISP_IN="pref 901 iif wan1 lookup main
pref 902 iif wan2 lookup main"
# The LAN host's IPv6 address and the seed's delegated prefixes: link N
# translates to EXT6[N].
HOST6_SRC=$VLAN100_HOST6
EXT6=("" "$ATT6" "$WEBPASS6")

# ---- the network --------------------------------------------------------

# topo.sh's network with its own policy rules taken out, and a sink on the
# internet side: the server's machine drops the datagrams as they arrive
# (ingress: only blast's datagrams, UDP length 26, not its hello nor
# ARP), so receiving costs every contender the same, next to nothing.
# /proc/PID/net/dev of a process there counts them.
bench_topo() {
	topo_create 2 || return 1
	ip -n "$RTR" -batch - <<-EOF
	rule del $RULE_SUPPRESS
	rule del $RULE_LINK1
	rule del $RULE_LINK2
	EOF
	inet nft -f - <<-NFT
	table netdev sink {
		chain isp1 { type filter hook ingress device "isp1" priority 0; udp length 26 drop; }
		chain isp2 { type filter hook ingress device "isp2" priority 0; udp length 26 drop; }
	}
	NFT
	static_neighbours
	bench6_topo || return 1
	# blast's hello gets its answer from here (topo.sh's echo server)
	log=$(mktemp)
	defer rm -f "$log" "$log.ready"
	defer stop_servers
	start_server "$log" --port "$PORT" || return 1
	bg_in "$INET" sleep infinity
	INET_PID=$!
	defer kill "$INET_PID"
	bg_in "$RTR" sleep infinity
	RTR_PID=$!
	defer kill "$RTR_PID"
	# the TCP measurement's sink, IPv4 and IPv6 (bindv6only is 0); a
	# child per connection
	bg_in "$INET" socat -u -b "$TCP_BUF" \
		"TCP6-LISTEN:$TCP_PORT,reuseaddr,fork" OPEN:/dev/null
	TCP_SINK_PID=$!
	defer kill "$TCP_SINK_PID"
	READY=$FLOWS_DIR/ready
	# A new connection per datagram for seconds: room for them all.
	sysctl -qw net.netfilter.nf_conntrack_max=262144
}

# bg_in NS CMD...: CMD in the background in NS, $! its own pid (in_ns
# would leave a subshell there, in this namespace)
bg_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@" &
}

# Fixed neighbours on the way: a flood must not wait for ARP (a sender
# blocked behind an unresolved neighbour for a retransmit second was seen
# to lose whole counts).
static_neighbours() {
	local n
	neighbour "$LAN" lan0 10.0.0.1 "$RTR" lan0
	neighbour "$RTR" lan0 10.0.0.2 "$LAN" lan0
	for n in 1 2; do
		neighbour "$RTR" "wan$n" "100.64.$n.1" "$(isp_ns $n)" down0
		neighbour "$(isp_ns $n)" down0 "100.64.$n.2" "$RTR" "wan$n"
		neighbour "$(isp_ns $n)" up0 "192.0.2.$((4 * n + 2))" "$INET" "isp$n"
		neighbour "$INET" "isp$n" "192.0.2.$((4 * n + 1))" "$(isp_ns $n)" up0
	done
}

# IPv6 as a Debian router without translation has it: routed, tracked by
# conntrack (the router's inet nat table), not masqueraded; the seed's
# host on the LAN. Its internal /60 is routable here so that baseline6 can
# send from it untranslated: each ISP routes it and the link's delegated
# /60 to the router and takes both as sources; the internet routes the
# internal /60 through ISP 1 and each delegated one through its ISP.
bench6_topo() {
	local n
	ip -6 -n "$RTR" -batch - <<-EOF
	rule del $RULE_SUPPRESS
	rule del $RULE_LINK1
	rule del $RULE_LINK2
	addr add ${HOST6_SRC%::*}::1/64 dev lan0 nodad
	EOF
	rtr nft -f - <<-NFT
	flush chain inet nat post
	add rule inet nat post oifname "wan*" meta nfproto ipv4 masquerade
	NFT
	addrs "$LAN" lan0 "$HOST6_SRC/64"
	for n in 1 2; do
		isp "$n" nft -f - <<-NFT
		flush chain inet bcp38 forward
		add rule inet bcp38 forward iifname "down0" ip saddr != 100.64.$n.0/24 counter drop
		add rule inet bcp38 forward iifname "down0" ip6 saddr != { 2001:db8:$n::/64, $INTERNAL6, ${EXT6[n]} } counter drop
		NFT
		ip -6 -n "$(isp_ns $n)" -batch - <<-EOF
		route add $INTERNAL6 via 2001:db8:$n::2 dev down0
		route add ${EXT6[n]} via 2001:db8:$n::2 dev down0
		EOF
		inet ip -6 route add "${EXT6[n]}" via "2001:db8:100:$n::1" dev "isp$n"
	done
	inet ip -6 route add "$INTERNAL6" via 2001:db8:100:1::1 dev isp1
	# what the server may see the LAN host as (topo_seed.sh computes it)
	SRC6_PLAIN=$HOST6_SRC
	SRC6_PREFIX="$(swap6 "$HOST6_SRC" "$INTERNAL6" "$ATT6") $(swap6 "$HOST6_SRC" "$INTERNAL6" "$WEBPASS6")"
	SRC6_RFC6296="$(npt6 "$HOST6_SRC" "$INTERNAL6" "$ATT6") $(npt6 "$HOST6_SRC" "$INTERNAL6" "$WEBPASS6")"
	neighbour "$LAN" lan0 fd00:a::1 "$RTR" lan0
	neighbour "$RTR" lan0 "$HOST6_SRC" "$LAN" lan0
	for n in 1 2; do
		neighbour "$RTR" "wan$n" "2001:db8:$n::1" "$(isp_ns $n)" down0
		neighbour "$(isp_ns $n)" down0 "2001:db8:$n::2" "$RTR" "wan$n"
		neighbour "$(isp_ns $n)" up0 "2001:db8:100:$n::2" "$INET" "isp$n"
		neighbour "$INET" "isp$n" "2001:db8:100:$n::1" "$(isp_ns $n)" up0
	done
}

neighbour() { # neighbour NS DEV ADDR PEER-NS PEER-DEV
	local mac
	mac=$(ip -n "$4" -br link show dev "$5" | awk '{ print $3 }')
	ip -n "$1" neigh replace "$3" lladdr "$mac" dev "$2" nud permanent
}

rules() { # rules add|del RULE...: ip rules of the router, one process
	local op=$1 r
	shift
	for r in "$@"; do
		while IFS= read -r line; do
			echo "rule $op $line"
		done <<<"$r"
	done | ip -n "$RTR" ${RULES_FAMILY:+"$RULES_FAMILY"} -batch -
}

rules6() { RULES_FAMILY=-6 rules "$@"; }

ct_flush() { rtr conntrack -F >/dev/null 2>&1 || true; }

# RX, RX_BYTES: the packets and bytes the internet side has received from
# both ISPs, read without starting a program (a fork would run inside the
# count). Split at the colon: from 10 MB on, the byte count touches it
# ("isp1:12345678").
rx_read() {
	local dev rest f
	RX=0 RX_BYTES=0
	while IFS=: read -r dev rest; do
		case ${dev// /} in
		isp*)
			read -r -a f <<<"$rest"
			RX=$((RX + f[1])) RX_BYTES=$((RX_BYTES + f[0]))
			;;
		esac
	done </proc/"$INET_PID"/net/dev
}

# rx_above BYTES: the internet side has received more than BYTES bytes
rx_above() {
	rx_read
	[ "$RX_BYTES" -gt "$1" ]
}

# measure ROUND CONTENDER WHAT NS BLAST-ARGS...: run blast in NS, count
# what arrives over $SECS guest seconds, print the rate. The count is
# timed by the clock, right where the counters are read; starting sleep
# costs every contender the same instants of sending.
measure() {
	local round=$1 c=$2 what=$3 ns=$4 pid a t0 us rate
	shift 4
	bg_in "$ns" "$BLAST" "$@" >"$READY"
	pid=$!
	# blast says when it sends (after its hello was answered). Guest
	# time jumps ahead while the guest waits for the host (-icount
	# sleep=off), as when a program is read over 9p on a busy host, so
	# this allows much more than it takes; a count without a sender
	# would be wrong.
	if ! slowwait 600 test -s "$READY"; then
		echo "# $c $what: blast not ready"
		kill "$pid"
		wait "$pid" 2>/dev/null
		return 1
	fi
	sleep "$SETTLE"
	rx_read
	a=$RX t0=${EPOCHREALTIME/./}
	sleep "$SECS"
	rx_read
	us=$((${EPOCHREALTIME/./} - t0))
	rate=$(((RX - a) * 1000000 / us))
	kill "$pid"
	wait "$pid" 2>/dev/null
	: >"$READY"
	ct_flush
	echo "bench: $round $c $what $rate"
	[ "$rate" -gt 0 ]
}

# measure_tcp ROUND CONTENDER NS SOCAT-ADDRESS: one TCP connection from
# NS to the sink at SOCAT-ADDRESS, as fast as it goes; print its rate in
# bits per guest second as the server's side receives it (IP headers
# included, as the interfaces count them), like measure. A comment line
# gives the mean size of what arrived: with TSO/GSO on the veths the
# hooks on the way see segments of that size, not 1500-byte packets.
measure_tcp() {
	local round=$1 c=$2 ns=$3 dst=$4 pid a p t0 us rate
	rx_read
	a=$RX_BYTES
	bg_in "$ns" socat -u -b "$TCP_BUF" OPEN:/dev/zero "$dst"
	pid=$!
	# connected and sending: a megabyte arrived
	if ! slowwait 600 rx_above $((a + 1000000)); then
		echo "# $c tcp: no data arrived"
		kill "$pid"
		wait "$pid" 2>/dev/null
		return 1
	fi
	sleep "$SETTLE"
	rx_read
	a=$RX_BYTES p=$RX t0=${EPOCHREALTIME/./}
	sleep "$SECS"
	rx_read
	us=$((${EPOCHREALTIME/./} - t0))
	rate=$(((RX_BYTES - a) * 8000000 / us))
	kill "$pid"
	wait "$pid" 2>/dev/null
	ct_flush
	echo "# $c tcp: $((RX_BYTES - a)) bytes in $((RX - p)) packets," \
		"$(((RX_BYTES - a) / (RX - p > 0 ? RX - p : 1))) bytes each"
	echo "bench: $round $c tcp $rate"
	[ "$rate" -gt 0 ]
}

# ---- the contenders: NAME_up, NAME_down, NAME_local_up (optional) -------

baseline_up() { :; }
baseline_down() { :; }
# without mwan, the route to the server through link 2 is in main
baseline_local_up() { rtr ip route add "$SERVER4/32" via 100.64.2.1 dev wan2; }
baseline_local_down() { rtr ip route del "$SERVER4/32"; }

# mwan as the README sets it up, by the module and mwanctl in $1; $2
# routes what comes in from the links to the LAN (default: the README's
# "lookup main suppress_prefixlength 0")
mwan_load() {
	local dep
	for dep in $(modinfo -F depends "$1/mwan.ko" | tr , ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$1/mwan.ko"
}

MWAN_CONF="link add wan1 dev wan1 id 1 weight 1
link add wan2 dev wan2 id 2 weight 1
policy add balanced member wan1 member wan2
globals set default-policy balanced"

mwan_up_from() {
	local d=$1
	MWAN_IN_RULES=${2:-$RULE_SUPPRESS}
	mwan_load "$d" || return 1
	rules add "$MWAN_IN_RULES" "$RULE_LINK1" "$RULE_LINK2"
	"$d/mwanctl" -n "$RTR" config replace - <<<"$MWAN_CONF"
}

mwan_down_from() {
	rmmod mwan
	rules del "$MWAN_IN_RULES" "$RULE_LINK1" "$RULE_LINK2"
}

# the router's own connections to the server: pinned to link 2
mwan_local_from() {
	"$1/mwanctl" -n "$RTR" policy add pin2 member wan2 &&
		"$1/mwanctl" -n "$RTR" rule add to-server policy pin2 \
			dst "$SERVER4/32" local no-forward
}

mwan_up() { mwan_up_from "$DIR/cur"; }
mwan_down() { mwan_down_from "$DIR/cur"; }
mwan_local_up() { mwan_local_from "$DIR/cur"; }
mwan_local_down() { :; }
# mwan as mwan-agent routes it: per link a table of its own (201, 202)
# with a copy of main's LAN routes and the link's default route, and the
# fwmark and unreachable rules; no rule ahead of them. The agent itself
# idles (no checks): routing changes are all it would wake for.
mwan-agent_up() {
	mwan_load "$DIR/cur" || return 1
	printf '%s\n' "$MWAN_CONF" "routing table-base 200" \
		"route wan1 via 100.64.1.1" "route wan2 via 100.64.2.1" \
		>"$DIR/agent.conf"
	bg_in "$RTR" "$DIR/cur/mwan-agent" -c "$DIR/agent.conf" \
		2>"$DIR/agent.log"
	AGENT_PID=$!
	# both links' default routes and four rules per family
	slowwait 20 sh -c "ip -n $RTR route show table 202 | grep -q ^default &&
		[ \$(ip -n $RTR rule show | grep -c 'proto \(109\|mwan\)') -ge 4 ]"
}
mwan-agent_down() {
	kill "$AGENT_PID"
	wait "$AGENT_PID"
	"$DIR/cur/mwan-agent" -n "$RTR" --cleanup >/dev/null
	rmmod mwan
}
mwan-agent_local_up() { mwan_local_from "$DIR/cur"; }
mwan-agent_local_down() { :; }
# mwan-agent-gone: the agent's routing (its rules and tables, and the
# kernel's configuration) with the agent itself gone (SIGKILL leaves
# them): what the agent's process costs, apart from its routing
mwan-agent-gone_up() {
	mwan-agent_up || return 1
	if [ -z "${AGENT_SHOWN:-}" ]; then
		AGENT_SHOWN=1
		ip -n "$RTR" rule show | sed 's/^/# agent rule: /'
		ip -n "$RTR" route show table 201 | sed 's/^/# agent table 201: /'
	fi
	kill -KILL "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null
	return 0
}
mwan-agent-gone_down() {
	"$DIR/cur/mwan-agent" -n "$RTR" --cleanup >/dev/null
	rmmod mwan
}
mwan-agent-gone_local_up() { mwan_local_from "$DIR/cur"; }
mwan-agent-gone_local_down() { :; }
# the same with mwan3's "iif wanN lookup main" rules instead: what the
# suppress_prefixlength rule costs (it is looked up for every packet)
mwan-iif_up() { mwan_up_from "$DIR/cur" "$RULE_ISP_IN"; }
mwan-iif_down() { mwan_down_from "$DIR/cur"; }
mwan-iif_local_up() { mwan_local_from "$DIR/cur"; }
mwan-iif_local_down() { :; }
# the same at BENCH_BASE_REV, its module and its mwanctl
mwan-base_up() { mwan_up_from "$DIR/base"; }
mwan-base_down() { mwan_down_from "$DIR/base"; }
mwan-base_local_up() { mwan_local_from "$DIR/base"; }
mwan-base_local_down() { :; }

# The Debian seed's nftables: a random link for each new connection from
# the LAN, kept in the conntrack mark and restored into the packet mark.
nft_up() {
	rules add "$RULE_LINK1" "$RULE_LINK2"
	rtr nft -f - <<-NFT
	table inet seed {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			iifname != "lan0" return
			ct state new meta mark set numgen random mod 2 map { 0 : 0x100, 1 : 0x200 } ct mark set meta mark
			ct state established,related meta mark set ct mark
		}
	}
	NFT
}

nft_down() {
	rtr nft delete table inet seed
	rules del "$RULE_LINK1" "$RULE_LINK2"
}

# The router's own connections to the server: link 2, restored per packet
# in a route chain (which routes again when the mark changed).
nft_local_up() {
	rtr nft -f - <<-NFT
	table inet seed {
		chain out {
			type route hook output priority mangle; policy accept;
			ip daddr $SERVER4 ct state new ct mark set 0x200
			meta mark set ct mark
		}
	}
	NFT
}
nft_local_down() { :; }

# mwan3's shape (its mwan3_hook, rules and policy chains in mangle):
# restore the link from the conntrack mark, pick one for what has none by
# a statistic cascade, save it. mwan3 routes what comes in from a link by
# main with "iif DEV lookup main" rules (RULE_ISP_IN).
MWAN3_RULES="*mangle
:mwan3_hook - [0:0]
:mwan3_rules - [0:0]
:mwan3_policy_balanced - [0:0]
-A PREROUTING -j mwan3_hook
-A mwan3_hook -m mark --mark 0x0/0x3f00 -j CONNMARK --restore-mark --nfmask 0x3f00 --ctmask 0x3f00
-A mwan3_hook -m mark --mark 0x0/0x3f00 -j mwan3_rules
-A mwan3_hook -j CONNMARK --save-mark --nfmask 0x3f00 --ctmask 0x3f00
-A mwan3_rules -m mark --mark 0x0/0x3f00 -j mwan3_policy_balanced
-A mwan3_policy_balanced -m mark --mark 0x0/0x3f00 -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x100/0x3f00
-A mwan3_policy_balanced -m mark --mark 0x0/0x3f00 -j MARK --set-xmark 0x200/0x3f00
COMMIT
"
# the router's own traffic goes through mwan3_hook too, the server pinned
MWAN3_LOCAL="*mangle
:mwan3_policy_wan2 - [0:0]
-A mwan3_policy_wan2 -m mark --mark 0x0/0x3f00 -j MARK --set-xmark 0x200/0x3f00
-I mwan3_rules 1 -d $SERVER4/32 -m mark --mark 0x0/0x3f00 -j mwan3_policy_wan2
-A OUTPUT -j mwan3_hook
COMMIT
"

ipt_up() { # ipt_up nft|legacy
	rules add "$RULE_ISP_IN" "$RULE_LINK1" "$RULE_LINK2"
	rtr "iptables-$1-restore" <<<"$MWAN3_RULES"
}

ipt_down() {
	rtr "iptables-$1" -t mangle -F
	rtr "iptables-$1" -t mangle -X
	rules del "$RULE_ISP_IN" "$RULE_LINK1" "$RULE_LINK2"
}

ipt_local_up() { rtr "iptables-$1-restore" --noflush <<<"$MWAN3_LOCAL"; }

ipt-nft_up() { ipt_up nft; }
ipt-nft_local_up() { ipt_local_up nft; }
ipt-nft_local_down() { :; }
# an empty table still hooks; the next contender must not pay for it
ipt-nft_down() { ipt_down nft && rtr nft delete table ip mangle; }
ipt-legacy_up() { ipt_up legacy; }
ipt-legacy_local_up() { ipt_local_up legacy; }
ipt-legacy_local_down() { :; }
# a legacy table stays hooked while its module is loaded
ipt-legacy_down() { ipt_down legacy && rmmod iptable_mangle; }

# The floor: a module that only restores the conntrack mark, in the
# router's namespace only, and the links' fwmark rules.
floor_up() {
	insmod "$DIR/mwan_floor.ko" pid="$RTR_PID" || return 1
	rules add "$RULE_LINK1" "$RULE_LINK2"
}

floor_down() {
	rmmod mwan_floor
	rules del "$RULE_LINK1" "$RULE_LINK2"
}

# ---- IPv6: NPTv6 by mwan, ip6tables and nftables -------------------------
#
# Each prints its "bench-ref" first: the contender an IPv6 contender is
# compared with (baseline6), and the one that is the same router without
# translation.

baseline6_ref() { echo "bench-ref: baseline6 IPv6 baseline6"; }
baseline6_up() { :; }
baseline6_down() { :; }

# mwan as mwan-iif routes IPv4 (mwan3's "iif wanN lookup main" and the
# fwmark rules), for IPv6; each link translates in mode $1 (none: no
# translation) from the seed's internal /60 to its delegated one.
mwan6_up() {
	local n mode=$1 conf=
	mwan_load "$DIR/cur" || return 1
	rules6 add "$RULE_ISP_IN" "$RULE_LINK1" "$RULE_LINK2"
	for n in 1 2; do
		conf+="link add wan$n dev wan$n id $n weight 1${mode:+ npt $INTERNAL6 ${EXT6[n]} mode $mode}"$'\n'
	done
	"$DIR/cur/mwanctl" -n "$RTR" config replace - <<-EOF
	${conf}policy add balanced member wan1 member wan2
	globals set default-policy balanced
	EOF
}

mwan6_down() {
	rmmod mwan
	rules6 del "$RULE_ISP_IN" "$RULE_LINK1" "$RULE_LINK2"
}

mwan6-plain_ref() { echo "bench-ref: mwan6-plain IPv6 baseline6"; }
mwan6-plain_up() { mwan6_up ""; }
mwan6-plain_down() { mwan6_down; }
mwan6-prefix_ref() { echo "bench-ref: mwan6-prefix IPv6 baseline6 mwan6-plain"; }
mwan6-prefix_up() { mwan6_up prefix; }
mwan6-prefix_down() { mwan6_down; }
mwan6-rfc6296_ref() { echo "bench-ref: mwan6-rfc6296 IPv6 baseline6 mwan6-plain"; }
mwan6-rfc6296_up() { mwan6_up rfc6296; }
mwan6-rfc6296_down() { mwan6_down; }

# ip6t_NPT as its man page has it: SNPT and DNPT per link in mangle, and
# no conntrack for what they translate (NOTRACK in raw), as connection
# tracking would see a reply to the translated address as a connection
# of its own. Routed by main, as without translation. ip6t_npt_rules
# notrack: the NOTRACK rules alone, the same router untranslated.
ip6t_npt_rules() {
	local n
	echo "*raw"
	echo "-A PREROUTING -i lan0 -s $INTERNAL6 -j NOTRACK"
	for n in 1 2; do
		echo "-A PREROUTING -i wan$n -d ${EXT6[n]} -j NOTRACK"
	done
	echo "COMMIT"
	[ "${1:-}" = notrack ] && return
	echo "*mangle"
	for n in 1 2; do
		echo "-A POSTROUTING -o wan$n -s $INTERNAL6 -j SNPT --src-pfx $INTERNAL6 --dst-pfx ${EXT6[n]}"
		echo "-A PREROUTING -i wan$n -d ${EXT6[n]} -j DNPT --src-pfx ${EXT6[n]} --dst-pfx $INTERNAL6"
	done
	echo "COMMIT"
}

# empty tables still hook; the next contender must not pay for them
ip6t_nft_down() {
	local t
	for t in raw mangle; do
		rtr nft list table ip6 "$t" >/dev/null 2>&1 || continue
		rtr nft delete table ip6 "$t" || return 1
	done
}

# a legacy table stays hooked while its module is loaded
ip6t_legacy_down() {
	rtr ip6tables-legacy -t raw -F && rtr ip6tables-legacy -t mangle -F &&
		rmmod ip6table_raw ip6table_mangle
}

ip6t-nft-notrack_ref() { echo "bench-ref: ip6t-nft-notrack IPv6 baseline6"; }
ip6t-nft-notrack_up() { ip6t_npt_rules notrack | rtr ip6tables-nft-restore; }
ip6t-nft-notrack_down() { ip6t_nft_down; }
ip6t-nft-npt_ref() { echo "bench-ref: ip6t-nft-npt IPv6 baseline6 ip6t-nft-notrack"; }
ip6t-nft-npt_up() { ip6t_npt_rules | rtr ip6tables-nft-restore; }
ip6t-nft-npt_down() { ip6t_nft_down; }
ip6t-legacy-notrack_ref() { echo "bench-ref: ip6t-legacy-notrack IPv6 baseline6"; }
ip6t-legacy-notrack_up() { ip6t_npt_rules notrack | rtr ip6tables-legacy-restore; }
ip6t-legacy-notrack_down() { ip6t_legacy_down; }
ip6t-legacy-npt_ref() { echo "bench-ref: ip6t-legacy-npt IPv6 baseline6 ip6t-legacy-notrack"; }
ip6t-legacy-npt_up() { ip6t_npt_rules | rtr ip6tables-legacy-restore; }
ip6t-legacy-npt_down() { ip6t_legacy_down; }

# The seed's own way: nftables' stateful prefix NAT per link (its
# update-npt.sh fills "table ip6 nat" so), routed by main.
nft-npt_ref() { echo "bench-ref: nft-npt IPv6 baseline6 baseline6"; }
nft-npt_up() {
	rtr nft -f - <<-NFT
	table ip6 npt {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "wan1" ip6 saddr $INTERNAL6 snat ip6 prefix to $ATT6
			oifname "wan2" ip6 saddr $INTERNAL6 snat ip6 prefix to $WEBPASS6
		}
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "wan1" ip6 daddr $ATT6 dnat ip6 prefix to $INTERNAL6
			iifname "wan2" ip6 daddr $WEBPASS6 dnat ip6 prefix to $INTERNAL6
		}
	}
	NFT
}
nft-npt_down() { rtr nft delete table ip6 npt; }


# ---- scaling: links, rules, conntrack entries ---------------------------
#
# mwan (as mwan-iif routes: "iif wanN lookup main" and fwmark rules) with
# more of what it may have to look through, the traffic the same: each
# compared with the smallest case of its kind ("bench-ref" lines).
#   mwan-linksN   N links configured (2, 8, 63), the policy over wan1 and
#                 wan2; links 3..N on dummy devices
#   mwan-rulesN   N rules (1, 100, 1000), only the last matching
#   baseline-ctN, mwan-ctN   N conntrack entries present (10k, 100k, 1M)

SCALE_LINKS=${MWAN_BENCH_SCALE_LINKS:-2 8 63}
SCALE_RULES=${MWAN_BENCH_SCALE_RULES:-1 100 1000}
SCALE_CT=${MWAN_BENCH_SCALE_CT:-10000 100000 1000000}
CTFILL=$HERE/../ctfill.py
CT_NS=mwanbench-ct

# scale_conf LINKS RULES: mwan's configuration with LINKS links, the
# policy over the first two, and RULES rules of which only the last
# matches (the others name addresses nothing is sent to)
scale_conf() {
	local links=$1 rules=$2 i
	echo "link add wan1 dev wan1 id 1 weight 1"
	echo "link add wan2 dev wan2 id 2 weight 1"
	for ((i = 3; i <= links; i++)); do
		echo "link add d$i dev d$i id $i weight 1"
	done
	echo "policy add balanced member wan1 member wan2"
	echo "globals set default-policy balanced"
	for ((i = 1; i < rules; i++)); do
		echo "rule add r$i policy balanced dst 198.51.$((i / 256)).$((i % 256))/32"
	done
	[ "$rules" = 0 ] || echo "rule add last policy balanced dst $SERVER4/32"
}

scale_up() { # scale_up LINKS RULES
	mwan_load "$DIR/cur" || return 1
	MWAN_IN_RULES=$RULE_ISP_IN
	rules add "$MWAN_IN_RULES" "$RULE_LINK1" "$RULE_LINK2"
	scale_conf "$1" "$2" | "$DIR/cur/mwanctl" -n "$RTR" config replace -
}

scale_down() { mwan_down_from "$DIR/cur"; }

# ct_fill N: N conntrack entries, made in a namespace of their own: the
# kernel hashes every namespace's entries into its one table, so the
# router's lookups walk them as if they were its own, and the flush
# after each measurement (the router's namespace) leaves them be.
ct_fill() {
	local made
	nsenter --net="/run/netns/$CT_NS" conntrack -F >/dev/null 2>&1
	made=$(nsenter --net="/run/netns/$CT_NS" /usr/bin/python3 -S "$CTFILL" \
		"$1" --marks 0x100,0x200 --timeout 86400) || return 1
	[ "$made" = "$1" ] || { echo "# ctfill made $made of $1"; return 1; }
}

# what a size is called: 10000 -> 10k, 1000000 -> 1m
ct_name() {
	if (($1 % 1000000 == 0)); then
		echo "$(($1 / 1000000))m"
	elif (($1 % 1000 == 0)); then
		echo "$(($1 / 1000))k"
	else
		echo "$1"
	fi
}

# scale_series KIND TABLE ARGS N...: contenders mwan-KIND$N for each N,
# set up by "scale_up ARGS" with %s in ARGS standing for N, each compared
# with the series' first in the table TABLE
scale_series() {
	local kind=$1 table=$2 args=$3 n first=
	shift 3
	for n; do
		eval "mwan-$kind${n}_up() { scale_up $(printf "$args" "$n"); }"
		eval "mwan-$kind${n}_down() { scale_down; }"
		first=${first:-$n}
		echo "bench-ref: mwan-$kind$n $table mwan-$kind$first"
		SCALE_A+=" mwan-$kind$n"
	done
}

scale_define() {
	local n first
	scale_series links Links '%s 0' $SCALE_LINKS
	scale_series rules Rules '2 %s' $SCALE_RULES
	echo "bench-ref: mwan-nopush Pushes mwan-nopush"
	echo "bench-ref: mwan-push Pushes mwan-nopush"
	echo "bench-ref: mwan-pushread Pushes mwan-nopush"
	SCALE_A+=" mwan-nopush mwan-push mwan-pushread"
	first=
	for n in $SCALE_CT; do
		n=$(ct_name "$n")
		eval "mwan-ct${n}_up() { scale_up 2 0; }"
		eval "mwan-ct${n}_down() { scale_down; }"
		eval "baseline-ct${n}_up() { :; }"
		eval "baseline-ct${n}_down() { :; }"
		first=${first:-$n}
		echo "bench-ref: baseline-ct$n Conntrack baseline-ct$first"
		echo "bench-ref: mwan-ct$n Conntrack mwan-ct$first baseline-ct$n"
	done
	echo "bench-plain: Conntrack vs baseline-ct of the same size"
}

# ---- the control path ---------------------------------------------------
#
# "bench-time: WHAT MICROSECONDS" lines. Not under -icount (bench.sh
# boots an ordinary VM for them): there guest time jumps ahead whenever
# the guest waits, for the host's files or for a timer.

# mwan-push: mwan with RTT pushes as mwan-agent makes them at its probe
# rate, one link every 0.1 s (each of two links every 0.2 s), by one
# long-running `mwanctl -b -` (C, as the agent is) fed by a shell loop:
# what keeping the kernel's RTTs fresh costs the packets.
# mwan-pushread: the same process reading (`globals show`) instead,
# which changes nothing: what the pusher itself costs. The difference is
# the kernel's share.
push_loop() { # push_loop rtt|read
	local i=0 w
	mkfifo "$FLOWS_DIR/pushwait" 2>/dev/null
	exec {w}<>"$FLOWS_DIR/pushwait"
	while :; do
		i=$((i + 1))
		if [ "$1" = rtt ]; then
			echo "link set wan$((i % 2 + 1)) rtt $((20000 + i % 1000)) loss 0"
		else
			echo "globals show"
		fi
		# a sleep without a fork
		read -r -t 0.1 -u "$w" _
	done
}

# pushed: the kernel has an RTT from the pusher
pushed() {
	"$DIR/cur/mwanctl" -n "$RTR" link show wan2 | grep -q ' rtt 2[0-9]'
}

pusher_up() { # pusher_up rtt|read
	local fifo=$FLOWS_DIR/pushes.fifo
	scale_up 2 0 || return 1
	rm -f "$fifo"
	mkfifo "$fifo"
	"$DIR/cur/mwanctl" -n "$RTR" -b - <"$fifo" >"$FLOWS_DIR/pushes" \
		2>"$FLOWS_DIR/pushes.err" &
	PUSHER_PID=$!
	push_loop "$1" >"$fifo" &
	PUSH_PID=$!
	if [ "$1" = rtt ]; then
		slowwait 60 pushed
	else
		slowwait 60 test -s "$FLOWS_DIR/pushes"
	fi
}

mwan-nopush_up() { scale_up 2 0; }
mwan-nopush_down() { scale_down; }
mwan-push_up() { pusher_up rtt; }
mwan-push_down() { pusher_down; }
mwan-pushread_up() { pusher_up read; }
mwan-pushread_down() { pusher_down; }
pusher_down() {
	local rc=0
	kill "$PUSH_PID"
	wait "$PUSH_PID" 2>/dev/null
	# at the end of its input; it stops at the first request refused
	wait "$PUSHER_PID" || rc=1
	if [ "$rc" != 0 ] || [ -s "$FLOWS_DIR/pushes.err" ]; then
		echo "# pusher failed: $(head -n1 "$FLOWS_DIR/pushes.err")"
		rc=1
	fi
	scale_down
	return $rc
}

# dev_rx DEV: packets the internet side received from DEV
dev_rx() {
	local dev rest f
	while IFS=: read -r dev rest; do
		[ "${dev// /}" = "$1" ] || continue
		read -r -a f <<<"$rest"
		echo "${f[1]}"
	done </proc/"$INET_PID"/net/dev
}

# state_change STATE DEV: time from `mwanctl link set wan1 state STATE`
# to the LAN's next new connection, which must leave by DEV
state_change() {
	local state=$1 dev=$2 a t0 t1 t2
	a=$(dev_rx "$dev")
	t0=${EPOCHREALTIME/./}
	"$DIR/cur/mwanctl" -n "$RTR" link set wan1 state "$state" || return 1
	t1=${EPOCHREALTIME/./}
	echo >&"${SEND[1]}"
	read -r t2 <&"${SEND[0]}"
	slowwait 10 test "$(dev_rx "$dev")" -gt "$a" || {
		echo "# after state $state the new connection did not leave by $dev"
		return 1
	}
	echo "bench-time: state-$state-command $((t1 - t0))"
	echo "bench-time: state-$state-to-connection $((t2 - t0))"
}

NLRAW_PY=$HERE/../nlraw.py
# batch_us FILE: nlraw.py's time for the requests in FILE, less its start
batch_us() {
	local t0 t1 t2
	t0=${EPOCHREALTIME/./}
	nsenter --net="/run/netns/$RTR" /usr/bin/python3 -S "$NLRAW_PY" --batch </dev/null
	t1=${EPOCHREALTIME/./}
	nsenter --net="/run/netns/$RTR" /usr/bin/python3 -S "$NLRAW_PY" --batch <"$1" |
		grep -cv '^ok' >"$1.bad"
	t2=${EPOCHREALTIME/./}
	[ "$(cat "$1.bad")" = 0 ] || { echo "# $1: refused"; return 1; }
	echo $((t2 - t1 - (t1 - t0)))
}

control_times() {
	local i n=1000 us ok=0
	mwan_load "$DIR/cur" || return 1
	MWAN_IN_RULES=$RULE_ISP_IN
	rules add "$MWAN_IN_RULES" "$RULE_LINK1" "$RULE_LINK2"
	"$DIR/cur/mwanctl" -n "$RTR" config replace - <<-EOF
	link add wan1 dev wan1 id 1
	link add wan2 dev wan2 id 2
	policy add fo member wan1 metric 1 member wan2 metric 2
	globals set default-policy fo
	EOF
	# one datagram from a new socket (a new connection) per line read
	coproc SEND { nsenter --net="/run/netns/$LAN" bash -c \
		"while read -r; do echo x >/dev/udp/$SERVER4/$PORT; echo \${EPOCHREALTIME/./}; done"; }
	# the first start of each program reads it over 9p: not counted
	state_change down isp2 >/dev/null && state_change up isp1 >/dev/null ||
		ok=1
	for ((i = 0; i < 10; i++)); do
		state_change down isp2 && state_change up isp1 || ok=1
	done
	kill "$SEND_PID"
	wait "$SEND_PID" 2>/dev/null
	for ((i = 1; i <= n; i++)); do
		printf 'LINK_SET [["LINK",[["ID","u32",1],["RTT_US","u32",%d],["LOSS_PPM","u32",%d]]]]\n' \
			$((20000 + i)) $((i % 1000))
	done >"$FLOWS_DIR/rtt"
	for ((i = 1; i <= n; i++)); do
		printf 'LINK_SET [["LINK",[["ID","u32",1],["WEIGHT","u32",%d]]]]\n' \
			$((1 + i % 2))
	done >"$FLOWS_DIR/weight"
	for i in 1 2 3; do
		us=$(batch_us "$FLOWS_DIR/rtt") || ok=1
		echo "bench-time: rtt-push $((us / n))"
		us=$(batch_us "$FLOWS_DIR/weight") || ok=1
		echo "bench-time: weight-change $((us / n))"
	done
	rmmod mwan
	rules del "$MWAN_IN_RULES" "$RULE_LINK1" "$RULE_LINK2"
	ct_flush
	return $ok
}

# ct_flush_time N: one `link flush` of half of N entries (CT_NS's, made
# by ct_fill), by mwan configured there
ct_flush_time() {
	local out t0 t1 m=$DIR/cur/mwanctl
	mwan_load "$DIR/cur" || return 1
	ip -n "$CT_NS" link add f1 type dummy 2>/dev/null
	ip -n "$CT_NS" link add f2 type dummy 2>/dev/null
	printf '%s\n' "link add f1 dev f1 id 1" "link add f2 dev f2 id 2" |
		"$m" -n "$CT_NS" config replace - || { rmmod mwan; return 1; }
	"$m" -n "$CT_NS" link show >/dev/null	# read over 9p before
	t0=${EPOCHREALTIME/./}
	out=$("$m" -n "$CT_NS" link flush f1)
	t1=${EPOCHREALTIME/./}
	rmmod mwan
	echo "# link flush among $1: $out"
	echo "bench-time: flush-among-$(ct_name "$1") $((t1 - t0))"
	[[ "$out" = *$(($1 / 2))* ]]
}

# the namespace ct_fill fills, room for millions of entries
ct_ns() {
	ip netns add "$CT_NS" || return 1
	defer ip netns del "$CT_NS"
	sysctl -qw net.netfilter.nf_conntrack_max=4194304
	echo "bench-info: conntrack hash buckets $(cat /proc/sys/net/netfilter/nf_conntrack_buckets)"
}

# The control path, in an ordinary VM: a state change to the next new
# connection, RTT pushes and weight changes each, a link flush among
# MWAN_BENCH_FLUSH entries (default 100k and 1M).
control_main() {
	local n
	control_times || BROKEN[control]=1
	ct_ns || return 1
	for n in ${MWAN_BENCH_FLUSH:-100000 1000000}; do
		{ ct_fill "$n" && ct_flush_time "$n"; } || BROKEN[control]=1
	done
	nsenter --net="/run/netns/$CT_NS" conntrack -F >/dev/null 2>&1
}

# The links and rules cases alternate in rounds; the conntrack sizes
# come one after the other (filling a million entries takes minutes of
# the host's time), baseline and mwan alternating at each.
scale_main() {
	local round c n name
	SCALE_A=
	scale_define
	for ((n = 3; n <= 63; n++)); do
		echo "link add d$n type dummy"
		echo "link set d$n up"
	done | ip -n "$RTR" -batch - || return 1
	ct_ns || return 1
	for ((round = 1; round <= ROUNDS; round++)); do
		for c in $SCALE_A; do
			run_contender "$round" "$c" || BROKEN[$c]=1
		done
	done
	for n in $SCALE_CT; do
		name=$(ct_name "$n")
		SCALE_B+=" baseline-ct$name mwan-ct$name"
		ct_fill "$n" || { BROKEN[mwan-ct$name]=1; continue; }
		echo "# $n conntrack entries made"
		for ((round = 1; round <= ROUNDS; round++)); do
			for c in "baseline-ct$name" "mwan-ct$name"; do
				run_contender "$round" "$c" || BROKEN[$c]=1
			done
		done
	done
	nsenter --net="/run/netns/$CT_NS" conntrack -F >/dev/null 2>&1
}

# ---- rounds -------------------------------------------------------------

declare -A BROKEN
TCP=

# an IPv6 contender has a NAME_ref
is_ipv6() { declare -F "${1}_ref" >/dev/null; }

# the addresses the server may see contender $1's LAN host as
sources6() {
	case $1 in
	mwan6-prefix|nft-npt) echo "$SRC6_PREFIX" ;;
	mwan6-rfc6296|ip6t-*-npt) echo "$SRC6_RFC6296" ;;
	*) echo "$SRC6_PLAIN" ;;
	esac
}

# source6_ok C: the hello of the flow just measured reached the server from
# an address contender C translates to (or its own, untranslated): each
# contender is measured doing what it claims. The log was emptied before.
source6_ok() {
	local c=$1 peer
	peer=$(awk '$1 == "udp" { p = $2 } END { print p }' "$log")
	case " $(sources6 "$c") " in
	*" $peer "*) return 0 ;;
	esac
	echo "# $c: the server saw the LAN host as '$peer', not one of $(sources6 "$c")"
	return 1
}

# one contender's measurements in one round; false if any failed
run_contender() {
	local round=$1 c=$2 ok=0
	"${c}_up" || { echo "# $c: setup failed"; "${c}_down"; return 1; }
	# what loading a module or a ruleset leaves to do in the background
	# (deferred work, RCU) is done before the counts
	sleep 1
	if is_ipv6 "$c"; then
		: >"$log"
		measure "$round" "$c" est "$LAN" flow "$SERVER6" "$PORT" \
			"$HOST6_SRC" || ok=1
		source6_ok "$c" || ok=1
		measure "$round" "$c" new "$LAN" new "$HOST6_SRC" "$SERVER6" \
			"$PORT" || ok=1
		[ -z "$TCP" ] || measure_tcp "$round" "$c" "$LAN" \
			"TCP6:[$SERVER6]:$TCP_PORT,bind=[$HOST6_SRC]" || ok=1
	else
		measure "$round" "$c" est "$LAN" flow "$SERVER4" "$PORT" || ok=1
		measure "$round" "$c" new "$LAN" new 10.0.0.2 "$SERVER4" \
			"$PORT" || ok=1
		[ -z "$TCP" ] || measure_tcp "$round" "$c" "$LAN" \
			"TCP4:$SERVER4:$TCP_PORT" || ok=1
	fi
	if declare -F "${c}_local_up" >/dev/null; then
		if "${c}_local_up"; then
			measure "$round" "$c" local "$RTR" flow "$SERVER4" "$PORT" || ok=1
		else
			echo "# $c: local setup failed"
			ok=1
		fi
		"${c}_local_down"
	fi
	"${c}_down" || { echo "# $c: teardown failed"; ok=1; }
	return $ok
}

main() {
	local round c n=0 parts=${MWAN_BENCH_PARTS:-main}
	SCALE_B=
	[[ " $parts " = *" main "* ]] || CONTENDERS=
	# shellcheck disable=SC2086 # a list of names
	set -- $CONTENDERS
	echo "TAP version 13"
	echo "bench-info: kernel $(uname -r), $(nproc) CPU, rounds $ROUNDS, $SECS s each"
	bench_topo || { echo "Bail out! no network"; exit 1; }
	# the modules every contender needs, loaded before the first round
	modprobe -a nf_conntrack nf_nat nft_numgen nft_ct xt_connmark \
		xt_statistic xt_mark iptable_mangle ip6t_NPT xt_CT nft_nat \
		2>/dev/null
	for c in "$@"; do
		! is_ipv6 "$c" || "${c}_ref"
	done
	# TCP throughput for the main part's contenders only
	TCP=1
	for ((round = 1; round <= ROUNDS; round++)); do
		for c in "$@"; do
			run_contender "$round" "$c" || BROKEN[$c]=1
		done
	done
	TCP=
	if [[ " $parts " = *" scale "* ]]; then
		scale_main || { echo "Bail out! scaling setup failed"; exit 1; }
		# shellcheck disable=SC2086 # lists of names
		set -- "$@" $SCALE_A $SCALE_B
	fi
	if [[ " $parts " = *" control "* ]]; then
		control_main || { echo "Bail out! control setup failed"; exit 1; }
		set -- "$@" control
	fi
	echo "1..$#"
	for c in "$@"; do
		n=$((n + 1))
		if [ -n "${BROKEN[$c]:-}" ]; then
			echo "not ok $n bench $c"
		else
			echo "ok $n bench $c"
		fi
	done
	[ ${#BROKEN[@]} -eq 0 ]
}

# sourced (to try its parts by hand), it only defines them
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
