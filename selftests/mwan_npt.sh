#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NPTv6 per link, in the network of issue 3 (topo_seed.sh): the LAN's
# 3d06:bad:b01::/60 leaves AT&T as 2600:1700:2f71:c80::/60 and Webpass as
# 2604:5500:c271:be00::/60, configured as the seed writes it (no mode: the
# prefix swap). The images are computed here, independently of the kernel
# (swap6 and npt6 in topo_seed.sh), or are the seed's own words.
#   - the seed's examples exactly: 3d06:bad:b01:1::100 (VLAN100, pinned to
#     AT&T by a rule) reaches the server as 2600:1700:2f71:c81::100 and
#     3d06:bad:b01:2::50 (VLAN200, pinned to Webpass) as
#     2604:5500:c271:be02::50, over TCP, UDP and ping;
#   - balanced per flow, new TCP and UDP flows from 3d06:bad:b01::2 all
#     complete and show up at the server as its two images exactly, each
#     flow as one address;
#   - ping and TCP from the internet to each image of 3d06:bad:b01::2, and
#     to the seed's two addresses, reach the host, and the replies leave
#     by the link they came in on;
#   - no packet with an internal source ever reaches an ISP;
#   - the npt_out / npt_in counters account for what the server saw;
#   - Webpass's external prefix changes under a running UDP stream: the
#     stream's later datagrams use the new prefix, the new image reaches
#     the host, the old one no longer does;
#   - both links switched to RFC 6296 mode: new flows show up as the
#     checksum-neutral images, which reach the host from the internet.
# With FLOWTABLE=1 (mwan_npt_flowtable.sh) the router offloads TCP and UDP
# to an nftables flowtable, and the test also checks that the flows were
# really offloaded.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/topo_seed.sh"
seed_require

WEBPASS6_NEW=2604:5500:c271:bf00::/60
long_report=$(mktemp)
stream_report=$(mktemp)
stop=$(mktemp -u)
defer rm -f "$long_report" "$stream_report" "$stop"
seed_create
seed_links
topo_server
[ "$FLOWTABLE" = 1 ] && echo "router offloads TCP and UDP to flowtable ft"

img_att=$(swap6 "$HOST6" "$INTERNAL6" "$ATT6")
img_wp=$(swap6 "$HOST6" "$INTERNAL6" "$WEBPASS6")
img_new=$(swap6 "$HOST6" "$INTERNAL6" "$WEBPASS6_NEW")
both=$(printf '%s\n' "$img_att" "$img_wp" | LC_ALL=C sort | xargs)
echo "images of $HOST6: att $img_att, webpass $img_wp, webpass after the change $img_new"

# the seed's setup as written
mwanctl link set att npt "$INTERNAL6" "$ATT6"
mwanctl link set webpass npt "$INTERNAL6" "$WEBPASS6"
mwanctl link show
check "npt without a mode is the prefix swap" \
	test "$(mwanctl -j link show | pyq '" ".join(l["npt"]["mode"] for l in d)')" = "prefix prefix"

# The seed's two examples: VLAN100 takes AT&T, VLAN200 Webpass.
SEED_ATT=2600:1700:2f71:c81::100
SEED_WP=2604:5500:c271:be02::50
mwanctl policy add att-only member att
mwanctl policy add webpass-only member webpass
mwanctl rule add vlan100 policy att-only src 3d06:bad:b01:1::/64
mwanctl rule add vlan200 policy webpass-only src 3d06:bad:b01:2::/64
inet nft -f - <<-NFT
table inet seen {
	chain in {
		type filter hook input priority 0;
		ip6 saddr $SEED_ATT icmpv6 type echo-request counter comment "att"
		ip6 saddr $SEED_WP icmpv6 type echo-request counter comment "wp"
	}
}
NFT
ping_from() { lan ping -6 -c 2 -i 0.2 -W 2 -I "$1" "$SERVER6" >/dev/null; }
for x in "$VLAN100_HOST6 $SEED_ATT s100 att" "$VLAN200_HOST6 $SEED_WP s200 wp"; do
	read -r host ext tag name <<<"$x"
	ok_t=$(flows "$LAN" connect --proto tcp --dst "$SERVER6" --src "$host" \
		--count 3 --packets 3 --tag "$tag-t" --timeout 2 | pyq 'd["ok"]')
	ok_u=$(flows "$LAN" connect --proto udp --dst "$SERVER6" --src "$host" \
		--count 3 --packets 3 --tag "$tag-u" --timeout 2 | pyq 'd["ok"]')
	check "$host: 3 TCP connections and 3 UDP flows to the server complete" \
		test "$ok_t $ok_u" = "3 3"
	check "$host: the server saw TCP and UDP from $ext, the seed's address" \
		test "$(peers_of "$tag-t") $(peers_of "$tag-u")" = "$ext $ext"
	check "$host: ping to the server gets its replies" ping_from "$host"
	check "$host: the server got the echo requests from $ext" \
		test "$(inet nft list chain inet seen in | nft_packets "$name")" -ge 2
