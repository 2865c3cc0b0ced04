#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent owns the links' routing. The router starts as DHCP would
# leave it: no tables, no rules, a default route per uplink in main (none
# for wan2, whose gateway the file gives). The agent must make per link a
# table with its default route and main's LAN routes, and per link the
# fwmark rule and the unreachable rule behind it, for IPv4 and IPv6, all
# "proto 109". Then:
#  - balanced connections leave by their links (the ISPs' BCP 38 counters
#    stay 0), port forwards on every uplink are answered over it (no
#    "suppress_prefixlength 0" rule: the LAN copy in each table does it),
#    and the LAN reaches the router's LAN address;
#  - main changes (a gateway DHCP renumbered, a new LAN route) reach the
#    links' tables within a second, and a deleted rule of the agent's is
#    put back;
#  - a restart, a kill -9 and restart, and a second agent leave exactly one
#    set, and an established connection keeps flowing through the restart;
#  - --cleanup removes every route and rule of the agent's and nothing
#    else: a rule and routes of another owner, in a link's table too, stay.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"

TOPO_ROUTES=main topo_create 3
rtr ip route del default dev wan2
rtr ip -6 route del default dev wan2
rtr nft -f - <<-NFT
table inet portfwd {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "wan*" tcp dport 8080 dnat ip to 10.0.0.2:5001
		iifname "wan*" tcp dport 8080 dnat ip6 to [fd00:a::2]:5001
	}
}
NFT
topo_server
lan_log=$(mktemp)
defer rm -f "$lan_log" "$lan_log.ready"
lan $FLOWS serve --log "$lan_log" --addr 10.0.0.2 fd00:a::2 &
SERVER_PIDS="$SERVER_PIDS $!"
flows - wait-ready "$lan_log"

conf=$tmp/mwan.conf
cat >"$conf" <<EOF2
# written by mwan_agent_routing.sh
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
link add wan3 dev wan3 id 3
policy add balanced member wan1 member wan2 member wan3
globals set default-policy balanced
route wan2 via 100.64.2.1 via 2001:db8:2::1
EOF2

agent=
agent_start() {
	"$AGENT" -n "$RTR" -c "$conf" 2>>"$tmp/agent.log" &
	agent=$!
	defer flows_stop "$agent"
}
agent_start

# The agent's rules and routes, one line each; the protocol by number
# (rt_protos.d may name it "mwan"; -N would number rule actions too)
mwan_rules() {
	rtr ip "-$1" rule show | sed 's/ proto mwan\b/ proto 109/' |
		grep -w "proto 109" | sort
}
mwan_routes() {
	rtr ip -N "-$1" route show table all proto 109 | sort
}
# rules_ok F: the six rules of family F and no others of the agent's
rules_ok() {
	local f=$1 want n
	want=$(for n in 1 2 3; do
		printf '%s:\tfrom all fwmark 0x%x/0x3f00 lookup %s proto 109\n' \
			$((1000 + n)) $((n << 8)) $((100 + n))
		printf '%s:\tfrom all fwmark 0x%x/0x3f00 unreachable proto 109\n' \
			$((2000 + n)) $((n << 8))
	done | sort)
	[ "$(mwan_rules "$f")" = "$want" ]
}
# has_route F TABLE ROUTE: ROUTE (a prefix of "ip route" output) in TABLE
has_route() {
	rtr ip -N "-$1" route show table "$2" | grep -q "^$3"
}

check "IPv4 rules: fwmark lookup 1001-1003 and unreachable 2001-2003, proto 109" \
	slowwait 10 rules_ok 4
check "IPv6 rules: the same" rules_ok 6
for n in 1 3; do
	check "table 10$n: main's default via wan$n (IPv4)" \
		has_route 4 10$n "default via 100.64.$n.1 dev wan$n proto 109 metric 10$n"
	check "table 10$n: main's default via wan$n (IPv6)" \
		has_route 6 10$n "default via 2001:db8:$n::1 dev wan$n proto 109 metric 10$n"
done
check "table 102: the configured gateway (IPv4)" \
	has_route 4 102 "default via 100.64.2.1 dev wan2 proto 109 onlink"
check "table 102: the configured gateway (IPv6)" \
	has_route 6 102 "default via 2001:db8:2::1 dev wan2 proto 109"
for n in 1 2 3; do
	check "table 10$n: the LAN, IPv4 and IPv6" \
		sh -c "ip -N -n $RTR route show table 10$n | grep -q '^10.0.0.0/24 dev lan0' &&
		       ip -N -n $RTR -6 route show table 10$n | grep -q '^fd00:a::/64 dev lan0'"
	check "table 10$n: its own subnet, not the others'" \
		sh -c "ip -n $RTR route show table 10$n | grep -c '^100.64' | grep -qx 1 &&
		       ip -n $RTR route show table 10$n | grep -q '^100.64.$n.0/24'"
done
check "the agent logs wan2's gateway" \
	grep -q "wan2: IPv4 route default via 100.64.2.1 dev wan2, table 102" \
	"$tmp/agent.log"

