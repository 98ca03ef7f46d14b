// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl machines ... */
#include <string.h>
#include <time.h>

#include "ctl/sixpnctl.h"

/* The lifecycle lines of create, move and update. */
static void print_life(const struct reg_machine *m)
{
	printf("state    %s\n", reg_machine_state_name(m->state));
	printf("group    %s\n", m->process_group);
	printf("metadata %s\n", m->metadata[0] ? m->metadata : "-");
}

int cmd_machines_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT("host", 1), OPT("region", 1),
			      OPT("iface", 1), OPT("state", 1), OPT("process-group", 1),
			      OPT("metadata", OPT_REPEAT), OPT_END };
	struct reg_machine_opts mo = { 0 };
	const char *pos[1], *app, *host, *state;
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
	state = opt_get(opts, "state");
	if (state && !(mo.state = reg_machine_state_parse(state)))
		return cli_fail(c, EXIT_USAGE, "machine state '%s' is invalid: must be "
				"created, started or stopped", state);
	mo.region = opt_get(opts, "region");
	mo.iface = opt_get(opts, "iface");
	mo.process_group = opt_get(opts, "process-group");
	mo.metadata = opts[6].vals;
	mo.n_metadata = (size_t)opts[6].nvals;
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_machine_create_opts(c->reg, app, host_id, &mo, &m);
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
	print_life(&m);
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
	printf("%-14s %-24s %-8s %-10s %-40s %-15s %s\n", m->id, m->app, m->region,
	       reg_fmt_id32(m->host_id, h), reg_fmt_addr(&m->addr, 0, a),
	       m->iface[0] ? m->iface : "-", reg_machine_state_name(m->state));
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
			"%-14s %-24s %-8s %-10s %-40s %-15s %s\n", "ID", "APP", "REGION",
			"HOST", "ADDRESS", "IFACE", "STATE");
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

/* machines start ID / machines stop ID */
static int set_state(struct cli *c, int argc, char **argv, enum reg_machine_state state)
{
	const char *pos[1];
	struct reg_machine m;
	struct json j;
	int rc, changed = 0;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	rc = reg_machine_set_state(c->reg, pos[0], state, &m, &changed);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "id", m.id);
		json_str(&j, "state", reg_machine_state_name(m.state));
		json_bool(&j, "changed", changed);
		json_obj_end(&j);
	} else {
		printf("machine %s %s%s\n", m.id, reg_machine_state_name(m.state),
		       changed ? "" : " (it was already)");
	}
	return EXIT_OK;
}

int cmd_machines_start(struct cli *c, int argc, char **argv)
{
	return set_state(c, argc, argv, REG_MACHINE_STARTED);
}

int cmd_machines_stop(struct cli *c, int argc, char **argv)
{
	return set_state(c, argc, argv, REG_MACHINE_STOPPED);
}

int cmd_machines_move(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("host", 1), OPT("region", 1), OPT("iface", 1), OPT_END };
	const char *pos[1], *host;
	char err[512], a[REG_ADDRSTRLEN], h[16], t[32];
	struct reg_machine m, old;
	uint32_t host_id;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	if ((rc = opt_required(c, opts, "host", "HOST_ID", &host)))
		return rc;
	if (reg_parse_host_id(host, &host_id, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_machine_move(c->reg, pos[0], host_id, opt_get(opts, "region"),
			      opt_get(opts, "iface"), &m, &old);
	if (rc)
		return cli_reg_fail(c, rc);
	out_time((int64_t)time(NULL) + reg_quarantine_secs(c->reg), t, sizeof(t));
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_machine(&j, "machine", &m);
		json_str(&j, "old_host", reg_fmt_id32(old.host_id, h));
		json_str(&j, "old_prefix", reg_fmt_addr(&old.prefix, SIXPN_INSTANCE_PREFIX_LEN, a));
		json_str(&j, "old_address", reg_fmt_addr(&old.addr, 0, a));
		json_str(&j, "quarantined_until", t);
		json_obj_end(&j);
		return EXIT_OK;
	}
	printf("machine  %s moved from host %s", m.id, reg_fmt_id32(old.host_id, h));
	printf(" (%s, quarantined until %s)\n",
	       reg_fmt_addr(&old.prefix, SIXPN_INSTANCE_PREFIX_LEN, a), t);
	printf("host     %s (instance %s)\n", reg_fmt_id32(m.host_id, h),
	       reg_fmt_id32(m.instance_id, a));
	printf("region   %s\n", m.region);
	print_life(&m);
	printf("prefix   %s\n", reg_fmt_addr(&m.prefix, SIXPN_INSTANCE_PREFIX_LEN, a));
	printf("address  %s\n", reg_fmt_addr(&m.addr, 0, a));
	return EXIT_OK;
}

int cmd_machines_update(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("metadata", OPT_REPEAT), OPT_END };
	const char *pos[1];
	struct reg_machine m;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	if (!opts[0].nvals)
		return cli_fail(c, EXIT_USAGE, "%s: --metadata KEY=VALUE is required", c->cmd);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_machine_update_metadata(c->reg, pos[0], opts[0].vals, (size_t)opts[0].nvals, &m);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_machine(&j, NULL, &m);
		return EXIT_OK;
	}
	printf("machine  %s\n", m.id);
	print_life(&m);
	return EXIT_OK;
}

#define SIXPN_LOCAL_6PN "sixpn-local-6pn"

/* What Fly gives a machine as FLY_* variables and fly-local-6pn. */
int cmd_machines_env(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("hosts", 0), OPT_END };
	const char *pos[1];
	char a[REG_ADDRSTRLEN], hosts[REG_ADDRSTRLEN + 32];
	struct reg_machine m;
	struct json j;
	int n, rc, i;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_get_machine(c->reg, pos[0], &m);
	if (rc)
		return cli_reg_fail(c, rc);
	reg_fmt_addr(&m.addr, 0, a);
	snprintf(hosts, sizeof(hosts), "%s " SIXPN_LOCAL_6PN, a);
	{
		const char *env[][2] = {
			{ "SIXPN_PRIVATE_IP", a },       { "SIXPN_MACHINE_ID", m.id },
			{ "SIXPN_APP_NAME", m.app },     { "SIXPN_REGION", m.region },
			{ "SIXPN_PROCESS_GROUP", m.process_group },
		};

		if (cli_json(c, &j)) {
			json_obj_begin(&j, NULL);
			json_obj_begin(&j, "env");
			for (i = 0; i < 5; i++)
				json_str_always(&j, env[i][0], env[i][1]);
			json_obj_end(&j);
			json_str(&j, "hosts", hosts);
			json_obj_end(&j);
			return EXIT_OK;
		}
		if (opts[0].set) {
			printf("%s\n", hosts);
			return EXIT_OK;
		}
		for (i = 0; i < 5; i++)
			printf("%s=%s\n", env[i][0], env[i][1]);
	}
	return EXIT_OK;
}
