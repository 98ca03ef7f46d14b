// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl addr ADDR: decode a 6PN address and say what it belongs to. */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "ctl/sixpnctl.h"

static const char *kind_name(enum reg_owner_kind k)
{
	switch (k) {
	case REG_OWNER_GLOBAL_DNS:     return "global_dns";
	case REG_OWNER_NET_DNS:        return "network_dns";
	case REG_OWNER_NET_PREFIX:     return "network_prefix";
	case REG_OWNER_MACHINE:        return "machine";
	case REG_OWNER_MACHINE_PREFIX: return "machine_prefix";
	case REG_OWNER_PEER:           return "peer";
	case REG_OWNER_PEER_PREFIX:    return "peer_prefix";
	case REG_OWNER_GATEWAY:        return "gateway_instance";
	case REG_OWNER_FLYCAST:        return "flycast";
	case REG_OWNER_FLYCAST_RANGE:  return "flycast_range";
	case REG_OWNER_FLYCAST_SNAT:   return "flycast_snat";
	default:                       return "none";
	}
}

static void describe(const struct reg_owner *o, char *buf, size_t len)
{
	const struct reg_machine *m = &o->machine;
	const struct reg_peer *p = &o->peer;

	switch (o->kind) {
	case REG_OWNER_GLOBAL_DNS:
		snprintf(buf, len, "the DNS service every instance reaches "
			 "(fdaa::3)");
		break;
	case REG_OWNER_NET_DNS:
		snprintf(buf, len, "the DNS address of network '%s' of org '%s' "
			 "(for its WireGuard peers)", o->network.name,
			 o->network.org);
		break;
	case REG_OWNER_NET_PREFIX:
		snprintf(buf, len, "network '%s' of org '%s' (no host part)",
			 o->network.name, o->network.org);
		break;
	case REG_OWNER_MACHINE:
	case REG_OWNER_MACHINE_PREFIX:
		snprintf(buf, len, "%smachine %s of app '%s', org '%s', network "
			 "'%s', region %s", o->kind == REG_OWNER_MACHINE ? "" :
			 "the /112 of ", m->id, m->app, m->org, o->network.name,
			 m->region);
		break;
	case REG_OWNER_PEER:
	case REG_OWNER_PEER_PREFIX:
		snprintf(buf, len, "%sWireGuard peer '%s' of org '%s', network "
			 "'%s', region %s", o->kind == REG_OWNER_PEER ? "" :
			 "the /120 of ", p->name, p->org, p->network, p->region);
		break;
	case REG_OWNER_GATEWAY:
		snprintf(buf, len, "an unassigned /120 of a gateway instance of "
			 "network '%s' of org '%s'", o->network.name,
			 o->network.org);
		break;
	case REG_OWNER_FLYCAST:
		snprintf(buf, len, "the Flycast address of app '%s' (network '%s') "
			 "for network '%s' of org '%s'", o->flycast.app,
			 o->flycast.app_network, o->flycast.network, o->flycast.org);
		break;
	case REG_OWNER_FLYCAST_RANGE:
		snprintf(buf, len, "nothing (the Flycast service range of network "
			 "'%s' of org '%s': host 0, reserved)", o->network.name,
			 o->network.org);
		break;
	case REG_OWNER_FLYCAST_SNAT:
		snprintf(buf, len, "a Flycast source of host %s in network '%s' of "
			 "org '%s' (instance 0: translated flows from that host)",
			 reg_fmt_id32(o->machine.host_id, (char[16]){ 0 }),
			 o->network.name, o->network.org);
		break;
	default:
		if (o->network_bound)
			snprintf(buf, len, "nothing (network '%s' of org '%s' is "
				 "bound, but not this host/instance)",
				 o->network.name, o->network.org);
		else
			snprintf(buf, len, "nothing in the registry");
	}
}

static void json_owner(struct json *j, const char *key,
		       const struct reg_owner *o, const char *text)
{
	json_obj_begin(j, key);
	json_str(j, "kind", kind_name(o->kind));
	json_str(j, "description", text);
	if (o->network_bound) {
		json_str(j, "network", o->network.name);
		json_str(j, "org", o->network.org);
	} else {
		json_null(j, "network");
		json_null(j, "org");
	}
	if (o->kind == REG_OWNER_MACHINE || o->kind == REG_OWNER_MACHINE_PREFIX)
		json_machine(j, "machine", &o->machine);
	if (o->kind == REG_OWNER_PEER || o->kind == REG_OWNER_PEER_PREFIX)
		json_peer(j, "peer", &o->peer);
	if (o->kind == REG_OWNER_FLYCAST) {
		json_obj_begin(j, "flycast");
		json_str(j, "app", o->flycast.app);
		json_str(j, "app_network", o->flycast.app_network);
		json_str(j, "network", o->flycast.network);
		json_int(j, "service_id", o->flycast.svc_id);
		json_obj_end(j);
	}
	json_obj_end(j);
}

