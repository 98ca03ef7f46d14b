/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sixpnd's side of Flycast: the service, backend and Maglev maps kept
 * equal to the registry (flycast_sync.c). */
#ifndef SIXPN_FLYCAST_SYNC_H
#define SIXPN_FLYCAST_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/strmap.h"
#include "sixpn_flycast.h"

struct reg;

struct fc_sync_fds {
	int services, backends, maglev, ct, config;
};

struct fc_sync_stats {
	uint64_t passes, backend_writes, maglev_writes;
	uint64_t flows_reset;        /* flows forgotten with their backend (atomic) */
};

struct fc_sync {
	struct fc_sync_fds fds;
	struct strmap services;      /* address text -> struct fc_svc */
	uint64_t used[SIXPN_FC_MAX_SERVICES / 64];
	unsigned generation;
	bool warned_full;
	struct fc_sync_stats stats;
};

/* Writes fc_config (this host's ID: its SNAT addresses). 0 or -errno. */
int fc_sync_init(struct fc_sync *f, const struct fc_sync_fds *fds, uint32_t host_id);
void fc_sync_free(struct fc_sync *f);
/* Every service of the registry (read inside the caller's snapshot), by
 * delta against what the maps hold. 0, -EIO (registry) or -ENOMEM. */
int fc_sync_all(struct fc_sync *f, struct reg *r);
/* Services in the maps, conntrack entries (two per flow). */
void fc_sync_table_fill(const struct fc_sync *f, uint64_t *services, uint64_t *flows);

#endif
