// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl hosts ... */
#include <string.h>

#include "ctl/sixpnctl.h"

static void json_host(struct json *j, const char *key, const struct reg_host *h,
		      int connected)
{
	char id[16];

	json_obj_begin(j, key);
	json_str(j, "id", reg_fmt_id32(h->id, id));
	json_str(j, "region", h->region);
	json_str(j, "endpoint", h->endpoint);
	json_str(j, "public_key", h->public_key);
	json_str(j, "peers_endpoint", h->peers_endpoint);
	json_str(j, "peers_public_key", h->peers_public_key);
	json_bool(j, "gateway", h->peers_endpoint[0] != '\0');
	json_int(j, "machine_count", h->machine_count);
	json_int(j, "peer_count", h->peer_count);
	json_time(j, "created_at", h->created_at);
	if (connected >= 0)   /* on etcd: its sixpnd holds its lease */
		json_bool(j, "connected", connected);
	json_obj_end(j);
}

/* Validates v with the registry's rule for `what` and copies it. */
static int set_field(struct cli *c, char *dst, size_t len, const char *what,
		     const char *v)
{
	char err[512];
	int rc;

	if (!v)
		return EXIT_OK;
	if (!strcmp(what, "region"))
		rc = reg_check_region(v, err, sizeof(err));
	else if (strstr(what, "endpoint"))
		rc = reg_check_endpoint(what, v, err, sizeof(err));
	else
		rc = reg_check_public_key(what, v, err, sizeof(err));
	if (rc)
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if (strlen(v) >= len)  /* the rules above keep this from happening */
		return cli_fail(c, EXIT_USAGE, "%s '%s' is invalid: too long",
				what, v);
	memcpy(dst, v, strlen(v) + 1);
	return EXIT_OK;
}

int cmd_hosts_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("region", 1), OPT("endpoint", 1),
			      OPT("public-key", 1), OPT("peers-endpoint", 1),
			      OPT("peers-public-key", 1), OPT_END };
	char err[512];
	const char *pos[1], *region;
	struct reg_host h = { 0 }, got;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	if (reg_parse_host_id(pos[0], &h.id, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = opt_required(c, opts, "region", "REGION", &region)) ||
	    (rc = set_field(c, h.region, sizeof(h.region), "region", region)) ||
	    (rc = set_field(c, h.endpoint, sizeof(h.endpoint), "endpoint",
			    opt_get(opts, "endpoint"))) ||
	    (rc = set_field(c, h.public_key, sizeof(h.public_key), "public key",
			    opt_get(opts, "public-key"))) ||
	    (rc = set_field(c, h.peers_endpoint, sizeof(h.peers_endpoint),
			    "peers endpoint", opt_get(opts, "peers-endpoint"))) ||
	    (rc = set_field(c, h.peers_public_key, sizeof(h.peers_public_key),
			    "peers public key", opt_get(opts, "peers-public-key"))))
		return rc;
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_host_add(c->reg, &h);
	if (!rc)
		rc = reg_get_host(c->reg, h.id, &got);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_host(&j, NULL, &got, reg_host_connected(c->reg, got.id));
	} else {
		char id[16];

		printf("added host %s in region %s%s\n", reg_fmt_id32(got.id, id),
		       got.region, got.peers_endpoint[0] ? " (gateway)" : "");
	}
	return EXIT_OK;
}

static int print_host(const struct reg_host *h, void *ctx)
{
	struct cli_list *l = ctx;
	int connected = reg_host_connected(l->c->reg, h->id);
	char id[16];

	if (!cli_list_row(l))
		return 0;
	if (l->c->json) {
		json_host(&l->j, NULL, h, connected);
		return 0;
	}
	printf("%-10s %-8s %-24s %-24s %8u %5u%s\n", reg_fmt_id32(h->id, id),
	       h->region, h->endpoint[0] ? h->endpoint : "-",
	       h->peers_endpoint[0] ? h->peers_endpoint : "-",
	       h->machine_count, h->peer_count,
	       connected < 0 ? "" : connected ? " yes" : " no");
	return 0;
}

static int walk_hosts(struct cli_list *l)
{
	return reg_foreach_host(l->c->reg, print_host, l);
}

int cmd_hosts_list(struct cli *c, int argc, char **argv)
{
	struct cli_list l = { .c = c };
	const char *pos[1];
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 0, 0, &n);
	if (rc || (rc = cli_open(c)) || (rc = cli_snapshot(c, NULL)))
		return rc;
	/* on etcd: whether each host's sixpnd holds its lease */
	if (reg_is_etcd(c->reg))
		return cli_list(&l, "hosts", walk_hosts, "%-10s %-8s %-24s %-24s %8s %5s %s\n",
				"ID", "REGION", "ENDPOINT", "PEERS ENDPOINT", "MACHINES",
				"PEERS", "CONNECTED");
	return cli_list(&l, "hosts", walk_hosts, "%-10s %-8s %-24s %-24s %8s %5s\n",
			"ID", "REGION", "ENDPOINT", "PEERS ENDPOINT", "MACHINES", "PEERS");
}
