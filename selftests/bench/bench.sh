#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: bench.sh [--smoke]
#
# make bench: per-packet and per-connection cost of mwan, and the
# throughput of one TCP connection through it, against plain forwarding,
# nftables, iptables (mwan3's shape), a floor module and mwan at another
# revision, and of its NPTv6 against ip6tables' SNPT/DNPT and nftables'
# prefix NAT, measured side by side in one boot of the VM bench
# with -icount (guest time advances with executed instructions, so the
# rates do not depend on the host's load) and one vCPU. Builds what the
# guest needs under build/bench/, runs selftests/bench/guest.sh, prints
# the tables (IPv4, IPv6) and writes them to build/bench/bench-DATE.md
# (and latest.md).
#
# --smoke   one short round of each contender, to show the harness works
#           (CI): "ok"/"not ok" per contender and "N passed, N failed"
#
# Environment:
#   BENCH_ROUNDS     rounds, the first dropped as warm-up (default 6)
#   BENCH_SECONDS    guest seconds counted per measurement (default 2)
#   BENCH_BASE_REV   the revision "mwan-base" is built from (default
#                    2c1c7f8: before router sockets got their link's mark)
#   BENCH_CONTENDERS which, in order (default: all; baseline first, as
#                    the others are compared with it)
#   BENCH_PARTS      what to run: "main" (the contenders above, default),
#                    "scale" (mwan as links, rules and conntrack entries
#                    grow, guest.sh's scale_main), "control" (the control
#                    path's timings, in an ordinary VM booted after the
#                    one with -icount), "failover" (failover.sh's
#                    profiles, a boot each; make bench-failover) or
#                    several (make bench-scale: "scale control")
#   BENCH_SCALE_LINKS, BENCH_SCALE_RULES, BENCH_SCALE_CT
#                    the scale part's sizes (defaults "2 8 63", "1 100
#                    1000", "10000 100000 1000000"), to look at one
#   BENCH_FAULTS     faults per failover profile (default 20)
#   BENCH_FAULTS_SLOW  faults for mwan3-default, which takes two minutes
#                    for each (default 3)
#   KDIR             kernel build tree (default: newest installed headers)
set -eu -o pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$TOP/selftests/bench
OUT=$TOP/build/bench
ICOUNT="-icount shift=2,sleep=off"

log() { echo "bench: $*" >&2; }

kernel_release() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 |
		sed 's,.*/linux-headers-,,'
}

# What the guest runs: the sender, the floor module, this tree's mwan.ko
# and mwanctl (built by make before) and those of BENCH_BASE_REV.
build() {
	local kdir=${KDIR:-/usr/src/linux-headers-$(kernel_release)}
	mkdir -p "$OUT/cur" "$OUT/floor"
	gcc -O2 -Wall -Wextra -Werror -o "$OUT/blast" "$HERE/blast.c"
	cp "$HERE/floor/floor.c" "$HERE/floor/Kbuild" "$OUT/floor/"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$kdir" M="$OUT/floor" modules 2>&1 | grep -v '^Skipping BTF' || true
	cp "$OUT/floor/mwan_floor.ko" "$OUT/"
	cp "$TOP/mwan.ko" "$TOP/user/mwanctl/mwanctl" \
		"$TOP/user/agent/mwan-agent" "$OUT/cur/"
	if ! git -C "$TOP" rev-parse -q --verify "$BASE_REV^{commit}" >/dev/null; then
		# A shallow clone (CI) may not have it: the smoke test goes on.
		[ "$SMOKE" = 1 ] || { log "no revision $BASE_REV in this clone"; return 1; }
		log "no revision $BASE_REV in this clone: mwan-base left out"
		SKIP=mwan-base
		return 0
	fi
	log "building mwan at $BASE_REV"
	KDIR=$kdir "$HERE/build-rev.sh" "$BASE_REV" "$OUT/base" 2>&1 |
		grep -v '^Skipping BTF' || true
	[ -f "$OUT/base/mwan.ko" ]
}

# The guest's output, live, appended to $raw; the VM bench's own status
# is the guest script's. run_guest TIMEOUT QEMU-OPTS PARTS
run_guest() {
	local timeout=$1
	# a million conntrack entries take some 400 MB
	VM_QEMU_OPTS="$2" VM_CPUS=1 VM_MODULES="" VM_MEM=2560 \
		MWAN_BENCH_ROUNDS=$ROUNDS MWAN_BENCH_SECONDS=$SECS \
		MWAN_BENCH_PARTS=$3 \
		MWAN_BENCH_SCALE_CT=${BENCH_SCALE_CT:-$SCALE_CT} \
		MWAN_BENCH_SCALE_LINKS=${BENCH_SCALE_LINKS:-} \
		MWAN_BENCH_SCALE_RULES=${BENCH_SCALE_RULES:-} \
		MWAN_BENCH_FLUSH=$FLUSH \
		MWAN_BENCH_DIR=$OUT MWAN_BENCH_CONTENDERS=${BENCH_CONTENDERS:-} \
		MWAN_BENCH_SKIP=$SKIP \
		"$TOP/selftests/vm/run-vm.sh" --timeout "$timeout" \
		"$HERE/guest.sh" 2>&1 | tee -a "$raw"
}

