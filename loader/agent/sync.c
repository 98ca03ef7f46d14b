// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent/sync.h"
#include "agent/sync_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "datapath/dns_names.h"
#include "datapath/ifaces.h"
#include "datapath/map_walk.h"
#include "lib/log.h"
#include "host/plumb.h"
#include "host/wg.h"
#include "host/wgkeys.h"
#include "registry/registry.h"
#include "sixpn_pin.h"

/* plumb_*() log nothing: what sync was doing when one failed is logged
 * here, in plumb's words. */
static int plumb_logged(struct sync *s, int err)
{
	if (err < 0)
		log_error("msg=\"cannot plumb the host\" err=\"%s\"", plumb_err(s->plumb));
	return err;
}

static const char *fmt_prefix(const struct sixpn_ip6 *a, uint32_t len, char *buf)
{
	return reg_fmt_addr(a, (int)len, buf);
}

/* ---- machines ------------------------------------------------------------ */

static int machine_attach(struct sync *s, struct local_machine *lm)
{
	struct sixpn_iface ifc = {
		.role = SIXPN_ROLE_INSTANCE,
		.net_id = lm->net_id,
		.prefix_len = SIXPN_INSTANCE_PREFIX_LEN,
		.prefix = lm->prefix,
	};
	char buf[REG_ADDRSTRLEN];
	const char *why = NULL;
	int ifindex, err;

	ifindex = (int)if_nametoindex(lm->iface);
	if (!ifindex) {
		if (!lm->ifindex)
			log_debug("msg=\"interface not there yet\" machine=%s iface=%s", lm->id, lm->iface);
		lm->ifindex = 0;
		s->have_pending = true;
		return 0;
	}
	err = sixpn_attach_isolation(&s->bpf, lm->iface, &ifc);
	if (!err && !s->o.no_xdp)
		err = sixpn_xdp_attach(&s->xdp, lm->iface, SIXPN_XDP_MODE_AUTO);
	if (!err) {
		err = plumb_instance(s->plumb, lm->iface, &lm->prefix, SIXPN_INSTANCE_PREFIX_LEN, true);
		why = err ? plumb_err(s->plumb) : NULL;
	}
	if (err) {
		log_error("msg=\"cannot set up machine\" machine=%s iface=%s err=\"%s\"", lm->id,
			  lm->iface, why ? why : strerror(-err));
		s->have_pending = true;
		return err;
	}
	if (lm->ifindex != ifindex)
		log_info("msg=\"machine attached\" machine=%s app=%s iface=%s prefix=%s", lm->id,
			 lm->app, lm->iface, fmt_prefix(&lm->prefix, SIXPN_INSTANCE_PREFIX_LEN, buf));
	lm->ifindex = ifindex;
	return 0;
}

static void machine_detach(struct sync *s, struct local_machine *lm)
{
	char buf[REG_ADDRSTRLEN];

	if (lm->iface[0]) {
		plumb_instance(s->plumb, lm->iface, &lm->prefix, SIXPN_INSTANCE_PREFIX_LEN, false);
		sixpn_xdp_detach(s->bpf.pins.pin_dir, lm->iface);
		sixpn_detach(&s->bpf, lm->iface);
	}
	log_info("msg=\"machine detached\" machine=%s iface=%s prefix=%s", lm->id, lm->iface,
		 fmt_prefix(&lm->prefix, SIXPN_INSTANCE_PREFIX_LEN, buf));
}

/* A registry row the datapath cannot use is reported with its key and
 * skipped; everything else keeps serving. */
static bool machine_row_ok(struct sync *s, const struct reg_machine *m)
{
	const char *why = NULL;

	if (!sixpn_is_6pn(&m->prefix) || sixpn_net_id(&m->prefix) != m->network_id ||
	    !m->network_id)
		why = "prefix does not match its network";
	else if (sixpn_host_id(&m->prefix) != m->host_id)
		why = "prefix does not match its host";
	else if (m->iface[0] && strlen(m->iface) >= IF_NAMESIZE)
		why = "interface name too long";
	if (why) {
		log_error("msg=\"skipping bad registry row\" table=machines key=%s why=\"%s\"", m->id, why);
		s->stats.bad_rows++;
		return false;
	}
	return true;
}

