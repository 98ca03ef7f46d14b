// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpn-attach: load the sixpn programs, pin their maps and attach them to
 * single interfaces by hand. sixpnd does the same from the registry; this
 * is for tests, debugging and operators who want to see one step at a time. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "datapath/bpffs.h"
#include "datapath/tc_attach.h"
#include "datapath/map_walk.h"
#include "datapath/xdp_attach.h"
#include "datapath/xdp_query.h"
#include "lib/json.h"
#include "lib/log.h"
#include "sixpn_pin.h"
#include "attach/xdp_cmds.h"

static const char usage[] =
	"Usage: sixpn-attach [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Load the sixpn BPF programs, pin their maps under the pin directory and\n"
	"attach them to interfaces. Attaching again replaces the program in place.\n"
	"\n"
	"Commands:\n"
	"  instance IFACE PREFIX/112   isolate the host side of an instance's veth/tap\n"
	"  peer IFACE PREFIX/120       isolate a device that carries one WireGuard peer\n"
	"  peers-dev IFACE             isolate the shared WireGuard peers device\n"
	"  peer-add PREFIX/120         allow a peer's /120 on the peers device\n"
	"  peer-del PREFIX/120         remove a peer's /120\n"
	"  mesh IFACE                  swap 6PN <-> mesh form on the mesh device\n"
	"  detach IFACE                detach from IFACE and forget it\n"
	"  status                      list the interfaces sixpn is attached to; XDP:\n"
	"                              the mode sixpn's XDP program runs in, +N other\n"
	"                              programs in libxdp's dispatcher, /single without\n"
	"                              it, - when it does not run there\n"
	"  unload                      detach from every interface, remove every pin\n"
	SIXPN_XDP_CMDS_USAGE
	"\n"
	"Options:\n"
	"  --pin-dir DIR   bpffs directory for maps and links (default " SIXPN_PIN_DIR_DEFAULT ")\n"
	"  --json          machine-readable output (status)\n"
	"  --allow-private-bpffs  pin even on a bpffs that is not the host's: what\n"
	"                  is pinned there vanishes as this command exits (refused\n"
	"                  otherwise; under `ip netns exec`, use\n"
	"                  `nsenter --net=/run/netns/NAME sixpn-attach ...`)\n"
	"  -v, --verbose   log every attach step\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

int attach_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sixpn-attach: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sixpn-attach --help'.\n");
	return EXIT_USAGE;
}

static int cmd_isolation(struct sixpn_bpf *b, const char *ifname, const char *prefix_text,
			 enum sixpn_role role)
{
	struct sixpn_iface ifc = { .role = role };
	__u32 want = role == SIXPN_ROLE_INSTANCE ? SIXPN_INSTANCE_PREFIX_LEN : SIXPN_PEER_PREFIX_LEN;

	if (sixpn_parse_prefix(prefix_text, &ifc.prefix, &ifc.prefix_len) ||
	    ifc.prefix_len != want) {
		fprintf(stderr, "sixpn-attach: prefix '%s' is not a 6PN /%u (fdaa:NET:NET:HOST:HOST:...)\n",
			prefix_text, want);
		return EXIT_USAGE;
	}
	ifc.net_id = sixpn_net_id(&ifc.prefix);
	return sixpn_attach_isolation(b, ifname, &ifc) ? 1 : 0;
}

