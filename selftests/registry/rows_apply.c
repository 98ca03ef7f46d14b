// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* rows_apply (loader/registry/rows.c), the one path from etcd into SQLite,
 * against what it promises row by row, on a real registry file: it inserts
 * new rows in batches, and must behave as if it applied them one after the
 * other.
 *  - 200 rows into an empty table, bad ones inside batches (not JSON, a
 *    wrong type, a key its primary key does not make, UNIQUE, NOT NULL):
 *    each reported once with its key and why, in the order given, and
 *    every good row written;
 *  - the same into the table when it has rows (each row read first);
 *  - a key given twice in one call into an empty table: the second value
 *    stands, an identical repeat changes nothing;
 *  - each accepted row's canonical value is what json-c writes for the row
 *    read back (json-c is the oracle, not rows.c's own writer), names with
 *    quotes, backslashes, control bytes, '/' and UTF-8 included;
 *  - the rows as rows_foreach gives them, applied again: nothing changes,
 *    nothing refused.
 *
 *   test_rows_apply [ignored]   (run.sh passes the packets file) */
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "registry/registry.h"
#include "registry/registry_int.h"
#include "registry/rows.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

#define MAX_KV 512

struct reported {
	char key[64][64];
	char why[64][256];
	int n;
};

static void on_bad(void *ctx, const char *key, const char *why)
{
	struct reported *r = ctx;

	if (r->n < 64) {
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", key);
		snprintf(r->why[r->n], sizeof(r->why[0]), "%s", why);
		r->n++;
	}
}

struct batch {
	struct rows_kv kv[MAX_KV];
	size_t n;
};

static void add(struct batch *b, const struct rows_schema *s, const char *key,
		const char *value)
{
	const char *rest;

	b->kv[b->n].key = strdup(key);
	b->kv[b->n].value = strdup(value);
	b->kv[b->n].t = rows_table_of(s, key, &rest);
	b->kv[b->n].canon = NULL;
	b->n++;
}

static void batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->kv[i].key);
		free(b->kv[i].value);
		free(b->kv[i].canon);
	}
	b->n = 0;
}

