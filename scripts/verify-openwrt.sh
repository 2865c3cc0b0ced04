#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/verify-openwrt.sh
#
# The OpenWrt package (packaging/openwrt/mwan) without the OpenWrt SDK, as
# KTAP (part of the unit tests of scripts/check.sh):
#
# 1. The package Makefile, read by make with test doubles of OpenWrt's
#    rules.mk, kernel.mk and package.mk (packaging/openwrt/test/): its
#    includes, PKG_* variables, each package's DEPENDS against what the
#    built mwan.ko and binaries really import, FILES and AUTOLOAD; then
#    Build/Prepare, Build/Compile (the tools built from a clean copy of the
#    sources with the host's compiler; the kernel make only recorded, or
#    with MWAN_OPENWRT_KBUILD=1 run against the host's kernel headers) and
#    Package/mwan/install into a scratch root.
# 2. The installed /etc/init.d/mwan under busybox ash, with a test double
#    of rc.common and procd that records every procd_* call: the UCI to
#    mwan.conf conversion of the festival seed's mwan3 file, of mwan3's
#    shipped one and of the package's own, checked by mwan-agent --check;
#    start, reload after nothing, after a UCI edit, after a device made
#    anew, with a broken file, and a start that waits for a device.
#
# Part 2 needs root for a network namespace with the seed's devices
# (veths named wg1..wg3, eth1, eth2): it is skipped otherwise.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/ktap.sh
. "$TOP/scripts/ktap.sh"
PKG=$TOP/packaging/openwrt/mwan
DBL=$TOP/packaging/openwrt/test
FIX=$TOP/user/tests/mwan3

if [ "${1:-}" != inner ]; then
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		exec unshare -n "$0" inner
	fi
	NO_NETNS=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skip() { # skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# the value of VAR in the make double's output
var() {
	sed -n "s/^$1=//p" "$tmp/make.out"
}

# has WORD... among the words of LIST
has_all() { # has_all "LIST" WORD...
	local list=" $1 " w
	shift
	for w in "$@"; do
		case $list in
		*" $w "*) ;;
		*) echo "# missing $w in: $1"; return 1 ;;
		esac
	done
}

# --- 1. the package Makefile -------------------------------------------

