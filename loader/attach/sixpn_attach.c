// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpn-attach: load the sixpn programs, pin their maps and attach them to
 * single interfaces by hand. sixpnd does the same from the registry; this
 * is for tests, debugging and operators who want to see one step at a time. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "datapath/bpffs.h"
#include "datapath/tc_attach.h"
#include "lib/log.h"
#include "sixpn_pin.h"
#include "attach/xdp_cmds.h"

#define EXIT_USAGE 2

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
	"  status                      list the interfaces sixpn is attached to\n"
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

static const char *const role_names[] = {
	[SIXPN_ROLE_NONE] = "none", [SIXPN_ROLE_INSTANCE] = "instance",
	[SIXPN_ROLE_PEER] = "peer", [SIXPN_ROLE_PEERS_DEV] = "peers-dev",
	[SIXPN_ROLE_MESH] = "mesh",
};

static bool on_pin_dir_exists(const char *dir)
{
	struct stat st;

	return !stat(dir, &st);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "sixpn-attach: ");
	fprintf(stderr, fmt, arg);
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

static int cmd_status(struct sixpn_bpf *b, bool json)
{
	int fd = sixpn_map_fd(b, SIXPN_MAP_IFACES);
	__u32 key, *prev = NULL;
	char ifname[IF_NAMESIZE], addr[INET6_ADDRSTRLEN + 8];
	struct sixpn_iface ifc;
	int n = 0, in, eg;

	if (json)
		printf("{\"pin_dir\":\"%s\",\"attach\":\"%s\",\"interfaces\":[", b->pin_dir,
		       b->tcx ? "tcx" : "clsact");
	else
		printf("%-16s %-8s %-10s %-10s %-8s %s\n", "IFACE", "IFINDEX", "ROLE", "NETWORK",
		       "PROGS", "PREFIX");
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &ifc))
			continue;
		if (!if_indextoname(key, ifname))
			snprintf(ifname, sizeof(ifname), "(gone)");
		/* The mesh and peers devices have no prefix of their own. */
		if (ifc.prefix_len) {
			inet_ntop(AF_INET6, ifc.prefix.w, addr, sizeof(addr));
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u", ifc.prefix_len);
		} else {
			snprintf(addr, sizeof(addr), "-");
		}
		in = sixpn_attached_count(b, key, true);
		eg = sixpn_attached_count(b, key, false);
		if (json)
			printf("%s{\"iface\":\"%s\",\"ifindex\":%u,\"role\":\"%s\",\"network_id\":%u,"
			       "\"prefix\":%s%s%s,\"ingress_progs\":%d,\"egress_progs\":%d}",
			       n ? "," : "", ifname, key,
			       role_names[ifc.role <= SIXPN_ROLE_MESH ? ifc.role : 0], ifc.net_id,
			       ifc.prefix_len ? "\"" : "", ifc.prefix_len ? addr : "null",
			       ifc.prefix_len ? "\"" : "", in, eg);
		else
			printf("%-16s %-8u %-10s 0x%-8x %d/%-6d %s\n", ifname, key,
			       role_names[ifc.role <= SIXPN_ROLE_MESH ? ifc.role : 0], ifc.net_id,
			       in, eg, addr);
		n++;
	}
	if (json)
		printf("]}\n");
	return 0;
}

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
	const char *pin_dir = SIXPN_PIN_DIR_DEFAULT, *cmd;
	struct sixpn_bpf b;
	bool json = false, allow_private = false;
	int c, nargs, ret;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pin_dir = optarg; break;
		case 'j': json = true; break;
		case 'B': allow_private = true; break;
		case 'v': sixpn_log_threshold = SIXPN_LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing COMMAND");
	cmd = argv[optind];
	nargs = argc - optind - 1;
	argv += optind + 1;

	/* Every command reads or writes pins: on a bpffs of this process only
	 * it would see none, or make some that vanish as it exits. */
	if (sixpn_bpffs_check("sixpn-attach", pin_dir, allow_private))
		return 1;
	if (sixpn_xdp_is_command(cmd))
		return sixpn_xdp_command(pin_dir, cmd, nargs, argv);

	static const struct { const char *name; int nargs; } cmds[] = {
		{ "instance", 2 }, { "peer", 2 }, { "peers-dev", 1 }, { "peer-add", 1 },
		{ "peer-del", 1 }, { "mesh", 1 }, { "detach", 1 }, { "status", 0 },
		{ "unload", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmd, cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return usage_error("unknown command '%s'", cmd);
	if (nargs != cmds[i].nargs)
		return usage_error("wrong number of arguments for '%s'", cmd);
	if (!strcmp(cmd, "unload") && !on_pin_dir_exists(pin_dir))
		return 0;

	if (sixpn_bpf_open(&b, pin_dir))
		return 1;
	if (!strcmp(cmd, "instance"))
		ret = cmd_isolation(&b, argv[0], argv[1], SIXPN_ROLE_INSTANCE);
	else if (!strcmp(cmd, "peer"))
		ret = cmd_isolation(&b, argv[0], argv[1], SIXPN_ROLE_PEER);
	else if (!strcmp(cmd, "peers-dev")) {
		struct sixpn_iface ifc = { .role = SIXPN_ROLE_PEERS_DEV };

		ret = sixpn_attach_isolation(&b, argv[0], &ifc) ? 1 : 0;
	} else if (!strcmp(cmd, "peer-add"))
		ret = cmd_peer(&b, argv[0], true);
	else if (!strcmp(cmd, "peer-del"))
		ret = cmd_peer(&b, argv[0], false);
	else if (!strcmp(cmd, "mesh"))
		ret = sixpn_attach_mesh(&b, argv[0]) ? 1 : 0;
	else if (!strcmp(cmd, "detach"))
		ret = sixpn_detach(&b, argv[0]) ? 1 : 0;
	else if (!strcmp(cmd, "status"))
		ret = cmd_status(&b, json);
	else
		ret = sixpn_unload(&b) ? 1 : 0;
	sixpn_bpf_close(&b);
	return ret;
}
