#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/soak.sh          (make soak, as root)
#
# The long runs CI leaves out. The netlink fuzzer's selftest
# (selftests/mwan_nlfuzz.sh, which make check runs with 26400 messages
# and the debug lane with a quarter of them) with many more:
#
#   1. SOAK_MESSAGES (default 300000) on Debian's kernel in the VM;
#   2. SOAK_DEBUG_MESSAGES (default 100000) on the debug kernel (KASAN,
#      kmemleak, lockdep, UBSAN: scripts/check-debug.sh), where kmemleak
#      scans after mwan is unloaded.
#
# Each is a tenth more in the model stage. MWAN_NLFUZZ_SEED=... repeats a
# run. Then the storms under traffic (selftests/mwan_storm.sh, whose flap
# storm make check runs for 60 s and the short ones for 15 s):
#
#   3. SOAK_STORM_SECONDS (default 600) of mwanctl flapping a link, and a
#      quarter of that each of carrier flaps under mwan-agent and config
#      replaces, a TCP transfer through all of them, on Debian's kernel.
#
# Ends with "N passed, N failed"; exits 1 if anything failed.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run WHAT CMD...: one step, its "N passed, N failed" line counted
run() {
	local what=$1 line p f
	shift
	echo "soak: $what"
	"$@" 2>&1 | tee "$out"
	line=$(tail -n1 "$out")
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	else
		p=0 f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

n=${SOAK_MESSAGES:-300000}
run "netlink fuzzing, $n messages, Debian's kernel" \
	env MWAN_NLFUZZ_COUNT="$n" MWAN_NLFUZZ_MODEL=$((n / 10)) \
	MWAN_NLFUZZ_SECONDS=3000 KSFT_TIMEOUT=3600 VM_TIMEOUT=4000 \
	"$TOP/scripts/check.sh" vm mwan_nlfuzz.sh
n=${SOAK_DEBUG_MESSAGES:-100000}
run "netlink fuzzing, $n messages, debug kernel" \
	env MWAN_NLFUZZ_COUNT="$n" MWAN_NLFUZZ_MODEL=$((n / 10)) \
	MWAN_NLFUZZ_SECONDS=6000 KSFT_TIMEOUT=7200 DEBUG_VM_TIMEOUT=7800 \
	DEBUG_JOBS=1 TESTS=mwan_nlfuzz.sh "$TOP/scripts/check-debug.sh"
n=${SOAK_STORM_SECONDS:-600}
run "storms, $n s of flaps, Debian's kernel" \
	env MWAN_STORM_SECONDS="$n" KSFT_TIMEOUT=$((3 * n + 600)) \
	VM_TIMEOUT=$((3 * n + 900)) "$TOP/scripts/check.sh" vm mwan_storm.sh
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
