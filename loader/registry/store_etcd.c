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
 * copy caught up with what the writes since touched (their keys are
 * logged in <prefix>rev, rev_key.c; read again as of the winner's
 * revision), or read whole when the log does not cover them. The copy
 * starts from the whole prefix, or from a host's mirror that etcd confirms
 * is the registry at its revision (mirror_load). An answer that never came (a leader lost mid-request) is
 * settled before anything else is tried, so that no write applies twice:
 * a fence, the same compare with a no-op put; if it holds, the lost write
 * can never apply; if not, the lost write applied exactly when it is the
 * first change of <prefix>rev after the copy's revision (its compare let
 * nothing in between), which <prefix>rev's recent nonces or its history
 * (reads at past revisions) say. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sodium.h>

#include "etcd/etcd.h"
#include "lib/log.h"
#include "lib/strmap.h"
#include "registry/registry_int.h"
#include "registry/rev_key.h"
#include "registry/rows.h"

#define DEFAULT_TRIES 400
#define RESOLVE_SECS  30         /* to settle an unanswered commit */
#define IMPORT_OPS    100        /* etcd's default --max-txn-ops is 128 */
#define IMPORT_BYTES  (512 * 1024)

struct kvv {
	char *key, *value;       /* key without the prefix; value NULL: delete */
};

struct vec {
	struct kvv *v;
	size_t n, cap;
};

struct reg_store {
	struct etcd *e;
	char prefix[256];
	size_t plen;
	struct rows_schema schema;
	int have_schema;
	size_t nrows;            /* rows the last full read loaded */
	int64_t rev_mod;         /* mod_revision of <prefix>rev in the copy */
	int64_t read_rev;        /* the revision the copy is of */
	/* a write lost the race to the write that put <prefix>rev = pending
	 * at pending_mod: the next one catches up to it first */
	char *pending;
	int64_t pending_mod;
	char *rev_value;
	int schema_key_ok;       /* <prefix>schema holds our version */
	int stale;
	int transient;           /* the last load failed for want of etcd */
	int max_tries;
	struct strmap alive;     /* host ID (decimal) -> 1: hosts_alive/ keys */
	struct timespec first_try;
	char last_err[512];
};

/* ---- helpers -------------------------------------------------------------- */

static int vec_add(struct vec *v, const char *key, const char *value)
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
	if (!v->v[v->n].key || (value && !v->v[v->n].value))
		return -1;
	v->n++;
	return 0;
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

static void pending_drop(struct reg_store *s);

/* ---- loading the copy ------------------------------------------------------ */

struct load_ctx {
	struct reg *r;
	struct vec kv;
	int oom, schema_newer;
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
		return 0;
	}
	if (!strcmp(rest, "rev")) {
		s->rev_mod = kv->mod_revision;
		free(s->rev_value);
		s->rev_value = strdup(kv->value);
		return 0;
	}
	if (!strcmp(rest, "schema")) {
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
		return 0;
	}
	if (!strncmp(rest, "hosts_alive/", 12)) {
		int err = 0;

		/* leases, not rows: only who is connected */
		strmap_put(&s->alive, rest + 12, (void *)1, &err);
		if (err) {
			l->oom = 1;
			return 1;
		}
		return 0;
	}
	if (vec_add(&l->kv, rest, kv->value)) {
		l->oom = 1;
		return 1;
	}
	return 0;
}

/* rk[0..m-1] into the copy in one transaction (rows_apply: a bad row is
 * reported with its key and skipped). */
