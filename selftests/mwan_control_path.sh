#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control path at the largest scale. With 63 links and 64 policies of
# 63 members in 8 tiers: what an RTT push (the agent's, at probe rate) and
# a weight change cost, next to a plain read, timed in one run. With many
# conntrack entries: `link flush` removes exactly its link's, and RTNL users
# (`ip link add`) go on while it walks the table.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nlraw.sh"
CTFILL=$(dirname "$0")/ctfill.py
RTNL_PROBE=$(dirname "$0")/rtnl_probe.py
MWANCTL=${MWANCTL:-$(cd "$(dirname "$0")/.." && pwd)/user/mwanctl/mwanctl}
checktool "$MWANCTL --version" "needs mwanctl (make user)"
checktool "conntrack --version" "needs conntrack-tools"
require_module mwan nf_conntrack_netlink
rc=0
check() {
	if "${@:2}"; then echo "PASS: $1"; else echo "FAIL: $1"; rc=1; fi
}

setup_ns NS
mwanctl() { "$MWANCTL" -n "$NS" "$@"; }
now_us() { echo $(($(date +%s%N) / 1000)); }

for i in $(seq 1 63); do
	echo "link add d$i type dummy"
done | ip -n "$NS" -batch -
req=$(mktemp)
defer rm -f "$req"

# the largest configuration, one request a line
{
	for i in $(seq 1 63); do
		ifindex=$(ip -n "$NS" -o link show "d$i" | cut -d: -f1)
		printf 'LINK_NEW [["LINK",[["ID","u32",%d],["NAME","str","l%d"],["IFINDEX","u32",%d]]]]\n' \
			"$i" "$i" "$ifindex"
	done
	for p in $(seq 1 64); do
		members=
		for i in $(seq 1 63); do
			members+="${members:+,}[\"MEMBER\",[[\"LINK\",\"u32\",$i],[\"METRIC\",\"u32\",$(((i + p) % 8))]]]"
		done
		printf 'POLICY_NEW [["POLICY",[["NAME","str","p%d"],["MEMBERS",[%s]]]]]\n' \
			"$p" "$members"
	done
} >"$req"
out=$(in_ns "$NS" "${NLRAW[@]}" --batch <"$req" | sort | uniq -c)
check "63 links and 64 policies of 63 members accepted ($out)" \
	test "$(echo "$out" | awk '{ print $1, $2 }')" = "127 ok"

# batch_us FILE: the time one nlraw.py takes for the requests in FILE, less
# its start (an empty batch), in microseconds
batch_us() {
	local t0 t1 t2
	t0=$(now_us)
	in_ns "$NS" "${NLRAW[@]}" --batch </dev/null
	t1=$(now_us)
	in_ns "$NS" "${NLRAW[@]}" --batch <"$1" | grep -cv '^ok' >"$req.bad"
	t2=$(now_us)
	echo $((t2 - t1 - (t1 - t0)))
}

n=$(scaled 1000)
for ((i = 1; i <= n; i++)); do
	echo 'GLOBALS_GET'
done >"$req.read"
for ((i = 1; i <= n; i++)); do
	printf 'LINK_SET [["LINK",[["ID","u32",1],["RTT_US","u32",%d],["LOSS_PPM","u32",%d]]]]\n' \
		$((20000 + i)) $((i % 1000))
done >"$req.rtt"
for ((i = 1; i <= n; i++)); do
	printf 'LINK_SET [["LINK",[["ID","u32",1],["WEIGHT","u32",%d]]]]\n' \
		$((1 + i % 2))
done >"$req.weight"
defer rm -f "$req.read" "$req.rtt" "$req.weight" "$req.bad" "$req.flush" \
	"$req.probe"
gen0=$(mwanctl -j globals show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
read_us=$(batch_us "$req.read")
rtt_us=$(batch_us "$req.rtt")
check "$n RTT pushes accepted" test "$(cat "$req.bad")" = 0
weight_us=$(batch_us "$req.weight")
check "$n weight changes accepted" test "$(cat "$req.bad")" = 0
echo "# $n requests with 64 policies of 63 members: reads $((read_us / 1000)) ms," \
	"RTT pushes $((rtt_us / 1000)) ms, weight changes $((weight_us / 1000)) ms"
echo "# each: read $((read_us / n)) us, RTT push $((rtt_us / n)) us," \
	"weight change $((weight_us / n)) us"
rtt=$(mwanctl -j link show l1 | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["rtt_us"], d["loss_ppm"])')
check "the last RTT push shows ($rtt)" test "$rtt" = "$((20000 + n)) $((n % 1000))"
gen1=$(mwanctl -j globals show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
check "each push and change is one generation ($gen0 -> $gen1)" \
	test "$gen1" = $((gen0 + 2 * n))

# conntrack entries of links 1 and 2, and a flush of link 1's while RTNL
# is wanted
entries=$(scaled 100000)
sysctl -qw net.netfilter.nf_conntrack_max=$((2 * entries)) 2>/dev/null
made=$(in_ns "$NS" /usr/bin/python3 -S "$CTFILL" "$entries" --marks 0x100,0x200)
check "$made conntrack entries made" test "$made" = "$entries"
ct_count() { in_ns "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count; }
in_ns "$NS" /usr/bin/python3 -S "$RTNL_PROBE" "$entries" rtnl0 >"$req.probe" &
probe_pid=$!
slowwait 60 grep -q watching "$req.probe"
t0=$(now_us)
mwanctl link flush l1 >"$req.flush"
t1=$(now_us)
wait "$probe_pid"
read -r before after took < <(tail -n 1 "$req.probe")
echo "# flush of $((entries / 2)) among $entries entries: $(((t1 - t0) / 1000)) ms;" \
	"a device added during it: $((took / 1000)) ms, from $before to $after entries left"
check "an RTNL user finished while the flush walked ($after left)" \
	test "${after:-0}" -gt $((entries / 2))
check "the flush reported half the entries ($(cat "$req.flush"))" \
	grep -qw $((entries / 2)) "$req.flush"
check "link 2's entries are all there" test "$(ct_count)" = $((entries / 2))
exit $rc
