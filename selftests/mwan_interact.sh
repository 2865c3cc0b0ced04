#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the rest of the system does to a running mwan, under traffic, in
# the network of issue 3 (topo_seed.sh): att (wan1) and webpass (wan2)
# both translate (NPTv6 and a 1:1 IPv4 map), balanced per flow, run by
# mwan-agent with a health check each. Long UDP flows over IPv4 (mapped)
# and IPv6 (NPT) echo with the server the whole time, and two TCP
# transfers, from the VLAN100 host and from 10.250.250.5, both pinned to
# att by rules, must arrive byte-exact (sha256 at both ends).
#   - conntrack -F: every flow goes on; the entries made again all carry
#     a link's mark; the server sees each flow only from a link's image;
#     no ISP gets a packet from a source not its own or an internal one;
#   - nft flush ruleset: mwan's hooks are not nftables, so balancing,
#     NPTv6 and the map go on, new mapped connections use both links;
#     only what the user's masquerade did is gone: a new connection from
#     an unmapped host leaves with its internal source (and the ISP's
#     BCP 38 drops it); with the ruleset back it is masqueraded again;
#   - the MTU of att's device (1400) and of att's way to the internet
#     (1280) lowered: the transfers go on; the ICMPv6 Packet Too Big and
#     the ICMP Fragmentation Needed from beyond the router reach the hosts
#     translated back, quoting their packets with their own addresses, and
#     the hosts learn the path MTU; every TCP, UDP and ICMP checksum on
#     att's wire and the LAN's verifies (tcpdump -vv; checksum offload is
#     off where the packets are made);
#   - webpass's device renamed (down, rename, up, address and routes back,
#     as ifupdown would): mwan follows the device, not the name: the link
#     is down while its device is, then up again, shown under the new
#     name, and translating; a reload of the file that still names the old
#     device is refused and changes nothing;
#   - webpass's device deleted: no kernel warning; the agent takes the link
#     down, mwanctl shows it with no device; new connections all use att,
#     att's flows go on; the device made again under the name in the file
#     and the agent reloaded (what procd does when an ifindex changes): new
#     connections use both links, translated, again.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/topo_seed.sh"
seed_require
checktool "conntrack --version" "needs conntrack-tools"
checktool "tcpdump --version" "needs tcpdump"
AGENT=${MWAN_AGENT:-$(cd "$TOPO_DIR/.." && pwd)/user/agent/mwan-agent}
checktool "$AGENT --version" "needs mwan-agent (make user)"
KMSG_BAD='\bBUG\b|WARNING|\bOops\b|refcount|leak'
MARK="mwan_interact: start $$ $RANDOM"
echo "$MARK" >/dev/kmsg

tmp=$(mktemp -d)
defer rm -rf "$tmp"
UDP_N=$(scaled 8)
((UDP_N >= 4)) || UDP_N=4
# packets of traffic captured on each side of the router, and how long
# that may take (the debug lane's kernel forwards a tenth as many)
DUMP_N=$(scaled 2000)
DUMP_S=$((1500 / $(scaled 100)))
TCP_PORT=6001

seed_create
# what the checks below count at each ISP: internal sources of the map
# and of NPT (never), and of the unmapped host (only without masquerade)
watch_more() { # watch_more N
	isp "$1" nft -f - <<-NFT
	add rule netdev watch in ip saddr $INTERNAL4 counter comment "int-map"
	add rule netdev watch in ip6 saddr $INTERNAL6 counter comment "int-npt"
	add rule netdev watch in ip saddr 192.168.7.0/24 counter comment "int-unmapped"
	NFT
}
watch_more 1
watch_more 2
# Checksums are filled in where a packet is made, so that the wire shows
# what translation left of them (veth would leave them to "hardware").
txcsum_off() { # txcsum_off NS DEV
	in_ns "$1" $PY - "$2" <<-'PY'
	import ctypes, fcntl, socket, struct, sys
	ETHTOOL_STXCSUM, SIOCETHTOOL = 0x17, 0x8946
	val = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0), 8)
	ifr = struct.pack("16sQ", sys.argv[1].encode(), ctypes.addressof(val))
	fcntl.ioctl(socket.socket(), SIOCETHTOOL, ifr + bytes(16))
	PY
}
txcsum_off "$LAN" lan0
txcsum_off "$INET" isp1
txcsum_off "$INET" isp2

