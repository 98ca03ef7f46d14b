// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* prog_cost: what each sixpn program costs per packet, measured with
 * BPF_PROG_TEST_RUN against an empty TC program in the same run.
 *
 *   prog_cost [--runs N] [--repeat R] PACKETS_FILE
 *
 * Prints one JSON object per case and line, with the ns/packet of every run
 * (the kernel's average over R repetitions); scripts/bench/report.py turns
 * them into medians, min/max and ratios. Runs are interleaved across cases,
 * so that drift (frequency, other load) hits every case alike. Maps are
 * private (unpinned), as in the selftests: a running host is not touched.
 *
 * A repeated test run feeds the same buffer to the program again, including
 * any change the program made to it. The mesh swap would then alternate
 * between the two forms, and mesh ingress would see every other packet as
 * cross-network; so the mesh cases use addresses whose network and host
 * words are equal, which the swap leaves as they are: every repetition does
 * the full swap and takes the pass path.
 *
 * Flycast's translation (tc/lib/flycast.h) rewrites the addresses, so
 * a repeated run would see its own output: those cases, and the isolation
 * pass they are compared with, run one repetition per BPF_PROG_TEST_RUN
 * (repeat / PER_CALL_DIV calls a run) and average the kernel's durations.
 * The established-flow case finds its conntrack entry every call; the
 * new-flow case has both of its entries deleted before each call (outside
 * the timed part), so every call picks a backend by Maglev and inserts
 * the two entries. The first call of each is checked byte for byte
 * against scapy's translated packet (gen_flycast_packets.py).
 *
 * The XDP DNS fast path turns its query into a reply, so it runs inside
 * selftests/progs/xdp_dns_bench.bpf.c, which writes the query back before
 * each repetition. Its figures are that wrapper's time minus the time of the
 * restore alone (bench_restore), run by run; the restore alone does not
 * shrink the packet, so those still carry the harness's shrink of the
 * reply. The "restore and shrink subtracted" figures also take off half of
 * what bench_restore_resize adds over the restore alone (the harness's
 * shrink and a grow like the answer's, taken to cost alike), leaving the
 * fast path's own resize in. Every repetition is checked to have been counted with the
 * expected reason. The baseline is selftests/progs/xdp_reflect.bpf.c: a
 * program that only turns a DNS query around. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tc/sixpn_tc.skel.h"
#include "selftests/progs/tc_empty.skel.h"
#include "selftests/progs/xdp_reflect.skel.h"
#include "selftests/progs/xdp_dns_bench.skel.h"
#include "datapath/dns_names.h"
#include "datapath/ifaces.h"
#include "datapath/flycast.h"
#include "datapath/kconfig.h"
#include "sixpn_flycast.h"
#include "sixpn_maps.h"
#include "private_maps.h"
#include "sixpn_dns.h"
#include "packets.h"
#include "datapath/stats.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TEST_IFINDEX 1          /* BPF_PROG_TEST_RUN runs TC programs on lo */
#define MAX_RUNS 64
#define BASELINE_TC "empty TC program"
#define BASELINE_XDP "XDP reflector (turns a DNS query around)"
#define XDP_PASS 2
#define XDP_TX 3
#define PER_CALL_DIV 100
#define BASELINE_PER_CALL "isolation, pass (from instance, same-network UDP; one repetition per call)"

struct bench_case {
	const char *name;
	const char *baseline;   /* NULL: this case is a baseline */
	int prog_fd;
	const char *packet;
	int fixed_point;        /* rewrite addresses so the mesh swap is a no-op */
	__u32 want_retval;
	struct test_packet pkt; /* the bytes fed to the program */
	int xdp;                /* an XDP program: ingress ifindex in the context */
	int restore;            /* xdp_dns_bench: the query to write back */
	int check;              /* `reason` is counted once per repetition */
	enum sixpn_reason reason;
	const char *minus;      /* subtract this case's time, run by run */
	const char *half_of;    /* and half of this one's excess over `minus` */
	int per_call;           /* one repetition per call (1 established, 2 new flow) */
	const char *want_out;   /* the first call's output must be this packet */
	double ns[MAX_RUNS];
};

static struct sixpn_tc *tc;
static struct tc_empty *empty;
static struct xdp_reflect *reflect;
static struct xdp_dns_bench *dnsb;

/* Both addresses get the source's network words as network and host: the
 * swap then rewrites every word it always does, into the same values, and
 * both ends stay in one network. */
static void mesh_fixed_point(__u8 *ip6)
{
	__u8 net[4];

	memcpy(net, ip6 + 8 + 2, 4);          /* source words 1-2 */
	memcpy(ip6 + 8 + 6, net, 4);          /* source words 3-4 */
	memcpy(ip6 + 24 + 2, net, 4);         /* destination words 1-2 */
	memcpy(ip6 + 24 + 6, net, 4);         /* destination words 3-4 */
}

static int setup_maps(void)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = 0x18,
				   .prefix_len = 112, .l2_len = 14 };
	__u32 ifindex = TEST_IFINDEX;

	sixpn_compose(&ifc.prefix, 0x18, 0x0a7b0d6b, 0xa, 0);
	/* As sixpnd writes them: `ifaces` and the interface's slot. */
	return sixpn_iface_set(bpf_map__fd(tc->maps.ifaces), bpf_map__fd(tc->maps.iface_slots),
			       ifindex, &ifc) ||
	       sixpn_iface_set(bpf_map__fd(dnsb->maps.ifaces), bpf_map__fd(dnsb->maps.iface_slots),
			       ifindex, &ifc);
}

