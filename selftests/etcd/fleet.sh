# shellcheck shell=bash
# Helpers of the fleet tests (selftests/etcd/test_fleet_*.sh): a testbed
# (scripts/testbed) with `etcd 3`, real sixpnd on each host with
# --metrics, the real wireguard-go mesh. The test sets P (its prefix) and
# writes its description to $TMP/fleet.tb; fleet_cleanup, as an EXIT
# trap, takes everything down even when the test fails.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"
export ETCDCTL_API=3
PY=/usr/bin/python3
TB="$SIXPN_ROOT/scripts/testbed"
STATE=/run/sixpn-testbed/$P
TMP=$(mktemp -d "/tmp/$P-fleet.XXXXXX")
METRICS="[::1]:9464"

fleet_cleanup() {
	# SIXPN_KEEP_LOGS=DIR keeps the hosts' and members' logs for a look
	[ -n "${SIXPN_KEEP_LOGS:-}" ] && mkdir -p "$SIXPN_KEEP_LOGS" &&
		cp "$STATE"/*.log "$SIXPN_KEEP_LOGS/" 2>/dev/null
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}

tb() { "$TB" --state "$STATE" "$@"; }
ctl() { tb ctl "$@"; }
# x NODE CMD...: CMD in the node's network namespace
x() { local node=$1; shift; nsenter --net="/run/netns/$P-$node" "$@"; }
addr() { awk -v n="$1" '$1==n {print $6}' "$STATE/machines"; }
# aaaa NODE NAME: the AAAA answers fdaa::3 gives NODE, sorted, one line
aaaa() { x "$1" dig -6 +short +time=1 +tries=1 AAAA "$2" @fdaa::3 2>/dev/null | sort | tr '\n' ' '; }
# metric HOST NAME: a sample of HOST's sixpnd /metrics
metric() { x "$1" curl -s --max-time 2 "http://$METRICS/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }
ectl() { x ul etcdctl --endpoints "$(tb etcd endpoints)" --command-timeout=3s "$@"; }
etcd_rev() { ectl get /sixpn/rev -w json | $PY -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])'; }
# mid APP ADDRESS: the machine ID of ADDRESS
mid() { ctl --json machines list --app "$1" | $PY -c '
import json, sys
for m in json.load(sys.stdin)["machines"]:
    if m["address"] == sys.argv[1]: print(m["id"])' "$2"; }
# create APP HOST_ID: a machine without an instance namespace; prints its address
create() { ctl --json machines create --app "$1" --host "$2" | $PY -c 'import json,sys; print(json.load(sys.stdin)["address"])'; }
now() { date +%s.%N; }
secs() { $PY -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
le() { $PY -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" "$1" "$2"; }
# pings NODE ADDR: one ping from instance NODE answered within a second
pings() { x "$1" ping -6 -c 1 -W 1 "$2" >/dev/null 2>&1; }
# sorted ADDR...: the one-line form aaaa prints
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }

fleet_up() {
	command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
		{ not_ok "etcd and etcdctl are installed (etcd-server, etcd-client)"; finish; exit 1; }
	tb down >/dev/null 2>&1
	if ! SIXPND_ARGS="--metrics $METRICS" "$TB" up "$TMP/fleet.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
		sed 's/^/#   /' "$TMP/up.log"
		not_ok "testbed up with etcd 3"
		finish
		exit 1
	fi
	ok "testbed up: 3 etcd members, the hosts' sixpnd --etcd, the mesh"
}
