#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent in operation: what a link's death does to its connections,
# hooks, the JSON log, an operator's hand, SIGHUP and a restart. Three
# links checked every 100 ms, the agent started with --log-json and a
# hooks directory (one hook records its environment, one sleeps 3 s).
#  - ISPs 1 and 2 drop everything: wan1 (down-action flush) loses exactly
#    its conntrack entries, wan2 (keep) and wan3 keep theirs; the JSON log
#    ties wan1's state change and its flush with one event id, which the
#    hooks saw too; the slow hook never delays probing: both links are
#    back as soon as their rounds say so, and the hooks saw every event in
#    order.
#  - mwanctl sets wan3 drain: the agent holds it while wan3 dies and comes
#    back (show: "state drain checks down"); "state up" hands it back, and
#    the agent takes wan3 down again when it dies.
#  - SIGHUP with a broken file: the error names its line, the kernel's
#    configuration stays (same generation); with a good file: applied, a
#    running UDP flow keeps its link, a held state and a weight set by hand
#    stay.
#  - a restart while wan2 is down, as nobody with only CAP_NET_ADMIN and
#    CAP_NET_RAW: wan2 stays down (no flip to "up" while the new agent's
#    checks decide), and comes back when ISP 2 does.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"
checktool "conntrack --version" "needs conntrack-tools"

TOPO_ROUTES=main topo_create 3
topo_server

# the restarted agent runs as nobody: it reads the file, hooks write here
chmod 755 "$tmp"
touch "$tmp/hooks.log"
chmod 666 "$tmp/hooks.log"
conf=$tmp/mwan.conf
hooks=$tmp/hooks
mkdir "$hooks"
cat >"$hooks/10-record" <<EOF2
#!/bin/sh
echo "\$MWAN_EVENT_ID \$MWAN_LINK \$MWAN_DEVICE \$MWAN_OLD_STATE \$MWAN_NEW_STATE \$MWAN_HELD \$MWAN_REASON" >>$tmp/hooks.log
EOF2
printf '#!/bin/sh\nsleep 3\n' >"$hooks/20-slow"
printf 'not a hook, not executable\n' >"$hooks/30-readme"
chmod +x "$hooks/10-record" "$hooks/20-slow"

