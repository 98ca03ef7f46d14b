/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The sixpn registry: the SQLite discovery feed (docs/design.md section 4).
 *
 * sixpnctl writes it, sixpnd reads it. Every write is one
 * `BEGIN IMMEDIATE` transaction with a busy timeout, so concurrent writers
 * serialize instead of handing out duplicates. The database is in WAL mode,
 * so readers never block writers and always see a committed snapshot.
 *
 * Return codes: every int-returning function returns one of enum reg_rc
 * (0 on success); the message for the last failure is reg_errmsg(). The codes
 * double as sixpnctl's exit codes.
 *
 * Reader's recipe (sixpnd):
 *
 *     struct reg *r;
 *     if (reg_open(&r, path, REG_OPEN_READONLY)) die(reg_errmsg(r));
 *     reg_snapshot_begin(r);                 // one consistent view
 *     reg_change_seq(r, &seq);               // remember where we are
 *     reg_foreach_machine(r, NULL, add_machine, ctx);   // full reconcile
 *     reg_foreach_peer(r, NULL, add_peer, ctx);  ...
 *     reg_snapshot_end(r);
 *     for (;;) {                             // then deltas
 *         reg_snapshot_begin(r);
 *         reg_foreach_change(r, seq, apply, ctx); // apply() calls
 *         reg_snapshot_end(r);               //   reg_get_*(key) or forgets
 *     }                                      //   the key on REG_OP_DELETE
 *
 * Strings in the structs below are NUL-terminated and truncated to fit
 * (nothing the writer accepts is longer). An absent optional string is "".
 */
#ifndef SIXPN_REGISTRY_H
#define SIXPN_REGISTRY_H

#include <stdint.h>
#include <stddef.h>
#include "sixpn_addr.h"

#define REG_DEFAULT_PATH      "/var/lib/sixpn/registry.db"
#define REG_SCHEMA_VERSION    6          /* PRAGMA user_version */
#define REG_APPLICATION_ID    0x36706e00 /* PRAGMA application_id: "6pn\0" */
#define REG_BUSY_TIMEOUT_MS   10000
#define REG_QUARANTINE_SECS   86400      /* default; env SIXPN_QUARANTINE_SECS */

#define REG_NAME_MAX      63   /* org, network, app, peer, region names */
#define REG_ID_MAX        16   /* app IDs are 16 hex chars, machine IDs 14 */
#define REG_ENDPOINT_MAX  261  /* "[v6]:port" or "hostname:port" */
#define REG_KEY_B64_LEN   44   /* a WireGuard key in base64 */
#define REG_IFNAME_MAX    15
/* Machine metadata: at most REG_METADATA_MAX KEY=VALUE pairs, each part a
 * DNS label, kept as "k1=v1,k2=v2" sorted by key (machines.metadata). */
#define REG_METADATA_MAX      16
#define REG_METADATA_TEXT_MAX (REG_METADATA_MAX * (2 * REG_NAME_MAX + 2))
#define REG_PROCESS_GROUP_DEFAULT "app"

enum reg_rc {
	REG_OK       = 0,
	REG_ERR      = 1,  /* runtime: SQLite, I/O, space exhausted */
	REG_EINVAL   = 2,  /* a value breaks a rule (bad name, bad host ID) */
	REG_ENOENT   = 3,  /* the named org/app/host/machine/peer is absent */
	REG_EEXIST   = 4,  /* already exists / conflicts with a live entry */
	REG_ESCHEMA  = 5,  /* newer schema, not a sixpn registry, not created */
	REG_EMIRROR  = 6,  /* a write to a mirror of etcd (write with --etcd) */
	REG_EPERM    = 7,  /* etcd refused the credentials or the permission */
};

enum reg_open_flags {
	REG_OPEN_READONLY = 1 << 0, /* never writes; refuses an empty file */
	REG_OPEN_CREATE   = 1 << 1, /* create file (and parent dir) + schema */
};

enum reg_op { REG_OP_INSERT = 1, REG_OP_UPDATE = 2, REG_OP_DELETE = 3 };

struct reg;  /* opaque handle; one per thread */

struct reg_org {
	int64_t id;
	char name[REG_NAME_MAX + 1];
	int64_t created_at;           /* unix seconds */
	uint32_t network_count, app_count, peer_count;
};

