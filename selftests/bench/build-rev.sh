#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: build-rev.sh REV DIR
#
# Build mwan.ko and mwanctl as they were at git revision REV, for make
# bench to set them against this tree's: DIR/mwan.ko, DIR/mwanctl. The
# revision's own mwanctl goes with its module, as the netlink API may have
# changed in between. Sources come from git (git archive), not from the
# working tree, and the result is kept: a second call for the same commit
# costs nothing.
#
#   KDIR    kernel build tree (default: the newest installed headers, as
#           the top Makefile picks them)
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)

main() {
	local rev=$1 dir=$2 commit src
	commit=$(git -C "$TOP" rev-parse --verify "$rev^{commit}")
	if [ -f "$dir/mwan.ko" ] && [ -x "$dir/mwanctl" ] &&
		[ "$(cat "$dir/commit" 2>/dev/null)" = "$commit" ]; then
		return 0
	fi
	rm -rf "$dir"
	src=$dir/src
	mkdir -p "$src"
	git -C "$TOP" archive "$commit" | tar -x -C "$src"
	# The top Makefile finds the headers and passes KDIR on; quiet, as
	# these are not the tree under test.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$src" ${KDIR:+KDIR="$KDIR"} module user >/dev/null
	cp "$src/mwan.ko" "$src/user/mwanctl/mwanctl" "$dir/"
	echo "$commit" >"$dir/commit"
	rm -rf "$src"
}

[ $# -eq 2 ] || { echo "usage: build-rev.sh REV DIR" >&2; exit 2; }
main "$@"