# What Kbuild builds from, present in the prepared directory DIR: the
# source of each object of mwan-y, and each header that the module's
# files include from the tree ("x.h" from kmod/, <uapi/linux/...> from
# include/).
prepared_sources() { # prepared_sources DIR
	local dir=$1 o h bad=0 no=0 nh=0

	# shellcheck disable=SC1003 # tr deletes the continuation backslashes
	for o in $(sed -n '/^mwan-y :=/,/[^\\]$/{s/^mwan-y :=//;p;}' \
		   "$dir/Kbuild" | tr -d '\\'); do
		no=$((no + 1))
		[ -f "$dir/${o%.o}.c" ] || { echo "# missing ${o%.o}.c"; bad=1; }
	done
	# shellcheck disable=SC2013 # header names have no blanks
	for h in $(cat "$dir"/kmod/*.[ch] |
		   sed -n 's/^#include "\(.*\)".*/kmod\/\1/p
			   s/^#include <\(uapi\/.*\)>.*/include\/\1/p' | sort -u); do
		nh=$((nh + 1))
		[ -f "$dir/$h" ] || { echo "# missing $h"; bad=1; }
	done
	echo "# Kbuild: $no objects, $nh headers of the tree"
	[ "$no" -gt 1 ] && [ "$nh" -gt 1 ] && [ "$bad" = 0 ]
}

makefile_tests() {
	local src=$tmp/src build=$tmp/build root=$tmp/root dir want ko mods
	local m k need

	mkdir -p "$src"
	# the sources as a fresh checkout has them: no objects or binaries
	(cd "$TOP" && git ls-files -co --exclude-standard -- Kbuild COPYING \
		include kmod user | tar -cf - -T -) | tar -xf - -C "$src"
	# MWAN_OPENWRT_KBUILD=1: KERNEL_MAKE builds mwan.ko for real, against
	# the host's kernel headers (about 30 s of CPU), instead of recording
	if [ -n "${MWAN_OPENWRT_KBUILD:-}" ]; then
		# shellcheck disable=SC2012 # the headers' names are plain
		set -- KERNEL_MAKE="make -C $(ls -d /usr/src/linux-headers-*-amd64 |
			sort -V | tail -n1)"
	else
		set --
	fi
	make -s -C "$PKG" TOPDIR="$DBL" STUB_BUILD="$build" \
		STUB_ROOT="$root" MWAN_SRC="$src" "$@" stub-build \
		>"$tmp/make.out" 2>&1
	result $? "Makefile: read with OpenWrt's includes, prepared, compiled, installed"
	sed -n '/=/!s/^/# /p' "$tmp/make.out" | grep -v '^#   ' | tail -n 20

	[ "$(var PKG_NAME)" = mwan ] && [ -n "$(var PKG_RELEASE)" ] &&
		[ "$(var PKG_LICENSE)" = GPL-2.0-only ] &&
		[ "$(var PKG_LICENSE_FILES)" = COPYING ]
	result $? "Makefile: PKG_NAME, PKG_RELEASE, PKG_LICENSE (GPL-2.0 as COPYING), PKG_LICENSE_FILES"
	want=$(sed -n 's/^MWAN_VERSION ?= *//p' "$TOP/user/Makefile")
	[ -n "$want" ] && [ "$(var PKG_VERSION)" = "$want" ]
	result $? "Makefile: PKG_VERSION $(var PKG_VERSION) is the tools' MWAN_VERSION ($want)"

	dir=$(var PKG_BUILD_DIR)
	if [ -n "${MWAN_OPENWRT_KBUILD:-}" ]; then
		[ "$(var kmod-mwan.FILES)" = "$dir/mwan.ko" ] &&
			modinfo "$dir/mwan.ko" >/dev/null
		result $? "kmod-mwan: FILES is the mwan.ko that KERNEL_MAKE M=PKG_BUILD_DIR modules built"
	else
		[ "$(var kmod-mwan.FILES)" = "$dir/mwan.ko" ] &&
			grep -q '^obj-m := mwan.o' "$dir/Kbuild" &&
			[ "$(cat "$build/kernel-make.args")" = "-j2 M=$dir modules" ]
		result $? "kmod-mwan: FILES is the mwan.ko that KERNEL_MAKE M=PKG_BUILD_DIR modules makes from Kbuild"
	fi
	prepared_sources "$dir"
	result $? "Build/Prepare: every object of Kbuild has its source, every header its module includes is there"
	[ "$(var kmod-mwan.AUTOLOAD)" = autoprobe:mwan ] &&
		[ "$(var kmod-mwan.description)" = yes ]
	result $? "kmod-mwan: AUTOLOAD AutoProbe of mwan, a description"

	# the OpenWrt kmod that carries each module mwan.ko imports
	ko=$dir/mwan.ko
	[ -f "$ko" ] || ko=$TOP/mwan.ko
	if [ ! -f "$ko" ]; then
		skip "kmod-mwan: DEPENDS has a kmod for each module mwan.ko imports" "mwan.ko not built"
	else
		mods=$(modinfo -F depends "$ko" | tr , ' ')
		need="@IPV6 +kmod-nft-netdev"
		for m in $mods; do
			case $m in
			nf_conntrack) k=+kmod-nf-conntrack ;;
			nf_nat) k=+kmod-nf-nat ;;
			nf_reject_ipv4) k=+kmod-nf-reject ;;
			nf_reject_ipv6) k=+kmod-nf-reject6 ;;
			nf_defrag_ipv4 | nf_defrag_ipv6) k=+kmod-nf-conntrack ;;
			*) k="unmapped-module:$m" ;;
			esac
			need="$need $k"
		done
		echo "# mwan.ko imports: $mods"
		# shellcheck disable=SC2086 # a list of words
		has_all "$(var kmod-mwan.DEPENDS)" $need
		result $? "kmod-mwan: DEPENDS has a kmod for each module mwan.ko imports (and IPv6, netdev hooks)"
	fi

	# the OpenWrt package of each library the binaries link
	need=+kmod-mwan
	for m in $(readelf -d "$root/usr/sbin/mwanctl" \
		   "$root/usr/sbin/mwan-agent" 2>/dev/null |
		   sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
		case $m in
		libmnl.so.*) k=+libmnl ;;
		libnetfilter_conntrack.so.*) k=+libnetfilter-conntrack ;;
		# pulled in by libnetfilter-conntrack
		libnfnetlink.so.*) k=+libnetfilter-conntrack ;;
		libc.so.* | ld-linux*) continue ;;
		*) k="unmapped-library:$m" ;;
		esac
		need="$need $k"
	done
	echo "# the binaries need: $need"
	# shellcheck disable=SC2086 # a list of words
	has_all "$(var mwan.DEPENDS)" $need &&
		[ "$(var mwan.description)" = yes ]
	result $? "mwan: DEPENDS has kmod-mwan and a package for each library the binaries link"

	[ -x "$root/usr/sbin/mwan-agent" ] && [ -x "$root/usr/sbin/mwanctl" ] &&
		"$root/usr/sbin/mwanctl" --version >/dev/null &&
		[ -x "$root/etc/init.d/mwan" ] &&
		cmp -s "$root/etc/init.d/mwan" "$PKG/files/mwan.init" &&
		cmp -s "$root/etc/config/mwan" "$PKG/files/mwan.config" &&
		cmp -s "$root/etc/mwan/local.conf" "$PKG/files/local.conf" &&
		[ -d "$root/etc/mwan/hooks.d" ]
	result $? "mwan: install puts the tools in /usr/sbin, the init script, /etc/config/mwan, /etc/mwan/"
	has_all "$(var mwan.conffiles)" /etc/config/mwan /etc/mwan/local.conf
	result $? "mwan: /etc/config/mwan and /etc/mwan/local.conf are conffiles"
}

