// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Flycast through BPF_PROG_TEST_RUN (tc/lib/flycast.h): the service maps
 * filled by hand (the Maglev table through loader/datapath/flycast.c),
 * a consumer's TCP, UDP and echo translated to the backend and the
 * backend's replies translated back, byte for byte against packets scapy
 * built on its own (selftests/packets/gen_flycast_packets.py), and every
 * Flycast drop reason with its packet. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_skel.h"
#include "sixpn_maps.h"
#include "sixpn_flycast.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/flycast.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

static struct sixpn_tc *skel;
static int ct_fd;

#define NSEC 1000000000ULL

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC + (__u64)ts.tv_nsec;
}

/* ifindex 1 as the consumer's interface (FX_INST of NET_A) or the
 * backend's (FX_INST_B of NET_B), both on HOST1. */
static int set_iface(int backend)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .prefix_len = 112, .l2_len = 14 };
	__u32 ifindex = FX_TEST_IFINDEX;

	ifc.net_id = backend ? FX_NET_B : FX_NET_A;
	sixpn_compose(&ifc.prefix, ifc.net_id, FX_HOST1, backend ? FX_INST_B : FX_INST, 0);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &ifindex, &ifc, BPF_ANY);
}

static int add_service(__u32 svc_id, __u32 slot, const char **backends, size_t n,
		       const __u16 *ports, __u32 nports)
{
	struct sixpn_fc_service svc = { .slot = slot, .app_net = FX_NET_B, .nbackends = (__u32)n,
					.nports = nports };
	static uint32_t table[SIXPN_FC_MAGLEV_M];
	struct sixpn_ip6 addrs[SIXPN_FC_MAX_BACKENDS], key;
	uint32_t idx[SIXPN_FC_MAX_BACKENDS];
	__u32 i, k;
	int err = 0;

	for (i = 0; i < nports; i++)
		svc.ports[i] = ports[i];
	for (i = 0; i < n; i++) {
		struct sixpn_fc_backend be = { 0 };

		if (inet_pton(AF_INET6, backends[i], be.addr.w) != 1)
			return -EINVAL;
		addrs[i] = be.addr;
		idx[i] = i;
		k = slot * SIXPN_FC_MAX_BACKENDS + i;
		err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_backends), &k, &be, BPF_ANY);
	}
	sixpn_fc_maglev(addrs, idx, n, table);
	for (i = 0; i < SIXPN_FC_MAGLEV_M; i++) {
		k = slot * SIXPN_FC_MAGLEV_M + i;
		err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_maglev), &k, &table[i], BPF_ANY);
	}
	sixpn_fc_service_addr(&key, FX_NET_A, svc_id);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_services), &key, &svc, BPF_ANY);
	return err;
}

static __u64 counter_of(__u32 hook, __u32 reason)
{
	return sixpn_stat_packets(bpf_map__fd(skel->maps.stats), hook, reason);
}

static __u64 counter(__u32 reason)
{
	return counter_of(SIXPN_HOOK_FROM_INSTANCE, reason);
}

/* One packet from the consumer (backend = 0) or the backend: its verdict,
 * its counter, and for a pass the exact bytes of `want`. */
static void run(const char *what, const char *name, int backend, enum sixpn_reason reason,
		const char *want_name, __u8 *out, __u32 *out_len_ret)
{
	const struct test_packet *in = packet(name);
	int drop = sixpn_reason_is_drop(reason);
	__u32 out_len = 4096, retval = ~0U;
	__u64 before = counter(reason);
	__u8 buf[4096];
	int err;

	if (!out)
		out = buf;
	CHECK_EQ(set_iface(backend), 0, "%s: interface set up", what);
	err = tc_prog_run(skel, FROM_INST, in->data, (__u32)in->len, out, &out_len, &retval);
	CHECK_EQ(err, 0, "%s: BPF_PROG_TEST_RUN runs", what);
	CHECK_EQ(retval, drop ? TC_ACT_SHOT : TC_ACT_OK, "%s: verdict %s", what,
		 drop ? "TC_ACT_SHOT" : "TC_ACT_OK");
	CHECK_EQ(counter(reason) - before, 1, "%s: counts %s once", what,
		 sixpn_reason_names[reason]);
	if (want_name) {
		const struct test_packet *want = packet(want_name);

		CHECK(out_len == want->len && !memcmp(out, want->data, want->len),
		      "%s: output bytes are scapy's %s", what, want_name);
		CHECK_EQ(ipv6_l4_checksum_residue(out + 14, out_len - 14), 0,
			 "%s: output L4 checksum is valid", what);
	}
	if (out_len_ret)
		*out_len_ret = out_len;
}

