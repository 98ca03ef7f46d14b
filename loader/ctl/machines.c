// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl machines ... */
#include <string.h>
#include <time.h>

#include "ctl/sixpnctl.h"

int cmd_machines_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT("host", 1), OPT("region", 1),
			      OPT("iface", 1), OPT_END };
	const char *pos[1], *app, *host;
	char err[512], a[REG_ADDRSTRLEN], h[16];
	struct reg_machine m;
	uint32_t host_id;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &n);
	if (rc)
		return rc;
	app = opt_get(opts, "app");
	host = opt_get(opts, "host");
	if (!app || !host)
		return cli_fail(c, EXIT_USAGE, "%s: --app APP and --host HOST_ID "
				"are required", c->cmd);
	if (reg_parse_host_id(host, &host_id, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_machine_create(c->reg, app, host_id, opt_get(opts, "region"),
				opt_get(opts, "iface"), &m);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_machine(&j, NULL, &m);
		return EXIT_OK;
	}
	printf("machine  %s\n", m.id);
	printf("app      %s (org %s)\n", m.app, m.org);
	printf("host     %s (instance %s)\n", reg_fmt_id32(m.host_id, h),
	       reg_fmt_id32(m.instance_id, a));
	printf("region   %s\n", m.region);
	printf("prefix   %s\n", reg_fmt_addr(&m.prefix, SIXPN_INSTANCE_PREFIX_LEN, a));
	printf("address  %s\n", reg_fmt_addr(&m.addr, 0, a));
	return EXIT_OK;
}

static int print_machine(const struct reg_machine *m, void *ctx)
{
	struct cli_list *l = ctx;
	char a[REG_ADDRSTRLEN], h[16];

	if (!cli_list_row(l))
		return 0;
	if (l->c->json) {
		json_machine(&l->j, NULL, m);
		return 0;
	}
	printf("%-14s %-24s %-8s %-10s %-40s %s\n", m->id, m->app, m->region,
	       reg_fmt_id32(m->host_id, h), reg_fmt_addr(&m->addr, 0, a),
	       m->iface[0] ? m->iface : "-");
	return 0;
}

static int walk_machines(struct cli_list *l)
{
	return reg_foreach_machine(l->c->reg, &l->f, print_machine, l);
}

int cmd_machines_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT("host", 1), OPT_END };
	struct cli_list l = { .c = c };
	struct reg_filter *f = &l.f;
	const char *pos[1], *host;
	char err[512];
	struct reg_host h;
	struct reg_app a;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &n);
	if (rc)
		return rc;
	f->app = opt_get(opts, "app");
	host = opt_get(opts, "host");
	if (host && reg_parse_host_id(host, &f->host_id, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = cli_open(c)))
		return rc;
	if ((rc = reg_snapshot_begin(c->reg)) ||
	    (f->app && (rc = reg_get_app(c->reg, f->app, &a))) ||
	    (f->host_id && (rc = reg_get_host(c->reg, f->host_id, &h))))
		return cli_reg_fail(c, rc);
	if (f->app)  /* an app ID works too */
		f->app = a.name;
	return cli_list(&l, "machines", walk_machines,
			"%-14s %-24s %-8s %-10s %-40s %s\n", "ID", "APP", "REGION",
			"HOST", "ADDRESS", "IFACE");
}

int cmd_machines_destroy(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	char a[REG_ADDRSTRLEN], t[32];
	struct reg_machine m;
	int64_t until;
	struct json j;
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	rc = reg_machine_destroy(c->reg, pos[0], &m);
	if (rc)
		return cli_reg_fail(c, rc);
	until = (int64_t)time(NULL) + reg_quarantine_secs(c->reg);
	out_time(until, t, sizeof(t));
	reg_fmt_addr(&m.prefix, SIXPN_INSTANCE_PREFIX_LEN, a);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "id", m.id);
		json_bool(&j, "destroyed", 1);
		json_str(&j, "prefix", a);
		json_str(&j, "quarantined_until", t);
		json_obj_end(&j);
	} else {
		printf("destroyed machine %s; its prefix %s is quarantined "
		       "until %s\n", m.id, a, t);
	}
	return EXIT_OK;
}