# failover PROFILE FAULTS: failover.sh in an ordinary VM (the VM's own
# mwan.ko: the tree's), its output appended to $raw
failover() {
	MWAN_BENCH_FAULTS=$2 "$TOP/selftests/vm/run-vm.sh" --timeout 1800 \
		"$HERE/failover.sh" "$1" 2>&1 | tee -a "$raw"
}

# The parts under -icount in one boot, then the control path's timings
# in an ordinary one (under -icount guest time jumps while it waits), then
# the failover profiles, a boot each.
run_parts() {
	local timeout=$1 timed rc=0 p
	timed=$(echo " $PARTS " | sed 's/ control / /; s/ failover / /')
	if [ -n "${timed// /}" ]; then
		run_guest "$timeout" "$ICOUNT" "$timed" || rc=$?
	fi
	if [[ " $PARTS " = *" control "* ]]; then
		run_guest "$timeout" "" control || rc=$?
	fi
	[[ " $PARTS " = *" failover "* ]] || return "$rc"
	for p in $PROFILES; do
		case $p in
		# a fault takes it a minute to see, and as long to come back
		mwan3-default) failover "$p" "$FAULTS_SLOW" || rc=$? ;;
		*) failover "$p" "$FAULTS" || rc=$? ;;
		esac
	done
	return "$rc"
}

failover_vars() {
	[[ " $PARTS " != *" failover "* ]] ||
		echo " BENCH_FAULTS=$FAULTS BENCH_FAULTS_SLOW=$FAULTS_SLOW"
}

# the scale part's sizes where they were given
scale_vars() {
	local v
	for v in BENCH_SCALE_LINKS BENCH_SCALE_RULES BENCH_SCALE_CT; do
		[ -z "${!v:-}" ] || printf ' %s="%s"' "$v" "${!v}"
	done
}

# what reproduces this run
command_line() {
	if [ "$SMOKE" = 1 ]; then
		echo "make bench-smoke"
	else
		echo "BENCH_PARTS=\"$PARTS\" BENCH_ROUNDS=$ROUNDS BENCH_SECONDS=$SECS BENCH_BASE_REV=$BASE_REV${BENCH_CONTENDERS:+ BENCH_CONTENDERS=\"$BENCH_CONTENDERS\"}$(scale_vars)$(failover_vars) make bench"
	fi
}

machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	echo "Machine: $cpu, $(nproc) host CPUs; $(qemu-system-x86_64 --version | head -n1), TCG, \`$ICOUNT\`, 1 vCPU"
}

main() {
	local start=$SECONDS stamp raw table rc=0 p f
	SMOKE=0 SKIP=
	[ "${1:-}" = --smoke ] && SMOKE=1
	if [ "$SMOKE" = 1 ]; then
		# both parts, the conntrack sizes small
		ROUNDS=1 SECS=0.5 PARTS="main scale control failover"
		SCALE_CT="1000 10000" FLUSH=10000
		PROFILES=agent-default FAULTS=2
	else
		ROUNDS=${BENCH_ROUNDS:-6} SECS=${BENCH_SECONDS:-2}
		PARTS=${BENCH_PARTS:-main} SCALE_CT='' FLUSH=''
		PROFILES="agent-default mwan3-tuned mwan3-default"
		FAULTS=${BENCH_FAULTS:-20} FAULTS_SLOW=${BENCH_FAULTS_SLOW:-3}
	fi
	BASE_REV=${BENCH_BASE_REV:-2c1c7f8}
	# the failover profiles need only the tree's own build
	[ "$PARTS" = failover ] || build
	stamp=$(date -u +%Y-%m-%dT%H%MZ)
	raw=$OUT/raw-$stamp.txt
	run_parts $((SMOKE ? 900 : 2400)) || rc=$?
	table=$OUT/bench-$stamp.md
	{
		echo "make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), mwan $(git -C "$TOP" describe --always --dirty)," \
			"mwan-base ${SKIP:+left out, no }$(git -C "$TOP" rev-parse --short "$BASE_REV" 2>/dev/null || echo "$BASE_REV")"
		echo
		"$HERE/report.py" "$raw" \
			"Command: \`$(command_line)\`" \
			"$(machine)" "Wall time: $((SECONDS - start)) s"
	} >"$table" || rc=1
	ln -sf "$(basename "$table")" "$OUT/latest.md"
	echo
	cat "$table"
	if [ "$SMOKE" = 1 ]; then
		p=$(grep -c '^ok ' "$raw" || true)
		f=$(grep -c '^not ok ' "$raw" || true)
		# the guest broke before it could say: count that
		[ "$rc" = 0 ] || [ "$f" -gt 0 ] || f=1
		echo "$p passed, $f failed"
	fi
	return "$rc"
}

main "$@"