/* The conntrack entry of a packet as it entered (its own addresses and
 * ports), 0 when found. */
static int ct_key_of(const char *name, int reply_echo, struct sixpn_fc_ct_key *k)
{
	const __u8 *ip = packet(name)->data + 14;
	const __u8 *l4 = ip + 40;

	memset(k, 0, sizeof(*k));
	memcpy(&k->src, ip + 8, 16);
	memcpy(&k->dst, ip + 24, 16);
	k->proto = ip[6];
	if (k->proto == IPPROTO_ICMPV6) {
		memcpy(reply_echo ? &k->dport : &k->sport, l4 + 4, 2);
	} else {
		memcpy(&k->sport, l4, 2);
		memcpy(&k->dport, l4 + 2, 2);
	}
	return 0;
}

static int ct_get(const char *name, int reply_echo, struct sixpn_fc_ct *v)
{
	struct sixpn_fc_ct_key k;

	ct_key_of(name, reply_echo, &k);
	return bpf_map_lookup_elem(ct_fd, &k, v);
}

static void test_translate(void)
{
	struct sixpn_fc_ct v;
	__u64 t0, t1;

	t0 = mono_ns();
	run("TCP SYN to svc1:80", "tcp_syn", 0, SIXPN_PASS_FC_FORWARD, "tcp_syn_out", NULL, NULL);
	t1 = mono_ns();
	CHECK_EQ(ct_get("tcp_syn", 0, &v), 0, "TCP SYN: original conntrack entry exists");
	CHECK(v.expires_ns >= t0 + SIXPN_FC_TO_TCP_EST * NSEC &&
	      v.expires_ns <= t1 + SIXPN_FC_TO_TCP_EST * NSEC,
	      "TCP SYN: entry expires after the established timeout (%u s)", SIXPN_FC_TO_TCP_EST);
	CHECK_EQ(ct_get("tcp_synack", 0, &v), 0, "TCP SYN: reply entry keyed by the backend's packet");
	CHECK_EQ(v.dir, SIXPN_FC_CT_DIR_REPLY, "TCP SYN: reply entry has the reply direction");
	run("backend's SYN-ACK", "tcp_synack", 1, SIXPN_PASS_FC_REPLY, "tcp_synack_out", NULL, NULL);
	t0 = mono_ns();
	run("TCP FIN, same flow", "tcp_fin", 0, SIXPN_PASS_FC_FORWARD, "tcp_fin_out", NULL, NULL);
	t1 = mono_ns();
	CHECK_EQ(ct_get("tcp_fin", 0, &v), 0, "TCP FIN: entry still there");
	CHECK(v.state == SIXPN_FC_ST_CLOSING && v.expires_ns >= t0 + SIXPN_FC_TO_TCP_CLOSE * NSEC &&
	      v.expires_ns <= t1 + SIXPN_FC_TO_TCP_CLOSE * NSEC,
	      "TCP FIN: entry closing, expires after %u s", SIXPN_FC_TO_TCP_CLOSE);
	CHECK(v.packets == 2, "TCP: the original entry counted 2 packets (got %llu)",
	      (unsigned long long)v.packets);

	t0 = mono_ns();
	run("UDP to svc1:5353", "udp", 0, SIXPN_PASS_FC_FORWARD, "udp_out", NULL, NULL);
	t1 = mono_ns();
	CHECK_EQ(ct_get("udp", 0, &v), 0, "UDP: conntrack entry exists");
	CHECK(v.expires_ns >= t0 + SIXPN_FC_TO_UDP * NSEC && v.expires_ns <= t1 + SIXPN_FC_TO_UDP * NSEC,
	      "UDP: entry expires after %u s", SIXPN_FC_TO_UDP);
	run("backend's UDP reply", "udp_reply", 1, SIXPN_PASS_FC_REPLY, "udp_reply_out", NULL, NULL);

	t0 = mono_ns();
	run("ICMPv6 echo request to svc1", "echo", 0, SIXPN_PASS_FC_FORWARD, "echo_out", NULL, NULL);
	t1 = mono_ns();
	CHECK_EQ(ct_get("echo", 0, &v), 0, "echo: conntrack entry exists");
	CHECK(v.expires_ns >= t0 + SIXPN_FC_TO_ICMP * NSEC && v.expires_ns <= t1 + SIXPN_FC_TO_ICMP * NSEC,
	      "echo: entry expires after %u s", SIXPN_FC_TO_ICMP);
	run("backend's echo reply", "echo_reply", 1, SIXPN_PASS_FC_REPLY, "echo_reply_out", NULL, NULL);
	/* the same packets again: the entries, not a new pick */
	run("UDP again", "udp", 0, SIXPN_PASS_FC_FORWARD, "udp_out", NULL, NULL);
	run("UDP reply again", "udp_reply", 1, SIXPN_PASS_FC_REPLY, "udp_reply_out", NULL, NULL);
}

