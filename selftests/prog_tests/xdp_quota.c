// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One tenant cannot starve another, in the XDP DNS fast path, through
 * BPF_PROG_TEST_RUN (queries: selftests/packets/gen_quota_packets.py):
 *
 *   - the pass-up budget: what goes to the resolver spends the asker's
 *     token (its /112, a peer's /120) and its network's; over budget it is
 *     dropped and counted, while other askers' pass-ups and every answer
 *     from the map (AAAA, NXDOMAIN) go on untouched; buckets refill with
 *     time, up to the burst;
 *   - the names quota: a miss of a network marked over its quota passes up
 *     instead of NXDOMAIN; other networks, even one sharing its
 *     dns_overflow slot, still get NXDOMAIN.
 *
 *   test_xdp_quota [PACKETS]   PACKETS: any file in the directory of
 *                              quota_packets.txt (run.sh passes packets.txt) */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/dns_names.h"
#include "datapath/stats.h"
#include "sixpn_maps.h"
#include "fixtures.h"
#include "packets.h"
#include "xdp_skel.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define NET_C 0x118 /* A's dns_overflow slot, another network */

enum asker { A1, A1X, A2, B, C, P1, P2, N_ASKERS };

static const struct {
	const char *tag;      /* packet name suffix */
	__u32 net;
	__u32 inst;           /* instance ID on FX_HOST1; peers: the gateway's */
	__u16 peer;           /* peers: the /120 (free word), else 0 */
} askers[N_ASKERS] = {
	[A1] = { "a1", FX_NET_A, FX_INST },
	[A1X] = { "a1x", FX_NET_A, FX_INST },
	[A2] = { "a2", FX_NET_A, 0xc },
	[B] = { "b", FX_NET_B, FX_INST_B },
	[C] = { "c", NET_C, 0xd },
	[P1] = { "p1", FX_NET_A, FX_GATEWAY, 0x100 },
	[P2] = { "p2", FX_NET_A, FX_GATEWAY, 0x200 },
};

static struct sixpn_xdp *skel;
static struct sixpn_dns_config config;
static int prog, stats_fd;

/* The ingress interface as sixpnd would have it for this asker: its
 * instance's veth, or the shared peers device (L3) with both peers' /120s. */
static void set_iface(enum asker who)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_PEERS_DEV, .l2_len = 0 };
	__u32 key = FX_TEST_IFINDEX;

	if (!askers[who].peer) {
		ifc = (struct sixpn_iface){ .role = SIXPN_ROLE_INSTANCE, .net_id = askers[who].net,
					    .prefix_len = 112, .l2_len = 14 };
		sixpn_compose(&ifc.prefix, ifc.net_id, FX_HOST1, askers[who].inst, 0);
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &key, &ifc, BPF_ANY))
		fprintf(stderr, "Bail out! cannot set the ifaces map: %s\n", strerror(errno));
}

static int add_peers(void)
{
	struct sixpn_peer peer = { .net_id = FX_NET_A };
	int fd = bpf_map__fd(skel->maps.peers), err = 0;
	enum asker who;

	for (who = P1; who <= P2; who++) {
		struct sixpn_lpm_key key = { .prefixlen = 120 };

		sixpn_compose(&key.addr, FX_NET_A, FX_HOST1, FX_GATEWAY, askers[who].peer);
		err |= bpf_map_update_elem(fd, &key, &peer, BPF_ANY);
	}
	return err;
}

static __u64 counter(enum sixpn_reason reason)
{
	return sixpn_stat_packets(stats_fd, SIXPN_HOOK_XDP_DNS, reason);
}

static const struct test_packet *pkt(const char *what, enum asker who)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%s", what, askers[who].tag);
	return packet(name);
}

/* Runs `what` from `who` `repeat` times in one BPF_PROG_TEST_RUN; the
 * verdict of the last run. */
