// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl: the operator's CLI for the sixpn registry. This file parses the
 * global options, dispatches to the command groups (sixpnctl_*.c) and
 * holds the help texts. docs/registry.md is the full reference. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "ctl/sixpnctl.h"
#include "host/wgkeys.h"
#include "sixpn_addr.h"
#include "sixpn_pin.h"

#define GLOBAL_OPTS \
	"Global options (anywhere on the line):\n" \
	"  --registry PATH  the registry database (default $SIXPN_REGISTRY,\n" \
	"                   else " REG_DEFAULT_PATH ")\n" \
	"  --etcd URLS      the fleet's registry on etcd (comma-separated\n" \
	"                   endpoints; default $SIXPN_ETCD) instead of a file\n" \
	"  --etcd-prefix P  its key prefix (default " ETCD_DEFAULT_PREFIX ")\n" \
	"  --etcd-cacert F, --etcd-cert F, --etcd-key F  TLS\n" \
	"  --etcd-user U    an etcd user; the password from\n" \
	"                   --etcd-password-file F or $SIXPN_ETCD_PASSWORD\n" \
	"  --etcd-mirror F  start from this host's mirror of etcd (sixpnd\n" \
	"                   --etcd --registry F; default $SIXPN_ETCD_MIRROR)\n" \
	"  --json           machine-readable output\n" \
	"  --help           this help\n"

struct command {
	const char *group;
	const char *name;      /* NULL: the group is the command (addr) */
	cmd_fn fn;
	const char *help;      /* first line: the synopsis */
};

