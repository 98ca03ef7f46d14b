/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Keys, values and enums of every sixpn map: the contract between the BPF
 * programs and sixpnd/sixpnctl. Change a layout here and both sides follow. */
#ifndef SIXPN_MAPS_H
#define SIXPN_MAPS_H

#include "sixpn_types.h"
#include "sixpn_addr.h"

/* What an interface in the `ifaces` map is to sixpn. */
enum sixpn_role {
	SIXPN_ROLE_NONE = 0,
	SIXPN_ROLE_INSTANCE = 1,  /* host side of an instance's veth/tap: one /112 */
	SIXPN_ROLE_PEER = 2,      /* a device for one WireGuard peer: one /120 */
	SIXPN_ROLE_PEERS_DEV = 3, /* the shared WireGuard peers device: the `peers` map says who */
	SIXPN_ROLE_MESH = 4,      /* the host-to-host WireGuard mesh device */
};

/* `ifaces`: ifindex -> what sixpn delegated to that interface. */
struct sixpn_iface {
	__u32 role;           /* enum sixpn_role */
	__u32 net_id;         /* network of the delegated prefix */
	__u32 prefix_len;     /* 112 for an instance, 120 for a peer */
	__u32 l2_len;         /* 14 on Ethernet (veth, tap), 0 on L3 devices (tun, wg) */
	struct sixpn_ip6 prefix;
};

/* `peers`: LPM trie of the /120s handed to WireGuard peers on this host. */
struct sixpn_lpm_key {
	__u32 prefixlen;
	struct sixpn_ip6 addr;
};

struct sixpn_peer {
	__u32 net_id;
	__u32 flags;
};

/* Where a packet was seen. */
enum sixpn_hook {
	SIXPN_HOOK_FROM_INSTANCE = 0, /* tc ingress on an instance/peer interface */
	SIXPN_HOOK_TO_INSTANCE = 1,   /* tc egress on an instance/peer interface */
	SIXPN_HOOK_MESH_OUT = 2,      /* tc egress on the mesh device */
	SIXPN_HOOK_MESH_IN = 3,       /* tc ingress on the mesh device */
	SIXPN_HOOK_XDP_DNS = 4,       /* xdp on an instance interface */
	SIXPN_HOOK_MAX,
};

/* Why a packet went where it went. Every verdict of every program is one of
 * these; PASS_* and the DNS outcomes are not drops. Keep the DROP_ block
 * together: sixpn_reason_is_drop() relies on it. */
enum sixpn_reason {
	SIXPN_PASS = 0,             /* same network, or mesh traffic swapped */
	SIXPN_PASS_DNS,             /* UDP/TCP 53 to a DNS address, or its reply */
	SIXPN_PASS_NDP,             /* ICMPv6 neighbour discovery / MLD on the link */
	SIXPN_PASS_ICMP_ERROR,      /* host's ICMPv6 error about the instance's own packet */
	SIXPN_PASS_NOT_6PN,         /* mesh device: not a 6PN packet, untouched */
	SIXPN_DROP_FIRST,
	SIXPN_DROP_MALFORMED = SIXPN_DROP_FIRST, /* truncated or unparseable header */
	SIXPN_DROP_NOT_IPV6,        /* IPv4, ARP or other ethertypes */
	SIXPN_DROP_SPOOFED_SRC,     /* source outside the interface's delegated prefix */
	SIXPN_DROP_CROSS_NETWORK,   /* source and destination networks differ */
	SIXPN_DROP_NOT_6PN,         /* non-6PN address on a 6PN-only interface */
	SIXPN_DROP_DNS_PORT,        /* to a DNS address, but not UDP/TCP port 53 */
	SIXPN_DROP_UNKNOWN_IFACE,   /* interface missing from `ifaces`: fail closed */
	SIXPN_DROP_UNKNOWN_DST,     /* to an address not delegated to this interface */
	SIXPN_DROP_EXT_HDR,         /* routing header with segments left, or too many headers */
	SIXPN_DROP_LAST = SIXPN_DROP_EXT_HDR,
	/* DNS fast path outcomes (xdp) */
	SIXPN_DNS_ANSWERED,
	SIXPN_DNS_NODATA,
	SIXPN_DNS_NXDOMAIN,
	SIXPN_DNS_PASS_NOT_DNS,     /* not UDP to fdaa::3:53: untouched */
	SIXPN_DNS_PASS_UNSUPPORTED, /* a query the fast path does not answer */
	SIXPN_DNS_PASS_MALFORMED,   /* userspace answers FORMERR */
	SIXPN_DNS_PASS_TOO_BIG,     /* answer would not fit: userspace, TC or TCP */
	SIXPN_REASON_MAX,
};

SIXPN_INLINE int sixpn_reason_is_drop(__u32 reason)
{
	return reason >= SIXPN_DROP_FIRST && reason <= SIXPN_DROP_LAST;
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

#endif