static int cmd_peer(struct sixpn_bpf *b, const char *prefix_text, bool add)
{
	struct sixpn_ip6 prefix;
	__u32 len;
	int err;

	if (sixpn_parse_prefix(prefix_text, &prefix, &len) || len != SIXPN_PEER_PREFIX_LEN) {
		fprintf(stderr, "sixpn-attach: prefix '%s' is not a 6PN /120\n", prefix_text);
		return EXIT_USAGE;
	}
	err = sixpn_peer_update(b, &prefix, len, sixpn_net_id(&prefix), add);
	if (err) {
		fprintf(stderr, "sixpn-attach: cannot %s peer %s: %s\n", add ? "add" : "remove",
			prefix_text, strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_instance(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return cmd_isolation(c->b, argv[1], argv[2], SIXPN_ROLE_INSTANCE);
}

static int cmd_peer_iface(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return cmd_isolation(c->b, argv[1], argv[2], SIXPN_ROLE_PEER);
}

static int cmd_peers_dev(const struct attach_ctx *c, int argc, char **argv)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_PEERS_DEV };

	(void)argc;
	return sixpn_attach_isolation(c->b, argv[1], &ifc) ? 1 : 0;
}

static int cmd_peer_add(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return cmd_peer(c->b, argv[1], true);
}

static int cmd_peer_del(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return cmd_peer(c->b, argv[1], false);
}

static int cmd_mesh(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return sixpn_attach_mesh(c->b, argv[1]) ? 1 : 0;
}

static int cmd_detach(const struct attach_ctx *c, int argc, char **argv)
{
	(void)argc;
	return sixpn_detach(c->b, argv[1]) ? 1 : 0;
}

/* Nothing pinned, nothing to unload: done, without loading anything. */
static int cmd_unload(const struct attach_ctx *c, int argc, char **argv)
{
	struct sixpn_bpf b;
	struct stat st;
	int ret;

	(void)argc;
	(void)argv;
	if (stat(c->pin_dir, &st))
		return 0;
	if (sixpn_bpf_open(&b, c->pin_dir))
		return 1;
	ret = sixpn_unload(&b) ? 1 : 0;
	sixpn_bpf_close(&b);
	return ret;
}

/* XDP as the kernel has it, for status: the XDP column, or "xdp" in JSON. */
static void status_xdp(const struct attach_ctx *c, struct json *j, int ifindex, char *summary,
		       size_t size)
{
	struct sixpn_xdp_state st;
	int i;

	if (sixpn_xdp_query(ifindex, &st)) {
		snprintf(summary, size, "?");
		if (c->json)
			json_null(j, "xdp");
		return;
	}
	sixpn_xdp_state_summary(&st, summary, size);
	if (!c->json)
		return;
	json_obj_begin(j, "xdp");
	json_str_always(j, "summary", summary);
	json_str_always(j, "mode", st.mode);
	json_bool(j, "dispatcher", st.dispatcher);
	json_bool(j, "sixpn", st.sixpn >= 0);
	json_arr_begin(j, "programs");
	for (i = 0; i < st.n; i++) {
		json_obj_begin(j, NULL);
		json_int(j, "id", st.progs[i].id);
		json_str_always(j, "name", st.progs[i].name);
		if (st.dispatcher)
			json_int(j, "priority", st.progs[i].prio);
		json_bool(j, "sixpn", st.progs[i].sixpn);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

struct status_walk {
	const struct attach_ctx *c;
	struct json *j;
	const struct sixpn_map_keys *ifaces;
};

static void status_row(const struct attach_ctx *c, struct json *j, const char *ifname, __u32 key,
		       const struct sixpn_iface *ifc)
{
	char addr[INET6_ADDRSTRLEN + 8], xdp[32];
	int in = 0, eg = 0;

	/* The mesh and peers devices have no prefix of their own. */
	if (ifc && ifc->prefix_len) {
		inet_ntop(AF_INET6, ifc->prefix.w, addr, sizeof(addr));
		snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u", ifc->prefix_len);
	} else {
		snprintf(addr, sizeof(addr), "-");
	}
	if (ifc) {
		in = sixpn_attached_count(c->b, key, true);
		eg = sixpn_attached_count(c->b, key, false);
	}
	if (c->json) {
		json_obj_begin(j, NULL);
		json_str_always(j, "iface", ifname);
		json_int(j, "ifindex", key);
		json_str_always(j, "role", ifc ? sixpn_role_name(ifc->role) : "xdp");
		json_int(j, "network_id", ifc ? ifc->net_id : 0);
		json_str(j, "prefix", ifc && ifc->prefix_len ? addr : NULL);
		json_int(j, "ingress_progs", in);
		json_int(j, "egress_progs", eg);
		status_xdp(c, j, (int)key, xdp, sizeof(xdp));
		json_obj_end(j);
	} else {
		status_xdp(c, j, (int)key, xdp, sizeof(xdp));
		printf("%-16s %-8u %-10s 0x%-8x %d/%-6d %-42s %s\n", ifname, key,
		       ifc ? sixpn_role_name(ifc->role) : "xdp", ifc ? ifc->net_id : 0, in, eg, addr, xdp);
	}
}

/* An interface with sixpn's XDP pinned but no TC role (`sixpn-attach xdp`
 * alone) has a row of its own. */
static void status_xdp_only(const char *ifname, void *arg)
{
	const struct status_walk *w = arg;
	__u32 key = if_nametoindex(ifname);
	size_t i;

	for (i = 0; key && i < w->ifaces->n; i++)
		if (*(__u32 *)sixpn_map_key(w->ifaces, i) == key)
			return;
	status_row(w->c, w->j, ifname, key, NULL);
}

static int cmd_status(const struct attach_ctx *c, int argc, char **argv)
{
	struct sixpn_bpf *b = c->b;
	struct sixpn_map_keys ifaces;
	char ifname[IF_NAMESIZE];
	struct status_walk w;
	struct json j;
	size_t i;
	int err;

	(void)argc;
	(void)argv;
	err = sixpn_map_keys(sixpn_map_fd(b, sixpn_map_name(SIXPN_MAP_IFACES)), true, &ifaces);
	if (err) {
		fprintf(stderr, "sixpn-attach: status: cannot read the ifaces map: %s\n", strerror(-err));
		return 1;
	}
	if (c->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str_always(&j, "pin_dir", b->pins.pin_dir);
		json_str_always(&j, "attach", b->tcx ? "tcx" : "clsact");
		json_arr_begin(&j, "interfaces");
	} else {
		printf("%-16s %-8s %-10s %-10s %-8s %-42s %s\n", "IFACE", "IFINDEX", "ROLE", "NETWORK",
		       "PROGS", "PREFIX", "XDP");
	}
	for (i = 0; i < ifaces.n; i++) {
		__u32 key = *(__u32 *)sixpn_map_key(&ifaces, i);

		if (!if_indextoname(key, ifname))
			snprintf(ifname, sizeof(ifname), "(gone)");
		status_row(c, &j, ifname, key, sixpn_map_value(&ifaces, i));
	}
	w = (struct status_walk){ .c = c, .j = &j, .ifaces = &ifaces };
	sixpn_xdp_pinned_ifaces(b->pins.pin_dir, status_xdp_only, &w);
	if (c->json) {
		json_arr_end(&j);
		json_obj_end(&j);
	}
	sixpn_map_keys_free(&ifaces);
	return 0;
}

static const struct cmd cmds[] = {
	{ "instance", 2, true, cmd_instance },
	{ "peer", 2, true, cmd_peer_iface },
	{ "peers-dev", 1, true, cmd_peers_dev },
	{ "peer-add", 1, true, cmd_peer_add },
	{ "peer-del", 1, true, cmd_peer_del },
	{ "mesh", 1, true, cmd_mesh },
	{ "detach", 1, true, cmd_detach },
	{ "status", 0, true, cmd_status },
	{ "unload", 0, false, cmd_unload },
	{ "xdp", -1, false, cmd_xdp },
	{ "xdp-detach", -1, false, cmd_xdp_detach },
	{ "dns-set", -1, false, cmd_dns_set },
	{ "dns-del", -1, false, cmd_dns_del },
	{ "dns-list", -1, false, cmd_dns_list },
	{ "dns-get", -1, false, cmd_dns_get },
	{ "dns-config", -1, false, cmd_dns_config },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-private-bpffs", no_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct attach_ctx ctx = { .pin_dir = SIXPN_PIN_DIR_DEFAULT };
	const struct cmd *cmd = NULL;
	struct sixpn_bpf b;
	bool allow_private = false;
	int c, nargs, ret;
	size_t i;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ctx.pin_dir = optarg; break;
		case 'j': ctx.json = true; break;
		case 'B': allow_private = true; break;
		case 'v': sixpn_log_threshold = SIXPN_LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return attach_usage_error("missing COMMAND");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && !cmd; i++)
		if (!strcmp(argv[optind], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd)
		return attach_usage_error("unknown command '%s'", argv[optind]);
	nargs = argc - optind - 1;
	if (cmd->nargs >= 0 && nargs != cmd->nargs)
		return attach_usage_error("wrong number of arguments for '%s'", cmd->name);
	/* Every command reads or writes pins: on a bpffs of this process only
	 * it would see none, or make some that vanish as it exits. */
	if (sixpn_bpffs_check("sixpn-attach", ctx.pin_dir, allow_private))
		return 1;
	if (!cmd->tc)
		return cmd->func(&ctx, nargs + 1, argv + optind);
	if (sixpn_bpf_open(&b, ctx.pin_dir))
		return 1;
	ctx.b = &b;
	ret = cmd->func(&ctx, nargs + 1, argv + optind);
	sixpn_bpf_close(&b);
	return ret;
}
