#!/usr/bin/env bash
# sixpnd's userspace resolver alone (loader/resolver/resolver.h, run by
# build/selftests/resolver_serve) in a fresh network namespace: fdaa::3, a
# <net prefix>::3 and the askers' addresses on lo, a registry filled with
# sixpnctl, NSD on ::1 as the upstream, and a lying upstream (scapy).
# Real dig and kdig over UDP and TCP for every name kind of docs/design.md
# section 5, mixed case, big answers (TC over UDP, full over TCP), TXT
# splitting, NODATA/NXDOMAIN with the SOA, other networks and orgs, REFUSED,
# FORMERR, NOTIMP, BADVERS, forwarding (with the upstream's TC retried over
# TCP, a dead upstream, spoofed replies), a machine visible as soon as it is
# committed, nearest by region distance, and the metrics family.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# A namespace of this run's own: two runs at once must not share (or delete)
# one. netns_cleanup stops what runs in it and deletes it; the del after it
# covers a run stopped between ns_add's `ip netns add` and its record.
NS=sxr-dns-$$
TMP=$(mktemp -d /tmp/sixpn-resolver-test.XXXXXX)
REG="$TMP/registry.db"
cleanup() {
	netns_cleanup
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# ---- the registry ------------------------------------------------------------
ctl orgs create acme >/dev/null
ctl orgs create globex >/dev/null
ctl networks create --org acme backend >/dev/null
ctl networks create --org acme bulk >/dev/null
NET_WEB=$(ctl --json apps create web --org acme | jget prefix)
ctl apps create db --org acme --network backend >/dev/null
ctl apps create shop --org globex >/dev/null
NET_BIG=$(ctl --json apps create big --org acme --network bulk | jget prefix)
NET_WEB=${NET_WEB%::/48}
NET_BIG=${NET_BIG%::/48}
PEERKEY=$(wg genkey | wg pubkey)
ctl hosts add a7b:d6b --region ams --peers-endpoint "[fd5e::1]:51821" --peers-public-key "$PEERKEY" >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add a7b:f4a --region fra >/dev/null
ctl hosts add a7b:5e0 --region syd >/dev/null
ctl regions set ams --lat 52.37 --lon 4.90 >/dev/null
ctl regions set ord --lat 41.97 --lon -87.90 >/dev/null
ctl regions set fra --lat 50.11 --lon 8.68 >/dev/null
# syd has no coordinates: it sorts after every known distance

machine() { # APP HOST -> "id address"
	local j
	j=$(ctl --json machines create --app "$1" --host "$2")
	echo "$(jget id <<<"$j") $(jget address <<<"$j")"
}
read -r WEB_AMS_ID WEB_AMS <<<"$(machine web a7b:d6b)"
read -r WEB_ORD_ID WEB_ORD <<<"$(machine web a7b:174)"
read -r WEB_FRA_ID WEB_FRA <<<"$(machine web a7b:f4a)"
read -r WEB_SYD_ID WEB_SYD <<<"$(machine web a7b:5e0)"
read -r _ DB <<<"$(machine db a7b:174)"
read -r _ SHOP <<<"$(machine shop a7b:d6b)"
BIG_N=60
: >"$TMP/big"
for _ in $(seq $BIG_N); do machine big a7b:d6b >>"$TMP/big"; done
BIG_ONE=$(awk 'NR==1 {print $2}' "$TMP/big")
ctl wireguard create acme ams laptop "$TMP/laptop.conf" >/dev/null 2>&1
LAPTOP=$(awk '/^Address/ {print $3}' "$TMP/laptop.conf" | cut -d/ -f1)
PEER_DNS="$NET_WEB::3"

# ---- the namespace, NSD and the resolver -------------------------------------
ns_add "$NS"
for a in fdaa::3 "$PEER_DNS" "$WEB_AMS" "$WEB_ORD" "$WEB_FRA" "$WEB_SYD" "$DB" "$SHOP" "$BIG_ONE" \
	"$LAPTOP" fd00::5; do
	ip -n "$NS" addr add "$a/128" dev lo nodad
done

example_zone ::1
echo "www     IN AAAA 2001:db8::1" >>"$TMP/example.test.zone"
for i in $(seq 1 120); do echo "big IN A 198.18.0.$i"; done >>"$TMP/example.test.zone"
nsd_up "$NS" ::1@5300

# stat NAME COUNTER: a counter of the running resolver NAME (SIGUSR1).
stat() {
	local before
	before=$(grep -c '^end' "$TMP/$1.out")
	kill -USR1 "$RES_PID"
	for _ in $(seq 50); do
		[ "$(grep -c '^end' "$TMP/$1.out")" -gt "$before" ] && break
		sleep 0.02
	done
	awk -v k="$2" '$1==k {v=$2} END {print v+0}' "$TMP/$1.out"
}

if start_resolver main --upstream '[::1]:5300' --metrics '[::1]:0'; then
	ok "resolver_serve listens on [::]:53 in $NS"
else
	not_ok "resolver_serve listens on [::]:53 in $NS"; cat "$TMP/main.err"; finish; exit 1
fi
nsd_wait

# ---- helpers -----------------------------------------------------------------
section_count() { dq "$@" | sed -n "s/.*$SEC: \([0-9]*\).*/\1/p" | head -1; }
ALL_WEB=$(lines "$WEB_AMS" "$WEB_ORD" "$WEB_FRA" "$WEB_SYD")

# ---- AAAA names, every transport ---------------------------------------------
for t in "" +tcp; do
	tr=${t:-+notcp}; tr=${tr#+}
	check_eq "dig $tr: web.internal AAAA is every web instance" "$(short "$WEB_AMS" fdaa::3 web.internal AAAA $t)" "$ALL_WEB"
	check_eq "kdig $tr: web.internal AAAA is every web instance" "$(kshort "$WEB_AMS" fdaa::3 web.internal AAAA ${t:-+notcp})" "$ALL_WEB"
	check_eq "dig $tr: global.web.internal AAAA is every web instance" "$(short "$WEB_ORD" fdaa::3 global.web.internal AAAA $t)" "$ALL_WEB"
	check_eq "kdig $tr: ord.web.internal AAAA is the ord instance" "$(kshort "$WEB_AMS" fdaa::3 ord.web.internal AAAA ${t:-+notcp})" "$WEB_ORD"
	check_eq "dig $tr: <machine>.vm.web.internal AAAA is that machine" "$(short "$WEB_AMS" fdaa::3 "$WEB_FRA_ID.vm.web.internal" AAAA $t)" "$WEB_FRA"
	check_eq "kdig $tr: laptop._peer.internal AAAA is the peer" "$(kshort "$WEB_AMS" fdaa::3 laptop._peer.internal AAAA ${t:-+notcp})" "$LAPTOP"
done
check_eq "flags of an internal answer: qr aa ra, rd copied" "$(flags "$WEB_AMS" fdaa::3 web.internal AAAA)" "qr aa rd ra"
check_eq "no RD asked, none echoed" "$(flags "$WEB_AMS" fdaa::3 web.internal AAAA +norec)" "qr aa ra"
check_eq "AAAA TTL is the fast path's (5 s)" "$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +noall +answer | awk '{print $2}' | sort -u)" "5"
a1=$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +short | head -1)
a2=$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +short | head -1)
if [ "$a1" != "$a2" ]; then ok "the AAAA set rotates between answers"; else not_ok "the AAAA set rotates between answers ($a1 twice)"; fi

