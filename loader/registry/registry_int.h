/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internals shared by registry.c, read.c and write.c.
 * Not for users of the registry: include registry.h. */
#ifndef SIXPN_REGISTRY_INT_H
#define SIXPN_REGISTRY_INT_H

#include <limits.h>
#include <sqlite3.h>
#include <sys/types.h>
#include "registry/registry.h"

/* A prepared statement kept for the next read with the same text
 * (reg_prep_cached). */
struct reg_stmt {
	char *sql;
	uint64_t hash;           /* of sql: most lookups compare this only */
	sqlite3_stmt *st;
	int busy;                /* handed out, not yet given back */
	uint64_t used;           /* stmts_tick when last handed out */
};
#define REG_STMT_CACHE 32

struct reg {
	sqlite3 *db;
	char path[PATH_MAX];
	char err[512];
	unsigned flags;
	int64_t quarantine;      /* seconds */
	int in_snapshot;
	dev_t dev;               /* the file opened, for reg_file_check() */
	ino_t ino;
	int migrating;           /* reg_migrate: a mirror may be migrated */
	struct reg_store *store; /* etcd underneath (store_etcd.c), or NULL */
	char scope[REG_NAME_MAX + 1]; /* reg_scope_org: the one org, or "" */
	struct reg_stmt stmts[REG_STMT_CACHE];
	int n_stmts;
	uint64_t stmts_tick;
	sqlite3 *stmts_db;       /* the handle they were prepared on */
};

/* Internal: the write conflicted with another writer and changed nothing;
 * the public write function runs again on fresh state (REG_WRITE_RETRY). */
#define REG_ECONFLICT 100

/* r->quarantine from SIXPN_QUARANTINE_SECS (registry.c). */
int reg_quarantine_env(struct reg *r);
/* Creates or migrates the schema (registry.c). */
int reg_migrate(struct reg *r);

/* The etcd store (store_etcd.c): begin reloads the private in-memory copy
 * when it may be stale; commit sends what the write changed as one etcd
 * transaction (REG_ECONFLICT when another write won). */
int reg_store_begin(struct reg *r);
int reg_store_commit(struct reg *r);
void reg_store_free(struct reg *r);
/* The copy no longer is what etcd holds: the next write reads it again. */
void reg_store_stale(struct reg *r);
/* Sleeps before another attempt and returns 1, or 0 (message set) when
 * the attempts are used up. */
int reg_store_retry(struct reg *r, int attempt);

/* The body of every public write: call, again while another etcd writer
 * won the race. Without etcd the call runs once. */
#define REG_WRITE_RETRY(r, call)                                              \
	do {                                                                  \
		int rc_, try_ = 0;                                            \
		while ((rc_ = (call)) == REG_ECONFLICT &&                     \
		       reg_store_retry((r), ++try_))                          \
			;                                                     \
		return rc_ == REG_ECONFLICT ? REG_ERR : rc_;                  \
	} while (0)

/* Sets the message and returns rc. */
int reg_fail(struct reg *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* REG_ERR with SQLite's message for `what` ("busy" gets a clear text). */
int reg_sqlfail(struct reg *r, const char *what);

sqlite3_stmt *reg_prep(struct reg *r, const char *sql);
/* reg_prep, reusing the statement of an earlier call with the same text
 * that has been given back; give it back with reg_stmt_done (never
 * sqlite3_finalize). A statement in use (a walk whose callback reads
 * again) is not handed out twice: the second gets one of its own. */
sqlite3_stmt *reg_prep_cached(struct reg *r, const char *sql);
/* Gives back a statement of reg_prep_cached, or finalizes one of reg_prep. */
void reg_stmt_done(struct reg *r, sqlite3_stmt *st);
/* The one integer SQL answers (the first column of the first row), in
 * *out; on failure the message names `what` (NULL: the SQL). */
int reg_query_int(struct reg *r, const char *sql, int64_t *out, const char *what);
int reg_exec(struct reg *r, const char *sql);

/* BEGIN IMMEDIATE ... COMMIT / ROLLBACK. reg_end_write commits when rc is
 * REG_OK, else rolls back; it returns rc (or the commit's failure). */
int reg_begin_write(struct reg *r);
int reg_end_write(struct reg *r, int rc);
/* reg_begin_write(), then sql prepared inside the write: NULL with *rc the
 * code to return when either failed (the write then already ended). */
sqlite3_stmt *reg_write_prep(struct reg *r, const char *sql, int *rc);

/* Copies column i (text or NULL) into dst of size n. */
void reg_col_text(sqlite3_stmt *st, int i, char *dst, size_t n);
void reg_copy(char *dst, const char *src, size_t n);

int64_t reg_now(void);

/* A peer by org and name (read.c). */
int reg_get_peer_by_name(struct reg *r, const char *org, const char *name,
			 struct reg_peer *out);

/* Releases every Flycast address of the app, inside the caller's write
 * (flycast.c; app destroy). */
int reg_flycast_release_app(struct reg *r, const char *app_id);

#ifdef SIXPN_FUZZ
/* store_mirror.c without its threads, for selftests/fuzz/lib/etcd_rows.c
 * (which plays etcd): the mirror opened on path, one full list, after()
 * with step 0, one watch until the stream ends, after() with step 1. */
int reg_mirror_fuzz(const struct etcd_cfg *cfg, const char *path,
		    void (*after)(struct reg *file, int step, void *ctx), void *ctx);
#endif

#endif