static __u32 run(const char *what, enum asker who, __u32 repeat)
{
	const struct test_packet *in = pkt(what, who);
	__u32 out_len = 4096, retval;
	__u8 out[4096];
	int err;

	set_iface(who);
	err = xdp_prog_run(prog, in->data, in->len, FX_TEST_IFINDEX, out, &out_len, &retval, repeat,
			   NULL);
	if (err) {
		fprintf(stderr, "Bail out! BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		exit(2);
	}
	return retval;
}

static const char *verdict_name(__u32 v)
{
	return v == XDP_PASS ? "XDP_PASS" : v == XDP_TX ? "XDP_TX" : v == XDP_DROP ? "XDP_DROP" : "?";
}

/* One query: its verdict and the one reason it counts. */
static void expect(const char *what, enum asker who, __u32 verdict, enum sixpn_reason reason,
		   const char *why)
{
	__u64 before = counter(reason);
	__u32 got = run(what, who, 1);

	CHECK_EQ(got, verdict, "%s: %s_%s is %s", why, what, askers[who].tag, verdict_name(verdict));
	CHECK_EQ(counter(reason) - before, 1, "%s: %s_%s counts %s", why, what, askers[who].tag,
		 sixpn_reason_names[reason]);
}

/* `n` queries in a row, each with this verdict and reason. */
static void expect_n(int n, const char *what, enum asker who, __u32 verdict,
		     enum sixpn_reason reason, const char *why)
{
	__u64 before = counter(reason);
	int i, all = 1;

	for (i = 0; i < n; i++)
		all &= run(what, who, 1) == verdict;
	CHECK(all, "%s: %d x %s_%s, every one %s", why, n, what, askers[who].tag,
	      verdict_name(verdict));
	CHECK_EQ(counter(reason) - before, n, "%s: counted %d x %s", why, n,
		 sixpn_reason_names[reason]);
}

/* New budgets, and every bucket forgotten. */
static void budget(__u32 rate, __u32 burst, __u32 net_rate, __u32 net_burst)
{
	struct sixpn_dns_passup_key key;
	int fd = bpf_map__fd(skel->maps.dns_passup);

	config.passup_rate = rate;
	config.passup_burst = burst;
	config.passup_net_rate = net_rate;
	config.passup_net_burst = net_burst;
	if (sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &config))
		fprintf(stderr, "Bail out! cannot set the config\n");
	while (!bpf_map_get_next_key(fd, NULL, &key))
		bpf_map_delete_elem(fd, &key);
}

static void test_per_source(void)
{
	const char *w = "source budget 1/s, burst 5";

	budget(1, 5, 0, 0);
	expect_n(5, "txt", A1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, w);
	expect("txt", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, w);
	expect("fwd", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "a forwarded name spends it too");
	expect("malformed", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED,
	       "a malformed query spends it too");
	expect("txt", A1X, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED,
	       "another address of the same /112 shares its bucket");
	/* What the map answers is never limited. */
	expect_n(50, "aaaa", A1, XDP_TX, SIXPN_DNS_ANSWERED, "A1 over budget: its AAAA answers");
	expect_n(20, "nx", A1, XDP_TX, SIXPN_DNS_NXDOMAIN, "A1 over budget: its NXDOMAIN answers");
	expect("notdns", A1, XDP_PASS, SIXPN_DNS_PASS_NOT_DNS, "A1 over budget: UDP 5353 untouched");
	/* Everyone else has a bucket of their own. */
	expect_n(5, "txt", B, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "network B, its own bucket");
	expect("txt", B, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "network B, over its own");
	expect_n(5, "fwd", A2, XDP_PASS, SIXPN_DNS_PASS_FORWARD,
		 "another instance of A's network: its own bucket");
	expect_n(5, "txt", P1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "peer 1 (/120)");
	expect("txt", P1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "peer 1 over budget");
	expect("txt", P2, XDP_PASS, SIXPN_DNS_PASS_USERSPACE,
	       "peer 2, another /120 of the same gateway: its own bucket");
	expect("aaaa", P1, XDP_TX, SIXPN_DNS_ANSWERED, "peer 1 over budget: its AAAA answers");
}

