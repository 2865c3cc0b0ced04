#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent: health checks drive the links' state in the kernel. Three
# links; the agent starts from a config file written here, with ICMP and
# ICMPv6 checks to the server through each ISP every 100 ms. ISP 2 then
# drops everything it forwards, its carrier up, N times: each time the
# kernel must show wan2 down, and up again once the ISP forwards again.
# The time from the fault to the kernel's "down" is the failover time:
#   failover: median N ms, p95 N ms over N faults
# While wan2 is down every new connection must arrive (none goes to the
# dead link). Then wan3 loses its carrier: down at once, not after probes
# time out; back up once it returns. wan1's check also judges latency:
# 250 ms more takes it down, less brings it back. SIGTERM ends the agent
# cleanly and leaves the kernel's configuration as it was. The router
# starts as DHCP leaves it (a default route per uplink in main): the
# agent's own tables and rules carry the probes and the connections.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
AGENT=${MWAN_AGENT:-$(cd "$TOPO_DIR/.." && pwd)/user/agent/mwan-agent}
checktool "$AGENT --version" "needs mwan-agent (make user)"

TOPO_ROUTES=main topo_create 3
topo_server

tmp=$(mktemp -d)
defer rm -rf "$tmp"
conf=$tmp/mwan.conf
cat >"$conf" <<EOF2
# written by mwan_agent.sh: three links balanced, each checked
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
link add wan3 dev wan3 id 3
policy add balanced member wan1 member wan2 member wan3
globals set default-policy balanced
EOF2
for i in 2 3; do
	echo "check wan$i icmp $SERVER4 $SERVER6 interval 100ms" \
		"failure-interval 50ms recovery-interval 100ms timeout 150ms" \
		"down 3 up 3"
done >>"$conf"
# wan1 judges latency too: a reply after 200 ms fails, one comes back
# after 100 ms at most; its timeout lets such slow replies arrive
echo "check wan1 icmp $SERVER4 $SERVER6 interval 100ms timeout 400ms" \
	"failure-latency 200ms recovery-latency 100ms down 3 up 3" >>"$conf"

check "mwan-agent --check accepts the file" \
	"$AGENT" -n "$RTR" --check "$conf"

# The kernel's link events, each stamped with the microsecond it was read.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME//[!0-9]/}"; }
t0=0 t1=0 start=0
stamp() {
	local line t
	while IFS= read -r line; do
		now_us t
		printf '%s %s\n' "$t" "$line"
	done
}
events=$tmp/events
mwanctl monitor | stamp >"$events" &

"$AGENT" -n "$RTR" -c "$conf" 2>"$tmp/agent.log" &
agent=$!
defer flows_stop "$agent"

# state_at LINK STATE SINCE_US: the first time at or after SINCE_US the
# kernel reported LINK in STATE
state_at() {
	awk -v l="$1" -v s="$2" -v t="$3" '
		$1 >= t && $3 == "link" && $4 == l {
			for (i = 5; i < NF; i++)
				if ($i == "state" && $(i + 1) == s) { found = 1; print $1; exit }
		}
		END { exit !found }' "$events" 2>/dev/null
}
# nap S: sleep without starting a program: a read that times out
mkfifo "$tmp/nap"
exec {napfd}<>"$tmp/nap"
nap() { read -rt "$1" -u "$napfd" || true; }
# await LINK STATE SINCE_US: wait (10 s at most) for it, print when. The
# events are stamped as they come: looking four times a second is enough,
# and leaves the one CPU of the VM to the agent.
await() {
	local i
	for ((i = 0; i < 40; i++)); do
		state_at "$@" && return 0
		nap 0.25
	done
	return 1
}
reported() { await "$@" >/dev/null; }

links_up() {
	local i
	for i in 1 2 3; do
		mwanctl link show "wan$i" | grep -q " state up" || return 1
	done
}
check "the agent applies the file: three links, up" slowwait 10 links_up
# the agent's RTT figures reach the kernel
check "RTT pushed to the kernel" \
	slowwait 10 sh -c "$MWANCTL -n $RTR link show wan1 | grep -q ' rtt [1-9]'"
check "the kernel's link events are followed" reported wan2 up 0

# The faults come from programs started beforehand, fed one command
# each through a pipe: starting nft or ip costs a tenth of a second under
# emulation, which would blur when the fault began.
isp 2 nft -f - <<-NFT
table inet fault {
	chain forward {
		type filter hook forward priority -10;
	}
}
NFT
# feeder NS CMD...: CMD reading its commands from a pipe in NS; its
# write end is $fd
feeder() {
	local ns=$1 pipe
	shift
	pipe=$tmp/feed.$ns
	mkfifo "$pipe"
	in_ns "$ns" "$@" <"$pipe" >/dev/null &
	defer flows_stop $!
	exec {fd}>"$pipe"
}
feeder "$(isp_ns 2)" nft -i
nft2=$fd
feeder "$(isp_ns 3)" ip -force -batch -
ip3=$fd
fault_on() { echo "add rule inet fault forward drop" >&"$nft2"; }
fault_off() { echo "flush chain inet fault forward" >&"$nft2"; }

