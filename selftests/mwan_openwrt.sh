#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The OpenWrt package's init script end to end: /etc/config/mwan in
# mwan3's words, converted by /etc/init.d/mwan (run by busybox ash, with
# the test double of rc.common and procd from packaging/openwrt/test
# doing what procd would: start the instance, send it its reload signal)
# into the file the real mwan-agent runs from, in the router's namespace.
#
#   $LAN -- $RTR: interfaces isp1 (wan1), isp2 (wan2) -- $ISP1, $ISP2 -- server
#
# Checked:
#  - start: the agent runs, both links up with their checks, and new
#    connections from the LAN (20, at least 12 when scaled) take both;
#  - reload with nothing changed: no signal, the same agent, no reload;
#  - isp2 disabled in /etc/config/mwan, reload: procd sends SIGHUP, the
#    same agent applies the new file, isp2 is gone and new connections
#    all take isp1.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/topo.sh
source "$(dirname "$0")/topo.sh"
topo_require
TREE=$(cd "$TOPO_DIR/.." && pwd)
AGENT=${MWAN_AGENT:-$TREE/user/agent/mwan-agent}
DBL=$TREE/packaging/openwrt/test
checktool "$AGENT --version" "needs mwan-agent (make user)"
checktool "busybox ash -c true" "needs busybox"
checktool "test -f $DBL/rc.common" "needs the source tree's packaging/openwrt"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
root=$tmp/root

TOPO_ROUTES=main topo_create 2
topo_server

mkdir -p "$root/etc/init.d" "$root/etc/config" "$root/etc/mwan" "$tmp/state"
sed -e "s#^\(MWAN_UCI\|MWAN_LOCAL\|MWAN_CONF\)=/#\1=$root/#" \
    -e "s|^MWAN_AGENT=.*|MWAN_AGENT=$AGENT|" \
    -e "s|^MWANCTL=.*|MWANCTL=$MWANCTL|" \
    "$TREE/packaging/openwrt/mwan/files/mwan.init" >"$root/etc/init.d/mwan"
cat >"$root/etc/config/network" <<-EOF
config interface 'isp1'
	option device 'wan1'
	option proto 'dhcp'

config interface 'isp2'
	option device 'wan2'
	option proto 'dhcp'
EOF
for i in 1 2; do
	cat <<-EOF
	config interface 'isp$i'
		option enabled '1'
		list track_ip '$SERVER4'
		option interval '1'
		option timeout '1'
		option down '2'
		option up '2'

	config member 'isp${i}_m1'
		option interface 'isp$i'
		option metric '1'
		option weight '1'

	EOF
done >"$root/etc/config/mwan"
cat >>"$root/etc/config/mwan" <<-EOF
config policy 'balanced'
	list use_member 'isp1_m1'
	list use_member 'isp2_m1'

config rule 'default_rule'
	option use_policy 'balanced'
EOF

# /etc/init.d/mwan ACTION, in the router's namespace
initd() {
	ip netns exec "$RTR" env PROCD_RUN=1 PROCD_LOG="$tmp/procd.log" \
		PROCD_STATE="$tmp/state" LOGGER_LOG="$tmp/logger.log" \
		busybox ash "$DBL/rc.common" "$root/etc/init.d/mwan" "$1"
}
# connections per phase: fewer on a debug kernel, but enough that all of
# them taking one of two links by chance (2 in 2^N) cannot pass for the
# other link being unused
nflows=$(scaled 20)
((nflows >= 12)) || nflows=12

verdict() { grep '^procd: ' "$tmp/procd.log" | tail -n1; }
applied() { grep -c ' applied: ' "$tmp/state/stderr"; }

initd start
defer initd stop
sed 's/^/procd: /' "$tmp/procd.log" | grep -v 'procd_.*trigger'
sed 's/^/syslog: /' "$tmp/logger.log"
check "start: procd starts the agent from the converted file" \
	test "$(verdict)" = "procd: started agent"
pid=$(cat "$tmp/state/pid")
check "isp1 and isp2 up, their checks up" slowwait 15 sh -c \
	"[ \$($MWANCTL -n $RTR link show | grep -c 'state up checks up') = 2 ]"
flows "$LAN" connect --dst "$SERVER4" --count "$nflows" --tag start >/dev/null
echo "new connections used links: $(links_of start)"
check "start: $nflows new connections, over isp1 and isp2" \
	test "$(links_of start)" = "1 2" -a "$(seen_flows start "$nflows"; echo $?)" = 0

n=$(applied)
initd reload
check "reload after nothing: no signal" test "$(verdict)" = "procd: unchanged agent"
sleep 1
check "reload after nothing: the same agent, no new apply" \
	test "$(applied)" = "$n" -a -d "/proc/$pid"

sed -i "/config interface 'isp2'/,/^$/s/option enabled '1'/option enabled '0'/" \
	"$root/etc/config/mwan"
initd reload
check "isp2 disabled, reload: procd sends SIGHUP" \
	test "$(verdict)" = "procd: signalled agent HUP"
check "the same agent applies the new file" slowwait 5 sh -c \
	"[ \$(grep -c ' applied: ' $tmp/state/stderr) -gt $n ] && [ -d /proc/$pid ]"
check "isp2 is no longer a link, isp1 is" sh -c \
	"$MWANCTL -n $RTR link show | grep -q isp1 &&
	 ! $MWANCTL -n $RTR link show | grep -q isp2"
flows "$LAN" connect --dst "$SERVER4" --count "$nflows" --tag after >/dev/null
echo "new connections used links: $(links_of after)"
check "after the reload: $nflows new connections, all over isp1" \
	test "$(links_of after)" = "1" -a "$(seen_flows after "$nflows"; echo $?)" = 0
sed 's/^/agent: /' "$tmp/state/stderr" | tail -n 4
exit "$rc"
