// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: a registry file with any rows in it (written by
 * something other than sixpnctl: no CHECK constraints, no foreign keys,
 * no triggers, any column type), read the way sixpnd reads it: every
 * iterator and lookup of loader/registry/read.c and regions.c, the change
 * log's keys looked up as the agent does, reg_lookup_addr(), and the
 * resolver's answers for the names those rows make (names.c, txt.c,
 * nearest.c through rsv_handle()).
 *
 * Input: rows, each one byte for the table and then one value per column:
 * a tag byte (NULL, small int, int64, text, blob, real, a common word)
 * and its bytes. The rows are committed, read, then deleted.
 *
 * Every string handed out is terminated within its field, a machine's and
 * a peer's addresses are made of their own IDs, and every question gets
 * one well-formed reply. */

#include "registry/registry_int.h"
#include "rsv_fuzz.h"

struct table {
	const char *name;
	const char *cols[11]; /* NULL-terminated */
};

static const struct table tables[] = {
	{ "orgs", { "id", "name", "created_at" } },
	{ "networks", { "id", "org_id", "name", "created_at" } },
	{ "apps", { "id", "name", "org_id", "network_id", "created_at" } },
	{ "hosts", { "id", "region", "endpoint", "public_key", "peers_endpoint",
		     "peers_public_key", "next_instance", "created_at" } },
	{ "instances", { "host_id", "instance_id", "kind", "released_at" } },
	{ "machines", { "id", "app_id", "host_id", "instance_id", "region", "iface",
			"created_at", "state", "process_group", "metadata" } },
	{ "gateways", { "host_id", "instance_id", "network_id", "next_slot", "created_at" } },
	{ "peer_slots", { "host_id", "instance_id", "slot", "released_at" } },
	{ "peers", { "id", "org_id", "name", "network_id", "region", "host_id",
		     "gw_instance_id", "slot", "public_key", "created_at" } },
	{ "changes", { "seq", "tbl", "key", "op", "at" } },
	{ "regions", { "name", "lat", "lon", "updated_at" } },
	{ "flycast_leases", { "network_id", "svc_id", "released_at" } },
	{ "flycast", { "network_id", "svc_id", "app_id", "ports", "created_at" } },
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

/* What rows that join need in common, cheaper than finding it by chance. */
static const char *const words[] = {
	"acme", "globex", "default", "web", "db", "ams", "fra", "1", "2", "3",
	"00000000000001", "machine", "gateway", "insert", "update", "delete",
	"machines", "peers", "apps", "hosts", "networks", "orgs", "80,443", "flycast", "",
	"started", "stopped", "created", "app", "worker", "role=a", "role=a,zone=b", "=,x=",
	"interactive-1",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

static struct reg *reg;
static struct sixpn_resolver *rsv;
static sqlite3_stmt *insert[N_TABLES];

static void die(const char *what)
{
	fprintf(stderr, "registry_rows: %s: %s\n", what, reg_errmsg(reg));
	exit(2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sqlite3_stmt *st;
	char sql[512];
	size_t t;

	(void)argc;
	(void)argv;
	reg = fz_registry_empty();
	rsv = fz_resolver(reg, NULL, 0);
	if (reg_exec(reg, "PRAGMA foreign_keys = OFF") ||
	    reg_exec(reg, "PRAGMA ignore_check_constraints = ON"))
		die("pragmas");
	/* no triggers either: they are part of what another writer may drop */
	for (;;) {
		st = reg_prep(reg, "SELECT name FROM sqlite_master WHERE type = 'trigger' LIMIT 1");
		if (!st || sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			break;
		}
		snprintf(sql, sizeof(sql), "DROP TRIGGER \"%s\"", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (reg_exec(reg, sql))
			die("drop trigger");
	}
	for (t = 0; t < N_TABLES; t++) {
		int n = 0, k;

		k = snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO %s (", tables[t].name);
		for (; tables[t].cols[n]; n++)
			k += snprintf(sql + k, sizeof(sql) - k, "%s%s", n ? ", " : "", tables[t].cols[n]);
		k += snprintf(sql + k, sizeof(sql) - k, ") VALUES (");
		for (int i = 0; i < n; i++)
			k += snprintf(sql + k, sizeof(sql) - k, "%s?", i ? ", " : "");
		snprintf(sql + k, sizeof(sql) - k, ")");
		insert[t] = reg_prep(reg, sql);
		if (!insert[t])
			die(sql);
	}
	return 0;
}

static void bind_value(struct fz *f, sqlite3_stmt *st, int i)
{
	const uint8_t *p;
	uint64_t u = 0;
	double d;
	size_t n;

	switch (fz_u8(f) % 7) {
	case 0:
		sqlite3_bind_null(st, i);
		break;
	case 1:
		sqlite3_bind_int64(st, i, (int8_t)fz_u8(f));
		break;
	case 2:
		for (int k = 0; k < 8; k++)
			u = u << 8 | fz_u8(f);
		sqlite3_bind_int64(st, i, (int64_t)u);
		break;
	case 3:
		n = fz_take(f, fz_u8(f), &p);
		sqlite3_bind_text(st, i, (const char *)p, (int)n, SQLITE_TRANSIENT);
		break;
	case 4:
		n = fz_take(f, fz_u8(f), &p);
		sqlite3_bind_blob(st, i, p, (int)n, SQLITE_TRANSIENT);
		break;
	case 5:
		for (int k = 0; k < 8; k++)
			u = u << 8 | fz_u8(f);
		memcpy(&d, &u, sizeof(d));
		sqlite3_bind_double(st, i, d);
		break;
	default:
		sqlite3_bind_text(st, i, words[fz_u8(f) % N_WORDS], -1, SQLITE_STATIC);
		break;
	}
}

/* ---- what was read, for the lookups after the walks ---------------------- */
#define KEEP 8
struct seen {
	uint32_t nets[KEEP], hosts[KEEP];
	char apps[KEEP][REG_NAME_MAX + 1];
	uint32_t app_nets[KEEP];
	char machines[KEEP][REG_ID_MAX + 1];
	struct sixpn_ip6 addrs[2 * KEEP];
	uint32_t addr_hosts[2 * KEEP];
	int64_t peers[KEEP];
	char peer_names[KEEP][REG_NAME_MAX + 1];
	uint32_t peer_nets[KEEP];
	int n_nets, n_hosts, n_apps, n_machines, n_addrs, n_peers;
};

static int org_cb(const struct reg_org *o, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(o->name), "org name");
	return 0;
}

static int network_cb(const struct reg_network *n, void *ctx)
{
	struct seen *s = ctx;

	FZ_CHECK(FZ_TERMINATED(n->name) && FZ_TERMINATED(n->org), "network strings");
	if (s->n_nets < KEEP)
		s->nets[s->n_nets++] = n->id;
	return 0;
}

static int app_cb(const struct reg_app *a, void *ctx)
{
	struct seen *s = ctx;

	FZ_CHECK(FZ_TERMINATED(a->id) && FZ_TERMINATED(a->name) && FZ_TERMINATED(a->org) &&
		 FZ_TERMINATED(a->network), "app strings");
	if (s->n_apps < KEEP) {
		memcpy(s->apps[s->n_apps], a->name, sizeof(a->name));
		s->app_nets[s->n_apps++] = a->network_id;
	}
	return 0;
}

static int host_cb(const struct reg_host *h, void *ctx)
{
	struct seen *s = ctx;

	FZ_CHECK(FZ_TERMINATED(h->region) && FZ_TERMINATED(h->endpoint) &&
		 FZ_TERMINATED(h->public_key) && FZ_TERMINATED(h->peers_endpoint) &&
		 FZ_TERMINATED(h->peers_public_key), "host strings");
	if (s->n_hosts < KEEP)
		s->hosts[s->n_hosts++] = h->id;
	return 0;
}

static void keep_addr(struct seen *s, const struct sixpn_ip6 *a, uint32_t host)
{
	if (s->n_addrs < 2 * KEEP) {
		s->addr_hosts[s->n_addrs] = host;
		s->addrs[s->n_addrs++] = *a;
	}
}

static int machine_cb(const struct reg_machine *m, void *ctx)
{
	struct seen *s = ctx;

	FZ_CHECK(FZ_TERMINATED(m->id) && FZ_TERMINATED(m->app_id) && FZ_TERMINATED(m->app) &&
		 FZ_TERMINATED(m->org) && FZ_TERMINATED(m->region) && FZ_TERMINATED(m->iface),
		 "machine strings");
	FZ_CHECK(sixpn_net_id(&m->addr) == m->network_id && sixpn_host_id(&m->addr) == m->host_id &&
		 sixpn_instance_id(&m->addr) == m->instance_id, "a machine's address");
	FZ_CHECK(FZ_TERMINATED(m->process_group) && FZ_TERMINATED(m->metadata) &&
		 reg_machine_state_name(m->state), "machine state, group and metadata");
	{
		char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1], kv[2 * REG_NAME_MAX + 2], e[128];
		size_t pos = 0, last = 0;
		int pairs = 0;

		/* what the walk hands out is two labels, always past where it was */
		while (reg_metadata_next(m->metadata, &pos, k, v)) {
			snprintf(kv, sizeof(kv), "%s=%s", k, v);
			FZ_CHECK(reg_check_metadata(kv, 0, e, sizeof(e)) == REG_OK && pos > last,
				 "metadata pair '%s' of '%.80s'", kv, m->metadata);
			last = pos;
			FZ_CHECK(++pairs <= (int)sizeof(m->metadata), "metadata walk ends");
		}
	}
	if (s->n_machines < KEEP)
		memcpy(s->machines[s->n_machines++], m->id, sizeof(m->id));
	keep_addr(s, &m->addr, m->host_id);
	return 0;
}

static int peer_cb(const struct reg_peer *p, void *ctx)
{
	struct seen *s = ctx;

	FZ_CHECK(FZ_TERMINATED(p->name) && FZ_TERMINATED(p->org) && FZ_TERMINATED(p->network) &&
		 FZ_TERMINATED(p->region) && FZ_TERMINATED(p->public_key) &&
		 FZ_TERMINATED(p->gw_peers_endpoint) && FZ_TERMINATED(p->gw_peers_public_key),
		 "peer strings");
	FZ_CHECK(sixpn_net_id(&p->addr) == p->network_id && sixpn_host_id(&p->addr) == p->gw_host_id,
		 "a peer's address");
	if (s->n_peers < KEEP) {
		memcpy(s->peer_names[s->n_peers], p->name, sizeof(p->name));
		s->peer_nets[s->n_peers] = p->network_id;
		s->peers[s->n_peers++] = p->id;
	}
	keep_addr(s, &p->addr, p->gw_host_id);
	return 0;
}

/* The agent's reading of the change log (agent/sync.c, names_sync.c):
 * each key looked up in its table. */
static int change_cb(const struct reg_change *c, void *ctx)
{
	struct reg_machine m;
	struct reg_app a;
	struct reg_peer p;
	struct reg_host h;
	struct reg_network n;

	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(c->table) && FZ_TERMINATED(c->key), "change strings");
	if (!strcmp(c->table, "machines"))
		reg_get_machine(reg, c->key, &m);
	else if (!strcmp(c->table, "apps"))
		reg_get_app(reg, c->key, &a);
	else if (!strcmp(c->table, "peers"))
		reg_get_peer(reg, strtoll(c->key, NULL, 10), &p);
	else if (!strcmp(c->table, "hosts"))
		reg_get_host(reg, (uint32_t)strtoul(c->key, NULL, 10), &h);
	else if (!strcmp(c->table, "networks"))
		reg_get_network(reg, (uint32_t)strtoul(c->key, NULL, 10), &n);
	return 0;
}

static int region_cb(const struct reg_region *g, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(g->name), "region name");
	return 0;
}

/* One question to the resolver, from host `host` in network `net`. */
static void ask(uint32_t net, uint32_t host, const char *fmt, const char *name, ldns_rr_type type)
{
	struct sixpn_ip6 src;
	struct rsv_origin o;
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	char qname[300];

	snprintf(qname, sizeof(qname), fmt, name);
	if (ldns_pkt_query_new_frm_str(&p, qname, type, LDNS_RR_CLASS_IN, LDNS_RD) != LDNS_STATUS_OK)
		return; /* not a name ldns can write: no one can ask it */
	if (ldns_pkt2wire(&wire, p, &len) == LDNS_STATUS_OK) {
		sixpn_compose(&src, net, host ? host : 1, 1, 2);
		fz_origin(&o, &src, false);
		rsv_handle(rsv, &o, wire, len);
		FZ_CHECK(fz_rsv.n_replies == 1, "%d replies to %s", fz_rsv.n_replies, qname);
		fz_check_reply(0, wire, len);
		fz_rsv_reset();
	}
	free(wire);
	ldns_pkt_free(p);
}

/* Flycast rows: terminated strings, an address in the service range of
 * its consumer network, the backend walk and the lookup by address. */
static int backend_cb(const struct reg_machine *m, void *ctx)
{
	const struct reg_flycast *f = ctx;

	FZ_CHECK(FZ_TERMINATED(m->id) && !strcmp(m->app, f->app), "backend %.20s", m->id);
	return 0;
}

static int flycast_cb(const struct reg_flycast *f, void *ctx)
{
	struct reg_flycast again;
	uint32_t i;

	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(f->app) && FZ_TERMINATED(f->network) &&
		 FZ_TERMINATED(f->org) && FZ_TERMINATED(f->app_network), "flycast strings");
	FZ_CHECK(f->svc_id != 0 && sixpn_fc_in_service_range(&f->addr) &&
		 sixpn_net_id(&f->addr) == f->network_id, "flycast address");
	FZ_CHECK(f->nports <= SIXPN_FC_MAX_PORTS, "flycast %u ports", f->nports);
	for (i = 0; i < f->nports; i++)
		FZ_CHECK(f->ports[i] != 0, "flycast port 0");
	reg_flycast_backends(reg, f, backend_cb, (void *)f);
	FZ_CHECK(reg_get_flycast(reg, &f->addr, &again) == REG_OK &&
		 again.svc_id == f->svc_id, "flycast lookup by its address");
	return 0;
}

