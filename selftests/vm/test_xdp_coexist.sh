#!/bin/sh
# timeout: 120
# sixpn's XDP program beside an operator's own on one veth (generic mode),
# through libxdp's dispatcher: the operator's counter
# (selftests/progs/xdp_count.bpf.c, loaded by xdp-loader as an operator
# would) and sixpn's fast path both run, their counters both move, in
# priority order (50, then sixpn's 60; on Linux 6.12.26+ xdp-loader 1.3.1
# cannot add a program after sixpn's, which is checked, and the counter
# comes first); attaching sixpn again or from a new
# process changes nothing; sixpn's detach and unload leave the counter
# running; a counter in another mode, or a program attached without libxdp
# (`ip link ... xdpgeneric`), makes sixpn's attach fail and say why, and
# stays; one process attaching to two interfaces puts one loaded program in
# both dispatchers, and detaching from one leaves the other; another build
# of sixpn's program is replaced, with or without a dispatcher. libxdp's
# fallback (one program, no dispatcher) is tested through
# LIBXDP_SKIP_DISPATCHER=1 on every kernel, and is what runs where the
# kernel refuses freplace programs: there the coexistence checks are not
# run and the test says so. Runs on the build host (selftests/run.sh) and in
# the `make vmtest` guests (6.1 and later).
set -u
. "$(dirname "$0")/lib.sh"

H=lxc-h I=lxc-i IF=lxc0 I2=lxc-i2 IF2=lxc1
A1=fdaa:0:18:a7b:d6b:0:a:2 A2=fdaa:0:18:a7b:d6b:0:e:2
PIN=/sys/fs/bpf/sixpn-lxc-$$
CNT=/sys/fs/bpf/lxc-cnt-$$
COUNT_OBJ=$BUILD/selftests/progs/xdp_count.bpf.o
OTHER_OBJ=$BUILD/selftests/progs/xdp_reflect.bpf.o
OLD_OBJ=$BUILD/selftests/progs/xdp_old_sixpn.bpf.o
TMP=$(mktemp -d)

