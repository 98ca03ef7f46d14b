/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What sync.c remembers per machine and per peer it applied, and its stale
 * sweeps: for sync.c and selftests/agent/stale_sweep.c, which drives the
 * sweeps against real pinned maps. Not for other users of sync.h. */
#ifndef SIXPN_SYNC_INT_H
#define SIXPN_SYNC_INT_H

#include <net/if.h>

#include "agent/sync.h"
#include "registry/registry.h"

struct local_machine {
	char id[REG_ID_MAX + 1];
	char app[REG_NAME_MAX + 1];
	char iface[IF_NAMESIZE];
	struct sixpn_ip6 prefix;
	uint32_t net_id;
	int ifindex;            /* 0: interface not there yet */
	unsigned generation;
};

struct local_peer {
	int64_t id;
	char name[REG_NAME_MAX + 1];
	char public_key[REG_KEY_B64_LEN + 1];
	struct sixpn_ip6 prefix;
	uint32_t net_id;
	unsigned generation;
};

/* After a full pass: the machines (peers) this pass did not see are
 * forgotten, and every entry of the `ifaces` (`peers`) map that no live
 * machine (peer) owns is removed. */
void sync_remove_stale_machines(struct sync *s);
void sync_remove_stale_peers(struct sync *s);

#endif
