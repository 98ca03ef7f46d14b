#!/usr/bin/env bash
# The XDP DNS fast path end to end in namespaces: two instances (networks A
# and B) on veth pairs with tx checksum offload on inside them, as a real
# container has, TC isolation and XDP (generic mode) attached by sixpn-attach,
# names filled with `sixpn-attach dns-set`, real dig and kdig asking fdaa::3.
# The host has fdaa::3 on its loopback for routing only: nothing listens on
# it, so what the fast path passes up gets no answer, and every answer seen
# here came from XDP.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"

P=sxd$$
H=$P-h I1=$P-i1 I2=$P-i2
PIN=/sys/fs/bpf/sixpn-xdpdns-$$
TMP=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$TMP"' EXIT
STATS="/usr/bin/python3 $SIXPN_ROOT/selftests/lib/stats.py"

A1=fdaa:0:18:a7b:d6b:0:a:2     # instance 1, network A
B1=fdaa:0:19:a7b:d6b:0:b:2     # instance 2, network B
WEB_A1=fdaa:0:18:a7b:d6b:0:c:2 WEB_A2=fdaa:0:18:a7b:174:0:d:2
WEB_B=fdaa:0:19:a7b:174:0:e:2

host_ns "$H"
ip -n "$H" addr add fdaa::3/128 dev lo
instance_ns "$H" "$I1" sxdi1$$ "$A1/112"
instance_ns "$H" "$I2" sxdi2$$ "$B1/112"
for ns in "$I1" "$I2"; do
	in_ns "$ns" ethtool -K eth0 tx on >/dev/null 2>&1
done

attach "$H" "$PIN" instance sxdi1$$ fdaa:0:18:a7b:d6b:0:a:0/112
attach "$H" "$PIN" instance sxdi2$$ fdaa:0:19:a7b:d6b:0:b:0/112
check "sixpn-attach xdp attaches to instance 1" attach "$H" "$PIN" xdp sxdi1$$
check "sixpn-attach xdp attaches to instance 2" attach "$H" "$PIN" xdp sxdi2$$
check "dns-config enables the fast path" attach "$H" "$PIN" dns-config --ttl 7 --negative-ttl 11
check "dns-set: web.internal of network A, two addresses" \
	attach "$H" "$PIN" dns-set 0x18 web.internal "$WEB_A1" "$WEB_A2"
check "dns-set: web.internal of network B" attach "$H" "$PIN" dns-set 0x19 web.internal "$WEB_B"
check "dns-set: vm.web.internal (no addresses)" attach "$H" "$PIN" dns-set 0x18 vm.web.internal
check "dns-set: regions.web.internal is userspace's" \
	attach "$H" "$PIN" dns-set 0x18 regions.web.internal --userspace
check_fails "dns-set refuses an address of another network" \
	attach "$H" "$PIN" dns-set 0x18 bad.internal "$WEB_B"

check "dns-list shows web.internal of network A with both addresses" \
	sh -c "in_list=\$(nsenter --net=/run/netns/$H $BUILD/sixpn-attach --pin-dir $PIN dns-list 0x18); echo \"\$in_list\" | grep -E '^0x18 +web.internal +- +' | grep -q '$WEB_A1 $WEB_A2'"
check "instance 1 has tx checksum offload on" \
	sh -c "nsenter --net=/run/netns/$I1 ethtool -k eth0 | grep -q '^tx-checksumming: on'"
check "XDP runs in generic (skb) mode on the veth" \
	sh -c "ip -n $H -d link show sxdi1$$ | grep -q 'xdpgeneric'"
check "the XDP link is pinned as links/<ifname>@xdp" test -e "$PIN/links/sxdi1$$@xdp"

counter() { $STATS "$PIN" "$1" "$2"; }
digq() { local ns=$1; shift; in_ns "$ns" dig -6 @fdaa::3 +time=2 +tries=1 "$@" 2>/dev/null; }
kdigq() { local ns=$1; shift; in_ns "$ns" kdig -6 @fdaa::3 +time=2 +retry=0 "$@" 2>/dev/null; }
sorted() { tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' '; }

answered0=$(counter XDP_DNS DNS_ANSWERED)
nodata0=$(counter XDP_DNS DNS_NODATA) nxdomain0=$(counter XDP_DNS DNS_NXDOMAIN)

