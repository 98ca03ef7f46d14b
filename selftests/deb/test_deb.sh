#!/usr/bin/env bash
# timeout: 900
# make deb, and the package a real dpkg installs and removes: its contents
# and runtime dependencies (no build tools), then `dpkg -i`, `dpkg -r` and
# `dpkg -P` in a throwaway root: an overlay over this Debian system, its
# writes on a tmpfs, in a mount namespace of its own, so the host is not
# touched. Installing starts and enables nothing; the installed sixpnd and
# man pages work; purge leaves the root as it was, dpkg's own records aside.
set -uo pipefail
if [ -z "${_OP_DEB_NS:-}" ]; then
	# The mounts below die with this namespace, whatever happens.
	exec unshare --mount --propagation private env _OP_DEB_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/../lib/netns.sh"

make -C "$SIXPN_ROOT" --no-print-directory BUILD="$BUILD" deb >"$BUILD/deb.log" 2>&1
check_eq "make deb succeeds" "$?" 0
want_version=$(cd "$SIXPN_ROOT" && scripts/debian/version.sh)
arch=$(dpkg --print-architecture)
DEB=$BUILD/deb/sixpn_${want_version}_$arch.deb
check "the package is sixpn_<git version>_<arch>.deb" test -f "$DEB"
check "a -dbgsym package holds the debug symbols" test -f "$BUILD/deb/sixpn-dbgsym_${want_version}_$arch.deb"
[ -f "$DEB" ] || { finish; exit 1; }
check_eq "the version comes from git describe" "$(dpkg-deb -f "$DEB" Version)" "$want_version"
check "the version is a valid Debian version" dpkg --validate-version "$want_version"

dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' >"$BUILD/deb/contents"
for f in /usr/sbin/sixpnd /usr/sbin/sixpn-attach /usr/bin/sixpnctl /lib/systemd/system/sixpnd.service \
	/etc/init.d/sixpn /etc/default/sixpn /var/lib/sixpn /usr/share/man/man8/sixpnd.8.gz \
	/usr/share/man/man8/sixpnctl.8.gz /usr/share/man/man8/sixpn-attach.8.gz \
	/usr/share/bash-completion/completions/sixpnctl /usr/share/sixpn/prometheus/sixpn.rules.yml \
	/usr/share/sixpn/prometheus/sixpn.grafana.json; do
	check "the package holds $f" grep -qx "$f" "$BUILD/deb/contents"
done
check_fails "nothing under /usr/local" grep -q '^/usr/local' "$BUILD/deb/contents"
check "the binaries are stripped" sh -c "dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/sbin/sixpnd >'$BUILD/deb/sixpnd.bin' && ! readelf -S '$BUILD/deb/sixpnd.bin' | grep -q debug_info"
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libbpf1 libxdp1 libsystemd0 libsqlite3-0; do
	check "Depends: $lib, a shared library it links (shlibs)" grep -q "$lib" <<<"$deps"
done
check_fails "Depends: no build tools (clang, llvm, gcc, bpftool, pandoc, -dev)" \
	grep -Eq 'clang|llvm|gcc|bpftool|pandoc|-dev' <<<"$deps"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles >"$BUILD/deb/conffiles"
check "/etc/default/sixpn is a conffile" grep -qx /etc/default/sixpn "$BUILD/deb/conffiles"

# The throwaway root: this system, read-only below, writes on a tmpfs.
OVL=$(mktemp -d)
mount -t tmpfs op-deb "$OVL"
mkdir "$OVL/upper" "$OVL/work" "$OVL/root"
mount -t overlay op-deb -o "lowerdir=/,upperdir=$OVL/upper,workdir=$OVL/work" "$OVL/root"
mount --rbind /dev "$OVL/root/dev"
mount -t proc proc "$OVL/root/proc"
R=$OVL/root
in_root() { chroot "$R" "$@"; }
check "dpkg does not know sixpn before" sh -c "! chroot '$R' dpkg-query -W sixpn >/dev/null 2>&1"
cp "$R/var/lib/dpkg/status" "$OVL/status.before"

in_root dpkg -i "$DEB" >"$OVL/install.log" 2>&1
check_eq "dpkg -i: exit 0" "$?" 0
check_eq "dpkg -i: sixpn is installed" "$(in_root dpkg-query -W -f='${Status}' sixpn 2>/dev/null)" "install ok installed"
for f in /usr/sbin/sixpnd /usr/sbin/sixpn-attach /usr/bin/sixpnctl; do
	check "dpkg -i: $f is an executable" test -x "$R$f"
done
check "dpkg -i: /var/lib/sixpn exists" test -d "$R/var/lib/sixpn"
check "dpkg -i: the unit names /usr/sbin/sixpnd" grep -q '^ExecStart=/usr/sbin/sixpnd ' "$R/lib/systemd/system/sixpnd.service"
check "dpkg -i: the init script runs /usr/sbin/sixpnd" grep -q 'DAEMON=${SIXPND:-/usr/sbin/sixpnd}' "$R/etc/init.d/sixpn"
check_eq "dpkg -i: conffiles as dpkg records them" \
	"$(in_root dpkg-query -W -f='${Conffiles}' sixpn | awk 'NF {print $1}' | sort | tr '\n' ' ')" \
	"/etc/default/sixpn /etc/init.d/sixpn "