ATT6_HOST=$(swap6 "$HOST6" "$INTERNAL6" "$ATT6")
WEBPASS6_HOST=$(swap6 "$HOST6" "$INTERNAL6" "$WEBPASS6")
ATT6_V100=$(swap6 "$VLAN100_HOST6" "$INTERNAL6" "$ATT6")
# the host's two images, as peers_of lists them
IMAGES6=$(printf '%s\n' "$ATT6_HOST" "$WEBPASS6_HOST" | LC_ALL=C sort | xargs)
conf=$tmp/mwan.conf
cat >"$conf" <<EOF
link add att dev wan1 id 1 npt $INTERNAL6 $ATT6 map4 $MAP4_RANGE $ATT4_FIRST
link add webpass dev wan2 id 2 npt $INTERNAL6 $WEBPASS6 map4 $MAP4_RANGE $WEBPASS4_FIRST
policy add balanced member att member webpass
policy add att-only member att
rule add vlan100 policy att-only src 3d06:bad:b01:1::/64
rule add pinned4 policy att-only src 10.250.250.5/32
globals set default-policy balanced
check att icmp $SERVER4 $SERVER6 interval 200ms
check webpass icmp $SERVER4 $SERVER6 interval 200ms
EOF
"$AGENT" -n "$RTR" -c "$conf" 2>"$tmp/agent.log" &
AGENT_PID=$!
defer flows_stop "$AGENT_PID"
topo_server

# state LINK: its state in the kernel; dev LINK: its device's name or None
state() { mwanctl -j link show "$1" | pyq 'd[0]["state"]'; }
dev() { mwanctl -j link show "$1" | pyq 'd[0]["dev"]'; }
both_up() { [ "$(state att) $(state webpass)" = "up up" ]; }
is() { [ "$(state "$1") $(dev "$1")" = "$2 $3" ]; } # is LINK STATE DEV
if ! slowwait 30 both_up; then
	echo "FAIL: the agent does not bring both links up"
	cat "$tmp/agent.log"
	exit 1
fi

# The link an address the server saw belongs to: 1 att, 2 webpass (by the
# images of the map and NPT, or the masquerading address), 0 none.
AWK_PEER='
function via(p) {
	if (p ~ /^104\.57\.226\./ || p ~ /^2600:1700:2f71:c8/ || p == "100.64.1.2") return 1
	if (p ~ /^136\.25\.91\./ || p ~ /^2604:5500:c271:be/ || p == "100.64.2.2") return 2
	return 0
}'
# at: the server log's length now, a point in time for since_*
at() { wc -l <"$log"; }
# links_since LINE TAG: the links that carried flows tagged TAG after LINE
links_since() {
	awk -v s="$1" -v t="$2-" "$AWK_PEER"' NR > s && index($4, t) == 1 { print via($2) }' \
		"$log" | sort -nu | xargs
}
# flows_since LINE TAG: how many flows tagged TAG the server heard after LINE
flows_since() {
	awk -v s="$1" -v t="$2-" 'NR > s && index($4, t) == 1 { f[$4] } END { print length(f) }' "$log"
}
# flows_on LINE TAG N: the flows tagged TAG whose last packet before LINE
# came by link N
flows_on() {
	awk -v s="$1" -v t="$2-" -v n="$3" "$AWK_PEER"' NR <= s && index($4, t) == 1 { l[$4] = via($2) }
		END { for (f in l) if (l[f] == n) print f }' "$log" | sort
}
# went_on LINE SECONDS TAG N: each of the N flows tagged TAG was heard
# again after LINE, within SECONDS
heard_again() { [ "$(flows_since "$1" "$2")" -ge "$3" ]; }
went_on() { slowwait "$2" heard_again "$1" "$3" "$4"; }

