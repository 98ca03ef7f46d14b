#!/usr/bin/env bash
# Benchmark 3, mesh throughput: iperf3 TCP from an instance on host 1 to an
# instance on host 2 over the wireguard-go mesh (the topology of
# selftests/e2e/test_two_hosts.sh), with sixpn's programs attached (isolation
# on both instance veths, swap on both mesh devices) against the same
# namespaces with no BPF at all. The WireGuard peers allow both the mesh-form
# /48 and the 6PN /112 of the far instance, so that only the programs differ
# between the two modes. Runs alternate between the modes, so that drift
# affects both alike. Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"
trap netns_cleanup EXIT

P=${BENCH_PREFIX:-sxb}
H1=$P-h1 H2=$P-h2 I1=$P-i1 I2=$P-i2
WG1=${P}m1 WG2=${P}m2
PIN1=/sys/fs/bpf/sixpn-bench-$P-h1 PIN2=/sys/fs/bpf/sixpn-bench-$P-h2
A1=fdaa:0:18:a7b:d6b:0:a:2   # instance on host 1, network 0x18
A2=fdaa:0:18:a7b:174:0:c:2   # instance on host 2, same network
MTU=1420                     # wireguard-go's default: no PMTU discovery in the way

runs=7 secs=8
if [ "${BENCH_QUICK:-0}" = 1 ]; then runs=1 secs=1; fi

setup() {
	mesh_pair "$H1" "$H2" "$WG1" "$WG2" "fdaa:a7b:174::/48,${A2%:2}:0/112" \
		"fdaa:a7b:d6b::/48,${A1%:2}:0/112"
	instance_ns "$H1" "$I1" "${P}i1" "$A1/112"
	instance_ns "$H2" "$I2" "${P}i2" "$A2/112"
	ip -n "$I1" link set eth0 mtu $MTU; ip -n "$H1" link set "${P}i1" mtu $MTU
	ip -n "$I2" link set eth0 mtu $MTU; ip -n "$H2" link set "${P}i2" mtu $MTU
}

bpf_on() {
	attach "$H1" "$PIN1" mesh "$WG1" &&
	attach "$H1" "$PIN1" instance "${P}i1" "${A1%:2}:0/112" &&
	attach "$H2" "$PIN2" mesh "$WG2" &&
	attach "$H2" "$PIN2" instance "${P}i2" "${A2%:2}:0/112"
}

bpf_off() {
	in_ns "$H1" "$BUILD/sixpn-attach" --pin-dir "$PIN1" detach "$WG1" &&
	in_ns "$H1" "$BUILD/sixpn-attach" --pin-dir "$PIN1" detach "${P}i1" &&
	in_ns "$H2" "$BUILD/sixpn-attach" --pin-dir "$PIN2" detach "$WG2" &&
	in_ns "$H2" "$BUILD/sixpn-attach" --pin-dir "$PIN2" detach "${P}i2"
}

mesh_out_passes() {
	in_ns "$H1" "$BUILD/sixpnctl" --json stats --pin-dir "$PIN1" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(c["packets"] for c in s["counters"] if c["hook"] == "MESH_OUT" and c["reason"] == "PASS"))'
}

# iperf3_once: one client run, prints Gbit/s received.
iperf3_once() {
	in_ns "$I1" timeout $((secs + 20)) iperf3 -6 -c "$A2" -p 5201 -t "$secs" -O 1 -J 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print("%.4f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null
}

# iperf3_gbps: iperf3_once, tried again once a second later: the server
# takes a moment after a run before it accepts the next client ("the
# server is busy"), which a loaded machine makes long enough to hit.
iperf3_gbps() {
	iperf3_once || { sleep 1; iperf3_once; }
}

setup >/dev/null 2>&1 || fail "cannot build the namespaces"
nsenter --net="/run/netns/$I2" iperf3 -6 -s -B "$A2" -p 5201 >/dev/null 2>&1 &
_PIDS+=($!)
# Handshake and neighbour entries before the clock starts, in both modes.
bpf_on >/dev/null 2>&1 || fail "cannot attach the programs"
in_ns "$I1" ping -6 -c 3 -i 0.2 -W 2 "$A2" >/dev/null 2>&1 || fail "no connectivity with programs attached"
bpf_off >/dev/null 2>&1 || fail "cannot detach the programs"
in_ns "$I1" ping -6 -c 3 -i 0.2 -W 2 "$A2" >/dev/null 2>&1 || fail "no connectivity without programs"

with=() without=()
for r in $(seq "$runs"); do
	# ABBA order: each mode goes first every other run.
	if [ $((r % 2)) = 1 ]; then order="off on"; else order="on off"; fi
	for mode in $order; do
		if [ "$mode" = on ]; then
			bpf_on >/dev/null 2>&1 || fail "cannot attach the programs"
			before=$(mesh_out_passes)
			g=$(iperf3_gbps) || fail "iperf3 failed with programs attached"
			after=$(mesh_out_passes)
			[ "${after:-0}" -gt "${before:-0}" ] || fail "the mesh swap saw no packets"
			with+=("$g")
			bpf_off >/dev/null 2>&1 || fail "cannot detach the programs"
		else
			g=$(iperf3_gbps) || fail "iperf3 failed without programs"
			without+=("$g")
		fi
		log "run $r, programs $mode: $g Gbit/s"
	done
done

join() { local IFS=,; echo "$*"; }
base="iperf3 TCP, wireguard-go mesh, no BPF (static routes)"
cat >>"$BENCH_RECORDS" <<JSON
{"bench":"mesh_throughput","case":"$base","unit":"Gbit/s","better":"higher","seconds":$secs,"is_baseline":true,"samples":[$(join "${without[@]}")]}
{"bench":"mesh_throughput","case":"iperf3 TCP, wireguard-go mesh, sixpn isolation + swap","unit":"Gbit/s","better":"higher","seconds":$secs,"baseline":"$base","samples":[$(join "${with[@]}")]}
JSON