static const struct command commands[] = {
	{ "orgs", "create", cmd_orgs_create,
	  "sixpnctl orgs create ORG\n"
	  "Creates an organization. ORG: lowercase letters, digits and dashes,\n"
	  "starting with a letter, at most 63 characters.\n" },
	{ "orgs", "list", cmd_orgs_list,
	  "sixpnctl orgs list\n"
	  "Lists organizations with their network, app and peer counts.\n" },
	{ "networks", "create", cmd_networks_create,
	  "sixpnctl networks create --org ORG NAME\n"
	  "Binds network NAME in ORG to a new network ID, forever. NAME: letters,\n"
	  "digits and dashes, starting with a letter, at most 63 characters,\n"
	  "unique within the org. (apps create binds unknown names too.)\n" },
	{ "networks", "list", cmd_networks_list,
	  "sixpnctl networks list --org ORG\n"
	  "Lists ORG's networks: name, network ID, prefix fdaa:N:N::/48 and\n"
	  "app count.\n" },
	{ "apps", "create", cmd_apps_create,
	  "sixpnctl apps create APP --org ORG [--network NAME]\n"
	  "Creates app APP in ORG on network NAME (default: default), binding\n"
	  "NAME to a new network ID if it is new. The network never changes.\n"
	  "APP: a DNS label, unique across the fleet: lowercase letters, digits\n"
	  "and dashes, at most 63 characters, no dash at either end.\n" },
	{ "apps", "list", cmd_apps_list,
	  "sixpnctl apps list --org ORG\n"
	  "Lists ORG's apps. With --json, in the shape of the Machines API:\n"
	  "{\"total_apps\":N,\"apps\":[{\"id\":..,\"name\":..,\"machine_count\":..,"
	  "\"network\":..}]}\n" },
	{ "apps", "destroy", cmd_apps_destroy,
	  "sixpnctl apps destroy APP\n"
	  "Destroys APP and all its machines (their prefixes go into\n"
	  "quarantine). Its network keeps its ID.\n" },
	{ "hosts", "add", cmd_hosts_add,
	  "sixpnctl hosts add HOST_ID --region REGION [--endpoint HOST:PORT]\n"
	  "      [--public-key KEY] [--peers-endpoint HOST:PORT --peers-public-key KEY]\n"
	  "Adds a worker host. HOST_ID is the 32-bit host field written as in an\n"
	  "address, e.g. a7b:174. --endpoint/--public-key: its mesh WireGuard\n"
	  "device. --peers-endpoint/--peers-public-key: its WireGuard device for\n"
	  "peers; a host with them is a gateway (wireguard create picks one).\n" },
	{ "hosts", "list", cmd_hosts_list,
	  "sixpnctl hosts list\n"
	  "Lists hosts: ID, region, endpoints, gateway or not, machine and peer\n"
	  "counts.\n" },
	{ "machines", "create", cmd_machines_create,
	  "sixpnctl machines create --app APP --host HOST_ID [--region REGION]\n"
	  "      [--iface IFNAME] [--state created|started|stopped]\n"
	  "      [--process-group NAME] [--metadata KEY=VALUE]...\n"
	  "Creates a machine of APP on host HOST_ID: allocates an instance ID\n"
	  "unique on the host and prints the machine ID, its /112 and its\n"
	  "address <prefix>::2. REGION defaults to the host's region; IFNAME is\n"
	  "the host interface it sits behind (unique per host). --state: default\n"
	  "started (only started machines are in the app's AAAA names).\n"
	  "--process-group: default app (<group>.process.<app>.internal).\n"
	  "--metadata, repeatable: KEY and VALUE are DNS labels\n"
	  "(<value>.<key>.kv._metadata.<app>.internal).\n" },
	{ "machines", "list", cmd_machines_list,
	  "sixpnctl machines list [--app APP] [--host HOST_ID]\n"
	  "Lists machines, optionally of one app and/or on one host, with their\n"
	  "state.\n" },
	{ "machines", "start", cmd_machines_start,
	  "sixpnctl machines start ID\n"
	  "Starts machine ID: it joins its app's AAAA names and the TXT lists.\n" },
	{ "machines", "stop", cmd_machines_stop,
	  "sixpnctl machines stop ID\n"
	  "Stops machine ID: it leaves its app's AAAA names and the TXT lists\n"
	  "(not <id>.vm.<app>.internal nor the all. lists); it keeps its address\n"
	  "and its isolation.\n" },
	{ "machines", "move", cmd_machines_move,
	  "sixpnctl machines move ID --host HOST_ID [--region REGION] [--iface IFNAME]\n"
	  "Moves machine ID to another host: a new /112 there, the same machine\n"
	  "ID and <id>.vm. name; the old /112 goes into quarantine. REGION:\n"
	  "default the new host's; IFNAME: default the interface name it had\n"
	  "(--iface '' for none).\n" },
	{ "machines", "update", cmd_machines_update,
	  "sixpnctl machines update ID --metadata KEY=VALUE...\n"
	  "Sets metadata keys of machine ID (repeatable); KEY= removes KEY.\n" },
	{ "machines", "env", cmd_machines_env,
	  "sixpnctl machines env ID [--hosts]\n"
	  "Prints machine ID's identity for inside the instance, one KEY=VALUE a\n"
	  "line: SIXPN_PRIVATE_IP, SIXPN_MACHINE_ID, SIXPN_APP_NAME, SIXPN_REGION,\n"
	  "SIXPN_PROCESS_GROUP. --hosts: the hosts(5) line <address>\n"
	  "sixpn-local-6pn instead. --json: both.\n" },
	{ "machines", "destroy", cmd_machines_destroy,
	  "sixpnctl machines destroy ID\n"
	  "Destroys machine ID. Its prefix is not handed out again for the\n"
	  "quarantine (24 h; env SIXPN_QUARANTINE_SECS).\n" },
	{ "ips", "allocate", cmd_ips_allocate,
	  "sixpnctl ips allocate --app APP [--network NAME] [--ports 80,443]\n"
	  "Allocates APP's Flycast address for network NAME (default: the\n"
	  "app's own; an unbound name is bound in the app's org): an address in\n"
	  "NAME's /48 that no machine or peer can have (fdaa:NET:0:0:ID:0).\n"
	  "Instances and peers of NAME reach APP's machines through it, on\n"
	  "every TCP and UDP port, or only on --ports (at most 8). One address\n"
	  "per app and network; <app>.flycast answers it to NAME.\n" },
	{ "ips", "list", cmd_ips_list,
	  "sixpnctl ips list --app APP\n"
	  "Lists APP's Flycast addresses: the network each serves, its ports\n"
	  "and the backends (machines) its flows are balanced over.\n" },
	{ "ips", "release", cmd_ips_release,
	  "sixpnctl ips release ADDR\n"
	  "Releases a Flycast address. Its service ID is quarantined like a\n"
	  "machine's prefix: not handed out again within the quarantine.\n" },
	{ "wireguard", "create", cmd_wireguard_create,
	  "sixpnctl wireguard create ORG REGION NAME [FILE|stdout] [--network NAME]\n"
	  "Creates WireGuard peer NAME for ORG's network (default: default) on a\n"
	  "gateway host in REGION: allocates a /120, makes a key pair, records\n"
	  "the public key and writes a wg-quick config to FILE (mode 0600, never\n"
	  "overwriting) or stdout. The private key is stored nowhere else.\n" },
	{ "wireguard", "list", cmd_wireguard_list,
	  "sixpnctl wireguard list ORG\n"
	  "Lists ORG's WireGuard peers.\n" },
	{ "wireguard", "remove", cmd_wireguard_remove,
	  "sixpnctl wireguard remove ORG NAME\n"
	  "Removes peer NAME; its /120 goes into quarantine.\n" },
	{ "regions", "set", cmd_regions_set,
	  "sixpnctl regions set REGION --lat DEGREES --lon DEGREES\n"
	  "Sets a region's coordinates (latitude -90..90, longitude -180..180).\n"
	  "The resolver orders top<N>.nearest.of.<app>.internal by the\n"
	  "great-circle distance between the asking host's region and each\n"
	  "instance's region; regions without coordinates come after, the\n"
	  "asking host's own region always first.\n" },
	{ "regions", "list", cmd_regions_list,
	  "sixpnctl regions list\n"
	  "Lists the regions with coordinates.\n" },
	{ "regions", "remove", cmd_regions_remove,
	  "sixpnctl regions remove REGION\n"
	  "Forgets a region's coordinates.\n" },
	{ "registry", "export", cmd_registry_export,
	  "sixpnctl registry export FILE --etcd URLS\n"
	  "Writes the registry held in etcd to a new single-host registry FILE\n"
	  "(never overwriting one), at one revision.\n" },
	{ "registry", "import", cmd_registry_import,
	  "sixpnctl registry import FILE --etcd URLS\n"
	  "Copies the single-host registry FILE into etcd, whose prefix must be\n"
	  "empty: how a registry moves from one host onto a fleet.\n" },
	{ "tokens", "create", cmd_tokens_create,
	  "sixpnctl tokens create --org ORG\n"
	  "Makes a bearer token for the HTTP API (sixpnctl serve), bound to ORG:\n"
	  "it reads and changes ORG's apps and machines, nothing of any other\n"
	  "org. Prints the token once, alone on its line (stdout); the registry\n"
	  "keeps only its SHA-256, so a lost token cannot be shown again:\n"
	  "revoke it and make another.\n" },
	{ "tokens", "list", cmd_tokens_list,
	  "sixpnctl tokens list [--org ORG]\n"
	  "Lists the API tokens (ID, org, creation time), never their secrets.\n" },
	{ "tokens", "revoke", cmd_tokens_revoke,
	  "sixpnctl tokens revoke ID\n"
	  "Revokes API token ID (from tokens list): the next request with it\n"
	  "gets 401.\n" },
	{ "serve", NULL, cmd_serve,
	  "sixpnctl serve --listen ADDR:PORT [--threads N]\n"
	  "Serves the registry over HTTP in the shape of Fly's Machines API:\n"
	  "POST/GET /v1/apps, DELETE /v1/apps/APP, GET/POST\n"
	  "/v1/apps/APP/machines, POST /v1/apps/APP/machines/ID/start|stop,\n"
	  "DELETE /v1/apps/APP/machines/ID; every request needs\n"
	  "'Authorization: Bearer TOKEN' (tokens create). ADDR: an IPv4 or\n"
	  "IPv6 address ([::1]:8080, 127.0.0.1:8080); PORT 0 picks a free one\n"
	  "(printed). For instances, listen on the host's service address,\n"
	  "--listen '[fdaa::3]:" SIXPN_STR(SIXPN_API_PORT) "': _api.internal names it, and TCP "
	  SIXPN_STR(SIXPN_API_PORT) "\n"
	  "is the one port beside DNS the isolation programs open there.\n"
	  "N: worker threads (default 4), each with its own registry handle.\n"
	  "Runs until SIGINT or SIGTERM. README \"HTTP API\".\n" },
	{ "stats", NULL, cmd_stats,
	  "sixpnctl stats [--pin-dir DIR] [--all]\n"
	  "Prints the datapath counters (packets and bytes by hook and reason,\n"
	  "summed over CPUs) from the maps pinned under DIR (default\n"
	  "/sys/fs/bpf/sixpn), the drop-event tallies, and how full each map is;\n"
	  "warns on stderr about a map at 90% or more. --all: zero rows too.\n" },
	{ "ct", "list", cmd_ct_list,
	  "sixpnctl ct list [--app APP] [--pin-dir DIR]\n"
	  "Lists this host's live Flycast translations from the conntrack map\n"
	  "pinned under DIR (default /sys/fs/bpf/sixpn): one row per flow,\n"
	  "protocol, consumer address and port (echo: identifier), service\n"
	  "address and port, the backend it goes to, the SNAT address it comes\n"
	  "from, state (open, closing), seconds until it expires, and packets\n"
	  "each way. APP: only flows to that app's service addresses (the\n"
	  "registry says which). One object per flow with --json.\n" },
	{ "monitor", NULL, cmd_monitor,
	  "sixpnctl monitor [--reason R] [--network ID] [--pin-dir DIR] [--count N]\n"
	  "Streams dropped packets as they happen: time, interface, hook,\n"
	  "reason, source, destination, protocol and ports; one JSON object per\n"
	  "line with --json. R: a drop reason (DROP_CROSS_NETWORK or\n"
	  "cross_network); ID: a network (24, 0x18 or 0:18) matched against\n"
	  "source and destination. Stops on Ctrl-C or after N events. Drops are\n"
	  "rate-limited at the source; one monitor reads at a time.\n" },
	{ "addr", NULL, cmd_addr,
	  "sixpnctl addr ADDR\n"
	  "Decodes a 6PN address: network ID, host ID, instance ID, free word,\n"
	  "mesh form, and what the registry says it belongs to.\n" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const exit_codes =
	"Exit codes: 0 success, 1 runtime error, 2 usage error or invalid value,\n"
	"3 not found, 4 already exists or in use, 5 registry schema too new or\n"
	"not a sixpn registry, 6 a write to a mirror of etcd (use --etcd),\n"
	"7 etcd refused the credentials or the permission, or TLS to etcd failed.\n";

static void synopsis(FILE *f, const struct command *cmd)
{
	const char *nl = strchr(cmd->help, '\n');
	const char *next;

	/* the synopsis may continue on indented lines */
	fprintf(f, "  %.*s\n", (int)(nl - cmd->help), cmd->help);
	while (nl[1] == ' ') {
		next = strchr(nl + 1, '\n');
		fprintf(f, "  %.*s\n", (int)(next - nl - 1), nl + 1);
		nl = next;
	}
}

static void usage_all(FILE *f)
{
	size_t i;

	fputs("Usage: sixpnctl [--registry PATH] [--json] COMMAND ...\n\n"
	      "The sixpn registry: orgs, networks, apps, hosts, machines and\n"
	      "WireGuard peers, and their 6PN addresses.\n\nCommands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		synopsis(f, &commands[i]);
	fputs("\n" GLOBAL_OPTS "\n", f);
	fputs(exit_codes, f);
	fputs("Run 'sixpnctl COMMAND --help' for a command's details; "
	      "docs/registry.md has them all.\n", f);
}

static void usage_group(FILE *f, const char *group)
{
	size_t i;

	fprintf(f, "Usage:\n");
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].group, group))
			synopsis(f, &commands[i]);
	fputs("\n" GLOBAL_OPTS, f);
}

