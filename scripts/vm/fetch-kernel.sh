#!/usr/bin/env bash
# fetch-kernel.sh NAME: makes kernel NAME of scripts/vm/kernels.conf ready to
# boot, from Debian's packages, without touching the host's boot setup or
# its apt sources: apt runs on a private sources list and state under
# $VM_DIR/apt/, the package is downloaded (never installed) and unpacked
# under $VM_DIR/kernels/NAME/:
#   vmlinuz        the kernel
#   release        its `uname -r`
#   package        the Debian package and version it came from
#   modules.cpio   the modules the guest tests need (scripts/vm/mkinitramfs.sh)
# A kernel already fetched is reused without any network access (the .deb is
# not kept); set VMTEST_REFRESH=1 to look for a newer package.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM_DIR=${VM_DIR:-$ROOT/build/vm}
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${VMTEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "fetch-kernel: $*" >&2; exit 1; }

name=${1:?usage: fetch-kernel.sh NAME}
read -r _ suites pattern _ < <(awk -v n="$name" '$1 == n' "$ROOT/scripts/vm/kernels.conf") ||
	die "no kernel '$name' in scripts/vm/kernels.conf"
dir=$VM_DIR/kernels/$name
mkdir -p "$dir"

# apt on a private sources list: the suites of this kernel only.
aptdir=$VM_DIR/apt/${suites//,/+}
APT=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
     -o APT::Sandbox::User=root -q)

apt_setup() {
	local s
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	for s in ${suites//,/ }; do
		case "$s" in
		*-security) echo "deb $SECURITY_MIRROR $s main" ;;
		*) echo "deb $MIRROR $s main" ;;
		esac
	done >"$aptdir/sources.list"
	apt-get "${APT[@]}" update >/dev/null || die "apt-get update failed for $suites"
}

# resolve: the linux-image package PATTERN stands for.
resolve() {
	local re
	if [[ "$pattern" == *'*'* ]]; then
		re=${pattern//./\\.}
		re=${re//+/\\+}
		re=${re//\*/[0-9.]+}
		apt-cache "${APT[@]}" search --names-only "^$re\$" | cut -d' ' -f1 | sort -V | tail -n 1
	else
		apt-cache "${APT[@]}" depends "$pattern" |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
	fi
}

ready() {
	[ -f "$dir/modules.cpio" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/release" ] &&
		[ "$dir/modules.cpio" -nt "$ROOT/scripts/vm/modules.list" ] &&
		[ "$dir/modules.cpio" -nt "$ROOT/scripts/vm/mkinitramfs.sh" ]
}

[ -z "${VMTEST_REFRESH:-}" ] && ready && exit 0
apt_setup
pkg=$(resolve)
[ -n "$pkg" ] || die "no package for '$pattern' in $suites"
version=$(apt-cache "${APT[@]}" show --no-all-versions "$pkg" | awk '/^Version:/ { print $2; exit }')
[ "$(cat "$dir/package" 2>/dev/null)" = "$pkg $version" ] && ready && exit 0
echo "fetch-kernel: $name: downloading $pkg $version from $suites"
rm -f "$dir"/*.deb
(cd "$dir" && apt-get "${APT[@]}" download "$pkg=$version" >/dev/null) ||
	die "cannot download $pkg $version"
deb=$(ls "$dir"/linux-image-*.deb)

# Unpack to a scratch directory, keep the kernel and the modules the tests
# need, drop the rest (the package and a few hundred MB of modules).
scratch=$(mktemp -d "$dir/unpack.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch"
vmlinuz=$(ls "$scratch"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$deb has no /boot/vmlinuz-*"
release=${vmlinuz##*/vmlinuz-}
moddir=""
for d in "$scratch/lib/modules/$release" "$scratch/usr/lib/modules/$release"; do
	[ -d "$d" ] && moddir=$d
done
[ -n "$moddir" ] || die "$deb has no modules for $release"
cp "$vmlinuz" "$dir/vmlinuz"
echo "$release" >"$dir/release"
"$ROOT/scripts/vm/mkinitramfs.sh" modules "$moddir" "$dir/modules.cpio"
echo "$pkg $version" >"$dir/package"
rm -f "$deb"
echo "fetch-kernel: $name: $release ready"
