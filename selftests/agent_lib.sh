#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the mwan-agent selftests share; source it after topo.sh.
#
#   agent_events           the kernel's link events from now on, each line
#                          of `mwanctl monitor` stamped with the microsecond
#                          it was read, in $AGENT_EVENTS
#   now_us VAR             the time now in microseconds, into VAR
#   state_at LINK STATE T  the stamp of the first event at or after T that
#                          shows LINK in STATE; fails if none yet
#   await LINK STATE T     the same, waiting for it 10 s at most
#   reported LINK STATE T  await, quietly
#   events_of LINK STATE T how often since T LINK went to STATE
#   nap S                  sleep S seconds without starting a program
#   feeder NS CMD...       CMD started in NS now, reading commands from a
#                          pipe whose write end is $fd: a fault then starts
#                          when the test writes it, not a program later
#                          (a tenth of a second under emulation)

AGENT_TMP=$(mktemp -d)
defer rm -rf "$AGENT_TMP"
AGENT_EVENTS=$AGENT_TMP/events

now_us() { printf -v "$1" '%s' "${EPOCHREALTIME//[!0-9]/}"; }

agent_stamp() {
	local line t
	while IFS= read -r line; do
		now_us t
		printf '%s %s\n' "$t" "$line"
	done
}

agent_events() {
	mwanctl monitor | agent_stamp >"$AGENT_EVENTS" &
}

state_at() {
	awk -v l="$1" -v s="$2" -v t="$3" '
		$1 >= t && $3 == "link" && $4 == l {
			for (i = 5; i < NF; i++)
				if ($i == "state" && $(i + 1) == s) { found = 1; print $1; exit }
		}
		END { exit !found }' "$AGENT_EVENTS" 2>/dev/null
}

# Every event shows the link's state, also one that only updates its RTT:
# a change is an event with another state than the one before.
events_of() {
	awk -v l="$1" -v s="$2" -v t="$3" '
		$3 == "link" && $4 == l {
			for (i = 5; i < NF; i++)
				if ($i == "state") {
					if ($1 >= t && $(i + 1) == s && last != s)
						n++
					last = $(i + 1)
				}
		}
		END { print n + 0 }' "$AGENT_EVENTS" 2>/dev/null
}

mkfifo "$AGENT_TMP/nap"
exec {AGENT_NAPFD}<>"$AGENT_TMP/nap"
nap() { read -rt "$1" -u "$AGENT_NAPFD" || true; }

# The events are stamped as they come: looking four times a second is
# enough, and leaves the one CPU of the VM to the agent.
await() {
	local i
	for ((i = 0; i < 40; i++)); do
		state_at "$@" && return 0
		nap 0.25
	done
	return 1
}
reported() { await "$@" >/dev/null; }

feeder() {
	local ns=$1 pipe
	shift
	pipe=$AGENT_TMP/feed.$ns.$#.$RANDOM
	mkfifo "$pipe"
	in_ns "$ns" "$@" <"$pipe" >/dev/null &
	defer flows_stop $!
	# shellcheck disable=SC2034 # for the caller
	exec {fd}>"$pipe"
}
