// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl ct list: the live Flycast translations of this host, read from
 * the pinned conntrack map (maps/sixpn_flycast.h). One row per flow: its
 * original entry (consumer -> service address), joined with its reply
 * entry (backend -> SNAT address) for the reply's counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ctl/sixpnctl.h"
#include "sixpn_pin.h"
#include "sixpn_flycast.h"
#include "datapath/map_walk.h"

#define CT_MAX_SERVICES 64

struct ct_filter {
	int by_app;
	size_t n;
	struct sixpn_ip6 svc[CT_MAX_SERVICES]; /* the app's service addresses */
};

static int add_service(const struct reg_flycast *f, void *ctx)
{
	struct ct_filter *flt = ctx;

	if (flt->n < CT_MAX_SERVICES)
		flt->svc[flt->n++] = f->addr;
	return 0;
}

static int wanted(const struct ct_filter *flt, const struct sixpn_ip6 *svc)
{
	size_t i;

	if (!flt->by_app)
		return 1;
	for (i = 0; i < flt->n; i++)
		if (!memcmp(&flt->svc[i], svc, sizeof(*svc)))
			return 1;
	return 0;
}

static const char *proto_name(__u8 p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 58 ? "icmpv6" : "?";
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* An original entry (one per flow) not yet expired, of the app asked for. */
static int live(const struct ct_filter *flt, const struct sixpn_fc_ct_key *k,
		const struct sixpn_fc_ct *v, __u64 now)
{
	return v->dir == SIXPN_FC_CT_DIR_ORIG && v->expires_ns >= now && wanted(flt, &k->dst);
}

/* The reply entry of an original one: keyed by the backend's packet. */
static int reply_of(int fd, const struct sixpn_fc_ct_key *k, const struct sixpn_fc_ct *v,
		    struct sixpn_fc_ct *r)
{
	struct sixpn_fc_ct_key rk = { 0 };

	rk.src = v->new_dst;
	rk.dst = v->new_src;
	rk.sport = k->dport;
	rk.dport = k->sport;
	rk.proto = k->proto;
	return bpf_map_lookup_elem(fd, &rk, r);
}

int cmd_ct_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("app", 1), OPT("pin-dir", 1), OPT_END };
	struct ct_filter flt = { 0 };
	struct sixpn_map_keys keys = { 0 };
	char path[4096], a[4][REG_ADDRSTRLEN];
	const char *pin_dir, *app;
	struct json j;
	__u64 now;
	size_t i, rows = 0;
	int rc, n, fd;

	rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, &n);
	if (rc)
		return rc;
	pin_dir = opt_pin_dir(opts);
	app = opt_get(opts, "app");
	if (app) {
		struct reg_filter f = { .app = app };
		struct reg_app ra;

		if ((rc = cli_open(c)))
			return rc;
		rc = reg_get_app(c->reg, app, &ra);
		if (rc)
			return rc == REG_ENOENT ? cli_fail(c, EXIT_NOTFOUND, "no app '%s'", app)
						: cli_reg_fail(c, rc);
		flt.by_app = 1;
		rc = reg_foreach_flycast(c->reg, &f, add_service, &flt);
		if (rc)
			return cli_reg_fail(c, rc);
	}
	if (sixpn_map_pin_path(path, sizeof(path), pin_dir, SIXPN_MAP_FC_CT))
		return cli_fail(c, EXIT_USAGE, "--pin-dir '%s' is too long", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT)
		return cli_fail(c, EXIT_NOTFOUND, "no Flycast conntrack map pinned at %s "
				"(is sixpnd running? see --pin-dir)", path);
	if (fd < 0)
		return cli_fail(c, EXIT_RUNTIME, "cannot open %s: %s", path, strerror(errno));
	rc = sixpn_map_keys(fd, true, &keys);
	if (rc) {
		close(fd);
		return cli_fail(c, EXIT_RUNTIME, "cannot read %s: %s", path, strerror(-rc));
	}
	if (keys.key_size != sizeof(struct sixpn_fc_ct_key) ||
	    keys.value_size != sizeof(struct sixpn_fc_ct)) {
		sixpn_map_keys_free(&keys);
		close(fd);
		return cli_fail(c, EXIT_RUNTIME, "%s is not a Flycast conntrack map of this "
				"build (key %u, value %u bytes)", path, keys.key_size,
				keys.value_size);
	}
	now = mono_ns();
	/* the total before the rows, as every listing states it */
	for (i = 0; i < keys.n; i++)
		if (live(&flt, sixpn_map_key(&keys, i), sixpn_map_value(&keys, i), now))
			rows++;
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_str(&j, "pin_dir", pin_dir);
		json_int(&j, "total_flows", (int64_t)rows);
		json_arr_begin(&j, "flows");
	} else {
		printf("%-6s %-47s %-47s %-39s %-39s %-7s %8s %10s %10s\n", "PROTO", "CONSUMER",
		       "SERVICE", "BACKEND", "SNAT", "STATE", "EXPIRES", "PKTS_OUT", "PKTS_IN");
	}
	for (i = 0; i < keys.n; i++) {
		const struct sixpn_fc_ct_key *k = sixpn_map_key(&keys, i);
		const struct sixpn_fc_ct *v = sixpn_map_value(&keys, i);
		struct sixpn_fc_ct r = { 0 };
		int has_reply;
		__u16 sport = ntohs(k->sport), dport = ntohs(k->dport);

		if (!live(&flt, k, v, now))
			continue;
		has_reply = !reply_of(fd, k, v, &r);
		reg_fmt_addr(&k->src, 0, a[0]);
		reg_fmt_addr(&k->dst, 0, a[1]);
		reg_fmt_addr(&v->new_dst, 0, a[2]);
		reg_fmt_addr(&v->new_src, 0, a[3]);
		if (c->json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "proto", proto_name(k->proto));
			json_str(&j, "consumer", a[0]);
			json_str(&j, "service", a[1]);
			json_str(&j, "backend", a[2]);
			json_str(&j, "snat", a[3]);
			if (k->proto == 58) {
				json_int(&j, "echo_id", sport);
			} else {
				json_int(&j, "consumer_port", sport);
				json_int(&j, "service_port", dport);
			}
			json_str(&j, "state", v->state == SIXPN_FC_ST_CLOSING ? "closing" : "open");
			json_int(&j, "expires_in_ms", (int64_t)((v->expires_ns - now) / 1000000));
			json_int(&j, "packets_out", (int64_t)v->packets);
			json_int(&j, "bytes_out", (int64_t)v->bytes);
			json_int(&j, "packets_in", has_reply ? (int64_t)r.packets : 0);
			json_int(&j, "bytes_in", has_reply ? (int64_t)r.bytes : 0);
			json_bool(&j, "reply_entry", has_reply);
			json_obj_end(&j);
		} else {
			char cons[64], svc[64];

			snprintf(cons, sizeof(cons), k->proto == 58 ? "[%s] id %u" : "[%s]:%u", a[0],
				 sport);
			snprintf(svc, sizeof(svc), k->proto == 58 ? "%s" : "[%s]:%u", a[1], dport);
			printf("%-6s %-47s %-47s %-39s %-39s %-7s %7llus %10llu %10llu\n",
			       proto_name(k->proto), cons, svc, a[2], a[3],
			       v->state == SIXPN_FC_ST_CLOSING ? "closing" : "open",
			       (unsigned long long)((v->expires_ns - now) / 1000000000ULL),
			       (unsigned long long)v->packets,
			       (unsigned long long)(has_reply ? r.packets : 0));
		}
	}
	if (c->json) {
		json_arr_end(&j);
		json_obj_end(&j);
	} else {
		printf("%zu flow%s\n", rows, rows == 1 ? "" : "s");
	}
	sixpn_map_keys_free(&keys);
	close(fd);
	return EXIT_OK;
}
