#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make demo`: mwan at work on a router with three uplinks of
# different character, told as an operator would see it. Runs as root on
# a kernel that loads mwan.ko, normally in the VM of vm/run-vm.sh.
#
# The lab is topo.sh's: LAN clients, the router, three ISPs and a server
# on the internet, each in its own network namespace. The ISPs are shaped
# with netem and tbf, both ways: Starlink-like (agent_lib.sh's 40 ms
# +- 10 ms and 1 % loss, 100 Mbit/s), DSL-like (20 ms, 20 Mbit/s) and
# LTE-like (60 ms, 30 Mbit/s). mwan-agent runs from demo.conf (the
# default check profile) while the clients keep connections open; bursts
# of new connections are counted at the ISPs, by the source ports of the
# SYNs each one forwards. Then ISP 1 drops everything, its link's
# carrier up, and later forwards again. Printed: mwanctl status before,
# during and after; which uplink new connections took; the failover time,
# from the fault to the kernel's link-down event, as agent_lib.sh
# times it. The last lines sum it up, in a fixed form that
# mwan_demo.sh checks:
#   failover: wan1 down N ms after its ISP failed
#   new connections by uplink, counted at the ISPs: (a table)
# Exit status 0 when the demo ran to its end.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
# What the lab's helpers say on stderr, shown only if the demo fails:
# they are killed at the end, and bash would report each ("Terminated").
LAB_ERR=$(mktemp)
defer rm -f "$LAB_ERR"
topo_require 2>>"$LAB_ERR"
source "$(dirname "$0")/agent_lib.sh"
CONF=$TOPO_DIR/demo.conf
checktool "tc -V" "needs tc"

NEW=$((4 * $(scaled 15)))	# new connections a burst, in 4 waves
BG=$(scaled 24)			# connections that keep talking
CLIENTS=(10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.13
	 10.0.0.14 10.0.0.15 10.0.0.16 10.0.0.17)