# AAAA from network A: both addresses, authoritative, recursion available.
out=$(digq "$I1" AAAA web.internal)
check_eq "dig AAAA web.internal from A: both of A's addresses" \
	"$(echo "$out" | awk '$4 == "AAAA" {print $5}' | sorted)" "$(echo "$WEB_A1 $WEB_A2" | sorted)"
check "dig AAAA web.internal: NOERROR, flags qr aa rd ra" \
	sh -c "echo '$out' | grep -q 'status: NOERROR' && echo '$out' | grep -q 'flags: qr aa rd ra;'"
check "dig AAAA web.internal: TTL 7 and an OPT of 1232 bytes (dig asks with EDNS)" \
	sh -c "echo '$out' | grep -qE 'web.internal.[[:space:]]+7[[:space:]]+IN[[:space:]]+AAAA' && echo '$out' | grep -q 'udp: 1232'"
out=$(digq "$I1" AAAA web.internal +noedns)
check "dig +noedns AAAA web.internal: answered, no OPT" \
	sh -c "echo '$out' | grep -q 'ANSWER: 2' && ! echo '$out' | grep -q 'OPT PSEUDOSECTION'"
out=$(kdigq "$I1" AAAA web.internal)
check_eq "kdig AAAA web.internal from A: both of A's addresses" \
	"$(echo "$out" | awk '$4 == "AAAA" {print $5}' | sorted)" "$(echo "$WEB_A1 $WEB_A2" | sorted)"

# The same name from network B: B's address only.
out=$(digq "$I2" AAAA web.internal +short)
check_eq "dig AAAA web.internal from B: B's address only" "$out" "$WEB_B"
out=$(kdigq "$I2" AAAA web.internal +short)
check_eq "kdig AAAA web.internal from B: B's address only" "$out" "$WEB_B"

# 0x20: the question comes back exactly as asked (dig prints the reply's
# question section as received; kdig prints names in lowercase).
out=$(digq "$I1" AAAA WeB.InTeRnAl)
check "dig AAAA WeB.InTeRnAl: answered, question echoed in the same case" \
	sh -c "echo '$out' | grep -q 'ANSWER: 2' && echo '$out' | grep -qE '^;WeB.InTeRnAl.[[:space:]]+IN[[:space:]]+AAAA'"

# A for an existing name: NODATA with the SOA.
out=$(digq "$I1" A web.internal)
check "dig A web.internal: NOERROR, no answer" \
	sh -c "echo '$out' | grep -q 'status: NOERROR' && echo '$out' | grep -q 'ANSWER: 0'"
check "dig A web.internal: internal. SOA in authority, TTL 11" \
	sh -c "echo '$out' | grep -qE '^internal.[[:space:]]+11[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns.internal. hostmaster.internal.'"
out=$(kdigq "$I1" A web.internal)
check "kdig A web.internal: NOERROR, SOA" \
	sh -c "echo '$out' | grep -q 'status: NOERROR' && echo '$out' | grep -qE '^internal.[[:space:]].*SOA'"
out=$(digq "$I1" AAAA vm.web.internal)
check "dig AAAA vm.web.internal (no addresses): NODATA" \
	sh -c "echo '$out' | grep -q 'status: NOERROR' && echo '$out' | grep -q 'ANSWER: 0'"

# Missing names: NXDOMAIN with the SOA, authoritative.
out=$(digq "$I1" AAAA nope.internal)
check "dig AAAA nope.internal: NXDOMAIN, aa, SOA" \
	sh -c "echo '$out' | grep -q 'status: NXDOMAIN' && echo '$out' | grep -q 'flags: qr aa' && echo '$out' | grep -qE '^internal.[[:space:]].*SOA'"
out=$(kdigq "$I1" A nope.internal)
check "kdig A nope.internal: NXDOMAIN" sh -c "echo '$out' | grep -q 'status: NXDOMAIN'"
out=$(digq "$I2" AAAA vm.web.internal)
check "network A's vm.web.internal asked from B: NXDOMAIN" \
	sh -c "echo '$out' | grep -q 'status: NXDOMAIN'"

