// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The XDP DNS commands of sixpn-attach. The map commands open the pinned
 * maps and load nothing; only when the maps are not pinned yet do they load
 * the XDP object, which creates and pins them. */
#include "attach/xdp_cmds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/dns_names.h"
#include "datapath/map_walk.h"
#include "datapath/xdp_attach.h"
#include "sixpn_pin.h"

static int usage_error(const char *cmd, const char *what)
{
	return attach_usage_error("%s: %s", cmd, what);
}

static int parse_u32(const char *text, __u32 *v)
{
	unsigned long l;
	char *end;

	errno = 0;
	l = strtoul(text, &end, 0);
	if (errno || *end || !*text || l > UINT_MAX)
		return -EINVAL;
	*v = (__u32)l;
	return 0;
}

/* An fd of the pinned map `id`, loading the object once if it is not
 * pinned yet. */
static int pinned_map(const char *pin_dir, enum sixpn_map_id id)
{
	char path[PATH_MAX];
	struct sixpn_xdp_obj x;
	int fd;

	if (sixpn_map_pin_path(path, sizeof(path), pin_dir, id)) {
		fprintf(stderr, "sixpn-attach: pin directory too long: %s\n", pin_dir);
		return -1;
	}
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	if (sixpn_xdp_open(&x, pin_dir, 0))
		return -1;
	sixpn_xdp_close(&x);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "sixpn-attach: cannot open %s: %s\n", path, strerror(errno));
	return fd;
}

/* getopt over a command's own arguments: argv[0] is the command. */
static void getopt_reset(void)
{
	optind = 0;
	opterr = 1;
}

int cmd_xdp(const struct attach_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "names-max", required_argument, NULL, 'n' },
		{ 0 },
	};
	enum sixpn_xdp_mode mode = SIXPN_XDP_MODE_AUTO;
	struct sixpn_xdp_obj x;
	__u32 names_max = 0;
	int c, ret;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm' && !sixpn_xdp_parse_mode(optarg, &mode))
			continue;
		if (c == 'n' && !parse_u32(optarg, &names_max) && names_max)
			continue;
		return usage_error("xdp", "bad option");
	}
	if (argc - optind < 1)
		return usage_error("xdp", "wants IFACE...");
	if (sixpn_xdp_open(&x, ctx->pin_dir, names_max))
		return 1;
	/* One loaded program for all of them, as in sixpnd. */
	for (ret = 0; optind < argc; optind++)
		if (sixpn_xdp_attach(&x, argv[optind], mode))
			ret = 1;
	sixpn_xdp_close(&x);
	return ret;
}

int cmd_dns_set(const struct attach_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "userspace", no_argument, NULL, 'u' },
		{ "children-userspace", no_argument, NULL, 'c' },
		{ 0 },
	};
	struct sixpn_ip6 addrs[256];
	__u16 flags = 0;
	__u32 net_id;
	int c, fd, err, n = 0, i;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'u')
			flags |= SIXPN_DNS_F_USERSPACE;
		else if (c == 'c')
			flags |= SIXPN_DNS_F_CHILDREN_USERSPACE;
		else
			return usage_error("dns-set", "bad option");
	}
	if (argc - optind < 2 || parse_u32(argv[optind], &net_id) || !net_id)
		return usage_error("dns-set", "wants NET_ID (non-zero) NAME [ADDR...]");
	for (i = optind + 2; i < argc; i++) {
		if (n == (int)(sizeof(addrs) / sizeof(addrs[0])))
			return usage_error("dns-set", "too many addresses");
		if (inet_pton(AF_INET6, argv[i], addrs[n].w) != 1)
			return usage_error("dns-set", "bad IPv6 address");
		n++;
	}
	fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_NAMES);
	if (fd < 0)
		return 1;
	err = sixpn_dns_name_put(fd, net_id, argv[optind + 1], addrs, n, flags);
	close(fd);
	if (!err) {
		/* Its text, so that dns-list can name it (best effort). */
		int text_fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_TEXT);

		if (text_fd >= 0) {
			struct sixpn_dns_key key;

			if (!sixpn_dns_key_from_name(net_id, argv[optind + 1], &key))
				sixpn_dns_text_append(text_fd, net_id, key.name);
			close(text_fd);
		}
	}
	if (err == -EINVAL || err == -ENAMETOOLONG) {
		fprintf(stderr, "sixpn-attach: dns-set: '%s' with these addresses is not a name of network 0x%x "
			"the fast path holds (under internal., <= %d characters, addresses in the network): %s\n",
			argv[optind + 1], net_id, SIXPN_DNS_NAME_MAX - 1, strerror(-err));
		return EXIT_USAGE;
	}
	if (err)
		fprintf(stderr, "sixpn-attach: dns-set: %s\n", strerror(-err));
	return err ? 1 : 0;
}

