// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Drop events through BPF_PROG_TEST_RUN: what a dropped packet writes to the
 * `events` ring buffer, that passing packets write nothing, and that the
 * per-CPU rate limit holds a flood to its burst and tallies the rest. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_skel.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define TEST_IFINDEX FX_TEST_IFINDEX
#define MAX_SEEN 4096
#define FLOOD 200000

static struct sixpn_tc *skel;
static struct ring_buffer *ring;
static struct sixpn_drop_event seen[MAX_SEEN];
static int nseen;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len >= sizeof(struct sixpn_drop_event) && nseen < MAX_SEEN)
		memcpy(&seen[nseen], data, sizeof(seen[0]));
	nseen++;
	return 0;
}

static int drain(void)
{
	nseen = 0;
	return ring_buffer__consume(ring);
}

static int run(struct bpf_program *prog, const char *name, int repeat)
{
	const struct test_packet *pkt = packet(name);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt->data,
		    .data_size_in = pkt->len, .repeat = repeat);

	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
}

static void instance_iface(void)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = FX_NET_A,
				   .prefix_len = 112, .l2_len = 14 };
	__u32 ifindex = TEST_IFINDEX;

	sixpn_compose(&ifc.prefix, FX_NET_A, FX_HOST1, FX_INST, 0);
	bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &ifindex, &ifc, BPF_ANY);
}

static int addr_is(const struct sixpn_ip6 *a, const char *text)
{
	struct in6_addr want;

	return inet_pton(AF_INET6, text, &want) == 1 && !memcmp(a, &want, sizeof(want));
}

static struct sixpn_event_limit limit_sum(void)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct sixpn_event_limit vals[ncpu], sum = { 0 };
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.event_limit), &zero, vals))
		return sum;
	for (i = 0; i < ncpu; i++) {
		sum.sent += vals[i].sent;
		sum.suppressed += vals[i].suppressed;
		sum.lost += vals[i].lost;
		sum.pending += vals[i].pending;
	}
	return sum;
}

static void test_cross_network_event(void)
{
	const struct test_packet *pkt = packet("inst_udp_cross_net");
	struct sixpn_drop_event *e = &seen[0];

	instance_iface();
	drain();
	CHECK_EQ(run(skel->progs.sixpn_from_inst, "inst_udp_cross_net", 1), 0,
		 "cross-network drop: BPF_PROG_TEST_RUN runs");
	CHECK_EQ(drain(), 1, "cross-network drop: one event in the ring");
	CHECK_EQ(e->hook, SIXPN_HOOK_FROM_INSTANCE, "event: hook FROM_INSTANCE");
	CHECK_EQ(e->reason, SIXPN_DROP_CROSS_NETWORK, "event: reason DROP_CROSS_NETWORK");
	CHECK_EQ(e->ifindex, TEST_IFINDEX, "event: ifindex of the interface");
	CHECK_EQ(e->len, pkt->len, "event: packet length");
	CHECK_EQ(e->flags, SIXPN_EVENT_F_HAS_IP6 | SIXPN_EVENT_F_HAS_L4, "event: headers parsed");
	CHECK(addr_is(&e->src, FX_INST_ADDR), "event: source address");
	CHECK(addr_is(&e->dst, FX_REMOTE_B_ADDR), "event: destination address");
	CHECK_EQ(e->l4_proto, 17, "event: protocol UDP");
	CHECK_EQ(e->sport, 3333, "event: source port in host order");
	CHECK_EQ(e->dport, 4000, "event: destination port in host order");
	CHECK_EQ(e->suppressed, 0, "event: nothing suppressed before it");
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		__u64 now = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;

		CHECK(e->ts_ns <= now, "event: timestamp is CLOCK_MONOTONIC, not in the future");
		CHECK(e->ts_ns + 5000000000ULL > now, "event: timestamp within the last 5 s");
	}
}

static void test_pass_writes_nothing(void)
{
	instance_iface();
	drain();
	run(skel->progs.sixpn_from_inst, "inst_udp_same_net", 1000);
	run(skel->progs.sixpn_mesh_out, "mesh_udp_6pn", 1000);
	CHECK_EQ(drain(), 0, "passing packets write no event");
}

