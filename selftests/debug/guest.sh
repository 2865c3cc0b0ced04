#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the debug lane (scripts/check-debug.sh), run by the bench
# (selftests/vm/run-vm.sh) on the debug kernel:
#
#   guest.sh suite RUNNER [ARGS...]   run the selftest runner, unload mwan,
#                                     then look for leaks with kmemleak
#   guest.sh lane KO...               the lane's self-test: load each
#                                     test-only module in turn, then look
#                                     for leaks with kmemleak
#
# The host scans the kernel console log. Lines "mwan-lane: begin NAME" and
# "mwan-lane: end NAME" written to /dev/kmsg delimit what each step did
# (NAME: suite, a module's name, kmemleak);
# kmemleak's findings are copied into the kernel log (prefix "kmemleak: ")
# so that one log holds every report.
set -u

KMEMLEAK=/sys/kernel/debug/kmemleak

mark() { echo "mwan-lane: $*" >/dev/kmsg; }

# kmemleak reports no object younger than 5 s, nor one whose checksum
# changed since the previous scan (a new object's always has): scan twice,
# 5 s apart.
kmemleak_scan() {
	local t0=$SECONDS
	[ -w "$KMEMLEAK" ] || { echo "guest: no $KMEMLEAK"; return 1; }
	echo scan >"$KMEMLEAK"
	sleep 5
	echo scan >"$KMEMLEAK"
	echo "guest: kmemleak scans took $((SECONDS - t0)) s"
}

# Copy the report into the kernel log, one record a line.
kmemleak_report() {
	local line
	while IFS= read -r line; do
		printf 'kmemleak: %s\n' "$line" >/dev/kmsg
	done <"$KMEMLEAK"
}

# No scans but ours: leaks are looked for once everything is unloaded.
# Nothing is cleared first, so a leak from boot would be reported too:
# there was none in every run so far, and a scan and clear up front would
# cost each boot ~40 s under TCG.
kmemleak_setup() {
	[ -w "$KMEMLEAK" ] || { echo "guest: no $KMEMLEAK"; return 1; }
	echo scan=off >"$KMEMLEAK"
}

setup() {
	# Userspace lines in /dev/kmsg are rate-limited by default.
	echo on >/proc/sys/kernel/printk_devkmsg
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mark "kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s"
	kmemleak_setup
}

suite() {
	local rc t0=$SECONDS
	mark "begin suite"
	"$@"
	rc=$?
	echo "guest: suite done in $((SECONDS - t0)) s, status $rc"
	if [ -d /sys/module/mwan ]; then
		modprobe -r mwan || { echo "guest: cannot unload mwan"; rc=1; }
	fi
	[ -d /sys/module/mwan ] && { echo "guest: mwan still loaded"; rc=1; }
	kmemleak_scan || rc=1
	kmemleak_report
	mark "end suite"
	return "$rc"
}

# Load each test-only module in its own section, then scan for leaks.
lane() {
	local ko name rc=0
	for ko in "$@"; do
		name=$(basename "$ko" .ko)
		mark "begin $name"
		insmod "$ko" || { echo "guest: insmod $ko failed"; rc=1; }
		mark "end $name"
	done
	mark "begin kmemleak"
	kmemleak_scan || rc=1
	kmemleak_report
	mark "end kmemleak"
	return "$rc"
}

main() {
	local mode=${1:-}
	shift || true
	setup || exit 1
	case $mode in
	suite) suite "$@" ;;
	lane) lane "$@" ;;
	*) echo "usage: guest.sh suite RUNNER [ARGS...] | lane KO..." >&2; exit 2 ;;
	esac
}

main "$@"
