#!/usr/bin/env bash
# sixpn demo: a small fleet in network namespaces, and sixpn doing its job
# in front of you. Usage: scripts/demo.sh [--oneshot] [--etcd]
#   --oneshot   tear down right after the tour (default: wait for Ctrl-C)
#   --etcd      the registry on a 3-member etcd cluster (make demo DEMO_ARGS=--etcd)
# SIXPN_DEMO_PREFIX (default sxd) names its namespaces and devices;
# SIXPN_DEMO_LOGS=DIR keeps the logs of its hosts (and etcd members) there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TBIN="$ROOT/scripts/testbed"
ONESHOT=false ETCD=false
for a in "$@"; do
	case "$a" in
	--oneshot) ONESHOT=true ;;
	--etcd) ETCD=true ;;
	-h | --help) sed -n '2,8p' "$0"; exit 0 ;;
	*) echo "demo: unknown option '$a' (--oneshot, --etcd)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
P=${SIXPN_DEMO_PREFIX:-sxd}
STATE=/run/sixpn-testbed/$P
testbed() { "$TBIN" --state "$STATE" "$@"; }
DESC=$(mktemp /tmp/sixpn-demo.XXXXXX.tb)
sed "s/^prefix .*/prefix $P/" "$ROOT/scripts/testbed.d/demo.tb" >"$DESC"
$ETCD && echo "etcd 3" >>"$DESC"

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# run CMD...: shows CMD and its output; the demo stops if it fails.
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@" 2>&1 | sed 's/^/  /'; return "${PIPESTATUS[0]}"; }
# blocked CMD...: shows CMD, which isolation must make fail; the demo stops
# if it succeeds.
blocked() {
	if run "$@"; then echo "demo: '$*' succeeded: isolation is broken" >&2; return 1; fi
	printf '  \033[32m(blocked, as it must be)\033[0m\n'
}

