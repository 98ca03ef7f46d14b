// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl orgs ... and networks ... */
#include <string.h>

#include "ctl/sixpnctl.h"

static void json_org(struct json *j, const char *key, const struct reg_org *o)
{
	json_obj_begin(j, key);
	json_int(j, "id", o->id);
	json_str(j, "name", o->name);
	json_int(j, "network_count", o->network_count);
	json_int(j, "app_count", o->app_count);
	json_int(j, "peer_count", o->peer_count);
	json_time(j, "created_at", o->created_at);
	json_obj_end(j);
}

int cmd_orgs_create(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	struct reg_org o;
	struct json j;
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	rc = reg_org_create(c->reg, pos[0], &o);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_org(&j, NULL, &o);
	} else {
		printf("created org '%s'\n", o.name);
	}
	return EXIT_OK;
}

static int print_org(const struct reg_org *o, void *ctx)
{
	struct cli_list *l = ctx;

	if (!cli_list_row(l))
		return 0;
	if (l->c->json)
		json_org(&l->j, NULL, o);
	else
		printf("%-24s %8u %6u %6u\n", o->name, o->network_count,
		       o->app_count, o->peer_count);
	return 0;
}

static int walk_orgs(struct cli_list *l)
{
	return reg_foreach_org(l->c->reg, print_org, l);
}

int cmd_orgs_list(struct cli *c, int argc, char **argv)
{
	return cli_list_cmd(c, argc, argv, false, "orgs", walk_orgs, "%-24s %8s %6s %6s\n",
			    "NAME", "NETWORKS", "APPS", "PEERS");
}

/* ---- networks ----------------------------------------------------------- */

static void json_network(struct json *j, const char *key,
			 const struct reg_network *n)
{
	char a[REG_ADDRSTRLEN];

	json_obj_begin(j, key);
	json_str(j, "name", n->name);
	json_int(j, "id", n->id);
	json_str(j, "org", n->org);
	json_str(j, "prefix", out_net_prefix(n->id, a));
	json_int(j, "app_count", n->app_count);
	json_time(j, "created_at", n->created_at);
	json_obj_end(j);
}

int cmd_networks_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	struct reg_network net;
	char a[REG_ADDRSTRLEN];
	const char *pos[1], *org;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc || (rc = opt_required(c, opts, "org", "ORG", &org)) ||
	    (rc = cli_open(c)))
		return rc;
	rc = reg_network_create(c->reg, org, pos[0], &net);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_network(&j, NULL, &net);
	} else {
		printf("created network '%s' in org '%s': ID %u, prefix %s\n",
		       net.name, net.org, net.id, out_net_prefix(net.id, a));
	}
	return EXIT_OK;
}

static int print_network(const struct reg_network *net, void *ctx)
{
	struct cli_list *l = ctx;
	char a[REG_ADDRSTRLEN];

	if (!cli_list_row(l))
		return 0;
	if (l->c->json) {
		json_network(&l->j, NULL, net);
		return 0;
	}
	printf("%-24s %10u %-24s %6u\n", net->name, net->id,
	       out_net_prefix(net->id, a), net->app_count);
	return 0;
}

static int walk_networks(struct cli_list *l)
{
	return reg_foreach_network(l->c->reg, &l->f, print_network, l);
}

int cmd_networks_list(struct cli *c, int argc, char **argv)
{
	return cli_list_cmd(c, argc, argv, true, "networks", walk_networks,
			    "%-24s %10s %-24s %6s\n", "NAME", "ID", "PREFIX", "APPS");
}
