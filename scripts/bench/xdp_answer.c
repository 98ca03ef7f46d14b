// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdp_answer: the XDP DNS fast path's answer time against names maps that
 * sixpnd filled, e.g. one for a small fleet and one at scale.
 *
 *   xdp_answer [--runs N] [--repeat R] --net NET --name NAME
 *              [--nxdomain] PIN_DIR...
 *
 * For every PIN_DIR, a private copy of selftests/progs/xdp_dns_bench.bpf.c
 * is loaded with the pinned `dns_names` map in place of its own (nothing
 * else of the host is touched), and asked NAME (AAAA) from an instance of
 * network NET through BPF_PROG_TEST_RUN, R repetitions per run. Each run's
 * figure is the wrapper's time minus the query restore alone, as in
 * prog_cost.c; runs are interleaved across the maps. Every repetition must
 * be counted as answered (or NXDOMAIN with --nxdomain). Prints one line per
 * PIN_DIR: the ns/answer of each run, comma-separated. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "selftests/progs/xdp_dns_bench.skel.h"
#include "datapath/dns_names.h"
#include "sixpn_maps.h"
#include "private_maps.h"
#include "sixpn_dns.h"
#include "sixpn_pin.h"
#include "datapath/stats.h"

#define TEST_IFINDEX 1 /* BPF_PROG_TEST_RUN runs XDP on lo */
#define MAX_MAPS 8
#define MAX_RUNS 64
#define XDP_PASS 2
#define XDP_TX 3
#define ASKER_HOST 0x0a7b0d6b
#define ASKER_INST 0xa

struct target {
	const char *pin_dir;
	struct xdp_dns_bench *b;
	double ns[MAX_RUNS];
};

static __u8 query[256];
static __u32 query_len;

/* Ethernet + IPv6 + UDP + a DNS query for `name` (AAAA IN, RD), from
 * <NET>:a7b:d6b:0:a::2 to fdaa::3. The UDP checksum is left 0: the fast path
 * computes its reply's from scratch. */
static int build_query(__u32 net, const char *name)
{
	static const __u8 eth[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xa, 0x86, 0xdd };
	struct sixpn_ip6 src, dst;
	__u8 *p = query, *ip6, *udp, *dns;
	const char *label = name;
	__u32 plen;

	memcpy(p, eth, sizeof(eth));
	ip6 = p + 14;
	udp = ip6 + 40;
	dns = udp + 8;
	memset(ip6, 0, 48);
	ip6[0] = 0x60;
	ip6[6] = 17;  /* UDP */
	ip6[7] = 64;
	sixpn_compose(&src, net, ASKER_HOST, ASKER_INST, 2);
	sixpn_compose(&dst, 0, 0, 0, SIXPN_DNS_FREE_WORD);
	memcpy(ip6 + 8, src.w, 16);
	memcpy(ip6 + 24, dst.w, 16);
	udp[0] = 0x9c; udp[1] = 0x75;  /* port 40053 */
	udp[2] = 0; udp[3] = 53;
	memset(dns, 0, 12);
	dns[0] = 0x5a; dns[1] = 0x5a;
	dns[2] = 0x01;                  /* RD */
	dns[5] = 1;                     /* QDCOUNT */
	p = dns + 12;
	while (*label) {
		const char *dot = strchr(label, '.');
		size_t n = dot ? (size_t)(dot - label) : strlen(label);

		if (!n || n > 63 || p + 1 + n + 5 > query + sizeof(query))
			return -EINVAL;
		*p++ = (__u8)n;
		memcpy(p, label, n);
		p += n;
		label += n + (dot ? 1 : 0);
	}
	*p++ = 0;
	*p++ = 0; *p++ = SIXPN_DNS_TYPE_AAAA;
	*p++ = 0; *p++ = SIXPN_DNS_CLASS_IN;
	query_len = (__u32)(p - query);
	plen = query_len - 14 - 40;
	ip6[4] = plen >> 8; ip6[5] = plen & 0xff;
	udp[4] = plen >> 8; udp[5] = plen & 0xff;
	return 0;
}

