#!/usr/bin/env bash
# timeout: 240
# One host cut off from etcd, with real sixpnd on a testbed fleet (3 etcd
# members, 3 hosts on the real wireguard-go mesh, prefix efc): ams1 loses
# its underlay route to the members (fd5e:e::/64), and the underlay's
# router its route back to ams1 (a blackhole for fd5e::1/128: the watch
# stream cannot trickle in either), while its WireGuard mesh, which the
# underlay bridges and does not route, stays up. Cut off, it reports sixpn_registry_connected 0 and says
# so in its log, keeps forwarding (web-1 pings web-2 and web-3 over the
# mesh), keeps answering DNS from its mirror (the names as they were), and
# its mesh peers stay configured; meanwhile the registry changes (a
# machine destroyed, one created) and the other hosts apply it. The cut
# healed, ams1 applies what changed within 5 s, by resuming its watch from
# the last revision it applied (its log says from_revision=<applied + 1>,
# sixpn_registry_watch_resumes_total goes up, no full list:
# sixpn_registry_relists_total stays), and reports 1 again. Host leases
# of 3 s here (SIXPN_ETCD_LEASE_TTL): cut off, ams1's lease expires and
# hosts list shows it not connected, yet ord1 and fra1 keep it as a mesh
# peer and web-2 still pings web-1; healed, it is connected again.
set -uo pipefail
P=efc
. "$(dirname "$0")/fleet.sh"
trap fleet_cleanup EXIT
trap 'exit 130' INT TERM

cat >"$TMP/fleet.tb" <<'TB'
prefix efc
etcd 3
host ams1 a7b:c1 ams
host ord1 a7b:c2 ord
host fra1 a7b:c3 fra
org acme
app web acme
machine web-1 web ams1
machine web-2 web ord1
machine web-3 web fra1
TB
export SIXPN_ETCD_LEASE_TTL=3   # sixpnd's host lease, inherited through the testbed
fleet_up
WEB1=$(addr web-1) WEB2=$(addr web-2) WEB3=$(addr web-3)
GONE=$(create web a7b:c2)
ALL0=$(sorted "$WEB1" "$WEB2" "$WEB3" "$GONE")
for h in ams1 ord1 fra1; do
	check "$h: sixpn_registry_connected 1" within 10 metric_is "$h" sixpn_registry_connected 1
done
web_is() { [ "$(aaaa "$1" web.internal)" = "$2" ]; }
check "web-1 (ams1) gets the 4 machines of web" within 10 web_is web-1 "$ALL0"
peers() { x ams1 wg show "${P}m1" peers | sort | tr '\n' ' '; }
PEERS0=$(peers)
check_eq "ams1's mesh device has its 2 peers" "$(wc -w <<<"$PEERS0")" 2
# A port joining the underlay bridge with a MAC below every other (as the
# testbed's laptop may) must not move the router's: the hosts' cached
# neighbour for fd5e::ee would blackhole etcd until it expires.
x ul ip link add "${P}lo" address 00:00:00:00:00:01 type veth peer name "${P}lp"
x ul ip link set "${P}lo" master br0 up
x ul ip link set "${P}lp" up
check "a port with the lowest MAC joined: ams1 still reaches an etcd member" \
	pings ams1 fd5e:e::1
BR0_MAC=$(x ul ip -br link show br0 | awk '{ print $3 }')
check "... through the same router address ($BR0_MAC)" \
	sh -c "[ -n '$BR0_MAC' ] && ip -n $P-ams1 -6 neigh show fd5e::ee | grep -q 'lladdr $BR0_MAC '"
x ul ip link del "${P}lo"
R0=$(metric ams1 sixpn_registry_relists_total)
U0=$(metric ams1 sixpn_registry_watch_resumes_total)

# ---- the cut ----------------------------------------------------------------
x ams1 ip -6 route del fd5e:e::/64
x ul ip -6 route add blackhole fd5e::1/128
check "cut off: ams1 reports sixpn_registry_connected 0 within 10 s" \
	within 10 metric_is ams1 sixpn_registry_connected 0
check "... and its log says it serves from the mirror" \
	within 5 grep -q 'serving from the mirror' "$STATE/ams1.log"
check "... and gives its watch up (two heartbeats unanswered)" \
	within 10 grep -q 'etcd watch lost: serving from the mirror' "$STATE/ams1.log"
