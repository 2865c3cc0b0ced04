#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the mwan-agent tests share: the agent itself, the kernel's link
# events, an ISP's faults, Starlink-like ISPs. Source it after lib.sh and
# topo.sh; it gives the test a folder, $tmp, removed at the end.
#
#   $AGENT                the mwan-agent under test; the test is skipped
#                         without one
#   agent_run CONF        mwan-agent on $RTR with CONF, its log in
#                         $tmp/agent.log, its pid in $agent; stopped when
#                         the test ends
#   links_up LINK...      the kernel shows each LINK up
#   agent_stop            SIGTERM: checks the agent exits with status 0,
#                         and prints its log
#   balanced_conf         the start of an agent's file: wan1-3 balanced
#   starlink N...         ISPs N... become Starlink-like
#   starlink_scene        topo_create 3 left to the agent to route, the
#                         server, ISPs 1-3 Starlink-like, and in $conf
#                         balanced_conf with each link's default check
#   events_start          follow "mwanctl monitor", each line stamped
#                         with the microsecond it was read
#   await LINK STATE SINCE_US
#                         wait (10 s at most) until the kernel set LINK
#                         to STATE at or after SINCE_US; the time in
#                         $AWAITED
#   went LINK STATE SINCE_US
#                         how often LINK changed to STATE since then:
#                         $WENT; none_went: true if never
#   downs LINKS SINCE_US  how often LINKS ("wan1 wan3") went from up to
#                         down since SINCE_US, all together: $DOWNS
#   changes SINCE_US      print the changes since then, one a line
#   fault_feeder N        get ISP N ready to fail; then
#   fault_on N            ISP N drops all it forwards, both ways, its
#                         links' carrier up, from $FAULT_AT (microseconds)
#   fault_off N           ISP N forwards again, from $FAULT_AT
#   feeder NS CMD...      CMD started in NS now, reading commands from a
#                         pipe whose write end is $fd: a fault then starts
#                         when the test writes it, not a program later
#   failover_stats MS...  $MEDIAN, $P95 and a line $STATS of the times
#   stall_watch [FILE]    until FILE exists (or the test ends), a shell
#                         that wakes every 10 ms writes "FROM TO" to
#                         $tmp/stalls each time it could not for 50 ms or
#                         more: the VM did not run, its host busy; its
#                         pid in $STALL_PID
#   stood FROM_US TO_US   how long the VM stood still between the two,
#                         in microseconds: $STOOD
#   now_us VAR            the time in microseconds, into VAR
#   nap S                 sleep S seconds without starting a program
#
# What reads the events (await, went, downs, changes) must not run in a
# subshell ($(...), a pipeline): what it read would be lost to the test.
#
# A failover is timed from when the fault began to when the test read
# the kernel's event. The start is exact: the ISP's shell notes the time
# just before the datagram that starts the fault, which nft sees in the
# same syscall. (An nft or sysctl command at the moment would start it 50
# to 600 ms late under emulation with the CPU shared, sysctl waiting for
# the RTNL lock.) The end is late if anything: a loop that does nothing
# else stamps each event as it reads it. Nothing starts a program while a
# fault is timed: under emulation each costs a tenth of a second of the
# one CPU, which the agent's probes would wait for; the shell reads the
# events itself, from the file the stamping loop appends to.

# shellcheck disable=SC2034 # $AWAITED, $agent... are the tests'

AGENT=${MWAN_AGENT:-$(cd "$TOPO_DIR/.." && pwd)/user/agent/mwan-agent}
checktool "$AGENT --version" "needs mwan-agent (make user)"
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkfifo "$tmp/nap"
exec {EV_NAPFD}<>"$tmp/nap"

agent_run() {
	"$AGENT" -n "$RTR" -c "$1" 2>"$tmp/agent.log" &
	agent=$!
	defer flows_stop "$agent"
}

links_up() {
	local link
	for link in "$@"; do
		mwanctl link show "$link" 2>/dev/null | grep -q " state up" ||
			return 1
	done
}

agent_stop() {
	kill -TERM "$agent"
	wait "$agent"
	check "SIGTERM: the agent exits with status 0" test $? -eq 0
	echo "agent log:"
	sed 's/^/  /' "$tmp/agent.log"
}