# --- 2. the init script under busybox ash --------------------------------

# A root for one case: the installed files, the init script's paths moved
# into it, fresh procd and logger records.
case_root() { # case_root DIR
	local r=$1

	rm -rf "$r"
	cp -a "$tmp/root" "$r"
	sed -i "s|^\(MWAN[A-Z_]*\)=/|\1=$r/|" "$r/etc/init.d/mwan"
	mkdir -p "$r/state"
	: >"$r/procd.log"
	: >"$r/logger.log"
}

# run the init script's ACTION in root R under busybox ash
initd() { # initd R ACTION
	PROCD_LOG=$1/procd.log PROCD_STATE=$1/state \
		LOGGER_LOG=$1/logger.log \
		busybox ash "$DBL/rc.common" "$1/etc/init.d/mwan" "$2" \
		>"$1/out" 2>&1
}

# the last procd verdict
verdict() {
	grep '^procd: ' "$1/procd.log" | tail -n1
}

show() { # the records of root R, as comments
	sed 's/^/# procd.log: /' "$1/procd.log"
	sed 's/^/# logger: /' "$1/logger.log"
	sed 's/^/# out: /' "$1/out"
}

agent_check() { # agent_check R: mwan-agent --check of the generated file
	"$1/usr/sbin/mwan-agent" --check "$1/var/etc/mwan.conf" 2>&1
}

