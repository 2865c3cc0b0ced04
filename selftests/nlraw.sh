#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nlraw.py as a coprocess, for tests that send many raw requests: one
# Python start per test rather than per request (each costs seconds under
# the debug kernel). Source after lib.sh.
#
#   nlraw_start NS         start nlraw.py --batch in namespace NS
#   nlraw_q [--dump] [--print] [--no-stats] COMMAND [ATTRS]
#                          one request, its result line in $NL_LINE;
#                          succeeds on "ok" or a dump's count
#   nlraw ...              the same, printing the line
#   snap_raw               the config as the kernel reports it (globals,
#                          generation included, and every link, policy
#                          and rule, counters left out), in $SNAP; empty
#                          if it cannot be read

NLRAW_PY=$(dirname "${BASH_SOURCE[0]}")/nlraw.py
# -S: no site-packages scan, a second less per start under emulation
NLRAW=(/usr/bin/python3 -S "$NLRAW_PY")

# shellcheck disable=SC2317 # called by defer
nlraw_stop() { { kill "$1" && wait "$1"; } 2>/dev/null; }

nlraw_start() {
	coproc NLB { in_ns "$1" "${NLRAW[@]}" --batch 2>&1; }
	# subshells ($(...)) do not see the coproc's own descriptors
	exec {NL_IN}>&"${NLB[1]}" {NL_OUT}<&"${NLB[0]}"
	defer nlraw_stop "$NLB_PID"
}

nlraw_q() {
	local opts=
	while [[ $1 == --* ]]; do
		opts+="$1 "
		shift
	done
	printf '%s%s %s\n' "$opts" "$1" "${2:-[]}" >&"$NL_IN"
	if ! IFS= read -r -t 120 NL_LINE <&"$NL_OUT"; then
		NL_LINE="nlraw.py did not answer"
		return 2
	fi
	[[ $NL_LINE == ok* || $NL_LINE =~ ^[0-9]+ ]]
}

nlraw() {
	nlraw_q "$@"
	local status=$?
	echo "$NL_LINE"
	return $status
}

snap_raw() {
	local i line bad=
	SNAP=
	printf -- '--print --no-stats %s\n' GLOBALS_GET "--dump LINK_GET" \
		"--dump POLICY_GET" "--dump RULE_GET" >&"$NL_IN"
	for i in 1 2 3 4; do
		IFS= read -r -t 120 line <&"$NL_OUT" || return 1
		[[ $line == ok* || $line =~ ^[0-9]+ ]] || bad=1
		SNAP+="$line"$'\n'
	done
	[ -z "$bad" ] || SNAP=
}