struct reg_network {
	uint32_t id;                  /* the 32-bit network ID, never 0 */
	char name[REG_NAME_MAX + 1];
	int64_t org_id;
	char org[REG_NAME_MAX + 1];
	int64_t created_at;
	uint32_t app_count;
};

struct reg_app {
	char id[REG_ID_MAX + 1];
	char name[REG_NAME_MAX + 1];
	int64_t org_id;
	char org[REG_NAME_MAX + 1];
	uint32_t network_id;
	char network[REG_NAME_MAX + 1];
	int64_t created_at;
	uint32_t machine_count;
};

struct reg_host {
	uint32_t id;                  /* the 32-bit host field, never 0 */
	char region[REG_NAME_MAX + 1];
	char endpoint[REG_ENDPOINT_MAX + 1];         /* mesh device */
	char public_key[REG_KEY_B64_LEN + 1];
	char peers_endpoint[REG_ENDPOINT_MAX + 1];   /* peers device: */
	char peers_public_key[REG_KEY_B64_LEN + 1];  /* set => gateway */
	int64_t created_at;
	uint32_t machine_count, peer_count;
};

/* A machine's lifecycle (docs/design.md section 4): only a started machine
 * is in its app's AAAA names and the TXT lists without "all."; created and
 * stopped ones keep their address, their interface and their isolation,
 * and stay in <id>.vm.<app> and the "all." lists. Destroyed machines are
 * gone from the registry. The values are the text of machines.state. */
enum reg_machine_state {
	REG_MACHINE_CREATED = 1,
	REG_MACHINE_STARTED = 2,
	REG_MACHINE_STOPPED = 3,
};

struct reg_machine {
	char id[REG_ID_MAX + 1];      /* 14 lowercase hex chars */
	char app_id[REG_ID_MAX + 1];
	char app[REG_NAME_MAX + 1];
	int64_t org_id;
	char org[REG_NAME_MAX + 1];
	uint32_t network_id;
	uint32_t host_id;
	uint32_t instance_id;         /* unique on its host, never 0 */
	char region[REG_NAME_MAX + 1];
	char iface[REG_IFNAME_MAX + 1];
	int64_t created_at;
	enum reg_machine_state state;
	char process_group[REG_NAME_MAX + 1];     /* default "app" */
	char metadata[REG_METADATA_TEXT_MAX + 1]; /* "k=v,k=v", sorted; "" none */
	/* Its place in the listings (reg_foreach_machine() lists an app's
	 * machines in this order): the row's rowid. A new row's is above
	 * every other's, so a new machine comes last. The order of the
	 * addresses in the names follows it. */
	int64_t order;
	struct sixpn_ip6 prefix;      /* fdaa:NET:HOST:INST::/112 (free word 0) */
	struct sixpn_ip6 addr;        /* prefix with free word 2 */
};

struct reg_peer {
	int64_t id;
	char name[REG_NAME_MAX + 1];
	int64_t org_id;
	char org[REG_NAME_MAX + 1];
	uint32_t network_id;
	char network[REG_NAME_MAX + 1];
	char region[REG_NAME_MAX + 1];
	uint32_t gw_host_id;          /* the gateway host */
	uint32_t gw_instance_id;      /* its gateway instance for this network */
	uint8_t slot;                 /* the /120 inside that instance's /112 */
	char public_key[REG_KEY_B64_LEN + 1];
	char gw_peers_endpoint[REG_ENDPOINT_MAX + 1];
	char gw_peers_public_key[REG_KEY_B64_LEN + 1];
	int64_t created_at;
	struct sixpn_ip6 prefix;      /* /120, free word slot << 8 */
	struct sixpn_ip6 addr;        /* free word (slot << 8) | 2 */
};

struct reg_change {
	int64_t seq;                  /* strictly increasing, never reused */
	char table[16];               /* orgs networks apps hosts machines peers */
	char key[32];                 /* the row's key as text: orgs, networks,
				       * peers: decimal id; apps, machines: id;
				       * hosts: decimal 32-bit host ID */
	enum reg_op op;
	int64_t at;                   /* unix seconds */
};

