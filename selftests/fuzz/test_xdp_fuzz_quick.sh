#!/usr/bin/env bash
# The quick slice of `make fuzz-xdp`: a fixed seed and 200k packets of the
# XDP DNS fuzzer (selftests/fuzz/xdp_fuzz.c) through BPF_PROG_TEST_RUN, on
# private maps (nothing pinned, no namespace). Fails on any wrong answer, on
# a judge that lets a corrupted reply through, and on a slice that answered
# nothing of some kind (a fuzzer that only sees passes proves nothing).
#   FUZZ_SEED=S FUZZ_COUNT=N FUZZ_ALLOW=TC,... selftests/fuzz/test_xdp_fuzz_quick.sh
# (FUZZ_ALLOW: the oracle's policy rules to relax, see fz_oracle.h)
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
SEED=${FUZZ_SEED:-20261201}
COUNT=${FUZZ_COUNT:-200000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BUILD/selftests/xdp_fuzz" --seed "$SEED" --count "$COUNT" ${FUZZ_ALLOW:+--allow "$FUZZ_ALLOW"} \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^\([^#]\)/# \1/' "$TMP/out" "$TMP/err"
summary=$(grep '^# summary ' "$TMP/out")
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$summary"; }

check_eq "xdp_fuzz ran: the program loaded, every test run worked, the judge caught every corrupted reply" \
	"$([ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] && echo yes || echo "no (exit $rc)")" yes
check_eq "$COUNT packets judged (seed $SEED)" "$(field packets)" "$COUNT"
check "the slice got answers, NODATA and NXDOMAIN, and passed packets up" \
	test "$(field answers)" -gt 0 -a "$(field nodata)" -gt 0 -a "$(field nxdomain)" -gt 0 -a "$(field passed)" -gt 0
check_eq "no packet dropped or given another verdict than XDP_PASS/XDP_TX" "$(field other)" 0
check_eq "no wrong answer in $COUNT packets (seed $SEED)" "$(field wrong)" 0
finish
