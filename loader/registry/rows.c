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

/* The column named name, -1 if none; hint first: values list the columns
 * in schema order (canonical values do), so the one after the last found
 * is nearly always it. */
static int col_index(const struct rows_table *t, const char *name, int hint)
{
	int i;

	if (hint < t->ncols && !strcmp(t->cols[hint].name, name))
		return hint;
	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return i;
	return -1;
}

/* What one rows_apply call prepares once and reuses for every row: each
 * table's statements (compiling them was most of the cost of a load: a
 * registry of 8,000 rows compiled 16,000 statements), one JSON tokener, and
 * the default of each column as a JSON value. */
enum { ST_SEL, ST_INS, ST_INS_BATCH, ST_UPD, ST_DEL, ST_ANY, ST_N };

/* New rows go in ROWS_BATCH to an INSERT: SQLite's cost per statement run
 * (its statement journal, the change-log trigger's frame) was most of a
 * load's inserting. 32 rows of at most ROWS_MAX_COLS columns stay far
 * below SQLite's limit on bound values. */
#define ROWS_BATCH 32

/* A put that passed the checks and is new: its row and canonical value,
 * waiting for the rest of its batch. */
struct pending {
	struct rows_kv *kv;
	struct row r;
	char *canon;
};

struct apply_ctx {
	sqlite3 *db;
	const struct rows_schema *s;
	struct rows_report *rep;
	char *err;
	size_t errlen;
	sqlite3_stmt *st[ROWS_NTABLES][ST_N];
	json_tokener *tok;
	json_object *dflt[ROWS_NTABLES][ROWS_MAX_COLS];
	struct pending pend[ROWS_BATCH];   /* all of one table */
	size_t npend;
	/* the table had no row when its puts began: 1, else 0; -1 not known */
	signed char empty[ROWS_NTABLES];
};

/* The default of column k of table ti (NULL: out of memory), made once. */
static json_object *dflt_of(struct apply_ctx *a, int ti, int k)
{
	const struct rows_col *c = &a->s->t[ti].cols[k];

	if (!a->dflt[ti][k])
		a->dflt[ti][k] = c->type == 't' ? json_object_new_string(c->dflt) :
				 json_object_new_int64(strtoll(c->dflt, NULL, 10));
	return a->dflt[ti][k];
}

/* Checks value against t's columns. 0, or -1 with why. The defaults in r->v
 * belong to a, not to r->root. */
static int parse_row(struct apply_ctx *a, const struct rows_table *t, const char *value,
		     struct row *r, char *why, size_t whylen)
{
	enum json_tokener_error je;
	unsigned present = 0;
	int k, next = 0;

	memset(r, 0, sizeof(*r));
	if (strlen(value) > ROWS_VALUE_MAX) {
		snprintf(why, whylen, "value longer than %d bytes", ROWS_VALUE_MAX);
		return -1;
	}
	/* json_tokener_parse_verbose's steps, on the call's tokener */
	if (!a->tok && !(a->tok = json_tokener_new())) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	json_tokener_reset(a->tok);
	r->root = json_tokener_parse_ex(a->tok, value, -1);
	je = json_tokener_get_error(a->tok);
	if (je != json_tokener_success) {
		json_object_put(r->root);
		r->root = NULL;
	}
	if (!r->root) {
		snprintf(why, whylen, "value is not JSON: %s", json_tokener_error_desc(je));
		return -1;
	}
	if (!json_object_is_type(r->root, json_type_object)) {
		snprintf(why, whylen, "value is not a JSON object");
		goto bad;
	}
	json_object_object_foreach(r->root, name, v) {
		int i = col_index(t, name, next);
		enum json_type jt = json_object_get_type(v);

		if (i < 0) {
			snprintf(why, whylen, "unknown column '%.40s'", name);
			goto bad;
		}
		next = i + 1;
		present |= 1u << i;
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
		if (!t->cols[k].has_dflt || (present & (1u << k)))
			continue;
		r->v[k] = dflt_of(a, (int)(t - a->s->t), k);
		if (!r->v[k]) {
			snprintf(why, whylen, "out of memory");
			goto bad;
		}
	}
	return 0;
bad:
	json_object_put(r->root);
	r->root = NULL;
	return -1;
}

/* ---- canonical values ----------------------------------------------------- */