# balanced_conf: the start of an agent's file for the three links of
# topo_create 3, balanced by the default policy; the test adds its checks
balanced_conf() {
	cat <<-EOF
	# written by $(basename "$0"): three links balanced
	link add wan1 dev wan1 id 1
	link add wan2 dev wan2 id 2
	link add wan3 dev wan3 id 3
	policy add balanced member wan1 member wan2 member wan3
	globals set default-policy balanced
	EOF
}

# 40 ms +- 10 ms each way, with netem's Pareto-normal mix: mostly normal,
# with a heavier tail of late packets, as satellite links have; and 1 %
# lost each way, independently, so 2 % of round trips fail
STARLINK="netem delay 40ms 10ms distribution paretonormal loss 1%"

starlink() {
	local n
	for n in "$@"; do
		# Neighbours resolved before the loss starts, as on a router
		# whose uplinks have carried traffic: a lost ARP packet costs a
		# second's retry, two failed rounds of the first probes, and a
		# false down at the agent's start that these tests do not time.
		isp "$n" ping -c1 -W2 -q "100.64.$n.2" >/dev/null 2>&1
		isp "$n" ping -c1 -W2 -q "192.0.2.$((4 * n + 2))" >/dev/null 2>&1
		isp "$n" tc -batch - <<-EOF
		qdisc add dev down0 root $STARLINK
		qdisc add dev up0 root $STARLINK
		EOF
	done
}

# starlink_scene: three Starlink-like links left to the agent to route,
# the server, and in $conf the links balanced, each with the default check
starlink_scene() {
	local i
	TOPO_ROUTES=main topo_create 3
	topo_server
	starlink 1 2 3
	conf=$tmp/mwan.conf
	{
		balanced_conf
		echo "# the default checks"
		for i in 1 2 3; do
			echo "check wan$i icmp $SERVER4"
		done
	} >"$conf"
}

now_us() { printf -v "$1" '%s' "${EPOCHREALTIME//[!0-9]/}"; }

# a read that times out
nap() { read -rt "$1" -u "$EV_NAPFD" || true; }

ev_stamp() {
	local line t
	while IFS= read -r line; do
		now_us t
		printf '%s %s\n' "$t" "$line"
	done
}

# Each faulty ISP has a shell waiting to send a datagram to itself: one
# to port 9 starts the fault, one to port 10 ends it. nft, in the
# sending syscall, adds the ISP's two devices to the set of those whose
# traffic it drops, or takes them out. The shell says when it sent.
declare -A FAULT_TO FAULT_FROM

fault_feeder() {
	local n=$1 pipe=$tmp/fault.$1 to from
	isp "$n" nft -f - <<-NFT
	table inet fault {
		set dead { type ifname; flags dynamic; }
		chain out {
			type filter hook output priority 0;
			udp dport 9 add @dead { "down0" } add @dead { "up0" }
			udp dport 10 delete @dead { "down0" } delete @dead { "up0" }
		}
		chain forward {
			type filter hook forward priority -10;
			iifname @dead drop
		}
	}
	NFT
	mkfifo "$pipe.to" "$pipe.from"
	# shellcheck disable=SC2016 # for the shell in the namespace
	isp "$n" bash -c 'while read -r port; do
		t=${EPOCHREALTIME/./}
		echo >/dev/udp/127.0.0.1/$port
		echo "$t"
	done 2>/dev/null' <"$pipe.to" >"$pipe.from" &
	defer flows_stop $!
	exec {to}>"$pipe.to" {from}<"$pipe.from"
	FAULT_TO[$n]=$to
	FAULT_FROM[$n]=$from
}

# fault_send N PORT: the datagram, and when it went into $FAULT_AT
fault_send() {
	echo "$2" >&"${FAULT_TO[$1]}"
	read -r -t 10 -u "${FAULT_FROM[$1]}" FAULT_AT
}

fault_on() { fault_send "$1" 9; }
fault_off() { fault_send "$1" 10; }

EV_PARTIAL=
declare -A EV_STATE	# each link's state as last reported
EV_TRANS=()		# "TIME LINK OLD NEW" for every change of state

events_start() {
	EV_FILE=$tmp/events
	: >"$EV_FILE"
	mwanctl monitor | ev_stamp >>"$EV_FILE" &
	defer flows_stop $!
	exec {EV_FD}<"$EV_FILE"
}

