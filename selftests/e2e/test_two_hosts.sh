#!/usr/bin/env bash
# End to end on one kernel: two hosts joined by wireguard-go tunnels whose
# AllowedIPs are each host's mesh-form /48, instances of two networks on veth
# pairs, programs attached by sixpn-attach. Runs once with tcx links and once
# with clsact filters (the fallback for kernels before 6.6).
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
trap netns_cleanup EXIT

STATS="/usr/bin/python3 $SIXPN_ROOT/selftests/lib/stats.py"
TMP=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$TMP"' EXIT

# Address plan (docs/design.md section 1): networks 0x18 (A) and 0x19 (B),
# hosts a7b:d6b (1) and a7b:174 (2).
I1A=fdaa:0:18:a7b:d6b:0:a:2   # host 1, network A
I1B=fdaa:0:19:a7b:d6b:0:b:2   # host 1, network B
I2A=fdaa:0:18:a7b:174:0:c:2   # host 2, network A
I2B=fdaa:0:19:a7b:174:0:d:2   # host 2, network B
MESH_H1=fdaa:a7b:d6b::/48
MESH_H2=fdaa:a7b:174::/48

setup() {
	local mode=$1
	P=sxe$mode
	H1=$P-h1 H2=$P-h2
	PIN1=/sys/fs/bpf/sixpn-e2e-$mode-h1 PIN2=/sys/fs/bpf/sixpn-e2e-$mode-h2
	WG1=sxm$mode-1 WG2=sxm$mode-2
	mesh_pair "$H1" "$H2" "$WG1" "$WG2" "$MESH_H2" "$MESH_H1"

	instance_ns "$H1" "$P-i1a" sxi1a "$I1A/112"
	instance_ns "$H1" "$P-i1b" sxi1b "$I1B/112"
	instance_ns "$H2" "$P-i2a" sxi2a "$I2A/112"
	instance_ns "$H2" "$P-i2b" sxi2b "$I2B/112"

	attach "$H1" "$PIN1" mesh "$WG1"
	attach "$H1" "$PIN1" instance sxi1a "${I1A%:2}:0/112"
	attach "$H1" "$PIN1" instance sxi1b "${I1B%:2}:0/112"
	attach "$H2" "$PIN2" mesh "$WG2"
	attach "$H2" "$PIN2" instance sxi2a "${I2A%:2}:0/112"
	attach "$H2" "$PIN2" instance sxi2b "${I2B%:2}:0/112"
}

# udp_delivered FROM_NS TO_NS TO_ADDR: one datagram arrives.
udp_delivered() {
	local out="$TMP/udp.$RANDOM"
	bg_in_ns "$2" timeout 5 socat -u UDP6-RECV:4000 "OPEN:$out,creat"
	sleep 0.3
	in_ns "$1" sh -c "echo sixpn-hello | socat -u STDIN 'UDP6-SENDTO:[$3]:4000'"
	for _ in $(seq 20); do grep -q sixpn-hello "$out" 2>/dev/null && break; sleep 0.1; done
	kill "$LAST_PID" 2>/dev/null
	grep -q sixpn-hello "$out" 2>/dev/null
}

# tcp_delivered FROM_NS TO_NS TO_ADDR: 1 MiB (hundreds of MTUs) arrives intact.
tcp_delivered() {
	local out="$TMP/tcp.$RANDOM"
	bg_in_ns "$2" timeout 20 socat -u TCP6-LISTEN:5001,reuseaddr "OPEN:$out,creat"
	local srv=$LAST_PID
	sleep 0.3
	in_ns "$1" timeout 15 socat -u "OPEN:$TMP/payload" "TCP6:[$3]:5001,connect-timeout=3"
	local rc=$?
	wait "$srv" 2>/dev/null
	[ $rc -eq 0 ] && cmp -s "$TMP/payload" "$out"
}

counter() { $STATS "$1" "$2" "$3"; }

