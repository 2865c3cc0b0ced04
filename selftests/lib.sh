#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the mwan selftests; source it first. Same names and
# behaviour as tools/testing/selftests/net/lib.sh where the kernel has one,
# so the tests read like the kernel's and can move there.
#
#   setup_ns NAME...       make namespaces "name-XXXXXX" with lo up, store
#                          each name in $NAME; all are removed at exit
#   defer CMD [ARGS...]    run CMD at exit (last registered runs first)
#   checktool "CMD" "WHY"  skip the test unless CMD runs
#   busywait MS CMD...     retry CMD until it succeeds, for MS milliseconds
#   slowwait S CMD...      the same, once every 0.1 s for S seconds
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
	local name ns
	for name in "$@"; do
		printf -v ns '%s-%08x' "${name,,}" "$SRANDOM"
		if ! ip netns add "$ns"; then
			echo "SKIP: cannot create network namespace $ns"
			return $ksft_skip
		fi
		ip -n "$ns" link set lo up
		printf -v "$name" '%s' "$ns"
		NS_LIST="$NS_LIST $ns"
	done
}

# Kill what still runs in the namespaces, then delete them.
cleanup_ns() {
	local ns pids
	for ns in "$@"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids
		[ -z "$pids" ] || kill $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
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
