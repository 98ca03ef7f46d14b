// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: registry rows in etcd written by anyone (etcdctl put
 * by hand: any key, any value), loaded the two ways they are loaded, both
 * through rows.c's rows_apply: sixpnctl --etcd's in-memory copy
 * (store_etcd.c's store_load) and sixpnd's mirror (store_mirror.c: the full
 * list reconciled into the file, then the watch's batches of events). The
 * target plays etcd behind the real client (the etcd_fuzz_server seam): a
 * range answers the listed key-values, a watch streams the batches.
 *
 * Input: records, each a byte of kind (0 a key-value of the list, the
 * last one of a key listed twice standing: etcd has one value per key; 1 a put
 * event, 2 a delete event, 3 the end of a watch batch), the key after the
 * prefix /sixpn/ (2 bytes of length, big endian, and the bytes) and the
 * value (the same way).
 *
 * Checks: every string the registry hands out is terminated; the copy and
 * the mirror, loaded from the same list, hold the same rows; and what
 * either holds is a fixed point: its rows (rows_foreach, as export writes
 * them) applied again change nothing and are all accepted. */
#include <json-c/json.h>

#include "fuzz.h"
#include "etcd/etcd.h"
#include "etcd/etcd_int.h"
#include "lib/log.h"
#include "registry/registry_int.h"
#include "registry/rows.h"

#define PREFIX "/sixpn/"
#define MAX_RECORDS 128
#define BASE_REV 100

struct rec {
	int kind;
	char *key, *value;
	size_t klen, vlen;
};

static struct rec recs[MAX_RECORDS];
static size_t n_recs;

static void add_b64(json_object *o, const char *name, const char *p, size_t n)
{
	char *s = malloc(n / 3 * 4 + 5);

	FZ_CHECK(s, "oom");
	etcd_b64_encode(p, n, s);
	json_object_object_add(o, name, json_object_new_string(s));
	free(s);
}

static json_object *kv_json(const struct rec *r, int64_t rev)
{
	json_object *kv = json_object_new_object();
	char full[600];
	size_t n = (size_t)snprintf(full, sizeof(full), PREFIX);

	memcpy(full + n, r->key, r->klen);
	add_b64(kv, "key", full, n + r->klen);
	if (r->kind != 2)
		add_b64(kv, "value", r->value, r->vlen);
	json_object_object_add(kv, "create_revision", json_object_new_string("2"));
	snprintf(full, sizeof(full), "%lld", (long long)rev);
	json_object_object_add(kv, "mod_revision", json_object_new_string(full));
	json_object_object_add(kv, "version", json_object_new_string("1"));
	return kv;
}

static json_object *header(int64_t rev)
{
	json_object *h = json_object_new_object(), *o = json_object_new_object();
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)rev);
	json_object_object_add(h, "revision", json_object_new_string(s));
	json_object_object_add(o, "header", h);
	return o;
}

static size_t send_obj(json_object *o, size_t (*deliver)(char *, size_t, size_t, void *),
		       void *ctx)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *c = fz_dup(s, strlen(s));
	size_t len = strlen(s), took = deliver(c, 1, len, ctx);

	free(c);
	json_object_put(o);
	return took == len;
}

/* etcd holds one value per key: a key listed twice is its last value. */
static int listed(size_t i)
{
	size_t j;

	if (recs[i].kind != 0)
		return 0;
	for (j = i + 1; j < n_recs; j++)
		if (recs[j].kind == 0 && recs[j].klen == recs[i].klen &&
		    !memcmp(recs[j].key, recs[i].key, recs[i].klen))
			return 0;
	return 1;
}

