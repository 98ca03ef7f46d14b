#!/usr/bin/env bash
# Benchmark 2, DNS end to end: dnsperf from an instance namespace against
# fdaa::3, one host run by sixpnd, for one query mix over 1,000 apps (80%
# AAAA of <app>.internal, 10% A of the same names: NODATA, 10% AAAA of
# missing names: NXDOMAIN), served by
#
#   - sixpn's XDP fast path (sixpnd running: the baseline of every ratio);
#   - sixpnd's userspace resolver alone (sixpnd --no-xdp: no XDP attached);
#   - NSD (authoritative zone internal.), dnsmasq (hosts file) and Unbound
#     (local-data), each with the same AAAA records, listening on fdaa::3 in
#     the same namespaces, sixpn's TC programs still attached, XDP detached;
#   - the XDP reflector (selftests/progs/xdp_reflect.bpf.c), which turns
#     every query around unanswered: the ceiling of this client and link.
#
# Per server and run: QPS at the client's full rate (one dnsperf thread, at
# most 100 queries in flight, its default) and the mean latency of that run,
# then the p99 latency at a fixed rate every server sustains (1,000 QPS;
# dnsperf -v prints every query's latency, which would slow the client in
# the throughput run). Every server runs single-threaded, as each
# does by default. tx checksum offload is off on the client veth. Runs go
# round-robin over the servers, so that drift hits all alike.
#
# Then the server's CPU time per query at a fixed rate well below every
# server's ceiling (5,000 QPS), since on two cores the one dnsperf client
# caps every QPS figure and hides the real ratio: for a userspace server
# its own CPU time (every thread's /proc/PID/task/*/schedstat, ns), for the
# fast path the run time of the XDP program on the interface (the kernel's
# BPF statistics, kernel.bpf_stats_enabled, on only for that run; the
# dispatcher's figure, which holds sixpn's program) plus sixpnd's own CPU.
# Neither counts the veth and softirq work every server pays alike. The
# ratios of this figure are to NSD.
#
# Then the TXT names the fast path passes up (docs/design.md section 5),
# which only the userspace resolver answers: the same runs with a second
# mix, vms.<app> and regions.<app> TXT of every app (2,000 queries),
# against sixpnd --no-xdp (its answer cache warm after the first pass) and
# against NSD with the same TXT records in its zone, the TXT baseline.
# Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}
H=$P-dh C=$P-dc IF=${P}dc DNSDEV=${P}d0
PIN=/sys/fs/bpf/sixpn-bench-$P-dns
MY_HOST=a7b:d6b
APPS=1000
runs=3 secs=5 lat_qps=1000 lat_secs=3 cpu_qps=5000 cpu_secs=5
if [ "${BENCH_QUICK:-0}" = 1 ]; then runs=1 secs=1 lat_secs=1 cpu_secs=1; fi

TMP=$(mktemp -d)
REG=$TMP/registry.db
DAEMON_PID=
BPF_STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)

ctl() { "$BUILD/sixpnctl" --registry "$REG" "$@"; }
sixpnd() { in_ns "$H" "$BUILD/sixpnd" --registry "$REG" --host "$MY_HOST" --pin-dir "$PIN" --dns-dev "$DNSDEV" "$@"; }

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

cleanup() {
	stop_daemon
	sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS" 2>/dev/null
	# Debugging only: leave everything up (sxb-dh, sxb-dc, $TMP).
	[ "${BENCH_KEEP:-0}" = 1 ] && { log "kept $TMP and the namespaces"; return; }
	if [ -e "/run/netns/$H" ]; then
		in_ns "$H" "$BUILD/sixpnd" --detach --pin-dir "$PIN" --dns-dev "$DNSDEV" >/dev/null 2>&1
	fi
	rm -rf "$PIN"
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- the fleet, the names, the servers' data -----------------------------

setup() {
	host_ns "$H"
	ns_add "$C"
	ip link add "$IF" netns "$H" type veth peer name eth0 netns "$C"
	# 1,000 apps with one machine each on another host, all on the
	# client's network (network 1 of org o1).
	/usr/bin/python3 "$SIXPN_ROOT/scripts/bench/gen_registry.py" "$REG" --sixpnctl "$BUILD/sixpnctl" \
		--machines $APPS --apps $APPS --networks 1 --hosts 1 --host-base 0x0a7b0174 >/dev/null &&
	ctl hosts add "$MY_HOST" --region r0 >/dev/null &&
	ctl apps create client --org o1 >/dev/null &&
	CLIENT=$(ctl --json machines create --app client --host "$MY_HOST" --iface "$IF" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])') || return 1
	ip -n "$C" addr add "$CLIENT/112" dev eth0 nodad
	ip -n "$C" link set eth0 up
	ip -n "$C" -6 route add default via fe80::1 dev eth0
	in_ns "$C" ethtool -K eth0 tx off >/dev/null
}