DB_SERVER=""
teardown() {
	trap "" PIPE
	echo
	[ -z "$DB_SERVER" ] || kill "$DB_SERVER" 2>/dev/null || true
	# SIXPN_DEMO_LOGS=DIR keeps the hosts' and members' logs (a test that
	# failed shows them)
	if [ -n "${SIXPN_DEMO_LOGS:-}" ] && [ -d "$STATE" ]; then
		mkdir -p "$SIXPN_DEMO_LOGS" && cp "$STATE"/*.log "$SIXPN_DEMO_LOGS"/ 2>/dev/null || true
	fi
	testbed down
	rm -f "$DESC"
}
trap teardown EXIT
trap 'exit 130' INT TERM HUP PIPE

testbed down >/dev/null 2>&1 || true
if $ETCD; then
	bold "Bringing up a 3-member etcd cluster, two hosts (ams1 a gateway, ord1), two orgs, four instances and a laptop"
else
	bold "Bringing up two hosts (ams1 a gateway, ord1), two orgs, four instances and a laptop"
fi
testbed up "$DESC"
sleep 1

bold "The registry: what sixpnctl knows"
run testbed ctl hosts list
run testbed ctl networks list --org acme
run testbed ctl machines list
addr_of() { awk -v n="$1" '$1==n {print $6}' "$STATE/machines"; }
WEB1=$(addr_of web-1) WEB2=$(addr_of web-2) DB1=$(addr_of db-1) SHOP1=$(addr_of shop-1)

bold "Same network, across hosts: web-1 (ams1) reaches web-2 (ord1) through the WireGuard mesh"
run testbed exec web-1 ping -6 -c 2 -W 2 "$WEB2"
bold "...by name, through sixpn's DNS on fdaa::3"
run testbed exec web-1 dig +short AAAA web.internal @fdaa::3
run testbed exec web-1 getent ahosts web.internal
bold "Another org's network: web-1 (acme) cannot reach shop-1 (globex)"
blocked testbed exec web-1 ping -6 -c 2 -W 1 "$SHOP1"
bold "...nor acme's own custom network 'backend': db-1 is out of web-1's reach"
blocked testbed exec web-1 ping -6 -c 1 -W 1 "$DB1"
bold "...and the other org's app does not even resolve"
run testbed exec web-1 dig +noall +comments AAAA shop.internal @fdaa::3
bold "The drops, counted by reason on ams1"
run "${BUILD:-$ROOT/build}/sixpnctl" stats --pin-dir /sys/fs/bpf/sixpn-$P-ams1 ||
	run bpftool map dump pinned /sys/fs/bpf/sixpn-$P-ams1/stats
bold "One deliberate opening, Flycast: app db (network backend) gets a service address in acme's default network"
run testbed ctl ips allocate --app db --network default --ports 5432
run testbed ctl ips list --app db
# a server on db-1 (ord1); ip netns exec execs, so $! is socat itself
ip netns exec "$P-db-1" socat TCP6-LISTEN:5432,reuseaddr,fork SYSTEM:'echo hello from db-1' &
DB_SERVER=$!
FC=""
for _ in $(seq 100); do
	FC=$(testbed exec web-1 dig +short +time=1 +tries=1 AAAA db.flycast @fdaa::3) && [ -n "$FC" ] && break
	sleep 0.1
done
bold "...web-1 (default network, ams1) finds it as db.flycast and is served by db-1 on ord1"
run testbed exec web-1 dig +short AAAA db.flycast @fdaa::3
run testbed exec web-1 socat -u "TCP6:[$FC]:5432,connect-timeout=3" -
bold "...translated and balanced by ams1's TC program; its conntrack holds the flow"
run "${BUILD:-$ROOT/build}/sixpnctl" ct list --pin-dir /sys/fs/bpf/sixpn-$P-ams1
run testbed ctl addr "$FC"
bold "...yet db-1's own address stays out of web-1's reach, and db-1 cannot open anything toward web-1"
blocked testbed exec web-1 socat -u "TCP6:[$DB1]:5432,connect-timeout=2" -
blocked testbed exec db-1 ping -6 -c 1 -W 1 "$WEB1"
bold "...and the other org's network has no db.flycast"
run testbed exec shop-1 dig +noall +comments AAAA db.flycast @fdaa::3
kill "$DB_SERVER" 2>/dev/null || true
wait "$DB_SERVER" 2>/dev/null || true
DB_SERVER=""
bold "The laptop joined acme's network as a WireGuard peer (config from sixpnctl wireguard create)"
run testbed exec laptop wg show
run testbed exec laptop ping -6 -c 2 -W 2 "$WEB1"
run testbed exec laptop ping -6 -c 2 -W 2 "$WEB2"
bold "...and resolves names through its network's DNS address on the gateway (DNS= of its config)"
run testbed exec laptop cat /etc/resolv.conf
run testbed exec laptop dig +short AAAA web.internal
run testbed exec laptop dig +short TXT _apps.internal
bold "Machines start and stop: stopping web-2 takes it out of web.internal at once"
id_of() { awk -v n="$1" '$1==n {print $7}' "$STATE/machines"; }
WEB2_ID=$(id_of web-2)
run testbed ctl machines stop "$WEB2_ID"
sleep 0.2
run testbed exec web-1 dig +short AAAA web.internal @fdaa::3
bold "...but it keeps its address and its own name, and all.vms lists it (vms. does not)"
run testbed exec web-1 dig +short AAAA "$WEB2_ID.vm.web.internal" @fdaa::3
run testbed exec web-1 dig +short TXT vms.web.internal @fdaa::3
run testbed exec web-1 dig +short TXT all.vms.web.internal @fdaa::3
run testbed exec web-1 ping -6 -c 1 -W 2 "$WEB2"
bold "...and starting it brings it back"
run testbed ctl machines start "$WEB2_ID"
sleep 0.2
run testbed exec web-1 dig +short AAAA web.internal @fdaa::3
bold "Each instance knows who it is (sixpnctl machines env, written by the runtime)"
run testbed exec web-1 cat /etc/environment
run testbed exec web-1 getent hosts sixpn-local-6pn
bold "What the mesh carries: host and network swapped (tcpdump on ams1's mesh device)"
{ testbed exec ams1 timeout 4 tcpdump -l -n -c 2 -i ${P}m1 ip6 2>/dev/null | sed 's/^/  /'; } &
TCPDUMP=$!
sleep 1; testbed exec web-1 ping -6 -c 2 -i 0.3 "$WEB2" >/dev/null 2>&1 || true   # traffic to show, not a check
wait "$TCPDUMP" || true
if $ETCD; then
	bold "The registry lives in a 3-member etcd cluster; every host keeps a local mirror"
	run testbed exec ul etcdctl --endpoints "$(testbed etcd endpoints)" member list -w table
	bold "A machine created through etcd is answered on ams1 from its mirror"
	run testbed ctl apps create api --org acme
	run testbed ctl machines create --app api --host a7b:174
	API=""
	for _ in $(seq 200); do
		API=$(testbed exec web-1 dig +short +time=1 +tries=1 AAAA api.internal @fdaa::3) &&
			[ -n "$API" ] && break
		sleep 0.1
	done
	run testbed exec web-1 dig +short AAAA api.internal @fdaa::3
	if [ -z "$API" ]; then
		echo "demo: api.internal was not answered on ams1 within 20 s; its sixpnd says:" >&2
		tail -15 "$STATE/ams1.log" >&2
		exit 1
	fi
	run "${BUILD:-$ROOT/build}/sixpnctl" --registry "$STATE/ams1.mirror.db" machines list --app api
	bold "...a mirror is read-only: writes go to etcd"
	blocked "${BUILD:-$ROOT/build}/sixpnctl" --registry "$STATE/ams1.mirror.db" orgs create initech
	bold "Every etcd member stopped: the hosts serve on from their mirrors"
	run testbed etcd stop
	run testbed exec web-1 dig +short AAAA web.internal @fdaa::3
	run testbed exec web-1 ping -6 -c 1 -W 2 "$WEB2"
	blocked testbed ctl orgs create initech
	bold "...and reconnect by themselves once etcd is back"
	testbed etcd start
	run testbed etcd wait
	for _ in $(seq 100); do
		testbed ctl hosts list | awk 'NR > 1 && $NF != "yes" { bad = 1 } END { exit bad }' && break
		sleep 0.1
	done
	run testbed ctl hosts list
fi
bold "The datapath as an operator inspects it: bpftool on a pinned map"
run bpftool map dump pinned /sys/fs/bpf/sixpn-$P-ams1/ifaces

if $ONESHOT; then
	bold "Done (--oneshot): tearing down"
else
	bold "The fleet stays up: try '$TBIN --state $STATE exec web-1 bash', '$TBIN nodes'. Ctrl-C tears it down."
	while sleep 3600; do :; done
fi