# ---- mixed case --------------------------------------------------------------
out=$(dq "$WEB_AMS" fdaa::3 WeB.InTeRnAl AAAA +noall +question +answer)
check "mixed case: the question comes back exactly as asked" grep -q '^;WeB\.InTeRnAl\.' <<<"$out"
check_eq "mixed case: answers owned by the name as asked" "$(awk '!/^;/ && NF {print $1}' <<<"$out" | sort -u)" "WeB.InTeRnAl."
check_eq "mixed case: VMS.Web.Internal TXT" "$(dq "$WEB_AMS" fdaa::3 VMS.Web.Internal TXT +short | tr -d '"' | tr ',' '\n' | sort)" \
	"$(lines "$WEB_AMS_ID ams" "$WEB_ORD_ID ord" "$WEB_FRA_ID fra" "$WEB_SYD_ID syd")"

# ---- nearest -----------------------------------------------------------------
top() { dq "$1" fdaa::3 "top$2.nearest.of.web.internal" AAAA +short | tr '\n' ' '; }
check_eq "top1.nearest from an ams host: the ams instance" "$(top "$WEB_AMS" 1)" "$WEB_AMS "
check_eq "top4.nearest from ams: ams, fra, ord by distance, syd (no coordinates) last" "$(top "$WEB_AMS" 4)" "$WEB_AMS $WEB_FRA $WEB_ORD $WEB_SYD "
check_eq "top3.nearest from ord: ord, ams, fra" "$(top "$WEB_ORD" 3)" "$WEB_ORD $WEB_AMS $WEB_FRA "
check_eq "top9.nearest from syd (no coordinates): syd first, then registry order" "$(top "$WEB_SYD" 9)" "$WEB_SYD $WEB_AMS $WEB_ORD $WEB_FRA "
check_eq "TOP2.Nearest.Of.Web.Internal over TCP (kdig)" "$(kq "$WEB_FRA" fdaa::3 +tcp TOP2.Nearest.Of.Web.Internal AAAA +short | tr '\n' ' ')" "$WEB_FRA $WEB_AMS "
check_eq "top0.nearest.of.web.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 top0.nearest.of.web.internal AAAA)" NXDOMAIN
check_eq "top01.nearest.of.web.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 top01.nearest.of.web.internal AAAA)" NXDOMAIN
check_eq "nearest.of.web.internal: exists, NODATA" "$(status "$WEB_AMS" fdaa::3 nearest.of.web.internal AAAA)" NOERROR

