// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Registry rows <-> etcd key-values; see rows.h. Values from etcd are
 * untrusted: every member is checked against the schema before SQLite sees
 * it, and SQLite's constraints and triggers judge the rest. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "registry/rows.h"

static const struct {
	const char *name;
	const char *pk[3];
	int npk;
	int rowid;      /* a text key: carry the hidden rowid too */
} stored[ROWS_NTABLES] = {
	{ "orgs", { "id" }, 1, 0 },
	{ "networks", { "id" }, 1, 0 },
	{ "apps", { "id" }, 1, 1 },
	{ "hosts", { "id" }, 1, 0 },
	{ "instances", { "host_id", "instance_id" }, 2, 0 },
	{ "machines", { "id" }, 1, 1 },
	{ "gateways", { "host_id", "instance_id" }, 2, 0 },
	{ "peer_slots", { "host_id", "instance_id", "slot" }, 3, 0 },
	{ "peers", { "id" }, 1, 0 },
	{ "regions", { "name" }, 1, 0 },
	{ "tokens", { "id" }, 1, 0 },
	{ "flycast_leases", { "network_id", "svc_id" }, 2, 0 },
	{ "flycast", { "network_id", "svc_id" }, 2, 0 },
	/* AUTOINCREMENT's high-water marks: without them a peer ID (peers are
	 * deleted) could come back after its row went */
	{ "sqlite_sequence", { "name" }, 1, 0 },
};

/* A DEFAULT as PRAGMA table_info shows it: a quoted string ('' for a
 * quote) or a number. Expressions (CURRENT_TIME, ...) are no default here:
 * a value must then carry the column. */
static void col_default(struct rows_col *c, const char *sql)
{
	size_t i, o = 0, n;
	char *end;

	c->has_dflt = 0;
	if (!sql)
		return;
	n = strlen(sql);
	if (c->type == 't' && n >= 2 && sql[0] == '\'' && sql[n - 1] == '\'') {
		for (i = 1; i + 1 < n && o + 1 < sizeof(c->dflt); i++) {
			c->dflt[o++] = sql[i];
			if (sql[i] == '\'' && sql[i + 1] == '\'')
				i++;
		}
		c->dflt[o] = '\0';
		c->has_dflt = i + 1 == n;
		return;
	}
	if (c->type == 'i' && n && n < sizeof(c->dflt)) {
		(void)strtoll(sql, &end, 10);
		if (!*end) {
			snprintf(c->dflt, sizeof(c->dflt), "%s", sql);
			c->has_dflt = 1;
		}
	}
}

int rows_schema_load(sqlite3 *db, struct rows_schema *s, char *err, size_t errlen)
{
	int i, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ROWS_NTABLES; i++) {
		struct rows_table *t = &s->t[i];
		sqlite3_stmt *st;
		char sql[128];
		int rc;

		t->name = stored[i].name;
		t->npk = stored[i].npk;
		for (j = 0; j < t->npk; j++) {
			t->pk[j] = stored[i].pk[j];
			t->pkcol[j] = -1;
		}
		snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", t->name);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
			return -1;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 1);
			const char *type = (const char *)sqlite3_column_text(st, 2);
			const char *dflt = (const char *)sqlite3_column_text(st, 4);
			struct rows_col *c;

			if (t->ncols == ROWS_MAX_COLS || !name ||
			    strlen(name) >= sizeof(c->name))
				break;
			c = &t->cols[t->ncols];
			snprintf(c->name, sizeof(c->name), "%s", name);
			if (type && !strcasecmp(type, "INTEGER"))
				c->type = 'i';
			else if (type && !strcasecmp(type, "REAL"))
				c->type = 'r';
			else if (type && !strcasecmp(type, "TEXT"))
				c->type = 't';
			else if (!strcmp(t->name, "sqlite_sequence"))
				c->type = strcmp(name, "seq") ? 't' : 'i';
			else
				break;
			col_default(c, dflt);
			for (j = 0; j < t->npk; j++)
				if (!strcmp(t->pk[j], name))
					t->pkcol[j] = t->ncols;
			t->ncols++;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE || !t->ncols) {
			snprintf(err, errlen, "registry table %s: unexpected schema",
				 t->name);
			return -1;
		}
		/* listings of these follow creation order (rowid): keep it */
		if (stored[i].rowid && t->ncols < ROWS_MAX_COLS) {
			snprintf(t->cols[t->ncols].name, sizeof(t->cols[0].name), "rowid");
			t->cols[t->ncols++].type = 'i';
		}
		for (j = 0; j < t->npk; j++)
			if (t->pkcol[j] < 0) {
				snprintf(err, errlen, "registry table %s has no column %s",
					 t->name, t->pk[j]);
				return -1;
			}
	}
	return 0;
}