/* 1000 repetitions of one pass-up in one run: burst through, rest dropped. */
static void test_flood_counts(void)
{
	__u64 fwd = counter(SIXPN_DNS_PASS_FORWARD), drop = counter(SIXPN_DNS_DROP_RATE_LIMITED);

	budget(1, 5, 0, 0);
	CHECK_EQ(run("fwd", C, 1000), XDP_DROP, "flood of 1000 from C: the last one is dropped");
	CHECK_EQ(counter(SIXPN_DNS_PASS_FORWARD) - fwd, 5, "flood of 1000: the burst of 5 passes up");
	CHECK_EQ(counter(SIXPN_DNS_DROP_RATE_LIMITED) - drop, 995,
		 "flood of 1000: 995 dropped as DNS_DROP_RATE_LIMITED");
	budget(0, 0, 0, 0);
	fwd = counter(SIXPN_DNS_PASS_FORWARD);
	drop = counter(SIXPN_DNS_DROP_RATE_LIMITED) + counter(SIXPN_DNS_DROP_NET_RATE_LIMITED);
	CHECK_EQ(run("fwd", C, 1000), XDP_PASS, "rate 0: no limit, the last of 1000 passes");
	CHECK_EQ(counter(SIXPN_DNS_PASS_FORWARD) - fwd, 1000, "rate 0: all 1000 pass up");
	CHECK_EQ(counter(SIXPN_DNS_DROP_RATE_LIMITED) + counter(SIXPN_DNS_DROP_NET_RATE_LIMITED) - drop,
		 0, "rate 0: nothing dropped");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_refill(void)
{
	budget(4, 5, 0, 0);
	expect_n(5, "txt", B, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "4/s burst 5: the burst");
	expect("txt", B, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "4/s burst 5: empty");
	sleep_ms(1100);
	expect_n(4, "txt", B, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "1.1 s later: 4 tokens back");
	expect("txt", B, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "1.1 s later: and no fifth");
	sleep_ms(2100);
	expect_n(5, "txt", B, XDP_PASS, SIXPN_DNS_PASS_USERSPACE,
		 "2.1 s later (8 tokens' worth): capped at the burst of 5");
	expect("txt", B, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "2.1 s later: no sixth");
}

static void test_per_network(void)
{
	const char *w = "network budget 1/s, burst 3";

	budget(0, 0, 1, 3);
	expect_n(2, "txt", A1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, w);
	expect("txt", A2, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, w);
	expect("txt", A2, XDP_DROP, SIXPN_DNS_DROP_NET_RATE_LIMITED,
	       "A's network is out, for its second instance");
	expect("fwd", A1, XDP_DROP, SIXPN_DNS_DROP_NET_RATE_LIMITED, "and for its first");
	expect("txt", P2, XDP_DROP, SIXPN_DNS_DROP_NET_RATE_LIMITED, "and for its peers");
	expect_n(3, "txt", B, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "network B: its own budget");
	expect_n(3, "fwd", C, XDP_PASS, SIXPN_DNS_PASS_FORWARD,
		 "network C (A's overflow slot, not its bucket): its own budget");
	expect_n(10, "aaaa", A2, XDP_TX, SIXPN_DNS_ANSWERED, "A's network out: its AAAA answers");

	budget(1, 2, 1, 100);
	expect_n(2, "txt", A1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "both levels: A1's burst of 2");
	expect("txt", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED,
	       "both levels: the source's budget is the first to run out");
}

static void test_disabled(void)
{
	struct sixpn_dns_config off;

	budget(1, 1, 0, 0);
	expect("txt", A1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "budget of 1");
	expect("txt", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED, "budget of 1, spent");
	off = config;
	off.enabled = 0;
	sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &off);
	expect_n(3, "txt", A1, XDP_PASS, SIXPN_DNS_PASS_UNSUPPORTED,
		 "fast path disabled: everything passes up, budget or not");
	sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &config);
}

static void set_slot(__u32 net, __u32 count)
{
	CHECK_EQ(sixpn_dns_overflow_set(bpf_map__fd(skel->maps.dns_overflow),
					sixpn_dns_overflow_slot(net), count), 0,
		 "dns_overflow[0x%x] = %u", sixpn_dns_overflow_slot(net), count);
}

/* nx asks missing.internal, whose parent is the marker's name itself;
 * nx2 asks missing.vm.web.internal, whose parent is missing too. */