# ---- TXT names ---------------------------------------------------------------
check_eq "regions.web.internal TXT: the regions, sorted" "$(dq "$WEB_AMS" fdaa::3 regions.web.internal TXT +short)" '"ams,fra,ord,syd"'
check_eq "kdig +tcp vms.web.internal TXT: '<machine> <region>' list" "$(kq "$WEB_AMS" fdaa::3 +tcp vms.web.internal TXT +short | tr -d '"' | tr ',' '\n' | sort)" \
	"$(lines "$WEB_AMS_ID ams" "$WEB_ORD_ID ord" "$WEB_FRA_ID fra" "$WEB_SYD_ID syd")"
check_eq "_apps.internal TXT: the apps of the asking network only" "$(dq "$WEB_AMS" fdaa::3 _apps.internal TXT +short)" '"web"'
check_eq "_apps.internal TXT from the backend network" "$(dq "$DB" fdaa::3 _apps.internal TXT +short)" '"db"'
check_eq "_peer.internal TXT: the peers of the network" "$(kq "$WEB_AMS" fdaa::3 _peer.internal TXT +short)" '"laptop"'
check_eq "_peer.internal TXT from another network: NODATA" "$(status "$DB" fdaa::3 _peer.internal TXT)" NOERROR
want=$(lines "instance=$WEB_AMS_ID,app=web,ip=$WEB_AMS,region=ams" "instance=$WEB_ORD_ID,app=web,ip=$WEB_ORD,region=ord" \
	"instance=$WEB_FRA_ID,app=web,ip=$WEB_FRA,region=fra" "instance=$WEB_SYD_ID,app=web,ip=$WEB_SYD,region=syd")
check_eq "_instances.internal TXT: instance=,app=,ip=,region= per instance" \
	"$(dq "$WEB_AMS" fdaa::3 _instances.internal TXT +tcp +short | sed 's/" "//g' | tr -d '"' | tr ';' '\n' | sort)" "$want"

