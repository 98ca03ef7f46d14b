// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry on etcd (docs/registry.md "ON ETCD"). The rules stay in
 * write.c, once: a write runs them, unchanged, on a private in-memory
 * SQLite copy of the whole prefix read at one revision, then sends what it
 * changed as ONE etcd transaction guarded by the registry revision key
 * <prefix>rev, which every write bumps:
 *
 *     compare  mod_revision(<prefix>rev) == the one read
 *     success  the rows' puts and deletes, put <prefix>rev
 *     failure  get <prefix>rev
 *
 * It commits only if no write committed since the copy was read, so every
 * write is judged against the latest state and the registry is
 * serializable: the same as running the writes one after another on one
 * file. A write that loses the race changed nothing and runs again on a
 * fresh copy. An answer that never came (a leader lost mid-request) is
 * settled by fencing: the same compare with a no-op put; if it holds, the
 * lost write can never apply; if not, <prefix>rev's list of recent write
 * nonces says whether it did. */
#define SQLITE_ENABLE_PREUPDATE_HOOK   /* the hook is in Debian's libsqlite3 */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sodium.h>

#include "etcd/etcd.h"
#include "lib/log.h"
#include "lib/strmap.h"
#include "registry/registry_int.h"
#include "registry/rows.h"

#define RECENT_NONCES 64         /* write nonces kept in <prefix>rev */
#define DEFAULT_TRIES 400
#define RESOLVE_SECS  30         /* to settle an unanswered commit */
#define IMPORT_OPS    100        /* etcd's default --max-txn-ops is 128 */
#define IMPORT_BYTES  (512 * 1024)
#define DEFAULT_CACHE "/run/sixpn/etcd-cache"

struct kvv {
	char *key, *value;       /* key without the prefix; value NULL: delete */
	int64_t mod;
};

struct vec {
	struct kvv *v;
	size_t n, cap;
};

struct reg_store {
	struct etcd *e;
	char prefix[256];
	size_t plen;
	char snap[PATH_MAX];     /* the snapshot file, or "" */
	char snap_dir[PATH_MAX];
	struct rows_schema schema;
	int have_schema;
	int64_t rev_mod;         /* mod_revision of <prefix>rev when loaded */
	char *rev_value;
	int schema_key_ok;       /* <prefix>schema holds our version */
	int stale;
	int transient;           /* the last load failed for want of etcd */
	int max_tries;
	/* the copy as a base to catch up from: every key <= read_rev is in
	 * it (copy_keys), none was refused (bad), the cluster is cluster_id */
	int copy_ok;
	int64_t read_rev;
	uint64_t cluster_id;
	int loading;             /* the preupdate hook ignores the load */
	struct strmap dirty;     /* keys the write in progress touched */
	int dirty_lost;          /* ... or some were not recorded: diff all */
	int check;               /* SIXPN_ETCD_CHECK: verify against full reads */
	size_t since_snap;       /* keys changed since the snapshot's base */
	int turn_fd;             /* the writers' lock, held: a write's turn */
	struct timespec first_try;
	char last_err[512];
};

/* ---- helpers -------------------------------------------------------------- */

static int vec_add_mod(struct vec *v, const char *key, const char *value, int64_t mod)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct kvv *p = realloc(v->v, cap * sizeof(*p));

		if (!p)
			return -1;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n].key = strdup(key);
	v->v[v->n].value = value ? strdup(value) : NULL;
	v->v[v->n].mod = mod;
	if (!v->v[v->n].key || (value && !v->v[v->n].value))
		return -1;
	v->n++;
	return 0;
}

static int vec_add(struct vec *v, const char *key, const char *value)
{
	return vec_add_mod(v, key, value, 0);
}

static void vec_free(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].key);
		free(v->v[i].value);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static void bad_row(void *ctx, const char *key, const char *why)
{
	struct reg_store *s = ctx;

	log_warn("msg=\"registry row in etcd skipped\" key=%s%s reason=\"%s\"",
		 s->prefix, key, why);
}

/* The nonces in a <prefix>rev value; a malformed value has none (logged). */
static json_object *recent_of(const struct reg_store *s, const char *value, int *importing)
{
	json_object *o, *a, *imp, *out = json_object_new_array();
	size_t i, n;

	*importing = 0;
	if (!value || !*value)
		return out;
	o = json_tokener_parse(value);
	if (!o || !json_object_is_type(o, json_type_object)) {
		log_warn("msg=\"registry revision key malformed\" key=%srev", s->prefix);
		json_object_put(o);
		return out;
	}
	if (json_object_object_get_ex(o, "importing", &imp) &&
	    json_object_get_boolean(imp))
		*importing = 1;
	if (json_object_object_get_ex(o, "recent", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && i < RECENT_NONCES; i++) {
			json_object *x = json_object_array_get_idx(a, i);

			if (json_object_is_type(x, json_type_string))
				json_object_array_add(out, json_object_new_string(
							      json_object_get_string(x)));
		}
	}
	json_object_put(o);
	return out;
}

static int has_nonce(const struct reg_store *s, const char *value, const char *nonce)
{
	int imp;
	json_object *a = recent_of(s, value, &imp);
	size_t i, n = json_object_array_length(a);
	int found = 0;

	for (i = 0; i < n && !found; i++)
		found = !strcmp(json_object_get_string(json_object_array_get_idx(a, i)), nonce);
	json_object_put(a);
	return found;
}

/* The new <prefix>rev value: this write's nonce first, then the newest
 * others. */
static char *next_rev_value(const struct reg_store *s, const char *nonce, int importing)
{
	int imp;
	json_object *old = recent_of(s, s->rev_value, &imp), *o = json_object_new_object();
	json_object *a = json_object_new_array();
	size_t i, n = json_object_array_length(old);
	char *out;

	if (nonce)
		json_object_array_add(a, json_object_new_string(nonce));
	for (i = 0; i < n && i + 1 < RECENT_NONCES; i++)
		json_object_array_add(a, json_object_get(json_object_array_get_idx(old, i)));
	json_object_object_add(o, "recent", a);
	if (importing)
		json_object_object_add(o, "importing", json_object_new_boolean(1));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	json_object_put(old);
	return out;
}

static void new_nonce(char *out)
{
	unsigned char b[8];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 17, b, sizeof(b));
}

static int etcd_fail(struct reg *r, int erc, const char *what)
{
	struct reg_store *s = r->store;

	snprintf(s->last_err, sizeof(s->last_err), "%s", etcd_errmsg(s->e));
	return reg_fail(r, erc == ETCD_EAUTH ? REG_EPERM : REG_ERR, "%s: %s", what,
			etcd_errmsg(s->e));
}

static void full_key(const struct reg_store *s, const char *rest, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", s->prefix, rest);
}

/* ---- the copy's own tables -------------------------------------------------
 * Beside the registry's tables the copy keeps every key it was read from
 * (etcd_copy_keys: the canonical value of a row, the value of rev and
 * schema, "" for a host's lease; NULL for a row it refused) and what it was
 * read at (etcd_copy_meta). They are what a write diffs against, what a
 * later read catches up from, and they travel with the snapshot file. */

static const char copy_sql[] =
	"CREATE TABLE etcd_copy_keys (key TEXT PRIMARY KEY, val TEXT,"
	"  mod INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE etcd_copy_meta (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;";

static int copy_put(struct reg *r, const char *key, const char *val, int64_t mod)
{
	sqlite3_stmt *st = reg_prep(r, "INSERT OR REPLACE INTO etcd_copy_keys"
				    " (key, val, mod) VALUES (?1, ?2, ?3)");

	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (val)
		sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, mod);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return reg_sqlfail(r, "the copy's keys");
	}
	sqlite3_finalize(st);
	return REG_OK;
}