const struct rows_table *rows_table_of(const struct rows_schema *s,
				       const char *key, const char **rest)
{
	const char *slash = strchr(key, '/');
	int i;

	if (!slash)
		return NULL;
	for (i = 0; i < ROWS_NTABLES; i++)
		if (strlen(s->t[i].name) == (size_t)(slash - key) &&
		    !strncmp(s->t[i].name, key, (size_t)(slash - key))) {
			*rest = slash + 1;
			return &s->t[i];
		}
	return NULL;
}

/* ---- values ------------------------------------------------------------- */

/* The parsed columns of a value: json objects owned by the parse. */
struct row {
	json_object *root;
	json_object *v[ROWS_MAX_COLS];   /* NULL: SQL NULL */
};

static int col_index(const struct rows_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return i;
	return -1;
}

/* Checks value against t's columns. 0, or -1 with why. */
static int parse_row(const struct rows_table *t, const char *value, struct row *r,
		     char *why, size_t whylen)
{
	enum json_tokener_error je;
	int k;

	memset(r, 0, sizeof(*r));
	if (strlen(value) > ROWS_VALUE_MAX) {
		snprintf(why, whylen, "value longer than %d bytes", ROWS_VALUE_MAX);
		return -1;
	}
	r->root = json_tokener_parse_verbose(value, &je);
	if (!r->root) {
		snprintf(why, whylen, "value is not JSON: %s", json_tokener_error_desc(je));
		return -1;
	}
	if (!json_object_is_type(r->root, json_type_object)) {
		snprintf(why, whylen, "value is not a JSON object");
		goto bad;
	}
	json_object_object_foreach(r->root, name, v) {
		int i = col_index(t, name);
		enum json_type jt = json_object_get_type(v);

		if (i < 0) {
			snprintf(why, whylen, "unknown column '%.40s'", name);
			goto bad;
		}
		if (jt == json_type_null)
			continue;
		if ((t->cols[i].type == 'i' && jt != json_type_int) ||
		    (t->cols[i].type == 't' && jt != json_type_string) ||
		    (t->cols[i].type == 'r' && jt != json_type_double &&
		     jt != json_type_int)) {
			snprintf(why, whylen, "column '%s' must be %s", name,
				 t->cols[i].type == 'i' ? "an integer" :
				 t->cols[i].type == 't' ? "a string" : "a number");
			goto bad;
		}
		if (t->cols[i].type == 't' &&
		    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
			snprintf(why, whylen, "column '%s' holds a NUL byte", name);
			goto bad;
		}
		r->v[i] = v;
	}
	for (k = 0; k < t->ncols; k++) {
		const struct rows_col *c = &t->cols[k];
		json_object *d;

		if (!c->has_dflt || json_object_object_get_ex(r->root, c->name, NULL))
			continue;
		d = c->type == 't' ? json_object_new_string(c->dflt) :
		    json_object_new_int64(strtoll(c->dflt, NULL, 10));
		if (!d || json_object_object_add(r->root, c->name, d)) {
			json_object_put(d);
			snprintf(why, whylen, "out of memory");
			goto bad;
		}
		r->v[k] = d;
	}
	return 0;
bad:
	json_object_put(r->root);
	r->root = NULL;
	return -1;
}

