// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl orgs ... and networks ... */
#include <string.h>

#include "sixpnctl.h"

static void json_org(struct json *j, const char *key, const struct reg_org *o)
{
	char t[32];

	json_obj_begin(j, key);
	json_int(j, "id", o->id);
	json_str(j, "name", o->name);
	json_int(j, "network_count", o->network_count);
	json_int(j, "app_count", o->app_count);
	json_int(j, "peer_count", o->peer_count);
	out_time(o->created_at, t, sizeof(t));
	json_str(j, "created_at", t);
	json_obj_end(j);
}

int cmd_orgs_create(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	struct reg_org o;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc || (rc = cli_open(c)))
		return rc;
	rc = reg_org_create(c->reg, pos[0], &o);
	if (rc)
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_init(&j, stdout);
		json_org(&j, NULL, &o);
	} else {
		printf("created org '%s'\n", o.name);
	}
	return EXIT_OK;
}

struct org_list {
	struct cli *c;
	struct json j;
	uint32_t n;
};

static int print_org(const struct reg_org *o, void *ctx)
{
	struct org_list *l = ctx;

	if (l->c->json)
		json_org(&l->j, NULL, o);
	else
		printf("%-24s %8u %6u %6u\n", o->name, o->network_count,
		       o->app_count, o->peer_count);
	return 0;
}

static int count_org(const struct reg_org *o, void *ctx)
{
	(void)o;
	((struct org_list *)ctx)->n++;
	return 0;
}

int cmd_orgs_list(struct cli *c, int argc, char **argv)
{
	struct org_list l = { .c = c };
	const char *pos[1];
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 0, 0, &n);
	if (rc || (rc = cli_open(c)))
		return rc;
	if ((rc = reg_snapshot_begin(c->reg)) ||
	    (rc = reg_foreach_org(c->reg, count_org, &l)))
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_init(&l.j, stdout);
		json_obj_begin(&l.j, NULL);
		json_int(&l.j, "total_orgs", l.n);
		json_arr_begin(&l.j, "orgs");
	} else {
		printf("%-24s %8s %6s %6s\n", "NAME", "NETWORKS", "APPS", "PEERS");
	}
	rc = reg_foreach_org(c->reg, print_org, &l);
	if (rc)
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_arr_end(&l.j);
		json_obj_end(&l.j);
	}
	reg_snapshot_end(c->reg);
	return EXIT_OK;
}

/* ---- networks ----------------------------------------------------------- */

static void json_network(struct json *j, const char *key,
			 const struct reg_network *n)
{
	struct sixpn_ip6 p;
	char a[REG_ADDRSTRLEN], t[32];

	reg_net_prefix(n->id, &p);
	json_obj_begin(j, key);
	json_str(j, "name", n->name);
	json_int(j, "id", n->id);
	json_str(j, "org", n->org);
	json_str(j, "prefix", reg_fmt_addr(&p, SIXPN_NET_PREFIX_LEN, a));
	json_int(j, "app_count", n->app_count);
	out_time(n->created_at, t, sizeof(t));
	json_str(j, "created_at", t);
	json_obj_end(j);
}

int cmd_networks_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	struct reg_network net;
	struct sixpn_ip6 p;
	char a[REG_ADDRSTRLEN];
	const char *pos[1], *org;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	org = opt_get(opts, "org");
	if (!org)
		return cli_fail(c, EXIT_USAGE, "%s: --org ORG is required", c->cmd);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_network_create(c->reg, org, pos[0], &net);
	if (rc)
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_init(&j, stdout);
		json_network(&j, NULL, &net);
	} else {
		reg_net_prefix(net.id, &p);
		printf("created network '%s' in org '%s': ID %u, prefix %s\n",
		       net.name, net.org, net.id,
		       reg_fmt_addr(&p, SIXPN_NET_PREFIX_LEN, a));
	}
	return EXIT_OK;
}

struct net_list {
	struct cli *c;
	struct json j;
	uint32_t n;
};

static int count_network(const struct reg_network *net, void *ctx)
{
	(void)net;
	((struct net_list *)ctx)->n++;
	return 0;
}

static int print_network(const struct reg_network *net, void *ctx)
{
	struct net_list *l = ctx;
	struct sixpn_ip6 p;
	char a[REG_ADDRSTRLEN];

	if (l->c->json) {
		json_network(&l->j, NULL, net);
		return 0;
	}
	reg_net_prefix(net->id, &p);
	printf("%-24s %10u %-24s %6u\n", net->name, net->id,
	       reg_fmt_addr(&p, SIXPN_NET_PREFIX_LEN, a), net->app_count);
	return 0;
}

int cmd_networks_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	struct net_list l = { .c = c };
	struct reg_filter f = { 0 };
	struct reg_org o;
	const char *pos[1];
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &n);
	if (rc)
		return rc;
	f.org = opt_get(opts, "org");
	if (!f.org)
		return cli_fail(c, EXIT_USAGE, "%s: --org ORG is required", c->cmd);
	if ((rc = cli_open(c)))
		return rc;
	if ((rc = reg_snapshot_begin(c->reg)) ||
	    (rc = reg_get_org(c->reg, f.org, &o)) ||
	    (rc = reg_foreach_network(c->reg, &f, count_network, &l)))
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_init(&l.j, stdout);
		json_obj_begin(&l.j, NULL);
		json_int(&l.j, "total_networks", l.n);
		json_arr_begin(&l.j, "networks");
	} else {
		printf("%-24s %10s %-24s %6s\n", "NAME", "ID", "PREFIX", "APPS");
	}
	rc = reg_foreach_network(c->reg, &f, print_network, &l);
	if (rc)
		return cli_reg_fail(c, rc);
	if (c->json) {
		json_arr_end(&l.j);
		json_obj_end(&l.j);
	}
	reg_snapshot_end(c->reg);
	return EXIT_OK;
}