/* Filters for the iterators; NULL or zeroed fields match everything. */
struct reg_filter {
	const char *org;              /* org name */
	const char *app;              /* app name */
	uint32_t host_id;             /* 0: any */
	uint32_t network_id;          /* 0: any */
	int no_counts;                /* apps: machine_count not counted (0), one
	                               * index search an app less */
};

/* An iterator callback returns 0 to continue; anything else stops the walk
 * and becomes the iterator's return value. */
typedef int (*reg_org_cb)(const struct reg_org *, void *ctx);
typedef int (*reg_network_cb)(const struct reg_network *, void *ctx);
typedef int (*reg_app_cb)(const struct reg_app *, void *ctx);
typedef int (*reg_host_cb)(const struct reg_host *, void *ctx);
typedef int (*reg_machine_cb)(const struct reg_machine *, void *ctx);
typedef int (*reg_peer_cb)(const struct reg_peer *, void *ctx);
typedef int (*reg_change_cb)(const struct reg_change *, void *ctx);

/* ---- open / close ------------------------------------------------------ */

/* Opens (and with REG_OPEN_CREATE creates, migrating an older schema) the
 * registry at path (NULL: $SIXPN_REGISTRY, else REG_DEFAULT_PATH). *out is
 * set even on failure so reg_errmsg() works; reg_close() it either way.
 * Refuses a newer schema version or a foreign file with REG_ESCHEMA. */
int reg_open(struct reg **out, const char *path, unsigned flags);
void reg_close(struct reg *r);

/* ---- the registry on etcd (store_etcd.c, docs/registry.md "ON ETCD") ---- */

struct etcd_cfg;
/* A registry whose source of truth is etcd: every read and write goes to
 * a private in-memory copy of the whole prefix at one revision, and every
 * write commits what it changed in one etcd transaction that holds only if
 * nothing was committed since that revision (else it catches up and runs
 * again). mirror (NULL: none): a host's mirror file (sixpnd --etcd) to
 * start the copy from, when etcd confirms it is the registry at the
 * mirror's revision; else the copy is read from etcd. The flags are those
 * of reg_open (READONLY: writes refused). */
int reg_open_etcd(struct reg **out, const struct etcd_cfg *cfg, const char *mirror,
		  unsigned flags);
/* 1 when r is on etcd. */
int reg_is_etcd(const struct reg *r);
/* etcd -> a new registry FILE (never overwriting: REG_EEXIST). */
int reg_export(struct reg *r, const char *file);
/* A registry FILE -> etcd, whose prefix must be empty (REG_EEXIST). *rows:
 * how many rows went. */
int reg_import(struct reg *r, const char *file, size_t *rows);

/* The local mirror of etcd that sixpnd keeps at PATH (store_mirror.c): a
 * Range at one revision, applied as inserts, updates and deletes (so the
 * change-log triggers fire for sync), then a Watch from the next revision.
 * A compacted revision re-lists and reconciles in one transaction. When
 * etcd is unreachable the file stays as it is and the mirror retries with
 * backoff. Runs on threads of its own. */
struct reg_mirror;
int reg_mirror_start(struct reg_mirror **out, const struct etcd_cfg *cfg,
		     const char *path, char *err, size_t errlen);
/* Waits up to timeout_ms for the first full list: 0 listed, -1 not yet
 * (or etcd refused the credentials: reg_mirror_status's auth_refused). */
int reg_mirror_wait(struct reg_mirror *m, int timeout_ms);
void reg_mirror_stop(struct reg_mirror *m);
/* Readable after every transaction the mirror commits to its file (an
 * eventfd: read it to clear). Poll it to follow the mirror: inotify on the
 * file fires with the transaction's writes, before its commit is visible to
 * another connection, so a reader woken by inotify alone may see nothing
 * new and sleep past the commit. */
int reg_mirror_fd(const struct reg_mirror *m);
/* One list and reconcile, no watch (sixpnd --once, tools); REG_EPERM when
 * etcd refused the credentials. */
int reg_mirror_once(const struct etcd_cfg *cfg, const char *path, char *err,
		    size_t errlen);
