// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnd's local mirror of the registry in etcd (registry.h, docs/
 * registry.md "ON ETCD"). The file keeps today's schema, so sync, the names
 * map and the resolver read it as before; rows arrive through rows_apply as
 * inserts, updates and deletes, so the change-log triggers fire and sync's
 * deltas follow. Two threads: the mirror thread lists and watches; the
 * heartbeat thread asks etcd for the registry revision every second, which
 * gives the connected state and the lag, and restarts a watch that went
 * quiet while the registry moved on (a member cut off from its quorum). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "etcd/etcd.h"
#include "lib/log.h"
#include "lib/strmap.h"
#include "registry/registry_int.h"
#include "registry/rows.h"

struct reg_mirror {
	char prefix[256], end[256], of[768];
	size_t plen, elen;
	struct reg *file;
	struct rows_schema schema;
	struct etcd *we, *he;     /* the mirror thread's, the heartbeat's */
	pthread_t wt, ht;
	int threads;
	int efd;                  /* reg_mirror_fd: a commit to the file */
	volatile int stop, watch_abort;
	int need_list;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int listed;
	atomic_int hb_ok, watching;   /* watching: etcd took the watch */
	atomic_int watch_running;     /* etcd_watch is under way */
	atomic_int wake;              /* the heartbeat: etcd answers again */
	atomic_llong applied, registry_rev;
	atomic_ullong bad, relists, reconnects, resumes;
	/* the mirror thread's: a watch failed since the last one that etcd
	 * took (down), the revision the current watch starts from, and
	 * whether it follows a full list (else it resumes) */
	int down, watch_new, watch_listed;
	int clean;                /* the file is etcd's rows (set_rev_meta) */
	int64_t watch_from;
	atomic_int auth_refused;  /* the last answer was an auth refusal */
	/* reg_mirror_announce: the key and TTL, then announce set */
	char alive_key[300];
	char alive_value[128];
	int alive_ttl;
	atomic_int announce;
	int64_t lease;            /* the heartbeat thread's: 0 none */
	int64_t lease_due;        /* heartbeats until the next keepalive */
	int announce_refused;     /* announces refused in a row */
	int announce_wait;        /* heartbeats before the next try */
};

struct kvs {
	struct rows_kv *v;
	size_t n, cap;
	struct strmap idx;        /* key -> index + 1 */
	int oom;
	/* <prefix>rev in this batch: seen, and its mod revision and value
	 * (NULL: deleted), for the file's meta 'etcd_rev_key' */
	int rev_seen;
	int64_t rev_mod;
	char *rev_value;
	unsigned long long bad0;  /* the mirror's refused rows before it */
};

static void kvs_free(struct kvs *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].value);
		free(k->v[i].canon);
	}
	free(k->v);
	free(k->rev_value);
	strmap_free(&k->idx);
	memset(k, 0, sizeof(*k));
}

/* Adds or replaces (the last event of a key wins) a put or delete. */
static void kvs_set(struct kvs *k, const struct rows_table *t, const char *key,
		    const char *value)
{
	uintptr_t at = (uintptr_t)strmap_get(&k->idx, key);
	struct rows_kv *kv;
	int err = 0;

	if (at) {
		kv = &k->v[at - 1];
		free(kv->value);
		kv->value = value ? strdup(value) : NULL;
		if (value && !kv->value)
			k->oom = 1;
		return;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct rows_kv *p = realloc(k->v, cap * sizeof(*p));

		if (!p) {
			k->oom = 1;
			return;
		}
		k->v = p;
		k->cap = cap;
	}
	kv = &k->v[k->n];
	memset(kv, 0, sizeof(*kv));
	kv->t = t;
	kv->key = strdup(key);
	kv->value = value ? strdup(value) : NULL;
	if (!kv->key || (value && !kv->value)) {
		free(kv->key);
		free(kv->value);
		k->oom = 1;
		return;
	}
	k->n++;
	strmap_put(&k->idx, key, (void *)(uintptr_t)k->n, &err);
	if (err)
		k->oom = 1;
}