/* An org's value as etcd would hold it */
static void org(char *buf, size_t len, long id, const char *name)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "created_at", json_object_new_int64(1700000000 + id));
	snprintf(buf, len, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/* json-c's canonical form of org id as stored, "" if absent */
static void stored_org(sqlite3 *db, long id, char *buf, size_t len)
{
	sqlite3_stmt *st;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT id, name, created_at FROM orgs WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(sqlite3_column_int64(st, 0)));
		json_object_object_add(o, "name", json_object_new_string(
			(const char *)sqlite3_column_text(st, 1)));
		json_object_object_add(o, "created_at",
				       json_object_new_int64(sqlite3_column_int64(st, 2)));
		snprintf(buf, len, "%s", json_object_to_json_string_ext(o,
			 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	sqlite3_finalize(st);
}

static long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int apply(struct reg *r, const struct rows_schema *s, struct batch *b,
		 struct rows_report *rep)
{
	char err[512] = "";
	int rc;

	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	rc = rows_apply(r->db, s, b->kv, b->n, rep, err, sizeof(err));
	if (rc)
		printf("# rows_apply: %s\n", err);
	sqlite3_exec(r->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

static const char *names[] = {
	"plain", "a \"quote\"", "back\\slash", "sl/ash", "tab\there", "nl\nx",
	"ctl\x01\x1f", "caf\xc3\xa9", "\177del", "</script>",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* 200 orgs from first, bad ones at fixed places inside batches; what each
 * bad one must be reported as goes to want (key, start of why). */
static void two_hundred(struct batch *b, const struct rows_schema *s, long first,
			const char *want_key[], const char *want_why[], int *nwant)
{
	char key[64], val[512], name[64];
	long i;

	*nwant = 0;
	for (i = first; i < first + 200; i++) {
		snprintf(key, sizeof(key), "orgs/%ld", i);
		snprintf(name, sizeof(name), "%s %ld", names[i % N_NAMES], i);
		switch (i - first) {
		case 40:   /* a name another org has: UNIQUE, inside a batch */
			snprintf(name, sizeof(name), "%s %ld", names[(i - 30) % N_NAMES], i - 30);
			org(val, sizeof(val), i, name);
			want_why[*nwant] = "refused by the registry's rules: UNIQUE constraint failed: orgs.name";
			break;
		case 77:
			snprintf(val, sizeof(val), "{\"id\": %ld,", i);
			want_why[*nwant] = "value is not JSON";
			break;
		case 100:
			org(val, sizeof(val), i + 1000, name);
			want_why[*nwant] = "its primary key makes the key";
			break;
		case 130:
			snprintf(val, sizeof(val), "{\"id\":%ld,\"name\":\"n%ld\",\"created_at\":\"x\"}", i, i);
			want_why[*nwant] = "column 'created_at' must be an integer";
			break;
		case 150:   /* NOT NULL: refused by SQLite, inside a batch */
			snprintf(val, sizeof(val), "{\"id\":%ld,\"name\":\"n%ld\",\"created_at\":null}", i, i);
			want_why[*nwant] = "refused by the registry's rules: NOT NULL constraint failed: orgs.created_at";
			break;
		default:
			org(val, sizeof(val), i, name);
			add(b, s, key, val);
			continue;
		}
		add(b, s, key, val);
		want_key[(*nwant)++] = b->kv[b->n - 1].key;
	}
}

static void check_load(struct reg *r, const struct rows_schema *s, long first,
		       const char *what)
{
	struct reported got = { 0 };
	struct rows_report rep = { .bad = on_bad, .ctx = &got };
	const char *want_key[8], *want_why[8];
	struct batch *b = calloc(1, sizeof(*b));
	char canon[512];
	int nwant, i, same = 1, canon_ok = 1;
	long before = count(r->db, "SELECT count(*) FROM orgs");
	size_t k;

	two_hundred(b, s, first, want_key, want_why, &nwant);
	CHECK_EQ(apply(r, s, b, &rep), 0, "%s: rows_apply succeeds", what);
	CHECK_EQ(got.n, nwant, "%s: %d bad rows reported", what, nwant);
	for (i = 0; i < nwant && i < got.n; i++)
		same &= !strcmp(got.key[i], want_key[i]) &&
			!strncmp(got.why[i], want_why[i], strlen(want_why[i]));
	CHECK(same, "%s: each with its key and why, in the order given", what);
	for (i = 0; i < got.n; i++)
		printf("#   %s: %s\n", got.key[i], got.why[i]);
	CHECK_EQ(rep.changed, 200 - nwant, "%s: the other %d rows changed", what, 200 - nwant);
	CHECK_EQ(count(r->db, "SELECT count(*) FROM orgs") - before, 200 - nwant,
		 "%s: and are in the table", what);
	for (k = 0; k < b->n; k++) {
		long id = strtol(b->kv[k].key + 5, NULL, 10);
		int bad = 0;

		for (i = 0; i < nwant; i++)
			bad |= b->kv[k].key == want_key[i];
		stored_org(r->db, id, canon, sizeof(canon));
		if (bad)
			canon_ok &= !b->kv[k].canon && (!canon[0] || id - first == 100);
		else
			canon_ok &= b->kv[k].canon && !strcmp(b->kv[k].canon, canon);
	}
	CHECK(canon_ok, "%s: each accepted row's canonical value is json-c's of the "
	      "row read back; no refused row is there", what);
	batch_free(b);
	free(b);
}

static int collect(const char *key, const char *value, void *ctx)
{
	struct batch *b = ctx;

	if (b->n == MAX_KV)
		return 1;
	b->kv[b->n].key = strdup(key);
	b->kv[b->n].value = strdup(value);
	b->n++;
	return 0;
}

int main(void)
{
	char path[] = "/tmp/sixpn-rows-apply.XXXXXX", file[64], err[512], val[256];
	struct rows_schema s;
	struct reg *r = NULL, *r2 = NULL;
	struct batch *b = calloc(1, sizeof(*b));
	struct reported got = { 0 };
	struct rows_report rep = { .bad = on_bad, .ctx = &got };
	const char *rest;
	size_t k;
	long i;

	if (!mkdtemp(path) || !b)
		return 1;
	snprintf(file, sizeof(file), "%s/a.db", path);
	if (reg_open(&r, file, REG_OPEN_CREATE) ||
	    rows_schema_load(r->db, &s, err, sizeof(err))) {
		printf("not ok 1 - a registry to apply to: %s\n", reg_errmsg(r));
		return 1;
	}
	CHECK_EQ(count(r->db, "SELECT count(*) FROM orgs"), 0, "the orgs table starts empty");
	check_load(r, &s, 1, "into an empty table");
	check_load(r, &s, 1001, "into a table with rows");

	/* the rows as export gives them, applied again */
	if (rows_foreach(r->db, &s, collect, b, err, sizeof(err)))
		printf("# rows_foreach: %s\n", err);
	for (k = 0; k < b->n; k++)
		b->kv[k].t = rows_table_of(&s, b->kv[k].key, &rest);
	CHECK(b->n > 390, "rows_foreach gives every row (%zu)", b->n);
	memset(&rep, 0, sizeof(rep));
	got.n = 0;
	rep.bad = on_bad;
	rep.ctx = &got;
	CHECK_EQ(apply(r, &s, b, &rep), 0, "applied again: rows_apply succeeds");
	CHECK_EQ(rep.changed, 0, "applied again: nothing changes");
	CHECK_EQ(rep.bad_rows, 0, "applied again: nothing refused");
	batch_free(b);

	/* a key twice in one call, into an empty table */
	snprintf(file, sizeof(file), "%s/b.db", path);
	if (reg_open(&r2, file, REG_OPEN_CREATE)) {
		printf("not ok - a second registry: %s\n", reg_errmsg(r2));
		return 1;
	}
	/* 1-40, then 5 again (changed) and 6 again (the same), then 41-70:
	 * the repeats are inside the second batch */
	for (i = 1; i <= 70; i++) {
		char key[32], name[16];

		snprintf(key, sizeof(key), "orgs/%ld", i);
		snprintf(name, sizeof(name), "o%ld", i);
		org(val, sizeof(val), i, name);
		add(b, &s, key, val);
		if (i == 40) {
			org(val, sizeof(val), 5, "five again");
			add(b, &s, "orgs/5", val);
			org(val, sizeof(val), 6, "o6");
			add(b, &s, "orgs/6", val);
		}
	}
	memset(&rep, 0, sizeof(rep));
	CHECK_EQ(apply(r2, &s, b, &rep), 0, "a key twice: rows_apply succeeds");
	CHECK_EQ(rep.bad_rows, 0, "a key twice: nothing refused");
	CHECK_EQ(rep.changed, 71, "a key twice: 70 rows and one update changed");
	CHECK_EQ(count(r2->db, "SELECT count(*) FROM orgs"), 70, "a key twice: 70 orgs");
	CHECK_EQ(count(r2->db, "SELECT count(*) FROM orgs WHERE id = 5 AND name = 'five again'"),
		 1, "a key twice: the second value stands");
	CHECK(b->kv[40].canon && strstr(b->kv[40].canon, "five again") &&
	      b->kv[41].canon && b->kv[5].canon && !strcmp(b->kv[41].canon, b->kv[5].canon),
	      "a key twice: both accepted, each with its canonical value");
	batch_free(b);

	reg_close(r);
	reg_close(r2);
	snprintf(file, sizeof(file), "rm -rf %s", path);
	if (system(file))
		printf("# could not remove %s\n", path);
	free(b);
	return test_summary("test_rows_apply");
}