check_fails "dpkg -i: the unit is not enabled" sh -c "ls '$R'/etc/systemd/system/*.wants/sixpnd.service"
check_fails "dpkg -i: the init script is not enabled" sh -c "ls '$R'/etc/rc?.d/S*sixpn"
check_fails "dpkg -i: nothing started (no sixpnd from the root)" \
	sh -c "for p in \$(pgrep -x sixpnd); do [ \"\$(readlink /proc/\$p/exe)\" = '$R/usr/sbin/sixpnd' ] && exit 0; done; exit 1"
out=$(in_root /usr/sbin/sixpnd --help 2>&1); rc=$?
check_eq "the installed sixpnd --help: exit 0" "$rc" 0
check "the installed sixpnd --help prints its usage" grep -q '^Usage: sixpnd --host HOST_ID' <<<"$out"
out=$(in_root /usr/bin/sixpnctl --help 2>&1)
check "the installed sixpnctl runs" grep -q '^Usage: sixpnctl' <<<"$out"
check_eq "man finds sixpnctl(8) in the root" "$(in_root man -w sixpnctl 2>&1)" /usr/share/man/man8/sixpnctl.8.gz
warn=$(in_root env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings sixpnd 2>&1 >/dev/null)
check_eq "man --warnings sixpnd in the root: no warnings" "$warn" ""

# An operator's edit of the conffile outlives dpkg -r; dpkg -P removes it.
echo 'SIXPN_HOST=a7b:174' >>"$R/etc/default/sixpn"
in_root dpkg -r sixpn >"$OVL/remove.log" 2>&1
check_eq "dpkg -r: exit 0" "$?" 0
check_fails "dpkg -r: the binaries are gone" sh -c "ls '$R/usr/sbin/sixpnd' '$R/usr/bin/sixpnctl' '$R/lib/systemd/system/sixpnd.service'"
check "dpkg -r: the edited conffile stays" grep -q '^SIXPN_HOST=a7b:174' "$R/etc/default/sixpn"
check_eq "dpkg -r: config-files state" "$(in_root dpkg-query -W -f='${Status}' sixpn 2>/dev/null)" "deinstall ok config-files"
in_root dpkg -P sixpn >"$OVL/purge.log" 2>&1
check_eq "dpkg -P: exit 0" "$?" 0
check_fails "dpkg -P: /etc/default/sixpn is gone" test -e "$R/etc/default/sixpn"
check_fails "dpkg -P: /var/lib/sixpn is gone" test -e "$R/var/lib/sixpn"
check_fails "dpkg -P: dpkg no longer knows sixpn" sh -c "chroot '$R' dpkg-query -W sixpn >/dev/null 2>&1"
check "dpkg -P: dpkg's status is as before" cmp -s "$OVL/status.before" "$R/var/lib/dpkg/status"
# What the overlay wrote is everything the package's life changed. Besides
# dpkg's records: man-db's cache, the index its dpkg trigger updates for a
# package with man pages, and the page `man` above formatted.
left=$(cd "$OVL/upper" && find . -mindepth 1 \( -type f -o -type l -o -type c \) |
	grep -vE '^\./var/lib/dpkg/|^\./var/log/dpkg\.log$|^\./var/cache/man/' | sort | tr '\n' ' ')
check_eq "dpkg -P: nothing else left in the root (writes besides dpkg's)" "$left" ""
gone=$(cd "$OVL/upper" && find . -type c | tr '\n' ' ')
check_eq "nothing of the root was deleted (no overlay whiteouts)" "$gone" ""
# The operator's way: apt installs the file, its dependencies already met.
# (Not --no-download: apt takes even a local file through its fetcher.)
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$DEB" >"$OVL/apt.log" 2>&1
check_eq "apt-get install ./sixpn_*.deb: exit 0" "$?" 0
check_fails "apt-get install: nothing downloaded" grep -Eq '^Get:.*(https?|ftp)://' "$OVL/apt.log"
check_eq "apt-get install: sixpn is installed" "$(in_root dpkg-query -W -f='${Status}' sixpn 2>/dev/null)" "install ok installed"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq sixpn >>"$OVL/apt.log" 2>&1
check_eq "apt-get purge sixpn: exit 0" "$?" 0
[ -n "${OP_DEB_DEBUG:-}" ] && sed "s/^/# apt: /" "$OVL/apt.log"
umount -R "$R" 2>/dev/null || umount -l "$R"
umount "$OVL" && rmdir "$OVL"
check "this host's dpkg never knew sixpn" sh -c "! dpkg-query -W sixpn >/dev/null 2>&1"
finish