# TXT splitting: 60 instances on the bulk network are ~6 kB of text.
dq "$BIG_ONE" fdaa::3 _instances.internal TXT +tcp +noall +answer >"$TMP/txt"
$PY - "$TMP/txt" "$TMP/big" >"$TMP/txt.check" <<'EOF'
import re, sys
recs = [re.findall(r'"([^"]*)"', l) for l in open(sys.argv[1]) if 'TXT' in l]
big = dict(l.split()[::-1] for l in open(sys.argv[2]))  # address -> id
print("records", len(recs))
print("max_string", max(len(s) for r in recs for s in r))
print("max_record", max(len("".join(r)) for r in recs))
print("multi_string_records", sum(1 for r in recs if len(r) > 1))
entries = [e for r in recs for e in "".join(r).split(";")]
want = sorted("instance=%s,app=big,ip=%s,region=ams" % (i, a) for a, i in big.items())
print("entries_match", int(sorted(entries) == want))
EOF
tv() { awk -v k="$1" '$1==k {print $2}' "$TMP/txt.check"; }
if [ "$(tv records)" -ge 2 ]; then ok "long _instances TXT: several TXT records ($(tv records))"; else not_ok "long _instances TXT: several TXT records ($(tv records))"; fi
if [ "$(tv max_string)" -le 255 ]; then ok "every character-string is at most 255 bytes ($(tv max_string))"; else not_ok "character-strings at most 255 bytes ($(tv max_string))"; fi
if [ "$(tv multi_string_records)" -ge 1 ]; then ok "records are split into several character-strings"; else not_ok "records split into several character-strings"; fi
if [ "$(tv max_record)" -le 1024 ]; then ok "a record holds at most 1024 bytes of whole entries"; else not_ok "record size $(tv max_record)"; fi
check_eq "joined, the records hold exactly the 60 instances" "$(tv entries_match)" 1
check_eq "long TXT over UDP without EDNS: TC=1, no answer" "$(flags "$BIG_ONE" fdaa::3 _instances.internal TXT +noedns +ignore)" "qr aa tc rd ra"

# ---- big AAAA sets: TC over UDP, full over TCP -------------------------------
check_eq "big.internal over UDP, no EDNS: TC set" "$(flags "$BIG_ONE" fdaa::3 big.internal AAAA +noedns +ignore)" "qr aa tc rd ra"
SEC=ANSWER
check_eq "big.internal over UDP, no EDNS: no partial answer" "$(section_count "$BIG_ONE" fdaa::3 big.internal AAAA +noedns +ignore)" 0
check_eq "big.internal with EDNS 4096: still TC (capped at 1232)" "$(flags "$BIG_ONE" fdaa::3 big.internal AAAA +bufsize=4096 +ignore)" "qr aa tc rd ra"
check_eq "big.internal over TCP: all $BIG_N addresses" "$(dq "$BIG_ONE" fdaa::3 big.internal AAAA +tcp +short | wc -l)" "$BIG_N"
check_eq "kdig big.internal over TCP: all $BIG_N addresses" "$(kq "$BIG_ONE" fdaa::3 +tcp big.internal AAAA +short | wc -l)" "$BIG_N"
check_eq "dig over UDP retries TC over TCP and gets all $BIG_N" "$(dq "$BIG_ONE" fdaa::3 big.internal AAAA +short | wc -l)" "$BIG_N"
big_want=$(awk '{print $2}' "$TMP/big" | sort)
check_eq "the $BIG_N addresses are the app's machines" "$(short "$BIG_ONE" fdaa::3 big.internal AAAA +tcp)" "$big_want"