static int machine_apply(struct sync *s, const struct reg_machine *m)
{
	struct local_machine *lm = strmap_get(&s->machines, m->id);
	int err;

	if (!machine_row_ok(s, m))
		return 0;
	if (lm && (strcmp(lm->iface, m->iface) ||
		   memcmp(&lm->prefix, &m->prefix, sizeof(m->prefix)))) {
		machine_detach(s, lm);
		lm->ifindex = 0;
	}
	if (!lm) {
		lm = calloc(1, sizeof(*lm));
		if (!lm)
			return -ENOMEM;
		snprintf(lm->id, sizeof(lm->id), "%s", m->id);
		strmap_put(&s->machines, m->id, lm, &err);
		if (err) {
			free(lm);
			return err;
		}
	}
	snprintf(lm->app, sizeof(lm->app), "%s", m->app);
	snprintf(lm->iface, sizeof(lm->iface), "%s", m->iface);
	lm->prefix = m->prefix;
	lm->net_id = m->network_id;
	lm->generation = s->generation;
	if (!lm->iface[0]) {
		log_warn("msg=\"machine has no interface; nothing to attach\" machine=%s", m->id);
		return 0;
	}
	return machine_attach(s, lm);
}

static void machine_forget(struct sync *s, const char *id)
{
	struct local_machine *lm = strmap_del(&s->machines, id);

	if (lm) {
		machine_detach(s, lm);
		free(lm);
	}
}

static int machine_changed(struct sync *s, const char *id)
{
	struct reg_machine m;
	int rc = reg_get_machine(s->reg, id, &m);

	if (rc == REG_ENOENT || (rc == REG_OK && m.host_id != s->o.host_id)) {
		machine_forget(s, id);
		return 0;
	}
	if (rc)
		return -EIO;
	/* -EIO is the registry's alone: what fails on the host is logged and
	 * retried (have_pending) by machine_apply(). */
	machine_apply(s, &m);
	return 0;
}

static int machine_seen_cb(const struct reg_machine *m, void *ctx)
{
	machine_apply(ctx, m);
	return 0;
}

/* After a full pass: what the registry no longer has goes, in memory and in
 * the kernel (an instance interface sixpn attached to before a restart). */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_ip6(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sixpn_ip6));
}

/* What a sweep needs: every key of the map `name` (with `values`, every
 * value), and what it checks them against: the field at `off` of every
 * entry of `m`, sorted for bsearch(). False, having logged why, when
 * either cannot be had; then nothing is removed. */
static bool sweep_begin(struct sync *s, const char *name, bool values, struct sixpn_map_keys *keys,
			const struct strmap *m, size_t off, size_t size,
			int (*cmp)(const void *, const void *), void **live)
{
	const char *k;
	void *v;
	size_t i = 0, n = 0;
	char *set = calloc(m->len + 1, size);
	int err = set ? sixpn_map_keys(sixpn_map_fd(&s->bpf, name), values, keys) : -ENOMEM;

	if (err) {
		log_error("msg=\"cannot read a map; its stale entries stay\" map=%s err=\"%s\"", name,
			  strerror(-err));
		free(set);
		return false;
	}
	while (strmap_next(m, &i, &k, &v))
		memcpy(set + size * n++, (char *)v + off, size);
	qsort(set, n, size, cmp);
	*live = set;
	return true;
}

