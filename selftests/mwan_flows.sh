#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwanctl flows against conntrack -L. Three links, wan3 also alone in a
# policy of its own; TCP connections over IPv4 and UDP flows over IPv6
# from the LAN, and 100000 entries made by ctfill.py (times
# $MWAN_TEST_SCALE percent) with link 1's, 2's, 3's and no mark in turn.
#  - flows --link wanN lists exactly the entries conntrack -L lists for
#    wanN's mark, tuple for tuple, and each connection the server saw on
#    that link; -s counts them as conntrack -L does, and the unmarked
#    as conntrack -C the rest (within 5: the router's own come and go);
#  - --policy lists its members' links; --link and --policy together
#    only what both name;
#  - with the full table, flows --link takes no longer than conntrack -L
#    with its mark filter, flows -s than conntrack -L of it all (half as
#    long again, and half a second, for a busy machine);
#  - unknown names and bad words are refused, naming them.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
require_module nf_conntrack_netlink
checktool "conntrack --version" "needs conntrack-tools"
CTFILL=$(dirname "$0")/ctfill.py

topo_create 3
mwanctl config replace - <<-EOF
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
link add wan3 dev wan3 id 3
policy add balanced member wan1 member wan2 member wan3
policy add pin3 member wan3
globals set default-policy balanced
EOF
topo_server
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# the entries must outlive the test: on a slow machine it takes longer
# than conntrack keeps a closing TCP connection (10 to 120 s, by the state
# its last packets left it in) or a UDP stream (120 s)
for state in close close_wait fin_wait last_ack time_wait; do
	rtr sysctl -qw "net.netfilter.nf_conntrack_tcp_timeout_$state=900"
done
rtr sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=900
n=$(scaled 60)
flows "$LAN" connect --proto tcp --dst "$SERVER4" --count "$n" --timeout 2 \
	--sport 30000 --tag t >/dev/null
# three datagrams each way: an assured entry, kept as long as TCP's
flows "$LAN" connect --proto udp --dst "$SERVER6" --count "$n" --timeout 2 \
	--packets 3 --sport 40000 --tag u >/dev/null

# tuples: "proto src sport dst dport" of the entries, one a line, sorted;
# from flows' JSON, and from conntrack -L (its first, original tuple)
json_tuples() {
	$PY -c 'import ipaddress, json, sys
for f in json.load(sys.stdin):
    print(f["proto"], ipaddress.ip_address(f["src"]), f["sport"],
          ipaddress.ip_address(f["dst"]), f["dport"])' | sort
}
ct_tuples() {
	$PY -c 'import ipaddress, socket, sys
for line in sys.stdin:
    w = line.split()
    f = {}
    for x in w:
        if "=" in x:
            k, v = x.split("=", 1)
            f.setdefault(k, v)
    print(socket.getprotobyname(w[0]) if w[0] != "unknown" else w[1],
          ipaddress.ip_address(f["src"]), f.get("sport", "None"),
          ipaddress.ip_address(f["dst"]), f.get("dport", "None"))' | sort
}
ct_list() { rtr conntrack -L -m "$(($1 << 8))/0x3f00" 2>/dev/null; }

# flows --link wanN and conntrack -L -m N<<8/0x3f00: the same tuples
same_as_conntrack() {
	mwanctl -j flows --link "wan$1" | json_tuples >"$tmp/flows"
	ct_list "$1" | ct_tuples >"$tmp/ct"
	echo "wan$1: flows lists $(wc -l <"$tmp/flows"), conntrack -L $(wc -l <"$tmp/ct")"
	[ -s "$tmp/flows" ] && diff "$tmp/flows" "$tmp/ct"
}

# each connection the server saw on link N is among flows --link wanN's
server_seen_listed() {
	mwanctl -j flows --link "wan$1" >"$tmp/f.json"
	$PY - "$tmp/f.json" "$log" "$1" <<-'PY'
	import ipaddress, json, sys
	nat = {(ipaddress.ip_address(f["snat"]), f["snat_port"])
	       for f in json.load(open(sys.argv[1])) if f["snat"]}
	n = int(sys.argv[3])
	missing = seen = 0
	for line in open(sys.argv[2]):
	    proto, peer, port, tag = line.split()
	    a = ipaddress.ip_address(peer)
	    link = a.packed[2] if a.version == 4 else int.from_bytes(a.packed[4:6], "big")
	    if link != n:
	        continue
	    seen += 1
	    missing += (a, int(port)) not in nat
	print("wan%d: the server saw %d flows by it, %d not listed" % (n, seen, missing))
	sys.exit(1 if missing or not seen else 0)
	PY
}

