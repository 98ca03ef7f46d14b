#!/usr/bin/env bash
# The registry tests that exist for the file (test_lifecycle too), run again with the registry
# on etcd (SIXPN_TEST_STORE=etcd, selftests/registry/store_etcd.sh: a
# single-member etcd per test, 127.0.0.1 on free ports). test_changelog
# and test_wireguard check the file itself (its change log, its bytes) and
# stay file-only; test_concurrency's etcd form is test_etcd_cluster.sh.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh

for t in alloc cli names ids lifecycle; do
	rc=0
	out=$(SIXPN_TEST_STORE=etcd bash "selftests/registry/test_$t.sh" 2>&1) || rc=$?
	sum=$(printf '%s\n' "$out" | grep -E "^# test_$t.sh: " | tail -1)
	if [ "$rc" = 0 ] && [ -n "$sum" ]; then
		ok "test_$t.sh on etcd (${sum#*: })"
	else
		not_ok "test_$t.sh on etcd (exit $rc)" "$(printf '%s\n' "$out" | grep -E '^not ok|^#   ' | head -10)"
	fi
done
finish