static int copy_apply(struct reg *r, struct rows_kv *rk, size_t m, const char *what)
{
	struct reg_store *s = r->store;
	struct rows_report rep = { .bad = bad_row, .ctx = s };
	char err[512];
	int rc = reg_exec(r, "BEGIN");

	if (!rc && rows_apply(r->db, &s->schema, rk, m, &rep, err, sizeof(err)))
		rc = reg_fail(r, REG_ERR, "%s: %s", what, err);
	if (!rc)
		rc = reg_exec(r, "COMMIT");
	else
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Reads the whole prefix at one revision into a fresh in-memory copy. */
static int store_load(struct reg *r)
{
	struct reg_store *s = r->store;
	struct load_ctx l = { .r = r };
	struct rows_kv *rk = NULL;
	char end[sizeof(s->prefix)], err[512];
	size_t i, m = 0;
	int erc, rc;
	int64_t rev;

	if (r->db)
		sqlite3_close_v2(r->db);
	r->db = NULL;
	strmap_free(&s->alive);
	free(s->rev_value);
	s->rev_value = NULL;
	s->rev_mod = 0;
	pending_drop(s);
	s->schema_key_ok = 0;
	s->transient = 0;
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return reg_fail(r, REG_ERR, "out of memory");
	{
		unsigned flags = r->flags;   /* a read-only copy is still built */

		r->flags = 0;
		rc = reg_exec(r, "PRAGMA foreign_keys = ON") || reg_migrate(r);
		r->flags = flags;
		if (rc)
			return REG_ERR;
	}
	if (!s->have_schema) {
		if (rows_schema_load(r->db, &s->schema, err, sizeof(err)))
			return reg_fail(r, REG_ERR, "%s", err);
		s->have_schema = 1;
	}

	erc = etcd_range(s->e, s->prefix, s->plen, end,
			 etcd_prefix_end(s->prefix, s->plen, end), 0, on_load_kv, &l, &rev);
	s->read_rev = erc ? 0 : rev;
	if (l.oom)
		erc = -1;
	if (erc) {
		vec_free(&l.kv);
		s->transient = erc == ETCD_ECONN || erc == ETCD_EUNKNOWN;
		if (erc < 0)
			return reg_fail(r, REG_ERR, "out of memory");
		return etcd_fail(r, erc, "reading the registry from etcd");
	}
	if (l.schema_newer) {
		vec_free(&l.kv);
		return reg_fail(r, REG_ESCHEMA, "the registry in etcd (%sschema) has "
				"schema version %lld, newer than this build understands "
				"(%d): upgrade sixpn", s->prefix, (long long)l.schema_v,
				REG_SCHEMA_VERSION);
	}
	if (!revkey_valid(s->rev_value))
		log_warn("msg=\"registry revision key malformed\" key=%srev", s->prefix);
	if (revkey_importing(s->rev_value)) {
		vec_free(&l.kv);
		return reg_fail(r, REG_ERR, "the registry in etcd under %s is being "
				"imported (or an import stopped half-way: remove it "
				"with etcdctl del --prefix %s and import again)",
				s->prefix, s->prefix);
	}

	rk = calloc(l.kv.n ? l.kv.n : 1, sizeof(*rk));
	if (!rk) {
		vec_free(&l.kv);
		return reg_fail(r, REG_ERR, "out of memory");
	}
	for (i = 0; i < l.kv.n; i++) {
		const char *rest;
		const struct rows_table *t = rows_table_of(&s->schema, l.kv.v[i].key, &rest);

		if (!t) {
			bad_row(s, l.kv.v[i].key, "not a registry table");
			continue;
		}
		rk[m].key = l.kv.v[i].key;
		rk[m].value = l.kv.v[i].value;
		rk[m].t = t;
		m++;
	}
	rc = copy_apply(r, rk, m, "loading the registry");
	/* after the load, so that only what a write touches is noted */
	if (!rc && rows_dirty_init(r->db, &s->schema, err, sizeof(err)))
		rc = reg_fail(r, REG_ERR, "%s", err);
	for (i = 0; i < m; i++)
		free(rk[i].canon);
	free(rk);
	vec_free(&l.kv);
	s->nrows = m;
	if (!rc)
		s->stale = 0;
	return rc;
}

/* ---- committing a write -------------------------------------------------- */

struct diff_ctx {
	struct reg_store *s;
	struct vec puts;
	int oom;
};

/* A row the write touched: its new value, or NULL when it is gone. */
static int on_row(const char *key, const char *value, void *ctx)
{
	struct diff_ctx *d = ctx;

	if (vec_add(&d->puts, key, value)) {
		d->oom = 1;
		return 1;
	}
	return 0;
}

static int on_rev(const struct etcd_kv *kv, void *ctx)
{
	char **v = ctx;

	free(*v);
	*v = strndup(kv->value, kv->value_len);
	return 0;
}

static void ms_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct rev_at {
	int found;
	int64_t mod;
	char *value;
};

static int on_rev_at(const struct etcd_kv *kv, void *ctx)
{
	struct rev_at *a = ctx;

	a->found = 1;
	a->mod = kv->mod_revision;
	free(a->value);
	a->value = strndup(kv->value, kv->value_len);
	return 0;
}

/* <prefix>rev as of revision at. */
static int rev_read_at(struct reg_store *s, int64_t at, struct rev_at *a)
{
	char key[512];

	full_key(s, "rev", key, sizeof(key));
	a->found = 0;
	return etcd_range(s->e, key, strlen(key), NULL, 0, at, on_rev_at, a, NULL);
}

/* Has <prefix>rev changed between the copy's revision and at? */
static int rev_changed_at(struct reg_store *s, int64_t at, int *changed,
			  struct rev_at *a)
{
	int erc = rev_read_at(s, at, a);

	if (!erc)
		*changed = s->rev_mod ? !a->found || a->mod != s->rev_mod : a->found;
	return erc;
}

/* The first change of <prefix>rev after the copy's revision, at or before
 * revision upto (when it is known to have changed): *val its value (NULL:
 * deleted). Every change raises mod_revision, so "changed at revision m"
 * is false and then true: halving finds it, in log2(upto - read_rev)
 * reads at past revisions. A compacted revision fails the read. */
static int rev_first_change(struct reg_store *s, int64_t upto, char **val)
{
	struct rev_at a = { 0 };
	int64_t lo = s->read_rev + 1, hi = upto;
	int erc = ETCD_OK, changed = 0;

	*val = NULL;
	while (lo < hi && !erc) {
		int64_t mid = lo + (hi - lo) / 2;

		erc = rev_changed_at(s, mid, &changed, &a);
		if (!erc && changed)
			hi = mid;
		else if (!erc)
			lo = mid + 1;
	}
	if (!erc)
		erc = rev_read_at(s, hi, &a);
	if (!erc && a.found)
		*val = a.value, a.value = NULL;
	free(a.value);
	return erc;
}

static void lost_answer_log(const char *outcome, const char *how, const char *err)
{
	log_info("msg=\"etcd lost the answer to a write\" outcome=%s settled_by=%s "
		 "err=\"%s\"", outcome, how, err);
}

/* An unanswered commit (its nonce): did it apply? REG_OK yes, REG_ECONFLICT
 * no (and never will), REG_ERR unknown: etcd did not answer within
 * RESOLVE_SECS, or refused to, or compacted the history that tells. */
static int resolve(struct reg *r, const char *nonce)
{
	struct reg_store *s = r->store;
	char key[512], lost[sizeof(s->last_err)];
	time_t until = time(NULL) + RESOLVE_SECS;
	long wait = 100;

	snprintf(lost, sizeof(lost), "%s", etcd_errmsg(s->e));
	full_key(s, "rev", key, sizeof(key));
	s->stale = 1;
	while (time(NULL) < until) {
		struct etcd_txn *t = etcd_txn_new();
		char *seen = NULL, *first = NULL, *same = s->rev_value ?
			     strdup(s->rev_value) : revkey_next(NULL, NULL, 0, NULL, 0);
		int ok = 0, erc, applied;
		int64_t rev = 0;

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
		if (erc == ETCD_OK && ok) {
			free(seen);
			lost_answer_log("not-applied", "fence", lost);
			return REG_ECONFLICT;
		}
		if (erc == ETCD_OK && seen && revkey_has_nonce(seen, nonce)) {
			free(seen);
			lost_answer_log("applied", "recent", lost);
			return REG_OK;
		}
		free(seen);
		if (erc == ETCD_OK) {
			/* changed since, and not lately by this write: was it
			 * the first change, further back than the nonces go? */
			erc = rev_first_change(s, rev, &first);
			if (erc == ETCD_OK) {
				applied = first && revkey_has_nonce(first, nonce);
				free(first);
				lost_answer_log(applied ? "applied" : "not-applied",
						"history", lost);
				return applied ? REG_OK : REG_ECONFLICT;
			}
			if (erc == ETCD_EREFUSED && strstr(etcd_errmsg(s->e), "compacted"))
				return reg_fail(r, REG_ERR, "etcd lost the answer to this "
						"write and compacted the history that says "
						"whether it applied: check before retrying (%s)",
						lost);
		}
		if (erc == ETCD_EREFUSED || erc == ETCD_EAUTH) {
			char why[sizeof(s->last_err)];

			snprintf(why, sizeof(why), "%s", etcd_errmsg(s->e));
			reg_fail(r, erc == ETCD_EAUTH ? REG_EPERM : REG_ERR, "etcd lost "
				 "the answer to this write (%s), then refused to say "
				 "whether it applied: check before retrying (%s)", lost, why);
			return erc == ETCD_EAUTH ? REG_EPERM : REG_ERR;
		}
		snprintf(s->last_err, sizeof(s->last_err), "%s", etcd_errmsg(s->e));
		ms_sleep(wait);
		wait = wait * 2 > 1000 ? 1000 : wait * 2;
	}
	return reg_fail(r, REG_ERR, "etcd did not confirm the write within %d s, so "
			"it may or may not have been applied: check before retrying "
			"(lost: %s; last error: %s)", RESOLVE_SECS, lost, s->last_err);
}

/* ---- catching up ------------------------------------------------------- */

/* What the writes since the copy touched (logged in <prefix>rev): each
 * key's value as of the revision caught up to, or gone. */
struct since {
	struct reg_store *s;
	struct strmap rows;      /* key (without the prefix) -> value, or gone */
	char **keys;             /* the same keys, with the prefix, to read */
	size_t nkeys;
	int oom;
};

static char gone[1];

static void since_free(struct since *c)
{
	const char *k;
	void *v;
	size_t i;

	for (i = 0; strmap_next(&c->rows, &i, &k, &v);)
		if (v != gone)
			free(v);
	strmap_free(&c->rows);
	for (i = 0; i < c->nkeys; i++)
		free(c->keys[i]);
	free(c->keys);
}

static int on_touched(const char *key, void *ctx)
{
	struct since *c = ctx;
	struct reg_store *s = c->s;
	char **p;
	int err = 0;

	if (strmap_get(&c->rows, key))
		return 0;
	strmap_put(&c->rows, key, gone, &err);
	p = realloc(c->keys, (c->nkeys + 1) * sizeof(*p));
	if (err || !p) {
		c->oom = 1;
		return -1;
	}
	c->keys = p;
	c->keys[c->nkeys] = malloc(s->plen + strlen(key) + 1);
	if (!c->keys[c->nkeys]) {
		c->oom = 1;
		return -1;
	}
	memcpy(c->keys[c->nkeys], s->prefix, s->plen);
	strcpy(c->keys[c->nkeys] + s->plen, key);
	c->nkeys++;
	return 0;
}

static int on_touched_kv(const struct etcd_kv *kv, void *ctx)
{
	struct since *c = ctx;
	const char *rest;
	char *v;
	int err = 0;

	if (kv->key_len < c->s->plen || memcmp(kv->key, c->s->prefix, c->s->plen) ||
	    strlen(kv->key) != kv->key_len || strlen(kv->value) != kv->value_len)
		return 0;   /* not asked, or not a row: stays gone */
	rest = kv->key + c->s->plen;
	if (!strmap_get(&c->rows, rest))
		return 0;
	v = strdup(kv->value);
	if (!v) {
		c->oom = 1;
		return 1;
	}
	v = strmap_put(&c->rows, rest, v, &err);
	if (v && v != gone)
		free(v);
	c->oom |= err;
	return c->oom;
}

/* Brings the copy to <prefix>rev = cur (its modification revision mod):
 * the keys the writes since touched, read as of mod. REG_OK, or non-zero
 * when everything must be read again (the log does not cover them, an
 * import, etcd not answering). */
static int catch_up_to(struct reg *r, const char *cur, int64_t mod)
{
	struct reg_store *s = r->store;
	struct since c = { .s = s };
	struct rows_kv *rk = NULL;
	const char *k;
	void *v;
	size_t i, m = 0;
	int rc = REG_ERR;

	if (mod == s->rev_mod && s->rev_value && cur && !strcmp(cur, s->rev_value))
		return REG_OK;   /* nothing committed since */
	if (!cur || mod <= s->read_rev || revkey_importing(cur) ||
	    revkey_touched_since(s->rev_value, cur, on_touched, &c) || c.oom)
		goto out;
	if (c.nkeys && etcd_get_at(s->e, c.keys, c.nkeys, mod, on_touched_kv, &c))
		goto out;
	if (c.oom)
		goto out;
	rk = calloc(c.rows.len ? c.rows.len : 1, sizeof(*rk));
	if (!rk)
		goto out;
	for (i = 0; strmap_next(&c.rows, &i, &k, &v);) {
		const char *rest;
		const struct rows_table *t = rows_table_of(&s->schema, k, &rest);

		if (!t) {
			bad_row(s, k, "not a registry table");
			continue;
		}
		rk[m].key = (char *)k;
		rk[m].value = v == gone ? NULL : v;
		rk[m].t = t;
		m++;
	}
	rc = copy_apply(r, rk, m, "catching up on etcd");
	for (i = 0; i < m; i++)
		free(rk[i].canon);
	if (!rc) {
		char *nv = strdup(cur);

		if (!nv) {
			rc = REG_ERR;
		} else {
			free(s->rev_value);
			s->rev_value = nv;
			s->rev_mod = mod;
			s->read_rev = mod;
		}
	}
out:
	free(rk);
	since_free(&c);
	return rc;
}

static void pending_drop(struct reg_store *s)
{
	free(s->pending);
	s->pending = NULL;
}

/* Catches the copy up to <prefix>rev now. */
static int catch_up(struct reg *r)
{
	struct reg_store *s = r->store;
	struct rev_at a = { 0 };
	int rc = REG_ERR;

	if (!rev_read_at(s, 0, &a) && a.found)
		rc = catch_up_to(r, a.value, a.mod);
	free(a.value);
	return rc;
}

int reg_store_begin(struct reg *r)
{
	struct reg_store *s = r->store;
	char err[512];
	int rc;

	if (!s->stale && s->pending && catch_up_to(r, s->pending, s->pending_mod))
		s->stale = 1;
	pending_drop(s);
	if (s->stale) {
		rc = store_load(r);
		/* etcd unreachable for a moment (a leader election): try again */
		if (rc == REG_ERR && s->transient)
			return REG_ECONFLICT;
		if (rc)
			return rc;
	}
	if (rows_dirty_clear(r->db)) {
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(r->db));
		return reg_fail(r, REG_ERR, "%s", err);
	}
	return REG_OK;
}