done
mwanctl rule del vlan100
mwanctl rule del vlan200

# Balanced per flow over both links.
ok_t=$(flows "$LAN" connect --proto tcp --dst "$SERVER6" --count 16 --packets 3 \
	--sport 21000 --tag t6 --timeout 2 | pyq 'd["ok"]')
ok_u=$(flows "$LAN" connect --proto udp --dst "$SERVER6" --count 16 --packets 5 \
	--gap 0.05 --sport 21100 --tag u6 --timeout 2 | pyq 'd["ok"]')
echo "balanced: $ok_t TCP and $ok_u UDP flows ok; server saw $(peers_of t6) / $(peers_of u6)"
check "16 TCP connections and 16 UDP flows from $HOST6 complete" \
	test "$ok_t $ok_u" = "16 16"
check "new TCP connections show up as the images $both" \
	test "$(peers_of t6)" = "$both"
check "new UDP flows show up as the images $both" \
	test "$(peers_of u6)" = "$both"
check "every datagram of a UDP flow came from one address" flows_one_peer u6 16

# A longer transfer: TCP and UDP flows that keep talking for ~3 seconds;
# with the flowtable, these are carried by it.
lan $FLOWS connect --proto tcp --dst "$SERVER6" --count 4 --packets 60 \
	--gap 0.05 --parallel --sport 22000 --tag long-t >"$long_report" &
long_pid=$!
lan $FLOWS connect --proto udp --dst "$SERVER6" --count 4 --packets 60 \
	--gap 0.05 --parallel --sport 22100 --tag long-u >/dev/null &
long_u_pid=$!
check "the long flows are under way" seen_wait long-u 20
wait $long_pid $long_u_pid
if [ "$FLOWTABLE" = 1 ]; then
	check "the flowtable carried the long flows" offload_carried 8
fi
check "4 long TCP connections complete all 60 exchanges" \
	test "$(pyq 'd["ok"]' <"$long_report")" = 4
# the 4 UDP flows each came from one address, $img_att or $img_wp
long_u_ok() {
	flows_one_peer long-u 4 &&
		[ -z "$(peers_of long-u | tr ' ' '\n' | grep -vxF -e "$img_att" -e "$img_wp")" ]
}
check "long UDP flows: every datagram from one of the images" long_u_ok
check "server saw all 240 datagrams of the long UDP flows" \
	test "$(grep -c ' long-u-' "$log")" -eq 240

# Inbound, to each link's image of each host: the seed's addresses too.
seed_lan_server "$HOST6" "$VLAN100_HOST6" "$VLAN200_HOST6"
seed_inbound "$HOST6" "$img_att" "$img_wp"
seed_inbound_one "$VLAN100_HOST6" att 1 "$SEED_ATT"
seed_inbound_one "$VLAN200_HOST6" webpass 2 "$SEED_WP"
seed_clean

# Counters: each packet the server saw from a link's image was translated
# out by it, and each such packet was answered through it.
for x in "att $img_att" "webpass $img_wp"; do
	read -r name img <<<"$x"
	out=$(link_stat "$name" npt_out)
	in=$(link_stat "$name" npt_in)
	seen=$(awk -v a="$img" '$2 == a' "$log" | wc -l)
	echo "$name: npt_out $out, npt_in $in, npt_dropped $(link_stat "$name" npt_dropped); server logged $seen from $img"
	check "$name: npt_out and npt_in count at least what the server saw" \
		test "$out" -ge "$seen" -a "$in" -ge "$seen" -a "$seen" -gt 0
	check "$name: npt_dropped stays 0" test "$(link_stat "$name" npt_dropped)" -eq 0
done

# Webpass's prefix changes under a running UDP stream, which goes on until
# the server has seen 10 of its datagrams from the new prefix. The stream
# sends without waiting for answers: an answer on its way during the
# change goes to the old prefix and is lost, as with a real renumbering.
mwanctl link set att state down
seed_prefix 2 "$WEBPASS6_NEW"
npt_before="$(link_stat att npt_out) $(link_stat webpass npt_out)"
lan $FLOWS stream --dst "$SERVER6" --sport 26000 --tag live \
	--until "$stop" >"$stream_report" &
