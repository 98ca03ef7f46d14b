#!/usr/bin/env bash
# Benchmark 7, Flycast: a testbed (scripts/testbed: two hosts over the
# wireguard-go mesh, sixpnd on each) with app web's one machine on host 2
# (network neta), a client of neta and a client of netb on host 1, and a
# Flycast address of web for netb. iperf3 TCP and new connections per
# second (scripts/bench/fc_connrate.py, one after the other) from host 1
# to web-1 on host 2: directly from the neta client (the baseline: an
# ordinary same-network flow over the mesh) and through web.flycast from
# the netb client (translated on host 1 both ways, the same path
# otherwise). Runs alternate between the two (ABBA). Each Flycast run must
# move host 1's PASS_FC_FORWARD counter. Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}y
TB="$SIXPN_ROOT/scripts/testbed"
TMP=$(mktemp -d)
STATE=$TMP/testbed
MTU=1420   # the clients' MTU: the mesh's, so no Packet Too Big in either mode
runs=5 secs=8 crruns=5 crsecs=4
if [ "${BENCH_QUICK:-0}" = 1 ]; then runs=1 secs=1 crruns=1 crsecs=1; fi

cleanup() {
	local n p
	for n in web-1 dir-1 cli-1; do
		for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/fc.tb" <<TB
prefix $P
host h1 a7b:d6b ams
host h2 a7b:174 ord
org fcbench
network fcbench neta
network fcbench netb
app web fcbench neta
app dir fcbench neta
app cli fcbench netb
machine web-1 web h2
machine dir-1 dir h1
machine cli-1 cli h1
TB
"$TB" up "$TMP/fc.tb" --state "$STATE" >"$TMP/up.log" 2>&1 ||
	{ cat "$TMP/up.log" >&2; fail "testbed up failed"; }
x() { local n=$1; shift; in_ns "$P-$n" "$@"; }
W=$(awk '$1 == "web-1" {print $6}' "$STATE/machines")
FC=$("$TB" ctl --state "$STATE" --json ips allocate --app web --network netb |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])') ||
	fail "ips allocate failed"
for n in dir-1 cli-1; do
	ip -n "$P-$n" link set eth0 mtu $MTU
done
x web-1 iperf3 -6 -s -p 5201 >/dev/null 2>&1 &
x web-1 /usr/bin/python3 "$SIXPN_ROOT/scripts/bench/fc_connrate.py" serve :: 7000 >/dev/null 2>&1 &
fwd() {
	"$SIXPN_ROOT/selftests/lib/stats.py" "/sys/fs/bpf/sixpn-$P-h1" FROM_INSTANCE PASS_FC_FORWARD
}
# both paths up (handshake, neighbours, Maglev) before the clock starts
for _ in $(seq 50); do
	x cli-1 ping -6 -c 1 -W 1 "$FC" >/dev/null 2>&1 && x dir-1 ping -6 -c 1 -W 1 "$W" >/dev/null 2>&1 && break
	sleep 0.2
done
x cli-1 ping -6 -c 1 -W 2 "$FC" >/dev/null 2>&1 || fail "no path through Flycast ($FC)"
x dir-1 ping -6 -c 1 -W 2 "$W" >/dev/null 2>&1 || fail "no direct path to web-1 ($W)"

iperf3_once() {
	x "$1" timeout $((secs + 20)) iperf3 -6 -c "$2" -p 5201 -t "$secs" -O 1 -J 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print("%.4f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null
}
# the server takes a moment after a run before it takes the next client
iperf3_gbps() { iperf3_once "$@" || { sleep 1; iperf3_once "$@"; }; }
connrate() { x "$1" timeout $((crsecs + 20)) /usr/bin/python3 "$SIXPN_ROOT/scripts/bench/fc_connrate.py" connect "$2" 7000 "$crsecs"; }

# measure KIND CLIENT ADDR: one run; Flycast's must be translated
measure() {
	local f0 v
	f0=$(fwd)
	if [ "$1" = iperf ]; then v=$(iperf3_gbps "$2" "$3"); else v=$(connrate "$2" "$3"); fi
	[ -n "$v" ] || return 1
	if [ "$2" = cli-1 ] && [ "$(fwd)" -le "$f0" ]; then
		log "the Flycast run was not translated (PASS_FC_FORWARD did not move)"
		return 1
	fi
	echo "$v"
}

tp_direct=() tp_fc=() cr_direct=() cr_fc=()
for r in $(seq "$runs"); do
	if [ $((r % 2)) = 1 ]; then order="direct flycast"; else order="flycast direct"; fi
	for m in $order; do
		if [ $m = direct ]; then
			g=$(measure iperf dir-1 "$W") || fail "iperf3 direct failed"; tp_direct+=("$g")
		else
			g=$(measure iperf cli-1 "$FC") || fail "iperf3 through Flycast failed"; tp_fc+=("$g")
		fi
		log "iperf3 run $r, $m: $g Gbit/s"
	done
done
for r in $(seq "$crruns"); do
	if [ $((r % 2)) = 1 ]; then order="direct flycast"; else order="flycast direct"; fi
	for m in $order; do
		if [ $m = direct ]; then
			c=$(measure conn dir-1 "$W") || fail "connections direct failed"; cr_direct+=("$c")
		else
			c=$(measure conn cli-1 "$FC") || fail "connections through Flycast failed"; cr_fc+=("$c")
		fi
		log "connections run $r, $m: $c/s"
	done
done

join() { local IFS=,; echo "$*"; }
tbase="iperf3 TCP host 1 -> host 2 over the mesh, same network, direct"
cbase="new TCP connections/s host 1 -> host 2, same network, direct"
cat >>"$BENCH_RECORDS" <<JSON
{"bench":"flycast","case":"$tbase","unit":"Gbit/s","better":"higher","seconds":$secs,"is_baseline":true,"samples":[$(join "${tp_direct[@]}")]}
{"bench":"flycast","case":"iperf3 TCP host 1 -> host 2 through Flycast (another network, translated on host 1)","unit":"Gbit/s","better":"higher","seconds":$secs,"baseline":"$tbase","samples":[$(join "${tp_fc[@]}")]}
{"bench":"flycast","case":"$cbase","unit":"conn/s","better":"higher","seconds":$crsecs,"is_baseline":true,"samples":[$(join "${cr_direct[@]}")]}
{"bench":"flycast","case":"new TCP connections/s through Flycast (a new flow each: Maglev pick, conntrack)","unit":"conn/s","better":"higher","seconds":$crsecs,"baseline":"$cbase","samples":[$(join "${cr_fc[@]}")]}
JSON
