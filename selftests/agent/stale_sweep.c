// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnd's stale sweeps against real maps: the TC object is loaded with its
 * maps pinned in a private directory, 2,000 interfaces and 2,000 peers go in
 * `ifaces` and `peers`, and after the sweeps exactly the half that is still
 * live must be left. Of the stale half, some are machines (peers) sixpnd
 * still remembers from the registry and the rest are only in the maps, as
 * after a restart: both kinds must go, wherever they sit in the map.
 *
 * Nothing here touches the host: the interfaces are ifindexes no device
 * has, the peers device does not exist, and the pins are removed at the
 * end. Usage: test_stale_sweep [PACKETS] (the packets are not used). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "agent/sync_int.h"
#include "datapath/tc_attach.h"
#include "host/plumb.h"
#include "lib/log.h"
#include "sixpn_pin.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define N 2000          /* entries in each map */
#define LIVE (N / 2)    /* 0 .. LIVE-1 stay */
#define KNOWN (N * 3 / 4) /* LIVE .. KNOWN-1: stale and remembered; the rest: only in the map */
/* No device has an ifindex this high, so the sweep deletes the entries
 * instead of detaching anything. */
#define IFINDEX_BASE 0x40000000u

static __u32 iface_key(int i)
{
	return IFINDEX_BASE + (__u32)i;
}

static struct sixpn_lpm_key peer_key(int i)
{
	struct sixpn_lpm_key k = { .prefixlen = SIXPN_PEER_PREFIX_LEN };

	sixpn_compose(&k.addr, 0x10, 0x20, (__u32)i + 1, 0);
	return k;
}

static int remember_machine(struct sync *s, int i, unsigned generation)
{
	struct local_machine *lm = calloc(1, sizeof(*lm));
	int err = -ENOMEM;

	if (!lm)
		return err;
	snprintf(lm->id, sizeof(lm->id), "m%d", i);
	lm->ifindex = (int)iface_key(i);
	lm->generation = generation;
	/* No interface name: forgetting it detaches nothing on the host. */
	strmap_put(&s->machines, lm->id, lm, &err);
	return err;
}

static int remember_peer(struct sync *s, int i, unsigned generation)
{
	struct local_peer *lp = calloc(1, sizeof(*lp));
	char key[24];
	int err = -ENOMEM;

	if (!lp)
		return err;
	lp->id = i;
	snprintf(lp->name, sizeof(lp->name), "p%d", i);
	lp->prefix = peer_key(i).addr;
	lp->generation = generation;
	snprintf(key, sizeof(key), "%d", i);
	strmap_put(&s->peers, key, lp, &err);
	return err;
}

static int fill(struct sync *s)
{
	int ifaces = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_IFACES));
	int peers = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_PEERS));

	for (int i = 0; i < N; i++) {
		struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = 0x10,
					   .prefix_len = SIXPN_INSTANCE_PREFIX_LEN };
		struct sixpn_lpm_key pk = peer_key(i);
		struct sixpn_peer peer = { .net_id = 0x10 };
		unsigned gen = i < LIVE ? s->generation : s->generation - 1;

		sixpn_compose(&ifc.prefix, 0x10, 0x20, (__u32)i + 1, 0);
		if (bpf_map_update_elem(ifaces, &(__u32){ iface_key(i) }, &ifc, BPF_NOEXIST) ||
		    bpf_map_update_elem(peers, &pk, &peer, BPF_NOEXIST))
			return -errno;
		if (i < KNOWN && (remember_machine(s, i, gen) || remember_peer(s, i, gen)))
			return -ENOMEM;
	}
	return 0;
}