write_conf() { # write_conf [EXTRA-LINE]
	cat >"$conf" <<-EOF2
	link add wan1 dev wan1 id 1
	link add wan2 dev wan2 id 2
	link add wan3 dev wan3 id 3
	policy add balanced member wan1 member wan2 member wan3
	globals set default-policy balanced
	hooks $hooks
	EOF2
	for i in 1 2 3; do
		echo "check wan$i icmp $SERVER4 interval 100ms" \
			"failure-interval 50ms recovery-interval 100ms" \
			"timeout 150ms down 3 up 3" \
			"$([ "$i" = 1 ] && echo down-action flush)"
	done >>"$conf"
	if [ $# -gt 0 ]; then echo "$1" >>"$conf"; fi
	return 0
}
write_conf
check "mwan-agent --check accepts down-action and hooks" \
	"$AGENT" -n "$RTR" --check "$conf"

jlog=$tmp/agent.json
agent=
# agent_start [nobody]: as root, or as nobody with only CAP_NET_ADMIN and
# CAP_NET_RAW (the namespace entered first: that takes CAP_SYS_ADMIN)
agent_start() {
	if [ "${1:-}" = nobody ]; then
		nsenter --net="/run/netns/$RTR" -- setpriv --reuid=65534 \
			--regid=65534 --clear-groups \
			--inh-caps=-all,+net_admin,+net_raw \
			--ambient-caps=-all,+net_admin,+net_raw \
			--bounding-set=-all,+net_admin,+net_raw \
			"$AGENT" -c "$conf" --log-json 2>>"$jlog" &
	else
		"$AGENT" -n "$RTR" -c "$conf" --log-json 2>>"$jlog" &
	fi
	agent=$!
	defer flows_stop "$agent"
}
agent_start

state_of() { mwanctl link show "$1" | grep -o ' state [a-z]*\( checks [a-z]*\)\?' | xargs; }
is() { [ "$(state_of "$1")" = "$2" ]; }
check "three links up, checks up" slowwait 10 sh -c \
	"$MWANCTL -n $RTR link show | grep -c 'state up checks up' | grep -qx 3"

# json EXPR: the Python expression EXPR over the log's objects, "ev"
json() {
	$PY - "$jlog" "$1" <<-'PY'
	import json, sys
	ev = []
	for line in open(sys.argv[1]):
	    try:
	        ev.append(json.loads(line))
	    except ValueError:
	        print("not JSON: " + line.strip(), file=sys.stderr)
	        sys.exit(1)
	print(eval(sys.argv[2]))
	PY
}
check "every log line is a JSON object" \
	test "$(json 'all(isinstance(e, dict) and "msg" in e for e in ev)')" = True

# connections on every link, their conntrack entries kept by UDP's
# timeouts, ten minutes here: a debug kernel on a busy host may take a
# minute to get the links down
rtr sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 \
	net.netfilter.nf_conntrack_udp_timeout_stream=600
flows "$LAN" connect --proto udp --dst "$SERVER4" --count 30 --packets 2 \
	--tag before --timeout 2 >/dev/null
ct_of() { rtr conntrack -L -m "$(($1 << 8))/0x3f00" 2>/dev/null | grep -c udp; }
read -r c1 c2 c3 <<<"$(ct_of 1) $(ct_of 2) $(ct_of 3)"
echo "conntrack entries per link: $c1 $c2 $c3"
check "connections on all three links" test "$c1" -gt 0 -a "$c2" -gt 0 -a "$c3" -gt 0

for i in 1 2 3; do
	isp "$i" nft -f - <<-NFT
	table inet fault { chain forward { type filter hook forward priority -10; }; }
	NFT
done
fault() { isp "$1" nft add rule inet fault forward drop; }
heal() { isp "$1" nft flush chain inet fault forward; }

fault 1
fault 2
check "wan1 and wan2 down" slowwait 5 sh -c \
	"$MWANCTL -n $RTR link show | grep -c 'state down checks down' | grep -qx 2"
ct_none() { [ "$(ct_of "$1")" = 0 ]; }
check "down-action flush: none of wan1's connections left" slowwait 2 ct_none 1
check "keep: wan2's stay ($(ct_of 2) of $c2)" test "$(ct_of 2)" = "$c2"
check "wan3's untouched ($(ct_of 3) of $c3)" test "$(ct_of 3)" = "$c3"
id1=$(json '[e["id"] for e in ev if e["event"] == "state" and e.get("link") == "wan1" and e["new"] == "down"][0]')
check "JSON: wan1's flush carries its state change's id ($id1), counts its $c1 flows" \
	test "$(json "[e['count'] >= $c1 for e in ev if e['event'] == 'flush' and e['id'] == $id1]")" = "[True]"
check "JSON: the state change has reason, RTT and loss" \
	test "$(json "[sorted(e) for e in ev if e.get('id') == $id1 and e['event'] == 'state'][0]")" = \
	"['dev', 'event', 'id', 'link', 'loss_ppm', 'msg', 'new', 'old', 'reason', 'rtt_us', 'time']"

now_us t0
heal 1
heal 2
# blocked by its hooks, the agent would need 6 s (two 3 s hooks of the
# first two events) before either link could come back
check "both back while the slow hooks still sleep (4 events, 3 s each)" \
	slowwait 5 sh -c "$MWANCTL -n $RTR link show | grep -c 'state up checks up' | grep -qx 3"
now_us t1
echo "back after $(((t1 - t0) / 1000)) ms; the hooks queued 4 events of 3 s each"
check "hooks: wan1's down event with its id, device and reason" \
	slowwait 20 grep -qs "^$id1 wan1 wan1 up down 0 3 rounds failed" "$tmp/hooks.log"
check "hooks: all four events, each link's in order" slowwait 20 sh -c "
	[ \"\$(awk '{ print \$2, \$5 }' $tmp/hooks.log | grep wan1 | xargs)\" = 'wan1 down wan1 up' ] &&
	[ \"\$(awk '{ print \$2, \$5 }' $tmp/hooks.log | grep wan2 | xargs)\" = 'wan2 down wan2 up' ]"

# an operator's hand
mwanctl link set wan3 state drain
check "drain by hand: held, the checks' verdict beside it" \
	slowwait 2 is wan3 "state drain checks up"
fault 3
check "wan3 dies while drained: the state stays, the checks say down" \
	slowwait 5 is wan3 "state drain checks down"
heal 3
check "wan3 back: still drained" slowwait 5 is wan3 "state drain checks up"
check "JSON: held, with the way to hand it back" test "$(json \
	'len([e for e in ev if e["event"] == "held" and e["link"] == "wan3" and "set it to up" in e["msg"]])')" = 1
mwanctl link set wan3 state up
check "state up by hand agrees with the checks: handed back" \
	slowwait 2 sh -c "grep -q '\"event\":\"released\".*wan3' $jlog"
fault 3
check "handed back: the agent takes wan3 down when it dies" \
	slowwait 5 is wan3 "state down checks down"
heal 3
slowwait 5 is wan3 "state up checks up"

# SIGHUP
mwanctl link set wan3 state drain
mwanctl link set wan2 weight 5
write_conf "rule add dns policy balanced proto udp dport 53
check wan9 icmp $SERVER4"
kill -HUP "$agent"
check "a broken file: the error names file and line" \
	slowwait 5 grep -q "mwan.conf:11: check of unknown link" "$jlog"
check "... and the running configuration stays" \
	slowwait 2 grep -q "reload failed: the running configuration stays" "$jlog"
check "... the kernel's untouched (no rule of the new file)" \
	sh -c "! $MWANCTL -n $RTR rule show | grep -q 'rule dns'"
flows "$LAN" connect --proto udp --dst "$SERVER4" --count 1 --gap 0.1 \
	--tag held --until "$tmp/stop" --timeout 2 >"$tmp/held.json" &
held=$!
slowwait 5 seen_flows held 1
write_conf "rule add dns policy balanced proto udp dport 53"
kill -HUP "$agent"
check "a good file: applied" slowwait 5 sh -c \
	"$MWANCTL -n $RTR rule show | grep -q 'rule dns'"
check "the held drain stays" is wan3 "state drain checks up"
check "the weight set by hand stays" sh -c \
	"$MWANCTL -n $RTR link show wan2 | grep -q ' weight 5'"
check "the agent says both" sh -c "grep -q 'wan2: weight 5 set by hand stays' $jlog"
sleep 1
touch "$tmp/stop"
wait "$held"
check "a UDP flow through the reload: every message answered" \
	test "$(pyq 'd["ok"]' <"$tmp/held.json")" = 1
check "... and on one link" flows_stayed held 1 1
mwanctl link set wan3 state up

# a restart while wan2 is down
fault 2
slowwait 5 is wan2 "state down checks down"
mwanctl monitor >"$tmp/events" &
mon=$!
defer flows_stop "$mon"
kill -TERM "$agent"
wait "$agent"
n0=$(wc -l <"$jlog")
agent_start nobody
slowwait 10 sh -c "tail -n +$((n0 + 1)) $jlog | grep -q 'no link has a check\|checking'"
sleep 1
check "restarted as nobody with CAP_NET_ADMIN and CAP_NET_RAW only" \
	sh -c "grep -q '^Uid:.*65534' /proc/$agent/status &&
	       grep -qx 'CapEff:.*0000000000003000' /proc/$agent/status"
check "restarted while wan2 is down: it stays down" is wan2 "state down checks down"
check "... no flip to up in between" sh -c "! grep -q 'link wan2 .*state up' $tmp/events"
heal 2
check "ISP 2 back: wan2 up" slowwait 5 is wan2 "state up checks up"
kill -TERM "$agent"
wait "$agent"
echo "agent log (JSON):"
sed 's/^/  /' "$jlog" | cut -c1-200
exit $rc
