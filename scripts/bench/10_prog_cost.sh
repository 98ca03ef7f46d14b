#!/usr/bin/env bash
# Benchmark 1, program cost: every sixpn TC program through BPF_PROG_TEST_RUN
# (1,000,000 repetitions per run) against an empty TC program, and the XDP
# DNS fast path (AAAA 1 and 8 addresses, NODATA, NXDOMAIN, pass-up) against
# an XDP reflector, and Flycast's translation (an established flow and a new
# one) against the isolation pass, both one repetition per call since the
# translation rewrites the packet, in one process, runs interleaved
# (scripts/bench/prog_cost.c). Appends records to $BENCH_RECORDS.
set -euo pipefail
runs=9 repeat=1000000
if [ "${BENCH_QUICK:-0}" = 1 ]; then runs=2 repeat=20000; fi
"$BUILD/bench/prog_cost" --runs "$runs" --repeat "$repeat" "$BUILD/selftests/packets.txt" >>"$BENCH_RECORDS"