/* A canonical value being written: the bytes json-c writes for an object of
 * the columns (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
 * written directly, not through an object built per row (loading a
 * registry made and serialized one per row twice, and a commit once more). */
struct jbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A JSON string as json-c's json_escape_str writes it, '/' not escaped */
static void jb_str(struct jbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	jb_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 0, '0', '0', 0, 0 };
		size_t n = 2;

		switch (c) {
		case '\b': esc[1] = 'b'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\f': esc[1] = 'f'; break;
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		default:
			if (c >= ' ')
				continue;
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
			break;
		}
		jb_put(b, run, (size_t)(s - run));
		jb_put(b, esc, n);
		run = s + 1;
	}
	jb_put(b, run, (size_t)(s - run));
	jb_put(b, "\"", 1);
}

static void jb_i64(struct jbuf *b, int64_t v)
{
	char s[24];

	jb_put(b, s, (size_t)snprintf(s, sizeof(s), "%" PRId64, v));
}

/* json-c's own form of a double (NaN, Infinity, the ".0" it adds...) */
static void jb_double(struct jbuf *b, double v)
{
	json_object *d = json_object_new_double(v);
	const char *s = d ? json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN) : NULL;

	if (s)
		jb_put(b, s, strlen(s));
	else
		b->oom = 1;
	json_object_put(d);
}

/* Before column i's value */
static void jb_col(struct jbuf *b, const struct rows_table *t, int i)
{
	jb_put(b, i ? "," : "{", 1);
	jb_str(b, t->cols[i].name);
	jb_put(b, ":", 1);
}

