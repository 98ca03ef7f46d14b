// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry's writes. Each public function is one BEGIN IMMEDIATE
 * transaction: it takes the database's write lock before reading anything
 * it will decide on, so concurrent sixpnctl processes serialize and never
 * hand out the same network ID, instance ID or /120 twice. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "registry/registry_int.h"
#include "lib/grow.h"

#define NET_DEFAULT "default"
#define MAX_ID32 0xffffffffu

/* Runs a statement that returns no row and finalizes it. A constraint
 * failure returns REG_EEXIST (the caller words the message). */
static int step_done(struct reg *r, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st), ret = REG_OK;

	if (rc == SQLITE_CONSTRAINT)
		ret = reg_fail(r, REG_EEXIST, "%s: %s", what,
			       sqlite3_errmsg(r->db));
	else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = reg_sqlfail(r, what);
	sqlite3_finalize(st);
	return ret;
}

/* Runs sql, whose parameters ?1..?n are all numbers, with v[0..n-1] bound
 * to them, like step_done. The leases and cursors are written this way. */
static int exec_ints(struct reg *r, const char *what, const char *sql,
		     const int64_t *v, int n)
{
	sqlite3_stmt *st = reg_prep(r, sql);
	int i;

	if (!st)
		return REG_ERR;
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	return step_done(r, st, what);
}

/* exec_ints with the values listed, each converted to int64_t. */
#define EXEC_INTS(r, what, sql, ...)                                          \
	exec_ints(r, what, sql, (const int64_t[]){ __VA_ARGS__ },             \
		  sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))

/* Runs a one-row one-column query: 1 with *out set, 0 without a row,
 * -1 on error. */
static int query_int(struct reg *r, sqlite3_stmt *st, int64_t *out)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	reg_sqlfail(r, "read");
	return -1;
}

static void random_hex(char *out, size_t nchars)
{
	unsigned char b[16];

	randombytes_buf(b, nchars / 2);
	sodium_bin2hex(out, nchars + 1, b, nchars / 2);
}

static int org_id(struct reg *r, const char *org, int64_t *id)
{
	sqlite3_stmt *st = reg_prep(r, "SELECT id FROM orgs WHERE name = ?1"
				    " AND (?2 IS NULL OR name = ?2)");
	int rc;

	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	/* reg_scope_org: another org is one that does not exist */
	if (r->scope[0])
		sqlite3_bind_text(st, 2, r->scope, -1, SQLITE_STATIC);
	rc = query_int(r, st, id);
	if (rc < 0)
		return REG_ERR;
	if (rc == 0)
		return reg_fail(r, REG_ENOENT, "org '%s' does not exist", org);
	return REG_OK;
}

/* Begins a write in an org: the transaction, then the org's ID. If that
 * fails the write is over (rolled back) and its rc returned, so the
 * caller has nothing to undo. */
static int begin_write_in_org(struct reg *r, const char *org, int64_t *oid)
{
	int rc = reg_begin_write(r);

	if (rc)
		return rc;
	rc = org_id(r, org, oid);
	return rc ? reg_end_write(r, rc) : REG_OK;
}

/* The network ID bound to (org, name), binding a new one if unbound. With
 * must_be_new an existing binding is REG_EEXIST. */
static int network_bind(struct reg *r, int64_t oid, const char *org,
			const char *name, int must_be_new, uint32_t *id)
{
	sqlite3_stmt *st;
	int64_t v;
	int rc;

	st = reg_prep(r, "SELECT id FROM networks WHERE org_id = ?1 AND name = ?2");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, oid);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = query_int(r, st, &v);
	if (rc < 0)
		return REG_ERR;
	if (rc == 1) {
		if (must_be_new)
			return reg_fail(r, REG_EEXIST,
					"network '%s' already exists in org '%s' "
					"(ID %lld)", name, org, (long long)v);
		*id = (uint32_t)v;
		return REG_OK;
	}
	st = reg_prep(r, "INSERT INTO networks (org_id, name, created_at)"
		      " VALUES (?1, ?2, ?3)");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, oid);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, reg_now());
	rc = step_done(r, st, "bind network");
	if (rc == REG_EEXIST)  /* the CHECK on the ID range */
		return reg_fail(r, REG_ERR, "no network IDs left: all 2^32-1 "
				"have been handed out");
	if (rc)
		return rc;
	*id = (uint32_t)sqlite3_last_insert_rowid(r->db);
	return REG_OK;
}

/* Is a lease row (released_at column) free to hand out? 1 in use or in
 * quarantine, 0 free, -1 error. Absent rows are free (*exists = 0). */
