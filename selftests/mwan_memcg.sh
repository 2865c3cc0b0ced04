#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel memory a configuration takes is charged to whoever configured it.
# Root of any user namespace may configure its own network namespaces, so
# without the charge a memory cgroup's limit would not hold back a user
# who fills namespace after namespace with the largest configuration.

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
exit $rc
