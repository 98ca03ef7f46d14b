// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry's read API: iterators, lookups by key, the change log and
 * "what does this address belong to". Used by sixpnctl and sixpnd. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry_int.h"

#define FOUND 0x7fff0001 /* a get_* callback's "stop, I have it" */

/* Steps st, handing each row (parsed by row() into buf) to cb; gives st
 * back (reg_stmt_done). A statement expression, so every callback keeps its own type. */
#define WALK(r, st, row, buf, cb, ctx) ({                                     \
	int rc_, ret_ = REG_OK;                                               \
	while ((rc_ = sqlite3_step(st)) == SQLITE_ROW) {                      \
		row(st, &(buf));                                              \
		ret_ = cb(&(buf), ctx);                                       \
		if (ret_)                                                     \
			break;                                                \
	}                                                                     \
	if (rc_ != SQLITE_ROW && rc_ != SQLITE_DONE)                          \
		ret_ = reg_sqlfail(r, "read");                                \
	reg_stmt_done(r, st);                                                 \
	ret_;                                                                 \
})

/* A SELECT whose WHERE holds only the filters that are set. Written as
 * "(?N IS NULL OR col = ?N)", each filter leaves SQLite no index to plan
 * with: it walks the whole table for every lookup (EXPLAIN QUERY PLAN:
 * "SCAN a"), and the resolver spent ~200 us of CPU on each question against
 * a registry of 1,000 apps. The parameters keep their numbers, so a caller
 * binds all of them; those the text leaves out are ignored. */
struct where_sql {
	char sql[1536];
	size_t n;
	int any;
};

static void where_init(struct where_sql *w, const char *select)
{
	w->n = (size_t)snprintf(w->sql, sizeof(w->sql), "%s", select);
	w->any = 0;
}

/* Appends cond when on; the pieces are the constant strings below, which
 * fit (a cut statement would fail to prepare, not run wrongly). */
static void where_and(struct where_sql *w, int on, const char *cond)
{
	if (!on || w->n >= sizeof(w->sql))
		return;
	w->n += (size_t)snprintf(w->sql + w->n, sizeof(w->sql) - w->n, "%s%s",
				 w->any ? " AND " : " WHERE ", cond);
	w->any = 1;
}

static sqlite3_stmt *where_prep(struct reg *r, struct where_sql *w, const char *order)
{
	if (w->n < sizeof(w->sql))
		snprintf(w->sql + w->n, sizeof(w->sql) - w->n, " %s", order);
	return reg_prep_cached(r, w->sql);
}

/* Reads a row's columns left to right, so that a row parser lists its
 * fields in the order of its SELECT and numbers none of them by hand. */
struct cols {
	sqlite3_stmt *st;
	int i;
};

static int64_t col_int(struct cols *c)
{
	return sqlite3_column_int64(c->st, c->i++);
}

static const char *col_cstr(struct cols *c)
{
	return (const char *)sqlite3_column_text(c->st, c->i++);
}

static void col_text(struct cols *c, char *dst, size_t n)
{
	reg_col_text(c->st, c->i++, dst, n);
}

/* A char array field: its size goes with it. */
#define COL_TEXT(c, field) col_text(c, field, sizeof(field))

/* The get_* walks' callback for struct reg_<kind>: copies the row it is
 * handed into out and stops the walk with FOUND. */
