#!/usr/bin/env bash
# timeout: 180
# A machine created through `sixpnctl serve` answers at once, not at
# sixpnd's poll interval (1 s). serve is a long-lived writer of the local
# registry file: its worker threads keep their connections open, so no
# close follows a commit. inotify on the file's directory fires with the
# transaction's writes to the WAL, before the commit is visible to a
# reader; a sync loop that read only then found nothing new and slept out
# the poll (sixpnctl's short-lived processes hid it: their close fires
# inotify again, after the commit). sixpnd now re-reads shortly after such
# an early wake (sixpn_sync_wakeups_total{by="recheck"}).
#
# One host namespace running sixpnd on a registry file and `sixpnctl serve`
# on the same file (127.0.0.1 in the host's namespace), one instance of
# web. 20 POST /v1/apps/web/machines with curl, one after the other
# (selftests/api/api_fresh.py): every name answers AAAA at fdaa::3 from
# the instance, p50 from the POST's answer under 300 ms, as for the etcd
# mirror (selftests/etcd/test_etcd_wake.sh).
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
PY=/usr/bin/python3
P=aww-$$
H=$P-h I=$P-i IFC=aww$$ N=20
PIN=/sys/fs/bpf/sixpn-$P
TMP=$(mktemp -d "/tmp/$P.XXXXXX")
# alone in its directory, as /var/lib/sixpn/registry.db is: inotify watches
# the directory, and serve's request log written beside it after each
# commit would wake sixpnd in time by itself
mkdir -p "$TMP/reg"
REG=$TMP/reg/registry.db
METRICS=127.0.0.1:9464
D_PID="" S_PID=""
cleanup() {
	[ -n "${SIXPN_KEEP_LOGS:-}" ] && mkdir -p "$SIXPN_KEEP_LOGS" && cp "$TMP"/*.log "$SIXPN_KEEP_LOGS/"
	[ -n "$S_PID" ] && kill "$S_PID" 2>/dev/null && wait "$S_PID" 2>/dev/null
	[ -n "$D_PID" ] && kill "$D_PID" 2>/dev/null && wait "$D_PID" 2>/dev/null
	sixpnd_gone "$H" "$PIN"
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl() { "$BUILD/sixpnctl" --registry "$REG" "$@"; }
jget() { $PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
metric() { in_ns "$H" curl -s --max-time 1 "http://$METRICS/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
# wakeups BY: sixpn_sync_wakeups_total{by="BY"}, an integer (0 when absent)
wakeups() { local v; v=$(metric "sixpn_sync_wakeups_total{by=\"$1\"}"); echo "${v:-0}"; }
counted() { [ -n "$(metric 'sixpn_sync_wakeups_total{by="registry"}')" ]; }

setup() { ctl orgs create acme && ctl apps create web --org acme && ctl hosts add a7b:a5 --region ams; }
check "the registry file has org acme, app web and host a7b:a5" setup
J=$(ctl --json machines create --app web --host a7b:a5 --iface "$IFC")
M1=$(jget address <<<"$J")
check "the instance's machine is created (address $M1)" test -n "$M1"
TOKEN=$(ctl tokens create --org acme 2>/dev/null)
check "tokens create --org acme printed a token" test -n "$TOKEN"

host_ns "$H"
ns_add "$I"
ip link add "$IFC" netns "$H" type veth peer name eth0 netns "$I"
ip -n "$I" addr add "$M1/112" dev eth0 nodad
ip -n "$I" link set eth0 up
ip -n "$I" -6 route add default via fe80::1 dev eth0
nsenter --net="/run/netns/$H" "$BUILD/sixpnd" --host a7b:a5 --registry "$REG" \
	--pin-dir "$PIN" --metrics "$METRICS" >"$TMP/sixpnd.log" 2>&1 &
D_PID=$!
web_answers() { in_ns "$I" dig -6 +short +time=1 +tries=1 AAAA web.internal @fdaa::3 2>/dev/null | grep -q .; }
check "the instance gets web.internal from fdaa::3 within 10 s" within 10 web_answers
check "sixpnd counts its wakeups by cause (sixpn_sync_wakeups_total)" within 5 counted

# nsenter itself, not in_ns: $! of a function is a subshell, whose kill
# would leave the server running
nsenter --net="/run/netns/$H" "$BUILD/sixpnctl" --registry "$REG" serve --listen 127.0.0.1:0 \
	>"$TMP/serve.out" 2>"$TMP/serve.log" &
S_PID=$!
listening() { grep -q '^listening on ' "$TMP/serve.out" 2>/dev/null; }
check "sixpnctl serve listens in the host's namespace on the same file" within 5 listening
API=http://$(sed -n 's/^listening on //p' "$TMP/serve.out")

r0=$(wakeups registry) t0=$(wakeups timer) c0=$(wakeups recheck)
SIXPN_TOKEN=$TOKEN in_ns "$I" $PY "$SIXPN_ROOT/selftests/api/api_fresh.py" --api "$API" \
	--netns "$H" --app web --host a7b:a5 --count "$N" >"$TMP/fresh.json"
check_eq "api_fresh.py ran its $N creates through the API" "$?" 0
r1=$(wakeups registry) t1=$(wakeups timer) c1=$(wakeups recheck)
fresh() { $PY -c "
import json, sys
r = json.load(open(sys.argv[1]))
f = sorted(r['fresh_ms'])
$1" "$TMP/fresh.json"; }
check_eq "every name answered on the host (answered of $N)" "$(fresh 'print(len(f))')" "$N"
echo "# POST answered -> AAAA, ms: $(fresh 'print(f)')"
echo "# wakeups: registry $r0 -> $r1, recheck $c0 -> $c1, timer $t0 -> $t1"
check "p50 POST -> AAAA is under 300 ms, not the 1 s poll interval ($(fresh 'print(f[len(f) // 2])') ms)" \
	fresh 'sys.exit(0 if f[len(f) // 2] < 300 else 1)'
check "serve is still running (its connections stayed open throughout)" kill -0 "$S_PID"

# Idle, nothing writes: the re-reads end (they are bounded, and sixpnd's
# own reads wake nothing), so only the poll wakes the loop.
sleep 1
r0=$(wakeups registry) c0=$(wakeups recheck) t0=$(wakeups timer)
sleep 3
r1=$(wakeups registry) c1=$(wakeups recheck) t1=$(wakeups timer)
echo "# idle 3 s: registry $r0 -> $r1, recheck $c0 -> $c1, timer $t0 -> $t1"
check_eq "idle 3 s: no inotify wake and no re-read (by=registry, by=recheck)" \
	"$((r1 - r0)) $((c1 - c0))" "0 0"
check_le "idle 3 s: the loop woke only at the poll interval (by=timer +$((t1 - t0)))" "$((t1 - t0))" 4
finish
