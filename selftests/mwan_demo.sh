#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo` keeps working and keeps telling the truth: demo.sh runs to
# its end, and what it prints says
#  - the failover line, with wan1 down within a second of its ISP's
#    failure (held only at full scale: the debug kernel is ten times as
#    slow) under the agent's default checks;
#  - new connections, counted at the ISPs: none over wan1 while it was
#    down; at full scale also over it before its ISP failed and again
#    once back, and all of them reached the server each time;
#  - mwanctl status before, during (wan1 down) and after;
#  - every line fits an 80-column terminal.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
out=$tmp/out

"$(dirname "$0")/demo.sh" >"$out" 2>&1
demo_rc=$?
cat "$out"
echo "---"
if [ "$demo_rc" -eq "$ksft_skip" ]; then
	exit "$ksft_skip"
fi
check "demo.sh ran to its end (status $demo_rc)" test "$demo_rc" -eq 0

ms=$(sed -n 's/^failover: wan1 down \([0-9]\+\) ms after its ISP failed$/\1/p' \
	"$out" | tail -n1)
echo "failover: ${ms:-none} ms"
check "the failover line is there" test -n "$ms"
if [ -n "$ms" ] && [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
	check "failover within 1000 ms" test "$ms" -lt 1000
fi

# The summary's rows: "  PHASE WAN1 WAN2 WAN3 ARRIVED/NEW"
row() { awk -v p="$1" '$1 == p && NF == 5 { print $2, $3, $4, $5 }' "$out"; }
read -r b1 _ _ bseen <<<"$(row before)"
read -r d1 d2 d3 dseen <<<"$(row during)"
read -r a1 _ _ aseen <<<"$(row after)"
echo "wan1's new connections: before ${b1:-?}, during ${d1:-?}, after ${a1:-?}"
check "during: none over wan1, all over wan2 and wan3" \
	test "${d1:-1}" -eq 0 -a "$((${d2:-0} + ${d3:-0}))" -gt 0
# On the debug kernel kmemleak's scans stall the guest for seconds: the
# agent may then take healthy links down for a while, as it should, and
# connections opened meanwhile are refused or take other links.
if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
	check "before: new connections over wan1" test "${b1:-0}" -gt 0
	check "after: new connections over wan1 again" test "${a1:-0}" -gt 0
	for s in "$bseen" "$dseen" "$aseen"; do
		check "each burst reached the server in full ($s)" \
			test -n "$s" -a "${s%/*}" = "${s#*/}"
	done
fi

check "mwanctl status three times" \
	test "$(grep -c '^LINK DEV  STATE' "$out")" -eq 3
check "status during the fault shows wan1 down" \
	grep -Eq '^wan1 +wan1 +down +[0-9]+[smhd] +down ' "$out"

wide=$(expand "$out" | awk 'length > 80' | wc -l)
check "every line within 80 columns ($wide wider)" test "$wide" -eq 0
exit $rc
