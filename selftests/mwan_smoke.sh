#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the bench itself: the freshly built mwan.ko loads, both on
# demand (first use of its generic netlink family) and by modprobe, and
# two namespaces joined by a veth pair reach each other.
#
#   $NS1 veth0 10.99.0.1/24 ---- veth0 10.99.0.2/24 $NS2

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

rc=0

checktool "ip -Version" "needs iproute2"
checktool "ping -V" "needs ping"

# The kernel loads the module by itself on the first lookup of the family
# "mwan" (MODULE_ALIAS_GENL_FAMILY). Only testable while it is not loaded.
check_autoload() {
	if [ -d /sys/module/mwan ]; then
		echo "PASS: (mwan already loaded, autoload not checked)"
		return
	fi
	if genl ctrl get name mwan >/dev/null 2>&1 && [ -d /sys/module/mwan ]; then
		echo "PASS: genl family mwan loads the module on demand"
	else
		echo "FAIL: genl family mwan did not load the module"
		rc=1
	fi
}

check_modprobe() {
	if modprobe mwan && [ -d /sys/module/mwan ]; then
		echo "PASS: modprobe mwan"
	else
		echo "FAIL: modprobe mwan (is mwan.ko built? make module)"
		rc=1
	fi
}

check_ping() {
	setup_ns NS1 NS2 || exit $?
	ip link add veth0 netns "$NS1" type veth peer name veth0 netns "$NS2"
	ip -n "$NS1" addr add 10.99.0.1/24 dev veth0
	ip -n "$NS2" addr add 10.99.0.2/24 dev veth0
	ip -n "$NS1" link set veth0 up
	ip -n "$NS2" link set veth0 up
	if in_ns "$NS1" ping -c 1 -W 5 10.99.0.2 >/dev/null; then
		echo "PASS: ping across a veth pair between namespaces"
	else
		echo "FAIL: ping across a veth pair between namespaces"
		rc=1
	fi
	cleanup_all_ns
}

check_unload() {
	if modprobe -r mwan && [ ! -d /sys/module/mwan ]; then
		echo "PASS: mwan unloads"
	else
		echo "FAIL: mwan does not unload"
		rc=1
	fi
}

check_autoload
check_modprobe
check_ping
check_unload
exit $rc
