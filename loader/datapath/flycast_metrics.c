// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Flycast's metric families (see metrics.h), read from the pins like the
 * rest of /metrics: live flows from `fc_ct`, translations from `stats`,
 * the backends behind each service from `fc_services`. The tables' fill
 * (fc_services, fc_backends, fc_ct) is in sixpn_map_*{map=...}. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/flycast.h"
#include "datapath/map_walk.h"
#include "datapath/metrics.h"
#include "datapath/stats.h"
#include "sixpn_pin.h"

static int open_pin(const char *pin_dir, enum sixpn_map_id id)
{
	char path[PATH_MAX];

	if (sixpn_map_pin_path(path, sizeof(path), pin_dir, id))
		return -1;
	return bpf_obj_get(path);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void write_flows(struct sixpn_metrics_out *out, int ct_fd)
{
	static const char *const state[2] = { "open", "closing" };
	struct sixpn_fc_flows fl;
	char labels[64];
	int p, s;

	if (sixpn_fc_flows_count(ct_fd, mono_ns(), &fl))
		return;
	sixpn_metrics_family(out, "sixpn_flycast_flows", "gauge",
			     "Live Flycast flows translated on this host (fc_ct), by protocol "
			     "and state (closing: FIN or RST seen).");
	for (p = 0; p < SIXPN_FC_P_MAX; p++)
		for (s = 0; s < 2; s++) {
			snprintf(labels, sizeof(labels), "proto=\"%s\",state=\"%s\"",
				 sixpn_fc_proto_names[p], state[s]);
			sixpn_metrics_sample(out, "sixpn_flycast_flows", labels, (double)fl.live[p][s]);
		}
	sixpn_metrics_family(out, "sixpn_flycast_ct_expired_entries", "gauge",
			     "fc_ct entries past their timeout, not yet reused or evicted.");
	sixpn_metrics_sample(out, "sixpn_flycast_ct_expired_entries", NULL, (double)fl.expired);
}

static void write_translations(struct sixpn_metrics_out *out, const struct sixpn_stats *st)
{
	static const struct { __u32 reason; const char *dir; } kinds[] = {
		{ SIXPN_PASS_FC_FORWARD, "forward" },
		{ SIXPN_PASS_FC_REPLY, "reply" },
		{ SIXPN_PASS_FC_ICMP_ERROR, "icmp_error" },
	};
	char labels[32];
	size_t i;
	__u32 hook;

	sixpn_metrics_family(out, "sixpn_flycast_translations_total", "counter",
			     "Packets Flycast translated, every hook: forward (consumer to "
			     "backend), reply (backend to consumer), icmp_error (an error "
			     "about a translated flow).");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		__u64 n = 0;

		for (hook = 0; hook < SIXPN_HOOK_MAX; hook++)
			n += st->c[hook][kinds[i].reason].packets;
		snprintf(labels, sizeof(labels), "direction=\"%s\"", kinds[i].dir);
		sixpn_metrics_sample(out, "sixpn_flycast_translations_total", labels, (double)n);
	}
}

static void write_backends(struct sixpn_metrics_out *out, int svc_fd)
{
	struct sixpn_map_keys k = { 0 };
	char labels[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN];
	size_t i;

	if (sixpn_map_keys(svc_fd, true, &k))
		return;
	sixpn_metrics_family(out, "sixpn_flycast_services", "gauge",
			     "Flycast service addresses in this host's table (fc_services).");
	sixpn_metrics_sample(out, "sixpn_flycast_services", NULL, (double)k.n);
	sixpn_metrics_family(out, "sixpn_flycast_backends", "gauge",
			     "Backends a service balances new flows over (0: DROP_NO_BACKEND), "
			     "by service address.");
	for (i = 0; i < k.n; i++) {
		const struct sixpn_fc_service *svc = sixpn_map_value(&k, i);

		inet_ntop(AF_INET6, sixpn_map_key(&k, i), a, sizeof(a));
		snprintf(labels, sizeof(labels), "service=\"%s\"", a);
		sixpn_metrics_sample(out, "sixpn_flycast_backends", labels, (double)svc->nbackends);
	}
	sixpn_map_keys_free(&k);
}

void sixpn_fc_metrics_write(struct sixpn_metrics_out *out, const char *pin_dir,
			    const struct sixpn_stats *st)
{
	int ct_fd = open_pin(pin_dir, SIXPN_MAP_FC_CT);
	int svc_fd = open_pin(pin_dir, SIXPN_MAP_FC_SERVICES);

	/* no TC object pinned here: no Flycast either */
	if (ct_fd >= 0 && svc_fd >= 0) {
		write_flows(out, ct_fd);
		write_translations(out, st);
		write_backends(out, svc_fd);
	}
	if (ct_fd >= 0)
		close(ct_fd);
	if (svc_fd >= 0)
		close(svc_fd);
}
