// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnd's names quota (loader/agent/names_sync.c) against real BPF maps of
 * the names map's and dns_overflow's layout and a real registry in a
 * temporary directory: one network over its quota gets exactly the quota,
 * its marker and its slot, the names it keeps stay up to date, names left
 * out come in as room appears and the marker goes when the last is in;
 * another network keeps every name; a restart recounts and clears stale
 * slots; the global headroom holds when no per-network quota does.
 *
 *   test_names_quota [ignored]   (run.sh passes the packets file) */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "agent/names_sync.h"
#include "datapath/dns_names.h"
#include "registry/registry.h"
#include "fixtures.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define HOST FX_HOST1
/* Names of a network's zone (ns, _apps, _instances, _peer, _api) and of
 * an app with k machines in one region and one process group, without
 * metadata (10 + k): P (1 machine) is exactly at the quota. */
#define ZONE 5
#define APP(k) (10 + (k))
#define P_NAMES (ZONE + APP(1))
#define QUOTA P_NAMES

static struct reg *r;
static int names_fd, overflow_fd;

static int new_maps(__u32 capacity)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);

	if (names_fd > 0)
		close(names_fd);
	if (overflow_fd > 0)
		close(overflow_fd);
	/* A names table (maps/sixpn_dns.h) for `capacity` names. */
	names_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dns_names", sizeof(__u32),
				  sizeof(union sixpn_dns_cell), sixpn_dns_table_cells_for(capacity),
				  &opts);
	overflow_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dns_overflow", sizeof(__u32),
				     sizeof(__u32), SIXPN_DNS_OVERFLOW_SLOTS, NULL);
	return names_fd < 0 || overflow_fd < 0 ? -1 : 0;
}

/* Entries of network `net` in the map, the marker apart; *marked: is it there. */
static int count_net(__u32 net, int *marked)
{
	struct sixpn_dns_slot_view sv;
	struct sixpn_dns_value zone;
	struct sixpn_dns_table t;
	__u32 pos = 0;
	int n = 0;

	*marked = 0;
	if (sixpn_dns_table_open(&t, names_fd))
		return -1;
	/* The marker is the table's key of (net, "internal"). */
	if (!sixpn_dns_table_get(&t, net, SIXPN_DNS_ZONE, &zone))
		*marked = (zone.flags & SIXPN_DNS_F_OVER_QUOTA) != 0;
	while (sixpn_dns_table_next(&t, &pos, &sv))
		if (sv.net_id == net && !(sv.val.flags & SIXPN_DNS_F_OVER_QUOTA))
			n++;
	sixpn_dns_table_close(&t);
	return n;
}

static __u32 slot_of(__u32 net)
{
	__u32 slot = sixpn_dns_overflow_slot(net), v = ~0U;

	bpf_map_lookup_elem(overflow_fd, &slot, &v);
	return v;
}

static int has(__u32 net, const char *name, struct sixpn_dns_value *val)
{
	struct sixpn_dns_value v;
	struct sixpn_dns_table t;
	int found;

	if (sixpn_dns_table_open(&t, names_fd))
		return 0;
	found = !sixpn_dns_table_get(&t, net, name, val ? val : &v);
	sixpn_dns_table_close(&t);
	return found;
}

/* How network `net` stands: names in the map, marker, slot. */
static void expect_net(const char *what, __u32 net, int entries, int marked)
{
	int m, n = count_net(net, &m);

	CHECK_EQ(n, entries, "%s: %d names of network %u in the map", what, entries, net);
	CHECK_EQ(m, marked, "%s: network %u %s its over-quota marker", what, net,
		 marked ? "has" : "has no");
	CHECK_EQ(slot_of(net), marked ? 1 : 0, "%s: dns_overflow slot of %u is %d", what, net,
		 marked);
}

static void expect_stats(const char *what, const struct names_sync *n, __u64 over,
			 __u64 left, __u64 hits)
{
	CHECK_EQ(n->qstats.networks_over, over, "%s: metrics: %llu networks over", what,
		 (unsigned long long)over);
	CHECK_EQ(n->qstats.left_out, left, "%s: metrics: %llu names left out", what,
		 (unsigned long long)left);
	CHECK_EQ(n->qstats.hits, hits, "%s: metrics: %llu quota hits", what,
		 (unsigned long long)hits);
}

static int machine(const char *app, struct reg_machine *m)
{
	return reg_machine_create(r, app, HOST, NULL, NULL, m);
}

