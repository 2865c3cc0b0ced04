#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: failover.sh PROFILE
#
# make bench-failover's guest (an ordinary VM, no -icount: this is time
# as a user sees it): the failover time of mwan-agent's checks with one
# of these profiles, over Starlink-like links (agent_lib.sh: 40 ms +- 10
# ms and 1 % loss each way), as mwan_agent_defaults.sh measures it: ISP 2
# drops everything it forwards, its carrier up, at random moments of the
# probing; the time from the fault to the kernel's "down" is one sample.
#   agent-default  "check wanN icmp TARGET", nothing more
#   mwan3-default  mwan3's code defaults, with the agent's knobs: one
#                  target, interval 10s, timeout 4s, count 1, down 5, up 5
#   mwan3-tuned    mwan3-study.md's aggressive profile, one target:
#                  interval 1s, timeout 1s, count 1, down 3, up 3
# mwan3track sleeps its interval after a round, which takes the timeout
# when the target does not answer; the agent's intervals run from the
# start of one round to the next. So mwan3's failing rounds come every
# interval + timeout: the agent's failure-interval (and its default of
# 200 ms must not stand in for mwan3's failure_interval, which is the
# interval).
# MWAN_BENCH_FAULTS faults (default 20). Prints "bench-time:
# failover-PROFILE MICROSECONDS" per fault, for report.py, and the KTAP
# lines of lib.sh's checks.

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../topo.sh"
topo_require
source "$(dirname "$0")/../agent_lib.sh"
checktool "tc -V" "needs tc"

profile=${1:?usage: failover.sh PROFILE}
case $profile in
agent-default) knobs= ;;
mwan3-default)
	knobs=" interval 10s failure-interval 14s recovery-interval 10s"
	knobs+=" timeout 4s count 1 down 5 up 5" ;;
mwan3-tuned)
	knobs=" interval 1s failure-interval 2s recovery-interval 1s"
	knobs+=" timeout 1s count 1 down 3 up 3" ;;
*) echo "failover.sh: no profile '$profile'" >&2; exit 1 ;;
esac

TOPO_ROUTES=main topo_create 2
topo_server
starlink 1 2

conf=$tmp/mwan.conf
cat >"$conf" <<EOF2
# written by bench/failover.sh: two links, profile $profile
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
policy add balanced member wan1 member wan2
globals set default-policy balanced
check wan1 icmp $SERVER4$knobs
check wan2 icmp $SERVER4$knobs
EOF2
check "mwan-agent --check accepts the $profile profile" \
	"$AGENT" -n "$RTR" --check "$conf"

# await_for SECONDS LINK STATE SINCE_US: agent_lib.sh's await, as long as
# a slow profile takes
await_for() {
	local end=$((SECONDS + $1))
	shift
	until await "$@"; do
		((SECONDS < end)) || return 1
	done
}

# the longest a fault and a recovery can take with the profile, and some
case $profile in
mwan3-default) limit=150 ;;
*) limit=20 ;;
esac

events_start
fault_feeder 2
agent_run "$conf"
check "the agent applies the file: two links, up" \
	slowwait "$limit" links_up wan1 wan2

n=${MWAN_BENCH_FAULTS:-20}
times=()
lost=0
for ((k = 1; k <= n; k++)); do
	# a moment of the probing at random, not always right after a round
	printf -v t '%d.%03d' $((RANDOM % 2)) $((RANDOM % 1000))
	nap "$t"
	fault_on 2 || { lost=$((lost + 1)); continue; }
	if ! await_for "$limit" wan2 down "$FAULT_AT"; then
		lost=$((lost + 1))
		fault_off 2
		continue
	fi
	times+=($(((AWAITED - FAULT_AT) / 1000)))
	echo "bench-time: failover-$profile $((AWAITED - FAULT_AT))"
	fault_off 2
	await_for "$limit" wan2 up "$FAULT_AT" || { lost=$((lost + 1)); break; }
done
check "every fault seen, and wan2 back up after each ($lost missed)" \
	test "$lost" -eq 0
if ((${#times[@]})); then
	failover_stats "${times[@]}"
	echo "# failover $profile: $STATS"
fi
kill -TERM "$agent"
wait "$agent"
exit $rc