static void read_back(void)
{
	struct seen s = { 0 };
	struct reg_owner owner;
	struct reg_network n;
	struct reg_host h;
	struct reg_machine m;
	struct reg_peer p;
	struct reg_app a;
	struct sixpn_ip6 dns;
	int64_t seq;
	int i;

	reg_snapshot_begin(reg);
	reg_change_seq(reg, &seq);
	reg_foreach_org(reg, org_cb, &s);
	reg_foreach_network(reg, NULL, network_cb, &s);
	reg_foreach_app(reg, NULL, app_cb, &s);
	reg_foreach_host(reg, host_cb, &s);
	reg_foreach_machine(reg, NULL, machine_cb, &s);
	reg_foreach_peer(reg, NULL, peer_cb, &s);
	reg_foreach_change(reg, 0, change_cb, &s);
	reg_foreach_region(reg, region_cb, &s);
	reg_foreach_flycast(reg, NULL, flycast_cb, NULL);
	for (i = 0; i < s.n_nets; i++) {
		reg_get_network(reg, s.nets[i], &n);
		sixpn_compose(&dns, s.nets[i], 0, 0, SIXPN_DNS_FREE_WORD);
		reg_lookup_addr(reg, &dns, &owner);
	}
	for (i = 0; i < s.n_hosts; i++)
		reg_get_host(reg, s.hosts[i], &h);
	for (i = 0; i < s.n_apps; i++)
		reg_get_app(reg, s.apps[i], &a);
	for (i = 0; i < s.n_machines; i++)
		reg_get_machine(reg, s.machines[i], &m);
	for (i = 0; i < s.n_peers; i++)
		reg_get_peer(reg, s.peers[i], &p);
	for (i = 0; i < s.n_addrs; i++)
		reg_lookup_addr(reg, &s.addrs[i], &owner);
	reg_snapshot_end(reg);

	/* the resolver, from the first host that runs something, or host 1 */
	uint32_t host = s.n_addrs ? s.addr_hosts[0] : 1;

	for (i = 0; i < s.n_apps && i < 3; i++) {
		ask(s.app_nets[i], host, "%s.internal.", s.apps[i], LDNS_RR_TYPE_AAAA);
		ask(s.app_nets[i], host, "vms.%s.internal.", s.apps[i], LDNS_RR_TYPE_TXT);
		ask(s.app_nets[i], host, "regions.%s.internal.", s.apps[i], LDNS_RR_TYPE_TXT);
		ask(s.app_nets[i], host, "top3.nearest.of.%s.internal.", s.apps[i], LDNS_RR_TYPE_AAAA);
		ask(s.app_nets[i], host, "all.vms.%s.internal.", s.apps[i], LDNS_RR_TYPE_TXT);
		ask(s.app_nets[i], host, "all.regions.%s.internal.", s.apps[i], LDNS_RR_TYPE_TXT);
		ask(s.app_nets[i], host, "worker.process.%s.internal.", s.apps[i], LDNS_RR_TYPE_AAAA);
		ask(s.app_nets[i], host, "a.role.kv._metadata.%s.internal.", s.apps[i], LDNS_RR_TYPE_AAAA);
		ask(s.app_nets[i], host, "role.kv._metadata.%s.internal.", s.apps[i], LDNS_RR_TYPE_AAAA);
	}
	for (i = 0; i < s.n_peers && i < 2; i++)
		ask(s.peer_nets[i], host, "%s._peer.internal.", s.peer_names[i], LDNS_RR_TYPE_AAAA);
	for (i = 0; i < s.n_nets && i < 2; i++) {
		ask(s.nets[i], host, "%s_apps.internal.", "", LDNS_RR_TYPE_TXT);
		ask(s.nets[i], host, "%s_instances.internal.", "", LDNS_RR_TYPE_TXT);
		ask(s.nets[i], host, "%s_peer.internal.", "", LDNS_RR_TYPE_TXT);
		ask(s.nets[i], host, "%sall._instances.internal.", "", LDNS_RR_TYPE_TXT);
		ask(s.nets[i], host, "%s_api.internal.", "", LDNS_RR_TYPE_AAAA);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t t;
	int rows = 0;

	if (reg_exec(reg, "BEGIN"))
		die("begin");
	while (f.n && rows++ < 64) {
		const struct table *tb = &tables[fz_u8(&f) % N_TABLES];
		sqlite3_stmt *st = insert[tb - tables];

		for (int i = 0; tb->cols[i]; i++)
			bind_value(&f, st, i + 1);
		sqlite3_step(st); /* a row SQLite refuses (NOT NULL, UNIQUE) is no row */
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (reg_exec(reg, "COMMIT"))
		die("commit");
	read_back();
	for (t = 0; t < N_TABLES; t++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[t].name);
		if (reg_exec(reg, sql))
			die(sql);
	}
	return 0;
}