static void usage_cmd(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: %s\n%s", cmd->help, GLOBAL_OPTS);
	fputs(exit_codes, f);
}

int cli_fail(struct cli *c, int rc, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fputs("sixpnctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("sixpnctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_reg_fail(struct cli *c, int rc)
{
	return cli_fail(c, rc, "%s", reg_errmsg(c->reg));
}

bool cli_json(struct cli *c, struct json *j)
{
	if (c->json)
		json_init(j, stdout);
	return c->json;
}

int cli_open(struct cli *c)
{
	int rc = c->use_etcd ? reg_open_etcd(&c->reg, &c->etcd, c->etcd_mirror, 0) :
		 reg_open(&c->reg, c->registry, REG_OPEN_CREATE);

	if (rc)
		return cli_reg_fail(c, rc);
	return EXIT_OK;
}

int cli_parse_open(struct cli *c, int argc, char **argv, struct opt *opts,
		   const char **pos, int min_pos, int max_pos)
{
	int n, rc = cli_parse(c, argc, argv, opts, pos, min_pos, max_pos, &n);

	return rc ? rc : cli_open(c);
}

const char *opt_get(const struct opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts->set ? (opts->val ? opts->val : "") : NULL;
	return NULL;
}

int opt_required(struct cli *c, const struct opt *opts, const char *name,
		 const char *metavar, const char **val)
{
	*val = opt_get(opts, name);
	if (!*val)
		return cli_fail(c, EXIT_USAGE, "%s: --%s %s is required", c->cmd,
				name, metavar);
	return EXIT_OK;
}

const char *opt_pin_dir(const struct opt *opts)
{
	const char *dir = opt_get(opts, "pin-dir");

	return dir ? dir : SIXPN_PIN_DIR_DEFAULT;
}

static const char *first_line(const char *s, char *buf, size_t len)
{
	const char *nl = strchr(s, '\n');
	size_t n = nl ? (size_t)(nl - s) : strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

int cli_parse(struct cli *c, int argc, char **argv, struct opt *opts,
	      const char **pos, int min_pos, int max_pos, int *npos)
{
	char syn[256];
	int i, n = 0, dashdash = 0;

	first_line(c->help_text, syn, sizeof(syn));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct opt *o;
		size_t len;

		if (!dashdash && !strcmp(a, "--")) {
			dashdash = 1;
			continue;
		}
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (n >= max_pos)
				return cli_fail(c, EXIT_USAGE,
						"%s: unexpected argument '%s' "
						"(usage: %s)", c->cmd, a, syn);
			pos[n++] = a;
			continue;
		}
		if (a[1] != '-')
			return cli_fail(c, EXIT_USAGE, "%s: unknown option '%s' "
					"(usage: %s)", c->cmd, a, syn);
		len = strcspn(a + 2, "=");
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, a + 2, len))
				break;
		if (!o || !o->name)
			return cli_fail(c, EXIT_USAGE, "%s: unknown option '%.*s' "
					"(usage: %s)", c->cmd, (int)len + 2, a,
					syn);
		if (o->set && o->has_arg != OPT_REPEAT)
			return cli_fail(c, EXIT_USAGE, "%s: option '--%s' given "
					"twice", c->cmd, o->name);
		if (o->has_arg == OPT_REPEAT && o->nvals == OPT_MAX_VALUES)
			return cli_fail(c, EXIT_USAGE, "%s: option '--%s' given more "
					"than %d times", c->cmd, o->name, OPT_MAX_VALUES);
		o->set = 1;
		if (!o->has_arg) {
			if (a[2 + len] == '=')
				return cli_fail(c, EXIT_USAGE, "%s: option '--%s' "
						"takes no value", c->cmd, o->name);
			continue;
		}
		if (a[2 + len] == '=') {
			o->val = a + 3 + len;
		} else {
			if (i + 1 >= argc)
				return cli_fail(c, EXIT_USAGE, "%s: option '--%s' "
						"needs a value (usage: %s)",
						c->cmd, o->name, syn);
			o->val = argv[++i];
		}
		if (o->has_arg == OPT_REPEAT)
			o->vals[o->nvals++] = o->val;
	}
	if (n < min_pos)
		return cli_fail(c, EXIT_USAGE, "%s: missing argument (usage: %s)",
				c->cmd, syn);
	*npos = n;
	return EXIT_OK;
}