void sync_remove_stale_machines(struct sync *s)
{
	int fd = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_IFACES));
	struct sixpn_map_keys ifaces;
	struct local_machine *lm;
	const char *key;
	void *v;
	int *live;
	size_t i = 0, j;

	/* strmap_del() moves nothing: the walk goes on past what it deleted. */
	while (strmap_next(&s->machines, &i, &key, &v)) {
		lm = v;
		if (lm->generation != s->generation)
			machine_forget(s, lm->id);
	}
	if (!sweep_begin(s, sixpn_map_name(SIXPN_MAP_IFACES), true, &ifaces, &s->machines,
			 offsetof(struct local_machine, ifindex), sizeof(*live), cmp_int, (void **)&live))
		return;
	for (j = 0; j < ifaces.n; j++) {
		const struct sixpn_iface *ifc = sixpn_map_value(&ifaces, j);
		__u32 *ifindex = sixpn_map_key(&ifaces, j);
		char ifname[IF_NAMESIZE];

		if (ifc->role != SIXPN_ROLE_INSTANCE ||
		    bsearch(&(int){ (int)*ifindex }, live, s->machines.len, sizeof(*live), cmp_int))
			continue;
		if (if_indextoname(*ifindex, ifname)) {
			log_info("msg=\"detaching stale interface\" iface=%s", ifname);
			/* libxdp's dispatcher, not a link pin, keeps XDP there */
			sixpn_xdp_detach(s->bpf.pins.pin_dir, ifname);
			sixpn_detach(&s->bpf, ifname);
		} else {
			sixpn_iface_del(fd, sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_IFACE_SLOTS)),
					*ifindex);
		}
	}
	sixpn_map_keys_free(&ifaces);
	free(live);
}

void sync_retry_pending(struct sync *s)
{
	struct local_machine *lm;
	const char *key;
	void *v;
	size_t i = 0;

	if (!s->have_pending)
		return;
	s->have_pending = false;
	while (strmap_next(&s->machines, &i, &key, &v)) {
		lm = v;
		if (lm->iface[0] && (!lm->ifindex || lm->ifindex != (int)if_nametoindex(lm->iface)))
			machine_attach(s, lm);
	}
}

/* ---- WireGuard peers on this gateway ------------------------------------ */

static int peer_apply(struct sync *s, const struct reg_peer *p)
{
	char key[24];
	struct local_peer *lp;
	const char *why = NULL;
	int err;

	snprintf(key, sizeof(key), "%" PRId64, p->id);
	lp = strmap_get(&s->peers, key);
	if (!lp) {
		lp = calloc(1, sizeof(*lp));
		if (!lp)
			return -ENOMEM;
		strmap_put(&s->peers, key, lp, &err);
		if (err) {
			free(lp);
			return err;
		}
	} else if (memcmp(&lp->prefix, &p->prefix, sizeof(p->prefix))) {
		sixpn_peer_update(&s->bpf, &lp->prefix, SIXPN_PEER_PREFIX_LEN, 0, false);
		plumb_logged(s, plumb_route(s->plumb, &lp->prefix, SIXPN_PEER_PREFIX_LEN, s->o.peers_dev,
					    false));
	}
	lp->id = p->id;
	snprintf(lp->name, sizeof(lp->name), "%s", p->name);
	snprintf(lp->public_key, sizeof(lp->public_key), "%s", p->public_key);
	lp->prefix = p->prefix;
	lp->net_id = p->network_id;
	lp->generation = s->generation;
	err = sixpn_peer_update(&s->bpf, &lp->prefix, SIXPN_PEER_PREFIX_LEN, lp->net_id, true);
	if (!err) {
		err = plumb_route(s->plumb, &lp->prefix, SIXPN_PEER_PREFIX_LEN, s->o.peers_dev, true);
		why = err ? plumb_err(s->plumb) : NULL;
	}
	if (err)
		log_error("msg=\"cannot set up peer\" peer=%s err=\"%s\"", p->name,
			  why ? why : strerror(-err));
	return err;
}

static void peer_forget(struct sync *s, const char *key)
{
	struct local_peer *lp = strmap_del(&s->peers, key);

	if (!lp)
		return;
	sixpn_peer_update(&s->bpf, &lp->prefix, SIXPN_PEER_PREFIX_LEN, 0, false);
	plumb_logged(s, plumb_route(s->plumb, &lp->prefix, SIXPN_PEER_PREFIX_LEN, s->o.peers_dev, false));
	log_info("msg=\"peer removed\" peer=%s", lp->name);
	free(lp);
}

