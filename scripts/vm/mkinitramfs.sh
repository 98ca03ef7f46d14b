#!/usr/bin/env bash
# Builds the initramfs parts of the `make vmtest` guests. The kernel unpacks
# concatenated cpio archives one after the other, so the guest's initramfs is
# the common part followed by one kernel's modules.
#
#   mkinitramfs.sh common OUT.cpio
#       busybox (static), scripts/vm/init as /init, the tools the guest tests
#       use and every shared library they link (ldd), the sixpn binaries and
#       the guest tests; writes the list of tests beside OUT (OUT.tests).
#   mkinitramfs.sh modules MODULES_DIR OUT.cpio
#       the modules of scripts/vm/modules.list and their dependencies, from
#       MODULES_DIR (an unpacked .../lib/modules/RELEASE), uncompressed, with their load order
#       (/vmtest/modules.order).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

# Tools of the guest tests (selftests/vm/lib.sh says which they may use).
# Busybox provides the rest (awk, sed, grep, timeout, insmod, ...); dash is /bin/sh.
# xdp-loader: an operator's own XDP program beside sixpn's (libxdp).
GUEST_TOOLS=(ip tc nsenter ping socat xdp-loader)

die() { echo "mkinitramfs: $*" >&2; exit 1; }

is_elf() { [ "$(head -c 4 "$1" | tr -d '\0' | tail -c 3)" = ELF ]; }

# put SRC DEST: SRC at DEST inside the staging tree (DEST is absolute).
put() {
	mkdir -p "$STAGE$(dirname "$2")"
	cp -L "$1" "$STAGE$2"
}

# put_elf SRC DEST: an executable and every library it links, the libraries
# at the paths the dynamic loader looks them up at.
put_elf() {
	local lib
	put "$1" "$2"
	is_elf "$1" || return 0
	while read -r lib; do
		[ -e "$STAGE$lib" ] || put "$lib" "$lib"
	done < <(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

cpio_out() {
	(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$1.tmp"
	mv "$1.tmp" "$1"
}

common() {
	local out=$1 t tool path tests=()
	command -v busybox >/dev/null || die "busybox missing (apt-get install busybox-static)"
	is_elf "$(command -v busybox)" && ldd "$(command -v busybox)" >/dev/null 2>&1 &&
		die "$(command -v busybox) is not static: install busybox-static"
	put "$(command -v busybox)" /bin/busybox
	# Busybox's sh runs its own applets before PATH (its `ip` lacks netns):
	# the tests' /bin/sh is dash, as on the host.
	put_elf "$(command -v dash)" /bin/sh
	put "$ROOT/scripts/vm/init" /init
	chmod 755 "$STAGE/init"
	mkdir -p "$STAGE"/{dev,proc,sys,run,tmp,root,vmtest/modules}
	mknod "$STAGE/dev/console" c 5 1
	for tool in "${GUEST_TOOLS[@]}"; do
		path=$(command -v "$tool") || die "$tool missing on the host (scripts/install-deps.sh)"
		put_elf "$path" "$path"
	done

	# The sixpn side: the loader, sixpnctl (counters), packet replay inputs
	# (every build/selftests/*.txt) and BPF objects a test may open itself.
	for path in sixpn-attach sixpnctl selftests/packets.txt; do
		[ -e "$BUILD/$path" ] || die "$BUILD/$path missing: run make all $BUILD/selftests/packets.txt"
	done
	put_elf "$BUILD/sixpn-attach" /sixpn/build/sixpn-attach
	put_elf "$BUILD/sixpnctl" /sixpn/build/sixpnctl
	# libxdp (shared) loads its dispatcher from a file of libxdp1.
	path=$(pkg-config --variable=libdir libxdp 2>/dev/null)/bpf/xdp-dispatcher.o
	[ -f "$path" ] || die "$path missing (libxdp1, scripts/install-deps.sh)"
	put "$path" "$path"
	[ -x "$BUILD/selftests/xdp_count_read" ] &&
		put_elf "$BUILD/selftests/xdp_count_read" /sixpn/build/selftests/xdp_count_read
	for t in "$BUILD"/selftests/*.txt "$BUILD"/selftests/progs/*.bpf.o; do
		[ -f "$t" ] && put "$t" "/sixpn/build/${t#"$BUILD"/}"
	done
	# Every packet-replay binary (they need only BPF), then the guest tests.
	for t in "$BUILD"/selftests/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		put_elf "$t" "/sixpn/build/selftests/${t##*/}"
		tests+=("build/selftests/${t##*/}")
	done
	for t in "$ROOT"/selftests/vm/*; do
		put "$t" "/sixpn/selftests/vm/${t##*/}"
		case "${t##*/}" in test_*.sh) [ -x "$t" ] && tests+=("selftests/vm/${t##*/}") ;; esac
	done
	# The guest tests' TAP library and veth helper (POSIX sh, like them).
	put "$ROOT/selftests/lib/tap.sh" /sixpn/selftests/lib/tap.sh
	put "$ROOT/selftests/lib/veth.sh" /sixpn/selftests/lib/veth.sh
	[ ${#tests[@]} -gt 0 ] || die "no guest test found"
	printf '%s\n' "${tests[@]}" >"$STAGE/vmtest/tests"
	cp "$STAGE/vmtest/tests" "$out.tests"
	cpio_out "$out"
}

# The packages ship modules.order and modules.builtin but no modules.dep
# (depmod runs at install time): dependencies come from each module's own
# modinfo `depends=` field instead.

# mod_path NAME: NAME's file under MODDIR, compressed or not; empty if none.
mod_path() {
	local p
	p=$(awk -v n="$1" '{ b = $0; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print; exit } }' "$MODDIR/modules.order")
	[ -n "$p" ] || return 0
	p=${p%.xz} p=${p%.zst} p=${p%.gz}
	for p in "$p" "$p.xz" "$p.zst" "$p.gz"; do
		[ -f "$MODDIR/$p" ] && { echo "$p"; return 0; }
	done
}

# unpack MODPATH OUT: the module, uncompressed (busybox insmod reads plain ELF).
unpack() {
	case "$1" in
	*.xz) xz -dc "$MODDIR/$1" ;;
	*.zst) zstd -qdc "$MODDIR/$1" ;;
	*.gz) gzip -dc "$MODDIR/$1" ;;
	*) cat "$MODDIR/$1" ;;
	esac >"$2"
}