void out_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

char *out_net_prefix(uint32_t net, char *buf)
{
	struct sixpn_ip6 p;

	reg_net_prefix(net, &p);
	return reg_fmt_addr(&p, SIXPN_NET_PREFIX_LEN, buf);
}

void json_time(struct json *j, const char *key, int64_t t)
{
	char buf[32];

	out_time(t, buf, sizeof(buf));
	json_str(j, key, buf);
}

int cli_snapshot(struct cli *c, const char *org)
{
	struct reg_org o;
	int rc;

	if ((rc = reg_snapshot_begin(c->reg)) ||
	    (org && (rc = reg_get_org(c->reg, org, &o))))
		return cli_reg_fail(c, rc);
	return EXIT_OK;
}

int cli_list_row(struct cli_list *l)
{
	if (l->counting)
		l->n++;
	return !l->counting;
}

static int list_rows(struct cli_list *l, const char *key, cli_list_walk walk,
		     const char *header_fmt, va_list ap)
{
	char total[64];
	int rc;

	l->n = 0;
	l->counting = 1;
	rc = walk(l);
	l->counting = 0;
	if (rc)
		return cli_reg_fail(l->c, rc);
	if (l->c->json) {
		snprintf(total, sizeof(total), "total_%s", key);
		json_init(&l->j, stdout);
		json_obj_begin(&l->j, NULL);
		json_int(&l->j, total, l->n);
		json_arr_begin(&l->j, key);
	} else {
		vprintf(header_fmt, ap);
	}
	rc = walk(l);
	if (rc)
		return cli_reg_fail(l->c, rc);
	if (l->c->json) {
		json_arr_end(&l->j);
		json_obj_end(&l->j);
	}
	return EXIT_OK;
}