# udp_flows TAG DST SRC SPORT: $UDP_N UDP flows that echo with the server
# every 0.2 s until $tmp/stop.TAG exists; their report is $tmp/TAG.json
udp_flows() {
	lan $FLOWS connect --proto udp --dst "$2" --src "$3" --sport "$4" \
		--count "$UDP_N" --parallel --packets 1 --gap 0.2 --timeout 15 \
		--tag "$1" --until "$tmp/stop.$1" >"$tmp/$1.json" 2>&1 &
	eval "PID_$1=\$!"
}
udp_end() { # udp_end TAG: stop the flows, wait for their report
	local pid="PID_$1"
	touch "$tmp/stop.$1"
	wait "${!pid}"
	true
}
report() { pyq "$1" <"$tmp/$2.json"; }

# The TCP transfers (flows.py sink and bulk): tcp_server ADDR NAME
# writes "BYTES SHA256 PEER" to $tmp/NAME.server at the end of the
# stream; tcp_client SRC DST NAME sends random data, 160 KiB/s, until
# $tmp/stop.tcp exists, then "BYTES SHA256 SRC" to $tmp/NAME.client.
tcp_server() {
	inet $FLOWS sink --addr "$1" --port "$TCP_PORT" --out "$tmp/$2.server" &
	defer flows_stop $!
	slowwait 30 test -e "$tmp/$2.server.ready"
}
tcp_client() {
	lan $FLOWS bulk --src "$1" --dst "$2" --port "$TCP_PORT" --rate 160 \
		--until "$tmp/stop.tcp" >"$tmp/$3.client" 2>&1 &
	eval "PID_$3=\$!"
	defer flows_stop $!
}
# tcp_exact NAME PEER: the transfer NAME arrived whole from PEER
tcp_exact() {
	local pid="PID_$1" cbytes csum speer sbytes ssum
	wait "${!pid}"
	slowwait 30 test -s "$tmp/$1.server"
	read -r cbytes csum _ <"$tmp/$1.client"
	read -r sbytes ssum speer <"$tmp/$1.server"
	echo "# $1: sent $cbytes bytes, the server got $sbytes from $speer"
	check "$1: the TCP transfer arrived byte-exact through it all (sha256 $ssum)" \
		test -n "$csum" -a "$cbytes $csum" = "$sbytes $ssum"
	check "$1: ... from the pinned host's att address $2" test "$speer" = "$2"
}
tcp_server "$SERVER6" tcp6
tcp_server "$SERVER4" tcp4
tcp_client "$VLAN100_HOST6" "$SERVER6" tcp6
tcp_client 10.250.250.5 "$SERVER4" tcp4

udp_flows u4 "$SERVER4" 10.250.250.2 30000
udp_flows u6 "$SERVER6" "$HOST6" 30100
slowwait 60 seen_flows u4 "$UDP_N"
slowwait 60 seen_flows u6 "$UDP_N"
check "the long flows are under way on both links (IPv4: $(links_since 0 u4), IPv6: $(links_since 0 u6))" \
	test "$(links_since 0 u4) $(links_since 0 u6)" = "1 2 1 2"

