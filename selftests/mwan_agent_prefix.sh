#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent follows delegated prefixes: the Debian seed's network (issue
# 3, topo_seed.sh), where each ISP delegates a /60 by DHCPv6-PD and the
# client's hook puts PREFIX::1/128 on the WAN device. The agent's file
# gives Webpass its NPT with the prefix of the last lease and tracks it
# with "prefix webpass"; its device also has the ISP's link address (a
# /64), which is no delegation. Then Webpass renumbers: the new lease's
# ::1/128 arrives, the old one goes. Within a second the kernel's NPT
# external prefix is the new one, the agent logs it, the next connection
# from the LAN reaches the server from the new image, the new image
# reaches the LAN host from the internet, and AT&T (not tracked) keeps its
# prefix.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/topo_seed.sh"
seed_require
source "$(dirname "$0")/agent_lib.sh"

WEBPASS6_NEW=2604:5500:c271:bf00::/60
seed_create
seed_prefix 2 "$WEBPASS6_NEW"
topo_server

conf=$tmp/mwan.conf
cat >"$conf" <<EOF2
# written by mwan_agent_prefix.sh: the seed's two ISPs
link add att dev wan1 id 1 npt $INTERNAL6 $ATT6
link add webpass dev wan2 id 2 npt $INTERNAL6 $WEBPASS6
policy add webpass-only member webpass
policy add balanced member att member webpass
rule add from-host policy webpass-only src $HOST6/128
globals set default-policy balanced
prefix webpass
# the seed's test topology routes the links itself
routing off
EOF2
check "mwan-agent --check accepts prefix lines" \
	"$AGENT" -n "$RTR" --check "$conf"
"$AGENT" -n "$RTR" -c "$conf" 2>"$tmp/agent.log" &
agent=$!
defer flows_stop "$agent"

external() { mwanctl -j link show "$1" | pyq 'd[0]["npt"]["external"]'; }
slowwait 10 grep -q "webpass: no delegated prefix on wan2 yet" "$tmp/agent.log"
check "no lease yet: the agent says so, the file's prefix stays" \
	test "$(external webpass)" = "$WEBPASS6"

# the lease the file was written from appears: nothing changes
rtr ip -6 addr add "${WEBPASS6%/60}1/128" dev wan2 nodad
sleep 1
check "the file's own lease: the prefix stays" \
	test "$(external webpass)" = "$WEBPASS6"

# renumbered: the new lease's address, then the old one's goes
now_us t0
rtr ip -6 addr add "${WEBPASS6_NEW%/60}1/128" dev wan2 nodad
rtr ip -6 addr del "${WEBPASS6%/60}1/128" dev wan2
ext_is() { [ "$(external "$1")" = "$2" ]; }
if slowwait 5 ext_is webpass "$WEBPASS6_NEW"; then
	now_us t1
	echo "renumbered: the kernel had the new prefix after $(((t1 - t0) / 1000)) ms"
	check "the new delegation is Webpass's NPT external prefix" true
else
	check "the new delegation is Webpass's NPT external prefix" false
	mwanctl link show webpass
fi
check "the agent logs it" grep -q \
	"webpass: delegated prefix $WEBPASS6_NEW on wan2: NPT external prefix $WEBPASS6 -> $WEBPASS6_NEW" \
	"$tmp/agent.log"
check "AT&T keeps its prefix" test "$(external att)" = "$ATT6"
check "the internal prefix and mode stay" test "$(mwanctl -j link show webpass |
	pyq 'd[0]["npt"]["internal"] + " " + d[0]["npt"]["mode"]')" = "$INTERNAL6 prefix"

img_new=$(swap6 "$HOST6" "$INTERNAL6" "$WEBPASS6_NEW")
flows "$LAN" connect --proto tcp --dst "$SERVER6" --src "$HOST6" --count 3 \
	--packets 3 --tag renum --timeout 2 >/dev/null
check "the next connections reach the server from the new image $img_new" \
	test "$(peers_of renum)" = "$img_new"
check "the new image reaches the LAN host from the internet" \
	inet ping -6 -c 2 -i 0.3 -W 2 "$img_new"

# a lease of the wrong length and a temporary address change nothing
rtr ip -6 addr add 2604:5500:c271:c000::1/64 dev wan2 nodad
sleep 1
check "a /64 on the device is no delegation: the prefix stays" \
	test "$(external webpass)" = "$WEBPASS6_NEW"
kill -TERM "$agent"
wait "$agent"
echo "agent log:"
sed 's/^/  /' "$tmp/agent.log"
exit $rc
