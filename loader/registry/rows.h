/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Registry rows as etcd key-values (docs/registry.md "ON ETCD"): one key per
 * row, <prefix><table>/<primary key parts joined by '/'>, the value a JSON
 * object of the row's columns (integers, strings, reals, null). The
 * columns come from the schema itself (PRAGMA table_info), so a migration
 * that adds a column needs nothing here.
 *
 * Applying key-values to a database (rows_apply) is the one path from etcd
 * into SQLite: sixpnctl's private in-memory copy, sixpnd's mirror and
 * `registry export` all use it, so a value is checked the same way
 * everywhere: it must be a JSON object of known columns with the column's
 * type (a column it lacks has the column's default: rows from before a
 * migration load into the new schema), its key must be the one its
 * primary key makes, and SQLite's own
 * constraints and triggers (unique names, foreign keys, bound networks)
 * must accept it. A row that fails is reported with its key and skipped. */
#ifndef SIXPN_REGISTRY_ROWS_H
#define SIXPN_REGISTRY_ROWS_H

#include <sqlite3.h>
#include <stddef.h>

#define ROWS_MAX_COLS 16
#define ROWS_VALUE_MAX 65536

struct rows_col {
	char name[32];
	char type;                /* 'i' INTEGER, 't' TEXT, 'r' REAL */
	/* The column's DEFAULT (PRAGMA table_info), for a value that lacks
	 * the column: a row written before a migration added it holds what
	 * the migration gave the rows of a file. */
	int has_dflt;
	char dflt[64];            /* 't': the text; 'i'/'r': the number */
};

struct rows_table {
	const char *name;
	const char *pk[3];
	int npk;
	int pkcol[3];             /* index in cols */
	struct rows_col cols[ROWS_MAX_COLS];
	int ncols;
};

/* Every table stored in etcd, parents before children (the order rows are
 * inserted in; deletes go the other way). */
#define ROWS_NTABLES 14
struct rows_schema {
	struct rows_table t[ROWS_NTABLES];
};

int rows_schema_load(sqlite3 *db, struct rows_schema *s, char *err, size_t errlen);
/* The table a key (without the prefix) names, or NULL; *rest: after "T/". */
const struct rows_table *rows_table_of(const struct rows_schema *s,
				       const char *key, const char **rest);

/* A key-value to apply: put (value != NULL) or delete. */
struct rows_kv {
	char *key;                /* without the prefix */
	char *value;
	const struct rows_table *t;
	char *canon;              /* set by rows_apply on a put it accepted */
};

struct rows_report {
	/* a row that was refused: key (without the prefix) and why */
	void (*bad)(void *ctx, const char *key, const char *why);
	void *ctx;
	size_t bad_rows, changed;
};

/* Applies deletes (children first) then puts (parents first) in the
 * caller's transaction; unchanged rows are not written, so the change-log
 * triggers fire only for real changes. A refused row is reported and
 * skipped; -1 only when SQLite itself fails (err). New rows are inserted
 * in batches, and a batch SQLite refuses is written again row by row: the
 * outcome, the reports and their order are those of applying the
 * key-values one after the other. */
int rows_apply(sqlite3 *db, const struct rows_schema *s, struct rows_kv *kv,
	       size_t n, struct rows_report *rep, char *err, size_t errlen);

/* Walks every row of every stored table: cb(key without prefix, canonical
 * JSON value). Non-zero from cb stops the walk and is returned. */
typedef int (*rows_cb)(const char *key, const char *value, void *ctx);
int rows_foreach(sqlite3 *db, const struct rows_schema *s, rows_cb cb, void *ctx,
		 char *err, size_t errlen);

/* The rows a write touched: rows_dirty_init() puts temp triggers on every
 * stored table of db (once per connection, after loading it), which note
 * each row an insert, update or delete touches; rows_dirty_clear() forgets
 * them (before a write); rows_dirty_foreach() calls cb(key, canonical value)
 * for each touched row, or cb(key, NULL) for one the write removed. */
int rows_dirty_init(sqlite3 *db, const struct rows_schema *s, char *err, size_t errlen);
int rows_dirty_clear(sqlite3 *db);
int rows_dirty_foreach(sqlite3 *db, const struct rows_schema *s, rows_cb cb,
		       void *ctx, char *err, size_t errlen);

#endif