static int copy_del(struct reg *r, const char *key)
{
	sqlite3_stmt *st = reg_prep(r, "DELETE FROM etcd_copy_keys WHERE key = ?1");

	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return reg_sqlfail(r, "the copy's keys");
	}
	sqlite3_finalize(st);
	return REG_OK;
}

/* The value the copy was read with for key: 1 (*val, NULL for a refused
 * row; free it), 0 not a key of the copy, -1 error. */
static int copy_get(sqlite3 *db, const char *key, char **val)
{
	sqlite3_stmt *st;
	int rc;

	*val = NULL;
	if (sqlite3_prepare_v2(db, "SELECT val FROM etcd_copy_keys WHERE key = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (v && !(*val = strdup(v)))
			rc = SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Is key (without the prefix) one of the keys that are not rows? */
static int special_key(const char *rest)
{
	return !strcmp(rest, "rev") || !strcmp(rest, "schema") ||
	       !strncmp(rest, "hosts_alive/", 12);
}

/* ---- loading the copy ------------------------------------------------------ */

struct load_ctx {
	struct reg *r;
	struct vec kv;           /* rows */
	struct vec special;      /* rev, schema, hosts_alive/ */
	int oom, schema_newer;
	size_t bad;              /* keys refused before SQLite saw them */
	int64_t schema_v;
};

static int on_load_kv(const struct etcd_kv *kv, void *ctx)
{
	struct load_ctx *l = ctx;
	struct reg_store *s = l->r->store;
	const char *rest;

	if (kv->key_len < s->plen || memcmp(kv->key, s->prefix, s->plen))
		return 0;
	rest = kv->key + s->plen;
	if (strlen(kv->key) != kv->key_len || strlen(kv->value) != kv->value_len) {
		log_warn("msg=\"registry row in etcd skipped\" key=%s reason=\"a NUL byte "
			 "in the key or value\"", s->prefix);
		l->bad++;
		return 0;
	}
	if (!strcmp(rest, "rev")) {
		s->rev_mod = kv->mod_revision;
		free(s->rev_value);
		s->rev_value = strdup(kv->value);
	} else if (!strcmp(rest, "schema")) {
		char *end;
		long long v = strtoll(kv->value, &end, 10);

		if (*end || v < 1) {
			bad_row(s, rest, "not a schema version");
		} else if (v > REG_SCHEMA_VERSION) {
			l->schema_newer = 1;
			l->schema_v = v;
		} else {
			s->schema_key_ok = v == REG_SCHEMA_VERSION;
		}
	}
	/* leases (hosts_alive/) are not rows: only who is connected */
	if (vec_add_mod(special_key(rest) ? &l->special : &l->kv, rest, kv->value,
			kv->mod_revision)) {
		l->oom = 1;
		return 1;
	}
	return 0;
}

static void load_free(struct load_ctx *l)
{
	vec_free(&l->kv);
	vec_free(&l->special);
}

/* What a read of etcd found that stops the copy from being used. */
static int load_verdict(struct reg *r, struct load_ctx *l, int erc)
{
	struct reg_store *s = r->store;
	int importing;
	json_object *a;

	if (l->oom)
		erc = -1;
	if (erc) {
		s->transient = erc == ETCD_ECONN || erc == ETCD_EUNKNOWN;
		if (erc < 0)
			return reg_fail(r, REG_ERR, "out of memory");
		return etcd_fail(r, erc, "reading the registry from etcd");
	}
	if (l->schema_newer)
		return reg_fail(r, REG_ESCHEMA, "the registry in etcd (%sschema) has "
				"schema version %lld, newer than this build understands "
				"(%d): upgrade sixpn", s->prefix, (long long)l->schema_v,
				REG_SCHEMA_VERSION);
	a = recent_of(s, s->rev_value, &importing);
	json_object_put(a);
	if (importing)
		return reg_fail(r, REG_ERR, "the registry in etcd under %s is being "
				"imported (or an import stopped half-way: remove it "
				"with etcdctl del --prefix %s and import again)",
				s->prefix, s->prefix);
	return REG_OK;
}

/* Applies the rows of l (puts) and gone (deletes, may be NULL) to the copy
 * and records their keys, in the caller's transaction. *refused: rows
 * the rules refused (reported by key). */
static int apply_rows(struct reg *r, struct load_ctx *l, const struct vec *gone,
		      size_t *refused)
{
	struct reg_store *s = r->store;
	struct rows_report rep = { .bad = bad_row, .ctx = s };
	size_t i, m = 0, ng = gone ? gone->n : 0;
	struct rows_kv *rk = calloc(l->kv.n + ng + 1, sizeof(*rk));
	int64_t *mods = calloc(l->kv.n + ng + 1, sizeof(*mods));
	char err[512];
	int rc = REG_OK;

	*refused = 0;
	if (!rk || !mods) {
		free(rk);
		free(mods);
		return reg_fail(r, REG_ERR, "out of memory");
	}
	for (i = 0; i < l->kv.n + ng; i++) {
		struct kvv *v = i < l->kv.n ? &l->kv.v[i] : &gone->v[i - l->kv.n];
		const char *rest;
		const struct rows_table *t = rows_table_of(&s->schema, v->key, &rest);

		if (special_key(v->key))
			continue;
		if (!t) {
			if (v->value) {
				bad_row(s, v->key, "not a registry table");
				(*refused)++;
				if (copy_put(r, v->key, NULL, v->mod))
					rc = REG_ERR;
			}
			continue;
		}
		rk[m].key = v->key;
		rk[m].value = v->value;
		rk[m].t = t;
		mods[m] = v->mod;
		m++;
	}
	if (!rc && rows_apply(r->db, &s->schema, rk, m, &rep, err, sizeof(err)))
		rc = reg_fail(r, REG_ERR, "loading the registry: %s", err);
	for (i = 0; i < m && !rc; i++) {
		if (!rk[i].value)
			rc = copy_del(r, rk[i].key);
		else
			rc = copy_put(r, rk[i].key, rk[i].canon, mods[i]);
	}
	for (i = 0; i < m; i++)
		free(rk[i].canon);
	*refused += rep.bad_rows;
	for (i = 0; i < l->special.n && !rc; i++)
		rc = copy_put(r, l->special.v[i].key, l->special.v[i].value,
			      l->special.v[i].mod);
	for (i = 0; i < ng && !rc; i++)
		if (special_key(gone->v[i].key))
			rc = copy_del(r, gone->v[i].key);
	free(rk);
	free(mods);
	return rc;
}

/* The keys a write touches, from SQLite's preupdate hook: the diff it
 * commits looks at these rows only, not at the whole copy. sqlite_sequence
 * has no hook; commit looks at its few rows every time. */
static void on_preupdate(void *ctx, sqlite3 *db, int op, const char *zdb,
			 const char *table, sqlite3_int64 k1, sqlite3_int64 k2)
{
	struct reg_store *s = ctx;
	const struct rows_table *t = NULL;
	int i, pass;

	if (s->loading || strcmp(zdb, "main"))
		return;
	for (i = 0; i < ROWS_NTABLES && !t; i++)
		if (!strcmp(s->schema.t[i].name, table))
			t = &s->schema.t[i];
	if (!t)
		return;
	for (pass = 0; pass < 2; pass++) {
		int old = pass == 0;
		char key[512];
		size_t off;
		int j, err = 0;

		if (old ? op == SQLITE_INSERT : op == SQLITE_DELETE)
			continue;
		off = (size_t)snprintf(key, sizeof(key), "%s", t->name);
		for (j = 0; j < t->npk && off < sizeof(key); j++) {
			sqlite3_value *v = NULL;
			int rc = old ? sqlite3_preupdate_old(db, t->pkcol[j], &v) :
				 sqlite3_preupdate_new(db, t->pkcol[j], &v);

			if (rc != SQLITE_OK || !v) {
				s->dirty_lost = 1;
				return;
			}
			if (sqlite3_value_type(v) == SQLITE_NULL && t->npk == 1)
				/* an INTEGER PRIMARY KEY is the rowid */
				off += (size_t)snprintf(key + off, sizeof(key) - off, "/%lld",
							(long long)(old ? k1 : k2));
			else if (sqlite3_value_type(v) == SQLITE_NULL)
				err = 1;
			else
				off += (size_t)snprintf(key + off, sizeof(key) - off, "/%s",
							(const char *)sqlite3_value_text(v));
		}
		if (err || off >= sizeof(key)) {
			s->dirty_lost = 1;
			return;
		}
		strmap_put(&s->dirty, key, (void *)1, &err);
		if (err)
			s->dirty_lost = 1;
	}
}

/* A fresh, empty copy: the registry's schema and the copy's tables. */
static int copy_open(struct reg *r)
{
	struct reg_store *s = r->store;
	unsigned flags = r->flags;   /* a read-only copy is still built */
	char err[512];
	int rc;

	if (r->db)
		sqlite3_close_v2(r->db);
	r->db = NULL;
	s->copy_ok = 0;
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return reg_fail(r, REG_ERR, "out of memory");
	r->flags = 0;
	rc = reg_exec(r, "PRAGMA foreign_keys = ON") || reg_migrate(r) ||
	     reg_exec(r, copy_sql);
	r->flags = flags;
	if (rc)
		return REG_ERR;
	if (!s->have_schema) {
		if (rows_schema_load(r->db, &s->schema, err, sizeof(err)))
			return reg_fail(r, REG_ERR, "%s", err);
		s->have_schema = 1;
	}
	sqlite3_preupdate_hook(r->db, on_preupdate, s);
	return REG_OK;
}

/* Reads the whole prefix at one revision into a fresh in-memory copy. */
static int store_load_at(struct reg *r, int64_t rev)
{
	struct reg_store *s = r->store;
	struct load_ctx l = { .r = r };
	struct etcd_range_opts o = { .rev = rev };
	struct etcd_range_info info;
	char end[sizeof(s->prefix)];
	size_t refused = 0;
	int erc, rc;

	free(s->rev_value);
	s->rev_value = NULL;
	s->rev_mod = 0;
	s->schema_key_ok = 0;
	s->transient = 0;
	s->loading = 1;
	rc = copy_open(r);
	if (rc)
		goto out;
	erc = etcd_range_ex(s->e, s->prefix, s->plen, end,
			    etcd_prefix_end(s->prefix, s->plen, end), &o, on_load_kv,
			    &l, &info);
	rc = load_verdict(r, &l, erc);
	if (rc)
		goto out;
	rc = reg_exec(r, "BEGIN");
	if (!rc)
		rc = apply_rows(r, &l, NULL, &refused);
	if (!rc)
		rc = reg_exec(r, "COMMIT");
	else
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	if (!rc) {
		s->stale = 0;
		s->read_rev = info.revision;
		s->cluster_id = info.cluster_id;
		/* a refused row might be accepted later, when what it lacked
		 * comes: only a copy that took every row can catch up */
		s->copy_ok = !refused && !l.bad;
	}
out:
	s->loading = 0;
	load_free(&l);
	return rc;
}

static int store_load(struct reg *r)
{
	return store_load_at(r, 0);
}

/* store_catch_up: the copy cannot catch up, read it whole */
#define CU_FULL (-2)

struct gone_ctx {
	struct reg *r;
	sqlite3_stmt *ins;
	int bad;
};

static int on_listed(const struct etcd_kv *kv, void *ctx)
{
	struct gone_ctx *g = ctx;
	struct reg_store *s = g->r->store;

	if (kv->key_len < s->plen || memcmp(kv->key, s->prefix, s->plen) ||
	    strlen(kv->key) != kv->key_len) {
		g->bad = 1;
		return 1;
	}
	sqlite3_reset(g->ins);
	sqlite3_bind_text(g->ins, 1, kv->key + s->plen, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(g->ins) != SQLITE_DONE) {
		g->bad = 1;
		return 1;
	}
	return 0;
}

/* The keys of the copy that are gone from etcd at revision rev, when
 * there are `deleted` of them: the copy's keys less a keys-only list.
 * CU_FULL when they do not add up (the caller reads everything again). */
static int find_gone(struct reg *r, int64_t rev, int64_t deleted, struct vec *gone)
{
	struct reg_store *s = r->store;
	struct etcd_range_opts o = { .rev = rev, .keys_only = 1 };
	struct etcd_range_info info;
	struct gone_ctx g = { .r = r };
	char end[sizeof(s->prefix)];
	sqlite3_stmt *st;
	int erc, rc = 0;

	if (reg_exec(r, "CREATE TEMP TABLE IF NOT EXISTS etcd_listed (key TEXT PRIMARY KEY)"
		     " WITHOUT ROWID; DELETE FROM etcd_listed"))
		return REG_ERR;
	g.ins = reg_prep(r, "INSERT OR IGNORE INTO etcd_listed (key) VALUES (?1)");
	if (!g.ins)
		return REG_ERR;
	erc = etcd_range_ex(s->e, s->prefix, s->plen, end,
			    etcd_prefix_end(s->prefix, s->plen, end), &o, on_listed,
			    &g, &info);
	sqlite3_finalize(g.ins);
	if (erc) {
		s->transient = erc == ETCD_ECONN || erc == ETCD_EUNKNOWN;
		return etcd_fail(r, erc, "reading the registry from etcd");
	}
	if (g.bad)
		return CU_FULL;
	st = reg_prep(r, "SELECT key FROM etcd_copy_keys WHERE key NOT IN"
		      " (SELECT key FROM etcd_listed)");
	if (!st)
		return REG_ERR;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (vec_add(gone, (const char *)sqlite3_column_text(st, 0), NULL)) {
			rc = reg_fail(r, REG_ERR, "out of memory");
			break;
		}
	sqlite3_finalize(st);
	reg_exec(r, "DELETE FROM etcd_listed");
	if (!rc && (int64_t)gone->n != deleted)
		rc = CU_FULL;
	return rc;
}

static int on_rev(const struct etcd_kv *kv, void *ctx)
{
	char **v = ctx;

	free(*v);
	*v = strndup(kv->value, kv->value_len);
	return 0;
}

/* Is the registry in etcd the one the copy was read from, grown since?
 * The keys not changed since the copy's revision are not read again, so
 * a registry made anew (an etcd cluster rebuilt, a prefix emptied and
 * imported) must not pass for it: <prefix>rev, which every write rewrites
 * with its random nonce first, still holds base (no write since) or lists
 * base's newest nonce among the recent ones. REG_OK, CU_FULL, a failure. */
static int same_history(struct reg *r, const char *base, const struct load_ctx *l,
			int64_t rev)
{
	struct reg_store *s = r->store;
	char key[512], *now = NULL;
	const char *newest;
	json_object *a;
	size_t i;
	int imp, rc = CU_FULL, erc;

	for (i = 0; i < l->special.n; i++)
		if (!strcmp(l->special.v[i].key, "rev"))
			now = strdup(l->special.v[i].value);
	if (!now) {
		full_key(s, "rev", key, sizeof(key));
		erc = etcd_range(s->e, key, strlen(key), NULL, 0, rev, on_rev, &now, NULL);
		if (erc) {
			free(now);
			s->transient = erc == ETCD_ECONN || erc == ETCD_EUNKNOWN;
			return etcd_fail(r, erc, "reading the registry from etcd");
		}
		if (now && !strcmp(now, base))
			rc = REG_OK;
		free(now);
		return rc;
	}
	a = recent_of(s, base, &imp);
	newest = json_object_array_length(a) ?
		 json_object_get_string(json_object_array_get_idx(a, 0)) : NULL;
	if (newest && has_nonce(s, now, newest))
		rc = REG_OK;
	json_object_put(a);
	free(now);
	return rc;
}

/* Brings a copy read at s->read_rev up to now: the keys changed since
 * (one range with min_mod_revision), and, when the range's count says
 * some keys went, which (a keys-only range). REG_OK, CU_FULL when the copy
 * cannot catch up (the caller reads everything), else a failure. */
static int store_catch_up(struct reg *r)
{
	struct reg_store *s = r->store;
	struct load_ctx l = { .r = r };
	struct etcd_range_opts o = { .min_mod_revision = s->read_rev + 1 };
	struct etcd_range_info info;
	struct vec gone = { 0 };
	char end[sizeof(s->prefix)], *v, *base = NULL;
	size_t i, refused = 0;
	int64_t keys = 0, fresh = 0, deleted;
	int erc, rc;

	s->transient = 0;
	s->loading = 1;
	base = s->rev_value ? strdup(s->rev_value) : NULL;
	if (!base) {
		rc = CU_FULL;   /* no write history to follow: read whole */
		goto out;
	}
	erc = etcd_range_ex(s->e, s->prefix, s->plen, end,
			    etcd_prefix_end(s->prefix, s->plen, end), &o, on_load_kv,
			    &l, &info);
	rc = load_verdict(r, &l, erc);
	if (rc)
		goto out;
	rc = CU_FULL;
	if (l.bad || info.cluster_id != s->cluster_id || info.revision < s->read_rev)
		goto out;
	rc = same_history(r, base, &l, info.revision);
	if (rc)
		goto out;
	rc = CU_FULL;
	if (reg_query_int(r, "SELECT count(*) FROM etcd_copy_keys", &keys, NULL)) {
		rc = REG_ERR;
		goto out;
	}
	for (i = 0; i < l.kv.n + l.special.n; i++) {
		struct kvv *k = i < l.kv.n ? &l.kv.v[i] : &l.special.v[i - l.kv.n];
		int in = copy_get(r->db, k->key, &v);

		free(v);
		if (in < 0) {
			rc = reg_sqlfail(r, "the copy's keys");
			goto out;
		}
		fresh += !in;
	}
	/* what etcd counts = what the copy has, less what went, plus what
	 * came: so how many went */
	deleted = keys + fresh - info.count;
	if (deleted < 0)
		goto out;
	if (deleted) {
		rc = find_gone(r, info.revision, deleted, &gone);
		if (rc)
			goto out;
		for (i = 0; i < gone.n; i++)
			if (!strcmp(gone.v[i].key, "rev") || !strcmp(gone.v[i].key, "schema"))
				goto out_1;
	}
	rc = reg_exec(r, "BEGIN");
	if (!rc)
		rc = apply_rows(r, &l, &gone, &refused);
	if (!rc && refused)
		rc = CU_FULL;
	if (rc == REG_ERR)
		s->copy_ok = 0;
	if (!rc)
		rc = reg_exec(r, "COMMIT");
	else
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	if (!rc) {
		s->stale = 0;
		s->read_rev = info.revision;
		s->since_snap += l.kv.n + l.special.n + gone.n;
	}
	goto out;
out_1:
	rc = CU_FULL;
out:
	s->loading = 0;
	free(base);
	vec_free(&gone);
	load_free(&l);
	return rc;
}

/* ---- the snapshot file -----------------------------------------------------
 * Reading the whole prefix is most of what a write costs once the registry
 * is large (the gateway encodes every row as JSON). So a copy that took
 * every row is kept in a file of its own (SIXPN_ETCD_CACHE, default
 * /run/sixpn/etcd-cache; "off": none), one per prefix and endpoints, and
 * the next sixpnctl starts from it and catches up. Only a base: whatever
 * changed since its revision is read again, and every write still compares
 * on what it read. A file that is not ours alone, or not of this prefix,
 * cluster and schema, is not used. */

#define SNAP_FORMAT "1"
#define SNAP_MAX    (1L << 30)
/* < 64 writes (RECENT_NONCES) of 3 keys and the revision key */
#define SNAP_EVERY  64
#define TURN_WAIT_MS 5000

static int meta_put(struct reg *r, const char *k, const char *v)
{
	sqlite3_stmt *st = reg_prep(r, "INSERT OR REPLACE INTO etcd_copy_meta (k, v)"
				    " VALUES (?1, ?2)");

	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return reg_sqlfail(r, "the copy's meta");
	}
	sqlite3_finalize(st);
	return REG_OK;
}

static int meta_get(sqlite3 *db, const char *k, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT v FROM etcd_copy_meta WHERE k = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Saves the copy as the snapshot: always after a whole read, else once
 * SNAP_EVERY keys changed since the snapshot it came from (writing it is
 * a large part of a write's cost; the catching up it saves is small). */
static void snap_save(struct reg *r, int always)
{
	struct reg_store *s = r->store;
	char tmp[PATH_MAX + 32], num[32];
	unsigned char *buf;
	sqlite3_int64 len = 0;
	int fd, ok;

	if (!s->snap[0] || !s->copy_ok || (!always && s->since_snap < SNAP_EVERY))
		return;
	s->since_snap = 0;
	snprintf(num, sizeof(num), "%" PRId64, s->read_rev);
	ok = !meta_put(r, "format", SNAP_FORMAT) && !meta_put(r, "prefix", s->prefix) &&
	     !meta_put(r, "rev", num);
	snprintf(num, sizeof(num), "%" PRIu64, s->cluster_id);
	ok = ok && !meta_put(r, "cluster", num);
	snprintf(num, sizeof(num), "%d", REG_SCHEMA_VERSION);
	ok = ok && !meta_put(r, "schema", num);
	if (!ok)
		return;
	buf = sqlite3_serialize(r->db, "main", &len, 0);
	if (!buf)
		return;
	if (mkdir(s->snap_dir, 0700) && errno != EEXIST) {
		log_debug("msg=\"no etcd snapshot\" dir=%s err=\"%m\"", s->snap_dir);
		sqlite3_free(buf);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.%08x", s->snap, (long)getpid(),
		 randombytes_random());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write(fd, buf, (size_t)len) == (ssize_t)len;
		ok = !close(fd) && ok;
		if (!ok || rename(tmp, s->snap))
			unlink(tmp);
	}
	sqlite3_free(buf);
}

/* The snapshot as the copy: REG_OK, or 1 when there is none to use. */
static int snap_load(struct reg *r)
{
	struct reg_store *s = r->store;
	struct stat st;
	unsigned char *buf;
	char v[300], *end;
	int fd, ok, rc;

	if (!s->snap[0])
		return 1;
	fd = open(s->snap, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size <= 0 || st.st_size > SNAP_MAX ||
	    !(buf = sqlite3_malloc64((sqlite3_uint64)st.st_size))) {
		close(fd);
		return 1;
	}
	ok = read(fd, buf, (size_t)st.st_size) == (ssize_t)st.st_size;
	close(fd);
	if (r->db)
		sqlite3_close_v2(r->db);
	r->db = NULL;
	s->copy_ok = 0;
	if (!ok || sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
				   SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_free(buf);
		return 1;
	}
	if (sqlite3_deserialize(r->db, "main", buf, st.st_size, st.st_size,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
		return 1;
	snprintf(v, sizeof(v), "%d", REG_SCHEMA_VERSION);
	ok = !meta_get(r->db, "schema", v + 16, sizeof(v) - 16) && !strcmp(v, v + 16);
	ok = ok && !meta_get(r->db, "format", v, sizeof(v)) && !strcmp(v, SNAP_FORMAT);
	ok = ok && !meta_get(r->db, "prefix", v, sizeof(v)) && !strcmp(v, s->prefix);
	ok = ok && !meta_get(r->db, "rev", v, sizeof(v));
	if (ok) {
		s->read_rev = strtoll(v, &end, 10);
		ok = !*end && s->read_rev > 0 && !meta_get(r->db, "cluster", v, sizeof(v));
	}
	if (ok) {
		s->cluster_id = strtoull(v, &end, 10);
		ok = !*end;
	}
	if (!ok || reg_exec(r, "PRAGMA foreign_keys = ON"))
		return 1;
	if (!s->have_schema) {
		char err[512];

		if (rows_schema_load(r->db, &s->schema, err, sizeof(err)))
			return 1;
		s->have_schema = 1;
	}
	free(s->rev_value);
	s->rev_value = NULL;
	s->schema_key_ok = 0;
	rc = copy_get(r->db, "rev", &s->rev_value);
	if (rc < 0)
		return 1;
	if (reg_query_int(r, "SELECT coalesce((SELECT mod FROM etcd_copy_keys"
			  " WHERE key = 'rev'), 0)", &s->rev_mod, NULL))
		return 1;
	rc = copy_get(r->db, "schema", &end);
	if (rc < 0)
		return 1;
	snprintf(v, sizeof(v), "%d", REG_SCHEMA_VERSION);
	s->schema_key_ok = end && !strcmp(end, v);
	free(end);
	sqlite3_preupdate_hook(r->db, on_preupdate, s);
	s->copy_ok = 1;
	s->since_snap = 0;
	return REG_OK;
}

/* ---- checking (SIXPN_ETCD_CHECK=1, for the tests) --------------------------- */

struct digest {
	uint64_t sum;
	size_t n;
};

static int on_digest_row(const char *key, const char *value, void *ctx)
{
	struct digest *d = ctx;
	crypto_generichash_state h;
	unsigned char out[8];
	uint64_t x;

	crypto_generichash_init(&h, NULL, 0, sizeof(out));
	crypto_generichash_update(&h, (const unsigned char *)key, strlen(key) + 1);
	crypto_generichash_update(&h, (const unsigned char *)(value ? value : ""),
				  value ? strlen(value) + 1 : 0);
	crypto_generichash_final(&h, out, sizeof(out));
	memcpy(&x, out, sizeof(x));
	d->sum += x;   /* a sum: the same whatever order the rows come in */
	d->n++;
	return 0;
}

/* An order-free digest of the copy: its rows and its keys. */
static int copy_digest(struct reg *r, struct digest *d)
{
	struct reg_store *s = r->store;
	char err[512];
	sqlite3_stmt *st;

	memset(d, 0, sizeof(*d));
	if (rows_foreach(r->db, &s->schema, on_digest_row, d, err, sizeof(err)))
		return reg_fail(r, REG_ERR, "%s", err);
	st = reg_prep(r, "SELECT key, val FROM etcd_copy_keys");
	if (!st)
		return REG_ERR;
	while (sqlite3_step(st) == SQLITE_ROW)
		on_digest_row((const char *)sqlite3_column_text(st, 0),
			      (const char *)sqlite3_column_text(st, 1), d);
	sqlite3_finalize(st);
	return REG_OK;
}

/* The copy brought up to date: from itself or the snapshot when it can,
 * else read whole. */
static int store_refresh(struct reg *r)
{
	struct reg_store *s = r->store;
	int rc, from_snap = 0;

	if (!s->copy_ok) {
		from_snap = snap_load(r) == REG_OK;
		if (!from_snap) {
			rc = store_load(r);
			if (!rc)
				snap_save(r, 1);
			return rc;
		}
	}
	rc = store_catch_up(r);
	if (rc == CU_FULL) {
		log_debug("msg=\"etcd copy read whole\" prefix=%s", s->prefix);
		rc = store_load(r);
		if (!rc)
			snap_save(r, 1);
		return rc;
	}
	if (rc)
		return rc;
	if (s->check) {
		struct digest a, b;
		int64_t rev = s->read_rev;

		if (copy_digest(r, &a))
			return REG_ERR;
		/* read whole at the same revision; compacted: nothing to compare */
		if (store_load_at(r, rev))
			return store_load(r);
		if (copy_digest(r, &b))
			return REG_ERR;
		if (a.sum != b.sum || a.n != b.n)
			return reg_fail(r, REG_ERR, "SIXPN_ETCD_CHECK: the copy caught up "
					"to revision %" PRId64 " (%zu rows and keys) differs "
					"from the registry read whole there (%zu)", rev, a.n, b.n);
	}
	return REG_OK;
}

static void ms_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* An unanswered commit: did it apply? REG_OK yes, REG_ECONFLICT no (and
 * never will), REG_ERR unknown after RESOLVE_SECS. */
static int resolve(struct reg *r, const char *nonce)
{
	struct reg_store *s = r->store;
	char key[512];
	time_t until = time(NULL) + RESOLVE_SECS;
	long wait = 100;

	full_key(s, "rev", key, sizeof(key));
	while (time(NULL) < until) {
		struct etcd_txn *t = etcd_txn_new();
		char *seen = NULL, *same = s->rev_value ? strdup(s->rev_value) :
			     next_rev_value(s, NULL, 0);
		int ok = 0, erc;
		int64_t rev;

		if (!t || !same) {
			etcd_txn_free(t);
			free(same);
			return reg_fail(r, REG_ERR, "out of memory");
		}
		/* the same compare, a put that changes nothing but the revision */
		etcd_txn_cmp_mod(t, key, strlen(key), s->rev_mod);
		etcd_txn_put(t, key, strlen(key), same, strlen(same), 0);
		etcd_txn_fail_get(t, key, strlen(key));
		erc = etcd_txn_commit(s->e, t, &ok, &rev, on_rev, &seen);
		etcd_txn_free(t);
		free(same);
		if (erc == ETCD_OK) {
			int applied = !ok && seen && has_nonce(s, seen, nonce);

			free(seen);
			s->stale = 1;
			return applied ? REG_OK : REG_ECONFLICT;
		}
		free(seen);
		if (erc == ETCD_EREFUSED || erc == ETCD_EAUTH)
			return etcd_fail(r, erc, "etcd refused the write");
		snprintf(s->last_err, sizeof(s->last_err), "%s", etcd_errmsg(s->e));
		ms_sleep(wait);
		wait = wait * 2 > 1000 ? 1000 : wait * 2;
	}
	return reg_fail(r, REG_ERR, "etcd did not confirm the write within %d s, so "
			"it may or may not have been applied: check before retrying "
			"(last error: %s)", RESOLVE_SECS, s->last_err);
}

/* ---- committing a write -------------------------------------------------- */

struct diff_ctx {
	struct reg *r;
	struct vec puts;         /* value NULL: delete */
	struct strmap seen;      /* full diff: the keys that still have rows */
	int oom, err;
};

/* key's row against what the copy was read with: a put or a delete. */
static int diff_key(struct diff_ctx *d, const char *key, const char *cur)
{
	char *old = NULL;
	int in = copy_get(d->r->db, key, &old), rc = 0;

	if (in < 0) {
		d->err = 1;
		return 1;
	}
	if (cur && (!old || strcmp(old, cur)))
		rc = vec_add(&d->puts, key, cur);
	else if (!cur && old)
		rc = vec_add(&d->puts, key, NULL);
	free(old);
	if (rc)
		d->oom = 1;
	return rc;
}

static int on_full_row(const char *key, const char *value, void *ctx)
{
	struct diff_ctx *d = ctx;
	int err = 0;

	strmap_put(&d->seen, key, (void *)1, &err);
	if (err) {
		d->oom = 1;
		return 1;
	}
	return diff_key(d, key, value);
}

static int on_seq_row(const char *key, const char *value, void *ctx)
{
	(void)value;
	int err = 0;

	strmap_put(ctx, key, (void *)1, &err);
	return err;
}

/* Every row against the copy's keys: what a write changed, found the slow
 * way (a write whose touched keys were lost, and SIXPN_ETCD_CHECK). */
static int diff_full(struct reg *r, struct diff_ctx *d)
{
	struct reg_store *s = r->store;
	char err[512];
	sqlite3_stmt *st;

	if (rows_foreach(r->db, &s->schema, on_full_row, d, err, sizeof(err)) ||
	    d->oom || d->err)
		return reg_fail(r, REG_ERR, "%s", d->oom ? "out of memory" :
				d->err ? sqlite3_errmsg(r->db) : err);
	st = reg_prep(r, "SELECT key FROM etcd_copy_keys WHERE val IS NOT NULL");
	if (!st)
		return REG_ERR;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);

		if (!special_key(k) && !strmap_get(&d->seen, k) &&
		    vec_add(&d->puts, k, NULL))
			d->oom = 1;
	}
	sqlite3_finalize(st);
	return d->oom ? reg_fail(r, REG_ERR, "out of memory") : REG_OK;
}

/* The rows the write touched (the preupdate hook's keys, and every
 * sqlite_sequence row, which has no hook) against the copy's keys. */
static int diff_touched(struct reg *r, struct diff_ctx *d)
{
	struct reg_store *s = r->store;
	const struct rows_table *seq = &s->schema.t[ROWS_NTABLES - 1];
	char err[512], *cur;
	const char *k;
	void *v;
	size_t i;
	sqlite3_stmt *st;
	int rc;

	if (rows_foreach_table(r->db, seq, on_seq_row, &s->dirty, err, sizeof(err)))
		return reg_fail(r, REG_ERR, "%s", err);
	st = reg_prep(r, "SELECT key FROM etcd_copy_keys WHERE key LIKE 'sqlite\\_sequence/%' ESCAPE '\\'");
	if (!st)
		return REG_ERR;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int e = 0;

		strmap_put(&s->dirty, (const char *)sqlite3_column_text(st, 0), (void *)1, &e);
		if (e)
			d->oom = 1;
	}
	sqlite3_finalize(st);
	for (i = 0; !d->oom && !d->err && strmap_next(&s->dirty, &i, &k, &v);) {
		rc = rows_get(r->db, &s->schema, k, &cur, err, sizeof(err));
		if (rc < 0)
			return reg_fail(r, REG_ERR, "%s", err);
		diff_key(d, k, cur);
		free(cur);
	}
	if (d->oom || d->err)
		return reg_fail(r, REG_ERR, "%s", d->oom ? "out of memory" :
				sqlite3_errmsg(r->db));
	return REG_OK;
}

static int cmp_kvv(const void *a, const void *b)
{
	return strcmp(((const struct kvv *)a)->key, ((const struct kvv *)b)->key);
}

/* SIXPN_ETCD_CHECK: the touched rows' diff is the whole diff. */
static int diff_check(struct reg *r, struct vec *got)
{
	struct diff_ctx f = { .r = r };
	size_t i;
	int rc = diff_full(r, &f);

	if (!rc) {
		qsort(got->v, got->n, sizeof(*got->v), cmp_kvv);
		qsort(f.puts.v, f.puts.n, sizeof(*f.puts.v), cmp_kvv);
		for (i = 0; i < got->n && i < f.puts.n; i++)
			if (strcmp(got->v[i].key, f.puts.v[i].key) ||
			    !got->v[i].value != !f.puts.v[i].value ||
			    (got->v[i].value && strcmp(got->v[i].value, f.puts.v[i].value)))
				break;
		if (i < got->n || i < f.puts.n || got->n != f.puts.n)
			rc = reg_fail(r, REG_ERR, "SIXPN_ETCD_CHECK: the write's %zu "
				      "changes differ from the %zu of a full diff (at %s)",
				      got->n, f.puts.n,
				      i < f.puts.n ? f.puts.v[i].key :
				      i < got->n ? got->v[i].key : "the end");
	}
	vec_free(&f.puts);
	strmap_free(&f.seen);
	return rc;
}

/* Writers that share a snapshot take turns (a lock beside it): racing
 * writers on one host would mostly lose to each other and retry, each
 * retry a catch-up and a transaction for nothing. Only that: the
 * compare-and-swap in etcd is what keeps the rules, across hosts and
 * when a writer waited too long and went ahead (TURN_WAIT_MS). 1 when
 * the turn had to be waited for. */
static int turn_take(struct reg_store *s)
{
	char path[PATH_MAX + 8];
	long waited = 0;

	if (!s->snap[0] || s->turn_fd >= 0)
		return 0;
	if (mkdir(s->snap_dir, 0700) && errno != EEXIST)
		return 0;
	snprintf(path, sizeof(path), "%s.lock", s->snap);
	s->turn_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->turn_fd < 0)
		return 0;
	while (flock(s->turn_fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || waited >= TURN_WAIT_MS) {
			close(s->turn_fd);
			s->turn_fd = -1;
			return 1;
		}
		ms_sleep(1);
		waited++;
	}
	return waited > 0;
}

static void turn_end(struct reg_store *s)
{
	if (s->turn_fd >= 0)
		close(s->turn_fd);   /* releases the lock */
	s->turn_fd = -1;
}

static void dirty_clear(struct reg_store *s)
{
	strmap_free(&s->dirty);
	memset(&s->dirty, 0, sizeof(s->dirty));
	s->dirty_lost = 0;
}

int reg_store_begin(struct reg *r)
{
	struct reg_store *s = r->store;
	int rc = REG_OK;

	if (turn_take(s))
		s->stale = 1;   /* another write went while this one waited */
	if (s->stale)
		rc = store_refresh(r);
	dirty_clear(s);
	if (rc)
		turn_end(s);
	/* etcd unreachable for a moment (a leader election): try again */
	if (rc == REG_ERR && s->transient)
		return REG_ECONFLICT;
	return rc;
}

/* Sends what the write changed, inside its still open SQLite transaction,
 * and records it in the copy's keys when etcd took it. */
static int store_commit(struct reg *r)
{
	struct reg_store *s = r->store;
	struct diff_ctx d = { .r = r };
	struct etcd_txn *t = NULL;
	char key[512], nonce[17], *revv = NULL, *seen = NULL;
	size_t i;
	int rc = REG_OK, erc, ok = 0;
	int64_t rev = 0;

	rc = s->dirty_lost ? diff_full(r, &d) : diff_touched(r, &d);
	if (!rc && s->check && !s->dirty_lost)
		rc = diff_check(r, &d.puts);
	strmap_free(&d.seen);
	if (rc) {
		s->stale = 1;
		vec_free(&d.puts);
		return rc;
	}
	if (!d.puts.n) {
		vec_free(&d.puts);
		return REG_OK;   /* nothing changed: nothing to commit */
	}

	new_nonce(nonce);
	t = etcd_txn_new();
	revv = next_rev_value(s, nonce, 0);
	if (!t || !revv) {
		rc = reg_fail(r, REG_ERR, "out of memory");
		goto out;
	}
	full_key(s, "rev", key, sizeof(key));
	etcd_txn_cmp_mod(t, key, strlen(key), s->rev_mod);
	for (i = 0; i < d.puts.n; i++) {
		char fk[512];

		full_key(s, d.puts.v[i].key, fk, sizeof(fk));
		if (d.puts.v[i].value)
			etcd_txn_put(t, fk, strlen(fk), d.puts.v[i].value,
				     strlen(d.puts.v[i].value), 0);
		else
			etcd_txn_del(t, fk, strlen(fk));
	}
	etcd_txn_put(t, key, strlen(key), revv, strlen(revv), 0);
	if (!s->schema_key_ok) {
		char sk[512], sv[16];

		full_key(s, "schema", sk, sizeof(sk));
		snprintf(sv, sizeof(sv), "%d", REG_SCHEMA_VERSION);
		etcd_txn_put(t, sk, strlen(sk), sv, strlen(sv), 0);
	}
	etcd_txn_fail_get(t, key, strlen(key));
	erc = etcd_txn_commit(s->e, t, &ok, &rev, on_rev, &seen);
	if (erc == ETCD_OK && !ok) {
		s->stale = 1;
		rc = REG_ECONFLICT;
	} else if (erc == ETCD_OK) {
		rc = REG_OK;
	} else if (erc == ETCD_EUNKNOWN) {
		log_debug("msg=\"etcd commit unanswered, settling it\" err=\"%s\"",
			  etcd_errmsg(s->e));
		rc = resolve(r, nonce);
		if (rc == REG_OK) {
			/* applied, at a revision not known: the copy keeps its
			 * changes, and catches up from its read like any other */
			s->stale = 1;
			rev = 0;
		}
	} else {
		s->stale = 1;
		if (erc == ETCD_ECONN)
			snprintf(s->last_err, sizeof(s->last_err), "%s", etcd_errmsg(s->e));
		rc = erc == ETCD_ECONN ? REG_ECONFLICT :
		     etcd_fail(r, erc, "etcd refused the write");
		if (erc == ETCD_EREFUSED && strstr(r->err, "too many operations"))
			rc = reg_fail(r, REG_ERR, "this write changes %zu rows, more than "
				      "etcd's --max-txn-ops allows: raise it (docs/registry.md "
				      "ON ETCD): %s", d.puts.n, etcd_errmsg(s->e));
	}
	if (rc == REG_OK) {
		int bad = 0;

		s->loading = 1;
		for (i = 0; i < d.puts.n && !bad; i++)
			bad = d.puts.v[i].value ? copy_put(r, d.puts.v[i].key,
							   d.puts.v[i].value, rev) :
			      copy_del(r, d.puts.v[i].key);
		bad = bad || copy_put(r, "rev", revv, rev);
		if (!s->schema_key_ok) {
			char sv[16];

			snprintf(sv, sizeof(sv), "%d", REG_SCHEMA_VERSION);
			bad = bad || copy_put(r, "schema", sv, rev);
		}
		s->loading = 0;
		if (bad) {
			s->copy_ok = 0;
			s->stale = 1;
		}
		if (rev)
			s->rev_mod = rev;
		free(s->rev_value);
		s->rev_value = revv;
		revv = NULL;
		s->schema_key_ok = 1;
		s->since_snap += d.puts.n + 1;
	}
out:
	etcd_txn_free(t);
	free(revv);
	free(seen);
	vec_free(&d.puts);
	return rc;
}

int reg_store_end(struct reg *r, int rc)
{
	struct reg_store *s = r->store;

	if (rc == REG_OK)
		rc = store_commit(r);
	dirty_clear(s);
	if (rc != REG_OK) {
		/* back to the copy as read: it can still catch up */
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		turn_end(s);
		return rc;
	}
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		/* etcd has the write; the copy does not: read it again */
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		s->copy_ok = 0;
		s->stale = 1;
		turn_end(s);
		return REG_OK;
	}
	snap_save(r, 0);
	turn_end(s);
	return REG_OK;
}

