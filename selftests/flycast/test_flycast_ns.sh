#!/usr/bin/env bash
# timeout: 300
# Flycast end to end (testbed selftests/flycast/fleet.tb: two hosts, three
# networks, wireguard-go mesh, sixpnd on each host): instances of netb
# reach app web (network neta, machines on both hosts) through
# web.flycast over TCP, UDP and ICMPv6 echo, balanced over both backends;
# 4 MB across hosts through Flycast (path MTU: the host's Packet Too Big is
# translated back); every isolation rule stays: netb -> neta directly is
# dropped, neta cannot open anything toward netb (nor reach its SNAT
# addresses), netc has no name and no path, a service address for netb is
# unreachable from neta; a destroyed backend gets no new flow, its
# conntrack entries go and its established TCP flow is reset by the backend
# its next packet reaches; sixpnd's metrics count flows, translations,
# backends and the flows reset; kill -9 of sixpnd keeps established flows
# working.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TB="$SIXPN_ROOT/scripts/testbed"
STATE=/run/sixpn-testbed/fc
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local p n
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	# the servers and clients themselves (PIDS holds the shells that
	# started them): everything left in the machines' namespaces
	for n in web-1 web-2 cli-1 cli-2 oth-1; do
		for p in $(ip netns pids "fc-$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
"$TB" down --state "$STATE" >/dev/null 2>&1

x() { local node=$1; shift; ip netns exec "fc-$node" "$@"; }
tctl() { "$TB" ctl --state "$STATE" "$@"; }
addr() { awk -v n="$1" '$1==n {print $6}' "$STATE/machines"; }
stat() { "$SIXPN_ROOT/selftests/lib/stats.py" "/sys/fs/bpf/sixpn-fc-$1" "$2" "$3"; }
bg() { "$@" & PIDS+=($!); }
# metric HOST 'NAME{LABELS}': its value in a scrape of HOST's sixpnd
metric() {
	x "$1" curl -s -m 3 'http://[::1]:9465/metrics' | awk -v m="$2" '$1 == m {print $2}'
}
# the conntrack entries of HOST that translate to or from ADDR
ct_of() {
	bpftool -j map dump pinned "/sys/fs/bpf/sixpn-fc-$1/fc_ct" | /usr/bin/python3 -c '
import ipaddress, json, sys
def a(w):
    return str(ipaddress.IPv6Address(b"".join(int(x).to_bytes(2, "little") for x in w)))
n = 0
for e in json.load(sys.stdin):
    k, v = e["formatted"]["key"], e["formatted"]["value"]
    n += (a(v["new_dst"]["w"]) if v["dir"] == 0 else a(k["src"]["w"])) == sys.argv[1]
print(n)' "$2"
}

if ! SIXPND_ARGS="--metrics [::1]:9465" "$TB" up "$SIXPN_ROOT/selftests/flycast/fleet.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: 2 hosts, 3 networks, 5 machines"
A=$(tctl ips allocate --app web --network netb --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
for _ in $(seq 50); do [ "$(x cli-1 dig +short +time=1 +tries=1 @fdaa::3 AAAA web.flycast)" = "$A" ] && break; sleep 0.1; done
check_eq "cli-1 resolves web.flycast to netb's address" "$(x cli-1 dig +short +time=1 +tries=1 @fdaa::3 AAAA web.flycast)" "$A"

# echo servers on both backends: TCP answers with the backend's name
for n in web-1 web-2; do
	bg x "$n" socat TCP6-LISTEN:8080,reuseaddr,fork SYSTEM:"echo $n; cat"
	bg x "$n" socat UDP6-RECVFROM:7000,fork SYSTEM:"echo $n"
	bg x "$n" socat -u TCP6-LISTEN:9000,reuseaddr,fork SYSTEM:"cat >$TMP/rx.$n.\$\$"
done
sleep 0.5
tcp_who() { echo | x "$1" timeout 5 socat - "TCP6:[$A]:8080,connect-timeout=3${2:+,sourceport=$2}" 2>/dev/null | head -1; }
udp_who() { echo q | x "$1" timeout 3 socat - "UDP6:[$A]:7000${2:+,sourceport=$2}" 2>/dev/null | head -1; }

for c in cli-1 cli-2; do
	who=$(for p in $(seq 41001 41016); do tcp_who "$c" "$p"; done | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
	check_eq "$c: TCP to web.flycast:8080 is served by both backends" "$who" "web-1 web-2 "
	who=$(for p in $(seq 42001 42016); do udp_who "$c" "$p"; done | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
	check_eq "$c: UDP to web.flycast:7000 is served by both backends" "$who" "web-1 web-2 "
done
check_eq "a flow keeps its backend (same source port twice)" "$(tcp_who cli-2 41005)" "$(tcp_who cli-2 41005)"
check "ICMPv6 echo to the service address" x cli-1 ping -6 -c 2 -W 2 "$A"
check "h1 counted translations" test "$(stat h1 FROM_INSTANCE PASS_FC_FORWARD)" -gt 0
check "h1 counted replies from the mesh (remote backend)" test "$(stat h1 MESH_IN PASS_FC_REPLY)" -gt 0
check_eq "metrics: h1's forward translations are its PASS_FC_FORWARD packets" \
	"$(metric h1 'sixpn_flycast_translations_total{direction="forward"}')" "$(stat h1 FROM_INSTANCE PASS_FC_FORWARD)"
check "metrics: h1's reply translations counted" \
	test "$(metric h1 'sixpn_flycast_translations_total{direction="reply"}')" -gt 0
for h in h1 h2; do
	check_eq "metrics: $h balances $A over 2 backends" "$(metric $h "sixpn_flycast_backends{service=\"$A\"}")" 2
	check_eq "metrics: $h's service table holds 1 service" "$(metric $h sixpn_flycast_services)" 1
	check_eq "metrics: $h's backends table holds 2 of 16384" \
		"$(metric $h 'sixpn_map_entries{map="fc_backends"}')/$(metric $h 'sixpn_map_capacity{map="fc_backends"}')" 2/16384
done

# 4 MB across hosts: a flow of cli-2 (h2) that Maglev gives web-1 (h1)
head -c 4194304 /dev/urandom >"$TMP/4m"
# (the flow hash covers the service port: try source ports until web-1 has it)
ptb0=$(stat h2 MESH_OUT PASS_FC_ICMP_ERROR)
for p in $(seq 43001 43012); do
	x cli-2 timeout 30 socat -u OPEN:"$TMP/4m" "TCP6:[$A]:9000,connect-timeout=3,sourceport=$p"
	sleep 0.5
	ls "$TMP"/rx.web-1.* >/dev/null 2>&1 && break
done
sleep 1
check "4 MB from cli-2 (h2) through Flycast to web-1 (h1), byte for byte" \
	sh -c "for f in $TMP/rx.web-1.*; do cmp -s $TMP/4m \$f && exit 0; done; exit 1"
check "... path MTU: h2's Packet Too Big was translated back to cli-2" test "$(stat h2 MESH_OUT PASS_FC_ICMP_ERROR)" -gt "$ptb0"

# isolation stays whole
W1=$(addr web-1); C1=$(addr cli-1)
d0=$(stat h1 FROM_INSTANCE DROP_CROSS_NETWORK)
check_fails "cli-1 (netb) -> web-1 (neta) directly: no path" x cli-1 timeout 4 socat - "TCP6:[$W1]:8080,connect-timeout=2"
check "... dropped as DROP_CROSS_NETWORK" test "$(stat h1 FROM_INSTANCE DROP_CROSS_NETWORK)" -gt "$d0"
bg x cli-1 socat TCP6-LISTEN:8081,reuseaddr,fork SYSTEM:"echo cli"
sleep 0.3
check_fails "web-1 (neta) -> cli-1 (netb): no path" x web-1 timeout 4 socat - "TCP6:[$C1]:8081,connect-timeout=2"
SNAT=$(bpftool -j map dump pinned /sys/fs/bpf/sixpn-fc-h1/fc_ct | /usr/bin/python3 -c '
import ipaddress, json, sys
for e in json.load(sys.stdin):
    v = e["formatted"]["value"]
    if v["dir"] == 0:
        w = v["new_src"]["w"]
        print(ipaddress.IPv6Address(b"".join(int(x).to_bytes(2, "little") for x in w))); break')
n0=$(stat h1 FROM_INSTANCE DROP_NO_FLOW)
check_fails "web-1 -> a SNAT address of h1 ($SNAT), no flow of its own: no path" \
	x web-1 timeout 4 socat - "TCP6:[$SNAT]:41001,connect-timeout=2"
check "... dropped as DROP_NO_FLOW" test "$(stat h1 FROM_INSTANCE DROP_NO_FLOW)" -gt "$n0"
check_eq "oth-1 (netc, no allocation): web.flycast is NXDOMAIN" \
	"$(x oth-1 dig +time=2 +tries=1 @fdaa::3 AAAA web.flycast | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" "NXDOMAIN"
check_fails "oth-1 -> netb's service address: no path" x oth-1 timeout 4 socat - "TCP6:[$A]:8080,connect-timeout=2"
check_fails "web-1 (neta, the app's own network) -> netb's service address: no path" \
	x web-1 timeout 4 socat - "TCP6:[$A]:8080,connect-timeout=2"
SVCC="${A%:0}"; SVCC="${SVCC%:*}:7777:0"
check_fails "cli-1 -> an unallocated service address of netb: no path" x cli-1 timeout 4 socat - "TCP6:[$SVCC]:8080,connect-timeout=2"
check "... dropped as DROP_NO_SERVICE" test "$(stat h1 FROM_INSTANCE DROP_NO_SERVICE)" -gt 0

# a destroyed backend: no new flow goes to it; its flows are reset (their
# conntrack entries go, the next packet is balanced anew and the backend
# it reaches has no such connection)
rm -f "$TMP/go1"
bg x cli-1 /usr/bin/python3 "$SIXPN_ROOT/selftests/flycast/fc_client.py" "$A" 8080 "$TMP/go1" web-1 >"$TMP/d.out"
for _ in $(seq 80); do grep -q before "$TMP/d.out" && break; sleep 0.1; done
check_eq "a connection of cli-1 served by web-1" "$(sed -n 's/^before: \([a-z0-9-]*\).*/\1/p' "$TMP/d.out")" "web-1"
check "metrics: h1 shows live TCP flows" test "$(metric h1 'sixpn_flycast_flows{proto="tcp",state="open"}')" -ge 1
check "... h1's conntrack translates to web-1" test "$(ct_of h1 "$W1")" -ge 2
reset0=$(metric h1 sixpn_flycast_flows_reset_total)
W1ID=$(tctl machines list --app web --json | /usr/bin/python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin)["machines"] if m["address"] == sys.argv[1]][0])' "$W1")
tctl machines destroy "$W1ID" >/dev/null
for _ in $(seq 50); do [ "$(tctl ips list --app web --json | grep -o 'fdaa:0:1:a7b:f1' | head -1)" = "" ] && break; sleep 0.1; done
sleep 1
for h in h1 h2; do
	check_eq "after machines destroy web-1: no conntrack entry of $h translates to or from it" "$(ct_of $h "$W1")" 0
	check_eq "... metrics: $h balances over 1 backend" "$(metric $h "sixpn_flycast_backends{service=\"$A\"}")" 1
done
check "... metrics: h1 counted the flows it forgot" test "$(metric h1 sixpn_flycast_flows_reset_total)" -gt "$reset0"
who=$(for p in $(seq 44001 44016); do tcp_who cli-1 "$p"; tcp_who cli-2 "$p"; done | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
check_eq "... every new flow goes to web-2" "$who" "web-2 "
# the established flow: its next packet is a new flow, balanced to web-2,
# which has no such connection and resets it
touch "$TMP/go1"
for _ in $(seq 100); do grep -q after "$TMP/d.out" && break; sleep 0.1; done
check_eq "... web-1's established connection is reset at its next packet" \
	"$(sed -n 's/^after: //p' "$TMP/d.out")" "reset"

# kill -9 of sixpnd: established flows go on (maps and links are pinned)
rm -f "$TMP/go"
bg x cli-2 /usr/bin/python3 "$SIXPN_ROOT/selftests/flycast/fc_client.py" "$A" 8080 "$TMP/go" >"$TMP/k9.out"
for _ in $(seq 80); do grep -q before "$TMP/k9.out" && break; sleep 0.1; done
kill -9 "$(cat "$STATE/h1.pid")" "$(cat "$STATE/h2.pid")"
sleep 0.5
touch "$TMP/go"
for _ in $(seq 80); do grep -q after "$TMP/k9.out" && break; sleep 0.1; done
check_eq "kill -9 of both sixpnd: the established flow still gets its answer" \
	"$(sed -n 's/^after: \([a-z]*\).*/\1/p' "$TMP/k9.out")" "ok"
check_eq "... and a new connection still works" "$(tcp_who cli-1 47001)" "web-2"
finish