static int peer_seen_cb(const struct reg_peer *p, void *ctx)
{
	peer_apply(ctx, p);
	return 0;
}

/* A WireGuard key in the registry that a device cannot take is reported
 * with its row and left out: the other peers keep working. */
static bool wg_key_ok(const char *dev, const char *public_key)
{
	uint8_t key[WG_KEY_LEN];

	if (!wg_key_from_base64(public_key, key))
		return true;
	log_error("msg=\"skipping peer with a bad public key\" dev=%s key=%s", dev, public_key);
	return false;
}

static uint16_t endpoint_port(const char *endpoint)
{
	const char *colon = strrchr(endpoint, ':');

	return colon ? (uint16_t)strtoul(colon + 1, NULL, 10) : 0;
}

/* The peers device's whole peer set, and <net prefix>::3 for every network
 * that has a peer here (peers ask their network's DNS address). */
static int peers_device_sync(struct sync *s)
{
	struct plumb_wg_peer *wp;
	struct local_peer *lp;
	const char *key;
	void *v;
	size_t i = 0, n = 0;
	int err;

	struct reg_host self;
	uint16_t port = 0;

	if (!s->o.peers_dev)
		return 0;
	/* Peers reach this gateway at the peers endpoint the registry gives. */
	if (reg_get_host(s->reg, s->o.host_id, &self) == REG_OK)
		port = endpoint_port(self.peers_endpoint);
	else
		log_warn("msg=\"this host is not in the registry; the peers device has no listen port\" host=%08x",
			 s->o.host_id);
	wp = calloc(s->peers.len + 1, sizeof(*wp));
	if (!wp)
		return -ENOMEM;
	while (strmap_next(&s->peers, &i, &key, &v)) {
		struct sixpn_ip6 dns;

		lp = v;
		sixpn_compose(&dns, lp->net_id, 0, 0, SIXPN_DNS_FREE_WORD);
		plumb_logged(s, plumb_dns_addr(s->plumb, &dns, true));
		if (!wg_key_ok(s->o.peers_dev, lp->public_key))
			continue;
		wp[n].public_key = lp->public_key;
		wp[n].endpoint = "";
		wp[n].allowed = lp->prefix;
		wp[n].allowed_len = SIXPN_PEER_PREFIX_LEN;
		n++;
	}
	err = plumb_logged(s, plumb_wg(s->plumb, s->o.peers_dev, s->o.peers_key_file, port, wp, n));
	free(wp);
	return err;
}

void sync_remove_stale_peers(struct sync *s)
{
	int fd = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_PEERS));
	struct sixpn_map_keys peers;
	struct sixpn_ip6 *live;
	const char *key;
	void *v;
	size_t i = 0, j;

	while (strmap_next(&s->peers, &i, &key, &v)) {
		if (((struct local_peer *)v)->generation != s->generation) {
			char id[24];

			snprintf(id, sizeof(id), "%s", key); /* the map frees key */
			peer_forget(s, id);
		}
	}
	if (!sweep_begin(s, sixpn_map_name(SIXPN_MAP_PEERS), false, &peers, &s->peers,
			 offsetof(struct local_peer, prefix), sizeof(*live), cmp_ip6, (void **)&live))
		return;
	for (j = 0; j < peers.n; j++) {
		struct sixpn_lpm_key *k = sixpn_map_key(&peers, j);

		if (!bsearch(&k->addr, live, s->peers.len, sizeof(*live), cmp_ip6))
			bpf_map_delete_elem(fd, k);
	}
	sixpn_map_keys_free(&peers);
	free(live);
}

/* ---- the mesh ----------------------------------------------------------- */

struct mesh_ctx {
	struct sync *s;
	struct plumb_wg_peer *peers;
	char (*keys)[REG_KEY_B64_LEN + 1];
	char (*endpoints)[REG_ENDPOINT_MAX + 1];
	size_t n, cap;
	uint16_t listen_port;
	bool self_seen;
};

