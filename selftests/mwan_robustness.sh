#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan can be unloaded while it balances live traffic, and comes back
# working; a namespace can be deleted while its config steers traffic.
# Three rounds ($MWAN_TEST_SCALE percent of them, two at least) of:
#
#   - a router with two uplinks balances long UDP flows and pings from its
#     LAN ($RTR, topo.sh), while a second, small router ($R2) balances a
#     ping flood between its own client and server namespaces;
#   - $R2 is deleted with its config live and its traffic flowing (round 1
#     waits until it is gone, rounds 2 and 3 go on at once);
#   - `modprobe -r mwan` succeeds while $RTR's traffic still flows: no
#     module reference is leaked;
#   - `modprobe mwan`, the config again, and new connections from the LAN
#     reach the server over both uplinks.
#
# At the end the kernel log since the start must hold no BUG, WARNING,
# Oops, refcount or leak report. MWAN_ROBUST_SECONDS=S goes on with more
# rounds until S seconds have passed (make soak: minutes of them, on both
# kernels); each round is then a second namespace made, configured and
# destroyed, and an unload and reload, all under traffic.
#
#   $C2 lan0 10.9.0.2 --- lan0 10.9.0.1 $R2 wan1 10.91.1.2 --- up1 10.91.1.1 $S2
#                                          wan2 10.91.2.2 --- up2 10.91.2.1
#                                                         server 10.99.99.1

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

# Two rounds at least, one of each kind, also at the debug lane's scale.
ROUNDS=$(scaled 3)
((ROUNDS >= 2)) || ROUNDS=2
# The traffic's packet rates scale too: on the debug kernel a full-rate
# flood would starve the very steps it is meant to run under.
gap() { awk -v g="$1" -v s="${MWAN_TEST_SCALE:-100}" 'BEGIN { printf "%.3f", g * 100 / s }'; }
PING4_GAP=$(gap 0.01)
PING6_GAP=$(gap 0.02)
UDP_GAP=$(gap 0.05)
SERVER2=10.99.99.1
KMSG_BAD='\bBUG\b|WARNING|\bOops\b|refcount|leak'
rc=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; rc=1; }

checktool "ip -Version" "needs iproute2"
checktool "nft --version" "needs nft"
checktool "ping -V" "needs ping"
checktool "test -x /usr/bin/python3" "needs /usr/bin/python3"
checktool "$MWANCTL --version" "needs mwanctl (make user)"
require_module mwan

MARK="mwan_robustness: start $$ $RANDOM"
echo "$MARK" >/dev/kmsg
TMP=$(mktemp -d)
defer rm -rf "$TMP"
LOG=$TMP/server.log

# config NS: the balancing config of a router with uplinks wan1 and wan2
config() {
	"$MWANCTL" -n "$1" config replace - <<-EOF
	link add wan1 dev wan1 id 1
	link add wan2 dev wan2 id 2
	policy add bal member wan1 member wan2
	globals set default-policy bal
	EOF
}