static int lease_busy(struct reg *r, sqlite3_stmt *st, int *exists)
{
	int rc = sqlite3_step(st), busy = 0;

	*exists = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			busy = 1;  /* in use */
		else
			busy = sqlite3_column_int64(st, 0) + r->quarantine > reg_now();
	} else if (rc != SQLITE_DONE) {
		reg_sqlfail(r, "read lease");
		busy = -1;
	}
	sqlite3_reset(st);
	return busy;
}

/* Hands out an instance ID on host: the host's cursor onwards, wrapping from
 * 2^32-1 to 1, skipping IDs in use or in quarantine. Monotonic, so an ID
 * comes back only after the other 2^32-2 have been handed out, and even
 * then not within the quarantine. */
static int alloc_instance(struct reg *r, uint32_t host, const char *kind,
			  uint32_t *out)
{
	sqlite3_stmt *st, *probe;
	int64_t cursor, rows, tries;
	uint32_t cand;
	int exists, busy = 1, rc;

	st = reg_prep(r, "SELECT next_instance FROM hosts WHERE id = ?1");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, host);
	if (query_int(r, st, &cursor) != 1)
		return reg_fail(r, REG_ERR, "host %#x vanished", host);
	st = reg_prep(r, "SELECT count(*) FROM instances WHERE host_id = ?1");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, host);
	if (query_int(r, st, &rows) != 1)
		return REG_ERR;

	probe = reg_prep(r, "SELECT released_at FROM instances"
			 " WHERE host_id = ?1 AND instance_id = ?2");
	if (!probe)
		return REG_ERR;
	cand = cursor >= 1 && cursor <= MAX_ID32 ? (uint32_t)cursor : 1;
	/* each skipped candidate has a row, so rows + 1 tries always find a
	 * free one unless every ID is taken */
	for (tries = 0; tries <= rows && tries < MAX_ID32; tries++) {
		sqlite3_bind_int64(probe, 1, host);
		sqlite3_bind_int64(probe, 2, cand);
		busy = lease_busy(r, probe, &exists);
		if (busy <= 0)
			break;
		cand = cand == MAX_ID32 ? 1 : cand + 1;
	}
	sqlite3_finalize(probe);
	if (busy < 0)
		return REG_ERR;
	if (busy)
		return reg_fail(r, REG_ERR, "no instance IDs left on host %#x",
				host);

	st = reg_prep(r, exists ?
		      "UPDATE instances SET kind = ?3, released_at = NULL"
		      " WHERE host_id = ?1 AND instance_id = ?2" :
		      "INSERT INTO instances (host_id, instance_id, kind)"
		      " VALUES (?1, ?2, ?3)");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, host);
	sqlite3_bind_int64(st, 2, cand);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	rc = step_done(r, st, "lease instance");
	if (rc)
		return rc == REG_EEXIST ? REG_ERR : rc;

	rc = EXEC_INTS(r, "advance instance cursor",
		       "UPDATE hosts SET next_instance = ?2 WHERE id = ?1",
		       host, cand == MAX_ID32 ? 1 : (int64_t)cand + 1);
	if (rc)
		return rc == REG_EEXIST ? REG_ERR : rc;
	*out = cand;
	return REG_OK;
}

static int release_instance(struct reg *r, uint32_t host, uint32_t inst)
{
	return EXEC_INTS(r, "release lease", "UPDATE instances SET released_at = ?3"
			 " WHERE host_id = ?1 AND instance_id = ?2",
			 host, inst, reg_now());
}

static int release_slot(struct reg *r, uint32_t host, uint32_t inst, int slot)
{
	return EXEC_INTS(r, "release lease", "UPDATE peer_slots SET released_at = ?3"
			 " WHERE host_id = ?1 AND instance_id = ?2 AND slot = ?4",
			 host, inst, reg_now(), slot);
}

/* ---- orgs, networks, apps ----------------------------------------------- */

static int org_create_once(struct reg *r, const char *name, struct reg_org *out)
{
	sqlite3_stmt *st;
	int rc;

	if (reg_check_org_name(name, r->err, sizeof(r->err)))
		return REG_EINVAL;
	st = reg_write_prep(r, "INSERT INTO orgs (name, created_at) VALUES (?1, ?2)", &rc);
	if (!st)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, reg_now());
	rc = step_done(r, st, "create org");
	if (rc == REG_EEXIST)
		rc = reg_fail(r, REG_EEXIST, "org '%s' already exists", name);
	if (!rc && out)
		rc = reg_get_org(r, name, out);
	return reg_end_write(r, rc);
}

static int network_create_once(struct reg *r, const char *org, const char *name,
		       struct reg_network *out)
{
	int64_t oid;
	uint32_t id = 0;
	int rc;

