// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The names sync's deltas (loader/agent/names_sync.c, app_names.c) against
 * its full pass: after every few of 400 random changes to a real registry
 * (creates, destroys, starts, stops, moves, metadata updates, into apps of
 * 0 to 40 machines, of several regions, groups and metadata, one app
 * called ns and one with a region called global), the table the deltas
 * kept is the table a full pass writes into a fresh one with the same seed:
 * every name of every network with the same flags, count and addresses in
 * the same order. And a delta costs the change, not the app: a create into
 * an app of 40 machines writes as many names as one into an app of 1.
 *
 *   test_names_delta [ignored]   (run.sh passes the packets file) */
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

#define CAPACITY 8192
#define CHANGES 400
#define EVERY 20

static struct reg *r;
static const char *const apps[] = { "web", "db", "ns", "odd", "big" };
#define N_APPS (sizeof(apps) / sizeof(apps[0]))
static const char *const regions[] = { "ams", "ord", "fra" };
static const char *const groups[] = { NULL, "worker", "cron" };
static const char *const metas[] = { "role=db", "role=web", "tier=1", "tier=2", "zone=b" };

struct ids {
	char (*id)[REG_ID_MAX + 1];
	size_t n, cap;
};

static int new_table(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);

	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "dns_names", sizeof(__u32),
			      sizeof(union sixpn_dns_cell), sixpn_dns_table_cells_for(CAPACITY),
			      &opts);
}

struct entry {
	__u32 net;
	__u64 hash;
	struct sixpn_dns_value val;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return 0;
}

/* Every name in the table, sorted by key; *n of them. */
static struct entry *entries(int fd, size_t *n)
{
	struct sixpn_dns_slot_view sv;
	struct sixpn_dns_table t;
	struct entry *e = calloc(CAPACITY * 2, sizeof(*e));
	__u32 pos = 0;

	*n = 0;
	if (!e || sixpn_dns_table_open(&t, fd))
		return e;
	while (*n < CAPACITY * 2 && sixpn_dns_table_next(&t, &pos, &sv)) {
		e[*n].net = sv.net_id;
		e[*n].hash = sv.hash;
		e[*n].val = sv.val;
		(*n)++;
	}
	sixpn_dns_table_close(&t);
	qsort(e, *n, sizeof(*e), cmp_entry);
	return e;
}

/* A full pass into a fresh table seeded as the deltas' one: the same? */
static void expect_full_pass_equal(const char *what, struct names_sync *d)
{
	struct names_sync full;
	struct sixpn_dns_table t;
	struct entry *x, *y;
	size_t nx, ny, i, diff = 0;
	int fd = new_table();

	if (fd < 0 || sixpn_dns_table_open(&t, fd)) {
		CHECK(0, "%s: a fresh table", what);
		return;
	}
	t.cells[0].hdr.seed = d->table.seed;
	sixpn_dns_table_close(&t);
	names_sync_init(&full, fd, -1, 0);
	CHECK_EQ(names_sync_full(&full, r), 0, "%s: full pass", what);
	x = entries(d->names_fd, &nx);
	y = entries(fd, &ny);
	for (i = 0; x && y && i < nx && i < ny; i++)
		if (cmp_entry(&x[i], &y[i]) || memcmp(&x[i].val, &y[i].val, sizeof(x[i].val)))
			diff++;
	CHECK(x && y && nx == ny && !diff,
	      "%s: the deltas' table holds what a full pass writes (%zu names against %zu, %zu differ)",
	      what, nx, ny, diff);
	free(x);
	free(y);
	names_sync_free(&full);
	close(fd);
}

static void ids_add(struct ids *l, const char *id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->id = realloc(l->id, l->cap * sizeof(*l->id));
		if (!l->id)
			exit(2);
	}
	snprintf(l->id[l->n++], sizeof(l->id[0]), "%s", id);
}

