// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `iface_slots` (maps/sixpn_maps.h) through BPF_PROG_TEST_RUN: the TC
 * programs take their interface from its slot, fall back to `ifaces` when
 * the slot holds another interface or is in mid-write (odd sequence word),
 * and still fail closed on an interface in neither. A slot the test writes
 * by hand, describing another network than `ifaces` does, tells which of
 * the two a verdict came from. The masks against a byte-by-byte oracle. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_skel.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/ifaces.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

#define IFX FX_TEST_IFINDEX

static struct sixpn_tc *skel;
static struct sixpn_iface_slot *slots;
static int ifaces_fd, slots_fd;

static struct sixpn_iface instance(__u32 net)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = net,
				   .prefix_len = 112, .l2_len = 14 };

	sixpn_compose(&ifc.prefix, net, FX_HOST1, FX_INST, 0);
	return ifc;
}

/* The packet's verdict, as the reason counted for it (-1: no single one). */
static int verdict(const char *name)
{
	const struct test_packet *in = packet(name);
	__u32 out_len = 4096, retval, hook = tc_prog_hook[FROM_INST], r;
	__u64 before[SIXPN_REASON_MAX];
	__u8 out[4096];
	int found = -1;

	for (r = 0; r < SIXPN_REASON_MAX; r++)
		before[r] = sixpn_stat_packets(bpf_map__fd(skel->maps.stats), hook, r);
	if (tc_prog_run(skel, FROM_INST, in->data, in->len, out, &out_len, &retval))
		return -1;
	for (r = 0; r < SIXPN_REASON_MAX; r++)
		if (sixpn_stat_packets(bpf_map__fd(skel->maps.stats), hook, r) != before[r])
			found = found == -1 ? (int)r : -2;
	if (found >= 0 && (retval == TC_ACT_SHOT) != sixpn_reason_is_drop(found))
		return -3;
	return found;
}

static void reset(void)
{
	bpf_map_delete_elem(ifaces_fd, &(__u32){ IFX });
	memset(slots, 0, SIXPN_IFACE_SLOTS * sizeof(*slots));
}

/* A slot written by hand: ifindex, the view of `ifc`, sequence word. */
static void raw_slot(__u32 ifindex, const struct sixpn_iface *ifc, __u32 seq)
{
	struct sixpn_iface_slot *s = &slots[sixpn_iface_slot_of(ifindex)];

	s->ifindex = ifindex;
	sixpn_iface_view(&s->v, ifc);
	s->seq = seq;
}

