#!/usr/bin/env bash
# `make check-asan`: the userspace tests against binaries built with
# -fsanitize=address,undefined (selftests/libfuzz.mk builds them into
# build-asan/), a sanitizer report anywhere counting as a failure.
#
#   BUILD=build-asan selftests/check_asan.sh [TEST...]
#
# TEST: paths of test scripts or binaries. Default: the tests that run
# sixpnctl, the registry, the resolver and the netlink and WireGuard code
# without a whole testbed: selftests/registry/test_*.sh,
# selftests/dns/test_resolver.sh (network namespace sxr-dns-PID),
# selftests/api/test_api.sh (sixpnctl serve on 127.0.0.1),
# test_netlink (a namespace of its own), selftests/plumbing/test_wg.sh
# (wireguard-go in namespaces), and the BPF_PROG_TEST_RUN replays
# (test_tc_progs, test_drop_events, test_xdp_dns) for loader/datapath.
#
# Every process writes its reports to files of its own (log_path) instead
# of stderr, so no test can swallow one: a test passes only if it passes
# and no report was written while it ran. Leaks count (detect_leaks=1).
# Each test runs under run.sh's timeout (selftests/lib/runner.sh).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build-asan}
export BUILD
. selftests/lib/runner.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "check-asan: must run as root (BPF, network namespaces)" >&2
	exit 2
fi
if [ ! -x "$BUILD/sixpnctl" ]; then
	echo "check-asan: $BUILD/sixpnctl is not built (make check-asan builds it)" >&2
	exit 2
fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	tests=(selftests/registry/test_*.sh selftests/dns/test_resolver.sh selftests/api/test_api.sh
	       "$BUILD/selftests/test_netlink" selftests/plumbing/test_wg.sh
	       "$BUILD/selftests/test_tc_progs" "$BUILD/selftests/test_drop_events"
	       "$BUILD/selftests/test_xdp_dns")
fi

REPORTS=$(mktemp -d /tmp/sixpn-asan.XXXXXX)
trap 'rm -rf "$REPORTS"' EXIT
passed=() failed=()
for t in "${tests[@]}"; do
	dir="$REPORTS/$(basename "$t")"
	mkdir -p "$dir"
	export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$dir/asan:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/ubsan"
	export LSAN_OPTIONS="log_path=$dir/lsan"
	echo "=== $t"
	start=$(date +%s)
	run_test "$t"
	rc=$RUN_RC
	unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
	reports=$(find "$dir" -type f | sort)
	for r in $reports; do
		echo "--- sanitizer report $(basename "$r") (a process of $t):"
		sed 's/^/    /' "$r"
	done
	if [ $rc -eq 0 ] && [ -z "$reports" ]; then
		passed+=("$t")
		verdict=PASS
	else
		failed+=("$t")
		n=$(echo "$reports" | grep -c .)
		if [ $rc -eq 0 ]; then
			verdict="FAIL (the test passed; $n sanitizer reports)"
		else
			verdict="$RUN_VERDICT, $n sanitizer reports"
		fi
	fi
	echo "=== $t: $verdict in $(( $(date +%s) - start ))s"
done

echo
echo "check-asan: ${#passed[@]} passed, ${#failed[@]} failed"
for t in "${failed[@]}"; do echo "  FAILED: $t"; done
[ ${#failed[@]} -eq 0 ] && [ ${#passed[@]} -gt 0 ]
