/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* An app's names (docs/design.md section 5) as a model of its machines,
 * kept in memory between passes so that a change to one machine touches
 * only the names that machine gives: the app's AAAA sets (<app>, global.,
 * its region's, its process group's, its metadata's), the metadata's empty
 * non-terminals, and its own <machine>.vm.<app>. The names sync
 * (names_sync.c) writes what the model says into the table; the model
 * never touches the table.
 *
 * Every AAAA set keeps its started machines in the registry's listing
 * order (reg_machine.order), so that its first SIXPN_DNS_MAX_ADDRS
 * addresses, all the table holds, are the ones a read of the whole app
 * would give. A machine goes in or out of a set in O(log n) plus a move
 * of the pointers after it (none for a new machine, which comes last). */
#ifndef SIXPN_APP_NAMES_H
#define SIXPN_APP_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strmap.h"
#include "registry/registry.h"

/* Where a name stands in the table. */
enum name_state {
	NAME_OUT = 0,                /* not in (never was, or gone) */
	NAME_IN,                     /* in the table */
	NAME_LEFT,                   /* left out by a quota, or a failed write */
	NAME_NOT_MAPPED,             /* longer than a key holds: the resolver's */
};

struct name_machine;

/* The longest name an app's set holds, its NUL included: a longer one
 * is the resolver's alone (no key holds it). */
#define NAME_SET_NAME_MAX 128

/* A name that more than one machine can give: <region>.<app>,
 * <group>.process.<app>, <key>.kv._metadata.<app> (an empty non-terminal)
 * and <value>.<key>.kv._metadata.<app>. A fleet has a million of them:
 * each takes the room its name needs, no more. */
struct name_set {
	uint32_t refs;               /* machines giving it, started or not */
	bool addrs;                  /* an AAAA set (else never an address) */
	uint8_t state;               /* enum name_state */
	unsigned mark;               /* walks and deltas: seen already */
	struct name_machine **m;     /* the started machines giving it, in order */
	size_t n, cap;
	char name[];                 /* shorter than NAME_SET_NAME_MAX */
};

struct name_machine {
	char id[REG_ID_MAX + 1];
	struct app_names *app;
	struct sixpn_ip6 addr;
	int64_t order;               /* reg_machine.order */
	struct name_set *region;     /* <region>.<app>; NULL when too long */
	struct name_set *group;      /* <group>.process.<app>; NULL when too long */
	char *metadata;              /* NULL: none; else "k=v,k=v" */
	bool started;
	bool odd;                    /* its region names one of the app's fixed names */
	uint8_t vm_state;            /* <id>.vm.<app>: enum name_state */
};

/* The app's names that no machine gives alone. */
enum app_fixed {
	FIX_APP,                     /* <app>: started machines (none for an app called ns) */
	FIX_GLOBAL,                  /* global.<app>: the same */
	FIX_PROCESS,                 /* process.<app> */
	FIX_METADATA,                /* _metadata.<app>, while any machine has metadata */
	FIX_KV,                      /* kv._metadata.<app>, the same */
	FIX_VM,                      /* vm.<app> */
	FIX_OF,                      /* of.<app> */
	FIX_NEAREST,                 /* nearest.of.<app>: children are the resolver's */
	FIX_REGIONS,                 /* regions.<app>: the resolver's (TXT) */
	FIX_VMS,                     /* vms.<app>: the resolver's (TXT) */
	N_FIX,
};

struct app_names {
	char id[REG_ID_MAX + 1];
	char name[REG_NAME_MAX + 1];
	uint32_t net_id;
	struct name_machine **ms;    /* every machine, in order */
	size_t n_ms, cap_ms;
	struct name_machine **started; /* the started ones, in order: <app>, global. */
	size_t n_started, cap_started;
	struct strmap sets;          /* name (the set's own) -> struct name_set */
	size_t n_meta;               /* machines with metadata */
	size_t n_odd;                /* odd machines: the app is read whole */
	uint8_t fixed[N_FIX];        /* enum name_state of each fixed name */
	size_t n_left;               /* names the quotas keep out of the table */
	unsigned generation;         /* of the names sync's full pass */
	unsigned mark;               /* the last walk's or delta's */
};

/* What one machine's change touched, for the names sync to write. */
struct app_delta {
	struct name_set **sets;      /* every set it was or is in */
	size_t n_sets, cap_sets;
	bool started;                /* <app> and global. changed */
	bool meta_before;            /* the metadata names existed before */
};

/* One name as app_names_walk() gives it: `m` are the machines whose
 * addresses it answers (the first SIXPN_DNS_MAX_ADDRS count; `n` is how
 * many there are), `state` where it stands. */
typedef void (*app_name_cb)(void *ctx, const char *name, uint8_t *state,
			    struct name_machine *const *m, size_t n, uint16_t flags);

struct app_names *app_names_new(const char *id);
/* Forgets every machine (app_machine_free() on each) and every set. */
void app_names_clear(struct app_names *a, void (*forget)(void *ctx, struct name_machine *m),
		     void *ctx);
void app_names_free(struct app_names *a);

/* Whether the app's names can follow machine changes one by one: not with
 * a machine whose region is one of the app's fixed names (the two give one
 * name: which wins depends on the whole app). */
bool app_names_incremental(const struct app_names *a);
bool app_machine_odd(const struct reg_machine *m);

/* Machine m in the app: its new record, its sets made as needed (d, when
 * not NULL, collects what changed). On failure (*err, out of memory) the
 * model is only good for app_names_clear(): the caller reads the app
 * whole; the record, when not NULL, is the app's. */
struct name_machine *app_machine_add(struct app_names *a, const struct reg_machine *m,
				     struct app_delta *d, int *err);
/* Out of the app's sets (sets left with no machine stay, refs 0, for the
 * caller to take out of the table and app_set_drop()), and freed. */
void app_machine_remove(struct app_names *a, struct name_machine *rec, struct app_delta *d);
/* Both, keeping the record (its vm_state): the machine stays. Fails as
 * app_machine_add(). */
int app_machine_update(struct app_names *a, struct name_machine *rec,
		       const struct reg_machine *m, struct app_delta *d);
void app_set_drop(struct app_names *a, struct name_set *s);
void app_delta_free(struct app_delta *d);

/* The name strings of one machine's and the app's fixed names. */
void app_vm_name(const struct name_machine *m, char *buf, size_t size);
void app_fixed_name(const struct app_names *a, enum app_fixed f, char *buf, size_t size);
uint16_t app_fixed_flags(enum app_fixed f);
/* Does the app give fixed name f now? */
bool app_fixed_live(const struct app_names *a, enum app_fixed f);
/* The machines a fixed name answers. */
size_t app_fixed_members(const struct app_names *a, enum app_fixed f,
			 struct name_machine *const **m);

/* Every name of the app, in the order a read of the whole app publishes
 * them (docs/design.md section 5; the quotas take them in this order). */
void app_names_walk(struct app_names *a, app_name_cb cb, void *ctx);

#endif
