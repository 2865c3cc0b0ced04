#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The festival seed (shared/seeds/001): three Starlink dishes, each
# carrying one WireGuard tunnel to one VPS, and an OpenWrt box balancing
# the crew over the tunnels with the agent's default checks.
#
#   $LAN -- $RTR: mwan links wg1 wg2 wg3 (10.0.N.2)
#             wan1 -- $ISP1 (dish 1) --+
#             wan2 -- $ISP2 (dish 2) --+-- $INET: server 203.0.113.1
#             wan3 -- $ISP3 (dish 3) --+     |
#                                          $VPS 198.51.100.10: wgN on
#                                          port 3000N, 10.0.N.1
#
# As in the seed, the router's tunnel wgN sends its UDP with fwmark
# 0x3000N, and a rule sends that mark to dish N's own table (the seed's
# ip4table 'wanN', with its prohibit rule behind); the dishes' default
# routes are not in main. The marks stay clear of mwan's 0x3f00. The
# router masquerades on the tunnels, the VPS towards the internet. Each
# dish is Starlink-like (agent_lib.sh) behind its ISP's CGNAT. mwan's
# links are the tunnels, point-to-point: the agent routes each by its
# device, and checks it through it with the default profile.
# Checked:
#  - connections from the LAN reach the server over all three tunnels,
#    and it sees only the VPS's address; the dishes forward nothing but
#    their tunnel's UDP, and the VPS sees tunnel N come from dish N;
#  - dish 2's path dies, its carrier up: the agent takes wg2 down within
#    the defaults' worst case, printing "festival failover: N ms"; new
#    connections all arrive, none over wg2; connections held over wg1
#    and wg3 keep working throughout;
#  - dish 2 back: wg2 up again and carrying new connections;
#  - no tunnel goes down without a fault.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"
checktool "wg --version" "needs wg (wireguard-tools)"
checktool "tc -V" "needs tc"
require_module wireguard

VPS_IP=198.51.100.10

TOPO_ROUTES=main topo_create 3
setup_ns VPS
ns_sysctls "$VPS"
topo_server

# The internet reaches the VPS; the ISPs are Starlink-like, each behind
# its CGNAT, and count what they forward besides their tunnel's UDP.
ip link add vps0 netns "$VPS" type veth peer name vps netns "$INET"
ip -n "$INET" -batch - <<-EOF
link set vps up
addr add 198.51.100.1/24 dev vps
EOF
starlink 1 2 3
for i in 1 2 3; do
	isp "$i" nft -f - <<-NFT
	table ip cgnat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "up0" masquerade
		}
	}
	table inet watch {
		chain forward {
			type filter hook forward priority 10;
			iifname "down0" ip daddr $VPS_IP udp dport 3000$i counter accept comment "wg"
			oifname "down0" ip saddr $VPS_IP udp sport 3000$i counter accept comment "wg"
			counter comment "other"
		}
	}
	NFT
done

# The keys, one pair per end of each tunnel
umask 077
for k in r1 r2 r3 v1 v2 v3; do
	wg genkey >"$tmp/$k.key"
	wg pubkey <"$tmp/$k.key" >"$tmp/$k.pub"
done
umask 022
# The VPS: a tunnel per dish, the crew masqueraded to the internet
batch="link set vps0 up
addr add $VPS_IP/24 dev vps0
route add default via 198.51.100.1 dev vps0
"
for i in 1 2 3; do
	batch+="link add wg$i type wireguard
"
done
ip -n "$VPS" -batch - <<<"$batch"
batch=
for i in 1 2 3; do
	in_ns "$VPS" wg set "wg$i" private-key "$tmp/v$i.key" \
		listen-port "3000$i" peer "$(<"$tmp/r$i.pub")" \
		allowed-ips "10.0.$i.2/32"
	batch+="addr add 10.0.$i.1/24 dev wg$i
link set wg$i up
"
done
ip -n "$VPS" -batch - <<<"$batch"
in_ns "$VPS" nft -f - <<-NFT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "vps0" masquerade
	}
}
NFT

# The router: no default route in main, a table per dish, the tunnels
batch=
for i in 1 2 3; do
	batch+="route del default via 100.64.$i.1 dev wan$i
route add default via 100.64.$i.1 dev wan$i table 21$i
rule add pref 50$i fwmark 0x3000$i lookup 21$i
rule add pref 51$i fwmark 0x3000$i prohibit
link add wg$i type wireguard
"
done
ip -n "$RTR" -batch - <<<"$batch"
ip -6 -n "$RTR" -batch - <<-EOF
route del default dev wan1
route del default dev wan2
route del default dev wan3
EOF
batch=
for i in 1 2 3; do
	rtr wg set "wg$i" private-key "$tmp/r$i.key" listen-port "3000$i" \
		fwmark "0x3000$i" peer "$(<"$tmp/v$i.pub")" \
		endpoint "$VPS_IP:3000$i" allowed-ips 0.0.0.0/0 \
		persistent-keepalive 25
	batch+="addr add 10.0.$i.2/24 dev wg$i