int reg_store_retry(struct reg *r, int attempt)
{
	struct reg_store *s = r->store;
	struct timespec now;
	long base, ms;

	if (!s)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (attempt == 1)
		s->first_try = now;
	if (attempt >= s->max_tries || now.tv_sec - s->first_try.tv_sec > 120) {
		reg_fail(r, REG_ERR, "gave up after %d attempts in %ld s: %s", attempt,
			 (long)(now.tv_sec - s->first_try.tv_sec),
			 s->last_err[0] ? s->last_err :
			 "other writers kept committing first");
		return 0;
	}
	/* jittered exponential backoff, so that racing writers spread out */
	base = 2L << (attempt < 7 ? attempt : 7);
	ms = base / 2 + (long)randombytes_uniform((uint32_t)(base / 2 + 1));
	ms_sleep(ms);
	return 1;
}

void reg_store_free(struct reg *r)
{
	struct reg_store *s = r->store;

	if (!s)
		return;
	dirty_clear(s);
	turn_end(s);
	etcd_free(s->e);
	free(s->rev_value);
	free(s);
	r->store = NULL;
}

/* ---- opening --------------------------------------------------------------- */

/* <dir>/etcd-<hash of the prefix and endpoints>.db, or "" (no snapshot). */
static void snap_path(struct reg_store *s, const struct etcd_cfg *cfg)
{
	const char *dir = getenv("SIXPN_ETCD_CACHE");
	crypto_generichash_state h;
	unsigned char out[8];
	char hex[17];
	int i;

	if (!dir)
		dir = DEFAULT_CACHE;
	s->snap[0] = s->snap_dir[0] = '\0';
	if (!*dir || !strcmp(dir, "off") || strlen(dir) > PATH_MAX - 64)
		return;
	crypto_generichash_init(&h, NULL, 0, sizeof(out));
	crypto_generichash_update(&h, (const unsigned char *)s->prefix, s->plen + 1);
	for (i = 0; i < cfg->n_endpoints; i++)
		crypto_generichash_update(&h, (const unsigned char *)cfg->endpoints[i],
					  strlen(cfg->endpoints[i]) + 1);
	crypto_generichash_final(&h, out, sizeof(out));
	sodium_bin2hex(hex, sizeof(hex), out, sizeof(out));
	snprintf(s->snap_dir, sizeof(s->snap_dir), "%s", dir);
	snprintf(s->snap, sizeof(s->snap), "%s/etcd-%s.db", dir, hex);
}