festival_tests() {
	local r=$tmp/fest out md5

	for i in 1 2 3; do
		ip link add wg$i type veth peer name wg${i}p || return 1
	done
	case_root "$r"
	cp "$FIX/festival/mwan3" "$r/etc/config/mwan"
	cp "$FIX/festival/network" "$r/etc/config/network"

	initd "$r" start
	out=$(agent_check "$r")
	echo "# $out"
	[[ $out == *": ok, 3 links, 3 policies, 4 rules, 3 checks, routing on" ]]
	result $? "festival: start converts its mwan3 file into a file mwan-agent --check takes"
	grep -q '^link add wg1wan dev wg1 id 1$' "$r/var/etc/mwan.conf" &&
		grep -q '^check wg2wan icmp 8.8.8.8 .* down-action flush$' \
			"$r/var/etc/mwan.conf"
	result $? "festival: links on the tunnels' devices, their checks from track_ip"
	grep -q 'mwan daemon.notice: .*note: interface wg1wan: flush_conntrack' \
		"$r/logger.log"
	result $? "festival: import-mwan3's notes go to syslog"

	grep -qx "procd_open_service|mwan|$r/etc/init.d/mwan" "$r/procd.log" &&
		grep -qx 'procd_open_instance|agent' "$r/procd.log" &&
		grep -qx "procd_set_param|command|$r/usr/sbin/mwan-agent|-c|$r/var/etc/mwan.conf" "$r/procd.log" &&
		grep -qx "procd_set_param|file|$r/var/etc/mwan.conf" "$r/procd.log" &&
		grep -qx 'procd_set_param|netdev|wg1|wg2|wg3' "$r/procd.log" &&
		grep -qx 'procd_set_param|reload_signal|HUP' "$r/procd.log" &&
		grep -qx 'procd_set_param|respawn' "$r/procd.log" &&
		grep -qx 'procd_set_param|stderr|1' "$r/procd.log" &&
		grep -qx 'procd_close_instance' "$r/procd.log" &&
		[ "$(verdict "$r")" = "procd: started agent" ]
	result $? "procd: an instance with the agent's command, its file, the devices, respawn, reload by SIGHUP"
	grep -qx 'procd_add_reload_trigger|mwan|network' "$r/procd.log" &&
		grep -qx 'procd_add_raw_trigger|interface.\*|1000|/etc/init.d/mwan|reload' "$r/procd.log"
	result $? "procd: reload on changes of /etc/config/mwan and network, and on interface events"

	md5=$(md5sum <"$r/var/etc/mwan.conf")
	: >"$r/logger.log"
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: unchanged agent" ] &&
		[ "$(md5sum <"$r/var/etc/mwan.conf")" = "$md5" ] &&
		[ ! -s "$r/logger.log" ]
	result $? "reload after nothing: the same file, no signal, nothing logged"

	sed -i "/config member 'wan1_m1'/,/^$/s/option weight '10'/option weight '20'/" \
		"$r/etc/config/mwan"
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: signalled agent HUP" ] &&
		grep -q '^policy add balanced_v4 .*member wg1wan metric 10 weight 20 ' \
			"$r/var/etc/mwan.conf"
	result $? "reload after a UCI edit (weight 20): the file has it, the agent gets SIGHUP"

	md5=$(md5sum <"$r/var/etc/mwan.conf")
	ip link del wg2
	ip link add wg2 type veth peer name wg2p
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: signalled agent HUP" ] &&
		[ "$(md5sum <"$r/var/etc/mwan.conf")" = "$md5" ]
	result $? "reload after wg2 was made anew: the same file, a new ifindex, SIGHUP"

	printf "config interface 'wg4wan'\n\toption enabled '1\n" \
		>>"$r/etc/config/mwan"
	: >"$r/logger.log"
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: unchanged agent" ] &&
		[ "$(md5sum <"$r/var/etc/mwan.conf")" = "$md5" ] &&
		grep -q "mwan daemon.err: .*$r/etc/config/mwan:[0-9]*: " \
			"$r/logger.log" &&
		[ ! -e "$r/var/etc/mwan.conf.new" ]
	result $? "reload of a broken UCI file: the error names file and line, the last good file stays"
	show "$r" | grep -v 'procd.log: procd_' | tail -n 4

	cp "$FIX/festival/mwan3" "$r/etc/config/mwan"
	printf 'route wg1wan via 10.0.1.1\npolicy set balanced_v4 mode src-dst\n' \
		>"$r/etc/mwan/local.conf"
	initd "$r" reload
	out=$(agent_check "$r")
	[ "$(verdict "$r")" = "procd: signalled agent HUP" ] &&
		[ "$(tail -n2 "$r/var/etc/mwan.conf")" = "$(cat "$r/etc/mwan/local.conf")" ] &&
		[[ $out == *": ok, 3 links, "* ]]
	result $? "reload with /etc/mwan/local.conf: its lines end the file, which mwan-agent --check takes"

	# a fresh boot where wg3 is not there yet
	case_root "$r"
	cp "$FIX/festival/mwan3" "$r/etc/config/mwan"
	cp "$FIX/festival/network" "$r/etc/config/network"
	ip link del wg3
	initd "$r" start
	! grep -q '^procd_open_instance' "$r/procd.log" &&
		[ "$(verdict "$r")" = "procd: no instance" ] &&
		grep -q 'mwan daemon.err: .*unknown device "wg3"' "$r/logger.log" &&
		grep -q 'procd_add_raw_trigger|interface' "$r/procd.log"
	result $? "start before wg3 exists: no agent, the reason logged, the triggers set"
	show "$r" | grep -v 'procd.log: procd_' | tail -n 3
	ip link add wg3 type veth peer name wg3p
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: started agent" ] &&
		grep -qx 'procd_set_param|netdev|wg1|wg2|wg3' "$r/procd.log"
	result $? "wg3's interface event: reload starts the agent"
	ip link del wg1
	initd "$r" reload
	[ "$(verdict "$r")" = "procd: signalled agent HUP" ] &&
		grep -q 'unknown device "wg1"' "$r/logger.log"
	result $? "a device gone while it runs: the agent keeps its instance (and logs the file's error on SIGHUP)"
	initd "$r" stop
}