static void bad_row(void *ctx, const char *key, const char *why)
{
	struct reg_mirror *m = ctx;

	atomic_fetch_add(&m->bad, 1);
	log_warn("msg=\"registry row in etcd skipped\" key=%s%s reason=\"%s\"",
		 m->prefix, key, why);
}

/* What a key (with the prefix) is: 1 a row of table *t (rest: without the
 * prefix), 0 a key of the registry that is not a row, -1 not ours. */
static int classify(struct reg_mirror *m, const struct etcd_kv *kv, int deleted,
		    struct kvs *k, const struct rows_table **t, const char **rest)
{
	const char *r, *tail;

	if (kv->key_len <= m->plen || memcmp(kv->key, m->prefix, m->plen))
		return -1;
	r = kv->key + m->plen;
	if (!strcmp(r, "rev")) {
		free(k->rev_value);
		k->rev_seen = 1;
		k->rev_mod = kv->mod_revision;
		k->rev_value = deleted ? NULL : strndup(kv->value, kv->value_len);
		if (!deleted && !k->rev_value)
			k->oom = 1;
		return 0;
	}
	if (!strcmp(r, "schema") || !strncmp(r, "hosts_alive/", 12))
		return 0;
	*rest = r;
	if (strlen(kv->key) != kv->key_len || strlen(kv->value) != kv->value_len) {
		bad_row(m, r, "a NUL byte in the key or value");
		return 0;
	}
	*t = rows_table_of(&m->schema, r, &tail);
	if (!*t) {
		bad_row(m, r, "not a registry table");
		return 0;
	}
	return 1;
}

