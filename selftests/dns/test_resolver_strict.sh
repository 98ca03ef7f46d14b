#!/usr/bin/env bash
# The resolver as a strict DNS client sees it (issue 11, findings 6-8 and
# 10-13): build/selftests/resolver_serve alone in namespace rs-dns, a
# registry filled with sixpnctl, NSD as an authoritative upstream and a
# recording upstream (dns_raw.py serve); real dig and kdig, and dns_raw.py
# for the messages they cannot make. Then a real unbound with a primed stub
# zone for internal. pointed at the resolver, and a one-host testbed
# (prefix rs) to show that the XDP fast path passes ns.internal up.
#
#   6  CD is copied into every reply and forwarded upstream
#   7  a TSIG-signed query gets NOTAUTH with TSIG error BADKEY, unsigned
#      (RFC 8945 section 5.2), OPT only when asked; a misplaced TSIG FORMERR
#   8  malformed EDNS and trailing bytes get FORMERR (RFC 6891, RFC 7873)
#   10 ns.internal has the asker's DNS address; a primed unbound works
#   11 forwarded answers never carry AA
#   12 NOTIMP for other opcodes echoes the header like NSD: RA and AA clear
#   13 CHAOS (and every class but IN and ANY) is answered here, NOTIMP,
#      never forwarded
set -uo pipefail
. "$(dirname "$0")/lib.sh"

