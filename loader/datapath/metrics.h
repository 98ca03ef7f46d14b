/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The Prometheus endpoint (`sixpnd --metrics ADDR:PORT`), served by
 * libmicrohttpd from its own thread. Every scrape of /metrics reads the pins
 * afresh (loader/datapath/stats.h) and writes, in the text exposition format 0.0.4:
 *
 *   sixpn_up                                   1 when the pins could be read
 *   sixpn_packets_total{hook,verdict,reason}   counter, from `stats`
 *   sixpn_bytes_total{hook,verdict,reason}     counter, from `stats`
 *   sixpn_drop_events_total{outcome}           sent / suppressed / lost
 *   sixpn_map_entries{map}, sixpn_map_capacity{map}, sixpn_map_fill_ratio{map}
 *   sixpn_map_near_capacity{map}               1 at or above SIXPN_FILL_WARN_PCT
 *   sixpn_flycast_flows{proto,state}           live Flycast flows (fc_ct)
 *   sixpn_flycast_ct_expired_entries           fc_ct entries past their timeout
 *   sixpn_flycast_translations_total{direction} forward / reply / icmp_error
 *   sixpn_flycast_services, sixpn_flycast_backends{service}
 *
 * followed by whatever the registered collectors write: sixpnd adds its own
 * families (sync lag, last sync time, DNS queries by path and rcode) with
 * sixpn_metrics_register() or sixpn_metrics_add_gauge(). Label values are
 * lowercase enum names (hook="from_instance", reason="drop_cross_network"). */
#ifndef SIXPN_METRICS_H
#define SIXPN_METRICS_H

#include <stdio.h>

#define SIXPN_METRICS_MAX_COLLECTORS 32

/* Starts serving on ADDR:PORT ("127.0.0.1:9090", "[::1]:9090", ":9090" for
 * every address; port 0 picks a free one), reading the maps under pin_dir.
 * One endpoint per process. Returns 0 or -errno, having logged why. */
int sixpn_metrics_start(const char *addr_port, const char *pin_dir);
/* The port actually bound (useful with port 0); 0 when not started. */
int sixpn_metrics_port(void);
/* Stops serving; waits for a scrape in progress. Collectors stay registered. */
void sixpn_metrics_stop(void);

/* Where a collector writes; wraps the response body. */
struct sixpn_metrics_out {
	FILE *f;
};

/* A collector runs on the HTTP thread for every scrape, after the built-in
 * families; it must only read state that it may read from another thread
 * (atomics, or its own lock). */
typedef void (*sixpn_metrics_fn)(struct sixpn_metrics_out *out, void *ctx);
int sixpn_metrics_register(sixpn_metrics_fn fn, void *ctx);

/* Writes the # HELP and # TYPE lines of a family (type: "counter", "gauge"). */
void sixpn_metrics_family(struct sixpn_metrics_out *out, const char *name,
			  const char *type, const char *help);
/* Writes one sample; labels is `key="value",...` or NULL. */
void sixpn_metrics_sample(struct sixpn_metrics_out *out, const char *name,
			  const char *labels, double value);

/* The simple case: one unlabelled gauge whose value fn returns on each
 * scrape (e.g. sixpn_sync_lag_seconds). name and help must outlive it. */
typedef double (*sixpn_gauge_fn)(void *ctx);
int sixpn_metrics_add_gauge(const char *name, const char *help,
			    sixpn_gauge_fn fn, void *ctx);

/* Writes the built-in families for pin_dir to out: what /metrics serves
 * before the collectors. Returns 0 when the pins could be read. */
int sixpn_metrics_write(struct sixpn_metrics_out *out, const char *pin_dir);

/* The Flycast families (flycast_metrics.c), part of sixpn_metrics_write(),
 * from the stats `st` it read; nothing when pin_dir has no Flycast maps. */
struct sixpn_stats;
void sixpn_fc_metrics_write(struct sixpn_metrics_out *out, const char *pin_dir,
			    const struct sixpn_stats *st);

#endif