	if (reg_check_org_name(org, r->err, sizeof(r->err)) ||
	    reg_check_network_name(name, r->err, sizeof(r->err)))
		return REG_EINVAL;
	rc = begin_write_in_org(r, org, &oid);
	if (rc)
		return rc;
	rc = network_bind(r, oid, org, name, 1, &id);
	if (!rc && out)
		rc = reg_get_network(r, id, out);
	return reg_end_write(r, rc);
}

static int app_create_once(struct reg *r, const char *name, const char *org,
		   const char *network, struct reg_app *out)
{
	char id[REG_ID_MAX + 1];
	sqlite3_stmt *st;
	int64_t oid, v;
	uint32_t net = 0;
	int rc, n;

	if (!network)
		network = NET_DEFAULT;
	if (reg_check_app_name(name, r->err, sizeof(r->err)) ||
	    reg_check_org_name(org, r->err, sizeof(r->err)) ||
	    reg_check_network_name(network, r->err, sizeof(r->err)))
		return REG_EINVAL;
	rc = begin_write_in_org(r, org, &oid);
	if (rc)
		return rc;
	st = reg_prep(r, "SELECT 1 FROM apps WHERE name = ?1");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	n = query_int(r, st, &v);
	if (n)
		return reg_end_write(r, n < 0 ? REG_ERR :
			reg_fail(r, REG_EEXIST, "app '%s' already exists "
				 "(app names are unique across the fleet)", name));
	rc = network_bind(r, oid, org, network, 0, &net);
	if (rc)
		return reg_end_write(r, rc);
	for (n = 0; n < 8; n++) {
		random_hex(id, REG_ID_MAX);
		st = reg_prep(r, "INSERT INTO apps (id, name, org_id, network_id,"
			      " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
		if (!st)
			return reg_end_write(r, REG_ERR);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, oid);
		sqlite3_bind_int64(st, 4, net);
		sqlite3_bind_int64(st, 5, reg_now());
		rc = step_done(r, st, "create app");
		if (rc != REG_EEXIST)  /* else: the random ID collided */
			break;
	}
	if (!rc && out)
		rc = reg_get_app(r, id, out);
	return reg_end_write(r, rc);
}

static int destroy_machine_locked(struct reg *r, const struct reg_machine *m)
{
	sqlite3_stmt *st = reg_prep(r, "DELETE FROM machines WHERE id = ?1");

	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	if (step_done(r, st, "destroy machine"))
		return REG_ERR;
	return release_instance(r, m->host_id, m->instance_id);
}

struct mlist {
	struct reg_machine *v;
	size_t n, cap;
	int oom;
};

static int collect_machine(const struct reg_machine *m, void *ctx)
{
	struct mlist *l = ctx;
	struct reg_machine *v = array_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v) {
		l->oom = 1;
		return REG_ERR;
	}
	l->v = v;
	l->v[l->n++] = *m;
	return 0;
}

static int app_destroy_once(struct reg *r, const char *name, uint32_t *destroyed)
{
	struct reg_filter f = { .app = name };
	struct mlist l = { 0 };
	struct reg_app a;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (destroyed)
		*destroyed = 0;
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_app(r, name, &a);
	if (!rc)
		rc = reg_foreach_machine(r, &f, collect_machine, &l);
	if (l.oom)
		rc = reg_fail(r, REG_ERR, "out of memory");
	for (i = 0; !rc && i < l.n; i++)
		rc = destroy_machine_locked(r, &l.v[i]);
	free(l.v);
	if (!rc)
		rc = reg_flycast_release_app(r, a.id);
	if (!rc) {
		st = reg_prep(r, "DELETE FROM apps WHERE id = ?1");
		if (st)
			sqlite3_bind_text(st, 1, a.id, -1, SQLITE_STATIC);
		rc = st ? step_done(r, st, "destroy app") : REG_ERR;
		if (rc == REG_EEXIST)
			rc = REG_ERR;
	}
	if (!rc && destroyed)
		*destroyed = (uint32_t)l.n;
	return reg_end_write(r, rc);
}

