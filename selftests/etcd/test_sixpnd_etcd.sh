#!/usr/bin/env bash
# sixpnd --etcd end to end: one etcd member in a namespace of its own, a
# host namespace running sixpnd with --etcd (its --registry file the local
# mirror), an instance namespace on a veth pair of that host. sixpnctl
# --etcd creates an org, an app and the machine; the instance's AAAA
# question to fdaa::3 is answered by the XDP fast path within a few seconds
# and sixpnd reports sixpn_registry_connected 1. The etcd member stopped:
# sixpnd keeps answering from its mirror, reports 0 and logs why; sixpnctl
# cannot write. etcd back: a machine created after the restart is answered
# within 5 s, and the gauge is 1 again. Host leases: sixpnd holds
# <prefix>hosts_alive/<id> under a lease (TTL 3 s here), so `sixpnctl hosts
# list` shows it connected; a sixpnd frozen past the TTL shows "no" (and the
# datapath still answers), thawed it announces itself again; SIGTERM revokes
# the lease at once. Everything is removed on exit.
set -uo pipefail
P=e2-$$ NET=10.79.0
. "$(dirname "$0")/one_etcd.sh"
I=$P-i IFC=e2i$$

jget() { $PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
aaaa() { in_ns "$I" dig -6 +short +time=1 +tries=1 AAAA "$1" @fdaa::3 2>/dev/null | sort | tr '\n' ' '; }
metric() { in_ns "$H" curl -s --max-time 1 "http://$METRICS/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
answered() { $PY "$SIXPN_ROOT/selftests/lib/stats.py" "$PIN" XDP_DNS DNS_ANSWERED; }
start_etcd() {
	one_etcd_start
	within 10 in_ns "$H" curl -s --max-time 1 -o /dev/null -X POST -d '{}' "$URL/v3/maintenance/status"
}

# ---- etcd in its namespace, the host beside it on a veth ----------------------
one_etcd_net
check "etcd starts in its namespace and answers the host" start_etcd

# ---- the registry, through sixpnctl --etcd -------------------------------------
# sixpnctl runs in the host namespace: that is where etcd is reachable
ctlh() { in_ns "$H" "$BUILD/sixpnctl" --etcd "$URL" --etcd-prefix /e2/ "$@"; }
check "sixpnctl --etcd creates org acme" ctlh orgs create acme
check "sixpnctl --etcd creates app web" ctlh apps create web --org acme
check "sixpnctl --etcd adds host a7b:e2" ctlh hosts add a7b:e2 --region ams
check "sixpnctl --etcd adds host a7b:e3" ctlh hosts add a7b:e3 --region ams
ns_add "$I"
ip link add "$IFC" netns "$H" type veth peer name eth0 netns "$I"
J=$(ctlh --json machines create --app web --host a7b:e2 --iface "$IFC")
M1=$(jget address <<<"$J")
check "the instance's machine is created (address $M1)" test -n "$M1"

# ---- the instance, and sixpnd --etcd -------------------------------------------
ip -n "$I" addr add "$M1/112" dev eth0 nodad
ip -n "$I" link set eth0 up
ip -n "$I" -6 route add default via fe80::1 dev eth0
SIXPN_ETCD_LEASE_TTL=3 nsenter --net="/run/netns/$H" "$BUILD/sixpnd" --host a7b:e2 --etcd "$URL" --etcd-prefix /e2/ \
	--registry "$TMP/mirror.db" --pin-dir "$PIN" --metrics "$METRICS" >"$TMP/sixpnd.log" 2>&1 &
D_PID=$!
check "sixpnd --etcd starts (sixpnd running)" \
	within 10 grep -q 'msg="sixpnd running"' "$TMP/sixpnd.log"
web_is() { [ "$(aaaa web.internal)" = "$1 " ]; }
check "the instance gets web.internal AAAA $M1 from fdaa::3 within 5 s" within 5 web_is "$M1"
a0=$(answered)
aaaa web.internal >/dev/null
a1=$(answered)
check "that answer came from the XDP fast path (DNS_ANSWERED $a0 -> $a1)" test "$a1" -gt "$a0"
connected_is() { [ "$(metric sixpn_registry_connected)" = "$1" ]; }
check "sixpn_registry_connected is 1" within 5 connected_is 1
check "the mirror file says whose mirror it is" \
	sh -c "sqlite3 '$TMP/mirror.db' \"SELECT value FROM meta WHERE key='mirror_of'\" | grep -q '$URL prefix /e2/'"

# connected HOST yes|no: the CONNECTED column of sixpnctl hosts list
connected() { [ "$(ctlh hosts list | awk -v h="$1" '$1 == h { print $NF }')" = "$2" ]; }
check "hosts list: a7b:e2 (running sixpnd) connected yes within 5 s" within 5 connected a7b:e2 yes
check "hosts list: a7b:e3 (no sixpnd) connected no" connected a7b:e3 no
J=$(ctlh hosts list --json)
check_eq "hosts list --json: connected of a7b:e2, a7b:e3" \
	"$($PY -c 'import json,sys; print(" ".join(str(h["connected"]) for h in json.load(sys.stdin)["hosts"]))' <<<"$J")" "True False"

# ---- etcd stopped ----------------------------------------------------------------
kill -TERM "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null; ETCD_PID=""
check "with etcd stopped, sixpn_registry_connected becomes 0 within 5 s" within 5 connected_is 0
check "the log says etcd does not answer and sixpnd serves from the mirror" \
	grep -q 'serving from the mirror' "$TMP/sixpnd.log"
check "with etcd stopped, the instance still gets web.internal from the mirror" web_is "$M1"
check "sixpnd still runs" kill -0 "$D_PID"
ctlh machines create --app web --host a7b:e3 >"$TMP/down.out" 2>&1; rc=$?
check "sixpnctl --etcd cannot write while etcd is down (exit $rc)" test "$rc" -ne 0
check "and says etcd is the problem" grep -qi etcd "$TMP/down.out"

# ---- etcd back -------------------------------------------------------------------
check "etcd restarts on its data" start_etcd
J=$(ctlh --json machines create --app web --host a7b:e3)
M2=$(jget address <<<"$J")
check "a machine is created after the restart (address $M2)" test -n "$M2"
BOTH="$(printf '%s\n' "$M1" "$M2" | sort | tr '\n' ' ')"
both() { [ "$(aaaa web.internal)" = "$BOTH" ]; }
check "the instance gets both machines of web within 5 s of the create" within 5 both
check "sixpn_registry_connected is 1 again" within 5 connected_is 1
check "the log says etcd answers again" grep -qE 'etcd (answers|reachable) again' "$TMP/sixpnd.log"
check "after etcd's restart a7b:e2 is still connected" within 5 connected a7b:e2 yes

# ---- a sixpnd frozen past its lease ------------------------------------------------
kill -STOP "$D_PID"
check "sixpnd frozen: a7b:e2 connected no once the lease (3 s) expires" within 8 connected a7b:e2 no
check "a frozen sixpnd's datapath still answers web.internal" both
kill -CONT "$D_PID"
check "thawed: a7b:e2 connected yes again within 5 s" within 5 connected a7b:e2 yes
check "the log says the lease expired and the host announced itself again" \
	grep -q 'host lease in etcd expired: announcing again' "$TMP/sixpnd.log"
check_fails "sixpnd logged no error" grep -q 'level=error' "$TMP/sixpnd.log"
kill -TERM "$D_PID"; wait "$D_PID"; rc=$?; D_PID=""
check_eq "sixpnd --etcd stops on SIGTERM (exit 0)" "$rc" 0
check "SIGTERM revoked the lease: a7b:e2 connected no at once" connected a7b:e2 no
finish
