#!/usr/bin/env bash
# Runs the libFuzzer targets of selftests/fuzz/lib/ (built by `make
# fuzz-lib` or `make all` into $BUILD/fuzz/), each for SECS seconds on its
# seeds (selftests/fuzz/corpus/<target>/, regression inputs included, all
# run first), and prints one TAP line per target with the inputs it
# executed. Exits non-zero when a target crashed or broke one of its
# checks, or is not built.
#
#   selftests/fuzz/lib/run_libfuzz.sh SECS [TARGET...]
#
# TARGET defaults to every target with a seed directory: a target added to
# selftests/libfuzz.mk without seeds would not be fuzzed from anything.
#
# New inputs a run finds go to $FUZZ_WORK/<target>/ (kept, so the next run
# goes on from there), else to a temporary directory removed afterwards; a
# crashing input is written there as crash-* (or leak-*, timeout-*), and
# its report is shown. Add it to the seeds as regress-<what> once fixed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
SECS=${1:?usage: run_libfuzz.sh SECS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for d in selftests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
. selftests/lib/tap.sh
TMP=$(mktemp -d /tmp/sixpn-libfuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
WORK=${FUZZ_WORK:-$TMP/work}

echo "1..${#targets[@]}"
for t in "${targets[@]}"; do
	bin="$BUILD/fuzz/$t" seeds="selftests/fuzz/corpus/$t" work="$WORK/$t" log="$TMP/$t.log"
	if [ ! -x "$bin" ]; then
		not_ok "$t: $bin is not built (make $bin)"
		continue
	fi
	mkdir -p "$work"
	nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
	"$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 -max_len=8192 \
		-artifact_prefix="$work/" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
		ok "$t: $execs inputs in ${SECS} s ($nseeds seeds, $cov), no crash"
	else
		artifact=$(ls -t "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -1)
		mapfile -t report < <(grep -aE 'ERROR|fuzz check failed|runtime error|SUMMARY|^    #[0-9] ' "$log" | head -25)
		# a failure that says none of that (killed, out of memory, a
		# slow unit): what the fuzzer printed last
		[ ${#report[@]} -gt 0 ] || mapfile -t report < <(tail -n 15 "$log")
		not_ok "$t: exit $rc after ${execs:-?} inputs${artifact:+, input kept in $artifact}" "${report[@]}"
		if [ -n "$artifact" ] && [ -z "${FUZZ_WORK:-}" ]; then
			cp "$artifact" "$ROOT/$BUILD/fuzz/" 2>/dev/null &&
				echo "#   copied to $BUILD/fuzz/$(basename "$artifact")"
		fi
	fi
done
echo "# libfuzz: $((_T - _FAILED)) of $_T targets ran ${SECS} s each without a crash"
finish
