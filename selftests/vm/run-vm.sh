#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: run-vm.sh [--timeout SECONDS] GUEST-SCRIPT [ARGS...]
#
# Run GUEST-SCRIPT as root in a throwaway VM: Debian's kernel matching the
# installed headers (unpacked by scripts/deps.sh) under QEMU/TCG, with the
# host's root as its root, read-only over 9p under a tmpfs overlay. The
# script's output is streamed here live; run-vm.sh exits with its status
# (124 if the time limit killed the guest, 1 if the guest died early).
#
# Environment:
#   VM_TIMEOUT  seconds before the guest is killed (default 900)
#   VM_CPUS     vCPUs (default 1, see run_qemu)   VM_MEM  MiB (default 1536)
#   VM_MODULES  .ko files to make modprobe-able in the guest
#               (default: mwan.ko at the top of the tree, if built)
#   VM_KEEP=1   keep the run folder (output, kernel console log)
#   VM_QEMU_OPTS  more QEMU options, e.g. "-icount shift=2,sleep=off" for
#               repeatable guest-time benchmarks
#   KSFT_*, MWAN_*  passed on to the guest script's environment
#   VM_KREL     boot $VM_CACHE/<VM_KREL> (boot/vmlinuz-<rel>, lib/modules/<rel>)
#               instead of Debian's kernel, e.g. the debug kernel of
#               scripts/debug-kernel.sh, which has what the initramfs
#               needs built in
#   VM_CONSOLE  copy the kernel console log to this file at the end
#   VM_APPEND   more kernel command line, e.g. "kmemleak=off"
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
VM_CACHE=/var/cache/mwan-vm
# Modules the initramfs needs to reach the 9p shares and stack the overlay.
INITRD_MODS="virtio_pci 9pnet_virtio 9p overlay"

log() { echo "run-vm: $*" >&2; }
die() { log "$*"; exit 1; }

kernel_release() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 |
		sed 's,.*/linux-headers-,,'
}

# A tiny initramfs: static busybox, the modules above and initramfs-init.sh
# as /init. Cached per kernel release; rebuilt when missing or older than
# its inputs. Left uncompressed: TCG would spend longer inflating it.
build_initramfs() {
	local initrd=$1 moddir=$2 tmp m
	[ -f "$initrd" ] && [ "$initrd" -nt "$HERE/initramfs-init.sh" ] &&
		[ "$initrd" -nt "$0" ] && return 0
	log "building $initrd"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/lib/modules"
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$HERE/initramfs-init.sh" "$tmp/init"
	chmod 755 "$tmp/init"
	: >"$tmp/modules"	# stays empty if the kernel has them built in
	# shellcheck disable=SC2086 # a list of module names
	for m in $(modprobe -d "$moddir" -S "$rel" --show-depends -a $INITRD_MODS |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
		cp "$m" "$tmp/lib/modules/"
		basename "$m" >>"$tmp/modules"
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet) >"$initrd.$$"
	mv "$initrd.$$" "$initrd"
	rm -rf "$tmp"
}

