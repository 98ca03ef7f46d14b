// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: the etcd client's reading of the JSON gateway's
 * replies (loader/etcd/etcd.c), through the public calls sixpnctl and
 * sixpnd make: ranges (one key, a prefix in pages, at a revision), a
 * transaction with its failure reads, a transaction of reads at a revision, a watch stream, lease grant,
 * keepalive and revoke, each with or without authentication (a token
 * first, a refused or expired one) and over one to three endpoints (the
 * retries). The target plays etcd (the etcd_fuzz_server seam): nothing is
 * sent anywhere.
 *
 * Input: one byte choosing the call, one of setup (bit 0: a user, bits
 * 1-2: endpoints), then one answer per request: a byte choosing curl's
 * outcome, the HTTP status (2 bytes, big endian), a byte of piece size
 * (the body is delivered in pieces of that many bytes, 0: at once), the
 * body's length (2 bytes) and the body. Past the last answer no endpoint
 * can be reached.
 *
 * Every return is one of etcd.h's kinds, every key and value handed out is
 * terminated at its length, and a granted lease has an ID. */
#include "fuzz.h"
#include "etcd/etcd.h"
#include "etcd/etcd_int.h"

#define MAX_REQUESTS 32

static struct fz in;
static int requests;

static const int outcomes[] = {
	0,  /* CURLE_OK */
	0, 0, 0,
	7,  /* CURLE_COULDNT_CONNECT: not sent */
	28, /* CURLE_OPERATION_TIMEDOUT: sent, no answer */
	52, /* CURLE_GOT_NOTHING */
	56, /* CURLE_RECV_ERROR */
};

static int server(const char *path, const char *body, long *status,
		  size_t (*deliver)(char *, size_t, size_t, void *), void *ctx)
{
	const uint8_t *p;
	size_t n, piece, off;
	int outcome;

	FZ_CHECK(path[0] == '/' && body && body[0] == '{', "request %s %s", path, body);
	if (!in.n || ++requests > MAX_REQUESTS)
		return 7;
	outcome = outcomes[fz_u8(&in) % (sizeof(outcomes) / sizeof(outcomes[0]))];
	*status = fz_u16(&in);
	piece = fz_u8(&in);
	n = fz_take(&in, fz_u16(&in), &p);
	if (outcome == 7)
		return outcome;
	/* an exact-size copy each piece: a read past what etcd sent is caught */
	for (off = 0; off < n; off += piece) {
		size_t len = piece && piece < n - off ? piece : n - off;
		char *c = fz_dup(p + off, len);
		size_t took = deliver(c, 1, len, ctx);

		free(c);
		if (took != len)
			return 23; /* CURLE_WRITE_ERROR */
		if (!piece)
			break;
	}
	return outcome;
}

static void check_kv(const struct etcd_kv *kv)
{
	FZ_CHECK(kv->key && kv->value, "a kv without key or value");
	FZ_CHECK(kv->key[kv->key_len] == '\0' && kv->value[kv->value_len] == '\0',
		 "a kv not terminated at its length");
}

static int kv_cb(const struct etcd_kv *kv, void *ctx)
{
	int *seen = ctx;

	check_kv(kv);
	return ++*seen > 2000;
}

static int watch_cb(const struct etcd_event *ev, size_t n, int64_t rev, void *ctx)
{
	int *seen = ctx;
	size_t i;

	(void)rev;
	for (i = 0; i < n; i++) {
		check_kv(&ev[i].kv);
		FZ_CHECK(ev[i].deleted == 0 || ev[i].deleted == 1, "deleted %d", ev[i].deleted);
	}
	return ++*seen > 64;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	etcd_fuzz_server = server;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *eps[] = { "http://127.0.0.1:1", "http://127.0.0.2:1", "http://127.0.0.3:1" };
	struct etcd_cfg cfg = { 0 };
	struct etcd *e;
	struct etcd_txn *t;
	volatile int stop = 0;
	int64_t rev = -7, v = -7;
	int rc, seen = 0, ok = -1, setup, i;
	const char *err;

	if (size < 2)
		return 0;
	in = (struct fz){ data, size };
	requests = 0;
	int call = fz_u8(&in) % 9;

	setup = fz_u8(&in);
	cfg.n_endpoints = 1 + (setup >> 1 & 3) % 3;
	for (i = 0; i < cfg.n_endpoints; i++)
		cfg.endpoints[i] = eps[i];
	if (setup & 1) {
		cfg.user = "sixpnd";
		snprintf(cfg.password, sizeof(cfg.password), "secret");
	}
	e = etcd_new(&cfg);
	FZ_CHECK(e, "etcd_new");
	switch (call) {
	case 0:
		rc = etcd_range(e, "/sixpn/", 7, "/sixpn0", 7, 0, kv_cb, &seen, &rev);
		FZ_CHECK(rc || rev >= 0, "range revision %lld", (long long)rev);
		break;
	case 1:
		rc = etcd_range(e, "/sixpn/rev", 10, NULL, 0, 0, kv_cb, &seen, &rev);
		break;
	case 2:
		rc = etcd_range(e, "/sixpn/", 7, "/sixpn0", 7, 42, kv_cb, &seen, NULL);
		break;
	case 3:
		t = etcd_txn_new();
		etcd_txn_cmp_mod(t, "/sixpn/rev", 10, 5);
		etcd_txn_put(t, "/sixpn/rev", 10, "{}", 2, 0);
		etcd_txn_del(t, "/sixpn/orgs/1", 13);
		etcd_txn_fail_get(t, "/sixpn/rev", 10);
		rc = etcd_txn_commit(e, t, &ok, &rev, kv_cb, &seen);
		FZ_CHECK(ok == 0 || ok == 1, "succeeded %d", ok);
		FZ_CHECK(!ok || !rc, "succeeded, yet rc %d", rc);
		etcd_txn_free(t);
		break;
	case 4:
		rc = etcd_watch(e, "/sixpn/", 7, "/sixpn0", 7, 3, watch_cb, &seen, &stop, &rev);
		FZ_CHECK(rc != ETCD_ESTOPPED, "stopped without a stop");
		break;
	case 5:
		rc = etcd_lease_grant(e, 10, &v);
		FZ_CHECK(rc || v != 0, "a lease granted without an ID");
		break;
	case 6:
		rc = etcd_lease_keepalive(e, 0x1234, &v);
		break;
	case 7: {
		/* a catch-up's reads of the keys the writes since touched */
		static char k1[] = "/sixpn/machines/a", k2[] = "/sixpn/hosts/1";
		char *const keys[] = { k1, k2 };

		rc = etcd_get_at(e, keys, 2, 42, kv_cb, &seen);
		break;
	}
	default:
		rc = etcd_lease_revoke(e, 0x1234);
		break;
	}
	FZ_CHECK(rc >= ETCD_OK && rc <= ETCD_ESTOPPED, "rc %d", rc);
	err = etcd_errmsg(e);
	FZ_CHECK(strlen(err) < 512, "error message");
	FZ_CHECK(strlen(etcd_endpoint(e)) > 0, "no endpoint");
	etcd_free(e);
	return 0;
}
