#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check-debug.sh          (make check-debug)
#
# The debug lane: the selftests once more, on a kernel built to catch
# memory and locking bugs (KASAN, kmemleak, lockdep + PROVE_RCU, UBSAN,
# DEBUG_ATOMIC_SLEEP, DEBUG_LIST: selftests/debug-kernel.config).
#
#  1. scripts/debug-kernel.sh builds that kernel, or finds it cached.
#  2. mwan.ko and the lane's test-only modules (selftests/debug/) are built
#     against it from a copy of the sources, away from the normal build.
#  3. The lane's self-test: one boot loads mwan_test_leak.ko, then
#     mwan_test_uaf.ko; the log scanner must flag a kmemleak report for
#     the first and a KASAN use-after-free for the second.
#  4. The suite: selftests/run.sh runs every selftest but those
#     selftests/debug/skip names (userspace-only checks: timing, output,
#     packages; each with its reason), shared out over
#     $DEBUG_JOBS VMs (one per host CPU) booted alongside step 3's; each
#     unloads mwan at the end and has kmemleak scan; any report in a log
#     (selftests/vm/kernel-log-check.sh, which selftests/run.sh also uses
#     after each test) fails the run and is printed.
#
# Ends with "N passed, N failed" like make check; exits 1 if anything failed.
#
# Environment: TESTS="a.sh b.sh" runs only those selftests (as make check);
# DEBUG_JOBS: VMs for the suite (default: the number of host CPUs);
# KSFT_TIMEOUT: per-test limit in the debug kernel (default 900 s);
# MWAN_TEST_SCALE: the tests' volume (flows, rounds) in percent of make
# check's (default 25: the checkers need each path taken, not taken often);
# DEBUG_VM_MEM (MiB, default 2048), DEBUG_VM_TIMEOUT (s, default 3300);
# DEBUG_KEEP=1 keeps the build and log folder.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
SCAN=$TOP/selftests/vm/kernel-log-check.sh
RUNVM=$TOP/selftests/vm/run-vm.sh
GUEST=$TOP/selftests/debug/guest.sh
RUNNER=$TOP/selftests/run.sh
# Per-test times of the last run here, to share the suite out evenly; on
# a machine that has none, those of a run when the suite last changed.
TIMES=/var/cache/mwan-debug-kernel/test-seconds
TIMES_SEEN=$TOP/selftests/debug/test-seconds

passed=0
failed=0
skipped=0
jobs=1		# suite VMs
rcs=()		# their guests' exit status

log() { echo "check-debug: $*"; }
die() { log "$*"; failed=$((failed + 1)); result; exit 1; }
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }

result() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
}

cleanup() {
	if [ "${DEBUG_KEEP:-0}" = 1 ]; then
		log "kept: $work"
	else
		rm -rf "$work"
	fi
}

# Build the Kbuild tree $1 (copied to $2) against the debug kernel.
build_ext() {
	local src=$1 dst=$2
	shift 2
	mkdir -p "$dst"
	(cd "$src" && tar -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='.*.cmd' --exclude='*.mod*' "$@") | tar -xf - -C "$dst"
	make -s -C "$DEBUG_KDIR" M="$dst" modules >"$dst/build.log" 2>&1 || {
		cat "$dst/build.log"
		return 1
	}
}

# The bench, on the debug kernel: everything the guest needs is built in,
# the modules tree is the debug kernel's (mods/, plus extra/ in the guest).
vm() {
	VM_KREL=$DEBUG_KREL VM_MEM=${DEBUG_VM_MEM:-2048} \
		VM_TIMEOUT=${DEBUG_VM_TIMEOUT:-3300} "$RUNVM" "$@"
}

# The lines of console log $1 between "mwan-lane: begin $2" and its end.
section() {
	tr -d '\r' <"$1" | awk -v b="mwan-lane: begin $2" -v e="mwan-lane: end $2" '
		index($0, b) { on = 1 }
		on { print }
		index($0, e) { on = 0 }'
}

# A test-only module must make the scanner fail, with its own report: the
# scanner's output matches $3 (the kind of report) and $4 (the culprit in
# the report). The evidence: the module's section of the log, and the
# kmemleak section (leaks are looked for after all modules are loaded).
expect_report() {
	local name=$1 what=$2 re=$3 culprit=$4 out
	{
		section "$work/lane-console.log" "$name"
		[ "$name" != mwan_test_leak ] ||
			section "$work/lane-console.log" kmemleak
	} >"$work/$name.log"
	if ! grep -q "mwan-lane: end $name" "$work/$name.log"; then
		fail "lane: $name ran to its end"
		return
	fi
	if out=$("$SCAN" "$work/$name.log"); then
		fail "lane: the scanner flags $what of $name (it found nothing)"
		return
	fi
	if echo "$out" | grep -Eq "$re" && echo "$out" | grep -Eq "$culprit"; then
		pass "lane: the scanner flags $what of $name"
		echo "$out" | sed -n '1,12s/^/#   /p'
	else
		fail "lane: the scanner flags $what of $name (wrong report)"
		echo "$out" | sed 's/^/#   /'
	fi
}

