// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "host/plumb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/netlink.h"
#include "host/wg.h"

struct plumb {
	struct sixpn_nl nl;
	struct sixpn_wg wg;
	const char *dns_dev_name;
	int dns_dev;
	char err[512];
};

const char *plumb_err(const struct plumb *p)
{
	return p->err;
}

/* Says what failed in p->err, the kernel's reason after it when the last
 * netlink call had one, and returns ERR (a -errno). */
static int __attribute__((format(printf, 3, 4))) failed(struct plumb *p, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(p->err))
		snprintf(p->err + n, sizeof(p->err) - (size_t)n, ": %s%s%s%s", strerror(-err),
			 p->nl.err[0] ? " (kernel: " : "", p->nl.err, p->nl.err[0] ? ")" : "");
	return err;
}

static const struct in6_addr gateway_ll = { .s6_addr = { 0xfe, 0x80, [15] = 1 } };

static struct in6_addr to_in6(const struct sixpn_ip6 *a)
{
	struct in6_addr r;

	memcpy(&r, a->w, sizeof(r));
	return r;
}

int plumb_open(struct plumb **out, const char *dns_dev)
{
	struct plumb *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	err = sixpn_nl_open(&p->nl);
	if (err) {
		free(p);
		return err;
	}
	p->dns_dev_name = dns_dev ? dns_dev : SIXPN_DNS_DEV;
	*out = p;
	return 0;
}

void plumb_close(struct plumb *p)
{
	sixpn_nl_close(&p->nl);
	free(p);
}

int plumb_host(struct plumb *p)
{
	int err = sixpn_ipv6_forwarding_enable();

	p->nl.err[0] = '\0';
	if (err)
		return failed(p, err, "cannot enable IPv6 forwarding");
	p->dns_dev = sixpn_nl_dns_dev(&p->nl, p->dns_dev_name);
	if (p->dns_dev < 0)
		return failed(p, p->dns_dev, "cannot set up the DNS device %s", p->dns_dev_name);
	return 0;
}

int plumb_dns_addr(struct plumb *p, const struct sixpn_ip6 *addr, bool add)
{
	struct in6_addr a = to_in6(addr);
	int err = add ? sixpn_nl_addr6_replace(&p->nl, p->dns_dev, &a, 128)
		      : sixpn_nl_addr6_del(&p->nl, p->dns_dev, &a, 128);

	if (err == -EADDRNOTAVAIL && !add)
		return 0;
	return err ? failed(p, err, "cannot %s DNS address", add ? "add" : "remove") : 0;
}

static int route(struct plumb *p, const struct sixpn_ip6 *prefix, uint32_t len,
		 int ifindex, bool add)
{
	struct sixpn_route6 r = { .dst = to_in6(prefix), .dst_len = (uint8_t)len, .oif = ifindex };
	int err = add ? sixpn_nl_route6_replace(&p->nl, &r) : sixpn_nl_route6_del(&p->nl, &r);

	if (!add && (err == -ESRCH || err == -ENODEV))
		return 0;
	return err;
}

int plumb_link_up(struct plumb *p, const char *ifname)
{
	int ifindex = sixpn_nl_link_index(&p->nl, ifname);
	int err = ifindex < 0 ? ifindex : sixpn_nl_link_up(&p->nl, ifindex);

	return err ? failed(p, err, "cannot set device %s up", ifname) : 0;
}

int plumb_route(struct plumb *p, const struct sixpn_ip6 *prefix, uint32_t len,
		const char *ifname, bool add)
{
	int ifindex = sixpn_nl_link_index(&p->nl, ifname);
	int err;

	if (ifindex < 0)
		return add ? failed(p, ifindex, "cannot add route: no device %s", ifname) : 0;
	err = route(p, prefix, len, ifindex, add);
	return err ? failed(p, err, "cannot %s route via %s", add ? "add" : "remove", ifname) : 0;
}

struct prune_ctx {
	struct plumb *p;
	plumb_keep_fn keep;
	void *ctx;
	int removed;
};

static int prune_cb(const struct sixpn_route6 *r, void *arg)
{
	struct prune_ctx *c = arg;
	struct sixpn_ip6 dst;

	memcpy(dst.w, &r->dst, sizeof(dst.w));
	if (c->keep && c->keep(&dst, r->dst_len, r->oif, c->ctx))
		return 0;
	if (!sixpn_nl_route6_del(&c->p->nl, r))
		c->removed++;
	return 0;
}

