/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* An etcd v3 client over the JSON gateway (POST /v3/kv/range, /v3/kv/txn,
 * /v3/watch, /v3/lease/..., /v3/auth/authenticate) with libcurl and json-c.
 *
 * Every reply is untrusted input: each field is checked before use, and a
 * reply that does not parse is ETCD_EREPLY, never a crash or a guess.
 * Keys and values are byte strings (etcd base64-encodes them on the wire).
 *
 * Failures come in kinds, because a caller of a transaction must know
 * whether it may have happened:
 *   ETCD_ECONN     no endpoint could be reached: nothing was sent (the
 *                  request never went out on any connection, counted)
 *   ETCD_EUNKNOWN  sent, but no definite answer (timeout, leader lost,
 *                  connection cut; a transaction that went out twice and
 *                  whose last copy's compare failed): a write may or may
 *                  not have happened
 *   ETCD_EREFUSED  etcd answered with an error (permission denied, too many
 *                  operations, ...): a write did not happen
 *   ETCD_EAUTH     authentication failed (no, or a bad, user or password),
 *                  or TLS (a certificate not trusted, one not given)
 *   ETCD_EREPLY    the reply was not what etcd sends
 * One handle per thread; requests on a handle are sequential. */
#ifndef SIXPN_ETCD_H
#define SIXPN_ETCD_H

#include <stddef.h>
#include <stdint.h>

#define ETCD_MAX_ENDPOINTS 16
#define ETCD_DEFAULT_PREFIX "/sixpn/"

enum etcd_rc {
	ETCD_OK = 0,
	ETCD_ECONN,
	ETCD_EUNKNOWN,
	ETCD_EREFUSED,
	ETCD_EAUTH,
	ETCD_EREPLY,
	ETCD_ECOMPACTED,   /* watch: the start revision was compacted */
	ETCD_ESTOPPED,     /* watch: the stop flag was raised */
};

/* What to connect to: sixpnctl's and sixpnd's --etcd* options. */
struct etcd_cfg {
	char *endpoints[ETCD_MAX_ENDPOINTS];   /* "http(s)://host:port" */
	int n_endpoints;
	const char *prefix;                    /* NULL: ETCD_DEFAULT_PREFIX */
	const char *cacert, *cert, *key;       /* TLS files, NULL: none */
	const char *user;                      /* NULL: no auth */
	char password[256];
	long timeout_ms;                       /* per request; 0: 5000 */
};

/* Splits a comma-separated list of URLs into cfg (copies). 0 or -1 with err. */
int etcd_cfg_endpoints(struct etcd_cfg *cfg, const char *list, char *err,
		       size_t errlen);
/* Reads the password from file (first line) into cfg. 0 or -1 with err. */
int etcd_cfg_password_file(struct etcd_cfg *cfg, const char *file, char *err,
			   size_t errlen);
/* Fills what the options did not give from the environment: SIXPN_ETCD
 * (endpoints), SIXPN_ETCD_PASSWORD. */
int etcd_cfg_env(struct etcd_cfg *cfg, char *err, size_t errlen);
void etcd_cfg_free(struct etcd_cfg *cfg);

struct etcd;

/* Never fails but for memory (NULL); nothing is contacted yet. The handle
 * copies what it needs of cfg. */
struct etcd *etcd_new(const struct etcd_cfg *cfg);
void etcd_free(struct etcd *e);
const char *etcd_errmsg(const struct etcd *e);
/* The endpoint the last request went to. */
const char *etcd_endpoint(const struct etcd *e);

struct etcd_kv {
	const char *key, *value;     /* NUL-terminated too, for convenience */
	size_t key_len, value_len;
	int64_t create_revision, mod_revision, version, lease;
};
typedef int (*etcd_kv_cb)(const struct etcd_kv *kv, void *ctx);

/* The range end that makes [key, end) every key with prefix key. */
size_t etcd_prefix_end(const char *key, size_t len, char *end);

/* Every key in [key, end) (end NULL: key alone) at revision rev (0: now),
 * in key order, fetched in pages of one revision; cb returning non-zero
 * stops the walk (returned as ETCD_OK, *stopped set when given). *revision:
 * the revision read. Reads are retried on the next endpoint. */
int etcd_range(struct etcd *e, const char *key, size_t klen, const char *end,
	       size_t elen, int64_t rev, etcd_kv_cb cb, void *ctx,
	       int64_t *revision);

/* keys[0..n-1] (n at most etcd's --max-txn-ops) as of revision rev, in one
 * transaction of reads: cb for each key that exists then. */
int etcd_get_at(struct etcd *e, char *const *keys, size_t n, int64_t rev,
		etcd_kv_cb cb, void *ctx);

/* A transaction: compares (all must hold), then the success or the
 * failure operations. Built up, then committed once. */
struct etcd_txn;
struct etcd_txn *etcd_txn_new(void);
void etcd_txn_free(struct etcd_txn *t);
/* mod_revision(key) == rev (0: the key does not exist) */
int etcd_txn_cmp_mod(struct etcd_txn *t, const char *key, size_t klen, int64_t rev);
int etcd_txn_put(struct etcd_txn *t, const char *key, size_t klen,
		 const char *val, size_t vlen, int64_t lease);
int etcd_txn_del(struct etcd_txn *t, const char *key, size_t klen);
/* On failure, read key (the kvs go to commit's fail_cb). */
int etcd_txn_fail_get(struct etcd_txn *t, const char *key, size_t klen);
size_t etcd_txn_ops(const struct etcd_txn *t);
/* Sends it. *succeeded: the compares held and the success ops ran;
 * *revision: the store revision after it. A connection failure before
 * sending moves on to the next endpoint; after sending, it is
 * ETCD_EUNKNOWN: the caller finds out what happened. */
int etcd_txn_commit(struct etcd *e, struct etcd_txn *t, int *succeeded,
		    int64_t *revision, etcd_kv_cb fail_cb, void *ctx);

/* A watch event. */
struct etcd_event {
	int deleted;                 /* DELETE, else PUT */
	struct etcd_kv kv;
};
/* Called per watch response with its events (possibly none: a progress
 * notice) and the response's header revision; non-zero stops the watch. */
typedef int (*etcd_watch_cb)(const struct etcd_event *ev, size_t n,
			     int64_t header_revision, void *ctx);
/* Watches [key, end) from start_rev until an error, *stop becoming
 * non-zero (checked about every 100 ms: ETCD_ESTOPPED), cb returning
 * non-zero (ETCD_OK), or a compaction (ETCD_ECOMPACTED with
 * *compact_revision). Blocks; run it on a thread of its own. */
int etcd_watch(struct etcd *e, const char *key, size_t klen, const char *end,
	       size_t elen, int64_t start_rev, etcd_watch_cb cb, void *ctx,
	       const volatile int *stop, int64_t *compact_revision);

/* Leases: grant one of ttl seconds (*id), keep it alive once (*ttl left,
 * 0 when it expired), revoke it. */
int etcd_lease_grant(struct etcd *e, int64_t ttl, int64_t *id);
int etcd_lease_keepalive(struct etcd *e, int64_t id, int64_t *ttl);
int etcd_lease_revoke(struct etcd *e, int64_t id);

/* base64 (RFC 4648, padded), as etcd's gateway writes keys and values.
 * decode: strict; returns the length or -1. */
size_t etcd_b64_encode(const void *in, size_t len, char *out);
long etcd_b64_decode(const char *in, size_t len, unsigned char *out);

#endif