static void test_mesh_in_event(void)
{
	struct sixpn_drop_event *e = &seen[0];

	drain();
	run(skel->progs.sixpn_mesh_in, "mesh_cross_net_mesh", 1);
	CHECK_EQ(drain(), 1, "mesh ingress drop: one event");
	CHECK_EQ(e->hook, SIXPN_HOOK_MESH_IN, "mesh ingress event: hook MESH_IN");
	CHECK_EQ(e->reason, SIXPN_DROP_CROSS_NETWORK, "mesh ingress event: reason");
	CHECK(addr_is(&e->src, FX_REMOTE_B_ADDR), "mesh ingress event: source in 6PN form");
	CHECK(addr_is(&e->dst, FX_INST_ADDR), "mesh ingress event: destination in 6PN form");
}

static void test_headerless_events(void)
{
	__u32 ifindex = TEST_IFINDEX;

	instance_iface();
	drain();
	run(skel->progs.sixpn_from_inst, "inst_ipv4", 1);
	CHECK_EQ(drain(), 1, "IPv4 drop: one event");
	CHECK_EQ(seen[0].reason, SIXPN_DROP_NOT_IPV6, "IPv4 drop: reason DROP_NOT_IPV6");
	CHECK_EQ(seen[0].flags, 0, "IPv4 drop: no addresses");

	bpf_map_delete_elem(bpf_map__fd(skel->maps.ifaces), &ifindex);
	drain();
	run(skel->progs.sixpn_from_inst, "inst_udp_same_net", 1);
	CHECK_EQ(drain(), 1, "unknown interface: one event");
	CHECK_EQ(seen[0].reason, SIXPN_DROP_UNKNOWN_IFACE, "unknown interface: reason DROP_UNKNOWN_IFACE");
	CHECK_EQ(seen[0].flags, 0, "unknown interface: no addresses");
}

/* A flood of drops on one CPU: at most the burst plus what refills during
 * the run reaches the ring; every drop is either sent or tallied. */
static void test_flood_is_limited(void)
{
	struct sixpn_event_limit before, after;
	struct timespec t0, t1;
	double secs;
	__u64 bound;

	instance_iface();
	usleep(1000000 * SIXPN_EVENTS_BURST / SIXPN_EVENTS_PER_SEC + 10000); /* full bucket */
	drain();
	before = limit_sum();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(run(skel->progs.sixpn_from_inst, "inst_udp_cross_net", FLOOD), 0,
		 "flood of %d drops runs", FLOOD);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	after = limit_sum();
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* The bucket refills from the coarse clock, which may move by one
	 * tick (10 ms at HZ=100) more than the run took. */
	bound = SIXPN_EVENTS_BURST + (__u64)((secs + 0.01) * SIXPN_EVENTS_PER_SEC) + 1;
	drain();
	CHECK(nseen >= SIXPN_EVENTS_BURST, "flood: the ring got the whole burst (%d events, burst %d)",
	      nseen, SIXPN_EVENTS_BURST);
	CHECK((__u64)nseen <= bound, "flood: the ring got no more than burst plus refill (%d events, bound %llu)",
	      nseen, (unsigned long long)bound);
	CHECK_EQ(after.sent - before.sent, nseen, "flood: `sent` counts the events");
	CHECK_EQ((after.sent - before.sent) + (after.suppressed - before.suppressed) +
		 (after.lost - before.lost), FLOOD,
		 "flood: every drop is sent, suppressed or lost");
	CHECK(after.suppressed - before.suppressed > 0, "flood: suppressed drops are counted");
	CHECK(after.pending > 0, "flood: pending suppressed drops are remembered");

	usleep(20000);
	drain();
	run(skel->progs.sixpn_from_inst, "inst_udp_cross_net", 1);
	CHECK_EQ(drain(), 1, "after the flood: the next drop is reported");
	CHECK_EQ(seen[0].suppressed, after.pending,
		 "after the flood: its event says how many were suppressed");
	CHECK_EQ(limit_sum().pending, 0, "after the flood: pending is reset");
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/selftests/packets.txt";

	cpu_set_t one;

	/* The bucket is per CPU: keep every run on the same one. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	skel = tc_skel_setup(path);
	if (!skel)
		return 2;
	ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!ring) {
		fprintf(stderr, "Bail out! cannot open the events ring: %s\n", strerror(errno));
		return 2;
	}

	test_cross_network_event();
	test_pass_writes_nothing();
	test_mesh_in_event();
	test_headerless_events();
	test_flood_is_limited();

	ring_buffer__free(ring);
	sixpn_tc__destroy(skel);
	return test_summary("drop_events");
}