/* The finished value (the caller frees it), NULL when out of memory */
static char *jb_end(struct jbuf *b, const struct rows_table *t)
{
	jb_put(b, t->ncols ? "}" : "{}", t->ncols ? 1 : 2);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

/* The canonical value: every column in schema order, one form per type. */
static char *canon_of(const struct rows_table *t, const struct row *r)
{
	struct jbuf b = { 0 };
	int i;

	for (i = 0; i < t->ncols; i++) {
		json_object *v = r->v[i];

		jb_col(&b, t, i);
		if (!v)
			jb_put(&b, "null", 4);
		else if (t->cols[i].type == 'i')
			jb_i64(&b, json_object_get_int64(v));
		else if (t->cols[i].type == 'r')
			jb_double(&b, json_object_get_double(v));
		else
			jb_str(&b, json_object_get_string(v));
	}
	return jb_end(&b, t);
}

/* The key (without prefix) a row's primary key makes, into buf; -1 when a
 * part is missing or would not round-trip (a '/' in a text part), buf then
 * "". */
static int key_of_row(const struct rows_table *t, const struct row *r, char *buf,
		      size_t len)
{
	size_t off;
	int j;

	off = (size_t)snprintf(buf, len, "%s", t->name);
	for (j = 0; j < t->npk; j++) {
		json_object *v = r->v[t->pkcol[j]];
		const char *s;

		if (!v)
			goto none;
		if (t->cols[t->pkcol[j]].type == 'i') {
			off += (size_t)snprintf(buf + off, len - off, "/%" PRId64,
						json_object_get_int64(v));
		} else {
			s = json_object_get_string(v);
			if (!*s || strchr(s, '/'))
				goto none;
			off += (size_t)snprintf(buf + off, len - off, "/%s", s);
		}
		if (off >= len)
			goto none;
	}
	return 0;
none:
	buf[0] = '\0';
	return -1;
}

/* A stored row (columns 0..ncols-1 of st) as canonical value and key: the
 * same forms as canon_of's. */
static int row_of_stmt(const struct rows_table *t, sqlite3_stmt *st, char **key,
		       char **value)
{
	struct jbuf b = { 0 };
	char buf[512];
	const char *text;
	size_t off;
	int i, j;

	for (i = 0; i < t->ncols; i++) {
		jb_col(&b, t, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			if (t->cols[i].type == 'r')
				jb_double(&b, (double)sqlite3_column_int64(st, i));
			else
				jb_i64(&b, sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			jb_double(&b, sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			text = (const char *)sqlite3_column_text(st, i);
			if (text)
				jb_str(&b, text);
			else
				b.oom = 1;
			break;
		default:
			jb_put(&b, "null", 4);
			break;
		}
	}
	*value = jb_end(&b, t);
	off = (size_t)snprintf(buf, sizeof(buf), "%s", t->name);
	for (j = 0; j < t->npk && off < sizeof(buf); j++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "/%s",
					(const char *)sqlite3_column_text(st, t->pkcol[j]));
	*key = strdup(buf);
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
		/* the row outlives the step and the reset that follows it */
		sqlite3_bind_text(st, i, json_object_get_string(v), -1, SQLITE_STATIC);
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

/* The SQL of one of t's statements: SELECT the row by its key, INSERT
 * every column, UPDATE every column but the key (the key's binds after the
 * columns), DELETE by the key. */
static void stmt_sql(const struct rows_table *t, int kind, char *sql, size_t len)
{
	char cols[512], where[256];
	int i, j, k, n;

	switch (kind) {
	case ST_SEL:
		col_list(t, cols, sizeof(cols));
		pk_where(t, 1, where, sizeof(where));
		snprintf(sql, len, "SELECT %s FROM \"%s\" WHERE %s", cols, t->name, where);
		break;
	case ST_INS:
		col_list(t, cols, sizeof(cols));
		n = snprintf(sql, len, "INSERT INTO \"%s\" (%s) VALUES (", t->name, cols);
		for (i = 0; i < t->ncols; i++)
			n += snprintf(sql + n, len - (size_t)n, "%s?%d", i ? ", " : "", i + 1);
		snprintf(sql + n, len - (size_t)n, ")");
		break;
	case ST_INS_BATCH:
		col_list(t, cols, sizeof(cols));
		n = snprintf(sql, len, "INSERT INTO \"%s\" (%s) VALUES ", t->name, cols);
		for (k = 0; k < ROWS_BATCH; k++)
			for (i = 0; i < t->ncols; i++)
				n += snprintf(sql + n, len - (size_t)n, "%s?%s",
					      i ? ", " : k ? "), (" : "(",
					      i + 1 == t->ncols && k + 1 == ROWS_BATCH ? ")" : "");
		break;
	case ST_UPD:
		n = snprintf(sql, len, "UPDATE \"%s\" SET ", t->name);
		for (i = 0, j = 0; i < t->ncols; i++) {
			int is_pk = 0, k;

			for (k = 0; k < t->npk; k++)
				is_pk |= t->pkcol[k] == i;
			if (is_pk)
				continue;
			n += snprintf(sql + n, len - (size_t)n, "%s\"%s\" = ?%d",
				      j++ ? ", " : "", t->cols[i].name, i + 1);
		}
		pk_where(t, t->ncols + 1, where, sizeof(where));
		snprintf(sql + n, len - (size_t)n, " WHERE %s", where);
		break;
	case ST_DEL:
		pk_where(t, 1, where, sizeof(where));
		snprintf(sql, len, "DELETE FROM \"%s\" WHERE %s", t->name, where);
		break;
	default:
		snprintf(sql, len, "SELECT 1 FROM \"%s\" LIMIT 1", t->name);
		break;
	}
}

/* t's statement of a kind, prepared on first use; NULL with err set. The
 * caller resets it after each step. */
static sqlite3_stmt *stmt_of(struct apply_ctx *a, const struct rows_table *t, int kind)
{
	sqlite3_stmt **st = &a->st[t - a->s->t][kind];
	char sql[8192];   /* a batch INSERT of the widest table: 3 KB */

	if (*st)
		return *st;
	stmt_sql(t, kind, sql, sizeof(sql));
	if (sqlite3_prepare_v3(a->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK) {
		snprintf(a->err, a->errlen, "%s: %s", sql, sqlite3_errmsg(a->db));
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return *st;
}

static void pending_free(struct pending *p)
{
	free(p->canon);
	p->canon = NULL;
	json_object_put(p->r.root);
	p->r.root = NULL;
}

static void apply_ctx_free(struct apply_ctx *a)
{
	int i, k;

	for (i = 0; (size_t)i < a->npend; i++)
		pending_free(&a->pend[i]);
	a->npend = 0;
	for (i = 0; i < ROWS_NTABLES; i++) {
		for (k = 0; k < ST_N; k++)
			sqlite3_finalize(a->st[i][k]);
		for (k = 0; k < ROWS_MAX_COLS; k++)
			json_object_put(a->dflt[i][k]);
	}
	if (a->tok)
		json_tokener_free(a->tok);
}

/* SQLite's verdict on a statement: 0 done, 1 refused (reported), -1 error */
static int step_verdict(struct apply_ctx *a, sqlite3_stmt *st, const char *key)
{
	int rc = sqlite3_step(st);
	char why[256];

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG) {
		snprintf(why, sizeof(why), "refused by the registry's rules: %s",
			 sqlite3_errmsg(a->db));
		report(a->rep, key, why);
		return 1;
	}
	snprintf(a->err, a->errlen, "applying %s: %s", key, sqlite3_errmsg(a->db));
	return -1;
}

static int same_double(double x, double y)
{
	return !memcmp(&x, &y, sizeof(x));
}

/* Whether the stored row (the columns of st) is r: what comparing
 * row_of_stmt's value with canon_of's would say, without making either
 * (one JSON form per type, so the forms are equal when the values and
 * their kinds are). */
static int stored_is(const struct rows_table *t, sqlite3_stmt *st, const struct row *r)
{
	int i;

	for (i = 0; i < t->ncols; i++) {
		json_object *v = r->v[i];
		char type = t->cols[i].type;
		const char *text;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			if (!v || type == 't')
				return 0;
			if (type == 'r' ?
			    !same_double((double)sqlite3_column_int64(st, i),
					 json_object_get_double(v)) :
			    sqlite3_column_int64(st, i) != json_object_get_int64(v))
				return 0;
			break;
		case SQLITE_FLOAT:
			if (!v || type != 'r' ||
			    !same_double(sqlite3_column_double(st, i), json_object_get_double(v)))
				return 0;
			break;
		case SQLITE_TEXT:
			text = (const char *)sqlite3_column_text(st, i);
			if (!v || type != 't' || !text || strcmp(text, json_object_get_string(v)))
				return 0;
			break;
		default:   /* NULL, or a blob: null to row_of_stmt */
			if (v)
				return 0;
			break;
		}
	}
	return 1;
}

/* A put's value checked (JSON, columns, types, its key): 0 with p's row and
 * canonical value, 1 refused (why), -1 error. */
static int check_put(struct apply_ctx *a, struct rows_kv *kv, struct pending *p,
		     char *why, size_t whylen)
{
	const struct rows_table *t = kv->t;
	char key[512];

	p->kv = kv;
	if (parse_row(a, t, kv->value, &p->r, why, whylen))
		return 1;
	if (key_of_row(t, &p->r, key, sizeof(key)) || strcmp(key, kv->key)) {
		snprintf(why, whylen, "its primary key makes the key '%.200s'",
			 key[0] ? key : "(none: a part is missing or has a '/')");
		return 1;
	}
	p->canon = canon_of(t, &p->r);
	if (!p->canon) {
		snprintf(a->err, a->errlen, "out of memory");
		return -1;
	}
	return 0;
}

enum { ROW_ABSENT, ROW_SAME, ROW_DIFFERS };

/* The row as stored now, to leave an unchanged row alone: ROW_*, or -1 */
static int stored_state(struct apply_ctx *a, const struct pending *p)
{
	const struct rows_table *t = p->kv->t;
	sqlite3_stmt *st = stmt_of(a, t, ST_SEL);
	int j, rc;

	if (!st)
		return -1;
	for (j = 0; j < t->npk; j++)
		bind_col(st, j + 1, &t->cols[t->pkcol[j]], p->r.v[t->pkcol[j]]);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = stored_is(t, st, &p->r) ? ROW_SAME : ROW_DIFFERS;
	else if (rc == SQLITE_DONE)
		rc = ROW_ABSENT;
	else {
		snprintf(a->err, a->errlen, "reading %s: %s", p->kv->key,
			 sqlite3_errmsg(a->db));
		rc = -1;
	}
	sqlite3_reset(st);
	return rc;
}

/* The row accepted: its canonical value goes to the caller */
static void accepted(struct apply_ctx *a, struct pending *p, int changed)
{
	p->kv->canon = p->canon;
	p->canon = NULL;
	a->rep->changed += changed != 0;
}

/* INSERT (ST_INS) or UPDATE (ST_UPD) of one row: 0 (written or refused and
 * reported), -1 error. */
static int write_row(struct apply_ctx *a, struct pending *p, int kind)
{
	const struct rows_table *t = p->kv->t;
	sqlite3_stmt *st = stmt_of(a, t, kind);
	int i, j, rc;

	if (!st)
		return -1;
	for (i = 0; i < t->ncols; i++)
		bind_col(st, i + 1, &t->cols[i], p->r.v[i]);
	if (kind == ST_UPD)
		for (j = 0; j < t->npk; j++)
			bind_col(st, t->ncols + 1 + j, &t->cols[t->pkcol[j]],
				 p->r.v[t->pkcol[j]]);
	rc = step_verdict(a, st, p->kv->key);
	sqlite3_reset(st);
	if (rc == 0)
		accepted(a, p, 1);
	return rc < 0 ? -1 : 0;
}

/* One checked put, on its own: what rows_apply did for every row before
 * it batched new ones. */
static int put_one(struct apply_ctx *a, struct pending *p)
{
	int state = stored_state(a, p);

	if (state < 0)
		return -1;
	if (state == ROW_SAME) {
		accepted(a, p, 0);
		return 0;
	}
	return write_row(a, p, state == ROW_ABSENT ? ST_INS : ST_UPD);
}

/* Writes the pending new rows. A full batch goes in one INSERT; when SQLite
 * refuses it (one row breaks a rule: the statement undoes itself, rows
 * before it included), or for the last few of a table, each row goes on its
 * own as before, so a refused row is reported with its key and the others
 * are written, all as if there had been no batch. */
static int flush(struct apply_ctx *a)
{
	size_t i, k;
	int rc = 0;

	if (!a->npend)
		return 0;
	if (a->npend == ROWS_BATCH) {
		const struct rows_table *t = a->pend[0].kv->t;
		sqlite3_stmt *st = stmt_of(a, t, ST_INS_BATCH);

		if (!st)
			rc = -1;
		for (k = 0; !rc && k < a->npend; k++)
			for (i = 0; i < (size_t)t->ncols; i++)
				bind_col(st, (int)(k * (size_t)t->ncols + i + 1),
					 &t->cols[i], a->pend[k].r.v[i]);
		if (!rc) {
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc == SQLITE_DONE) {
				for (k = 0; k < a->npend; k++)
					accepted(a, &a->pend[k], 1);
				rc = 0;
			} else if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH ||
				   rc == SQLITE_TOOBIG) {
				rc = 1;   /* row by row */
			} else {
				snprintf(a->err, a->errlen, "applying %s: %s",
					 a->pend[0].kv->key, sqlite3_errmsg(a->db));
				rc = -1;
			}
		}
	} else {
		rc = 1;
	}
	for (k = 0; rc == 1 && k < a->npend; k++)
		if (put_one(a, &a->pend[k]))
			rc = -1;
	for (k = 0; k < a->npend; k++)
		pending_free(&a->pend[k]);
	a->npend = 0;
	return rc < 0 ? -1 : 0;
}

/* Whether t had no row when its puts began (1, 0; -1 error). */
static int table_empty(struct apply_ctx *a, const struct rows_table *t)
{
	signed char *e = &a->empty[t - a->s->t];
	sqlite3_stmt *st;
	int rc;

	if (*e >= 0)
		return *e;
	st = stmt_of(a, t, ST_ANY);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		*e = rc == SQLITE_DONE;
	else
		snprintf(a->err, a->errlen, "reading %s: %s", t->name, sqlite3_errmsg(a->db));
	sqlite3_reset(st);
	return *e;
}

/* A put: refused (reported), unchanged, an update, or a new row for the
 * batch. Whatever is reported or written on its own waits for the rows
 * before it, so reports and writes keep the caller's order. Into a table
 * that was empty (a fresh copy, a new mirror) every row is taken as new
 * without reading it: one that is there after all (its key twice) makes
 * its batch fail on the primary key, and row by row it is read. */
static int apply_put(struct apply_ctx *a, struct rows_kv *kv)
{
	struct pending p = { 0 };
	char why[256];
	int rc = check_put(a, kv, &p, why, sizeof(why)), empty, state;

	if (rc) {
		pending_free(&p);
		if (rc < 0 || flush(a))
			return -1;
		report(a->rep, kv->key, why);
		return 0;
	}
	empty = table_empty(a, kv->t);
	state = empty < 0 ? -1 : empty ? ROW_ABSENT : stored_state(a, &p);
	if (state == ROW_ABSENT) {
		a->pend[a->npend++] = p;
		return a->npend == ROWS_BATCH ? flush(a) : 0;
	}
	if (state == ROW_SAME)
		accepted(a, &p, 0);
	else if (state == ROW_DIFFERS)
		rc = flush(a) || write_row(a, &p, ST_UPD) ? -1 : 0;
	else
		rc = -1;
	pending_free(&p);
	return rc;
}

static int apply_del(struct apply_ctx *a, struct rows_kv *kv)
{
	const struct rows_table *t = kv->t;
	const char *p = kv->key + strlen(t->name) + 1;
	char part[256];
	sqlite3_stmt *st = stmt_of(a, t, ST_DEL);
	int j, rc;

	if (!st)
		return -1;
	for (j = 0; j < t->npk; j++) {
		size_t n = strcspn(p, "/");
		char *end;

		if (!n || n >= sizeof(part) || (j + 1 < t->npk) != (p[n] == '/')) {
			report(a->rep, kv->key, "the key does not name a row");
			return 0;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (t->cols[t->pkcol[j]].type == 'i') {
			long long v;

			errno = 0;
			v = strtoll(part, &end, 10);
			if (*end || errno) {
				report(a->rep, kv->key, "the key does not name a row");
				return 0;
			}
			sqlite3_bind_int64(st, j + 1, v);
		} else {
			sqlite3_bind_text(st, j + 1, part, -1, SQLITE_TRANSIENT);
		}
		p += n + (p[n] == '/');
	}
	rc = step_verdict(a, st, kv->key);
	if (rc == 0 && sqlite3_changes(a->db) > 0)
		a->rep->changed++;
	sqlite3_reset(st);
	return rc < 0 ? -1 : 0;
}

/* Which of s's tables t is, -1 for none (a key-value without a table is
 * left alone, as it always was) */
static int table_index(const struct rows_schema *s, const struct rows_table *t)
{
	size_t i;

	for (i = 0; i < ROWS_NTABLES; i++)
		if (t == &s->t[i])
			return (int)i;
	return -1;
}

int rows_apply(sqlite3 *db, const struct rows_schema *s, struct rows_kv *kv,
	       size_t n, struct rows_report *rep, char *err, size_t errlen)
{
	struct apply_ctx a = { .db = db, .s = s, .rep = rep, .err = err, .errlen = errlen };
	size_t first[ROWS_NTABLES + 1] = { 0 }, fill[ROWS_NTABLES], i, *order;
	int ti, rc = 0;

	/* the key-values grouped by table, each group in the caller's order */
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(a.empty, -1, sizeof(a.empty));
	for (i = 0; i < n; i++)
		if ((ti = table_index(s, kv[i].t)) >= 0)
			first[ti + 1]++;
	for (ti = 0; ti < ROWS_NTABLES; ti++) {
		first[ti + 1] += first[ti];
		fill[ti] = first[ti];
	}
	for (i = 0; i < n; i++)
		if ((ti = table_index(s, kv[i].t)) >= 0)
			order[fill[ti]++] = i;

	/* children first for deletes, so no foreign key ever dangles */
	for (ti = ROWS_NTABLES - 1; ti >= 0 && !rc; ti--)
		for (i = first[ti]; i < first[ti + 1] && !rc; i++)
			if (!kv[order[i]].value)
				rc = apply_del(&a, &kv[order[i]]);
	for (ti = 0; ti < ROWS_NTABLES && !rc; ti++) {
		for (i = first[ti]; i < first[ti + 1] && !rc; i++)
			if (kv[order[i]].value)
				rc = apply_put(&a, &kv[order[i]]);
		if (!rc)
			rc = flush(&a);
	}
	free(order);
	apply_ctx_free(&a);
	return rc ? -1 : 0;
}

/* The row st is on: cb(its key, its canonical value). */
static int row_to_cb(const struct rows_table *t, sqlite3_stmt *st, rows_cb cb,
		     void *ctx, char *err, size_t errlen)
{
	char *k, *v;
	int rc;

	if (row_of_stmt(t, st, &k, &v)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else {
		rc = cb(k, v, ctx);
	}
	free(k);
	free(v);
	return rc;
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
		while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
			rc = row_to_cb(t, st, cb, ctx, err, errlen);
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
	char cols[512], where[256], sql[1024];
	int j, step;

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
	return row_to_cb(t, *sel, cb, ctx, err, errlen);
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
