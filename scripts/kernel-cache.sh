# SPDX-License-Identifier: GPL-2.0
#
# What scripts/debug-kernel.sh and scripts/cross-build.sh share: a tree of
# Debian's kernel source, the version of the installed amd64 headers,
# configured from a fragment and cached in a folder per <source
# version>-<hash of the fragment and of the recipe>. Source it after
# setting FRAGMENT, CACHE, SRCPKG, RECIPE and log() (a line to stderr).
# POSIX sh, as they are: its functions share the caller's variables.
#
#   headers_version      the Debian version of the newest installed
#                        linux-headers-*-amd64, or nothing
#   config_hash          the folder's hash of $FRAGMENT and $RECIPE
#   ready VERSION        the folder of VERSION with $hash is finished
#   install_missing PKG...
#                        apt-get install those not installed yet
#   unpack_source VERSION DIR
#                        download $SRCPKG=VERSION, unpack it into DIR/linux
#   prune DIR            keep the newest two finished folders (and DIR)
#   check_config CONFIG  every CONFIG_X=value of $FRAGMENT is in CONFIG

# shellcheck shell=sh disable=SC2154 # $hash is the sourcing script's

headers_version() {
	rel=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V |
		tail -n1 | sed 's,.*/linux-headers-,,')
	[ -n "$rel" ] || return 0
	dpkg-query -W -f='${Version}' "linux-headers-$rel" 2>/dev/null || true
}

config_hash() {
	{ echo "recipe $RECIPE"; cat "$FRAGMENT"; } | sha256sum | cut -c1-12
}

ready() { [ -f "$CACHE/$1-$hash/ready" ]; }

install_missing() {
	pkgs=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || pkgs="$pkgs $p"
	done
	[ -z "$pkgs" ] && return 0
	log "installing:$pkgs"
	apt-get update -qq
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $pkgs >&2
}

unpack_source() {
	ver=$1 dir=$2
	dl=$(mktemp -d "$CACHE/.dl.XXXXXX")
	chown _apt "$dl" 2>/dev/null || true	# apt downloads as _apt
	log "downloading $SRCPKG=$ver"
	(cd "$dl" && apt-get download -qq "$SRCPKG=$ver" >&2) || {
		rm -rf "$dl"
		return 1
	}
	dpkg -x "$dl/${SRCPKG}_"*.deb "$dl/pkg"
	tarball=$(ls "$dl"/pkg/usr/src/linux-source-*.tar.* | head -n1)
	log "unpacking $(basename "$tarball")"
	rm -rf "$dir/linux" "$dir/linux.tmp"
	mkdir -p "$dir/linux.tmp"
	tar -xf "$tarball" -C "$dir/linux.tmp" --strip-components=1
	mv "$dir/linux.tmp" "$dir/linux"
	rm -rf "$dl"
	echo "$ver" >"$dir/source-version"
}

# The newest two stay: one to use, one to seed the next.
prune() {
	ls -td "$CACHE"/*/ready 2>/dev/null | tail -n +3 | while read -r r; do
		[ "${r%/ready}" = "$1" ] && continue
		log "removing the old folder ${r%/ready}"
		rm -rf "${r%/ready}"
	done
}

# A dependency missing from the fragment silently drops an option in
# olddefconfig: each line of the fragment must be in the result.
check_config() {
	bad=$(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$FRAGMENT" | while IFS= read -r l; do
		grep -qxF "$l" "$1" || echo "  want $l, got: $(grep -E "^(# )?${l%%=*}[= ]" "$1" || echo unset)"
	done)
	[ -z "$bad" ] && return 0
	log "the fragment does not apply cleanly:"
	echo "$bad" >&2
	return 1
}