# names.txt: "<app> <address>" for every app; queries.txt: dnsperf's input.
write_data() {
	ctl --json machines list | /usr/bin/python3 -c '
import json, sys
for m in json.load(sys.stdin)["machines"]:
    if m["app"] != "client":
        print(m["app"], m["address"], m["id"], m["region"])' >"$TMP/names.txt"
	[ "$(wc -l <"$TMP/names.txt")" = $APPS ] || return 1
	awk '{ print $1 ".internal AAAA"
	       if (NR % 8 == 1) print $1 ".internal A"
	       if (NR % 8 == 5) print "missing" NR ".internal AAAA" }' "$TMP/names.txt" >"$TMP/queries.txt"
	awk '{ print "vms." $1 ".internal TXT"; print "regions." $1 ".internal TXT" }' \
		"$TMP/names.txt" >"$TMP/queries_txt.txt"
	{
		echo '$ORIGIN internal.'
		echo '$TTL 5'
		echo '@ 5 IN SOA ns.internal. hostmaster.internal. 1 3600 600 86400 5'
		echo '@ IN NS ns.internal.'
		echo 'ns IN AAAA fdaa::3'
		awk '{ print $1 " IN AAAA " $2 }' "$TMP/names.txt"
		# the resolver's TXT answers for an app of one machine (names.c)
		awk '{ print "vms." $1 " IN TXT \"" $3 " " $4 "\""
		       print "regions." $1 " IN TXT \"" $4 "\"" }' "$TMP/names.txt"
	} >"$TMP/internal.zone"
	cat >"$TMP/nsd.conf" <<EOF
server:
  ip-address: fdaa::3
  port: 53
  do-ip4: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$TMP"
  pidfile: "$TMP/nsd.pid"
  database: ""
  zonelistfile: "$TMP/nsd.zonelist"
  xfrdfile: "$TMP/nsd.xfrd"
  xfrdir: "$TMP"
  logfile: "$TMP/nsd.log"
  verbosity: 0
  # Response rate limiting is on by default (200/s per client /56): off,
  # or NSD drops most of a benchmark.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: internal
  zonefile: "$TMP/internal.zone"
EOF
	awk '{ print $2 " " $1 ".internal" }' "$TMP/names.txt" >"$TMP/hosts"
	{
		cat <<EOF
server:
  interface: fdaa::3
  port: 53
  do-ip4: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$TMP"
  pidfile: ""
  use-syslog: no
  logfile: "$TMP/unbound.log"
  verbosity: 0
  num-threads: 1
  module-config: "iterator"
  access-control: ::/0 allow
  local-zone: "internal." static
  local-data: "internal. 5 IN SOA ns.internal. hostmaster.internal. 1 3600 600 86400 5"
EOF
		awk '{ print "  local-data: \"" $1 ".internal. 5 IN AAAA " $2 "\"" }' "$TMP/names.txt"
		echo "remote-control:"
		echo "  control-enable: no"
	} >"$TMP/unbound.conf"
}

# --- servers --------------------------------------------------------------

# answers: the client gets a0.internal's address back from fdaa::3.
answers() {
	local want
	want=$(awk '$1 == "a0" { print $2 }' "$TMP/names.txt")
	in_ns "$C" kdig @fdaa::3 a0.internal AAAA +short +time=1 +retry=0 2>/dev/null | grep -qix "$want"
}

# answers_txt: vms.a0.internal TXT, as the zone file has it.
answers_txt() {
	local want
	want=$(awk '$1 == "a0" { print "\"" $3 " " $4 "\"" }' "$TMP/names.txt")
	in_ns "$C" kdig @fdaa::3 vms.a0.internal TXT +short +time=1 +retry=0 2>/dev/null | grep -qx "$want"
}

# queries MODE: dnsperf's input for MODE.
queries() {
	case "$1" in
	*_txt) echo "$TMP/queries_txt.txt" ;;
	*) echo "$TMP/queries.txt" ;;
	esac
}

# responds: anything at all comes back (the reflector answers nothing).
responds() {
	in_ns "$C" kdig @fdaa::3 a0.internal AAAA +time=1 +retry=0 2>/dev/null | grep -q 'status:'
}