#define DEFINE_COPY(kind)                                                     \
static int copy_##kind(const struct reg_##kind *row, void *out)               \
{                                                                             \
	*(struct reg_##kind *)out = *row;                                     \
	return FOUND;                                                         \
}

/* What a get_* returns for its walk's rc: REG_OK if the row was found, the
 * walk's error, or REG_ENOENT with the message fmt when no row matched. */
static int found_or_enoent(struct reg *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int found_or_enoent(struct reg *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (rc == FOUND)
		return REG_OK;
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return REG_ENOENT;
}

/* A text filter is set when bind_text_or_null binds it as text. */
static int text_set(const char *s)
{
	return s && *s;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* ---- orgs --------------------------------------------------------------- */

static int org_row(sqlite3_stmt *st, void *p)
{
	struct reg_org *o = p;
	struct cols c = { st, 0 };

	memset(o, 0, sizeof(*o));
	o->id = col_int(&c);
	COL_TEXT(&c, o->name);
	o->created_at = col_int(&c);
	o->network_count = col_int(&c);
	o->app_count = col_int(&c);
	o->peer_count = col_int(&c);
	return 0;
}

static int orgs_query(struct reg *r, const char *name, reg_org_cb cb, void *ctx)
{
	struct reg_org o;
	sqlite3_stmt *st = reg_prep(r,
		"SELECT o.id, o.name, o.created_at,"
		" (SELECT count(*) FROM networks n WHERE n.org_id = o.id),"
		" (SELECT count(*) FROM apps a WHERE a.org_id = o.id),"
		" (SELECT count(*) FROM peers p WHERE p.org_id = o.id)"
		" FROM orgs o WHERE (?1 IS NULL OR o.name = ?1)"
		" AND (?2 IS NULL OR o.name = ?2) ORDER BY o.name");

	if (!st)
		return REG_ERR;
	bind_text_or_null(st, 1, name);
	bind_text_or_null(st, 2, r->scope);   /* reg_scope_org */
	return WALK(r, st, org_row, o, cb, ctx);
}

int reg_foreach_org(struct reg *r, reg_org_cb cb, void *ctx)
{
	return orgs_query(r, NULL, cb, ctx);
}

DEFINE_COPY(org)

int reg_get_org(struct reg *r, const char *name, struct reg_org *out)
{
	return found_or_enoent(r, orgs_query(r, name, copy_org, out),
			       "org '%s' does not exist", name);
}

/* ---- networks ----------------------------------------------------------- */

static int network_row(sqlite3_stmt *st, void *p)
{
	struct reg_network *n = p;
	struct cols c = { st, 0 };

	memset(n, 0, sizeof(*n));
	n->id = col_int(&c);
	COL_TEXT(&c, n->name);
	n->org_id = col_int(&c);
	COL_TEXT(&c, n->org);
	n->created_at = col_int(&c);
	n->app_count = col_int(&c);
	return 0;
}

static int networks_query(struct reg *r, const char *org, uint32_t id,
			  reg_network_cb cb, void *ctx)
{
	struct reg_network n;
	sqlite3_stmt *st = reg_prep(r,
		"SELECT n.id, n.name, n.org_id, o.name, n.created_at,"
		" (SELECT count(*) FROM apps a WHERE a.network_id = n.id)"
		" FROM networks n JOIN orgs o ON o.id = n.org_id"
		" WHERE (?1 IS NULL OR o.name = ?1) AND (?2 = 0 OR n.id = ?2)"
		" ORDER BY o.name, n.id");

	if (!st)
		return REG_ERR;
	bind_text_or_null(st, 1, org);
	sqlite3_bind_int64(st, 2, id);
	return WALK(r, st, network_row, n, cb, ctx);
}

int reg_foreach_network(struct reg *r, const struct reg_filter *f,
			reg_network_cb cb, void *ctx)
{
	return networks_query(r, f ? f->org : NULL, f ? f->network_id : 0, cb,
			      ctx);
}

DEFINE_COPY(network)

int reg_get_network(struct reg *r, uint32_t id, struct reg_network *out)
{
	if (id == 0)
		return reg_fail(r, REG_ENOENT, "network ID 0 is reserved");
	return found_or_enoent(r, networks_query(r, NULL, id, copy_network, out),
			       "network ID %u is not bound", id);
}

/* ---- apps --------------------------------------------------------------- */

static int app_row(sqlite3_stmt *st, void *p)
{
	struct reg_app *a = p;
	struct cols c = { st, 0 };

	memset(a, 0, sizeof(*a));
	COL_TEXT(&c, a->id);
	COL_TEXT(&c, a->name);
	a->org_id = col_int(&c);
	COL_TEXT(&c, a->org);
	a->network_id = col_int(&c);
	COL_TEXT(&c, a->network);
	a->created_at = col_int(&c);
	a->machine_count = col_int(&c);
	return 0;
}

static int apps_query(struct reg *r, const char *org, uint32_t net,
		      const char *id_or_name, int no_counts, reg_app_cb cb, void *ctx)
{
	struct reg_app a;
	struct where_sql w;
	sqlite3_stmt *st;

	where_init(&w, no_counts ?
		       "SELECT a.id, a.name, a.org_id, o.name, a.network_id, n.name,"
		       " a.created_at, 0"
		       " FROM apps a JOIN orgs o ON o.id = a.org_id"
		       " JOIN networks n ON n.id = a.network_id" :
		       "SELECT a.id, a.name, a.org_id, o.name, a.network_id, n.name,"
		       " a.created_at,"
		       " (SELECT count(*) FROM machines m WHERE m.app_id = a.id)"
		       " FROM apps a JOIN orgs o ON o.id = a.org_id"
		       " JOIN networks n ON n.id = a.network_id");
	where_and(&w, text_set(org), "o.name = ?1");
	where_and(&w, net != 0, "a.network_id = ?2");
	where_and(&w, text_set(id_or_name), "(a.id = ?3 OR a.name = ?3)");
	where_and(&w, text_set(r->scope), "o.name = ?4");   /* reg_scope_org */
	st = where_prep(r, &w, "ORDER BY a.name");
	if (!st)
		return REG_ERR;
	bind_text_or_null(st, 1, org);
	sqlite3_bind_int64(st, 2, net);
	bind_text_or_null(st, 3, id_or_name);
	bind_text_or_null(st, 4, r->scope);
	return WALK(r, st, app_row, a, cb, ctx);
}

int reg_foreach_app(struct reg *r, const struct reg_filter *f, reg_app_cb cb,
		    void *ctx)
{
	return apps_query(r, f ? f->org : NULL, f ? f->network_id : 0,
			  f ? f->app : NULL, f ? f->no_counts : 0, cb, ctx);
}

DEFINE_COPY(app)

int reg_get_app(struct reg *r, const char *id_or_name, struct reg_app *out)
{
	return found_or_enoent(r, apps_query(r, NULL, 0, id_or_name, 0, copy_app, out),
			       "app '%s' does not exist", id_or_name);
}

/* ---- hosts -------------------------------------------------------------- */

static int host_row(sqlite3_stmt *st, void *p)
{
	struct reg_host *h = p;
	struct cols c = { st, 0 };

	memset(h, 0, sizeof(*h));
	h->id = col_int(&c);
	COL_TEXT(&c, h->region);
	COL_TEXT(&c, h->endpoint);
	COL_TEXT(&c, h->public_key);
	COL_TEXT(&c, h->peers_endpoint);
	COL_TEXT(&c, h->peers_public_key);
	h->created_at = col_int(&c);
	h->machine_count = col_int(&c);
	h->peer_count = col_int(&c);
	return 0;
}

static int hosts_query(struct reg *r, uint32_t id, reg_host_cb cb, void *ctx)
{
	struct reg_host h;
	sqlite3_stmt *st = reg_prep(r,
		"SELECT h.id, h.region, h.endpoint, h.public_key,"
		" h.peers_endpoint, h.peers_public_key, h.created_at,"
		" (SELECT count(*) FROM machines m WHERE m.host_id = h.id),"
		" (SELECT count(*) FROM peers p WHERE p.host_id = h.id)"
		" FROM hosts h WHERE (?1 = 0 OR h.id = ?1) ORDER BY h.id");

	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, id);
	return WALK(r, st, host_row, h, cb, ctx);
}

int reg_foreach_host(struct reg *r, reg_host_cb cb, void *ctx)
{
	return hosts_query(r, 0, cb, ctx);
}

DEFINE_COPY(host)

int reg_get_host(struct reg *r, uint32_t id, struct reg_host *out)
{
	char buf[16];

	if (id == 0)
		return reg_fail(r, REG_ENOENT, "host ID 0:0 is reserved");
	return found_or_enoent(r, hosts_query(r, id, copy_host, out),
			       "host '%s' does not exist", reg_fmt_id32(id, buf));
}

/* ---- machines ----------------------------------------------------------- */

static int machine_row(sqlite3_stmt *st, void *p)
{
	struct reg_machine *m = p;
	struct cols c = { st, 0 };

	memset(m, 0, sizeof(*m));
	COL_TEXT(&c, m->id);
	COL_TEXT(&c, m->app_id);
	COL_TEXT(&c, m->app);
	m->org_id = col_int(&c);
	COL_TEXT(&c, m->org);
	m->network_id = col_int(&c);
	m->host_id = col_int(&c);
	m->instance_id = col_int(&c);
	COL_TEXT(&c, m->region);
	COL_TEXT(&c, m->iface);
	m->created_at = col_int(&c);
	/* what no writer stores (a hand-written row) reads as stopped: the
	 * names of a started machine are the ones it must not get wrongly */
	m->state = reg_machine_state_parse(col_cstr(&c));
	if (!m->state)
		m->state = REG_MACHINE_STOPPED;
	COL_TEXT(&c, m->process_group);
	COL_TEXT(&c, m->metadata);
	m->order = col_int(&c);
	sixpn_compose(&m->prefix, m->network_id, m->host_id, m->instance_id, 0);
	sixpn_compose(&m->addr, m->network_id, m->host_id, m->instance_id,
		      SIXPN_INSTANCE_FREE);
	return 0;
}

struct mquery {
	const char *org, *app, *id;
	uint32_t host, net, instance;
};

static int machines_query(struct reg *r, const struct mquery *q,
			  reg_machine_cb cb, void *ctx)
{
	struct reg_machine m;
	struct where_sql w;
	sqlite3_stmt *st;

	where_init(&w, "SELECT m.id, m.app_id, a.name, a.org_id, o.name, a.network_id,"
		       " m.host_id, m.instance_id, m.region, m.iface, m.created_at,"
		       " m.state, m.process_group, m.metadata, m.rowid"
		       " FROM machines m JOIN apps a ON a.id = m.app_id"
		       " JOIN orgs o ON o.id = a.org_id");
	where_and(&w, text_set(q->org), "o.name = ?1");
	where_and(&w, text_set(q->app), "a.name = ?2");
	where_and(&w, q->host != 0, "m.host_id = ?3");
	where_and(&w, q->net != 0, "a.network_id = ?4");
	where_and(&w, text_set(q->id), "m.id = ?5");
	where_and(&w, q->instance != 0, "m.instance_id = ?6");
	where_and(&w, text_set(r->scope), "o.name = ?7");   /* reg_scope_org */
	st = where_prep(r, &w, "ORDER BY a.name, m.rowid");
	if (!st)
		return REG_ERR;
	bind_text_or_null(st, 1, q->org);
	bind_text_or_null(st, 2, q->app);
	sqlite3_bind_int64(st, 3, q->host);
	sqlite3_bind_int64(st, 4, q->net);
	bind_text_or_null(st, 5, q->id);
	sqlite3_bind_int64(st, 6, q->instance);
	bind_text_or_null(st, 7, r->scope);
	return WALK(r, st, machine_row, m, cb, ctx);
}

int reg_foreach_machine(struct reg *r, const struct reg_filter *f,
			reg_machine_cb cb, void *ctx)
{
	struct mquery q = { 0 };

	if (f) {
		q.org = f->org;
		q.app = f->app;
		q.host = f->host_id;
		q.net = f->network_id;
	}
	return machines_query(r, &q, cb, ctx);
}

DEFINE_COPY(machine)

int reg_get_machine(struct reg *r, const char *id, struct reg_machine *out)
{
	struct mquery q = { .id = id };

	return found_or_enoent(r, machines_query(r, &q, copy_machine, out),
			       "machine '%s' does not exist", id);
}

/* ---- peers -------------------------------------------------------------- */

static int peer_row(sqlite3_stmt *st, void *p)
{
	struct reg_peer *w = p;
	struct cols c = { st, 0 };
	uint16_t base;

	memset(w, 0, sizeof(*w));
	w->id = col_int(&c);
	COL_TEXT(&c, w->name);
	w->org_id = col_int(&c);
	COL_TEXT(&c, w->org);
	w->network_id = col_int(&c);
	COL_TEXT(&c, w->network);
	COL_TEXT(&c, w->region);
	w->gw_host_id = col_int(&c);
	w->gw_instance_id = col_int(&c);
	w->slot = col_int(&c);
	COL_TEXT(&c, w->public_key);
	COL_TEXT(&c, w->gw_peers_endpoint);
	COL_TEXT(&c, w->gw_peers_public_key);
	w->created_at = col_int(&c);
	base = (uint16_t)(w->slot << 8);
	sixpn_compose(&w->prefix, w->network_id, w->gw_host_id,
		      w->gw_instance_id, base);
	sixpn_compose(&w->addr, w->network_id, w->gw_host_id, w->gw_instance_id,
		      base | SIXPN_INSTANCE_FREE);
	return 0;
}

struct pquery {
	const char *org, *name;
	uint32_t host, net, gw_instance;
	int64_t id;
	int slot;  /* -1: any */
};

static int peers_query(struct reg *r, const struct pquery *q, reg_peer_cb cb,
		       void *ctx)
{
	struct reg_peer p;
	struct where_sql w;
	sqlite3_stmt *st;

	where_init(&w, "SELECT p.id, p.name, p.org_id, o.name, p.network_id, n.name,"
		       " p.region, p.host_id, p.gw_instance_id, p.slot, p.public_key,"
		       " h.peers_endpoint, h.peers_public_key, p.created_at"
		       " FROM peers p JOIN orgs o ON o.id = p.org_id"
		       " JOIN networks n ON n.id = p.network_id"
		       " JOIN hosts h ON h.id = p.host_id");
	where_and(&w, text_set(q->org), "o.name = ?1");
	where_and(&w, text_set(q->name), "p.name = ?2");
	where_and(&w, q->host != 0, "p.host_id = ?3");
	where_and(&w, q->net != 0, "p.network_id = ?4");
	where_and(&w, q->id != 0, "p.id = ?5");
	where_and(&w, q->gw_instance != 0, "p.gw_instance_id = ?6");
	where_and(&w, q->slot >= 0, "p.slot = ?7");
	st = where_prep(r, &w, "ORDER BY o.name, p.name");
	if (!st)
		return REG_ERR;
	bind_text_or_null(st, 1, q->org);
	bind_text_or_null(st, 2, q->name);
	sqlite3_bind_int64(st, 3, q->host);
	sqlite3_bind_int64(st, 4, q->net);
	sqlite3_bind_int64(st, 5, q->id);
	sqlite3_bind_int64(st, 6, q->gw_instance);
	sqlite3_bind_int(st, 7, q->slot);
	return WALK(r, st, peer_row, p, cb, ctx);
}

int reg_foreach_peer(struct reg *r, const struct reg_filter *f, reg_peer_cb cb,
		     void *ctx)
{
	struct pquery q = { .slot = -1 };

	if (f) {
		q.org = f->org;
		q.host = f->host_id;
		q.net = f->network_id;
	}
	return peers_query(r, &q, cb, ctx);
}

DEFINE_COPY(peer)

int reg_get_peer(struct reg *r, int64_t id, struct reg_peer *out)
{
	struct pquery q = { .id = id, .slot = -1 };

	if (id <= 0)
		return reg_fail(r, REG_ENOENT, "peer %lld does not exist",
				(long long)id);
	return found_or_enoent(r, peers_query(r, &q, copy_peer, out),
			       "peer %lld does not exist", (long long)id);
}

int reg_get_peer_by_name(struct reg *r, const char *org, const char *name,
			 struct reg_peer *out)
{
	struct pquery q = { .org = org, .name = name, .slot = -1 };

	return found_or_enoent(r, peers_query(r, &q, copy_peer, out),
			       "peer '%s' does not exist in org '%s'", name, org);
}

/* ---- change log --------------------------------------------------------- */

int reg_change_seq(struct reg *r, int64_t *seq)
{
	return reg_query_int(r, "SELECT coalesce(max(seq), 0) FROM changes", seq, "read change seq");
}

static int change_row(sqlite3_stmt *st, void *p)
{
	struct reg_change *ch = p;
	struct cols c = { st, 0 };
	const char *op;

	memset(ch, 0, sizeof(*ch));
	ch->seq = col_int(&c);
	COL_TEXT(&c, ch->table);
	COL_TEXT(&c, ch->key);
	op = col_cstr(&c);
	ch->op = !op ? 0 : !strcmp(op, "insert") ? REG_OP_INSERT :
		!strcmp(op, "update") ? REG_OP_UPDATE : REG_OP_DELETE;
	ch->at = col_int(&c);
	return 0;
}

int reg_foreach_change(struct reg *r, int64_t since, reg_change_cb cb, void *ctx)
{
	struct reg_change c;
	sqlite3_stmt *st = reg_prep(r,
		"SELECT seq, tbl, key, op, at FROM changes WHERE seq > ?1"
		" ORDER BY seq");

	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, since);
	return WALK(r, st, change_row, c, cb, ctx);
}

/* ---- addresses ---------------------------------------------------------- */

static int gateway_network(struct reg *r, uint32_t host, uint32_t inst,
			   uint32_t *net)
{
	sqlite3_stmt *st = reg_prep(r,
		"SELECT network_id FROM gateways WHERE host_id = ?1"
		" AND instance_id = ?2");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, host);
	sqlite3_bind_int64(st, 2, inst);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*net = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	reg_sqlfail(r, "read gateways");
	return -1;
}