int cmd_addr(struct cli *c, int argc, char **argv)
{
	const char *pos[1], *path;
	char net[16], host[16], inst[16], a[REG_ADDRSTRLEN], mesh[REG_ADDRSTRLEN];
	char pfx[REG_ADDRSTRLEN], what[512], mwhat[512];
	struct sixpn_ip6 ip, swapped, np;
	struct reg_owner o, mo;
	int n, rc, have_reg = 0;
	struct json j;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc)
		return rc;
	if (inet_pton(AF_INET6, pos[0], ip.w) != 1)
		return cli_fail(c, EXIT_USAGE, "address '%s' is invalid: not an "
				"IPv6 address", pos[0]);
	if (!sixpn_is_6pn(&ip))
		return cli_fail(c, EXIT_USAGE, "address '%s' is invalid: not a "
				"6PN address (6PN is fdaa::/16)", pos[0]);
	swapped = ip;
	sixpn_swap_net_host(&swapped);
	reg_net_prefix(sixpn_net_id(&ip), &np);
	memset(&o, 0, sizeof(o));
	memset(&mo, 0, sizeof(mo));

	/* the registry is optional here: decoding needs none */
	path = c->use_etcd ? "etcd" : c->registry ? c->registry : reg_default_path();
	if (c->use_etcd || !access(path, F_OK)) {
		rc = c->use_etcd ? reg_open_etcd(&c->reg, &c->etcd, c->etcd_mirror, REG_OPEN_READONLY) :
		     reg_open(&c->reg, path, REG_OPEN_READONLY);
		if (rc)
			return cli_reg_fail(c, rc);
		if ((rc = reg_snapshot_begin(c->reg)) ||
		    (rc = reg_lookup_addr(c->reg, &ip, &o)))
			return cli_reg_fail(c, rc);
		/* maybe it was written in mesh form */
		if (o.kind == REG_OWNER_NONE &&
		    (rc = reg_lookup_addr(c->reg, &swapped, &mo)))
			return cli_reg_fail(c, rc);
		reg_snapshot_end(c->reg);
		have_reg = 1;
	}
	describe(&o, what, sizeof(what));
	describe(&mo, mwhat, sizeof(mwhat));
	if (!have_reg)
		snprintf(what, sizeof(what), "unknown (no registry at %s)", path);
	reg_fmt_id32(sixpn_net_id(&ip), net);
	reg_fmt_id32(sixpn_host_id(&ip), host);
	reg_fmt_id32(sixpn_instance_id(&ip), inst);
	reg_fmt_addr(&ip, 0, a);
	reg_fmt_addr(&swapped, 0, mesh);
	reg_fmt_addr(&np, SIXPN_NET_PREFIX_LEN, pfx);

	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "address", a);
		json_int(&j, "network_id", sixpn_net_id(&ip));
		json_str(&j, "network_id_words", net);
		json_str(&j, "network_prefix", pfx);
		json_str(&j, "host_id", host);
		json_int(&j, "instance_id", sixpn_instance_id(&ip));
		json_str(&j, "instance_id_words", inst);
		json_int(&j, "free_word", sixpn_ntohs(ip.w[7]));
		json_str(&j, "mesh_form", mesh);
		if (have_reg)
			json_owner(&j, "belongs_to", &o, what);
		else
			json_null(&j, "belongs_to");
		if (have_reg && mo.kind != REG_OWNER_NONE)
			json_owner(&j, "as_mesh_form_belongs_to", &mo, mwhat);
		json_obj_end(&j);
		return EXIT_OK;
	}
	printf("address      %s\n", a);
	printf("network ID   %u (%s), prefix %s\n", sixpn_net_id(&ip), net, pfx);
	printf("host ID      %s\n", host);
	printf("instance ID  %u (%s)\n", sixpn_instance_id(&ip), inst);
	printf("free word    %#x\n", sixpn_ntohs(ip.w[7]));
	printf("mesh form    %s\n", mesh);
	printf("belongs to   %s\n", what);
	if (have_reg && mo.kind != REG_OWNER_NONE)
		printf("as mesh form %s, it is %s\n", mesh, mwhat);
	return EXIT_OK;
}