wait_for() {
	local i
	for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
	return 1
}

start_bg() {
	nsenter --net="/run/netns/$H" "$@" >>"$TMP/server.log" 2>&1 &
	DAEMON_PID=$!
}

xdp_detach() {
	in_ns "$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" xdp-detach "$IF" >/dev/null 2>&1
	ip -n "$H" link set dev "$IF" xdpgeneric off 2>/dev/null
	! ip -n "$H" link show "$IF" | grep -q ' xdp'
}

xdp_answered() {
	in_ns "$H" "$BUILD/sixpnctl" --json stats --pin-dir "$PIN" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print(sum(c["packets"] for c in json.load(sys.stdin)["counters"] if c["hook"] == "XDP_DNS" and c["reason"] in ("DNS_ANSWERED", "DNS_NODATA", "DNS_NXDOMAIN")))'
}

# xdp_serves: a question is answered, and by the fast path: sixpnd's
# resolver may answer before its XDP program is attached.
xdp_serves() {
	local before
	before=$(xdp_answered)
	answers && [ "$(xdp_answered)" -gt "${before:-0}" ]
}

# start MODE: serve fdaa::3 with MODE; returns non-zero if it does not.
start() {
	case "$1" in
	xdp)
		start_bg "$BUILD/sixpnd" --registry "$REG" --host "$MY_HOST" --pin-dir "$PIN" --dns-dev "$DNSDEV"
		wait_for xdp_serves ;;
	resolver|resolver_txt)
		start_bg "$BUILD/sixpnd" --registry "$REG" --host "$MY_HOST" --pin-dir "$PIN" --dns-dev "$DNSDEV" --no-xdp
		wait_for answers && wait_for answers_txt ;;
	nsd|nsd_txt) start_bg nsd -d -c "$TMP/nsd.conf"; wait_for answers && wait_for answers_txt ;;
	dnsmasq)
		start_bg dnsmasq -k -C /dev/null -u root --pid-file= --no-resolv --no-hosts \
			--addn-hosts="$TMP/hosts" --listen-address=fdaa::3 --bind-interfaces \
			--local=/internal/ --local-ttl=5 --log-facility="$TMP/dnsmasq.log"
		wait_for answers ;;
	unbound) start_bg unbound -d -c "$TMP/unbound.conf"; wait_for answers ;;
	reflector)
		ip -n "$H" link set dev "$IF" xdpgeneric obj "$BUILD/selftests/progs/xdp_reflect.bpf.o" sec xdp &&
		wait_for responds ;;
	esac
}

stop() {
	stop_daemon
	xdp_detach || fail "cannot detach XDP from $IF"
}

# --- one run ----------------------------------------------------------------

# perf_run MODE: appends "qps mean_us p99_us" to $TMP/MODE.
perf_run() {
	local mode=$1 out=$TMP/perf.out lat=$TMP/lat.out before after
	[ "$mode" = xdp ] && before=$(xdp_answered)
	in_ns "$C" dnsperf -s fdaa::3 -d "$(queries "$mode")" -l "$secs" -q 100 >"$out" 2>&1 ||
		{ log "dnsperf failed against $mode"; cat "$out" >&2; return 1; }
	in_ns "$C" dnsperf -s fdaa::3 -d "$(queries "$mode")" -l "$lat_secs" -Q "$lat_qps" -v >"$lat" 2>&1 ||
		{ log "dnsperf -v failed against $mode"; return 1; }
	if [ "$mode" = xdp ]; then
		after=$(xdp_answered)
		[ "${after:-0}" -gt $(( ${before:-0} + 1000 )) ] ||
			{ log "the XDP fast path did not answer the run"; return 1; }
	fi
	/usr/bin/python3 - "$mode" "$out" "$lat" >>"$TMP/$mode" <<'PY' || return 1
import re, sys
mode, out, lat = sys.argv[1:]
s = open(out).read()
qps = float(re.search(r"Queries per second:\s+([\d.]+)", s).group(1))
mean = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", s).group(1)) * 1e6
sent = int(re.search(r"Queries sent:\s+(\d+)", s).group(1))
lost = int(re.search(r"Queries lost:\s+(\d+)", s).group(1))
codes = dict((k, int(v)) for k, v in re.findall(r"(NOERROR|NXDOMAIN|SERVFAIL|REFUSED|FORMERR|NOTIMP) (\d+)", s))
done = sent - lost
if lost > sent * 0.01:
    sys.exit("dns_e2e: %s: %d of %d queries lost" % (mode, lost, sent))
if mode.endswith("_txt"):
    # every TXT name exists
    if codes.get("NOERROR", 0) != done:
        sys.exit("dns_e2e: %s: wrong answers: %s" % (mode, codes))
elif mode != "reflector":
    # 125 of the 1,250 queries ask for missing names.
    nx = codes.get("NXDOMAIN", 0) / max(done, 1)
    if not (0.07 < nx < 0.13) or codes.get("NOERROR", 0) + codes.get("NXDOMAIN", 0) != done:
        sys.exit("dns_e2e: %s: wrong answers: %s" % (mode, codes))
lats = sorted(float(x) * 1e6 for x in re.findall(r"^> \S+ .* ([\d.]+)$", open(lat).read(), re.M))
if len(lats) < 100:
    sys.exit("dns_e2e: %s: too few latency samples (%d)" % (mode, len(lats)))
p99 = lats[min(len(lats) - 1, int(len(lats) * 0.99))]
print("%.1f %.1f %.1f" % (qps, mean, p99))
PY
	log "$mode: $(tail -1 "$TMP/$mode") (QPS, mean us, p99 us)"
}

