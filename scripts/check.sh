#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check.sh [unit | fuzz | vm [TEST...]]
#
# The test entry point of `make check` (which builds mwan.ko and the tools
# first): the userspace unit tests on the host (selftests/unit for the
# module's pure logic, user/tests for mwanctl and mwan-agent), the config
# file parser under libFuzzer for FUZZ_SECONDS (scripts/fuzz.sh, default
# 60), then the selftests in a VM (selftests/vm/run-vm.sh running
# selftests/run.sh).
# The unit tests run again built for 32-bit big-endian MIPS, under
# qemu-user (of user/'s, those that need no libmnl). Output is streamed;
# each part's results are counted from its KTAP "ok"/"not ok" lines and
# the last line totals them all: "N passed, N failed[, N skipped]". Exits
# non-zero on any failure.
#
#   unit            only the unit tests
#   fuzz            only the fuzzer
#   vm [TEST...]    only the VM selftests, all or the named ones
#   TESTS="a.sh b.sh" in the environment selects VM selftests too, e.g.
#                   make check TESTS=mwan_smoke.sh
#   VM_TIMEOUT      seconds for the whole VM run (default 3600)
set -eu -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
skipped=0

# Pass a suite's output through, counting its top-level results into
# $tmp/NAME. Its own "N passed, N failed" line is renamed, so that only the
# combined line at the end reads that way.
tally() {
	awk -v out="$tmp/$1" -v name="$1" '
		/^([^ ]+: )?[0-9]+ passed, [0-9]+ failed/ { print "# " name " said: " $0; fflush(); next }
		/^ok / { if (/# [Ss][Kk][Ii][Pp]/) s++; else p++ }
		/^not ok / { f++ }
		{ print; fflush() }
		END { print p + 0, f + 0, s + 0 > out }'
}

run_suite() {
	local name=$1 rc=0 p f s start=$SECONDS
	shift
	"$@" 2>&1 | tally "$name" || rc=$?
	read -r p f s <"$tmp/$name"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# It broke before reporting a failed test: count that.
		echo "# $name: exit status $rc with no failed test reported"
		f=1
	fi
	echo "# $name: $p ok, $f not ok, $s skipped, $((SECONDS - start)) s"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# The module's pure logic, then the tools' parsers and messages, the
# systemd unit (scripts/verify-units.sh), the README's mwan.conf files
# (scripts/check-readme.sh), make install, the Debian packages
# and DKMS (scripts/check-packages.sh, which leaves in build/pkg/ what the
# VM selftest mwan_package.sh installs), the OpenWrt package's Makefile
# and init script (scripts/verify-openwrt.sh); then
# both again (the tools' without libmnl) built for 32-bit big-endian MIPS,
# OpenWrt's common kind of target, under qemu-user. Without the top make's
# MAKEFLAGS: its command-line variables (make check TESTS=...) would
# override the sub-Makefiles' own.
unit_make() {
	run_suite "$1" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$TOP/$2" "$3"
}

unit_tests() {
	unit_make unit selftests/unit run
	unit_make user user test
	run_suite units "$TOP/scripts/verify-units.sh"
	run_suite readme "$TOP/scripts/check-readme.sh"
	run_suite packages "$TOP/scripts/check-packages.sh"
	run_suite openwrt "$TOP/scripts/verify-openwrt.sh"
	unit_make unit-mips selftests/unit run-mips
	unit_make user-mips user test-mips
}

fuzz_tests() {
	run_suite fuzz "$TOP/scripts/fuzz.sh"
}

vm_tests() {
	# shellcheck disable=SC2086 # TESTS is a list of names
	[ $# -gt 0 ] || set -- ${TESTS:-}
	# mwan_package.sh installs what check-packages.sh built, from this tree
	if { [ $# -eq 0 ] || [[ " $* " == *" mwan_package.sh "* ]]; } &&
		! "$TOP/scripts/check-packages.sh" --current; then
		run_suite packages "$TOP/scripts/check-packages.sh"
	fi
	VM_TIMEOUT=${VM_TIMEOUT:-3600} run_suite vm \
		"$TOP/selftests/vm/run-vm.sh" "$TOP/selftests/run.sh" "$@"
}

main() {
	local what=${1:-all}
	[ $# -eq 0 ] || shift
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	case $what in
	all) unit_tests; fuzz_tests; vm_tests ;;
	unit) unit_tests ;;
	fuzz) fuzz_tests ;;
	vm) vm_tests "$@" ;;
	*) echo "usage: check.sh [unit | fuzz | vm [TEST...]]" >&2; exit 2 ;;
	esac
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}

main "$@"