for i in 1 2 3; do
	check "flows --link wan$i: what conntrack -L has for its mark" \
		same_as_conntrack "$i"
	check "flows --link wan$i: each flow the server saw by it" \
		server_seen_listed "$i"
done

mwanctl -j flows --policy pin3 | json_tuples >"$tmp/p"
mwanctl -j flows --link wan3 | json_tuples >"$tmp/l"
check "flows --policy pin3 is wan3's" diff "$tmp/p" "$tmp/l"
check "flows --link wan1 --policy pin3: nothing" \
	test "$(mwanctl -j flows --link wan1 --policy pin3)" = "[]"
all_links() {
	mwanctl -j flows | json_tuples >"$tmp/all"
	for i in 1 2 3; do ct_list "$i"; done | ct_tuples >"$tmp/ct"
	diff "$tmp/all" "$tmp/ct"
}
check "flows: every link's entries, none unmarked" all_links

# the table filled, most of it not mwan's connections; the flows' own
# entries gone first: they expire while a slow machine counts
rtr conntrack -F 2>/dev/null
big=$(scaled 100000)
sysctl -qw net.netfilter.nf_conntrack_max=$((big + 10000))
made=$(in_ns "$RTR" /usr/bin/python3 -S "$CTFILL" "$big" \
	--marks 0x100,0x200,0x300,0x0)
check "ctfill made $big entries" test "$made" = "$big"

counts_agree() {
	local i got want total ok=0
	mwanctl -j flows -s >"$tmp/s.json"
	for i in 1 2 3; do
		want=$(ct_list "$i" | wc -l)
		got=$(pyq "d['links'][$((i - 1))]['connections']" <"$tmp/s.json")
		echo "wan$i: flows -s $got, conntrack -L $want"
		[ "$got" = "$want" ] || ok=1
	done
	total=$(rtr conntrack -C)
	got=$(pyq "d['unmarked'] + sum(l['connections'] for l in d['links'])" \
		<"$tmp/s.json")
	echo "all: flows -s $got, conntrack -C $total"
	# the router's own unmarked entries may come and go between the two
	[ $((got - total)) -le 5 ] && [ $((total - got)) -le 5 ] || ok=1
	return $ok
}
check "flows -s: each link's count and the unmarked, as conntrack's" \
	counts_agree

# seconds CMD... takes, to the millisecond
seconds() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
fast() {
	local ctm ct fl sum
	ctm=$(seconds ct_list 1)
	fl=$(seconds mwanctl flows --link wan1)
	ct=$(seconds rtr conntrack -L)
	sum=$(seconds mwanctl flows -s)
	echo "of $big entries: conntrack -L -m $ctm s, flows --link $fl s;" \
		"conntrack -L $ct s, flows -s $sum s"
	awk -v a="$ctm" -v b="$fl" -v c="$ct" -v d="$sum" \
		'BEGIN { exit !(b <= 1.5 * a + 0.5 && d <= 1.5 * c + 0.5) }'
}
check "flows --link and -s as fast as conntrack -L doing as much" fast

bad() { # bad MESSAGE ARGS...: flows ARGS fails, saying MESSAGE
	local msg=$1
	shift
	! mwanctl flows "$@" >/dev/null 2>"$tmp/err" &&
		grep -qF "$msg" "$tmp/err" && cat "$tmp/err"
}
check "--link nosuch: refused" bad 'unknown link "nosuch"' --link nosuch
check "--policy nosuch: refused" bad 'unknown policy "nosuch"' --policy nosuch
check "--link without a name: refused" bad '"--link" needs a name' --link
check "a stray word: refused" bad 'unexpected argument "wan1"' wan1
exit $rc
