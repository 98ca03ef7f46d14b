// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Two names of one network with the same table hash (maps/sixpn_dns.h):
 * the names sync (loader/agent/names_sync.c) writes their key F_SHARED, so
 * that the real XDP program (BPF_PROG_TEST_RUN) passes a question for
 * either up and answers neither with the other's address; once one of
 * them goes, the other is answered from the table again.
 *
 * No hook: two app names that collide for the table's own random seed
 * are made (selftests/dns_collide.h), "<a>.internal" and "<b>.internal",
 * each app with a started machine of its own. Asked, through the sync
 * against a real registry and the XDP program's own names map:
 *   - a full pass into a fresh table (seen as it writes);
 *   - a full pass over the table an earlier run left (a restart: seen on
 *     the sorted keys), with the collision known and new;
 *   - deltas: one app goes (the other answers again), comes back;
 *   - a names quota that leaves one of them out (its key is still taken).
 * global.<a> and global.<b>, which do not collide, answer their own
 * machine throughout: the oracle is this file's reading of the reply.
 *
 *   test_names_collide [ignored]   (run.sh passes the packets file) */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/names_sync.h"
#include "datapath/dns_names.h"
#include "datapath/stats.h"
#include "registry/registry.h"
#include "sixpn_maps.h"
#include "dns_collide.h"
#include "fixtures.h"
#include "xdp_skel.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define ASKER 0x77 /* the asking instance, on FX_HOST1 */

static struct sixpn_xdp *skel;
static struct reg *r;
static int names_fd, stats_fd;
static __u32 net;
static char app_a[DNS_COLLIDE_LEN + 1], app_b[DNS_COLLIDE_LEN + 1];
static struct sixpn_ip6 addr_a, addr_b;

/* ---- queries and their replies, read here ---------------------------------- */

