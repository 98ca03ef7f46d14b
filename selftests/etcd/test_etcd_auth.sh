#!/usr/bin/env bash
# timeout: 180
# The registry on etcd with auth on (etcdctl user/role add, auth enable;
# one real member in a namespace, a host namespace beside it, prefix efa),
# with the roles README "Running a fleet" gives:
#   sixpn-writer  readwrite /sixpn/ (operators: sixpnctl)
#   sixpn-host    read /sixpn/, readwrite /sixpn/hosts_alive/ (sixpnd)
#   sixpn-reader  read /sixpn/ (strictly read-only)
# sixpnctl with no credentials, a wrong password, or a role that may not
# write: refused, exit 7, one line saying which; the password from
# --etcd-password-file or SIXPN_ETCD_PASSWORD; --etcd-user without a
# password: exit 2. sixpnd with no credentials: exits 7 at start, saying
# etcd refused them; as a host it mirrors (a machine created meanwhile
# reaches its mirror), is connected and announces itself (hosts list:
# yes); as a strict reader it mirrors too, says once that it cannot
# announce itself, and shows not connected.
set -uo pipefail
P=efa-$$ NET=10.76.0
. "$(dirname "$0")/one_etcd.sh"
metric() { in_ns "$H" curl -s --max-time 1 "http://$METRICS/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
one_etcd_net
start_etcd() {
	one_etcd_start
	within 15 sh -c "nsenter --net=/run/netns/$H curl -s -o /dev/null --max-time 1 $URL/version"
}
ectl() { in_ns "$H" etcdctl --endpoints "$URL" --command-timeout=3s "$@"; }
check "etcd starts" start_etcd

# ---- users, roles, auth on (the README's commands) --------------------------
setup_auth() {
	ectl user add root:rootpw &&
	ectl role add sixpn-writer &&
	ectl role grant-permission sixpn-writer --prefix=true readwrite /sixpn/ &&
	ectl role add sixpn-host &&
	ectl role grant-permission sixpn-host --prefix=true read /sixpn/ &&
	ectl role grant-permission sixpn-host --prefix=true readwrite /sixpn/hosts_alive/ &&
	ectl role add sixpn-reader &&
	ectl role grant-permission sixpn-reader --prefix=true read /sixpn/ &&
	ectl user add op:oppw && ectl user grant-role op sixpn-writer &&
	ectl user add host-a7b1:hostpw && ectl user grant-role host-a7b1 sixpn-host &&
	ectl user add auditor:readpw && ectl user grant-role auditor sixpn-reader &&
	ectl auth enable
}
check "users op, host-a7b1, auditor with roles sixpn-writer, -host, -reader; auth enabled" \
	sh -c "$(declare -f ectl setup_auth in_ns); URL=$URL H=$H setup_auth >$TMP/auth.log 2>&1"

CTL=$BUILD/sixpnctl
ctl() { in_ns "$H" "$CTL" --etcd "$URL" "$@"; }
echo oppw >"$TMP/op.pw"; echo hostpw >"$TMP/host.pw"; echo readpw >"$TMP/read.pw"; echo wrong >"$TMP/wrong.pw"
chmod 600 "$TMP"/*.pw

# ---- sixpnctl ------------------------------------------------------------------
run() { "$@" >"$TMP/out" 2>"$TMP/err"; echo $?; }
rc=$(run ctl orgs list)
check_eq "sixpnctl with no credentials: exit 7" "$rc" 7
check "... saying etcd needs a user (--etcd-user)" grep -q -- '--etcd-user' "$TMP/err"
sed 's/^/#   /' "$TMP/err"
check_eq "... in one line" "$(wc -l <"$TMP/err")" 1
rc=$(run ctl --etcd-user op --etcd-password-file "$TMP/wrong.pw" orgs list)
check_eq "sixpnctl with a wrong password: exit 7" "$rc" 7
check "... saying etcd refused user 'op'" grep -q "etcd refused user 'op'" "$TMP/err"
sed 's/^/#   /' "$TMP/err"
rc=$(run ctl --etcd-user op orgs list)
check_eq "sixpnctl --etcd-user without a password: exit 2" "$rc" 2
check "... naming --etcd-password-file and SIXPN_ETCD_PASSWORD" \
	grep -q -- '--etcd-password-file FILE or SIXPN_ETCD_PASSWORD' "$TMP/err"
op() { ctl --etcd-user op --etcd-password-file "$TMP/op.pw" "$@"; }
check "the writer (password from a file) creates org acme" op orgs create acme
check "... app web" op apps create web --org acme
check "... host a7b:1" op hosts add a7b:1 --region ams
check "the writer (SIXPN_ETCD_PASSWORD) creates a machine" \
	env SIXPN_ETCD_PASSWORD=oppw "$(command -v nsenter)" --net="/run/netns/$H" "$CTL" --etcd "$URL" \
	--etcd-user op machines create --app web --host a7b:1
host_ctl() { ctl --etcd-user host-a7b1 --etcd-password-file "$TMP/host.pw" "$@"; }
rc=$(run host_ctl machines list --json)
check_eq "the host role lists the registry (exit $rc)" "$rc" 0
check_eq "... 1 machine" "$($PY -c 'import json,sys; print(json.load(sys.stdin)["total_machines"])' <"$TMP/out")" 1
rc=$(run host_ctl machines create --app web --host a7b:1)
check_eq "the host role cannot write the registry: exit 7" "$rc" 7
check "... saying etcd refused the write: permission denied" \
	grep -q 'etcd refused the write.*permission denied' "$TMP/err"
sed 's/^/#   /' "$TMP/err"
rc=$(run ctl --etcd-user auditor --etcd-password-file "$TMP/read.pw" orgs create other)
check_eq "the read-only role cannot write either: exit 7" "$rc" 7
check_eq "nothing was written" "$(op orgs list --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["orgs"]))')" 1

# ---- sixpnd ----------------------------------------------------------------------
# exec: the pid the test kills is sixpnd's
sixpnd() {
	exec nsenter --net="/run/netns/$H" "$BUILD/sixpnd" --host a7b:1 --etcd "$URL" --registry "$TMP/mirror.db" \
		--pin-dir "$PIN" --metrics "$METRICS" "$@"
}
T0=$(date +%s)
(sixpnd >"$TMP/noauth.log" 2>&1)
rc=$?
check_eq "sixpnd with no credentials: exit 7" "$rc" 7
check "... within 10 s ($(( $(date +%s) - T0 )) s)" test $(( $(date +%s) - T0 )) -le 10
check "... its log says etcd refused the credentials" grep -q 'etcd refused the credentials' "$TMP/noauth.log"
grep 'level=error' "$TMP/noauth.log" | head -2 | sed 's/^/#   /'
sixpnd_gone "$H" "$PIN"

start_d() { sixpnd "$@" >"$TMP/d.log" 2>&1 & D_PID=$!; }
stop_d() { kill "$D_PID"; wait "$D_PID"; local rc=$?; D_PID=""; return $rc; }
connected() { [ "$(op hosts list | awk -v h="$1" '$1 == h { print $NF }')" = "$2" ]; }
mcount() { sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines" 2>/dev/null; }
start_d --etcd-user host-a7b1 --etcd-password-file "$TMP/host.pw"
check "sixpnd as the host role starts" within 10 grep -q 'msg="sixpnd running"' "$TMP/d.log"
check "... mirrors the registry (1 machine)" within 5 sh -c "[ \"\$(sqlite3 -batch $TMP/mirror.db 'SELECT count(*) FROM machines')\" = 1 ]"
check "... sixpn_registry_connected 1" within 5 sh -c "[ \"\$(nsenter --net=/run/netns/$H curl -s http://$METRICS/metrics | awk '\$1 == \"sixpn_registry_connected\" {print \$2}')\" = 1 ]"
check "... announces itself: hosts list says a7b:1 connected" within 5 connected a7b:1 yes
op machines create --app web --host a7b:1 >/dev/null
check "a machine the writer creates reaches the host's mirror within 5 s" within 5 sh -c "[ \"\$(sqlite3 -batch $TMP/mirror.db 'SELECT count(*) FROM machines')\" = 2 ]"
# etcd's simple tokens live in its memory: restarted, it knows none
kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null; ETCD_PID=""
check "etcd restarts (every auth token it gave is void)" start_etcd
op machines create --app web --host a7b:1 >/dev/null
check "sixpnd (host role) authenticates again: the next machine reaches its mirror within 10 s" \
	within 10 sh -c "[ \"\$(sqlite3 -batch $TMP/mirror.db 'SELECT count(*) FROM machines')\" = 3 ]"
check "... and it is connected again" within 10 sh -c "[ \"\$(nsenter --net=/run/netns/$H curl -s http://$METRICS/metrics | awk '\$1 == \"sixpn_registry_connected\" {print \$2}')\" = 1 ]"
check_fails "sixpnd (host role) logged no error" grep -q 'level=error' "$TMP/d.log"
stop_d; rc=$?
mv "$TMP/d.log" "$TMP/d-host.log"
check_eq "sixpnd stops on SIGTERM (exit 0)" "$rc" 0

SIXPN_ETCD_PASSWORD=readpw start_d --etcd-user auditor
check "sixpnd as the strict reader (SIXPN_ETCD_PASSWORD) starts" within 10 grep -q 'msg="sixpnd running"' "$TMP/d.log"
op machines create --app web --host a7b:1 >/dev/null
check "... mirrors: the new machine reaches its mirror within 5 s" within 5 sh -c "[ \"\$(sqlite3 -batch $TMP/mirror.db 'SELECT count(*) FROM machines')\" = 4 ]"
check "... says it cannot announce itself" within 5 grep -q 'cannot announce this host in etcd' "$TMP/d.log"
sleep 3
check_eq "... once, not every second" "$(grep -c 'cannot announce this host' "$TMP/d.log")" 1
check "... hosts list says a7b:1 not connected" connected a7b:1 no
check_fails "sixpnd (reader) logged no error" grep -q 'level=error' "$TMP/d.log"
stop_d
finish
