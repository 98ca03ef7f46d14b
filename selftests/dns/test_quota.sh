#!/usr/bin/env bash
# One tenant cannot starve another (issue 11), end to end on a testbed
# (selftests/dns/quota.tb): sixpnd with --names-quota 30 and the default
# pass-up budgets. Network Q (org big) has 61 machines, far over its quota,
# and its instance flood-1 floods TXT queries at fdaa::3 as fast as one
# Python loop sends; network P (org small, instance web-1) asks AAAA at
# dnsperf's full rate and TXT at 50 QPS at the same time. Checked: P's
# names are all in the names map and Q has exactly its quota, the marker
# and the metrics; every name of Q, in the map or not, resolves right; under
# the flood P loses no answer, AAAA or TXT, and the flood is dropped at XDP
# as DNS_DROP_RATE_LIMITED. Then the same flood with the budgets off: P's
# TXT answers are lost, which is what the budget prevents (and proves the
# flood heavy enough to matter). Rates and losses are printed as comments.
set -uo pipefail
P=qt
. "$(dirname "$0")/../lib/testbed.sh"
QUOTA=30
SECS=4
PY=/usr/bin/python3
STATS="$PY $SIXPN_ROOT/selftests/lib/stats.py"
testbed_cleanup_more() {
	[ -n "${FLOOD_PID:-}" ] && kill "$FLOOD_PID" 2>/dev/null
}
counter() { $STATS "$PIN" XDP_DNS "$1"; }

if ! SIXPND_ARGS="--names-quota $QUOTA --metrics [::1]:9464" "$TB" up \
	"$SIXPN_ROOT/selftests/dns/quota.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: one host, sixpnd --names-quota $QUOTA, flood-1 (network Q), web-1 (network P)"

# Registry-only machines (no interface here): Q gets 60 more, P 5 more, in
# two regions.
for i in $(seq 60); do ctl machines create --app flood --host a7b:d6b --region ord >/dev/null || break; done
for i in $(seq 5); do ctl machines create --app web --host a7b:d6b >/dev/null || break; done
ctl --json machines list >"$TMP/machines.json"

# The names each network should have (docs/design.md section 5), from the
# registry: "<net id> <name> <address or ->" per line.
$PY - "$TMP/machines.json" >"$TMP/want" <<'EOF'
import json, sys
apps = {}
for m in json.load(open(sys.argv[1]))["machines"]:
    net = "0x%x" % m["network_id"]
    apps.setdefault((net, m["app"]), []).append(m)
nets = set()
for (net, app), ms in apps.items():
    nets.add(net)
    names = [app, "global." + app, "vm." + app, "of." + app, "nearest.of." + app,
             "regions." + app, "vms." + app, "process." + app]
    names += sorted({m["process_group"] + ".process." + app for m in ms})
    names += sorted({m["region"] + "." + app for m in ms})
    for n in names:
        print("%s %s.internal -" % (net, n))
    for m in ms:
        print("%s %s.vm.%s.internal %s" % (net, m["id"], app, m["address"]))
for net in nets:
    for n in ("ns", "_apps", "_instances", "_peer", "_api"):
        print("%s %s.internal -" % (net, n))
EOF
net_of() { $PY -c 'import ipaddress,sys; print(hex(int.from_bytes(ipaddress.IPv6Address(sys.argv[1]).packed[2:6], "big")))' "$1"; }
FLOOD_ADDR=$(awk '$1 == "flood-1" {print $6}' "$STATE/machines")
WEB_ADDR=$(awk '$1 == "web-1" {print $6}' "$STATE/machines")
QNET=$(net_of "$FLOOD_ADDR") PNET=$(net_of "$WEB_ADDR")
want_q=$(awk -v n="$QNET" '$1 == n' "$TMP/want" | wc -l)
want_p=$(awk -v n="$PNET" '$1 == n' "$TMP/want" | wc -l)
echo "# network Q ($QNET) has $want_q names, network P ($PNET) $want_p; quota $QUOTA"

# The names map, once sixpnd has applied every change: "<net> <name> <flags>".
in_map() {
	x h1 "$BUILD/sixpn-attach" --pin-dir "$PIN" dns-list | awk 'NR > 1 { print $1, $2, $3 }'
}
for _ in $(seq 100); do
	in_map >"$TMP/map"
	[ "$(awk -v n="$PNET" '$1 == n' "$TMP/map" | wc -l)" = "$want_p" ] &&
		[ "$(awk -v n="$QNET" '$1 == n && $3 == "over-quota"' "$TMP/map" | wc -l)" = 1 ] &&
		[ "$(awk -v n="$QNET" '$1 == n' "$TMP/map" | wc -l)" = $((QUOTA + 1)) ] && break
	sleep 0.1