/* ICMPv6 errors about a translated flow, translated back (outer
 * destination, the quote, both checksums): from the backend, and this
 * host's own on mesh egress, redirected to the consumer's interface. */
static void test_icmp_errors(void)
{
	const struct test_packet *in, *want;
	__u32 out_len = 4096, retval = ~0U;
	__u64 before;
	__u8 out[4096];

	run("Packet Too Big from the backend about the UDP flow", "ptb_from_backend", 1,
	    SIXPN_PASS_FC_ICMP_ERROR, "ptb_from_backend_out", NULL, NULL);
	run("Packet Too Big from the backend quoting no flow", "ptb_no_flow", 1,
	    SIXPN_DROP_NO_FLOW, NULL, NULL, NULL);

	in = packet("mesh_ptb");
	want = packet("mesh_ptb_out");
	before = counter_of(SIXPN_HOOK_MESH_OUT, SIXPN_PASS_FC_ICMP_ERROR);
	CHECK_EQ(tc_prog_run(skel, MESH_OUT, in->data, (__u32)in->len, out, &out_len, &retval), 0,
		 "mesh egress: this host's Packet Too Big runs");
	CHECK_EQ(retval, 7 /* TC_ACT_REDIRECT */, "mesh egress: the error is redirected");
	CHECK_EQ(counter_of(SIXPN_HOOK_MESH_OUT, SIXPN_PASS_FC_ICMP_ERROR) - before, 1,
		 "mesh egress: counts PASS_FC_ICMP_ERROR once");
	CHECK(out_len == want->len && !memcmp(out, want->data, want->len),
	      "mesh egress: output bytes are scapy's mesh_ptb_out (consumer's link header)");
	in = packet("mesh_ptb_no_flow");
	out_len = sizeof(out);
	before = counter_of(SIXPN_HOOK_MESH_OUT, SIXPN_DROP_NO_FLOW);
	CHECK_EQ(tc_prog_run(skel, MESH_OUT, in->data, (__u32)in->len, out, &out_len, &retval), 0,
		 "mesh egress: Packet Too Big quoting no flow runs");
	CHECK_EQ(retval, TC_ACT_SHOT, "mesh egress: quoting no flow is dropped");
	CHECK_EQ(counter_of(SIXPN_HOOK_MESH_OUT, SIXPN_DROP_NO_FLOW) - before, 1,
		 "mesh egress: counts DROP_NO_FLOW once");
}