# ct_marks: "ENTRIES WITHOUT-A-LINK-MARK" of the long flows' connections,
# IPv4 then IPv6; made again from either side (a server's echo that came
# first is the original direction of its new entry)
ct_marks() {
	local fam
	for fam in ipv4 ipv6; do
		rtr conntrack -L -f $fam -p udp 2>/dev/null | awk '
			!/port=5001 / { next }
			{ n++; m = 0; for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) m = substr($i, 6) + 0
			  if (!(int(m / 256) % 64)) bad++ }
			END { print n + 0, bad + 0 }'
	done
}
# images_ok LINE: since LINE the server saw the long flows only from the
# links' images of 10.250.250.2 and of the host
images_ok() {
	local bad
	bad=$(awk -v s="$1" 'NR > s && $4 ~ /^u[46]-/ { print $2 }' "$log" | sort -u |
		grep -vxF -e "$ATT4_FIRST" -e "$WEBPASS4_FIRST" -e "$ATT6_HOST" -e "$WEBPASS6_HOST")
	[ -z "$bad" ] || echo "seen from: $bad"
	[ -z "$bad" ]
}
# spoofed: what the ISPs' BCP 38 dropped so far, both together
spoofed() { echo $(($(isp_tally 1 | cut -d' ' -f1) + $(isp_tally 2 | cut -d' ' -f1))); }
# counted NAME: packets both ISPs counted under NAME so far
counted() { echo $(($(isp_counted 1 "$1") + $(isp_counted 2 "$1"))); }
internal_clean() { [ "$(counted int-map) $(counted int-npt)" = "0 0" ]; }

echo "# conntrack -F (at $SECONDS s)"
moved_from=$(at)
rtr conntrack -F 2>/dev/null
rtr conntrack -F -f ipv6 2>/dev/null
t=$(at)
check "after conntrack -F every IPv4 flow is heard again" went_on "$t" 30 u4 "$UDP_N"
check "after conntrack -F every IPv6 flow is heard again" went_on "$t" 30 u6 "$UDP_N"
sleep 1
read -r n4 bad4 n6 bad6 <<<"$(ct_marks | xargs)"
check "the flows' new conntrack entries all carry a link mark (IPv4 $n4, IPv6 $n6 entries)" \
	test "$n4" -ge "$UDP_N" -a "$n6" -ge "$UDP_N" -a "$bad4 $bad6" = "0 0"
check "the server saw the flows only from the links' images" images_ok "$moved_from"
check "after conntrack -F the flows use both links (IPv4: $(links_since "$t" u4), IPv6: $(links_since "$t" u6))" \
	test "$(links_since "$t" u4) $(links_since "$t" u6)" = "1 2 1 2"
check "no ISP dropped a packet of the router's for its source" test "$(spoofed)" = 0
check "no packet with an internal source reached an ISP" internal_clean

echo "# nft flush ruleset (at $SECONDS s)"
tx0=$(link_stat webpass tx_packets)
rtr nft flush ruleset
t=$(at)
check "with no ruleset every IPv4 flow is heard again" went_on "$t" 30 u4 "$UDP_N"
check "with no ruleset every IPv6 flow is heard again" went_on "$t" 30 u6 "$UDP_N"
for fam in 4 6; do
	if [ $fam = 4 ]; then dst=$SERVER4 src=10.250.250.3; else dst=$SERVER6 src=$HOST6; fi
	got=$(flows "$LAN" connect --dst "$dst" --src "$src" --count 8 --sport 31$((fam))00 \
		--tag new$fam --timeout 10 | pyq 'd["ok"]')
	check "with no ruleset 8 new IPv$fam connections complete ($got)" test "$got" = 8
done
check "... over both links, translated (IPv4 from $(peers_of new4), IPv6 from $(peers_of new6))" \
	test "$(peers_of new4) | $(peers_of new6)" = \
	"104.57.226.194 136.25.91.243 | $IMAGES6"
tx1=$(link_stat webpass tx_packets)
check "mwan counts webpass's traffic on ($tx0 -> $tx1 packets)" test "$tx1" -gt "$tx0"
sp0=$(spoofed) un0=$(counted int-unmapped)
got=$(flows "$LAN" connect --dst "$SERVER4" --src "$UNMAPPED4" --count 4 --sport 31200 \
	--tag unmasq --timeout 1 | pyq 'd["ok"]')