# tx_total NS: the packets mwan sent over all links of NS, -1 if unknown
tx_total() {
	local j sum=0
	j=$("$MWANCTL" -n "$1" -j link show 2>/dev/null) || {
		echo -1
		return
	}
	while [[ $j =~ \"tx_packets\":([0-9]+)(.*) ]]; do
		sum=$((sum + BASH_REMATCH[1]))
		j=${BASH_REMATCH[2]}
	done
	echo "$sum"
}

# flowing NS WHAT: NS sends packets over its links, more by the second
flowing() {
	local a b i
	a=$(tx_total "$1")
	for i in $(seq 30); do
		sleep 0.3
		b=$(tx_total "$1")
		[ "$b" -le $((a + 20)) ] || break
	done
	if [ "$a" -ge 0 ] && [ "$b" -gt $((a + 20)) ]; then
		pass "$2 flows through mwan ($a -> $b packets sent)"
	else
		fail "$2 does not flow through mwan ($a -> $b packets sent)"
	fi
}

# start_traffic TAG: long UDP flows from the LAN, all at once, and pings
# (at full scale IPv4 every 10 ms, IPv6 every 20 ms), for a minute or
# more. Not through lan(): $! must be the process itself, not a subshell
# that runs it.
start_traffic() {
	local i
	TRAFFIC=
	if [ -n "$PARALLEL" ]; then
		in_ns "$LAN" $FLOWS connect --dst "$SERVER4" \
			--proto udp --count 6 --parallel --packets 1500 \
			--gap "$UDP_GAP" --tag "$1" >/dev/null 2>&1 &
		TRAFFIC+=" $!"
	else
		for i in 1 2 3; do
			in_ns "$LAN" $FLOWS connect \
				--dst "$SERVER4" --proto udp --packets 1500 \
				--gap "$UDP_GAP" --tag "$1.$i" >/dev/null 2>&1 &
			TRAFFIC+=" $!"
		done
	fi
	in_ns "$LAN" ping -q -i "$PING4_GAP" -w 120 "$SERVER4" >/dev/null 2>&1 &
	TRAFFIC+=" $!"
	in_ns "$LAN" ping -q -i "$PING6_GAP" -w 120 "$SERVER6" >/dev/null 2>&1 &
	TRAFFIC+=" $!"
}

# traffic_alive: every traffic process still runs
traffic_alive() {
	local pid
	for pid in $TRAFFIC; do
		kill -0 "$pid" 2>/dev/null || return 1
	done
}

stop_pids() {
	# shellcheck disable=SC2086 # lists of pids
	{ kill $1 && wait $1; } 2>/dev/null
	return 0
}

# The second router, its client and server, mwan configured, pings flowing.
build_r2() {
	local i
	setup_ns C2 R2 S2 || return 1
	ns_sysctls "$R2" "$S2"
	ip -batch - <<-EOF || return 1
	link add lan0 netns $C2 type veth peer name lan0 netns $R2
	link add wan1 netns $R2 type veth peer name up1 netns $S2
	link add wan2 netns $R2 type veth peer name up2 netns $S2
	EOF
	ip -n "$C2" -batch - <<-EOF || return 1
	link set lan0 up
	addr add 10.9.0.2/24 dev lan0
	route add default via 10.9.0.1 dev lan0 onlink
	EOF
	ip -n "$S2" -batch - <<-EOF || return 1
	link set up1 up
	link set up2 up
	addr add 10.91.1.1/24 dev up1
	addr add 10.91.2.1/24 dev up2
	link add srv type dummy
	link set srv up
	addr add $SERVER2/32 dev srv
	route add 10.9.0.0/24 via 10.91.1.2 dev up1 onlink
	EOF
	ip -n "$R2" -batch - <<-EOF || return 1
	link set lan0 up
	link set wan1 up
	link set wan2 up
	addr add 10.9.0.1/24 dev lan0
	addr add 10.91.1.2/24 dev wan1
	addr add 10.91.2.2/24 dev wan2
	route add default via 10.91.1.1 dev wan1 onlink
	route add default via 10.91.1.1 dev wan1 onlink table 101
	route add default via 10.91.2.1 dev wan2 onlink table 102
	rule add pref 900 table main suppress_prefixlength 0
	rule add pref 1001 fwmark 0x100/0x3f00 table 101
	rule add pref 1002 fwmark 0x200/0x3f00 table 102
	EOF
	config "$R2" || return 1
	R2_TRAFFIC=
	for i in 1 2; do
		in_ns "$C2" ping -q -i "$PING4_GAP" -w 120 "$SERVER2" \
			>/dev/null 2>&1 &
		R2_TRAFFIC+=" $!"
	done
}

# unload WHEN: modprobe -r mwan succeeds and the module is gone
unload() {
	local out
	if out=$(modprobe -r mwan 2>&1) && [ ! -d /sys/module/mwan ]; then
		pass "$1: mwan unloads"
	else
		fail "$1: mwan does not unload: $out (refcnt $(cat /sys/module/mwan/refcnt 2>/dev/null), holders: $(ls /sys/module/mwan/holders 2>/dev/null))"
	fi
}

# new_flows TAG: new TCP connections from the LAN all reach the server,
# over both links
new_flows() {
	local out peers n=16
	out=$(flows "$LAN" connect --dst "$SERVER4" --count $n --tag "$1" 2>&1)
	if [[ $out != *'"failed": 0'* ]]; then
		fail "$1: new connections fail: ${out:0:300}"
		return
	fi
	slowwait 5 test "$(grep -c " $1-" "$LOG")" -ge $n
	peers=$(grep " $1-" "$LOG" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
	if [[ $peers == *100.64.1.2* && $peers == *100.64.2.2* ]]; then
		pass "$1: $n new connections reach the server over both links ($peers)"
	else
		fail "$1: new connections do not use both links: seen from $peers"
	fi
}

round() {
	local r=$1 t0
	if ! build_r2; then
		fail "round $r: cannot build the second router"
		return
	fi
	start_traffic "udp$r"
	flowing "$R2" "round $r: traffic of the second router"
	flowing "$RTR" "round $r: traffic of the first router"

	t0=$SECONDS
	ip netns del "$R2"
	if [ "$r" = 1 ]; then
		# gone once its devices are: their peers vanish with them
		# (a netns is cleaned up by a workqueue after RCU grace
		# periods, which the debug kernel makes slow: 20 s were not
		# always enough there)
		if slowwait 60 sh -c "! ip -n '$C2' link show lan0 >/dev/null 2>&1"; then
			pass "round $r: the second router's netns is gone ($((SECONDS - t0)) s)"
		else
			fail "round $r: the second router's netns does not go away"
		fi
	fi
	if traffic_alive; then
		pass "round $r: traffic still flows at the unload"
	else
		fail "round $r: the traffic ended before the unload"
	fi
	unload "round $r, with live traffic"
	stop_pids "$R2_TRAFFIC"
	cleanup_ns "$C2" "$S2"

	if modprobe mwan && config "$RTR"; then
		pass "round $r: mwan loads and takes the config again"
	else
		fail "round $r: mwan does not load or take the config again"
	fi
	stop_pids "$TRAFFIC"
	new_flows "new$r"
}

topo_create 2
if ! config "$RTR"; then
	echo "FAIL: cannot configure the router"
	exit 1
fi
# start_server, without a second Python to wait for it
inet $FLOWS serve --log "$LOG" --addr "$SERVER4" "$SERVER6" &
SERVER_PID=$!
defer stop_pids "$SERVER_PID"
if ! slowwait 30 test -e "$LOG.ready"; then
	echo "FAIL: the server does not start"
	exit 1
fi
# Run the UDP flows in one process if flows.py can (its connect --help
# would tell as much, at the price of another Python start).
PARALLEL=
if grep -q '"--parallel"' "$TOPO_DIR/flows.py"; then
	PARALLEL=1
fi
new_flows "first"
r=0
until ((r >= ROUNDS && SECONDS >= ${MWAN_ROBUST_SECONDS:-0})); do
	r=$((r + 1))
	round "$r"
done
echo "# $r rounds in $SECONDS s"
unload "at the end"

bad=$(dmesg | awk -v mark="$MARK" 'seen; index($0, mark) { seen = 1 }' |
	grep -E "$KMSG_BAD")
if [ -z "$bad" ]; then
	pass "no BUG, WARNING, Oops, refcount or leak in the kernel log"
else
	fail "the kernel log says:"
	echo "$bad" | head -n 40
fi
exit $rc
