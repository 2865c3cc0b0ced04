#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel memory a configuration takes is charged to whoever configured it.
# Root of any user namespace may configure its own network namespaces, so
# without the charge a memory cgroup's limit would not hold back a user
# who fills namespace after namespace with the largest configuration.
#
#   - one namespace's configuration is charged to its cgroup, and 30 of
#     them stop at the cgroup's limit;
#   - the most one namespace can make mwan allocate: the largest
#     configuration the kernel takes (255 links, each translating, 64
#     policies of 64 members in 8 tiers, 1024 rules) is measured and must
#     stay within MAX_KIB; 20 replaces by it leave no more behind;
#   - a replace the limit refuses leaves the running configuration as it
#     was;
#   - an unprivileged user in its own user and network namespaces is
#     charged the same, and held by the same limit.

source "$(dirname "$0")/lib.sh"
MWANCTL=${MWANCTL:-$(cd "$(dirname "$0")/.." && pwd)/user/mwanctl/mwanctl}
checktool "$MWANCTL --version" "needs mwanctl (make user)"
require_module mwan
CGROOT=/sys/fs/cgroup
if ! grep -qw memory "$CGROOT/cgroup.controllers" 2>/dev/null; then
	echo "SKIP: no memory cgroup controller"
	exit "$ksft_skip"
fi
echo +memory >"$CGROOT/cgroup.subtree_control"
rc=0
check() {
	if "${@:2}"; then echo "PASS: $1"; else echo "FAIL: $1"; rc=1; fi
}

# 8 links and 64 policies of 8 tiers: the tables make it about half a MiB
conf=$(mktemp)
defer rm -f "$conf"
{
	for i in $(seq 1 8); do
		echo "link add l$i dev d$i id $i"
	done
	for p in $(seq 1 64); do
		printf 'policy add p%d' "$p"
		for m in $(seq 0 7); do
			printf ' member l%d metric %d' $((m + 1)) $(((p + m) % 8))
		done
		echo
	done
} >"$conf"

# dummies NS...: the links' devices d1..d8 in each namespace
dummies() {
	local ns
	for ns in "$@"; do
		printf 'link add d%d type dummy\n' $(seq 1 8) | ip -n "$ns" -batch -
	done
}

# cgroup NAME [MAX]: a fresh memory cgroup, its path in $CG
cgroup() {
	CG=$CGROOT/mwan-$1-$SRANDOM
	mkdir "$CG"
	defer rmdir "$CG"
	[ -z "${2:-}" ] || echo "$2" >"$CG/memory.max"
}

# load NS: the configuration into namespace NS, by a process in $CG
load() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n "$3" config replace "$4"' \
		sh "$CG" "$MWANCTL" "$1" "$conf" 2>/dev/null
}

setup_ns WARM ONE
dummies "$WARM" "$ONE"
"$MWANCTL" -n "$WARM" config replace "$conf"	# page cache, outside
cgroup one
load "$ONE"
kib=$(($(cat "$CG/memory.current") / 1024))
echo "# one namespace's configuration charged $kib KiB to its cgroup"
check "the configuration is charged to the cgroup that made it" \
	test "$kib" -ge 400

n=30
names=()
for i in $(seq 1 $n); do
	names+=("N$i")
done
setup_ns "${names[@]}"
for i in $(seq 1 $n); do
	ns=N$i
	dummies "${!ns}"
done
cgroup limited 8M
made=0
for i in $(seq 1 $n); do
	ns=N$i
	load "${!ns}" || break
	made=$i
done
echo "# configured $made of $n namespaces within 8 MiB;" \
	"memory.events: $(tr '\n' ' ' <"$CG/memory.events")"
check "the cgroup's limit stopped the namespaces' configurations" \
	test "$made" -lt "$n"
check "the limit was met" test "$(awk '$1 == "max" { print $2 }' "$CG/memory.events")" -gt 0

