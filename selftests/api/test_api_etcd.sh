#!/usr/bin/env bash
# timeout: 400
# test_api.sh with the registry on etcd (SIXPN_TEST_STORE=etcd: a single-
# member etcd of its own on 127.0.0.1, selftests/registry/store_etcd.sh):
# the same routes, errors, tenant boundary and race, the tokens' hashes
# travelling through etcd and never their secrets, and every worker's
# private copy following writes made elsewhere (the CLI's, revocations).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh

rc=0
out=$(SIXPN_TEST_STORE=etcd bash selftests/api/test_api.sh 2>&1) || rc=$?
sum=$(printf '%s\n' "$out" | grep -E '^# test_api.sh: ' | tail -1)
if [ "$rc" = 0 ] && [ -n "$sum" ]; then
	ok "test_api.sh on etcd (${sum#*: })"
else
	not_ok "test_api.sh on etcd (exit $rc)" "$(printf '%s\n' "$out" | grep -E '^not ok|^#   ' | head -20)"
fi
finish