int reg_lookup_addr(struct reg *r, const struct sixpn_ip6 *a,
		    struct reg_owner *out)
{
	uint32_t net = sixpn_net_id(a), host = sixpn_host_id(a);
	uint32_t inst = sixpn_instance_id(a), gwnet = 0;
	uint16_t free_word = sixpn_ntohs(a->w[7]);
	struct mquery mq = { .host = host, .instance = inst };
	struct pquery pq = { .host = host, .gw_instance = inst,
			     .slot = free_word >> 8 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!sixpn_is_6pn(a))
		return REG_OK;
	if (sixpn_is_global_dns(a)) {
		out->kind = REG_OWNER_GLOBAL_DNS;
		return REG_OK;
	}
	if (net) {
		rc = reg_get_network(r, net, &out->network);
		if (rc && rc != REG_ENOENT)
			return rc;
		out->network_bound = rc == REG_OK;
	}
	if (!out->network_bound)
		return REG_OK;
	if (host == 0 && inst == 0) {
		out->kind = free_word == SIXPN_DNS_FREE_WORD ?
			REG_OWNER_NET_DNS : REG_OWNER_NET_PREFIX;
		return REG_OK;
	}
	if (host == 0) {
		rc = reg_get_flycast(r, a, &out->flycast);
		if (rc && rc != REG_ENOENT)
			return rc;
		out->kind = rc ? REG_OWNER_FLYCAST_RANGE : REG_OWNER_FLYCAST;
		return REG_OK;
	}
	if (inst == 0) {
		out->machine.host_id = host;
		out->kind = REG_OWNER_FLYCAST_SNAT;
		return REG_OK;
	}
	mq.net = net;
	rc = machines_query(r, &mq, copy_machine, &out->machine);
	if (rc == FOUND) {
		out->kind = free_word == SIXPN_INSTANCE_FREE ?
			REG_OWNER_MACHINE : REG_OWNER_MACHINE_PREFIX;
		return REG_OK;
	}
	if (rc)
		return rc;
	rc = gateway_network(r, host, inst, &gwnet);
	if (rc < 0)
		return REG_ERR;
	if (rc == 0 || gwnet != net)
		return REG_OK;
	pq.net = net;
	rc = peers_query(r, &pq, copy_peer, &out->peer);
	if (rc == FOUND) {
		out->kind = (free_word & 0xff) == SIXPN_INSTANCE_FREE ?
			REG_OWNER_PEER : REG_OWNER_PEER_PREFIX;
		return REG_OK;
	}
	if (rc)
		return rc;
	out->kind = REG_OWNER_GATEWAY;
	return REG_OK;
}
