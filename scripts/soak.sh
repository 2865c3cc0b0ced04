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
# run. Then unload and reload under traffic, a conntrack table full of
# mwan's connections, and the storms:
#
#   3. selftests/mwan_robustness.sh for SOAK_ROBUST_SECONDS (default 600)
#      on each kernel: rounds of a namespace made, configured and
#      destroyed and of mwan unloaded and loaded again, all under traffic
#      (make check runs three rounds, the debug lane two);
#   4. selftests/mwan_ctscale.sh with SOAK_CT_ENTRIES (default 1000000)
#      conntrack entries on Debian's kernel, SOAK_DEBUG_CT_ENTRIES
#      (default 250000) on the debug kernel: memory, `link flush` of one
#      link's half and the unload with the rest present, timed (make
#      check: 100000);
#   5. selftests/mwan_storm.sh (whose flap storm make check runs for 60 s
#      and the short ones for 15 s) with SOAK_STORM_SECONDS (default 600)
#      of mwanctl flapping a link, and a quarter of that each of carrier
#      flaps under mwan-agent and config replaces, a TCP transfer through
#      all of them, on Debian's kernel;
#   6. selftests/mwan_interact.sh on the debug kernel (make check runs
#      it on Debian's; the lane leaves it out for CI's time): conntrack
#      and nftables flushed, MTU changed, devices renamed and deleted
#      under mwan's translating links, transfers byte-exact.
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
n=${SOAK_ROBUST_SECONDS:-600}
run "unload and reload under traffic for $n s, Debian's kernel" \
	env MWAN_ROBUST_SECONDS="$n" KSFT_TIMEOUT=$((n + 600)) \
	VM_TIMEOUT=$((n + 900)) "$TOP/scripts/check.sh" vm mwan_robustness.sh
run "unload and reload under traffic for $n s, debug kernel" \
	env MWAN_ROBUST_SECONDS="$n" KSFT_TIMEOUT=$((n + 1200)) \
	DEBUG_VM_TIMEOUT=$((n + 1800)) DEBUG_JOBS=1 TESTS=mwan_robustness.sh \
	"$TOP/scripts/check-debug.sh"
n=${SOAK_CT_ENTRIES:-1000000}
run "$n conntrack entries, Debian's kernel" \
	env MWAN_CT_ENTRIES="$n" KSFT_TIMEOUT=1800 VM_TIMEOUT=2100 \
	"$TOP/scripts/check.sh" vm mwan_ctscale.sh
n=${SOAK_DEBUG_CT_ENTRIES:-250000}
run "$n conntrack entries, debug kernel" \
	env MWAN_CT_ENTRIES="$n" KSFT_TIMEOUT=3600 DEBUG_VM_TIMEOUT=3900 \
	DEBUG_JOBS=1 TESTS=mwan_ctscale.sh "$TOP/scripts/check-debug.sh"
n=${SOAK_STORM_SECONDS:-600}
run "storms, $n s of flaps, Debian's kernel" \
	env MWAN_STORM_SECONDS="$n" KSFT_TIMEOUT=$((3 * n + 600)) \
	VM_TIMEOUT=$((3 * n + 900)) "$TOP/scripts/check.sh" vm mwan_storm.sh
run "what the rest of the system does to mwan, debug kernel" \
	env KSFT_TIMEOUT=1800 DEBUG_VM_TIMEOUT=2100 DEBUG_JOBS=1 \
	TESTS=mwan_interact.sh "$TOP/scripts/check-debug.sh"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
