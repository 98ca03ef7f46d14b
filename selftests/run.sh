#!/usr/bin/env bash
# Runs every selftest: the packet-replay binaries in build/selftests/ and
# every selftests/*/test_*.sh. Prints each test's output and a summary; exits
# non-zero when any test failed. Usage: selftests/run.sh [NAME-FILTER]
# Each test gets SIXPN_TEST_TIMEOUT seconds (default 600; a test can ask for
# more with a line "# timeout: SECONDS" in its first 20 lines): a hung test
# fails by name instead of stalling the run. It gets SIGTERM, so its EXIT
# trap cleans up, and SIGKILL 30 s later.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
filter=${1:-}
. selftests/lib/runner.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "selftests: must run as root (BPF, network namespaces)" >&2
	exit 2
fi

tests=()
for t in "$BUILD"/selftests/test_*; do
	[ -x "$t" ] && tests+=("$t")
done
while IFS= read -r t; do tests+=("$t"); done < <(find selftests -mindepth 2 -name 'test_*.sh' -perm -u+x | sort)

# Each test's output is also kept, so that the summary can say again what
# failed: a long run's log is often read from its end only.
# holders FILE: the processes that still have FILE open ("PID (COMM)"):
# what a test left running, which its cleanup should have stopped.
holders() {
	local fd pid out=""
	for fd in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
		pid=${fd#/proc/}; pid=${pid%%/*}
		case " $out " in *" $pid ("*) continue ;; esac
		out+="${out:+ }$pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
	done
	echo "$out"
}
LOGS=$(mktemp -d /tmp/sixpn-selftests.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT
passed=() failed=()
for t in "${tests[@]}"; do
	case "$t" in *"$filter"*) ;; *) continue ;; esac
	echo "=== $t"
	start=$(date +%s)
	log="$LOGS/${#failed[@]}-${#passed[@]}.log"
	# to a file, then shown: a process the test left behind holding its
	# output must not hold up the run (as it would a pipe to tee)
	run_test "$t" >"$log" 2>&1
	cat "$log"
	left=$(holders "$log")
	[ -z "$left" ] || echo "=== $t: WARNING: left processes running: $left"
	echo "=== $t: $RUN_VERDICT in $(( $(date +%s) - start ))s"
	if [ "$RUN_RC" -eq 0 ]; then
		passed+=("$t")
	else
		failed+=("$t")
		mv "$log" "$LOGS/failed-${#failed[@]}.log"
	fi
done

echo
echo "selftests: ${#passed[@]} passed, ${#failed[@]} failed"
for i in "${!failed[@]}"; do
	echo "  FAILED: ${failed[$i]}"
	# its failed checks and their details, or its last lines
	flog="$LOGS/failed-$((i + 1)).log"
	if grep -q '^not ok' "$flog"; then
		awk '/^not ok/ { p = 1; n = 0 } /^ok / { p = 0 } p && n++ < 12' "$flog"
	else
		tail -n 12 "$flog"
	fi | head -n 60 | sed 's/^/    /'
done
[ ${#failed[@]} -eq 0 ] && [ ${#passed[@]} -gt 0 ]
