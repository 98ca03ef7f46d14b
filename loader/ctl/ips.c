// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl ips ...: Flycast service addresses (docs/design.md section 7). */
#include <string.h>

#include "api/api.h"
#include "ctl/sixpnctl.h"

static void ports_text(const struct reg_flycast *f, char *buf, size_t len)
{
	size_t off = 0;
	uint32_t i;

	if (!f->nports) {
		snprintf(buf, len, "all");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < f->nports && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "", f->ports[i]);
}

int cmd_ips_allocate(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT("network", 1), OPT("ports", 1), OPT_END };
	char a[REG_ADDRSTRLEN], p[64];
	struct reg_flycast f;
	const char *app;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, &n);
	if (rc || (rc = opt_required(c, opts, "app", "APP", &app)) ||
	    (rc = cli_open(c)))
		return rc;
	rc = reg_flycast_allocate(c->reg, app, opt_get(opts, "network"),
				  opt_get(opts, "ports"), &f);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		api_json_flycast(&j, NULL, &f, NULL, false);
		return EXIT_OK;
	}
	ports_text(&f, p, sizeof(p));
	printf("allocated Flycast address %s for app '%s' in network '%s' "
	       "(ports: %s)\n", reg_fmt_addr(&f.addr, 0, a), f.app, f.network, p);
	return EXIT_OK;
}

struct backend_walk {
	int first;
};

static int print_backend(const struct reg_machine *m, void *ctx)
{
	struct backend_walk *w = ctx;
	char a[REG_ADDRSTRLEN];

	printf("%s%s", w->first ? "" : ",", reg_fmt_addr(&m->addr, 0, a));
	w->first = 0;
	return 0;
}

static int print_ip(const struct reg_flycast *f, void *ctx)
{
	struct cli_list *l = ctx;
	struct backend_walk w = { 1 };
	char a[REG_ADDRSTRLEN], p[64];
	int rc;

	if (!cli_list_row(l))
		return 0;
	if (l->c->json)
		return api_json_flycast(&l->j, NULL, f, l->c->reg, false);
	ports_text(f, p, sizeof(p));
	printf("%-40s %-20s %-20s %-16s ", reg_fmt_addr(&f->addr, 0, a), f->app,
	       f->network, p);
	rc = reg_flycast_backends(l->c->reg, f, print_backend, &w);
	printf("%s\n", w.first ? "-" : "");
	return rc;
}

static int walk_ips(struct cli_list *l)
{
	return reg_foreach_flycast(l->c->reg, &l->f, print_ip, l);
}

int cmd_ips_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT_END };
	struct cli_list l = { .c = c };
	struct reg_app a;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, &n);
	if (rc || (rc = opt_required(c, opts, "app", "APP", &l.f.app)) ||
	    (rc = cli_open(c)) || (rc = cli_snapshot(c, NULL)))
		return rc;
	if ((rc = reg_get_app(c->reg, l.f.app, &a))) {
		reg_snapshot_end(c->reg);
		return cli_reg_fail(c, rc);
	}
	return cli_list(&l, "ips", walk_ips, "%-40s %-20s %-20s %-16s %s\n",
			"ADDRESS", "APP", "NETWORK", "PORTS", "BACKENDS");
}

int cmd_ips_release(struct cli *c, int argc, char **argv)
{
	char a[REG_ADDRSTRLEN], err[256];
	struct reg_flycast f;
	struct sixpn_ip6 ip;
	const char *pos[1];
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc)
		return rc;
	if (reg_parse_flycast_addr(pos[0], &ip, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_flycast_release(c->reg, NULL, &ip, &f);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		api_json_flycast(&j, NULL, &f, NULL, true);
		return EXIT_OK;
	}
	printf("released Flycast address %s of app '%s' for network '%s'\n",
	       reg_fmt_addr(&f.addr, 0, a), f.app, f.network);
	return EXIT_OK;
}