struct reg_mirror_status {
	int connected;                /* etcd answers and the watch runs */
	int64_t applied_revision;     /* the mirror holds etcd up to here */
	int64_t registry_revision;    /* the last registry commit etcd has */
	uint64_t bad_rows, relists, reconnects;
	/* watches started again from the last applied revision (after a
	 * failure, with no list in between) */
	uint64_t resumes;
	int auth_refused;             /* etcd's last answer refused the credentials */
};
void reg_mirror_status(const struct reg_mirror *m, struct reg_mirror_status *st);
/* sixpnd's presence: <prefix>hosts_alive/<host_id> (decimal) kept under an
 * etcd lease of ttl seconds by the heartbeat thread (granted, kept alive,
 * granted again once expired, revoked on reg_mirror_stop). The mirror
 * never reads these keys, so a lease that expires changes no row: mesh
 * peers stay as they are. Call once, after reg_mirror_start. */
void reg_mirror_announce(struct reg_mirror *m, uint32_t host_id, int ttl);
/* On etcd: whether host id holds its lease as of the last load (1 or 0);
 * -1 when the registry is a file. */
int reg_host_connected(const struct reg *r, uint32_t id);
const char *reg_errmsg(const struct reg *r);
const char *reg_path(const struct reg *r);
/* Whether the path still names the file the handle opened: REG_OK; or
 * REG_ENOENT (nothing there now: deleted) or REG_ERR (another file:
 * replaced), with the message set. The handle keeps reading the file it
 * has open either way; a reader that wants the new one opens it afresh. */
int reg_file_check(struct reg *r);
/* Opens the file at *r's path afresh (read-only) and, once it opens,
 * closes *r and puts the new handle there. On failure *r is left as it was,
 * still reading the file it had, and err holds why. */
int reg_reopen(struct reg **r, char *err, size_t errlen);
/* The path reg_open(NULL) would use. */
const char *reg_default_path(void);

/* ---- read API (for sixpnd and the CLI) -------------------------------- */

/* Optional: group several reads into one consistent snapshot. */
int reg_snapshot_begin(struct reg *r);
int reg_snapshot_end(struct reg *r);

/* The seq of the newest change-log entry (0 if none). */
int reg_change_seq(struct reg *r, int64_t *seq);
/* SQLite's PRAGMA data_version of this handle: a value that changes
 * whenever another connection has committed to the file since the last
 * call (a commit through this handle does not change it). Only values of
 * one handle compare: a reopened handle starts afresh. Cheaper than
 * reg_change_seq (no table read), for a reader that only wants to know
 * whether anything changed. */
int reg_data_version(struct reg *r, int64_t *version);
/* Every change with seq > since, in seq order. */
int reg_foreach_change(struct reg *r, int64_t since, reg_change_cb cb, void *ctx);

int reg_foreach_org(struct reg *r, reg_org_cb cb, void *ctx);
int reg_foreach_network(struct reg *r, const struct reg_filter *f,
			reg_network_cb cb, void *ctx);   /* f->org */
int reg_foreach_app(struct reg *r, const struct reg_filter *f,
		    reg_app_cb cb, void *ctx);       /* f->org, network_id */
int reg_foreach_host(struct reg *r, reg_host_cb cb, void *ctx);
int reg_foreach_machine(struct reg *r, const struct reg_filter *f,
			reg_machine_cb cb, void *ctx); /* org app host network */
int reg_foreach_peer(struct reg *r, const struct reg_filter *f,
		     reg_peer_cb cb, void *ctx);      /* org host network */

/* Lookups by key (the change log's key); REG_ENOENT if absent. */
int reg_get_org(struct reg *r, const char *name, struct reg_org *out);
int reg_get_network(struct reg *r, uint32_t id, struct reg_network *out);
int reg_get_app(struct reg *r, const char *id_or_name, struct reg_app *out);
int reg_get_host(struct reg *r, uint32_t id, struct reg_host *out);
int reg_get_machine(struct reg *r, const char *id, struct reg_machine *out);
int reg_get_peer(struct reg *r, int64_t id, struct reg_peer *out);

/* Region coordinates (regions.c; `sixpnctl regions set`): the
 * distance between two regions is the great-circle distance of their
 * coordinates. A region without coordinates has no known distance. */
