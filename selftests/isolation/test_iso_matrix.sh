#!/usr/bin/env bash
# The isolation matrix, quick slice: about 3,000 cases of
# selftests/isolation/gen_matrix.py (source x destination x transport x
# extension headers x ICMPv6 errors, through all four TC programs, and the
# whole of block W: network IDs past 16 bits) run by
# BPF_PROG_TEST_RUN on private maps and held to oracle.py, the README's
# Verdicts written without the BPF sources: verdict, the one reason counted,
# output bytes. Every packet of the slice is also rebuilt by scapy and must
# match byte for byte. The whole matrix (~300,000 cases): make fuzz-isolation.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

/usr/bin/python3 selftests/isolation/gen_matrix.py --quick --scapy-check 100000 \
	>"$TMP/cases.txt" 2>"$TMP/gen.err"
gen_rc=$?
sed 's/^\([^#]\)/# \1/' "$TMP/gen.err"
generated=$(sed -n 's/^# isolation matrix: \([0-9]*\) cases.*/\1/p' "$TMP/gen.err")
differ=$(sed -n 's/^# scapy check: [0-9]* packets rebuilt by scapy, \([0-9]*\) differ/\1/p' "$TMP/gen.err")
# exit 1: the scapy check below failed; anything else past 0 is a crash.
check_eq "gen_matrix.py wrote the quick slice (${generated:-0} cases)" \
	"$([ "$gen_rc" -le 1 ] && [ "${generated:-0}" -ge 1500 ] && echo yes || echo "no (exit $gen_rc)")" yes
# Block W is the only one whose networks need both 16-bit words: without it
# a program that compared one word would pass the slice.
wide=$(grep -c '|blk=W,' "$TMP/cases.txt")
check_eq "the slice holds all of block W, network IDs past 0xffff (${wide} cases)" \
	"$([ "$wide" -ge 900 ] && echo yes || echo no)" yes
check_eq "scapy rebuilds every packet of the slice byte for byte as wire.py builds it" "${differ:-none}" 0
# Expected reasons, alternatives included: a slice that never expects one of
# the TC reasons proves nothing about it.
reasons=$(grep -v '^@' "$TMP/cases.txt" | cut -d'|' -f4 | tr '/' '\n' | sort -u | wc -l)
check_eq "the slice expects every one of the 15 TC reasons somewhere" "$reasons" 15

"$BUILD/selftests/iso_matrix" "$TMP/cases.txt" --show 40 >"$TMP/out" 2>&1
rc=$?
sed 's/^\([^#]\)/# \1/' "$TMP/out"
field() { sed -n "s/^# isolation matrix: cases \([0-9]*\), passes \([0-9]*\), mismatches \([0-9]*\)$/\\$1/p" "$TMP/out"; }
check_eq "iso_matrix ran: the TC object loaded and every test run worked" \
	"$([ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] && echo yes || echo "no (exit $rc)")" yes
check_eq "every case of the slice ran" "$(field 1)" "${generated:-?}"
check "every case counted exactly one reason" grep -q '^ok [0-9]* - isolation matrix: every case counted exactly one reason' "$TMP/out"
mapfile -t kinds < <(sed -n 's/^# disagreement //p' "$TMP/out")
if [ "$(field 3)" = 0 ]; then
	ok "no case disagrees with the oracle ($(field 2) of $(field 1))"
else
	not_ok "no case disagrees with the oracle ($(field 3) of $(field 1) do)" "${kinds[@]}"
fi
finish
