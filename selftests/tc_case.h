/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One packet-replay case of the TC object, as the case tables of
 * prog_tests/tc_progs.c and prog_tests/tc_api.c write them: the interface
 * under test set up, one BPF_PROG_TEST_RUN, and one check per fact (it ran,
 * the verdict, the reason counted once, the output bytes). */
#ifndef SIXPN_TEST_TC_CASE_H
#define SIXPN_TEST_TC_CASE_H

#include "tc_skel.h"
#include "sixpn_maps.h"

/* The interface under test, ifindex FX_TEST_IFINDEX, as gen_packets.py's
 * INST and PEER see it: an instance /112 (L2), a peer /120 (L3), the peers
 * device (the peer is found in `peers`), or no entry at all. */
enum tc_setup { IF_INSTANCE_L2, IF_PEER_L3, IF_PEERS_DEV_L3, IF_MISSING, IF_NONE };

struct tc_case {
	const char *what;
	const char *packet;
	enum tc_prog prog;
	enum tc_setup setup;
	enum sixpn_reason reason;
	const char *out; /* expected output packet; NULL: the input, unchanged */
};

int tc_apply_setup(struct sixpn_tc *skel, enum tc_setup setup);
/* The packets of prog's stats hook counted under reason. */
__u64 tc_counter(struct sixpn_tc *skel, __u32 hook, __u32 reason);
void tc_run_case(struct sixpn_tc *skel, const struct tc_case *c);

#endif