/* list_rows(), then the end of the snapshot it read. */
static int list_and_end(struct cli_list *l, const char *key, cli_list_walk walk,
			const char *header_fmt, va_list ap)
{
	int rc = list_rows(l, key, walk, header_fmt, ap);

	reg_snapshot_end(l->c->reg);
	return rc;
}

int cli_list(struct cli_list *l, const char *key, cli_list_walk walk,
	     const char *header_fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, header_fmt);
	rc = list_and_end(l, key, walk, header_fmt, ap);
	va_end(ap);
	return rc;
}

int cli_list_cmd(struct cli *c, int argc, char **argv, bool by_org, const char *key,
		 cli_list_walk walk, const char *header_fmt, ...)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	struct cli_list l = { .c = c };
	const char *pos[1];
	va_list ap;
	int n, rc;

	rc = cli_parse(c, argc, argv, by_org ? opts : NULL, pos, 0, 0, &n);
	if (rc || (by_org && (rc = opt_required(c, opts, "org", "ORG", &l.f.org))) ||
	    (rc = cli_open(c)) || (rc = cli_snapshot(c, l.f.org)))
		return rc;
	va_start(ap, header_fmt);
	rc = list_and_end(&l, key, walk, header_fmt, ap);
	va_end(ap);
	return rc;
}

