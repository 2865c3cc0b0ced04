#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwanctl metrics under live traffic. Three links: wan1 and wan2 weighted
# 1:3 in policy balanced's first tier, wan3 in its failover tier; a rule
# for another policy. 200 TCP connections (times $MWAN_TEST_SCALE
# percent) from the LAN to the server, then with wan1 and wan2 down, then
# with all three down.
#  - the exposition passes promtool check metrics, which finds fault with
#    the same exposition missing one HELP line;
#  - it has the documented metric families and no others;
#  - each link's mwan_link_new_flows_total is the connections the server
#    saw by that link, the policy's the sum; mwan_link_connections its
#    conntrack entries, as conntrack -L counts them; which members are active
#    follows the links' states; the UDP flows met by the last resort are
#    counted as refused.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
require_module nf_conntrack_netlink
checktool "conntrack --version" "needs conntrack-tools"
PROMTOOL=${PROMTOOL:-/var/cache/mwan-tools/promtool}
if [ ! -x "$PROMTOOL" ] && ! PROMTOOL=$(command -v promtool); then
	echo "SKIP: needs promtool (scripts/deps.sh)"
	exit $ksft_skip
fi

n=$(scaled 200)
topo_create 3
mwanctl config replace - <<-EOF
link add wan1 dev wan1 id 1 weight 1
link add wan2 dev wan2 id 2 weight 3
link add wan3 dev wan3 id 3
policy add balanced member wan1 member wan2 member wan3 metric 10
policy add pin3 member wan3
rule add alt policy pin3 proto tcp dport 8443
globals set default-policy balanced
EOF
topo_server
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# metric NAME LABELS: the value of the series NAME{LABELS} in $tmp/m
metric() {
	awk -v s="mwan_$1{$2}" 'index($0, s " ") == 1 { print $2; f = 1 }
		END { exit !f }' "$tmp/m"
}

promtool_ok() {
	local out
	out=$("$PROMTOOL" check metrics <"$1" 2>&1) && [ -z "$out" ] && return
	echo "$out"
	return 1
}

mwanctl metrics >"$tmp/m"
check "metrics pass promtool check metrics" promtool_ok "$tmp/m"
sed '0,/^# HELP/{/^# HELP/d}' "$tmp/m" >"$tmp/bad"
check "promtool finds fault with a missing HELP line" \
	eval '! promtool_ok "$tmp/bad" >/dev/null'

families="enabled config_generation globals_info link_info link_state
link_health link_held link_weight link_rtt_seconds link_loss_ratio
link_connections link_new_flows_total link_tx_packets_total link_tx_bytes_total
link_rx_packets_total link_rx_bytes_total link_npt_out_packets_total
link_npt_in_packets_total link_npt_dropped_packets_total
link_map4_out_flows_total link_map4_in_flows_total policy_info
policy_new_flows_total policy_refused_flows_total policy_member_metric
policy_member_weight policy_member_active rule_info"
check "the documented families, in order, and no others" \
	diff <(echo $families | tr ' ' '\n') \
	<(sed -n 's/^# TYPE mwan_\([a-z0-9_]*\) .*/\1/p' "$tmp/m")

flows "$LAN" connect --proto tcp --dst "$SERVER4" --count "$n" --timeout 2 \
	--sport 30000 --tag a >/dev/null

# the server's count of connections tagged TAG by link N
seen() {
	awk -v t="$1-" -v n="$2" "$AWK_LINK"'index($4, t) == 1 && link($2) == n { k++ }
		END { print k + 0 }' "$log"
}

base=(0 0 0 0)	# what each link had counted before
counted() { # counted TAG: each link's new flows are what the server saw
	local i ok=0 got want total=0
	for i in 1 2 3; do
		got=$(metric link_new_flows_total "link=\"wan$i\",dev=\"wan$i\"")
		want=$(($(seen "$1" "$i") + base[i]))
		echo "wan$i: mwan_link_new_flows_total $got, server saw $want"
		[ "$got" = "$want" ] || ok=1
		total=$((total + want))
	done
	got=$(metric policy_new_flows_total 'policy="balanced"')
	echo "balanced: mwan_policy_new_flows_total $got, links $total"
	[ "$got" = "$total" ] || ok=1
	return $ok
}

mwanctl metrics >"$tmp/m"
check "$n connections: each link counted what the server saw by it" \
	counted a
check "tier 0 active: wan1 and wan2, not wan3" eval \
	'[ "$(metric policy_member_active "policy=\"balanced\",link=\"wan1\"")$(metric policy_member_active "policy=\"balanced\",link=\"wan2\"")$(metric policy_member_active "policy=\"balanced\",link=\"wan3\"")" = 110 ]'
check "member weights and metrics" eval \
	'[ "$(metric policy_member_weight "policy=\"balanced\",link=\"wan2\"") $(metric policy_member_metric "policy=\"balanced\",link=\"wan3\"")" = "3 10" ]'
check "rule alt names its policy" eval \
	'[ "$(metric rule_info "rule=\"alt\",id=\"1\",policy=\"pin3\"")" = 1 ]'
conns_agree() { # each link's connections: its conntrack entries
	local i got want ok=0
	for i in 1 2 3; do
		got=$(metric link_connections "link=\"wan$i\",dev=\"wan$i\"")
		want=$(rtr conntrack -L -m "$((i << 8))/0x3f00" 2>/dev/null | wc -l)
		echo "wan$i: mwan_link_connections $got, conntrack -L $want"
		[ "$got" = "$want" ] || ok=1
	done
	return $ok
}
check "each link's connections are its conntrack entries" conns_agree
check "links up, with their ids and marks" eval \
	'[ "$(metric link_state "link=\"wan2\",dev=\"wan2\",state=\"up\"")$(metric link_info "link=\"wan2\",dev=\"wan2\",id=\"2\",mark=\"0x200\"")" = 11 ]'

# with the first tier down, everything goes to wan3
base=(0 $(for i in 1 2 3; do seen a "$i"; done))
mwanctl link set wan1 state down
mwanctl link set wan2 state down
flows "$LAN" connect --proto tcp --dst "$SERVER4" --count "$n" --timeout 2 \
	--sport 40000 --tag b >/dev/null
mwanctl metrics >"$tmp/m"
check "wan1 and wan2 down: their state series say so" eval \
	'[ "$(metric link_state "link=\"wan1\",dev=\"wan1\",state=\"down\"")$(metric link_state "link=\"wan1\",dev=\"wan1\",state=\"up\"")" = 10 ]'
check "the failover tier is active: wan3 alone" eval \
	'[ "$(metric policy_member_active "policy=\"balanced\",link=\"wan1\"")$(metric policy_member_active "policy=\"balanced\",link=\"wan3\"")" = 01 ]'
check "$n more connections, all counted on wan3" counted b
check "metrics still pass promtool" promtool_ok "$tmp/m"

# nothing up: the last resort meets each new connection
k=$(scaled 20)
mwanctl link set wan3 state down
before=$(metric policy_refused_flows_total 'policy="balanced"')
# one datagram each (a TCP client would send its SYN again)
flows "$LAN" connect --proto udp --dst "$SERVER4" --count "$k" --timeout 1 \
	--sport 50000 --tag c >/dev/null
mwanctl metrics >"$tmp/m"
refused() {
	local now
	now=$(metric policy_refused_flows_total 'policy="balanced"')
	echo "balanced: mwan_policy_refused_flows_total $before -> $now"
	[ $((now - before)) = "$k" ]
}
check "all down: $k connections refused, counted by the policy" refused
check "and the server saw none of them" eval '[ "$(grep -c " c-" "$log")" = 0 ]'
exit $rc
