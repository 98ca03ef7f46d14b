// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A reader of the registry through its read API (loader/registry/registry.h), as
 * sixpnd uses it; driven by test_changelog.sh.
 *
 *   registry_reader PATH seq             the current change seq
 *   registry_reader PATH changes SINCE   "seq table key op" per change
 *   registry_reader PATH dump            every row, one line each
 *   registry_reader PATH get TABLE KEY   one row by its change-log key
 *
 * Opens read-only; exits with the registry's return code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

static const char *ops[] = { "?", "insert", "update", "delete" };

static int pr_change(const struct reg_change *c, void *ctx)
{
	(void)ctx;
	printf("%lld %s %s %s\n", (long long)c->seq, c->table, c->key, ops[c->op]);
	return 0;
}

static int pr_org(const struct reg_org *o, void *ctx)
{
	(void)ctx;
	printf("org %lld %s\n", (long long)o->id, o->name);
	return 0;
}

static int pr_network(const struct reg_network *n, void *ctx)
{
	(void)ctx;
	printf("network %u %s %s\n", n->id, n->org, n->name);
	return 0;
}

static int pr_app(const struct reg_app *a, void *ctx)
{
	(void)ctx;
	printf("app %s %s %s %u %s %u\n", a->id, a->name, a->org, a->network_id,
	       a->network, a->machine_count);
	return 0;
}

static int pr_host(const struct reg_host *h, void *ctx)
{
	char id[16];

	(void)ctx;
	printf("host %s %s %s %s %s %s\n", reg_fmt_id32(h->id, id), h->region,
	       h->endpoint[0] ? h->endpoint : "-",
	       h->public_key[0] ? h->public_key : "-",
	       h->peers_endpoint[0] ? h->peers_endpoint : "-",
	       h->peers_public_key[0] ? h->peers_public_key : "-");
	return 0;
}

static int pr_machine(const struct reg_machine *m, void *ctx)
{
	char a[REG_ADDRSTRLEN], p[REG_ADDRSTRLEN], h[16];

	(void)ctx;
	printf("machine %s %s %s %u %s %u %s %s %s %s\n", m->id, m->app, m->org,
	       m->network_id, reg_fmt_id32(m->host_id, h), m->instance_id,
	       m->region, m->iface[0] ? m->iface : "-",
	       reg_fmt_addr(&m->prefix, SIXPN_INSTANCE_PREFIX_LEN, p),
	       reg_fmt_addr(&m->addr, 0, a));
	return 0;
}

static int pr_peer(const struct reg_peer *w, void *ctx)
{
	char a[REG_ADDRSTRLEN], p[REG_ADDRSTRLEN], h[16];

	(void)ctx;
	printf("peer %lld %s %s %u %s %u %u %s %s %s\n", (long long)w->id, w->name,
	       w->org, w->network_id, reg_fmt_id32(w->gw_host_id, h),
	       w->gw_instance_id, w->slot, w->public_key,
	       reg_fmt_addr(&w->prefix, SIXPN_PEER_PREFIX_LEN, p),
	       reg_fmt_addr(&w->addr, 0, a));
	return 0;
}

static int get(struct reg *r, const char *table, const char *key)
{
	union {
		struct reg_org o;
		struct reg_network n;
		struct reg_app a;
		struct reg_host h;
		struct reg_machine m;
		struct reg_peer p;
	} u;
	int rc;

	if (!strcmp(table, "networks")) {
		rc = reg_get_network(r, (uint32_t)strtoul(key, NULL, 10), &u.n);
		return rc ? rc : pr_network(&u.n, NULL);
	}
	if (!strcmp(table, "apps")) {
		rc = reg_get_app(r, key, &u.a);
		return rc ? rc : pr_app(&u.a, NULL);
	}
	if (!strcmp(table, "hosts")) {
		rc = reg_get_host(r, (uint32_t)strtoul(key, NULL, 10), &u.h);
		return rc ? rc : pr_host(&u.h, NULL);
	}
	if (!strcmp(table, "machines")) {
		rc = reg_get_machine(r, key, &u.m);
		return rc ? rc : pr_machine(&u.m, NULL);
	}
	if (!strcmp(table, "peers")) {
		rc = reg_get_peer(r, strtoll(key, NULL, 10), &u.p);
		return rc ? rc : pr_peer(&u.p, NULL);
	}
	if (!strcmp(table, "orgs")) {
		rc = reg_get_org(r, key, &u.o);
		return rc ? rc : pr_org(&u.o, NULL);
	}
	fprintf(stderr, "registry_reader: unknown table %s\n", table);
	return 2;
}

int main(int argc, char **argv)
{
	struct reg *r;
	int64_t seq;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: registry_reader PATH seq|changes SINCE|dump|get TABLE KEY\n");
		return 2;
	}
	rc = reg_open(&r, argv[1], REG_OPEN_READONLY);
	if (rc)
		goto out;
	rc = reg_snapshot_begin(r);
	if (rc)
		goto out;
	if (!strcmp(argv[2], "seq")) {
		rc = reg_change_seq(r, &seq);
		if (!rc)
			printf("%lld\n", (long long)seq);
	} else if (!strcmp(argv[2], "changes") && argc == 4) {
		rc = reg_foreach_change(r, strtoll(argv[3], NULL, 10), pr_change, NULL);
	} else if (!strcmp(argv[2], "dump")) {
		(void)((rc = reg_foreach_org(r, pr_org, NULL)) ||
		       (rc = reg_foreach_network(r, NULL, pr_network, NULL)) ||
		       (rc = reg_foreach_app(r, NULL, pr_app, NULL)) ||
		       (rc = reg_foreach_host(r, pr_host, NULL)) ||
		       (rc = reg_foreach_machine(r, NULL, pr_machine, NULL)) ||
		       (rc = reg_foreach_peer(r, NULL, pr_peer, NULL)));
	} else if (!strcmp(argv[2], "get") && argc == 5) {
		rc = get(r, argv[3], argv[4]);
	} else {
		fprintf(stderr, "registry_reader: bad arguments\n");
		rc = 2;
	}
	reg_snapshot_end(r);
out:
	if (rc)
		fprintf(stderr, "registry_reader: %s\n", reg_errmsg(r));
	reg_close(r);
	return rc;
}