# The largest configuration: every limit of <linux/mwan.h> reached. The
# devices exist, so that each link's NPT hooks its device.
big=$(mktemp)
defer rm -f "$big"
{
	echo "globals set mark-mask 0xff00"
	for i in $(seq 1 255); do
		printf 'link add l%d dev b%d id %d npt fd%02x::/48 2001:db8:%x::/48 map4 10.%d.0.0/16 100.%d.0.0/16\n' \
			"$i" "$i" "$i" "$i" "$i" "$i" "$i"
	done
	for p in $(seq 1 64); do
		printf 'policy add p%d' "$p"
		for m in $(seq 0 63); do
			printf ' member l%d metric %d' $(((p + m) % 255 + 1)) $((m % 8))
		done
		echo
	done
	for r in $(seq 1 1024); do
		printf 'rule add r%d policy p%d proto tcp src 10.%d.%d.0/24 dport %d-%d iif b%d mark 0x%x/0xff\n' \
			"$r" $((r % 64 + 1)) $((r % 250)) $((r / 250)) "$r" $((r + 10)) \
			$((r % 255 + 1)) $((r % 256))
	done
} >"$big"
MAX_KIB=16384
BIG_COUNTS="255 64 1024 4096"
# counts: links, policies, rules and members of a "mwanctl -j show"
counts() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["links"]), len(d["policies"]), len(d["rules"]),
      sum(len(p["members"]) for p in d["policies"]))'
}
setup_ns BIG
printf 'link add b%d type dummy\n' $(seq 1 255) | ip -n "$BIG" -batch -
dummies "$BIG"
"$MWANCTL" -n "$BIG" config replace "$big" || echo "# the largest configuration was refused"
"$MWANCTL" -n "$BIG" config replace "$conf" >/dev/null	# warm, outside
cgroup big
big_load() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n "$3" config replace "$4"' \
		sh "$CG" "$MWANCTL" "$BIG" "$1"
}
check "the largest configuration is taken" big_load "$big"
kib=$(($(cat "$CG/memory.current") / 1024))
echo "# the largest configuration charged $kib KiB to its cgroup" \
	"($(awk '$1 == "slab" || $1 == "percpu" { printf " %s %d", $1, $2 }' \
	"$CG/memory.stat") bytes)"
check "the most one namespace can allocate stays within $MAX_KIB KiB" \
	test "$kib" -le "$MAX_KIB"
check "the largest configuration reads back whole" \
	test "$("$MWANCTL" -n "$BIG" -j show | counts)" = "$BIG_COUNTS"
for i in $(seq 1 10); do
	big_load "$conf" && big_load "$big" || break
done
again=$(($(cat "$CG/memory.current") / 1024))
echo "# after 20 more replaces: $again KiB"
check "20 replaces leave no more memory behind (within a tenth)" \
	test "$again" -le $((kib + kib / 10))

# A replace the cgroup's limit stops is all or nothing. The memory
# cgroup's OOM killer ends mwanctl; an allocation of a task being killed
# is then let through, so the kernel may still finish the replace: the
# configuration is the old one, or the whole new one, never a mix.
cgroup tight 1M
"$MWANCTL" -n "$BIG" config replace "$conf" >/dev/null
# what was configured: "mwanctl -j show" but the seconds since each
# link's state last changed
configured() {
	"$MWANCTL" -n "$BIG" -j show | python3 -c 'import json, sys
d = json.load(sys.stdin)
for l in d["links"]:
    l.pop("state_secs", None)
print(json.dumps(d, indent=1, sort_keys=True))'
}
before=$(configured)
err=$(sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n "$3" config replace "$4"' \
	sh "$CG" "$MWANCTL" "$BIG" "$big" 2>&1 >/dev/null)
st=$?
echo "# within 1 MiB: exit $st, ${err:-no message}; memory.events:" \
	"$(tr '\n' ' ' <"$CG/memory.events")"
check "the limit stops mwanctl" test "$st" -ne 0
after=$(configured)
if [ "$after" = "$before" ]; then
	echo "# the configuration is the old one"
else
	echo "# the configuration is a new one: $(echo "$after" | counts)"
	diff <(echo "$before") <(echo "$after") | head -20
fi
check "the configuration is the old one, or the whole new one" \
	test "$after" = "$before" -o "$(echo "$after" | counts)" = "$BIG_COUNTS"

# An unprivileged user, root of its own user namespace, in its own
# network namespace: charged like anyone, held by the same limit
uscript=$(mktemp)
defer rm -f "$uscript"
cat >"$uscript" <<'EOF2'
# in the user's namespaces: MWANCTL CONF CGROUP; prints the cgroup's
# memory before and after the replace
printf 'link add d%d type dummy\n' 1 2 3 4 5 6 7 8 | ip -batch - &&
	cat "$3/memory.current" && "$1" config replace "$2" &&
	cat "$3/memory.current"
EOF2
chmod a+r "$conf" "$uscript"
# uns CONF: the cgroup's memory before and after, from inside
uns() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec setpriv --reuid=65534 \
		--regid=65534 --clear-groups unshare -Urn sh "$2" "$3" "$4" "$1"' \
		sh "$CG" "$uscript" "$MWANCTL" "$1" 2>&1
}
cgroup userns
out=$(uns "$conf")
echo "# an unprivileged user's namespace: $(echo $out)"
if read -r b a <<<"$(echo $out)" && [[ $b$a =~ ^[0-9]+$ ]]; then
	echo "# its configuration charged $(((a - b) / 1024)) KiB"
	check "an unprivileged user's configuration is charged to its cgroup" \
		test $(((a - b) / 1024)) -ge 400
	cgroup userns-tight $((b + 256 * 1024))
	out=$(uns "$conf")
	echo "# with 256 KiB to spare: $(echo $out)"
	check "the limit holds an unprivileged user back too" \
		test "$(printf '%s\n' $out | grep -cE '^[0-9]+$')" -lt 2
else
	check "an unprivileged user configures its own namespace" false
fi
exit $rc
