#!/usr/bin/env bash
# The operator's alert rules and dashboard: promtool checks the rules and
# runs their test series (each alert fires where it must and not where it
# must not), each alert's test fails when its rule is broken (so the series
# test something), the dashboard is Grafana JSON, and every metric either
# names exists in a real scrape of `sixpnd --metrics` on a namespace host.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
P=$SIXPN_ROOT/scripts/prometheus
RULES=$P/sixpn.rules.yml
DASH=$P/sixpn.grafana.json
SERIES=$SIXPN_ROOT/selftests/observability/alert_rules_test.yml
NS=op-alerts
PIN=/sys/fs/bpf/sixpn-op-alerts
TMP=$(mktemp -d)
cleanup() {
	sixpnd_gone $NS $PIN
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del $NS 2>/dev/null; rm -rf $PIN

check "promtool check rules" promtool check rules "$RULES"
out=$(promtool test rules "$SERIES" 2>&1); rc=$?
check_eq "promtool test rules: the series pass" "$rc" 0
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/# /'

# Each alert, its expression replaced by one that never fires: its test
# must fail.
mkdir -p "$TMP/t/selftests/observability" "$TMP/t/scripts/prometheus"
cp "$SERIES" "$TMP/t/selftests/observability/"
alerts=$(sed -n 's/^ *- alert: //p' "$RULES")
check_eq "seven alerts" "$(wc -w <<<"$alerts")" 7
for a in $alerts; do
	python3 - "$RULES" "$a" >"$TMP/t/scripts/prometheus/sixpn.rules.yml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for g in doc["groups"]:
    for r in g["rules"]:
        if r.get("alert") == sys.argv[2]:
            r["expr"] = "vector(0) > 1"
yaml.safe_dump(doc, sys.stdout, sort_keys=False)
PY
	check_fails "the series catch a broken $a" promtool test rules "$TMP/t/selftests/observability/alert_rules_test.yml"
done
for a in $alerts; do
	check "$a is tested by the series" grep -q "alertname: $a\$" "$SERIES"
done

check "the dashboard is JSON" python3 -m json.tool "$DASH"
check "the dashboard has panels, each with a PromQL target" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] and d["uid"] and d["panels"]
for p in d["panels"]:
    assert p["targets"] and all(t["expr"] for t in p["targets"]), p["title"]
' "$DASH"

# A real scrape: sixpnd with a machine, its resolver and its metrics.
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"
web_fleet "$CTL" 1 --iface opa-web0
# a Flycast service of web, so that its families have samples
$CTL ips allocate --app web >/dev/null
host_ns $NS
ns_add $NS-i
ip link add opa-web0 netns $NS type veth peer name eth0 netns $NS-i
ip -n $NS link set opa-web0 up
bg_in_ns $NS "$BUILD/sixpnd" --host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN \
	--metrics '[::1]:9463' >"$TMP/log" 2>&1
for _ in $(seq 50); do
	in_ns $NS curl -sf -m 1 'http://[::1]:9463/metrics' >"$TMP/scrape" 2>/dev/null && break
	sleep 0.1
done
check "sixpnd --metrics serves a scrape" grep -q '^sixpn_up 1' "$TMP/scrape"
sed -n 's/^\(sixpn_[a-z0-9_]*\)[{ ].*/\1/p' "$TMP/scrape" | sort -u >"$TMP/families"
# sixpn_registry_connected comes with the etcd registry (another branch):
# the rules and the dashboard name it ahead of it.
PENDING=sixpn_registry_connected
for f in "$RULES" "$DASH"; do
	missing=$("$P/metric_names.py" "$f" | grep -vx "$PENDING" | comm -23 - "$TMP/families" | tr '\n' ' ')
	check_eq "every metric $(basename "$f") names is in the scrape" "$missing" ""
done
check_ge "the rules name metrics of the scrape" "$("$P/metric_names.py" "$RULES" | comm -12 - "$TMP/families" | wc -l)" 5
check_ge "the dashboard names metrics of the scrape" "$("$P/metric_names.py" "$DASH" | comm -12 - "$TMP/families" | wc -l)" 12
finish