# ---- NODATA, NXDOMAIN, the SOA ---------------------------------------------
SOA='internal. 5 IN SOA ns.internal. hostmaster.internal. 1 3600 600 86400 5'
auth() { dq "$@" +noall +authority | awk '{$1=$1; print}'; }
check_eq "web.internal A: NODATA (NOERROR)" "$(status "$WEB_AMS" fdaa::3 web.internal A)" NOERROR
check_eq "web.internal A: no answer" "$(short "$WEB_AMS" fdaa::3 web.internal A)" ""
check_eq "web.internal A: the fast path's SOA in authority" "$(auth "$WEB_AMS" fdaa::3 web.internal A)" "$SOA"
check_eq "web.internal TXT: NODATA" "$(status "$WEB_AMS" fdaa::3 web.internal TXT)" NOERROR
check_eq "vm.web.internal AAAA (empty non-terminal): NODATA" "$(status "$WEB_AMS" fdaa::3 vm.web.internal AAAA)" NOERROR
check_eq "regions.web.internal AAAA: NODATA with SOA" "$(auth "$WEB_AMS" fdaa::3 regions.web.internal AAAA)" "$SOA"
check_eq "_apps.internal AAAA over TCP: NODATA" "$(status "$WEB_AMS" fdaa::3 _apps.internal AAAA +tcp)" NOERROR
check_eq "nope.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 nope.internal AAAA)" NXDOMAIN
check_eq "nope.internal: SOA in authority" "$(auth "$WEB_AMS" fdaa::3 nope.internal AAAA)" "$SOA"
check_eq "nope.internal NXDOMAIN flags: authoritative" "$(flags "$WEB_AMS" fdaa::3 nope.internal AAAA)" "qr aa rd ra"
check_eq "x.web.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 x.web.internal AAAA)" NXDOMAIN
check_eq "a.b.c.d.e.web.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 a.b.c.d.e.web.internal AAAA)" NXDOMAIN
check_eq "nobody._peer.internal: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 nobody._peer.internal AAAA)" NXDOMAIN
check_eq "an app of another network of the same org (db): NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 db.internal AAAA)" NXDOMAIN
check_eq "... over TCP too" "$(status "$WEB_AMS" fdaa::3 db.internal AAAA +tcp)" NXDOMAIN
check_eq "an app of another org (shop): NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 shop.internal AAAA)" NXDOMAIN
check_eq "another org's TXT names: NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 vms.shop.internal TXT)" NXDOMAIN
check_eq "the app ID is not a name" "$(status "$WEB_AMS" fdaa::3 "$(ctl --json apps list --org acme | $PY -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["apps"] if a["name"]=="web"][0])').internal" AAAA)" NXDOMAIN
check_eq "shop.internal from globex's own network works" "$(short "$SHOP" fdaa::3 shop.internal AAAA)" "$SHOP"
check_eq "internal. SOA" "$(dq "$WEB_AMS" fdaa::3 internal SOA +short)" "ns.internal. hostmaster.internal. 1 3600 600 86400 5"
check_eq "internal. NS" "$(dq "$WEB_AMS" fdaa::3 internal NS +short)" "ns.internal."
check_eq "internal. A: NODATA" "$(status "$WEB_AMS" fdaa::3 internal A)" NOERROR
check_eq "class CH under internal.: NOTIMP" "$(status "$WEB_AMS" fdaa::3 web.internal CH TXT)" NOTIMP

# ---- EDNS --------------------------------------------------------------------
check "EDNS query: OPT with our size 1232 in the reply" grep -q 'EDNS: version: 0, flags:; udp: 1232' <<<"$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +bufsize=4096)"
check "DO bit copied" grep -q 'EDNS: version: 0, flags: do; udp: 1232' <<<"$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +dnssec)"
check_fails "no EDNS query: no OPT in the reply" grep -q 'OPT PSEUDOSECTION' <<<"$(dq "$WEB_AMS" fdaa::3 web.internal AAAA +noedns)"
check_eq "EDNS version 1: BADVERS" "$(status "$WEB_AMS" fdaa::3 web.internal AAAA +edns=1 +noednsneg)" BADVERS

