// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl wireguard ...: WireGuard peers and their wg-quick configs. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ctl/sixpnctl.h"
#include "host/wgconf.h"
#include "host/wgkeys.h"

#define KEEPALIVE_SECS 15

int cmd_wireguard_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("network", 1), OPT_END };
	const char *pos[4], *org, *region, *name, *file = NULL;
	const char *network;
	char err[512], addr[REG_ADDRSTRLEN], dns[REG_ADDRSTRLEN];
	char allowed[REG_ADDRSTRLEN], pfx[REG_ADDRSTRLEN], gw[16];
	char priv_b64[WG_KEY_B64_LEN + 1], pub_b64[WG_KEY_B64_LEN + 1];
	char comment[512], conf[2048];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct sixpn_ip6 ip;
	struct reg_peer p;
	struct wgconf wc;
	struct json j;
	int n, rc, fd = -1, len;

	rc = cli_parse(c, argc, argv, opts, pos, 3, 4, &n);
	if (rc)
		return rc;
	org = pos[0];
	region = pos[1];
	name = pos[2];
	if (n == 4 && strcmp(pos[3], "stdout") && strcmp(pos[3], "-"))
		file = pos[3];
	network = opt_get(opts, "network");
	/* check before creating the file, so a typo leaves nothing behind */
	if (reg_check_org_name(org, err, sizeof(err)) ||
	    reg_check_region(region, err, sizeof(err)) ||
	    reg_check_peer_name(name, err, sizeof(err)) ||
	    (network && reg_check_network_name(network, err, sizeof(err))))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = cli_open(c)))
		return rc;
	if (file) {
		fd = wgconf_create(file);
		if (fd < 0)
			return cli_fail(c, fd == -EEXIST ? EXIT_EXISTS : EXIT_RUNTIME,
					"cannot create config file '%s': %s%s", file,
					strerror(-fd), fd == -EEXIST ?
					" (not overwriting it)" : "");
	}
	/* The peer is committed before its config is written (the config
	 * holds what the commit allocates), and the private key lives only in
	 * the config: on a full disk, a write failing after the commit would
	 * leave a peer nobody has the key of, and removing it again needs room
	 * too. So the room is taken first. */
	if (file && (rc = wgconf_reserve(fd, sizeof(conf)))) {
		rc = cli_fail(c, EXIT_RUNTIME, "cannot create config file '%s': %s", file,
			      strerror(-rc));
		goto fail_file;
	}
	if (wg_keypair(priv, pub)) {
		rc = cli_fail(c, EXIT_RUNTIME, "cannot make a key pair");
		goto fail_file;
	}
	wg_key_to_base64(priv, priv_b64);
	wg_key_to_base64(pub, pub_b64);
	wg_key_wipe(priv, sizeof(priv));
	rc = reg_peer_create(c->reg, org, region, name, network, pub_b64, &p);
	if (rc) {
		cli_reg_fail(c, rc);
		goto fail_file;
	}

	reg_fmt_addr(&p.addr, SIXPN_PEER_PREFIX_LEN, addr);
	reg_fmt_addr(&p.prefix, SIXPN_PEER_PREFIX_LEN, pfx);
	sixpn_compose(&ip, p.network_id, 0, 0, SIXPN_DNS_FREE_WORD);
	reg_fmt_addr(&ip, 0, dns);
	out_net_prefix(p.network_id, allowed);
	snprintf(comment, sizeof(comment),
		 "sixpn WireGuard peer '%s' of org '%s', network '%s', gateway "
		 "host %s in %s", p.name, p.org, p.network,
		 reg_fmt_id32(p.gw_host_id, gw), p.region);
	wc = (struct wgconf){
		.comment = comment,
		.private_key = priv_b64,
		.address = addr,
		.dns = dns,
		.peer_public_key = p.gw_peers_public_key,
		.endpoint = p.gw_peers_endpoint,
		.allowed_ips = allowed,
		.keepalive = KEEPALIVE_SECS,
	};
	len = wgconf_render(&wc, conf, sizeof(conf));
	wg_key_wipe(priv_b64, sizeof(priv_b64));
	if (len < 0) {
		rc = cli_fail(c, EXIT_RUNTIME, "config for peer '%s' too long",
			      name);
		goto fail_peer;
	}
	if (file) {
		rc = wgconf_write_all(fd, conf, (size_t)len);
		if (rc || close(fd)) {
			rc = cli_fail(c, EXIT_RUNTIME, "writing '%s': %s", file,
				      strerror(rc ? -rc : errno));
			fd = -1;
			goto fail_peer;
		}
		fd = -1;
	}
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", p.name);
		json_str(&j, "org", p.org);
		json_str(&j, "network", p.network);
		json_int(&j, "network_id", p.network_id);
		json_str(&j, "region", p.region);
		json_str(&j, "gateway_host", gw);
		json_str(&j, "prefix", pfx);
		json_str(&j, "address", reg_fmt_addr(&p.addr, 0, addr));
		json_str(&j, "public_key", p.public_key);
		json_str(&j, "endpoint", p.gw_peers_endpoint);
		json_str(&j, "dns", dns);
		json_str(&j, "file", file);
		if (!file)
			json_str(&j, "config", conf);
		json_obj_end(&j);
	} else if (file) {
		printf("created peer '%s' (%s) in org '%s', network '%s', via "
		       "gateway host %s; config written to %s\n", p.name, pfx,
		       p.org, p.network, gw, file);
	} else {
		fputs(conf, stdout);
	}
	cli_warn("the private key of peer '%s' exists only in %s: sixpn keeps "
		 "just the public key, so it cannot be recovered", p.name,
		 file ? file : "the config printed above");
	wg_key_wipe(conf, sizeof(conf));
	return EXIT_OK;

