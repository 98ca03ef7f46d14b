#!/usr/bin/env bash
# sixpn demo: a small fleet in network namespaces, and sixpn doing its job
# in front of you. Usage: scripts/demo.sh [--oneshot]
#   --oneshot   tear down right after the tour (default: wait for Ctrl-C)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TB="$ROOT/scripts/testbed"
ONESHOT=false
[ "${1:-}" = --oneshot ] && ONESHOT=true
[ "${1:-}" = -h ] || [ "${1:-}" = --help ] && { sed -n '2,5p' "$0"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# run CMD...: shows CMD and its output; the demo stops if it fails.
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@" 2>&1 | sed 's/^/  /'; return "${PIPESTATUS[0]}"; }
# blocked CMD...: shows CMD, which isolation must make fail; the demo stops
# if it succeeds.
blocked() {
	if run "$@"; then echo "demo: '$*' succeeded: isolation is broken" >&2; return 1; fi
	printf '  \033[32m(blocked, as it must be)\033[0m\n'
}

teardown() { trap "" PIPE; echo; "$TB" down; }
trap teardown EXIT
trap 'exit 130' INT TERM HUP PIPE

"$TB" down >/dev/null 2>&1 || true
bold "Bringing up two hosts (ams1 a gateway, ord1), two orgs, four instances and a laptop"
"$TB" up "$ROOT/scripts/testbed.d/demo.tb"
sleep 1

bold "The registry: what sixpnctl knows"
run "$TB" ctl hosts list
run "$TB" ctl networks list --org acme
run "$TB" ctl machines list
addr_of() { awk -v n="$1" '$1==n {print $6}' "/run/sixpn-testbed/sxd/machines"; }
WEB1=$(addr_of web-1) WEB2=$(addr_of web-2) DB1=$(addr_of db-1) SHOP1=$(addr_of shop-1)

bold "Same network, across hosts: web-1 (ams1) reaches web-2 (ord1) through the WireGuard mesh"
run "$TB" exec web-1 ping -6 -c 2 -W 2 "$WEB2"
bold "...by name, through sixpn's DNS on fdaa::3"
run "$TB" exec web-1 dig +short AAAA web.internal @fdaa::3
run "$TB" exec web-1 getent ahosts web.internal
bold "Another org's network: web-1 (acme) cannot reach shop-1 (globex)"
blocked "$TB" exec web-1 ping -6 -c 2 -W 1 "$SHOP1"
bold "...nor acme's own custom network 'backend': db-1 is out of web-1's reach"
blocked "$TB" exec web-1 ping -6 -c 1 -W 1 "$DB1"
bold "...and the other org's app does not even resolve"
run "$TB" exec web-1 dig +noall +comments AAAA shop.internal @fdaa::3
bold "The drops, counted by reason on ams1"
run "${BUILD:-$ROOT/build}/sixpnctl" stats --pin-dir /sys/fs/bpf/sixpn-sxd-ams1 ||
	run bpftool map dump pinned /sys/fs/bpf/sixpn-sxd-ams1/stats
bold "The laptop joined acme's network as a WireGuard peer (config from sixpnctl wireguard create)"
run "$TB" exec laptop wg show
run "$TB" exec laptop ping -6 -c 2 -W 2 "$WEB1"
run "$TB" exec laptop ping -6 -c 2 -W 2 "$WEB2"
bold "...and resolves names through its network's DNS address on the gateway (DNS= of its config)"
run "$TB" exec laptop cat /etc/resolv.conf
run "$TB" exec laptop dig +short AAAA web.internal
run "$TB" exec laptop dig +short TXT _apps.internal
bold "Machines start and stop: stopping web-2 takes it out of web.internal at once"
id_of() { awk -v n="$1" '$1==n {print $7}' "/run/sixpn-testbed/sxd/machines"; }
WEB2_ID=$(id_of web-2)
run "$TB" ctl machines stop "$WEB2_ID"
sleep 0.2
run "$TB" exec web-1 dig +short AAAA web.internal @fdaa::3
bold "...but it keeps its address and its own name, and all.vms lists it (vms. does not)"
run "$TB" exec web-1 dig +short AAAA "$WEB2_ID.vm.web.internal" @fdaa::3
run "$TB" exec web-1 dig +short TXT vms.web.internal @fdaa::3
run "$TB" exec web-1 dig +short TXT all.vms.web.internal @fdaa::3
run "$TB" exec web-1 ping -6 -c 1 -W 2 "$WEB2"
bold "...and starting it brings it back"
run "$TB" ctl machines start "$WEB2_ID"
sleep 0.2
run "$TB" exec web-1 dig +short AAAA web.internal @fdaa::3
bold "Each instance knows who it is (sixpnctl machines env, written by the runtime)"
run "$TB" exec web-1 cat /etc/environment
run "$TB" exec web-1 getent hosts sixpn-local-6pn
bold "What the mesh carries: host and network swapped (tcpdump on ams1's mesh device)"
{ "$TB" exec ams1 timeout 4 tcpdump -l -n -c 2 -i sxdm1 ip6 2>/dev/null | sed 's/^/  /'; } &
sleep 1; "$TB" exec web-1 ping -6 -c 2 -i 0.3 "$WEB2" >/dev/null 2>&1; wait || true
bold "The datapath as an operator inspects it: bpftool on a pinned map"
run bpftool map dump pinned /sys/fs/bpf/sixpn-sxd-ams1/ifaces

if $ONESHOT; then
	bold "Done (--oneshot): tearing down"
else
	bold "The fleet stays up: try '$TB exec web-1 bash', '$TB nodes'. Ctrl-C tears it down."
	while sleep 3600; do :; done
fi