# mwan3's shipped file (only wan enabled) and the package's own
shipped_tests() {
	local r=$tmp/shipped out

	ip link add eth1 type veth peer name eth1p &&
		ip link add eth2 type veth peer name eth2p || return 1
	case_root "$r"
	cp "$FIX/openwrt/mwan3" "$r/etc/config/mwan"
	printf "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n" \
		>"$r/etc/config/network"
	initd "$r" start
	out=$(agent_check "$r")
	echo "# $out"
	[[ $out == *": ok, 1 links, 7 policies, 4 rules, 1 checks, routing on" ]] &&
		[ "$(verdict "$r")" = "procd: started agent" ] &&
		grep -qx 'procd_set_param|netdev|eth1' "$r/procd.log"
	result $? "mwan3's shipped file: start, a file mwan-agent --check takes, the agent on eth1"

	case_root "$r"
	cat >"$r/etc/config/network" <<-'EOF'
	config interface 'wan'
		option device 'eth1'
		option proto 'dhcp'

	config interface 'wan6'
		option device '@wan'
		option proto 'dhcpv6'

	config interface 'wanb'
		option device 'eth2'
		option proto 'dhcp'

	config interface 'wanb6'
		option device 'eth2'
		option proto 'dhcpv6'
	EOF
	initd "$r" start
	out=$(agent_check "$r")
	echo "# $out"
	[[ $out == *": ok, 0 links, "* ]] &&
		[ "$(verdict "$r")" = "procd: started agent" ]
	result $? "the package's /etc/config/mwan as shipped: all disabled, an agent with no links"
	sed -i "s/option enabled '0'/option enabled '1'/" "$r/etc/config/mwan"
	initd "$r" reload
	out=$(agent_check "$r")
	echo "# $out"
	[[ $out == *": ok, 2 links, 2 policies, 1 rules, 2 checks, routing on" ]] &&
		[ "$(verdict "$r")" = "procd: signalled agent HUP" ] &&
		grep -q '^link add wan dev eth1 id 1$' "$r/var/etc/mwan.conf" &&
		grep -q '^check wan icmp 1.1.1.1 9.9.9.9 2606:4700:4700::1111 ' \
			"$r/var/etc/mwan.conf"
	result $? "the package's file enabled: wan and wan6 one link on eth1, wanb and wanb6 on eth2, SIGHUP"
}

echo "KTAP version 1"
makefile_tests
if [ ! -x "$tmp/root/usr/sbin/mwan-agent" ]; then
	skip "init script" "the package did not install"
elif [ -n "${NO_NETNS:-}" ]; then
	skip "init script" "needs root (unshare -n) for the seed's devices"
elif ! command -v busybox >/dev/null; then
	skip "init script" "no busybox"
else
	festival_tests || result 1 "festival: the seed's devices"
	shipped_tests || result 1 "shipped: eth1, eth2"
fi
ktap_end openwrt