/* The names the DNS packets of selftests/packets/gen_dns_packets.py ask
 * for, as sixpnd would publish them for network 0x18. */
static int setup_names(void)
{
	static const char *const eight[8] = {
		"fdaa:0:18:a7b:d6b:0:1:2", "fdaa:0:18:a7b:d6b:0:2:2", "fdaa:0:18:a7b:d6b:0:3:2",
		"fdaa:0:18:a7b:d6b:0:4:2", "fdaa:0:18:a7b:174:0:5:2", "fdaa:0:18:a7b:174:0:6:2",
		"fdaa:0:18:a7b:174:0:7:2", "fdaa:0:18:a7b:d6b:0:f:102",
	};
	int fd = bpf_map__fd(dnsb->maps.dns_names), i, err;
	struct sixpn_dns_config cfg;
	struct sixpn_ip6 a[8];

	for (i = 0; i < 8; i++)
		if (inet_pton(AF_INET6, eight[i], a[i].w) != 1)
			return -EINVAL;
	sixpn_dns_config_default(&cfg);
	cfg.enabled = 1;
	/* Budgets that never run out (a token a ns): the pass-up cases time
	 * the buckets, and every repetition is still passed up. */
	cfg.passup_rate = cfg.passup_net_rate = 1000000000;
	cfg.passup_burst = cfg.passup_net_burst = 1000000000;
	err = sixpn_dns_config_set(bpf_map__fd(dnsb->maps.dns_config), &cfg);
	if (!err)
		err = sixpn_dns_name_put(fd, 0x18, "web.internal", &a[7], 1, 0);
	if (!err)
		err = sixpn_dns_name_put(fd, 0x18, "eight.internal", a, 8, 0);
	if (!err)
		err = sixpn_dns_name_put(fd, 0x18, "regions.web.internal", NULL, 0,
					 SIXPN_DNS_F_USERSPACE);
	return err;
}

/* Flycast's service 1 of gen_flycast_packets.py: one backend, ports 80
 * and 5353, on host a7b:d6b (fixtures.h). */
