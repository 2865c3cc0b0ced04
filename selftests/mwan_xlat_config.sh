#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A link's translation as configuration: what the API refuses, and what
# happens as devices and configs come and go under traffic.
#
#   refusals  bad NPT prefixes (length 0 and 65, host bits, missing or
#             short attributes), an unknown NPT mode, bad IPv4 maps (reversed, running past
#             255.255.255.255, more than 65536 addresses, missing
#             attributes), a translating link sharing its device, a bad
#             link inside a replace: each refused with its message, and the
#             running config unchanged; mwanctl catches its own share
#             before sending
#   lifecycle the LAN host's pings to the server work only when its source
#             is translated (the ISP drops internal sources, BCP 38): NPT
#             on, the device deleted and created again under the same
#             ifindex (translation resumes), the link moved to another
#             device (translation follows, the old one stops), npt off,
#             the external prefix changed (the server sees the new one)
#   teardown  the router namespace deleted with translating links under a
#             ping flood, and mwan unloaded while another namespace
#             translates; the runner fails the test on any kernel warning
#
# Topology: topo.sh with two links, no IPv6 masquerade; the LAN host has
# 3d06:bad:b01::2/64 and both ISPs accept and route the external prefixes
# 2600:1700:2f71:c80::/60 and 2600:1700:2f71:d00::/60.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/nlraw.sh"
topo_require

INT=3d06:bad:b01::/60
EXT=2600:1700:2f71:c80::/60
EXT2=2600:1700:2f71:d00::/60
HOST=3d06:bad:b01::2

topo_create 2
rtr nft delete table inet nat
rtr nft add table ip nat '{ chain post { type nat hook postrouting priority srcnat; oifname "wan*" masquerade; }; }'
addr "$LAN" lan0 "$HOST/64"
addr "$RTR" lan0 3d06:bad:b01::1/64
for n in 1 2; do
	isp "$n" nft -f - <<-EOF
	insert rule inet bcp38 forward ip6 saddr $EXT accept
	insert rule inet bcp38 forward ip6 saddr $EXT2 accept
	EOF
	ip -6 -n "$(isp_ns "$n")" -batch - <<-EOF
	route add $EXT via 2001:db8:$n::2
	route add $EXT2 via 2001:db8:$n::2
	EOF
done
ip -6 -n "$INET" -batch - <<-EOF
route add $EXT via 2001:db8:100:1::1
route add $EXT2 via 2001:db8:100:2::1
EOF

TMPDIR_X=$(mktemp -d)
defer rm -rf "$TMPDIR_X"

ifindex() {
	local l
	l=$(ip -n "$RTR" -o link show dev "$1") && echo "${l%%:*}"
}