# ---- who may ask -------------------------------------------------------------
check_eq "a source outside 6PN is REFUSED" "$(status fd00::5 fdaa::3 web.internal AAAA)" REFUSED
check_eq "... over TCP too" "$(status fd00::5 fdaa::3 web.internal AAAA +tcp)" REFUSED
check_eq "... forwarded names too" "$(status fd00::5 fdaa::3 www.example.test A)" REFUSED
check "::1 asking ::1 (not a DNS address): no answer" grep -q 'timed out' <<<"$(x dig +time=1 +tries=1 -b ::1 @::1 web.internal AAAA 2>&1)"
check_eq "the peer asks <prefix>::3: web.internal" "$(short "$LAPTOP" "$PEER_DNS" web.internal AAAA)" "$ALL_WEB"
check_eq "the peer over TCP (kdig): _peer.internal" "$(kq "$LAPTOP" "$PEER_DNS" +tcp _peer.internal TXT +short)" '"laptop"'
check_eq "the peer: reply comes from <prefix>::3" "$(dq "$LAPTOP" "$PEER_DNS" web.internal AAAA | sed -n 's/^;; SERVER: \([^#]*\)#.*/\1/p')" "$PEER_DNS"

# FORMERR and NOTIMP on raw messages (the reply parsed by scapy).
raw() {
	x $PY - "$WEB_AMS" "$1" <<'EOF'
import socket, sys
from scapy.layers.dns import DNS, DNSQR, DNSRROPT
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0)); s.settimeout(2)
q = DNSQR(qname="web.internal", qtype="AAAA")
msgs = {
    "garbage": b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff\xff",
    "two-opt": bytes(DNS(id=0x1234, qd=q, ar=DNSRROPT(rclass=1232) / DNSRROPT(rclass=1232))),
    "qd2": bytes(DNS(id=0x1234, qd=q / DNSQR(qname="web.internal", qtype="A"))),
    "qd0": bytes(DNS(id=0x1234, qdcount=0)),
    "opcode2": bytes(DNS(id=0x1234, opcode=2, qd=q)),
    "response": bytes(DNS(id=0x1234, qr=1, qd=q)),
    "axfr": bytes(DNS(id=0x1234, qd=DNSQR(qname="internal", qtype="AXFR"))),
}
s.sendto(msgs[sys.argv[2]], ("fdaa::3", 53))
try:
    r = DNS(s.recv(65535))
    print(r.id == 0x1234, r.qr, r.rcode)
except socket.timeout:
    print("timeout")
EOF
}
check_eq "garbage after a header: FORMERR with the ID" "$(raw garbage)" "True 1 1"
check_eq "two OPT records: FORMERR" "$(raw two-opt)" "True 1 1"
check_eq "QDCOUNT 2: FORMERR" "$(raw qd2)" "True 1 1"
check_eq "QDCOUNT 0: FORMERR" "$(raw qd0)" "True 1 1"
check_eq "opcode STATUS: NOTIMP" "$(raw opcode2)" "True 1 4"
check_eq "a response is never answered" "$(raw response)" "timeout"
check_eq "AXFR of internal.: NOTIMP" "$(raw axfr)" "True 1 4"

# ---- registry changes: fresh on every question -------------------------------
read -r NEW_ID NEW <<<"$(machine web a7b:f4a)"
check_eq "a machine committed a moment ago is in <id>.vm.web.internal" "$(short "$WEB_AMS" fdaa::3 "$NEW_ID.vm.web.internal" AAAA)" "$NEW"
check "... and in web.internal" grep -qx "$NEW" <<<"$(short "$WEB_AMS" fdaa::3 web.internal AAAA)"
ctl machines destroy "$NEW_ID" >/dev/null
check_eq "destroyed, it is NXDOMAIN at once" "$(status "$WEB_AMS" fdaa::3 "$NEW_ID.vm.web.internal" AAAA)" NXDOMAIN