int main(void)
{
	char dir[] = "/tmp/sixpn-names-quota.XXXXXX", path[64], name[128];
	struct reg_machine small_m, q1m[4], q2m[3], extra;
	struct reg_app small, q1, q2;
	struct reg_host h = { .id = HOST };
	struct reg_network net;
	struct sixpn_dns_value val;
	struct names_sync n;
	__u32 P, Q;
	int i, ok = 1, m;

	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	snprintf(h.region, sizeof(h.region), "ams");
	if (reg_open(&r, path, REG_OPEN_CREATE) || reg_host_add(r, &h) ||
	    reg_org_create(r, "small", NULL) || reg_org_create(r, "big", NULL) ||
	    reg_app_create(r, "web", "small", NULL, &small) || machine("web", &small_m) ||
	    reg_app_create(r, "qa", "big", NULL, &q1) || reg_app_create(r, "qb", "big", NULL, &q2)) {
		fprintf(stderr, "Bail out! cannot build the registry in %s: %s\n", dir, reg_errmsg(r));
		return 2;
	}
	for (i = 0; i < 3; i++)
		ok &= !machine("qa", &q1m[i]) && !machine("qb", &q2m[i]);
	if (!ok || reg_get_network(r, small.network_id, &net) || new_maps(64)) {
		fprintf(stderr, "Bail out! cannot build the fleet or the maps: %s\n", strerror(errno));
		return 2;
	}
	P = small.network_id;
	Q = q1.network_id;
	CHECK(sixpn_dns_overflow_slot(P) != sixpn_dns_overflow_slot(Q),
	      "networks %u and %u have slots of their own", P, Q);
	CHECK_EQ(names_quota_default(262144), 32768, "default quota: capacity / 8");
	CHECK_EQ(names_quota_default(1000), SIXPN_DNS_NAMES_QUOTA_MIN,
		 "default quota of a small map: never below %d", SIXPN_DNS_NAMES_QUOTA_MIN);

	/* P wants its quota's worth, Q two apps of 3 machines. */
	names_sync_init(&n, names_fd, overflow_fd, QUOTA);
	CHECK_EQ(names_sync_full(&n, r), 0, "full pass");
	expect_net("full pass", P, P_NAMES, 0);
	snprintf(name, sizeof(name), "%s.vm.web.internal", small_m.id);
	CHECK(has(P, "web.internal", NULL) && has(P, "_apps.internal", NULL) &&
	      has(P, name, NULL) && has(P, "nearest.of.web.internal", NULL),
	      "full pass: network %u at its quota has every name, its machine's too", P);
	expect_net("full pass", Q, QUOTA, 1);
	expect_stats("full pass", &n, 1, ZONE + 2 * APP(3) - QUOTA, 1);

	/* At the quota, a name in the map still follows its app. */
	i = has(Q, "qa.internal", NULL) ? 0 : 1;
	CHECK(has(Q, i ? "qb.internal" : "qa.internal", &val) && val.count == 3,
	      "Q's first app has its 3 addresses");
	ok = !machine(i ? "qb" : "qa", &extra) &&
	     !names_machine_changed(&n, r, extra.id);
	CHECK(ok, "a fourth machine for that app");
	CHECK(has(Q, i ? "qb.internal" : "qa.internal", &val) && val.count == 4,
	      "Q at its quota: the app's name in the map is updated to 4 addresses");
	snprintf(name, sizeof(name), "%s.vm.%s.internal", extra.id, i ? "qb" : "qa");
	CHECK(!has(Q, name, NULL), "Q at its quota: the new machine's own name is left out");
	expect_net("fourth machine", Q, QUOTA, 1);
	expect_stats("fourth machine", &n, 1, ZONE + APP(3) + APP(4) - QUOTA, 1);

	/* Room appears: the app that had names left out takes it, until every
	 * name is in and the marker goes. */
	ok = !reg_app_destroy(r, i ? "qa" : "qb", NULL) &&
	     !names_app_changed(&n, r, i ? q1.id : q2.id);
	CHECK(ok, "destroy Q's other app");
	ok = !reg_machine_destroy(r, extra.id, NULL) && !names_machine_changed(&n, r, extra.id);
	for (m = 0; m < 2; m++) {
		struct reg_machine *gone = i ? &q2m[m] : &q1m[m];

		ok &= !reg_machine_destroy(r, gone->id, NULL) &&
		      !names_machine_changed(&n, r, gone->id);
	}
	CHECK(ok, "destroy 3 of the remaining app's 4 machines");
	/* The zone and an app of 1 machine: the quota exactly, all in. */
	expect_net("back within the quota", Q, QUOTA, 0);
	expect_stats("back within the quota", &n, 0, 0, 1);
	expect_net("back within the quota", P, P_NAMES, 0);
	ok = !machine(i ? "qb" : "qa", &extra) && !names_machine_changed(&n, r, extra.id);
	CHECK(ok, "one more machine");
	expect_net("over again", Q, QUOTA, 1);
	expect_stats("over again", &n, 1, 1, 2);

	/* A restart: a fresh names_sync on the same maps recounts; a slot an
	 * earlier run left behind is cleared. */
	names_sync_free(&n);
	m = 7;
	bpf_map_update_elem(overflow_fd, &(__u32){ sixpn_dns_overflow_slot(P) }, &m, BPF_ANY);
	names_sync_init(&n, names_fd, overflow_fd, QUOTA);
	CHECK_EQ(names_sync_full(&n, r), 0, "restart: full pass");
	expect_net("restart", Q, QUOTA, 1);
	expect_net("restart (stale slot cleared)", P, P_NAMES, 0);
	expect_stats("restart", &n, 1, 1, 1);

	/* No per-network quota: the headroom alone (64 - 64/32 = 62 names)
	 * keeps room for markers. 70 machines more for Q. */
	names_sync_free(&n);
	for (m = 0, ok = 1; m < 70; m++)
		ok &= !machine(i ? "qb" : "qa", &extra);
	CHECK(ok, "70 machines more for network %u", Q);
	names_sync_init(&n, names_fd, overflow_fd, 0);
	CHECK_EQ(names_sync_full(&n, r), 0, "no quota: full pass");
	{
		int mp, mq, np = count_net(P, &mp), nq = count_net(Q, &mq);

		CHECK_EQ(np + nq, 62, "no quota: names of all networks stop at capacity - headroom (%d + %d)",
			 np, nq);
		CHECK(mq && slot_of(Q) == 1, "no quota: the network left out is marked");
		CHECK(np == P_NAMES || (mp && slot_of(P) == 1),
		      "no quota: network %u has its %d names or is marked", P, P_NAMES);
		CHECK_EQ(n.qstats.left_out, P_NAMES + ZONE + APP(72) - 62, "no quota: %d names left out",
			 P_NAMES + ZONE + APP(72) - 62);
	}
	names_sync_free(&n);
	reg_close(r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return test_summary("names_quota");
}