int reg_host_connected(const struct reg *r, uint32_t id)
{
	char key[32], *v = NULL;
	int in;

	if (!r || !r->store)
		return -1;
	snprintf(key, sizeof(key), "hosts_alive/%" PRIu32, id);
	in = copy_get(r->db, key, &v);
	free(v);
	return in > 0;
}

int reg_is_etcd(const struct reg *r)
{
	return r && r->store;
}

int reg_open_etcd(struct reg **out, const struct etcd_cfg *cfg, unsigned flags)
{
	struct reg *r = calloc(1, sizeof(*r));
	struct reg_store *s;
	const char *prefix = cfg->prefix ? cfg->prefix : ETCD_DEFAULT_PREFIX;
	const char *tries = getenv("SIXPN_ETCD_TRIES");
	size_t off = 0;
	int i, rc;

	*out = r;
	if (!r)
		return REG_ERR;
	r->flags = flags & REG_OPEN_READONLY;
	for (i = 0; i < cfg->n_endpoints && off < sizeof(r->path); i++)
		off += (size_t)snprintf(r->path + off, sizeof(r->path) - off, "%s%s",
					i ? "," : "etcd ", cfg->endpoints[i]);
	rc = reg_quarantine_env(r);
	if (rc)
		return rc;
	if (!*prefix || *prefix != '/' || strlen(prefix) >= sizeof(s->prefix) - 1 ||
	    prefix[strlen(prefix) - 1] != '/')
		return reg_fail(r, REG_EINVAL, "etcd prefix '%s' is invalid: must "
				"start and end with '/'", prefix);
	if (!cfg->n_endpoints)
		return reg_fail(r, REG_EINVAL, "no etcd endpoints given");
	s = calloc(1, sizeof(*s));
	if (!s)
		return reg_fail(r, REG_ERR, "out of memory");
	r->store = s;
	snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
	s->plen = strlen(s->prefix);
	s->turn_fd = -1;
	s->max_tries = tries && atoi(tries) > 0 ? atoi(tries) : DEFAULT_TRIES;
	s->e = etcd_new(cfg);
	if (!s->e)
		return reg_fail(r, REG_ERR, "out of memory");
	s->check = getenv("SIXPN_ETCD_CHECK") && !strcmp(getenv("SIXPN_ETCD_CHECK"), "1");
	snap_path(s, cfg);
	s->stale = 1;
	rc = store_refresh(r);
	/* a read-only command reads once: no retry loop around it */
	return rc == REG_ERR && s->transient ? REG_ERR : rc;
}

