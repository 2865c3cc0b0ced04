#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan's netlink API takes any request without harm: nlfuzz (nlfuzz.c)
# sends structure-aware fuzzed requests of every command, at once
#
#   - in the router $RTR of topo.sh while its LAN sends UDP flows and
#     pings over both uplinks (3 processes and an event listener),
#   - in $R2, a namespace of 70 dummy devices, enough for a replace at
#     the member limit (64) and one past it (2 processes, a listener),
#     while four of them are deleted and made again under their old
#     ifindex, over and over (links may translate on them),
#   - in a network namespace of an unprivileged user's own user
#     namespace, when the kernel lets users make them (1 process);
#
# $MWAN_TEST_SCALE percent of 26400 messages in all (24000 chaos, 2400
# modelled). Each run but the unprivileged one ends with its model
# stage: one process alone, from an empty config, keeps a model of what
# its accepted requests made of the config (objects, ids, names, links'
# devices, states, weights, health figures and translations, policies'
# members, rules' policies and flags, globals; not rules' matches) and
# compares it with the kernel's every 100 messages. One request in 500
# is a replace at a limit (members, tiers, policies, rules), which must
# be accepted, or one past it, which must be refused. Then:
#
#   - `mwanctl -j show` parses in $RTR and $R2 and says what the model
#     says (of it: objects, ids, names, devices, states, weights,
#     members, rules' policies, globals);
#   - the router takes its known-good config again, reads it back as
#     given, and new connections from the LAN reach the server over both
#     links;
#   - mwan unloads.
#
# A kernel warning, BUG, KASAN or lockdep report fails the test (the
# runner scans the kernel log after each test). The seed is printed;
# MWAN_NLFUZZ_SEED=... repeats a run's messages, MWAN_NLFUZZ_COUNT
# and MWAN_NLFUZZ_MODEL override the numbers of chaos and modelled
# messages, MWAN_NLFUZZ_SECONDS the bound of each run (make soak).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

NLFUZZ=$TOPO_DIR/nlfuzz
COUNT=${MWAN_NLFUZZ_COUNT:-$(scaled 24000)}
MODEL=${MWAN_NLFUZZ_MODEL:-$(scaled 2400)}
SEED=${MWAN_NLFUZZ_SEED:-$(printf '%#x' $(((SRANDOM << 30) ^ SRANDOM)))}
LIMIT=${MWAN_NLFUZZ_SECONDS:-200}	# each run's bound, whatever the count

topo_require
checktool "test -x $NLFUZZ" "needs selftests/nlfuzz (make)"

TMP=$(mktemp -d)
defer rm -rf "$TMP"

# ifindexes NS [DEV...]: the ifindexes of the devices (default: all but
# lo) in NS, comma separated, in the order given
ifindexes() {
	local ns=$1
	shift
	ip -n "$ns" -o link show | awk -F': ' -v want="$*" '
		{ sub(/@.*/, "", $2); idx[$2] = $1 }
		$2 != "lo" { all = all sep $1; sep = "," }
		END {
			if (want == "") { print all; exit }
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), idx[w[i]]
			print ""
		}'
}

# The router's config before and after the fuzzing.
good_config() {
	cat <<-EOF
	link add wan1 dev wan1 id 1
	link add wan2 dev wan2 id 2
	policy add balanced member wan1 member wan2
	globals set default-policy balanced
	EOF
}

# model_of NS: `mwanctl -j show` of NS in nlfuzz's model format
model_of() {
	"$MWANCTL" -n "$1" -j show | $PY -c '
import json, sys
d = json.load(sys.stdin)
g = d["globals"]
print("globals %d %d %d" % (g["mark_mask"], g["enabled"], g["default_policy_id"]))
for l in sorted(d["links"], key=lambda l: l["id"]):
    print("link %d %s %d %s %d" % (l["id"], l["name"], l["ifindex"], l["state"], l["weight"]))
for p in sorted(d["policies"], key=lambda p: p["id"]):
    m = ",".join(str(x["link_id"]) for x in p["members"])
    print("policy %d %s %s" % (p["id"], p["name"], m or "-"))
for r in d["rules"]:
    print("rule %d %s %d" % (r["id"], r["name"], r["policy_id"]))
'
}

# matches_model NS FILE WHERE: mwanctl reads NS as the model in FILE
matches_model() {
	local got
	if ! got=$(model_of "$1" 2>&1); then
		check "$3: mwanctl -j show parses" false
		echo "$got" | head -n 5
		return
	fi
	check "$3: mwanctl -j show parses" true
	if diff -u "$2" - <<<"$got" >"$TMP/diff"; then
		check "$3: mwanctl shows the model ($(grep -c . "$2") objects)" true
	else
		check "$3: mwanctl shows the model" false
		head -n 30 "$TMP/diff"
	fi
}

# new_flows TAG: new TCP connections from the LAN reach the server over
# both links
new_flows() {
	local out peers n=16
	out=$(flows "$LAN" connect --dst "$SERVER4" --count $n --tag "$1" 2>&1)
	if [[ $out != *'"failed": 0'* ]]; then
		check "new connections after the fuzzing" false
		echo "${out:0:300}"
		return
	fi
	slowwait 10 seen_at_least "$1" $n
	peers=$(links_of "$1")
	check "$n new connections reach the server over both links ($peers)" \
		test "$peers" = "1 2"
}