static int mesh_host_cb(const struct reg_host *h, void *ctx)
{
	struct mesh_ctx *mc = ctx;

	if (h->id == mc->s->o.host_id) {
		mc->self_seen = true;
		mc->listen_port = endpoint_port(h->endpoint);
		return 0;
	}
	if (!h->public_key[0]) {
		log_warn("msg=\"host has no mesh public key; not a mesh peer\" host=%08x", h->id);
		return 0;
	}
	if (!wg_key_ok(mc->s->o.mesh_dev, h->public_key))
		return 0;
	if (mc->n == mc->cap) {
		size_t cap = mc->cap ? mc->cap * 2 : 16;
		void *p = realloc(mc->peers, cap * sizeof(*mc->peers));
		void *k = realloc(mc->keys, cap * sizeof(*mc->keys));
		void *e = realloc(mc->endpoints, cap * sizeof(*mc->endpoints));

		if (p)
			mc->peers = p;
		if (k)
			mc->keys = k;
		if (e)
			mc->endpoints = e;
		if (!p || !k || !e)
			return -ENOMEM;
		mc->cap = cap;
	}
	snprintf(mc->keys[mc->n], sizeof(mc->keys[0]), "%s", h->public_key);
	snprintf(mc->endpoints[mc->n], sizeof(mc->endpoints[0]), "%s", h->endpoint);
	/* Each host owns its mesh-form /48: fdaa:HOST::/48. */
	sixpn_compose(&mc->peers[mc->n].allowed, h->id, 0, 0, 0);
	mc->peers[mc->n].allowed_len = SIXPN_NET_PREFIX_LEN;
	mc->peers[mc->n].keepalive = 0;
	mc->n++;
	return 0;
}

static int mesh_sync(struct sync *s)
{
	struct mesh_ctx mc = { .s = s };
	size_t i;
	int err;

	if (!s->o.mesh_dev)
		return 0;
	err = reg_foreach_host(s->reg, mesh_host_cb, &mc);
	if (err) {
		log_error("msg=\"cannot read hosts\" err=\"%s\"", reg_errmsg(s->reg));
		err = -EIO;
		goto out;
	}
	if (!mc.self_seen)
		log_warn("msg=\"this host is not in the registry; the mesh has no listen port\" host=%08x",
			 s->o.host_id);
	for (i = 0; i < mc.n; i++) {
		mc.peers[i].public_key = mc.keys[i];
		mc.peers[i].endpoint = mc.endpoints[i];
	}
	err = plumb_logged(s, plumb_wg(s->plumb, s->o.mesh_dev, s->o.key_file, mc.listen_port,
				       mc.peers, mc.n));
	if (!err)
		log_debug("msg=\"mesh configured\" dev=%s peers=%zu", s->o.mesh_dev, mc.n);
out:
	free(mc.peers);
	free(mc.keys);
	free(mc.endpoints);
	return err;
}

/* ---- passes --------------------------------------------------------------- */

/* A device sixpnd configures needs its private key at every pass; without
 * one the start cannot work, so it fails here instead of at each sync. */
static int wg_key_usable(const char *dev, const char *key_file)
{
	struct sixpn_wg wg = { 0 };
	uint8_t key[WG_KEY_LEN];
	int err;

	if (!dev)
		return 0;
	err = sixpn_wg_read_key_file(&wg, key_file, key);
	memset(key, 0, sizeof(key));
	if (err)
		log_error("msg=\"cannot read WireGuard key\" dev=%s file=%s err=\"%s\"", dev, key_file,
			  wg.err);
	return err;
}