static void ids_del(struct ids *l, size_t k)
{
	memmove(&l->id[k], &l->id[k + 1], (l->n - k - 1) * sizeof(l->id[0]));
	l->n--;
}

static int create(const char *app, struct reg_machine *out)
{
	const char *md[2];
	struct reg_machine_opts o = { 0 };

	o.region = !strcmp(app, "odd") && rand() % 3 == 0 ? "global" : regions[rand() % 3];
	o.process_group = groups[rand() % 3];
	o.state = rand() % 4 == 0 ? REG_MACHINE_CREATED : REG_MACHINE_STARTED;
	o.n_metadata = (size_t)(rand() % 3);
	md[0] = metas[rand() % 5];
	md[1] = metas[rand() % 5];
	if (o.n_metadata == 2 && !strncmp(md[0], md[1], 4))
		o.n_metadata = 1;
	o.metadata = md;
	return reg_machine_create_opts(r, app, rand() % 2 ? FX_HOST1 : FX_HOST2, &o, out);
}

/* One random change; its machine's ID in id. */
static int change(struct ids *l, char *id, size_t size)
{
	struct reg_machine m;
	int op = l->n < 8 ? 0 : rand() % 8, rc;
	size_t k = l->n ? (size_t)rand() % l->n : 0;
	const char *kv;

	if (op <= 2) {
		/* "big" gets most of the creates: it grows past what the table
		 * keeps of a set */
		rc = create(rand() % 2 ? "big" : apps[rand() % N_APPS], &m);
		if (!rc)
			ids_add(l, m.id);
		snprintf(id, size, "%s", m.id);
		return rc;
	}
	snprintf(id, size, "%s", l->id[k]);
	switch (op) {
	case 3:
		rc = reg_machine_destroy(r, id, NULL);
		if (!rc)
			ids_del(l, k);
		return rc;
	case 4:
		return reg_machine_set_state(r, id, REG_MACHINE_STOPPED, NULL, NULL);
	case 5:
		return reg_machine_set_state(r, id, REG_MACHINE_STARTED, NULL, NULL);
	case 6:
		/* to the other host: a new address, its place in the order kept */
		rc = reg_get_machine(r, id, &m);
		return rc ? rc : reg_machine_move(r, id, m.host_id == FX_HOST1 ? FX_HOST2 : FX_HOST1,
						  regions[rand() % 3], NULL, NULL, NULL);
	default:
		kv = rand() % 3 ? metas[rand() % 5] : "role=";
		return reg_machine_update_metadata(r, id, &kv, 1, NULL);
	}
}

