/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The internal DNS contract (docs/design.md section 5): the names map that sixpnd
 * fills and the XDP fast path reads, the fast path's configuration, and the
 * wire constants both the XDP program and the userspace resolver use, so that
 * they give the same answers (same SOA, same TTLs).
 *
 * Names map `dns_names`: (network ID of the asker, name) -> what the name is.
 * The table stores a name by its seeded hash (the table's layout is below);
 * struct sixpn_dns_key is the name as userspace and bpftool's tools speak
 * of it:
 *
 *   key.name   the name as text, folded to lowercase, without the final
 *              dot, zero-padded: "web.internal". At most 63 characters
 *              (SIXPN_DNS_NAME_MAX - 1: a NUL always follows, so bpftool
 *              prints the key as a string). Labels of 1..63 bytes; a label
 *              holding a '.' or a NUL byte has no text form here and is
 *              passed to userspace. Longer names are never in the map; the
 *              fast path passes them to userspace.
 *   value      flags + up to SIXPN_DNS_MAX_ADDRS AAAA addresses. Every
 *              address of an answer lies in the asking network's /48 (answers
 *              never cross networks), so only bits 48-127 are stored: the
 *              network words come from the key. A name cannot answer with
 *              another network's address, by construction.
 *
 * What the fast path does with a question for NAME asked from network N
 * (UDP to fdaa::3 port 53, the source inside the ingress interface's prefix):
 *
 *   NAME not under internal.            pass (userspace forwards it upstream)
 *   NAME is internal. itself            pass (SOA/NS of the zone apex)
 *   (N, NAME) has SIXPN_DNS_F_USERSPACE pass: the name exists, userspace owns
 *                                       every answer (TXT names: regions.,
 *                                       vms., _apps, _instances, _peer)
 *   (N, NAME) present, AAAA question,   pass (DNS_PASS_TOO_BIG): more
 *   count > SIXPN_DNS_MAX_ADDRS         addresses than the entry holds;
 *                                       userspace has them all (TC bit, TCP)
 *   (N, NAME) present, AAAA question    every address, rotated, if the reply
 *                                       fits (512 bytes, or the EDNS size
 *                                       capped at 1232); else pass
 *   (N, NAME) present, count 0, AAAA    NODATA (an empty non-terminal such as
 *                                       vm.<app>.internal, or a name with only
 *                                       TXT data that is not flagged)
 *   (N, NAME) present, other types      NODATA (NOERROR, SOA in authority)
 *   absent, and (N, PARENT) has         pass: userspace computes the children
 *   SIXPN_DNS_F_CHILDREN_USERSPACE      (PARENT is NAME without its first
 *                                       label): top<N>.nearest.of.<app> under
 *                                       nearest.of.<app>.internal, and
 *                                       <peer>._peer.internal under
 *                                       _peer.internal unless sixpnd puts the
 *                                       peers in the map themselves
 *   absent, and network N is over its   pass (DNS_PASS_OVER_QUOTA): the
 *   names quota                         name may exist; the resolver knows
 *   absent otherwise                    NXDOMAIN, SOA in authority
 *
 * So sixpnd must put, per network: every AAAA name (<app>, global.<app>,
 * <region>.<app>, <machine>.vm.<app>, <peer>._peer if it wants XDP to answer
 * them), the empty non-terminals it wants NODATA for rather than NXDOMAIN
 * (vm.<app>, of.<app>, ...), the TXT names and ns.internal (the NS target,
 * whose address is the asker's DNS address) with F_USERSPACE, and
 * nearest.of.<app> (and _peer) with F_CHILDREN_USERSPACE. Meta query types
 * (OPT, and ANY, AXFR, ... 128-255) and the reserved ones (0, 65535), classes other than IN, opcodes other
 * than QUERY, TC, Z or an RCODE in a query, EDNS versions other than 0 or
 * an extended RCODE, an additional record that is not exactly one
 * well-formed OPT (TSIG, SIG(0), options past the RDATA, a COOKIE of a
 * length RFC 7873 forbids, more than 8 options), source port 0 and
 * anything the parser does not fully understand are passed up as well.
 *
 * Names quota: sixpnd puts at most `--names-quota` names per network in the
 * map, so that one network cannot fill it for all. A network it leaves
 * names out of gets the marker (N, "internal") with F_OVER_QUOTA (the
 * apex is never a name of the map: its questions pass up before any
 * lookup), and its slot in `dns_overflow` (the network ID's low byte)
 * counts it. A miss asked from a network whose slot is non-zero looks the
 * marker up (a name one label under internal. has just looked it up as
 * its parent), and passes the question up when it is there: a name left
 * out is answered by the resolver, never NXDOMAIN. Every other network's
 * misses cost one array read more than before.
 *
 * Pass-up budget: what the fast path passes up to the resolver (not what it
 * answers, and not what is no DNS or is spoofed: TC has those) spends a
 * token of the asker's bucket in `dns_passup`, an LRU hash keyed by the
 * source's delegation (its /112, a peer's /120), and then one of its
 * network's (its /48). A query finding either empty is dropped
 * (DNS_DROP_RATE_LIMITED, DNS_DROP_NET_RATE_LIMITED): one instance flooding
 * TXT or forwarded names cannot starve the resolver for the others. Rates
 * and bursts are dns_config's; rate 0 turns a level off. Buckets refill by
 * bpf_ktime_get_coarse_ns(), a tick-resolution clock as cheap as jiffies
 * that needs no HZ. CPUs share a bucket without atomics: a lost update
 * gives away at most a token per racing CPU.
 *
 * Sizing: the map is the open-addressing table described above struct
 * sixpn_dns_table_hdr below (an mmap'd ARRAY of fixed cells, slots for a
 * load of at most 4/5 and records for names with more than one address);
 * userspace sets its cells before load (sixpn_xdp_open(),
 * sixpn_dns_table_cells()). 1M machines (2.85M names) take about 170 bytes
 * of map per machine (docs/bench.md, "Scale"). Only names with a network
 * that has instances on this host need to be loaded. */
#ifndef SIXPN_DNS_H
#define SIXPN_DNS_H

#include "sixpn_types.h"
#include "sixpn_addr.h"

#define SIXPN_DNS_NAME_MAX 64      /* key name bytes: text, NUL-padded, <= 63 characters */
#define SIXPN_DNS_LABEL_MAX 63
#define SIXPN_DNS_MAX_ADDRS 8      /* inline AAAA addresses in a names map value */
#define SIXPN_DNS_NAMES_DEFAULT_MAX 262144 /* names map max_entries unless set */

#define SIXPN_DNS_UDP_PLAIN_MAX 512   /* reply size without EDNS (RFC 1035) */
#define SIXPN_DNS_EDNS_MAX 1232       /* our EDNS UDP size: DNS flag day 2020 */

/* Defaults for sixpn_dns_config (sixpn_dns_config_default() in userspace). */
#define SIXPN_DNS_DEFAULT_TTL 5        /* AAAA answers: machines come and go */
#define SIXPN_DNS_SOA_SERIAL 1
#define SIXPN_DNS_SOA_REFRESH 3600
#define SIXPN_DNS_SOA_RETRY 600
#define SIXPN_DNS_SOA_EXPIRE 86400
#define SIXPN_DNS_SOA_MINIMUM 5        /* negative TTL (RFC 2308) */
/* Pass-up budgets, queries per second and burst: per source well above what
 * an application asks for names it does not cache, per network a share of
 * what the resolver answers (~4,000 QPS, docs/bench.md). */
#define SIXPN_DNS_PASSUP_RATE 200
#define SIXPN_DNS_PASSUP_BURST 400
#define SIXPN_DNS_PASSUP_NET_RATE 1000
#define SIXPN_DNS_PASSUP_NET_BURST 2000

/* Names quota: --names-quota defaults to the map's capacity divided by
 * this, and never less than SIXPN_DNS_NAMES_QUOTA_MIN (a big app's names:
 * a small map gets no quota of its own); names of all networks together
 * stop short of the capacity by capacity / SIXPN_DNS_NAMES_HEADROOM_DIV,
 * room left for the markers. */
#define SIXPN_DNS_NAMES_QUOTA_DIV 8
#define SIXPN_DNS_NAMES_QUOTA_MIN 4096
#define SIXPN_DNS_NAMES_HEADROOM_DIV 32
#define SIXPN_DNS_OVERFLOW_SLOTS 256   /* dns_overflow entries: net ID & 255 */
#define SIXPN_DNS_PASSUP_MAX 65536     /* dns_passup entries: sources and networks */

/* The zone and its SOA, in wire form. The SOA record is always
 *   internal. <minimum> IN SOA ns.internal. hostmaster.internal. (serial
 *   refresh retry expire minimum)
 * with its TTL the SOA minimum, so a negative answer is cached for exactly
 * the negative TTL (RFC 2308 section 5). */
#define SIXPN_DNS_ZONE "internal"          /* the apex: passed to userspace */
#define SIXPN_DNS_ZONE_SUFFIX ".internal"  /* every name the fast path answers ends so */
#define SIXPN_DNS_ZONE_SUFFIX_LEN 9
/* The Flycast zone (docs/design.md section 7): <app>.flycast, AAAA, the
 * app's service address allocated for the asker's network. The fast path
 * answers only an AAAA it finds in the map (key "<app>.flycast", the
 * address's words 48-127 in the value like any name); every other question
 * under flycast. (misses, other types, the apex) goes to the resolver,
 * which holds flycast.'s SOA. */
#define SIXPN_DNS_FLYCAST_ZONE "flycast"
#define SIXPN_DNS_FLYCAST_SUFFIX ".flycast"
#define SIXPN_DNS_SOA_MNAME "ns"
#define SIXPN_DNS_SOA_RNAME "hostmaster"

/* The name schema (docs/design.md section 5): the labels the names sync
 * publishes and the resolver answers, one table for both.
 *   <app>, global.<app>, <region>.<app>          AAAA
 *   <machine>.vm.<app>, top<N>.nearest.of.<app>  AAAA
 *   vms.<app>, regions.<app>                     TXT
 *   _apps, _instances, _peer                     TXT (of the asker's network)
 *   <peer>._peer                                 AAAA
 *   ns, _api                                     AAAA: the asker's DNS address
 *   <group>.process.<app>                        AAAA, started machines of the group
 *   <value>.<key>.kv._metadata.<app>             AAAA, started machines with key=value
 *   all.vms.<app>, all.regions.<app>, all._instances  TXT, stopped machines too
 * each followed by SIXPN_DNS_ZONE_SUFFIX. Every AAAA set of an app holds its
 * started machines only; <machine>.vm.<app> answers whatever the state. */
#define SIXPN_DNS_LABEL_GLOBAL    "global"
#define SIXPN_DNS_LABEL_VM        "vm"
#define SIXPN_DNS_LABEL_OF        "of"
#define SIXPN_DNS_LABEL_NEAREST   "nearest"
#define SIXPN_DNS_LABEL_TOP       "top"         /* top<N>.nearest.of.<app> */
#define SIXPN_DNS_LABEL_VMS       "vms"
#define SIXPN_DNS_LABEL_REGIONS   "regions"
#define SIXPN_DNS_LABEL_APPS      "_apps"
#define SIXPN_DNS_LABEL_INSTANCES "_instances"
#define SIXPN_DNS_LABEL_PEER      "_peer"
#define SIXPN_DNS_LABEL_NS        SIXPN_DNS_SOA_MNAME
#define SIXPN_DNS_LABEL_ALL       "all"         /* all.vms, all.regions, all._instances: stopped too */
#define SIXPN_DNS_LABEL_PROCESS   "process"     /* <group>.process.<app> */
#define SIXPN_DNS_LABEL_KV        "kv"          /* <value>.<key>.kv._metadata.<app> */
#define SIXPN_DNS_LABEL_METADATA  "_metadata"
#define SIXPN_DNS_LABEL_API       "_api"        /* AAAA: the asker's service address */
/* Peers named so are short-lived CLI peers: in no _peer.internal list and
 * without a <peer>._peer.internal name (as Fly does for its own). */
#define SIXPN_DNS_PEER_HIDDEN_PREFIX "interactive-"

/* EDNS COOKIE (RFC 7873): a client cookie alone (8 bytes), or with a server
 * cookie of 8 to 32 bytes. Any other length is FORMERR: the fast path
 * passes it up, the resolver answers so; both judge with this. */
#define SIXPN_DNS_OPT_COOKIE 10
#define SIXPN_DNS_COOKIE_CLIENT_LEN 8
#define SIXPN_DNS_COOKIE_MIN 16
#define SIXPN_DNS_COOKIE_MAX 40

SIXPN_INLINE int sixpn_dns_cookie_len_ok(__u32 len)
{
	return len == SIXPN_DNS_COOKIE_CLIENT_LEN ||
	       (len >= SIXPN_DNS_COOKIE_MIN && len <= SIXPN_DNS_COOKIE_MAX);
}

/* The reply size an asker takes over UDP: 512 bytes without EDNS, its
 * advertised size (never less than 512) capped at ours with it. The fast
 * path and the resolver both clamp with this. */
SIXPN_INLINE __u16 sixpn_dns_reply_max(__u16 advertised)
{
	if (advertised < SIXPN_DNS_UDP_PLAIN_MAX)
		return SIXPN_DNS_UDP_PLAIN_MAX;
	if (advertised > SIXPN_DNS_EDNS_MAX)
		return SIXPN_DNS_EDNS_MAX;
	return advertised;
}

/* Flags of a names map entry. */
#define SIXPN_DNS_F_USERSPACE          0x0001 /* exists; userspace answers every question */
#define SIXPN_DNS_F_CHILDREN_USERSPACE 0x0002 /* absent children go to userspace, not NXDOMAIN */
#define SIXPN_DNS_F_OVER_QUOTA         0x0004 /* only on (N, SIXPN_DNS_ZONE): N is over its quota */

struct sixpn_dns_key {
	__u32 net_id;                     /* network of the asker's source address */
	char name[SIXPN_DNS_NAME_MAX];    /* text, lowercase, no final dot, NUL-padded */
};

/* Bits 48-127 of an address of the key's network: host ID, instance ID and
 * the free word, as big-endian 16-bit words (words 3..7 of struct sixpn_ip6). */
struct sixpn_dns_host {
	__be16 w[5];
};

struct sixpn_dns_value {
	__u16 flags;                      /* SIXPN_DNS_F_* */
	__u16 count;                      /* AAAA addresses in addrs[], <= SIXPN_DNS_MAX_ADDRS */
	struct sixpn_dns_host addrs[SIXPN_DNS_MAX_ADDRS];
};

/* The names table `dns_names` (docs/design.md section 5): an open-addressing
 * hash table in a BPF_F_MMAPABLE array that userspace writes through mmap
 * (loader/datapath/dns_names.c) and the fast path reads with array lookups
 * the verifier inlines, instead of a hash map keyed by the 68-byte text.
 *
 *   cell 0                the header: magic, the per-host seed, the mask
 *   cells 1 .. mask       slots: (network ID, hash of the name) -> flags and
 *                         one address inline, or the index of an address
 *                         record; a name's home slot is
 *                         sixpn_dns_home(net, hash), probed linearly for at
 *                         most SIXPN_DNS_PROBES slots (cell 0 skipped)
 *   cells mask+1 ..       address records of names with 2..8 addresses,
 *                         SIXPN_DNS_REC_CELLS cells each
 *
 * The hash is sixpn_dns_hash() of the lowercased wire form of the name
 * ("\3web\10internal\0"), seeded with the header's random seed so that
 * nobody off the host can aim two names at one slot (it is no cryptographic
 * hash: whoever reads the seed can, as selftests/dns_collide.h does). The
 * network ID is part of the key, so names of two networks never meet. Two
 * names of one network with the same hash (never by chance in practice: 64
 * bits) share one slot, written F_SHARED by the names sync
 * (loader/agent/names_sync.c, "names that share a hash") with
 * F_USERSPACE | F_CHILDREN_USERSPACE | F_OVER_QUOTA and no address: every
 * question for either name, for a child of either, and a quota marker's
 * look-up, go to the resolver, which answers each by its name; once only
 * one of them is left, it gets its own entry back. A name the registry does
 * not have, asked, that hashes like one it has gets that one's answer: the
 * seed is what keeps that from being aimed at.
 *
 * Every slot and record has a sequence word (maps/sixpn_seq.h): a reader
 * that finds one odd, or changed under it, passes the question up
 * (DNS_PASS_BUSY) rather than answer from a torn slot. A name the writer
 * could not place within SIXPN_DNS_PROBES slots sets F_SPILL on its home
 * slot: misses homed there are passed up too (the resolver knows every name).
 * A removed name leaves a tombstone (net_id SIXPN_DNS_NET_TOMB), so that the
 * names probed past it are still found; a full pass into a fresh table has
 * none. */
#define SIXPN_DNS_TABLE_MAGIC 0x36706e54 /* "6pnT" */
#define SIXPN_DNS_PROBES 16
#define SIXPN_DNS_REC_CELLS 3
#define SIXPN_DNS_NET_TOMB 0xffffffffU   /* a removed name; no network has this ID */

#define SIXPN_DNS_F_EXT   0x0100 /* slot: addresses in the record at cell u.rec */
#define SIXPN_DNS_F_SPILL 0x0200 /* slot as a home: a name homed here lies past the probes */
#define SIXPN_DNS_F_SHARED 0x0400 /* slot: two names or more of its network have its hash
				    * (entry bits: USERSPACE, CHILDREN_USERSPACE, OVER_QUOTA) */
#define SIXPN_DNS_F_ENTRY_MASK 0x00ff /* what a name's entry carries (SIXPN_DNS_F_*) */

struct sixpn_dns_hdr {
	__u32 magic;                      /* SIXPN_DNS_TABLE_MAGIC once set up */
	__u32 net_id;                     /* 0: never a name's */
	__u64 seed;                       /* of sixpn_dns_hash() */
	__u32 mask;                       /* slots are cells 1..mask; mask + 1 a power of two */
	__u32 recs;                       /* address records after the slots */
	__u32 written;                    /* 1 once a writer put anything in */
	__u32 pad;
};

struct sixpn_dns_slot {
	__u32 seq;                        /* even: stable; odd: in mid-write */
	__u32 net_id;                     /* 0: empty; SIXPN_DNS_NET_TOMB: removed */
	__u64 hash;                       /* sixpn_dns_hash() of the name */
	__u16 flags;                      /* SIXPN_DNS_F_* */
	__u16 count;                      /* AAAA addresses of the name */
	union {
		struct sixpn_dns_host addr;   /* count == 1 */
		__u32 rec;                    /* F_EXT: cell of its address record */
	} u;
};

/* An address record: a head and two more cells, under the head's word. */
struct sixpn_dns_rec_head {
	__u32 seq;
	__u32 owner;                      /* the slot that points here; 0: free */
	struct sixpn_dns_host addrs[2];
	__u32 pad;
};

struct sixpn_dns_rec_tail {
	struct sixpn_dns_host addrs[3];
	__u16 pad;
};

/* The value type of `dns_names`: what a cell is depends on where it is. */
union sixpn_dns_cell {
	struct sixpn_dns_slot slot;
	struct sixpn_dns_hdr hdr;
	struct sixpn_dns_rec_head head;
	struct sixpn_dns_rec_tail tail;
};

/* `dns_text`: the names of the table as text, for listings only (the
 * programs never read it): an append-only log of records {net ID, length,
 * name} in a BPF_F_MMAPABLE array of 64-byte cells, cell 0 its header.
 * The names sync rewrites it on every full pass and appends on deltas;
 * sixpn-attach dns-set appends. A record whose name no longer hashes to a
 * live slot is simply not shown; when the log is full, names go unlisted
 * (shown by hash) until the next full pass. */
#define SIXPN_DNS_TEXT_MAGIC 0x36706e78 /* "6pnx" */
#define SIXPN_DNS_TEXT_DEFAULT_CELLS (262144 / 2 + 1)

struct sixpn_dns_text_cell {
	char b[64];
};

struct sixpn_dns_text_hdr {
	__u32 magic;
	__u32 used;                       /* bytes of records after cell 0 */
};

SIXPN_INLINE __u32 sixpn_dns_text_cells(__u32 names)
{
	return names / 2 + 1;
}

/* Cells for a table of `names` names: slots for a load of at most 4/5
 * (a full table; the probes' bound makes what does not fit the resolver's,
 * flagged on its home), and address records for an eighth of them (names
 * of 2..8 addresses: an app's sets; bigger sets keep a count only). */
SIXPN_INLINE __u32 sixpn_dns_table_slots(__u32 names)
{
	__u64 want = (__u64)names + names / 4 + 1, s = 1024;

	while (s < want && s < (1ULL << 30))
		s <<= 1;
	return (__u32)s;
}

SIXPN_INLINE __u32 sixpn_dns_table_cells(__u32 names)
{
	return sixpn_dns_table_slots(names) + (names / 8 + 16) * SIXPN_DNS_REC_CELLS;
}

/* The table's size unless set before load (sixpn_xdp_open()): for
 * SIXPN_DNS_NAMES_DEFAULT_MAX names. */
#define SIXPN_DNS_NAMES_DEFAULT_CELLS (524288 + (262144 / 8 + 16) * SIXPN_DNS_REC_CELLS)

#define SIXPN_DNS_K1 0x9e3779b97f4a7c15ULL
#define SIXPN_DNS_K2 0xc2b2ae3d27d4eb4fULL

/* One 8-byte chunk of the name (bytes little-endian, the last chunk
 * zero-padded) into the state. */
SIXPN_INLINE __u64 sixpn_dns_mix(__u64 h, __u64 w)
{
	h = (h ^ w) * SIXPN_DNS_K1;
	return h ^ (h >> 29);
}

SIXPN_INLINE __u64 sixpn_dns_hash_start(__u64 seed)
{
	return seed ^ SIXPN_DNS_K2;
}

SIXPN_INLINE __u64 sixpn_dns_hash_end(__u64 h, __u32 len)
{
	h ^= len;
	h *= SIXPN_DNS_K2;
	h ^= h >> 32;
	return h;
}

/* The seeded hash of `len` bytes of lowercased wire form. Not a
 * cryptographic one: the seed only keeps off-host parties from aiming. */
SIXPN_INLINE __u64 sixpn_dns_hash(__u64 seed, const __u8 *wire, __u32 len)
{
	__u64 h = sixpn_dns_hash_start(seed), w = 0;
	__u32 i;

	for (i = 0; i < len; i++) {
		w |= (__u64)wire[i] << (8 * (i & 7));
		if ((i & 7) == 7) {
			h = sixpn_dns_mix(h, w);
			w = 0;
		}
	}
	if (len & 7)
		h = sixpn_dns_mix(h, w);
	return sixpn_dns_hash_end(h, len);
}

/* The slot a name starts probing at (1..mask). */
SIXPN_INLINE __u32 sixpn_dns_home(__u32 net_id, __u64 hash, __u32 mask)
{
	__u64 h = hash ^ ((__u64)net_id * SIXPN_DNS_K1);
	__u32 idx = (__u32)(h ^ (h >> 32)) & mask;

	return idx ? idx : 1;
}

/* `dns_config`: one entry (key 0). Until sixpnd sets `enabled`, the fast
 * path passes every question up. */
struct sixpn_dns_config {
	__u32 enabled;
	__u32 ttl;                        /* TTL of AAAA answers */
	__u32 soa_serial;
	__u32 soa_refresh;
	__u32 soa_retry;
	__u32 soa_expire;
	__u32 soa_minimum;                /* negative TTL; also the SOA record's TTL */
	__u32 passup_rate;                /* per source: queries/s passed up, 0: no limit */
	__u32 passup_burst;
	__u32 passup_net_rate;            /* per network, the same */
	__u32 passup_net_burst;
};

/* `dns_overflow`: array of SIXPN_DNS_OVERFLOW_SLOTS __u32, how many networks
 * over their names quota have that low byte of their ID. */
SIXPN_INLINE __u32 sixpn_dns_overflow_slot(__u32 net_id)
{
	return net_id & (SIXPN_DNS_OVERFLOW_SLOTS - 1);
}

/* `dns_passup`: LRU hash, a prefix -> its bucket. */
struct sixpn_dns_passup_key {
	__u32 prefix_len;                 /* 112/120: one asker; 48: a network */
	struct sixpn_ip6 prefix;          /* the source, zero past prefix_len */
};

struct sixpn_dns_bucket {
	__u64 last_ns;                    /* last refill, bpf_ktime_get_coarse_ns() */
	__u64 credit_ns;                  /* tokens, in ns of refill (1e9 / rate each) */
};

/* DNS wire values the fast path and the resolver share. */
#define SIXPN_DNS_TYPE_AAAA 28
#define SIXPN_DNS_TYPE_SOA 6
#define SIXPN_DNS_TYPE_OPT 41         /* a meta type too (RFC 6891): never from XDP */
#define SIXPN_DNS_CLASS_IN 1
#define SIXPN_DNS_META_TYPE_FIRST 128 /* 128-255: ANY, AXFR, IXFR, ...: never from XDP */
#define SIXPN_DNS_META_TYPE_LAST 255
#define SIXPN_DNS_TYPE_RESERVED 65535 /* and 0: reserved (RFC 6895), not a data type: never from XDP */
#define SIXPN_DNS_RCODE_NOERROR 0
#define SIXPN_DNS_RCODE_NXDOMAIN 3

/* A full address from a key's network and a stored host part. */
SIXPN_INLINE void sixpn_dns_addr(struct sixpn_ip6 *a, __u32 net_id,
				 const struct sixpn_dns_host *h)
{
	a->w[0] = sixpn_htons(SIXPN_ULA_WORD);
	sixpn_words_set32(a, 1, net_id);
	a->w[3] = h->w[0];
	a->w[4] = h->w[1];
	a->w[5] = h->w[2];
	a->w[6] = h->w[3];
	a->w[7] = h->w[4];
}

#endif