static int setup_flycast(void)
{
	struct sixpn_fc_service svc = { .slot = 0, .app_net = 0x19, .nbackends = 1, .nports = 2,
					.ports = { 80, 5353 } };
	struct sixpn_fc_config cfg = { .host_id = 0x0a7b0d6b };
	struct sixpn_fc_backend be = { 0 };
	static uint32_t table[SIXPN_FC_MAGLEV_M];
	uint32_t idx0 = 0, k, zero = 0;
	struct sixpn_ip6 svc_addr;
	int err = 0;

	if (inet_pton(AF_INET6, "fdaa:0:19:a7b:d6b:0:b:2", be.addr.w) != 1)
		return -EINVAL;
	sixpn_fc_maglev(&be.addr, &idx0, 1, table);
	for (k = 0; k < SIXPN_FC_MAGLEV_M; k++)
		err |= bpf_map_update_elem(bpf_map__fd(tc->maps.fc_maglev), &k, &table[k], BPF_ANY);
	k = 0;
	err |= bpf_map_update_elem(bpf_map__fd(tc->maps.fc_backends), &k, &be, BPF_ANY);
	sixpn_fc_service_addr(&svc_addr, 0x18, 1);
	err |= bpf_map_update_elem(bpf_map__fd(tc->maps.fc_services), &svc_addr, &svc, BPF_ANY);
	err |= bpf_map_update_elem(bpf_map__fd(tc->maps.fc_config), &zero, &cfg, BPF_ANY);
	return err;
}

/* Deletes both conntrack entries of the flow of packet p (L2 14). */
static void flycast_forget(const struct test_packet *p)
{
	int fd = bpf_map__fd(tc->maps.fc_ct);
	struct sixpn_fc_ct_key k = { 0 }, rk = { 0 };
	struct sixpn_fc_ct v;
	const __u8 *ip = p->data + 14;

	memcpy(&k.src, ip + 8, 16);
	memcpy(&k.dst, ip + 24, 16);
	memcpy(&k.sport, ip + 40, 2);
	memcpy(&k.dport, ip + 42, 2);
	k.proto = ip[6];
	if (bpf_map_lookup_elem(fd, &k, &v))
		return;
	rk.src = v.new_dst;
	rk.dst = v.new_src;
	rk.sport = k.dport;
	rk.dport = k.sport;
	rk.proto = k.proto;
	bpf_map_delete_elem(fd, &rk);
	bpf_map_delete_elem(fd, &k);
}

static __u64 xdp_counter(__u32 reason)
{
	return sixpn_stat_packets(bpf_map__fd(dnsb->maps.stats), SIXPN_HOOK_XDP_DNS, reason);
}

static int test_run_once(struct bench_case *c, int repeat, __u32 *duration);

/* repeat / PER_CALL_DIV calls of one repetition each: the mean duration. */
static int test_run(struct bench_case *c, int repeat, __u32 *duration)
{
	__u64 sum = 0;
	__u32 d;
	int n, i, err;

	if (!c->per_call)
		return test_run_once(c, repeat, duration);
	n = repeat > PER_CALL_DIV ? repeat / PER_CALL_DIV : 1;
	for (i = 0; i < n; i++) {
		if (c->per_call == 2)
			flycast_forget(&c->pkt);
		err = test_run_once(c, 1, &d);
		if (err)
			return err;
		sum += d;
	}
	*duration = (__u32)(sum / (__u64)n);
	return 0;
}

