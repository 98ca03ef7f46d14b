/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Host plumbing for sixpnd: what the kernel's routing and the WireGuard
 * devices must look like for the registry's view of this host. Built on
 * netlink.c (rtnetlink through libmnl) and wg.c (UAPI or genetlink). Every
 * call is idempotent: applying the same state twice changes nothing.
 *
 * Every function returns 0 (or what it documents) or -errno and logs
 * nothing; after a failure plumb_err() says in words what failed, with the
 * device and the kernel's or WireGuard's reason, for the caller's log. */
#ifndef SIXPN_PLUMB_H
#define SIXPN_PLUMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sixpn_addr.h"

struct plumb;

struct plumb_wg_peer {
	const char *public_key;      /* base64 */
	const char *endpoint;        /* host:port, or "" */
	struct sixpn_ip6 allowed;    /* one prefix */
	uint32_t allowed_len;
	uint16_t keepalive;          /* seconds, 0: off */
};

int plumb_open(struct plumb **out, const char *dns_dev);
void plumb_close(struct plumb *p);
/* The last failure, in words. */
const char *plumb_err(const struct plumb *p);

/* Forwarding on, and the device holding the DNS addresses (a dummy device,
 * or lo where the kernel has no dummy driver). */
int plumb_host(struct plumb *p);
/* fdaa::3 or <net prefix>::3 on the DNS device. */
int plumb_dns_addr(struct plumb *p, const struct sixpn_ip6 *addr, bool add);
/* The host side of an instance: up, fe80::1 as its gateway, a route for
 * its /112 (add) or the route gone (remove). */
int plumb_instance(struct plumb *p, const char *ifname,
		   const struct sixpn_ip6 *prefix, uint32_t len, bool add);
/* Sets a device up (the WireGuard devices sixpnd is given). */
int plumb_link_up(struct plumb *p, const char *ifname);
/* A route owned by sixpn (protocol RTPROT_SIXPN) toward a device. */
int plumb_route(struct plumb *p, const struct sixpn_ip6 *prefix, uint32_t len,
		const char *ifname, bool add);
/* Deletes every route of sixpn's protocol that keep() does not claim: the
 * stale ones after a full pass, or all of them (keep NULL) on --detach.
 * Returns how many it deleted, or -errno. */
typedef bool (*plumb_keep_fn)(const struct sixpn_ip6 *dst, uint32_t len, int oif, void *ctx);
int plumb_prune_routes(struct plumb *p, plumb_keep_fn keep, void *ctx);
/* Removes fdaa::3 and every <net prefix>::3 from the DNS device (--detach). */
int plumb_remove_dns_addrs(struct plumb *p);
/* The ifindex of a device, or -ENODEV. */
int plumb_ifindex(struct plumb *p, const char *ifname);
/* The whole peer set of a WireGuard device; peers not listed are removed.
 * A public key that is not base64 fails the call (-EINVAL): callers
 * leave out the rows that have one. */
int plumb_wg(struct plumb *p, const char *ifname, const char *key_file,
	     uint16_t listen_port, const struct plumb_wg_peer *peers, size_t n);

#endif