void json_machine(struct json *j, const char *key, const struct reg_machine *m)
{
	api_json_machine(j, key, m, false);
}

void json_peer(struct json *j, const char *key, const struct reg_peer *p)
{
	char a[REG_ADDRSTRLEN], h[16];

	json_obj_begin(j, key);
	json_int(j, "id", p->id);
	json_str(j, "name", p->name);
	json_str(j, "org", p->org);
	json_str(j, "network", p->network);
	json_int(j, "network_id", p->network_id);
	json_str(j, "region", p->region);
	json_str(j, "gateway_host", reg_fmt_id32(p->gw_host_id, h));
	json_int(j, "gateway_instance_id", p->gw_instance_id);
	json_str(j, "prefix", reg_fmt_addr(&p->prefix, SIXPN_PEER_PREFIX_LEN, a));
	json_str(j, "address", reg_fmt_addr(&p->addr, 0, a));
	json_str(j, "public_key", p->public_key);
	json_str(j, "endpoint", p->gw_peers_endpoint);
	json_time(j, "created_at", p->created_at);
	json_obj_end(j);
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 (and *val) if it is
 * the option, 0 if not, -1 if its value is missing. */
static int global_val(int argc, char **argv, int *i, const char *name,
		      const char **val)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return 0;
	if (argv[*i][len] == '=') {
		*val = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static const char *const etcd_opts[] = {
	"--etcd", "--etcd-prefix", "--etcd-cacert", "--etcd-cert", "--etcd-key",
	"--etcd-user", "--etcd-password-file", "--etcd-mirror",
};

/* The --etcd* options at argv[*i]: 1 taken, 0 not one, or an exit code + 2. */
static int take_etcd(struct cli *c, int argc, char **argv, int *i)
{
	char err[512];
	const char *v = NULL;
	size_t k;
	int r = 0;

	for (k = 0; k < sizeof(etcd_opts) / sizeof(etcd_opts[0]); k++) {
		r = global_val(argc, argv, i, etcd_opts[k], &v);
		if (r)
			break;
	}
	if (!r)
		return 0;
	if (r < 0)
		return 2 + cli_fail(c, EXIT_USAGE, "option '%s' needs a value",
				    etcd_opts[k]);
	if (!*v)
		return 2 + cli_fail(c, EXIT_USAGE, "option '%s' '' is invalid: must "
				    "not be empty", etcd_opts[k]);
	switch (k) {
	case 0:
		if (etcd_cfg_endpoints(&c->etcd, v, err, sizeof(err)))
			return 2 + cli_fail(c, EXIT_USAGE, "%s", err);
		c->use_etcd = 2;   /* given on the line */
		break;
	case 1: c->etcd.prefix = v; break;
	case 2: c->etcd.cacert = v; break;
	case 3: c->etcd.cert = v; break;
	case 4: c->etcd.key = v; break;
	case 5: c->etcd.user = v; break;
	case 6:
		if (etcd_cfg_password_file(&c->etcd, v, err, sizeof(err)))
			return 2 + cli_fail(c, EXIT_USAGE, "%s", err);
		break;
	case 7: c->etcd_mirror = v; break;
	}
	return 1;
}

/* After the options: the environment, and what goes together. */
static int etcd_settle(struct cli *c)
{
	char err[512];

	if (c->use_etcd && c->registry)
		return cli_fail(c, EXIT_USAGE, "--registry and --etcd are two "
				"registries: give one");
	/* an explicit file wins over SIXPN_ETCD */
	if (!c->registry && etcd_cfg_env(&c->etcd, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "SIXPN_ETCD: %s", err);
	if (c->etcd.n_endpoints && !c->registry)
		c->use_etcd = 1;
	if (!c->etcd_mirror && c->use_etcd && getenv("SIXPN_ETCD_MIRROR") &&
	    *getenv("SIXPN_ETCD_MIRROR"))
		c->etcd_mirror = getenv("SIXPN_ETCD_MIRROR");
	if (!c->use_etcd && (c->etcd.prefix || c->etcd.user || c->etcd.cacert ||
			     c->etcd.cert || c->etcd.key || c->etcd_mirror))
		return cli_fail(c, EXIT_USAGE, "the --etcd-* options need --etcd "
				"URLS (or SIXPN_ETCD)");
	if (c->etcd.user && !c->etcd.password[0])
		return cli_fail(c, EXIT_USAGE, "--etcd-user %s needs a password: "
				"--etcd-password-file FILE or SIXPN_ETCD_PASSWORD",
				c->etcd.user);
	if (!c->etcd.user && c->etcd.password[0])
		return cli_fail(c, EXIT_USAGE, "an etcd password needs --etcd-user");
	return EXIT_OK;
}

/* Pulls the global options out of argv (up to a "--"), compacting it. */
static int take_globals(struct cli *c, int *argc, char **argv)
{
	int i, n = 1, r;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--json")) {
			c->json = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			c->help = 1;
		} else if (!strcmp(a, "--registry")) {
			if (i + 1 >= *argc)
				return cli_fail(c, EXIT_USAGE, "option "
						"'--registry' needs a PATH");
			c->registry = argv[++i];
		} else if (!strncmp(a, "--registry=", 11)) {
			c->registry = a + 11;
		} else if ((r = take_etcd(c, *argc, argv, &i))) {
			if (r > 1)
				return r - 2;
		} else {
			argv[n++] = argv[i];
		}
	}
	if (c->registry && !*c->registry)
		return cli_fail(c, EXIT_USAGE, "registry path '' is invalid: "
				"must not be empty");
	*argc = n;
	argv[n] = NULL;
	return etcd_settle(c);
}

/* Everything of main() but the cleanup, which every return needs. */
static int run(struct cli *c, int argc, char **argv)
{
	const struct command *cmd = NULL;
	const char *group;
	char name[64];
	int known_group = 0, rc, skip;
	size_t i;

	rc = take_globals(c, &argc, argv);
	if (rc)
		return rc;
	if (argc < 2 || !strcmp(argv[1], "help")) {
		usage_all(argc < 2 && !c->help ? stderr : stdout);
		return argc < 2 && !c->help ? EXIT_USAGE : EXIT_OK;
	}
	group = argv[1];
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].group, group))
			continue;
		known_group = 1;
		if (!commands[i].name ||
		    (argc > 2 && !strcmp(commands[i].name, argv[2]))) {
			cmd = &commands[i];
			break;
		}
	}
	if (!known_group)
		return cli_fail(c, EXIT_USAGE, "unknown command '%s' (run "
				"'sixpnctl --help')", group);
	if (!cmd) {
		if (argc == 2) {
			usage_group(c->help ? stdout : stderr, group);
			return c->help ? EXIT_OK : EXIT_USAGE;
		}
		return cli_fail(c, EXIT_USAGE, "unknown command '%s %s' (run "
				"'sixpnctl %s --help')", group, argv[2], group);
	}
	if (c->help) {
		usage_cmd(stdout, cmd);
		return EXIT_OK;
	}
	snprintf(name, sizeof(name), "%s%s%s", cmd->group, cmd->name ? " " : "",
		 cmd->name ? cmd->name : "");
	c->cmd = name;
	c->help_text = cmd->help;
	if (wg_keys_init())
		return cli_fail(c, EXIT_RUNTIME, "libsodium failed to initialize");
	skip = cmd->name ? 3 : 2;
	rc = cmd->fn(c, argc - skip, argv + skip);
	if (fflush(stdout) && !rc)
		rc = cli_fail(c, EXIT_RUNTIME, "writing output: %s",
			      strerror(errno));
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int rc = run(&c, argc, argv);

	reg_close(c.reg);
	etcd_cfg_free(&c.etcd);
	return rc;
}