int cmd_dns_del(const struct attach_ctx *ctx, int argc, char **argv)
{
	__u32 net_id;
	int fd, err;

	if (argc != 3 || parse_u32(argv[1], &net_id))
		return usage_error("dns-del", "wants NET_ID NAME");
	fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_NAMES);
	if (fd < 0)
		return 1;
	err = sixpn_dns_name_del(fd, net_id, argv[2]);
	close(fd);
	if (err)
		fprintf(stderr, "sixpn-attach: dns-del: %s\n", strerror(-err));
	return err == -EINVAL ? EXIT_USAGE : err ? 1 : 0;
}

int cmd_dns_config(const struct attach_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, 't' },
		{ "negative-ttl", required_argument, NULL, 'n' },
		{ "serial", required_argument, NULL, 's' },
		{ "disable", no_argument, NULL, 'd' },
		{ "passup-rate", required_argument, NULL, 'r' },
		{ "passup-burst", required_argument, NULL, 'b' },
		{ "passup-net-rate", required_argument, NULL, 'R' },
		{ "passup-net-burst", required_argument, NULL, 'B' },
		{ 0 },
	};
	struct sixpn_dns_config cfg;
	int c, fd, err;

	sixpn_dns_config_default(&cfg);
	getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c == 't' && !parse_u32(optarg, &cfg.ttl)) ||
		    (c == 'n' && !parse_u32(optarg, &cfg.soa_minimum)) ||
		    (c == 's' && !parse_u32(optarg, &cfg.soa_serial)) ||
		    (c == 'r' && !parse_u32(optarg, &cfg.passup_rate)) ||
		    (c == 'b' && !parse_u32(optarg, &cfg.passup_burst)) ||
		    (c == 'R' && !parse_u32(optarg, &cfg.passup_net_rate)) ||
		    (c == 'B' && !parse_u32(optarg, &cfg.passup_net_burst)))
			continue;
		if (c == 'd') {
			cfg.enabled = 0;
			continue;
		}
		return usage_error("dns-config", "bad option");
	}
	if (optind != argc)
		return usage_error("dns-config", "takes options only");
	fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_CONFIG);
	if (fd < 0)
		return 1;
	err = sixpn_dns_config_set(fd, &cfg);
	close(fd);
	if (err)
		fprintf(stderr, "sixpn-attach: dns-config: %s\n", strerror(-err));
	return err ? 1 : 0;
}

/* The names the text log knows, by table key, for listings. */
struct known_name {
	__u64 hash;
	__u32 net;
	char name[SIXPN_DNS_NAME_MAX];
};

static int cmp_known(const void *a, const void *b)
{
	const struct known_name *x = a, *y = b;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static struct known_name *known_names(const struct attach_ctx *ctx,
				      const struct sixpn_dns_table *t, size_t *n)
{
	struct known_name *k = NULL, *p;
	struct sixpn_dns_text x;
	size_t pos = 0, cap = 0;
	char name[256];
	__u32 net;
	int fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_TEXT);

	*n = 0;
	if (fd < 0)
		return NULL;
	if (sixpn_dns_text_open(&x, fd)) {
		close(fd);
		return NULL;
	}
	while (sixpn_dns_text_next(&x, &pos, &net, name, sizeof(name))) {
		struct sixpn_dns_key key = { .net_id = net };

		if (strlen(name) >= sizeof(key.name))
			continue;
		memcpy(key.name, name, strlen(name));
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			p = realloc(k, cap * sizeof(*k));
			if (!p)
				break;
			k = p;
		}
		k[*n].net = net;
		k[*n].hash = sixpn_dns_key_hash(t, &key);
		snprintf(k[*n].name, sizeof(k[*n].name), "%s", name);
		(*n)++;
	}
	sixpn_dns_text_close(&x);
	close(fd);
	if (k)
		qsort(k, *n, sizeof(*k), cmp_known);
	return k;
}