# hex6 ADDR: the 16 bytes of an IPv6 address in hex (no program started)
hex6() {
	local head=${1%%::*} tail='' h=() t=() g out=''
	[[ $1 == *::* ]] && tail=${1#*::}
	IFS=: read -ra h <<<"$head"
	IFS=: read -ra t <<<"$tail"
	for g in "${h[@]}"; do printf -v g '%04x' "0x$g"; out+=$g; done
	for ((g = ${#h[@]} + ${#t[@]}; g < 8; g++)); do out+=0000; done
	for g in "${t[@]}"; do printf -v g '%04x' "0x$g"; out+=$g; done
	echo "$out"
}

# npt_attr INTERNAL EXTERNAL LEN [MORE]: an NPT nest for nlraw.py
# (addresses in hex), MORE: further attributes of it
npt_attr() {
	printf '["NPT",[["MWAN_NPT_A_INTERNAL","bin","%s"],["MWAN_NPT_A_EXTERNAL","bin","%s"],["MWAN_NPT_A_PREFIX_LEN","u8",%s]%s]]' "$1" "$2" "$3" "${4:+,$4}"
}

# map4_attr FIRST LAST EXTFIRST (hex, network order)
map4_attr() {
	printf '["MAP4",[["MWAN_MAP4_A_INTERNAL_FIRST","bin","%s"],["MWAN_MAP4_A_INTERNAL_LAST","bin","%s"],["MWAN_MAP4_A_EXTERNAL_FIRST","bin","%s"]]]' "$1" "$2" "$3"
}

# refused WHAT MESSAGE-PART CMD ATTRS: the kernel refuses with a message
# containing MESSAGE-PART, and the config stays what it was.
refused() {
	local what=$1 msg=$2 before out
	shift 2
	snap_raw
	before=$SNAP
	nlraw_q "$@"
	out=$NL_LINE
	snap_raw
	if [[ $out != error* || $out != *"$msg"* ]]; then
		echo "# got: $out"
		check "refused: $what" false
	elif [ -z "$before" ] || [ "$SNAP" != "$before" ]; then
		check "refused: $what leaves the config unchanged" false
	else
		check "refused: $what ($out)" true
	fi
}

# cli_refused WHAT MESSAGE-PART ARGS...: mwanctl says MESSAGE-PART, sends nothing
cli_refused() {
	local what=$1 msg=$2 before out status
	shift 2
	snap_raw
	before=$SNAP
	out=$(mwanctl "$@" 2>&1)
	status=$?
	snap_raw
	check "mwanctl refuses $what" \
		test $status -ne 0 -a -n "$before" -a "$SNAP" = "$before" \
		-a -n "$(grep -F -- "$msg" <<<"$out")"
}

# ------------------------------------------------------------- refusals
topo_links 2
nlraw_start "$RTR"
mwanctl policy add p member wan1
mwanctl globals set default-policy p
mwanctl link set wan1 npt "$INT" "$EXT"

I=$(hex6 3d06:bad:b01::)
E=$(hex6 2600:1700:2f71:c80::)
link() { printf '[["LINK",[["NAME","str","wan1"],%s]]]' "$1"; }

check "npt without a mode is a prefix swap" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]["mode"]')" = prefix

refused "NPT prefix length 0" "" LINK_SET "$(link "$(npt_attr "$I" "$E" 0)")"
refused "NPT prefix length 65" "" LINK_SET "$(link "$(npt_attr "$I" "$E" 65)")"
refused "NPT prefix with host bits" "bits set past its length" \
	LINK_SET "$(link "$(npt_attr "$(hex6 3d06:bad:b01:1::)" "$E" 60)")"
refused "NPT external prefix with host bits" "bits set past its length" \
	LINK_SET "$(link "$(npt_attr "$I" "$(hex6 2600:1700:2f71:c81::)" 60)")"
refused "NPT without an external prefix" "NPT needs" \
	LINK_SET "$(link '["NPT",[["MWAN_NPT_A_INTERNAL","bin","'"$I"'"],["MWAN_NPT_A_PREFIX_LEN","u8",60]]]')"
refused "NPT with a 4-byte prefix" "" \
	LINK_SET "$(link "$(npt_attr 0afafa00 "$E" 24)")"
refused "NPT mode 2 (neither prefix nor rfc6296)" "out of range" \
	LINK_SET "$(link "$(npt_attr "$I" "$E" 60 '["MWAN_NPT_A_MODE","u8",2]')")"
refused "NPT mode as a u32" "" \
	LINK_SET "$(link "$(npt_attr "$I" "$E" 60 '["MWAN_NPT_A_MODE","u32",1]')")"
refused "an unknown attribute in the NPT nest" "" \
	LINK_SET "$(link "$(npt_attr "$I" "$E" 60 '[5,"u8",0]')")"
refused "map4 reversed" "reversed" \
	LINK_SET "$(link "$(map4_attr 0afafa06 0afafa02 6839e2c1)")"
refused "map4 past 255.255.255.255" "runs past" \
	LINK_SET "$(link "$(map4_attr 0afafa02 0afafa06 fffffffd)")"
refused "map4 of 65537 addresses" "more than 65536" \
	LINK_SET "$(link "$(map4_attr 0a000000 0a010000 64000000)")"
refused "map4 without its last address" "IPv4 map needs" \
	LINK_SET "$(link '["MAP4",[["MWAN_MAP4_A_INTERNAL_FIRST","bin","0afafa02"],["MWAN_MAP4_A_EXTERNAL_FIRST","bin","6839e2c1"]]]')"
refused "a second link on a translating link's device" "device to itself" \
	LINK_NEW "[[\"LINK\",[[\"NAME\",\"str\",\"twin\"],[\"IFINDEX\",\"u32\",$(ifindex wan1)]]]]"
refused "a replace with one bad translation" "bits set past its length" \
	CONFIG_REPLACE "[[\"LINKS\",[[\"LINK\",[[\"ID\",\"u32\",1],[\"NAME\",\"str\",\"wan1\"],[\"IFINDEX\",\"u32\",$(ifindex wan1)]]],[\"LINK\",[[\"ID\",\"u32\",2],[\"NAME\",\"str\",\"wan2\"],[\"IFINDEX\",\"u32\",$(ifindex wan2)],$(npt_attr "$(hex6 3d06:bad:b01::1)" "$E" 60)]]]]]"

cli_refused "an NPT prefix with host bits" "host bits set" \
	link set wan1 npt 3d06:bad:b01::1/60 "$EXT"
cli_refused "NPT prefixes of two lengths" "differ in length" \
	link set wan1 npt "$INT" 2600:1700:2f71:c00::/56
cli_refused "an unknown NPT mode" 'invalid NPT mode "nat" (prefix|rfc6296)' \
	link set wan1 npt "$INT" "$EXT" mode nat
cli_refused "a map4 range that runs past 255.255.255.255" "runs past" \
	link set wan1 map4 10.250.250.2-10.250.250.6 255.255.255.253

check "the link still shows its NPT" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]["external"]')" = "$EXT"
mwanctl link set wan1 npt "$INT" "$EXT" mode rfc6296
check "npt ... mode rfc6296 shows as such (show and -j)" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]["mode"]')" = rfc6296 -a \
	-n "$(mwanctl link show wan1 | grep -F "npt $INT -> $EXT mode rfc6296")"
mwanctl link set wan1 npt "$INT" "$EXT"

# ------------------------------------------------------------ lifecycle
# reach6 [COUNT]: the LAN host reaches the server from its translated address
reach6() {
	lan ping -6 -c "${1:-2}" -i 0.2 -W 1 -I "$HOST" "$SERVER6" >/dev/null 2>&1
}
npt_out() { mwanctl -j link show "$1" | pyq 'd[0]["stats"]["npt_out"]'; }

check "pings get through with NPT on wan1" reach6
check "the NPT counter of wan1 moved" test "$(npt_out wan1)" -ge 2

# The device goes away and comes back under the same ifindex: the config
# still names it, and the notifier hooks it again.
idx=$(ifindex wan1)
ip -n "$RTR" link del wan1
check "the config keeps wan1's NPT while its device is gone" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]["external"]')" = "$EXT"
# Both ends made in $RTR, so only its ifindex space matters; then the
# ISP's end moves over.
ip -n "$RTR" -batch - <<EOF
link add wan1 index $idx type veth peer name down0
link set down0 netns $ISP1
link set wan1 up
addr add 100.64.1.2/24 dev wan1
addr add 2001:db8:1::2/64 dev wan1 nodad
route add default via 2001:db8:1::1 table 101
route replace default via 2001:db8:1::1
EOF
ip -n "$ISP1" -batch - <<EOF
link set down0 up
addr add 100.64.1.1/24 dev down0
addr add 2001:db8:1::1/64 dev down0 nodad
route replace $EXT via 2001:db8:1::2
EOF
check "the device back under ifindex $idx translates again" slowwait 10 reach6 1