static int server(const char *path, const char *body, long *status,
		  size_t (*deliver)(char *, size_t, size_t, void *), void *ctx)
{
	json_object *o, *a, *res, *evs = NULL;
	int64_t rev = BASE_REV;
	size_t i;

	(void)body;
	*status = 200;
	if (!strcmp(path, "/v3/kv/range")) {
		o = header(BASE_REV);
		a = json_object_new_array();
		for (i = 0; i < n_recs; i++)
			if (listed(i))
				json_object_array_add(a, kv_json(&recs[i], 3 + (int64_t)i));
		json_object_object_add(o, "kvs", a);
		return send_obj(o, deliver, ctx) ? 0 : 23;
	}
	if (strcmp(path, "/v3/watch"))
		return 7;
	o = json_object_new_object();
	res = header(BASE_REV);
	json_object_object_add(res, "created", json_object_new_boolean(1));
	json_object_object_add(o, "result", res);
	if (!send_obj(o, deliver, ctx))
		return 23;
	for (i = 0; i <= n_recs; i++) {
		if (i == n_recs || recs[i].kind == 3) {
			if (!evs)
				continue;
			o = json_object_new_object();
			res = header(rev);
			json_object_object_add(res, "events", evs);
			json_object_object_add(o, "result", res);
			evs = NULL;
			if (!send_obj(o, deliver, ctx))
				return 23;
			continue;
		}
		if (recs[i].kind == 0)
			continue;
		if (!evs)
			evs = json_object_new_array();
		json_object *ev = json_object_new_object();

		if (recs[i].kind == 2)
			json_object_object_add(ev, "type", json_object_new_string("DELETE"));
		json_object_object_add(ev, "kv", kv_json(&recs[i], ++rev));
		json_object_array_add(evs, ev);
	}
	return 0;   /* the stream ends */
}

/* ---- the checks ---------------------------------------------------------- */

static int org_cb(const struct reg_org *o, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(o->name), "org name");
	return 0;
}

static int app_cb(const struct reg_app *a, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(a->id) && FZ_TERMINATED(a->name) && FZ_TERMINATED(a->org) &&
		 FZ_TERMINATED(a->network), "app strings");
	return 0;
}

static int host_cb(const struct reg_host *h, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(h->region) && FZ_TERMINATED(h->endpoint) &&
		 FZ_TERMINATED(h->public_key) && FZ_TERMINATED(h->peers_endpoint) &&
		 FZ_TERMINATED(h->peers_public_key), "host strings");
	return 0;
}

static int machine_cb(const struct reg_machine *m, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(m->id) && FZ_TERMINATED(m->app) && FZ_TERMINATED(m->org) &&
		 FZ_TERMINATED(m->region) && FZ_TERMINATED(m->iface), "machine strings");
	FZ_CHECK(sixpn_net_id(&m->addr) == m->network_id && sixpn_host_id(&m->addr) == m->host_id,
		 "a machine's address");
	return 0;
}

static int peer_cb(const struct reg_peer *p, void *ctx)
{
	(void)ctx;
	FZ_CHECK(FZ_TERMINATED(p->name) && FZ_TERMINATED(p->org) && FZ_TERMINATED(p->public_key),
		 "peer strings");
	return 0;
}

struct dump {
	char *s;
	size_t len;
};

static int dump_row(const char *key, const char *value, void *ctx)
{
	struct dump *d = ctx;
	size_t k = strlen(key), v = strlen(value);
	char *p = realloc(d->s, d->len + k + v + 3);

	FZ_CHECK(p, "oom");
	d->s = p;
	d->len += (size_t)sprintf(d->s + d->len, "%s=%s\n", key, value);
	return 0;
}

