#!/usr/bin/env bash
# sixpnd end to end: a testbed fleet (selftests/agent/fleet.tb), every host
# run by sixpnd from the registry. Same-network traffic flows on a host and
# across hosts, every cross-network pair is dropped both ways, spoofing is
# dropped, the laptop peer reaches its network only, machines come and go
# while sixpnd runs, and sixpnd can die and come back without a flow noticing.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TB="$SIXPN_ROOT/scripts/testbed"
STATE=/run/sixpn-testbed/sxa
TMP=$(mktemp -d)
cleanup() {
	"$TB" down --state "$STATE" >/dev/null 2>&1
	ip netns del sxa-late 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
"$TB" down --state "$STATE" >/dev/null 2>&1

addr() { awk -v n="$1" '$1==n {print $6}' "$STATE/machines"; }
peer_addr() { awk -v n="$1" '$1==n {print $5}' "$STATE/peers" | cut -d/ -f1; }
app_of() { awk -v n="$1" '$1==n {print $2}' "$STATE/machines"; }
x() { local node=$1; shift; ip netns exec "sxa-$node" "$@"; }
pingable() { x "$1" ping -6 -c 1 -W "${3:-2}" "$2" >/dev/null 2>&1; }

udp_delivered() {
	local out="$TMP/udp.$RANDOM" pid
	x "$2" timeout 5 socat -u UDP6-RECV:4000 "OPEN:$out,creat" & pid=$!
	sleep 0.3
	x "$1" sh -c "echo sixpn-hello | socat -u STDIN 'UDP6-SENDTO:[$3]:4000'"
	for _ in $(seq 20); do grep -q sixpn-hello "$out" 2>/dev/null && break; sleep 0.1; done
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	grep -q sixpn-hello "$out" 2>/dev/null
}

tcp_delivered() {
	local out="$TMP/tcp.$RANDOM" srv rc
	x "$2" timeout 20 socat -u TCP6-LISTEN:5001,reuseaddr "OPEN:$out,creat" & srv=$!
	sleep 0.3
	x "$1" timeout 15 socat -u "OPEN:$TMP/payload" "TCP6:[$3]:5001,connect-timeout=3"
	rc=$?
	wait $srv 2>/dev/null
	[ $rc -eq 0 ] && cmp -s "$TMP/payload" "$out"
}

# wait_running HOST LINES: the sixpnd started after line LINES of HOST's log
# has finished its first full pass.
wait_running() {
	for _ in $(seq 100); do
		tail -n +"$(($2 + 1))" "$STATE/$1.log" | grep -q 'msg="sixpnd running"' && return 0
		sleep 0.05
	done
	return 1
}

head -c 1048576 /dev/urandom >"$TMP/payload"
if ! SIXPND_ARGS="--metrics [::1]:9464" "$TB" up "$SIXPN_ROOT/selftests/agent/fleet.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: 2 hosts, 3 networks, 7 machines, 1 laptop, sixpnd on each host"

# Wait until both agents attached every machine of theirs.
for _ in $(seq 50); do
	pingable web-1 "$(addr web-2)" 1 && pingable web-1 "$(addr web-3)" 1 && break
	sleep 0.2
done

check "UDP within a network on one host (web-1 -> web-3)" udp_delivered web-1 web-3 "$(addr web-3)"
check "TCP within a network on one host carries 1 MiB (web-3 -> web-1)" tcp_delivered web-3 web-1 "$(addr web-1)"
check "UDP within a network across hosts (web-1 -> web-2)" udp_delivered web-1 web-2 "$(addr web-2)"
check "TCP within a network across hosts carries 1 MiB (web-2 -> web-1)" tcp_delivered web-2 web-1 "$(addr web-1)"
check "TCP within the custom network across hosts (db-1 -> db-2)" tcp_delivered db-1 db-2 "$(addr db-2)"

# Every ordered pair of instances in different networks (each app here has
# a network of its own), both hosts: all
# probed at once, each must fail.
pairs=0
for a in web-1 db-1 shop-1 web-2 db-2 shop-2; do
	for b in web-1 db-1 shop-1 web-2 db-2 shop-2; do
		[ "$(app_of "$a")" = "$(app_of "$b")" ] && continue
		( pingable "$a" "$(addr "$b")" 1 && echo "$a -> $b" >>"$TMP/crossed" ) &
		pairs=$((pairs + 1))
	done
done
wait
check_eq "all $pairs cross-network pairs (both directions, both hosts) are dropped" \
	"$(cat "$TMP/crossed" 2>/dev/null)" ""

x web-1 ip addr add "$(addr web-3)/128" dev eth0 nodad 2>/dev/null
check_fails "a spoofed source (web-1 claiming web-3's address) is not delivered" \
	x web-1 ping -6 -c 1 -W 1 -I "$(addr web-3)" "$(addr web-2)"
x web-1 ip addr del "$(addr web-3)/128" dev eth0 2>/dev/null

check "the laptop reaches web-1 on the gateway host" pingable laptop "$(addr web-1)"
check "the laptop reaches web-2 across the mesh" pingable laptop "$(addr web-2)"
check_fails "the laptop does not reach db-1 (acme's other network)" pingable laptop "$(addr db-1)" 1
check_fails "the laptop does not reach shop-2 (another org)" pingable laptop "$(addr shop-2)" 1
check "web-2 reaches the laptop back" pingable web-2 "$(peer_addr laptop)"
# The laptop's DNS is its network's <prefix>::3 on the gateway (its config's DNS=).
laptop_dns=$(grep -m1 '^DNS' "$STATE"/sxal*.conf | awk '{print $3}')
check_eq "the laptop's resolver is its network's ::3 (${laptop_dns})" \
	"$(x laptop cat /etc/resolv.conf | awk '/^nameserver/ {print $2; exit}')" "$laptop_dns"
check_eq "the laptop resolves web.internal through ${laptop_dns}" \
	"$(x laptop dig +short +time=2 +tries=2 AAAA web.internal "@$laptop_dns" | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$(addr web-1)" "$(addr web-2)" "$(addr web-3)" | sort | tr '\n' ' ')"
