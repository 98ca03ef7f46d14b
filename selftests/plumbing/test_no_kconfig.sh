#!/usr/bin/env bash
# A host without a kernel config file (no /boot/config-RELEASE, no
# /proc/config.gz: Debian's 6.1 kernel booted by make vmtest is one) still
# loads the TC object: libbpf refuses an object with __kconfig externs when
# it finds no config, so the loader and the tests hand it the externs
# themselves (loader/datapath/kconfig.c). Each binary runs in a mount
# namespace of its own where both files are hidden under empty tmpfs mounts.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/nokcfg.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

hidden() { unshare -m sh -c 'mount -t tmpfs none /proc && mount -t tmpfs none /boot && exec "$@"' sh "$@"; }

check "the hidden view has no /proc/config.gz" hidden sh -c '! test -e /proc/config.gz'
check "the hidden view has no /boot/config-$(uname -r)" hidden sh -c "! test -e /boot/config-$(uname -r)"

# the replay tests' opener (selftests/tc_skel.c): the TC object and its
# token bucket, with CONFIG_HZ unknown
rc=0; hidden "$BUILD/selftests/test_drop_events" >"$TMP/drop.out" 2>&1 || rc=$?
check_eq "test_drop_events passes without a kernel config (exit $rc)" "$rc" 0
check_fails "... and libbpf never looked for one" grep -q 'failed to open system Kconfig' "$TMP/drop.out"
check "... and the opener says that HZ is taken as 1000" grep -q 'no kernel config to read' "$TMP/drop.out"

# the loader's opener (sixpn_bpf_open, loader/datapath/tc_attach.c)
rc=0; hidden "$BUILD/selftests/test_stale_sweep" >"$TMP/sweep.out" 2>&1 || rc=$?
check_eq "the loader loads the TC object without a kernel config (test_stale_sweep, exit $rc)" "$rc" 0
check_fails "... and libbpf never looked for one" grep -q 'failed to open system Kconfig' "$TMP/sweep.out"
if [ "$_FAILED" -gt 0 ]; then sed 's/^/#   /' "$TMP"/*.out | grep -iv '^#   ok' | tail -20; fi
finish
