#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sticky balancing. In mode src every connection of one client leaves by
# the same link (12 clients, 8 connections each); in mode src-dst every
# connection between one client and one server does, so a server always
# sees one address per client, while one client's connections to several
# servers still spread. Different keys must use more than one link.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require

log=$(mktemp)
dir=$(mktemp -d)
defer rm -rf "$log" "$log.ready" "$dir"
defer stop_servers

topo_create 3
topo_links 3
clients=(10.0.0.{10..21})
addrs "$LAN" lan0 "${clients[@]/%//24}"
servers=(203.0.113.11 203.0.113.12 203.0.113.13 203.0.113.14)
addrs "$INET" srv "${servers[@]/%//32}"
inet $FLOWS serve --log "$log" --addr "${servers[@]}" &
SERVER_PIDS=$!
flows - wait-ready "$log"

# check_sticky MODE REPORTS...: every key used one link, keys used several
sticky() {
	local by=$1
	shift
	flows - keys "$log" "$@" --by "$by" | pyq \
		'"%d keys, %d on one link, links used %s" % (len(d), sum(len(v) == 1 for v in d.values()), sorted(set(l for v in d.values() for l in v)))'
	[ "$(flows - keys "$log" "$@" --by "$by" | pyq \
		'all(len(v) == 1 for v in d.values()) and len(set(l for v in d.values() for l in v)) > 1')" = True ]
}

mwanctl policy add sticky mode src member wan1 member wan2 member wan3
mwanctl globals set default-policy sticky
for k in 0 1; do
	flows "$LAN" connect --dst "${servers[k]}" --count 48 --src "${clients[@]}" \
		--sport $((20000 + 100 * k)) --tag src$k >"$dir/src$k.json"
done
check "mode src: each client's 96 connections to two servers left by one link" \
	sticky src "$dir"/src*.json

mwanctl policy set sticky mode src-dst
for k in 0 1 2 3; do
	flows "$LAN" connect --dst "${servers[k]}" --count 24 --src "${clients[@]}" \
		--sport $((30000 + 100 * k)) --tag pair$k >"$dir/pair$k.json"
done
check "mode src-dst: each client-server pair used one link" \
	sticky src-dst "$dir"/pair*.json
spread() {
	flows - keys "$log" "$dir"/pair*.json --by src | pyq \
		'sum(len(v) > 1 for v in d.values())'
}
check "mode src-dst: one client's connections to 4 servers spread over links" \
	test "$(spread)" -gt 0
exit $rc