lane_selftest() {
	local t0=$SECONDS
	log "lane self-test: booting the debug kernel with the test-only modules"
	VM_MODULES='' VM_CONSOLE=$work/lane-console.log vm "$GUEST" lane \
		"$work/lanetest/mwan_test_leak.ko" "$work/lanetest/mwan_test_uaf.ko" \
		>"$work/lane.out" 2>&1
	sed 's/^/# /' "$work/lane.out"
	[ -s "$work/lane-console.log" ] || { fail "lane: the VM ran"; return; }
	expect_report mwan_test_leak "a kmemleak report" \
		'kmemleak: unreferenced object 0x' 'mwan_test_leak_alloc\+.*\[mwan_test_leak\]'
	expect_report mwan_test_uaf "a KASAN use-after-free" \
		'BUG: KASAN: (slab-)?use-after-free in mwan_test_uaf_init' \
		'Read of size 1 at addr'
	log "lane self-test took $((SECONDS - t0)) s"
}

# The lane's selftests: TEST_PROGS but those selftests/debug/skip names,
# or $TESTS.
test_progs() {
	if [ -n "${TESTS:-}" ]; then
		echo "$TESTS"
		return
	fi
	awk 'FILENAME ~ /skip$/ { if ($0 !~ /^#/) skip[$1] = 1; next }
	     /^TEST_PROGS[ \t]*[:+]?=/ { sub(/^[^=]*=/, ""); more = 1 }
	     more {
		more = sub(/\\$/, "")
		n = split($0, w, " ")
		for (i = 1; i <= n; i++)
			if (!(w[i] in skip))
				printf "%s ", w[i]
	     }' "$TOP/selftests/debug/skip" "$TOP/selftests/Makefile"
}

# Deal tests ($2...) out to $1 shards, into $work/suite<k>.tests: the
# longest first, each to the shard with the least work so far, by the
# times of the previous run on this machine ($TIMES, else $TIMES_SEEN).
deal() {
	local jobs=$1 times=$TIMES
	shift
	[ -s "$times" ] || times=$TIMES_SEEN
	printf '%s\n' "$@" | awk -v jobs="$jobs" -v times="$times" -v dir="$work" '
		BEGIN { while ((getline l < times) > 0) { split(l, f, " "); t[f[1]] = f[2] } }
		{ name[NR] = $0; w[NR] = ($0 in t) ? t[$0] + 0 : -1 }
		END {
			n = NR
			# unknown tests weigh the longest known (or all 1)
			for (i = 1; i <= n; i++) if (w[i] > max) max = w[i]
			for (i = 1; i <= n; i++) if (w[i] < 0) w[i] = max ? max : 1
			# order: longest first (stable: by position)
			for (i = 1; i <= n; i++) ord[i] = i
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && w[ord[j]] > w[ord[j - 1]]; j--) {
					x = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = x
				}
			for (i = 1; i <= n; i++) {
				best = 1
				for (k = 2; k <= jobs; k++) if (load[k] < load[best]) best = k
				load[best] += w[ord[i]]
				shard[ord[i]] = best
			}
			# each shard runs its tests in the order of the list
			for (i = 1; i <= n; i++)
				printf "%s ", name[i] >> (dir "/suite" shard[i] ".tests")
		}'
}

# Remember how long each test took, for deal() next time.
record_times() {
	local k
	for ((k = 1; k <= jobs; k++)); do
		sed -nE 's/^# ([^ ]+): exit [0-9]+, ([0-9]+) s$/\1 \2/p' "$work/suite$k.out"
	done >"$work/times"
	[ -s "$work/times" ] || return 0
	# tests not run this time keep their old time
	[ -f "$TIMES" ] && awk 'NR == FNR { seen[$1] = 1; next } !($1 in seen)' \
		"$work/times" "$TIMES" >"$work/times.old" &&
		cat "$work/times.old" >>"$work/times"
	cp "$work/times" "$TIMES.$$" 2>/dev/null && mv "$TIMES.$$" "$TIMES" || true
}