/* ---- export and import ----------------------------------------------------- */

int reg_export(struct reg *r, const char *file)
{
	sqlite3 *db = NULL;
	sqlite3_backup *b;
	int fd, rc = REG_OK;

	if (!r->store)
		return reg_fail(r, REG_EINVAL, "registry export needs --etcd");
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return reg_fail(r, errno == EEXIST ? REG_EEXIST : REG_ERR,
				"cannot create %s: %m", file);
	close(fd);
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = reg_fail(r, REG_ERR, "cannot open %s: %s", file,
			      db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(db, "main", r->db, "main");
	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		rc = reg_fail(r, REG_ERR, "writing %s: %s", file, sqlite3_errmsg(db));
		sqlite3_backup_finish(b);
		goto out;
	}
	sqlite3_backup_finish(b);
	/* the copy's change log tells of the load, not of the fleet */
	if (sqlite3_exec(db, "DELETE FROM changes; DROP TABLE IF EXISTS etcd_copy_keys;"
			 " DROP TABLE IF EXISTS etcd_copy_meta; PRAGMA journal_mode=WAL",
			 NULL, NULL, NULL) != SQLITE_OK)
		rc = reg_fail(r, REG_ERR, "writing %s: %s", file, sqlite3_errmsg(db));
out:
	sqlite3_close_v2(db);
	if (rc)
		unlink(file);
	return rc;
}