start=$SECONDS
# say LINE...: a step's narrative, each LINE on its own (80 columns)
say() {
	printf '\n[%3d s] %s\n' $((SECONDS - start)) "$1"
	shift
	[ $# -eq 0 ] || printf '        %s\n' "$@"
}
die() {
	echo "demo: $*" >&2
	sed 's/^/  /' "$LAB_ERR" >&2
	exit 1
}

# shape N NETEM RATE: ISP N delays (and loses) with netem, then holds to
# RATE with tbf, both ways
shape() {
	local dev
	for dev in down0 up0; do
		echo "qdisc add dev $dev root handle 1: $2"
		echo "qdisc add dev $dev parent 1:1 handle 10: tbf rate $3" \
			"burst 64k latency 100ms"
	done | isp "$1" tc -batch -
}

# ISP N notes the source port of every connection the router opens
# through it (the SYNs it receives on down0), before anything drops them
isp_count_setup() {
	local syn="tcp flags & (syn | ack) == syn"
	isp "$1" nft -f - <<-NFT
	table inet demo {
		set conns { type inet_service; flags dynamic; size 65535; }
		chain forward {
			type filter hook forward priority -20;
			iifname "down0" tcp dport 5001 $syn add @conns { tcp sport }
		}
	}
	NFT
}

isp_count_reset() { isp "$1" nft flush set inet demo conns; }

# the connections ISP N has seen opened since its last reset
isp_count() {
	isp "$1" nft list set inet demo conns | awk '
		/elements = \{/ { on = 1; sub(/.*\{/, "") }
		on { end = /\}/; gsub(/[{},]/, " "); n += NF; on = !end }
		END { print n + 0 }'
}

# agent_said TEXT: the agent's first log line with TEXT, folded
agent_said() {
	grep -m1 "$1" "$tmp/agent.log" | sed 's/^mwan-agent: //' |
		fold -s -w 70 | sed 's/ *$//; 1s/^/the agent: /; 2,$s/^/           /'
}

# talking N: the clients have N connections open to the server, read
# from /proc in the LAN namespace by the shell: polling with ss would
# start programs back to back, taking the CPU from the clients
talking() {
	local rem st n=0
	while read -r _ _ rem st _; do
		[[ $rem == *:1389 && $st == 01 ]] && n=$((n + 1))
	done <"/proc/$bg/net/tcp"
	((n >= $1))
}

# burst TAG WHAT: $NEW new connections from the clients while mwanctl
# status watches for 2 s; one line of what the ISPs counted, kept for the
# summary in $SUMMARY
SUMMARY=
burst() {
	local tag=$1 i counts=() total=0 arrived
	for i in 1 2 3; do
		isp_count_reset "$i"
	done
	mwanctl status -i 3 >"$tmp/status" 2>&1 &
	local spid=$!
	nap 0.3
	# in 4 waves, as clients come: all at once they would hold the
	# router's one emulated CPU for a while
	for i in 1 2 3 4; do
		flows "$LAN" connect --dst "$SERVER4" --count $((NEW / 4)) \
			--parallel --src "${CLIENTS[@]}" --tag "$tag-w$i" \
			--timeout 5 >/dev/null
		nap 0.2
	done
	wait "$spid"
	cat "$tmp/status"
	for i in 1 2 3; do
		counts[i]=$(isp_count "$i")
		total=$((total + counts[i]))
	done
	arrived=$(awk -v t="$tag-" 'index($4, t) == 1 && !($4 in f) { f[$4]; k++ }
		END { print k + 0 }' "$log")
	echo
	printf 'new connections counted at the ISPs: wan1 %d, wan2 %d, wan3 %d\n' \
		"${counts[1]}" "${counts[2]}" "${counts[3]}"
	printf '%d of the %d reached the server\n' "$arrived" "$NEW"
	printf -v line '  %-7s %13d %9d %9d %9s\n' "$tag" \
		"${counts[1]}" "${counts[2]}" "${counts[3]}" "$arrived/$NEW"
	SUMMARY+=$line
}

say "Building the lab: LAN clients, a router, three ISPs, a server."
TOPO_ROUTES=main topo_create 3 2>>"$LAB_ERR" || die "cannot build the lab"
topo_server 2>>"$LAB_ERR" || die "cannot start the server"
addrs "$LAN" lan0 "${CLIENTS[@]/%//24}"

say "Shaping the uplinks with netem and tbf, each way:" \
	"wan1 Starlink-like: 40 ms +- 10 ms, 1 % loss, 100 Mbit/s" \
	"wan2 DSL-like:      20 ms,                   20 Mbit/s" \
	"wan3 LTE-like:      60 ms,                   30 Mbit/s"
shape 1 "$STARLINK" 100mbit
shape 2 "netem delay 20ms" 20mbit
shape 3 "netem delay 60ms" 30mbit
for i in 1 2 3; do
	isp_count_setup "$i"
done
fault_feeder 1 2>>"$LAB_ERR"

# The clients and the server are other machines: here they share the
# router's one emulated CPU, so they yield it to the router (nice), as
# the kernel's work for the router's packets does not wait for them.
lab_nice() {
	local task ns
	for task in /proc/[0-9]*/task/[0-9]*; do
		for ns in "$LAN" "$INET"; do
			[[ $task/ns/net -ef /run/netns/$ns ]] || continue
			renice -n 5 -p "${task##*/}" >/dev/null
			break
		done
	done
}
lab_nice

say "The router's configuration, ${CONF#"${TOPO_DIR%/*}/"}:"
sed 's/^/  /' "$CONF"

say "Starting mwan-agent -c demo.conf; waiting for the links to come up."
events_start 2>>"$LAB_ERR"
t0=0
now_us t0
agent_run "$CONF"
# seconds here; a minute on a debug kernel, whose kmemleak scans stall
# the probes
slowwait 60 links_up wan1 wan2 wan3 || die "the links did not come up: $(cat "$tmp/agent.log")"

say "8 LAN clients open $BG connections that keep talking (a message a" \
	"second each), then $NEW new ones in a few seconds. mwanctl status:"
# shellcheck disable=SC2086 # FLOWS is a command with its arguments
nice -n 5 nsenter --net="/run/netns/$LAN" -- $FLOWS connect \
	--dst "$SERVER4" --count "$BG" --parallel --src "${CLIENTS[@]}" \
	--tag bg --gap 1 --timeout 10 --until "$tmp/stop" >/dev/null 2>&1 &
bg=$!
defer touch "$tmp/stop"
# They only add to the load: on a debug kernel a few may fail to open.
slowwait 120 talking "$BG" || echo "demo: not all of them opened"
burst before

say "Killing wan1: its ISP drops all traffic, the link's carrier stays" \
	"up (as when a dish or a modem hangs). Timing the agent's reaction."
fault_on 1 || die "could not start the fault"
await wan1 down "$FAULT_AT" || die "wan1 never went down"
failover=$(((AWAITED - FAULT_AT) / 1000))
echo "failover: wan1 down $failover ms after its ISP failed"
agent_said "wan1: up -> down"

say "New connections while wan1 is dead; mwanctl status:"
burst during

say "Restoring wan1's ISP; the agent brings the link back when its" \
	"probes pass again."
fault_off 1 || die "could not end the fault"
await wan1 up "$FAULT_AT" || die "wan1 never came back up"
echo "recovery: wan1 up $(((AWAITED - FAULT_AT) / 1000)) ms after its ISP" \
	"recovered"
agent_said "wan1: down -> up"

say "New connections with wan1 back; mwanctl status:"
burst after

say "Summary."
echo "failover: wan1 down $failover ms after its ISP failed"
echo "  (the agent's default checks; from the fault to the kernel's event)"
echo "new connections by uplink, counted at the ISPs:"
printf '  %-7s %13s %9s %9s %9s\n' "" "wan1" "wan2" "wan3" "server"
printf '  %-7s %13s %9s %9s %9s\n' "" "Starlink" "DSL" "LTE" "saw"
printf '%s' "$SUMMARY"
echo "weights 10:2:3 want 67 %, 13 %, 20 % of them; the dead link none."
echo "the links' states, as mwanctl monitor told them (time since the agent"
echo "started; on a busy machine a slow probe may take a healthy link down):"
changes "$t0"
kill -TERM "$agent"
wait "$agent"
echo "demo: done in $((SECONDS - start)) s"