int plumb_prune_routes(struct plumb *p, plumb_keep_fn keep, void *ctx)
{
	struct prune_ctx c = { .p = p, .keep = keep, .ctx = ctx };
	int err = sixpn_nl_route6_list(&p->nl, 0, prune_cb, &c);

	return err ? failed(p, err, "cannot list routes") : c.removed;
}

static int dns_addr_cb(const struct sixpn_addr6 *a, void *arg)
{
	struct plumb *p = arg;
	struct sixpn_ip6 x;

	memcpy(x.w, &a->addr, sizeof(x.w));
	if (a->prefixlen == 128 && sixpn_is_6pn(&x) &&
	    (x.w[3] | x.w[4] | x.w[5] | x.w[6]) == 0 && x.w[7] == sixpn_htons(SIXPN_DNS_FREE_WORD))
		sixpn_nl_addr6_del(&p->nl, a->ifindex, &a->addr, a->prefixlen);
	return 0;
}

int plumb_remove_dns_addrs(struct plumb *p)
{
	int ifindex = sixpn_nl_link_index(&p->nl, p->dns_dev_name), err;

	if (ifindex < 0)
		ifindex = sixpn_nl_link_index(&p->nl, "lo");
	if (ifindex < 0)
		return failed(p, ifindex, "no DNS device %s, no lo", p->dns_dev_name);
	err = sixpn_nl_addr6_list(&p->nl, ifindex, dns_addr_cb, p);
	return err ? failed(p, err, "cannot remove the DNS addresses") : 0;
}

int plumb_ifindex(struct plumb *p, const char *ifname)
{
	return sixpn_nl_link_index(&p->nl, ifname);
}

int plumb_instance(struct plumb *p, const char *ifname, const struct sixpn_ip6 *prefix,
		   uint32_t len, bool add)
{
	int ifindex = sixpn_nl_link_index(&p->nl, ifname), err;

	if (ifindex < 0) /* gone with its interface */
		return add ? failed(p, ifindex, "no instance interface %s", ifname) : 0;
	if (!add)
		return route(p, prefix, len, ifindex, false);
	err = sixpn_nl_link_up(&p->nl, ifindex);
	if (!err)
		err = sixpn_nl_addr6_replace(&p->nl, ifindex, &gateway_ll, 64);
	if (!err)
		err = route(p, prefix, len, ifindex, true);
	return err ? failed(p, err, "cannot plumb instance interface %s", ifname) : 0;
}

int plumb_wg(struct plumb *p, const char *ifname, const char *key_file, uint16_t listen_port,
	     const struct plumb_wg_peer *peers, size_t n)
{
	uint8_t key[WG_KEY_LEN];
	struct sixpn_wg_peer *wp = calloc(n ? n : 1, sizeof(*wp));
	struct sixpn_wg_prefix *allowed = calloc(n ? n : 1, sizeof(*allowed));
	const char *backend;
	size_t i;
	int err;

	if (!wp || !allowed) {
		err = -ENOMEM;
		snprintf(p->err, sizeof(p->err), "%s: out of memory", ifname);
		goto out;
	}
	err = sixpn_wg_read_key_file(&p->wg, key_file, key);
	if (err) {
		snprintf(p->err, sizeof(p->err), "cannot read WireGuard key of %s: %s", ifname, p->wg.err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (wg_key_from_base64(peers[i].public_key, wp[i].public_key)) {
			err = -EINVAL;
			snprintf(p->err, sizeof(p->err), "%s: peer %zu: '%s' is not a WireGuard public key",
				 ifname, i, peers[i].public_key);
			goto out;
		}
		allowed[i].addr = to_in6(&peers[i].allowed);
		allowed[i].len = (uint8_t)peers[i].allowed_len;
		wp[i].endpoint = peers[i].endpoint;
		wp[i].allowed_ips = &allowed[i];
		wp[i].n_allowed_ips = 1;
		wp[i].keepalive = peers[i].keepalive;
	}
	err = sixpn_wg_configure(&p->wg, ifname, key, listen_port, wp, n, true);
	if (err) {
		backend = sixpn_wg_backend(ifname);
		snprintf(p->err, sizeof(p->err), "cannot configure WireGuard %s (backend %s): %s", ifname,
			 backend ? backend : "?", p->wg.err);
	}
out:
	memset(key, 0, sizeof(key));
	free(wp);
	free(allowed);
	return err;
}