# proc_cpu_ns PID: the CPU time so far of every thread of PID and of its
# descendants (NSD serves from a child it forks), in ns.
proc_cpu_ns() {
	local t ns sum=0 child
	for t in /proc/"$1"/task/*/schedstat; do
		read -r ns _ <"$t" 2>/dev/null && sum=$((sum + ns))
	done
	for child in $(pgrep -P "$1"); do
		sum=$((sum + $(proc_cpu_ns "$child")))
	done
	echo "$sum"
}

# xdp_prog_ns: the run time so far of the XDP program attached to $IF (the
# libxdp dispatcher, or sixpn's program alone), in ns.
xdp_prog_ns() {
	local id
	id=$(in_ns "$H" bpftool -j net show dev "$IF" | /usr/bin/python3 -c '
import json, sys
print([x for d in json.load(sys.stdin) for x in d.get("xdp", [])][0]["id"])') || return 1
	bpftool -j prog show id "$id" | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin).get("run_time_ns", 0))'
}

# cpu_run MODE: appends the server's CPU ns per answered query at
# $cpu_qps QPS to $TMP/MODE.cpu.
cpu_run() {
	local mode=$1 out=$TMP/cpu.out p0 p1 x0=0 x1=0
	[ "$mode" = reflector ] && return 0
	if [ "$mode" = xdp ]; then
		sysctl -qw kernel.bpf_stats_enabled=1 || { log "cannot enable BPF statistics"; return 1; }
		x0=$(xdp_prog_ns) || { log "no XDP program on $IF"; return 1; }
	fi
	p0=$(proc_cpu_ns "$DAEMON_PID")
	in_ns "$C" dnsperf -s fdaa::3 -d "$(queries "$mode")" -l "$cpu_secs" -Q "$cpu_qps" >"$out" 2>&1 ||
		{ log "dnsperf -Q $cpu_qps failed against $mode"; return 1; }
	p1=$(proc_cpu_ns "$DAEMON_PID")
	if [ "$mode" = xdp ]; then
		x1=$(xdp_prog_ns) || return 1
		sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS"
	fi
	/usr/bin/python3 - "$mode" "$out" $((p1 - p0 + x1 - x0)) >>"$TMP/$mode.cpu" <<'PY' || return 1
import re, sys
mode, out, ns = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
done = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
if done < 100 or ns <= 0:
    sys.exit("dns_e2e: %s: %d queries answered in %d ns of server CPU" % (mode, done, ns))
print("%.1f" % (ns / done))
PY
	log "$mode: $(tail -1 "$TMP/$mode.cpu") ns of server CPU per query at $cpu_qps QPS" \
		"(process $((p1 - p0)) ns, XDP program $((x1 - x0)) ns in all)"
}

# --- main -----------------------------------------------------------------

setup >"$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log" >&2; fail "cannot build the namespaces and the registry"; }
write_data || fail "cannot write the servers' data"
# The datapath and fdaa::3, without any DNS server: what the peers run on.
sixpnd --once --no-xdp >>"$TMP/sixpnd-once.log" 2>&1 || { cat "$TMP/sixpnd-once.log" >&2; fail "sixpnd --once failed"; }
# (the listing read whole first: grep -q leaving early made ip die of
# SIGPIPE now and then, and pipefail call that a missing address)
addrs=$(ip -n "$H" -6 addr show)
grep -q 'fdaa::3/' <<<"$addrs" || fail "sixpnd put no fdaa::3 on $DNSDEV"

modes=(${BENCH_DNS_MODES:-xdp reflector resolver nsd dnsmasq unbound resolver_txt nsd_txt})
for r in $(seq "$runs"); do
	for m in "${modes[@]}"; do
		if ! start "$m"; then
			stop
			tail -5 "$TMP/server.log" >&2
			fail "$m does not answer at fdaa::3"
		fi
		perf_run "$m" || { stop; fail "run $r against $m failed"; }
		cpu_run "$m" || { stop; fail "the CPU run $r against $m failed"; }
		stop
	done
done

declare -A label=(
	[xdp]="sixpn XDP fast path"
	[reflector]="XDP reflector, no answer (ceiling)"
	[resolver]="sixpnd resolver alone (XDP detached)"
	[nsd]="NSD, authoritative zone"
	[dnsmasq]="dnsmasq, hosts file"
	[unbound]="Unbound, local-data"
	[resolver_txt]="TXT names: sixpnd resolver (answer cache)"
	[nsd_txt]="TXT names: NSD, authoritative zone"
)
col() { awk -v c="$1" '{ printf "%s%s", (NR > 1 ? "," : ""), $c }' "$TMP/$2"; }
base_q="${label[xdp]}: QPS at full rate"
base_m="${label[xdp]}: mean latency at full rate"
base_p="${label[xdp]}: p99 latency at $lat_qps QPS"
# the TXT mix against NSD's TXT runs (else the fast path, which never
# answers TXT: then only for the record)
txt_base=xdp
for m in "${modes[@]}"; do [ "$m" = nsd_txt ] && txt_base=nsd_txt; done
for m in "${modes[@]}"; do
	if [ "$m" = xdp ] || { [ "$m" = nsd_txt ] && [ "$txt_base" = nsd_txt ]; }; then
		bq='"is_baseline":true' bm='"is_baseline":true' bp='"is_baseline":true'
	elif [ "$m" = resolver_txt ]; then
		bq="\"baseline\":\"${label[$txt_base]}: QPS at full rate\""
		bm="\"baseline\":\"${label[$txt_base]}: mean latency at full rate\""
		bp="\"baseline\":\"${label[$txt_base]}: p99 latency at $lat_qps QPS\""
	else
		bq="\"baseline\":\"$base_q\"" bm="\"baseline\":\"$base_m\"" bp="\"baseline\":\"$base_p\""
	fi
	cat >>"$BENCH_RECORDS" <<JSON
{"bench":"dns_e2e","case":"${label[$m]}: QPS at full rate","unit":"QPS","better":"higher","seconds":$secs,$bq,"samples":[$(col 1 "$m")]}
{"bench":"dns_e2e","case":"${label[$m]}: mean latency at full rate","unit":"us","better":"lower","seconds":$secs,$bm,"samples":[$(col 2 "$m")]}
{"bench":"dns_e2e","case":"${label[$m]}: p99 latency at $lat_qps QPS","unit":"us","better":"lower","seconds":$lat_secs,$bp,"samples":[$(col 3 "$m")]}
JSON
done
# CPU per query, against NSD (else the first server measured)
cpu_base=""
for m in nsd nsd_txt "${modes[@]}"; do
	[ -s "$TMP/$m.cpu" ] && { cpu_base=$m; break; }
done
for m in "${modes[@]}"; do
	[ -s "$TMP/$m.cpu" ] || continue
	if [ "$m" = "$cpu_base" ] || { [ "$m" = nsd_txt ] && [ "$cpu_base" != nsd_txt ]; }; then
		bc='"is_baseline":true'
	elif [ "$m" = resolver_txt ] && [ -s "$TMP/nsd_txt.cpu" ]; then
		bc="\"baseline\":\"${label[nsd_txt]}: server CPU per query at $cpu_qps QPS\""
	else
		bc="\"baseline\":\"${label[$cpu_base]}: server CPU per query at $cpu_qps QPS\""
	fi
	cat >>"$BENCH_RECORDS" <<JSON
{"bench":"dns_e2e","case":"${label[$m]}: server CPU per query at $cpu_qps QPS","unit":"ns","better":"lower","seconds":$cpu_secs,$bc,"samples":[$(col 1 "$m.cpu")]}
JSON
done