APPLIED=$(metric ams1 sixpn_registry_applied_revision)
check "ams1's applied revision is known ($APPLIED)" test -n "$APPLIED"
ctl machines destroy "$(mid web "$GONE")" >/dev/null
NEW=$(create web a7b:c3)
ALL1=$(sorted "$WEB1" "$WEB2" "$WEB3" "$NEW")
check "the registry changed meanwhile: web-2 (ord1) gets the new set" within 10 web_is web-2 "$ALL1"
check_eq "cut off: web-1 still gets web's names from ams1's mirror (as they were)" \
	"$(aaaa web-1 web.internal)" "$ALL0"
check "cut off: web-1 (ams1) pings web-2 (ord1) over the mesh" x web-1 ping -6 -c 2 -W 2 "$WEB2"
check "cut off: web-1 (ams1) pings web-3 (fra1) over the mesh" x web-1 ping -6 -c 2 -W 2 "$WEB3"
check_eq "cut off: ams1's mesh peers stay configured" "$(peers)" "$PEERS0"
connected() { [ "$(ctl hosts list | awk -v h="$1" '$1 == h { print $NF }')" = "$2" ]; }
check "cut off: ams1's lease expires (hosts list: a7b:c1 connected no)" within 10 connected a7b:c1 no
AMS1_KEY=$(wg pubkey <"$STATE/ams1.key")
check "... yet ord1 keeps ams1 as a mesh peer" sh -c "nsenter --net=/run/netns/$P-ord1 wg show ${P}m2 peers | grep -qx '$AMS1_KEY'"
check "... and fra1 too" sh -c "nsenter --net=/run/netns/$P-fra1 wg show ${P}m3 peers | grep -qx '$AMS1_KEY'"
check "... and web-2 (ord1) pings web-1 (ams1)" x web-2 ping -6 -c 2 -W 2 "$WEB1"
check_eq "cut off: ams1 still reports 0 (no false reconnect)" "$(metric ams1 sixpn_registry_connected)" 0
check_eq "cut off: ams1's applied revision did not move" "$(metric ams1 sixpn_registry_applied_revision)" "$APPLIED"

# ---- healed -----------------------------------------------------------------
x ul ip -6 route del blackhole fd5e::1/128
x ams1 ip -6 route add fd5e:e::/64 via fd5e::ee
T0=$(now)
within 10 web_is web-1 "$ALL1"; rc=$?
T1=$(now)
HEAL=$(secs "$T0" "$T1")
echo "# healed: ams1 answered the changes $HEAL s after the route came back"
check_eq "healed: web-1 gets the new set from ams1" "$rc" 0
check "... within 5 s of the cut healing ($HEAL s)" le "$HEAL" 5
check "healed: sixpn_registry_connected 1 again" within 5 metric_is ams1 sixpn_registry_connected 1
check "healed: the log says the watch resumed from revision $((APPLIED + 1))" \
	grep -q "watch resumed from the last applied revision\" from_revision=$((APPLIED + 1)) " "$STATE/ams1.log"
check_eq "healed: no full list (sixpn_registry_relists_total stays $R0)" \
	"$(metric ams1 sixpn_registry_relists_total)" "$R0"
U1=$(metric ams1 sixpn_registry_watch_resumes_total)
check "healed: sixpn_registry_watch_resumes_total went up ($U0 -> $U1)" test "${U1:-0}" -gt "${U0:-0}"
check_eq "healed: 'reachable again' said once, not per retry" \
	"$(grep -c 'etcd reachable again' "$STATE/ams1.log")" 1
check "ams1's mirror has the new machine and not the destroyed one" \
	test "$(sqlite3 -batch "$STATE/ams1.mirror.db" "SELECT count(*) FROM machines WHERE id = '$(mid web "$NEW")'")" = 1
check_eq "the mesh peers never changed" "$(peers)" "$PEERS0"
check "healed: hosts list shows a7b:c1 connected again" within 10 connected a7b:c1 yes
check "web-1 pings the new set's web-3" x web-1 ping -6 -c 1 -W 2 "$WEB3"
for h in ams1 ord1 fra1; do
	check_fails "$h's sixpnd logged no error" grep -q 'level=error' "$STATE/$h.log"
done
finish
