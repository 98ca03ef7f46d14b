#!/usr/bin/env bash
# The isolation matrix, quick slice: about 2,000 cases of
# selftests/isolation/gen_matrix.py (source x destination x transport x
# extension headers x ICMPv6 errors, through all four TC programs) run by
# BPF_PROG_TEST_RUN and held to oracle.py, the README's rules written without
# the BPF sources; every packet of the slice is also rebuilt by scapy and
# must match byte for byte. The whole matrix: make fuzz-isolation.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
runner=$BUILD/selftests/iso_matrix

if [ ! -x "$runner" ]; then
	echo "Bail out! $runner is not built (make all)"
	exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 selftests/isolation/gen_matrix.py --quick --scapy-check 100000 \
	> "$tmp/cases.txt" 2> "$tmp/gen.err"
gen_rc=$?
grep '^# ' "$tmp/gen.err"
if [ $gen_rc -ne 0 ] && ! grep -q '^# scapy check' "$tmp/gen.err"; then
	cat "$tmp/gen.err"
	echo "Bail out! gen_matrix.py failed (exit $gen_rc)"
	exit 2
fi

"$runner" "$tmp/cases.txt" | tee "$tmp/run.out"
run_rc=${PIPESTATUS[0]}
[ "$run_rc" -eq 2 ] && exit 2
T=$(sed -n 's/^# iso_matrix: \([0-9]*\) checks.*/\1/p' "$tmp/run.out")
T=$((${T:-0} + 1))
if [ $gen_rc -eq 0 ]; then
	echo "ok $T - isolation matrix: scapy builds every packet of the slice byte for byte as wire.py does"
else
	echo "not ok $T - isolation matrix: scapy builds every packet of the slice byte for byte as wire.py does"
fi
[ $gen_rc -eq 0 ] && [ "$run_rc" -eq 0 ]
