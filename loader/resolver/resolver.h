/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The userspace resolver of sixpnd (docs/design.md section 5): answers
 * every internal name the XDP fast path passes up (TXT names, big AAAA
 * sets, top<N>.nearest.of.<app>, TCP, EDNS it does not handle, ...) and
 * forwards every name outside internal. to the upstream resolvers.
 *
 * It runs in a thread of its own, with its own registry handle (read-only)
 * and one epoll loop:
 *
 *   - one UDP and one TCP socket on [::]:53 (IPV6_V6ONLY); a UDP query is
 *     answered from the address it was sent to (IPV6_RECVPKTINFO), a TCP
 *     connection from the address it reached. Queries to anything but
 *     fdaa::3 or a <net prefix>::3 are ignored (UDP) or closed (TCP), so
 *     <prefix>::3 addresses sixpnd adds later need nothing from here;
 *   - the querier's network is the network ID of its source address;
 *     a source outside 6PN (or in network 0) is REFUSED;
 *   - internal names are answered from the registry, read afresh for every
 *     question in one snapshot, with the same SOA, TTLs, flags and
 *     NODATA/NXDOMAIN rules as the XDP fast path (maps/sixpn_dns.h);
 *   - other names are forwarded asynchronously, each upstream query on a
 *     UDP socket of its own (a random port, connected to the upstream) with
 *     a random ID; a reply counts only if ID, question and upstream address
 *     and port all match; a truncated reply is retried over TCP to the same
 *     upstream; on timeout or error the next upstream is tried, and after
 *     the last one the client gets SERVFAIL.
 *
 * Replies over UDP that do not fit (512 bytes, or the client's EDNS size
 * capped at SIXPN_DNS_EDNS_MAX) carry the question only, with TC=1; over TCP
 * the full answer. Long TXT values are split into character-strings of at
 * most 255 bytes and into several TXT records of whole entries (see
 * txt.c). */
#ifndef SIXPN_RESOLVER_H
#define SIXPN_RESOLVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sixpn_dns.h"

#define SIXPN_RESOLVER_MAX_UPSTREAMS 8
#define SIXPN_RESOLVER_DEFAULT_LISTEN "[::]:53"
#define SIXPN_RESOLVER_DEFAULT_TIMEOUT_MS 1500
#define SIXPN_RESOLVER_RESOLV_CONF "/etc/resolv.conf"

/* Which part of the resolver answered. */
enum sixpn_dns_path {
	SIXPN_DNS_PATH_USERSPACE,   /* internal names, and every refusal/error */
	SIXPN_DNS_PATH_FORWARDED,   /* names outside internal. */
	SIXPN_DNS_PATH__COUNT,
};

/* RCODEs counted one by one (0..23, so BADVERS = 16 is in); others go to
 * the last slot. */
#define SIXPN_DNS_RCODE_SLOTS 24

struct sixpn_resolver_stats {
	/* replies sent, by path and (extended) RCODE */
	_Atomic uint64_t replies[SIXPN_DNS_PATH__COUNT][SIXPN_DNS_RCODE_SLOTS];
	_Atomic uint64_t truncated;         /* UDP replies sent with TC=1 */
	_Atomic uint64_t ignored;           /* not answered: responses, runts,
					     * not sent to a DNS address */
	_Atomic uint64_t upstream_queries;  /* UDP and TCP attempts */
	_Atomic uint64_t upstream_tcp;      /* retries over TCP after TC=1 */
	_Atomic uint64_t upstream_timeouts;
	_Atomic uint64_t upstream_errors;   /* refused, unreachable, reset */
	_Atomic uint64_t upstream_mismatch; /* replies dropped: wrong ID/question */
	_Atomic uint64_t registry_errors;   /* SERVFAIL: the registry failed */
	_Atomic uint64_t cache_hits;        /* in-zone replies from the cache */
	_Atomic uint64_t cache_misses;      /* in-zone questions looked up, not there */
	_Atomic uint64_t cache_flushes;     /* cache emptied: the registry changed */
};

struct sixpn_resolver_opts {
	const char *registry;             /* NULL: $SIXPN_REGISTRY or default */
	const char *listen;               /* "[ADDR]:PORT"; NULL: [::]:53 */
	/* "IP", "[v6]:port" or "v4:port"; none: the nameservers of
	 * resolv_conf, except fdaa::3 and every <net prefix>::3 */
	const char *const *upstreams;
	int n_upstreams;
	const char *resolv_conf;          /* NULL: /etc/resolv.conf */
	unsigned upstream_timeout_ms;     /* per attempt; 0: 1500 */
	/* TTL and SOA; NULL: sixpn_dns_config_default(), what sixpnd puts in
	 * the XDP fast path's dns_config, so both give the same answers. */
	const struct sixpn_dns_config *dns;
	/* No answer cache (loader/resolver/cache.c): every question read
	 * from the registry and encoded anew. Also env SIXPN_RESOLVER_NO_CACHE=1. */
	bool no_cache;
	/* The caller calls sixpn_resolver_registry_changed() whenever it has
	 * seen the registry change (sixpnd: its sync loop), and the answer
	 * cache is checked against the registry only then. Without it the
	 * cache reads the registry's PRAGMA data_version before every batch
	 * of queries: fresh without help, but that read (SQLite, two fcntl
	 * locks and an fstat) is most of what a cached answer costs. */
	bool registry_notified;
};

struct sixpn_resolver;

/* Opens the registry, binds the sockets and starts the resolver's thread.
 * Returns 0 or -errno (having logged why); *out is NULL on failure. */
int sixpn_resolver_start(struct sixpn_resolver **out, const struct sixpn_resolver_opts *o);
/* Stops the thread, closes everything, frees r. NULL is fine. */
void sixpn_resolver_stop(struct sixpn_resolver *r);
/* The registry changed, or may have (with opts.registry_notified): the
 * next batch of queries the resolver receives after this call empties the
 * answer cache if the registry's data_version moved, or its file was
 * replaced. Call it once a read of the registry has begun that saw the
 * change, before acting on it: then every query that arrives after that
 * action is answered from a registry at least as new. Any thread; NULL is
 * fine. */
void sixpn_resolver_registry_changed(struct sixpn_resolver *r);
/* Counters, readable from any thread while the resolver runs. */
const struct sixpn_resolver_stats *sixpn_resolver_stats(const struct sixpn_resolver *r);
/* The port the resolver listens on (useful with port 0). */
int sixpn_resolver_port(const struct sixpn_resolver *r);

/* Registers the `sixpn_dns_queries_total{path,rcode}` family (and the
 * upstream counters) with the metrics endpoint (metrics.h). */
int sixpn_resolver_metrics_register(struct sixpn_resolver *r);
/* "noerror", "nxdomain", ... for an RCODE slot. */
const char *sixpn_dns_rcode_name(unsigned rcode);

/* Parses "IP", "[v6]:port", "v4:port" (port default 53) into a sockaddr
 * (struct sockaddr_storage); returns 0 or -EINVAL. */
struct sockaddr_storage;
int sixpn_resolver_parse_addr(const char *s, struct sockaddr_storage *out,
			      unsigned *len, int default_port);

#endif