# load NAME: unpacks NAME into the stage after its dependencies, recorded in
# load order.
load() {
	local name=${1//-/_} path ko d
	case " ${ORDER[*]} " in *" $name "*) return 0 ;; esac
	path=$(mod_path "$name")
	if [ -z "$path" ]; then
		grep -Eq "/${name//_/[-_]}\.ko" "$MODDIR/modules.builtin" 2>/dev/null &&
			{ echo "mkinitramfs: $RELEASE: $name is built in"; return 0; }
		die "$RELEASE: module $name is neither a module nor built in"
	fi
	ko="$STAGE/vmtest/modules/$name.ko"
	unpack "$path" "$ko"
	for d in $(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		load "$d"
	done
	ORDER+=("$name")
	echo "$name.ko" >>"$STAGE/vmtest/modules.order"
}

modules() {
	local out=$2 name
	MODDIR=$1
	RELEASE=${MODDIR##*/}
	[ -f "$MODDIR/modules.order" ] || die "no modules.order in $MODDIR"
	ORDER=()
	mkdir -p "$STAGE/vmtest/modules"
	: >"$STAGE/vmtest/modules.order"
	for name in $(sed 's/#.*//' "$ROOT/scripts/vm/modules.list"); do
		load "$name"
	done
	cpio_out "$out"
}

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
case "${1:-}" in
common) [ $# -eq 2 ] || die "usage: $0 common OUT.cpio"; common "$2" ;;
modules) [ $# -eq 3 ] || die "usage: $0 modules MODULES_DIR OUT.cpio"; modules "$2" "$3" ;;
*) die "usage: $0 common OUT.cpio | modules MODULES_DIR OUT.cpio" ;;
esac
