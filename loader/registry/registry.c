// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry: opening, the schema and its migrations, transactions.
 * Reads are in read.c, writes in write.c, the naming
 * rules in rules.c. See docs/registry.md for the schema's rules. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registry/registry_int.h"

/* Schema migrations: migrations[i] takes user_version i to i + 1. Never edit
 * a released step; append a new one and bump REG_SCHEMA_VERSION. */
static const char *const migrations[REG_SCHEMA_VERSION] = {
	/* 0 -> 1: the initial schema */
	"CREATE TABLE orgs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL);"

	/* Network IDs: AUTOINCREMENT never hands out an ID below the largest
	 * ever used, and the triggers forbid deleting or renaming, so an ID
	 * is bound to its (org, name) forever. */
	"CREATE TABLE networks ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT"
	"     CHECK (id BETWEEN 1 AND 4294967295),"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (org_id, name));"
	"CREATE TRIGGER networks_bound_forever BEFORE DELETE ON networks BEGIN"
	"  SELECT RAISE(ABORT, 'a network ID is bound to its name forever');"
	"END;"
	"CREATE TRIGGER networks_immutable BEFORE UPDATE ON networks BEGIN"
	"  SELECT RAISE(ABORT, 'a network ID is bound to its name forever');"
	"END;"

	"CREATE TABLE apps ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id),"
	"  network_id INTEGER NOT NULL REFERENCES networks(id),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX apps_by_org ON apps(org_id);"
	"CREATE TRIGGER apps_network_fixed BEFORE UPDATE OF org_id, network_id"
	"  ON apps BEGIN"
	"  SELECT RAISE(ABORT, 'an app''s org and network are fixed at creation');"
	"END;"
	"CREATE TRIGGER apps_network_in_org BEFORE INSERT ON apps"
	"  WHEN (SELECT org_id FROM networks WHERE id = NEW.network_id)"
	"       IS NOT NEW.org_id BEGIN"
	"  SELECT RAISE(ABORT, 'an app''s network must belong to its org');"
	"END;"

	/* next_instance: the per-host allocation cursor (see alloc_instance) */
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4294967295),"
	"  region TEXT NOT NULL,"
	"  endpoint TEXT,"
	"  public_key TEXT,"
	"  peers_endpoint TEXT,"
	"  peers_public_key TEXT,"
	"  next_instance INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((peers_endpoint IS NULL) = (peers_public_key IS NULL)));"

	/* Every /112 on a host that is in use (released_at NULL) or was
	 * released (quarantined until released_at + quarantine). Machines and
	 * gateway instances share it, so they can never collide. */
	"CREATE TABLE instances ("
	"  host_id INTEGER NOT NULL REFERENCES hosts(id),"
	"  instance_id INTEGER NOT NULL CHECK (instance_id BETWEEN 1 AND 4294967295),"
	"  kind TEXT NOT NULL CHECK (kind IN ('machine', 'gateway')),"
	"  released_at INTEGER,"
	"  PRIMARY KEY (host_id, instance_id)) WITHOUT ROWID;"

	"CREATE TABLE machines ("
	"  id TEXT PRIMARY KEY,"
	"  app_id TEXT NOT NULL REFERENCES apps(id),"
	"  host_id INTEGER NOT NULL,"
	"  instance_id INTEGER NOT NULL,"
	"  region TEXT NOT NULL,"
	"  iface TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (host_id, instance_id),"
	"  UNIQUE (host_id, iface),"
	"  FOREIGN KEY (host_id, instance_id)"
	"    REFERENCES instances(host_id, instance_id));"
	"CREATE INDEX machines_by_app ON machines(app_id);"

	/* A gateway instance: a /112 on a gateway host for one network, cut
	 * into 256 /120s for WireGuard peers. Kept forever once made. */
	"CREATE TABLE gateways ("
	"  host_id INTEGER NOT NULL,"
	"  instance_id INTEGER NOT NULL,"
	"  network_id INTEGER NOT NULL REFERENCES networks(id),"
	"  next_slot INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (host_id, instance_id),"
	"  FOREIGN KEY (host_id, instance_id)"
	"    REFERENCES instances(host_id, instance_id));"
	"CREATE INDEX gateways_by_net ON gateways(host_id, network_id);"
	/* /120 leases, like instances: in use or quarantined */
	"CREATE TABLE peer_slots ("
	"  host_id INTEGER NOT NULL,"
	"  instance_id INTEGER NOT NULL,"
	"  slot INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 255),"
	"  released_at INTEGER,"
	"  PRIMARY KEY (host_id, instance_id, slot),"
	"  FOREIGN KEY (host_id, instance_id)"
	"    REFERENCES gateways(host_id, instance_id)) WITHOUT ROWID;"

	"CREATE TABLE peers ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL,"
	"  network_id INTEGER NOT NULL REFERENCES networks(id),"
	"  region TEXT NOT NULL,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id),"
	"  gw_instance_id INTEGER NOT NULL,"
	"  slot INTEGER NOT NULL,"
	"  public_key TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (org_id, name),"
	"  UNIQUE (host_id, gw_instance_id, slot),"
	"  FOREIGN KEY (host_id, gw_instance_id, slot)"
	"    REFERENCES peer_slots(host_id, instance_id, slot));"

	/* The change log: one row per insert/update/delete of a row a reader
	 * cares about, written by triggers inside the writing transaction. */
	"CREATE TABLE changes ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  tbl TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),"
	"  at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)));"

