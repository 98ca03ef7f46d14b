#!/usr/bin/env bash
# timeout: 240
# Every etcd member restarted at once, with real sixpnd on a testbed fleet
# (3 members, 2 hosts on the real wireguard-go mesh, prefix efr). A prober
# asks web.internal of fdaa::3 and pings across the mesh from each
# instance every 0.2 s throughout: not one question unanswered, not one
# ping lost while etcd is gone (both hosts report
# sixpn_registry_connected 0) and back. The hosts reconnect by themselves:
# the gauge is 1 again, their watches resumed from the last applied
# revision (etcd kept its data: no full list), and a machine created after
# the restart is answered on both hosts within 5 s.
set -uo pipefail
P=efr
. "$(dirname "$0")/fleet.sh"
PROBES=()
cleanup() {
	local p
	for p in "${PROBES[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	fleet_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$TMP/fleet.tb" <<'TB'
prefix efr
etcd 3
host ams1 a7b:e1 ams
host ord1 a7b:e2 ord
org acme
app web acme
machine web-1 web ams1
machine web-2 web ord1
TB
fleet_up
WEB1=$(addr web-1) WEB2=$(addr web-2)
ALL0=$(sorted "$WEB1" "$WEB2")
web_is() { [ "$(aaaa "$1" web.internal)" = "$2" ]; }
for h in ams1 ord1; do
	check "$h: sixpn_registry_connected 1" within 10 metric_is "$h" sixpn_registry_connected 1
done
check "web-1 and web-2 get both machines of web" \
	within 10 web_is web-1 "$ALL0" && within 10 web_is web-2 "$ALL0"
R0=$(metric ams1 sixpn_registry_relists_total)
# The mesh carries traffic, one way and then the other, before the probes
# start. Without this, the two probes' first pings opened the tunnel from
# both ends at once and both probes lost 4 pings in the same seconds, 2 runs
# in 4 under load (crossing handshakes, wireguard-go retrying after 5 s, is
# the likely cause: not proven); with it, 0 in 11. That is mesh bring-up,
# not the etcd restart this test is about.
T=$(now)
check "web-1 pings web-2 across the mesh before etcd goes" within 15 pings web-1 "$WEB2"
check "web-2 pings web-1 across the mesh before etcd goes" within 15 pings web-2 "$WEB1"
echo "# the mesh carried both ways $(secs "$T" "$(now)") s after the names"

# probe NODE PEER_ADDR: a line per probe in $TMP/probe.NODE: "dns ok|bad",
# "ping ok|bad"
probe() {
	local node=$1 peer=$2 out="$TMP/probe.$1"
	while [ ! -e "$TMP/stop" ]; do
		if [ "$(aaaa "$node" web.internal)" = "$ALL0" ]; then echo "dns ok $(date +%T.%N)"; else echo "dns bad $(date +%T.%N)"; fi
		if pings "$node" "$peer"; then echo "ping ok $(date +%T.%N)"; else echo "ping bad $(date +%T.%N)"; fi
		sleep 0.2
	done >>"$out"
}
probe web-1 "$WEB2" & PROBES+=($!)
probe web-2 "$WEB1" & PROBES+=($!)
sleep 1

# ---- every member at once ---------------------------------------------------
T0=$(now)
echo "# etcd stops at $(date +%T.%N)"
for k in 1 2 3; do tb etcd stop "$k" & done
wait_stop() { local k; for k in 1 2 3; do [ -e "$STATE/etcd-$k.pid" ] && return 1; done; return 0; }
within 10 wait_stop
check "all 3 members stopped" wait_stop
for h in ams1 ord1; do
	check "etcd gone: $h reports sixpn_registry_connected 0" within 10 metric_is "$h" sixpn_registry_connected 0
done
rc=0; ctl orgs create initech >"$TMP/down.err" 2>&1 || rc=$?
check_ne "etcd gone: sixpnctl cannot write (exit $rc)" "$rc" 0
sleep 2
tb etcd start
check "all 3 members start again on their data and become healthy" tb etcd wait
T1=$(now)
echo "# etcd was away $(secs "$T0" "$T1") s (healthy at $(date +%T.%N))"
for h in ams1 ord1; do
	T2=$(now)
	within 20 metric_is "$h" sixpn_registry_connected 1; rc=$?
	check_eq "$h reconnects by itself: sixpn_registry_connected 1" "$rc" 0
	echo "# $h connected again $(secs "$T1" "$(now)") s after the cluster was healthy"
	check "... its log says the watch resumed from the last applied revision" \
		grep -q 'watch resumed from the last applied revision' "$STATE/$h.log"
done
check_eq "ams1 did not list etcd again (relists stay $R0)" "$(metric ams1 sixpn_registry_relists_total)" "$R0"
sleep 1
touch "$TMP/stop"
for p in "${PROBES[@]}"; do wait "$p"; done
PROBES=()
for n in web-1 web-2; do
	tot=$(grep -c '^dns' "$TMP/probe.$n")
	bad=$(grep -c '^dns bad' "$TMP/probe.$n")
	pbad=$(grep -c '^ping bad' "$TMP/probe.$n")
	echo "# $n: $tot probes, $bad DNS unanswered, $pbad pings lost"
	check_ge "$n probed throughout (>= 10 probes)" "$tot" 10
	check_eq "$n: every DNS question answered throughout" "$bad" 0
	check_eq "$n: every ping answered throughout" "$pbad" 0
	# the whole sequence when something was lost, to tell when it happened
	[ "$bad" -eq 0 ] && [ "$pbad" -eq 0 ] || sed 's/^/#   /' "$TMP/probe.$n"
done

# ---- a new machine, after the restart -----------------------------------------
T3=$(now)
# from ord1's namespace, on its near member first (testbed hctl)
NEW=$(tb hctl ord1 --json machines create --app web --host a7b:e2 | $PY -c 'import json,sys; print(json.load(sys.stdin)["address"])')
check "a machine is created after the restart, from ord1 through its near member ($NEW)" test -n "$NEW"
ALL1=$(sorted "$WEB1" "$WEB2" "$NEW")
within 5 web_is web-1 "$ALL1"; rc=$?
echo "# the new machine answered on ams1 $(secs "$T3" "$(now)") s after the create"
check_eq "... answered on ams1 (web-1) within 5 s" "$rc" 0
check "... and on ord1 (web-2) within 5 s" within 5 web_is web-2 "$ALL1"
connected() { [ "$(ctl hosts list | awk -v h="$1" '$1 == h { print $NF }')" = yes ]; }
check "hosts list: a7b:e1 connected" within 15 connected a7b:e1
check "hosts list: a7b:e2 connected" within 15 connected a7b:e2
for h in ams1 ord1; do
	check_fails "$h's sixpnd logged no error" grep -q 'level=error' "$STATE/$h.log"
done
finish
