#!/usr/bin/env bash
# timeout: 120
# <app>.flycast end to end (testbed selftests/flycast/fleet.tb, real dig):
# AAAA answers the address allocated for the asker's network, from the XDP
# fast path over UDP and from the resolver over TCP; NXDOMAIN (with
# flycast.'s SOA) where the asker's network has none, and in the app's own
# network until it has one; an allocation made or released while sixpnd
# runs shows within seconds.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TB="$SIXPN_ROOT/scripts/testbed"
STATE=/run/sixpn-testbed/fc
cleanup() { "$TB" down --state "$STATE" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

x() { local node=$1; shift; ip netns exec "fc-$node" "$@"; }
tctl() { "$TB" ctl --state "$STATE" "$@"; }
dq() { local n=$1; shift; x "$n" dig +time=2 +tries=1 @fdaa::3 "$@"; }
status() { dq "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
answered() { "$SIXPN_ROOT/selftests/lib/stats.py" "/sys/fs/bpf/sixpn-fc-$1" XDP_DNS DNS_ANSWERED; }
wait_for() { local i; for i in $(seq 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

if ! "$TB" up "$SIXPN_ROOT/selftests/flycast/fleet.tb" --state "$STATE" >/tmp/fc-dns-up.log 2>&1; then
	cat /tmp/fc-dns-up.log; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: 2 hosts, 3 networks"

A=$(tctl ips allocate --app web --network netb --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
check "ips allocate web for netb" test -n "$A"
wait_for '[ "$(dq cli-1 +short AAAA web.flycast)" = "$A" ]'
check_eq "cli-1 (netb, h1): web.flycast AAAA is netb's address" "$(dq cli-1 +short AAAA web.flycast)" "$A"
check_eq "cli-2 (netb, h2): the same address" "$(dq cli-2 +short AAAA web.flycast)" "$A"
n0=$(answered h1)
dq cli-1 +short AAAA WEB.FlyCast >/dev/null
check_eq "the UDP answer came from the XDP fast path (mixed case too)" "$(( $(answered h1) - n0 ))" "1"
check_eq "over TCP the resolver answers it" "$(dq cli-1 +tcp +short AAAA web.flycast)" "$A"
check_eq "A of web.flycast: NODATA (NOERROR, no answer)" "$(status cli-1 A web.flycast)/$(dq cli-1 +short A web.flycast)" "NOERROR/"
check_eq "oth-1 (netc, no allocation): NXDOMAIN" "$(status oth-1 AAAA web.flycast)" "NXDOMAIN"
check_eq "oth-1 over TCP: NXDOMAIN" "$(status oth-1 +tcp AAAA web.flycast)" "NXDOMAIN"
check "NXDOMAIN carries flycast.'s SOA" sh -c "ip netns exec fc-oth-1 dig +time=2 +tries=1 @fdaa::3 AAAA web.flycast | grep -q '^flycast\..*SOA'"
check_eq "web-1 (neta, the app's own network, no allocation): NXDOMAIN" "$(status web-1 AAAA web.flycast)" "NXDOMAIN"
check_eq "an unknown app: NXDOMAIN" "$(status cli-1 AAAA nosuch.flycast)" "NXDOMAIN"
check_eq "deeper names: NXDOMAIN" "$(status cli-1 AAAA x.web.flycast)" "NXDOMAIN"
check_eq "the apex flycast.: SOA" "$(dq cli-1 +short SOA flycast | awk '{print $1}')" "ns.internal."
check_eq "web.internal still answers inside neta only" "$(status cli-1 AAAA web.internal)" "NXDOMAIN"

B=$(tctl ips allocate --app web --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
wait_for '[ "$(dq web-1 +short AAAA web.flycast)" = "$B" ]'
check_eq "after ips allocate for neta: web-1 gets neta's address" "$(dq web-1 +short AAAA web.flycast)" "$B"
check_eq "cli-1 still gets netb's" "$(dq cli-1 +short AAAA web.flycast)" "$A"
tctl ips release "$A" >/dev/null
wait_for '[ "$(status cli-1 AAAA web.flycast)" = NXDOMAIN ]'
check_eq "after ips release: cli-1 gets NXDOMAIN" "$(status cli-1 AAAA web.flycast)" "NXDOMAIN"
check "... and the name left the names map of h1" sh -c "! bpftool map dump pinned /sys/fs/bpf/sixpn-fc-h1/dns_names | grep -q 'web.flycast.*' || bpftool map dump pinned /sys/fs/bpf/sixpn-fc-h1/dns_names | grep -c flycast | grep -qx 1"
finish
