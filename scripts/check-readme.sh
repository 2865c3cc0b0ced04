#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check-readme.sh
#
# Every mwan.conf the README shows (its ```conf blocks) is one that
# mwan-agent --check takes, as KTAP (part of the unit tests of
# scripts/check.sh): each in a scratch network namespace holding the
# devices the file names (veth, which any kernel here has), since the agent
# checks that a link's device exists. Needs root and the built agent.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
AGENT=$TOP/user/agent/mwan-agent
tmp=$(mktemp -d)
ns=mwan-readme-$$
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# conf blocks of README.md into $tmp/1.conf, 2.conf, ...; their count
awk -v dir="$tmp" '
	/^```conf$/ { n++; on = 1; next }
	/^```/ { on = 0 }
	on { print > (dir "/" n ".conf") }
	END { print n + 0 }' "$TOP/README.md" >"$tmp/count"
count=$(cat "$tmp/count")

echo "KTAP version 1"
echo "1..$((count + 1))"
if [ "$count" -ge 3 ]; then
	echo "ok 1 README.md shows $count mwan.conf files"
else
	echo "not ok 1 README.md shows the three setups' mwan.conf files (found $count)"
fi
failed=0
[ "$count" -ge 3 ] || failed=1
for ((i = 1; i <= count; i++)); do
	conf=$tmp/$i.conf
	what=$(grep -m1 '^link add' "$conf" | cut -d' ' -f3-5)
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns"
	k=0
	# shellcheck disable=SC2013 # device names are words
	for dev in $(grep -o ' dev [^ ]*' "$conf" | awk '{ print $2 }' | sort -u); do
		k=$((k + 1))
		ip -n "$ns" link add "$dev" type veth peer name "peer$k"
	done
	if out=$("$AGENT" -n "$ns" --check "$conf" 2>&1); then
		echo "# $out"
		echo "ok $((i + 1)) README's mwan.conf $i ($what...): mwan-agent --check"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		sed 's/^/#   /' "$conf"
		echo "not ok $((i + 1)) README's mwan.conf $i ($what...): mwan-agent --check"
		failed=$((failed + 1))
	fi
done
echo "# README said: $((count + 1 - failed)) passed, $failed failed"
[ "$failed" = 0 ]
