#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration API refuses bad input with a useful message, and a
# refused request changes nothing: after every refusal the running config,
# its generation number included and its counters left out, is exactly
# what it was before. It is read as the kernel reports it (GET and dumps
# through nlraw.py, without starting a program per case) or, where other
# namespaces are concerned, as `mwanctl -j show` prints it. Requests
# mwanctl would never send go through nlraw.py, which sends exactly the
# attributes it is given; its answer also names the attribute the kernel
# blamed, and that is checked too.
#
#   links     weight 0 and 1001, state 7, health 3, loss over 1000000 ppm,
#             an id that does not fit in the mark mask (and fits after the
#             mask grew; the mask then cannot shrink below it), duplicate id
#             or name
#   names     empty, 16 bytes and more, with a space or a '/'
#   policies  a member link that does not exist, a link twice, 9 tiers
#   rules     a policy that does not exist, ports without a port protocol,
#             an inverted port range, a mark with bits outside its mask, a
#             5-byte address, a /33 IPv4 prefix, unknown flag bits
#   strict    unknown attribute types, wrong attribute lengths, read-only
#             attributes, a nest without NLA_F_NESTED, trailing bytes
#   deletes   a link a policy uses, a policy a rule or the default uses
#   globals   a non-contiguous and a 9-bit mark mask
#   replace   one bad object in the middle changes nothing and the error
#             names it; a good replace replaces everything (generation + 1)
#   access    an unprivileged user can read but not change (EPERM); a user
#             namespace cannot change a namespace it does not own, but
#             configures its own network namespace
#   netns     two namespaces have independent configs and events
#   events    mwanctl monitor prints a line per change, none for a refusal
#   largest   config replace of the largest configuration the kernel takes
#             (255 links, 64 policies of 64 members, 1024 rules with every
#             match; mwanctl splits each list over several attributes of
#             at most 64 KiB), every object shown back as written; and a
#             refused rule far down is blamed on its line
#
#   $RTR  dummies wan1 wan2 wan3 and d1..d255, the config under test
#   $NS2  another namespace with a config of its own

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
source "$(dirname "$0")/nlraw.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
rc=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; rc=1; }
# shellcheck disable=SC2317 # called by defer
stop() { { kill "$1" && wait "$1"; } 2>/dev/null; }

checktool "ip -Version" "needs iproute2"
checktool "test -x /usr/bin/python3" "needs /usr/bin/python3"
checktool "setpriv --version" "needs setpriv (util-linux)"
checktool "unshare --version" "needs unshare (util-linux)"
checktool "$MWANCTL --version" "needs mwanctl (make user)"
require_module mwan

TMP=$(mktemp -d)
defer rm -rf "$TMP"

# The config of a namespace ("-": this one) as mwanctl shows it, without
# the counters, which traffic may change, and the age of link states; the
# generation stays in.
snap_of() {
	if [ "$1" = - ]; then
		"$MWANCTL" -j show
	else
		"$MWANCTL" -n "$1" -j show
	fi | sed -E 's/"stats":(\{[^}]*\}|null)//g; s/"state_secs":[0-9]+//g'
}

# The config refusals are checked against: $RTR's as the kernel reports it,
# or that of $SNAP_NS as mwanctl shows it.
SNAP_NS=
snap() {
	if [ -n "$SNAP_NS" ]; then
		SNAP=$(snap_of "$SNAP_NS")
	else
		snap_raw
	fi
}
gen_of() { grep -oE '"generation":[0-9]+|"GENERATION", [0-9]+' <<<"$1" | grep -oE '[0-9]+$'; }