/* The canonical value: every column in schema order, one form per type. */
static char *canon_of(const struct rows_table *t, const struct row *r)
{
	json_object *o = json_object_new_object();
	char *s;
	int i;

	for (i = 0; i < t->ncols; i++) {
		json_object *v = r->v[i], *c = NULL;

		if (v && t->cols[i].type == 'i')
			c = json_object_new_int64(json_object_get_int64(v));
		else if (v && t->cols[i].type == 'r')
			c = json_object_new_double(json_object_get_double(v));
		else if (v)
			c = json_object_new_string(json_object_get_string(v));
		json_object_object_add(o, t->cols[i].name, c);
	}
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* The key (without prefix) a row's primary key makes; NULL when a part is
 * missing or would not round-trip (a '/' in a text part). */
static char *key_of_row(const struct rows_table *t, const struct row *r)
{
	char buf[512];
	size_t off;
	int j;

	off = (size_t)snprintf(buf, sizeof(buf), "%s", t->name);
	for (j = 0; j < t->npk; j++) {
		json_object *v = r->v[t->pkcol[j]];
		const char *s;

		if (!v)
			return NULL;
		if (t->cols[t->pkcol[j]].type == 'i') {
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "/%" PRId64,
						json_object_get_int64(v));
		} else {
			s = json_object_get_string(v);
			if (!*s || strchr(s, '/'))
				return NULL;
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "/%s", s);
		}
		if (off >= sizeof(buf))
			return NULL;
	}
	return strdup(buf);
}

/* A stored row (columns 0..ncols-1 of st) as canonical value and key. */
static int row_of_stmt(const struct rows_table *t, sqlite3_stmt *st, char **key,
		       char **value)
{
	json_object *o = json_object_new_object();
	char buf[512];
	size_t off;
	int i, j;

	for (i = 0; i < t->ncols; i++) {
		json_object *c = NULL;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			c = t->cols[i].type == 'r' ?
			    json_object_new_double((double)sqlite3_column_int64(st, i)) :
			    json_object_new_int64(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			c = json_object_new_double(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			c = json_object_new_string((const char *)sqlite3_column_text(st, i));
			break;
		default:
			break;
		}
		json_object_object_add(o, t->cols[i].name, c);
	}
	off = (size_t)snprintf(buf, sizeof(buf), "%s", t->name);
	for (j = 0; j < t->npk && off < sizeof(buf); j++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "/%s",
					(const char *)sqlite3_column_text(st, t->pkcol[j]));
	*key = strdup(buf);
	*value = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return *key && *value ? 0 : -1;
}

static void bind_col(sqlite3_stmt *st, int i, const struct rows_col *c, json_object *v)
{
	if (!v)
		sqlite3_bind_null(st, i);
	else if (c->type == 'i')
		sqlite3_bind_int64(st, i, json_object_get_int64(v));
	else if (c->type == 'r')
		sqlite3_bind_double(st, i, json_object_get_double(v));
	else
		sqlite3_bind_text(st, i, json_object_get_string(v), -1, SQLITE_TRANSIENT);
}

/* "c1, c2, ..." of t */
static void col_list(const struct rows_table *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < t->ncols && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"", i ? ", " : "",
					t->cols[i].name);
}

/* "pk1 = ?N AND pk2 = ?N+1" */
static void pk_where(const struct rows_table *t, int first, char *buf, size_t len)
{
	size_t off = 0;
	int j;

	buf[0] = '\0';
	for (j = 0; j < t->npk && off < len; j++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"%s\" = ?%d",
					j ? " AND " : "", t->pk[j], first + j);
}

static void report(struct rows_report *rep, const char *key, const char *why)
{
	rep->bad_rows++;
	if (rep->bad)
		rep->bad(rep->ctx, key, why);
}

/* SQLite's verdict on a statement: 0 done, 1 refused (reported), -1 error */
static int step_verdict(sqlite3 *db, sqlite3_stmt *st, struct rows_report *rep,
			const char *key, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	char why[256];

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG) {
		snprintf(why, sizeof(why), "refused by the registry's rules: %s",
			 sqlite3_errmsg(db));
		report(rep, key, why);
		return 1;
	}
	snprintf(err, errlen, "applying %s: %s", key, sqlite3_errmsg(db));
	return -1;
}

