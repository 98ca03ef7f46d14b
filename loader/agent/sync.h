/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Registry -> host: sixpnd's reconciler. A full pass at start adds what is
 * missing, updates what changed and removes what is stale (in the maps, on
 * the interfaces, in the WireGuard devices), without ever removing an entry
 * that is still live; after that, the registry's change log drives deltas. */
#ifndef SIXPN_SYNC_H
#define SIXPN_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "datapath/tc_attach.h"
#include "agent/names_sync.h"
#include "agent/flycast_sync.h"
#include "datapath/xdp_attach.h"
#include "lib/strmap.h"

struct reg;
struct plumb;

struct sync_opts {
	const char *registry;
	uint32_t host_id;
	const char *mesh_dev;        /* NULL: no mesh on this host */
	const char *peers_dev;       /* NULL: not a gateway */
	const char *key_file;        /* mesh device's private key */
	const char *peers_key_file;  /* peers device's private key */
	const char *pin_dir;
	const char *dns_dev;
	bool no_xdp;                 /* leave the DNS fast path off */
	uint32_t names_max;          /* names map size (0: default) */
	int64_t names_quota;         /* names per network (0: none; -1: capacity / 8) */
	/* The fast path's pass-up budgets, queries/s and burst, per source and
	 * per network (-1: SIXPN_DNS_PASSUP_* defaults; rate 0: no limit). */
	int64_t passup_rate, passup_burst, passup_net_rate, passup_net_burst;
	/* Called once each pass's read snapshot of the registry is taken,
	 * before anything it holds is applied (sixpnd: its resolver's answer
	 * cache, never to lag the fast path); NULL: nothing. */
	void (*on_snapshot)(void *ctx);
	void *on_snapshot_ctx;
};

struct sync_stats {
	uint64_t full_syncs, deltas_applied, bad_rows;
	int64_t seq;                 /* last change-log entry applied */
	struct timespec last_sync;   /* CLOCK_REALTIME of the last pass */
	double last_lag_ms;          /* commit -> applied, of the last change */
};

/* How the registry file stands (reg_watch.c). */
enum sync_reg_state {
	SYNC_REG_OK,
	SYNC_REG_GONE,               /* deleted: the open handle reads the old file */
	SYNC_REG_BAD,                /* unreadable, or replaced by what is not a registry */
};

struct sync {
	struct sync_opts o;
	struct reg *reg;
	struct sixpn_bpf bpf;
	struct sixpn_xdp_obj xdp;
	struct names_sync names;
	struct fc_sync flycast;
	struct plumb *plumb;
	struct strmap machines;      /* this host's machines, by machine ID */
	struct strmap peers;         /* this gateway's peers, by peer ID */
	unsigned generation;         /* marks what a full pass saw */
	bool have_pending;           /* machines whose interface is not there yet */
	bool need_full;              /* the last full pass failed, or the file is new */
	enum sync_reg_state reg_state;
	char reg_why[512];           /* what was logged for reg_state */
	struct sync_stats stats;
};

/* Opens the registry and the BPF objects, prepares the host. Logs why and
 * returns -errno when sixpnd cannot start. */
int sync_open(struct sync *s, const struct sync_opts *o);
int sync_full(struct sync *s);
/* Applies the change log since the last pass. */
int sync_changes(struct sync *s);
/* The registry file deleted, replaced or unreadable under a running sixpnd:
 * the datapath keeps the last state applied (a failed read removes
 * nothing), the log says why once, and a good file at the path again is
 * opened afresh and needs a full pass (need_full). Called before each pass. */
void sync_registry_check(struct sync *s);
/* A pass could not read the registry: logged once, and the file is opened
 * afresh at the next check. */
void sync_registry_failed(struct sync *s);
/* A pass read the registry: logs that it is back after trouble. */
void sync_registry_ok(struct sync *s);
/* Attaches machines whose interface appeared since. */
void sync_retry_pending(struct sync *s);
/* detach: also remove everything sixpn attached and pinned. */
void sync_close(struct sync *s, bool detach);
/* sync_close() of a process that exits next: what only memory holds (the
 * names model) is left to the exit. */
void sync_close_exiting(struct sync *s, bool detach);

#endif