static void test_over_quota(void)
{
	int names = bpf_map__fd(skel->maps.dns_names);

	budget(1, 4, 0, 0);
	expect("nx", A1, XDP_TX, SIXPN_DNS_NXDOMAIN, "no quota hit: a missing name is NXDOMAIN");
	expect("nx2", A1, XDP_TX, SIXPN_DNS_NXDOMAIN, "no quota hit: a deeper one too");
	CHECK_EQ(sixpn_dns_quota_mark(names, FX_NET_A, true), 0, "mark network A over its quota");
	expect("nx2", A1, XDP_TX, SIXPN_DNS_NXDOMAIN,
	       "marker without its dns_overflow slot: a deeper miss is not looked up further");
	expect("nx", A1, XDP_PASS, SIXPN_DNS_PASS_OVER_QUOTA,
	       "marker without its slot: a name one label under internal. found it as its parent");
	set_slot(FX_NET_A, 1);
	expect("nx2", A1, XDP_PASS, SIXPN_DNS_PASS_OVER_QUOTA,
	       "A over quota: a deeper name missing from the map goes to the resolver");
	expect("nx", P1, XDP_PASS, SIXPN_DNS_PASS_OVER_QUOTA, "A over quota: from A's peer too");
	expect("aaaa", A1, XDP_TX, SIXPN_DNS_ANSWERED, "A over quota: its names in the map answer");
	expect("txt", A1, XDP_PASS, SIXPN_DNS_PASS_USERSPACE, "A over quota: userspace names as before");
	expect("nx2", C, XDP_TX, SIXPN_DNS_NXDOMAIN,
	       "network C shares A's slot, has no marker: NXDOMAIN");
	expect("nx", C, XDP_TX, SIXPN_DNS_NXDOMAIN, "network C: NXDOMAIN one label down too");
	expect("nx2", B, XDP_TX, SIXPN_DNS_NXDOMAIN, "network B: NXDOMAIN");
	expect("nx", B, XDP_TX, SIXPN_DNS_NXDOMAIN, "network B: NXDOMAIN one label down too");
	expect("nx2", A1, XDP_PASS, SIXPN_DNS_PASS_OVER_QUOTA, "A1's fourth pass-up (burst 4)");
	expect("nx", A1, XDP_DROP, SIXPN_DNS_DROP_RATE_LIMITED,
	       "passed-up misses spend A1's budget like any pass-up");
	CHECK_EQ(sixpn_dns_quota_mark(names, FX_NET_A, false), 0, "unmark network A");
	expect("nx2", A2, XDP_TX, SIXPN_DNS_NXDOMAIN, "slot set, marker gone: NXDOMAIN again");
	expect("nx", A2, XDP_TX, SIXPN_DNS_NXDOMAIN, "marker gone: NXDOMAIN one label down too");
	CHECK_EQ(sixpn_dns_quota_mark(names, FX_NET_A, false), 0,
		 "unmarking an unmarked network is not an error");
	set_slot(FX_NET_A, 0);
}

static int fill_names(void)
{
	static const struct { __u32 net; const char *name, *addr; __u16 flags; } n[] = {
		{ FX_NET_A, "web.internal", "fdaa:0:18:a7b:d6b:0:c:2" },
		{ FX_NET_A, "regions.web.internal", NULL, SIXPN_DNS_F_USERSPACE },
		{ FX_NET_B, "web.internal", "fdaa:0:19:a7b:174:0:d:2" },
		{ FX_NET_B, "regions.web.internal", NULL, SIXPN_DNS_F_USERSPACE },
		{ NET_C, "web.internal", "fdaa:0:118:a7b:d6b:0:d:2" },
	};
	int fd = bpf_map__fd(skel->maps.dns_names), err = 0;
	struct sixpn_ip6 a;
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		if (n[i].addr && inet_pton(AF_INET6, n[i].addr, a.w) != 1)
			return -EINVAL;
		err |= sixpn_dns_name_put(fd, n[i].net, n[i].name, &a, n[i].addr ? 1 : 0, n[i].flags);
	}
	return err;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], *dir = strdup(argc > 1 ? argv[1] : "build/selftests/packets.txt");
	int err;

	snprintf(path, sizeof(path), "%s/quota_packets.txt", dirname(dir));
	free(dir);
	err = packets_load(path);
	if (err) {
		fprintf(stderr, "Bail out! cannot load test packets from %s: %s\n", path,
			strerror(-err));
		return 2;
	}
	skel = xdp_skel_open_load();
	if (!skel)
		return 2;
	prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	stats_fd = bpf_map__fd(skel->maps.stats);
	sixpn_dns_config_default(&config);
	CHECK_EQ(config.passup_rate, SIXPN_DNS_PASSUP_RATE, "default source budget %u/s",
		 SIXPN_DNS_PASSUP_RATE);
	CHECK_EQ(config.passup_net_rate, SIXPN_DNS_PASSUP_NET_RATE, "default network budget %u/s",
		 SIXPN_DNS_PASSUP_NET_RATE);
	CHECK_EQ(fill_names(), 0, "names map filled through dns_names.c");
	CHECK_EQ(add_peers(), 0, "two peers of network A on the peers device");

	test_per_source();
	test_flood_counts();
	test_per_network();
	test_disabled();
	test_over_quota();
	test_refill();

	sixpn_xdp__destroy(skel);
	return test_summary("xdp_quota");
}