now_us start
n=$(scaled 20)
((n >= 3)) || n=3
times=()
lost=0
for ((k = 1; k <= n; k++)); do
	now_us t0
	fault_on
	if ! down=$(await wan2 down "$t0"); then
		lost=$((lost + 1))
		fault_off
		continue
	fi
	times+=($(((down - t0) / 1000)))
	if ((k == n)); then
		# wan2 down: every new connection takes wan1 or wan3
		flows "$LAN" connect --dst "$SERVER4" --count 20 --tag down \
			--timeout 2 >/dev/null
		check "wan2 down: 20 new connections all arrive, over wan1 and wan3" \
			seen_flows down 20
		echo "new connections used links: $(links_of down)"
		check "wan2 down: no new connection on it" \
			test "$(links_of down)" = "1 3"
	fi
	fault_off
	now_us t1
	await wan2 up "$t1" >/dev/null || { lost=$((lost + 1)); break; }
done
check "every fault seen, and wan2 back up after each ($lost missed)" \
	test "$lost" -eq 0
if ((${#times[@]})); then
	read -r median p95 < <(printf '%s\n' "${times[@]}" | sort -n | awk '
		{ v[NR] = $1 }
		END { i = int((NR * 95 + 99) / 100); print v[int((NR + 1) / 2)], v[i] }')
	echo "failover: median $median ms, p95 $p95 ms over ${#times[@]} faults"
	# 3 lost rounds of 150 ms, one interval late at worst, and slack; the
	# debug lane (a fraction of the volume, every program ten times as
	# slow) measures it but cannot hold the agent to a time
	if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
		check "failover p95 within 1500 ms" test "$p95" -le 1500
	fi
fi
false_downs=$(awk -v t="$start" '$1 >= t && $3 == "link" &&
	($4 == "wan1" || $4 == "wan3") && / state down/' "$events" | wc -l)
echo "false downs of wan1 and wan3 meanwhile: $false_downs"
check "no false downs on the healthy links" test "$false_downs" -eq 0

# carrier: the ISP side of wan3's veth goes down
now_us t0
echo "link set down0 down" >&"$ip3"
if down=$(await wan3 down "$t0"); then
	echo "carrier loss: wan3 down after $(((down - t0) / 1000)) ms"
	# probes alone would need 3 rounds of 150 ms
	check "carrier loss takes wan3 down before probes could" \
		test $(((down - t0) / 1000)) -lt 450
else
	check "carrier loss takes wan3 down" false
fi
check "the agent logs why" grep -q "wan3: up -> down: carrier lost" \
	"$tmp/agent.log"
flows "$LAN" connect --dst "$SERVER4" --count 20 --tag carrier --timeout 2 \
	>/dev/null
check "wan3 without carrier: 20 new connections all arrive, over wan1 and wan2" \
	seen_flows carrier 20
check "wan3 without carrier: none on it" test "$(links_of carrier)" = "1 2"
now_us t0
echo "link set down0 up" >&"$ip3"
if up=$(await wan3 up "$t0"); then
	echo "carrier back: wan3 up after $(((up - t0) / 1000)) ms"
	check "carrier back: wan3 up after its recovery rounds" true
else
	check "carrier back: wan3 up after its recovery rounds" false
fi

# latency: ISP 1 delays what it sends the router by 250 ms; replies
# still come in time, but too slow
now_us t0
isp 1 tc qdisc add dev down0 root netem delay 250ms
if down=$(await wan1 down "$t0"); then
	echo "250 ms more latency: wan1 down after $(((down - t0) / 1000)) ms"
	check "latency past failure-latency takes wan1 down" true
else
	check "latency past failure-latency takes wan1 down" false
fi
check "the agent logs why" grep -q \
	"wan1: up -> down: 3 rounds failed (last: 0 of 2 targets good" \
	"$tmp/agent.log"
now_us t0
isp 1 tc qdisc del dev down0 root
check "latency back to normal: wan1 up" reported wan1 up "$t0"

kill -TERM "$agent"
wait "$agent"
check "SIGTERM: the agent exits with status 0" test $? -eq 0
check "SIGTERM: the kernel keeps the configuration" \
	sh -c "$MWANCTL -n $RTR link show wan3 | grep -q 'state up'"
echo "agent log:"
sed 's/^/  /' "$tmp/agent.log"
exit $rc