done
check_eq "network P: every one of its $want_p names is in the map" \
	"$(awk -v n="$PNET" '$1 == n {print $2}' "$TMP/map" | sort)" \
	"$(awk -v n="$PNET" '$1 == n {print $2}' "$TMP/want" | sort)"
check_eq "network Q: exactly its quota of $QUOTA names in the map" \
	"$(awk -v n="$QNET" '$1 == n && $2 != "internal"' "$TMP/map" | wc -l)" "$QUOTA"
check_eq "network Q: its over-quota marker (Q, internal) is in the map" \
	"$(awk -v n="$QNET" '$1 == n && $2 == "internal" {print $3}' "$TMP/map")" over-quota
check_eq "network P has no marker" "$(awk -v n="$PNET" '$1 == n && $2 == "internal"' "$TMP/map" | wc -l)" 0
check_eq "network Q: every name in the map is one of Q's" \
	"$(comm -23 <(awk -v n="$QNET" '$1 == n && $2 != "internal" {print $2}' "$TMP/map" | sort) \
		<(awk -v n="$QNET" '$1 == n {print $2}' "$TMP/want" | sort))" ""
x h1 curl -s "http://[::1]:9464/metrics" >"$TMP/metrics"
check_eq "metrics: sixpn_names_quota $QUOTA" "$(awk '$1 == "sixpn_names_quota" {print $2}' "$TMP/metrics")" "$QUOTA"
check_eq "metrics: one network over its quota" \
	"$(awk '$1 == "sixpn_names_networks_over_quota" {print $2}' "$TMP/metrics")" 1
check_eq "metrics: Q's $((want_q - QUOTA)) names left out" \
	"$(awk '$1 == "sixpn_names_left_out" {print $2}' "$TMP/metrics")" $((want_q - QUOTA))
check_ge "metrics: quota hits counted" "$(awk '$1 == "sixpn_names_quota_hits_total" {print $2}' "$TMP/metrics")" 1
check "sixpnd logged the quota hit, with the network" grep -q "over its names quota.*network=$((QNET)) " "$STATE/h1.log"

# Every machine name of Q resolves to its address from flood-1, whether the
# map has it or the resolver (passed up as DNS_PASS_OVER_QUOTA).
awk -v n="$QNET" '$1 == n && $3 != "-" {print $2, $3}' "$TMP/want" | sort >"$TMP/q_addrs"
over0=$(counter DNS_PASS_OVER_QUOTA)
awk '{print $1 " AAAA"}' "$TMP/q_addrs" >"$TMP/q_queries"
x flood-1 dig -6 @fdaa::3 +time=2 +tries=2 +noall +answer -f "$TMP/q_queries" |
	awk '$4 == "AAAA" {sub(/\.$/, "", $1); print $1, $5}' | sort >"$TMP/q_got"
check_eq "every one of Q's $(wc -l <"$TMP/q_addrs") machine names resolves to its address" \
	"$(cat "$TMP/q_got")" "$(cat "$TMP/q_addrs")"
check_ge "names left out of the map went to the resolver (DNS_PASS_OVER_QUOTA)" \
	$(( $(counter DNS_PASS_OVER_QUOTA) - over0 )) 1
check_eq "a name Q does not have is still NXDOMAIN (from the resolver)" \
	"$(x flood-1 dig -6 @fdaa::3 +time=2 +tries=2 AAAA nope.vm.flood.internal | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" NXDOMAIN

# ---- the flood -------------------------------------------------------------
# P's queries: every AAAA name of P (answered by XDP), and TXT (the
# resolver's): regions., vms., _apps, _instances.
awk -v n="$PNET" '$1 == n && ($3 != "-" || $2 ~ /^(global\.)?web\.internal$/) {print $2 " AAAA"}' "$TMP/want" >"$TMP/p_aaaa"
printf '%s TXT\n' regions.web.internal vms.web.internal _apps.internal _instances.internal >"$TMP/p_txt"
cat >"$TMP/flood.py" <<'EOF'
import socket, struct, sys, time
secs = float(sys.argv[1])
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
for label in b"regions.flood.internal".split(b"."):
    q += bytes([len(label)]) + label
q += b"\0" + struct.pack("!HH", 16, 1)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setblocking(False)
s.connect(("fdaa::3", 53))
n, end = 0, time.monotonic() + secs
while time.monotonic() < end:
    for _ in range(256):
        try:
            s.send(q)
            n += 1
        except BlockingIOError:
            pass
