// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Packet replay through BPF_PROG_TEST_RUN of the one opening the TC
 * isolation programs make beside DNS on the service address: TCP port 4280
 * (SIXPN_API_PORT, the Machines API that _api.internal names) to fdaa::3 or
 * the network's <prefix>::3, and its replies (PASS_API). Both sides: what
 * must pass, and the neighbours of the rule that must still be dropped.
 * Packets: selftests/packets/gen_api_packets.py. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_case.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

static const struct tc_case cases[] = {
	/* must pass */
	{ "from instance: TCP 4280 to fdaa::3 passes", "api_tcp_global", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_API },
	{ "from instance: TCP 4280 to its network's ::3 passes", "api_tcp_own_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_API },
	{ "from instance: TCP 4280 to fdaa::3 behind four extension headers passes", "api_tcp_four_ext_hdrs", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_API },
	{ "to instance: the API's reply from fdaa::3 port 4280 passes", "api_reply_global", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_API },
	{ "to instance: the API's reply from its network's ::3 passes", "api_reply_own_net", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_API },
	{ "from peer (L3): TCP 4280 to its network's ::3 passes", "api_peer_tcp_own_net", FROM_INST, IF_PEER_L3, SIXPN_PASS_API },
	{ "to peer (L3): the API's reply from its network's ::3 passes", "api_peer_reply_own_net", TO_INST, IF_PEER_L3, SIXPN_PASS_API },
	/* port 4280 elsewhere in the network is ordinary traffic */
	{ "from instance: TCP 4280 to a same-network instance is plain PASS", "api_tcp_same_net_peer", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	/* must drop */
	{ "from instance: UDP 4280 to fdaa::3 is dropped", "api_udp_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: UDP 4280 to its network's ::3 is dropped", "api_udp_own_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: TCP 4281 to fdaa::3 is dropped", "api_tcp_4281_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: TCP 4279 to fdaa::3 is dropped", "api_tcp_4279_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: TCP from its port 4280 to fdaa::3 is dropped (it is no API)", "api_tcp_from_4280_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: a non-first fragment to fdaa::3 is dropped", "api_tcp_fragment_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: TCP 4280 to another network's ::3 is dropped", "api_tcp_other_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "to instance: a reply from another network's ::3 port 4280 is dropped", "api_reply_other_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "to instance: UDP from fdaa::3 port 4280 is dropped", "api_udp_reply_global", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "to instance: TCP from fdaa::3 port 4281 is dropped", "api_reply_4281_global", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "to instance: fdaa::3 connecting to the instance's port 4280 is dropped", "api_connect_to_inst_4280", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from peer (L3): UDP 4280 to its network's ::3 is dropped", "api_peer_udp_own_net", FROM_INST, IF_PEER_L3, SIXPN_DROP_DNS_PORT },
};

static struct sixpn_tc *skel;

int main(int argc, char **argv)
{
	char path[PATH_MAX], *dir = strdup(argc > 1 ? argv[1] : "build/selftests/packets.txt");
	size_t i;

	/* run.sh names packets.txt; this test's packets sit beside it */
	snprintf(path, sizeof(path), "%s/api_packets.txt", dirname(dir));
	free(dir);
	skel = tc_skel_setup(path);
	if (!skel)
		return 2;
	CHECK_EQ(SIXPN_API_PORT, 4280, "SIXPN_API_PORT is 4280, Fly's API port");
	CHECK(!strcmp(sixpn_reason_names[SIXPN_PASS_API], "PASS_API") &&
	      !sixpn_reason_is_drop(SIXPN_PASS_API), "PASS_API is a pass reason named PASS_API");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tc_run_case(skel, &cases[i]);
	sixpn_tc__destroy(skel);
	return test_summary("tc_api");
}
