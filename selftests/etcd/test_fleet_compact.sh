#!/usr/bin/env bash
# timeout: 240
# etcd compacting past a host, with real sixpnd on a testbed fleet (3
# members, 2 hosts on the real wireguard-go mesh, prefix efk):
#  - ams1's sixpnd down while the registry changes (machines destroyed and
#    created) and etcd compacts to its current revision: the datapath
#    serves on meanwhile (pinned); sixpnd started again re-lists, converges
#    and removes what was destroyed meanwhile, from its DNS answers and
#    its mirror;
#  - ams1 cut off from etcd (as in test_fleet_cutoff.sh) while the registry
#    changes and etcd compacts past what it applied: healed, its watch
#    from the last applied revision is refused as compacted, it says so,
#    lists again (sixpn_registry_relists_total + 1) and converges within
#    5 s, the destroyed machine gone.
set -uo pipefail
P=efk
. "$(dirname "$0")/fleet.sh"
trap fleet_cleanup EXIT
trap 'exit 130' INT TERM

cat >"$TMP/fleet.tb" <<'TB'
prefix efk
etcd 3
host ams1 a7b:f1 ams
host ord1 a7b:f2 ord
org acme
app web acme
machine web-1 web ams1
machine web-2 web ord1
TB
fleet_up
WEB1=$(addr web-1) WEB2=$(addr web-2)
X1=$(create web a7b:f2) X2=$(create web a7b:f2) X3=$(create web a7b:f2)
X1_ID=$(mid web "$X1") X2_ID=$(mid web "$X2")
web_is() { [ "$(aaaa "$1" web.internal)" = "$2" ]; }
ALL0=$(sorted "$WEB1" "$WEB2" "$X1" "$X2" "$X3")
check "web-1 (ams1) gets the 5 machines of web" within 10 web_is web-1 "$ALL0"
in_mirror() { sqlite3 -batch "$STATE/ams1.mirror.db" "SELECT count(*) FROM machines WHERE id = '$1'" 2>/dev/null; }

# ---- sixpnd down while etcd compacts past it ----------------------------------
APPLIED=$(metric ams1 sixpn_registry_applied_revision)
tb sixpnd stop ams1
check_fails "ams1's sixpnd is stopped" test -e "$STATE/ams1.pid"
ctl machines destroy "$X1_ID" >/dev/null
ctl machines destroy "$X2_ID" >/dev/null
Y1=$(create web a7b:f2)
ALL1=$(sorted "$WEB1" "$WEB2" "$X3" "$Y1")
check "ord1 applies the changes (web-2 gets the new set)" within 10 web_is web-2 "$ALL1"
REV=$(etcd_rev)
check "etcd compacts to revision $REV, past ams1's $APPLIED" ectl compact "$REV" --physical
check "sixpnd down: ams1's datapath still forwards (web-1 pings web-2)" x web-1 ping -6 -c 1 -W 2 "$WEB2"
T0=$(now)
tb sixpnd start ams1
within 15 web_is web-1 "$ALL1"; rc=$?
echo "# restarted: ams1 answered the new set $(secs "$T0" "$(now)") s after sixpnd started"
check_eq "restarted: web-1 gets the new set from ams1 within 15 s" "$rc" 0
check "... its log says it listed etcd" grep -q 'msg="mirror listed etcd"' "$STATE/ams1.log"
check_eq "... the destroyed machines are gone from its mirror" "$(in_mirror "$X1_ID")$(in_mirror "$X2_ID")" 00
check_eq "... the new one is in it" "$(in_mirror "$(mid web "$Y1")")" 1
check "... sixpn_registry_connected 1" within 10 metric_is ams1 sixpn_registry_connected 1

# ---- cut off while etcd compacts past it ---------------------------------------
R0=$(metric ams1 sixpn_registry_relists_total)
x ams1 ip -6 route del fd5e:e::/64
x ul ip -6 route add blackhole fd5e::1/128
check "cut off: ams1 reports sixpn_registry_connected 0" within 10 metric_is ams1 sixpn_registry_connected 0
# its watch given up (two heartbeats unanswered): nothing more can come
# down the old stream once the cut heals
check "cut off: ams1 gives its watch up (its log says so)" \
	within 10 grep -q 'etcd watch lost: serving from the mirror' "$STATE/ams1.log"
Y1_ID=$(mid web "$Y1")
ctl machines destroy "$Y1_ID" >/dev/null
Z1=$(create web a7b:f2)
ALL2=$(sorted "$WEB1" "$WEB2" "$X3" "$Z1")
check "ord1 applies the changes" within 10 web_is web-2 "$ALL2"
REV=$(etcd_rev)
check "etcd compacts to revision $REV" ectl compact "$REV" --physical
check_eq "cut off: ams1 still answers from its mirror as it was" "$(aaaa web-1 web.internal)" "$ALL1"
x ul ip -6 route del blackhole fd5e::1/128
x ams1 ip -6 route add fd5e:e::/64 via fd5e::ee
T0=$(now)
within 10 web_is web-1 "$ALL2"; rc=$?
HEAL=$(secs "$T0" "$(now)")
echo "# healed past a compaction: ams1 converged $HEAL s after the route came back"
check_eq "healed: web-1 gets the new set from ams1" "$rc" 0
check "... within 5 s ($HEAL s)" le "$HEAL" 5
check "... its log says etcd compacted past the mirror and it re-lists" \
	grep -q 'etcd compacted past the mirror: re-listing' "$STATE/ams1.log"
check_eq "... sixpn_registry_relists_total went up by one" \
	"$(metric ams1 sixpn_registry_relists_total)" "$((R0 + 1))"
check_eq "... the machine destroyed meanwhile is gone from its mirror" "$(in_mirror "$Y1_ID")" 0
check "healed: sixpn_registry_connected 1" within 10 metric_is ams1 sixpn_registry_connected 1
check "web-1 pings web-2 throughout and after" x web-1 ping -6 -c 1 -W 2 "$WEB2"
for h in ams1 ord1; do
	check_fails "$h's sixpnd logged no error" grep -q 'level=error' "$STATE/$h.log"
done
finish
