/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Keys, values and enums of every sixpn map: the contract between the BPF
 * programs and sixpnd/sixpnctl. Change a layout here and both sides follow. */
#ifndef SIXPN_MAPS_H
#define SIXPN_MAPS_H

#include "sixpn_types.h"
#include "sixpn_addr.h"

/* What an interface in the `ifaces` map is to sixpn: X(name, text), the text
 * being what userspace prints (sixpn-attach status). The values are stored
 * in the map: new roles go at the end. */
#define SIXPN_ROLES(X)                                                                  \
	X(NONE, "none")                                                                 \
	X(INSTANCE, "instance")   /* host side of an instance's veth/tap: one /112 */   \
	X(PEER, "peer")           /* a device for one WireGuard peer: one /120 */       \
	X(PEERS_DEV, "peers-dev") /* the shared WireGuard peers device (`peers` map) */ \
	X(MESH, "mesh")           /* the host-to-host WireGuard mesh device */

enum sixpn_role {
#define SIXPN_ROLE_ENUM(name, text) SIXPN_ROLE_##name,
	SIXPN_ROLES(SIXPN_ROLE_ENUM)
#undef SIXPN_ROLE_ENUM
};

#if !defined(__bpf__)
#define SIXPN_ROLE_TEXT_ENTRY(name, text) text,
static const char *const sixpn_role_names[] = { SIXPN_ROLES(SIXPN_ROLE_TEXT_ENTRY) };
#undef SIXPN_ROLE_TEXT_ENTRY

/* "instance", "peers-dev", ...; "none" for a value no role has. */
static inline const char *sixpn_role_name(__u32 role)
{
	if (role >= sizeof(sixpn_role_names) / sizeof(sixpn_role_names[0]))
		role = SIXPN_ROLE_NONE;
	return sixpn_role_names[role];
}
#endif

/* `ifaces`: ifindex -> what sixpn delegated to that interface. */
struct sixpn_iface {
	enum sixpn_role role; /* an enum, so bpftool prints its name */
	__u32 net_id;         /* network of the delegated prefix */
	__u32 prefix_len;     /* 112 for an instance, 120 for a peer */
	__u32 l2_len;         /* 14 on Ethernet (veth, tap), 0 on L3 devices (tun, wg) */
	struct sixpn_ip6 prefix;
};

/* `iface_slots`: the same descriptions, direct-mapped by ifindex (slot
 * sixpn_iface_slot_of(ifindex)) in a BPF_F_MMAPABLE array, so that the
 * programs find their interface with an array read the verifier inlines
 * instead of a hash lookup (~30 ns). `ifaces` stays the authority: a slot
 * holding another ifindex, an empty one or one in mid-write sends the
 * program to `ifaces`, and an interface in neither fails closed. Userspace
 * writes a slot through mmap only (loader/datapath/ifaces.c), under its
 * sequence word (maps/sixpn_seq.h). */
#define SIXPN_IFACE_SLOTS 4096

/* What the programs work with: the description and its prefix as a mask.
 * Aligned to 8 (it already sits at offset 8 of its slot, and its size is a
 * multiple of 8, so no layout changes): the programs then copy it out of
 * the slot with six 8-byte loads instead of twelve 4-byte ones. */
struct sixpn_ifview {
	enum sixpn_role role;
	__u32 net_id;
	__u32 prefix_len;
	__u32 l2_len;
	struct sixpn_ip6 prefix;
	struct sixpn_ip6 mask;  /* prefix_len leading one bits */
} __attribute__((aligned(8)));

struct sixpn_iface_slot {
	__u32 seq;              /* even: stable; odd: being written (maps/sixpn_seq.h) */
	__u32 ifindex;          /* 0: empty */
	struct sixpn_ifview v;
	__u32 pad[2];
};

SIXPN_INLINE __u32 sixpn_iface_slot_of(__u32 ifindex)
{
	return ifindex & (SIXPN_IFACE_SLOTS - 1);
}

/* One 64-bit half of a prefix's mask, `bits` (0..64) of it set, in network
 * byte order. */
