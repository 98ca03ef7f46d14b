# shellcheck shell=bash
# What the DNS namespace tests share (sourced by test_resolver.sh,
# test_resolver_strict.sh and test_dns_testbed.sh): sixpnctl on the test's
# registry $REG, NSD serving example.test as the upstream the resolver
# forwards to, resolver_serve in the test's namespace $NS, and dig/kdig
# helpers. dq and kq ask from an address in $NS; test_dns_testbed.sh asks
# from testbed nodes and defines its own x, dq and kq.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"

PY=/usr/bin/python3
SERVE="$BUILD/selftests/resolver_serve"

ctl() { "$BUILD/sixpnctl" --registry "$REG" "$@"; }
jget() { $PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
x() { in_ns "$NS" "$@"; }

# example_zone NS_ADDR: $TMP/example.test.zone with its SOA, NS
# ns.example.test at NS_ADDR and www A 192.0.2.1; a test appends the rest.
example_zone() {
	cat >"$TMP/example.test.zone" <<EOF
\$TTL 300
@       IN SOA ns.example.test. admin.example.test. 1 3600 600 86400 60
@       IN NS  ns.example.test.
ns      IN AAAA $1
www     IN A    192.0.2.1
EOF
}

# nsd_up NETNS LISTEN: NSD in NETNS on LISTEN (its ip-address: form),
# authoritative for example.test from $TMP/example.test.zone.
nsd_up() {
	cat >"$TMP/nsd.conf" <<EOF
server:
	ip-address: $2
	do-ip4: no
	username: ""
	chroot: ""
	zonesdir: "$TMP"
	pidfile: "$TMP/nsd.pid"
	xfrdfile: "$TMP/xfrd.state"
	zonelistfile: "$TMP/zone.list"
	logfile: "$TMP/nsd.log"
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: example.test
	zonefile: example.test.zone
EOF
	bg_in_ns "$1" nsd -d -c "$TMP/nsd.conf"
}

# nsd_wait: until NSD on [::1]:5300 in $NS answers (up to 5 s).
nsd_wait() {
	for _ in $(seq 50); do
		x dig +short +time=1 +tries=1 -b ::1 @::1 -p 5300 www.example.test A | grep -q 192.0.2.1 && return 0
		sleep 0.1
	done
	return 1
}

# start_resolver NAME ARGS...: resolver_serve in $NS on the registry; its
# stdout in $TMP/NAME.out, its stderr in $TMP/NAME.err, its pid in RES_PID;
# waits until it says it is ready.
start_resolver() {
	local name=$1; shift
	bg_in_ns "$NS" "$SERVE" --registry "$REG" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RES_PID=$LAST_PID
	for _ in $(seq 100); do
		grep -q '^ready' "$TMP/$name.out" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
stop_resolver() { kill "$RES_PID" 2>/dev/null; wait "$RES_PID" 2>/dev/null; }

# dq SRC SERVER ARGS...: dig from SRC in $NS; kq: kdig
dq() { local s=$1 d=$2; shift 2; x dig +time=2 +tries=1 -b "$s" @"$d" "$@"; }
kq() { local s=$1 d=$2; shift 2; x kdig +time=2 +retry=0 -b "$s" @"$d" "$@"; }
# What an answer says, asked by dq or kq with the same arguments.
short() { dq "$@" +short | sort; }
kshort() { kq "$@" +short | sort; }
status() { dq "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
flags() { dq "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }
lines() { printf '%s\n' "$@" | sort; }
