# shellcheck shell=bash
# Three etcd members (Debian's etcd-server), each in a namespace of its own
# on one bridge in a hub namespace, and three host namespaces beside them:
# the bench of test_etcd_cluster.sh and test_etcd_exactly_once.sh. Source it
# after setting TAG (the namespaces' and members' prefix, unique to the
# test, e.g. et), NET (the /24's first three octets, unique to the test, e.g.
# 10.78.0), S (unique to the run, e.g. $$) and TMP (the data and log
# directory); ECTL_TIMEOUT is etcdctl's command timeout (default 5s).
# Members are $NET.1-.3 (namespaces $TAG-mN-$S), hosts $NET.11-.13
# ($TAG-hN-$S), the hub $NET.254. It sets HUB, NSES, MPID, CLUSTER and ALL;
# three_etcd_net builds the namespaces, start_member N starts member N on
# its data dir (again: a restart), three_etcd_cleanup kills the members and
# removes the namespaces (call it from the test's EXIT trap).
HUB=$TAG-hub-$S
NSES=()
declare -A MPID
CLUSTER="$TAG-m1=http://$NET.1:2380,$TAG-m2=http://$NET.2:2380,$TAG-m3=http://$NET.3:2380"
ALL="http://$NET.1:2379,http://$NET.2:2379,http://$NET.3:2379"

three_etcd_cleanup() {
	local p ns
	for p in "${MPID[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null; done
}

# plug NS N: NS gets $NET.N on eth0, a port of the hub's bridge.
plug() {
	ip netns add "$1" && NSES+=("$1")
	ip -n "$HUB" link add "p$2" type veth peer name eth0 netns "$1"
	ip -n "$HUB" link set "p$2" master br0 up
	ip -n "$1" addr add "$NET.$2/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set lo up
}

three_etcd_net() {
	local i
	ip netns add "$HUB" && NSES+=("$HUB")
	# a fixed MAC, so that no port joining later changes the hub's
	# (scripts/testbed says why)
	ip -n "$HUB" link add br0 address 02:5e:00:00:00:01 type bridge
	ip -n "$HUB" addr add "$NET.254/24" dev br0
	ip -n "$HUB" link set br0 up
	ip -n "$HUB" link set lo up
	for i in 1 2 3; do plug "$TAG-m$i-$S" "$i"; plug "$TAG-h$i-$S" "1$i"; done
}

start_member() {
	ip netns exec "$TAG-m$1-$S" etcd --name "$TAG-m$1" --data-dir "$TMP/m$1" \
		--listen-client-urls "http://$NET.$1:2379" \
		--advertise-client-urls "http://$NET.$1:2379" \
		--listen-peer-urls "http://$NET.$1:2380" \
		--initial-advertise-peer-urls "http://$NET.$1:2380" \
		--initial-cluster "$CLUSTER" --initial-cluster-token "$TAG-$S" \
		--initial-cluster-state new >>"$TMP/m$1.log" 2>&1 &
	MPID[$1]=$!
	disown "$!"   # no job notice when the test kills it
}

ectl() { ip netns exec "$HUB" etcdctl --endpoints "$ALL" --command-timeout="${ECTL_TIMEOUT:-5s}" "$@"; }

# eps N: member N's client URL first, the others after (failover)
eps() { local n=$1; echo "http://$NET.$n:2379,http://$NET.$(( n % 3 + 1 )):2379,http://$NET.$(( (n + 1) % 3 + 1 )):2379"; }
# hctl N ARGS: sixpnctl ($CTL) in host namespace N, on member N first
hctl() { local n=$1; shift; ip netns exec "$TAG-h$n-$S" "$CTL" --etcd "$(eps "$n")" "$@"; }