static __u32 csum_add(const __u8 *p, size_t len, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

/* Ethernet, IPv6 from the asker to fdaa::3, UDP to 53, an AAAA question. */
static size_t query(const char *name, __u8 *f)
{
	static const __u8 eth[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xa, 0x86, 0xdd };
	struct sixpn_ip6 src, dst = { 0 };
	__u8 *ip = f + 14, *udp = ip + 40, *dns = udp + 8, *q = dns + 12;
	size_t n = 0, label = 0, i, udp_len;
	__u32 sum;

	memcpy(f, eth, sizeof(eth));
	sixpn_compose(&src, net, FX_HOST1, ASKER, 2);
	dst.w[0] = htons(SIXPN_ULA_WORD);
	dst.w[7] = htons(3);
	for (i = 0; name[i]; i++) {
		if (name[i] == '.') {
			q[label] = (__u8)(n - label);
			label = ++n;
			continue;
		}
		q[++n] = (__u8)name[i];
	}
	q[label] = (__u8)(n - label);
	q[++n] = 0;
	n++;
	q[n++] = 0, q[n++] = SIXPN_DNS_TYPE_AAAA, q[n++] = 0, q[n++] = SIXPN_DNS_CLASS_IN;
	memset(dns, 0, 12);
	dns[0] = 0x5a, dns[1] = 0x5a, dns[2] = 0x01, dns[5] = 1;
	udp_len = 8 + 12 + n;
	memset(ip, 0, 8);
	ip[0] = 0x60, ip[4] = (__u8)(udp_len >> 8), ip[5] = (__u8)udp_len, ip[6] = 17, ip[7] = 64;
	memcpy(ip + 8, src.w, 16);
	memcpy(ip + 24, dst.w, 16);
	udp[0] = 0x9c, udp[1] = 0x40, udp[2] = 0, udp[3] = 53;
	udp[4] = (__u8)(udp_len >> 8), udp[5] = (__u8)udp_len, udp[6] = udp[7] = 0;
	sum = csum_add(ip + 8, 32, (__u32)udp_len + 17);
	sum = csum_add(udp, udp_len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (!sum)
		sum = 0xffff;
	udp[6] = (__u8)(sum >> 8), udp[7] = (__u8)sum;
	return 14 + 40 + udp_len;
}

/* The AAAA addresses of a NOERROR reply, *n of them; -1 when it is none. */
static int reply_addrs(const __u8 *f, size_t len, struct sixpn_ip6 *out, int max, int *n)
{
	const __u8 *dns = f + 14 + 40 + 8, *p, *end = f + len;
	int an, i;

	*n = 0;
	if (len < 14 + 40 + 8 + 12 || (dns[3] & 0xf) != SIXPN_DNS_RCODE_NOERROR)
		return -1;
	an = dns[6] << 8 | dns[7];
	for (p = dns + 12; p < end && *p; p += *p + 1)
		;
	p += 1 + 4;
	for (i = 0; i < an && p < end; i++) {
		__u16 type, rdlen;

		if ((*p & 0xc0) == 0xc0) {
			p += 2;
		} else {
			while (p < end && *p)
				p += *p + 1;
			p++;
		}
		if (p + 10 > end)
			return -1;
		type = (__u16)(p[0] << 8 | p[1]);
		rdlen = (__u16)(p[8] << 8 | p[9]);
		p += 10;
		if (p + rdlen > end)
			return -1;
		if (type == SIXPN_DNS_TYPE_AAAA && rdlen == 16 && *n < max)
			memcpy(out[(*n)++].w, p, 16);
		p += rdlen;
	}
	return 0;
}

static const char *verdict_name(__u32 v)
{
	return v == XDP_PASS ? "passed up" : v == XDP_TX ? "answered" : v == XDP_DROP ? "dropped" : "?";
}

/* AAAA NAME.internal through the real program: its verdict and reply. */
static __u32 ask(const char *label, __u8 *out, __u32 *out_len)
{
	char name[128];
	__u8 in[512];
	size_t len;
	__u32 retval;
	int err;

	snprintf(name, sizeof(name), "%s" SIXPN_DNS_ZONE_SUFFIX, label);
	len = query(name, in);
	*out_len = 1024;
	err = xdp_prog_run(bpf_program__fd(skel->progs.sixpn_xdp_dns), in, (__u32)len,
			   FX_TEST_IFINDEX, out, out_len, &retval, 1, NULL);
	if (err) {
		printf("Bail out! BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		exit(2);
	}
	return retval;
}

/* A question for LABEL.internal is passed up to the resolver. */
static void expect_passed(const char *what, const char *label)
{
	__u64 before = sixpn_stat_packets(stats_fd, SIXPN_HOOK_XDP_DNS, SIXPN_DNS_PASS_USERSPACE);
	__u8 out[1024];
	__u32 out_len, v = ask(label, out, &out_len);

	CHECK(v == XDP_PASS &&
	      sixpn_stat_packets(stats_fd, SIXPN_HOOK_XDP_DNS, SIXPN_DNS_PASS_USERSPACE) == before + 1,
	      "%s: AAAA %s.internal is passed up to the resolver (%s)", what, label, verdict_name(v));
}

/* ... is answered from the table with exactly `want`. */
static void expect_answer(const char *what, const char *label, const struct sixpn_ip6 *want)
{
	struct sixpn_ip6 got[4];
	char g[INET6_ADDRSTRLEN] = "-", w[INET6_ADDRSTRLEN];
	__u8 out[1024];
	__u32 out_len, v = ask(label, out, &out_len);
	int n = 0, ok;

	ok = v == XDP_TX && !reply_addrs(out, out_len, got, 4, &n) && n == 1 &&
	     !memcmp(got[0].w, want->w, 16);
	if (n)
		inet_ntop(AF_INET6, got[0].w, g, sizeof(g));
	inet_ntop(AF_INET6, want->w, w, sizeof(w));
	CHECK(ok, "%s: AAAA %s.internal is answered %s by the fast path (%s, %d addresses, %s)",
	      what, label, w, verdict_name(v), n, g);
}

/* ---- the table's side -------------------------------------------------------- */

static __u64 hash_of(const char *label)
{
	struct sixpn_dns_table t;
	struct sixpn_dns_key key;
	char name[128];
	__u64 h = 0;

	snprintf(name, sizeof(name), "%s" SIXPN_DNS_ZONE_SUFFIX, label);
	if (!sixpn_dns_key_from_name(net, name, &key) && !sixpn_dns_table_open(&t, names_fd)) {
		h = sixpn_dns_key_hash(&t, &key);
		sixpn_dns_table_close(&t);
	}
	return h;
}

/* The slot flags of LABEL.internal's key, and its count; -1: none. */
static int slot_of(const char *label, int *count)
{
	struct sixpn_dns_slot_view sv;
	struct sixpn_dns_table t;
	__u64 h = hash_of(label);
	__u32 pos = 0;
	int flags = -1;

	*count = -1;
	if (sixpn_dns_table_open(&t, names_fd))
		return -1;
	while (sixpn_dns_table_next(&t, &pos, &sv))
		if (sv.net_id == net && sv.hash == h) {
			flags = sv.val.flags | sv.slot_flags;
			*count = sv.val.count;
		}
	sixpn_dns_table_close(&t);
	return flags;
}

static void expect_shared(const char *what)
{
	int count, f = slot_of(app_a, &count);
	char ga[64], gb[64];

	snprintf(ga, sizeof(ga), "global.%s", app_a);
	snprintf(gb, sizeof(gb), "global.%s", app_b);
	CHECK(f >= 0 && (f & SIXPN_DNS_F_SHARED) && (f & SIXPN_DNS_F_USERSPACE) && count == 0,
	      "%s: the key of both names is F_SHARED|F_USERSPACE, no address (flags %#x, count %d)",
	      what, f, count);
	expect_passed(what, app_a);
	expect_passed(what, app_b);
	expect_answer(what, ga, &addr_a);
	expect_answer(what, gb, &addr_b);
}

static void expect_alone(const char *what, const char *label, const struct sixpn_ip6 *addr)
{
	int count, f = slot_of(label, &count);

	CHECK(f >= 0 && !(f & (SIXPN_DNS_F_SHARED | SIXPN_DNS_F_USERSPACE)) && count == 1,
	      "%s: %s.internal has its own entry back (flags %#x, count %d)", what, label, f, count);
	expect_answer(what, label, addr);
}

/* ---- the registry's side --------------------------------------------------- */

static int app_with_machine(const char *app, struct sixpn_ip6 *addr, struct reg_machine *m)
{
	struct reg_machine_opts o = { .state = REG_MACHINE_STARTED };
	struct reg_app ra;

	if (reg_app_create(r, app, "o1", NULL, &ra) ||
	    reg_machine_create_opts(r, app, FX_HOST1, &o, m))
		return -1;
	net = ra.network_id;
	*addr = m->addr;
	return 0;
}

static void wipe_table(void)
{
	struct sixpn_dns_table t;
	__u64 seed;

	if (sixpn_dns_table_open(&t, names_fd))
		return;
	seed = t.seed;
	memset(t.cells, 0, t.n_cells * sizeof(*t.cells));
	sixpn_dns_table_close(&t);
	/* the same seed again, so that the names still collide */
	if (!sixpn_dns_table_open(&t, names_fd)) {
		t.cells[0].hdr.seed = seed;
		sixpn_dns_table_close(&t);
	}
}

static void set_iface(void)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = net, .prefix_len = 112,
				   .l2_len = 14 };
	struct sixpn_dns_config cfg;

	sixpn_compose(&ifc.prefix, net, FX_HOST1, ASKER, 0);
	sixpn_dns_config_default(&cfg);
	cfg.passup_rate = cfg.passup_net_rate = 0;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &(__u32){ FX_TEST_IFINDEX }, &ifc,
				BPF_ANY) ||
	    sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &cfg)) {
		printf("Bail out! cannot set up the fast path\n");
		exit(2);
	}
}

