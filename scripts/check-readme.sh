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
# shellcheck source=scripts/ktap.sh
. "$TOP/scripts/ktap.sh"
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
[ "$count" -ge 3 ]
result $? "README.md shows the three setups' mwan.conf files ($count)"
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
	out=$("$AGENT" -n "$ns" --check "$conf" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	[ "$rc" = 0 ] || sed 's/^/#   /' "$conf"
	result "$rc" "README's mwan.conf $i ($what...): mwan-agent --check"
done
ktap_end README
