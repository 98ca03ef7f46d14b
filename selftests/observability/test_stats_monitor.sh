#!/usr/bin/env bash
# A cross-network drop seen three ways: in `sixpnctl stats`, in `sixpnctl
# monitor` (drop events from the BPF ring buffer) and in the Prometheus
# endpoint of loader/datapath/metrics.c (served by metrics_serve, as sixpnd --metrics
# serves it). One host namespace, two instances on two networks.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"

TMP=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$TMP"' EXIT

P=sxo
H=$P-h
PIN=/sys/fs/bpf/sixpn-obs-test
IA=fdaa:0:18:a7b:d6b:0:a:2    # network 0x18 (24)
IB=fdaa:0:19:a7b:d6b:0:b:2    # network 0x19 (25)
SPOOF=fdaa:0:18:a7b:d6b:0:99:2
CTL="$BUILD/sixpnctl"
PY=/usr/bin/python3

host_ns "$H"
instance_ns "$H" "$P-ia" sxoia "$IA/112"
instance_ns "$H" "$P-ib" sxoib "$IB/112"
attach "$H" "$PIN" instance sxoia "${IA%:2}:0/112"
attach "$H" "$PIN" instance sxoib "${IB%:2}:0/112"
# Instances that spoof need the address on their interface to send from it.
ip -n "$P-ia" addr add "$SPOOF/128" dev eth0 nodad

send_cross() { in_ns "$P-ia" sh -c "echo x | socat -u STDIN 'UDP6-SENDTO:[$IB]:4000,bind=[$IA]:3333'"; }
send_spoofed() { in_ns "$P-ia" sh -c "echo x | socat -u STDIN 'UDP6-SENDTO:[$IB]:4001,bind=[$SPOOF]:3334'"; }

# spawn NS CMD...: CMD in NS in the background, $! being CMD itself (bg_in_ns
# would give the subshell around it, which a signal would not reach through).
spawn() {
	local ns=$1; shift
	nsenter --net="/run/netns/$ns" "$@" &
	LAST_PID=$!
	_PIDS+=("$LAST_PID")
}