# One stamped line: a link's state, when it differs from the last one.
ev_line() {
	local re='^([0-9]+) [a-z]+ link ([^ ]+) .* state ([a-z]+)( |$)'
	local old

	[[ $1 =~ $re ]] || return 0
	old=${EV_STATE[${BASH_REMATCH[2]}]:--}
	[ "$old" != "${BASH_REMATCH[3]}" ] || return 0
	EV_STATE[${BASH_REMATCH[2]}]=${BASH_REMATCH[3]}
	EV_TRANS+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} $old ${BASH_REMATCH[3]}")
}

# Whatever the file has gained; a line still being written waits.
events_poll() {
	local line
	if ((BASH_SUBSHELL)); then
		echo "agent_lib.sh: ${FUNCNAME[1]} in a subshell" >&2
		return 1
	fi
	while IFS= read -r -u "$EV_FD" line; do
		ev_line "$EV_PARTIAL$line"
		EV_PARTIAL=
	done
	EV_PARTIAL+=$line
}

# ev_find LINK STATE SINCE_US: the first such change, into $AWAITED
ev_find() {
	local e f
	for e in "${EV_TRANS[@]}"; do
		read -r -a f <<<"$e"
		if ((f[0] >= $3)) && [ "${f[1]}" = "$1" ] && [ "${f[3]}" = "$2" ]; then
			AWAITED=${f[0]}
			return 0
		fi
	done
	return 1
}

await() {
	local i
	for ((i = 0; i < 500; i++)); do
		events_poll || return 1
		ev_find "$@" && return 0
		nap 0.02
	done
	return 1
}

# transitions LINKS FROM TO SINCE_US: how often one of LINKS changed from
# FROM (any state if empty) to TO since then, into $COUNT
transitions() {
	local e f
	COUNT=0
	events_poll || return 1
	for e in "${EV_TRANS[@]}"; do
		read -r -a f <<<"$e"
		((f[0] >= $4)) && [[ " $1 " == *" ${f[1]} "* ]] &&
			[ -z "$2" -o "${f[2]}" = "$2" ] && [ "${f[3]}" = "$3" ] &&
			COUNT=$((COUNT + 1))
	done
	return 0
}

downs() { transitions "$1" up down "$2" && DOWNS=$COUNT; }
went() { transitions "$1" "" "$2" "$3" && WENT=$COUNT; }
none_went() { went "$@" && ((WENT == 0)); }

feeder() {
	local ns=$1 pipe
	shift
	pipe=$tmp/feed.$ns.$#.$RANDOM
	mkfifo "$pipe"
	in_ns "$ns" "$@" <"$pipe" >/dev/null &
	defer flows_stop $!
	exec {fd}>"$pipe"
}

changes() {
	local e f
	events_poll || return 1
	for e in "${EV_TRANS[@]}"; do
		read -r -a f <<<"$e"
		((f[0] >= $1)) || continue
		printf '%6d ms %s %s -> %s\n' $(((f[0] - $1) / 1000)) \
			"${f[1]}" "${f[2]}" "${f[3]}"
	done
}

stall_watch() {
	local until=${1:-$tmp/never} last= now=
	mkfifo "$tmp/tick"
	(
		exec {tick}<>"$tmp/tick"
		now_us last
		while [ ! -e "$until" ]; do
			read -rt 0.01 -u "$tick" || true
			now_us now
			((now - last < 50000)) || echo "$last $now"
			last=$now
		done >"$tmp/stalls"
	) &
	STALL_PID=$!
	defer flows_stop $STALL_PID
}

stood() {
	STOOD=$(awk -v a="$1" -v b="$2" '{
		f = $1 > a ? $1 : a; t = $2 < b ? $2 : b
		if (t > f) s += t - f } END { print s + 0 }' "$tmp/stalls")
}

failover_stats() {
	local v
	mapfile -t v < <(printf '%s\n' "$@" | sort -n)
	MEDIAN=${v[$(((${#v[@]} + 1) / 2 - 1))]}
	P95=${v[$(((${#v[@]} * 95 + 99) / 100 - 1))]}
	STATS="median $MEDIAN ms, p95 $P95 ms over ${#v[@]} faults"
}
