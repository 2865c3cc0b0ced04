#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The festival seed's mwan3 and network files, converted by mwanctl
# import-mwan3, make a file that mwan-agent --check takes, in a network
# namespace of its own that has the seed's devices (wg1..wg3; veths here:
# --check only looks their names up, and this kernel may have no
# WireGuard). Without them the same file is refused, naming the device.
# Needs root for unshare -n; skipped otherwise. Run from user/.
set -u
# shellcheck source=scripts/ktap.sh
. "$(dirname "$0")/../../scripts/ktap.sh"


echo "KTAP version 1"
if ! unshare -n true 2>/dev/null; then
	echo "ok 1 import-mwan3 and mwan-agent --check # SKIP needs root (unshare -n)"
	echo "1..1"
	exit 0
fi

conf=$(mktemp)
trap 'rm -f "$conf" "$conf.err"' EXIT
./mwanctl/mwanctl import-mwan3 tests/mwan3/festival/mwan3 >"$conf" 2>"$conf.err"
result $? "import-mwan3 converts the festival's mwan3 file"
grep -q '^link add wg1wan dev wg1 id 1$' "$conf"
result $? "the devices come from the network file beside it"

# shellcheck disable=SC2016 # expanded in the namespace's shell
out=$(unshare -n sh -c 'for i in 1 2 3; do
		ip link add wg$i type veth peer name wg${i}p || exit 1
	done
	exec ./agent/mwan-agent --check "$1"' sh "$conf" 2>&1)
rc=$?
echo "# $out"
[ $rc = 0 ] && [[ $out == *": ok, 3 links, 3 policies, 4 rules, 3 checks, routing on" ]]
result $? "mwan-agent --check takes the result where wg1..wg3 exist"

out=$(unshare -n ./agent/mwan-agent --check "$conf" 2>&1)
rc=$?
echo "# $out"
[ $rc != 0 ] && [[ $out == *"$conf:"*': unknown device "wg1"'* ]]
result $? "and refuses it where they do not, naming the device"

ktap_end test_import_agent