static void test_drops(void)
{
	run("UDP to an unallocated service address", "udp_no_service", 0, SIXPN_DROP_NO_SERVICE, NULL, NULL, NULL);
	run("TCP to port 81 (not in --ports)", "tcp_other_port", 0, SIXPN_DROP_SVC_PORT, NULL, NULL, NULL);
	run("UDP to port 53 (not in --ports)", "udp_other_port", 0, SIXPN_DROP_SVC_PORT, NULL, NULL, NULL);
	run("echo reply to a service address", "echo_reply_to_svc", 0, SIXPN_DROP_SVC_PORT, NULL, NULL, NULL);
	run("UDP to a service with no backend", "udp_no_backend", 0, SIXPN_DROP_NO_BACKEND, NULL, NULL, NULL);
	run("backend's UDP to a SNAT address with no flow", "udp_no_flow", 1, SIXPN_DROP_NO_FLOW, NULL, NULL, NULL);
	run("backend's TCP SYN to a SNAT address with no flow", "tcp_no_flow", 1, SIXPN_DROP_NO_FLOW, NULL, NULL, NULL);
	run("backend's echo request to a flow's SNAT address", "echo_req_to_snat", 1, SIXPN_DROP_NO_FLOW, NULL, NULL, NULL);
}

/* Timeouts: the entries' timestamps are the test's to set. */
static void test_timeouts(void)
{
	struct sixpn_fc_ct_key k;
	struct sixpn_fc_ct v;
	__u32 zero = 0;
	struct sixpn_fc_config cfg = { .host_id = FX_HOST1, .to_udp = 5 };
	__u64 t0, t1;

	/* an expired reply entry: the backend's packet has no flow */
	ct_key_of("udp_reply", 0, &k);
	CHECK_EQ(bpf_map_lookup_elem(ct_fd, &k, &v), 0, "timeout: UDP reply entry found");
	v.expires_ns = 1;
	CHECK_EQ(bpf_map_update_elem(ct_fd, &k, &v, BPF_EXIST), 0, "timeout: reply entry expired by hand");
	run("backend's UDP reply to an expired flow", "udp_reply", 1, SIXPN_DROP_NO_FLOW, NULL, NULL, NULL);
	/* an expired original entry: the next packet is a new flow, which
	 * takes the same SNAT address again and revives the reply entry */
	ct_key_of("udp", 0, &k);
	CHECK_EQ(bpf_map_lookup_elem(ct_fd, &k, &v), 0, "timeout: UDP original entry found");
	v.expires_ns = 1;
	v.packets = 0;
	CHECK_EQ(bpf_map_update_elem(ct_fd, &k, &v, BPF_EXIST), 0, "timeout: original entry expired by hand");
	CHECK_EQ(bpf_map_update_elem(bpf_map__fd(skel->maps.fc_config), &zero, &cfg, BPF_ANY), 0,
		 "timeout: fc_config sets UDP to 5 s");
	t0 = mono_ns();
	run("UDP after its flow expired", "udp", 0, SIXPN_PASS_FC_FORWARD, "udp_out", NULL, NULL);
	t1 = mono_ns();
	CHECK_EQ(bpf_map_lookup_elem(ct_fd, &k, &v), 0, "timeout: a new original entry");
	CHECK(v.packets == 1 && v.expires_ns >= t0 + 5 * NSEC && v.expires_ns <= t1 + 5 * NSEC,
	      "timeout: new entry, 1 packet, expires after the configured 5 s");
	run("backend's UDP reply, new flow", "udp_reply", 1, SIXPN_PASS_FC_REPLY, "udp_reply_out", NULL, NULL);
	cfg.to_udp = 0;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fc_config), &zero, &cfg, BPF_ANY);
}

/* DROP_CT_FULL: every SNAT word the flow may take holds another flow's
 * reply key (same backend, ports and protocol). */
