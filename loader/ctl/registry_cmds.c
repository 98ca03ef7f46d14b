// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl registry export|import: a single-host registry file onto etcd
 * and back (docs/registry.md "ON ETCD"). */
#include "ctl/sixpnctl.h"

static int need_etcd(struct cli *c)
{
	if (!c->use_etcd)
		return cli_fail(c, EXIT_USAGE, "%s: needs --etcd URLS (or SIXPN_ETCD)",
				c->cmd);
	return EXIT_OK;
}

int cmd_registry_export(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc || (rc = need_etcd(c)) || (rc = cli_open(c)))
		return rc;
	rc = reg_export(c->reg, pos[0]);
	if (rc)
		return cli_reg_fail(c, rc);
	printf("exported the registry in etcd to %s\n", pos[0]);
	return EXIT_OK;
}

int cmd_registry_import(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	size_t rows = 0;
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc || (rc = need_etcd(c)) || (rc = cli_open(c)))
		return rc;
	rc = reg_import(c->reg, pos[0], &rows);
	if (rc)
		return cli_reg_fail(c, rc);
	printf("imported %zu rows from %s into etcd\n", rows, pos[0]);
	return EXIT_OK;
}
