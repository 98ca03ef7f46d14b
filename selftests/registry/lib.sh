# shellcheck shell=bash
# Helpers for the registry tests (sourced by selftests/registry/test_*.sh).
#
# Each test gets its own temp dir (and registry file inside it), removed by
# the EXIT trap even on failure; tests add their own cleanup with
# add_cleanup. Assertions print "ok - ..." / "not ok - ..." and count;
# finish() exits non-zero if any failed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in
	/*) BIN="$BUILD/sixpnctl" ;;
	*)  BIN="$ROOT/$BUILD/sixpnctl" ;;
esac
PY=/usr/bin/python3
unset SIXPN_QUARANTINE_SECS SIXPN_REGISTRY

if [ ! -x "$BIN" ]; then
	echo "not ok - sixpnctl not built at $BIN (run: make $BUILD/sixpnctl)"
	exit 1
fi

TMP=$(mktemp -d /tmp/sixpn-registry-test.XXXXXX)
REG="$TMP/registry.db"
_cleanups=()
add_cleanup() { _cleanups+=("$1"); }
_run_cleanup() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap _run_cleanup EXIT
trap 'exit 130' INT TERM

. "$ROOT/selftests/lib/tap.sh"

# ctl ARGS...: sixpnctl on this test's registry
ctl() { "$BIN" --registry "$REG" "$@"; }

# run ARGS...: runs sixpnctl, capturing $out, $err and $rc (never fails)
run() {
	local e="$TMP/.stderr"
	rc=0
	out=$(ctl "$@" 2>"$e") || rc=$?
	err=$(cat "$e")
}

# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: '$3'" "actual:   '$2'"; fi
}

expect_ne() {
	if [ "$2" != "$3" ]; then ok "$1"; else not_ok "$1" "expected anything but: '$3'"; fi
}

# expect_match NAME STRING REGEX
expect_match() {
	if [[ "$2" =~ $3 ]]; then ok "$1"; else not_ok "$1" "expected to match: $3" "actual: '$2'"; fi
}

# expect_ok NAME ARGS...: sixpnctl ARGS exits 0
expect_ok() {
	local name=$1; shift
	run "$@"
	if [ "$rc" -eq 0 ]; then ok "$name"; else not_ok "$name" "sixpnctl $* exited $rc" "stderr: $err"; fi
}

# expect_fail NAME CODE PATTERN ARGS...: sixpnctl ARGS exits CODE with one
# stderr line "sixpnctl: ..." matching PATTERN (a bash regex)
expect_fail() {
	local name=$1 code=$2 pat=$3; shift 3
	run "$@"
	local lines
	lines=$(printf '%s\n' "$err" | grep -c .) || true
	if [ "$rc" -ne "$code" ]; then
		not_ok "$name" "sixpnctl $* exited $rc, expected $code" "stderr: $err"
	elif [ "$lines" -ne 1 ] || [[ ! "$err" =~ ^sixpnctl:\  ]]; then
		not_ok "$name" "expected one 'sixpnctl: ...' line on stderr" "stderr: $err"
	elif [[ ! "$err" =~ $pat ]]; then
		not_ok "$name" "stderr does not match: $pat" "stderr: $err"
	else
		ok "$name"
	fi
}

# jget EXPR [JSON]: evaluates the Python expression EXPR on the JSON (from
# the argument or stdin) bound to d; prints strings bare, others as JSON.
jget() {
	local expr=$1
	if [ $# -ge 2 ]; then printf '%s' "$2"; else cat; fi | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1], {"d": d, "len": len, "sorted": sorted, "set": set})
print(v if isinstance(v, str) else json.dumps(v))' "$expr"
}

# sql SQL: runs SQL on the registry with the sqlite3 CLI
sql() { sqlite3 -batch -noheader "$REG" "$1"; }

# a valid WireGuard public key, made with wg(8) (independent of sixpnctl)
wgkey() { wg genkey | wg pubkey; }


# SIXPN_TEST_STORE=etcd: the same tests on the registry in etcd
if [ "${SIXPN_TEST_STORE:-sqlite}" = etcd ]; then
	. "$ROOT/selftests/registry/store_etcd.sh"
fi
