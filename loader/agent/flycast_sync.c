// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnd's Flycast maps (docs/design.md section 7): every service of the
 * registry with its backends (reg_flycast_backends()) and its Maglev
 * table, written as deltas: only the entries that changed. A backend that
 * goes is out of the Maglev table before its entry is cleared, so no new
 * flow picks it from then on, and its conntrack entries are deleted: the
 * flows it had are new flows at their next packet (a TCP one is reset by
 * the backend it then reaches). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "agent/flycast_sync.h"
#include "datapath/flycast.h"
#include "datapath/map_walk.h"
#include "lib/log.h"
#include "registry/registry.h"

struct fc_svc {
	struct sixpn_ip6 addr;
	uint32_t slot;
	struct sixpn_fc_service val;
	struct sixpn_ip6 be[SIXPN_FC_MAX_BACKENDS];  /* by index; zero: free */
	uint32_t maglev[SIXPN_FC_MAGLEV_M];
	unsigned generation;
};

struct fc_walk {
	struct fc_sync *f;
	struct reg *reg;
	struct fc_svc *svc;
	struct sixpn_ip6 want[SIXPN_FC_MAX_BACKENDS];
	size_t n_want;
	bool over;
};

static int addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sixpn_ip6));
}

int fc_sync_init(struct fc_sync *f, const struct fc_sync_fds *fds, uint32_t host_id)
{
	struct sixpn_fc_config cfg = { .host_id = host_id };
	uint32_t zero = 0;

	memset(f, 0, sizeof(*f));
	f->fds = *fds;
	if (bpf_map_update_elem(fds->config, &zero, &cfg, BPF_ANY)) {
		log_error("msg=\"cannot write the Flycast config\" err=\"%s\"", strerror(errno));
		return -errno;
	}
	return 0;
}

void fc_sync_free(struct fc_sync *f)
{
	const char *k;
	void *v;
	size_t i = 0;

	while (strmap_next(&f->services, &i, &k, &v))
		free(v);
	strmap_free(&f->services);
}

static int slot_get(struct fc_sync *f)
{
	uint32_t s;

	for (s = 0; s < SIXPN_FC_MAX_SERVICES; s++)
		if (!(f->used[s / 64] & (1ull << (s % 64)))) {
			f->used[s / 64] |= 1ull << (s % 64);
			return (int)s;
		}
	return -1;
}

static void slot_put(struct fc_sync *f, uint32_t s)
{
	f->used[s / 64] &= ~(1ull << (s % 64));
}

static int collect_backend(const struct reg_machine *m, void *ctx)
{
	struct fc_walk *w = ctx;

	if (w->n_want == SIXPN_FC_MAX_BACKENDS) {
		w->over = true;
		return 0;
	}
	w->want[w->n_want++] = m->addr;
	return 0;
}

/* The service's backends and Maglev table brought to `want`: new backends
 * first (entries nothing points at yet), then the table entries that
 * changed, then the service value (its count), and last the backends that
 * went, whose flows are forgotten. */
static void svc_apply(struct fc_sync *f, struct fc_svc *svc, struct fc_walk *w)
{
	static uint32_t table[SIXPN_FC_MAGLEV_M];
	struct sixpn_ip6 gone[SIXPN_FC_MAX_BACKENDS], zero = { 0 };
	struct sixpn_fc_backend be;
	uint32_t idx[SIXPN_FC_MAX_BACKENDS], i, j, key, n_gone = 0;
	bool keep[SIXPN_FC_MAX_BACKENDS] = { false };

	qsort(w->want, w->n_want, sizeof(w->want[0]), addr_cmp);
	for (i = 0; i < w->n_want; i++) {
		for (j = 0; j < SIXPN_FC_MAX_BACKENDS; j++)
			if (!memcmp(&svc->be[j], &w->want[i], sizeof(zero)))
				break;
		if (j == SIXPN_FC_MAX_BACKENDS) {
			for (j = 0; j < SIXPN_FC_MAX_BACKENDS; j++)
				if (!keep[j] && !memcmp(&svc->be[j], &zero, sizeof(zero)))
					break;
			svc->be[j] = w->want[i];
			be.addr = w->want[i];
			key = svc->slot * SIXPN_FC_MAX_BACKENDS + j;
			bpf_map_update_elem(f->fds.backends, &key, &be, BPF_ANY);
			f->stats.backend_writes++;
		}
		keep[j] = true;
		idx[i] = j;
	}
	sixpn_fc_maglev(w->want, idx, w->n_want, table);
	for (i = 0; i < SIXPN_FC_MAGLEV_M; i++) {
		if (table[i] == svc->maglev[i])
			continue;
		svc->maglev[i] = table[i];
		key = svc->slot * SIXPN_FC_MAGLEV_M + i;
		bpf_map_update_elem(f->fds.maglev, &key, &table[i], BPF_ANY);
		f->stats.maglev_writes++;
	}
	svc->val.nbackends = (uint32_t)w->n_want;
	bpf_map_update_elem(f->fds.services, &svc->addr, &svc->val, BPF_ANY);
	for (j = 0; j < SIXPN_FC_MAX_BACKENDS; j++) {
		if (keep[j] || !memcmp(&svc->be[j], &zero, sizeof(zero)))
			continue;
		gone[n_gone++] = svc->be[j];
		svc->be[j] = zero;
		memset(&be, 0, sizeof(be));
		key = svc->slot * SIXPN_FC_MAX_BACKENDS + j;
		bpf_map_update_elem(f->fds.backends, &key, &be, BPF_ANY);
		f->stats.backend_writes++;
	}
	for (i = 0; i < n_gone; i++) {
		int n = sixpn_fc_ct_forget_backend(f->fds.ct, &gone[i]);

		/* read by the metrics thread */
		if (n > 0)
			__atomic_add_fetch(&f->stats.flows_reset, (uint64_t)n, __ATOMIC_RELAXED);
	}
}