static void print_entry(__u32 net, const char *name, const struct sixpn_dns_value *val,
			__u16 slot_flags, bool hashes, __u64 hash)
{
	char text[INET6_ADDRSTRLEN];
	struct sixpn_ip6 a;
	int i;

	printf("0x%-8x %-40s %-20s", net, name,
	       (val->flags & SIXPN_DNS_F_USERSPACE) ? "userspace" :
	       (val->flags & SIXPN_DNS_F_CHILDREN_USERSPACE) ? "children-userspace" :
	       (val->flags & SIXPN_DNS_F_OVER_QUOTA) ? "over-quota" : "-");
	if (val->count > SIXPN_DNS_MAX_ADDRS)
		printf(" (%u addresses: userspace)", val->count);
	else
		for (i = 0; i < val->count; i++) {
			sixpn_dns_addr(&a, net, &val->addrs[i]);
			printf(" %s", inet_ntop(AF_INET6, a.w, text, sizeof(text)));
		}
	if (hashes)
		printf("  [hash %016llx%s%s]", (unsigned long long)hash,
		       (slot_flags & SIXPN_DNS_F_SPILL) ? " spill" : "",
		       (slot_flags & SIXPN_DNS_F_SHARED) ? " shared" : "");
	printf("\n");
}

/* One line per name: network, name, flags, addresses in full. Names are
 * hashes in the table; their text comes from the text log (`dns_text`),
 * and a name it does not hold shows as #<hash>. */
int cmd_dns_list(const struct attach_ctx *ctx, int argc, char **argv)
{
	struct sixpn_dns_slot_view sv;
	struct sixpn_dns_table t;
	struct known_name *known;
	bool hashes = false;
	__u32 net = 0, pos = 0;
	size_t n_known;
	int fd, err, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hashes"))
			hashes = true;
		else if (net || parse_u32(argv[i], &net))
			return usage_error("dns-list", "wants [NET_ID] [--hashes]");
	}
	fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_NAMES);
	if (fd < 0)
		return 1;
	err = sixpn_dns_table_open(&t, fd);
	if (err) {
		close(fd);
		fprintf(stderr, "sixpn-attach: dns-list: cannot map the names table: %s\n", strerror(-err));
		return 1;
	}
	known = known_names(ctx, &t, &n_known);
	printf("%-10s %-40s %-20s %s\n", "NETWORK", "NAME", "FLAGS", "AAAA");
	while (sixpn_dns_table_next(&t, &pos, &sv)) {
		struct known_name key = { .hash = sv.hash, .net = sv.net_id }, *k;
		char hname[24];

		if (net && sv.net_id != net)
			continue;
		k = known ? bsearch(&key, known, n_known, sizeof(*known), cmp_known) : NULL;
		if (!k && (sv.val.flags & SIXPN_DNS_F_OVER_QUOTA))
			snprintf(hname, sizeof(hname), "%s", SIXPN_DNS_ZONE);
		else
			snprintf(hname, sizeof(hname), "#%016llx", (unsigned long long)sv.hash);
		print_entry(sv.net_id, k ? k->name : hname, &sv.val, sv.slot_flags, hashes, sv.hash);
	}
	free(known);
	sixpn_dns_table_close(&t);
	close(fd);
	return 0;
}

/* The entry of one name, looked up as the fast path does: by hand. */
int cmd_dns_get(const struct attach_ctx *ctx, int argc, char **argv)
{
	struct sixpn_dns_value val;
	struct sixpn_dns_table t;
	struct sixpn_dns_key key;
	__u32 net;
	int fd, err;

	if (argc != 3 || parse_u32(argv[1], &net))
		return usage_error("dns-get", "wants NET_ID NAME");
	err = sixpn_dns_key_from_name(net, argv[2], &key);
	if (err && strcasecmp(argv[2], SIXPN_DNS_ZONE)) {
		fprintf(stderr, "sixpn-attach: dns-get: '%s' is not a name the table can hold: %s\n",
			argv[2], strerror(-err));
		return EXIT_USAGE;
	}
	fd = pinned_map(ctx->pin_dir, SIXPN_MAP_DNS_NAMES);
	if (fd < 0)
		return 1;
	err = sixpn_dns_table_open(&t, fd);
	if (!err) {
		err = sixpn_dns_table_get(&t, net, argv[2], &val);
		if (!err)
			print_entry(net, argv[2], &val, 0, true,
				    strcasecmp(argv[2], SIXPN_DNS_ZONE) ? sixpn_dns_key_hash(&t, &key) : 0);
		sixpn_dns_table_close(&t);
	}
	close(fd);
	if (err == -ENOENT) {
		fprintf(stderr, "sixpn-attach: dns-get: 0x%x %s is not in the names table\n", net, argv[2]);
		return 1;
	}
	if (err)
		fprintf(stderr, "sixpn-attach: dns-get: %s\n", strerror(-err));
	return err ? 1 : 0;
}

int cmd_xdp_detach(const struct attach_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return usage_error(argv[0], "wants IFACE");
	return sixpn_xdp_detach(ctx->pin_dir, argv[1]) ? 1 : 0;
}
