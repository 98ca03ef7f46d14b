// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl stats: the counters of the running datapath, read from its pins,
 * and how full its maps are, with a warning before one fills up. */
#include <errno.h>
#include <string.h>

#include "ctl/sixpnctl.h"
#include "sixpn_pin.h"
#include "datapath/stats.h"

#define MAX_MAPS 64

static void print_table(const struct sixpn_stats *st, const struct sixpn_map_fill *fill,
			int nfill, int all)
{
	__u64 drops = 0;
	__u32 h, r;
	int i;

	printf("%-14s %-22s %-7s %14s %16s\n", "HOOK", "REASON", "VERDICT", "PACKETS", "BYTES");
	for (h = 0; h < SIXPN_HOOK_MAX; h++) {
		for (r = 0; r < SIXPN_REASON_MAX; r++) {
			const struct sixpn_counter *c = &st->c[h][r];

			if (sixpn_reason_is_drop(r))
				drops += c->packets;
			if (!c->packets && !all)
				continue;
			printf("%-14s %-22s %-7s %14llu %16llu\n", sixpn_hook_names[h],
			       sixpn_reason_names[r], sixpn_reason_verdict(r),
			       (unsigned long long)c->packets, (unsigned long long)c->bytes);
		}
	}
	printf("total drops: %llu\n", (unsigned long long)drops);
	if (st->has_events)
		printf("drop events: %llu sent, %llu suppressed by the rate limit, %llu lost (ring full)\n",
		       (unsigned long long)st->events.sent,
		       (unsigned long long)st->events.suppressed,
		       (unsigned long long)st->events.lost);
	printf("\n%-24s %10s %10s %7s\n", "MAP", "ENTRIES", "CAPACITY", "FILL");
	for (i = 0; i < nfill; i++)
		printf("%-24s %10llu %10llu %6.1f%%%s\n", fill[i].name,
		       (unsigned long long)fill[i].entries, (unsigned long long)fill[i].capacity,
		       fill[i].capacity ? 100.0 * fill[i].entries / fill[i].capacity : 0.0,
		       sixpn_map_fill_near(&fill[i]) ? "  NEAR CAPACITY" : "");
}

static void print_json(const char *pin_dir, const struct sixpn_stats *st,
		       const struct sixpn_map_fill *fill, int nfill)
{
	struct json j;
	__u32 h, r;
	int i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "pin_dir", pin_dir);
	/* Every (hook, reason), zero or not: a stable shape for scripts. */
	json_arr_begin(&j, "counters");
	for (h = 0; h < SIXPN_HOOK_MAX; h++) {
		for (r = 0; r < SIXPN_REASON_MAX; r++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "hook", sixpn_hook_names[h]);
			json_str(&j, "reason", sixpn_reason_names[r]);
			json_str(&j, "verdict", sixpn_reason_verdict(r));
			json_int(&j, "packets", (int64_t)st->c[h][r].packets);
			json_int(&j, "bytes", (int64_t)st->c[h][r].bytes);
			json_obj_end(&j);
		}
	}
	json_arr_end(&j);
	if (st->has_events) {
		json_obj_begin(&j, "drop_events");
		json_int(&j, "sent", (int64_t)st->events.sent);
		json_int(&j, "suppressed", (int64_t)st->events.suppressed);
		json_int(&j, "lost", (int64_t)st->events.lost);
		json_obj_end(&j);
	} else {
		json_null(&j, "drop_events");
	}
	json_arr_begin(&j, "maps");
	for (i = 0; i < nfill; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", fill[i].name);
		json_int(&j, "entries", (int64_t)fill[i].entries);
		json_int(&j, "capacity", (int64_t)fill[i].capacity);
		json_bool(&j, "near_capacity", sixpn_map_fill_near(&fill[i]));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("pin-dir", 1), OPT("all", 0), OPT_END };
	const char *pin_dir;
	struct sixpn_map_fill fill[MAX_MAPS];
	struct sixpn_stats st;
	int rc, n, nfill, i;

	rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, &n);
	if (rc)
		return rc;
	pin_dir = opt_pin_dir(opts);
	rc = sixpn_stats_read(pin_dir, &st);
	if (rc == -ENOENT)
		return cli_fail(c, EXIT_NOTFOUND, "no sixpn maps pinned under %s "
				"(is sixpnd running? see --pin-dir)", pin_dir);
	if (rc)
		return cli_fail(c, EXIT_RUNTIME, "cannot read %s/%s: %s", pin_dir,
				sixpn_map_name(SIXPN_MAP_STATS), strerror(-rc));
	nfill = sixpn_map_fill_read(pin_dir, fill, MAX_MAPS);
	if (nfill < 0)
		return cli_fail(c, EXIT_RUNTIME, "cannot list maps under %s: %s", pin_dir,
				strerror(-nfill));
	for (i = 0; i < nfill; i++)
		if (sixpn_map_fill_near(&fill[i]))
			cli_warn("map %s is %.1f%% full (%llu of %llu entries): inserts fail "
				 "when it is full", fill[i].name,
				 100.0 * fill[i].entries / fill[i].capacity,
				 (unsigned long long)fill[i].entries,
				 (unsigned long long)fill[i].capacity);
	if (c->json)
		print_json(pin_dir, &st, fill, nfill);
	else
		print_table(&st, fill, nfill, opt_get(opts, "all") != NULL);
	return EXIT_OK;
}
