#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, installed and run as systemd would run them (it is
# not PID 1 here). scripts/check-packages.sh leaves in build/pkg/ the
# packages and the module DKMS built from mwan-dkms for the headers'
# kernel, which this VM boots:
#   - that module loads (its dependencies first, as modprobe would);
#   - dpkg -i installs mwan into this VM's root (a tmpfs overlay);
#   - the installed unit's ExecStartPre and ExecStart (with its capability
#     bounding set and no new privileges, NOTIFY_SOCKET and WATCHDOG_USEC
#     as systemd would give them) on the installed /etc/mwan/mwan.conf as
#     shipped: READY=1 (dpkg starts the unit before anyone edits it);
#   - the installed /etc/mwan/mwan.conf, its statements uncommented and
#     its devices and targets the router's, is what the agent reads, run
#     the same way: READY=1 with both links up, the installed mwanctl show
#     sees the file's links and policy, and new connections from the LAN
#     spread over both;
#   - the unit's ExecReload makes the agent take an edited file; SIGTERM
#     (systemd's stop) ends it with status 0;
#   - the bash completion loads; dpkg -r keeps the edited conffile,
#     dpkg --purge removes it.
# On another kernel (the debug lane's), its own mwan.ko stands in for the
# DKMS-built one, which is then not loaded.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
PKG=$(cd "$TOPO_DIR/.." && pwd)/build/pkg
UNIT=/lib/systemd/system/mwan-agent.service
CONF=/etc/mwan/mwan.conf
checktool "dpkg --version" "needs dpkg"
checktool "setpriv --version" "needs setpriv (util-linux)"
if [ ! -s "$PKG/state" ]; then
	echo "SKIP: no packages in $PKG (scripts/check-packages.sh builds them)"
	exit $ksft_skip
fi
if [ "$(id -u)" != 0 ] || [ -e /var/lib/dpkg/info/mwan.list ]; then
	echo "SKIP: needs root, and a system without the mwan package"
	exit $ksft_skip
fi
debs=("$PKG"/mwan_*.deb)

# The DKMS-built module in place of the tree's, before the tests load that
if [ "$(cat "$PKG/kernel")" = "$(uname -r)" ]; then
	[ ! -d /sys/module/mwan ] || rmmod mwan
	check "the tree's mwan.ko unloaded" test ! -d /sys/module/mwan
	deps=$(modinfo -F depends "$PKG/mwan.ko")
	check "the DKMS-built mwan.ko loads (after ${deps//,/, })" \
		sh -c "modprobe -a ${deps//,/ } && insmod $PKG/mwan.ko"
	echo "vermagic $(modinfo -F vermagic "$PKG/mwan.ko"), kernel $(uname -r)"
else
	echo "the DKMS-built mwan.ko is for $(cat "$PKG/kernel"), this is" \
		"$(uname -r): the tests' mwan.ko stands in"
fi
topo_require

tmp=$(mktemp -d)
defer rm -rf "$tmp"
# Without triggers: man-db's would index every man page on the system,
# 20 s under emulation, for nothing this test looks at.
DPKG="dpkg --no-triggers"
defer sh -c "$DPKG --purge mwan >/dev/null 2>&1"
t0=$SECONDS
check "dpkg -i ${debs[0]##*/}" sh -c "$DPKG -i ${debs[0]} >$tmp/dpkg.log 2>&1"
check "dpkg -s: mwan installed" sh -c \
	"dpkg-query -W -f '\${Status}' mwan | grep -qx 'install ok installed'"
sed 's/^/  /' "$tmp/dpkg.log"
echo "dpkg -i took $((SECONDS - t0)) s"
check "installed: /usr/sbin/mwan-agent, mwanctl, $UNIT, $CONF" \
	test -x /usr/sbin/mwan-agent -a -x /usr/sbin/mwanctl -a -f "$UNIT" -a -f "$CONF"

