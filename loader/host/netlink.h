/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Host plumbing over rtnetlink (libmnl): links, IPv6 addresses and routes,
 * the local device that holds the DNS addresses, and IPv6 forwarding.
 *
 * Every function returns 0 (or a documented non-negative value) on success
 * and -errno on failure, and acts in the network namespace of the calling
 * thread at the time sixpn_nl_open() ran (a netlink socket is bound to the
 * namespace it was created in). A handle is not thread-safe: use one per
 * thread. On failure, nl->err holds the kernel's extended-ack message when it
 * sent one (e.g. "Nexthop device does not exist"), else an empty string. */
#ifndef SIXPN_NETLINK_H
#define SIXPN_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* The routing protocol number that marks routes as sixpn's (rtm_protocol;
 * `ip -6 route show proto 0x6e`). Free in the kernel's and iproute2's
 * tables, so sixpnd can tell its routes from everyone else's and delete the
 * stale ones without touching routes an operator made. */
#define SIXPN_RTPROT 0x6e

/* The dummy device that holds fdaa::3 and <net prefix>::3. */
#define SIXPN_DNS_DEV "sixpn0"

#define SIXPN_IFNAMSIZ 16 /* IFNAMSIZ, without dragging in <net/if.h> or <linux/if.h> */

struct mnl_socket;

struct sixpn_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	char err[256];
};

struct sixpn_link_info {
	int ifindex;
	char name[SIXPN_IFNAMSIZ];
	char kind[16];       /* IFLA_INFO_KIND: "veth", "dummy", "wireguard", "tun", ... or "" */
	unsigned short type; /* ARPHRD_*: ARPHRD_ETHER (veth, tap) or ARPHRD_NONE (wireguard, tun) */
	unsigned int mtu;
	unsigned int flags;  /* IFF_* (IFF_UP, IFF_LOWER_UP, ...) */
};

struct sixpn_addr6 {
	int ifindex;
	struct in6_addr addr;
	uint8_t prefixlen;
	uint32_t flags; /* IFA_F_* */
};

struct sixpn_route6 {
	struct in6_addr dst;
	uint8_t dst_len;
	bool has_gw;
	struct in6_addr gw;
	int oif;          /* output device; 0: none (then has_gw must be set) */
	uint32_t metric;  /* 0: the kernel's default for IPv6 (1024) */
	uint32_t table;   /* 0: RT_TABLE_MAIN */
	uint8_t protocol; /* set by sixpn_nl_route6_list(); ignored on replace/del (always SIXPN_RTPROT) */
};

int sixpn_nl_open(struct sixpn_nl *nl);
void sixpn_nl_close(struct sixpn_nl *nl);

/* The ifindex (> 0) of NAME, or -ENODEV. */
int sixpn_nl_link_index(struct sixpn_nl *nl, const char *name);
int sixpn_nl_link_get(struct sixpn_nl *nl, int ifindex, struct sixpn_link_info *out);
int sixpn_nl_link_up(struct sixpn_nl *nl, int ifindex);
int sixpn_nl_link_set_mtu(struct sixpn_nl *nl, int ifindex, unsigned int mtu);

/* The device for the DNS service addresses: creates the dummy device NAME
 * (SIXPN_DNS_DEV) if missing and sets it up, and returns its ifindex. When
 * the kernel has no dummy driver, returns the ifindex of `lo` (set up)
 * instead: local addresses on lo answer the same. */
int sixpn_nl_dns_dev(struct sixpn_nl *nl, const char *name);

/* Adds ADDR/PREFIXLEN to IFINDEX with IFA_F_NODAD (usable at once; the
 * addresses are sixpn's own), or updates it in place when present: calling
 * twice leaves one address. */
int sixpn_nl_addr6_replace(struct sixpn_nl *nl, int ifindex,
			   const struct in6_addr *addr, uint8_t prefixlen);
/* -EADDRNOTAVAIL when the address is not there. */
int sixpn_nl_addr6_del(struct sixpn_nl *nl, int ifindex,
		       const struct in6_addr *addr, uint8_t prefixlen);

/* Callbacks run after the dump has finished, so they may call any other
 * function on the same handle (e.g. delete what they are given). A non-zero
 * return stops the walk and is returned. */
typedef int (*sixpn_addr6_cb)(const struct sixpn_addr6 *a, void *arg);
typedef int (*sixpn_route6_cb)(const struct sixpn_route6 *r, void *arg);

/* Global-and-link-local IPv6 addresses of IFINDEX (0: every link). */
int sixpn_nl_addr6_list(struct sixpn_nl *nl, int ifindex, sixpn_addr6_cb cb, void *arg);

/* Adds the route, or replaces the one with the same destination, table and
 * metric (the kernel's key for IPv6 routes): calling twice leaves one
 * route, and a changed gateway or device replaces the old one. The route
 * carries protocol SIXPN_RTPROT. */
int sixpn_nl_route6_replace(struct sixpn_nl *nl, const struct sixpn_route6 *r);
/* Deletes a route with SIXPN_RTPROT matching destination, table, metric
 * (and gateway/device when given); -ESRCH when there is none. */
int sixpn_nl_route6_del(struct sixpn_nl *nl, const struct sixpn_route6 *r);
/* Every IPv6 unicast route with protocol SIXPN_RTPROT in TABLE (0: main),
 * so sixpnd can reconcile: delete what it no longer wants. */
int sixpn_nl_route6_list(struct sixpn_nl *nl, uint32_t table, sixpn_route6_cb cb, void *arg);

/* net.ipv6.conf.all.forwarding=1 for the namespace of the calling thread.
 * Not netlink: a write to /proc/sys, which follows the opener's namespace. */
int sixpn_ipv6_forwarding_enable(void);

#endif
