// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The resolver's Prometheus families, for `sixpnd --metrics`:
 *
 *   sixpn_dns_queries_total{path,rcode}   replies sent by the resolver, by
 *                                         path (userspace: internal names
 *                                         and refusals; forwarded) and RCODE
 *   sixpn_dns_truncated_total             UDP replies sent with TC=1
 *   sixpn_dns_upstream_total{event}       upstream attempts (query, tcp
 *                                         retry), timeouts, errors and
 *                                         ignored datagrams (mismatch)
 *   sixpn_dns_cache_total{event}          the answer cache (cache.c): hit,
 *                                         miss (in-zone questions looked
 *                                         up), flush (emptied: the
 *                                         registry changed)
 *
 * Questions the XDP fast path answers are in sixpn_packets_total, not here. */
#include <stdio.h>

#include "datapath/metrics.h"
#include "resolver/resolver_int.h"

static const char *const rcode_names[SIXPN_DNS_RCODE_SLOTS] = {
	[0] = "noerror", [1] = "formerr", [2] = "servfail", [3] = "nxdomain",
	[4] = "notimp", [5] = "refused", [6] = "yxdomain", [7] = "yxrrset",
	[8] = "nxrrset", [9] = "notauth", [10] = "notzone", [16] = "badvers",
	[17] = "badkey", [18] = "badtime", [19] = "badmode", [20] = "badname",
	[21] = "badalg", [22] = "badtrunc", [23] = "other",
};

const char *sixpn_dns_rcode_name(unsigned rcode)
{
	if (rcode >= SIXPN_DNS_RCODE_SLOTS || !rcode_names[rcode])
		return "other";
	return rcode_names[rcode];
}

static void collect(struct sixpn_metrics_out *out, void *ctx)
{
	const struct sixpn_resolver_stats *s = sixpn_resolver_stats(ctx);
	static const char *const paths[SIXPN_DNS_PATH__COUNT] = { "userspace", "forwarded" };
	/* always present, so rates work from the first scrape */
	static const unsigned shown[] = { 0, 1, 2, 3, 4, 5, 16 };
	char labels[96];
	unsigned p, i;

	sixpn_metrics_family(out, "sixpn_dns_queries_total", "counter",
			     "DNS replies sent by the sixpnd resolver, by path and rcode");
	for (p = 0; p < SIXPN_DNS_PATH__COUNT; p++) {
		for (i = 0; i < SIXPN_DNS_RCODE_SLOTS; i++) {
			uint64_t v = atomic_load(&s->replies[p][i]);
			unsigned j;
			int always = 0;

			for (j = 0; j < sizeof(shown) / sizeof(shown[0]); j++)
				always |= shown[j] == i;
			if (!v && !always)
				continue;
			snprintf(labels, sizeof(labels), "path=\"%s\",rcode=\"%s\"", paths[p],
				 sixpn_dns_rcode_name(i));
			sixpn_metrics_sample(out, "sixpn_dns_queries_total", labels, (double)v);
		}
	}
	sixpn_metrics_family(out, "sixpn_dns_truncated_total", "counter",
			     "UDP replies of the resolver sent with TC=1");
	sixpn_metrics_sample(out, "sixpn_dns_truncated_total", NULL,
			     (double)atomic_load(&s->truncated));
	sixpn_metrics_family(out, "sixpn_dns_upstream_total", "counter",
			     "Upstream attempts and their failures");
	sixpn_metrics_sample(out, "sixpn_dns_upstream_total", "event=\"query\"",
			     (double)atomic_load(&s->upstream_queries));
	sixpn_metrics_sample(out, "sixpn_dns_upstream_total", "event=\"tcp_retry\"",
			     (double)atomic_load(&s->upstream_tcp));
	sixpn_metrics_sample(out, "sixpn_dns_upstream_total", "event=\"timeout\"",
			     (double)atomic_load(&s->upstream_timeouts));
	sixpn_metrics_sample(out, "sixpn_dns_upstream_total", "event=\"error\"",
			     (double)atomic_load(&s->upstream_errors));
	sixpn_metrics_sample(out, "sixpn_dns_upstream_total", "event=\"mismatch\"",
			     (double)atomic_load(&s->upstream_mismatch));
	sixpn_metrics_family(out, "sixpn_dns_cache_total", "counter",
			     "The resolver's answer cache: hits, misses, flushes");
	sixpn_metrics_sample(out, "sixpn_dns_cache_total", "event=\"hit\"",
			     (double)atomic_load(&s->cache_hits));
	sixpn_metrics_sample(out, "sixpn_dns_cache_total", "event=\"miss\"",
			     (double)atomic_load(&s->cache_misses));
	sixpn_metrics_sample(out, "sixpn_dns_cache_total", "event=\"flush\"",
			     (double)atomic_load(&s->cache_flushes));
}

int sixpn_resolver_metrics_register(struct sixpn_resolver *r)
{
	return sixpn_metrics_register(collect, r);
}