check_eq "the laptop gets NXDOMAIN for another org's app" \
	"$(x laptop dig +time=2 +tries=2 AAAA shop.internal "@$laptop_dns" | grep -o 'status: [A-Z]*')" "status: NXDOMAIN"

# What an operator watches: a cross-network drop (web-1 -> db-1) shows up in
# `sixpnctl monitor`, `sixpnctl stats` and sixpnd's metrics endpoint.
PIN1=/sys/fs/bpf/sixpn-sxa-h1
# Other cross-network drops of the fleet may come first: the check looks
# for this one among what the monitor printed.
nsenter --net=/run/netns/sxa-h1 "$BUILD/sixpnctl" --json monitor --pin-dir "$PIN1" \
	--reason cross_network >"$TMP/mon.json" 2>"$TMP/mon.err" &
mon=$!
sleep 0.5
x web-1 ping -6 -c 1 -W 1 "$(addr db-1)" >/dev/null 2>&1
for _ in $(seq 50); do grep -q "\"dst\":\"$(addr db-1)\"" "$TMP/mon.json" && break; sleep 0.1; done
kill $mon 2>/dev/null; wait $mon 2>/dev/null
check "sixpnctl monitor shows the cross-network drop from web-1 to db-1" \
	/usr/bin/python3 -c '
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(e["reason"] == "DROP_CROSS_NETWORK" and e["src"] == sys.argv[2] and
           e["dst"] == sys.argv[3] for e in events), events' \
	"$TMP/mon.json" "$(addr web-1)" "$(addr db-1)"