static void svc_init_maps(struct fc_sync *f, struct fc_svc *svc)
{
	struct sixpn_fc_backend be = { 0 };
	uint32_t i, key, none = SIXPN_FC_MAX_BACKENDS;

	for (i = 0; i < SIXPN_FC_MAGLEV_M; i++) {
		svc->maglev[i] = none;
		key = svc->slot * SIXPN_FC_MAGLEV_M + i;
		bpf_map_update_elem(f->fds.maglev, &key, &none, BPF_ANY);
	}
	for (i = 0; i < SIXPN_FC_MAX_BACKENDS; i++) {
		key = svc->slot * SIXPN_FC_MAX_BACKENDS + i;
		bpf_map_update_elem(f->fds.backends, &key, &be, BPF_ANY);
	}
}

static int svc_cb(const struct reg_flycast *rf, void *ctx)
{
	struct fc_walk *w = ctx;
	struct fc_sync *f = w->f;
	char key[REG_ADDRSTRLEN];
	struct fc_svc *svc;
	int slot, err;

	reg_fmt_addr(&rf->addr, 0, key);
	svc = strmap_get(&f->services, key);
	if (!svc) {
		slot = slot_get(f);
		if (slot < 0) {
			if (!f->warned_full)
				log_warn("msg=\"Flycast services over this host's table: left out\" "
					 "max=%d address=%s", SIXPN_FC_MAX_SERVICES, key);
			f->warned_full = true;
			return 0;
		}
		svc = calloc(1, sizeof(*svc));
		if (!svc)
			return -ENOMEM;
		svc->addr = rf->addr;
		svc->slot = (uint32_t)slot;
		strmap_put(&f->services, key, svc, &err);
		if (err) {
			slot_put(f, svc->slot);
			free(svc);
			return err;
		}
		svc_init_maps(f, svc);
	}
	svc->generation = f->generation;
	svc->val.slot = svc->slot;
	svc->val.app_net = rf->app_network_id;
	svc->val.nports = rf->nports;
	memset(svc->val.ports, 0, sizeof(svc->val.ports));
	memcpy(svc->val.ports, rf->ports, rf->nports * sizeof(rf->ports[0]));
	w->svc = svc;
	w->n_want = 0;
	w->over = false;
	if (reg_flycast_backends(w->reg, rf, collect_backend, w))
		return -EIO;
	if (w->over)
		log_warn("msg=\"Flycast service has more backends than it can hold\" address=%s max=%d",
			 key, SIXPN_FC_MAX_BACKENDS);
	svc_apply(f, svc, w);
	return 0;
}

int fc_sync_all(struct fc_sync *f, struct reg *r)
{
	struct fc_walk *w = calloc(1, sizeof(*w));
	const char *k;
	void *v;
	size_t i = 0;
	int err;

	if (!w)
		return -ENOMEM;
	w->f = f;
	w->reg = r;
	f->generation++;
	err = reg_foreach_flycast(r, NULL, svc_cb, w);
	if (err) {
		free(w);
		return err == -ENOMEM ? err : -EIO;
	}
	/* services released: out of fc_services first (no new flow), then
	 * their backends and flows */
	while (strmap_next(&f->services, &i, &k, &v)) {
		struct fc_svc *svc = v;

		if (svc->generation == f->generation)
			continue;
		bpf_map_delete_elem(f->fds.services, &svc->addr);
		w->n_want = 0;
		svc_apply(f, svc, w);
		slot_put(f, svc->slot);
		free(strmap_del(&f->services, k));
	}
	free(w);
	f->stats.passes++;
	return 0;
}

void fc_sync_table_fill(const struct fc_sync *f, uint64_t *services, uint64_t *flows)
{
	struct sixpn_map_keys k = { 0 };

	*services = f->services.len;
	*flows = 0;
	if (!sixpn_map_keys(f->fds.ct, false, &k))
		*flows = k.n;
	sixpn_map_keys_free(&k);
}
