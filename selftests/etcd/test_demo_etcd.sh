#!/usr/bin/env bash
# timeout: 300
# `make demo DEMO_ARGS=--etcd` as a test: scripts/demo.sh --oneshot --etcd
# under the prefix efd (SIXPN_DEMO_PREFIX) brings the demo fleet up on a
# 3-member etcd cluster, tours it (every step the demo checks: reachability,
# isolation, DNS, a Flycast service used from another network, the
# laptop, a machine created through etcd answered on
# the other host, a mirror refusing writes, every member stopped while the
# hosts keep serving and reconnect) and tears it all down.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
P=efd
STATE=/run/sixpn-testbed/$P
TB="$SIXPN_ROOT/scripts/testbed"
LOG=$(mktemp /tmp/efd-demo.XXXXXX)
LOGS=$(mktemp -d /tmp/efd-logs.XXXXXX)
cleanup() { "$TB" down --state "$STATE" >/dev/null 2>&1; rm -rf "$LOG" "$LOGS"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v etcd >/dev/null || { not_ok "etcd is installed (etcd-server)"; finish; exit 1; }

SIXPN_DEMO_LOGS=$LOGS SIXPN_DEMO_PREFIX=$P BUILD=$BUILD "$SIXPN_ROOT/scripts/demo.sh" --oneshot --etcd >"$LOG" 2>&1
rc=$?
check_eq "the demo on etcd runs to its end (exit 0)" "$rc" 0
if [ "$rc" != 0 ]; then
	tail -20 "$LOG" | sed 's/^/#   /'
	for h in ams1 ord1; do
		echo "#   $h's sixpnd, its last lines but debug:"
		grep -v 'level=debug' "$LOGS/$h.log" 2>/dev/null | tail -8 | sed 's/^/#     /'
	done
fi
check "it brought up the 3-member cluster" grep -q 'Bringing up a 3-member etcd cluster' "$LOG"
check_eq "etcdctl member list shows 3 started members" \
	"$(grep -c "| started | $P-e[123] |" "$LOG")" 3
check_eq "6 steps blocked, as they must be (2 isolation, 2 beside Flycast, the mirror, sixpnctl with etcd down)" "$(grep -c "blocked, as it must be" "$LOG")" 6
check "Flycast: web-1 resolved db.flycast and db-1 answered through it" \
	grep -q '^  hello from db-1$' "$LOG"
check "... the flow was in ams1's conntrack" grep -q '^  1 flow$' "$LOG"
check_eq "... the other org's network got NXDOMAIN for db.flycast" \
	"$(grep -A3 'exec shop-1 dig .*AAAA db.flycast' "$LOG" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" NXDOMAIN
check_fails "no server the demo started is left" pgrep -f "socat TCP6-LISTEN:5432,reuseaddr,fork SYSTEM:echo hello from db-1"
check "the machine created through etcd was answered on the other host" \
	grep -q 'api.internal' "$LOG"
check "with every member stopped, sixpnctl said etcd is the problem" \
	grep -q 'reading the registry from etcd' "$LOG"
check "it tore everything down" grep -q 'testbed: down' "$LOG"
check_fails "no namespace of $P is left" sh -c "ip netns list | grep -q '^$P-'"
check_fails "no etcd of $P is left" pgrep -f "etcd --name $P-e"
check_fails "no pin dir of $P is left" sh -c "ls -d /sys/fs/bpf/sixpn-$P-* 2>/dev/null | grep -q ."
finish
