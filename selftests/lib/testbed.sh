# shellcheck shell=bash
# The prologue of a test on a scripts/testbed testbed (sourced by
# api/test_api_port.sh, dns/test_lifecycle_dns.sh,
# dns/test_names_collide_e2e.sh and dns/test_quota.sh). The test sets P, its
# testbed's prefix (unique to it: grep `^P=` in selftests), before sourcing
# this; this sets TB, STATE, PIN (the pins of node h1) and TMP (a fresh
# directory), takes down what an earlier run of the test left behind, and
# arranges for the testbed and TMP to go at exit, after the test's own
# testbed_cleanup_more when it defines one (its servers, its floods).
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

TB="$SIXPN_ROOT/scripts/testbed"
STATE=/run/sixpn-testbed/$P
PIN=/sys/fs/bpf/sixpn-$P-h1
TMP=$(mktemp -d "/tmp/sixpn-$P.XXXXXX")

testbed_cleanup() {
	if declare -F testbed_cleanup_more >/dev/null; then
		testbed_cleanup_more
	fi
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap testbed_cleanup EXIT
"$TB" down --state "$STATE" >/dev/null 2>&1

# ctl ARGS: sixpnctl on the testbed's registry
ctl() { "$BUILD/sixpnctl" --registry "$STATE/registry.db" "$@"; }
# x NODE CMD...: CMD in the network namespace of testbed node NODE
x() { local node=$1; shift; nsenter --net="/run/netns/$P-$node" "$@"; }
