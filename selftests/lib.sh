#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the mwan selftests; source it first. Same names and
# behaviour as tools/testing/selftests/net/lib.sh where the kernel has one,
# so the tests read like the kernel's and can move there.
#
#   setup_ns NAME...       make namespaces "name-XXXXXX" with lo up, store
#                          each name in $NAME; all are removed at exit
#   in_ns NS CMD [ARGS...] run CMD in namespace NS
#   defer CMD [ARGS...]    run CMD at exit (last registered runs first)
#   checktool "CMD" "WHY"  skip the test unless CMD runs
#   busywait MS CMD...     retry CMD until it succeeds, for MS milliseconds
#   slowwait S CMD...      the same, once every 0.1 s for S seconds
#   scaled N               N flows, rounds... at $MWAN_TEST_SCALE percent
#
# Exit codes: 0 pass, 1 fail, $ksft_skip (4) skip. Print "PASS: what" and
# "FAIL: what" lines; the runner shows them.

# shellcheck disable=SC2034 # for the tests
ksft_pass=0
ksft_fail=1
ksft_skip=4

NS_LIST=""
LIB_DEFERRED=()

# Namespaces are named after the variable plus a random suffix, so tests
# never clash with each other or with leftovers of an earlier run.
setup_ns() {
	local name ns names=() batch=
	for name in "$@"; do
		printf -v ns '%s-%08x' "${name,,}" "$SRANDOM"
		names+=("$ns")
		batch+="netns add $ns"$'\n'
	done
	# One ip for all: under a debug kernel each program started costs ~1 s.
	if ! ip -batch - <<<"$batch"; then
		echo "SKIP: cannot create network namespaces ${names[*]}"
		return $ksft_skip
	fi
	for name in "$@"; do
		ns=${names[0]}
		names=("${names[@]:1}")
		ip -n "$ns" link set lo up
		printf -v "$name" '%s' "$ns"
		NS_LIST="$NS_LIST $ns"
	done
}

# Only the network namespace changes: "ip netns exec" also remounts /sys
# for the namespace's devices, which costs a debug kernel another third
# of a second per program; what reads /sys there (tcpdump) keeps it.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# Kill what still runs in the namespaces, then delete them. A process is
# in one if its /proc/PID/ns/net is the same file as the namespace's
# (what `ip netns pids` checks), found without starting a program per
# namespace.
cleanup_ns() {
	local ns proc pids=() batch=
	[ $# -gt 0 ] || return 0
	for proc in /proc/[0-9]*; do
		for ns in "$@"; do
			if [[ $proc/ns/net -ef /run/netns/$ns ]]; then
				pids+=("${proc#/proc/}")
				break
			fi
		done
	done
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
	for ns in "$@"; do
		batch+="netns del $ns"$'\n'
	done
	ip -force -batch - <<<"$batch" 2>/dev/null
	return 0
}

cleanup_all_ns() {
	# shellcheck disable=SC2086 # a list of names
	cleanup_ns $NS_LIST
	NS_LIST=""
}

defer() {
	local cmd
	printf -v cmd '%q ' "$@"
	LIB_DEFERRED+=("$cmd")
}

run_deferred() {
	local i
	for ((i = ${#LIB_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${LIB_DEFERRED[i]}" || true
	done
	LIB_DEFERRED=()
}

# The default exit trap; a test with its own trap should call it too.
lib_cleanup() {
	run_deferred
	cleanup_all_ns
}
trap lib_cleanup EXIT

checktool() {
	if ! $1 >/dev/null 2>&1; then
		echo "SKIP: $2 ($1 does not run)"
		exit $ksft_skip
	fi
}

busywait() {
	local timeout_ms=$1 start
	shift
	start=$(date +%s%3N)
	until "$@"; do
		(($(date +%s%3N) - start < timeout_ms)) || return 1
	done
}

slowwait() {
	local timeout_s=$1 start=$SECONDS
	shift
	until "$@"; do
		((SECONDS - start < timeout_s)) || return 1
		sleep 0.1
	done
}

# scaled N: N at $MWAN_TEST_SCALE percent (default 100), at least 1. The
# debug lane runs the suite at a fraction of its volume: there it hunts
# memory and locking bugs, which the first flows of a kind meet as surely
# as the thousandth, and each flow costs ten times as much.
scaled() {
	local n=$(($1 * ${MWAN_TEST_SCALE:-100} / 100))
	echo $((n > 0 ? n : 1))
}

# Load a module or skip: a missing kernel feature is not a test failure.
require_module() {
	local m
	for m in "$@"; do
		if ! modprobe -q "$m"; then
			echo "SKIP: cannot load module $m"
			exit $ksft_skip
		fi
	done
}