# refused DESC REGEX CMD...: CMD must fail with a message matching REGEX
# (extended, any case) and leave the config (see snap) as it was,
# generation included.
refused() {
	local desc=$1 word=$2 before after out status
	shift 2
	snap
	before=$SNAP
	out=$("$@" 2>&1)
	status=$?
	snap
	after=$SNAP
	out=${out//$'\n'/ | }
	if [ -z "$before" ] || [ -z "$after" ]; then
		fail "$desc: cannot read the config with mwanctl -j show"
	elif [ "$status" -eq 0 ]; then
		fail "$desc: accepted (exit 0): $out"
	elif [ -z "$out" ]; then
		fail "$desc: refused (exit $status) without a message"
	elif ! matches "$out" "$word"; then
		fail "$desc: message does not match '$word': $out"
	elif [ "$before" != "$after" ]; then
		fail "$desc: refused, but the config changed (generation $(gen_of "$before") -> $(gen_of "$after"))"
	else
		pass "$desc: $out"
	fi
}

# matches TEXT REGEX: TEXT matches the extended REGEX, in any case
matches() {
	local status
	shopt -s nocasematch
	[[ $1 =~ $2 ]]
	status=$?
	shopt -u nocasematch
	return $status
}

# accepted DESC CMD...: CMD must succeed.
accepted() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc: ${out//$'\n'/ | }"
	fi
}

# has DESC REGEX [NS]: what mwanctl shows of NS matches REGEX (extended).
has() {
	local cfg
	cfg=$(snap_of "${3:-$RTR}")
	if [[ $cfg =~ $2 ]]; then
		pass "$1"
	else
		fail "$1: no match for '$2' in: $cfg"
	fi
}

# hasnt DESC REGEX [NS]: what mwanctl shows of NS does not match REGEX.
hasnt() {
	local cfg
	cfg=$(snap_of "${3:-$RTR}")
	if [[ $cfg =~ $2 ]]; then
		fail "$1: '$2' found in: $cfg"
	else
		pass "$1"
	fi
}

setup() {
	setup_ns RTR NS2 || exit $?
	# a device per link: wan1..3, and d1..d255 for the many-link tests
	printf 'link add %s type dummy\n' wan1 wan2 wan3 $(seq -f 'd%g' 255) |
		ip -n "$RTR" -batch - || exit 1
	D2=$(ip -n "$RTR" -o link show d2 | cut -d: -f1)
	ip -n "$NS2" link add d1 type dummy || exit 1
	nlraw_start "$RTR"
	cat >"$TMP/initial.conf" <<-EOF
	link add wan1 dev wan1 id 1 weight 2
	link add wan2 dev wan2 id 2
	policy add bal id 1 member wan1 member wan2 metric 10
	policy add only1 id 2 member wan1
	policy add spare id 3
	rule add web id 10 policy only1 proto tcp dport 80
	globals set default-policy bal
	EOF
	if ! mwanctl config replace "$TMP/initial.conf"; then
		echo "FAIL: cannot set up the initial config"
		exit 1
	fi
	if [ "$(nlraw GLOBALS_GET)" != ok ]; then
		echo "FAIL: nlraw.py does not work: $(nlraw GLOBALS_GET)"
		exit 1
	fi
}

# A request with the attributes of one link; $1: more of them.
L() { echo '[["LINK",[["NAME","str","x1"],["IFINDEX","u32",1]'"${1:+,$1}"']]]'; }
# LINK_SET of link 1.
L1() { echo '[["LINK",[["ID","u32",1],'"$1"']]]'; }
# A new rule r9 with policy 1; $1: its other attributes.
R() { echo '[["RULE",[["NAME","str","r9"],["POLICY","u32",1]'"${1:+,$1}"']]]'; }

test_links() {
	refused "link weight 0" 'range.*LINK/WEIGHT' \
		nlraw LINK_NEW "$(L '["WEIGHT","u32",0]')"
	refused "link weight 1001" 'range.*LINK/WEIGHT' \
		nlraw LINK_NEW "$(L '["WEIGHT","u32",1001]')"
	refused "link weight 0 on an existing link" 'range.*LINK/WEIGHT' \
		nlraw LINK_SET "$(L1 '["WEIGHT","u32",0]')"
	accepted "link weight 1000 (the maximum)" \
		nlraw LINK_SET "$(L1 '["WEIGHT","u32",1000]')"
	accepted "link weight back to 2" mwanctl link set wan1 weight 2
	refused "link state 7" 'range.*LINK/STATE' \
		nlraw LINK_SET "$(L1 '["STATE","u8",7]')"
	refused "link loss 1000001 ppm" 'range.*LINK/LOSS_PPM' \
		nlraw LINK_SET "$(L1 '["LOSS_PPM","u32",1000001]')"
	accepted "link loss 1000000 ppm (the maximum)" \
		mwanctl link set wan1 loss 1000000
	accepted "link loss back to 0" mwanctl link set wan1 loss 0
	refused "link health 3" 'range.*LINK/HEALTH' \
		nlraw LINK_SET "$(L1 '["HEALTH","u8",3]')"
	accepted "link health down (an agent's checks)" \
		nlraw LINK_SET "$(L1 '["HEALTH","u8",2]')"
	accepted "show: the checks' verdict beside the state" \
		sh -c "$MWANCTL -n $RTR link show wan1 | grep -q ' state up checks down '"
	accepted "link health back to unknown" \
		nlraw LINK_SET "$(L1 '["HEALTH","u8",0]')"
	accepted "show: no checks, no verdict" \
		sh -c "! $MWANCTL -n $RTR link show wan1 | grep -q ' checks '"
	refused "link id 0" 'range.*LINK/ID' \
		nlraw LINK_NEW "$(L '["ID","u32",0]')"

	refused "link id 64 with the default mark mask 0x3f00" 'fit|mask' \
		mwanctl link add x64 dev wan3 id 64
	accepted "mark mask 0xff00" mwanctl globals set mark-mask 0xff00
	accepted "link id 64 with mark mask 0xff00" \
		mwanctl link add x64 dev wan3 id 64
	has "link id 64 has mark 0x4000" '"name":"x64","id":64,[^}]*"mark":16384'
	refused "shrinking the mark mask to 0x3f00 under link id 64" 'fit|mask' \
		mwanctl globals set mark-mask 0x3f00
	accepted "deleting link id 64" mwanctl link del x64
	accepted "mark mask back to 0x3f00" mwanctl globals set mark-mask 0x3f00

	refused "duplicate link id" 'in use|exists' \
		mwanctl link add x2 dev wan3 id 2
	refused "duplicate link name" 'in use|exists' \
		mwanctl link add wan2 dev wan3
	refused "duplicate link name (kernel message)" 'in use.*LINK/NAME' \
		nlraw LINK_NEW '[["LINK",[["NAME","str","wan2"],["IFINDEX","u32",1]]]]'
	refused "renaming a link to a name in use" 'in use.*LINK/NAME' \
		nlraw LINK_SET "$(L1 '["NAME","str","wan2"]')"
	refused "duplicate policy name" 'in use|exists' mwanctl policy add bal
	refused "duplicate rule id" 'in use|exists' \
		mwanctl rule add web2 id 10 policy bal
	refused "a link without a device" 'device|ifindex' \
		nlraw LINK_NEW '[["LINK",[["NAME","str","x1"]]]]'
	refused "a link set naming no link" 'id or a name' \
		nlraw LINK_SET '[["LINK",[["WEIGHT","u32",3]]]]'
}

test_names() {
	local n
	refused "empty link name" 'empty.*LINK/NAME' \
		nlraw LINK_NEW '[["LINK",[["NAME","str",""],["IFINDEX","u32",1]]]]'
	for n in abcdefghijklmnop abcdefghijklmnopqrstuvwxyz0123456789; do
		refused "link name of ${#n} bytes" '(validation|long).*LINK/NAME' \
			nlraw LINK_NEW '[["LINK",[["NAME","str","'$n'"],["IFINDEX","u32",1]]]]'
	done
	refused "link name of 16 bytes (mwanctl)" 'long' \
		mwanctl link add abcdefghijklmnop dev wan3
	refused "link name with a space" 'letters.*LINK/NAME' \
		nlraw LINK_NEW '[["LINK",[["NAME","str","a b"],["IFINDEX","u32",1]]]]'
	refused "link name with a '/'" 'letters.*LINK/NAME' \
		nlraw LINK_NEW '[["LINK",[["NAME","str","a/b"],["IFINDEX","u32",1]]]]'
	refused "link name without its NUL" 'validation.*LINK/NAME' \
		nlraw LINK_NEW '[["LINK",[["NAME","bin","6162"],["IFINDEX","u32",1]]]]'
	refused "policy name with a '/'" 'letters.*POLICY/NAME' \
		nlraw POLICY_NEW '[["POLICY",[["NAME","str","p/1"]]]]'
	refused "rule name with a space" 'letters.*RULE/NAME' \
		nlraw RULE_NEW '[["RULE",[["NAME","str","r 1"],["POLICY","u32",1]]]]'
	refused "a second link on a link's device" 'device of its own' \
		mwanctl link add x1 dev wan1
	refused "moving a link onto another link's device" 'device of its own' \
		mwanctl link set wan2 dev wan1
	accepted "link name of 15 bytes" mwanctl link add abcdefghijklmno dev wan3
	accepted "deleting it" mwanctl link del abcdefghijklmno
}

test_policies() {
	local i args=()
	refused "policy member naming a missing link" 'not exist.*MEMBER/LINK' \
		nlraw POLICY_NEW '[["POLICY",[["NAME","str","p9"],["MEMBERS",[["MEMBER",[["LINK","u32",9]]]]]]]]'
	refused "policy set with a missing link keeps the members" \
		'not exist.*MEMBER#2/LINK' \
		nlraw POLICY_SET '[["POLICY",[["NAME","str","bal"],["MEMBERS",[["MEMBER",[["LINK","u32",1]]],["MEMBER",[["LINK","u32",9]]]]]]]]'
	refused "the same link twice in a policy" 'twice.*MEMBER#2/LINK' \
		nlraw POLICY_NEW '[["POLICY",[["NAME","str","p9"],["MEMBERS",[["MEMBER",[["LINK","u32",1]]],["MEMBER",[["LINK","u32",1],["METRIC","u32",5]]]]]]]]'
	refused "policy member without a link" 'needs a link' \
		nlraw POLICY_NEW '[["POLICY",[["NAME","str","p9"],["MEMBERS",[["MEMBER",[["METRIC","u32",5]]]]]]]]'
	refused "policy mode 3" 'range.*POLICY/MODE' \
		nlraw POLICY_SET '[["POLICY",[["ID","u32",1],["MODE","u8",3]]]]'

	# nine links, to make nine tiers of one member each
	for i in 3 4 5 6 7 8 9; do
		mwanctl link add "m$i" dev "d$i" id "1$i" || fail "adding link m$i"
	done
	args=(member wan1 metric 1 member wan2 metric 2)
	for i in 3 4 5 6 7 8; do
		args+=(member "m$i" metric "$i")
	done
	accepted "policy with 8 distinct metrics (the maximum)" \
		mwanctl policy add tiers8 "${args[@]}"
	refused "policy with 9 distinct metrics" 'tiers|metric' \
		mwanctl policy add tiers9 "${args[@]}" member m9 metric 9
	refused "9 distinct metrics by policy set" 'tiers|metric' \
		mwanctl policy set tiers8 "${args[@]}" member m9 metric 9
	accepted "deleting the 8-tier policy" mwanctl policy del tiers8
	for i in 3 4 5 6 7 8 9; do
		mwanctl link del "m$i" || fail "deleting link m$i"
	done
}

test_rules() {
	refused "rule whose policy does not exist" 'not exist.*RULE/POLICY' \
		nlraw RULE_NEW '[["RULE",[["NAME","str","r9"],["POLICY","u32",9]]]]'
	refused "rule without a policy" 'needs a policy' \
		nlraw RULE_NEW '[["RULE",[["NAME","str","r9"]]]]'
	refused "ports without a protocol" 'protocol.*RULE/DPORT' \
		nlraw RULE_NEW "$(R '["DPORT_MIN","u16",80],["DPORT_MAX","u16",80]')"
	refused "ports with protocol icmp" 'protocol.*RULE/SPORT' \
		nlraw RULE_NEW "$(R '["PROTO","u8",1],["SPORT_MIN","u16",80]')"
	refused "inverted port range" 'inverted.*RULE/DPORT_MIN' \
		nlraw RULE_NEW "$(R '["PROTO","u8",6],["DPORT_MIN","u16",90],["DPORT_MAX","u16",80]')"
	refused "inverted port range by rule set keeps the rule" 'inverted' \
		nlraw RULE_SET '[["RULE",[["ID","u32",10],["PROTO","u8",17],["SPORT_MIN","u16",9000],["SPORT_MAX","u16",1000]]]]'
	refused "mark with bits outside its mask" 'outside.*RULE/MARK' \
		nlraw RULE_NEW "$(R '["MARK","u32","0x101"],["MARK_MASK","u32","0xff"]')"
	refused "mark mask without a mark" 'without a mark' \
		nlraw RULE_NEW "$(R '["MARK_MASK","u32","0xff"]')"
	refused "address of 5 bytes" '4 or 16.*RULE/SRC' \
		nlraw RULE_NEW "$(R '["SRC","bin","0a00000100"]')"
	refused "address of 17 bytes" '(validation|long).*RULE/DST' \
		nlraw RULE_NEW "$(R '["DST","bin","2001db8000000000000000000000000001"]')"
	refused "IPv4 prefix length 33" 'longer.*RULE/SRC_LEN' \
		nlraw RULE_NEW "$(R '["SRC","bin","0a000000"],["SRC_LEN","u8",33]')"
	refused "prefix length without an address" 'without an address' \
		nlraw RULE_NEW "$(R '["DST_LEN","u8",8]')"
	refused "IPv6 address in an AF_INET rule" 'family' \
		nlraw RULE_NEW "$(R '["FAMILY","u8",2],["DST","bin","20010db8000000000000000000000001"]')"
	refused "family 7" 'family.*RULE/FAMILY' \
		nlraw RULE_NEW "$(R '["FAMILY","u8",7]')"
	refused "unknown rule flag bit 0x4" 'bit.*RULE/FLAGS' \
		nlraw RULE_NEW "$(R '["FLAGS","u32",4]')"
	refused "unknown rule flag bit 0x80000000" 'bit.*RULE/FLAGS' \
		nlraw RULE_NEW "$(R '["FLAGS","u32","0x80000000"]')"
	refused "no-forward without local" 'matches nothing' \
		nlraw RULE_NEW "$(R '["FLAGS","u32","MWAN_RULE_F_NO_FORWARD"]')"
	refused "a local rule of both families" 'IPv4 only.*RULE/FLAGS' \
		nlraw RULE_NEW "$(R '["FLAGS","u32","MWAN_RULE_F_LOCAL"]')"
	refused "a local IPv6 rule" 'IPv4 only' \
		mwanctl rule add r9 policy bal dst 2001:db8::/32 local
	accepted "a local IPv4 rule" \
		mwanctl rule add r9 policy bal family ipv4 local
	mwanctl rule del r9
}

# A cgroup match: an id and a level together; it makes the rule local,
# no-forward and IPv4.
CG='["CGROUP_ID","u64",5],["CGROUP_LEVEL","u16",1]'
test_cgroup() {
	local out
	# a kernel without sockets' cgroups (the debug lane's tinyconfig)
	# refuses every cgroup rule, with this one message
	if ! out=$(nlraw RULE_NEW "$(R "$CG")") &&
	   [[ $out == *CONFIG_SOCK_CGROUP_DATA*RULE/CGROUP_ID* ]]; then
		pass "cgroup rules refused, the kernel keeps no cgroup in sockets: $out"
		return
	fi
	[[ $out == ok* ]] && mwanctl rule del r9
	refused "cgroup id without a level" 'together.*RULE/CGROUP_ID' \
		nlraw RULE_NEW "$(R '["CGROUP_ID","u64",5]')"
	refused "cgroup level without an id" 'together.*RULE/CGROUP_LEVEL' \
		nlraw RULE_NEW "$(R '["CGROUP_LEVEL","u16",1]')"
	refused "cgroup id 0" 'range.*RULE/CGROUP_ID' \
		nlraw RULE_NEW "$(R '["CGROUP_ID","u64",0],["CGROUP_LEVEL","u16",1]')"
	refused "cgroup id of 4 bytes" 'RULE/CGROUP_ID' \
		nlraw RULE_NEW "$(R '["CGROUP_ID","u32",5],["CGROUP_LEVEL","u16",1]')"
	refused "cgroup level of 4 bytes" 'RULE/CGROUP_LEVEL' \
		nlraw RULE_NEW "$(R '["CGROUP_ID","u64",5],["CGROUP_LEVEL","u32",1]')"
	refused "an IPv6 cgroup rule" 'IPv4 only.*RULE/FAMILY' \
		nlraw RULE_NEW "$(R '["FAMILY","u8",10],'"$CG")"
	refused "a cgroup rule with an input device" 'forwarded.*RULE/IIFINDEX' \
		nlraw RULE_NEW "$(R '["IIFINDEX","u32",1],'"$CG")"
	accepted "a cgroup rule" nlraw RULE_NEW "$(R "$CG")"
	has "a cgroup rule is IPv4, local and no-forward" \
		'"name":"r9",[^}]*"family":"ipv4",[^}]*"cgroup_id":5,"cgroup_level":1,"local":true,"no_forward":true'
	refused "rule set of a cgroup rule to IPv6" 'IPv4 only' \
		nlraw RULE_SET '[["RULE",[["NAME","str","r9"],["FAMILY","u8",10],'"$CG"']]]'
	mwanctl rule del r9
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		accepted "a cgroup rule by mwanctl, of the root cgroup" \
			mwanctl rule add r9 policy bal cgroup /sys/fs/cgroup
		has "mwanctl shows the root cgroup's path, level 0" \
			'"name":"r9",[^}]*"cgroup":"/sys/fs/cgroup","cgroup_id":[0-9]+,"cgroup_level":0,'
		mwanctl rule del r9
	fi
}

test_strict() {
	refused "unknown top-level attribute type" 'unknown attribute' \
		nlraw LINK_SET '[[99,"u32",1]]'
	refused "unknown attribute type in a link" 'unknown attribute.*LINK/30' \
		nlraw LINK_SET "$(L1 '[30,"u32",1]')"
	refused "unknown attribute type in a policy member" \
		'unknown attribute.*MEMBER/9' \
		nlraw POLICY_SET '[["POLICY",[["ID","u32",1],["MEMBERS",[["MEMBER",[["LINK","u32",1],[9,"u32",1]]]]]]]]'
	refused "weight as u16" 'length.*LINK/WEIGHT' \
		nlraw LINK_SET "$(L1 '["WEIGHT","u16",5]')"
	refused "weight as u64" 'length.*LINK/WEIGHT' \
		nlraw LINK_SET "$(L1 '["WEIGHT","u64",5]')"
	refused "mark mask as u8" 'length.*MARK_MASK' \
		nlraw GLOBALS_SET '[["MARK_MASK","u8",255]]'
	refused "read-only link mark" 'unsupported.*LINK/MARK' \
		nlraw LINK_SET "$(L1 '["MARK","u32","0x100"]')"
	refused "read-only generation" 'unsupported.*GENERATION' \
		nlraw GLOBALS_SET '[["GENERATION","u32",1]]'
	refused "a policy in a link request" 'unsupported' \
		nlraw LINK_NEW '[["POLICY",[["NAME","str","p9"]]]]'
	refused "a link nest without NLA_F_NESTED" 'nested' \
		nlraw LINK_SET '[["LINK","bare-nest",[["ID","u32",1],["WEIGHT","u32",3]]]]'
	refused "trailing bytes after the attributes" 'leftover' \
		nlraw LINK_SET "$(L1 '["WEIGHT","u32",3],["x","raw","0800"]')"
	refused "a link request without a link" 'missing attribute LINK' \
		nlraw LINK_SET
}

test_deletes() {
	refused "deleting a link a policy uses" 'member|policy' \
		mwanctl link del wan1
	refused "deleting a policy a rule uses" 'used|rule' \
		mwanctl policy del only1
	refused "deleting the default policy" 'used|default' \
		mwanctl policy del bal
	refused "deleting a link that does not exist" 'unknown|no link' \
		mwanctl link del nope
	accepted "deleting an unused policy" mwanctl policy del spare
}

test_masks() {
	refused "non-contiguous mark mask 0xf0f0" 'contiguous.*MARK_MASK' \
		nlraw GLOBALS_SET '[["MARK_MASK","u32","0xf0f0"]]'
	refused "9-bit mark mask 0x1ff00" '8 contiguous bits.*MARK_MASK' \
		nlraw GLOBALS_SET '[["MARK_MASK","u32","0x1ff00"]]'
	refused "mark mask 0" 'contiguous.*MARK_MASK' \
		nlraw GLOBALS_SET '[["MARK_MASK","u32",0]]'
	refused "non-contiguous mark mask (mwanctl)" 'contiguous' \
		mwanctl globals set mark-mask 0xf0f0
	refused "enabled 2" 'range.*ENABLED' \
		nlraw GLOBALS_SET '[["ENABLED","u8",2]]'
	refused "default policy that does not exist" 'not exist' \
		nlraw GLOBALS_SET '[["DEFAULT_POLICY","u32",77]]'
}

# A replace: mask 0xff00, links a1 (id 5) and a3 (7), policy q1 (7) over
# a1, rules z1 (1) and z3 (3), default policy q1. $1, $2, $3: objects to
# put in the middle: between a1 and a3, after q1, between z1 and z3.
replace_attrs() {
	local a
	a='[["MARK_MASK","u32","0xff00"],["DEFAULT_POLICY","u32",7],
	["LINKS",[["LINK",[["ID","u32",5],["NAME","str","a1"],["IFINDEX","u32",1]]]'"${1:+,$1}"',
	          ["LINK",[["ID","u32",7],["NAME","str","a3"],["IFINDEX","u32",'"$D2"']]]]],
	["POLICIES",[["POLICY",[["ID","u32",7],["NAME","str","q1"],["MEMBERS",[["MEMBER",[["LINK","u32",5]]]]]]]'"${2:+,$2}"']],
	["RULES",[["RULE",[["ID","u32",1],["NAME","str","z1"],["POLICY","u32",7]]]'"${3:+,$3}"',
	          ["RULE",[["ID","u32",3],["NAME","str","z3"],["POLICY","u32",7],["PROTO","u8",17]]]]]]'
	a=${a//$'\n'/}
	echo "${a//$'\t'/}"
}

test_replace() {
	local before after g line file i kind
	refused "replace with a bad link name in the middle" \
		'letters.*LINKS/LINK#2/NAME' \
		nlraw CONFIG_REPLACE "$(replace_attrs '["LINK",[["ID","u32",6],["NAME","str","a 2"],["IFINDEX","u32",1]]]')"
	refused "replace with weight 0 in the middle" \
		'range.*LINKS/LINK#2/WEIGHT' \
		nlraw CONFIG_REPLACE "$(replace_attrs '["LINK",[["ID","u32",6],["NAME","str","a2"],["IFINDEX","u32",1],["WEIGHT","u32",0]]]')"
	refused "replace with a duplicate link id" 'in use.*LINKS/LINK#2/ID' \
		nlraw CONFIG_REPLACE "$(replace_attrs '["LINK",[["ID","u32",5],["NAME","str","a2"],["IFINDEX","u32",1]]]')"
	refused "replace with a link without an id" 'need an id.*LINKS/LINK#2' \
		nlraw CONFIG_REPLACE "$(replace_attrs '["LINK",[["NAME","str","a2"],["IFINDEX","u32",1]]]')"
	refused "replace with a policy over a missing link" \
		'not exist.*POLICIES/POLICY#2/MEMBERS/MEMBER/LINK' \
		nlraw CONFIG_REPLACE "$(replace_attrs '' '["POLICY",[["ID","u32",8],["NAME","str","q2"],["MEMBERS",[["MEMBER",[["LINK","u32",6]]]]]]]')"
	refused "replace with a rule in the middle naming a missing policy" \
		'not exist.*RULES/RULE#2/POLICY' \
		nlraw CONFIG_REPLACE "$(replace_attrs '' '' '["RULE",[["ID","u32",2],["NAME","str","z2"],["POLICY","u32",8]]]')"
	refused "replace whose link ids do not fit its mark mask" 'fit' \
		nlraw CONFIG_REPLACE '[["MARK_MASK","u32","0x0300"],["LINKS",[["LINK",[["ID","u32",5],["NAME","str","a1"],["IFINDEX","u32",1]]]]]]'

	# mwanctl maps the culprit back to its line: nine tiers on line 10
	file=$TMP/tiers.conf
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "link add t$i dev d$i"
	done >"$file"
	echo "policy add tiers member t1 metric 1 member t2 metric 2 member t3 metric 3 member t4 metric 4 member t5 metric 5 member t6 metric 6 member t7 metric 7 member t8 metric 8 member t9 metric 9" >>"$file"
	refused "config replace file with 9 tiers on line 10" 'tiers.conf:10:.*tiers' \
		mwanctl config replace "$file"

	snap
	before=$SNAP
	if line=$(nlraw CONFIG_REPLACE "$(replace_attrs)"); then
		pass "a good replace is accepted"
	else
		fail "a good replace is refused: $line"
	fi
	snap
	after=$SNAP
	g=$(gen_of "$before")
	if [ "$(gen_of "$after")" = $((g + 1)) ]; then
		pass "a replace bumps the generation once ($g -> $((g + 1)))"
	else
		fail "generation $g -> $(gen_of "$after") after a replace"
	fi
	for kind in LINK:2 POLICY:1 RULE:2; do
		line=$(nlraw --dump "${kind%:*}_GET")
		if [ "$line" = "${kind#*:}" ]; then
			pass "after the replace: ${kind#*:} ${kind%:*} objects"
		else
			fail "after the replace: '$line' ${kind%:*} objects, want ${kind#*:}"
		fi
	done
	has "replace set the new objects and globals" \
		'"mark_mask":65280,"default_policy":"q1".*"name":"a1","id":5,[^}]*"mark":1280.*"name":"a3","id":7.*"name":"q1","id":7.*"name":"z1","id":1,.*"name":"z3","id":3,'
	hasnt "replace removed the old objects" '"name":"(wan1|wan2|bal|only1|web)"'
}

test_access() {
	local out before after status
	if out=$(in_ns "$RTR" "${NOBODY[@]}" "$MWANCTL" show 2>&1) &&
	   grep -q 'link a1' <<<"$out"; then
		pass "an unprivileged user can read the config"
	else
		fail "an unprivileged user cannot read the config: $out"
	fi
	refused "an unprivileged user cannot change a link" 'not permitted' \
		in_ns "$RTR" "${NOBODY[@]}" "$MWANCTL" link set a1 weight 5
	refused "an unprivileged user cannot replace the config" 'not permitted' \
		in_ns "$RTR" "${NOBODY[@]}" "$MWANCTL" config replace /dev/null

	# every command that changes something, with valid attributes, then
	# every query
	snap
	before=$SNAP
	out=$(in_ns "$RTR" "${NOBODY[@]}" "${NLRAW[@]}" --batch 2>&1 <<-'EOF'
	GLOBALS_SET [["ENABLED","u8",0]]
	LINK_NEW [["LINK",[["NAME","str","n1"],["IFINDEX","u32",1]]]]
	LINK_SET [["LINK",[["NAME","str","a1"],["WEIGHT","u32",9]]]]
	LINK_DEL [["LINK",[["NAME","str","a3"]]]]
	LINK_FLUSH [["LINK",[["NAME","str","a1"]]]]
	POLICY_NEW [["POLICY",[["NAME","str","n1"]]]]
	POLICY_SET [["POLICY",[["NAME","str","q1"],["MODE","u8",1]]]]
	POLICY_DEL [["POLICY",[["NAME","str","q1"]]]]
	RULE_NEW [["RULE",[["NAME","str","n1"],["POLICY","u32",7]]]]
	RULE_SET [["RULE",[["NAME","str","z1"],["PROTO","u8",6]]]]
	RULE_DEL [["RULE",[["NAME","str","z1"]]]]
	CONFIG_REPLACE []
	GLOBALS_GET
	LINK_GET [["LINK",[["NAME","str","a1"]]]]
	POLICY_GET [["POLICY",[["ID","u32",7]]]]
	RULE_GET [["RULE",[["NAME","str","z3"]]]]
	--dump LINK_GET
	--dump POLICY_GET
	--dump RULE_GET
	EOF
	)
	snap
	after=$SNAP
	out=${out//$'\n'/ | }
	if [[ $out =~ ^(error\ EPERM[^|]*\|\ ){12}(.*)$ ]] && [ "$before" = "$after" ]; then
		pass "an unprivileged user gets EPERM for all 12 change commands"
	else
		fail "unprivileged change commands: not all refused with EPERM, or the config $([ "$before" = "$after" ] && echo "is unchanged" || echo CHANGED): $out"
	fi
	if [ "${BASH_REMATCH[2]}" = "ok | ok | ok | ok | 2 | 1 | 2" ]; then
		pass "an unprivileged user can get and dump everything"
	else
		fail "unprivileged gets and dumps: $out"
	fi

	if ! "${NOBODY[@]}" unshare -U -r true 2>/dev/null; then
		echo "SKIP: unprivileged user namespaces do not work here: user namespace cases not run"
		return
	fi
	SNAP_NS=-
	refused "a user namespace cannot change the init netns" 'not permitted' \
		"${NOBODY[@]}" unshare -U -r "$MWANCTL" link add u1 dev lo
	# if it could, do not leave it behind
	"$MWANCTL" link del u1 >/dev/null 2>&1
	SNAP_NS=
	refused "a user namespace cannot change a netns it does not own" \
		'not permitted' \
		in_ns "$RTR" "${NOBODY[@]}" unshare -U -r "$MWANCTL" link set a1 weight 9

	before=$(snap_of -)$(snap_of "$RTR")
	out=$("${NOBODY[@]}" unshare -U -r -n sh -c "
		'$MWANCTL' link add u1 dev lo id 3 &&
		'$MWANCTL' policy add up member u1 &&
		'$MWANCTL' globals set default-policy up &&
		'$MWANCTL' -j show" 2>&1)
	status=$?
	after=$(snap_of -)$(snap_of "$RTR")
	if [ $status -eq 0 ] && grep -q '"name":"u1","id":3' <<<"$out" &&
	   grep -q '"default_policy":"up"' <<<"$out" &&
	   ! grep -q '"a1"' <<<"$out"; then
		pass "a user namespace configures its own netns"
	else
		fail "a user namespace cannot configure its own netns (exit $status): $out"
	fi
	if [ "$before" = "$after" ]; then
		pass "the user namespace's config is not seen in other netns"
	else
		fail "a user namespace's config changed another netns"
	fi
}

test_netns() {
	local before after
	if ! "$MWANCTL" -n "$NS2" link add a1 dev lo id 5 weight 7 ||
	   ! "$MWANCTL" -n "$NS2" policy add q1 member a1; then
		fail "cannot configure a second netns with the same names"
		return
	fi
	pass "a second netns takes the same names and ids"
	before=$(snap_of "$NS2")
	accepted "changing link a1 in the first netns" mwanctl link set a1 weight 3
	after=$(snap_of "$NS2")
	if [ "$before" = "$after" ]; then
		pass "a change in one netns is not seen in the other"
	else
		fail "a change in one netns changed the other: $before -> $after"
	fi
	has "the second netns keeps weight 7" '"name":"a1","id":5,[^}]*"weight":7' "$NS2"
	before=$(snap_of "$RTR")
	if "$MWANCTL" -n "$NS2" policy del q1 &&
	   "$MWANCTL" -n "$NS2" link del a1; then
		pass "deleting objects in the second netns"
	else
		fail "cannot delete objects in the second netns"
	fi
	after=$(snap_of "$RTR")
	if [ "$before" = "$after" ]; then
		pass "deleting objects in one netns leaves the other's"
	else
		fail "deleting in one netns changed the other: $before -> $after"
	fi
	hasnt "the second netns has no link left" '"name":"a1"' "$NS2"
	refused "mwanctl -n with a namespace that does not exist" \
		'network namespace "no-such-ns": No such file' \
		"$MWANCTL" -n no-such-ns link add a9 dev lo
}

# wait_line FILE REGEX: until FILE has a line matching REGEX, 5 s at most
wait_line() { slowwait 5 grep -qE -- "$2" "$1"; }

test_events() {
	local mon1=$TMP/mon1 mon2=$TMP/mon2 n
	if ! "$MWANCTL" --help 2>&1 | grep -q monitor; then
		echo "SKIP: mwanctl has no monitor command: event cases not run"
		return
	fi
	"$MWANCTL" -n "$RTR" monitor >"$mon1" 2>&1 &
	defer stop $!
	"$MWANCTL" -n "$NS2" monitor >"$mon2" 2>&1 &
	defer stop $!
	# the monitor subscribes at some point: poke until it shows
	for n in 1 2 3 4 5 6 7 8 9 10; do
		mwanctl link set a1 rtt "$n"
		slowwait 1 grep -q "^set link a1 " "$mon1" && break
	done
	if ! grep -q "^set link a1 " "$mon1"; then
		fail "mwanctl monitor shows no event: $(cat "$mon1")"
		return
	fi
	# events come in order: once this one shows, all before it did
	mwanctl link set a1 rtt 7777
	if ! wait_line "$mon1" '^set link a1 .*rtt 7777'; then
		fail "monitor shows no 'set link a1 ... rtt 7777': $(cat "$mon1")"
		return
	fi
	n=$(grep -n 'rtt 7777' "$mon1" | tail -n 1 | cut -d: -f1)
	nlraw LINK_SET '[["LINK",[["NAME","str","a1"],["WEIGHT","u32",0]]]]' >/dev/null
	mwanctl link set a1 rtt 4242
	if wait_line "$mon1" '^set link a1 .*rtt 4242'; then
		pass "monitor: $(grep -m1 'rtt 4242' "$mon1")"
	else
		fail "monitor shows no 'set link a1 ... rtt 4242': $(cat "$mon1")"
	fi
	# the refused request, between the two changes, sent nothing
	if sed -n "$((n + 1))p" "$mon1" | grep -q 'rtt 4242'; then
		pass "monitor: no event for a refused request"
	else
		fail "monitor: events after a refused request: $(tail -n +$((n + 1)) "$mon1")"
	fi
	mwanctl link add ev1 dev wan3
	mwanctl link del ev1
	if wait_line "$mon1" '^new link ev1 ' && wait_line "$mon1" '^del link ev1'; then
		pass "monitor: new and del events"
	else
		fail "monitor: no new/del events for ev1: $(cat "$mon1")"
	fi
	if [ ! -s "$mon2" ]; then
		pass "monitor in another netns sees none of these events"
	else
		fail "monitor in another netns saw: $(cat "$mon2")"
	fi
	"$MWANCTL" -n "$NS2" link add b1 dev d1
	if wait_line "$mon2" '^new link b1 ' && ! grep -q 'b1' "$mon1"; then
		pass "monitor sees the events of its own netns only"
	else
		fail "monitor of the second netns: $(cat "$mon2"); first: $(cat "$mon1")"
	fi
}

# largest write FILE: the largest configuration the kernel takes, every
# optional field set. largest check FILE: `mwanctl -j show` on stdin holds
# exactly FILE's objects and fields.
largest() {
	[ -f "$TMP/largest.py" ] || cat >"$TMP/largest.py" <<-'EOF'
	import json, sys
	LINKS, POLICIES, MEMBERS, TIERS, RULES = 255, 64, 64, 8, 1024

	def member(p, j):
	    return {"link": "l%d" % ((p + j) % LINKS + 1),
	            "metric": 1000 + j % TIERS, "weight": j + 1}

	def rule(i):
	    return {"name": "r%d" % i, "id": 60000 + i,
	            "policy": "p%d" % (i % POLICIES + 1), "family": "ipv6",
	            "proto": 6, "src": "2001:db8::/32",
	            "dst": "2001:db8:%x::/48" % i,
	            "sport": {"min": 1000, "max": 1000 + i},
	            "dport": {"min": i, "max": 65535}, "iif": "wan2",
	            "mark": 0x100, "mark_mask": 0xff00}

	mode, path = sys.argv[1:3]
	if mode == "write":
	    out = ["globals set mark-mask 0xff00 default-policy p1"]
	    out.append("link add l1 dev wan1 id 1 weight 1000 state drain "
	               "rtt 4000000 loss 1000000 "
	               "npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 mode rfc6296 "
	               "map4 10.250.250.0/24 100.64.0.0/24")
	    for i in range(2, LINKS + 1):
	        out.append("link add l%d dev d%d id %d weight %d state down "
	                   "rtt %d loss %d" % (i, i, i, i, i * 1000, i * 100))
	    for p in range(1, POLICIES + 1):
	        out.append("policy add p%d id %d mode src-dst last-resort "
	                   "blackhole" % (p, p) + "".join(
	                   " member %(link)s metric %(metric)d weight %(weight)d"
	                   % member(p, j) for j in range(MEMBERS)))
	    for i in range(1, RULES + 1):
	        r = rule(i)
	        out.append("rule add %s id %d policy %s family ipv6 proto tcp "
	                   "src %s dst %s sport %d-%d dport %d-%d iif %s "
	                   "mark 0x100/0xff00" % (r["name"], r["id"], r["policy"],
	                   r["src"], r["dst"], r["sport"]["min"],
	                   r["sport"]["max"], r["dport"]["min"],
	                   r["dport"]["max"], r["iif"]))
	    open(path, "w").write("\n".join(out) + "\n")
	    sys.exit(0)

	cfg = json.load(sys.stdin)
	bad = []
	def want(what, got, exp):
	    if got != exp:
	        bad.append("%s: %r, want %r" % (what, got, exp))
	g = cfg["globals"]
	want("globals", (g["mark_mask"], g["default_policy"]), (0xff00, "p1"))
	want("links", len(cfg["links"]), LINKS)
	for i, l in enumerate(cfg["links"], 1):
	    exp = ({"name": "l1", "dev": "wan1", "weight": 1000,
	            "state": "drain", "rtt_us": 4000000, "loss_ppm": 1000000}
	           if i == 1 else
	           {"name": "l%d" % i, "dev": "d%d" % i, "weight": i,
	            "state": "down", "rtt_us": i * 1000, "loss_ppm": i * 100})
	    exp.update(id=i, mark=i << 8)
	    want("link %d" % i, {k: l[k] for k in exp}, exp)
	l1 = cfg["links"][0] if cfg["links"] else {"npt": None, "map4": None}
	want("link 1 translations", (l1["npt"], l1["map4"]),
	     ({"internal": "3d06:bad:b01::/60",
	       "external": "2600:1700:2f71:c80::/60", "prefix_len": 60,
	       "mode": "rfc6296"},
	      {"internal_first": "10.250.250.0",
	       "internal_last": "10.250.250.255",
	       "external_first": "100.64.0.0", "external_last": "100.64.0.255"}))
	want("policies", len(cfg["policies"]), POLICIES)
	for p, pol in enumerate(cfg["policies"], 1):
	    want("policy %d" % p, (pol["name"], pol["id"], pol["mode"],
	                           pol["last_resort"]),
	         ("p%d" % p, p, "src-dst", "blackhole"))
	    want("policy %d members" % p,
	         [{k: m[k] for k in ("link", "metric", "weight")}
	          for m in pol["members"]],
	         [member(p, j) for j in range(MEMBERS)])
	want("rules", len(cfg["rules"]), RULES)
	for i, r in enumerate(cfg["rules"], 1):
	    exp = rule(i)
	    want("rule %d" % i, {k: r[k] for k in exp}, exp)
	if bad:
	    print("%d differences, the first: %s" % (len(bad), "; ".join(bad[:3])))
	    sys.exit(1)
	print("%d links, %d policies of %d members, %d rules as written" %
	      (len(cfg["links"]), len(cfg["policies"]),
	       len(cfg["policies"][0]["members"]), len(cfg["rules"])))
	EOF
	/usr/bin/python3 -S "$TMP/largest.py" "$@"
}

test_largest() {
	local file=$TMP/largest.conf bad=$TMP/largest-bad.conf out t0 line

	largest write "$file"
	t0=$(date +%s%N)
	if out=$(mwanctl config replace "$file" 2>&1); then
		pass "largest: config replace of $(wc -l <"$file") lines, $(wc -c <"$file") bytes in $((($(date +%s%N) - t0) / 1000000)) ms"
	else
		fail "largest: config replace refused: ${out//$'\n'/ | }"
		return
	fi
	if out=$("$MWANCTL" -n "$RTR" -j show | largest check "$file" 2>&1); then
		pass "largest: mwanctl -j show: $out"
	else
		fail "largest: mwanctl -j show: ${out//$'\n'/ | }"
	fi

	# a rule in the third MWAN_A_RULES that only the kernel refuses:
	# mwanctl names its line, counting the rules of every list attribute
	sed -E 's/^(rule add r1000 .*)$/\1 local no-forward/' "$file" >"$bad"
	line=$(grep -n '^rule add r1000 ' "$bad" | cut -d: -f1)
	refused "largest: a refused rule 1000 is blamed on line $line" \
		"largest-bad.conf:$line: input device only applies" \
		mwanctl config replace "$bad"
}

setup
test_links
test_names
test_policies
test_rules
test_cgroup
test_strict
test_deletes
test_masks
test_replace
test_access
test_netns
test_events
test_largest
exit $rc
