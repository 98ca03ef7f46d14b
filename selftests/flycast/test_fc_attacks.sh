#!/usr/bin/env bash
# Flycast's attacker matrix: ~9,500 packets through tc ingress of a
# consumer (network A) and a backend (network B) by BPF_PROG_TEST_RUN, with
# three live flows (TCP, UDP, echo) established through the program before
# each: spoofed sources, every address kind toward service and SNAT
# addresses, extension headers, transport headers cut short, and ICMPv6
# errors quoting crafted packets about the live flows (wrong ports,
# protocol, direction, version, SNAT address, cut quotes, sent to another
# flow's SNAT address). fc_oracle.py (the README's rules and design.md
# section 7, written without the BPF sources) gives each its reason, its
# bytes out (translations rebuilt from scratch) and the conntrack entries
# left; build/selftests/fc_attacks holds the program to it.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
GEN=selftests/flycast/gen_fc_attacks.py
RUN=$BUILD/selftests/fc_attacks

/usr/bin/python3 $GEN --establish >"$TMP/est.txt"
mapfile -t snat < <("$RUN" --establish "$TMP/est.txt")
check_eq "the three flows established through the program (${snat[*]})" "${#snat[@]}" 3
/usr/bin/python3 $GEN "${snat[@]}" >"$TMP/cases.txt" 2>"$TMP/gen.err"
check_eq "gen_fc_attacks.py took their SNAT addresses and wrote the matrix" "$?" 0
cat "$TMP/gen.err"
generated=$(sed -n 's/^# Flycast attacker matrix: \([0-9]*\) cases/\1/p' "$TMP/gen.err")
check_ge "... of thousands of cases" "${generated:-0}" 9000
# a matrix that never expects a verdict proves nothing about it
for r in PASS_FC_FORWARD PASS_FC_REPLY PASS_FC_ICMP_ERROR PASS DROP_SPOOFED_SRC \
	DROP_CROSS_NETWORK DROP_NO_SERVICE DROP_SVC_PORT DROP_NO_BACKEND DROP_NO_FLOW DROP_MALFORMED; do
	check "the oracle expects $r somewhere" grep -q "^# $r " "$TMP/gen.err"
done
check "... and new flows (translated from a SNAT address of the program's choosing)" \
	grep -q '^c[0-9]*|consumer|PASS_FC_FORWARD|T|8|' "$TMP/cases.txt"

"$RUN" "$TMP/cases.txt" --show 40 >"$TMP/out" 2>&1
rc=$?
sed 's/^\([^#]\)/# \1/' "$TMP/out"
field() { sed -n "s/^# Flycast attacker matrix: cases \([0-9]*\), mismatches \([0-9]*\), unusable \([0-9]*\)$/\\$1/p" "$TMP/out"; }
check_eq "fc_attacks ran every case (exit 0 or 1)" \
	"$([ "$rc" -le 1 ] && [ "$(field 1)" = "${generated:-?}" ] && echo yes || echo "no (exit $rc, $(field 1) cases)")" yes
check_eq "no case disagrees with the oracle (verdict, reason, bytes, conntrack)" "$(field 2)" 0
finish
