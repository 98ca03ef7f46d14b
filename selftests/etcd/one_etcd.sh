# shellcheck shell=bash
# One etcd member in a namespace of its own and a host namespace beside it on
# a veth /30, with the cleanup of both and of a sixpnd started there: the
# bench of test_etcd_auth.sh, test_etcd_tls.sh and test_sixpnd_etcd.sh.
# Source it after setting P (unique to the run, e.g. efa-$$) and NET (the
# /30's first three octets, unique to the test, e.g. 10.76.0); URL may be set
# first (https for TLS). It sets ET, H, UL, PIN, TMP, IP, URL, METRICS and
# starts with ETCD_PID and D_PID (the test's sixpnd) empty.
# SIXPN_KEEP_LOGS=DIR keeps sixpnd's and etcd's logs for a look.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"
export ETCDCTL_API=3
PY=/usr/bin/python3
command -v etcd >/dev/null || { not_ok "etcd is installed (etcd-server)"; finish; exit 1; }
ET=$P-et H=$P-h UL=${P%%-*}u$$
PIN=/sys/fs/bpf/sixpn-$P
TMP=$(mktemp -d "/tmp/$P.XXXXXX")
IP=$NET.1
URL=${URL:-http://$IP:2379}
METRICS=127.0.0.1:9464
ETCD_PID="" D_PID=""
one_etcd_cleanup() {
	[ -n "${SIXPN_KEEP_LOGS:-}" ] && mkdir -p "$SIXPN_KEEP_LOGS" && cp "$TMP"/*.log "$SIXPN_KEEP_LOGS/"
	[ -n "$D_PID" ] && kill "$D_PID" 2>/dev/null && wait "$D_PID" 2>/dev/null
	[ -n "$ETCD_PID" ] && kill -9 "$ETCD_PID" 2>/dev/null && wait "$ETCD_PID" 2>/dev/null
	sixpnd_gone "$H" "$PIN"
	netns_cleanup
	rm -rf "$TMP"
}
trap one_etcd_cleanup EXIT
trap 'exit 130' INT TERM


# The two namespaces: etcd's at $IP, the host's at $NET.2.
one_etcd_net() {
	ns_add "$ET"
	host_ns "$H"
	ip link add "$UL" netns "$H" type veth peer name eth0 netns "$ET"
	ip -n "$ET" addr add "$IP/30" dev eth0 && ip -n "$ET" link set eth0 up
	ip -n "$H" addr add "$NET.2/30" dev "$UL" && ip -n "$H" link set "$UL" up
}

# one_etcd_start [ETCD-FLAG...]: the member, on its data dir (a second
# start is a restart), clients on $URL; ETCD_PID is its pid. Readiness is
# the caller's to wait for (it knows the credentials).
one_etcd_start() {
	local name=${P%%-*}
	nsenter --net="/run/netns/$ET" etcd --name "$name" --data-dir "$TMP/etcd" \
		--listen-client-urls "$URL" --advertise-client-urls "$URL" \
		--listen-peer-urls "http://$IP:2380" --initial-advertise-peer-urls "http://$IP:2380" \
		--initial-cluster "$name=http://$IP:2380" "$@" >>"$TMP/etcd.log" 2>&1 &
	ETCD_PID=$!
}