# ---- forwarding --------------------------------------------------------------
check_eq "www.example.test A forwarded to NSD (dig UDP)" "$(short "$WEB_AMS" fdaa::3 www.example.test A)" 192.0.2.1
check_eq "www.example.test AAAA forwarded (kdig TCP)" "$(kshort "$WEB_AMS" fdaa::3 +tcp www.example.test AAAA)" 2001:db8::1
check_eq "WWW.Example.TEST: the question comes back as asked" "$(dq "$WEB_AMS" fdaa::3 WWW.Example.TEST A +noall +answer | awk '{print $1}')" "WWW.Example.TEST."
check_eq "forwarded flags: qr rd ra, no AA although the upstream is authoritative" "$(flags "$WEB_AMS" fdaa::3 www.example.test A)" "qr rd ra"
check_eq "nope.example.test: the upstream's NXDOMAIN" "$(status "$WEB_AMS" fdaa::3 nope.example.test A)" NXDOMAIN
check "... with the upstream's SOA" grep -q 'example.test.*SOA' <<<"$(dq "$WEB_AMS" fdaa::3 nope.example.test A +noall +authority)"
check_eq "the peer's forwarded name through <prefix>::3" "$(short "$LAPTOP" "$PEER_DNS" www.example.test A)" 192.0.2.1
tcp_before=$(stat main upstream_tcp)
check_eq "big.example.test (120 A, truncated by NSD over UDP) over TCP: all 120" "$(dq "$WEB_AMS" fdaa::3 big.example.test A +tcp +short | wc -l)" 120
tcp_after=$(stat main upstream_tcp)
if [ "$tcp_after" -gt "$tcp_before" ]; then ok "the upstream's TC=1 was retried over TCP ($tcp_before -> $tcp_after)"; else not_ok "upstream TC retried over TCP ($tcp_before -> $tcp_after)"; fi
check_eq "big.example.test over UDP without EDNS: TC to the client" "$(flags "$WEB_AMS" fdaa::3 big.example.test A +noedns +ignore)" "qr tc rd ra"
check_eq "kdig over UDP falls back to TCP: all 120" "$(kq "$WEB_AMS" fdaa::3 big.example.test A +short 2>&1 | grep -c '^198\.18\.')" 120

# many at once: 200 forwarded queries in flight over one UDP socket
x $PY - "$WEB_AMS" >"$TMP/burst" <<'EOF'
import socket, sys
from scapy.layers.dns import DNS, DNSQR
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0)); s.settimeout(3)
for i in range(200):
    s.sendto(bytes(DNS(id=i, rd=1, qd=DNSQR(qname="www.example.test", qtype="A"))), ("fdaa::3", 53))
ok = set()
try:
    while len(ok) < 200:
        r = DNS(s.recv(4096))
        if r.rcode == 0 and r.ancount == 1 and r.an.rdata == "192.0.2.1":
            ok.add(r.id)
except socket.timeout:
    pass
print(len(ok))
EOF
check_eq "200 concurrent forwarded queries all answered" "$(cat "$TMP/burst")" 200

# ---- metrics -----------------------------------------------------------------
MPORT=$(awk '/^metrics port/ {print $3}' "$TMP/main.out")
x curl -s "http://[::1]:$MPORT/metrics" >"$TMP/metrics"
mval() { awk -v k="$1" '$1==k {print $2}' "$TMP/metrics"; }
check "sixpn_dns_queries_total{path=\"userspace\",rcode=\"noerror\"} counts" awk '$1=="sixpn_dns_queries_total{path=\"userspace\",rcode=\"noerror\"}" && $2 > 0 {f=1} END {exit !f}' "$TMP/metrics"
check "sixpn_dns_queries_total{path=\"userspace\",rcode=\"nxdomain\"} counts" awk '$1=="sixpn_dns_queries_total{path=\"userspace\",rcode=\"nxdomain\"}" && $2 > 0 {f=1} END {exit !f}' "$TMP/metrics"
check "sixpn_dns_queries_total{path=\"userspace\",rcode=\"refused\"} counts" awk '$1=="sixpn_dns_queries_total{path=\"userspace\",rcode=\"refused\"}" && $2 >= 3 {f=1} END {exit !f}' "$TMP/metrics"
check "sixpn_dns_queries_total{path=\"forwarded\",rcode=\"noerror\"} counts" awk '$1=="sixpn_dns_queries_total{path=\"forwarded\",rcode=\"noerror\"}" && $2 >= 200 {f=1} END {exit !f}' "$TMP/metrics"
check "sixpn_dns_queries_total{path=\"forwarded\",rcode=\"nxdomain\"} counts" awk '$1=="sixpn_dns_queries_total{path=\"forwarded\",rcode=\"nxdomain\"}" && $2 > 0 {f=1} END {exit !f}' "$TMP/metrics"
check "the family is typed a counter" grep -qx '# TYPE sixpn_dns_queries_total counter' "$TMP/metrics"
stop_resolver

