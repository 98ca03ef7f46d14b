#!/usr/bin/env bash
# timeout: 180
# Two app names of one network with one names-table hash, end to end
# (selftests/dns/collide.tb, prefix ncx): the attacker's way. The seed is
# read from the table header (cell 0) of the running sixpnd's pinned
# dns_names, two 23-character app names colliding for it are made with
# build/selftests/dns_collide_names (selftests/dns_collide.h), and both
# apps are created with a machine each through sixpnctl. Asked with dig
# from an instance, over UDP (the XDP fast path first) and TCP:
#   - each name answers its own machine's address, never the other's,
#     and the XDP program passed every question for them up
#     (DNS_PASS_USERSPACE moves, DNS_ANSWERED does not); their slot is
#     listed shared;
#   - a second colliding pair split over two networks (the network ID is
#     in the key): each answered by XDP itself from a slot of its own;
#   - one app destroyed: the other is answered by XDP again (DNS_ANSWERED
#     moves, DNS_PASS_USERSPACE does not), the destroyed one NXDOMAIN from
#     the resolver.
# The table keeps hashes, not names: over UDP a name the network lacks
# that hashes like one it has gets that one's answer (maps/sixpn_dns.h;
# the seed, readable by root on the host only, keeps that from being aimed
# at). Checked as it is: never another network's machine, never a
# destroyed one's, and NXDOMAIN from the resolver over TCP.
set -uo pipefail
P=ncx
. "$(dirname "$0")/../lib/testbed.sh"
PY=/usr/bin/python3
counter() { $PY "$SIXPN_ROOT/selftests/lib/stats.py" "$PIN" XDP_DNS "$1"; }
jq_() { $PY -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# aaaa NODE NAME [+tcp]: the sorted addresses of an AAAA answer, or the
# status when there are none
aaaa() {
	local out
	out=$(x "$1" dig +time=2 +tries=1 @fdaa::3 "$2" AAAA "${3:-+notcp}")
	if grep -q 'ANSWER: 0,' <<<"$out"; then
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out"
	else
		sed -n 's/^[^;].*[[:space:]]AAAA[[:space:]]\+\([0-9a-f:]\+\)$/\1/p' <<<"$out" | sort | tr '\n' ' ' | sed 's/ $//'
	fi
}
# wait_for NODE NAME WANT: poll (5 s) until NAME answers WANT over UDP
wait_for() {
	for _ in $(seq 100); do
		[ "$(aaaa "$1" "$2")" = "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
# app_machine APP ORG: creates APP with one started machine on h1, prints its address
app_machine() {
	ctl apps create "$1" --org "$2" >/dev/null &&
		ctl --json machines create --app "$1" --host a7b:d6b | jq_ 'd["address"]'
}
# deltas NODE N NAME...: ask each NAME N times over UDP from NODE; prints
# "<answered> <passed up>", what DNS_ANSWERED and DNS_PASS_USERSPACE moved by
deltas() {
	local node=$1 n=$2 a0 p0 name; shift 2
	a0=$(counter DNS_ANSWERED) p0=$(counter DNS_PASS_USERSPACE)
	for _ in $(seq "$n"); do
		for name in "$@"; do aaaa "$node" "$name" >/dev/null; done
	done
	echo "$(( $(counter DNS_ANSWERED) - a0 )) $(( $(counter DNS_PASS_USERSPACE) - p0 ))"
}
# slot_of NET NAME: the line of sixpn-attach dns-list --hashes for NAME's
# slot, found by its hash (dns-get): the listing names a slot after any
# name of its text log with that hash, the destroyed one's too
attach() { "$BUILD/sixpn-attach" --pin-dir "$PIN" "$@"; }
slot_of() {
	local h
	h=$(attach dns-get "$1" "$2" | sed -n 's/.*\[hash \([0-9a-f]*\)\].*/\1/p')
	[ -n "$h" ] && attach dns-list "$1" --hashes | grep -F "[hash $h"
}
# own_slot NET NAME ADDR: NAME's slot holds ADDR alone, neither shared nor spilt
own_slot() { grep -q " $3  \[hash [0-9a-f]*\]$" <<<"$(slot_of "$1" "$2")"; }

if ! "$TB" up "$SIXPN_ROOT/selftests/dns/collide.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: one host, ask-1 (org red) and ask-2 (org blue)"

# ---- the seed, as root on the host reads it -------------------------------------
# cell 0 of dns_names is struct sixpn_dns_hdr: magic, net_id, seed
# (little-endian); sixpnd may still be setting the table up
header() {
	bpftool -j map lookup pinned "$PIN/dns_names" key 0 0 0 0 2>/dev/null | $PY -c '
import json, sys
v = bytes(int(b, 16) for b in json.load(sys.stdin)["value"])
print("%#x %#x" % (int.from_bytes(v[0:4], "little"), int.from_bytes(v[8:16], "little")))' 2>/dev/null
}
for _ in $(seq 100); do
	read -r MAGIC SEED < <(header)
	[ "${MAGIC:-}" = 0x36706e54 ] && break
	sleep 0.1
done
check_eq "the table header has the table magic" "${MAGIC:-}" 0x36706e54
check_ne "the seed is set" "${SEED:-0x0}" 0x0
read -r A B < <("$BUILD/selftests/dns_collide_names" "$SEED" collide)
read -r C D < <("$BUILD/selftests/dns_collide_names" "$SEED" crossnt)
echo "# seed $SEED: $A and $B (red), $C (red) and $D (blue)"
if [ -z "${A:-}" ] || [ -z "${B:-}" ] || [ -z "${C:-}" ] || [ -z "${D:-}" ] || [ "$A" = "$B" ] || [ "$C" = "$D" ]; then
	not_ok "two pairs of distinct colliding names for the seed"; finish; exit 1
fi
ok "two pairs of distinct colliding names for the seed"

ADDR_A=$(app_machine "$A" red) ADDR_B=$(app_machine "$B" red)
ADDR_C=$(app_machine "$C" red) ADDR_D=$(app_machine "$D" blue)
check "four apps with a machine each: $ADDR_A $ADDR_B $ADDR_C $ADDR_D" \
	test -n "$ADDR_A" -a -n "$ADDR_B" -a -n "$ADDR_C" -a -n "$ADDR_D"
RED=$(ctl --json networks list --org red | jq_ '[n["id"] for n in d["networks"] if n["name"] == "default"][0]')
BLUE=$(ctl --json networks list --org blue | jq_ '[n["id"] for n in d["networks"] if n["name"] == "default"][0]')
wait_for ask-1 "$A.internal" "$ADDR_A"
wait_for ask-1 "$B.internal" "$ADDR_B"
wait_for ask-1 "$C.internal" "$ADDR_C"
wait_for ask-2 "$D.internal" "$ADDR_D"

# ---- one network, one hash: both passed up, each answered right -------------------
for t in +notcp +tcp; do
	check_eq "${t#+}: $A.internal answers its own machine" "$(aaaa ask-1 "$A.internal" $t)" "$ADDR_A"
	check_eq "${t#+}: $B.internal answers its own machine" "$(aaaa ask-1 "$B.internal" $t)" "$ADDR_B"
done
wrong=0
for _ in $(seq 10); do
	[ "$(aaaa ask-1 "$A.internal")" = "$ADDR_A" ] || wrong=$((wrong + 1))
	[ "$(aaaa ask-1 "$B.internal")" = "$ADDR_B" ] || wrong=$((wrong + 1))
done
check_eq "20 more UDP questions: none answered with the other's address (or none)" "$wrong" 0
read -r ans up < <(deltas ask-1 5 "$A.internal" "$B.internal")
check_eq "XDP answered neither name itself (DNS_ANSWERED +0 over 10 questions)" "$ans" 0
check_ge "XDP passed both up (DNS_PASS_USERSPACE +$up over 10 questions)" "$up" 10
check_eq "their slot is one, listed shared (sixpn-attach dns-list --hashes)" \
	"$(slot_of "$RED" "$A.internal" | grep -c 'userspace .*shared\]$') $(slot_of "$RED" "$B.internal" | wc -l)" "1 1"
check_eq "global.$A.internal (no collision) answers its machine" "$(aaaa ask-1 "global.$A.internal")" "$ADDR_A"

# ---- one hash in two networks: the network ID keeps them apart --------------------
check_eq "$C.internal (red) answers its machine" "$(aaaa ask-1 "$C.internal")" "$ADDR_C"
check_eq "$D.internal (blue, same hash) answers its machine" "$(aaaa ask-2 "$D.internal")" "$ADDR_D"
read -r ans up < <(deltas ask-1 5 "$C.internal")
check_eq "XDP answered $C.internal itself (DNS_ANSWERED +5)" "$ans" 5
check_eq "and passed none of it up (DNS_PASS_USERSPACE +0)" "$up" 0
read -r ans up < <(deltas ask-2 5 "$D.internal")
check_eq "XDP answered $D.internal itself (DNS_ANSWERED +5)" "$ans" 5
check_eq "and passed none of it up (DNS_PASS_USERSPACE +0)" "$up" 0
check "$C.internal's slot is its own, not shared" own_slot "$RED" "$C.internal" "$ADDR_C"
check "$D.internal's slot is its own, not shared" own_slot "$BLUE" "$D.internal" "$ADDR_D"
# The table keeps hashes, not names (maps/sixpn_dns.h): a name a network
# lacks that hashes like one it has gets that one's answer over UDP. What
# holds is that no answer crosses networks; the resolver knows the names.
check_eq "udp: $D.internal from red: $C's address, never blue's machine" \
	"$(aaaa ask-1 "$D.internal")" "$ADDR_C"
check_eq "udp: $C.internal from blue: $D's address, never red's machine" \
	"$(aaaa ask-2 "$C.internal")" "$ADDR_D"
check_eq "tcp: $D.internal from red NXDOMAIN (the resolver has the names)" \
	"$(aaaa ask-1 "$D.internal" +tcp)" NXDOMAIN
check_eq "tcp: $C.internal from blue NXDOMAIN" "$(aaaa ask-2 "$C.internal" +tcp)" NXDOMAIN

# ---- one of them goes: the other is XDP's again ---------------------------------
check "sixpnctl apps destroy $B" ctl apps destroy "$B"
for _ in $(seq 100); do
	own_slot "$RED" "$A.internal" "$ADDR_A" && break
	sleep 0.05
done
check "$A.internal's slot is its own again, its address inline" own_slot "$RED" "$A.internal" "$ADDR_A"
for t in +notcp +tcp; do
	check_eq "${t#+}: $A.internal still answers its machine" "$(aaaa ask-1 "$A.internal" $t)" "$ADDR_A"
done
read -r ans up < <(deltas ask-1 5 "$A.internal")
check_eq "XDP answers $A.internal itself again (DNS_ANSWERED +5)" "$ans" 5
check_eq "and passes none of it up (DNS_PASS_USERSPACE +0)" "$up" 0
check_eq "tcp: $B.internal NXDOMAIN once destroyed" "$(aaaa ask-1 "$B.internal" +tcp)" NXDOMAIN
check_eq "udp: $B.internal gets $A's address, never its old machine's (the table keeps hashes)" \
	"$(aaaa ask-1 "$B.internal")" "$ADDR_A"
finish
