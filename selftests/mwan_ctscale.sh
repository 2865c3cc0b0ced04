#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A full conntrack table of mwan's connections. ctfill.py makes
# $MWAN_CT_ENTRIES entries (default 100000 at $MWAN_TEST_SCALE percent;
# make soak: a million), half with link l1's mark, half with l2's, in a
# namespace with mwan configured; then:
#   - what they cost: the nf_conntrack slab and MemAvailable before and
#     after (reported);
#   - `mwanctl link flush l1` reports and removes exactly l1's half: none
#     of l1's is left, all of l2's are (timed);
#   - `modprobe -r mwan` with l2's half still there succeeds, removes
#     them (their link bits name nothing once mwan is gone) and leaves no
#     BUG, WARNING or refcount report in the kernel log (timed);
#   - mwan loads again.

source "$(dirname "$0")/lib.sh"
CTFILL=$(dirname "$0")/ctfill.py
MWANCTL=${MWANCTL:-$(cd "$(dirname "$0")/.." && pwd)/user/mwanctl/mwanctl}
checktool "$MWANCTL --version" "needs mwanctl (make user)"
checktool "conntrack --version" "needs conntrack-tools"
require_module mwan nf_conntrack_netlink
KMSG_BAD='\bBUG\b|WARNING|\bOops\b|refcount|leak'
rc=0
check() {
	if "${@:2}"; then echo "PASS: $1"; else echo "FAIL: $1"; rc=1; fi
}

entries=${MWAN_CT_ENTRIES:-$(scaled 100000)}
entries=$((entries / 2 * 2))
half=$((entries / 2))
setup_ns NS
mwanctl() { "$MWANCTL" -n "$NS" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
ip -n "$NS" -batch - <<-EOF
link add d1 type dummy
link add d2 type dummy
EOF
mwanctl config replace - <<-EOF
link add l1 dev d1 id 1
link add l2 dev d2 id 2
policy add both member l1 member l2
globals set default-policy both
EOF

# Room for them all; a bucket per four entries keeps the chains short
# (hashsize is global, only the initial namespace may set it).
max0=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
hash0=$(cat /sys/module/nf_conntrack/parameters/hashsize)
defer sysctl -qw net.netfilter.nf_conntrack_max="$max0"
sysctl -qw net.netfilter.nf_conntrack_max=$((entries + 10000))
if [ "$hash0" -lt $((entries / 4)) ]; then
	defer sh -c "echo $hash0 >/sys/module/nf_conntrack/parameters/hashsize"
	echo $((entries / 4)) >/sys/module/nf_conntrack/parameters/hashsize
fi

# memory: "MemAvailable-kB slab-objects slab-object-size"
memory() {
	local avail objs size
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	read -r objs size < <(awk '$1 == "nf_conntrack" { print $2, $4 }' \
		/proc/slabinfo 2>/dev/null)
	echo "${avail:-0} ${objs:-0} ${size:-0}"
}
ct_count() { in_ns "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count; }
ct_marked() { in_ns "$NS" conntrack -L -m "$1"/0x3f00 2>/dev/null | grep -c mark=; }

MARK="mwan_ctscale: start $$ $RANDOM"
echo "$MARK" >/dev/kmsg
read -r avail0 objs0 size < <(memory)
t0=$(now_ms)
made=$(in_ns "$NS" /usr/bin/python3 -S "$CTFILL" "$entries" --marks 0x100,0x200)
t1=$(now_ms)
read -r avail1 objs1 size < <(memory)
echo "# $made entries made in $((t1 - t0)) ms; nf_conntrack slab $objs0 -> $objs1" \
	"objects of $size bytes ($(((objs1 - objs0) * size / 1048576)) MiB)," \
	"MemAvailable $((avail0 / 1024)) -> $((avail1 / 1024)) MiB" \
	"($(((avail0 - avail1) * 1024 / (entries > 0 ? entries : 1))) bytes an entry)"
check "ctfill made $entries entries with l1's and l2's marks" \
	test "$made" = "$entries" -a "$(ct_count)" -ge "$entries"

t0=$(now_ms)
flushed=$(mwanctl link flush l1)
t1=$(now_ms)
echo "# link flush l1: $((t1 - t0)) ms for $half of $entries entries ($flushed)"
check "link flush l1 reports its $half entries" grep -qw "$half" <<<"$flushed"
l1=$(ct_marked 0x100)
l2=$(ct_marked 0x200)
check "none of l1's entries is left ($l1)" test "$l1" = 0
check "all of l2's $half entries are there ($l2)" test "$l2" = "$half"

t0=$(now_ms)
out=$(modprobe -r mwan 2>&1)
st=$?
t1=$(now_ms)
echo "# modprobe -r mwan with $half entries of l2: $((t1 - t0)) ms"
check "mwan unloads with $half marked entries present ($out)" \
	test "$st" = 0 -a ! -d /sys/module/mwan
check "unloading removed l2's entries ($(ct_count) left)" \
	test "$(ct_marked 0x200)" = 0
read -r avail2 objs2 size < <(memory)
echo "# after: nf_conntrack slab $objs2 objects, MemAvailable $((avail2 / 1024)) MiB"
check "mwan loads again" modprobe mwan

bad=$(dmesg | awk -v mark="$MARK" 'seen; index($0, mark) { seen = 1 }' |
	grep -E "$KMSG_BAD")
check "no BUG, WARNING, Oops, refcount or leak in the kernel log" test -z "$bad"
[ -z "$bad" ] || echo "$bad" | head -n 40
exit $rc
