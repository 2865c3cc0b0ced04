# SPDX-License-Identifier: GPL-2.0
#
# KTAP output for the shell checks that scripts/check.sh runs as unit
# suites: source it, call result for each test and ktap_end last.

n=0
failed=0

# result STATUS DESCRIPTION: one test's line; returns STATUS
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
	return "$1"
}

# ktap_end [NAME]: the plan and the totals; fails if any test did
ktap_end() {
	echo "1..$n"
	echo "${1:+$1: }$((n - failed)) passed, $failed failed"
	[ "$failed" = 0 ]
}
