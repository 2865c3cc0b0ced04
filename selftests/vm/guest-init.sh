#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the bench guest (see run-vm.sh), in the host's root seen through
# a tmpfs overlay. Mounts what tests need, makes the modules of the booted
# kernel and the freshly built ones modprobe-able, runs the guest script,
# leaves its status in the run folder shared with the host and powers off.
#
# Input, from the kernel command line: vmscript=<path>. From the run
# folder (9p tag vmio): args and env (one per line), cwd, modroot. Paths are the
# host's: the guest sees the host's files at the same place.
set -u

IO=/run/vmio
# shellcheck disable=SC2154 # set by the kernel from its command line
SCRIPT=$vmscript
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# PID 1 must not exit (that panics); start the sleep before powering off,
# as executables cannot be loaded anymore once the devices shut down.
power_off() {
	sync
	sleep 60 &
	echo o >/proc/sysrq-trigger
	wait
}

mount_fs() {
	mount -t tmpfs -o mode=755 tmpfs /run
	mkdir -p "$IO" /run/netns /dev/pts /dev/shm
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmio "$IO"
	mount -t devpts -o ptmxmode=666 devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null
	# What udev would add to devtmpfs; bash's <(...) needs /dev/fd.
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	return 0
}

# The modules of the booted kernel over /lib/modules: the tree the host
# prepared (with the freshly built modules and depmod's indexes, see
# run-vm.sh), so that modprobe and the kernel's own request_module()
# (MODULE_ALIAS_*) find them by name.
setup_modules() {
	n=0
	# The host may still be running depmod; modroot comes when it is done.
	while [ ! -s "$IO/modroot" ]; do
		n=$((n + 1))
		[ "$n" -le 600 ] || return 1
		sleep 0.1
	done
	mkdir -p /lib/modules
	mount --bind "$(cat "$IO/modroot")/lib/modules" /lib/modules
}

# env -i, then the variables the host passed on, the script, its arguments.
run_script() {
	set --
	while IFS= read -r a; do
		set -- "$@" "$a"
	done <"$IO/env"
	if [ -x "$SCRIPT" ]; then
		set -- "$@" "$SCRIPT"
	else
		set -- "$@" /bin/bash "$SCRIPT"
	fi
	while IFS= read -r a; do
		set -- "$@" "$a"
	done <"$IO/args"
	cd "$(cat "$IO/cwd")" 2>/dev/null || cd /
	# A clean environment: nothing of the kernel command line leaks in.
	# LANG=C: a program then opens no locale files, which under the debug
	# kernel saves each a tenth of a second or more (Python stays in
	# UTF-8 mode in the C locale).
	env -i PATH="$PATH" HOME=/root TERM=dumb LANG=C "$@" </dev/null
}

main() {
	mount_fs
	# From here on everything goes to the host, live.
	exec >>"$IO/out" 2>&1
	hostname mwan-vm
	ip link set lo up
	rc=1
	if setup_modules; then
		run_script
		rc=$?
	else
		echo "guest-init: module setup failed"
	fi
	echo "$rc" >"$IO/status"
	power_off
}

main
