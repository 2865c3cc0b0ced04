#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/verify-units.sh
#
# systemd-analyze verify of each unit in packaging/systemd/, as KTAP (part
# of the unit tests of scripts/check.sh): its syntax, its settings, that
# the programs it starts exist (the ones built here stand in for
# /usr/sbin/) and that the man pages it names are in docs/. Skipped where
# systemd-analyze is not installed.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

mkdir -p "$tmp/man/man5" "$tmp/man/man8"
cp "$TOP"/docs/*.5 "$tmp/man/man5/"
cp "$TOP"/docs/*.8 "$tmp/man/man8/"
echo "KTAP version 1"
for unit in "$TOP"/packaging/systemd/*.service; do
	name=${unit##*/}
	n=$((n + 1))
	if ! command -v systemd-analyze >/dev/null; then
		echo "ok $n $name # SKIP no systemd-analyze"
		continue
	fi
	sed -e "s|/usr/sbin/mwan-agent|$TOP/user/agent/mwan-agent|" \
	    -e "s|/usr/sbin/mwanctl|$TOP/user/mwanctl/mwanctl|" \
	    "$unit" >"$tmp/$name"
	out=$(cd "$tmp" && MANPATH=$tmp/man systemd-analyze verify "$name" 2>&1)
	if [ $? = 0 ] && [ -z "$out" ]; then
		echo "ok $n $name: systemd-analyze verify"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok $n $name: systemd-analyze verify"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