static int set_meta(struct reg_mirror *m, const char *key, const char *value)
{
	sqlite3_stmt *st = reg_prep(m->file, "INSERT OR REPLACE INTO meta (key, value)"
				    " VALUES (?1, ?2)");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Tells reg_mirror_fd's poller that a commit is visible in the file. */
static void committed(struct reg_mirror *m)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, so the poller has a wake due anyway */
	if (m->efd >= 0 && write(m->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("msg=\"cannot wake the mirror's reader\" err=\"%s\"", strerror(errno));
}

/* What a writer starting from the file (sixpnctl --etcd-mirror,
 * store_etcd.c) checks against etcd: <prefix>rev as of etcd_revision, and
 * whether the file is exactly etcd's rows then. A refused value leaves
 * the key's last good row in the file where a full read has none, so the
 * file is 'clean' only from a list that refused nothing until the next
 * refusal. */
static int set_rev_meta(struct reg_mirror *m, const struct kvs *k, int listing)
{
	char *v;
	size_t n;
	int rc;

	m->clean = (listing || m->clean) && atomic_load(&m->bad) == k->bad0;
	if (set_meta(m, "clean", m->clean ? "1" : "0"))
		return -1;
	if (!k->rev_seen)
		return 0;
	if (!k->rev_value)
		return reg_exec(m->file, "DELETE FROM meta WHERE key = 'etcd_rev_key'") ? -1 : 0;
	n = strlen(k->rev_value) + 24;
	v = malloc(n);
	if (!v)
		return -1;
	snprintf(v, n, "%" PRId64 " %s", k->rev_mod, k->rev_value);
	rc = set_meta(m, "etcd_rev_key", v);
	free(v);
	return rc;
}

/* One transaction on the file: the key-values, and the revision they
 * bring the mirror to. */
static int apply(struct reg_mirror *m, struct kvs *k, int64_t rev, int listing)
{
	struct rows_report rep = { .bad = bad_row, .ctx = m };
	char err[512] = "", revs[24];

	if (reg_exec(m->file, "BEGIN IMMEDIATE")) {
		log_error("msg=\"cannot write the mirror\" path=%s err=\"%s\"",
			  reg_path(m->file), reg_errmsg(m->file));
		return -1;
	}
	snprintf(revs, sizeof(revs), "%" PRId64, rev);
	if (rows_apply(m->file->db, &m->schema, k->v, k->n, &rep, err, sizeof(err)) ||
	    set_meta(m, "etcd_revision", revs) || set_meta(m, "mirror_of", m->of) ||
	    set_rev_meta(m, k, listing) || reg_exec(m->file, "COMMIT")) {
		log_error("msg=\"cannot write the mirror\" path=%s err=\"%s\"",
			  reg_path(m->file), err[0] ? err : reg_errmsg(m->file));
		sqlite3_exec(m->file->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (rep.changed)
		log_debug("msg=\"mirror applied\" revision=%" PRId64 " rows=%zu", rev,
			  rep.changed);
	atomic_store(&m->applied, rev);
	committed(m);
	return 0;
}

/* ---- the full list ------------------------------------------------------- */

struct list_ctx {
	struct reg_mirror *m;
	struct kvs k;
	struct strmap present;    /* every row key etcd has, good or bad */
	int oom;
};

static int on_list_kv(const struct etcd_kv *kv, void *ctx)
{
	struct list_ctx *l = ctx;
	const struct rows_table *t = NULL;
	const char *rest = NULL;
	int c = classify(l->m, kv, 0, &l->k, &t, &rest), err = 0;

	if (rest && strlen(kv->key) == kv->key_len)
		strmap_put(&l->present, rest, (void *)1, &err);
	if (c == 1)
		kvs_set(&l->k, t, rest, kv->value);
	if (err || l->k.oom) {
		l->oom = 1;
		return 1;
	}
	return 0;
}

static int on_file_row(const char *key, const char *value, void *ctx)
{
	struct list_ctx *l = ctx;
	const struct rows_table *t;
	const char *rest;

	(void)value;
	if (strmap_get(&l->present, key))
		return 0;
	t = rows_table_of(&l->m->schema, key, &rest);
	if (t)
		kvs_set(&l->k, t, key, NULL);   /* gone from etcd: delete */
	return l->k.oom;
}

/* Range at one revision, then reconcile the file to it in one transaction:
 * nothing live is ever missing in between (readers see before or after). */
static int list_reconcile(struct reg_mirror *m, struct etcd *e)
{
	struct list_ctx l = { .m = m, .k.bad0 = atomic_load(&m->bad) };
	char err[512];
	int64_t rev = 0;
	int erc, rc = -1;

	erc = etcd_range(e, m->prefix, m->plen, m->end, m->elen, 0, on_list_kv, &l, &rev);
	if (erc == ETCD_EAUTH)
		rc = ETCD_EAUTH;
	if (erc || l.oom) {
		if (!l.oom)
			log_debug("msg=\"etcd list failed\" err=\"%s\"", etcd_errmsg(e));
		goto out;
	}
	if (rows_foreach(m->file->db, &m->schema, on_file_row, &l, err, sizeof(err)) ||
	    l.k.oom) {
		log_error("msg=\"cannot read the mirror\" path=%s err=\"%s\"",
			  reg_path(m->file), l.k.oom ? "out of memory" : err);
		goto out;
	}
	if (!l.k.rev_seen)
		l.k.rev_seen = 1;   /* none: an empty registry, rev_value NULL */
	rc = apply(m, &l.k, rev, 1);
	if (!rc) {
		atomic_fetch_add(&m->relists, 1);
		log_info("msg=\"mirror listed etcd\" revision=%" PRId64 " keys=%zu path=%s",
			 rev, l.k.n, reg_path(m->file));
	}
out:
	kvs_free(&l.k);
	strmap_free(&l.present);
	return rc;
}

/* ---- the watch ----------------------------------------------------------- */

static int on_events(const struct etcd_event *ev, size_t n, int64_t hrev, void *ctx)
{
	struct reg_mirror *m = ctx;
	struct kvs k = { .bad0 = atomic_load(&m->bad) };
	int64_t rev = atomic_load(&m->applied);
	size_t i;
	int rc;

	(void)hrev;
	if (m->watch_new) {
		/* etcd took the watch (its first response): connected from here */
		m->watch_new = 0;
		atomic_store(&m->watching, 1);
		atomic_store(&m->auth_refused, 0);
		if (!m->watch_listed) {
			atomic_fetch_add(&m->resumes, 1);
			if (m->down)
				log_info("msg=\"etcd reachable again: watch resumed from the "
					 "last applied revision\" from_revision=%" PRId64
					 " endpoint=%s", m->watch_from, etcd_endpoint(m->we));
		} else if (m->down) {
			log_info("msg=\"etcd reachable again\" revision=%" PRId64
				 " endpoint=%s", m->watch_from - 1, etcd_endpoint(m->we));
		}
		m->down = 0;
	}
	if (!n)
		return m->stop;
	for (i = 0; i < n; i++) {
		const struct rows_table *t = NULL;
		const char *rest = NULL;

		if (ev[i].kv.mod_revision > rev)
			rev = ev[i].kv.mod_revision;
		if (classify(m, &ev[i].kv, ev[i].deleted, &k, &t, &rest) == 1)
			kvs_set(&k, t, rest, ev[i].deleted ? NULL : ev[i].kv.value);
	}
	if (k.oom) {
		kvs_free(&k);
		m->need_list = 1;
		return 1;
	}
	rc = apply(m, &k, rev, 0);
	kvs_free(&k);
	if (rc) {
		m->need_list = 1;   /* start over from a full list */
		return 1;
	}
	return m->stop;
}

/* Sleeps ms, cut short by a stop or, for the mirror thread's backoff
 * (wakeable), by the heartbeat hearing etcd again: a healed cut is retried
 * at once, not at the end of a backoff. */
static void nap(struct reg_mirror *m, long ms, int wakeable)
{
	while (ms > 0 && !m->stop && !(wakeable && atomic_exchange(&m->wake, 0))) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		ms -= 100;
	}
}

/* An etcd failure of the mirror thread: said once per outage, and an
 * auth refusal said as what it is (no retry makes it work). */
static void mirror_down(struct reg_mirror *m, int erc, const char *what)
{
	atomic_store(&m->auth_refused, erc == ETCD_EAUTH);
	if (m->down++)
		return;
	if (erc == ETCD_EAUTH)
		log_error("msg=\"etcd refused the credentials: serving from the mirror, "
			  "retrying\" path=%s err=\"%s\"", reg_path(m->file),
			  etcd_errmsg(m->we));
	else
		log_warn("msg=\"%s: serving from the mirror, retrying\" path=%s "
			 "applied=%lld err=\"%s\"", what, reg_path(m->file),
			 (long long)atomic_load(&m->applied), etcd_errmsg(m->we));
}

static void *mirror_thread(void *arg)
{
	struct reg_mirror *m = arg;
	long backoff = 200;

	while (!m->stop) {
		int64_t compact = 0;
		int erc, listed = 0;

		if (m->need_list) {
			erc = list_reconcile(m, m->we);
			if (erc) {
				mirror_down(m, erc, "etcd unreachable");
				pthread_mutex_lock(&m->mu);
				pthread_cond_broadcast(&m->cv);   /* reg_mirror_wait: refused */
				pthread_mutex_unlock(&m->mu);
				nap(m, backoff, 1);
				backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
				continue;
			}
			listed = 1;
			m->need_list = 0;
			atomic_store(&m->auth_refused, 0);
			pthread_mutex_lock(&m->mu);
			m->listed = 1;
			pthread_cond_broadcast(&m->cv);
			pthread_mutex_unlock(&m->mu);
		}
		m->watch_abort = m->stop;
		/* after a list, from the revision listed; after a failure, from
		 * the last revision applied: nothing is fetched twice */
		m->watch_from = atomic_load(&m->applied) + 1;
		m->watch_new = 1;
		m->watch_listed = listed;
		atomic_store(&m->watch_running, 1);
		erc = etcd_watch(m->we, m->prefix, m->plen, m->end, m->elen,
				 m->watch_from, on_events, m, &m->watch_abort, &compact);
		atomic_store(&m->watching, 0);
		atomic_store(&m->watch_running, 0);
		if (m->stop)
			break;
		if (erc == ETCD_ECOMPACTED) {
			log_info("msg=\"etcd compacted past the mirror: re-listing\" "
				 "applied=%lld compacted=%lld",
				 (long long)atomic_load(&m->applied), (long long)compact);
			m->need_list = 1;
			continue;
		}
		if (erc == ETCD_OK && m->need_list)
			continue;
		atomic_fetch_add(&m->reconnects, 1);
		if (erc == ETCD_ESTOPPED && !m->watch_new) {
			backoff = 200;
			continue;   /* the heartbeat restarted a watch etcd had taken */
		}
		mirror_down(m, erc, "etcd watch lost");
		nap(m, backoff, 1);
		backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
	}
	return NULL;
}

static int on_rev_kv(const struct etcd_kv *kv, void *ctx)
{
	struct reg_mirror *m = ctx;

	atomic_store(&m->registry_rev, kv->mod_revision);
	return 0;
}

/* Grants a lease and puts the alive key under it. */
static void lease_grant(struct reg_mirror *m)
{
	struct etcd_txn *t;
	int64_t id = 0, rev;
	int ok = 0, erc;

	if (m->announce_wait > 0) {
		m->announce_wait--;
		return;
	}
	erc = etcd_lease_grant(m->he, m->alive_ttl, &id);
	if (erc) {
		log_debug("msg=\"etcd lease grant failed\" err=\"%s\"", etcd_errmsg(m->he));
		return;
	}
	t = etcd_txn_new();
	if (!t || etcd_txn_put(t, m->alive_key, strlen(m->alive_key), m->alive_value,
			       strlen(m->alive_value), id) ||
	    (erc = etcd_txn_commit(m->he, t, &ok, &rev, NULL, NULL)) || !ok) {
		/* a role that may read the registry but not write this key:
		 * the mirror works, the host shows not connected; said once,
		 * tried again every 30 s */
		if (!m->announce_refused++)
			log_warn("msg=\"cannot announce this host in etcd: hosts list "
				 "shows it not connected\" key=%s err=\"%s\"",
				 m->alive_key, etcd_errmsg(m->he));
		if (erc == ETCD_EAUTH || erc == ETCD_EREFUSED)
			m->announce_wait = 30;
		etcd_txn_free(t);
		etcd_lease_revoke(m->he, id);
		return;
	}
	etcd_txn_free(t);
	m->announce_refused = 0;
	m->lease = id;
	m->lease_due = m->alive_ttl / 3 > 1 ? m->alive_ttl / 3 : 1;
	log_info("msg=\"host announced in etcd\" key=%s lease=%" PRIx64 " ttl=%d",
		 m->alive_key, (uint64_t)id, m->alive_ttl);
}

/* Once a heartbeat that etcd answered: the lease granted, or kept alive
 * every third of its TTL; one etcd let expire (a long cut) is granted
 * again, so the host shows connected as soon as etcd hears from it. */
static void lease_tick(struct reg_mirror *m)
{
	int64_t ttl = 0;
	int erc;

	if (!atomic_load(&m->announce))
		return;
	if (!m->lease) {
		lease_grant(m);
		return;
	}
	if (--m->lease_due > 0)
		return;
	m->lease_due = m->alive_ttl / 3 > 1 ? m->alive_ttl / 3 : 1;
	erc = etcd_lease_keepalive(m->he, m->lease, &ttl);
	if ((erc == ETCD_OK && ttl <= 0) || erc == ETCD_EREFUSED) {
		log_warn("msg=\"host lease in etcd expired: announcing again\" key=%s",
			 m->alive_key);
		m->lease = 0;
		lease_grant(m);
	}
}

static void *heartbeat_thread(void *arg)
{
	struct reg_mirror *m = arg;
	char key[300];
	int fails = 0, stalled = 0;

	snprintf(key, sizeof(key), "%srev", m->prefix);
	while (!m->stop) {
		int erc = etcd_range(m->he, key, strlen(key), NULL, 0, 0, on_rev_kv, m, NULL);

		if (erc == ETCD_OK) {
			if (!atomic_load(&m->hb_ok) && fails) {
				log_info("msg=\"etcd answers again\" endpoint=%s",
					 etcd_endpoint(m->he));
				atomic_store(&m->wake, 1);
			}
			atomic_store(&m->hb_ok, 1);
			fails = 0;
			lease_tick(m);
			/* a watch that stays behind a registry that moved on,
			 * or that etcd never took while it answers us */
			if (atomic_load(&m->watch_running) &&
			    (!atomic_load(&m->watching) ||
			     atomic_load(&m->registry_rev) > atomic_load(&m->applied))) {
				if (++stalled >= 3) {
					log_warn("msg=\"etcd watch behind the registry: "
						 "restarting it\" applied=%lld registry=%lld "
						 "taken=%d",
						 (long long)atomic_load(&m->applied),
						 (long long)atomic_load(&m->registry_rev),
						 atomic_load(&m->watching));
					m->watch_abort = 1;
					stalled = 0;
				}
			} else {
				stalled = 0;
			}
		} else if (erc == ETCD_EAUTH) {
			if (atomic_load(&m->hb_ok) || !fails)
				log_error("msg=\"etcd refused the credentials: serving from "
					  "the mirror\" err=\"%s\"", etcd_errmsg(m->he));
			atomic_store(&m->hb_ok, 0);
			fails++;
		} else {
			if (atomic_load(&m->hb_ok) || !fails)
				log_warn("msg=\"etcd does not answer: serving from the "
					 "mirror\" err=\"%s\"", etcd_errmsg(m->he));
			atomic_store(&m->hb_ok, 0);
			if (++fails == 2)
				m->watch_abort = 1;   /* reconnect, maybe elsewhere */
		}
		nap(m, 1000, 0);
	}
	/* a clean stop: the host is gone now, not in a TTL */
	if (m->lease && etcd_lease_revoke(m->he, m->lease) == ETCD_OK)
		log_info("msg=\"host lease in etcd revoked\" key=%s", m->alive_key);
	return NULL;
}

/* ---- opening ------------------------------------------------------------- */

static int mirror_new(struct reg_mirror **out, const struct etcd_cfg *cfg,
		      const char *path, char *err, size_t errlen)
{
	struct reg_mirror *m = calloc(1, sizeof(*m));
	struct etcd_cfg hc = *cfg;
	const char *prefix = cfg->prefix ? cfg->prefix : ETCD_DEFAULT_PREFIX;
	size_t off = 0;
	int i, rc;

	*out = m;
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return REG_ERR;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	m->need_list = 1;
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return REG_ERR;
	}
	if (!*prefix || *prefix != '/' || prefix[strlen(prefix) - 1] != '/' ||
	    strlen(prefix) >= sizeof(m->prefix)) {
		snprintf(err, errlen, "etcd prefix '%s' is invalid: must start and "
			 "end with '/'", prefix);
		return REG_EINVAL;
	}
	snprintf(m->prefix, sizeof(m->prefix), "%s", prefix);
	m->plen = strlen(m->prefix);
	m->elen = etcd_prefix_end(m->prefix, m->plen, m->end);
	for (i = 0; i < cfg->n_endpoints && off < sizeof(m->of); i++)
		off += (size_t)snprintf(m->of + off, sizeof(m->of) - off, "%s%s",
					i ? "," : "", cfg->endpoints[i]);
	if (off < sizeof(m->of))
		snprintf(m->of + off, sizeof(m->of) - off, " prefix %s", m->prefix);
	rc = reg_open(&m->file, path, REG_OPEN_CREATE);
	if (rc) {
		snprintf(err, errlen, "%s", reg_errmsg(m->file));
		return rc;
	}
	if (rows_schema_load(m->file->db, &m->schema, err, errlen))
		return REG_ERR;
	/* mark it a mirror before anything else: no sixpnctl write from now */
	if (reg_exec(m->file, "BEGIN IMMEDIATE") || set_meta(m, "mirror_of", m->of) ||
	    reg_exec(m->file, "COMMIT")) {
		snprintf(err, errlen, "%s", reg_errmsg(m->file));
		return REG_ERR;
	}
	m->we = etcd_new(cfg);
	hc.timeout_ms = 2000;
	m->he = etcd_new(&hc);
	if (!m->we || !m->he) {
		snprintf(err, errlen, "out of memory");
		return REG_ERR;
	}
	return REG_OK;
}

static void mirror_free(struct reg_mirror *m)
{
	if (!m)
		return;
	etcd_free(m->we);
	etcd_free(m->he);
	reg_close(m->file);
	if (m->efd >= 0)
		close(m->efd);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
	free(m);
}

int reg_mirror_start(struct reg_mirror **out, const struct etcd_cfg *cfg,
		     const char *path, char *err, size_t errlen)
{
	struct reg_mirror *m;
	int rc = mirror_new(&m, cfg, path, err, errlen);

	*out = NULL;
	if (rc) {
		mirror_free(m);
		return rc;
	}
	if (pthread_create(&m->wt, NULL, mirror_thread, m)) {
		snprintf(err, errlen, "cannot start the mirror thread");
		mirror_free(m);
		return REG_ERR;
	}
	if (pthread_create(&m->ht, NULL, heartbeat_thread, m)) {
		m->stop = m->watch_abort = 1;
		pthread_join(m->wt, NULL);
		snprintf(err, errlen, "cannot start the heartbeat thread");
		mirror_free(m);
		return REG_ERR;
	}
	m->threads = 1;
	*out = m;
	return REG_OK;
}

int reg_mirror_wait(struct reg_mirror *m, int timeout_ms)
{
	struct timespec until;
	int listed;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->mu);
	while (!m->listed && !atomic_load(&m->auth_refused) &&
	       pthread_cond_timedwait(&m->cv, &m->mu, &until) != ETIMEDOUT)
		;
	listed = m->listed;
	pthread_mutex_unlock(&m->mu);
	return listed ? 0 : -1;
}

int reg_mirror_fd(const struct reg_mirror *m)
{
	return m ? m->efd : -1;
}

void reg_mirror_stop(struct reg_mirror *m)
{
	if (!m)
		return;
	m->stop = 1;
	m->watch_abort = 1;
	if (m->threads) {
		pthread_join(m->wt, NULL);
		pthread_join(m->ht, NULL);
	}
	mirror_free(m);
}

int reg_mirror_once(const struct etcd_cfg *cfg, const char *path, char *err,
		    size_t errlen)
{
	struct reg_mirror *m;
	int rc = mirror_new(&m, cfg, path, err, errlen);

	if (!rc && (rc = list_reconcile(m, m->we))) {
		snprintf(err, errlen, "cannot mirror etcd into %s: %s", path,
			 etcd_errmsg(m->we));
		rc = rc == ETCD_EAUTH ? REG_EPERM : REG_ERR;
	}
	mirror_free(m);
	return rc;
}

void reg_mirror_announce(struct reg_mirror *m, uint32_t host_id, int ttl)
{
	snprintf(m->alive_key, sizeof(m->alive_key), "%shosts_alive/%" PRIu32, m->prefix,
		 host_id);
	snprintf(m->alive_value, sizeof(m->alive_value), "{\"host_id\":%" PRIu32
		 ",\"pid\":%d,\"since\":%lld}", host_id, (int)getpid(), (long long)time(NULL));
	m->alive_ttl = ttl > 0 ? ttl : 10;
	atomic_store(&m->announce, 1);
}

void reg_mirror_status(const struct reg_mirror *m, struct reg_mirror_status *st)
{
	struct reg_mirror *mm = (struct reg_mirror *)m;

	st->connected = atomic_load(&mm->hb_ok) && atomic_load(&mm->watching);
	st->applied_revision = atomic_load(&mm->applied);
	st->registry_revision = atomic_load(&mm->registry_rev);
	st->bad_rows = atomic_load(&mm->bad);
	st->relists = atomic_load(&mm->relists);
	st->reconnects = atomic_load(&mm->reconnects);
	st->resumes = atomic_load(&mm->resumes);
	st->auth_refused = atomic_load(&mm->auth_refused);
}

#ifdef SIXPN_FUZZ
int reg_mirror_fuzz(const struct etcd_cfg *cfg, const char *path,
		    void (*after)(struct reg *file, int step, void *ctx), void *ctx)
{
	struct reg_mirror *m;
	char err[512];
	int64_t compact = 0;
	int rc = mirror_new(&m, cfg, path, err, sizeof(err));

	if (!rc)
		rc = list_reconcile(m, m->we) ? REG_ERR : REG_OK;
	if (!rc) {
		after(m->file, 0, ctx);
		etcd_watch(m->we, m->prefix, m->plen, m->end, m->elen,
			   atomic_load(&m->applied) + 1, on_events, m, &m->watch_abort,
			   &compact);
		after(m->file, 1, ctx);
	}
	mirror_free(m);
	return rc;
}
#endif