# unit KEY: the unit's last KEY= value
unit() { sed -n "s/^$1=//p" "$UNIT" | tail -n1; }
# unit_cmd LINE: one of the unit's command lines, as systemd runs it: split
# at blanks, $MAINPID replaced; a '+' in front: with full privileges, as
# this test has them anyway
unit_cmd() {
	local line=${1#+}
	[ -n "$line" ] || return 1
	# shellcheck disable=SC2086 # split as systemd does
	${line//\$MAINPID/${MAINPID:-}}
}

TOPO_ROUTES=main topo_create 2
topo_server

pre=$(unit ExecStartPre)
start=$(unit ExecStart)
caps=$(unit CapabilityBoundingSet)
bounding=-all
for c in $caps; do
	c=${c#CAP_}
	bounding+=",+${c,,}"
done
nnp=
[ "$(unit NoNewPrivileges)" != yes ] || nnp=--no-new-privs
wd=$(unit WatchdogSec)
echo "unit: ExecStartPre=$pre ExecStart=$start bounding set $bounding $nnp WatchdogSec=$wd"
check "Type=notify" test "$(unit Type)" = notify
check "ExecStartPre: $pre" unit_cmd "$pre"

# run_unit N: the unit's ExecStart, as systemd would run it, in the router's
# namespace, against a stand-in for its notify socket ($notify.N)
run_unit() {
	local name="@mwan-pkg-$$-$SRANDOM"
	notify=$tmp/notify.$1
	rtr $PY "$TOPO_DIR/notify_sock.py" "$name" >"$notify" 2>&1 &
	defer flows_stop $!
	slowwait 20 grep -q '^listening' "$notify"
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	NOTIFY_SOCKET=$name WATCHDOG_USEC=$((${wd%s} * 1000000)) \
		ip netns exec "$RTR" setpriv $nnp --bounding-set "$bounding" -- \
		$start 2>"$tmp/agent.log.$1" &
	agent=$!
	defer flows_stop "$agent"
}

# As installed (dpkg starts the unit): nothing configured, nothing to fail
run_unit 1
check "ExecStart with $CONF as shipped: READY=1" \
	slowwait 30 grep -q ' READY=1' "$notify"
kill -TERM "$agent"
wait "$agent"
check "and SIGTERM ends it with status 0" test $? -eq 0
sed 's/^/  /' "$tmp/agent.log.1"

# The example as a user would take it: uncommented, with their devices
sed -e 's/^#\([a-z]\)/\1/' -e 's/ dev eth\([12]\)/ dev wan\1/' \
	-e "s/^\(check isp[12] icmp\) .*/\1 $SERVER4/" "$CONF" >"$tmp/conf"
cp "$tmp/conf" "$CONF"
echo "$CONF, adapted:"
grep -v '^#' "$CONF" | grep . | sed 's/^/  /'
run_unit 2
check "ExecStart: READY=1 with the links' states" \
	slowwait 30 grep -q ' READY=1|STATUS=isp1 up, isp2 up$' "$notify"

# links_shown: mwanctl show has the file's links, both up (on a loaded
# debug kernel a probe round may fail now and then: wait it out)
links_shown() {
	show=$(/usr/sbin/mwanctl -n "$RTR" show)
	[ "$(awk '$1 == "link" {
		for (i = 3; i < NF; i += 2) f[$i] = $(i + 1)
		printf "%s %s %s %s;", $2, f["dev"], f["state"], f["weight"] }' \
		<<<"$show")" = "isp1 wan1 up 2;isp2 wan2 up 1;" ]
}
check "mwanctl show: the file's links, both up, weights 2 and 1" \
	slowwait 10 links_shown
echo "mwanctl show:"
echo "$show" | sed 's/^/  /'
shows() { grep -q "$1" <<<"$show"; }
check "mwanctl show: policy balanced, the default" \
	shows '^policy balanced '
check "mwanctl show: the default policy is balanced" \
	shows 'default-policy balanced'

flows "$LAN" connect --dst "$SERVER4" --count 20 --tag pkg --timeout 5 >/dev/null
check "20 new connections from the LAN arrive" seen_flows pkg 20
echo "they used links: $(links_of pkg)"
check "over both links" test "$(links_of pkg)" = "1 2"

reload=$(unit ExecReload)
sed -i 's/^link add isp1 dev wan1 weight 2$/link add isp1 dev wan1 weight 3/' "$CONF"
MAINPID=$agent
check "ExecReload: $reload" unit_cmd "$reload"
weight3() { /usr/sbin/mwanctl -n "$RTR" link show isp1 | grep -q ' weight 3 '; }
check "after the reload the kernel has the edited weight" slowwait 10 weight3

kill -TERM "$agent"
wait "$agent"
check "SIGTERM: the agent exits with status 0" test $? -eq 0
echo "agent log:"
sed 's/^/  /' "$tmp/agent.log.2"

check "the bash completion loads" bash -c \
	'source /usr/share/bash-completion/completions/mwanctl &&
	 complete -p mwanctl >/dev/null'

$DPKG -r mwan >"$tmp/dpkg.log" 2>&1
check "dpkg -r: the tools gone, the edited $CONF kept" \
	sh -c "test ! -e /usr/sbin/mwan-agent && grep -q 'weight 3' $CONF"
$DPKG --purge mwan >"$tmp/dpkg.log" 2>&1
check "dpkg --purge: $CONF gone" test ! -e "$CONF"
exit $rc