/* ---- hosts, machines ---------------------------------------------------- */

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int host_add_once(struct reg *r, const struct reg_host *h)
{
	char idbuf[16];
	sqlite3_stmt *st;
	int rc;

	reg_fmt_id32(h->id, idbuf);
	if (h->id == 0)
		return reg_fail(r, REG_EINVAL, "host ID '0:0' is invalid: "
				"0:0 is reserved");
	if (reg_check_region(h->region, r->err, sizeof(r->err)) ||
	    (h->endpoint[0] &&
	     reg_check_endpoint("endpoint", h->endpoint, r->err, sizeof(r->err))) ||
	    (h->public_key[0] &&
	     reg_check_public_key("public key", h->public_key, r->err,
				  sizeof(r->err))) ||
	    (h->peers_endpoint[0] &&
	     reg_check_endpoint("peers endpoint", h->peers_endpoint, r->err,
				sizeof(r->err))) ||
	    (h->peers_public_key[0] &&
	     reg_check_public_key("peers public key", h->peers_public_key,
				  r->err, sizeof(r->err))))
		return REG_EINVAL;
	if (!h->peers_endpoint[0] != !h->peers_public_key[0])
		return reg_fail(r, REG_EINVAL,
				"host '%s' is invalid: a gateway needs both "
				"--peers-endpoint and --peers-public-key", idbuf);
	st = reg_write_prep(r, "INSERT INTO hosts (id, region, endpoint, public_key,"
			    " peers_endpoint, peers_public_key, created_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_text(st, 2, h->region, -1, SQLITE_STATIC);
	bind_opt(st, 3, h->endpoint);
	bind_opt(st, 4, h->public_key);
	bind_opt(st, 5, h->peers_endpoint);
	bind_opt(st, 6, h->peers_public_key);
	sqlite3_bind_int64(st, 7, reg_now());
	rc = step_done(r, st, "add host");
	if (rc == REG_EEXIST)
		rc = reg_fail(r, REG_EEXIST, "host '%s' already exists", idbuf);
	return reg_end_write(r, rc);
}

/* ---- machine metadata ---------------------------------------------------- */

struct md {
	char k[REG_METADATA_MAX + 1][REG_NAME_MAX + 1];
	char v[REG_METADATA_MAX + 1][REG_NAME_MAX + 1];
	size_t n;
};

static void md_load(struct md *d, const char *text)
{
	size_t pos = 0;

	d->n = 0;
	while (d->n < REG_METADATA_MAX && reg_metadata_next(text, &pos, d->k[d->n], d->v[d->n]))
		d->n++;
}

/* Applies "k=v" (set) and "k=" (remove) to d; with fresh, a key given
 * twice is refused (a create says each key once). */
static int md_apply(struct reg *r, struct md *d, const char *const *kv, size_t n, int fresh)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t klen = strcspn(kv[i], "=");
		const char *val = kv[i] + klen + 1;

		if (reg_check_metadata(kv[i], !fresh, r->err, sizeof(r->err)))
			return REG_EINVAL;
		for (j = 0; j < d->n; j++)
			if (strlen(d->k[j]) == klen && !strncmp(d->k[j], kv[i], klen))
				break;
		if (j < d->n && fresh)
			return reg_fail(r, REG_EINVAL, "metadata key '%.*s' is given twice",
					(int)klen, kv[i]);
		if (!*val) {            /* remove */
			if (j < d->n) {
				memmove(d->k[j], d->k[j + 1], (d->n - j - 1) * sizeof(d->k[0]));
				memmove(d->v[j], d->v[j + 1], (d->n - j - 1) * sizeof(d->v[0]));
				d->n--;
			}
			continue;
		}
		if (j == d->n) {
			if (d->n == REG_METADATA_MAX)
				return reg_fail(r, REG_EINVAL, "metadata '%s' is invalid: a "
						"machine has at most %d metadata keys", kv[i],
						REG_METADATA_MAX);
			snprintf(d->k[j], sizeof(d->k[j]), "%.*s", (int)klen, kv[i]);
			d->n++;
		}
		snprintf(d->v[j], sizeof(d->v[j]), "%s", val);
	}
	return REG_OK;
}

