#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: kernel-log-check.sh [LOG...]      scan kernel logs (stdin if none)
#        kernel-log-check.sh --patterns    print the patterns (grep -E, one a line)
#
# The kernel-log scanner of both test lanes (selftests/run.sh after each
# test, scripts/check-debug.sh over a whole boot of the debug kernel): finds
# what the kernel and its checkers report - KASAN, UBSAN, lockdep, RCU,
# kmemleak, BUG, WARNING, sleeping in atomic context, oopses, stalls,
# leaks. Prints every report with the 5 lines before it and the 40 after
# (a KASAN or lockdep report is about that long) and exits 1 if there is
# any, else prints nothing and exits 0.
set -eu

# One extended regular expression (GNU grep -E) a line. The only list.
patterns() {
	cat <<-'EOF'
	\bBUG\b
	WARNING:
	\bOops\b
	general protection
	Kernel panic
	KASAN
	UBSAN
	sleeping function called from invalid context
	INFO: trying to register non-static key
	RCU stall
	detected stalls?\b
	kthread starved for
	blocked for more than
	refcount_t
	list_(add|del) corruption
	unregister_netdevice: waiting for
	leak
	unreferenced object 0x
	EOF
}

# Lines that match a pattern above but report nothing wrong.
benign() {
	cat <<-'EOF'
	kmemleak: Kernel memory leak detector initialized
	kmemleak: Automatic memory scanning thread started
	kmemleak: Automatic memory scanning thread ended
	RCU CPU stall warnings timeout set to
	EOF
}

case ${1:-} in
--patterns) patterns; exit 0 ;;
--benign) benign; exit 0 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
patterns >"$tmp/pat"
benign >"$tmp/ok"
cat "$@" | tr -d '\r' >"$tmp/log"
grep -nE -f "$tmp/pat" "$tmp/log" | grep -vE -f "$tmp/ok" | cut -d: -f1 >"$tmp/hits" || :
[ -s "$tmp/hits" ] || exit 0
# Lines [hit - 5, hit + 40] of every hit, merged; at most 600 lines.
awk -v hits="$tmp/hits" '
	BEGIN {
		while ((getline h < hits) > 0)
			for (i = (h > 5 ? h - 5 : 1); i <= h + 40; i++)
				show[i] = 1
	}
	NR in show {
		if (last && NR != last + 1) print "[...]"
		last = NR
		if (printed++ < 600) print
	}
	END { if (printed > 600) print "[... " printed - 600 " more lines]" }' "$tmp/log"
exit 1