sp1=$(spoofed) un1=$(counted int-unmapped)
check "without the masquerade the unmapped host gets nowhere ($got of 4)" test "$got" = 0
check "... its packets left with their internal source ($((un1 - un0)))" test $((un1 - un0)) -ge 4
check "... and were all that BCP 38 dropped ($((sp1 - sp0)) dropped)" \
	test $((sp1 - sp0)) = $((un1 - un0))
check "no packet of the map or NPT left with an internal source" internal_clean
seed_masquerade
got=$(flows "$LAN" connect --dst "$SERVER4" --src "$UNMAPPED4" --count 4 --sport 31300 \
	--tag masq --timeout 10 | pyq 'd["ok"]')
check "with the masquerade back the unmapped host gets through, masqueraded ($(peers_of masq))" \
	test "$got $(peers_of masq)" = "4 100.64.1.2 100.64.2.2"

echo "# MTU: att's device 1400, att's way to the internet 1280 (at $SECONDS s)"
# the ICMP errors the LAN gets, all of them; then 2000 packets of the
# traffic on each side of the router, translated and not
lan tcpdump -i lan0 -nn -s 0 -w "$tmp/icmp.pcap" "icmp6[0] == 2 or icmp[0] == 3" \
	2>"$tmp/icmp.err" &
dump0=$!
# listening before the errors come (on a debug kernel a program takes
# seconds to start)
slowwait 60 grep -q listening "$tmp/icmp.err"
rtr ip link set wan1 mtu 1400
isp 1 ip link set up0 mtu 1280
t=$(at)
in_ns "$ISP1" tcpdump -i down0 -nn -s 0 -c $DUMP_N -w "$tmp/att.pcap" \
	"tcp port $TCP_PORT or udp port 5001" 2>"$tmp/att.err" &
dump1=$!
lan tcpdump -i lan0 -nn -s 0 -c $DUMP_N -w "$tmp/lan.pcap" \
	"tcp port $TCP_PORT or udp port 5001" 2>"$tmp/lan.err" &
dump2=$!
# until both have their packets, or for $DUMP_S s once both listen
slowwait 60 grep -q listening "$tmp/att.err"
slowwait 60 grep -q listening "$tmp/lan.err"
dumping() { kill -0 "$dump1" 2>/dev/null || kill -0 "$dump2" 2>/dev/null; }
for ((i = 0; i < DUMP_S; i++)); do
	dumping || break
	sleep 1
done
kill "$dump1" "$dump2" 2>/dev/null
wait "$dump1" "$dump2" 2>/dev/null
check "with the MTUs lowered every IPv4 flow is heard again" went_on "$t" 30 u4 "$UDP_N"
check "with the MTUs lowered every IPv6 flow is heard again" went_on "$t" 30 u6 "$UDP_N"
check "the VLAN100 host learnt the path MTU 1280 from att's Packet Too Big" \
	grep -qw "mtu 1280" <<<"$(lan ip -6 route get "$SERVER6" from "$VLAN100_HOST6")"
check "10.250.250.5 learnt the path MTU 1280 from att's Fragmentation Needed" \
	grep -qw "mtu 1280" <<<"$(lan ip route get "$SERVER4" from 10.250.250.5)"
kill "$dump0" 2>/dev/null
wait "$dump0" 2>/dev/null
# sums FILE: "GOOD BAD" checksums tcpdump -vv verified in FILE
sums() {
	tcpdump -nn -vv -r "$1" 2>/dev/null | awk '
		/sum ok/ { g++ } /bad (tcp |udp |icmp6 )?cksum|wrong icmp cksum|incorrect/ { b++ }
		END { print g + 0, b + 0 }'
}
# enough of them to judge: a tenth of the capture, a twentieth in the
# debug lane, whose slow VM carries fewer of the flows' packets meanwhile
enough=$((DUMP_N / (${MWAN_TEST_SCALE:-100} >= 100 ? 10 : 20)))
read -r good bad <<<"$(sums "$tmp/att.pcap")"
check "on att's wire $good TCP and UDP checksums verify, none is wrong ($bad)" \
	test "$good" -ge "$enough" -a "$bad" = 0
