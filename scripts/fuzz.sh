#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/fuzz.sh [SECONDS]
#        scripts/fuzz.sh --merge
#
# The config file parser under libFuzzer (user/tests/fuzz/fuzz_config.c,
# built with clang, ASan and UBSan by "make -C user fuzz"), as part of
# make check (scripts/check.sh) or alone (make fuzz):
#   1. the harness builds;
#   2. every input of the corpus in the tree (user/tests/fuzz/corpus/)
#      runs clean: each bug found so far stays fixed;
#   3. SECONDS (FUZZ_SECONDS, default 60; 0: none) of fuzzing from it, with
#      the keyword dictionary, find no crash, leak, undefined behaviour,
#      hang (-timeout) or broken promise of the harness.
# Results are KTAP "ok"/"not ok" lines; the closing "N passed, N failed"
# line counts them. An input that fails is kept in build/fuzz/ (crash-*,
# leak-*, timeout-*, ...) and its report printed; replay it with
#   build/fuzz/fuzz_config build/fuzz/crash-...
# (FUZZ_VERBOSE=1 also prints what the parser said). New inputs found on
# the way collect in build/fuzz/corpus/, so that runs on one machine go on
# where the last one stopped. --merge copies to user/tests/fuzz/corpus/found/
# the fewest of them that reach code the tree's corpus does not (edges,
# not counts: a few small files), to commit.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$TOP/user/tests/fuzz
OUT=$TOP/build/fuzz
FUZZ=$OUT/fuzz_config
seconds=${FUZZ_SECONDS:-60}
[ "${1:-}" = --merge ] || seconds=${1:-$seconds}
# where undefined behaviour happened, not only what
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# shellcheck source=scripts/ktap.sh
. "$TOP/scripts/ktap.sh"

# The sanitizers' and libFuzzer's report of a run, without the noise.
report() {
	grep -E '^(==[0-9]+==|SUMMARY|fuzz_config: broken|[^ ]*: runtime error|    #[0-9]+ |MS: |artifact_prefix|Test unit written|Running: )' \
		"$1" | grep -v 'in fuzzer::' | head -n 60 | sed 's/^/# /'
}

build() {
	local log=$OUT/build.log

	mkdir -p "$OUT"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$TOP/user" fuzz >"$log" 2>&1
	local rc=$?
	[ "$rc" = 0 ] || sed 's/^/# /' "$log"
	result "$rc" "fuzz: the harness builds (clang, libFuzzer, ASan, UBSan)"
	return "$rc"
}

replay() {
	local log=$OUT/replay.log files rc

	mapfile -t files < <(find "$SRC/corpus" -type f | sort)
	"$FUZZ" "${files[@]}" >"$log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || report "$log"
	result "$rc" "fuzz: the ${#files[@]} inputs of user/tests/fuzz/corpus run clean"
}

# Artifacts of this run only: the newest file libFuzzer wrote in $OUT
artifact() {
	find "$OUT" -maxdepth 1 -newer "$1" -type f \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' -o -name 'slow-unit-*' \) -printf '%T@ %p\n' |
		sort -n | tail -n1 | cut -d' ' -f2-
}

fuzz() {
	local log=$OUT/fuzz.log rc runs found

	mkdir -p "$OUT/corpus"
	: >"$log"
	"$FUZZ" -max_total_time="$seconds" -timeout=10 -max_len=262144 \
		-dict="$SRC/mwan.dict" -artifact_prefix="$OUT/" \
		-print_final_stats=1 "$OUT/corpus" "$SRC/corpus" >>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" = 0 ]; then
		result 0 "fuzz: $seconds s: ${runs:-?} inputs, no crash, leak, undefined behaviour or broken promise"
		return
	fi
	report "$log"
	found=$(artifact "$log.start")
	result 1 "fuzz: $seconds s: failed after ${runs:-?} inputs, input kept in ${found:-(none written, see $log)}"
}

merge() {
	local f n=0

	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	find "$SRC/corpus" -type f -exec cp {} "$tmp/" \;
	"$FUZZ" -merge=1 -use_counters=0 -max_len=262144 "$tmp" \
		"$OUT/corpus" 2>&1 | grep '^MERGE-OUTER: .* new files'
	mkdir -p "$SRC/corpus/found"
	for f in "$tmp"/*; do
		[ -n "$(find "$SRC/corpus" -name "${f##*/}")" ] && continue
		cp "$f" "$SRC/corpus/found/"
		n=$((n + 1))
	done
	echo "$n inputs added to user/tests/fuzz/corpus/found/"
}

main() {
	if [ "${1:-}" = --merge ]; then
		build >/dev/null && merge
		return
	fi
	echo "KTAP version 1"
	build || { echo "0 passed, 1 failed"; exit 1; }
	replay
	if [ "$seconds" -gt 0 ]; then
		touch "$OUT/fuzz.log.start"
		fuzz
	fi
	ktap_end fuzz
}

main "$@"