static void test_ct_full(void)
{
	struct sixpn_fc_ct_key ok, rk;
	struct sixpn_fc_ct v, rv;
	__u16 w;
	int i, err = 0;

	ct_key_of("tcp_syn", 0, &ok);
	ct_key_of("tcp_synack", 0, &rk);
	CHECK_EQ(bpf_map_lookup_elem(ct_fd, &rk, &rv), 0, "ct full: the TCP flow's reply entry");
	bpf_map_delete_elem(ct_fd, &ok);
	w = ntohs(rk.dst.w[7]);
	for (i = 1; i < SIXPN_FC_SNAT_TRIES; i++) {
		__u16 wi = (__u16)(SIXPN_FC_SNAT_FIRST + (w - SIXPN_FC_SNAT_FIRST + i) % (0x10000 - SIXPN_FC_SNAT_FIRST));

		rk.dst.w[7] = htons(wi);
		err |= bpf_map_update_elem(ct_fd, &rk, &rv, BPF_NOEXIST);
	}
	CHECK_EQ(err, 0, "ct full: the next %d SNAT words taken by other flows", SIXPN_FC_SNAT_TRIES - 1);
	run("TCP SYN with every SNAT word taken", "tcp_syn", 0, SIXPN_DROP_CT_FULL, NULL, NULL, NULL);
	CHECK(bpf_map_lookup_elem(ct_fd, &ok, &v) != 0, "ct full: no original entry left behind");
	/* one word freed: the flow gets through again */
	rk.dst.w[7] = htons(w);
	bpf_map_delete_elem(ct_fd, &rk);
	run("TCP SYN once its SNAT word is free", "tcp_syn", 0, SIXPN_PASS_FC_FORWARD, "tcp_syn_out", NULL, NULL);
	(void)v;
}

static const char *svc3_backends[] = {
	"fdaa:0:19:a7b:174:0:c:2", "fdaa:0:19:a7b:174:0:d:2",
	"fdaa:0:19:a7b:d6b:0:b:2", "fdaa:0:19:a7b:d6b:0:e:2",
};

static int backend_of(const __u8 *out)
{
	struct sixpn_ip6 a;
	int i;

	for (i = 0; i < 4; i++) {
		inet_pton(AF_INET6, svc3_backends[i], a.w);
		if (!memcmp(out + 14 + 24, a.w, 16))
			return i;
	}
	return -1;
}

static void test_sticky(void)
{
	int first[16], seen = 0, same = 1, valid = 1, i;
	__u8 out[4096];
	char name[32];

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "sticky_%d", i);
		run(name, name, 0, SIXPN_PASS_FC_FORWARD, NULL, out, NULL);
		first[i] = backend_of(out);
		valid &= first[i] >= 0;
		if (first[i] >= 0)
			seen |= 1 << first[i];
		CHECK_EQ(ipv6_l4_checksum_residue(out + 14, packet(name)->len - 14), 0,
			 "%s: output checksum valid", name);
	}
	CHECK(valid, "sticky: every flow went to one of svc3's backends");
	CHECK(__builtin_popcount(seen) >= 2, "sticky: 16 flows spread over %d of 4 backends",
	      __builtin_popcount(seen));
	/* forget every flow: Maglev alone must give each the same backend */
	for (i = 0; i < 4; i++) {
		struct sixpn_ip6 a;

		inet_pton(AF_INET6, svc3_backends[i], a.w);
		sixpn_fc_ct_forget_backend(ct_fd, &a);
	}
	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "sticky_%d", i);
		run(name, name, 0, SIXPN_PASS_FC_FORWARD, NULL, out, NULL);
		same &= backend_of(out) == first[i];
	}
	CHECK(same, "sticky: with conntrack emptied, each flow picks the same backend again");
}

/* Runs sixpnctl (beside this binary's directory) and reads its stdout;
 * returns its exit status. */