link set wg$i up
"
done
ip -n "$RTR" -batch - <<<"$batch"
rtr nft add rule inet nat post oifname "wg*" masquerade
# The tunnels are up before the agent starts, as on a box that booted:
# each has done its handshake (the keepalive sets one off at once)
handshakes() {
	[ "$(rtr wg show all latest-handshakes | awk '$3 > 0' | wc -l)" = 3 ]
}
check "the three tunnels are up (handshakes done)" slowwait 20 handshakes
# the VPS sees tunnel N's UDP come from dish N's CGNAT address
endpoints() {
	local i want=
	for i in 1 2 3; do
		want+=" wg$i 192.0.2.$((4 * i + 1))"
	done
	[ "$(in_ns "$VPS" wg show all endpoints |
		awk '{ sub(/:[0-9]+$/, "", $3); printf " %s %s", $1, $3 }')" = "$want" ]
}
check "the VPS sees tunnel N's UDP come from dish N" endpoints ||
	in_ns "$VPS" wg show all endpoints

# The default profile; but the debug kernel (the debug lane runs at
# MWAN_TEST_SCALE 25) is ten times as slow, encryption too: there a probe
# through a tunnel can take longer than the default 300 ms, so it gets
# 2 s, and the time is held only at full scale.
slow=
[ "${MWAN_TEST_SCALE:-100}" -ge 100 ] || slow=" timeout 2s"
conf=$tmp/mwan.conf
cat >"$conf" <<EOF2
# written by mwan_agent_festival.sh: the crew over three tunnels, each
# checked through its tunnel with the default profile
link add wg1 dev wg1 id 1
link add wg2 dev wg2 id 2
link add wg3 dev wg3 id 3
policy add balanced member wg1 member wg2 member wg3
globals set default-policy balanced
check wg1 icmp $SERVER4$slow
check wg2 icmp $SERVER4$slow
check wg3 icmp $SERVER4$slow
EOF2
check "mwan-agent --check accepts the file" \
	"$AGENT" -n "$RTR" --check "$conf"

events_start
fault_feeder 2
now_us start
agent_run "$conf"
check "the agent applies the file: three tunnels, up" \
	slowwait 10 links_up wg1 wg2 wg3
by_device() {
	local i
	for i in 1 2 3; do
		rtr ip -N route show table "10$i" |
			grep -q "^default dev wg$i proto 109" || return 1
	done
}
check "the agent routes each tunnel by its device (tables 101-103)" \
	slowwait 5 by_device

# The router records which tunnel each connection to the server took, by
# its source port (before masquerading): flows get known ports.
rtr nft -f - <<-NFT
table inet tunnels {
	set wg1 { type inet_service; size 65535; }
	set wg2 { type inet_service; size 65535; }
	set wg3 { type inet_service; size 65535; }
	chain post {
		type filter hook postrouting priority -10;
		oifname "wg1" tcp dport 5001 ct state new add @wg1 { tcp sport }
		oifname "wg2" tcp dport 5001 ct state new add @wg2 { tcp sport }
		oifname "wg3" tcp dport 5001 ct state new add @wg3 { tcp sport }
	}
}
NFT
# tunnel_ports: "N PORT" for each connection that left by tunnel N
tunnel_ports() {
	rtr nft list table inet tunnels | awk '
		$1 == "set" { n = substr($2, 3) }
		/elements = \{/ { on = 1; sub(/.*\{/, "") }
		on { end = /\}/; gsub(/[{},]/, " ")
		     for (i = 1; i <= NF; i++) print n, $i; on = !end }'
}
# tunnels_of BASE N: the tunnels the N connections from ports BASE.. took
tunnels_of() {
	tunnel_ports | awk -v b="$1" -v n="$2" \
		'$2 >= b && $2 < b + n { print $1 }' | sort -nu | xargs
}
# batch TAG BASE N: N new connections from ports BASE..; all must arrive
batch() {
	local out
	out=$(flows "$LAN" connect --dst "$SERVER4" --count "$3" \
		--sport "$2" --tag "$1" --timeout 5)
	# the server logs a connection in its own thread, maybe a moment
	# after the client has its echo
	slowwait 3 seen_flows "$1" "$3" && return
	echo "# $1: the server saw $(awk -v t="$1-" 'index($4, t) == 1' "$log" |
		awk '{ print $4 }' | sort -u | wc -l) of $3, over tunnels" \
		"$(tunnels_of "$2" "$3"); what the clients met:"
	echo "$out" | $PY -c 'import json, sys
for f in json.load(sys.stdin)["flows"]:
    if not f["ok"]:
        print("#   %s: %s" % (f["tag"], f["error"]))'
	return 1
}
peers() { awk '{ print $2 }' "$log" | sort -u | xargs; }
other() {
	local i
	for i in 1 2 3; do
		isp "$i" nft list chain inet watch forward | nft_packets other
	done | xargs
}

