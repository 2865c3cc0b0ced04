#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug-kernel.sh [--env]
#
# Build (once) the debug kernel of `make check-debug`: Debian's
# linux-source-6.1, the version of the installed linux-headers-*-amd64,
# configured by `make tinyconfig` + selftests/debug-kernel.config +
# `make olddefconfig`, everything the bench and the selftests need built
# in, with KASAN, kmemleak, lockdep, UBSAN and DEBUG_LIST on.
#
# Cached outside the repo in $MWAN_DEBUG_CACHE (default
# /var/cache/mwan-debug-kernel), one folder per <source version>-<hash of
# the fragment and of this recipe>; a finished folder is left alone, so a
# second run returns at once. An interrupted build resumes where it
# stopped (make is incremental; the ready stamp is written last). A new
# fragment starts from a copy of the last build of the same source, so
# make rebuilds only what the change touches; the two newest builds stay.
#
# In the folder, for the bench and out-of-tree builds:
#   linux/                   the built tree: make -C linux M=... modules
#                            (modules_prepare done, Module.symvers there)
#   linux/arch/x86/boot/bzImage
#   mods/                    the bench's tree for this kernel, like
#                            scripts/deps.sh's for Debian's: lib/modules/<rel>
#                            (make modules_install INSTALL_MOD_PATH=mods)
#                            and boot/vmlinuz-<rel>; linked from
#                            /var/cache/mwan-vm/<rel>, so that
#                            VM_KREL=<rel> selftests/vm/run-vm.sh boots it
#   env                      DEBUG_KDIR= DEBUG_BZIMAGE= DEBUG_KREL=
#                            DEBUG_MODROOT= (shell syntax)
#   build.log, build-seconds
#
# Prints the folder; with --env prints the env file instead.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
FRAGMENT=$TOP/selftests/debug-kernel.config
CACHE=${MWAN_DEBUG_CACHE:-/var/cache/mwan-debug-kernel}
SRCPKG=linux-source-6.1
VM_CACHE=/var/cache/mwan-vm	# the bench's kernels, see scripts/deps.sh
# Bump when the build steps below change in a way that changes the result.
RECIPE=1

log() { echo "debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=scripts/kernel-cache.sh
. "$TOP/scripts/kernel-cache.sh"

# Make the kernel bootable by the bench: /var/cache/mwan-vm/<rel> -> mods/.
bench_tree() {
	eval "$(cat "$1/env")"
	mkdir -p "$DEBUG_MODROOT/boot"
	cmp -s "$DEBUG_BZIMAGE" "$DEBUG_MODROOT/boot/vmlinuz-$DEBUG_KREL" ||
		cp "$DEBUG_BZIMAGE" "$DEBUG_MODROOT/boot/vmlinuz-$DEBUG_KREL"
	[ "$(readlink "$VM_CACHE/$DEBUG_KREL" 2>/dev/null)" = "$DEBUG_MODROOT" ] &&
		return 0
	mkdir -p "$VM_CACHE"
	rm -f "$VM_CACHE/$DEBUG_KREL"
	ln -s "$DEBUG_MODROOT" "$VM_CACHE/$DEBUG_KREL"
}

emit() {
	bench_tree "$1"
	if [ "$want_env" = 1 ]; then
		cat "$1/env"
	else
		echo "$1"
	fi
}

build_deps() {
	install_missing gcc make bc flex bison libelf-dev libssl-dev \
		xz-utils kmod cpio dpkg-dev util-linux
}

# Start from a copy of the newest finished build of source version $1.
seed_from_last() {
	ver=$1 dir=$2
	seed=$(ls -td "$CACHE/$ver"-*/ready 2>/dev/null | head -n1)
	[ -n "$seed" ] || return 1
	seed=${seed%/ready}
	log "starting from a copy of $(basename "$seed")"
	rm -rf "$dir/linux" "$dir/linux.tmp"
	cp -a "$seed/linux" "$dir/linux.tmp" || return 1
	mv "$dir/linux.tmp" "$dir/linux"
	rm -f "$dir/linux/.mwan-fragment"	# reconfigure
	cp "$seed/source-version" "$dir/source-version"
}

configure() {
	src=$1
	log "configuring: tinyconfig + $(basename "$FRAGMENT")"
	make -C "$src" -s tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" \
		"$src/.config" "$FRAGMENT" >/dev/null
	make -C "$src" -s olddefconfig
	check_config "$src/.config"
	cp "$FRAGMENT" "$src/.mwan-fragment"
}

build() {
	dir=$1
	src=$dir/linux
	jobs=$(($(nproc) + 1))
	# Reconfigure only when the tree was not configured by this fragment
	# (a resumed build keeps its objects).
	cmp -s "$FRAGMENT" "$src/.mwan-fragment" 2>/dev/null || configure "$src"
	log "building bzImage and modules with -j$jobs (log: $dir/build.log)"
	t0=$(date +%s)
	if ! make -C "$src" -j"$jobs" bzImage modules >"$dir/build.log" 2>&1 ||
		! make -C "$src" -j"$jobs" modules_prepare >>"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		die "kernel build failed (full log: $dir/build.log)"
	fi
	[ -f "$src/Module.symvers" ] || die "no Module.symvers after the build"
	krel=$(make -C "$src" -s kernelrelease)
	rm -rf "$dir/mods"
	make -C "$src" -s modules_install INSTALL_MOD_PATH="$dir/mods" \
		>>"$dir/build.log" 2>&1
	depmod -b "$dir/mods" "$krel"
	t1=$(date +%s)
	echo $((t1 - t0)) >"$dir/build-seconds"
	cat >"$dir/env" <<-EOF
	DEBUG_KDIR=$src
	DEBUG_BZIMAGE=$src/arch/x86/boot/bzImage
	DEBUG_KREL=$krel
	DEBUG_MODROOT=$dir/mods
	DEBUG_SOURCE_VERSION=$(cat "$dir/source-version")
	EOF
	log "kernel $krel built in $((t1 - t0)) s"
}

main() {
	want_env=0
	[ "${1:-}" = --env ] && want_env=1
	[ -f "$FRAGMENT" ] || die "no $FRAGMENT"
	hash=$(config_hash)

	# Fast path: no apt, no make.
	ver=$(headers_version)
	if [ -n "$ver" ] && ready "$ver"; then
		emit "$CACHE/$ver-$hash"
		return 0
	fi

	[ "$(id -u)" = 0 ] || die "must run as root (apt, $CACHE)"
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9	# one build at a time; the second waits and then hits the cache
	build_deps
	if [ -z "$ver" ] ||
		! apt-cache show "$SRCPKG=$ver" >/dev/null 2>&1; then
		# Headers missing or older than the archive: take its source.
		ver=$(apt-cache policy "$SRCPKG" | awk '/Candidate:/ { print $2 }')
		case $ver in ''|'(none)') die "no $SRCPKG in apt (apt-get update?)" ;; esac
		log "headers' version not in apt, building $SRCPKG $ver"
	fi
	dir=$CACHE/$ver-$hash
	if ready "$ver"; then
		emit "$dir"
		return 0
	fi
	mkdir -p "$dir"
	[ -f "$dir/linux/Makefile" ] && [ -f "$dir/source-version" ] ||
		seed_from_last "$ver" "$dir" ||
		unpack_source "$ver" "$dir" || die "cannot fetch $SRCPKG=$ver"
	build "$dir"
	touch "$dir/ready"
	prune "$dir"
	emit "$dir"
}

main "$@"