static int apply_put(sqlite3 *db, struct rows_kv *kv, struct rows_report *rep,
		     char *err, size_t errlen)
{
	const struct rows_table *t = kv->t;
	char why[256], cols[512], where[256], sql[2048], *key = NULL, *canon;
	sqlite3_stmt *st;
	struct row r;
	int i, j, n, rc;

	if (parse_row(t, kv->value, &r, why, sizeof(why))) {
		report(rep, kv->key, why);
		return 0;
	}
	key = key_of_row(t, &r);
	if (!key || strcmp(key, kv->key)) {
		snprintf(why, sizeof(why), "its primary key makes the key '%.200s'",
			 key ? key : "(none: a part is missing or has a '/')");
		report(rep, kv->key, why);
		goto out;
	}
	canon = canon_of(t, &r);
	if (!canon) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out_rc;
	}

	/* the row as stored now, to leave an unchanged row alone */
	col_list(t, cols, sizeof(cols));
	pk_where(t, 1, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" WHERE %s", cols, t->name, where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		free(canon);
		rc = -1;
		goto out_rc;
	}
	for (j = 0; j < t->npk; j++)
		bind_col(st, j + 1, &t->cols[t->pkcol[j]], r.v[t->pkcol[j]]);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char *k2, *cur;

		if (row_of_stmt(t, st, &k2, &cur)) {
			sqlite3_finalize(st);
			free(canon);
			snprintf(err, errlen, "out of memory");
			rc = -1;
			goto out_rc;
		}
		rc = strcmp(cur, canon) ? 1 : 0;   /* 1: update */
		free(k2);
		free(cur);
		sqlite3_finalize(st);
		if (!rc) {
			kv->canon = canon;
			goto out;
		}
		/* UPDATE t SET c = ?i (not the key) WHERE key */
		n = snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET ", t->name);
		for (i = 0, j = 0; i < t->ncols; i++) {
			int is_pk = 0, k;

			for (k = 0; k < t->npk; k++)
				is_pk |= t->pkcol[k] == i;
			if (is_pk)
				continue;
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s\"%s\" = ?%d",
				      j++ ? ", " : "", t->cols[i].name, i + 1);
		}
		pk_where(t, t->ncols + 1, where, sizeof(where));
		snprintf(sql + n, sizeof(sql) - (size_t)n, " WHERE %s", where);
	} else if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		n = snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" (%s) VALUES (", t->name, cols);
		for (i = 0; i < t->ncols; i++)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s?%d", i ? ", " : "", i + 1);
		snprintf(sql + n, sizeof(sql) - (size_t)n, ")");
	} else {
		snprintf(err, errlen, "reading %s: %s", kv->key, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		free(canon);
		rc = -1;
		goto out_rc;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		free(canon);
		rc = -1;
		goto out_rc;
	}
	for (i = 0; i < t->ncols; i++)
		bind_col(st, i + 1, &t->cols[i], r.v[i]);
	for (j = 0; j < t->npk; j++)
		if (sqlite3_bind_parameter_count(st) > t->ncols)
			bind_col(st, t->ncols + 1 + j, &t->cols[t->pkcol[j]],
				 r.v[t->pkcol[j]]);
	rc = step_verdict(db, st, rep, kv->key, err, errlen);
	sqlite3_finalize(st);
	if (rc == 0) {
		kv->canon = canon;
		rep->changed++;
	} else {
		free(canon);
	}
	if (rc > 0)
		rc = 0;
	goto out_rc;
out:
	rc = 0;
out_rc:
	free(key);
	json_object_put(r.root);
	return rc;
}

