#!/usr/bin/env bash
# timeout: 180
# The registry on etcd over TLS with client certificates (one real member
# in a namespace, a host namespace beside it, prefix eft), certificates
# made here with openssl: a CA, etcd's server certificate (SAN its
# address), a client certificate; and a second, unrelated CA.
# --etcd-cacert/--etcd-cert/--etcd-key: sixpnctl writes and sixpnd mirrors
# (a machine created reaches its mirror, connected 1). Refused, exit 7, one
# line saying what to check: the wrong CA (etcd's certificate not signed by
# --etcd-cacert), no CA at all, no client certificate, a client
# certificate of the wrong CA; sixpnd with the wrong CA exits 7 at start.
set -uo pipefail
P=eft-$$ NET=10.74.0 URL=https://10.74.0.1:2379
. "$(dirname "$0")/one_etcd.sh"

# ---- certificates ------------------------------------------------------------
C=$TMP/pki
mkdir -p "$C"
ca() {  # ca NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$1" -keyout "$C/$1.key" -out "$C/$1.pem" 2>/dev/null
}
leaf() {  # leaf NAME CA EXT: a certificate NAME signed by CA with extensions EXT
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$C/$1.key" -out "$C/$1.csr" 2>/dev/null &&
	printf '%s\n' "$3" >"$C/$1.ext" &&
	openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.pem" -CAkey "$C/$2.key" -CAcreateserial \
		-days 2 -extfile "$C/$1.ext" -out "$C/$1.pem" 2>/dev/null
}
check "openssl makes a CA" ca sixpn-ca
check "... etcd's server certificate (SAN IP:$IP)" leaf server sixpn-ca \
	"subjectAltName=IP:$IP
extendedKeyUsage=serverAuth,clientAuth"
check "... a client certificate" leaf client sixpn-ca "extendedKeyUsage=clientAuth"
check "... an unrelated CA and a client certificate of it" \
	sh -c "$(declare -f ca leaf); C=$C; ca other-ca && leaf stranger other-ca extendedKeyUsage=clientAuth"
chmod 600 "$C"/*.key

# ---- etcd over TLS, client certificates required --------------------------------
one_etcd_net
one_etcd_start --cert-file "$C/server.pem" --key-file "$C/server.key" \
	--client-cert-auth --trusted-ca-file "$C/sixpn-ca.pem"
TLS=(--etcd-cacert "$C/sixpn-ca.pem" --etcd-cert "$C/client.pem" --etcd-key "$C/client.key")
healthy() {
	in_ns "$H" etcdctl --endpoints "$URL" --cacert "$C/sixpn-ca.pem" --cert "$C/client.pem" \
		--key "$C/client.key" endpoint health >/dev/null 2>&1
}
check "etcd starts with TLS and client certificates required" within 15 healthy

CTL=$BUILD/sixpnctl
ctl() { in_ns "$H" "$CTL" --etcd "$URL" "$@"; }
run() { "$@" >"$TMP/out" 2>"$TMP/err"; echo $?; }
check "sixpnctl with --etcd-cacert/--etcd-cert/--etcd-key creates org acme" ctl "${TLS[@]}" orgs create acme
check "... app web" ctl "${TLS[@]}" apps create web --org acme
check "... host a7b:1" ctl "${TLS[@]}" hosts add a7b:1 --region ams
check "... a machine" ctl "${TLS[@]}" machines create --app web --host a7b:1
check_eq "... and lists it" "$(ctl "${TLS[@]}" machines list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_machines"])')" 1

refused() {  # refused WHAT GREP ARGS...: sixpnctl ARGS exits 7 saying GREP
	local what=$1 want=$2 rc; shift 2
	rc=$(run ctl "$@" orgs list)
	check_eq "$what: sixpnctl exits 7" "$rc" 7
	check "... saying: $want" grep -q -- "$want" "$TMP/err"
	check_eq "... in one line" "$(wc -l <"$TMP/err")" 1
	sed 's/^/#   /' "$TMP/err"
}
refused "the wrong CA" "etcd's certificate is not signed by --etcd-cacert" \
	--etcd-cacert "$C/other-ca.pem" --etcd-cert "$C/client.pem" --etcd-key "$C/client.key"
refused "no CA (the system's do not know this one)" "etcd's certificate is not trusted: give --etcd-cacert" \
	--etcd-cert "$C/client.pem" --etcd-key "$C/client.key"
refused "no client certificate" "etcd wants a client certificate: give --etcd-cert and --etcd-key" \
	--etcd-cacert "$C/sixpn-ca.pem"
refused "a client certificate of another CA" "TLS: " \
	--etcd-cacert "$C/sixpn-ca.pem" --etcd-cert "$C/stranger.pem" --etcd-key "$C/stranger.key"
refused "an unreadable CA file" "TLS: " \
	--etcd-cacert "$C/nonexistent.pem" --etcd-cert "$C/client.pem" --etcd-key "$C/client.key"

# ---- sixpnd over TLS ----------------------------------------------------------------
sixpnd() {
	exec nsenter --net="/run/netns/$H" "$BUILD/sixpnd" --host a7b:1 --etcd "$URL" --registry "$TMP/mirror.db" \
		--pin-dir "$PIN" --metrics "$METRICS" "$@"
}
T0=$(date +%s)
(sixpnd --etcd-cacert "$C/other-ca.pem" --etcd-cert "$C/client.pem" --etcd-key "$C/client.key" >"$TMP/bad.log" 2>&1)
rc=$?
check_eq "sixpnd with the wrong CA: exit 7" "$rc" 7
check "... within 10 s" test $(( $(date +%s) - T0 )) -le 10
check "... its log says etcd's certificate is not signed by --etcd-cacert" \
	grep -q "etcd's certificate is not signed by --etcd-cacert" "$TMP/bad.log"
sixpnd_gone "$H" "$PIN"
rm -f "$TMP"/mirror.db*
sixpnd "${TLS[@]}" >"$TMP/d.log" 2>&1 &
D_PID=$!
mcount() { [ "$(sqlite3 -batch "$TMP/mirror.db" 'SELECT count(*) FROM machines' 2>/dev/null)" = "$1" ]; }
metric() { in_ns "$H" curl -s --max-time 1 "http://$METRICS/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
connected() { [ "$(metric sixpn_registry_connected)" = 1 ]; }
check "sixpnd over TLS starts" within 10 grep -q 'msg="sixpnd running"' "$TMP/d.log"
check "... mirrors the registry (1 machine)" within 5 mcount 1
check "... sixpn_registry_connected 1" within 5 connected
ctl "${TLS[@]}" machines create --app web --host a7b:1 >/dev/null
check "a machine created over TLS reaches the mirror within 5 s" within 5 mcount 2
check_eq "hosts list over TLS: a7b:1 connected" \
	"$(ctl "${TLS[@]}" hosts list | awk '$1 == "a7b:1" { print $NF }')" yes
check_fails "sixpnd logged no error" grep -q 'level=error' "$TMP/d.log"
kill "$D_PID"; wait "$D_PID"; rc=$?; D_PID=""
check_eq "sixpnd stops on SIGTERM (exit 0)" "$rc" 0
finish