static int run_ctl(const char *ctl, const char *args, char *out, size_t size)
{
	char cmd[5 * PATH_MAX];
	size_t n = 0, r;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", ctl, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n + 1 < size && (r = fread(out + n, 1, size - 1 - n, f)) > 0)
		n += r;
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t live_flows(void)
{
	struct sixpn_fc_ct_key k, next;
	struct sixpn_fc_ct v;
	size_t n = 0;
	__u64 now = mono_ns();
	void *prev = NULL;

	while (!bpf_map_get_next_key(ct_fd, prev, &next)) {
		k = next;
		prev = &k;
		if (!bpf_map_lookup_elem(ct_fd, &k, &v) && v.dir == SIXPN_FC_CT_DIR_ORIG &&
		    v.expires_ns > now + NSEC)
			n++;
	}
	return n;
}

/* ct list --app: the registry names the app's service addresses. The
 * entry here is written by hand (its address is the registry's choice, not
 * one of the built packets'): the filter is under test, not the BPF. */
static void test_ct_list_app(const char *ctl, const char *dir, size_t flows)
{
	char tmp[] = "/tmp/f2_replay_reg.XXXXXX", db[64], args[4 * PATH_MAX], want[256], addr[64] = "";
	static char out[1 << 20];
	struct sixpn_fc_ct_key k = { 0 };
	struct sixpn_fc_ct v = { 0 };
	const char *a;
	int rc;

	if (!mkdtemp(tmp)) {
		CHECK(0, "ct list --app: a temporary directory");
		return;
	}
	snprintf(db, sizeof(db), "%s/reg.db", tmp);
	snprintf(args, sizeof(args), "--registry %s ct list --app f2-nosuch --pin-dir %s 2>/dev/null",
		 db, dir);
	CHECK_EQ(run_ctl(ctl, args, out, sizeof(out)), 3, "ct list --app of an unknown app: exit 3");
	snprintf(args, sizeof(args), "--registry %s orgs create f2org >/dev/null && "
		 "%s --registry %s apps create f2web --org f2org >/dev/null && "
		 "%s --registry %s --json ips allocate --app f2web", db, ctl, db, ctl, db);
	rc = run_ctl(ctl, args, out, sizeof(out));
	a = strstr(out, "\"address\":\"");
	if (a)
		sscanf(a + 11, "%63[0-9a-f:]", addr);
	CHECK(rc == 0 && addr[0] && inet_pton(AF_INET6, addr, k.dst.w) == 1,
	      "ct list --app: f2web's Flycast address allocated (%s)", addr);
	inet_pton(AF_INET6, FX_INST_ADDR, k.src.w);
	k.sport = htons(1234);
	k.dport = htons(80);
	k.proto = IPPROTO_TCP;
	v.dir = SIXPN_FC_CT_DIR_ORIG;
	v.expires_ns = mono_ns() + 100 * NSEC;
	inet_pton(AF_INET6, FX_REMOTE_B_ADDR, v.new_dst.w);
	sixpn_compose(&v.new_src, FX_NET_B, FX_HOST1, 0, 0x4242);
	CHECK_EQ(bpf_map_update_elem(ct_fd, &k, &v, BPF_NOEXIST), 0,
		 "ct list --app: a flow to f2web's address in conntrack");
	snprintf(args, sizeof(args), "--registry %s --json ct list --app f2web --pin-dir %s", db, dir);
	rc = run_ctl(ctl, args, out, sizeof(out));
	snprintf(want, sizeof(want), "\"service\":\"%s\"", addr);
	CHECK(rc == 0 && strstr(out, "\"total_flows\":1,") && strstr(out, want) &&
	      !strstr(out, "fdaa:0:18::1:0") && !strstr(out, "fdaa:0:18::3:0"),
	      "ct list --app f2web: that flow alone, none of the other services'");
	snprintf(args, sizeof(args), "ct list --pin-dir %s --json", dir);
	rc = run_ctl(ctl, args, out, sizeof(out));
	snprintf(want, sizeof(want), "\"total_flows\":%zu,", flows + 1);
	CHECK(rc == 0 && strstr(out, want), "ct list without --app: every flow (%s)", want);
	bpf_map_delete_elem(ct_fd, &k);
	snprintf(args, sizeof(args), "rm -rf '%s'", tmp);
	if (system(args))
		CHECK(0, "ct list --app: %s removed", tmp);
}

/* sixpnctl ct list on this test's conntrack map, pinned in a directory of
 * its own (never a running host's). */
static void test_ct_list(const char *self)
{
	char dir[256], pin[300], ctl[PATH_MAX], *s = strdup(self), args[600], want[512];
	static char out[1 << 20];
	char snat[64];
	struct sixpn_fc_ct v;
	size_t flows;
	int rc;

	snprintf(ctl, sizeof(ctl), "%s/../sixpnctl", dirname(s));
	free(s);
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/f2_replay_%d", (int)getpid());
	snprintf(pin, sizeof(pin), "%s/fc_ct", dir);
	mkdir(dir, 0700);
	CHECK_EQ(bpf_obj_pin(ct_fd, pin), 0, "ct list: conntrack map pinned at %s", pin);
	/* the TCP flow of test_ct_full, alive for hours: exactly as the map has it */
	CHECK_EQ(ct_get("tcp_syn", 0, &v), 0, "ct list: the TCP flow is in conntrack");
	inet_ntop(AF_INET6, v.new_src.w, snat, sizeof(snat));
	flows = live_flows();
	snprintf(args, sizeof(args), "ct list --pin-dir %s --json", dir);
	rc = run_ctl(ctl, args, out, sizeof(out));
	CHECK_EQ(rc, 0, "ct list --json: exit 0");
	snprintf(want, sizeof(want), "\"total_flows\":%zu,", flows);
	CHECK(strstr(out, want) != NULL, "ct list --json: %s (the map's live flows)", want);
	snprintf(want, sizeof(want),
		 "{\"proto\":\"tcp\",\"consumer\":\"%s\",\"service\":\"fdaa:0:18::1:0\","
		 "\"backend\":\"%s\",\"snat\":\"%s\",\"consumer_port\":40000,"
		 "\"service_port\":80,\"state\":\"open\"", FX_INST_ADDR, FX_INST_B_ADDR, snat);
	CHECK(strstr(out, want) != NULL, "ct list --json: the TCP flow, backend and SNAT %s", snat);
	snprintf(args, sizeof(args), "ct list --pin-dir %s", dir);
	rc = run_ctl(ctl, args, out, sizeof(out));
	snprintf(want, sizeof(want), "\n%zu flows\n", flows);
	CHECK(rc == 0 && strstr(out, want) && strstr(out, snat),
	      "ct list (text): %zu flows, the TCP flow's SNAT address", flows);
	/* an expired flow is not live */
	v.expires_ns = 1;
	{
		struct sixpn_fc_ct_key k;

		ct_key_of("tcp_syn", 0, &k);
		bpf_map_update_elem(ct_fd, &k, &v, BPF_EXIST);
	}
	snprintf(args, sizeof(args), "ct list --pin-dir %s --json", dir);
	rc = run_ctl(ctl, args, out, sizeof(out));
	snprintf(want, sizeof(want), "\"total_flows\":%zu,", flows - 1);
	CHECK(rc == 0 && strstr(out, want) && !strstr(out, snat),
	      "ct list: an expired flow is gone from the listing (%s)", want);
	snprintf(args, sizeof(args), "ct list --pin-dir %s/missing 2>/dev/null", dir);
	CHECK_EQ(run_ctl(ctl, args, out, sizeof(out)), 3, "ct list: no map pinned there: exit 3");
	test_ct_list_app(ctl, dir, flows - 1);
	unlink(pin);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], *dir = strdup(argc > 1 ? argv[1] : "build/selftests/packets.txt");
	static const __u16 svc1_ports[] = { 80, 5353 };
	const char *svc1_backends[] = { FX_INST_B_ADDR };
	struct sixpn_fc_config cfg = { .host_id = FX_HOST1 };
	__u32 zero = 0;

	snprintf(path, sizeof(path), "%s/flycast_packets.txt", dirname(dir));
	free(dir);
	skel = tc_skel_setup(path);
	if (!skel)
		return 2;
	ct_fd = bpf_map__fd(skel->maps.fc_ct);
	CHECK_EQ(bpf_map_update_elem(bpf_map__fd(skel->maps.fc_config), &zero, &cfg, BPF_ANY), 0,
		 "fc_config: this host is FX_HOST1");
	CHECK_EQ(add_service(1, 0, svc1_backends, 1, svc1_ports, 2), 0, "svc1: one backend, ports 80 5353");
	CHECK_EQ(add_service(2, 1, NULL, 0, NULL, 0), 0, "svc2: no backend");
	CHECK_EQ(add_service(3, 2, svc3_backends, 4, NULL, 0), 0, "svc3: four backends, every port");

	test_translate();
	test_icmp_errors();
	test_drops();
	test_timeouts();
	test_ct_full();
	test_ct_list(argv[0]);
	test_sticky();

	sixpn_tc__destroy(skel);
	return test_summary("flycast_replay");
}