struct reg_region {
	char name[REG_NAME_MAX + 1];
	double lat, lon;              /* degrees: -90..90, -180..180 */
	int64_t updated_at;
};
typedef int (*reg_region_cb)(const struct reg_region *, void *ctx);
int reg_foreach_region(struct reg *r, reg_region_cb cb, void *ctx);
/* Sets (inserts or replaces) a region's coordinates; REG_EINVAL if out of range. */
int reg_region_set(struct reg *r, const char *name, double lat, double lon);
int reg_region_remove(struct reg *r, const char *name);

/* ---- Flycast service addresses (flycast.c, docs/design.md section 7) ---- */

#include "sixpn_flycast.h"

/* A service address of an app, allocated for one consumer network:
 * fdaa:<consumer net>:0:0:<svc_id>:0. One per (app, network). */
struct reg_flycast {
	uint32_t network_id;          /* the consumer network */
	char network[REG_NAME_MAX + 1];
	uint32_t svc_id;              /* instance words of the address, never 0 */
	char app_id[REG_ID_MAX + 1];
	char app[REG_NAME_MAX + 1];
	char org[REG_NAME_MAX + 1];
	uint32_t app_network_id;      /* where the backends live */
	char app_network[REG_NAME_MAX + 1];
	uint16_t ports[SIXPN_FC_MAX_PORTS]; /* ascending */
	uint32_t nports;              /* 0: every TCP and UDP port */
	int64_t created_at;
	struct sixpn_ip6 addr;
};
typedef int (*reg_flycast_cb)(const struct reg_flycast *, void *ctx);

/* f->app, f->network_id (the consumer network) filter; NULL: all. */
int reg_foreach_flycast(struct reg *r, const struct reg_filter *f,
			reg_flycast_cb cb, void *ctx);
/* By service address; REG_ENOENT if none is allocated there. */
int reg_get_flycast(struct reg *r, const struct sixpn_ip6 *addr,
		    struct reg_flycast *out);
/* The backends of a service: the one place that decides which machines
 * of the app take Flycast flows: its started ones. */
int reg_flycast_backends(struct reg *r, const struct reg_flycast *f,
			 reg_machine_cb cb, void *ctx);
/* Allocates the app's address for network (NULL: the app's own; bound on
 * the spot, in the app's org, if unbound) with ports "80,443" (NULL: every
 * port). REG_EEXIST when the app has one for that network already. */
int reg_flycast_allocate(struct reg *r, const char *app, const char *network,
			 const char *ports, struct reg_flycast *out);
/* Releases the address (quarantined like prefixes); REG_ENOENT if none,
 * or (app non-NULL) if it is not app's: the HTTP API's DELETE names both. */
int reg_flycast_release(struct reg *r, const char *app, const struct sixpn_ip6 *addr,
			struct reg_flycast *out);
/* An address as `ips release` and DELETE .../ips/ADDR take it: IPv6, in a
 * Flycast service range. REG_EINVAL with the message in err. */
int reg_parse_flycast_addr(const char *s, struct sixpn_ip6 *addr, char *err,
			   size_t errlen);
/* "80,443" -> ascending, distinct ports, at most SIXPN_FC_MAX_PORTS. */
int reg_parse_ports(const char *s, uint16_t *ports, uint32_t *n, char *err,
		    size_t errlen);

/* What a 6PN address belongs to. */
enum reg_owner_kind {
	REG_OWNER_NONE = 0,      /* nothing in the registry */
	REG_OWNER_GLOBAL_DNS,    /* fdaa::3 */
	REG_OWNER_NET_DNS,       /* <net prefix>::3 */
	REG_OWNER_NET_PREFIX,    /* inside a bound network, no host part */
	REG_OWNER_MACHINE,       /* the machine's ::2 address */
	REG_OWNER_MACHINE_PREFIX,/* elsewhere in a machine's /112 */
	REG_OWNER_PEER,          /* the peer's address */
	REG_OWNER_PEER_PREFIX,   /* elsewhere in a peer's /120 */
	REG_OWNER_GATEWAY,       /* a gateway instance's /112, slot unassigned */
	REG_OWNER_FLYCAST,       /* a Flycast service address (allocated) */
	REG_OWNER_FLYCAST_RANGE, /* the service range: host 0, an instance part */
	REG_OWNER_FLYCAST_SNAT,  /* instance 0 of a host: Flycast SNAT sources */
};
struct reg_owner {
	enum reg_owner_kind kind;
	struct reg_network network;   /* set when the network ID is bound */
	int network_bound;
	struct reg_machine machine;   /* MACHINE, MACHINE_PREFIX */
	struct reg_peer peer;         /* PEER, PEER_PREFIX */
	struct reg_flycast flycast;   /* FLYCAST */
};
int reg_lookup_addr(struct reg *r, const struct sixpn_ip6 *a, struct reg_owner *out);

