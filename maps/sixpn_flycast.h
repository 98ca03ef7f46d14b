/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Flycast (docs/design.md section 7): a service address of app A allocated
 * for consumer network B, translated and balanced in TC. The address
 * ranges, the map layouts and the conntrack timeouts, shared by the TC
 * programs, the registry, sixpnd and sixpnctl.
 *
 * Two ranges of the address plan that no machine or peer can ever hold:
 *
 *   service  fdaa:NET:0:0:SVC:0      host word 0 (host ID 0 is reserved),
 *            instance words = the service ID (1..2^32-1), free word 0;
 *            NET is the CONSUMER network (the address lives in its /48)
 *   SNAT     fdaa:NET:HOST:0:0:W     instance 0 (never handed out) on the
 *            consumer's host HOST, in the APP's network NET: the source a
 *            translated packet carries, so that from the consumer's host on
 *            it is an ordinary same-network packet of NET
 */
#ifndef SIXPN_FLYCAST_H
#define SIXPN_FLYCAST_H

#include "sixpn_types.h"
#include "sixpn_addr.h"

#define SIXPN_FC_MAX_PORTS     8      /* --ports: at most this many; none = all */
#define SIXPN_FC_MAX_SERVICES  256    /* per host: slots of fc_services */
#define SIXPN_FC_MAX_BACKENDS  64     /* per service */
#define SIXPN_FC_MAGLEV_M      1021   /* Maglev table size: prime, >> backends */
#define SIXPN_FC_CT_MAX        65536  /* conntrack entries (two per flow) */
#define SIXPN_FC_SNAT_FIRST    0x0100 /* SNAT free words used: 0x100..0xffff */
#define SIXPN_FC_SNAT_TRIES    4      /* SNAT words tried before DROP_CT_FULL */

/* Conntrack timeouts, seconds (Cilium's defaults, shortened for UDP). */
#define SIXPN_FC_TO_TCP_EST    21600
#define SIXPN_FC_TO_TCP_CLOSE  10
#define SIXPN_FC_TO_UDP        60
#define SIXPN_FC_TO_ICMP       30

/* fdaa:NET:0:0:SVC:0 -- any address with host word 0 and an instance
 * part is in the service range (reserved, whether allocated or not). */
SIXPN_INLINE int sixpn_fc_in_service_range(const struct sixpn_ip6 *a)
{
	return sixpn_is_6pn(a) && (a->w[3] | a->w[4]) == 0 && (a->w[5] | a->w[6]) != 0;
}

SIXPN_INLINE void sixpn_fc_service_addr(struct sixpn_ip6 *a, __u32 net, __u32 svc)
{
	sixpn_compose(a, net, 0, svc, 0);
}

/* fdaa:NET:HOST:0:0:W with HOST != 0: a Flycast SNAT address. */
SIXPN_INLINE int sixpn_fc_is_snat(const struct sixpn_ip6 *a)
{
	return sixpn_is_6pn(a) && (a->w[3] | a->w[4]) != 0 && (a->w[5] | a->w[6]) == 0;
}

/* `fc_services`: service address -> the service on this host. */
struct sixpn_fc_service {
	__u32 slot;            /* row of fc_maglev / fc_backends, < MAX_SERVICES */
	__u32 app_net;         /* network of the app (the backends) */
	__u32 nbackends;       /* 0: DROP_NO_BACKEND */
	__u32 nports;          /* 0: every port */
	__u16 ports[SIXPN_FC_MAX_PORTS]; /* host byte order */
};

/* `fc_backends`: slot * MAX_BACKENDS + index -> backend machine. */
struct sixpn_fc_backend {
	struct sixpn_ip6 addr; /* zero: gone, no new flow goes to it */
};

/* `fc_maglev`: slot * MAGLEV_M + (hash % M) -> backend index. */

/* `fc_config`: array of one; host_id lets the TC program tell its own SNAT
 * addresses (a reply must find its flow) from other hosts' (routed on). */
struct sixpn_fc_config {
	__u32 host_id;
	__u32 to_tcp_est, to_tcp_close, to_udp, to_icmp; /* seconds; 0: default */
	__u32 pad;
};

/* `fc_ct` key: the packet's own addresses and ports (for ICMPv6 echo, the
 * identifier in both port fields' places: sport = id, dport = 0). */
struct sixpn_fc_ct_key {
	struct sixpn_ip6 src;
	struct sixpn_ip6 dst;
	__u16 sport, dport;    /* network byte order */
	__u8 proto;
	__u8 pad[3];
};

#define SIXPN_FC_CT_DIR_ORIG  0 /* consumer -> service: DNAT + SNAT */
#define SIXPN_FC_CT_DIR_REPLY 1 /* backend -> SNAT address: undo both */

#define SIXPN_FC_ST_OPEN      0
#define SIXPN_FC_ST_CLOSING   1 /* FIN or RST seen */

/* `fc_ct` value: what to write into the packet. */
struct sixpn_fc_ct {
	struct sixpn_ip6 new_src;
	struct sixpn_ip6 new_dst;
	__u64 expires_ns;      /* bpf_ktime_get_ns() */
	__u64 packets;
	__u64 bytes;
	__u32 svc_slot;
	__u32 backend;         /* index in the service's backends */
	__u8 dir;              /* SIXPN_FC_CT_DIR_* */
	__u8 state;            /* SIXPN_FC_ST_* */
	__u8 l2_len;           /* the consumer's interface: 14 Ethernet, 0 L3 */
	__u8 pad;
	/* The consumer's interface, where an ICMPv6 error this host sends to
	 * its SNAT address is redirected once translated (reply entries). */
	__u32 ifindex;
	__u8 mac_consumer[6];
	__u8 mac_host[6];
};

#endif