SIXPN_INLINE __u64 sixpn_mask_half(__u32 bits)
{
	__u64 m = bits ? ~0ULL << (64 - bits) : 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap64(m);
#endif
	return m;
}

/* The mask of a prefix length (0..128; more is 128). Two shifts, not a loop
 * of byte tests: in the programs each test would be a branch, and each
 * branch a state more for the verifier. */
SIXPN_INLINE void sixpn_prefix_mask(struct sixpn_ip6 *m, __u32 len)
{
	__u64 *h = (__u64 *)m->w;

	if (len > 128)
		len = 128;
	h[0] = sixpn_mask_half(len > 64 ? 64 : len);
	h[1] = sixpn_mask_half(len > 64 ? len - 64 : 0);
}

/* `peers`: LPM trie of the /120s handed to WireGuard peers on this host. */
struct sixpn_lpm_key {
	__u32 prefixlen;
	struct sixpn_ip6 addr;
};

struct sixpn_peer {
	__u32 net_id;
	__u32 flags;
};

/* Where a packet was seen. The X-macro lists give both the enums and, for
 * userspace, their names, so a new entry cannot be missing from one side. */
#define SIXPN_HOOKS(X)                                                              \
	X(FROM_INSTANCE, "tc ingress on an instance/peer interface: packets from it") \
	X(TO_INSTANCE, "tc egress on an instance/peer interface: packets to it")     \
	X(MESH_OUT, "tc egress on the mesh device")                                  \
	X(MESH_IN, "tc ingress on the mesh device")                                  \
	X(XDP_DNS, "xdp on an instance interface")

enum sixpn_hook {
#define SIXPN_HOOK_ENUM(name, doc) SIXPN_HOOK_##name,
	SIXPN_HOOKS(SIXPN_HOOK_ENUM)
#undef SIXPN_HOOK_ENUM
	SIXPN_HOOK_MAX,
};

/* What a reason does with the packet: its class, a column of SIXPN_REASONS,
 * so that no test depends on where a reason sits in the enum. PASS: on to
 * the stack untouched; DROP: dropped (TC_ACT_SHOT, and a drop event);
 * ANSWER: the XDP fast path answered it (XDP_TX). */
#define SIXPN_CLASSES(X) \
	X(PASS, "pass")  \
	X(DROP, "drop")  \
	X(ANSWER, "answer")

enum sixpn_class {
#define SIXPN_CLASS_ENUM(name, text) SIXPN_CLASS_##name,
	SIXPN_CLASSES(SIXPN_CLASS_ENUM)
#undef SIXPN_CLASS_ENUM
	SIXPN_CLASS_MAX,
};

/* Why a packet went where it went. Every verdict of every program is one of
 * these: X(name, class, doc). New reasons go at the end, so that the
 * numbering of counters stays stable; the class says what the reason does,
 * wherever it sits. */