check_eq "XDP counted the 6 answers" "$(counter XDP_DNS DNS_ANSWERED)" $((answered0 + 6))
check_eq "XDP counted the 3 NODATA" "$(counter XDP_DNS DNS_NODATA)" $((nodata0 + 3))
check_eq "XDP counted the 3 NXDOMAIN" "$(counter XDP_DNS DNS_NXDOMAIN)" $((nxdomain0 + 3))

# What the fast path passes up reaches the stack through TC (and, here, no
# resolver): no answer, counted on both sides.
us0=$(counter XDP_DNS DNS_PASS_USERSPACE) tc0=$(counter FROM_INSTANCE PASS_DNS)
check_fails "TXT regions.web.internal gets no answer from XDP" \
	sh -c "nsenter --net=/run/netns/$I1 dig -6 @fdaa::3 +time=1 +tries=1 TXT regions.web.internal | grep -q 'status:'"
check "the TXT query was passed up as userspace's" test "$(counter XDP_DNS DNS_PASS_USERSPACE)" -gt "$us0"
check "TC ingress let the passed query through to the host" test "$(counter FROM_INSTANCE PASS_DNS)" -gt "$tc0"
fw0=$(counter XDP_DNS DNS_PASS_FORWARD)
digq "$I1" AAAA example.com >/dev/null
check "a name outside internal. was passed up for forwarding" test "$(counter XDP_DNS DNS_PASS_FORWARD)" -gt "$fw0"

# A spoofed source: XDP does not answer it, TC drops it.
SPOOF=fdaa:0:18:a7b:d6b:0:99:2
ip -n "$I1" addr add "$SPOOF/128" dev eth0 nodad
sp0=$(counter XDP_DNS DNS_PASS_SPOOFED) dr0=$(counter FROM_INSTANCE DROP_SPOOFED_SRC)
check_fails "a query from a neighbour's (spoofed) address gets no answer" \
	sh -c "nsenter --net=/run/netns/$I1 dig -6 -b $SPOOF @fdaa::3 +time=1 +tries=1 AAAA web.internal | grep -q 'status:'"
check "XDP passed the spoofed query without answering" test "$(counter XDP_DNS DNS_PASS_SPOOFED)" -gt "$sp0"
check "TC dropped the spoofed query" test "$(counter FROM_INSTANCE DROP_SPOOFED_SRC)" -gt "$dr0"
ip -n "$I1" addr del "$SPOOF/128" dev eth0

# Names change live: delete, re-add.
check "dns-del web.internal of network A" attach "$H" "$PIN" dns-del 0x18 web.internal
out=$(digq "$I1" AAAA web.internal)
check "after dns-del, web.internal from A is NXDOMAIN" sh -c "echo '$out' | grep -q 'status: NXDOMAIN'"
attach "$H" "$PIN" dns-set 0x18 web.internal "$WEB_A1" >/dev/null 2>&1
check_eq "after dns-set again, web.internal from A has the new address" \
	"$(digq "$I1" AAAA web.internal +short)" "$WEB_A1"

# Attaching again replaces in place: one program, still answering.
check "sixpn-attach xdp again replaces the program" attach "$H" "$PIN" xdp sxdi1$$
check_eq "still one XDP program on the interface" \
	"$(in_ns "$H" bpftool -j net show dev sxdi1$$ | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["xdp"]))')" 1
check_eq "still answering after the replace" "$(digq "$I1" AAAA web.internal +short)" "$WEB_A1"

# Detach: the fast path is gone, nothing answers any more.
check "sixpn-attach xdp-detach detaches" attach "$H" "$PIN" xdp-detach sxdi1$$
for _ in $(seq 50); do ip -n "$H" -d link show sxdi1$$ | grep -q xdp || break; sleep 0.1; done
check_fails "no XDP program left on the interface" sh -c "ip -n $H -d link show sxdi1$$ | grep -q xdp"
check_fails "the link pin is gone" test -e "$PIN/links/sxdi1$$@xdp"
check_fails "without XDP, web.internal gets no answer (nothing listens)" \
	sh -c "nsenter --net=/run/netns/$I1 dig -6 @fdaa::3 +time=1 +tries=1 AAAA web.internal | grep -q 'status:'"
check_eq "instance 2 still answered" "$(digq "$I2" AAAA web.internal +short)" "$WEB_B"

finish