NS=rs-dns
TMP=$(mktemp -d /tmp/sixpn-resolver-strict.XXXXXX)
REG="$TMP/registry.db"
RAW="$PY $SIXPN_ROOT/selftests/dns/dns_raw.py"
TB="$SIXPN_ROOT/scripts/testbed"
TB_STATE=/run/sixpn-testbed/rs
cleanup() {
	netns_cleanup
	"$TB" down --state "$TB_STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null
"$TB" down --state "$TB_STATE" >/dev/null 2>&1

# ---- the registry ------------------------------------------------------------
ctl orgs create acme >/dev/null
NET=$(ctl --json apps create web --org acme | jget prefix)
NET=${NET%::/48}
ctl hosts add a7b:d6b --region ams --peers-endpoint "[fd5e::1]:51821" \
	--peers-public-key "$(wg genkey | wg pubkey)" >/dev/null
WEB=$(ctl --json machines create --app web --host a7b:d6b | jget address)
WEB2=$(ctl --json machines create --app web --host a7b:d6b | jget address)
ctl apps create ns --org acme >/dev/null  # an app called like the NS target
NSAPP=$(ctl --json machines create --app ns --host a7b:d6b | jget address)
ctl wireguard create acme ams laptop "$TMP/laptop.conf" >/dev/null 2>&1
LAPTOP=$(awk '/^Address/ {print $3}' "$TMP/laptop.conf" | cut -d/ -f1)
PEER_DNS="$NET::3"
ALL_WEB=$(printf '%s\n' "$WEB" "$WEB2" | sort)

# ---- the namespace, the upstreams, the resolver ------------------------------
ns_add "$NS"
for a in fdaa::3 "$PEER_DNS" "$WEB" "$WEB2" "$LAPTOP"; do
	ip -n "$NS" addr add "$a/128" dev lo nodad
done
example_zone ::1
nsd_up "$NS" ::1@5300
bg_in_ns "$NS" $RAW serve ::1 5301 "$TMP/upstream.log" >"$TMP/rec.out" 2>&1

if start_resolver nsd --upstream '[::1]:5300'; then
	ok "resolver_serve listens on [::]:53 in $NS (upstream: NSD)"
else
	not_ok "resolver_serve listens in $NS"; cat "$TMP/nsd.err"; finish; exit 1
fi
nsd_wait

kflags() { kq "$@" | sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p'; }
raw() { x $RAW "$WEB" fdaa::3 53 "$@"; }
# field KEY LINE: one key=value of a dns_raw.py reply line
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# ---- 6: CD --------------------------------------------------------------------
check_eq "6: CD copied into an internal answer (dig +cd)" "$(flags "$WEB" fdaa::3 web.internal AAAA +cd)" "qr aa rd ra cd"
check_eq "6: CD copied into an internal answer (kdig +cdflag, over TCP)" "$(kflags "$WEB" fdaa::3 web.internal AAAA +cdflag +tcp)" "qr aa rd ra cd"
check_eq "6: CD copied into NXDOMAIN" "$(flags "$WEB" fdaa::3 nope.internal AAAA +cd)" "qr aa rd ra cd"
check_eq "6: CD copied into an error reply (BADVERS)" \
	"$(flags "$WEB" fdaa::3 web.internal AAAA +cd +edns=1 +noednsneg)" "qr rd ra cd"
check_eq "6: no CD asked, none in the reply" "$(flags "$WEB" fdaa::3 web.internal AAAA +nocd)" "qr aa rd ra"
check_eq "6: CD copied into a forwarded answer" "$(flags "$WEB" fdaa::3 www.example.test A +cd)" "qr rd ra cd"
stop_resolver

start_resolver rec --upstream '[::1]:5301'
: >"$TMP/upstream.log"
dq "$WEB" fdaa::3 cd.example.test A +cd >/dev/null
dq "$WEB" fdaa::3 nocd.example.test A +nocd >/dev/null
check_eq "6: the upstream got CD=1 for a +cd query and CD=0 for +nocd" \
	"$(awk '{print $2}' "$TMP/upstream.log" | tr '\n' ' ')" "cd=1 cd=0 "

# ---- 11: forwarded answers are not ours to call authoritative ----------------
check_eq "11: an AA=1 upstream answer is forwarded with AA clear" "$(flags "$WEB" fdaa::3 www.example.test A)" "qr rd ra"
check_eq "11: ... its data intact" "$(dq "$WEB" fdaa::3 www.example.test A +short)" 192.0.2.7
check_eq "11: ... over TCP too (kdig)" "$(kflags "$WEB" fdaa::3 www.example.test A +tcp)" "qr rd ra"
check_eq "11: internal answers keep AA" "$(flags "$WEB" fdaa::3 web.internal AAAA)" "qr aa rd ra"

# ---- 13: CHAOS is answered here, never forwarded -----------------------------
: >"$TMP/upstream.log"
check_eq "13: version.bind CH TXT: NOTIMP" "$(status "$WEB" fdaa::3 version.bind CH TXT)" NOTIMP
check_eq "13: id.server CH TXT: NOTIMP" "$(status "$WEB" fdaa::3 id.server CH TXT)" NOTIMP
check_eq "13: hostname.bind CH TXT over TCP (kdig): NOTIMP (kdig says NOTIMPL)" \
	"$(kq "$WEB" fdaa::3 -c CH hostname.bind TXT +tcp | sed -n 's/.*status: \([A-Z]*\);.*/\1/p')" NOTIMPL
check_eq "13: www.example.test HS A: NOTIMP" "$(status "$WEB" fdaa::3 www.example.test HS A)" NOTIMP
check_eq "13: none of them reached the upstream" "$(wc -l <"$TMP/upstream.log")" 0
check_eq "13: the NOTIMP carries no AA" "$(flags "$WEB" fdaa::3 version.bind CH TXT)" "qr rd ra"
check_eq "13: class ANY is still forwarded (answered)" "$(status "$WEB" fdaa::3 www.example.test ANY A)" NOERROR
stop_resolver

start_resolver nsd2 --upstream '[::1]:5300'
check_fails "13: NSD's version string never reaches an instance" \
	grep -q NSD <<<"$(dq "$WEB" fdaa::3 version.bind CH TXT +short)"

# ---- 12: NOTIMP for opcodes other than QUERY, like NSD ------------------------
for op in 1 2 5 6 15; do
	out=$(dq "$WEB" fdaa::3 web.internal AAAA +opcode=$op +cd)
	check_eq "12: opcode $op: NOTIMP" "$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")" NOTIMP
	check_eq "12: opcode $op: header echoed with QR, RD and CD; RA and AA clear; nothing else (NSD's)" \
		"$(sed -n 's/^;; flags: \(.*\)$/\1/p' <<<"$out")" "qr rd cd; QUERY: 0, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0"
	check_eq "12: opcode $op: the same header as NSD's own reply (the oracle, running here)" \
		"$(grep -E '^;; (->>HEADER|flags)' <<<"$out" | sed 's/id: [0-9]*//')" \
		"$(x dig +time=2 +tries=1 -b ::1 @::1 -p 5300 www.example.test A +opcode=$op +cd | grep -E '^;; (->>HEADER|flags)' | sed 's/id: [0-9]*//')"
done
check_eq "12: opcode UPDATE for a forwarded name: the same NOTIMP" \
	"$(flags "$WEB" fdaa::3 www.example.test A +opcode=5 +norec)" "qr"
check_eq "12: class CH under internal.: NOTIMP without AA" "$(flags "$WEB" fdaa::3 web.internal CH TXT)" "qr rd ra"
r=$(raw axfr internal)
check_eq "12: AXFR of internal. over UDP: NOTIMP without AA" "$(field rcode "$r") aa=$(field aa "$r")" "NOTIMP aa=0"

# ---- 7: TSIG -------------------------------------------------------------------
KEY="hmac-sha256:key.example:$(head -c 32 /dev/urandom | base64)"
out=$(kq "$WEB" fdaa::3 web.internal AAAA -y "$KEY" +noedns)
check_eq "7: kdig -y +noedns: BADKEY (NOTAUTH + TSIG error BADKEY)" "$(sed -n 's/.*status: \([A-Z]*\);.*/\1/p' <<<"$out")" BADKEY
check_fails "7: ... and no OPT in the reply (RFC 6891 section 7)" grep -q 'EDNS PSEUDOSECTION' <<<"$out"
check "7: ... the TSIG is unsigned (MAC size 0), names our key and algorithm" \
	grep -Eq '^key\.example\.\s+0\s+ANY\s+TSIG\s+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0' <<<"$out"
out=$(kq "$WEB" fdaa::3 web.internal AAAA -y "$KEY" +edns)
check_eq "7: kdig -y +edns: BADKEY, not FORMERR" "$(sed -n 's/.*status: \([A-Z]*\);.*/\1/p' <<<"$out")" BADKEY
check "7: ... with our OPT" grep -q 'UDP size: 1232 B' <<<"$out"
out=$(dq "$WEB" fdaa::3 web.internal AAAA -y "$KEY")
check_eq "7: dig -y: NOTAUTH" "$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")" NOTAUTH
check "7: dig -y: the reply's TSIG says BADKEY" grep -Eq 'TSIG.* BADKEY 0' <<<"$out"
check_eq "7: kdig -y over TCP: BADKEY" "$(kq "$WEB" fdaa::3 web.internal AAAA -y "$KEY" +tcp | sed -n 's/.*status: \([A-Z]*\);.*/\1/p')" BADKEY
check_eq "7: a signed forwarded name: BADKEY too (the resolver holds no keys)" \
	"$(kq "$WEB" fdaa::3 www.example.test A -y "$KEY" | sed -n 's/.*status: \([A-Z]*\);.*/\1/p')" BADKEY