static int open_target(struct target *t, __u32 net)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = net,
				   .prefix_len = 112, .l2_len = 14 };
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), ifindex = TEST_IFINDEX;
	struct sixpn_dns_config cfg;
	char path[4096];
	int fd;

	sixpn_map_pin_path(path, sizeof(path), t->pin_dir, SIXPN_MAP_DNS_NAMES);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "xdp_answer: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	t->b = xdp_dns_bench__open();
	if (!t->b)
		return -1;
	private_maps(t->b->obj);
	if (bpf_map__set_max_entries(t->b->maps.dns_names, info.max_entries) ||
	    bpf_map__reuse_fd(t->b->maps.dns_names, fd) || xdp_dns_bench__load(t->b)) {
		fprintf(stderr, "xdp_answer: cannot load the bench program on %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	sixpn_compose(&ifc.prefix, net, ASKER_HOST, ASKER_INST, 0);
	sixpn_dns_config_default(&cfg);
	cfg.enabled = 1;
	if (bpf_map_update_elem(bpf_map__fd(t->b->maps.ifaces), &ifindex, &ifc, BPF_ANY) ||
	    sixpn_dns_config_set(bpf_map__fd(t->b->maps.dns_config), &cfg))
		return -1;
	memcpy(t->b->bss->query, query, query_len);
	t->b->bss->query_len = query_len;
	return 0;
}

static __u64 counted(struct target *t, __u32 reason)
{
	return sixpn_stat_packets(bpf_map__fd(t->b->maps.stats), SIXPN_HOOK_XDP_DNS, reason);
}

/* ns per repetition of one program of the wrapper. */
static int run(struct target *t, int prog_fd, __u32 want, __u32 repeat, double *ns)
{
	struct xdp_md ctx = { .data_end = query_len, .ingress_ifindex = TEST_IFINDEX };
	__u8 out[1024];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = query, .data_size_in = query_len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	if (opts.retval != want) {
		fprintf(stderr, "xdp_answer: %s: verdict %u, want %u\n", t->pin_dir, opts.retval,
			want);
		return -EINVAL;
	}
	*ns = opts.duration;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "net", required_argument, NULL, 'N' },
		{ "name", required_argument, NULL, 'q' },
		{ "nxdomain", no_argument, NULL, 'x' },
		{ 0 },
	};
	struct target t[MAX_MAPS] = { 0 };
	int runs = 7, repeat = 1000000, n = 0, opt, i, r;
	__u32 reason = SIXPN_DNS_ANSWERED, net = 0;
	const char *name = NULL;
	cpu_set_t one;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'r': repeat = atoi(optarg); break;
		case 'N': net = (__u32)strtoul(optarg, NULL, 0); break;
		case 'q': name = optarg; break;
		case 'x': reason = SIXPN_DNS_NXDOMAIN; break;
		default: return 2;
		}
	}
	n = argc - optind;
	if (!net || !name || n < 1 || n > MAX_MAPS || runs < 1 || runs > MAX_RUNS || repeat < 1) {
		fprintf(stderr, "usage: xdp_answer [--runs N] [--repeat R] --net NET --name NAME "
				"[--nxdomain] PIN_DIR...\n");
		return 2;
	}
	if (build_query(net, name)) {
		fprintf(stderr, "xdp_answer: cannot ask for '%s'\n", name);
		return 2;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (i = 0; i < n; i++) {
		t[i].pin_dir = argv[optind + i];
		if (open_target(&t[i], net))
			return 1;
	}
	for (r = 0; r < runs; r++) {
		for (i = 0; i < n; i++) {
			__u64 before = counted(&t[i], reason);
			double full, restore;

			if (run(&t[i], bpf_program__fd(t[i].b->progs.bench_restore), XDP_PASS,
				repeat, &restore) ||
			    run(&t[i], bpf_program__fd(t[i].b->progs.bench_dns), XDP_TX, repeat,
				&full))
				return 1;
			if (counted(&t[i], reason) - before != (__u64)repeat) {
				fprintf(stderr, "xdp_answer: %s: not every repetition was %s\n",
					t[i].pin_dir, sixpn_reason_names[reason]);
				return 1;
			}
			t[i].ns[r] = full - restore;
		}
	}
	for (i = 0; i < n; i++) {
		for (r = 0; r < runs; r++)
			printf("%s%.2f", r ? "," : "", t[i].ns[r]);
		printf("\n");
		xdp_dns_bench__destroy(t[i].b);
	}
	return 0;
}