print(n)
EOF
# dnsperf FILE [ARGS]: "sent completed lost qps" of a run from web-1.
perf() {
	local f=$1; shift
	x web-1 dnsperf -s fdaa::3 -d "$f" -l "$SECS" -t 2 "$@" 2>&1 | awk '
		/Queries sent:/ {s=$3} /Queries completed:/ {c=$3} /Queries lost:/ {l=$3}
		/Queries per second:/ {q=$4} END {printf "%d %d %d %.0f\n", s, c, l, q}'
}
# run LABEL: P's AAAA at full rate and TXT at 50 QPS for $SECS s, with the
# flood from flood-1 when FLOOD=1. Sets AAAA, TXT ("sent completed lost
# qps") and FLOODED (queries the flood sent).
run() {
	local label=$1
	FLOODED=0
	if [ "${FLOOD:-0}" = 1 ]; then
		x flood-1 $PY "$TMP/flood.py" $((SECS + 1)) >"$TMP/flooded" &
		FLOOD_PID=$!
		sleep 0.5
	fi
	perf "$TMP/p_txt" -Q 50 >"$TMP/txt" &
	local txt_pid=$!
	AAAA=$(perf "$TMP/p_aaaa" -c 2 -q 64)
	wait "$txt_pid"
	TXT=$(cat "$TMP/txt")
	if [ -n "${FLOOD_PID:-}" ]; then
		wait "$FLOOD_PID"
		FLOOD_PID=
		FLOODED=$(cat "$TMP/flooded")
	fi
	set -- $AAAA
	echo "# $label: P AAAA: $1 sent, $3 lost, $4 QPS"
	set -- $TXT
	echo "# $label: P TXT: $1 sent, $3 lost, $4 QPS"
	[ "$FLOODED" != 0 ] && echo "# $label: Q's flood: $FLOODED TXT queries in $((SECS + 1)) s ($((FLOODED / (SECS + 1))) QPS offered)"
}
lost() { set -- $1; echo "$3"; }
sent() { set -- $1; echo "$1"; }

run "alone"
check_eq "alone: P loses no AAAA answer" "$(lost "$AAAA")" 0
check_eq "alone: P loses no TXT answer" "$(lost "$TXT")" 0

# Q's regions.flood.internal may be one of the names left out of the map:
# passed up as DNS_PASS_OVER_QUOTA then.
passed_up() { echo $(( $(counter DNS_PASS_USERSPACE) + $(counter DNS_PASS_OVER_QUOTA) )); }
drop0=$(counter DNS_DROP_RATE_LIMITED) ans0=$(counter DNS_ANSWERED) up0=$(passed_up)
FLOOD=1 run "Q flooding, default budgets"
dropped=$(( $(counter DNS_DROP_RATE_LIMITED) - drop0 ))
passed=$(( $(passed_up) - up0 - $(sent "$TXT") ))
echo "# Q flooding: XDP passed $passed of the flood up to the resolver ($((passed / (SECS + 1)))/s), dropped $dropped (DNS_DROP_RATE_LIMITED)"
check_ge "the flood was a flood: more than 20,000 queries" "$FLOODED" 20000
check_eq "under the flood: P loses no AAAA answer" "$(lost "$AAAA")" 0
check_ge "under the flood: P's AAAA were answered from the map" $(( $(counter DNS_ANSWERED) - ans0 )) "$(sent "$AAAA")"
check_eq "under the flood: P loses no TXT answer" "$(lost "$TXT")" 0
check_ge "the flood was dropped at XDP, counted DNS_DROP_RATE_LIMITED" "$dropped" $((FLOODED / 2))
check_eq "every query of the flood was passed up or dropped" $((passed + dropped)) "$FLOODED"
# 200/s for $((SECS + 1)) s and a burst of 400.
check_le "what the flood passed up stays within Q's budget (200/s, burst 400)" "$passed" $((200 * (SECS + 1) + 400 + 50))
check_ge "and the flood got its budget's worth through" "$passed" $((200 * SECS))

# The same flood with no budget: the resolver drowns, P's TXT are lost.
x h1 "$BUILD/sixpn-attach" --pin-dir "$PIN" dns-config --passup-rate 0 --passup-net-rate 0 >/dev/null
FLOOD=1 run "Q flooding, budgets off"
check_ge "budgets off: the same flood loses P's TXT answers (what the budget prevents)" "$(lost "$TXT")" 1
check_eq "budgets off: P's AAAA still all answered (XDP)" "$(lost "$AAAA")" 0
x h1 "$BUILD/sixpn-attach" --pin-dir "$PIN" dns-config >/dev/null
sleep 1
check_eq "budgets back: P's TXT answered again" \
	"$(x web-1 dig -6 @fdaa::3 +time=2 +tries=2 +short TXT _apps.internal)" '"web"'

finish
