/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internals shared by the resolver's files:
 *
 *   resolver.c  start/stop, options, default upstreams
 *   loop.c      the epoll loop: UDP and TCP listeners, TCP clients
 *   query.c     a query's checks, the reply's header, size limits
 *   wire.c      a message's records in their places, EDNS options
 *   tsig.c      the reply to a TSIG-signed query
 *   names.c     internal names -> records, from the registry
 *   txt.c       TXT records from a list of entries
 *   nearest.c   ordering instances by region distance
 *   forward.c   asynchronous forwarding to the upstreams
 *   metrics.c   the Prometheus collector
 *   refresh.c   following a registry file that is swapped
 *   cache.c     the answer cache: in-zone replies in wire form
 *
 * Not for users of the resolver: include resolver.h. */
#ifndef SIXPN_RESOLVER_INT_H
#define SIXPN_RESOLVER_INT_H

/* <stdbool.h> before ldns: without it ldns/common.h defines `_Bool` as a
 * macro for `signed char`, so every bool of ours would hold any byte (0x10
 * from LDNS_CD_WIRE) and reach libldns, built with the real _Bool, as 16,
 * which its encoder drops (the CD bit lost in every reply). */
#include <stdbool.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <ldns/ldns.h>
#ifdef _Bool
#error "ldns redefined _Bool: include <stdbool.h> before <ldns/ldns.h>"
#endif

#include "registry/registry.h"
#include "resolver/resolver.h"

#define RSV_TCP_MAX_CONNS 256
#define RSV_TCP_IDLE_MS 10000      /* RFC 7766: a few seconds of idleness */
#define RSV_MAX_PENDING 4096       /* upstream queries in flight */
#define RSV_UDP_BATCH 64           /* datagrams per wake-up, for fairness */
#define RSV_MSG_MAX 65535

/* What an epoll event's data.ptr points at: every watched object starts
 * with one. */
enum rsv_kind { RSV_WAKE, RSV_UDP_LISTEN, RSV_TCP_LISTEN, RSV_TCP_CONN, RSV_UPSTREAM };
struct rsv_watch {
	enum rsv_kind kind;
	int fd;
	bool dead;      /* closed; freed after the current batch of events */
};

/* A client's TCP connection: length-prefixed queries in, replies out in
 * whatever order they are ready (RFC 7766 section 7). */
struct rsv_conn {
	struct rsv_watch w;
	struct sockaddr_in6 peer;
	struct in6_addr local;        /* the DNS address it reached */
	uint8_t in[2 + RSV_MSG_MAX];
	size_t in_len;
	uint8_t *out;                 /* replies waiting for the socket */
	size_t out_len, out_cap;
	uint64_t last_ms;             /* last activity, for the idle timeout */
	struct rsv_conn *prev, *next;
};

/* Where a query came from and where its reply goes. */
struct rsv_origin {
	struct sockaddr_in6 src;
	struct in6_addr dst;          /* the DNS address asked */
	struct rsv_conn *conn;        /* NULL: UDP */
};

/* A query that passed the checks of query.c. */
struct rsv_q {
	ldns_pkt *pkt;
	const ldns_rr *question;
	uint16_t id;
	uint8_t opcode;
	bool rd, cd;
	bool edns, do_bit;
	size_t limit;                 /* the biggest reply it can take */
	uint32_t net_id, host_id;     /* of the source address */
	struct sixpn_ip6 dns;         /* the DNS address of the asker's side:
				       * fdaa::3, or its network's ::3 */
};

/* ---- cache.c: the answer cache (see the file) ---- */
#define RSV_CACHE_SLOTS 16384         /* a power of two */
#define RSV_CACHE_WAYS 4              /* slots of a set */
#define RSV_CACHE_ENTRY_MAX 2048      /* key and reply: bigger ones not kept */
#define RSV_CACHE_BYTES_MAX (8 << 20) /* every entry together */
#define RSV_CACHE_QUERY_MAX 512       /* longer queries are not looked up */
#define RSV_CKEY_ASKER 9              /* flags, network ID, host ID */

struct rsv_centry;
/* One set: its ways' hashes beside the pointers, so that a lookup reads
 * one cache line and then only the entry whose hash matches. */
struct rsv_cset {
	uint64_t hash[RSV_CACHE_WAYS];
	struct rsv_centry *e[RSV_CACHE_WAYS]; /* NULL: a free way */
};
struct rsv_cache {
	struct rsv_cset *set;         /* RSV_CACHE_SLOTS / RSV_CACHE_WAYS */
	size_t entries, bytes;
	unsigned victim;              /* the way a full set gives up next */
	uint64_t seed;
	int64_t version;              /* the registry's data_version of them */
	uint64_t gen;                 /* r->reg_gen at the last check */
	bool valid;                   /* version known: look up and keep */
	bool off;                     /* disabled (opts.no_cache) */
	bool uncacheable;             /* the answer being built depends on more
				       * than the query and the registry */
};