/* ---- write API (sixpnctl). Each call is one IMMEDIATE transaction. ---- */

int reg_org_create(struct reg *r, const char *name, struct reg_org *out);
/* Binds NAME in ORG to a new network ID; REG_EEXIST if already bound. */
int reg_network_create(struct reg *r, const char *org, const char *name,
		       struct reg_network *out);
/* network NULL means "default"; an unbound name is bound on the spot. */
int reg_app_create(struct reg *r, const char *name, const char *org,
		   const char *network, struct reg_app *out);
/* Destroys the app and its machines (their prefixes go to quarantine). */
int reg_app_destroy(struct reg *r, const char *name, uint32_t *machines_destroyed);
/* h->id, h->region required; the endpoints and keys are optional ("").
 * Peers endpoint and peers key come together (that makes a gateway). */
int reg_host_add(struct reg *r, const struct reg_host *h);
/* region NULL: the host's region; iface NULL: none. */
int reg_machine_create(struct reg *r, const char *app, uint32_t host_id,
		       const char *region, const char *iface,
		       struct reg_machine *out);
int reg_machine_destroy(struct reg *r, const char *id, struct reg_machine *out);

/* What reg_machine_create_opts takes beyond the app and the host; a zeroed
 * struct is reg_machine_create's defaults. */
struct reg_machine_opts {
	const char *region;             /* NULL: the host's region */
	const char *iface;              /* NULL: none */
	enum reg_machine_state state;   /* 0: REG_MACHINE_STARTED */
	const char *process_group;      /* NULL: "app" */
	const char *const *metadata;    /* n_metadata "KEY=VALUE" strings */
	size_t n_metadata;
};
int reg_machine_create_opts(struct reg *r, const char *app, uint32_t host_id,
			    const struct reg_machine_opts *o, struct reg_machine *out);
/* Starts or stops a machine (REG_MACHINE_STARTED or REG_MACHINE_STOPPED;
 * nothing goes back to created: REG_EINVAL). A change of state is an
 * update of its row, in the change log like any other; setting the state
 * it has changes nothing and logs nothing. *changed (may be NULL): 1 when
 * the state changed. REG_ENOENT: no such machine. */
int reg_machine_set_state(struct reg *r, const char *id, enum reg_machine_state state,
			  struct reg_machine *out, int *changed);
/* Moves a machine to another host: a new instance ID and /112 there, the
 * same machine ID, app, state, group and metadata; the old /112 goes into
 * quarantine. region NULL: the new host's region; iface NULL: keeps its
 * interface name (which must be free on the new host), "" none. *old (may
 * be NULL) gets the machine as it was. */
int reg_machine_move(struct reg *r, const char *id, uint32_t host_id, const char *region,
		     const char *iface, struct reg_machine *out, struct reg_machine *old);
/* Sets metadata keys of a machine: each "KEY=VALUE" sets KEY (replacing
 * its value), each "KEY=" removes it. */
int reg_machine_update_metadata(struct reg *r, const char *id, const char *const *kv,
				size_t n, struct reg_machine *out);
/* Picks the gateway host in region with the fewest peers, allocates a /120
 * and records the peer with its public key. network NULL: "default". */
int reg_peer_create(struct reg *r, const char *org, const char *region,
		    const char *name, const char *network,
		    const char *public_key_b64, struct reg_peer *out);
int reg_peer_remove(struct reg *r, const char *org, const char *name,
		    struct reg_peer *out);

/* Quarantine in seconds used by this handle's writes (env
 * SIXPN_QUARANTINE_SECS or REG_QUARANTINE_SECS). */
int64_t reg_quarantine_secs(const struct reg *r);

/* ---- API tokens and the org scope (tokens.c) -------------------------- */

/* A bearer token of the HTTP API: "sixpn_" and 43 base64url characters
 * (32 random bytes). Only its SHA-256 is stored. */
