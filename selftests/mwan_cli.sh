#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwanctl as a person types it, on a router with two links, two policies
# and a rule:
#  - every command and group answers --help (and "help COMMAND") with its
#    usage and what it does, on stdout, exit 0;
#  - every read command's -j output is JSON with the keys mwanctl(8)
#    documents, no more and no fewer; metrics and import-mwan3 refuse -j;
#  - bash completion (user/mwanctl/mwanctl.bash-completion) completes
#    commands and keywords, and the names of links, policies, rules and
#    devices from the namespace of -n;
#  - bad input to every command is one error line (and the usage), exit
#    1, nothing on stdout, and the configuration's generation unchanged.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
require_module nf_conntrack_netlink
checktool "bash --version" "needs bash"
COMPLETION=$TOPO_DIR/../user/mwanctl/mwanctl.bash-completion

topo_create 2
mwanctl config replace - <<-EOF
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2 weight 3
policy add balanced member wan1 member wan2
policy add pin2 member wan2
rule add web policy pin2 proto tcp dport 443
globals set default-policy balanced
EOF
topo_server
flows "$LAN" connect --proto tcp --dst "$SERVER4" --count 4 --timeout 2 \
	--sport 30000 --tag a >/dev/null
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# the commands: the words of each usage line up to its first argument
"$MWANCTL" --help >"$tmp/usage"
awk '/mwanctl / { sub(/^.*mwanctl /, ""); w = ""
	for (i = 1; i <= NF && $i ~ /^[a-z][a-z0-9-]*$/; i++) w = w (w ? " " : "") $i
	if (w && w !~ /^(-|help$)/) print w }' "$tmp/usage" | sort -u >"$tmp/cmds"

helps() {
	local c ok=0 out
	while read -r c; do
		# shellcheck disable=SC2086 # the command's words
		out=$("$MWANCTL" $c --help) || { echo "$c --help: exit $?"; ok=1; }
		if [[ $out != "Usage: mwanctl $c"* ]] ||
			[ "$(printf '%s\n' "$out" | grep -c '^    ')" = 0 ]; then
			echo "$c --help: no usage or description"
			ok=1
		fi
		# shellcheck disable=SC2086
		[ "$("$MWANCTL" help $c)" = "$out" ] ||
			{ echo "help $c differs"; ok=1; }
	done <"$tmp/cmds"
	echo "$(wc -l <"$tmp/cmds") commands"
	return $ok
}
check "every command answers --help and help COMMAND" helps
groups_help() {
	local g
	for g in globals link policy rule config; do
		"$MWANCTL" "$g" --help | grep -q "^Usage: mwanctl $g " || return 1
	done
}
check "every group lists its commands on --help" groups_help
check "--help after arguments too" eval \
	'"$MWANCTL" flows --link x --help | grep -q "^Usage: mwanctl flows "'