# ---- a dead upstream, a refusing one, a lying one ----------------------------
bg_in_ns "$NS" $PY "$SIXPN_ROOT/selftests/dns/fake_upstream.py" ::1 5301 5302 >"$TMP/fake.out" 2>&1
for _ in $(seq 100); do grep -q ready "$TMP/fake.out" && break; sleep 0.05; done
start_resolver liar --upstream '[::1]:5302' --upstream '[::1]:5399' --upstream '[::1]:5301' --timeout-ms 300
t0=$(date +%s%N)
check_eq "past a dead and a refusing upstream, the lying one's true answer" "$(short "$WEB_AMS" fdaa::3 spoof.test A)" 192.0.2.99
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -ge 300 ]; then ok "the dead upstream cost its 300 ms timeout (${ms} ms)"; else not_ok "dead upstream timeout (${ms} ms)"; fi
check_eq "one upstream timed out" "$(stat liar upstream_timeouts)" 1
check_eq "one upstream refused (ICMP port unreachable)" "$(stat liar upstream_errors)" 1
check_eq "wrong ID, wrong question and QR=0 replies were ignored" "$(stat liar upstream_mismatch)" 3
check_eq "over TCP to us, the same true answer" "$(short "$WEB_AMS" fdaa::3 spoof.test A +tcp)" 192.0.2.99
stop_resolver
start_resolver none --upstream '[::1]:5302' --timeout-ms 200
check_eq "every upstream dead: SERVFAIL" "$(status "$WEB_AMS" fdaa::3 www.example.test A)" SERVFAIL
stop_resolver

# ---- default upstreams: resolv.conf without ourselves ------------------------
printf 'nameserver fdaa::3\nnameserver %s\nnameserver ::1\n' "$PEER_DNS" >"$TMP/resolv.conf"
start_resolver rc --resolv-conf "$TMP/resolv.conf"
check "resolv.conf: fdaa::3 and <prefix>::3 are skipped" grep -q 'upstreams=1' "$TMP/rc.err"
stop_resolver
check_fails "--upstream fdaa::3 (itself) is refused" in_ns "$NS" "$SERVE" --registry "$REG" --upstream fdaa::3 --listen '[::1]:0'

# ---- the regions table: migration and CLI ------------------------------------
cp "$REG" "$TMP/v1.db"
sqlite3 "$TMP/v1.db" "DROP TABLE regions; DROP TABLE meta; DROP TABLE tokens; DROP TABLE flycast; DROP TABLE flycast_leases; ALTER TABLE machines DROP COLUMN metadata;
	ALTER TABLE machines DROP COLUMN process_group; ALTER TABLE machines DROP COLUMN state; PRAGMA user_version = 1"
"$BUILD/sixpnctl" --registry "$TMP/v1.db" regions list >/dev/null
check_eq "a version 1 registry is migrated to version 6 by sixpnctl" "$(sqlite3 "$TMP/v1.db" 'PRAGMA user_version')" 6
check_eq "... and has the regions table" "$(sqlite3 "$TMP/v1.db" "SELECT count(*) FROM regions")" 0
check_eq "... and its machines" "$(sqlite3 "$TMP/v1.db" "SELECT count(*) FROM machines")" "$(sqlite3 "$REG" "SELECT count(*) FROM machines")"
check_fails "regions set refuses latitude 91" ctl regions set ams --lat 91 --lon 0
check_fails "regions set refuses a bad region name" ctl regions set AMS --lat 1 --lon 0
ctl regions set ams --lat -33.87 --lon 151.21 >/dev/null
check_eq "regions set replaces the coordinates" "$(ctl regions list | awk '$1=="ams" {print $2, $3}')" "-33.870000 151.210000"
ctl regions remove syd >/dev/null 2>&1
check_eq "regions remove of an unknown region: exit 3" "$?" 3

finish