r=$(raw tsig)
check_eq "7: raw TSIG, no EDNS: NOTAUTH, TSIG BADKEY, no OPT" "$(field rcode "$r") $(field tsig "$r") $(field opt "$r")" "NOTAUTH BADKEY 0"
r=$(raw tsig-edns)
check_eq "7: raw OPT + TSIG: NOTAUTH, TSIG BADKEY, one OPT" "$(field rcode "$r") $(field tsig "$r") $(field opt "$r")" "NOTAUTH BADKEY 1"
for c in tsig-not-last two-tsig tsig-answer tsig-short; do
	check_eq "7: $c: FORMERR (RFC 8945 section 5.2)" "$(field rcode "$(raw $c)")" FORMERR
done

# ---- 8: malformed EDNS and trailing bytes --------------------------------------
for c in plain edns unknown-option cookie8 cookie16 cookie40; do
	check_eq "8: well-formed $c: answered" "$(field rcode "$(raw $c)") $(field an "$(raw $c)")" "NOERROR 2"
done
for c in option-overrun option-half cookie5 cookie12 cookie41 opt-owner opt-answer opt-authority \
	two-opt trailing trailing-edns rdata-overrun; do
	r=$(raw $c)
	check_eq "8: $c: FORMERR, nothing but the header (like NSD)" \
		"$(field rcode "$r") $(field id "$r") qd=$(field qd "$r") an=$(field an "$r") opt=$(field opt "$r")" \
		"FORMERR ok qd=0 an=0 opt=0"