#define LOG_TRIGGERS(T, KEY, UPDATE_OF)                                        \
	"CREATE TRIGGER " T "_log_insert AFTER INSERT ON " T " BEGIN"          \
	"  INSERT INTO changes (tbl, key, op)"                                 \
	"  VALUES ('" T "', CAST(NEW." KEY " AS TEXT), 'insert'); END;"        \
	"CREATE TRIGGER " T "_log_update AFTER UPDATE " UPDATE_OF " ON " T     \
	"  BEGIN INSERT INTO changes (tbl, key, op)"                           \
	"  VALUES ('" T "', CAST(NEW." KEY " AS TEXT), 'update'); END;"        \
	"CREATE TRIGGER " T "_log_delete AFTER DELETE ON " T " BEGIN"          \
	"  INSERT INTO changes (tbl, key, op)"                                 \
	"  VALUES ('" T "', CAST(OLD." KEY " AS TEXT), 'delete'); END;"

	LOG_TRIGGERS("orgs", "id", "")
	LOG_TRIGGERS("networks", "id", "")
	LOG_TRIGGERS("apps", "id", "")
	/* not the allocation cursor: that is no news to a reader */
	LOG_TRIGGERS("hosts", "id", "OF region, endpoint, public_key, "
		     "peers_endpoint, peers_public_key")
	LOG_TRIGGERS("machines", "id", "")
	LOG_TRIGGERS("peers", "id", "")