int main(void)
{
	char dir[] = "/tmp/sixpn-names-delta.XXXXXX", path[64], id[REG_ID_MAX + 1], what[64];
	struct reg_host h1 = { .id = FX_HOST1 }, h2 = { .id = FX_HOST2 };
	struct reg_machine m;
	struct names_sync n;
	struct ids l = { 0 };
	uint64_t puts_small, puts_big;
	int fd, i, bad = 0;
	size_t k;

	srand(16);
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	snprintf(h1.region, sizeof(h1.region), "ams");
	snprintf(h2.region, sizeof(h2.region), "ord");
	if (reg_open(&r, path, REG_OPEN_CREATE) || reg_host_add(r, &h1) || reg_host_add(r, &h2) ||
	    reg_org_create(r, "o1", NULL) || reg_org_create(r, "o2", NULL) ||
	    reg_app_create(r, "web", "o1", NULL, NULL) || reg_app_create(r, "db", "o1", NULL, NULL) ||
	    reg_app_create(r, "ns", "o2", NULL, NULL) || reg_app_create(r, "odd", "o2", NULL, NULL) ||
	    reg_app_create(r, "big", "o2", NULL, NULL) || reg_app_create(r, "one", "o2", NULL, NULL)) {
		fprintf(stderr, "Bail out! cannot build the registry in %s: %s\n", dir, reg_errmsg(r));
		return 2;
	}
	for (i = 0; i < 10; i++)
		if (!create(apps[i % N_APPS], &m))
			ids_add(&l, m.id);
	fd = new_table();
	if (fd < 0) {
		fprintf(stderr, "Bail out! cannot make a names table: %s\n", strerror(errno));
		return 2;
	}
	names_sync_init(&n, fd, -1, 0);
	CHECK_EQ(names_sync_full(&n, r), 0, "full pass of %zu machines", l.n);
	for (i = 1; i <= CHANGES; i++) {
		int rc = change(&l, id, sizeof(id));

		if (rc && rc != REG_ENOENT) {
			fprintf(stderr, "# change %d of %s: %s\n", i, id, reg_errmsg(r));
			bad++;
		}
		if (!rc && names_machine_changed(&n, r, id))
			bad++;
		if (i % EVERY == 0) {
			snprintf(what, sizeof(what), "after %d changes (%zu machines)", i, l.n);
			expect_full_pass_equal(what, &n);
		}
	}
	CHECK_EQ(bad, 0, "%d changes applied: the registry took them and so did the deltas", CHANGES);

	/* The cost of a create: the names it writes, in an app of 1 and in
	 * one of 40. */
	for (k = 0; k < 40; k++)
		if (!reg_machine_create(r, "big", FX_HOST1, NULL, NULL, &m))
			names_machine_changed(&n, r, m.id);
	puts_small = n.puts;
	if (!reg_machine_create(r, "one", FX_HOST1, NULL, NULL, &m))
		names_machine_changed(&n, r, m.id);
	if (!reg_machine_create(r, "one", FX_HOST1, NULL, NULL, &m))
		names_machine_changed(&n, r, m.id);
	puts_small = n.puts - puts_small;
	puts_big = n.puts;
	if (!reg_machine_create(r, "big", FX_HOST1, NULL, NULL, &m))
		names_machine_changed(&n, r, m.id);
	puts_big = n.puts - puts_big;
	/* the second create into "one": its app, global., region, group and
	 * own names; "big" the same */
	CHECK(puts_big <= puts_small && puts_big <= 5,
	      "a create into an app of 40+ machines writes %llu names, two into an app of 1 wrote %llu",
	      (unsigned long long)puts_big, (unsigned long long)puts_small);
	expect_full_pass_equal("after the creates", &n);

	/* "one" had no metadata: its first machine with some brings
	 * _metadata.one and kv._metadata.one, its last takes them away. */
	{
		const char *md = "role=db", *rm = "role=";
		struct reg_machine_opts o = { .metadata = &md, .n_metadata = 1 };
		struct sixpn_dns_table t;
		struct sixpn_dns_value v;
		int had_meta = 0, has_meta = 1;

		if (!reg_machine_create_opts(r, "one", FX_HOST1, &o, &m) &&
		    !names_machine_changed(&n, r, m.id) && !sixpn_dns_table_open(&t, fd)) {
			had_meta = !sixpn_dns_table_get(&t, m.network_id, "_metadata.one.internal", &v) &&
				   !sixpn_dns_table_get(&t, m.network_id, "kv._metadata.one.internal", &v);
			expect_full_pass_equal("metadata in an app without any", &n);
			if (!reg_machine_update_metadata(r, m.id, &rm, 1, NULL) &&
			    !names_machine_changed(&n, r, m.id))
				has_meta = !sixpn_dns_table_get(&t, m.network_id,
								"_metadata.one.internal", &v);
			sixpn_dns_table_close(&t);
		}
		CHECK(had_meta && !has_meta,
		      "_metadata.one comes with the app's first metadata and goes with its last");
		expect_full_pass_equal("the app's last metadata gone", &n);
	}

	names_sync_free(&n);
	close(fd);
	free(l.id);
	reg_close(r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return test_summary("names_delta");
}