/* One query's key: the asker, then the message (ID 0, QNAME lowercased). */
struct rsv_ckey {
	uint64_t hash;
	uint16_t len;                 /* of b; 0: not looked up, not kept */
	uint16_t qname_len;           /* the QNAME at offset 12, final 0 in */
	uint8_t b[RSV_CKEY_ASKER + RSV_CACHE_QUERY_MAX];
};

/* A hit: the reply as kept (ID and QNAME to patch). */
struct rsv_chit {
	const uint8_t *reply;
	size_t len;
	unsigned rcode;
	bool truncated;
};

struct rsv_upstream {
	struct sockaddr_storage addr;
	socklen_t len;
	char text[64];
};

struct rsv_fwd;
struct rsv_udp_batch;

struct sixpn_resolver {
	struct reg *reg;
	struct sixpn_dns_config cfg;
	struct rsv_upstream up[SIXPN_RESOLVER_MAX_UPSTREAMS];
	int n_up;
	unsigned timeout_ms;
	int port;

	int epfd;
	struct rsv_watch wake, udp, tcp;
	struct rsv_udp_batch *udp_batch; /* loop.c: one recvmmsg's datagrams */
	pthread_t thread;
	bool thread_started;

	struct rsv_conn *conns;       /* list of TCP clients */
	size_t n_conns;
	struct rsv_watch **grave;     /* closed this batch, freed after it */
	size_t n_grave, cap_grave;
	struct rsv_fwd *fwds;         /* upstream queries in flight */
	size_t n_fwds;
	uint32_t rotor;               /* rotates AAAA sets between answers */
	ldns_rdf *zone;               /* internal. */
	ldns_rdf *flycast_zone;       /* flycast. */
	uint64_t reg_checked_ms;      /* rsv_registry_refresh() */
	bool reg_notified;            /* opts.registry_notified */
	_Atomic uint64_t reg_gen;     /* sixpn_resolver_registry_changed() calls */
	struct rsv_cache cache;

	struct sixpn_resolver_stats stats;
};

/* ---- resolver.c ------------------------------------------------ */
/* Before reading the registry: a file replaced at its path (a restore) is
 * read from as soon as it opens as a registry. Looks at the path at most
 * every 100 ms, unless `now`. */
void rsv_registry_refresh(struct sixpn_resolver *r, bool now);

/* ---- loop.c ---------------------------------------------------- */
uint64_t rsv_now_ms(void);
int rsv_watch_add(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events);
void rsv_watch_mod(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events);
void rsv_watch_del(struct sixpn_resolver *r, struct rsv_watch *w);
/* Closes w's socket now and frees w after the current batch of events, so
 * that later events of the batch never point at freed memory. */
void rsv_bury(struct sixpn_resolver *r, struct rsv_watch *w);
/* Sends a reply in wire form to where the query came from. */
void rsv_send(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
	      size_t len);
int rsv_loop_open(struct sixpn_resolver *r, const char *listen);
void *rsv_loop_run(void *arg);
void rsv_loop_close(struct sixpn_resolver *r);

/* ---- query.c --------------------------------------------------- */
/* Answers (or forwards, or drops) one message received from a client. */
void rsv_handle(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		size_t len);
/* A reply skeleton for q: ID, QR, opcode QUERY, RD/CD copied, RA, the
 * question as asked, and an OPT exactly when the query had one. */
ldns_pkt *rsv_reply_new(const struct rsv_q *q);
/* Encodes reply (a full RCODE, extended ones included), truncates it to the
 * question with TC=1 when it does not fit q->limit, counts it under path,
 * sends it, frees it. */
void rsv_reply_send(struct sixpn_resolver *r, const struct rsv_origin *o,
		    const struct rsv_q *q, ldns_pkt *reply, unsigned rcode,
		    enum sixpn_dns_path path);

/* ---- wire.c ---------------------------------------------------- */
/* What the structure of a message says; see wire.c. */
struct rsv_wire {
	unsigned n_opt;               /* OPT records (at most one) */
	bool tsig;                    /* a TSIG, last in the additional section */
};
/* 0 when every record is where it may be, -1 for FORMERR. */
int rsv_wire_check(const uint8_t *wire, size_t len, struct rsv_wire *w);
/* 0 when the EDNS options of pkt (parsed) are well-formed, -1 for FORMERR. */
int rsv_edns_check(ldns_pkt *pkt);

