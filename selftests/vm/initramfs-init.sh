#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the bench's initramfs (built by run-vm.sh), run by busybox alone:
# load the virtio, 9p and overlay modules, mount the host's root read-only
# over 9p under a tmpfs overlay (the guest can write anywhere, the host is
# never touched), then switch_root into it, where guest-init.sh (path in
# $vminit, from the kernel command line) carries on as PID 1.
set -eu

die() {
	echo "initramfs: $*" >&2
	# Exiting PID 1 panics; panic=-1 and -no-reboot then stop QEMU.
	exit 1
}

load_modules() {
	# /modules lists them in dependency order (modprobe --show-depends).
	while read -r m; do
		insmod "/lib/modules/$m" || die "insmod $m failed"
	done </modules
}

mount_root() {
	mkdir -p /lower /rw /newroot
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose \
		hostroot /lower || die "cannot mount the host root"
	mount -t tmpfs -o mode=755 tmpfs /rw
	mkdir /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot || die "cannot mount the overlay"
}

/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
load_modules
mount_root
for d in proc sys dev; do
	mount --move "/$d" "/newroot/$d"
done
# switch_root, not chroot: it moves the new root onto / for PID 1 whose fs
# is shared with the kernel threads, so request_module() finds
# /sbin/modprobe and the modules of the new root.
exec switch_root /newroot /bin/sh "${vminit:?no vminit= on the command line}"
