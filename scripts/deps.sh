#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing mwan need on Debian 12 (run as root).
# Idempotent and quick when everything is there already:
#   - Debian packages for the build, the tests and the QEMU bench;
#   - the kernel image matching the installed headers, extracted (not
#     installed: the host kernel cannot load modules anyway) into
#     /var/cache/mwan-vm/<rel>/, with depmod run over it, for
#     selftests/vm/run-vm.sh to boot.
set -eu

# The unit tests also run for 32-bit big-endian MIPS under qemu-user; the
# kernel lanes' build tools are here too, so that scripts/debug-kernel.sh
# and scripts/cross-build.sh, which CI starts side by side, need no apt.
# The config fuzzer (scripts/fuzz.sh) needs clang's libFuzzer, which in
# Debian 12 is libclang-rt-14-dev (clang only recommends it), and llvm's
# llvm-symbolizer for readable sanitizer reports; scripts/verify-units.sh
# systemd-analyze.
# mwanctl flows reads conntrack with libnetfilter_conntrack.
# scripts/check-packages.sh builds the Debian packages (debhelper, dh-dkms
# for dh_dkms), checks them with lintian, and builds the module through
# dkms.
PKGS="gcc make pkg-config kmod cpio xz-utils linux-headers-amd64 libmnl-dev
	qemu-system-x86 busybox-static
	iproute2 iputils-ping nftables iptables conntrack
	python3 python3-scapy iperf3 socat ncat tcpdump procps wireguard-tools
	gcc-mips-linux-gnu libc6-dev-mips-cross qemu-user-static
	bc flex bison libelf-dev libssl-dev dpkg-dev util-linux file
	clang libclang-rt-14-dev llvm systemd
	libnetfilter-conntrack-dev
	debhelper dh-dkms dkms lintian"
VM_CACHE=/var/cache/mwan-vm
# promtool, which checks mwanctl's Prometheus metrics (mwan_metrics.sh),
# taken out of Debian's prometheus package rather than installing it: that
# would enable a Prometheus server on this machine.
PROMTOOL=/var/cache/mwan-tools/promtool

log() { echo "deps: $*"; }

missing_pkgs() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

apt_install() {
	# apt-get update only when something is to be installed: it is the slow part.
	log "installing: $*"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@"
}

# Newest installed headers decide the kernel we build for and boot; never
# hard-code the release, the archive moves on.
kernel_release() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 |
		sed 's,.*/linux-headers-,,'
}

# Fetch linux-image-<rel> and unpack it into $VM_CACHE/<rel>. Built in a
# temporary folder and renamed at the end, so an interrupted run leaves
# no half tree that later runs would take for complete.
fetch_image() {
	rel=$1
	tmp=$(mktemp -d "$VM_CACHE/.dl.XXXXXX")
	# apt drops privileges to _apt for downloads; let it write there.
	chown _apt "$tmp" 2>/dev/null || true
	log "downloading linux-image-$rel"
	(cd "$tmp" && apt-get download -qq "linux-image-$rel") || {
		rm -rf "$tmp"
		return 1
	}
	dpkg -x "$tmp"/linux-image-"$rel"_*.deb "$tmp/root"
	depmod -b "$tmp/root" "$rel"
	rm -rf "${VM_CACHE:?}/$rel"
	mv "$tmp/root" "$VM_CACHE/$rel"
	rm -rf "$tmp"
	log "kernel image ready in $VM_CACHE/$rel"
}

# promtool alone, out of the package, into $PROMTOOL
fetch_promtool() {
	[ -x "$PROMTOOL" ] && return 0
	mkdir -p "$(dirname "$PROMTOOL")"
	tmp=$(mktemp -d "$(dirname "$PROMTOOL")/.dl.XXXXXX")
	chown _apt "$tmp" 2>/dev/null || true
	log "downloading prometheus for its promtool"
	if (cd "$tmp" && apt-get download -qq prometheus) &&
		dpkg -x "$tmp"/prometheus_*.deb "$tmp/root" &&
		mv "$tmp/root/usr/bin/promtool" "$PROMTOOL"; then
		log "promtool ready in $PROMTOOL"
	fi
	rm -rf "$tmp"
	[ -x "$PROMTOOL" ]
}

image_ready() {
	[ -f "$VM_CACHE/$1/boot/vmlinuz-$1" ] &&
		[ -f "$VM_CACHE/$1/lib/modules/$1/modules.dep.bin" ]
}

main() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: must run as root" >&2
		exit 1
	fi
	pkgs=$(missing_pkgs)
	# shellcheck disable=SC2086 # a list of package names
	[ -z "$pkgs" ] || apt_install $pkgs
	fetch_promtool || {
		apt-get update -qq
		fetch_promtool
	}

	rel=$(kernel_release)
	[ -n "$rel" ] || { echo "deps: no linux-headers-*-amd64" >&2; exit 1; }
	image_ready "$rel" && { log "all present (kernel $rel)"; return 0; }

	mkdir -p "$VM_CACHE"
	if ! fetch_image "$rel"; then
		# Installed headers older than the archive: its image is gone.
		# Move to the current headers; make builds against the newest.
		log "linux-image-$rel not available, updating the headers"
		apt_install linux-headers-amd64
		rel=$(kernel_release)
		fetch_image "$rel"
	fi
}

main "$@"