int sync_open(struct sync *s, const struct sync_opts *o)
{
	struct sixpn_ip6 dns, all6pn;
	int err;

	memset(s, 0, sizeof(*s));
	s->o = *o;
	/* Everything that can be checked is, before anything is loaded or
	 * plumbed: a start that cannot work leaves nothing behind. */
	if (o->mesh_dev && !if_nametoindex(o->mesh_dev)) {
		log_error("msg=\"mesh device missing\" dev=%s", o->mesh_dev);
		return -ENODEV;
	}
	if (o->peers_dev && !if_nametoindex(o->peers_dev)) {
		log_error("msg=\"peers device missing\" dev=%s", o->peers_dev);
		return -ENODEV;
	}
	err = wg_key_usable(o->mesh_dev, o->key_file);
	if (!err)
		err = wg_key_usable(o->peers_dev, o->peers_key_file);
	if (err)
		return err;
	if (reg_open(&s->reg, o->registry, REG_OPEN_READONLY)) {
		log_error("msg=\"cannot open the registry\" path=%s err=\"%s\"",
			  o->registry ? o->registry : reg_default_path(), reg_errmsg(s->reg));
		return -ENOENT;
	}
	err = sixpn_bpf_open(&s->bpf, o->pin_dir);
	if (err)
		return err;
	err = sixpn_xdp_open(&s->xdp, o->pin_dir, o->names_max);
	if (err)
		return err;
	{
		struct fc_sync_fds fds = {
			.services = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_FC_SERVICES)),
			.backends = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_FC_BACKENDS)),
			.maglev = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_FC_MAGLEV)),
			.ct = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_FC_CT)),
			.config = sixpn_map_fd(&s->bpf, sixpn_map_name(SIXPN_MAP_FC_CONFIG)),
		};

		err = fc_sync_init(&s->flycast, &fds, o->host_id);
		if (err)
			return err;
	}
	{
		int names_fd = sixpn_xdp_names_fd(&s->xdp);
		uint32_t quota = o->names_quota >= 0 ? (uint32_t)o->names_quota
				 : names_quota_default(names_capacity(names_fd));
		struct sixpn_dns_config cfg;

		names_sync_init(&s->names, names_fd, sixpn_xdp_overflow_fd(&s->xdp), quota);
		names_sync_set_text(&s->names, sixpn_xdp_text_fd(&s->xdp));
		sixpn_dns_config_default(&cfg);
		cfg.enabled = !o->no_xdp;
		if (o->passup_rate >= 0)
			cfg.passup_rate = (uint32_t)o->passup_rate;
		if (o->passup_burst >= 0)
			cfg.passup_burst = (uint32_t)o->passup_burst;
		if (o->passup_net_rate >= 0)
			cfg.passup_net_rate = (uint32_t)o->passup_net_rate;
		if (o->passup_net_burst >= 0)
			cfg.passup_net_burst = (uint32_t)o->passup_net_burst;
		err = sixpn_dns_config_set(sixpn_xdp_config_fd(&s->xdp), &cfg);
		if (err)
			return err;
		log_info("msg=\"names quota\" per_network=%u capacity=%u passup_rate=%u passup_burst=%u passup_net_rate=%u passup_net_burst=%u",
			 quota, names_capacity(names_fd), cfg.passup_rate, cfg.passup_burst,
			 cfg.passup_net_rate, cfg.passup_net_burst);
	}
	err = plumb_open(&s->plumb, o->dns_dev);
	if (err) {
		log_error("msg=\"cannot prepare the host\" err=\"%s\"", strerror(-err));
		return err;
	}
	err = plumb_host(s->plumb);
	if (err) {
		log_error("msg=\"cannot prepare the host\" err=\"%s\"", plumb_err(s->plumb));
		return err;
	}
	sixpn_compose(&dns, 0, 0, 0, SIXPN_DNS_FREE_WORD);
	err = plumb_logged(s, plumb_dns_addr(s->plumb, &dns, true));
	if (err)
		return err;
	if (o->mesh_dev) {
		err = plumb_logged(s, plumb_link_up(s->plumb, o->mesh_dev));
		if (!err)
			err = sixpn_attach_mesh(&s->bpf, o->mesh_dev);
		memset(&all6pn, 0, sizeof(all6pn));
		all6pn.w[0] = sixpn_htons(SIXPN_ULA_WORD);
		if (!err)
			err = plumb_logged(s, plumb_route(s->plumb, &all6pn, 16, o->mesh_dev, true));
		if (err)
			return err;
	}
	if (o->peers_dev) {
		struct sixpn_iface ifc = { .role = SIXPN_ROLE_PEERS_DEV };

		err = plumb_logged(s, plumb_link_up(s->plumb, o->peers_dev));
		if (!err)
			err = sixpn_attach_isolation(&s->bpf, o->peers_dev, &ifc);
		if (err)
			return err;
	}
	return 0;
}