n=$(scaled 30)
check "$n new connections from the LAN all arrive" batch calm 20000 "$n"
check "... over all three tunnels" test "$(tunnels_of 20000 "$n")" = "1 2 3"
check "the server sees only the VPS's address" test "$(peers)" = "$VPS_IP"
check "the dishes forward only their tunnel's UDP (others: 0 0 0)" \
	test "$(other)" = "0 0 0"

# Connections held across the fault, a message a second each (more
# would keep the one CPU busy with encryption under emulation)
held=$(scaled 6)
((held >= 3)) || held=3
# shellcheck disable=SC2086 # $FLOWS is a command line
in_ns "$LAN" $FLOWS connect --dst "$SERVER4" --count "$held" --parallel \
	--sport 23000 --tag held --gap 1 --until "$tmp/stop" --timeout 5 \
	>"$tmp/held.json" &
held_pid=$!
# all under way (looking twice a second: the CPU is the probes')
held_open() {
	local since=$SECONDS
	while ((SECONDS - since < 60)); do
		[ "$(tunnel_ports | awk '$2 >= 23000 && $2 < 23100' | wc -l)" = "$held" ] &&
			return 0
		nap 0.5
	done
	return 1
}
check "$held connections held open" held_open

printf -v t '0.%03d' $((RANDOM % 200))
nap "$t"	# a moment of the probing at random
fault_on 2
if await wg2 down "$FAULT_AT"; then
	ms=$(((AWAITED - FAULT_AT) / 1000))
	echo "festival failover: $ms ms"
	# the defaults' worst case, 800 ms (mwan.conf(5)), and 200 ms for
	# the event's way to the test on a CPU shared with others
	if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
		check "dish 2 dead: wg2 down within 1000 ms" test "$ms" -le 1000
	fi
else
	check "dish 2 dead: wg2 down" false
fi
check "wg2 down: 20 new connections all arrive" batch down 21000 20
check "... none over wg2" test "$(tunnels_of 21000 20)" = "1 3"
fault_off 2
if await wg2 up "$FAULT_AT"; then
	echo "dish 2 back: wg2 up after $(((AWAITED - FAULT_AT) / 1000)) ms"
	check "dish 2 back: wg2 up" true
else
	check "dish 2 back: wg2 up" false
fi
check "wg2 up: 20 new connections all arrive" batch back 22000 20
check "... over all three tunnels again" \
	test "$(tunnels_of 22000 20)" = "1 2 3"

# The held connections: those over wg1 and wg3 never failed
touch "$tmp/stop"
wait "$held_pid"
declare -A tunnel
while read -r n port; do
	tunnel[$port]=$n
done < <(tunnel_ports)
read -r -a ok < <(pyq '" ".join(str(int(f["ok"])) for f in d["flows"])' \
	<"$tmp/held.json")
declare -A carried lasted
for ((i = 0; i < held; i++)); do
	n=${tunnel[$((23000 + i))]:-0}
	carried[$n]=$((${carried[$n]:-0} + 1))
	lasted[$n]=$((${lasted[$n]:-0} + ok[i]))
done
summary=
for n in 1 2 3; do
	summary+=" wg$n ${lasted[$n]:-0} of ${carried[$n]:-0},"
done
echo "held connections that lasted:${summary%,}"
check "held connections over wg1 and wg3 all lasted" \
	test "${lasted[1]:-0}${lasted[3]:-0}" = "${carried[1]:-0}${carried[3]:-0}"
# at full scale six or more held connections: all on wg2 is a chance of
# one in 700; the debug lane's three miss wg1 and wg3 one time in 27
if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
	check "... and there were some" \
		test $((${carried[1]:-0} + ${carried[3]:-0})) -gt 0
fi
check "every held connection took a tunnel" test "${carried[0]:-0}" = 0

check "the server still saw only the VPS's address" test "$(peers)" = "$VPS_IP"
check "the dishes still forwarded only their tunnel's UDP" \
	test "$(other)" = "0 0 0"
echo "the tunnels' changes of state:"
changes "$start"
downs "wg1 wg3" "$start"
other_downs=$DOWNS
downs wg2 "$start"
if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
	check "wg1 and wg3 never went down" test "$other_downs" = 0
	check "wg2 went down once, at the fault" test "$DOWNS" = 1
else
	# the debug kernel's VM stalls for seconds (kmemleak scans on its one
	# CPU), every tunnel's probes with it: only the fault is held to
	check "wg2 went down at the fault" test "$DOWNS" -ge 1
fi

agent_stop
exit $rc