topo_create 2
good_config | mwanctl config replace - || exit 1
topo_server
setup_ns R2 || exit $ksft_skip
for i in $(seq 70); do
	echo "link add d$i type dummy"
done | ip -n "$R2" -batch -

# traffic for the whole run: UDP flows and pings from the LAN
# shellcheck disable=SC2086 # $FLOWS is a command line
in_ns "$LAN" $FLOWS connect --dst "$SERVER4" --proto udp --count 4 \
	--parallel --packets 100000 --gap 0.05 --tag udp >/dev/null 2>&1 &
defer flows_stop $!	# it may have ended: unreachable while links went
in_ns "$LAN" ping -q -i 0.05 "$SERVER4" >/dev/null 2>&1 &
defer flows_stop $!
in_ns "$LAN" ping -q -i 0.1 "$SERVER6" >/dev/null 2>&1 &
defer flows_stop $!
seen_wait udp 4 || echo "# the UDP flows did not start"

# churn: d1..d4 of $R2 deleted and made again with their ifindexes,
# until killed; on the debug kernel (MWAN_TEST_SCALE) less often, where
# making devices takes most of the CPU the fuzzer needs
churn() {
	local i gap batch=
	gap=$(awk -v s="${MWAN_TEST_SCALE:-100}" 'BEGIN { print 10 / s }')
	for i in 1 2 3 4; do
		batch+="link del d$i
link add d$i index $(ifindexes "$R2" "d$i") type dummy
link set d$i up
"
	done
	while :; do
		ip -force -n "$R2" -batch - <<<"$batch" >/dev/null 2>&1
		sleep "$gap"
	done
}

echo "# seed $SEED (MWAN_NLFUZZ_SEED=$SEED repeats it); $COUNT + $MODEL messages"
t0=$SECONDS
rtr_if=$(ifindexes "$RTR" wan1 wan2 lan0)
r2_if=$(ifindexes "$R2")
in_ns "$RTR" "$NLFUZZ" -s "$SEED" -n $((COUNT * 6 / 10)) -p 3 \
	-m $((MODEL / 2)) -t "$LIMIT" -i "$rtr_if" -o "$TMP/rtr.model" \
	>"$TMP/rtr.out" 2>&1 &
pid_rtr=$!
in_ns "$R2" "$NLFUZZ" -s $((SEED + 1)) -n $((COUNT * 3 / 10)) -p 2 \
	-m $((MODEL / 2)) -t "$LIMIT" -i "$r2_if" -o "$TMP/r2.model" \
	>"$TMP/r2.out" 2>&1 &
pid_r2=$!
churn &
pid_churn=$!
defer flows_stop $pid_churn
pid_user=
if setpriv --reuid=65534 --regid=65534 --clear-groups -- \
	unshare --user --map-root-user --net true 2>/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		unshare --user --map-root-user --net \
		"$NLFUZZ" -s $((SEED + 2)) -n $((COUNT / 10)) -p 1 \
		-m 0 -t "$LIMIT" -i 1 >"$TMP/user.out" 2>&1 &
	pid_user=$!
else
	echo "# no unprivileged user namespaces here: that run is left out"
fi

wait $pid_rtr
check "fuzzing the router under traffic" test $? = 0
sed 's/^/#   /' "$TMP/rtr.out"
wait $pid_r2
check "fuzzing the second namespace, its devices coming and going" test $? = 0
flows_stop $pid_churn
sed 's/^/#   /' "$TMP/r2.out"
if [ -n "$pid_user" ]; then
	wait $pid_user
	check "fuzzing as an unprivileged user in its own namespaces" test $? = 0
	sed 's/^/#   /' "$TMP/user.out"
fi
sent=$(cat "$TMP"/*.out | awk '/ messages, .* accepted/ {
	for (i = 1; i < NF; i++) if ($(i + 1) == "messages,") n += $i }
	END { print n + 0 }')
echo "# $sent messages in $((SECONDS - t0)) s"
check "at least $((COUNT + MODEL)) messages were sent" test "$sent" -ge $((COUNT + MODEL))

matches_model "$RTR" "$TMP/rtr.model" router
matches_model "$R2" "$TMP/r2.model" "second namespace"

# The router again as it was: read back as given, and working.
if good_config | mwanctl config replace -; then
	check "the router takes its config again" true
else
	check "the router takes its config again" false
fi
check "it reads back as given" test "$(model_of "$RTR")" = "$(printf '%s\n' \
	"globals 16128 1 1" "link 1 wan1 ${rtr_if%%,*} up 1" \
	"link 2 wan2 $(cut -d, -f2 <<<"$rtr_if") up 1" "policy 1 balanced 1,2")"
new_flows after

cleanup_ns "$R2"
if modprobe -r mwan && [ ! -d /sys/module/mwan ]; then
	check "mwan unloads" true
else
	check "mwan unloads (refcnt $(cat /sys/module/mwan/refcnt 2>/dev/null))" false
fi
exit $rc