static int apply_del(sqlite3 *db, struct rows_kv *kv, struct rows_report *rep,
		     char *err, size_t errlen)
{
	const struct rows_table *t = kv->t;
	const char *p = kv->key + strlen(t->name) + 1;
	char where[256], sql[512], part[256];
	sqlite3_stmt *st;
	int j, rc;

	pk_where(t, 1, where, sizeof(where));
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE %s", t->name, where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	for (j = 0; j < t->npk; j++) {
		size_t n = strcspn(p, "/");
		char *end;

		if (!n || n >= sizeof(part) || (j + 1 < t->npk) != (p[n] == '/')) {
			report(rep, kv->key, "the key does not name a row");
			sqlite3_finalize(st);
			return 0;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (t->cols[t->pkcol[j]].type == 'i') {
			long long v;

			errno = 0;
			v = strtoll(part, &end, 10);
			if (*end || errno) {
				report(rep, kv->key, "the key does not name a row");
				sqlite3_finalize(st);
				return 0;
			}
			sqlite3_bind_int64(st, j + 1, v);
		} else {
			sqlite3_bind_text(st, j + 1, part, -1, SQLITE_TRANSIENT);
		}
		p += n + (p[n] == '/');
	}
	rc = step_verdict(db, st, rep, kv->key, err, errlen);
	if (rc == 0 && sqlite3_changes(db) > 0)
		rep->changed++;
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int table_index(const struct rows_schema *s, const struct rows_table *t)
{
	return (int)(t - s->t);
}

int rows_apply(sqlite3 *db, const struct rows_schema *s, struct rows_kv *kv,
	       size_t n, struct rows_report *rep, char *err, size_t errlen)
{
	size_t i;
	int ti;

	/* children first for deletes, so no foreign key ever dangles */
	for (ti = ROWS_NTABLES - 1; ti >= 0; ti--)
		for (i = 0; i < n; i++)
			if (!kv[i].value && table_index(s, kv[i].t) == ti &&
			    apply_del(db, &kv[i], rep, err, errlen))
				return -1;
	for (ti = 0; ti < ROWS_NTABLES; ti++)
		for (i = 0; i < n; i++)
			if (kv[i].value && table_index(s, kv[i].t) == ti &&
			    apply_put(db, &kv[i], rep, err, errlen))
				return -1;
	return 0;
}

int rows_foreach(sqlite3 *db, const struct rows_schema *s, rows_cb cb, void *ctx,
		 char *err, size_t errlen)
{
	int ti, rc = 0;

	for (ti = 0; ti < ROWS_NTABLES && !rc; ti++) {
		const struct rows_table *t = &s->t[ti];
		char cols[512], sql[1024];
		sqlite3_stmt *st;
		int step;

		col_list(t, cols, sizeof(cols));
		snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\"%s", cols, t->name,
			 strcmp(t->name, "sqlite_sequence") ? "" :
			 " WHERE name != 'changes'");
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
			return -1;
		}
		while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
			char *k, *v;

			if (row_of_stmt(t, st, &k, &v)) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
			} else {
				rc = cb(k, v, ctx);
			}
			free(k);
			free(v);
		}
		if (!rc && step != SQLITE_DONE) {
			snprintf(err, errlen, "reading %s: %s", t->name, sqlite3_errmsg(db));
			rc = -1;
		}
		sqlite3_finalize(st);
	}
	return rc;
}

/* ---- the rows a write touched ------------------------------------------- */

/* Temp triggers (on the connection, never in a file) note the key of every
 * stored row an insert, update or delete touches, with its primary key's
 * values as SQLite holds them, so that the diff of a write reads those rows
 * and nothing else. An insert into an AUTOINCREMENT table also touches its
 * sqlite_sequence row, which has no triggers of its own. */
static int dirty_triggers(sqlite3 *db, const struct rows_table *t, int autoinc,
			  char *err, size_t errlen)
{
	static const char *const when[] = { "INSERT", "UPDATE", "DELETE" };
	char sql[2048], keyn[256], keyo[256], valn[256], valo[256];
	size_t kn, ko, vn = 0, vo = 0;
	int i, j;

	kn = (size_t)snprintf(keyn, sizeof(keyn), "'%s'", t->name);
	ko = (size_t)snprintf(keyo, sizeof(keyo), "'%s'", t->name);
	for (j = 0; j < 3; j++) {
		if (j >= t->npk) {
			vn += (size_t)snprintf(valn + vn, sizeof(valn) - vn, ", NULL");
			vo += (size_t)snprintf(valo + vo, sizeof(valo) - vo, ", NULL");
			continue;
		}
		kn += (size_t)snprintf(keyn + kn, sizeof(keyn) - kn,
				       " || '/' || NEW.\"%s\"", t->pk[j]);
		ko += (size_t)snprintf(keyo + ko, sizeof(keyo) - ko,
				       " || '/' || OLD.\"%s\"", t->pk[j]);
		vn += (size_t)snprintf(valn + vn, sizeof(valn) - vn, ", NEW.\"%s\"", t->pk[j]);
		vo += (size_t)snprintf(valo + vo, sizeof(valo) - vo, ", OLD.\"%s\"", t->pk[j]);
	}
	for (i = 0; i < 3; i++) {
		int n = snprintf(sql, sizeof(sql),
				 "CREATE TEMP TRIGGER \"rows_dirty_%s_%s\" AFTER %s ON main.\"%s\" BEGIN",
				 t->name, when[i], when[i], t->name);

		if (i > 0)   /* update, delete: the old key */
			n += snprintf(sql + n, sizeof(sql) - (size_t)n,
				      " INSERT OR IGNORE INTO rows_dirty VALUES (%s, '%s'%s);",
				      keyo, t->name, valo);
		if (i < 2)   /* insert, update: the new key */
			n += snprintf(sql + n, sizeof(sql) - (size_t)n,
				      " INSERT OR IGNORE INTO rows_dirty VALUES (%s, '%s'%s);",
				      keyn, t->name, valn);
		if (i == 0 && autoinc)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n,
				      " INSERT OR IGNORE INTO rows_dirty VALUES"
				      " ('sqlite_sequence/%s', 'sqlite_sequence', '%s', NULL, NULL);",
				      t->name, t->name);
		snprintf(sql + n, sizeof(sql) - (size_t)n, " END");
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}