/* The rows of db as export writes them; and they are a fixed point. */
static char *rows_of(struct reg *r)
{
	struct rows_schema s;
	struct dump d = { calloc(1, 1), 0 };
	struct rows_report rep = { 0 };
	struct rows_kv *kv;
	char err[512], *line, *save = NULL, *copy;
	size_t n = 0, i;

	FZ_CHECK(!rows_schema_load(r->db, &s, err, sizeof(err)), "schema: %s", err);
	FZ_CHECK(!rows_foreach(r->db, &s, dump_row, &d, err, sizeof(err)), "rows: %s", err);
	copy = strdup(d.s);
	kv = calloc(d.len + 1, sizeof(*kv));
	FZ_CHECK(copy && kv, "oom");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *rest;
		char *eq = strchr(line, '=');

		FZ_CHECK(eq, "a row without a value: %s", line);
		*eq = '\0';
		kv[n].key = line;
		kv[n].value = eq + 1;
		kv[n].t = rows_table_of(&s, line, &rest);
		FZ_CHECK(kv[n].t, "a stored row of no table: %s", line);
		n++;
	}
	FZ_CHECK(!reg_exec(r, "BEGIN"), "begin");
	FZ_CHECK(!rows_apply(r->db, &s, kv, n, &rep, err, sizeof(err)), "apply: %s", err);
	FZ_CHECK(!reg_exec(r, "COMMIT"), "commit");
	FZ_CHECK(rep.bad_rows == 0 && rep.changed == 0,
		 "its own rows applied again: %zu refused, %zu changed\n%s", rep.bad_rows,
		 rep.changed, d.s);
	for (i = 0; i < n; i++)
		free(kv[i].canon);
	free(kv);
	free(copy);
	return d.s;
}

static void read_all(struct reg *r)
{
	reg_foreach_org(r, org_cb, NULL);
	reg_foreach_app(r, NULL, app_cb, NULL);
	reg_foreach_host(r, host_cb, NULL);
	reg_foreach_machine(r, NULL, machine_cb, NULL);
	reg_foreach_peer(r, NULL, peer_cb, NULL);
}

struct run {
	char *copy_rows;   /* sixpnctl's copy, or NULL when it refused to load */
};

static void after(struct reg *file, int step, void *ctx)
{
	struct run *run = ctx;
	char *rows;

	read_all(file);
	rows = rows_of(file);
	if (step == 0 && run->copy_rows)
		FZ_CHECK(!strcmp(rows, run->copy_rows),
			 "the mirror and sixpnctl's copy differ:\nmirror:\n%s\ncopy:\n%s", rows,
			 run->copy_rows);
	free(rows);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sixpn_log_threshold = getenv("FZ_VERBOSE") ? SIXPN_LOG_DEBUG : SIXPN_LOG_ERROR;
	etcd_fuzz_server = server;
	return 0;
}

static char *take_str(struct fz *f, size_t *len)
{
	const uint8_t *p;
	size_t n = fz_take(f, fz_u16(f) % 4096, &p);
	char *s = malloc(n + 1);

	FZ_CHECK(s, "oom");
	memcpy(s, p, n);
	s[n] = '\0';
	*len = n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char ep[] = "http://127.0.0.1:1";
	struct etcd_cfg cfg = { .endpoints = { ep }, .n_endpoints = 1 };
	struct fz f = { data, size };
	struct run run = { 0 };
	struct reg *r;
	size_t i;
	int rc;

	n_recs = 0;
	while (f.n && n_recs < MAX_RECORDS) {
		struct rec *c = &recs[n_recs++];

		c->kind = fz_u8(&f) % 4;
		c->key = take_str(&f, &c->klen);
		c->value = take_str(&f, &c->vlen);
		if (c->klen > 500)
			c->klen = 500;
	}
	/* sixpnctl --etcd: the whole prefix into a copy in memory */
	rc = reg_open_etcd(&r, &cfg, NULL, 0);
	if (rc == REG_OK) {
		read_all(r);
		run.copy_rows = rows_of(r);
	}
	reg_close(r);
	/* sixpnd --etcd: the mirror */
	rc = reg_mirror_fuzz(&cfg, ":memory:", after, &run);
	FZ_CHECK(rc == REG_OK, "the mirror could not list: %d", rc);
	free(run.copy_rows);
	for (i = 0; i < n_recs; i++) {
		free(recs[i].key);
		free(recs[i].value);
	}
	return 0;
}
