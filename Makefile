# SPDX-License-Identifier: GPL-2.0
#
# make            build mwan.ko against the installed kernel headers, the tools
#                 and the selftests' netlink fuzzer (selftests/nlfuzz)
# make check      unit tests on the host, the config parser fuzzed (make
#                 fuzz), then the selftests inside a VM
# make fuzz       the config file parser under libFuzzer, ASan and UBSan, for
#                 FUZZ_SECONDS (default 60) from the corpus in the tree
#                 (scripts/fuzz.sh; a failing input is kept in build/fuzz/)
# make check-debug  the selftests again, on a debug kernel (KASAN, kmemleak,
#                 lockdep, UBSAN), built once and cached (scripts/check-debug.sh)
# make soak       the long runs CI leaves out: the netlink fuzzer's selftest
#                 (selftests/mwan_nlfuzz.sh) with 300000 messages in the VM,
#                 then 100000 on the debug kernel; unload/reload under
#                 traffic for 10 minutes on each kernel; a million conntrack
#                 entries; the storms of selftests/mwan_storm.sh with 600 s
#                 of flaps; selftests/mwan_interact.sh on the debug kernel
#                 (scripts/soak.sh; an hour and a quarter on two cores:
#                 SOAK_MESSAGES, SOAK_DEBUG_MESSAGES, SOAK_ROBUST_SECONDS,
#                 SOAK_CT_ENTRIES, SOAK_DEBUG_CT_ENTRIES, SOAK_STORM_SECONDS)
# make check-32bit  mwan.ko for 32-bit big-endian MIPS with -Werror, against
#                 a kernel tree prepared once and cached (scripts/cross-build.sh)
# make bench      cost per packet and per connection of mwan, and one TCP
#                 connection's throughput, against plain forwarding,
#                 nftables and iptables, side by side in a VM with
#                 -icount (selftests/bench/bench.sh; table in build/bench/)
# make bench-scale  mwan's cost as links, rules and conntrack entries grow,
#                 and its control path's timings (BENCH_PARTS="scale
#                 control" make bench; docs/bench.md)
# make bench-failover  failover times of the agent's default profile and of
#                 mwan3's default and tuned ones (failover.sh; 15 minutes)
# make bench-smoke  one short round of it, to keep the harness working (CI)
# make deps       install what building and testing need (Debian 12, as root)
# make install    mwanctl, mwan-agent, their man pages, bash completion and
#                 systemd unit, and /etc/mwan/mwan.conf unless there is one
#                 (DESTDIR, PREFIX, SBINDIR, MANDIR, SYSCONFDIR, UNITDIR,
#                 BASHCOMPDIR: see README.md, Build and install)
# make install-dkms  the module's source for DKMS, in $(DKMSDIR)
# make demo       mwan at work in a VM: a router with three shaped uplinks
#                 (Starlink-, DSL- and LTE-like), mwan-agent, LAN clients;
#                 one uplink fails and comes back (selftests/demo.sh, which
#                 selftests/mwan_demo.sh checks); as root, in ~2 minutes

KERNELRELEASE ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1 | sed 's,.*/linux-headers-,,')
KDIR ?= /usr/src/linux-headers-$(KERNELRELEASE)

VERSION := 0.1

DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
# Debian 12's place; /etc/systemd/system for a unit of the admin's own
UNITDIR ?= /lib/systemd/system
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DKMSDIR ?= /usr/src/mwan-$(VERSION)

# What DKMS needs to build mwan.ko: Kbuild and the sources it names
DKMS_FILES := Kbuild dkms.conf include/uapi/linux/mwan.h \
	      $(wildcard kmod/*.c kmod/*.h)

all: module user selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user:
	$(MAKE) -C user

unit:
	$(MAKE) -C selftests/unit

selftests:
	$(MAKE) -C selftests

deps:
	scripts/deps.sh

check: deps
	$(MAKE) module user selftests
	scripts/check.sh

fuzz: deps
	scripts/check.sh fuzz

check-debug: deps
	$(MAKE) user selftests
	scripts/check-debug.sh

soak: deps
	$(MAKE) module user selftests
	scripts/soak.sh

check-32bit: deps
	scripts/cross-build.sh

bench: deps
	$(MAKE) module user
	selftests/bench/bench.sh

bench-scale: deps
	$(MAKE) module user
	BENCH_PARTS="scale control" selftests/bench/bench.sh

bench-failover: deps
	$(MAKE) module user
	BENCH_PARTS=failover selftests/bench/bench.sh

bench-smoke: deps
	$(MAKE) module user
	selftests/bench/bench.sh --smoke

# The unit names /usr/sbin/mwan-agent, which reads /etc/mwan/mwan.conf:
# another SBINDIR or SYSCONFDIR goes into its command line. The config
# file is the admin's once there: never overwritten.
UNIT_CONF := $(if $(filter-out /etc,$(SYSCONFDIR)), -c $(SYSCONFDIR)/mwan/mwan.conf)
install: user
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/mwan/hooks.d
	install -m 755 user/mwanctl/mwanctl user/agent/mwan-agent \
		$(DESTDIR)$(SBINDIR)/
	install -m 644 docs/mwan.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 docs/mwan-agent.8 docs/mwanctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 user/mwanctl/mwanctl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/mwanctl
	sed 's,^ExecStart=/usr/sbin/mwan-agent$$,ExecStart=$(SBINDIR)/mwan-agent$(UNIT_CONF),' \
		packaging/systemd/mwan-agent.service \
		>$(DESTDIR)$(UNITDIR)/mwan-agent.service
	chmod 644 $(DESTDIR)$(UNITDIR)/mwan-agent.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mwan/mwan.conf ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/mwan/mwan.conf;" \
		     "the example is packaging/mwan.conf"; \
	else \
		echo install -m 644 packaging/mwan.conf \
			$(DESTDIR)$(SYSCONFDIR)/mwan/mwan.conf; \
		install -m 644 packaging/mwan.conf \
			$(DESTDIR)$(SYSCONFDIR)/mwan/mwan.conf; \
	fi

install-dkms:
	for f in $(DKMS_FILES); do \
		install -D -m 644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; \
	done

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
	$(MAKE) -C selftests clean

.PHONY: all module user unit selftests deps check fuzz check-debug soak check-32bit bench bench-scale bench-failover bench-smoke \
	demo install install-dkms clean