fail_peer:
	wg_key_wipe(conf, sizeof(conf));
	if (reg_peer_remove(c->reg, org, name, NULL))
		cli_warn("could not remove peer '%s' again: %s", name,
			 reg_errmsg(c->reg));
fail_file:
	if (fd >= 0)
		close(fd);
	if (file)
		unlink(file);
	return rc;
}

static int print_peer(const struct reg_peer *p, void *ctx)
{
	struct cli_list *l = ctx;
	char a[REG_ADDRSTRLEN], h[16];

	if (!cli_list_row(l))
		return 0;
	if (l->c->json) {
		json_peer(&l->j, NULL, p);
		return 0;
	}
	printf("%-24s %-8s %-16s %-10s %-40s %s\n", p->name, p->region,
	       p->network, reg_fmt_id32(p->gw_host_id, h),
	       reg_fmt_addr(&p->addr, 0, a), p->public_key);
	return 0;
}

static int walk_peers(struct cli_list *l)
{
	return reg_foreach_peer(l->c->reg, &l->f, print_peer, l);
}

int cmd_wireguard_list(struct cli *c, int argc, char **argv)
{
	struct cli_list l = { .c = c };
	const char *pos[1];
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	l.f.org = pos[0];
	if ((rc = cli_snapshot(c, l.f.org)))
		return rc;
	return cli_list(&l, "peers", walk_peers, "%-24s %-8s %-16s %-10s %-40s %s\n",
			"NAME", "REGION", "NETWORK", "GATEWAY", "ADDRESS", "PUBLIC KEY");
}

int cmd_wireguard_remove(struct cli *c, int argc, char **argv)
{
	const char *pos[2];
	char a[REG_ADDRSTRLEN];
	struct reg_peer p;
	struct json j;
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 2, 2);
	if (rc)
		return rc;
	rc = reg_peer_remove(c->reg, pos[0], pos[1], &p);
	if (rc)
		return cli_reg_fail(c, rc);
	reg_fmt_addr(&p.prefix, SIXPN_PEER_PREFIX_LEN, a);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", p.name);
		json_str(&j, "org", p.org);
		json_bool(&j, "removed", 1);
		json_str(&j, "prefix", a);
		json_obj_end(&j);
	} else {
		printf("removed peer '%s' from org '%s'; its prefix %s is "
		       "quarantined\n", p.name, p.org, a);
	}
	return EXIT_OK;
}
