#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check-packages.sh [--current]
#
# The ways mwan gets installed, as KTAP (part of the unit tests of
# scripts/check.sh); needs root (unshare -n, dkms) and Debian's dkms,
# dh-dkms, debhelper and lintian (scripts/deps.sh):
#   - make install into a DESTDIR: the files where the variables say, the
#     unit naming another SBINDIR and SYSCONFDIR, an existing mwan.conf
#     kept; the example mwan.conf passes mwan-agent --check as shipped
#     (empty) and with its statements uncommented, where its devices exist;
#   - the version is the same in the Makefile, dkms.conf, debian/changelog
#     and user/Makefile;
#   - dpkg-buildpackage -b -us -uc in a copy of the tree (never in the tree
#     itself): mwan and mwan-dkms hold what they should (dpkg -c), the
#     config is a conffile, lintian says nothing (-I --pedantic; the tags
#     debian/*lintian-overrides explain are not shown);
#   - DKMS: the mwan-dkms package's source added, built and installed for
#     the installed headers' kernel (not the host's, which has no modules),
#     in scratch trees (--dkmstree, --sourcetree, --installtree, a scratch
#     signing key, no depmod: nothing of the host's changes); the module's
#     vermagic is that kernel's; dkms remove takes it away again.
# What the VM selftest mwan_package.sh installs goes to build/pkg/: both
# .debs, the DKMS-built mwan.ko, the kernel release it is for, and last
# "state", the tree's state they were built from (see tree_state).
# --current: only say (exit status 0) whether build/pkg/ is the tree's.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/ktap.sh
. "$TOP/scripts/ktap.sh"
OUT=$TOP/build/pkg

# comment FILE: a file's lines as KTAP comments
comment() { sed 's/^/# /' "$@"; }

finish() {
	ktap_end packages
	exit
}

# tree_state: what the packages are built from, the tracked files and
# those not yet committed, as one hash; check.sh compares it before a VM
# run to know whether build/pkg/ is current.
tree_state() {
	(cd "$TOP" && git ls-files -s && git diff HEAD --binary &&
		git ls-files -o --exclude-standard) | sha1sum | cut -d' ' -f1
}

# timed FUNCTION [ARGS...]: and says how long it took
timed() {
	local t=$SECONDS rc=0
	"$@" || rc=$?
	echo "# $1: $((SECONDS - t)) s"
	return $rc
}

kernel_release() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 |
		sed 's,.*/linux-headers-,,'
}

# has_files LISTING PATH...: every PATH is in LISTING (dpkg -c's names)
has_files() {
	local list=$1 p rc=0
	shift
	for p in "$@"; do
		grep -qxF "$p" "$list" || { echo "# missing: $p"; rc=1; }
	done
	return $rc
}