read -r good bad <<<"$(sums "$tmp/lan.pcap")"
check "on the LAN $good TCP and UDP checksums verify, none is wrong ($bad)" \
	test "$good" -ge "$enough" -a "$bad" = 0
# One Packet Too Big as tcpdump shows it: the outer packet, then the
# start of the one it quotes.
tcpdump -nn -vv -r "$tmp/icmp.pcap" "icmp6[0] == 2 and icmp6[4:4] == 1280" \
	2>/dev/null >"$tmp/ptb"
sed -n '1,2s/^/# /p' "$tmp/ptb"
ptb=$(grep -c "> $VLAN100_HOST6: \[icmp6 sum ok\] ICMP6, packet too big, mtu 1280" "$tmp/ptb")
check "att's Packet Too Big reached the host translated back, its checksum right ($ptb)" \
	test "$ptb" -ge 1
# the quoted packet's source (ICMPv6 bytes 16-31), 3d06:bad:b01:1::100
quoted=$(tcpdump -nn -r "$tmp/icmp.pcap" "icmp6[0] == 2 and icmp6[4:4] == 1280 and
	icmp6[16:4] == 0x3d060bad and icmp6[20:4] == 0x0b010001 and
	icmp6[24:4] == 0 and icmp6[28:4] == 0x100" 2>/dev/null | wc -l)
check "... quoting the host's packet with the host's own address ($quoted)" \
	test "$quoted" -ge 1 -a "$quoted" = "$ptb"
check "... and no ICMPv6 checksum on the LAN is wrong" \
	test "$(grep -c "bad icmp6 cksum" "$tmp/ptb")" = 0
# the same in IPv4: ICMP's next-hop MTU in bytes 6-7, the quoted packet's
# source in bytes 20-23 (10.250.250.5)
tcpdump -nn -vv -r "$tmp/icmp.pcap" "icmp[0] == 3 and icmp[1] == 4 and icmp[6:2] == 1280" \
	2>/dev/null >"$tmp/fragn"
sed -n '1,2s/^/# /p' "$tmp/fragn"
fragn=$(grep -c "> 10.250.250.5: ICMP" "$tmp/fragn")
quoted=$(tcpdump -nn -r "$tmp/icmp.pcap" \
	"icmp[0] == 3 and icmp[6:2] == 1280 and icmp[20:4] == 0x0afafa05" 2>/dev/null | wc -l)
check "att's Fragmentation Needed reached 10.250.250.5 mapped back ($fragn)" \
	test "$fragn" -ge 1
check "... quoting its packet with its own address ($quoted), checksums right" \
	test "$quoted" -ge 1 -a "$quoted" = "$fragn" -a \
	"$(grep -c "wrong icmp cksum\|bad cksum" "$tmp/fragn")" = 0
rtr ip link set wan1 mtu 1500
isp 1 ip link set up0 mtu 1500
udp_end u4
udp_end u6
check "the first long flows all went on to the end (IPv4 $(report 'd["ok"]' u4), IPv6 $(report 'd["ok"]' u6) of $UDP_N)" \
	test "$(report 'd["ok"]' u4) $(report 'd["ok"]' u6)" = "$UDP_N $UDP_N"

echo "# webpass's device renamed: down, wan2 -> wan2b, up (at $SECONDS s)"
routes2() { # routes2 DEV: webpass's IPv6 address and table again, as ifup would
	rtr ip -6 addr replace 2001:db8:2::2/64 dev "$1" nodad
	rtr ip route replace default via 100.64.2.1 dev "$1" onlink table 102
	rtr ip -6 route replace default via 2001:db8:2::1 dev "$1" onlink table 102
}
rtr ip link set wan2 down
check "the agent takes webpass down with its device" slowwait 30 is webpass down wan2
rtr ip link set wan2 name wan2b
rtr ip link set wan2b up
routes2 wan2b
check "webpass comes back up on the renamed device, shown as wan2b" \
	slowwait 60 is webpass up wan2b
kill -HUP "$AGENT_PID"
check "a reload with the file still naming wan2 is refused" \
	slowwait 30 grep -q "reload failed" "$tmp/agent.log"
check "... and webpass stays up on wan2b" is webpass up wan2b
got=$(flows "$LAN" connect --dst "$SERVER6" --src "$HOST6" --count 8 --sport 32000 \
	--tag ren --timeout 10 | pyq 'd["ok"]')
check "after the rename 8 new IPv6 connections complete over both links, translated ($(peers_of ren))" \
	test "$got $(peers_of ren)" = "8 $IMAGES6"

echo "# webpass's device deleted (at $SECONDS s)"
udp_flows d4 "$SERVER4" 10.250.250.2 33000
udp_flows d6 "$SERVER6" "$HOST6" 33100
slowwait 60 seen_flows d4 "$UDP_N"
slowwait 60 seen_flows d6 "$UDP_N"
sleep 1
t=$(at)
att_flows=$( (flows_on "$t" d4 1; flows_on "$t" d6 1) | wc -l)
rtr ip link del wan2b
check "the agent takes webpass down as its device goes, mwanctl shows no device" \
	slowwait 30 is webpass down None
t=$(at)
got=$(flows "$LAN" connect --dst "$SERVER4" --src 10.250.250.4 --count 8 --sport 34000 \
	--tag gone --timeout 10 | pyq 'd["ok"]')
check "with wan2 gone 8 new connections complete, all over att ($got, from $(peers_of gone))" \
	test "$got $(peers_of gone)" = "8 104.57.226.195"
sleep 2
check "att's $att_flows long flows go on" \
	test "$( (flows_on "$t" d4 1; flows_on "$t" d6 1) | while read -r f; do
		awk -v s="$t" -v f="$f" 'NR > s && $4 == f { print; exit }' "$log"; done | wc -l)" = "$att_flows"