#define SIXPN_REASONS(X)                                                                        \
	X(PASS,                 PASS,   "same network, or mesh traffic swapped")                \
	X(PASS_DNS,             PASS,   "UDP/TCP 53 to a DNS address, or its reply")            \
	X(PASS_NDP,             PASS,   "ICMPv6 neighbour discovery / MLD on the link")         \
	X(PASS_ICMP_ERROR,      PASS,   "host's ICMPv6 error about the instance's own packet")  \
	X(PASS_NOT_6PN,         PASS,   "mesh device: not a 6PN packet, untouched")             \
	X(DROP_MALFORMED,       DROP,   "truncated or unparseable header")                      \
	X(DROP_NOT_IPV6,        DROP,   "IPv4, ARP or other ethertypes")                        \
	X(DROP_SPOOFED_SRC,     DROP,   "source outside the interface's delegated prefix")      \
	X(DROP_CROSS_NETWORK,   DROP,   "source and destination networks differ")               \
	X(DROP_NOT_6PN,         DROP,   "non-6PN address on a 6PN-only interface")              \
	X(DROP_DNS_PORT,        DROP,   "to or from a DNS address, but not UDP/TCP port 53")    \
	X(DROP_UNKNOWN_IFACE,   DROP,   "interface missing from the ifaces map: fail closed")   \
	X(DROP_UNKNOWN_DST,     DROP,   "to an address not delegated to this interface")        \
	X(DROP_EXT_HDR,         DROP,   "routing header with segments left, or too many headers") \
	X(DNS_ANSWERED,         ANSWER, "xdp answered from the names map")                      \
	X(DNS_NODATA,           ANSWER, "xdp answered NODATA")                                  \
	X(DNS_NXDOMAIN,         ANSWER, "xdp answered NXDOMAIN")                                \
	X(DNS_PASS_NOT_DNS,     PASS,   "not UDP to fdaa::3 port 53: untouched")                \
	X(DNS_PASS_UNSUPPORTED, PASS,   "a query the fast path does not answer")                \
	X(DNS_PASS_MALFORMED,   PASS,   "malformed query: userspace answers FORMERR")           \
	X(DNS_PASS_TOO_BIG,     PASS,   "answer would not fit: userspace, TC or TCP")           \
	X(DNS_PASS_SPOOFED,     PASS,   "xdp: unknown interface or source outside its prefix: TC drops it") \
	X(DNS_PASS_FORWARD,     PASS,   "xdp: name outside internal.: userspace forwards it")   \
	X(DNS_PASS_USERSPACE,   PASS,   "xdp: a name the names map leaves to userspace (TXT, computed, big sets)") \
	X(DNS_DROP_RATE_LIMITED, DROP,  "xdp: a pass-up over its source's budget: dropped")     \
	X(DNS_DROP_NET_RATE_LIMITED, DROP, "xdp: a pass-up over its network's budget: dropped") \
	X(DNS_PASS_OVER_QUOTA,  PASS,   "xdp: a name missing from the map of a network over its names quota") \
	X(PASS_FC_FORWARD,      PASS,   "flycast: to a service address, translated to a backend") \
	X(PASS_FC_REPLY,        PASS,   "flycast: a backend's reply, translated back to the consumer") \
	X(PASS_FC_ICMP_ERROR,   PASS,   "flycast: an ICMPv6 error about a translated flow, translated") \
	X(DROP_NO_SERVICE,      DROP,   "flycast: to the service range, no service allocated there") \
	X(DROP_SVC_PORT,        DROP,   "flycast: a port or protocol the service does not serve") \
	X(DROP_NO_BACKEND,      DROP,   "flycast: the service has no backend") \
	X(DROP_CT_FULL,         DROP,   "flycast: conntrack cannot take the flow (table or SNAT slots full)") \
	X(DROP_NO_FLOW,         DROP,   "flycast: to this host's Flycast source address, no live flow") \
	X(DNS_PASS_BUSY,        PASS,   "xdp: the name's slot was in mid-write: userspace answers") \
	X(PASS_API,             PASS,   "TCP 4280 to a DNS address (the Machines API), or its reply")

enum sixpn_reason {
#define SIXPN_REASON_ENUM(name, class, doc) SIXPN_##name,
	SIXPN_REASONS(SIXPN_REASON_ENUM)
#undef SIXPN_REASON_ENUM
	SIXPN_REASON_MAX,
};

#if !defined(__bpf__)
/* "DROP_CROSS_NETWORK" and friends, indexed by enum. */
#define SIXPN_NAME_ENTRY(name, doc) #name,
#define SIXPN_DOC_ENTRY(name, doc) doc,
#define SIXPN_REASON_NAME_ENTRY(name, class, doc) #name,
#define SIXPN_REASON_DOC_ENTRY(name, class, doc) doc,
#define SIXPN_CLASS_NAME_ENTRY(name, text) text,
static const char *const sixpn_hook_names[] = { SIXPN_HOOKS(SIXPN_NAME_ENTRY) };
static const char *const sixpn_hook_docs[] = { SIXPN_HOOKS(SIXPN_DOC_ENTRY) };
static const char *const sixpn_reason_names[] = { SIXPN_REASONS(SIXPN_REASON_NAME_ENTRY) };
static const char *const sixpn_reason_docs[] = { SIXPN_REASONS(SIXPN_REASON_DOC_ENTRY) };
/* "pass", "drop", "answer": the verdict label of stats and metrics. */
static const char *const sixpn_class_names[] = { SIXPN_CLASSES(SIXPN_CLASS_NAME_ENTRY) };
#undef SIXPN_NAME_ENTRY
#undef SIXPN_DOC_ENTRY
#undef SIXPN_REASON_NAME_ENTRY
#undef SIXPN_REASON_DOC_ENTRY
#undef SIXPN_CLASS_NAME_ENTRY
#endif