# The kernel without its self-decompressor: inflating the xz bzImage under
# TCG costs ~3 s per boot, QEMU boots the ELF directly (PVH entry).
extract_vmlinux() {
	local vmlinuz=$1 vmlinux=$2 off
	[ -f "$vmlinux" ] && return 0
	off=$(LC_ALL=C grep -obUaP -m1 '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	log "extracting $vmlinux"
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream >"$vmlinux.$$"
	if [ "$(head -c4 "$vmlinux.$$")" != $'\x7fELF' ]; then
		rm -f "$vmlinux.$$"
		return 1
	fi
	mv "$vmlinux.$$" "$vmlinux"
}

# The modules tree the guest mounts on /lib/modules. Without extra modules:
# the unpacked image's. With: a per-run tree that links to it and adds the
# .ko files in extra/, indexed by the host's depmod (1-3 s here, ~45 s in
# the guest under TCG). Runs while the guest boots; the guest waits for
# the file modroot, written last.
prepare_modules() {
	local src=$kdir/lib/modules/$rel dst=$io/mods/lib/modules/$rel f ko
	local kos=${VM_MODULES-$(ls "$TOP/mwan.ko" 2>/dev/null)} root=$kdir
	if [ -n "$kos" ]; then
		root=$io/mods
		mkdir -p "$dst/extra"
		for f in kernel modules.order modules.builtin modules.builtin.modinfo; do
			ln -s "$src/$f" "$dst/$f"
		done
		for ko in $kos; do
			cp "$ko" "$dst/extra/" || log "cannot copy module $ko"
		done
		depmod -b "$root" "$rel" || log "depmod failed"
	fi
	echo "$root" >"$io/modroot.tmp"
	mv "$io/modroot.tmp" "$io/modroot"
}

# The guest reads its arguments, environment, working folder and modules
# from here. Of the environment only KSFT_* and MWAN_* pass.
prepare_io() {
	local v
	: >"$io/args"
	[ $# -eq 0 ] || printf '%s\n' "$@" >"$io/args"
	: >"$io/env"
	for v in $(compgen -e); do
		case $v in KSFT_* | MWAN_*) printf '%s=%s\n' "$v" "${!v}" >>"$io/env" ;; esac
	done
	pwd >"$io/cwd"
	: >"$io/out"
}

# Measured here (boot, process spawning, python3+scapy, iperf3 over veth):
# - one vCPU: two took 1.5x the wall time and 1.7x the host CPU time;
# - qemu64 rather than max: same boot, 3-5x the veth throughput (the
#   kernel's code paths for the max model's extensions are slow under TCG);
#   +rdrand seeds the kernel's RNG at boot, so getrandom() never waits.
run_qemu() {
	local cmdline="console=ttyS0 panic=-1 mitigations=off tsc=reliable"
	cmdline+=" vminit=$HERE/guest-init.sh vmscript=$script ${VM_APPEND:-}"
	# exec: the background job is timeout itself, which passes signals on.
	# shellcheck disable=SC2086 # VM_QEMU_OPTS is a list of words
	exec timeout -k 5 "${VM_TIMEOUT:-900}" qemu-system-x86_64 \
		-nodefaults -no-user-config -machine pc,accel=tcg -cpu qemu64,+rdrand \
		-smp "${VM_CPUS:-1}" -m "${VM_MEM:-1536}" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "$cmdline" -display none -no-reboot \
		-serial "file:$io/console.log" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$io,mount_tag=vmio,security_model=none" \
		${VM_QEMU_OPTS:-} </dev/null
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "${qpid:-}" ] || kill "$qpid" 2>/dev/null || true
	[ -z "${mpid:-}" ] || kill "$mpid" 2>/dev/null || true
	[ -z "${VM_CONSOLE:-}" ] || cp "$io/console.log" "$VM_CONSOLE" || true
	if [ "${VM_KEEP:-0}" = 1 ]; then
		log "run folder kept: $io"
	else
		rm -rf "$io"
	fi
}

# The script's output goes to a file in the shared run folder (no tty,
# no \r, works with stdin closed); tail follows it until QEMU is gone.
main() {
	local vmrc start=$SECONDS
	if [ "${1:-}" = --timeout ]; then
		VM_TIMEOUT=$2
		shift 2
	fi
	[ $# -ge 1 ] || die "usage: run-vm.sh [--timeout SECONDS] GUEST-SCRIPT [ARGS...]"
	script=$1
	shift
	case $script in
	*/*) script=$(realpath "$script") ;;
	*) script=$(command -v "$script") || die "not found: $1" ;;
	esac
	[ -f "$script" ] || die "no such guest script: $script"
	case $script$HERE in
	*[[:space:]]*) die "paths on the kernel command line cannot hold spaces" ;;
	esac

	rel=${VM_KREL:-$(kernel_release)}
	kdir=$VM_CACHE/$rel
	[ -f "$kdir/boot/vmlinuz-$rel" ] || die "no kernel in $kdir: run scripts/deps.sh"
	kernel=$kdir/vmlinux
	extract_vmlinux "$kdir/boot/vmlinuz-$rel" "$kernel" ||
		kernel=$kdir/boot/vmlinuz-$rel
	initrd=$kdir/initramfs.cpio
	build_initramfs "$initrd" "$kdir"

	io=$(mktemp -d /tmp/mwan-vm.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	prepare_io "$@"

	prepare_modules &
	mpid=$!
	run_qemu &
	qpid=$!
	# Both in the background: wait, unlike a foreground child, lets a
	# signal's trap run at once (and kill QEMU).
	tail -n +1 -s 0.2 --pid="$qpid" -f "$io/out" &
	wait $!
	vmrc=0
	wait "$qpid" || vmrc=$?
	qpid=
	wait "$mpid" || true
	mpid=

	if [ -s "$io/status" ]; then
		vmrc=$(cat "$io/status")
		log "guest exit status $vmrc after $((SECONDS - start)) s"
		exit "$vmrc"
	fi
	if [ "$vmrc" = 124 ] || [ "$vmrc" = 137 ]; then
		log "guest killed after ${VM_TIMEOUT:-900} s"
	else
		log "guest died without a status (qemu: $vmrc)"
		vmrc=1
	fi
	log "last kernel messages:"
	tail -n 40 "$io/console.log" >&2
	exit "$vmrc"
}

main "$@"