check_install() {
	local d=$tmp/inst conf
	make -s -C "$TOP" install DESTDIR="$d" >"$tmp/install.log" 2>&1
	result $? "make install DESTDIR=..." || comment "$tmp/install.log"
	(cd "$d" && find . ! -type d -o -empty) | sed 's,^\.,,' | sort >"$tmp/inst.list"
	cat >"$tmp/inst.want" <<-EOF
	/etc/mwan/hooks.d
	/etc/mwan/mwan.conf
	/lib/systemd/system/mwan-agent.service
	/usr/sbin/mwan-agent
	/usr/sbin/mwanctl
	/usr/share/bash-completion/completions/mwanctl
	/usr/share/man/man5/mwan.conf.5
	/usr/share/man/man8/mwan-agent.8
	/usr/share/man/man8/mwanctl.8
	EOF
	diff -u "$tmp/inst.want" "$tmp/inst.list" >"$tmp/inst.diff"
	result $? "make install: the tools, man pages, completion, unit, config" ||
		comment "$tmp/inst.diff"
	cmp -s "$TOP/packaging/systemd/mwan-agent.service" \
		"$d/lib/systemd/system/mwan-agent.service"
	result $? "make install: the unit as in packaging/systemd/"

	echo "link add mine dev lo" >"$d/etc/mwan/mwan.conf"
	make -s -C "$TOP" install DESTDIR="$d" >"$tmp/install.log" 2>&1 &&
		[ "$(cat "$d/etc/mwan/mwan.conf")" = "link add mine dev lo" ]
	result $? "make install again keeps the admin's mwan.conf"

	make -s -C "$TOP" install DESTDIR="$tmp/inst2" PREFIX=/usr/local \
		SYSCONFDIR=/usr/local/etc UNITDIR=/etc/systemd/system \
		MANDIR=/usr/local/man >"$tmp/install.log" 2>&1 &&
		[ -x "$tmp/inst2/usr/local/sbin/mwan-agent" ] &&
		[ -f "$tmp/inst2/usr/local/etc/mwan/mwan.conf" ] &&
		[ -f "$tmp/inst2/usr/local/man/man8/mwanctl.8" ] &&
		[ -f "$tmp/inst2/usr/local/share/bash-completion/completions/mwanctl" ] &&
		grep -qx "ExecStart=/usr/local/sbin/mwan-agent -c /usr/local/etc/mwan/mwan.conf" \
			"$tmp/inst2/etc/systemd/system/mwan-agent.service"
	result $? "make install PREFIX=/usr/local SYSCONFDIR=... UNITDIR=... MANDIR=...: the unit runs that agent with that file"

	conf=$TOP/packaging/mwan.conf
	out=$("$d/usr/sbin/mwan-agent" --check "$conf" 2>&1)
	echo "# $out"
	[[ $out == *": ok, 0 links, 0 policies, 0 rules, 0 checks, routing on" ]]
	result $? "the example mwan.conf as shipped: mwan-agent --check, nothing set"
	sed 's/^#\([a-z]\)/\1/' "$conf" >"$tmp/uncommented.conf"
	# shellcheck disable=SC2016 # expanded in the namespace's shell
	out=$(unshare -n sh -c 'for i in 1 2; do
			ip link add eth$i type veth peer name peer$i || exit 1
		done
		exec "$1" --check "$2"' sh "$d/usr/sbin/mwan-agent" \
		"$tmp/uncommented.conf" 2>&1)
	echo "# $out"
	[[ $out == *": ok, 2 links, 1 policies, 0 rules, 2 checks, routing on" ]]
	result $? "the example uncommented: mwan-agent --check where eth1 and eth2 exist"
}

check_versions() {
	local v dk ch um
	v=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
	dk=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")
	ch=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
	um=$(sed -n 's/^MWAN_VERSION ?= //p' "$TOP/user/Makefile")
	echo "# Makefile $v, dkms.conf $dk, debian/changelog $ch, user/Makefile $um"
	[ -n "$v" ] && [ "$v" = "$dk" ] && [ "$v" = "$ch" ] && [ "$v" = "$um" ]
	result $? "one version in the Makefile, dkms.conf, debian/changelog, user/Makefile"
	VERSION=$v
}

# The packages, built from a copy of the tracked and new files (what git
# would commit; build outputs are ignored, so not copied; files deleted
# but not yet committed are left out).
check_debs() {
	local src=$tmp/deb/src f
	mkdir -p "$src"
	(cd "$TOP" && git ls-files -co --exclude-standard -z |
		tar --null --ignore-failed-read -cf - -T -) 2>/dev/null |
		tar -xf - -C "$src"
	(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		dpkg-buildpackage -b -us -uc) >"$tmp/deb.log" 2>&1
	result $? "dpkg-buildpackage -b -us -uc" || tail -n 40 "$tmp/deb.log" | comment
	MWAN_DEB=$tmp/deb/mwan_${VERSION}_$(dpkg --print-architecture).deb
	DKMS_DEB=$tmp/deb/mwan-dkms_${VERSION}_all.deb
	[ -f "$MWAN_DEB" ] && [ -f "$DKMS_DEB" ]
	result $? "both packages built: ${MWAN_DEB##*/}, ${DKMS_DEB##*/}" ||
		return 1

	dpkg -c "$MWAN_DEB" | awk '{ sub(/^\./, "", $6); print $6 }' >"$tmp/mwan.list"
	has_files "$tmp/mwan.list" /usr/sbin/mwan-agent /usr/sbin/mwanctl \
		/usr/share/man/man5/mwan.conf.5.gz \
		/usr/share/man/man8/mwan-agent.8.gz \
		/usr/share/man/man8/mwanctl.8.gz \
		/usr/share/bash-completion/completions/mwanctl \
		/lib/systemd/system/mwan-agent.service \
		/etc/mwan/mwan.conf /etc/mwan/hooks.d/ \
		/usr/share/doc/mwan/copyright
	result $? "mwan: agent, mwanctl, man pages, completion, unit, /etc/mwan/"
	dpkg-deb -e "$MWAN_DEB" "$tmp/mwan.ctl"
	[ "$(cat "$tmp/mwan.ctl/conffiles")" = /etc/mwan/mwan.conf ]
	result $? "mwan: /etc/mwan/mwan.conf is its conffile"
	grep -q "deb-systemd-helper enable 'mwan-agent.service'" \
		"$tmp/mwan.ctl/postinst"
	result $? "mwan: its postinst enables mwan-agent.service"

	dpkg -c "$DKMS_DEB" | awk '{ sub(/^\./, "", $6); print $6 }' >"$tmp/dkms.list"
	# every source Kbuild names, and what it includes
	set -- dkms.conf Kbuild include/uapi/linux/mwan.h
	for f in "$TOP"/kmod/*.[ch]; do
		set -- "$@" "kmod/${f##*/}"
	done
	has_files "$tmp/dkms.list" "${@/#//usr/src/mwan-$VERSION/}"
	result $? "mwan-dkms: dkms.conf, Kbuild and the module's sources in /usr/src/mwan-$VERSION"
	dpkg-deb -e "$DKMS_DEB" "$tmp/dkms.ctl"
	grep -q '^DKMS_NAME=mwan$' "$tmp/dkms.ctl/postinst" &&
		dpkg-deb -f "$DKMS_DEB" Depends | grep -q '\bdkms\b'
	result $? "mwan-dkms: depends on dkms, its postinst adds mwan to it"

	# lintian warns about running as root, on stderr
	(cd "$tmp/deb" && lintian -I --pedantic --fail-on error,warning,info,pedantic \
		./*.changes) >"$tmp/lintian.log" 2>"$tmp/lintian.err"
	rc=$?
	comment "$tmp/lintian.log"
	[ $rc = 0 ] && [ ! -s "$tmp/lintian.log" ]
	result $? "lintian -I --pedantic: no tags (overrides explained in debian/)" ||
		comment "$tmp/lintian.err"
}

# DKMS in scratch trees: the module source as the package installs it.
check_dkms() {
	local rel=$1 s=$tmp/dkms ko mod
	mkdir -p "$s/root" "$s/tree" "$s/lib/$rel"
	dpkg -x "$DKMS_DEB" "$s/root"
	dk() {
		# a scratch signing key, where dkms would make /var/lib/dkms/mok.*
		mok_signing_key=$s/mok.key mok_certificate=$s/mok.pub \
			dkms "$@" --dkmstree "$s/tree" \
			--sourcetree "$s/root/usr/src" --installtree "$s/lib" \
			--kernelsourcedir "/usr/src/linux-headers-$rel" -k "$rel"
	}
	dk add "mwan/$VERSION" >"$s/log" 2>&1
	result $? "dkms add mwan/$VERSION (the mwan-dkms package's source)" ||
		comment "$s/log"
	dk build "mwan/$VERSION" >"$s/log" 2>&1
	result $? "dkms build for kernel $rel" || {
		comment "$s/log"
		comment "$s/tree/mwan/$VERSION/build/make.log" 2>/dev/null
	}
	dk install --no-depmod "mwan/$VERSION" >"$s/log" 2>&1
	result $? "dkms install for kernel $rel" || comment "$s/log"
	ko=$s/lib/$rel/updates/dkms/mwan.ko
	mod=$(modinfo -F vermagic "$ko" 2>&1)
	echo "# $ko: vermagic $mod"
	[ "${mod%% *}" = "$rel" ]
	result $? "the installed module's vermagic is the headers' kernel's, $rel"
	dk status >"$s/status" 2>&1
	comment "$s/status"
	grep -q "^mwan/$VERSION, $rel, x86_64: installed" "$s/status"
	result $? "dkms status: installed for $rel"
	[ -f "$ko" ] && cp "$ko" "$tmp/mwan.ko"
	dk remove --no-depmod "mwan/$VERSION" >"$s/log" 2>&1 &&
		[ ! -e "$ko" ] && [ ! -e "$s/tree/mwan/$VERSION" ]
	result $? "dkms remove takes it away" || comment "$s/log"
}

main() {
	local rel
	if [ "${1:-}" = --current ]; then
		[ -s "$OUT/state" ] && [ "$(cat "$OUT/state")" = "$(tree_state)" ]
		exit
	fi
	echo "KTAP version 1"
	if [ "$(id -u)" != 0 ]; then
		echo "ok 1 packages # SKIP needs root"
		echo "1..1"
		exit 0
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	rel=$(kernel_release)
	timed check_install
	check_versions
	timed check_debs || finish
	timed check_dkms "$rel"
	if [ -f "$tmp/mwan.ko" ]; then
		rm -rf "$OUT"
		mkdir -p "$OUT"
		cp "$MWAN_DEB" "$DKMS_DEB" "$tmp/mwan.ko" "$OUT/"
		echo "$rel" >"$OUT/kernel"
		tree_state >"$OUT/state"
		echo "# for mwan_package.sh: $(cd "$OUT" && echo *)"
	fi
	finish
}

main "$@"