/* The routes a full pass wants: fdaa::/16 to the mesh, a /112 per local
 * machine, a /120 per local peer. */
static bool route_wanted(const struct sixpn_ip6 *dst, uint32_t len, int oif, void *ctx)
{
	struct sync *s = ctx;
	const char *key;
	void *v;
	size_t i = 0;

	if (len == 16 && s->o.mesh_dev)
		return oif == plumb_ifindex(s->plumb, s->o.mesh_dev);
	if (len == SIXPN_INSTANCE_PREFIX_LEN) {
		while (strmap_next(&s->machines, &i, &key, &v)) {
			struct local_machine *lm = v;

			if (!memcmp(&lm->prefix, dst, sizeof(*dst)))
				return true;
		}
		return false;
	}
	if (len == SIXPN_PEER_PREFIX_LEN && s->o.peers_dev) {
		while (strmap_next(&s->peers, &i, &key, &v))
			if (!memcmp(&((struct local_peer *)v)->prefix, dst, sizeof(*dst)))
				return true;
	}
	return false;
}

static void prune_routes(struct sync *s, plumb_keep_fn keep)
{
	int n = plumb_logged(s, plumb_prune_routes(s->plumb, keep, s));

	if (n > 0)
		log_info("msg=\"removed stale routes\" count=%d", n);
}

static void mark_synced(struct sync *s)
{
	clock_gettime(CLOCK_REALTIME, &s->stats.last_sync);
}

static void snapshot_taken(struct sync *s)
{
	if (s->o.on_snapshot)
		s->o.on_snapshot(s->o.on_snapshot_ctx);
}

int sync_full(struct sync *s)
{
	struct reg_filter mine = { .host_id = s->o.host_id };
	int err = 0;

	s->generation++;
	/* Until a pass succeeds, the main loop retries it. */
	s->need_full = true;
	if (reg_snapshot_begin(s->reg) || reg_change_seq(s->reg, &s->stats.seq)) {
		sync_registry_failed(s);
		reg_snapshot_end(s->reg);
		return -EIO;
	}
	snapshot_taken(s);
	if (reg_foreach_machine(s->reg, &mine, machine_seen_cb, s))
		err = -EIO;
	if (!err && s->o.peers_dev && reg_foreach_peer(s->reg, &mine, peer_seen_cb, s))
		err = -EIO;
	if (!err)
		err = names_sync_full(&s->names, s->reg);
	if (!err)
		err = fc_sync_all(&s->flycast, s->reg);
	if (err == -EIO)
		sync_registry_failed(s);
	if (!err) {
		/* Only after everything live is in place does anything go. */
		sync_remove_stale_machines(s);
		if (s->o.peers_dev)
			sync_remove_stale_peers(s);
		prune_routes(s, route_wanted);
		err = mesh_sync(s);
		if (!err)
			err = peers_device_sync(s);
	}
	reg_snapshot_end(s->reg);
	/* A registry that could not be read is retried; what failed on the
	 * host side was logged where it failed and has its own retries. */
	s->need_full = err == -EIO;
	if (!err)
		sync_registry_ok(s);
	s->stats.full_syncs++;
	mark_synced(s);
	sixpn_log(err == -EIO && s->reg_state != SYNC_REG_OK ? SIXPN_LOG_DEBUG : SIXPN_LOG_INFO,
		  "msg=\"full sync\" seq=%" PRId64 " machines=%zu peers=%zu names=%" PRIu64 " err=%d",
		  s->stats.seq, s->machines.len, s->peers.len, s->names.puts, err);
	return err;
}

struct delta_ctx {
	struct sync *s;
	bool hosts, peers, flycast;
	int64_t last, at;
};

