// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl apps ... */
#include <string.h>

#include "ctl/sixpnctl.h"

int cmd_apps_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT("network", 1), OPT_END };
	const char *pos[1], *org;
	struct reg_app a;
	char pfx[REG_ADDRSTRLEN];
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc || (rc = opt_required(c, opts, "org", "ORG", &org)) ||
	    (rc = cli_open(c)))
		return rc;
	rc = reg_app_create(c->reg, pos[0], org, opt_get(opts, "network"), &a);
	if (rc)
		return cli_reg_fail(c, rc);
	out_net_prefix(a.network_id, pfx);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "id", a.id);
		json_str(&j, "name", a.name);
		json_str(&j, "org", a.org);
		json_str(&j, "network", a.network);
		json_int(&j, "network_id", a.network_id);
		json_str(&j, "prefix", pfx);
		json_time(&j, "created_at", a.created_at);
		json_obj_end(&j);
	} else {
		printf("created app '%s' (ID %s) in org '%s' on network '%s' "
		       "(ID %u, %s)\n", a.name, a.id, a.org, a.network,
		       a.network_id, pfx);
	}
	return EXIT_OK;
}

static int print_app(const struct reg_app *a, void *ctx)
{
	struct cli_list *l = ctx;

	if (!cli_list_row(l))
		return 0;
	if (!l->c->json) {
		printf("%-32s %-16s %-24s %8u\n", a->name, a->id, a->network,
		       a->machine_count);
		return 0;
	}
	/* exactly the Machines API's fields */
	json_obj_begin(&l->j, NULL);
	json_str(&l->j, "id", a->id);
	json_str(&l->j, "name", a->name);
	json_int(&l->j, "machine_count", a->machine_count);
	json_str(&l->j, "network", a->network);
	json_obj_end(&l->j);
	return 0;
}

static int walk_apps(struct cli_list *l)
{
	return reg_foreach_app(l->c->reg, &l->f, print_app, l);
}

int cmd_apps_list(struct cli *c, int argc, char **argv)
{
	return cli_list_cmd(c, argc, argv, true, "apps", walk_apps, "%-32s %-16s %-24s %8s\n",
			    "NAME", "ID", "NETWORK", "MACHINES");
}

int cmd_apps_destroy(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	uint32_t machines = 0;
	struct json j;
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	rc = reg_app_destroy(c->reg, pos[0], &machines);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", pos[0]);
		json_bool(&j, "destroyed", 1);
		json_int(&j, "machines_destroyed", machines);
		json_obj_end(&j);
	} else {
		printf("destroyed app '%s' and its %u machine%s\n", pos[0],
		       machines, machines == 1 ? "" : "s");
	}
	return EXIT_OK;
}