/* ---- cache.c --------------------------------------------------- */
int rsv_cache_init(struct sixpn_resolver *r, bool off);
void rsv_cache_free(struct sixpn_resolver *r);
/* Empties the cache; nothing is looked up or kept until the next
 * rsv_cache_validate. */
void rsv_cache_clear(struct sixpn_resolver *r);
/* Before a batch of queries already received: empties the cache when the
 * registry changed (or was replaced) since the last call; with
 * reg_notified, looks only when told of a change since. */
void rsv_cache_validate(struct sixpn_resolver *r);
/* Builds k for a query from o; false (k->len 0) when it is not one the
 * cache holds: cache off or not validated, a source that is no 6PN
 * address of a network, a QNAME not under internal. or flycast. */
bool rsv_cache_key(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		   size_t len, struct rsv_ckey *k);
/* Looks k up (counted as a hit or a miss). */
bool rsv_cache_find(struct sixpn_resolver *r, const struct rsv_ckey *k, struct rsv_chit *hit);
/* Keeps reply (as sent, for the query `query` of key k) unless the answer
 * was uncacheable, a SERVFAIL, or does not echo the question as asked. */
void rsv_cache_store(struct sixpn_resolver *r, const struct rsv_ckey *k, const uint8_t *query,
		     const uint8_t *reply, size_t len, unsigned rcode, bool truncated);

/* ---- tsig.c ---------------------------------------------------- */
/* Puts the unsigned BADKEY TSIG for the signed query pkt into reply. */
int rsv_tsig_badkey(const ldns_pkt *pkt, ldns_pkt *reply);

/* ---- names.c --------------------------------------------------- */
/* Fills reply for a question under internal.; returns its RCODE. */
unsigned rsv_answer_internal(struct sixpn_resolver *r, const struct rsv_q *q, ldns_pkt *reply);
/* The zone's SOA record, owner `zone` ("internal." or "flycast."), the
 * fast path's numbers; NULL when out of memory. */
ldns_rr *rsv_soa_record(const struct sixpn_dns_config *cfg, const char *zone);

/* ---- flycast.c ------------------------------------------------- */
/* Fills reply for a question under flycast.; returns its RCODE. */
unsigned rsv_answer_flycast(struct sixpn_resolver *r, const struct rsv_q *q, ldns_pkt *reply);

/* ---- txt.c ----------------------------------------------------- */
#define RSV_TXT_STRING_MAX 255       /* one character-string */
#define RSV_TXT_RR_MAX 1024          /* text bytes of one TXT record */
/* A growing list of entries, joined by `sep` in the records. */
struct rsv_txt {
	char **e;
	size_t n, cap;
	char sep;
};
void rsv_txt_init(struct rsv_txt *t, char sep);
int rsv_txt_add(struct rsv_txt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rsv_txt_free(struct rsv_txt *t);
/* Appends the TXT records for t to reply's answer section, owner `owner`:
 * whole entries per record, each record's text cut into character-strings
 * of at most 255 bytes. Returns the number of records, or -1. */
int rsv_txt_records(const struct rsv_txt *t, const ldns_rdf *owner, uint32_t ttl,
		    ldns_pkt *reply);
/* A new class IN record of type `type`, owner a copy of owner, no rdata
 * yet; NULL when out of memory. Every record the resolver makes starts so. */
ldns_rr *rsv_rr_new(const ldns_rdf *owner, ldns_rr_type type, uint32_t ttl);

/* ---- nearest.c ------------------------------------------------- */
/* Sorts m[0..n) nearest first from `region` (stable; see the file). */
int rsv_nearest_sort(struct reg *reg, const char *region, struct reg_machine *m, size_t n);

/* ---- forward.c ------------------------------------------------- */
/* Forwards q upstream; the reply goes to o when it comes. Takes q->pkt. */
void rsv_forward(struct sixpn_resolver *r, const struct rsv_origin *o, struct rsv_q *q);
void rsv_forward_event(struct sixpn_resolver *r, struct rsv_fwd *f, uint32_t events);
/* Times out what is overdue; returns ms until the next deadline (-1: none). */
int rsv_forward_tick(struct sixpn_resolver *r, uint64_t now);
/* A TCP client went away: its pending forwards reply to nobody. */
void rsv_forward_conn_gone(struct sixpn_resolver *r, struct rsv_conn *c);
void rsv_forward_close_all(struct sixpn_resolver *r);
void rsv_forward_free(struct rsv_fwd *f);

#endif