static int is_autoinc(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st;
	int yes = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_master WHERE type = 'table'"
			       " AND name = ?1 AND sql LIKE '%AUTOINCREMENT%'", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int rows_dirty_init(sqlite3 *db, const struct rows_schema *s, char *err, size_t errlen)
{
	int i;

	if (sqlite3_exec(db, "CREATE TEMP TABLE rows_dirty (key TEXT PRIMARY KEY,"
			 " tbl TEXT NOT NULL, k1, k2, k3)", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "rows_dirty: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (i = 0; i < ROWS_NTABLES; i++) {
		const struct rows_table *t = &s->t[i];

		if (!strcmp(t->name, "sqlite_sequence"))
			continue;
		if (dirty_triggers(db, t, is_autoinc(db, t->name), err, errlen))
			return -1;
	}
	return 0;
}

int rows_dirty_clear(sqlite3 *db)
{
	return sqlite3_exec(db, "DELETE FROM temp.rows_dirty", NULL, NULL, NULL) ==
	       SQLITE_OK ? 0 : -1;
}

/* The row of table t whose primary key is in columns 2.. of the dirty walk's
 * statement d: cb(its key, its canonical value), or cb(key, NULL) when the
 * write left no such row. */
static int dirty_row(sqlite3 *db, const struct rows_table *t, sqlite3_stmt **sel,
		     sqlite3_stmt *d, rows_cb cb, void *ctx, char *err, size_t errlen)
{
	const char *key = (const char *)sqlite3_column_text(d, 0);
	char cols[512], where[256], sql[1024], *k = NULL, *v = NULL;
	int j, step, rc;

	if (!*sel) {
		col_list(t, cols, sizeof(cols));
		pk_where(t, 1, where, sizeof(where));
		snprintf(sql, sizeof(sql), "SELECT %s FROM main.\"%s\" WHERE %s", cols,
			 t->name, where);
		if (sqlite3_prepare_v2(db, sql, -1, sel, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
			return -1;
		}
	}
	sqlite3_reset(*sel);
	for (j = 0; j < t->npk; j++)
		sqlite3_bind_value(*sel, j + 1, sqlite3_column_value(d, 2 + j));
	step = sqlite3_step(*sel);
	if (step == SQLITE_DONE)
		return cb(key, NULL, ctx);
	if (step != SQLITE_ROW) {
		snprintf(err, errlen, "reading %s: %s", key, sqlite3_errmsg(db));
		return -1;
	}
	if (row_of_stmt(t, *sel, &k, &v)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else {
		rc = cb(k, v, ctx);
	}
	free(k);
	free(v);
	return rc;
}

int rows_dirty_foreach(sqlite3 *db, const struct rows_schema *s, rows_cb cb,
		       void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *d, *sel[ROWS_NTABLES] = { 0 };
	int i, step, rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT key, tbl, k1, k2, k3 FROM temp.rows_dirty"
			       " ORDER BY key", -1, &d, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "rows_dirty: %s", sqlite3_errmsg(db));
		return -1;
	}
	while (!rc && (step = sqlite3_step(d)) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(d, 1);

		for (i = 0; i < ROWS_NTABLES; i++)
			if (!strcmp(s->t[i].name, tbl))
				break;
		if (i == ROWS_NTABLES) {
			snprintf(err, errlen, "rows_dirty: unknown table %s", tbl);
			rc = -1;
			break;
		}
		rc = dirty_row(db, &s->t[i], &sel[i], d, cb, ctx, err, errlen);
	}
	if (!rc && step != SQLITE_DONE) {
		snprintf(err, errlen, "rows_dirty: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	for (i = 0; i < ROWS_NTABLES; i++)
		sqlite3_finalize(sel[i]);
	sqlite3_finalize(d);
	return rc;
}
