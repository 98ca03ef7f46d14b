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
 * the full swap and takes the pass path. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sixpn_tc.skel.h"
#include "selftests/tc_empty.skel.h"
#include "sixpn_maps.h"
#include "packets.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TEST_IFINDEX 1          /* BPF_PROG_TEST_RUN runs TC programs on lo */
#define MAX_RUNS 64
#define BASELINE_TC "empty TC program"

struct bench_case {
	const char *name;
	const char *baseline;   /* NULL: this case is a baseline */
	int prog_fd;
	const char *packet;
	int fixed_point;        /* rewrite addresses so the mesh swap is a no-op */
	__u32 want_retval;
	struct test_packet pkt; /* the bytes fed to the program */
	double ns[MAX_RUNS];
};

static struct sixpn_tc *tc;
static struct tc_empty *empty;

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
	return bpf_map_update_elem(bpf_map__fd(tc->maps.ifaces), &ifindex, &ifc, BPF_ANY);
}

static int test_run(struct bench_case *c, int repeat, __u32 *duration)
{
	__u8 out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->pkt.data,
		    .data_size_in = c->pkt.len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);
	int err = bpf_prog_test_run_opts(c->prog_fd, &opts);

	if (err)
		return -errno;
	if (opts.retval != c->want_retval) {
		fprintf(stderr, "prog_cost: %s: verdict %u, want %u\n", c->name,
			opts.retval, c->want_retval);
		return -EINVAL;
	}
	if (c->want_retval == TC_ACT_OK && c->fixed_point &&
	    (opts.data_size_out != c->pkt.len || memcmp(out, c->pkt.data, c->pkt.len))) {
		fprintf(stderr, "prog_cost: %s: the swap is not a fixed point\n", c->name);
		return -EINVAL;
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
	printf("\"samples\":[");
	for (i = 0; i < runs; i++)
		printf("%s%.2f", i ? "," : "", c->ns[i]);
	printf("]}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ 0 },
	};
	int runs = 7, repeat = 1000000, opt, i, r, err;
	struct bpf_map *map;
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
	err = packets_load(argv[optind]);
	if (err) {
		fprintf(stderr, "prog_cost: cannot load %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	/* One CPU for every case: the same caches, the same per-CPU maps. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	tc = sixpn_tc__open();
	empty = tc_empty__open_and_load();
	if (!tc || !empty) {
		fprintf(stderr, "prog_cost: cannot open the BPF objects: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_map(map, tc->obj)
		bpf_map__set_pin_path(map, NULL);
	if (sixpn_tc__load(tc) || setup_maps()) {
		fprintf(stderr, "prog_cost: cannot load the TC object: %s\n", strerror(errno));
		return 1;
	}

	struct bench_case cases[] = {
		{ BASELINE_TC, NULL, bpf_program__fd(empty->progs.tc_empty),
		  "inst_udp_same_net", 0, TC_ACT_OK },
		{ "isolation, pass (from instance, same-network UDP)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_from_inst), "inst_udp_same_net", 0, TC_ACT_OK },
		{ "isolation, drop (cross-network UDP; drop events rate-limited)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_from_inst), "inst_udp_cross_net", 0, TC_ACT_SHOT },
		{ "isolation, pass (to instance, same-network UDP)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_to_inst), "to_inst_same_net", 0, TC_ACT_OK },
		{ "mesh swap, egress (UDP)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_mesh_out), "mesh_udp_6pn", 1, TC_ACT_OK },
		{ "mesh swap, ingress + isolation (UDP)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_mesh_in), "mesh_udp_mesh", 1, TC_ACT_OK },
		{ "mesh swap, egress (TCP, 1000 B payload)", BASELINE_TC,
		  bpf_program__fd(tc->progs.sixpn_mesh_out), "mesh_tcp_6pn", 1, TC_ACT_OK },
		/* XDP DNS cases go here once build/sixpn_xdp.skel.h exists (issue 7,
		 * benchmark 1): AAAA with 1 and 8 addresses, NODATA, NXDOMAIN,
		 * pass-up, against an XDP reflector baseline (selftests/progs/). */
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
	for (i = 0; i < ncases; i++)
		print_case(&cases[i], runs, repeat);
	sixpn_tc__destroy(tc);
	tc_empty__destroy(empty);
	return 0;
}