static int delta_cb(const struct reg_change *c, void *ctx)
{
	struct delta_ctx *d = ctx;
	struct sync *s = d->s;

	if (!strcmp(c->table, "machines")) {
		/* A change the registry could not be read for is not applied:
		 * the walk stops before it, and the next pass starts there. */
		if (machine_changed(s, c->key) == -EIO ||
		    names_machine_changed(&s->names, s->reg, c->key) == -EIO)
			return -EIO;
	} else if (!strcmp(c->table, "apps")) {
		names_app_changed(&s->names, s->reg, c->key);
	} else if (!strcmp(c->table, "peers")) {
		names_peer_changed(&s->names, s->reg, c->key);
	} else if (!strcmp(c->table, "flycast")) {
		names_flycast_changed(&s->names, s->reg, c->key);
	}
	/* a service, or the machines behind one: the maps by delta */
	if (!strcmp(c->table, "flycast") || !strcmp(c->table, "machines") ||
	    !strcmp(c->table, "apps"))
		d->flycast = true;
	if (!strcmp(c->table, "peers") && s->o.peers_dev) {
		struct reg_peer p;
		int rc = reg_get_peer(s->reg, strtoll(c->key, NULL, 10), &p);

		if (rc == REG_OK && p.gw_host_id == s->o.host_id)
			peer_apply(s, &p);
		else
			peer_forget(s, c->key);
		d->peers = true;
	} else if (!strcmp(c->table, "hosts")) {
		d->hosts = true;
	}
	d->last = c->seq;
	d->at = c->at;
	s->stats.deltas_applied++;
	return 0;
}

int sync_changes(struct sync *s)
{
	struct delta_ctx d = { .s = s, .last = s->stats.seq };
	int64_t seq;
	int err = 0;

	if (reg_change_seq(s->reg, &seq)) {
		sync_registry_failed(s);
		return -EIO;
	}
	if (seq == s->stats.seq)
		return 0;
	if (reg_snapshot_begin(s->reg)) {
		sync_registry_failed(s);
		return -EIO;
	}
	snapshot_taken(s);
	if (reg_foreach_change(s->reg, s->stats.seq, delta_cb, &d)) {
		sync_registry_failed(s);
		err = -EIO;
	}
	if (d.hosts)
		mesh_sync(s);
	if (d.peers)
		peers_device_sync(s);
	if (d.flycast && fc_sync_all(&s->flycast, s->reg) == -EIO && !err) {
		sync_registry_failed(s);
		err = -EIO;
	}
	reg_snapshot_end(s->reg);
	s->stats.seq = d.last;
	mark_synced(s);
	if (d.at)
		s->stats.last_lag_ms = (s->stats.last_sync.tv_sec - d.at) * 1000.0 +
				       s->stats.last_sync.tv_nsec / 1e6;
	log_debug("msg=\"applied changes\" seq=%" PRId64, s->stats.seq);
	return err;
}

void sync_close(struct sync *s, bool detach)
{
	struct local_machine *lm;
	const char *key;
	void *v;
	size_t i = 0;

	while (strmap_next(&s->machines, &i, &key, &v)) {
		lm = v;
		free(lm);
	}
	strmap_free(&s->machines);
	i = 0;
	while (strmap_next(&s->peers, &i, &key, &v))
		free(v);
	strmap_free(&s->peers);
	names_sync_free(&s->names);
	fc_sync_free(&s->flycast);
	if (s->xdp.skel)
		sixpn_xdp_close(&s->xdp);
	if (detach && s->plumb) {
		prune_routes(s, NULL);
		plumb_logged(s, plumb_remove_dns_addrs(s->plumb));
	}
	if (s->bpf.tc) {
		if (detach)
			sixpn_unload(&s->bpf);
		sixpn_bpf_close(&s->bpf);
	}
	if (s->plumb)
		plumb_close(s->plumb);
	if (s->reg)
		reg_close(s->reg);
}

void sync_close_exiting(struct sync *s, bool detach)
{
	names_sync_forget_model(&s->names);
	sync_close(s, detach);
}