#define REG_TOKEN_PREFIX "sixpn_"
#define REG_TOKEN_LEN    49
struct reg_token {
	int64_t id;
	int64_t org_id;
	char org[REG_NAME_MAX + 1];
	int64_t created_at;
};
typedef int (*reg_token_cb)(const struct reg_token *, void *ctx);
/* Makes a token for org: token (REG_TOKEN_LEN + 1 bytes) gets the secret,
 * which exists nowhere else once the caller drops it. */
int reg_token_create(struct reg *r, const char *org, char *token,
		     struct reg_token *out);
/* The token's row: REG_ENOENT ("token is not valid") for anything that is
 * not a live token, whatever is wrong with it. */
int reg_token_check(struct reg *r, const char *token, struct reg_token *out);
/* f->org (NULL: every org); oldest first. */
int reg_foreach_token(struct reg *r, const struct reg_filter *f,
		      reg_token_cb cb, void *ctx);
int reg_token_revoke(struct reg *r, int64_t id, struct reg_token *out);

/* Confines the handle to one org (NULL: no confinement), the tenant
 * boundary of the HTTP API: apps and machines of other orgs are then
 * absent to every read and write through r (the same "does not exist"
 * as a name nobody has), and a write naming another org finds no such
 * org. Hosts stay visible: they are the fleet's, not an org's. Checked
 * inside each write's transaction, so no race can cross it. */
int reg_scope_org(struct reg *r, const char *org);

/* Brings a long-lived handle up to date before a read: on etcd, reloads
 * the private copy when another writer committed since it was read (one
 * small range of <prefix>rev otherwise); on a file, nothing (every read
 * sees the last commit). */
int reg_refresh(struct reg *r);

/* ---- rules and formats (rules.c) ----------------------------- */

/* Each returns REG_OK or REG_EINVAL with a message "<what> 'VALUE' is
 * invalid: <why>" in err (errlen bytes). */
int reg_check_org_name(const char *s, char *err, size_t errlen);
int reg_check_network_name(const char *s, char *err, size_t errlen);
int reg_check_app_name(const char *s, char *err, size_t errlen);
int reg_check_peer_name(const char *s, char *err, size_t errlen);
int reg_check_region(const char *s, char *err, size_t errlen);
int reg_check_ifname(const char *s, char *err, size_t errlen);
int reg_check_endpoint(const char *what, const char *s, char *err, size_t errlen);
int reg_check_public_key(const char *what, const char *s, char *err, size_t errlen);
/* A process group name: a DNS label (as an app name). */
int reg_check_process_group(const char *s, char *err, size_t errlen);
/* One "KEY=VALUE" of --metadata: both DNS labels (lowercase letters,
 * digits, dashes, at most 63, no dash at either end); with allow_remove,
 * "KEY=" too. */
int reg_check_metadata(const char *kv, int allow_remove, char *err, size_t errlen);
/* "created", "started", "stopped"; NULL for anything else. */
const char *reg_machine_state_name(enum reg_machine_state s);
/* The reverse; 0 when s names no state. */
enum reg_machine_state reg_machine_state_parse(const char *s);
/* Walks "k=v,k=v": the pair at *pos into key and value (each
 * REG_NAME_MAX + 1 bytes), *pos moved past it; 0 at the end. A pair that
 * is not two labels around '=' (a row written by hand, or in etcd) is
 * skipped, never returned. */
int reg_metadata_next(const char *text, size_t *pos, char *key, char *value);

/* Host IDs as written in an address: "a7b:174" (two hex words of 1-4
 * digits) is 0x0a7b0174; "0x0a7b0174" is accepted too. */
int reg_parse_host_id(const char *s, uint32_t *out, char *err, size_t errlen);
/* "a7b:174"; buf must hold 10 bytes. Also used for instance IDs. */
char *reg_fmt_id32(uint32_t id, char *buf);
/* inet_ntop of a; with len > 0 appends "/len". buf: REG_ADDRSTRLEN. */
#define REG_ADDRSTRLEN 52
char *reg_fmt_addr(const struct sixpn_ip6 *a, int len, char *buf);
/* fdaa:NET::/48 of a network */
void reg_net_prefix(uint32_t net, struct sixpn_ip6 *out);

#endif
