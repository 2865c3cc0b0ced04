#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent's default check profile does not take a lossy satellite link
# down: three Starlink-like links (agent_lib.sh: 40 ms +- 10 ms and 1 %
# loss each way, so 2 % of the probes are lost), "check LINK icmp TARGET"
# and nothing more, 60 s without a fault while connections come and go:
#   false downs: N over 60 s on 3 links
# must be 0. What the agent measured reaches the kernel: each link's RTT
# is a satellite link's, its loss a few percent. MWAN_TEST_SCALE scales
# the length of the run.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"
checktool "tc -V" "needs tc"

starlink_scene

events_start
now_us start
agent_run "$conf"
check "the agent applies the file: three links, up" \
	slowwait 10 links_up wan1 wan2 wan3

# The run: the links' first rounds are part of it, and a batch of new
# connections every 10 s
secs=$(scaled 60)
for ((b = 0; b * 10 < secs; b++)); do
	flows "$LAN" connect --dst "$SERVER4" --count 10 --tag "calm$b" \
		--timeout 5 >/dev/null
	now_us t
	left=$((start + (b + 1) * 10000000 - t))
	if ((left > secs * 1000000 - (t - start))); then
		left=$((secs * 1000000 - (t - start)))
	fi
	((left <= 0)) || nap "$(printf '%d.%06d' $((left / 1000000)) $((left % 1000000)))"
done
for ((i = 0; i < b; i++)); do
	seen_flows "calm$i" 10 || break
done
check "$((b * 10)) new connections meanwhile, all arrived" test "$i" = "$b"
check "... over all three links" \
	test "$(awk '$4 ~ /^calm/' "$log" | awk "$AWK_LINK"' { print link($2) }' |
		sort -nu | xargs)" = "1 2 3"
now_us t
downs "wan1 wan2 wan3" "$start"
echo "false downs: $DOWNS over $(((t - start) / 1000000)) s on 3 links"
check "no link went down without a fault" test "$DOWNS" -eq 0
((DOWNS == 0)) || changes "$start"

# What the agent measured: RTT (the mean of a round's answered probes,
# so at most the timeout) and loss over its last rounds
mwanctl link show >"$tmp/links"
sed 's/^/  /' "$tmp/links"
sane() {
	awk -v l="$1" '
		$1 == "link" && $2 == l { for (i = 3; i < NF; i++) {
			if ($i == "rtt") r = $(i + 1)
			if ($i == "loss") p = $(i + 1) } }
		END { exit !(r >= 50000 && r <= 300000 && p < 150000) }' "$tmp/links"
}
for i in 1 2 3; do
	check "wan$i: the kernel has its satellite RTT (50-300 ms) and loss (under 15 %)" \
		sane "wan$i"
done

agent_stop
exit $rc