/* The class of a reason, from its row of SIXPN_REASONS. A value that is no
 * reason is a drop: whatever reads it fails closed. */
SIXPN_INLINE enum sixpn_class sixpn_reason_class(__u32 reason)
{
	switch (reason) {
#define SIXPN_REASON_CLASS_CASE(name, class, doc) \
	case SIXPN_##name:                        \
		return SIXPN_CLASS_##class;
	SIXPN_REASONS(SIXPN_REASON_CLASS_CASE)
#undef SIXPN_REASON_CLASS_CASE
	}
	return SIXPN_CLASS_DROP;
}

SIXPN_INLINE int sixpn_reason_is_drop(__u32 reason)
{
	return sixpn_reason_class(reason) == SIXPN_CLASS_DROP;
}

/* `stats`: per-CPU array indexed by sixpn_stat_index(hook, reason). */
struct sixpn_counter {
	__u64 packets;
	__u64 bytes;
};

#define SIXPN_STATS_ENTRIES (SIXPN_HOOK_MAX * SIXPN_REASON_MAX)

SIXPN_INLINE __u32 sixpn_stat_index(__u32 hook, __u32 reason)
{
	return hook * SIXPN_REASON_MAX + reason;
}

/* Capacities, shared so that userspace can report fill levels. */
#define SIXPN_MAX_IFACES 65536
#define SIXPN_MAX_PEERS 65536

/* `events`: a ring buffer of dropped packets, for `sixpnctl monitor`. One
 * record per drop that the rate limit lets through; addresses are in 6PN form
 * (mesh ingress swaps back before it decides) and zero when the drop came
 * before the IPv6 header was found. */
struct sixpn_drop_event {
	__u64 ts_ns;          /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;        /* skb->ifindex, in the host's network namespace */
	__u32 len;            /* skb->len */
	__u32 suppressed;     /* drops this CPU left unreported since its last event */
	__u8 hook;            /* enum sixpn_hook */
	__u8 reason;          /* enum sixpn_reason */
	__u8 l4_proto;        /* final next header, 0 when unknown */
	__u8 flags;           /* SIXPN_EVENT_F_* */
	__u16 sport;          /* host byte order; 0 when not TCP/UDP */
	__u16 dport;
	struct sixpn_ip6 src;
	struct sixpn_ip6 dst;
	__u32 pad;
};

#define SIXPN_EVENT_F_HAS_IP6 0x1  /* src, dst and l4_proto are valid */
#define SIXPN_EVENT_F_HAS_L4 0x2   /* l4_proto is the final next header */

/* The drop-event rate limit: a token bucket per CPU, refilled at
 * SIXPN_EVENTS_PER_SEC and holding at most SIXPN_EVENTS_BURST events, so a
 * flood costs one map lookup per packet and cannot fill the ring. */
#define SIXPN_EVENTS_PER_SEC 1000
#define SIXPN_EVENTS_BURST 200
#define SIXPN_EVENTS_RING_BYTES (256 * 1024)

/* `event_limit`: per-CPU array of one entry, the bucket and its tallies. */
struct sixpn_event_limit {
	__u64 last_jiffies;   /* last refill, bpf_jiffies64() */
	__u64 credit;         /* tokens: HZ units make one (tc/lib/events.h) */
	__u64 sent;           /* events written to the ring */
	__u64 suppressed;     /* drops not reported: bucket empty */
	__u64 lost;           /* drops not reported: ring full */
	__u32 pending;        /* suppressed + lost since the last event sent */
	__u32 pad;
};

#endif
