// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "host/plumb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "host/netlink.h"
#include "host/wg.h"

struct plumb {
	struct sixpn_nl nl;
	const char *dns_dev_name;
	int dns_dev;
};

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

	if (err) {
		log_error("msg=\"cannot enable IPv6 forwarding\" err=\"%s\"", strerror(-err));
		return err;
	}
	p->dns_dev = sixpn_nl_dns_dev(&p->nl, p->dns_dev_name);
	if (p->dns_dev < 0) {
		log_error("msg=\"cannot set up the DNS device\" dev=%s err=\"%s\" kernel=\"%s\"",
			  p->dns_dev_name, strerror(-p->dns_dev), p->nl.err);
		return p->dns_dev;
	}
	return 0;
}

int plumb_dns_addr(struct plumb *p, const struct sixpn_ip6 *addr, bool add)
{
	struct in6_addr a = to_in6(addr);
	int err = add ? sixpn_nl_addr6_replace(&p->nl, p->dns_dev, &a, 128)
		      : sixpn_nl_addr6_del(&p->nl, p->dns_dev, &a, 128);

	if (err && !(err == -EADDRNOTAVAIL && !add))
		log_error("msg=\"cannot %s DNS address\" err=\"%s\" kernel=\"%s\"",
			  add ? "add" : "remove", strerror(-err), p->nl.err);
	return err == -EADDRNOTAVAIL && !add ? 0 : err;
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

	if (err)
		log_error("msg=\"cannot set device up\" dev=%s err=\"%s\"", ifname, strerror(-err));
	return err;
}

int plumb_route(struct plumb *p, const struct sixpn_ip6 *prefix, uint32_t len,
		const char *ifname, bool add)
{
	int ifindex = sixpn_nl_link_index(&p->nl, ifname);
	int err;

	if (ifindex < 0)
		return add ? ifindex : 0;
	err = route(p, prefix, len, ifindex, add);
	if (err)
		log_error("msg=\"cannot %s route\" dev=%s err=\"%s\" kernel=\"%s\"",
			  add ? "add" : "remove", ifname, strerror(-err), p->nl.err);
	return err;
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

	if (c.removed)
		log_info("msg=\"removed stale routes\" count=%d", c.removed);
	return err;
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
	int ifindex = sixpn_nl_link_index(&p->nl, p->dns_dev_name);

	if (ifindex < 0)
		ifindex = sixpn_nl_link_index(&p->nl, "lo");
	return ifindex < 0 ? ifindex : sixpn_nl_addr6_list(&p->nl, ifindex, dns_addr_cb, p);
}

int plumb_ifindex(struct plumb *p, const char *ifname)
{
	return sixpn_nl_link_index(&p->nl, ifname);
}

int plumb_instance(struct plumb *p, const char *ifname, const struct sixpn_ip6 *prefix,
		   uint32_t len, bool add)
{
	int ifindex = sixpn_nl_link_index(&p->nl, ifname), err;

	if (ifindex < 0)
		return add ? ifindex : 0; /* gone with its interface */
	if (!add)
		return route(p, prefix, len, ifindex, false);
	err = sixpn_nl_link_up(&p->nl, ifindex);
	if (!err)
		err = sixpn_nl_addr6_replace(&p->nl, ifindex, &gateway_ll, 64);
	if (!err)
		err = route(p, prefix, len, ifindex, true);
	if (err)
		log_error("msg=\"cannot plumb instance interface\" iface=%s err=\"%s\" kernel=\"%s\"",
			  ifname, strerror(-err), p->nl.err);
	return err;
}

int plumb_wg(struct plumb *p, const char *ifname, const char *key_file, uint16_t listen_port,
	     const struct plumb_wg_peer *peers, size_t n)
{
	uint8_t key[WG_KEY_LEN];
	struct sixpn_wg_peer *wp = calloc(n ? n : 1, sizeof(*wp));
	struct sixpn_wg_prefix *allowed = calloc(n ? n : 1, sizeof(*allowed));
	size_t i, m = 0;
	int err;

	(void)p;
	if (!wp || !allowed) {
		err = -ENOMEM;
		goto out;
	}
	err = sixpn_wg_read_key_file(key_file, key);
	if (err) {
		log_error("msg=\"cannot read WireGuard key\" dev=%s err=\"%s\"", ifname, sixpn_wg_error());
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* A bad key in one registry row must not take the others down. */
		if (wg_key_from_base64(peers[i].public_key, wp[m].public_key)) {
			log_error("msg=\"skipping peer with a bad public key\" dev=%s key=%s", ifname,
				  peers[i].public_key);
			continue;
		}
		allowed[m].addr = to_in6(&peers[i].allowed);
		allowed[m].len = (uint8_t)peers[i].allowed_len;
		wp[m].endpoint = peers[i].endpoint;
		wp[m].allowed_ips = &allowed[m];
		wp[m].n_allowed_ips = 1;
		wp[m].keepalive = peers[i].keepalive;
		m++;
	}
	err = sixpn_wg_configure(ifname, key, listen_port, wp, m, true);
	if (err)
		log_error("msg=\"cannot configure WireGuard\" dev=%s backend=%s err=\"%s\"", ifname,
			  sixpn_wg_backend(ifname) ? sixpn_wg_backend(ifname) : "?", sixpn_wg_error());
out:
	memset(key, 0, sizeof(key));
	free(wp);
	free(allowed);
	return err;
}