ip -n "$ISP2" -batch - <<-EOF
link add down0 type veth peer name wan2 netns $RTR
link set down0 up
addr add 100.64.2.1/24 dev down0
addr add 2001:db8:2::1/64 dev down0 nodad
route add $WEBPASS6 via 2001:db8:2::2
route add $WEBPASS4 via 100.64.2.2
EOF
ip -n "$RTR" -batch - <<-EOF
link set wan2 up
addr add 100.64.2.2/24 dev wan2
addr add 2001:db8:2::2/64 dev wan2 nodad
EOF
routes2 wan2
# the ISP's ingress counters were on the old down0: on the new one now
isp 2 nft delete table netdev watch
seed_isp_nft 2 | sed -n '/^table netdev watch/,$p' | isp 2 nft -f -
watch_more 2
kill -HUP "$AGENT_PID"
check "wan2 made again and the agent reloaded: webpass is up on it" \
	slowwait 60 is webpass up wan2
got=$(flows "$LAN" connect --dst "$SERVER6" --src "$HOST6" --count 8 --sport 35000 \
	--tag back --timeout 10 | pyq 'd["ok"]')
check "8 new IPv6 connections complete over both links again, translated ($(peers_of back))" \
	test "$got $(peers_of back)" = "8 $IMAGES6"
udp_end d4
udp_end d6

touch "$tmp/stop.tcp"
tcp_exact tcp6 "$ATT6_V100"
tcp_exact tcp4 104.57.226.196
check "no packet with an internal source reached an ISP" internal_clean
bad=$(dmesg | awk -v mark="$MARK" 'seen; index($0, mark) { seen = 1 }' |
	grep -E "$KMSG_BAD")
check "no BUG, WARNING, Oops, refcount or leak in the kernel log" test -z "$bad"
[ -z "$bad" ] || echo "$bad" | head -n 40
exit $rc
