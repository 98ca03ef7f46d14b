/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Registry -> the XDP fast path's names map (maps/sixpn_dns.h). Names are
 * published per app: any change to an app or one of its machines
 * recomputes that app's names from the registry and writes the difference
 * (new and changed names first, then the ones that went away), so a live
 * name is never missing in between. */
#ifndef SIXPN_NAMES_SYNC_H
#define SIXPN_NAMES_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "sixpn_dns.h"
#include "lib/strmap.h"

struct reg;

struct names_sync {
	int names_fd;
	struct strmap apps;          /* app ID -> struct app_names */
	struct strmap machine_app;   /* machine ID -> app ID, fleet-wide */
	struct strmap peers;         /* peer ID -> struct peer_name */
	struct strmap nets;          /* network ID -> 1: its zone names are in */
	uint64_t puts, dels, skipped;
	/* A full pass writes in batches (bpf_map_update_batch): a system call
	 * per thousands of names instead of one per name. */
	bool batching;
	struct sixpn_dns_key *bkeys;
	struct sixpn_dns_value *bvals;
	size_t bn;
};

void names_sync_init(struct names_sync *n, int names_fd);
void names_sync_free(struct names_sync *n);
/* Every app, machine and peer of the fleet; then what is stale goes. */
int names_sync_full(struct names_sync *n, struct reg *r);
/* Change-log deltas, by the change's table and key. */
int names_machine_changed(struct names_sync *n, struct reg *r, const char *machine_id);
int names_app_changed(struct names_sync *n, struct reg *r, const char *app_id);
int names_peer_changed(struct names_sync *n, struct reg *r, const char *peer_id);

#endif