cleanup() {
	if [ -e "/run/netns/$H" ]; then
		in_ns "$H" xdp-loader unload -a "$IF" >/dev/null 2>&1
		ip -n "$H" link set dev "$IF" xdpgeneric off 2>/dev/null
		in_ns "$H" xdp-loader unload -a "$IF2" >/dev/null 2>&1
	fi
	vm_cleanup
	rm -rf "$CNT" "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

host_ns "$H"
instance_ns "$H" "$I" "$IF" "$A1" "${A1%:2}:0/112"
mkdir -p "$CNT"
_VM_PINS="$_VM_PINS $H:$PIN"    # vm_cleanup unloads it

sixpn() { in_ns "$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" "$@"; }
loader() { in_ns "$H" xdp-loader "$@"; }
# snap: one `sixpn-attach --json status` into $S (each run loads the TC
# object: slow under TCG), which the helpers below read. IF is its only
# interface.
snap() { S=$(sixpn --json status); }
# xdp_col: the XDP summary of IF, as the status's XDP column has it (empty:
# no row for IF).
xdp_col() { echo "$S" | grep -o '"summary":"[^"]*"' | sed 's/"summary":"\(.*\)"/\1/'; }
# prog_id NAME: the id of the program NAME on IF.
prog_id() { echo "$S" | grep -o "\"id\":[0-9]*,\"name\":\"$1\"" | sed 's/"id":\([0-9]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//'; }
# run_order: the programs of IF's dispatcher, in the order they run.
run_order() { echo "$S" | grep -o '"name":"[a-z_]*","priority":[0-9]*' | sed 's/"name":"\([a-z_]*\)","priority":\([0-9]*\)/\1:\2/' | tr '\n' ' '; }
sixpn_count() {
	in_ns "$H" "$BUILD/sixpnctl" stats --pin-dir "$PIN" --all |
		awk '$1 == "XDP_DNS" && $2 == "DNS_PASS_NOT_DNS" { print $4; f = 1 } END { if (!f) print -1 }'
}
op_count() { "$BUILD/selftests/xdp_count_read" "$CNT/lx_xdp_count" 2>/dev/null || echo -1; }
# traffic: five pings from the instance to the host side (fe80::1).
traffic() { in_ns "$I" ping -6 -c 5 -i 0.2 -W 1 fe80::1%eth0 >/dev/null 2>&1; }
# moved WHAT BEFORE AFTER: the counter moved by at least the five pings.
moved() { check_ge "$1 ($2 -> $3)" "$3" $(($2 + 5)); }
# still WHAT BEFORE AFTER: the counter did not move.
still() { check_eq "$1" "$3" "$2"; }
on_iface() { loader status "$IF" 2>/dev/null | grep -c "$1"; }
# old_stubs_refused: the kernel refuses an freplace program that changes
# packet data (sixpn's) in place of a stub that does not (libxdp 1.3.1's,
# which xdp-loader builds): Linux 6.13 and later, 6.12.26 and later.
old_stubs_refused() {
	_v=$(uname -r | sed 's/[^0-9.].*//')
	_maj=${_v%%.*} _r=${_v#*.}
	_min=${_r%%.*} _pat=${_r#*.}
	[ "$_pat" = "$_r" ] && _pat=0
	[ "$_maj" -gt 6 ] || { [ "$_maj" -eq 6 ] && { [ "$_min" -ge 13 ] ||
		{ [ "$_min" -eq 12 ] && [ "$_pat" -ge 26 ]; }; }; }
}
# sixpn_id_on IFACE: the id of sixpn's program in IFACE's dispatcher, from
# xdp-loader (" => PRIO NAME ID TAG ACTIONS").
sixpn_id_on() { loader status "$1" 2>/dev/null | awk '$1 == "=>" && $3 == "sixpn_xdp_dns" { print $4 }'; }

# --- libxdp's fallback, forced: sixpn's program alone --------------------------
check "LIBXDP_SKIP_DISPATCHER=1: sixpn attaches alone" \
	env LIBXDP_SKIP_DISPATCHER=1 nsenter --net="/run/netns/$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" xdp "$IF"
snap
check_eq "status says skb/single (no dispatcher)" "$(xdp_col)" "skb/single"
single_id=$(prog_id sixpn_xdp_dns)
check "attaching again in the fallback changes nothing" \
	env LIBXDP_SKIP_DISPATCHER=1 nsenter --net="/run/netns/$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" xdp "$IF"
snap
check_eq "same program id after attaching again" "$(prog_id sixpn_xdp_dns)" "$single_id"
b=$(sixpn_count); traffic
moved "sixpn's counter moves without a dispatcher" "$b" "$(sixpn_count)"
check "xdp-detach detaches it" sixpn xdp-detach "$IF"
check_eq "no XDP program left on $IF" "$(on_iface 'No XDP program loaded')" 1
snap
check_eq "no status row for $IF" "$(xdp_col)" ""

# --- through the dispatcher ----------------------------------------------------
if sixpn xdp "$IF" >"$TMP/attach.out" 2>&1; then
	ok "sixpn-attach xdp attaches through libxdp"
else
	not_ok "sixpn-attach xdp attaches through libxdp"
	grep -v '^$' "$TMP/attach.out" | tail -40 | sed 's/^/#   /'
fi
snap
if [ "$(echo "$S" | grep -c '"dispatcher":true')" -eq 0 ]; then
	# The kernel refused what the dispatcher needs: libxdp fell back.
	echo "# kernel $(uname -r) refuses freplace programs: libxdp runs one program alone; coexistence not tested here"
	check_eq "libxdp fell back: skb/single" "$(xdp_col)" "skb/single"
	check_fails "an operator's libxdp program cannot join sixpn's (no dispatcher)" \
		loader load -m skb -p "$CNT" "$IF" "$COUNT_OBJ"
	DISPATCHER=no
	check_eq "sixpn's program still runs" "$(on_iface sixpn_xdp_dns)" 1
	check "detach" sixpn xdp-detach "$IF"
else
	DISPATCHER=yes
	check_eq "status: skb, alone in the dispatcher" "$(xdp_col)" "skb"
	if old_stubs_refused; then
		# xdp-loader 1.3.1 builds stubs these kernels will not let
		# sixpn's program replace (README: libxdp's dispatcher).
		check_fails "Linux $(uname -r): xdp-loader 1.3.1 cannot add a program to sixpn's dispatcher" \
			loader load -m skb -p "$CNT" "$IF" "$COUNT_OBJ"
		check_eq "sixpn's program runs on, alone" "$(on_iface sixpn_xdp_dns):$(on_iface xdp_count)" "1:0"
		check "the operator loads the counter first, then sixpn joins it" \
			sh -c "nsenter --net=/run/netns/$H '$BUILD/sixpn-attach' --pin-dir $PIN xdp-detach $IF &&
				nsenter --net=/run/netns/$H xdp-loader load -m skb -p $CNT $IF $COUNT_OBJ &&
				nsenter --net=/run/netns/$H '$BUILD/sixpn-attach' --pin-dir $PIN xdp $IF"
	else
		check "xdp-loader loads the operator's counter beside it (default priority 50)" \
			loader load -m skb -p "$CNT" "$IF" "$COUNT_OBJ"
	fi
	check_eq "xdp-loader status shows sixpn's program" "$(on_iface sixpn_xdp_dns)" 1
	check_eq "xdp-loader status shows the counter" "$(on_iface xdp_count)" 1
	check_eq "xdp-loader status shows one dispatcher" "$(on_iface xdp_dispatcher)" 1
	snap
	check_eq "status: skb+1" "$(xdp_col)" "skb+1"
	check_eq "run order: the counter (50), then sixpn (60)" "$(run_order)" "xdp_count:50 sixpn_xdp_dns:60 "
	sb=$(sixpn_count) ob=$(op_count); traffic
	moved "both run: the counter's count moves" "$ob" "$(op_count)"
	moved "both run: sixpn's counter moves" "$sb" "$(sixpn_count)"

	sid=$(prog_id sixpn_xdp_dns) oid=$(prog_id xdp_count)
	check "attaching sixpn again (a new process, as after a restart)" sixpn xdp "$IF"
	snap
	check_eq "sixpn's program is the same one" "$(prog_id sixpn_xdp_dns)" "$sid"
	check_eq "the counter is the same one" "$(prog_id xdp_count)" "$oid"
	check_eq "still skb+1" "$(xdp_col)" "skb+1"
	check "the pin records sixpn's program" test -e "$PIN/links/$IF@xdp"

	# Another mode is refused while the counter runs in skb mode.
	sixpn xdp --mode native "$IF" >"$TMP/native.out" 2>&1; rc=$?
	check_eq "attaching in native mode beside a skb counter fails (exit 1)" "$rc" 1
	check "the error says the interface runs another mode and names the counter" \
		sh -c "grep 'another mode' '$TMP/native.out' | grep -q 'xdp_count (id $oid'"
	grep 'level=error' "$TMP/native.out" | sed 's/^/# /'
	snap
	check_eq "both stay: skb+1" "$(xdp_col)" "skb+1"

	check "sixpn-attach xdp-detach" sixpn xdp-detach "$IF"
	check_eq "sixpn's program is gone" "$(on_iface sixpn_xdp_dns)" 0
	check_eq "the counter stays" "$(on_iface xdp_count)" 1
	check_fails "the pin is gone" test -e "$PIN/links/$IF@xdp"
	sb=$(sixpn_count) ob=$(op_count); traffic
	moved "the counter still counts" "$ob" "$(op_count)"
	still "sixpn's counter stays" "$sb" "$(sixpn_count)"

	check "sixpn joins the counter's dispatcher" sixpn xdp "$IF"
	snap
	check_eq "run order again: the counter, then sixpn" "$(run_order)" "xdp_count:50 sixpn_xdp_dns:60 "
	sb=$(sixpn_count) ob=$(op_count); traffic
	moved "both run again: the counter" "$ob" "$(op_count)"
	moved "both run again: sixpn" "$sb" "$(sixpn_count)"
	check "sixpn-attach unload" sixpn unload
	check_eq "unload removed sixpn's program" "$(on_iface sixpn_xdp_dns)" 0
	check_eq "unload left the counter" "$(on_iface xdp_count)" 1
	ob=$(op_count); traffic
	moved "the counter counts after sixpn's unload" "$ob" "$(op_count)"
	check "the operator unloads the counter" loader unload -a "$IF"
fi

# --- a program attached without libxdp stays, and sixpn says why ---------------
check "ip link attaches a program without libxdp" \
	ip -n "$H" link set dev "$IF" xdpgeneric obj "$OTHER_OBJ" sec xdp
before=$(ip -n "$H" link show "$IF" | grep -o 'prog/xdp id [0-9]*')
sixpn xdp "$IF" >"$TMP/legacy.out" 2>&1; rc=$?
check_eq "sixpn's attach fails (exit 1)" "$rc" 1
check "the error names the program and how to free the interface" \
	sh -c "grep 'without libxdp' '$TMP/legacy.out' | grep 'xdp off' | grep -q 'xdp_reflect'"
grep 'level=error' "$TMP/legacy.out" | sed 's/^/# /'
check_eq "the program stays" "$(ip -n "$H" link show "$IF" | grep -o 'prog/xdp id [0-9]*')" "$before"
snap
check_eq "status has no XDP of sixpn's" "$(xdp_col)" ""
ip -n "$H" link set dev "$IF" xdpgeneric off

# --- another build of sixpn's program is replaced, the rest stays -----------
# (xdp_old_sixpn.bpf.o: sixpn's name, other code)
if [ "$DISPATCHER" = yes ]; then
	check "an older sixpn and the counter in one dispatcher" \
		sh -c "nsenter --net=/run/netns/$H xdp-loader load -m skb -p $CNT $IF $COUNT_OBJ &&
			nsenter --net=/run/netns/$H xdp-loader load -m skb $IF $OLD_OBJ"
	old_id=$(sixpn_id_on "$IF") cnt_id=$(loader status "$IF" 2>/dev/null | awk '$1 == "=>" && $3 == "xdp_count" { print $4 }')
	check "sixpn-attach xdp replaces the older sixpn" sixpn xdp "$IF"
	new_id=$(sixpn_id_on "$IF")
	check_eq "one program of sixpn's on $IF" "$(on_iface sixpn_xdp_dns)" 1
	check_ne "not the older one" "$new_id" "$old_id"
	check_eq "the counter is the same one" \
		"$(loader status "$IF" 2>/dev/null | awk '$1 == "=>" && $3 == "xdp_count" { print $4 }')" "$cnt_id"
	sb=$(sixpn_count) ob=$(op_count); traffic
	moved "the new sixpn counts" "$sb" "$(sixpn_count)"
	moved "the counter counts" "$ob" "$(op_count)"
	sixpn xdp-detach "$IF"; loader unload -a "$IF" >/dev/null 2>&1
else
	check "an older sixpn attached without a dispatcher" \
		ip -n "$H" link set dev "$IF" xdpgeneric obj "$OLD_OBJ" sec xdp
	old_id=$(ip -n "$H" link show "$IF" | grep -o 'prog/xdp id [0-9]*')
	check "sixpn-attach xdp replaces it" sixpn xdp "$IF"
	check_ne "another program runs" "$(ip -n "$H" link show "$IF" | grep -o 'prog/xdp id [0-9]*')" "$old_id"
	sb=$(sixpn_count); traffic
	moved "the new sixpn counts" "$sb" "$(sixpn_count)"
	sixpn xdp-detach "$IF"
fi

# --- one loaded program in two dispatchers, as sixpnd attaches ---------------
if [ "$DISPATCHER" = yes ]; then
	instance_ns "$H" "$I2" "$IF2" "$A2" "${A2%:2}:0/112"
	check "sixpn-attach xdp $IF $IF2: one process, both interfaces" sixpn xdp "$IF" "$IF2"
	id1=$(sixpn_id_on "$IF") id2=$(sixpn_id_on "$IF2")
	check_ne "sixpn's program runs on $IF" "$id1" ""
	check_eq "the same program runs on $IF2" "$id2" "$id1"
	check "detach from $IF" sixpn xdp-detach "$IF"
	check_eq "it still runs on $IF2" "$(sixpn_id_on "$IF2")" "$id1"
	b=$(sixpn_count); in_ns "$I2" ping -6 -c 5 -i 0.2 -W 1 fe80::1%eth0 >/dev/null 2>&1
	moved "and counts there" "$b" "$(sixpn_count)"
	check "detach from $IF2" sixpn xdp-detach "$IF2"
	check_eq "nothing left on $IF2" "$(loader status "$IF2" 2>/dev/null | grep -c 'No XDP program loaded')" 1
fi

finish
