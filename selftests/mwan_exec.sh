#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwanctl exec LINK -- COMMAND: every connection of COMMAND and of its
# children leaves by LINK, IPv4 and IPv6, TCP and UDP, for a dynamically
# linked client (socat) and a statically linked one (busybox nc), as the
# server and the ISPs see it; without exec the same clients leave by the
# main table's link. A "cgroup" rule balances the router's IPv4
# connections from a cgroup and its children, and nothing else: not those
# of other cgroups, not IPv6, not forwarded ones; config replace carries
# it. Bad input is refused with one message and changes nothing.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "socat -V" "needs socat"
checktool "test -x /bin/busybox" "needs busybox-static"
if ! file -L /bin/busybox | grep -q 'statically linked'; then
	echo "SKIP: /bin/busybox is not statically linked"
	exit $ksft_skip
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	echo "SKIP: /sys/fs/cgroup is not cgroup v2"
	exit $ksft_skip
fi

TMP=$(mktemp -d)
defer rm -rf "$TMP"
EXEC_CG=/sys/fs/cgroup/mwan.exec
CG=/sys/fs/cgroup/mwantest.$$
mkdir "$CG" "$CG/child" || exit 1
# last in, first out: children go before their parents
defer rmdir "$CG" "$EXEC_CG"
defer rmdir "$CG/child" "$EXEC_CG/wan1" "$EXEC_CG/wan2" "$EXEC_CG/wan3"

topo_create 3
topo_links 3
mwanctl policy add pin1 member wan1
mwanctl policy add pin3 member wan3
mwanctl globals set default-policy pin1
# A kernel without cgroup BPF or sockets' cgroups (the debug lane's
# tinyconfig) cannot do this: said by the one error, then skipped.
if ! out=$(mwanctl exec wan1 -- true 2>&1); then
	if [[ $out == *"Function not implemented"* ]]; then
		echo "SKIP: no cgroup BPF in this kernel: $out"
		exit $ksft_skip
	fi
	echo "FAIL: mwanctl exec wan1 -- true: $out"
	exit 1
fi
if ! out=$(mwanctl rule add probe policy pin1 cgroup "$CG" 2>&1); then
	if [[ $out == *CONFIG_SOCK_CGROUP_DATA* ]]; then
		echo "SKIP: no cgroups in sockets in this kernel: $out"
		exit $ksft_skip
	fi
	echo "FAIL: rule add probe ... cgroup $CG: $out"
	exit 1
fi
mwanctl rule del probe
topo_server

# At each ISP, the new connections to the server's port that came from the
# router (TCP SYNs, UDP datagrams): what the ISP saw, whatever NAT did.
for i in 1 2 3; do
	isp "$i" nft -f - <<-NFT
	table inet seen {
		chain forward {
			type filter hook forward priority 10;
			iifname "down0" tcp dport 5001 tcp flags syn counter
			iifname "down0" udp dport 5001 counter
		}
	}
	NFT
done
isp_seen() { isp "$1" nft list chain inet seen forward | nft_packets; }
seen_all() { echo "$(isp_seen 1) $(isp_seen 2) $(isp_seen 3)"; }

# client.sh CASE [KIND...]: one connection of each KIND (default: all),
# tagged KIND-CASE-1, made by the children of a shell: dyn (socat,
# dynamically linked) and st (busybox nc, static) over TCP, udp (socat),
# gc4 by a grandchild; IPv4 or IPv6 by the last digit
KINDS="dyn4 dyn6 st4 st6 udp4 udp6 gc4"
NCONN=7
cat >"$TMP/client.sh" <<CLIENT
#!/bin/sh
c=\$1
shift
[ \$# -gt 0 ] || set -- $KINDS
for k; do
	case \$k in
	dyn4) timeout 20 socat -t 5 - TCP4:$SERVER4:5001 ;;
	dyn6) timeout 20 socat -t 5 - "TCP6:[$SERVER6]:5001" ;;
	st4) timeout 20 busybox nc $SERVER4 5001 ;;
	st6) timeout 20 busybox nc $SERVER6 5001 ;;
	udp4) timeout 20 socat -t 0.5 - UDP4:$SERVER4:5001 ;;
	udp6) timeout 20 socat -t 0.5 - "UDP6:[$SERVER6]:5001" ;;
	gc4) timeout 20 sh -c 'busybox nc $SERVER4 5001' ;;
	esac <<-EOF >/dev/null
	\$k-\$c-1
	EOF