# keys KIND: the documented keys of a JSON object, sorted
keys() {
	case $1 in
	link) echo dev health id ifindex loss_ppm map4 mark name npt rtt_us state state_secs stats weight ;;
	policy) echo id last_resort members mode name stats ;;
	member) echo link link_id metric weight weight_inherited ;;
	rule) echo cgroup cgroup_id cgroup_level dport dst family id iif iifindex local mark mark_mask name no_forward policy policy_id proto sport src ;;
	globals) echo default_policy default_policy_id enabled generation mark_mask ;;
	status) echo interval links policies policy rules ;;
	status_link) echo checks connections dev held id loss_ppm name new_flows_per_s rtt_us rx_bps share share_wanted state state_secs tier tx_bps weight ;;
	status_policy) echo active_metric id last_resort members mode name new_flows_per_s refused_per_s ;;
	status_member) echo active link metric share_wanted weight ;;
	flow) echo assured dnat dnat_port dport dst family link link_id mark proto replied snat snat_port sport src state timeout ;;
	summary) echo links unmarked ;;
	summary_link) echo connections ipv4 ipv6 link link_id other tcp udp ;;
	flush) echo flushed link ;;
	show) echo globals links policies rules ;;
	esac
}
# has_keys PYTHON-EXPR KIND: the object(s) the expression gives over the
# JSON on stdin, d, have KIND's keys exactly
has_keys() {
	local got
	got=$(pyq "sorted(set().union(*[o.keys() for o in (lambda x: x if isinstance(x, list) else [x])($1)]))") ||
		return 1
	got=$(tr -d "[]',\"" <<<"$got")
	[ "$got" = "$(keys "$2")" ] && return
	echo "$2: $got"
	echo "$2, documented: $(keys "$2")"
	return 1
}
json_keys() {
	local ok=0 j
	j=$(mwanctl -j show)
	has_keys d show <<<"$j" || ok=1
	has_keys "d['links']" link <<<"$j" || ok=1
	has_keys "d['policies']" policy <<<"$j" || ok=1
	has_keys "d['policies'][0]['members']" member <<<"$j" || ok=1
	has_keys "d['rules']" rule <<<"$j" || ok=1
	has_keys "d['globals']" globals <<<"$j" || ok=1
	has_keys d globals <<<"$(mwanctl -j globals)" || ok=1
	has_keys d globals <<<"$(mwanctl -j globals show)" || ok=1
	has_keys d link <<<"$(mwanctl -j link show)" || ok=1
	has_keys d link <<<"$(mwanctl -j link show wan2)" || ok=1
	has_keys d policy <<<"$(mwanctl -j policy show)" || ok=1
	has_keys d rule <<<"$(mwanctl -j rule show web)" || ok=1
	j=$(mwanctl -j status -i 0.2)
	has_keys d status <<<"$j" || ok=1
	has_keys "d['links']" status_link <<<"$j" || ok=1
	has_keys "d['policies']" status_policy <<<"$j" || ok=1
	has_keys "d['policies'][0]['members']" status_member <<<"$j" || ok=1
	has_keys "d['rules']" rule <<<"$j" || ok=1
	has_keys d flow <<<"$(mwanctl -j flows)" || ok=1
	j=$(mwanctl -j flows -s)
	has_keys d summary <<<"$j" || ok=1
	has_keys "d['links']" summary_link <<<"$j" || ok=1
	has_keys d flush <<<"$(mwanctl -j link flush wan1)" || ok=1
	return $ok
}
check "every read command's JSON has the documented keys" json_keys

monitor_json() {
	mwanctl -j monitor >"$tmp/mon" &
	local pid=$!
	sleep 0.5
	mwanctl link set wan2 weight 4
	slowwait 10 grep -q . "$tmp/mon"
	kill "$pid"
	pyq "d['event'] + ' ' + d['object'] + ' ' + d['link']['name']" \
		<"$tmp/mon" | grep -qx "set link wan2"
}
check "monitor -j: one JSON object per event" monitor_json
refuses_json() { # refuses_json MESSAGE ARGS...
	local msg=$1
	shift
	! mwanctl -j "$@" >/dev/null 2>"$tmp/err" && grep -qF "$msg" "$tmp/err"
}
check "metrics -j: refused, saying why" refuses_json "Prometheus text" metrics
check "import-mwan3 -j: refused" refuses_json "no JSON form" import-mwan3 /dev/null

# complete WORDS...: what bash completion offers after WORDS (the last
# word being completed, "" for a new one), sorted, one line
complete_words() {
	bash -c '
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_mwanctl
		printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' sh "$COMPLETION" \
		"$MWANCTL" "$@"
}
offers() { # offers "WANT" WORDS...
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] && return
	echo "after \"$*\": \"$got\", not \"$want\""
	return 1
}
check "completion: commands" offers "link" li
check "completion: link names of -n's namespace" \
	offers "wan1 wan2" -n "$RTR" link set ""
check "completion: policy names after flows --policy" \
	offers "balanced pin2" -n "$RTR" flows --policy ""