static void test_paths(void)
{
	struct sixpn_iface a = instance(FX_NET_A), b = instance(FX_NET_B);

	/* Written as sixpnd writes it: both places agree. */
	reset();
	CHECK_EQ(sixpn_iface_set(ifaces_fd, slots_fd, IFX, &a), 0, "sixpn_iface_set succeeds");
	CHECK_EQ(slots[sixpn_iface_slot_of(IFX)].ifindex, IFX, "the interface took its slot");
	CHECK_EQ(slots[sixpn_iface_slot_of(IFX)].seq & 1, 0, "its sequence word is even");
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_PASS, "slot + ifaces: same-network UDP passes");
	CHECK_EQ(verdict("inst_udp_cross_net"), SIXPN_DROP_CROSS_NETWORK,
		 "slot + ifaces: cross-network UDP is dropped");
	CHECK_EQ(verdict("inst_spoofed_src_same_net"), SIXPN_DROP_SPOOFED_SRC,
		 "slot + ifaces: a neighbour's source is dropped as spoofed");

	/* The slot says network B, `ifaces` network A: the slot decides. */
	raw_slot(IFX, &b, 2);
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_DROP_SPOOFED_SRC,
		 "a valid slot is what the program reads (its prefix, not ifaces')");
	/* In mid-write: `ifaces` decides. */
	raw_slot(IFX, &b, 3);
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_PASS,
		 "a slot in mid-write (odd sequence) sends the program to ifaces");
	/* Held by another interface of the same slot: `ifaces` decides. */
	raw_slot(IFX + SIXPN_IFACE_SLOTS, &b, 2);
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_PASS,
		 "a slot holding another ifindex sends the program to ifaces");
	/* `ifaces` alone, as the other tests write it. */
	memset(slots, 0, SIXPN_IFACE_SLOTS * sizeof(*slots));
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_PASS, "an empty slot falls back to ifaces");
	CHECK_EQ(verdict("inst_udp_cross_net"), SIXPN_DROP_CROSS_NETWORK,
		 "ifaces alone: cross-network UDP is dropped");

	/* Fail closed. */
	reset();
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_DROP_UNKNOWN_IFACE,
		 "an interface in neither map is dropped as unknown");
	raw_slot(IFX, &a, 3);
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_DROP_UNKNOWN_IFACE,
		 "a slot in mid-write and no ifaces entry: dropped as unknown");
	raw_slot(IFX + SIXPN_IFACE_SLOTS, &a, 2);
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_DROP_UNKNOWN_IFACE,
		 "another interface's slot and no ifaces entry: dropped as unknown");

	/* Forgetting clears the slot before the entry. */
	reset();
	sixpn_iface_set(ifaces_fd, slots_fd, IFX, &a);
	CHECK_EQ(sixpn_iface_del(ifaces_fd, slots_fd, IFX), 0, "sixpn_iface_del succeeds");
	CHECK_EQ(slots[sixpn_iface_slot_of(IFX)].ifindex, 0, "the slot is emptied");
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_DROP_UNKNOWN_IFACE,
		 "a forgotten interface is dropped as unknown (no slot left behind)");

	/* A slot whose owner `ifaces` no longer has is taken; one whose owner
	 * it has is left, and the newcomer lives in `ifaces` alone. */
	reset();
	raw_slot(IFX + SIXPN_IFACE_SLOTS, &b, 2);
	sixpn_iface_set(ifaces_fd, slots_fd, IFX, &a);
	CHECK_EQ(slots[sixpn_iface_slot_of(IFX)].ifindex, IFX, "an orphaned slot is taken over");
	reset();
	bpf_map_update_elem(ifaces_fd, &(__u32){ IFX + SIXPN_IFACE_SLOTS }, &b, BPF_ANY);
	raw_slot(IFX + SIXPN_IFACE_SLOTS, &b, 2);
	sixpn_iface_set(ifaces_fd, slots_fd, IFX, &a);
	CHECK_EQ(slots[sixpn_iface_slot_of(IFX)].ifindex, IFX + SIXPN_IFACE_SLOTS,
		 "a slot whose owner is live stays its owner's");
	CHECK_EQ(verdict("inst_udp_same_net"), SIXPN_PASS,
		 "the newcomer is found in ifaces");
	bpf_map_delete_elem(ifaces_fd, &(__u32){ IFX + SIXPN_IFACE_SLOTS });
	reset();
}

/* The masks against the byte-by-byte definition. */
static void test_masks(void)
{
	static const __u32 lens[] = { 0, 1, 7, 8, 47, 48, 63, 64, 65, 100, 112, 120, 127, 128, 200 };
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		__u32 len = lens[i] > 128 ? 128 : lens[i], bit;
		struct sixpn_ip6 m;
		__u8 want[16] = { 0 };

		for (bit = 0; bit < len; bit++)
			want[bit / 8] |= 0x80 >> (bit % 8);
		sixpn_prefix_mask(&m, lens[i]);
		CHECK(!memcmp(m.w, want, 16), "the mask of /%u has its first %u bits set", lens[i], len);
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/selftests/packets.txt";
	void *p;

	skel = tc_skel_setup(path);
	if (!skel)
		return 2;
	ifaces_fd = bpf_map__fd(skel->maps.ifaces);
	slots_fd = bpf_map__fd(skel->maps.iface_slots);
	p = mmap(NULL, SIXPN_IFACE_SLOTS * sizeof(*slots), PROT_READ | PROT_WRITE, MAP_SHARED,
		 slots_fd, 0);
	if (p == MAP_FAILED) {
		printf("Bail out! cannot mmap iface_slots: %s\n", strerror(errno));
		return 2;
	}
	slots = p;
	test_paths();
	test_masks();
	munmap(p, SIXPN_IFACE_SLOTS * sizeof(*slots));
	sixpn_tc__destroy(skel);
	return test_summary("iface_slots");
}