done
check_eq "8: a forwarded name with a 5-byte COOKIE: FORMERR too" \
	"$(field rcode "$(raw cookie5 www.example.test)")" FORMERR
check_eq "8: dig +cookie=0102030405 (5 bytes): FORMERR" "$(status "$WEB" fdaa::3 web.internal AAAA +cookie=0102030405)" FORMERR
check_eq "8: kdig +ednsopt=10:<5 bytes>: FORMERR" \
	"$(kq "$WEB" fdaa::3 web.internal AAAA +ednsopt=10:0102030405 | sed -n 's/.*status: \([A-Z]*\);.*/\1/p')" FORMERR
check_eq "8: dig +cookie (8 random bytes): answered" "$(status "$WEB" fdaa::3 web.internal AAAA +cookie)" NOERROR
check_eq "8: dig +ednsopt=65001:abcd: answered" "$(status "$WEB" fdaa::3 web.internal AAAA +ednsopt=65001:abcd)" NOERROR
check_eq "8: QTYPE OPT under internal.: FORMERR" "$(field rcode "$(raw qtype-opt)")" FORMERR
check_eq "8: QTYPE OPT of a forwarded name: FORMERR, not forwarded" \
	"$(field rcode "$(raw qtype-opt www.example.test)")" FORMERR

# ---- 10: ns.internal -------------------------------------------------------------
check_eq "10: ns.internal AAAA from an instance (fdaa::3): fdaa::3" "$(dq "$WEB" fdaa::3 ns.internal AAAA +short)" "fdaa::3"
check_eq "10: kdig over TCP: ns.internal AAAA" "$(kq "$WEB" fdaa::3 ns.internal AAAA +tcp +short)" "fdaa::3"
check_eq "10: ns.internal AAAA from the peer (<prefix>::3): <prefix>::3" \
	"$(dq "$LAPTOP" "$PEER_DNS" ns.internal AAAA +short)" "$PEER_DNS"
check_eq "10: NS.Internal over TCP, owned by the name as asked" "$(dq "$WEB" fdaa::3 NS.Internal AAAA +tcp +noall +answer | awk '{print $1, $2, $5}')" \
	"NS.Internal. 5 fdaa::3"
check_eq "10: ns.internal AAAA is authoritative" "$(flags "$WEB" fdaa::3 ns.internal AAAA)" "qr aa rd ra"
check_eq "10: ns.internal A: NODATA" "$(status "$WEB" fdaa::3 ns.internal A)" NOERROR
check_eq "10: x.ns.internal: NXDOMAIN" "$(status "$WEB" fdaa::3 x.ns.internal AAAA)" NXDOMAIN
check_eq "10: internal. NS, with ns.internal's address in the additional section" \
	"$(dq "$WEB" fdaa::3 internal NS +noall +answer +additional | awk '{print $1, $2, $4, $5}')" \
	"$(printf 'internal. 5 NS ns.internal.\nns.internal. 5 AAAA fdaa::3')"
check_eq "10: the peer's glue is its <prefix>::3" \
	"$(dq "$LAPTOP" "$PEER_DNS" internal NS +noall +additional | awk '{print $5}')" "$PEER_DNS"
check_eq "10: an app called ns: ns.internal is still the name server" "$(dq "$WEB" fdaa::3 ns.internal AAAA +short)" "fdaa::3"
check_eq "10: ... and the app keeps global.ns.internal" "$(dq "$WEB" fdaa::3 global.ns.internal AAAA +short)" "$NSAPP"
check_eq "10: every apex record has the 5 s TTL (SOA, NS)" \
	"$(dq "$WEB" fdaa::3 internal ANY +noall +answer | awk '{print $2}' | sort -u)" 5
stop_resolver

