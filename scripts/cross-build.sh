#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/cross-build.sh [--prepare]   (make check-32bit)
#
# Build mwan.ko for 32-bit big-endian MIPS (OpenWrt's ath79 and friends)
# with warnings as errors, against Debian's linux-source-6.1 (the version
# of the installed linux-headers-*-amd64) configured by malta_defconfig +
# scripts/cross-mips.config + olddefconfig and made ready for
# out-of-tree builds by modules_prepare (no kernel is built). Catches what
# only a 32-bit target sees: 64-bit divisions the kernel has no helper
# for, printk formats of size_t and u64, size and alignment assumptions.
#
# The prepared tree is cached like scripts/debug-kernel.sh's kernel, in
# $MWAN_CROSS_CACHE (default /var/cache/mwan-cross), one folder per
# <source version>-<hash of the fragment and of this recipe>; a finished
# one (its ready stamp) is used as is, the two newest are kept.
#
# The module is built from a copy of the sources (the host build's objects
# stay), prints KTAP-style "ok"/"not ok" lines and "N passed, N failed",
# and exits non-zero on failure. --prepare only prepares the tree (CI
# does that in the background while make check runs).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
FRAGMENT=$TOP/scripts/cross-mips.config
CACHE=${MWAN_CROSS_CACHE:-/var/cache/mwan-cross}
SRCPKG=linux-source-6.1
ARCH=mips
CROSS_COMPILE=mips-linux-gnu-
export ARCH CROSS_COMPILE
# Bump when the preparation below changes in a way that changes the result.
RECIPE=1

log() { echo "cross-build: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=scripts/kernel-cache.sh
. "$TOP/scripts/kernel-cache.sh"

build_deps() {
	install_missing gcc-mips-linux-gnu make bc flex bison libelf-dev \
		libssl-dev xz-utils kmod dpkg-dev file
}

prepare_tree() {
	dir=$1
	src=$dir/linux
	jobs=$(($(nproc) + 1))
	t0=$(date +%s)
	# Explicit checks: main runs this in an "if", where set -e is off.
	log "configuring: malta_defconfig + $(basename "$FRAGMENT")"
	make -C "$src" -s malta_defconfig >/dev/null &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$src" \
			"$src/.config" "$FRAGMENT" >/dev/null &&
		make -C "$src" -s olddefconfig || die "configuring failed"
	check_config "$src/.config" || die "configuring failed"
	log "modules_prepare with -j$jobs (log: $dir/prepare.log)"
	if ! make -C "$src" -j"$jobs" modules_prepare >"$dir/prepare.log" 2>&1; then
		tail -n 40 "$dir/prepare.log" >&2
		die "modules_prepare failed (full log: $dir/prepare.log)"
	fi
	t1=$(date +%s)
	echo $((t1 - t0)) >"$dir/prepare-seconds"
	log "tree prepared in $((t1 - t0)) s"
}

# Print the folder of a prepared tree, preparing it if need be.
tree() {
	[ -f "$FRAGMENT" ] || die "no $FRAGMENT"
	hash=$(config_hash)
	ver=$(headers_version)
	if [ -n "$ver" ] && ready "$ver"; then
		echo "$CACHE/$ver-$hash"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "must run as root (apt, $CACHE)"
	mkdir -p "$CACHE" || die "cannot make $CACHE"
	exec 9>"$CACHE/.lock"
	flock 9	# one preparation at a time; the second then hits the cache
	build_deps || die "cannot install the build tools"
	if [ -z "$ver" ] ||
		! apt-cache show "$SRCPKG=$ver" >/dev/null 2>&1; then
		ver=$(apt-cache policy "$SRCPKG" | awk '/Candidate:/ { print $2 }')
		case $ver in ''|'(none)') die "no $SRCPKG in apt (apt-get update?)" ;; esac
		log "headers' version not in apt, using $SRCPKG $ver"
	fi
	dir=$CACHE/$ver-$hash
	if ! ready "$ver"; then
		mkdir -p "$dir"
		[ -f "$dir/linux/Makefile" ] && [ -f "$dir/source-version" ] ||
			unpack_source "$ver" "$dir" ||
			die "cannot fetch $SRCPKG=$ver"
		prepare_tree "$dir" || die "cannot prepare $dir"
		touch "$dir/ready"
		prune "$dir"
	fi
	exec 9>&-
	echo "$dir"
}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok $((passed + failed)) $*"; }
fail() { failed=$((failed + 1)); echo "not ok $((passed + failed)) $*"; }

# Build mwan.ko from a copy of the sources in $2 against the tree $1.
build_module() {
	kdir=$1 dst=$2
	mkdir -p "$dst"
	(cd "$TOP" && tar -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='.*.cmd' --exclude='*.mod*' Kbuild kmod include) |
		tar -xf - -C "$dst"
	t0=$(date +%s)
	if make -C "$kdir" M="$dst" KCFLAGS=-Werror -j"$(nproc)" modules \
		>"$dst/build.log" 2>&1 && [ -f "$dst/mwan.ko" ]; then
		pass "mwan.ko for 32-bit big-endian MIPS, -Werror ($(($(date +%s) - t0)) s)"
	else
		sed 's/^/# /' "$dst/build.log"
		fail "mwan.ko for 32-bit big-endian MIPS, -Werror"
		return 1
	fi
	# Without the kernel's Module.symvers (modules_prepare builds no
	# vmlinux) modpost only warns about undefined symbols. What 32-bit
	# code gets wrong is calls to libgcc's helpers (__udivdi3 for a
	# 64-bit '/', ...): the kernel exports a few of them, not those.
	have=$(grep -rhoE 'EXPORT_SYMBOL(_GPL)?\(__[a-z0-9]+[sd]i[234]\)' \
		"$kdir/lib" "$kdir/arch/$ARCH/lib" "$kdir/arch/$ARCH/kernel" |
		sed -E 's/.*\((.*)\)/\1/')
	undef=$(${CROSS_COMPILE}nm -u "$dst/mwan.ko" |
		awk '$2 ~ /^__[a-z0-9]+[sd]i[234]$/ { print $2 }' |
		grep -vxF "$have" || true)
	if [ -z "$undef" ]; then
		pass "mwan.ko calls no libgcc helper the kernel lacks (64-bit '/', '%')"
	else
		# shellcheck disable=SC2086 # one line of names
		fail "mwan.ko calls libgcc helpers the kernel lacks:" $undef
	fi
	info=$(file -b "$dst/mwan.ko")
	case $info in
	*'32-bit MSB'*MIPS*) pass "mwan.ko is $info" ;;
	*) fail "mwan.ko is not 32-bit big-endian MIPS: $info" ;;
	esac
}

main() {
	if [ "${1:-}" = --prepare ]; then
		tree >/dev/null
		return 0
	fi
	echo "TAP version 13"
	echo "# cross-build: mwan.ko for MIPS32 big-endian"
	t0=$(date +%s)
	if dir=$(tree); then
		pass "$SRCPKG tree for MIPS32 big-endian ($(cat "$dir/source-version"), prepared in $(cat "$dir/prepare-seconds") s, ready in $(($(date +%s) - t0)) s)"
		work=$(mktemp -d)
		trap 'rm -rf "$work"' EXIT
		build_module "$dir/linux" "$work" || true
	else
		fail "$SRCPKG tree for MIPS32 big-endian"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