done
CLIENT

# by KINDS CASE LINK4 [LINK6]: the server saw each of KINDS of CASE, the
# IPv4 ones by LINK4 only, the IPv6 ones (a name ending in 6) by LINK6
# (default LINK4)
CG_KINDS="dyn4 st4 udp4 dyn6"
by() {
	local k want bad=
	for k in $1; do
		want=$3
		[ "${k: -1}" = 6 ] && want=${4:-$3}
		[ "$(links_of "$k-$2")" = "$want" ] ||
			bad+=" $k:$(links_of "$k-$2" | tr ' ' ,)"
	done
	[ -z "$bad" ] && return
	echo "# $2: IPv4 by $3, IPv6 by ${4:-$3}? wrong:$bad"
	return 1
}
all_by() { by "$KINDS" "$@"; }
v4_by() { by "$CG_KINDS" "$@"; }

# Without exec: the router's own connections follow the main table (wan1).
rtr sh "$TMP/client.sh" plain
check "without exec, every kind of connection leaves by wan1 (main)" \
	all_by plain 1

before=$(seen_all)
mwanctl exec wan2 -- sh "$TMP/client.sh" exec2
after=$(seen_all)
check "exec wan2: a shell's children and grandchild, dynamic and static, TCP and UDP, IPv4 and IPv6, leave by wan2" \
	all_by exec2 2
read -r a1 a2 a3 <<<"$before"
read -r b1 b2 b3 <<<"$after"
check "exec wan2: ISP2 saw the $NCONN new connections ($((b2 - a2))), ISP1 ($((b1 - a1))) and ISP3 ($((b3 - a3))) none" \
	test $((b2 - a2)) -ge $NCONN -a $((b1 - a1)) -eq 0 -a $((b3 - a3)) -eq 0
spoofed() { echo "$(isp_spoofed 1)$(isp_spoofed 2)$(isp_spoofed 3)"; }
check "no packet left by a link with another link's source (BCP 38 drops: $(spoofed))" \
	test "$(spoofed)" = 000

mwanctl exec wan3 -- sh "$TMP/client.sh" exec3 dyn4 st6
check "exec wan3: dynamic IPv4 and static IPv6 clients leave by wan3" \
	test "$(links_of dyn4-exec3) $(links_of st6-exec3)" = "3 3"

# The command itself, with no shell between.
echo st6-direct-1 | mwanctl exec wan2 -- busybox nc "$SERVER6" 5001 >/dev/null
echo dyn4-direct-1 |
	mwanctl exec wan2 socat -t 5 - "TCP4:$SERVER4:5001" >/dev/null
check "exec wan2 of busybox itself (static, IPv6) leaves by wan2" \
	test "$(links_of st6-direct)" = 2
check "exec wan2 of socat itself, without --, leaves by wan2" \
	test "$(links_of dyn4-direct)" = 2
status_of() { mwanctl exec wan2 -- sh -c 'exit 7'; echo $?; }
check "exec ends with the command's exit status" test "$(status_of)" = 7

# A cgroup rule: the router's IPv4 connections from $CG and below take
# pin3; IPv6, other cgroups and forwarded connections do not.
mwanctl rule add svc policy pin3 cgroup "$CG"
show=$(mwanctl rule show svc)
check "rule show: $show" test "$show" = \
	"rule svc id 1 policy pin3 family ipv4 cgroup $CG local no-forward"
json_cg() {
	mwanctl -j rule show svc |
		pyq "d[0]['cgroup_id'], d[0]['cgroup_level'], d[0]['cgroup']"
}
check "rule -j: the cgroup's id is its directory's inode, level 1" \
	test "$(json_cg)" = "($(stat -c %i "$CG"), 1, '$CG')"

# in_cg CGROUP CMD...: CMD in the router's namespace, inside CGROUP
in_cg() {
	local cg=$1
	shift
	rtr sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}