#undef LOG_TRIGGERS
	,
	/* 1 -> 2: region coordinates, for the resolver's
	 * top<N>.nearest.of.<app>.internal (great-circle distance). Not in
	 * the change log: the resolver reads it on every question. */
	"CREATE TABLE regions ("
	"  name TEXT PRIMARY KEY,"
	"  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),"
	"  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),"
	"  updated_at INTEGER NOT NULL);",
	/* 2 -> 3: facts about this file, not the fleet: a mirror of etcd
	 * ('mirror_of', 'etcd_revision'), which no sixpnctl write may touch.
	 * Never stored in etcd. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 3 -> 4: a machine's lifecycle state, its process group and its
	 * metadata ("k=v,k=v", sorted by key: each part a DNS label, checked
	 * by the writer). Existing machines are started, in group 'app', with
	 * no metadata: what they were. The change log's machines trigger
	 * logs updates of any column, so a start or stop is a change. */
	"ALTER TABLE machines ADD COLUMN state TEXT NOT NULL DEFAULT 'started'"
	"  CHECK (state IN ('created', 'started', 'stopped'));"
	"ALTER TABLE machines ADD COLUMN process_group TEXT NOT NULL DEFAULT 'app';"
	"ALTER TABLE machines ADD COLUMN metadata TEXT NOT NULL DEFAULT '';",
	/* 4 -> 5: the HTTP API's bearer tokens (tokens.c), each bound to one
	 * org. Only the SHA-256 of a token is kept: whoever reads the file
	 * (or etcd, or a host's mirror) learns nothing that authenticates.
	 * Not in the change log: sixpnd has no use for them. */
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id),"
	"  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX tokens_by_org ON tokens(org_id);",
	/* 5 -> 6: Flycast service addresses. A lease per address of a
	 * network's service range (in use, or quarantined once released, like
	 * instances), and the allocation: one per (app, consumer network). */
	"CREATE TABLE flycast_leases ("
	"  network_id INTEGER NOT NULL REFERENCES networks(id),"
	"  svc_id INTEGER NOT NULL CHECK (svc_id BETWEEN 1 AND 4294967295),"
	"  released_at INTEGER,"
	"  PRIMARY KEY (network_id, svc_id)) WITHOUT ROWID;"
	"CREATE TABLE flycast ("
	"  network_id INTEGER NOT NULL,"
	"  svc_id INTEGER NOT NULL,"
	"  app_id TEXT NOT NULL REFERENCES apps(id),"
	"  ports TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (network_id, svc_id),"
	"  UNIQUE (app_id, network_id),"
	"  FOREIGN KEY (network_id, svc_id)"
	"    REFERENCES flycast_leases(network_id, svc_id));"
	"CREATE INDEX flycast_by_app ON flycast(app_id);"
	"CREATE TRIGGER flycast_network_in_org BEFORE INSERT ON flycast"
	"  WHEN (SELECT org_id FROM networks WHERE id = NEW.network_id)"
	"       IS NOT (SELECT org_id FROM apps WHERE id = NEW.app_id) BEGIN"
	"  SELECT RAISE(ABORT, 'a Flycast network must belong to the app''s org');"
	"END;"
	"CREATE TRIGGER flycast_log_insert AFTER INSERT ON flycast BEGIN"
	"  INSERT INTO changes (tbl, key, op) VALUES ('flycast',"
	"  NEW.network_id || '/' || NEW.svc_id, 'insert'); END;"
	"CREATE TRIGGER flycast_log_update AFTER UPDATE ON flycast BEGIN"
	"  INSERT INTO changes (tbl, key, op) VALUES ('flycast',"
	"  NEW.network_id || '/' || NEW.svc_id, 'update'); END;"
	"CREATE TRIGGER flycast_log_delete AFTER DELETE ON flycast BEGIN"
	"  INSERT INTO changes (tbl, key, op) VALUES ('flycast',"
	"  OLD.network_id || '/' || OLD.svc_id, 'delete'); END;",
};

int reg_fail(struct reg *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return rc;
}

int reg_sqlfail(struct reg *r, const char *what)
{
	int code = r->db ? sqlite3_errcode(r->db) : SQLITE_ERROR;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return reg_fail(r, REG_ERR,
				"registry %s is busy: %s still locked after %d ms",
				r->path, what, REG_BUSY_TIMEOUT_MS);
	/* "disk I/O error" alone does not say the disk is full: the
	 * system's errno does (a -shm or -wal that cannot grow). */
	if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_FULL) &&
	    sqlite3_system_errno(r->db))
		return reg_fail(r, REG_ERR, "registry %s: %s: %s (%s)", r->path, what,
				sqlite3_errmsg(r->db), strerror(sqlite3_system_errno(r->db)));
	return reg_fail(r, REG_ERR, "registry %s: %s: %s", r->path, what,
			r->db ? sqlite3_errmsg(r->db) : "out of memory");
}

sqlite3_stmt *reg_prep(struct reg *r, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		reg_sqlfail(r, "prepare");
		return NULL;
	}
	return st;
}

/* Preparing was half of the resolver's CPU time per question (perf: the
 * SQL parser under sqlite3_prepare_v2), for the same few statements each
 * time. */
static void stmts_clear(struct reg *r)
{
	int i;

	/* the handle may be closed already: sqlite3_close_v2 keeps it, a
	 * zombie, until its last statement is finalized here */
	for (i = 0; i < r->n_stmts; i++) {
		sqlite3_finalize(r->stmts[i].st);
		free(r->stmts[i].sql);
	}
	r->n_stmts = 0;
	r->stmts_db = r->db;
}

/* FNV-1a: the cache's texts share long prefixes ("SELECT ... FROM"), which
 * a strcmp against each of them would walk every time. */
static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *sql; sql++)
		h = (h ^ (unsigned char)*sql) * 0x100000001b3ULL;
	return h;
}

