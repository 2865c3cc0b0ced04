#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: run.sh [TEST...]
#
# Run the selftests (default: TEST_PROGS of the Makefile beside this file)
# as root on the running kernel, normally inside the VM of
# vm/run-vm.sh, and report in KTAP:
#   ok N name / not ok N name / ok N name # SKIP / not ok N name # TIMEOUT
# with each test's output as "# " lines. After every test the kernel log
# written meanwhile is searched for splats (WARNING, BUG, Oops, stalls,
# leaks, sanitizer reports): any makes the test fail, whatever it printed.
# Last line: "N passed, N failed[, N skipped]"; exit 1 on any failure.
#
# Per-test time limit: timeout= in ./settings, or $KSFT_TIMEOUT.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# The kernel-log scanner, shared with the debug lane (make check-debug).
KLOG_CHECK=$HERE/vm/kernel-log-check.sh

passed=0
failed=0
skipped=0

test_progs() {
	awk '/^TEST_PROGS[ \t]*[:+]?=/ { sub(/^[^=]*=/, ""); more = 1 }
	     more { more = sub(/\\$/, ""); printf "%s ", $0 }' "$HERE/Makefile"
}

test_timeout() {
	local t
	t=$(sed -n 's/^timeout=//p' "$HERE/settings" 2>/dev/null)
	echo "${KSFT_TIMEOUT:-${t:-45}}"
}

# Kernel messages since the previous call (read and cleared): the reports
# in them, with context.
kmsg_problems() {
	dmesg -c 2>/dev/null | "$KLOG_CHECK"
}

# The named namespaces, by a glob: no program to start (each costs a
# second under the debug kernel).
netns_list() {
	local f
	for f in /run/netns/*; do
		[ -e "$f" ] && echo "${f##*/}"
	done
}

# Namespaces a killed test left behind must not disturb the next one; only
# those it made go, should this run outside a throwaway VM.
remove_new_netns() {
	local ns batch=
	while IFS= read -r ns; do
		[[ $'\n'$1$'\n' == *$'\n'$ns$'\n'* ]] || batch+="netns del $ns"$'\n'
	done < <(netns_list)
	[ -z "$batch" ] || ip -force -batch - <<<"$batch"
}

# Seconds the CPUs were idle since boot (idle + iowait in /proc/stat).
cpu_idle() {
	local f
	read -ra f </proc/stat	# cpu user nice system idle iowait ...
	echo $(((f[4] + f[5]) / 100))
}

run_one() {
	local n=$1 name=$2 limit=$3 rc start=$SECONDS bad netns idle
	local out
	out=$(mktemp)
	netns=$(netns_list)
	idle=$(cpu_idle)
	# timeout puts the test in its own process group and kills all of it.
	timeout -k 10 "$limit" "./$name" </dev/null 2>&1 |
		sed -u 's/^/# /' | tee "$out"
	rc=${PIPESTATUS[0]}
	# Again at the end, where a log cut to its tail still shows them.
	grep '^# FAIL: ' "$out" | sed "s/^# FAIL: /# $name failed: /"
	rm -f "$out"
	echo "# $name: exit $rc, $((SECONDS - start)) s"
	# waiting, not working: what more guests on the same CPUs could use
	echo "# $name: CPU idle $(($(cpu_idle) - idle)) s"
	remove_new_netns "$netns"
	bad=$(kmsg_problems)
	if [ -n "$bad" ]; then
		echo "# kernel log during $name:"
		echo "$bad" | sed 's/^/#   /'
		echo "not ok $n $name # kernel splat"
		failed=$((failed + 1))
		return
	fi
	case $rc in
	0) echo "ok $n $name"; passed=$((passed + 1)) ;;
	4) echo "ok $n $name # SKIP"; skipped=$((skipped + 1)) ;;
	124 | 137) echo "not ok $n $name # TIMEOUT $limit seconds"; failed=$((failed + 1)) ;;
	*) echo "not ok $n $name"; failed=$((failed + 1)) ;;
	esac
}

main() {
	local tests n=0 t limit
	if [ $# -gt 0 ]; then
		tests=("$@")
	else
		read -ra tests <<<"$(test_progs)"
	fi
	limit=$(test_timeout)
	cd "$HERE" || exit 1
	echo "TAP version 13"
	echo "1..${#tests[@]}"
	echo "# kernel $(uname -r), per-test limit ${limit} s"
	dmesg -c >/dev/null 2>&1	# what booting said is not the tests' doing
	for t in "${tests[@]}"; do
		n=$((n + 1))
		if [ ! -x "$t" ]; then
			echo "not ok $n $t # not found or not executable"
			failed=$((failed + 1))
			continue
		fi
		run_one "$n" "$t" "$limit"
	done
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}

main "$@"