run_mode() {
	local mode=$1 before after cap
	echo "# mode: $mode"
	setup "$mode"

	check "$mode: same-network UDP across hosts (h1 -> h2)" udp_delivered "$P-i1a" "$P-i2a" "$I2A"
	check "$mode: same-network UDP across hosts (h2 -> h1)" udp_delivered "$P-i2b" "$P-i1b" "$I1B"
	check "$mode: same-network TCP across hosts carries 1 MiB intact (path MTU)" tcp_delivered "$P-i1a" "$P-i2a" "$I2A"

	before=$(counter "$PIN1" FROM_INSTANCE DROP_CROSS_NETWORK)
	check_fails "$mode: cross-network UDP across hosts is not delivered" udp_delivered "$P-i1a" "$P-i2b" "$I2B"
	check_fails "$mode: cross-network TCP across hosts is not delivered" tcp_delivered "$P-i1a" "$P-i2b" "$I2B"
	check_fails "$mode: cross-network UDP on the same host is not delivered" udp_delivered "$P-i1a" "$P-i1b" "$I1B"
	after=$(counter "$PIN1" FROM_INSTANCE DROP_CROSS_NETWORK)
	check "$mode: host 1 counted the cross-network drops ($before -> $after)" test "$after" -ge $((before + 3))
	before=$(counter "$PIN2" FROM_INSTANCE DROP_CROSS_NETWORK)
	check_fails "$mode: cross-network UDP from host 2 is not delivered" udp_delivered "$P-i2b" "$P-i1a" "$I1A"
	after=$(counter "$PIN2" FROM_INSTANCE DROP_CROSS_NETWORK)
	check "$mode: host 2 counted its cross-network drop" test "$after" -ge $((before + 1))

	# A spoofed source: the instance claims a neighbour's address.
	ip -n "$P-i1a" addr add fdaa:0:18:a7b:d6b:0:99:2/128 dev eth0 nodad
	before=$(counter "$PIN1" FROM_INSTANCE DROP_SPOOFED_SRC)
	local out="$TMP/spoof.$RANDOM"
	bg_in_ns "$P-i2a" timeout 3 socat -u UDP6-RECV:4000 "OPEN:$out,creat"
	sleep 0.3
	in_ns "$P-i1a" sh -c "echo spoofed | socat -u STDIN 'UDP6-SENDTO:[$I2A]:4000,bind=[fdaa:0:18:a7b:d6b:0:99:2]'"
	sleep 1
	kill "$LAST_PID" 2>/dev/null; wait "$LAST_PID" 2>/dev/null
	check_fails "$mode: a spoofed source is not delivered" grep -q spoofed "$out"
	after=$(counter "$PIN1" FROM_INSTANCE DROP_SPOOFED_SRC)
	check "$mode: the spoofed source is counted" test "$after" -ge $((before + 1))
	# Else source address selection may pick it for what follows.
	ip -n "$P-i1a" addr del fdaa:0:18:a7b:d6b:0:99:2/128 dev eth0

	# What crosses the mesh is in mesh form: host and network swapped.
	cap="$TMP/cap.$mode"
	bg_in_ns "$H1" timeout 5 tcpdump -l -n -c 2 -i "$WG1" ip6 >"$cap" 2>/dev/null
	sleep 1.5
	in_ns "$P-i1a" ping -6 -c 2 -i 0.2 -W 2 "$I2A" >/dev/null 2>&1
	sleep 0.5
	check "$mode: the mesh device carries mesh-form addresses" \
		grep -q "fdaa:a7b:d6b:0:18:0:a:2 > fdaa:a7b:174:0:18:0:c:2" "$cap"
	check_fails "$mode: no 6PN-form address is seen on the mesh device" grep -q "fdaa:0:18:" "$cap"

	# Attaching again replaces in place: still one program per hook.
	attach "$H1" "$PIN1" instance sxi1a "${I1A%:2}:0/112"
	attach "$H1" "$PIN1" mesh "$WG1"
	check_eq "$mode: re-attaching does not stack programs on host 1" \
		"$(attached_count "$H1" sxi1a)" 2
	check "$mode: traffic still flows after re-attaching" udp_delivered "$P-i1a" "$P-i2a" "$I2A"

	check "$mode: bpftool prints the stats map with named fields" \
		sh -c "bpftool map dump pinned $PIN1/stats | grep -q '\"packets\"'"
	check "$mode: bpftool prints the ifaces map with named fields" \
		sh -c "bpftool map dump pinned $PIN1/ifaces | grep -q '\"prefix_len\": 112'"

	netns_cleanup
	_NS_MADE=() _PIDS=() _PIN_DIRS=() _WG_IFACES=()
	check_eq "$mode: no namespace of this test is left" "$(ip netns list | grep -c "^$P-")" 0
	check_eq "$mode: no pin of this test is left" "$(ls -d /sys/fs/bpf/sixpn-e2e-$mode-* 2>/dev/null | wc -l)" 0
}

# attached_count NS IFACE: programs on IFACE's two hooks, as the kernel
# lists them (tcx: every program on the hook; clsact: every sixpn filter).
attached_count() {
	if [ "$MODE" = tcx ]; then
		in_ns "$1" "$BUILD/sixpn-attach" --pin-dir "$PIN1" --json status | /usr/bin/python3 -c '
import json, sys
for i in json.load(sys.stdin)["interfaces"]:
    if i["iface"] == sys.argv[1]:
        print(i["ingress_progs"] + i["egress_progs"])' "$2"
	else
		echo $(( $(ip netns exec "$1" tc filter show dev "$2" ingress | grep -c sixpn_) +
			$(ip netns exec "$1" tc filter show dev "$2" egress | grep -c sixpn_) ))
	fi
}

head -c 1048576 /dev/urandom >"$TMP/payload"
for MODE in tcx clsact; do
	if [ "$MODE" = clsact ]; then export SIXPN_FORCE_CLSACT=1; else unset SIXPN_FORCE_CLSACT; fi
	run_mode "$MODE"
done
finish