# A real cache that primes its stub: unbound, stub-prime: yes, asking the
# resolver from an instance address (the resolver answers 6PN sources only).
start_resolver stub --upstream '[::1]:5300'
cat >"$TMP/unbound.conf" <<EOF
server:
	interface: ::1@5399
	do-ip4: no
	do-ip6: yes
	chroot: ""
	username: ""
	directory: "$TMP"
	pidfile: "$TMP/unbound.pid"
	logfile: "$TMP/unbound.log"
	use-syslog: no
	verbosity: 1
	module-config: "iterator"
	do-not-query-localhost: no
	outgoing-interface: $WEB
	access-control: ::1/128 allow
	domain-insecure: "internal."
	local-zone: "internal." nodefault
remote-control:
	control-enable: no
stub-zone:
	name: "internal."
	stub-addr: fdaa::3
	stub-prime: yes
EOF
if unbound-checkconf "$TMP/unbound.conf" >/dev/null 2>&1; then
	ok "unbound.conf (stub-zone internal., stub-prime: yes) is valid"
else
	not_ok "unbound.conf valid: $(unbound-checkconf "$TMP/unbound.conf" 2>&1)"
fi
bg_in_ns "$NS" unbound -d -c "$TMP/unbound.conf"
UNBOUND_PID=$LAST_PID
for _ in $(seq 100); do
	x dig +time=1 +tries=1 -b ::1 @::1 -p 5399 . NS >/dev/null 2>&1 && break
	sleep 0.05
done
check_eq "10: unbound with a primed stub answers web.internal" \
	"$(x dig +time=3 +tries=1 -b ::1 @::1 -p 5399 web.internal AAAA +short | sort)" "$ALL_WEB"
check_eq "10: ... and NXDOMAIN for nope.internal, not SERVFAIL" \
	"$(x dig +time=3 +tries=1 -b ::1 @::1 -p 5399 nope.internal AAAA | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" NXDOMAIN
kill "$UNBOUND_PID" 2>/dev/null; wait "$UNBOUND_PID" 2>/dev/null
stop_resolver

# ---- 10: the XDP fast path passes ns.internal up --------------------------------
# One host, two instances (apps web and ns), sixpnd with XDP and the
# resolver: ns.internal is answered (fdaa::3), not NXDOMAIN'd by the fast
# path (names_sync puts it in the names map for the resolver), and not the
# app's name either.
cat >"$TMP/rs.tb" <<'EOF'
prefix rs
host h1 a7b:d6b ams
org acme
app web acme
app ns acme
machine w1 web h1
machine n1 ns h1
EOF
if "$TB" up "$TMP/rs.tb" --state "$TB_STATE" >"$TMP/tb.log" 2>&1; then
	ok "testbed up: one host, two instances, sixpnd"
	tx() { nsenter --net=/run/netns/rs-w1 "$@"; }
	W1=$(awk '$1=="w1" {print $6}' "$TB_STATE/machines")
	# sixpnd may still be filling the names map and starting its resolver
	for _ in $(seq 50); do
		[ "$(tx dig +time=1 +tries=1 +short web.internal AAAA @fdaa::3)" = "$W1" ] && break
		sleep 0.1
	done
	check_eq "10 (XDP): web.internal from the instance" \
		"$(tx dig +time=2 +tries=2 +short web.internal AAAA @fdaa::3)" "$W1"
	check_eq "10 (XDP): ns.internal AAAA from the instance: fdaa::3" \
		"$(tx dig +time=2 +tries=2 +short ns.internal AAAA @fdaa::3)" "fdaa::3"
	check_eq "10 (XDP): ns.internal A from the instance: NODATA, not NXDOMAIN" \
		"$(tx dig +time=2 +tries=2 ns.internal A @fdaa::3 | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" NOERROR
	check_eq "10 (XDP): the app called ns keeps global.ns.internal" \
		"$(tx dig +time=2 +tries=2 +short global.ns.internal AAAA @fdaa::3)" "$(awk '$1=="n1" {print $6}' "$TB_STATE/machines")"
else
	not_ok "testbed up"; cat "$TMP/tb.log"
fi

finish