static int test_run_once(struct bench_case *c, int repeat, __u32 *duration)
{
	/* BPF_PROG_TEST_RUN runs XDP programs on lo: ifindex 1 plays the
	 * instance interface. */
	struct xdp_md ctx = { .data_end = c->pkt.len, .ingress_ifindex = TEST_IFINDEX };
	__u8 out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->pkt.data,
		    .data_size_in = c->pkt.len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);
	__u64 before = 0;
	int err;

	if (c->xdp) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	if (c->restore) {
		if (c->pkt.len > sizeof(dnsb->bss->query))
			return -E2BIG;
		memcpy(dnsb->bss->query, c->pkt.data, c->pkt.len);
		dnsb->bss->query_len = c->pkt.len;
		/* The AAAA answer's size: one record of 28 bytes more. */
		dnsb->bss->resize_len = c->pkt.len + 28;
	}
	if (c->check)
		before = xdp_counter(c->reason);
	err = bpf_prog_test_run_opts(c->prog_fd, &opts);
	if (err)
		return -errno;
	if (opts.retval != c->want_retval) {
		fprintf(stderr, "prog_cost: %s: verdict %u, want %u\n", c->name,
			opts.retval, c->want_retval);
		return -EINVAL;
	}
	if (c->check && xdp_counter(c->reason) - before != (__u64)repeat) {
		fprintf(stderr, "prog_cost: %s: not every repetition counted %s\n", c->name,
			sixpn_reason_names[c->reason]);
		return -EINVAL;
	}
	if (c->want_retval == TC_ACT_OK && c->fixed_point &&
	    (opts.data_size_out != c->pkt.len || memcmp(out, c->pkt.data, c->pkt.len))) {
		fprintf(stderr, "prog_cost: %s: the swap is not a fixed point\n", c->name);
		return -EINVAL;
	}
	if (c->want_out) {
		const struct test_packet *w = packet(c->want_out);

		if (opts.data_size_out != w->len || memcmp(out, w->data, w->len)) {
			fprintf(stderr, "prog_cost: %s: output is not %s\n", c->name, c->want_out);
			return -EINVAL;
		}
		c->want_out = NULL;     /* checked once: the first call */
	}
	*duration = opts.duration;
	return 0;
}

static int prepare(struct bench_case *c)
{
	const struct test_packet *p = packet(c->packet);

	c->pkt.name = p->name;
	c->pkt.len = p->len;
	c->pkt.data = malloc(p->len);
	if (!c->pkt.data)
		return -ENOMEM;
	memcpy(c->pkt.data, p->data, p->len);
	if (c->fixed_point)
		mesh_fixed_point(c->pkt.data);
	return 0;
}

static void print_case(const struct bench_case *c, int runs, int repeat)
{
	int i;

	printf("{\"bench\":\"program_cost\",\"case\":\"%s\",\"unit\":\"ns/pkt\","
	       "\"better\":\"lower\",\"repeat\":%d,", c->name, repeat);
	if (c->baseline)
		printf("\"baseline\":\"%s\",", c->baseline);
	else
		printf("\"is_baseline\":true,");
	if (c->minus)
		printf("\"minus\":\"%s%s%s\",", c->minus, c->half_of ? " + half of the excess of " : "",
		       c->half_of ? c->half_of : "");
	printf("\"samples\":[");
	for (i = 0; i < runs; i++)
		printf("%s%.2f", i ? "," : "", c->ns[i]);
	printf("]}\n");
}

