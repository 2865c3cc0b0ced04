# SPDX-License-Identifier: GPL-2.0
#
# make            build mwan.ko against the installed kernel headers, and the tools
# make check      unit tests on the host, the config parser fuzzed (make
#                 fuzz), then the selftests inside a VM
# make fuzz       the config file parser under libFuzzer, ASan and UBSan, for
#                 FUZZ_SECONDS (default 60) from the corpus in the tree
#                 (scripts/fuzz.sh; a failing input is kept in build/fuzz/)
# make check-debug  the selftests again, on a debug kernel (KASAN, kmemleak,
#                 lockdep, UBSAN), built once and cached (scripts/check-debug.sh)
# make check-32bit  mwan.ko for 32-bit big-endian MIPS with -Werror, against
#                 a kernel tree prepared once and cached (scripts/cross-build.sh)
# make bench      cost per packet and per connection of mwan against plain
#                 forwarding, nftables and iptables, side by side in a VM with
#                 -icount (selftests/bench/bench.sh; table in build/bench/)
# make bench-smoke  one short round of it, to keep the harness working (CI)
# make deps       install what building and testing need (Debian 12, as root)
# make demo       mwan at work in a VM: a router with three shaped uplinks
#                 (Starlink-, DSL- and LTE-like), mwan-agent, LAN clients;
#                 one uplink fails and comes back (selftests/demo.sh, which
#                 selftests/mwan_demo.sh checks); as root, in ~2 minutes

KERNELRELEASE ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 | sed 's,.*/linux-headers-,,')
KDIR ?= /usr/src/linux-headers-$(KERNELRELEASE)

all: module user

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user:
	$(MAKE) -C user

unit:
	$(MAKE) -C selftests/unit

deps:
	scripts/deps.sh

check: deps
	$(MAKE) module user
	scripts/check.sh

fuzz: deps
	scripts/check.sh fuzz

check-debug: deps
	$(MAKE) user
	scripts/check-debug.sh

check-32bit: deps
	scripts/cross-build.sh

bench: deps
	$(MAKE) module user
	selftests/bench/bench.sh

bench-smoke: deps
	$(MAKE) module user
	selftests/bench/bench.sh --smoke

demo:
	@echo "make demo: installing what it needs (scripts/deps.sh)"
	@scripts/deps.sh
	@echo "make demo: building mwan.ko, mwan-agent and mwanctl"
	@$(MAKE) -s module user
	@echo "make demo: booting the VM (selftests/vm/run-vm.sh)"
	@selftests/vm/run-vm.sh selftests/demo.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C user clean
	$(MAKE) -C selftests/unit clean

.PHONY: all module user unit deps check fuzz check-debug check-32bit bench bench-smoke demo clean