sqlite3_stmt *reg_prep_cached(struct reg *r, const char *sql)
{
	struct reg_stmt *c, *old = NULL;
	uint64_t hash = sql_hash(sql);
	sqlite3_stmt *st;
	char *copy;
	int i;

	/* the store reopened the handle (store_etcd.c's in-memory copy) */
	if (r->stmts_db != r->db)
		stmts_clear(r);
	r->stmts_tick++;
	for (i = 0; i < r->n_stmts; i++) {
		c = &r->stmts[i];
		if (c->busy)
			continue;
		if (c->hash == hash && !strcmp(c->sql, sql)) {
			c->busy = 1;
			c->used = r->stmts_tick;
			return c->st;
		}
		if (!old || c->used < old->used)
			old = c;
	}
	st = reg_prep(r, sql);
	copy = st ? strdup(sql) : NULL;
	if (!copy)
		return st;
	if (r->n_stmts < REG_STMT_CACHE) {
		c = &r->stmts[r->n_stmts++];
	} else if (old) {
		/* full: the one used longest ago makes room */
		c = old;
		sqlite3_finalize(c->st);
		free(c->sql);
	} else {
		free(copy);
		return st;
	}
	c->sql = copy;
	c->hash = hash;
	c->st = st;
	c->busy = 1;
	c->used = r->stmts_tick;
	return st;
}