static int on_import_row(const char *key, const char *value, void *ctx)
{
	return vec_add(ctx, key, value) ? -1 : 0;
}

int reg_import(struct reg *r, const char *file, size_t *rows)
{
	struct reg_store *s = r->store;
	struct reg *src = NULL;
	struct vec v = { 0 };
	char err[512], key[512];
	size_t i = 0, nrows;
	int64_t present = 0;
	int rc;

	*rows = 0;
	if (!s)
		return reg_fail(r, REG_EINVAL, "registry import needs --etcd");
	if (reg_query_int(r, "SELECT count(*) FROM etcd_copy_keys WHERE key != 'rev'"
			  " AND key != 'schema' AND key NOT LIKE 'hosts\\_alive/%' ESCAPE '\\'",
			  &present, NULL))
		return REG_ERR;
	if (present || s->rev_mod)
		return reg_fail(r, REG_EEXIST, "the etcd prefix %s is not empty (%" PRId64
				" rows): import only into an empty prefix", s->prefix,
				present);
	rc = reg_open(&src, file, REG_OPEN_READONLY);
	if (rc) {
		reg_fail(r, rc, "%s", reg_errmsg(src));
		reg_close(src);
		return rc;
	}
	if (rows_foreach(src->db, &s->schema, on_import_row, &v, err, sizeof(err))) {
		reg_close(src);
		vec_free(&v);
		return reg_fail(r, REG_ERR, "reading %s: %s", file, err);
	}
	reg_close(src);
	nrows = v.n;
	full_key(s, "rev", key, sizeof(key));
	/* chunks of at most IMPORT_OPS: the first one claims the empty prefix
	 * (rev absent) and marks it importing, each next one compares on the
	 * previous, the last one clears the mark */
	do {
		struct etcd_txn *t = etcd_txn_new();
		size_t bytes = 0, ops = 0;
		int last, ok = 0, erc;
		int64_t rev;
		char *revv;

		etcd_txn_cmp_mod(t, key, strlen(key), s->rev_mod);
		for (; i < v.n && ops < IMPORT_OPS && bytes < IMPORT_BYTES; i++, ops++) {
			char fk[512];

			full_key(s, v.v[i].key, fk, sizeof(fk));
			etcd_txn_put(t, fk, strlen(fk), v.v[i].value, strlen(v.v[i].value), 0);
			bytes += strlen(fk) + strlen(v.v[i].value);
		}
		last = i == v.n;
		revv = next_rev_value(s, NULL, !last);
		etcd_txn_put(t, key, strlen(key), revv, strlen(revv), 0);
		if (last) {
			char sk[512], sv[16];

			full_key(s, "schema", sk, sizeof(sk));
			snprintf(sv, sizeof(sv), "%d", REG_SCHEMA_VERSION);
			etcd_txn_put(t, sk, strlen(sk), sv, strlen(sv), 0);
		}
		erc = etcd_txn_commit(s->e, t, &ok, &rev, NULL, NULL);
		etcd_txn_free(t);
		free(revv);
		if (erc || !ok) {
			vec_free(&v);
			if (erc)
				etcd_fail(r, erc, "importing into etcd");
			else
				reg_fail(r, REG_EEXIST, "the etcd prefix %s changed while "
					 "importing", s->prefix);
			if (i > IMPORT_OPS || !last) {
				char why[sizeof(r->err)];

				snprintf(why, sizeof(why), "%s", r->err);
				reg_fail(r, REG_ERR, "%s; the prefix may hold a partial "
					 "import: remove it with etcdctl del --prefix %s "
					 "and import again", why, s->prefix);
			}
			return REG_ERR;
		}
		s->rev_mod = rev;
	} while (i < v.n);
	vec_free(&v);
	*rows = nrows;
	s->stale = 1;
	return store_load(r);
}

/* ---- a long-lived reader (the HTTP API) ------------------------------------ */

static int on_rev_key(const struct etcd_kv *kv, void *ctx)
{
	*(int64_t *)ctx = kv->mod_revision;
	return 0;
}

int reg_refresh(struct reg *r)
{
	struct reg_store *s = r->store;
	char key[512];
	int64_t mod = 0, rev = 0;
	int erc;

	if (!s)
		return REG_OK;
	if (!s->stale) {
		/* every write bumps <prefix>rev: unchanged, the copy is current */
		full_key(s, "rev", key, sizeof(key));
		erc = etcd_range(s->e, key, strlen(key), NULL, 0, 0, on_rev_key,
				 &mod, &rev);
		if (erc)
			return etcd_fail(r, erc, "reading the registry from etcd");
		if (mod == s->rev_mod)
			return REG_OK;
		s->stale = 1;
	}
	return store_load(r);
}
