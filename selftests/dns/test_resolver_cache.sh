#!/usr/bin/env bash
# The resolver's answer cache (loader/resolver/cache.c): two
# build/selftests/resolver_serve on one registry in namespace sxk-dns, one
# with the cache, one with --no-cache. cache_ask.py sends every question
# twice, with other IDs and 0x20 case, to both, and compares the wire
# bytes: every kind of in-zone name, EDNS or not, DO, both DNS addresses
# (fdaa::3 and the network's ::3), UDP and TCP, a reply too big for UDP
# (TC=1 over UDP, whole over TCP, each kept apart), a host-dependent
# answer (top<N>.nearest.of.) from two hosts. Then a registry commit
# between two identical questions: the second gets the new data. And the
# counters: hits, misses and flushes, also in sixpnd's metrics form.
# Bursts from several askers to both DNS addresses (burst_ask.py): every
# reply to its own asker, from the address asked.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

NS=sxk-dns
TMP=$(mktemp -d /tmp/sixpn-resolver-cache.XXXXXX)
REG="$TMP/registry.db"
ASK="$SIXPN_ROOT/selftests/dns/cache_ask.py"
CACHED=5301 UNCACHED=5302
cleanup() {
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null

# ---- the registry -------------------------------------------------------------
ctl orgs create acme >/dev/null
NET=$(ctl --json apps create web --org acme | jget prefix)
NET=${NET%::/48}
ctl apps create db --org acme >/dev/null
ctl apps create big --org acme >/dev/null
ctl hosts add a7b:d6b --region ams >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl regions set ams --lat 52.37 --lon 4.90 >/dev/null
ctl regions set ord --lat 41.97 --lon -87.90 >/dev/null
machine() { ctl --json machines create --app "$1" --host "$2" "${@:3}" | jget address; }
WEB_AMS=$(machine web a7b:d6b)
WEB_ORD=$(machine web a7b:174)
DB=$(machine db a7b:174 --metadata role=primary)
for _ in $(seq 40); do machine big a7b:d6b >/dev/null; done

# ---- the namespace and the two resolvers ----------------------------------------
ns_add "$NS"
for a in fdaa::3 "$NET::3" "$WEB_AMS" "$WEB_ORD" "$DB"; do
	ip -n "$NS" addr add "$a/128" dev lo nodad
done
start_resolver cached --listen "[::]:$CACHED" --resolv-conf /dev/null --metrics '[::1]:0' ||
	{ not_ok "the cached resolver starts" "$(cat "$TMP/cached.err")"; finish; exit; }
CACHED_PID=$RES_PID
start_resolver uncached --listen "[::]:$UNCACHED" --resolv-conf /dev/null --no-cache ||
	{ not_ok "the uncached resolver starts" "$(cat "$TMP/uncached.err")"; finish; exit; }
UNCACHED_PID=$RES_PID
ok "a resolver with the cache and one without on the same registry"

# counter NAME RESOLVER_PID COUNTER: a counter of a running resolver (SIGUSR1).
counter() {
	local before
	before=$(grep -c '^end' "$TMP/$1.out")
	kill -USR1 "$2"
	for _ in $(seq 100); do
		[ "$(grep -c '^end' "$TMP/$1.out")" -gt "$before" ] && break
		sleep 0.02
	done
	awk -v k="$3" '$1==k {v=$2} END {print v+0}' "$TMP/$1.out"
}

# ask SRC DST: cache_ask.py from SRC to DST on both ports, queries on stdin.
ask() { x "$PY" "$ASK" "$1" "$2" $CACHED $UNCACHED >"$TMP/ask.out" 2>&1; }

# ---- byte-identical replies --------------------------------------------------------
# TYPE numbers: A 1, NS 2, SOA 6, TXT 16, AAAA 28, ANY 255
cat >"$TMP/queries" <<EOF
udp db.internal 28 -
udp db.internal 28 1232
udp db.internal 28 1232/do
udp db.internal 28 512
tcp db.internal 28 -
udp db.internal 1 -
udp db.internal 255 -
udp nope.internal 28 -
udp nope.internal 28 1232
udp internal 6 -
udp internal 2 1232
udp internal 255 -
udp ns.internal 28 -
udp _api.internal 28 -
udp vms.web.internal 16 -
udp regions.web.internal 16 1232
udp all.vms.web.internal 16 -
udp _apps.internal 16 -
udp _instances.internal 16 -
tcp _instances.internal 16 -
udp global.web.internal 28 -
udp ams.web.internal 28 -
udp top1.nearest.of.web.internal 28 -
udp top2.nearest.of.web.internal 28 -
udp primary.role.kv._metadata.db.internal 28 -
udp kv._metadata.db.internal 28 -
udp web.internal 28 -
udp vms.big.internal 16 -
udp vms.big.internal 16 1232
tcp vms.big.internal 16 -
udp vms.big.internal 16 -
udp big.internal 28 -
udp nope.flycast 28 -
udp flycast 6 -
udp db.internal 252 -
EOF
ask "$DB" fdaa::3 <"$TMP/queries"
check_eq "every reply the same with and without the cache, from $DB to fdaa::3" \
	"$(grep -c '^same' "$TMP/ask.out")" "$(wc -l <"$TMP/queries")"
grep '^DIFF' -A4 "$TMP/ask.out" | head -20 | sed 's/^/# /'
# a set of one address, TXT, NXDOMAIN, NODATA: a hit is the first reply again
check_eq "db.internal AAAA: the second reply is the first but for the ID and the case" \
	"$(grep -c '^same first=equal udp db.internal 28 -' "$TMP/ask.out")" 1
check_eq "vms.web.internal TXT: the same" \
	"$(grep -c '^same first=equal udp vms.web.internal 16 -' "$TMP/ask.out")" 1
check_eq "nope.internal: NXDOMAIN, the same" \
	"$(grep -c '^same first=equal udp nope.internal 28 - rcode=3' "$TMP/ask.out")" 1
# web.internal's two addresses rotate between answers: never from the cache
check_eq "web.internal AAAA (two addresses): rotated, so the second reply differs" \
	"$(grep -c '^same first=differs udp web.internal 28 -' "$TMP/ask.out")" 1
check_eq "vms.big.internal over UDP, no EDNS: TC=1, no answer" \
	"$(grep -c '^same first=equal udp vms.big.internal 16 - rcode=0 tc=1 an=0' "$TMP/ask.out")" 2
check_eq "vms.big.internal over TCP after UDP: the whole answer, not the truncated one" \
	"$(grep -c '^same first=equal tcp vms.big.internal 16 - rcode=0 tc=0 an=' "$TMP/ask.out")" 1
check_eq "vms.big.internal with EDNS 1232: whole, a key of its own" \
	"$(grep -c '^same first=equal udp vms.big.internal 16 1232 rcode=0 tc=0' "$TMP/ask.out")" 1
hits=$(counter cached "$CACHED_PID" cache_hits)
check_ge "the cached resolver answered from its cache (hits: $hits)" "$hits" 30
check_eq "the uncached one never did" "$(counter uncached "$UNCACHED_PID" cache_hits)" 0

# the asker's side and host are in the key
cat >"$TMP/side" <<EOF
udp ns.internal 28 -
udp internal 2 -
udp top1.nearest.of.web.internal 28 -
udp db.internal 28 -
EOF
ask "$DB" "$NET::3" <"$TMP/side"
check_eq "asked at $NET::3: the same with and without the cache" \
	"$(grep -c '^same' "$TMP/ask.out")" 4
check "ns.internal at $NET::3 is $NET::3, not fdaa::3 from the cache" \
	x dig +short +time=2 +tries=1 -b "$DB" -p $CACHED @"$NET::3" ns.internal AAAA
check_eq "... and says so" \
	"$(x dig +short +time=2 +tries=1 -b "$DB" -p $CACHED @"$NET::3" ns.internal AAAA)" "$NET::3"
ask "$WEB_AMS" fdaa::3 <"$TMP/side"
check_eq "from a machine on another host: the same with and without the cache" \
	"$(grep -c '^same' "$TMP/ask.out")" 4
top() { x dig +short +time=2 +tries=1 -b "$1" -p $CACHED @fdaa::3 top1.nearest.of.web.internal AAAA; }
check_eq "top1.nearest.of.web from ams: the ams machine" "$(top "$WEB_AMS")" "$WEB_AMS"
check_eq "top1.nearest.of.web from ord right after: the ord machine" "$(top "$DB")" "$WEB_ORD"

# ---- bursts: the replies of one receive batch leave together ----------------------
# (loop.c: one sendmmsg per recvmmsg) and still reach each asker from the
# address it asked, with its own answer: three askers on two hosts, each to
# fdaa::3 and to $NET::3, every question sent before any reply is read
cat >"$TMP/burst" <<EOF
db.internal 28 -
db.internal 28 1232
ns.internal 28 -
internal 6 -
nope.internal 28 -
vms.web.internal 16 -
regions.web.internal 16 1232
top1.nearest.of.web.internal 28 -
_apps.internal 16 -
vms.big.internal 16 -
EOF
PAIRS="$DB,fdaa::3 $DB,$NET::3 $WEB_AMS,fdaa::3 $WEB_AMS,$NET::3 $WEB_ORD,fdaa::3 $WEB_ORD,$NET::3"
BURST="$SIXPN_ROOT/selftests/dns/burst_ask.py"
for port in $CACHED $UNCACHED; do
	x "$PY" "$BURST" $port $UNCACHED 4 $PAIRS <"$TMP/burst" >"$TMP/burst.out" 2>&1
	check_eq "port $port: 4 bursts of 60 questions, each reply to its asker, from the address asked, its own answer" \
		"$(tail -1 "$TMP/burst.out")" "sent 240 right 240 wrong 0 missing 0"
	grep -v '^sent' "$TMP/burst.out" | head -10 | sed 's/^/# /'
done

# ---- a commit between two identical questions ------------------------------------------
# (+nocookie: dig's random client cookie would make every question new)
txt() { x dig +short +nocookie +time=2 +tries=1 -b "$DB" -p "$2" @fdaa::3 "$1" TXT | sort; }
# entries of a TXT answer: one record holds several, joined by commas
entries() { txt "$@" | tr ',' '\n' | grep -c .; }
txt all.vms.db.internal $CACHED >/dev/null
hits0=$(counter cached "$CACHED_PID" cache_hits)
check_eq "all.vms.db.internal asked again: one machine" "$(entries all.vms.db.internal $CACHED)" 1
check_eq "... from the cache" "$(counter cached "$CACHED_PID" cache_hits)" $((hits0 + 1))
flushes0=$(counter cached "$CACHED_PID" cache_flushes)
NEW=$(ctl --json machines create --app db --host a7b:d6b | jget id)
check_eq "right after a commit: the new machine is in the answer" \
	"$(entries all.vms.db.internal $CACHED)" 2
check_eq "... the same answer as without the cache" \
	"$(txt all.vms.db.internal $CACHED)" "$(txt all.vms.db.internal $UNCACHED)"
check_eq "the commit emptied the cache once" \
	"$(counter cached "$CACHED_PID" cache_flushes)" $((flushes0 + 1))
hits0=$(counter cached "$CACHED_PID" cache_hits)
txt all.vms.db.internal $CACHED >/dev/null
check_eq "and the new answer is kept" "$(counter cached "$CACHED_PID" cache_hits)" $((hits0 + 1))
ctl machines start "$NEW" >/dev/null
txt vms.db.internal $CACHED >/dev/null
check_eq "a machine started: in vms.db.internal at once" "$(entries vms.db.internal $CACHED)" 2
ctl machines stop "$NEW" >/dev/null
check_eq "stopped again: gone at once" "$(entries vms.db.internal $CACHED)" 1
check_eq "... as without the cache" "$(txt vms.db.internal $CACHED)" "$(txt vms.db.internal $UNCACHED)"

# ---- the metrics ---------------------------------------------------------------------
MPORT=$(awk '/^metrics port/ {print $3}' "$TMP/cached.out")
metrics=$(x curl -s --max-time 5 "http://[::1]:$MPORT/metrics")
check "sixpn_dns_cache_total{event=\"hit\"} in the metrics" \
	grep -Eq '^sixpn_dns_cache_total\{event="hit"\} [1-9]' <<<"$metrics"
check "... miss and flush too" \
	bash -c 'grep -q "^sixpn_dns_cache_total{event=\"miss\"}" && true' <<<"$metrics"
check_eq "flush counted" "$(grep -c '^sixpn_dns_cache_total{event="flush"} [1-9]' <<<"$metrics")" 1
finish
