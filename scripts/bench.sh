#!/usr/bin/env bash
# The benchmark harness behind `make bench`: runs every section in
# scripts/bench/NN_<name>.sh in order, each appending JSON records to one
# file, then scripts/bench/report.py computes medians, min/max and ratios
# against the baselines measured in the same run, prints the table and
# writes the results (default bench/results.json).
#
#   scripts/bench.sh [--quick] [--out FILE] [--only NAME]
#
# --quick is a smoke run (few, short runs): figures are not meaningful.
# A new benchmark is one more executable scripts/bench/NN_<name>.sh that
# appends records in the format report.py documents, reading BENCH_QUICK,
# BENCH_RECORDS, BENCH_PREFIX (namespace/interface prefix), BUILD and
# SIXPN_ROOT. Run as root, after `make all build/selftests/packets.txt`.
set -euo pipefail
SIXPN_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$SIXPN_ROOT" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$SIXPN_ROOT/$BUILD" ;; esac
export SIXPN_ROOT BUILD

quick=0 out=bench/results.json only=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--only) only=$2; shift ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: must run as root (BPF, network namespaces)" >&2
	exit 2
fi
for f in "$BUILD/bench/prog_cost" "$BUILD/sixpn-attach" "$BUILD/sixpnctl" "$BUILD/selftests/packets.txt"; do
	[ -e "$f" ] || { echo "bench: $f is missing: run 'make all $BUILD/selftests/packets.txt' first" >&2; exit 2; }
done

mkdir -p "$(dirname "$out")"
BENCH_RECORDS=$(mktemp)
trap 'rm -f "$BENCH_RECORDS"' EXIT
export BENCH_RECORDS BENCH_QUICK=$quick BENCH_PREFIX=${BENCH_PREFIX:-sxb}

start=$(date +%s)
# Other load on the machine moves every figure: recorded beside them.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for s in scripts/bench/[0-9][0-9]_*.sh; do
	name=$(basename "$s" .sh); name=${name#*_}
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	t0=$(date +%s)
	echo "bench: $name ..." >&2
	if ! "$s"; then
		echo "bench: $name FAILED" >&2
		grep -q "\"bench\":\"$name\",\"error\"" "$BENCH_RECORDS" ||
			printf '{"bench":"%s","error":"section exited non-zero"}\n' "$name" >>"$BENCH_RECORDS"
	fi
	echo "bench: $name took $(( $(date +%s) - t0 ))s" >&2
done

rc=0
/usr/bin/python3 scripts/bench/report.py "$BENCH_RECORDS" "$out" \
	--meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--meta "kernel=$(uname -r)" \
	--meta "cpus=$(nproc)" \
	--meta "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--meta "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	--meta "quick=$quick" \
	--meta "loadavg_start=$load_start" \
	--meta "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" \
	--meta "seconds=$(( $(date +%s) - start ))" || rc=$?
echo "bench: results in $out ($(( $(date +%s) - start ))s)" >&2
exit $rc