/* How many of entries [from, to) each map still holds. */
static void count_left(struct sync *s, int from, int to, int *ifaces_left, int *peers_left)
{
	int ifaces = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_IFACES));
	int peers = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_PEERS));
	struct sixpn_iface ifc;
	struct sixpn_peer peer;

	*ifaces_left = *peers_left = 0;
	for (int i = from; i < to; i++) {
		struct sixpn_lpm_key pk = peer_key(i);

		if (!bpf_map_lookup_elem(ifaces, &(__u32){ iface_key(i) }, &ifc))
			(*ifaces_left)++;
		/* An LPM lookup matches any covering prefix: ask for this /120 itself. */
		if (!bpf_map_lookup_elem(peers, &pk, &peer) && peer.net_id == 0x10)
			(*peers_left)++;
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void forget_all(struct strmap *m)
{
	const char *k;
	void *v;
	size_t i = 0;

	while (strmap_next(m, &i, &k, &v))
		free(v);
	strmap_free(m);
}

int main(int argc, char **argv)
{
	struct sync s;
	char pin_dir[64];
	struct timespec t0;
	int err, live_ifaces, live_peers, stale_ifaces, stale_peers;

	(void)argc;
	(void)argv;
	sixpn_log_threshold = SIXPN_LOG_WARN;
	memset(&s, 0, sizeof(s));
	s.generation = 2;
	s.o.peers_dev = "sixpn-nodev0"; /* no such device: no route to remove */
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/sixpn-stale-%d", (int)getpid());
	if (sixpn_bpf_open(&s.bpf, pin_dir)) {
		printf("Bail out! cannot load the TC object with its maps pinned in %s\n", pin_dir);
		return 1;
	}
	if (plumb_open(&s.plumb, NULL)) {
		printf("Bail out! cannot open a netlink socket\n");
		sixpn_unload(&s.bpf);
		sixpn_bpf_close(&s.bpf);
		return 1;
	}
	err = fill(&s);
	if (err) {
		printf("Bail out! cannot fill the maps: %s\n", strerror(-err));
		goto out;
	}
	count_left(&s, 0, N, &live_ifaces, &live_peers);
	CHECK_EQ(live_ifaces, N, "ifaces holds the %d interfaces before the sweep", N);
	CHECK_EQ(live_peers, N, "peers holds the %d peers before the sweep", N);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sync_remove_stale_machines(&s);
	printf("# machines swept in %.1f ms\n", ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sync_remove_stale_peers(&s);
	printf("# peers swept in %.1f ms\n", ms_since(&t0));

	count_left(&s, 0, LIVE, &live_ifaces, &live_peers);
	CHECK_EQ(live_ifaces, LIVE, "every live interface keeps its ifaces entry (%d)", LIVE);
	CHECK_EQ(live_peers, LIVE, "every live peer keeps its peers entry (%d)", LIVE);
	count_left(&s, LIVE, KNOWN, &stale_ifaces, &stale_peers);
	CHECK_EQ(stale_ifaces, 0, "the %d interfaces of machines gone from the registry are removed",
		 KNOWN - LIVE);
	CHECK_EQ(stale_peers, 0, "the %d peers gone from the registry are removed", KNOWN - LIVE);
	count_left(&s, KNOWN, N, &stale_ifaces, &stale_peers);
	CHECK_EQ(stale_ifaces, 0, "the %d interfaces only the map knew (an earlier run) are removed",
		 N - KNOWN);
	CHECK_EQ(stale_peers, 0, "the %d peers only the map knew (an earlier run) are removed",
		 N - KNOWN);
	CHECK_EQ(s.machines.len, LIVE, "sixpnd remembers exactly the %d live machines", LIVE);
	CHECK_EQ(s.peers.len, LIVE, "sixpnd remembers exactly the %d live peers", LIVE);
out:
	forget_all(&s.machines);
	forget_all(&s.peers);
	plumb_close(s.plumb);
	if (sixpn_unload(&s.bpf))
		CHECK(0, "the private pin directory %s is removed", pin_dir);
	sixpn_bpf_close(&s.bpf);
	return err ? 1 : test_summary("test_stale_sweep");
}