# Shard $1 of the suite, in its own VM: the runner on tests $2..., then
# mwan unloaded and kmemleak's scans. Output in $work/suite$1.out. The
# per-test limit of selftests/settings is for Debian's kernel: the debug
# kernel takes 4-8 times as long.
start_shard() {
	local k=$1
	shift
	KSFT_TIMEOUT=${KSFT_TIMEOUT:-900} \
		MWAN_TEST_SCALE=${MWAN_TEST_SCALE:-25} \
		VM_MODULES=$work/mwan/mwan.ko VM_CONSOLE=$work/suite$k-console.log \
		vm "$GUEST" suite "$RUNNER" "$@" 2>&1 |
		sed -u -E 's/^([0-9]+ passed, [0-9]+ failed)/# run.sh said: \1/' \
			>"$work/suite$k.out"
	return "${PIPESTATUS[0]}"
}

# Count shard $1's results (guest status $2): the runner's own verdicts
# (KTAP, top level), then the kernel log of the whole boot.
shard_results() {
	local k=$1 rc=$2 ok nok skip out
	echo "# ---- suite shard $k: $(cat "$work/suite$k.tests")"
	cat "$work/suite$k.out"
	ok=$(grep '^ok ' "$work/suite$k.out" | grep -vic '# skip')
	skip=$(grep '^ok ' "$work/suite$k.out" | grep -ic '# skip')
	nok=$(grep -c '^not ok ' "$work/suite$k.out")
	passed=$((passed + ok))
	failed=$((failed + nok))
	skipped=$((skipped + skip))
	if [ "$ok" = 0 ] && [ "$nok" = 0 ] && [ "$skip" = 0 ]; then
		fail "suite shard $k: the runner reported results"
	elif [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		fail "suite shard $k: the guest exited with status $rc"
	fi
	grep -q 'mwan-lane: end suite' "$work/suite$k-console.log" 2>/dev/null ||
		fail "suite shard $k: ran to its end (unload, kmemleak scan)"
	# The whole boot, from the first kernel message to the poweroff.
	if out=$("$SCAN" "$work/suite$k-console.log"); then
		pass "suite shard $k: kernel log clean (KASAN, UBSAN, lockdep, RCU, kmemleak, BUG, WARNING)"
	else
		fail "suite shard $k: kernel log clean: the debug kernel reported:"
		echo "$out"
	fi
}

# The suite in $DEBUG_JOBS VMs at once (default: one per host CPU), tests
# dealt out in turn: under TCG a guest keeps one host CPU busy, and the
# debug kernel makes each test 5-10 times slower than on Debian's.
suite() {
	local t0=$SECONDS tests k pids=()
	read -ra tests <<<"$(test_progs)"
	jobs=${DEBUG_JOBS:-$(nproc)}
	[ "$jobs" -le "${#tests[@]}" ] || jobs=${#tests[@]}
	[ "$jobs" -ge 1 ] || jobs=1
	for ((k = 1; k <= jobs; k++)); do
		: >"$work/suite$k.tests"
	done
	deal "$jobs" "${tests[@]}"
	log "suite: ${#tests[@]} selftests in $jobs VMs"
	for ((k = 1; k <= jobs; k++)); do
		# shellcheck disable=SC2046 # a list of test names
		start_shard "$k" $(cat "$work/suite$k.tests") &
		pids[k]=$!
	done
	for ((k = 1; k <= jobs; k++)); do
		rcs[k]=0
		wait "${pids[k]}" || rcs[k]=$?
		log "suite shard $k done: guest status ${rcs[k]} after $((SECONDS - t0)) s"
	done
	record_times
}

main() {
	local t0=$SECONDS env lane_pid k
	env=$("$TOP/scripts/debug-kernel.sh" --env) || die "no debug kernel"
	eval "$env"
	log "debug kernel $DEBUG_KREL ready after $((SECONDS - t0)) s"

	work=$(mktemp -d /tmp/mwan-debug.XXXXXX)
	trap cleanup EXIT
	build_ext "$TOP" "$work/mwan" Kbuild kmod include ||
		die "mwan.ko does not build against the debug kernel"
	build_ext "$TOP/selftests/debug" "$work/lanetest" Kbuild \
		mwan_test_leak.c mwan_test_uaf.c ||
		die "the lane's test modules do not build"

	# The lane's self-test boots alongside the suite's VMs; its results
	# come first.
	lane_selftest >"$work/lane.report" 2>&1 &
	lane_pid=$!
	suite
	wait "$lane_pid"
	cat "$work/lane.report"
	passed=$((passed + $(grep -c '^ok - ' "$work/lane.report")))
	failed=$((failed + $(grep -c '^not ok - ' "$work/lane.report")))
	for ((k = 1; k <= jobs; k++)); do
		shard_results "$k" "${rcs[k]}"
	done
	log "total $((SECONDS - t0)) s"
	result
	[ "$failed" = 0 ]
}

main "$@"