stream_pid=$!
check "the stream is under way" seen_wait live 10
mwanctl link set webpass npt "$INTERNAL6" "$WEBPASS6_NEW"
check "the stream goes on from $img_new" \
	slowwait 60 seen_from_at_least live-0 "$img_new" 10
touch "$stop"
wait $stream_pid
# the stream's sources in the order the server saw them, repeats collapsed
live=$(awk '$4 == "live-0" { print $2 }' "$log" | uniq | xargs)
echo "the stream came from: $live ($(grep -c ' live-0$' "$log") of $(cat "$stream_report") datagrams)"
check "the stream's datagrams came from $img_wp, then from $img_new" \
	test "$live" = "$img_wp $img_new"
check "the server got every datagram of the stream" \
	test "$(grep -c ' live-0$' "$log")" -eq "$(cat "$stream_report")"
ok_new=$(flows "$LAN" connect --proto tcp --dst "$SERVER6" --count 4 --packets 3 \
	--sport 27000 --tag new --timeout 2 | pyq 'd["ok"]')
check "new TCP connections complete and show up as $img_new" \
	test "$ok_new $(peers_of new)" = "4 $img_new"
read -r att_before wp_before <<<"$npt_before"
check "with att down, only webpass's npt_out moved (by the stream and more)" \
	test "$(link_stat att npt_out)" -eq "$att_before" -a \
		"$(link_stat webpass npt_out)" -ge $((wp_before + $(cat "$stream_report")))
check "mwanctl shows webpass's new prefix" \
	test "$(mwanctl -j link show webpass | pyq 'd[0]["npt"]["external"]')" = "$WEBPASS6_NEW"
check "still no packet with an internal source reached an ISP" \
	test "$(isp_counted 1 leaked) $(isp_counted 2 leaked)" = "0 0"
check "TCP from the internet to the new image $img_new reaches the host" \
	test "$(reach "$img_new" in-new)" = ok
check "ping from the internet to the new image: both replies left by webpass" \
	test "$(ping_via "$img_new" 2)" = "0 2"
check "the old image $img_wp no longer reaches the host (TCP)" \
	test "$(reach "$img_wp" in-old)" != ok
check "the old image no longer answers ping" \
	test "$(inet ping -6 -c 1 -W 1 "$img_wp" | grep -c 'bytes from')" -eq 0
check "the host's server saw no connection to the old image" \
	test -z "$(flow_peers in-old "$lan_log")"
mwanctl link set att state up

# RFC 6296 mode, from the next packet on: the checksum-neutral images.
mwanctl link set att npt "$INTERNAL6" "$ATT6" mode rfc6296
mwanctl link set webpass npt "$INTERNAL6" "$WEBPASS6" mode rfc6296
r_att=$(npt6 "$HOST6" "$INTERNAL6" "$ATT6")
r_wp=$(npt6 "$HOST6" "$INTERNAL6" "$WEBPASS6")
r_both=$(printf '%s\n' "$r_att" "$r_wp" | LC_ALL=C sort | xargs)
echo "RFC 6296 images of $HOST6: att $r_att, webpass $r_wp"
check "mwanctl shows both links in mode rfc6296" \
	test "$(mwanctl -j link show | pyq '" ".join(l["npt"]["mode"] for l in d)')" = "rfc6296 rfc6296"
ok_t=$(flows "$LAN" connect --proto tcp --dst "$SERVER6" --count 8 --packets 3 \
	--sport 28000 --tag r6t --timeout 2 | pyq 'd["ok"]')
ok_u=$(flows "$LAN" connect --proto udp --dst "$SERVER6" --count 8 --packets 3 \
	--sport 28100 --tag r6u --timeout 2 | pyq 'd["ok"]')
check "rfc6296: 8 TCP connections and 8 UDP flows complete" \
	test "$ok_t $ok_u" = "8 8"
check "rfc6296: they show up as the images $r_both" \
	test "$(peers_of r6t)" = "$r_both" -a "$(peers_of r6u)" = "$r_both"
seed_inbound "$HOST6" "$r_att" "$r_wp"
check "rfc6296: still no packet with an internal source reached an ISP" \
	test "$(isp_counted 1 leaked) $(isp_counted 2 leaked)" = "0 0"
exit $rc