in_cg "$CG" sh "$TMP/client.sh" cg $CG_KINDS
in_cg "$CG/child" sh "$TMP/client.sh" cgchild $CG_KINDS
rtr sh "$TMP/client.sh" nocg $CG_KINDS
check "cgroup rule: the cgroup's IPv4 connections take pin3 (wan3), its IPv6 stay on main (wan1)" \
	v4_by cg 3 1
check "cgroup rule: so do those of a cgroup below it" v4_by cgchild 3 1
check "cgroup rule: the router's other connections do not match (wan1)" \
	v4_by nocg 1 1
flows "$LAN" connect --dst "$SERVER4" --count 3 --tag fwd >/dev/null
flows "$LAN" connect --dst "$SERVER6" --count 3 --tag fwd6 >/dev/null
check "cgroup rule: forwarded connections never match (default policy, wan1)" \
	test "$(links_of fwd) $(links_of fwd6)" = "1 1"

# config replace carries the rule (a path relative to /sys/fs/cgroup)
{
	topo_links_conf 3
	echo "policy add pin1 member wan1"
	echo "policy add pin3 member wan3"
	echo "rule add svc policy pin3 cgroup ${CG#/sys/fs/cgroup/}/child"
	echo "globals set default-policy pin1"
} >"$TMP/mwan.conf"
mwanctl config replace "$TMP/mwan.conf"
show=$(mwanctl rule show svc)
check "config replace: $show" test "$show" = \
	"rule svc id 1 policy pin3 family ipv4 cgroup $CG/child local no-forward"
in_cg "$CG/child" sh "$TMP/client.sh" replaced $CG_KINDS
in_cg "$CG" sh "$TMP/client.sh" parent $CG_KINDS
check "after the replace, the child cgroup's IPv4 leaves by wan3" \
	v4_by replaced 3 1
check "and its parent's no longer matches" v4_by parent 1 1
mkdir "$CG/gone"
mwanctl rule add gone policy pin3 cgroup "$CG/gone"
rmdir "$CG/gone"
show=$(mwanctl rule show gone)
check "a deleted cgroup shows as such: $show" \
	eval '[[ $show == *"cgroup (deleted, id "[0-9]*") local no-forward" ]]'
mwanctl rule del gone

# the configuration, without what time alone changes
cfg_now() {
	mwanctl -j show | sed -E 's/"stats":\{[^}]*\}//g; s/"state_secs":[0-9]+//g'
}

# refused DESC REGEX CMD...: CMD fails with one "mwanctl:" line on stderr
# matching REGEX, and the configuration stays as it was
refused() {
	local desc=$1 re=$2 before after n first
	shift 2
	before=$(cfg_now)
	if "$@" >/dev/null 2>"$TMP/err"; then
		check "$desc: refused" false
		return
	fi
	after=$(cfg_now)
	n=$(grep -c '^mwanctl: ' "$TMP/err")
	first=$(head -n1 "$TMP/err")
	check "$desc: $first" eval \
		'[ "$n" = 1 ] && [[ $first =~ $re ]] && [ "$before" = "$after" ]'
}
refused "cgroup without a path" '"cgroup" needs a value' \
	mwanctl rule add bad policy pin3 cgroup
refused "a cgroup that does not exist" "no cgroup \"$CG/nope\"" \
	mwanctl rule add bad policy pin3 cgroup "$CG/nope"
refused "a path outside /sys/fs/cgroup" 'invalid cgroup "/etc"' \
	mwanctl rule add bad policy pin3 cgroup /etc
refused "a cgroup rule for IPv6" 'IPv4 only' \
	mwanctl rule add bad policy pin3 cgroup "$CG" family ipv6
refused "exec of an unknown link" 'unknown link "nosuch"' \
	mwanctl exec nosuch -- true
check "exec of an unknown link made no cgroup" test ! -e "$EXEC_CG/nosuch"
refused "exec without a link" 'missing link name' mwanctl exec
refused "exec without a command" 'missing command' mwanctl exec wan2
refused "exec with -- and no command" 'missing command' mwanctl exec wan2 --
refused "exec of a command that does not exist" 'cannot run "/nonexistent"' \
	mwanctl exec wan2 -- /nonexistent
exit $rc