check "completion: rule names" offers "web" -n "$RTR" rule del ""
check "completion: exec takes a link, then --" \
	eval 'offers "wan1 wan2" -n "$RTR" exec "" && offers "--" -n "$RTR" exec wan1 ""'
check "completion: members are links" \
	offers "wan1 wan2" -n "$RTR" policy add p member ""
check "completion: a rule's policy" \
	offers "balanced pin2" -n "$RTR" rule add r policy ""
# the kernel may add devices of its own (sit0): those ip lists
devs=$(ip -n "$RTR" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
	sort | xargs)
check "completion: devices of the namespace ($devs)" eval \
	'[[ " $devs " == *" lan0 "*" wan1 wan2 "* ]] &&
	 offers "$devs" -n "$RTR" link add x dev ""'
check "completion: keywords not given yet, no id for set" \
	offers "dev loss map4 npt rtt state" -n "$RTR" link set wan1 weight 2 ""
check "completion: states" offers "down drain up" -n "$RTR" link set wan1 state ""
check "completion: no names where the kernel has none" \
	offers "" -n nosuchns link del ""

# bad input: exit 1, an error line (then usage) on stderr, nothing on
# stdout, and no change
generation() { mwanctl -j globals | pyq "d['generation']"; }
gen=$(generation)
bad_inputs() {
	local ok=0 line out err
	while IFS= read -r line; do
		eval "set -- $line"
		out=$(mwanctl "$@" 2>"$tmp/err")
		err=$?
		if [ "$err" != 1 ] || [ -n "$out" ] ||
			! head -1 "$tmp/err" | grep -q '^\(mwanctl: \|Error: \)'; then
			echo "mwanctl $line: exit $err, stdout \"$out\", stderr: $(cat "$tmp/err")"
			ok=1
		fi
	done <<-'EOF'
	link add wan3 dev nosuchdev
	link add wan1 dev wan1
	link set nosuch weight 2
	link set wan1 weight 0
	link set wan1 state sideways
	link del wan1
	link flush nosuch
	link show nosuch
	link add
	policy add p2 member nosuch
	policy set balanced mode roundrobin
	policy del balanced
	policy show nosuch
	rule add r2 policy nosuch
	rule add r2 policy pin2 dport 80
	rule set web sport 99999 proto tcp
	rule del nosuch
	globals set mark-mask 0x5
	globals set default-policy nosuch
	globals set
	config replace /nonexistent
	status -i -1
	status now
	flows --link nosuch
	flows -x
	metrics now
	monitor now
	import-mwan3 /nonexistent
	import-mwan3
	help nosuch
	bogus
	EOF
	return $ok
}
check "bad input to every command: one error, exit 1, nothing out" bad_inputs
check "and nothing changed: generation $gen" test "$(generation)" = "$gen"

# -b: the lines run in turn until one fails, which is named by file and
# line (the kernel's refusals too); the rest does not run
batch_stops() {
	local out err
	out=$(printf '%s\n' "link set wan1 weight 4" "# a comment" "" \
		"link set wan9 weight 2" "link set wan1 weight 5" |
		mwanctl -b - 2>"$tmp/err")
	err=$?
	[ "$err" = 1 ] && [ -z "$out" ] &&
		grep -qx 'mwanctl: <stdin>:4: unknown link "wan9"' "$tmp/err" &&
		[ "$(mwanctl -j link show wan1 | pyq 'd[0]["weight"]')" = 4 ] &&
		! printf 'link set wan1 weight 1\nlink add wan3 dev wan2 id 1\n' |
			mwanctl -b - 2>"$tmp/err" &&
		grep -q '^Error: <stdin>:2: ' "$tmp/err"
}
check "mwanctl -b runs the lines up to a bad one, which it names" batch_stops
check "mwanctl -j -b answers each line with a line of JSON" \
	test "$(printf 'link show wan1\nglobals\n' | mwanctl -j -b - | wc -l)" = 2
exit $rc
