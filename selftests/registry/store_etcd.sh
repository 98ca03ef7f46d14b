# shellcheck shell=bash
# SIXPN_TEST_STORE=etcd: the registry tests run against etcd instead of a
# file (sourced by lib.sh). Each test gets its own key prefix on a
# single-member etcd of its own (127.0.0.1, free ports, data under $TMP,
# killed on exit), or on $SIXPN_TEST_ETCD when given. ctl runs sixpnctl
# --etcd (unless the test names a --registry file: those checks are about
# files); sql runs on a `registry export` of etcd and, when it writes, puts
# the result back with `registry import` into the emptied prefix: the
# same checks, through export and import.
command -v etcd >/dev/null && command -v etcdctl >/dev/null || {
	echo "not ok - SIXPN_TEST_STORE=etcd needs etcd and etcdctl (etcd-server, etcd-client)"
	exit 1
}
export ETCDCTL_API=3
ETCD_PFX="/t-$$-$RANDOM/"
if [ -n "${SIXPN_TEST_ETCD:-}" ]; then
	ETCD_URL=$SIXPN_TEST_ETCD
else
	_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
	_cp=$(_port); _pp=$(_port)
	ETCD_URL="http://127.0.0.1:$_cp"
	etcd --name "et-reg-$$" --data-dir "$TMP/etcd" \
		--listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
		--listen-peer-urls "http://127.0.0.1:$_pp" \
		--initial-advertise-peer-urls "http://127.0.0.1:$_pp" \
		--initial-cluster "et-reg-$$=http://127.0.0.1:$_pp" >"$TMP/etcd.log" 2>&1 &
	_etcd_pid=$!
	disown "$_etcd_pid"   # no job notice when the cleanup kills it
	add_cleanup "kill -9 $_etcd_pid"
	for _ in $(seq 1 100); do
		etcdctl --endpoints "$ETCD_URL" endpoint health >/dev/null 2>&1 && break
		sleep 0.1
	done
fi
echo "# store: etcd $ETCD_URL prefix $ETCD_PFX"

ctl() {
	local a
	for a in "$@"; do
		case "$a" in --registry|--registry=*) "$BIN" "$@"; return ;; esac
	done
	"$BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" "$@"
}

sql() {
	local out rc=0
	rm -f "$REG" "$REG-wal" "$REG-shm"
	"$BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" registry export "$REG" >/dev/null || return 1
	out=$(sqlite3 -batch -noheader "$REG" "$1") || rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	if [[ "$1" =~ ^[[:space:]]*(UPDATE|INSERT|DELETE|update|insert|delete) ]]; then
		etcdctl --endpoints "$ETCD_URL" del --prefix "$ETCD_PFX" >/dev/null &&
		"$BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" registry import "$REG" >/dev/null || rc=1
	fi
	rm -f "$REG" "$REG-wal" "$REG-shm"
	return $rc
}