/* by key: "k=v" text, compared up to the '=' (keys are unique) */
static int md_cmp(const void *a, const void *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");
	int c = strncmp(a, b, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

/* "k=v,k=v" sorted by key: one text per set of pairs. */
static void md_text(const struct md *d, char *out, size_t len)
{
	char pairs[REG_METADATA_MAX][2 * REG_NAME_MAX + 2];
	size_t i, off = 0;

	for (i = 0; i < d->n; i++)
		snprintf(pairs[i], sizeof(pairs[i]), "%s=%s", d->k[i], d->v[i]);
	qsort(pairs, d->n, sizeof(pairs[0]), md_cmp);
	out[0] = '\0';
	for (i = 0; i < d->n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s", i ? "," : "", pairs[i]);
}

/* 1 when iface is free on host, 0 with the message set (REG_EEXIST), -1. */
static int iface_free(struct reg *r, uint32_t host_id, const char *iface)
{
	char hbuf[16];
	sqlite3_stmt *st;
	int64_t dummy;
	int n;

	st = reg_prep(r, "SELECT 1 FROM machines WHERE host_id = ?1 AND iface = ?2");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_text(st, 2, iface, -1, SQLITE_STATIC);
	n = query_int(r, st, &dummy);
	if (n < 0)
		return -1;
	if (n)
		reg_fail(r, REG_EEXIST, "interface '%s' is already used by a machine on host %s",
			 iface, reg_fmt_id32(host_id, hbuf));
	return !n;
}

static int machine_create_once(struct reg *r, const char *app, uint32_t host_id,
			       const struct reg_machine_opts *o, struct reg_machine *out)
{
	const char *region = o->region, *iface = o->iface;
	const char *group = o->process_group ? o->process_group : REG_PROCESS_GROUP_DEFAULT;
	enum reg_machine_state state = o->state ? o->state : REG_MACHINE_STARTED;
	char id[REG_ID_MAX + 1], mdtext[REG_METADATA_TEXT_MAX + 1];
	struct md md = { .n = 0 };
	struct reg_host h;
	struct reg_app a;
	sqlite3_stmt *st;
	uint32_t inst = 0;
	int rc, n;

	if ((region && reg_check_region(region, r->err, sizeof(r->err))) ||
	    (iface && reg_check_ifname(iface, r->err, sizeof(r->err))) ||
	    reg_check_process_group(group, r->err, sizeof(r->err)))
		return REG_EINVAL;
	if (!reg_machine_state_name(state))
		return reg_fail(r, REG_EINVAL, "machine state %d is invalid", (int)state);
	if (md_apply(r, &md, o->metadata, o->n_metadata, 1))
		return REG_EINVAL;
	md_text(&md, mdtext, sizeof(mdtext));
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_app(r, app, &a);
	if (!rc)
		rc = reg_get_host(r, host_id, &h);
	if (rc)
		return reg_end_write(r, rc);
	if (!region)
		region = h.region;
	if (iface && (n = iface_free(r, host_id, iface)) <= 0)
		return reg_end_write(r, n < 0 ? REG_ERR : REG_EEXIST);
	rc = alloc_instance(r, host_id, "machine", &inst);
	if (rc)
		return reg_end_write(r, rc);
	/* 7 random bytes: a clash is unlikely, but retry rather than fail */
	for (n = 0; n < 8; n++) {
		random_hex(id, 14);
		st = reg_prep(r, "INSERT INTO machines (id, app_id, host_id,"
			      " instance_id, region, iface, created_at, state,"
			      " process_group, metadata)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
		if (!st)
			return reg_end_write(r, REG_ERR);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a.id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, host_id);
		sqlite3_bind_int64(st, 4, inst);
		sqlite3_bind_text(st, 5, region, -1, SQLITE_STATIC);
		bind_opt(st, 6, iface);
		sqlite3_bind_int64(st, 7, reg_now());
		sqlite3_bind_text(st, 8, reg_machine_state_name(state), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, group, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, mdtext, -1, SQLITE_STATIC);
		rc = step_done(r, st, "create machine");
		if (rc != REG_EEXIST)
			break;
	}
	if (rc == REG_EEXIST)
		rc = REG_ERR;
	if (!rc && out)
		rc = reg_get_machine(r, id, out);
	return reg_end_write(r, rc);
}

static int machine_destroy_once(struct reg *r, const char *id, struct reg_machine *out)
{
	struct reg_machine m;
	int rc = reg_begin_write(r);

	if (rc)
		return rc;
	rc = reg_get_machine(r, id, &m);
	if (!rc)
		rc = destroy_machine_locked(r, &m);
	if (!rc && out)
		*out = m;
	return reg_end_write(r, rc);
}

static int machine_set_state_once(struct reg *r, const char *id, enum reg_machine_state state,
				  struct reg_machine *out, int *changed)
{
	struct reg_machine m;
	sqlite3_stmt *st;
	int rc;

	if (changed)
		*changed = 0;
	if (state != REG_MACHINE_STARTED && state != REG_MACHINE_STOPPED)
		return reg_fail(r, REG_EINVAL, "machine state '%s' is invalid: a machine is "
				"started or stopped, never created again",
				reg_machine_state_name(state) ? reg_machine_state_name(state) : "?");
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_machine(r, id, &m);
	if (rc)
		return reg_end_write(r, rc);
	/* the same state: no update, so no change-log entry and no delta */
	if (m.state != state) {
		st = reg_prep(r, "UPDATE machines SET state = ?2 WHERE id = ?1");
		if (!st)
			return reg_end_write(r, REG_ERR);
		sqlite3_bind_text(st, 1, m.id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, reg_machine_state_name(state), -1, SQLITE_STATIC);
		rc = step_done(r, st, "set machine state");
		if (rc == REG_EEXIST)
			rc = REG_ERR;
		if (!rc && changed)
			*changed = 1;
	}
	if (!rc && out)
		rc = reg_get_machine(r, m.id, out);
	return reg_end_write(r, rc);
}

static int machine_move_once(struct reg *r, const char *id, uint32_t host_id, const char *region,
			     const char *iface, struct reg_machine *out, struct reg_machine *old)
{
	char hbuf[16];
	struct reg_machine m;
	struct reg_host h;
	sqlite3_stmt *st;
	uint32_t inst = 0;
	int rc, n;

	if ((region && reg_check_region(region, r->err, sizeof(r->err))) ||
	    (iface && *iface && reg_check_ifname(iface, r->err, sizeof(r->err))))
		return REG_EINVAL;
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_machine(r, id, &m);
	if (!rc)
		rc = reg_get_host(r, host_id, &h);
	if (rc)
		return reg_end_write(r, rc);
	if (m.host_id == host_id)
		return reg_end_write(r, reg_fail(r, REG_EINVAL, "machine '%s' is already on "
						 "host %s", m.id, reg_fmt_id32(host_id, hbuf)));
	if (!iface)
		iface = m.iface;
	if (*iface && (n = iface_free(r, host_id, iface)) <= 0)
		return reg_end_write(r, n < 0 ? REG_ERR : REG_EEXIST);
	rc = alloc_instance(r, host_id, "machine", &inst);
	if (rc)
		return reg_end_write(r, rc);
	/* one UPDATE: readers see it on the old host or on the new, never
	 * both nor neither, and the change log has one update for sync */
	st = reg_prep(r, "UPDATE machines SET host_id = ?2, instance_id = ?3, region = ?4,"
		      " iface = ?5 WHERE id = ?1");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_text(st, 1, m.id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, host_id);
	sqlite3_bind_int64(st, 3, inst);
	sqlite3_bind_text(st, 4, region ? region : h.region, -1, SQLITE_TRANSIENT);
	bind_opt(st, 5, iface);
	rc = step_done(r, st, "move machine");
	if (rc == REG_EEXIST)
		rc = REG_ERR;
	if (!rc)
		rc = release_instance(r, m.host_id, m.instance_id);
	if (!rc && out)
		rc = reg_get_machine(r, m.id, out);
	if (!rc && old)
		*old = m;
	return reg_end_write(r, rc);
}

static int machine_update_metadata_once(struct reg *r, const char *id, const char *const *kv,
					size_t n, struct reg_machine *out)
{
	char text[REG_METADATA_TEXT_MAX + 1];
	struct reg_machine m;
	struct md md;
	sqlite3_stmt *st;
	int rc;

	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_machine(r, id, &m);
	if (rc)
		return reg_end_write(r, rc);
	md_load(&md, m.metadata);
	if (md_apply(r, &md, kv, n, 0))
		return reg_end_write(r, REG_EINVAL);
	md_text(&md, text, sizeof(text));
	if (strcmp(text, m.metadata)) {
		st = reg_prep(r, "UPDATE machines SET metadata = ?2 WHERE id = ?1");
		if (!st)
			return reg_end_write(r, REG_ERR);
		sqlite3_bind_text(st, 1, m.id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
		rc = step_done(r, st, "update machine metadata");
		if (rc == REG_EEXIST)
			rc = REG_ERR;
	}
	if (!rc && out)
		rc = reg_get_machine(r, m.id, out);
	return reg_end_write(r, rc);
}

/* ---- WireGuard peers ---------------------------------------------------- */

/* A free /120 slot in gateway instance (host, inst): from its cursor on,
 * skipping slots in use or in quarantine. 1 found, 0 full, -1 error. */
static int alloc_slot(struct reg *r, uint32_t host, uint32_t inst, int *slot)
{
	sqlite3_stmt *st, *probe;
	int64_t cursor;
	int tries, cand = 0, exists = 0, busy = 1;

	st = reg_prep(r, "SELECT next_slot FROM gateways WHERE host_id = ?1"
		      " AND instance_id = ?2");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, host);
	sqlite3_bind_int64(st, 2, inst);
	if (query_int(r, st, &cursor) != 1)
		return -1;
	probe = reg_prep(r, "SELECT released_at FROM peer_slots WHERE"
			 " host_id = ?1 AND instance_id = ?2 AND slot = ?3");
	if (!probe)
		return -1;
	for (tries = 0; tries < 256; tries++) {
		cand = (int)((cursor + tries) & 0xff);
		sqlite3_bind_int64(probe, 1, host);
		sqlite3_bind_int64(probe, 2, inst);
		sqlite3_bind_int(probe, 3, cand);
		busy = lease_busy(r, probe, &exists);
		if (busy <= 0)
			break;
	}
	sqlite3_finalize(probe);
	if (busy)
		return busy < 0 ? -1 : 0;
	if (EXEC_INTS(r, "lease peer slot", exists ?
		      "UPDATE peer_slots SET released_at = NULL WHERE"
		      " host_id = ?1 AND instance_id = ?2 AND slot = ?3" :
		      "INSERT INTO peer_slots (host_id, instance_id, slot)"
		      " VALUES (?1, ?2, ?3)", host, inst, cand) ||
	    EXEC_INTS(r, "advance slot cursor", "UPDATE gateways SET next_slot = ?3"
		      " WHERE host_id = ?1 AND instance_id = ?2",
		      host, inst, (cand + 1) & 0xff))
		return -1;
	*slot = cand;
	return 1;
}

/* A /120 for network net on gateway host: a free slot in one of the
 * network's gateway instances there, or a new gateway instance. */
static int alloc_peer_prefix(struct reg *r, uint32_t host, uint32_t net,
			     uint32_t *inst, int *slot)
{
	sqlite3_stmt *st;
	uint32_t insts[64];
	int n = 0, i, rc;

	/* a full instance holds 256 peers; 64 of them is 16384 peers of one
	 * network on one gateway before we look past the first 64 */
	st = reg_prep(r, "SELECT instance_id FROM gateways WHERE host_id = ?1"
		      " AND network_id = ?2 ORDER BY instance_id LIMIT 64");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, host);
	sqlite3_bind_int64(st, 2, net);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		insts[n++] = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return reg_sqlfail(r, "read gateways");
	for (i = 0; i < n; i++) {
		rc = alloc_slot(r, host, insts[i], slot);
		if (rc < 0)
			return REG_ERR;
		if (rc == 1) {
			*inst = insts[i];
			return REG_OK;
		}
	}
	rc = alloc_instance(r, host, "gateway", inst);
	if (rc)
		return rc;
	if (EXEC_INTS(r, "create gateway instance", "INSERT INTO gateways (host_id,"
		      " instance_id, network_id, created_at) VALUES (?1, ?2, ?3, ?4)",
		      host, *inst, net, reg_now()))
		return REG_ERR;
	rc = alloc_slot(r, host, *inst, slot);
	return rc == 1 ? REG_OK : REG_ERR;
}

static int peer_create_once(struct reg *r, const char *org, const char *region,
		    const char *name, const char *network,
		    const char *public_key_b64, struct reg_peer *out)
{
	struct reg_peer existing;
	sqlite3_stmt *st;
	int64_t oid, host, peer_id;
	uint32_t net = 0, inst = 0;
	int rc, slot = 0, n;

	if (!network)
		network = NET_DEFAULT;
	if (reg_check_org_name(org, r->err, sizeof(r->err)) ||
	    reg_check_region(region, r->err, sizeof(r->err)) ||
	    reg_check_peer_name(name, r->err, sizeof(r->err)) ||
	    reg_check_network_name(network, r->err, sizeof(r->err)) ||
	    reg_check_public_key("public key", public_key_b64, r->err,
				 sizeof(r->err)))
		return REG_EINVAL;
	rc = begin_write_in_org(r, org, &oid);
	if (rc)
		return rc;
	rc = reg_get_peer_by_name(r, org, name, &existing);
	if (rc != REG_ENOENT)
		return reg_end_write(r, rc ? rc :
			reg_fail(r, REG_EEXIST, "peer '%s' already exists in "
				 "org '%s'", name, org));
	st = reg_prep(r, "SELECT h.id FROM hosts h WHERE h.region = ?1"
		      " AND h.peers_endpoint IS NOT NULL ORDER BY"
		      " (SELECT count(*) FROM peers p WHERE p.host_id = h.id),"
		      " h.id LIMIT 1");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	n = query_int(r, st, &host);
	if (n <= 0)
		return reg_end_write(r, n < 0 ? REG_ERR :
			reg_fail(r, REG_ENOENT, "region '%s' has no gateway host "
				 "(add one with hosts add ... --peers-endpoint "
				 "HOST:PORT --peers-public-key KEY)", region));
	rc = network_bind(r, oid, org, network, 0, &net);
	if (!rc)
		rc = alloc_peer_prefix(r, (uint32_t)host, net, &inst, &slot);
	if (rc)
		return reg_end_write(r, rc);
	st = reg_prep(r, "INSERT INTO peers (org_id, name, network_id, region,"
		      " host_id, gw_instance_id, slot, public_key, created_at)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_int64(st, 1, oid);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, net);
	sqlite3_bind_text(st, 4, region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, host);
	sqlite3_bind_int64(st, 6, inst);
	sqlite3_bind_int(st, 7, slot);
	sqlite3_bind_text(st, 8, public_key_b64, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, reg_now());
	rc = step_done(r, st, "create peer");
	if (rc == REG_EEXIST)
		rc = reg_fail(r, REG_EEXIST, "public key '%s' is already used by "
			      "another peer", public_key_b64);
	if (!rc) {
		peer_id = sqlite3_last_insert_rowid(r->db);
		if (out)
			rc = reg_get_peer(r, peer_id, out);
	}
	return reg_end_write(r, rc);
}

static int peer_remove_once(struct reg *r, const char *org, const char *name,
		    struct reg_peer *out)
{
	struct reg_peer p;
	int64_t oid;
	int rc = begin_write_in_org(r, org, &oid);

	if (rc)
		return rc;
	rc = reg_get_peer_by_name(r, org, name, &p);
	if (rc)
		return reg_end_write(r, rc);
	rc = EXEC_INTS(r, "remove peer", "DELETE FROM peers WHERE id = ?1", p.id);
	if (rc == REG_EEXIST)
		rc = REG_ERR;
	if (!rc)
		rc = release_slot(r, p.gw_host_id, p.gw_instance_id, p.slot);
	if (!rc && out)
		*out = p;
	return reg_end_write(r, rc);
}

/* ---- the public writes: each runs again when an etcd writer won ---------- */

int reg_org_create(struct reg *r, const char *name, struct reg_org *out)
{
	REG_WRITE_RETRY(r, org_create_once(r, name, out));
}

int reg_network_create(struct reg *r, const char *org, const char *name,
		       struct reg_network *out)
{
	REG_WRITE_RETRY(r, network_create_once(r, org, name, out));
}

int reg_app_create(struct reg *r, const char *name, const char *org,
		   const char *network, struct reg_app *out)
{
	REG_WRITE_RETRY(r, app_create_once(r, name, org, network, out));
}

int reg_app_destroy(struct reg *r, const char *name, uint32_t *destroyed)
{
	REG_WRITE_RETRY(r, app_destroy_once(r, name, destroyed));
}

int reg_host_add(struct reg *r, const struct reg_host *h)
{
	REG_WRITE_RETRY(r, host_add_once(r, h));
}

int reg_machine_create(struct reg *r, const char *app, uint32_t host_id,
		       const char *region, const char *iface,
		       struct reg_machine *out)
{
	struct reg_machine_opts o = { .region = region, .iface = iface };

	REG_WRITE_RETRY(r, machine_create_once(r, app, host_id, &o, out));
}

int reg_machine_create_opts(struct reg *r, const char *app, uint32_t host_id,
			    const struct reg_machine_opts *o, struct reg_machine *out)
{
	static const struct reg_machine_opts none;

	REG_WRITE_RETRY(r, machine_create_once(r, app, host_id, o ? o : &none, out));
}

int reg_machine_set_state(struct reg *r, const char *id, enum reg_machine_state state,
			  struct reg_machine *out, int *changed)
{
	REG_WRITE_RETRY(r, machine_set_state_once(r, id, state, out, changed));
}

int reg_machine_move(struct reg *r, const char *id, uint32_t host_id, const char *region,
		     const char *iface, struct reg_machine *out, struct reg_machine *old)
{
	REG_WRITE_RETRY(r, machine_move_once(r, id, host_id, region, iface, out, old));
}

int reg_machine_update_metadata(struct reg *r, const char *id, const char *const *kv,
				size_t n, struct reg_machine *out)
{
	REG_WRITE_RETRY(r, machine_update_metadata_once(r, id, kv, n, out));
}

int reg_machine_destroy(struct reg *r, const char *id, struct reg_machine *out)
{
	REG_WRITE_RETRY(r, machine_destroy_once(r, id, out));
}

int reg_peer_create(struct reg *r, const char *org, const char *region,
		    const char *name, const char *network,
		    const char *public_key_b64, struct reg_peer *out)
{
	REG_WRITE_RETRY(r, peer_create_once(r, org, region, name, network, public_key_b64, out));
}

int reg_peer_remove(struct reg *r, const char *org, const char *name,
		    struct reg_peer *out)
{
	REG_WRITE_RETRY(r, peer_remove_once(r, org, name, out));
}