static struct bench_case *find_case(struct bench_case *cases, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, tc_opts, .kconfig = sixpn_kconfig_fallback());
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ 0 },
	};
	int runs = 7, repeat = 1000000, opt, i, r, err;
	char dns_path[4096], fc_path[4096], *slash;
	cpu_set_t one;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'r': repeat = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || runs < 1 || runs > MAX_RUNS || repeat < 1) {
		fprintf(stderr, "usage: prog_cost [--runs 1-%d] [--repeat R] PACKETS_FILE\n", MAX_RUNS);
		return 2;
	}
	/* The DNS queries live beside the packets file. */
	snprintf(dns_path, sizeof(dns_path), "%s", argv[optind]);
	slash = strrchr(dns_path, '/');
	snprintf(slash ? slash + 1 : dns_path,
		 sizeof(dns_path) - (slash ? (size_t)(slash + 1 - dns_path) : 0), "dns_packets.txt");
	snprintf(fc_path, sizeof(fc_path), "%s", dns_path);
	slash = strrchr(fc_path, '/');
	snprintf(slash ? slash + 1 : fc_path,
		 sizeof(fc_path) - (slash ? (size_t)(slash + 1 - fc_path) : 0), "flycast_packets.txt");
	err = packets_load(argv[optind]);
	if (!err)
		err = packets_load(dns_path);
	if (!err)
		err = packets_load(fc_path);
	if (err) {
		fprintf(stderr, "prog_cost: cannot load %s and %s: %s\n", argv[optind], dns_path,
			strerror(-err));
		return 1;
	}
	/* One CPU for every case: the same caches, the same per-CPU maps. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	tc = sixpn_tc__open_opts(&tc_opts);
	empty = tc_empty__open_and_load();
	reflect = xdp_reflect__open_and_load();
	dnsb = xdp_dns_bench__open();
	if (!tc || !empty || !reflect || !dnsb) {
		fprintf(stderr, "prog_cost: cannot open the BPF objects: %s\n", strerror(errno));
		return 1;
	}
	private_maps(tc->obj);
	private_maps(dnsb->obj);
	if (sixpn_tc__load(tc) || xdp_dns_bench__load(dnsb) || setup_maps() || setup_names() ||
	    setup_flycast()) {
		fprintf(stderr, "prog_cost: cannot load the BPF objects: %s\n", strerror(errno));
		return 1;
	}

	struct bench_case cases[] = {
		{ BASELINE_TC, NULL, bpf_program__fd(empty->progs.tc_empty),
		  "inst_udp_same_net", 0, TC_ACT_OK },
#define TC_CASE(what, prog, pkt, fixed, verdict)                                            \
	{ .name = what, .baseline = BASELINE_TC, .prog_fd = bpf_program__fd(tc->progs.prog), \
	  .packet = pkt, .fixed_point = fixed, .want_retval = verdict }
		TC_CASE("isolation, pass (from instance, same-network UDP)", sixpn_from_inst,
			"inst_udp_same_net", 0, TC_ACT_OK),
		TC_CASE("isolation, drop (cross-network UDP; drop events rate-limited)",
			sixpn_from_inst, "inst_udp_cross_net", 0, TC_ACT_SHOT),
		TC_CASE("isolation, pass (to instance, same-network UDP)", sixpn_to_inst,
			"to_inst_same_net", 0, TC_ACT_OK),
		TC_CASE("mesh swap, egress (UDP)", sixpn_mesh_out, "mesh_udp_6pn", 1, TC_ACT_OK),
		TC_CASE("mesh swap, ingress + isolation (UDP)", sixpn_mesh_in, "mesh_udp_mesh", 1,
			TC_ACT_OK),
		TC_CASE("mesh swap, egress (TCP, 1000 B payload)", sixpn_mesh_out, "mesh_tcp_6pn", 1,
			TC_ACT_OK),
#undef TC_CASE
		{ .name = BASELINE_PER_CALL, .prog_fd = bpf_program__fd(tc->progs.sixpn_from_inst),
		  .packet = "inst_udp_same_net", .want_retval = TC_ACT_OK, .per_call = 1 },
		{ .name = "Flycast, established flow (UDP to a service address, DNAT + SNAT; "
			  "one repetition per call)", .baseline = BASELINE_PER_CALL,
		  .prog_fd = bpf_program__fd(tc->progs.sixpn_from_inst), .packet = "udp",
		  .want_retval = TC_ACT_OK, .per_call = 1, .want_out = "udp_out" },
		{ .name = "Flycast, new flow (Maglev pick, two conntrack inserts; "
			  "one repetition per call)", .baseline = BASELINE_PER_CALL,
		  .prog_fd = bpf_program__fd(tc->progs.sixpn_from_inst), .packet = "udp",
		  .want_retval = TC_ACT_OK, .per_call = 2, .want_out = "udp_out" },
#define RESTORE "XDP DNS: query restore only (bench_restore)"
#define RESIZE "XDP DNS: restore, the harness's shrink and a resize (bench_restore_resize)"
#define DNS_CASE(what, pkt, verdict, why)                                                  \
	{ .name = "XDP DNS fast path: " what " (restore subtracted)", .baseline = BASELINE_XDP, \
	  .prog_fd = bpf_program__fd(dnsb->progs.bench_dns), .packet = pkt,                \
	  .want_retval = verdict, .xdp = 1, .restore = 1, .check = 1, .reason = why,       \
	  .minus = RESTORE },                                                               \
	{ .name = "XDP DNS fast path: " what " (restore and shrink subtracted)",          \
	  .baseline = BASELINE_XDP, .prog_fd = bpf_program__fd(dnsb->progs.bench_dns),       \
	  .packet = pkt, .want_retval = verdict, .xdp = 1, .restore = 1, .check = 1,        \
	  .reason = why, .minus = RESTORE, .half_of = RESIZE }
		{ .name = BASELINE_XDP, .prog_fd = bpf_program__fd(reflect->progs.xdp_reflect),
		  .packet = "aaaa_web", .want_retval = XDP_TX, .xdp = 1 },
		{ .name = RESTORE, .baseline = BASELINE_XDP,
		  .prog_fd = bpf_program__fd(dnsb->progs.bench_restore), .packet = "aaaa_web",
		  .want_retval = XDP_PASS, .xdp = 1, .restore = 1 },
		{ .name = RESIZE, .baseline = BASELINE_XDP,
		  .prog_fd = bpf_program__fd(dnsb->progs.bench_restore_resize), .packet = "aaaa_web",
		  .want_retval = XDP_PASS, .xdp = 1, .restore = 1 },
		DNS_CASE("AAAA, 1 address", "aaaa_web", XDP_TX, SIXPN_DNS_ANSWERED),
		DNS_CASE("AAAA, 8 addresses", "aaaa_eight", XDP_TX, SIXPN_DNS_ANSWERED),
		DNS_CASE("A of an AAAA name, NODATA", "a_web", XDP_TX, SIXPN_DNS_NODATA),
		DNS_CASE("AAAA of a missing name, NXDOMAIN", "aaaa_missing", XDP_TX,
			 SIXPN_DNS_NXDOMAIN),
		DNS_CASE("TXT, passed up to the resolver", "txt_regions", XDP_PASS,
			 SIXPN_DNS_PASS_USERSPACE),
		DNS_CASE("outside internal., passed up to forward", "aaaa_external", XDP_PASS,
			 SIXPN_DNS_PASS_FORWARD),
#undef DNS_CASE
	};
	int ncases = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < ncases; i++) {
		__u32 d;

		if (prepare(&cases[i]) || test_run(&cases[i], 1, &d))
			return 1;
	}
	for (r = 0; r < runs; r++) {
		for (i = 0; i < ncases; i++) {
			__u32 d;

			err = test_run(&cases[i], repeat, &d);
			if (err) {
				fprintf(stderr, "prog_cost: %s: %s\n", cases[i].name, strerror(-err));
				return 1;
			}
			cases[i].ns[r] = d;
		}
	}
	/* Derived figures after every run is in: subtract run by run (the
	 * raw times first: `minus` and `half_of` are never derived ones). */
	{
		static double raw[64][MAX_RUNS];

		for (i = 0; i < ncases && i < 64; i++)
			memcpy(raw[i], cases[i].ns, sizeof(raw[i]));
		for (i = 0; i < ncases && i < 64; i++) {
			struct bench_case *m = cases[i].minus ? find_case(cases, ncases, cases[i].minus)
							      : NULL;
			struct bench_case *h = cases[i].half_of
						       ? find_case(cases, ncases, cases[i].half_of) : NULL;

			for (r = 0; m && r < runs; r++) {
				cases[i].ns[r] -= raw[m - cases][r];
				if (h)
					cases[i].ns[r] -= (raw[h - cases][r] - raw[m - cases][r]) / 2;
			}
		}
	}
	for (i = 0; i < ncases; i++)
		print_case(&cases[i], runs, repeat);
	sixpn_tc__destroy(tc);
	tc_empty__destroy(empty);
	xdp_reflect__destroy(reflect);
	xdp_dns_bench__destroy(dnsb);
	return 0;
}