# traffic: balanced, each connection out by its link
spoofed() { echo "$(isp_spoofed 1) $(isp_spoofed 2) $(isp_spoofed 3)"; }
n=$(scaled 30)
for dst in "$SERVER4" "$SERVER6"; do
	tag=out${dst//[.:]/}
	flows "$LAN" connect --dst "$dst" --count "$n" --tag "$tag" \
		--timeout 2 >/dev/null
	check "$n new connections to $dst all arrive" seen_flows "$tag" "$n"
	check "... over all three links" test "$(links_of "$tag")" = "1 2 3"
done
check "no packet left by the wrong link (BCP 38 drops 0 0 0)" \
	test "$(spoofed)" = "0 0 0"

reach() {
	flows "$INET" connect --dst "$1" --port "$2" --timeout 2 --packets 3 |
		pyq '"ok" if d["ok"] == 1 else d["flows"][0].get("error")'
}
for n in 1 2 3; do
	check "port forward via wan$n answered over it (IPv4)" \
		test "$(reach "100.64.$n.2" 8080)" = ok
	check "port forward via wan$n answered over it (IPv6)" \
		test "$(reach "2001:db8:$n::2" 8080)" = ok
done
check "LAN to the router's LAN address" lan ping -c 1 -W 2 10.0.0.1
check "still no packet left by the wrong link" test "$(spoofed)" = "0 0 0"

# main changes: ISP 1 moves its gateway, the LAN gains a route
isp 1 ip addr add 100.64.1.254/24 dev down0
rtr ip route replace default via 100.64.1.254 dev wan1 metric 101
check "a new gateway in main reaches table 101" \
	slowwait 2 has_route 4 101 "default via 100.64.1.254 dev wan1"
check "... and the old one is gone" \
	sh -c "! ip -n $RTR route show table 101 | grep -q '100.64.1.1 '"
check "the agent logs it" slowwait 2 grep -q \
	"wan1: IPv4 route default via 100.64.1.254 dev wan1, table 101" \
	"$tmp/agent.log"
rtr ip route add 10.9.0.0/24 via 10.0.0.2 dev lan0
check "a new LAN route in main reaches every link's table" slowwait 2 sh -c "
	for t in 101 102 103; do
		ip -n $RTR route show table \$t | grep -q '^10.9.0.0/24' || exit 1
	done"
rtr ip route del 10.9.0.0/24
check "... and leaves them with main" slowwait 2 sh -c "
	! ip -n $RTR route show table all proto 109 | grep -q '^10.9.0.0/24'"
rtr ip rule del pref 1002
check "a deleted rule of the agent's is put back" slowwait 2 rules_ok 4

# restarts: one set, and an established connection never stops
count_all() { echo "$(mwan_rules 4 | wc -l) $(mwan_rules 6 | wc -l) $(mwan_routes 4 | wc -l) $(mwan_routes 6 | wc -l)"; }
before=$(count_all)
echo "the agent's rules and routes (v4 rules, v6 rules, v4 routes, v6 routes): $before"
flows "$LAN" connect --dst "$SERVER4" --count 1 --tag held --gap 0.1 \
	--until "$tmp/stop" --timeout 2 >"$tmp/held.json" &
held=$!
slowwait 5 seen_flows held 1
kill -TERM "$agent"
wait "$agent"
agent_start
slowwait 10 grep -q "routing:" "$tmp/agent.log"
check "restart: exactly one set ($(count_all))" \
	slowwait 5 sh -c "[ \"\$(ip -n $RTR rule show | grep -cw 'proto 109')\" = 6 ]"
check "restart: routes and rules as before" test "$(count_all)" = "$before" ||
	{ mwan_routes 4; mwan_routes 6; }
kill -KILL "$agent"
wait "$agent" 2>/dev/null
applied=$(grep -c "applied:" "$tmp/agent.log")
agent_start
# the restarted agent holds the namespace once it applied the file: a
# twin started before then could take it first
slowwait 10 sh -c "[ \"\$(grep -c 'applied:' $tmp/agent.log)\" -gt $applied ]"
second=$tmp/second.log
"$AGENT" -n "$RTR" -c "$conf" 2>"$second" &
twin=$!
defer flows_stop "$twin"
check "a second agent in the namespace refuses to run" \
	slowwait 10 sh -c "! kill -0 $twin 2>/dev/null"
check "... and says why" grep -q "another mwan-agent" "$second"
sleep 1
check "kill -9, restart, a second agent: still one set" \
	test "$(count_all)" = "$before"
touch "$tmp/stop"
wait "$held"
check "the connection held through the restarts" \
	test "$(pyq 'd["ok"]' <"$tmp/held.json")" = 1
check "... on one link" flows_stayed held 1 1

# --cleanup: the agent's, and only those
rtr ip rule add pref 1500 fwmark 0x9 lookup 200
rtr ip route add 198.18.0.0/15 dev lan0 table 200
rtr ip route add 198.18.0.0/15 dev lan0 table 101
kill -TERM "$agent"
wait "$agent"
check "--cleanup succeeds" "$AGENT" -n "$RTR" --cleanup
check "--cleanup: no rule of the agent's left" \
	test -z "$(mwan_rules 4)$(mwan_rules 6)"
check "--cleanup: no route of the agent's left" \
	test -z "$(mwan_routes 4)$(mwan_routes 6)"
check "--cleanup: another owner's rule stays" \
	sh -c "ip -n $RTR rule show | grep -q '^1500:.*fwmark 0x9 lookup 200'"
check "--cleanup: another owner's routes stay, in table 101 too" \
	sh -c "ip -n $RTR route show table 200 | grep -q '^198.18.0.0/15' &&
	       ip -n $RTR route show table 101 | grep -q '^198.18.0.0/15'"
check "--cleanup: main untouched" has_route 4 main "default via 100.64.1.254 dev wan1"
echo "agent log:"
sed 's/^/  /' "$tmp/agent.log"
exit $rc