int reg_store_commit(struct reg *r)
{
	struct reg_store *s = r->store;
	struct diff_ctx d = { .s = s };
	struct etcd_txn *t = NULL;
	char err[512], key[512], nonce[17], *revv = NULL;
	struct rev_at lost = { 0 };
	char **touched = NULL;
	size_t i;
	int rc = REG_OK, erc, ok = 0;
	int64_t rev = 0;

	if (rows_dirty_foreach(r->db, &s->schema, on_row, &d, err, sizeof(err)) || d.oom) {
		s->stale = 1;
		vec_free(&d.puts);
		return reg_fail(r, REG_ERR, "%s", d.oom ? "out of memory" : err);
	}
	if (!d.puts.n) {
		vec_free(&d.puts);
		return REG_OK;   /* nothing changed: nothing to commit */
	}

	touched = calloc(d.puts.n, sizeof(*touched));
	for (i = 0; touched && i < d.puts.n; i++)
		touched[i] = d.puts.v[i].key;
	new_nonce(nonce);
	t = etcd_txn_new();
	revv = touched ? revkey_next(s->rev_value, nonce, 0, touched, d.puts.n) : NULL;
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
	erc = etcd_txn_commit(s->e, t, &ok, &rev, on_rev_at, &lost);
	if (erc == ETCD_OK && !ok) {
		/* another write committed first: catch up on what the writes
		 * since touched, not read everything again */
		if (lost.found && lost.value) {
			s->pending = lost.value;
			s->pending_mod = lost.mod;
			lost.value = NULL;
		} else {
			s->stale = 1;   /* <prefix>rev gone */
		}
		rc = REG_ECONFLICT;
	} else if (erc == ETCD_OK) {
		rc = REG_OK;
	} else if (erc == ETCD_EUNKNOWN || erc == ETCD_EREPLY) {
		/* sent and maybe applied: settled before any retry */
		rc = resolve(r, nonce);
		if (rc == REG_OK)
			goto out;   /* applied; the copy is stale (resolve said) */
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
		s->rev_mod = rev;
		s->read_rev = rev;
		free(s->rev_value);
		s->rev_value = revv;
		revv = NULL;
		s->schema_key_ok = 1;
	}
out:
	etcd_txn_free(t);
	free(revv);
	free(touched);
	free(lost.value);
	vec_free(&d.puts);
	return rc;
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

void reg_store_stale(struct reg *r)
{
	r->store->stale = 1;
}

void reg_store_free(struct reg *r)
{
	struct reg_store *s = r->store;

	if (!s)
		return;
	strmap_free(&s->alive);
	pending_drop(s);
	etcd_free(s->e);
	free(s->rev_value);
	free(s);
	r->store = NULL;
}

/* ---- starting from a host's mirror ---------------------------------------- */

static int64_t pragma_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct mirror_meta {
	int64_t revision;        /* etcd_revision: the file is etcd then */
	int64_t rev_mod;         /* <prefix>rev then */
	char *rev_value;
	int clean;
	char of[768];
};

static int meta_text(sqlite3 *db, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    (size_t)sqlite3_column_bytes(st, 0) < len) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The copy's meta as the mirror left it; -1 when it is no usable start:
 * not a mirror of this prefix, not clean, no revision, another schema. */
static int mirror_meta_read(struct reg *r, struct mirror_meta *mm)
{
	struct reg_store *s = r->store;
	char buf[ROWS_VALUE_MAX], want[300], *end;
	size_t ol, wl;
	int64_t v;

	memset(mm, 0, sizeof(*mm));
	if (pragma_version(r->db) != REG_SCHEMA_VERSION)
		return -1;
	if (meta_text(r->db, "mirror_of", mm->of, sizeof(mm->of)))
		return -1;
	snprintf(want, sizeof(want), " prefix %s", s->prefix);
	ol = strlen(mm->of);
	wl = strlen(want);
	if (ol < wl || strcmp(mm->of + ol - wl, want))
		return -1;
	if (meta_text(r->db, "clean", buf, sizeof(buf)) || strcmp(buf, "1"))
		return -1;
	if (meta_text(r->db, "etcd_revision", buf, sizeof(buf)))
		return -1;
	v = strtoll(buf, &end, 10);
	if (*end || v < 1)
		return -1;
	mm->revision = v;
	if (meta_text(r->db, "etcd_rev_key", buf, sizeof(buf)))
		return -1;   /* an empty registry: a full read costs nothing */
	v = strtoll(buf, &end, 10);
	if (*end != ' ' || v < 1 || v > mm->revision)
		return -1;
	mm->rev_mod = v;
	mm->rev_value = strdup(end + 1);
	return mm->rev_value ? 0 : -1;
}

struct at_ctx {
	struct reg_store *s;
	int rev_found, schema_ok;
	int64_t rev_mod;
	char *rev_value;
};

static int on_at_kv(const struct etcd_kv *kv, void *ctx)
{
	struct at_ctx *a = ctx;
	const char *rest;

	if (kv->key_len < a->s->plen || memcmp(kv->key, a->s->prefix, a->s->plen))
		return 0;
	rest = kv->key + a->s->plen;
	if (!strcmp(rest, "rev")) {
		a->rev_found = 1;
		a->rev_mod = kv->mod_revision;
		free(a->rev_value);
		a->rev_value = strndup(kv->value, kv->value_len);
	} else if (!strcmp(rest, "schema")) {
		a->schema_ok = strtoll(kv->value, NULL, 10) == REG_SCHEMA_VERSION;
	}
	return 0;
}

static int on_alive_kv(const struct etcd_kv *kv, void *ctx)
{
	struct reg_store *s = ctx;
	int err = 0;

	if (kv->key_len > s->plen + 12 && strlen(kv->key) == kv->key_len)
		strmap_put(&s->alive, kv->key + s->plen + 12, (void *)1, &err);
	return err;
}

/* Copies the mirror file into the private copy, proves with etcd that it is
 * the registry at the mirror's revision (<prefix>rev then is the one the
 * mirror applied: same modification revision, same random nonces), then
 * catches up to now. Any doubt: -1, and the caller reads everything. */
static int mirror_load(struct reg *r, const char *path)
{
	struct reg_store *s = r->store;
	struct mirror_meta mm = { 0 };
	struct at_ctx a = { .s = s };
	sqlite3 *src = NULL;
	sqlite3_backup *b;
	char key[512], end[512], err[512];
	int rc = -1;

	if (r->db)
		sqlite3_close_v2(r->db);
	r->db = NULL;
	strmap_free(&s->alive);
	memset(&s->alive, 0, sizeof(s->alive));
	if (access(path, R_OK)) {
		/* a path given by hand: say why it is not used */
		log_warn("msg=\"cannot read the mirror: reading the registry from etcd\" "
			 "path=%s err=\"%s\"", path, strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(src, 2000);
	/* one step: one read transaction, so rows and meta are one state */
	b = sqlite3_backup_init(r->db, "main", src, "main");
	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		sqlite3_backup_finish(b);
		goto out;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK || mirror_meta_read(r, &mm))
		goto out;
	/* the copy describes the fleet, not a file */
	if (sqlite3_exec(r->db, "DELETE FROM meta; PRAGMA foreign_keys = ON", NULL,
			 NULL, NULL) != SQLITE_OK)
		goto out;
	if (!s->have_schema) {
		if (rows_schema_load(r->db, &s->schema, err, sizeof(err)))
			goto out;
		s->have_schema = 1;
	}
	full_key(s, "rev", key, sizeof(key));
	full_key(s, "schema", end, sizeof(end));
	if (etcd_range(s->e, key, strlen(key), end, strlen(end) + 1, mm.revision,
		       on_at_kv, &a, NULL) ||
	    !a.rev_found || a.rev_mod != mm.rev_mod || !a.rev_value ||
	    strcmp(a.rev_value, mm.rev_value))
		goto out;
	full_key(s, "hosts_alive/", key, sizeof(key));
	if (etcd_range(s->e, key, strlen(key), end,
		       etcd_prefix_end(key, strlen(key), end), 0, on_alive_kv, s, NULL))
		goto out;
	if (rows_dirty_init(r->db, &s->schema, err, sizeof(err)))
		goto out;
	s->read_rev = mm.revision;
	s->rev_mod = mm.rev_mod;
	free(s->rev_value);
	s->rev_value = mm.rev_value;
	mm.rev_value = NULL;
	s->schema_key_ok = a.schema_ok;
	s->nrows = 0;
	s->stale = 0;
	if (catch_up(r))
		goto out;
	rc = 0;
out:
	sqlite3_close_v2(src);
	free(mm.rev_value);
	free(a.rev_value);
	if (rc) {
		s->stale = 1;
		log_debug("msg=\"not starting from the mirror: reading etcd\" path=%s", path);
	}
	return rc;
}

/* ---- opening --------------------------------------------------------------- */

int reg_host_connected(const struct reg *r, uint32_t id)
{
	char key[16];

	if (!r || !r->store)
		return -1;
	snprintf(key, sizeof(key), "%" PRIu32, id);
	return strmap_get(&r->store->alive, key) ? 1 : 0;
}

int reg_is_etcd(const struct reg *r)
{
	return r && r->store;
}

int reg_open_etcd(struct reg **out, const struct etcd_cfg *cfg, const char *mirror,
		  unsigned flags)
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
	s->max_tries = tries && atoi(tries) > 0 ? atoi(tries) : DEFAULT_TRIES;
	s->e = etcd_new(cfg);
	if (!s->e)
		return reg_fail(r, REG_ERR, "out of memory");
	s->stale = 1;
	if (mirror && !mirror_load(r, mirror))
		return REG_OK;
	return store_load(r);
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
	if (sqlite3_exec(db, "DELETE FROM changes; PRAGMA journal_mode=WAL",
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
	int rc;

	*rows = 0;
	if (!s)
		return reg_fail(r, REG_EINVAL, "registry import needs --etcd");
	if (s->nrows || s->rev_mod)
		return reg_fail(r, REG_EEXIST, "the etcd prefix %s is not empty (%zu "
				"rows): import only into an empty prefix", s->prefix,
				s->nrows);
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
		revv = revkey_next(s->rev_value, NULL, !last, NULL, 0);
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

int reg_refresh(struct reg *r)
{
	struct reg_store *s = r->store;
	struct rev_at a = { 0 };
	int erc, rc;

	if (!s)
		return REG_OK;
	if (!s->stale) {
		/* every write bumps <prefix>rev: unchanged, the copy is current */
		erc = rev_read_at(s, 0, &a);
		if (erc) {
			free(a.value);
			return etcd_fail(r, erc, "reading the registry from etcd");
		}
		rc = a.found ? catch_up_to(r, a.value, a.mod) : REG_ERR;
		free(a.value);
		if (!rc)
			return REG_OK;
		s->stale = 1;
	}
	return store_load(r);
}