# Move the link to wan2: translation follows, wan1 stops.
ip -n "$RTR" -6 route replace default via 2001:db8:2::1 table 101
inet ip -6 route replace "$EXT" via 2001:db8:100:2::1
mwanctl link del wan2	# wan2 is wan1's now
mwanctl link set wan1 dev wan2
dropped=$(isp_spoofed 2)
check "wan1 moved to device wan2 translates there" slowwait 10 reach6 1
check "and ISP 2 dropped nothing from it" test "$(isp_spoofed 2)" = "$dropped"
ip -n "$RTR" -6 route replace default via 2001:db8:1::1 table 101
dropped=$(isp_spoofed 1)
check "device wan1 no longer translates" eval '! reach6 1'
check "ISP 1 dropped the untranslated source" test "$(isp_spoofed 1)" -gt "$dropped"
ip -n "$RTR" -6 route replace default via 2001:db8:2::1 table 101

mwanctl link set wan1 npt off
check "npt off: pings fail" eval '! reach6 1'
check "npt off: the link shows no NPT" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]')" = None

# The external prefix changes: the server sees the new one.
mwanctl link set wan1 npt "$INT" "$EXT2"
ip netns exec "$INET" tcpdump -q -ni isp2 -c 1 -w "$TMPDIR_X/new.pcap" icmp6 and 'ip6[8:4] = 0x26001700' >/dev/null 2>&1 &
cap=$!
sleep 1
check "pings get through with the new prefix" reach6
wait "$cap"
src=$(tcpdump -nr "$TMPDIR_X/new.pcap" 2>/dev/null | awk '{ print $3; exit }')
check "the server sees the new prefix ($src)" \
	$PY -c "import ipaddress, sys; sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network('$EXT2'))" "$src"

# ------------------------------------------------------------- teardown
setup_ns TWIN
ip -n "$TWIN" link add d0 type dummy
ip -n "$TWIN" link set d0 up
"$MWANCTL" -n "$TWIN" link add x dev d0 npt "$INT" "$EXT" map4 10.250.250.2-10.250.250.6 104.57.226.193
lan ping -6 -f -I "$HOST" "$SERVER6" >/dev/null 2>&1 &
flood=$!
sleep 2
ip netns del "$RTR"
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
check "the router namespace went away with translating links" \
	eval '! ip netns list | grep -q "^$RTR"'
check "mwan unloads while another namespace translates" rmmod mwan
check "and loads again" modprobe mwan

exit $rc