cross=$("$BUILD/sixpnctl" --json stats --pin-dir "$PIN1" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
print(sum(c["packets"] for c in s["counters"] if c["hook"] == "FROM_INSTANCE" and c["reason"] == "DROP_CROSS_NETWORK"))')
check "sixpnctl stats counts cross-network drops on h1 (${cross})" test "${cross:-0}" -ge 1
metric=$(nsenter --net=/run/netns/sxa-h1 curl -s --max-time 3 'http://[::1]:9464/metrics' |
	awk '/^sixpn_packets_total\{hook="from_instance",verdict="drop",reason="drop_cross_network"\}/ {print $2}')
check "sixpnd --metrics serves the cross-network drops (${metric:-none})" test "${metric:-0}" -ge 1

# A machine made while sixpnd runs: time from `machines create` to the first
# ping through, measured in steps of 20 ms.
ip netns add sxa-late
ip -n sxa-late link set lo up
ip link add sxalate netns sxa-h2 type veth peer name eth0 netns sxa-late
start=$(date +%s%N)
late=$("$TB" ctl --registry "$STATE/registry.db" --json machines create --app web --host a7b:174 --iface sxalate |
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["address"], d["id"], d["prefix"])')
read -r late_addr late_id late_prefix <<<"$late"
ip -n sxa-late addr add "$late_addr/112" dev eth0 nodad
ip -n sxa-late link set eth0 up
ip -n sxa-late -6 route add default via fe80::1 dev eth0
reached=""
for _ in $(seq 100); do
	if ip netns exec sxa-late ping -6 -c 1 -W 0.2 "$(addr web-1)" >/dev/null 2>&1; then
		reached=$(( ($(date +%s%N) - start) / 1000000 )); break
	fi
	sleep 0.02
done
echo "# machines create -> first ping through: ${reached:-never} ms"
check "a machine created after sixpnd started is reachable within a second (${reached:-never} ms)" \
	test -n "$reached" -a "${reached:-99999}" -lt 1000

"$TB" ctl --registry "$STATE/registry.db" machines destroy "$late_id" >/dev/null
sleep 0.5
check_fails "a destroyed machine's route is gone" \
	sh -c "ip -n sxa-h2 -6 route show proto 0x6e | grep -q '${late_prefix%/112}'"
check_fails "a destroyed machine's interface is detached" \
	sh -c "nsenter --net=/run/netns/sxa-h2 $BUILD/sixpn-attach --pin-dir /sys/fs/bpf/sixpn-sxa-h2 status | grep -q sxalate"
check_fails "a destroyed machine no longer reaches the fleet" \
	ip netns exec sxa-late ping -6 -c 1 -W 1 "$(addr web-1)"
ip netns del sxa-late

# kill -9: the datapath is pinned, traffic keeps flowing.
kill -9 "$(cat "$STATE/h1.pid")"
sleep 0.3
check "after kill -9 of sixpnd on h1, web-1 still reaches web-2" pingable web-1 "$(addr web-2)"
check "after kill -9 of sixpnd on h1, the laptop still reaches web-1" pingable laptop "$(addr web-1)"

# A restart reconciles without dropping a flow: a ping every 20 ms runs
# across the restart and loses nothing.
h1_lines=$(wc -l <"$STATE/h1.log")
x web-1 ping -6 -i 0.02 -c 150 -W 1 "$(addr web-2)" >"$TMP/flow" 2>&1 &
flow=$!
sleep 0.5
nsenter --net=/run/netns/sxa-h1 setsid "$BUILD/sixpnd" --registry "$STATE/registry.db" --host a7b:d6b \
	--mesh-dev sxam1 --key-file "$STATE/h1.key" --peers-dev sxap1 --peers-key-file "$STATE/h1.peers.key" \
	--pin-dir /sys/fs/bpf/sixpn-sxa-h1 --metrics '[::1]:9464' >>"$STATE/h1.log" 2>&1 &
echo $! >"$STATE/h1.pid"; echo $! >>"$STATE/pids"
wait $flow
check_eq "a ping flow across the sixpnd restart loses no packet" \
	"$(grep -o '[0-9]*% packet loss' "$TMP/flow")" "0% packet loss"
check "the restarted sixpnd keeps serving: web-3 reaches web-2" pingable web-3 "$(addr web-2)"
check "the restarted sixpnd came up and made its full pass" wait_running h1 "$h1_lines"

# A machine destroyed while its host's sixpnd is down: the full pass of the
# next start removes its route and detaches its interface.
db2_id=$("$TB" ctl --registry "$STATE/registry.db" --json machines list --app db |
	/usr/bin/python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin)["machines"] if m["host"]=="a7b:174"][0])')
db2_if=$(awk '$1=="db-2" {print $5}' "$STATE/machines")
kill -9 "$(cat "$STATE/h2.pid")"
h2_lines=$(wc -l <"$STATE/h2.log")
"$TB" ctl --registry "$STATE/registry.db" machines destroy "$db2_id" >/dev/null
check "while sixpnd is down, db-2's route is still there" \
	sh -c "ip -n sxa-h2 -6 route show proto 0x6e | grep -q '${db2_if}'"
nsenter --net=/run/netns/sxa-h2 setsid "$BUILD/sixpnd" --registry "$STATE/registry.db" --host a7b:174 \
	--mesh-dev sxam2 --key-file "$STATE/h2.key" --pin-dir /sys/fs/bpf/sixpn-sxa-h2 >>"$STATE/h2.log" 2>&1 &
echo $! >"$STATE/h2.pid"; echo $! >>"$STATE/pids"
wait_running h2 "$h2_lines"
check_fails "after the restart, the stale route of db-2 is gone" \
	sh -c "ip -n sxa-h2 -6 route show proto 0x6e | grep -q '${db2_if}'"
check_fails "after the restart, db-2's interface is detached" \
	sh -c "nsenter --net=/run/netns/sxa-h2 $BUILD/sixpn-attach --pin-dir /sys/fs/bpf/sixpn-sxa-h2 status | grep -q '${db2_if}'"
check "after the restart, web-2 still reaches web-1" pingable web-2 "$(addr web-1)"

"$TB" down --state "$STATE" >/dev/null
check_eq "testbed down removed its namespaces" "$(ip netns list | grep -c '^sxa-')" 0
check_eq "testbed down removed its pins" "$(ls -d /sys/fs/bpf/sixpn-sxa-* 2>/dev/null | wc -l)" 0
check_fails "testbed down stopped wireguard-go" pgrep -f 'wireguard-go -f sxa'
finish