# wait_lines FILE N: until FILE has N lines (5 s at most).
wait_lines() {
	for _ in $(seq 50); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# jq-like: jsonl_has FILE PYTHON-EXPR: some line of FILE satisfies EXPR on `e`.
jsonl_has() {
	$PY -c '
import json, sys
expr = sys.argv[2]
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(expr):
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}

# --- sixpnctl monitor -------------------------------------------------------
spawn "$H" "$CTL" --json monitor --pin-dir "$PIN" >"$TMP/mon.json" 2>"$TMP/mon.err"
MON=$LAST_PID
sleep 0.5
send_cross
send_spoofed
wait_lines "$TMP/mon.json" 2
kill "$MON"; wait "$MON" 2>/dev/null
check_eq "monitor exits 0 on SIGTERM" "$?" 0
check "monitor --json: every line is a JSON object" \
	$PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/mon.json"
check "monitor --json: the cross-network drop, with interface, hook, addresses, ports" \
	jsonl_has "$TMP/mon.json" "e['reason'] == 'DROP_CROSS_NETWORK' and e['iface'] == 'sxoia' and \
e['hook'] == 'FROM_INSTANCE' and e['src'] == '$IA' and e['dst'] == '$IB' and e['proto'] == 'udp' and \
e['sport'] == 3333 and e['dport'] == 4000 and e['src_network'] == 24 and e['dst_network'] == 25 and e['len'] > 0"
check "monitor --json: the event time is now (wall clock, UTC)" \
	jsonl_has "$TMP/mon.json" "e['reason'] == 'DROP_CROSS_NETWORK' and \
abs(__import__('datetime').datetime.strptime(e['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=__import__('datetime').timezone.utc).timestamp() - __import__('time').time()) < 30"
check "monitor --json: the spoofed source, with its reason" \
	jsonl_has "$TMP/mon.json" "e['reason'] == 'DROP_SPOOFED_SRC' and e['src'] == '$SPOOF' and e['dport'] == 4001"

# --reason: only that reason, and --count stops it.
spawn "$H" "$CTL" --json monitor --pin-dir "$PIN" --reason spoofed_src --count 1 >"$TMP/mon_r.json"
MON=$LAST_PID
sleep 0.5
send_cross
send_spoofed
for _ in $(seq 50); do kill -0 "$MON" 2>/dev/null || break; sleep 0.1; done
check_fails "monitor --count 1: exits by itself after one event" kill -0 "$MON"
wait "$MON" 2>/dev/null
check_eq "monitor --reason spoofed_src: one line" "$(wc -l <"$TMP/mon_r.json")" 1
check "monitor --reason spoofed_src: it is the spoofed drop" \
	jsonl_has "$TMP/mon_r.json" "e['reason'] == 'DROP_SPOOFED_SRC'"

# --network: the spoofed packet goes to network 25 too, so send one to
# network 24 that is dropped (spoofed), then the cross-network one.
spawn "$H" "$CTL" --json monitor --pin-dir "$PIN" --network 0:19 --count 1 >"$TMP/mon_n.json"
MON=$LAST_PID
sleep 0.5
in_ns "$P-ia" sh -c "echo x | socat -u STDIN 'UDP6-SENDTO:[fdaa:0:18:a7b:d6b:0:c:2]:4002,bind=[$SPOOF]'"
send_cross
for _ in $(seq 50); do kill -0 "$MON" 2>/dev/null || break; sleep 0.1; done
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null
check "monitor --network 0:19: the first event it prints touches network 25" \
	jsonl_has "$TMP/mon_n.json" "e['dst_network'] == 25 and e['reason'] == 'DROP_CROSS_NETWORK'"
check_fails "monitor --network 0:19: the drop within network 24 is filtered out" \
	jsonl_has "$TMP/mon_n.json" "e['dport'] == 4002"

# Text form, as an operator reads it.
spawn "$H" "$CTL" monitor --pin-dir "$PIN" --count 1 >"$TMP/mon.txt" 2>"$TMP/mon_txt.err"
MON=$LAST_PID
sleep 0.5
send_cross
for _ in $(seq 50); do kill -0 "$MON" 2>/dev/null || break; sleep 0.1; done
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null
check "monitor: text line names reason, interface, hook, addresses and ports" \
	grep -q "drop DROP_CROSS_NETWORK on sxoia (FROM_INSTANCE): \[$IA\]:3333 -> \[$IB\]:4000 udp len" "$TMP/mon.txt"
check_fails "monitor: a bad --reason is a usage error" in_ns "$H" "$CTL" monitor --pin-dir "$PIN" --reason nope
in_ns "$H" "$CTL" monitor --pin-dir "$PIN" --network x >/dev/null 2>&1
check_eq "monitor: a bad --network exits 2" "$?" 2
"$CTL" monitor --pin-dir /sys/fs/bpf/sixpn-obs-test-none >/dev/null 2>&1
check_eq "monitor: no pins exits 3 (not found)" "$?" 3

# --- sixpnctl stats ---------------------------------------------------------
in_ns "$H" "$CTL" --json stats --pin-dir "$PIN" >"$TMP/stats.json"
check_eq "stats --json exits 0" "$?" 0
cross=$($PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(sum(c["packets"] for c in s["counters"] if c["hook"] == "FROM_INSTANCE" and c["reason"] == "DROP_CROSS_NETWORK"))' "$TMP/stats.json")
check "stats --json: the cross-network drops are counted (got $cross, sent 4)" test "$cross" -ge 4
check "stats --json: counters carry their verdict" \
	$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert all(c["verdict"] == ("drop" if c["reason"].startswith("DROP_") else c["verdict"]) for c in s["counters"]); assert any(c["verdict"] == "drop" and c["packets"] for c in s["counters"])' "$TMP/stats.json"
check "stats --json: drop events sent are tallied" \
	$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["drop_events"]["sent"] >= 4' "$TMP/stats.json"
check "stats --json: ifaces map has 2 entries of 65536" \
	$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); m={x["name"]: x for x in s["maps"]}; assert m["ifaces"]["entries"] == 2 and m["ifaces"]["capacity"] == 65536 and not m["ifaces"]["near_capacity"]' "$TMP/stats.json"
in_ns "$H" "$CTL" stats --pin-dir "$PIN" >"$TMP/stats.txt" 2>"$TMP/stats.err"
check "stats: the table has the cross-network row" grep -Eq "^FROM_INSTANCE +DROP_CROSS_NETWORK +drop +[0-9]+" "$TMP/stats.txt"
check_fails "stats: no warning while no map is near capacity" grep -q warning "$TMP/stats.err"
"$CTL" stats --pin-dir /sys/fs/bpf/sixpn-obs-test-none >/dev/null 2>&1
check_eq "stats: no pins exits 3 (not found)" "$?" 3

# --- the metrics endpoint ---------------------------------------------------
spawn "$H" "$BUILD/selftests/metrics_serve" "$PIN" 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err"
SERVE=$LAST_PID
wait_lines "$TMP/serve.out" 1
PORT=$(awk '/^port/ {print $2}' "$TMP/serve.out")
URL="http://127.0.0.1:$PORT/metrics"
in_ns "$H" curl -sS -D "$TMP/headers" -o "$TMP/metrics" "$URL"
check_eq "metrics: curl gets /metrics" "$?" 0
check "metrics: Prometheus text content type" grep -qi '^content-type: text/plain; version=0.0.4' "$TMP/headers"
check "metrics: every line is a comment or a well-formed sample" \
	$PY -c '
import re, sys
sample = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\})? -?[0-9.e+-]+$")
bad = [l for l in open(sys.argv[1]).read().splitlines() if not l.startswith("# ") and not sample.match(l)]
sys.exit(1 if bad else 0)' "$TMP/metrics"
check_eq "metrics: sixpn_up is 1" "$(awk '$1 == "sixpn_up" {print $2}' "$TMP/metrics")" 1
m=$(awk '$1 == "sixpn_packets_total{hook=\"from_instance\",verdict=\"drop\",reason=\"drop_cross_network\"}" {print $2}' "$TMP/metrics")
check "metrics: the cross-network drops by hook, verdict and reason (got '$m')" test "${m:-0}" -ge 4
check "metrics: passed packets too (neighbour discovery)" grep -q 'sixpn_packets_total{hook="from_instance",verdict="pass",reason="pass_ndp"}' "$TMP/metrics"
check "metrics: bytes by the same labels" grep -q '^sixpn_bytes_total{hook="from_instance",verdict="drop",reason="drop_cross_network"} [1-9]' "$TMP/metrics"
check "metrics: drop events sent" grep -Eq '^sixpn_drop_events_total\{outcome="sent"\} [1-9]' "$TMP/metrics"
check_eq "metrics: ifaces fill level" "$(awk '$1 == "sixpn_map_entries{map=\"ifaces\"}" {print $2}' "$TMP/metrics")/$(awk '$1 == "sixpn_map_capacity{map=\"ifaces\"}" {print $2}' "$TMP/metrics")" 2/65536
check "metrics: a registered gauge is served" grep -qx 'sixpn_test_gauge 42' "$TMP/metrics"
check "metrics: a registered collector's family is served" grep -q '^sixpn_test_dns_queries_total{path="xdp",rcode="noerror"} 7' "$TMP/metrics"
check_eq "metrics: other paths are 404" "$(in_ns "$H" curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" 404

# --- a map near capacity: stats warns, metrics flags it ---------------------
bpftool map create "$PIN/sxo_tiny" type hash key 4 value 4 entries 10 name sxo_tiny
for i in $(seq 0 8); do bpftool map update pinned "$PIN/sxo_tiny" key "$i" 0 0 0 value 0 0 0 0; done
in_ns "$H" "$CTL" --json stats --pin-dir "$PIN" >"$TMP/stats2.json" 2>"$TMP/stats2.err"
check "stats: warns about a map at 90%" grep -q "warning: map sxo_tiny is 90.0% full (9 of 10 entries)" "$TMP/stats2.err"
check "stats --json: the map is flagged near capacity" \
	$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); m={x["name"]: x for x in s["maps"]}; assert m["sxo_tiny"]["near_capacity"] and m["sxo_tiny"]["entries"] == 9' "$TMP/stats2.json"
in_ns "$H" curl -sS -o "$TMP/metrics2" "$URL"
check "metrics: the map is flagged near capacity" grep -qx 'sixpn_map_near_capacity{map="sxo_tiny"} 1' "$TMP/metrics2"
check "metrics: its fill ratio is 0.9" grep -qx 'sixpn_map_fill_ratio{map="sxo_tiny"} 0.90000000000000002' "$TMP/metrics2"

kill "$SERVE"; wait "$SERVE" 2>/dev/null
check_eq "metrics_serve stops cleanly on SIGTERM" "$?" 0

netns_cleanup
_NS_MADE=() _PIDS=() _PIN_DIRS=() _WG_IFACES=()
check_eq "no namespace of this test is left" "$(ip netns list | grep -c "^$P-")" 0
check_fails "no pin of this test is left" test -e "$PIN"
finish