void reg_stmt_done(struct reg *r, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < r->n_stmts; i++) {
		if (r->stmts[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			r->stmts[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

int reg_exec(struct reg *r, const char *sql)
{
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return reg_sqlfail(r, sql);
	return REG_OK;
}

/* A mirror of etcd is written only by sixpnd's mirror (which does not come
 * here): a row written by hand would diverge from the fleet. */
static int refuse_mirror(struct reg *r)
{
	sqlite3_stmt *st;
	char of[256] = "";
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = 'mirror_of'",
			       -1, &st, NULL) != SQLITE_OK)
		return REG_OK;   /* not migrated yet: no meta, no mirror */
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		reg_col_text(st, 0, of, sizeof(of));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return REG_OK;
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return reg_fail(r, REG_EMIRROR, "registry %s is a mirror of etcd %s kept by "
			"sixpnd: write to the fleet's registry with sixpnctl --etcd "
			"ENDPOINTS instead", r->path, of);
}

int reg_begin_write(struct reg *r)
{
	int rc;

	if (r->flags & REG_OPEN_READONLY)
		return reg_fail(r, REG_ERR, "registry %s is open read-only",
				r->path);
	if (r->store && !r->migrating && (rc = reg_store_begin(r)))
		return rc;
	rc = reg_exec(r, "BEGIN IMMEDIATE");
	if (!rc && !r->store && !r->migrating)
		rc = refuse_mirror(r);
	return rc;
}

int reg_end_write(struct reg *r, int rc)
{
	if (rc == REG_OK && r->store && !r->migrating) {
		/* etcd first: a write that lost the race is rolled back, and the
		 * copy is again the state it was judged on, for a catch-up */
		rc = reg_store_commit(r);
		if (rc != REG_OK) {
			sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			/* in etcd, not in the copy: read it again */
			reg_store_stale(r);
			sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		}
		return REG_OK;
	}
	if (rc == REG_OK) {
		if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			return REG_OK;
		rc = reg_sqlfail(r, "commit");
	}
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

sqlite3_stmt *reg_write_prep(struct reg *r, const char *sql, int *rc)
{
	sqlite3_stmt *st;

	*rc = reg_begin_write(r);
	if (*rc)
		return NULL;
	st = reg_prep(r, sql);
	if (!st)
		*rc = reg_end_write(r, REG_ERR);
	return st;
}

void reg_copy(char *dst, const char *src, size_t n)
{
	if (!n)
		return;
	size_t len;

	if (!src)
		src = "";
	/* snprintf(dst, n, "%s", src), without its format parsing: a full
	 * sync copies a dozen columns of every machine of the fleet */
	len = strnlen(src, n - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void reg_col_text(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	reg_copy(dst, (const char *)sqlite3_column_text(st, i), n);
}

int64_t reg_now(void)
{
	return (int64_t)time(NULL);
}

const char *reg_default_path(void)
{
	const char *e = getenv("SIXPN_REGISTRY");

	return e && *e ? e : REG_DEFAULT_PATH;
}

const char *reg_errmsg(const struct reg *r)
{
	return r ? r->err : "out of memory";
}

const char *reg_path(const struct reg *r)
{
	return r->path;
}

int64_t reg_quarantine_secs(const struct reg *r)
{
	return r->quarantine;
}

/* mkdir -p of path's parent directory. */
static int make_parent(struct reg *r)
{
	char dir[PATH_MAX], *p;

	reg_copy(dir, r->path, sizeof(dir));
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return REG_OK;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return reg_fail(r, REG_ERR, "cannot create directory %s: %s",
					dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return reg_fail(r, REG_ERR, "cannot create directory %s: %s",
				dir, strerror(errno));
	return REG_OK;
}

int reg_query_int(struct reg *r, const char *sql, int64_t *out, const char *what)
{
	sqlite3_stmt *st = reg_prep_cached(r, sql);
	int rc;

	if (!st)
		return REG_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW ? REG_OK : reg_sqlfail(r, what ? what : sql);
	reg_stmt_done(r, st);
	return rc;
}

/* One statement that returns no rows, kept for the next time (the
 * snapshot's BEGIN and COMMIT, once per resolver question). */
static int exec_cached(struct reg *r, const char *sql)
{
	sqlite3_stmt *st = reg_prep_cached(r, sql);
	int rc;

	if (!st)
		return REG_ERR;
	rc = sqlite3_step(st) == SQLITE_DONE ? REG_OK : reg_sqlfail(r, sql);
	reg_stmt_done(r, st);
	return rc;
}

static int pragma_int(struct reg *r, const char *sql, int64_t *out)
{
	return reg_query_int(r, sql, out, NULL);
}

int reg_data_version(struct reg *r, int64_t *version)
{
	return reg_query_int(r, "PRAGMA data_version", version, "read data_version");
}

static int check_identity(struct reg *r, int64_t *version)
{
	int64_t appid;

	if (pragma_int(r, "PRAGMA application_id", &appid) ||
	    pragma_int(r, "PRAGMA user_version", version))
		return REG_ERR;
	if (appid != 0 && appid != REG_APPLICATION_ID)
		return reg_fail(r, REG_ESCHEMA,
				"%s is not a sixpn registry (application_id %#llx)",
				r->path, (unsigned long long)appid);
	if (*version > REG_SCHEMA_VERSION)
		return reg_fail(r, REG_ESCHEMA,
				"registry %s has schema version %lld, newer than "
				"this build understands (%d): upgrade sixpn",
				r->path, (long long)*version, REG_SCHEMA_VERSION);
	if (*version > 0 && appid == 0)
		return reg_fail(r, REG_ESCHEMA,
				"%s is not a sixpn registry (no application_id)",
				r->path);
	return REG_OK;
}

int reg_migrate(struct reg *r)
{
	int64_t version, tables;
	char sql[64];
	int rc;

	/* WAL lets sixpnd read while sixpnctl writes; it is persistent, so
	 * this only matters on the first open of a new file. */
	if (pragma_int(r, "SELECT count(*) FROM sqlite_master", &tables))
		return REG_ERR;
	if (tables == 0) {
		sqlite3_stmt *st = reg_prep(r, "PRAGMA journal_mode=WAL");

		if (!st)
			return REG_ERR;
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return reg_sqlfail(r, "PRAGMA journal_mode=WAL");
	}
	r->migrating = 1;
	rc = reg_begin_write(r);
	if (rc) {
		r->migrating = 0;
		return rc;
	}
	/* again, under the write lock: another process may have migrated */
	rc = check_identity(r, &version);
	if (!rc && version == 0) {
		if (pragma_int(r, "SELECT count(*) FROM sqlite_master", &tables))
			rc = REG_ERR;
		else if (tables)
			rc = reg_fail(r, REG_ESCHEMA,
				      "%s is not a sixpn registry (it has tables "
				      "but no schema version)", r->path);
	}
	for (; !rc && version < REG_SCHEMA_VERSION; version++) {
		rc = reg_exec(r, migrations[version]);
		if (rc)
			break;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
			 (long long)version + 1);
		rc = reg_exec(r, sql);
	}
	if (!rc) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			 REG_APPLICATION_ID);
		rc = reg_exec(r, sql);
	}
	rc = reg_end_write(r, rc);
	r->migrating = 0;
	return rc;
}

int reg_quarantine_env(struct reg *r)
{
	const char *q = getenv("SIXPN_QUARANTINE_SECS");

	r->quarantine = REG_QUARANTINE_SECS;
	if (q && *q) {
		char *end;
		long long v = strtoll(q, &end, 10);

		if (*end || v < 0)
			return reg_fail(r, REG_EINVAL,
					"SIXPN_QUARANTINE_SECS '%s' is invalid: "
					"must be a number of seconds >= 0", q);
		r->quarantine = v;
	}
	return REG_OK;
}

int reg_open(struct reg **out, const char *path, unsigned flags)
{
	struct reg *r = calloc(1, sizeof(*r));
	struct stat st;
	int64_t version;
	int oflags, rc;

	*out = r;
	if (!r)
		return REG_ERR;
	r->flags = flags;
	reg_copy(r->path, path && *path ? path : reg_default_path(),
		 sizeof(r->path));
	rc = reg_quarantine_env(r);
	if (rc)
		return rc;

	if (flags & REG_OPEN_READONLY) {
		oflags = SQLITE_OPEN_READONLY;
		if (access(r->path, F_OK))
			return reg_fail(r, REG_ESCHEMA, "registry %s does not exist",
					r->path);
	} else {
		oflags = SQLITE_OPEN_READWRITE;
		if (flags & REG_OPEN_CREATE) {
			oflags |= SQLITE_OPEN_CREATE;
			rc = make_parent(r);
			if (rc)
				return rc;
		}
	}
	if (sqlite3_open_v2(r->path, &r->db, oflags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		return reg_fail(r, REG_ERR, "cannot open registry %s: %s",
				r->path, r->db ? sqlite3_errmsg(r->db) :
				"out of memory");
	if (!stat(r->path, &st)) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	}
	sqlite3_busy_timeout(r->db, REG_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(r->db, 0);
	if (reg_exec(r, "PRAGMA foreign_keys = ON"))
		return REG_ERR;

	rc = check_identity(r, &version);
	if (rc)
		return rc;
	if (version == REG_SCHEMA_VERSION)
		return REG_OK;
	if (!(flags & REG_OPEN_CREATE) || (flags & REG_OPEN_READONLY))
		return reg_fail(r, REG_ESCHEMA,
				"registry %s has schema version %lld, expected %d "
				"(a sixpnctl write creates or upgrades it)",
				r->path, (long long)version, REG_SCHEMA_VERSION);
	return reg_migrate(r);
}

int reg_file_check(struct reg *r)
{
	struct stat st;

	if (stat(r->path, &st))
		return reg_fail(r, errno == ENOENT ? REG_ENOENT : REG_ERR, "registry %s: %s",
				r->path, strerror(errno));
	if (st.st_dev != r->dev || st.st_ino != r->ino)
		return reg_fail(r, REG_ERR, "registry %s was replaced by another file", r->path);
	return REG_OK;
}

int reg_reopen(struct reg **r, char *err, size_t errlen)
{
	struct reg *fresh;
	int rc = reg_open(&fresh, (*r)->path, REG_OPEN_READONLY);

	if (rc) {
		snprintf(err, errlen, "%s", reg_errmsg(fresh));
		reg_close(fresh);
		return rc;
	}
	reg_close(*r);
	*r = fresh;
	return REG_OK;
}

void reg_close(struct reg *r)
{
	if (!r)
		return;
	stmts_clear(r);
	reg_store_free(r);
	if (r->db)
		sqlite3_close_v2(r->db);
	free(r);
}

int reg_snapshot_begin(struct reg *r)
{
	int64_t dummy;

	if (r->in_snapshot)
		return REG_OK;
	if (exec_cached(r, "BEGIN"))
		return REG_ERR;
	/* a deferred transaction takes its snapshot at the first read */
	if (pragma_int(r, "SELECT count(*) FROM sqlite_master", &dummy)) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return REG_ERR;
	}
	r->in_snapshot = 1;
	return REG_OK;
}

int reg_snapshot_end(struct reg *r)
{
	if (!r->in_snapshot)
		return REG_OK;
	r->in_snapshot = 0;
	return exec_cached(r, "COMMIT");
}