int main(void)
{
	char dir[] = "/tmp/sixpn-names-collide.XXXXXX", path[64];
	struct reg_host h1 = { .id = FX_HOST1 };
	struct sixpn_dns_table t;
	struct reg_machine ma, mb;
	struct reg_app rb;
	struct names_sync n, w;
	__u64 seed;

	if (!mkdtemp(dir))
		return 2;
	skel = xdp_skel_open_load();
	if (!skel)
		return 2;
	names_fd = bpf_map__fd(skel->maps.dns_names);
	stats_fd = bpf_map__fd(skel->maps.stats);
	if (sixpn_dns_table_open(&t, names_fd)) {
		printf("Bail out! cannot map the names table\n");
		return 2;
	}
	seed = t.seed;
	sixpn_dns_table_close(&t);
	if (dns_collide(seed, "collide", app_a, app_b)) {
		printf("Bail out! no two names collide for seed %016llx\n", (unsigned long long)seed);
		return 2;
	}
	printf("# seed %016llx: %s and %s\n", (unsigned long long)seed, app_a, app_b);

	snprintf(path, sizeof(path), "%s/registry.db", dir);
	snprintf(h1.region, sizeof(h1.region), "ams");
	if (reg_open(&r, path, REG_OPEN_CREATE) || reg_host_add(r, &h1) ||
	    reg_org_create(r, "o1", NULL) || app_with_machine(app_a, &addr_a, &ma) ||
	    app_with_machine(app_b, &addr_b, &mb)) {
		printf("Bail out! cannot build the registry in %s: %s\n", dir, reg_errmsg(r));
		return 2;
	}
	set_iface();
	/* global.<a>: the label is a name in the table by itself */
	{
		char ga[64], gb[64];

		snprintf(ga, sizeof(ga), "global.%s", app_a);
		snprintf(gb, sizeof(gb), "global.%s", app_b);
		CHECK(hash_of(app_a) == hash_of(app_b) && hash_of(ga) != hash_of(gb),
		      "%s.internal and %s.internal have one key hash (the globals do not)", app_a,
		      app_b);
	}
	names_sync_init(&n, names_fd, -1, 0);
	CHECK_EQ(names_sync_full(&n, r), 0, "full pass into a fresh table");
	expect_shared("fresh full pass");

	names_sync_init(&w, names_fd, -1, 0);
	CHECK_EQ(names_sync_full(&w, r), 0, "full pass over the table (a restart)");
	expect_shared("restart, collision known");
	names_sync_free(&w);

	/* deltas: b goes, a is answered again; b comes back */
	CHECK_EQ(reg_get_app(r, app_b, &rb), REG_OK, "app b is in the registry");
	CHECK(!reg_app_destroy(r, app_b, NULL) && !names_app_changed(&n, r, rb.id),
	      "delta: app %s destroyed", app_b);
	expect_alone("b destroyed", app_a, &addr_a);
	CHECK(!app_with_machine(app_b, &addr_b, &mb) && !names_machine_changed(&n, r, mb.id),
	      "delta: app %s and a machine of it created", app_b);
	expect_shared("b back (delta)");
	CHECK(!reg_machine_destroy(r, mb.id, NULL) && !names_machine_changed(&n, r, mb.id),
	      "delta: b's machine destroyed");
	{
		int count, f = slot_of(app_a, &count);

		/* <b> stays, with no started machine: NODATA-able, still two names */
		CHECK(f >= 0 && (f & SIXPN_DNS_F_SHARED), "b without machines: still shared (flags %#x)",
		      f);
		expect_passed("b without machines", app_a);
	}
	CHECK_EQ(reg_get_app(r, app_b, &rb), REG_OK, "app b is in the registry");
	CHECK(!reg_app_destroy(r, app_b, NULL) && !names_app_changed(&n, r, rb.id),
	      "delta: app %s destroyed again", app_b);
	expect_alone("b destroyed again", app_a, &addr_a);
	names_sync_free(&n);

	/* b created while no sixpnd ran: the restart's pass meets it */
	CHECK(!app_with_machine(app_b, &addr_b, &mb), "app %s created again, unseen", app_b);
	names_sync_init(&w, names_fd, -1, 0);
	CHECK_EQ(names_sync_full(&w, r), 0, "full pass over the table (a restart)");
	expect_shared("restart, collision new");
	names_sync_free(&w);

	/* A quota of the 5 zone names and one more: the first app's name
	 * goes in, the second's is left out, and its key is still taken. */
	wipe_table();
	names_sync_init(&w, names_fd, -1, 6);
	CHECK_EQ(names_sync_full(&w, r), 0, "full pass with a quota of 6 names");
	{
		int count, f = slot_of(app_a, &count);

		CHECK(f >= 0 && (f & SIXPN_DNS_F_SHARED),
		      "one name in, the other left out by the quota: shared (flags %#x)", f);
		expect_passed("quota", app_a);
		expect_passed("quota", app_b);
	}
	names_sync_free(&w);

	sixpn_xdp__destroy(skel);
	reg_close(r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return test_summary("names_collide");
}
