// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry the resolver targets read, made with the library calls
 * sixpnctl makes (orgs create, networks create, hosts add, regions set,
 * apps create, machines create, peers create), in memory:
 *
 *   regions  ams, fra, sjc with coordinates; lhr without
 *   hosts    a7b:174 (ams, a gateway), 1:2 (fra), 3:4 (sjc)
 *   acme     network default: app web (2 in ams, fra, sjc), app big (40
 *            machines, for answers that do not fit), peer laptop (ams);
 *            network backend: app db (ams)
 *   globex   network default: app shop (fra)
 *
 * Machine IDs are then set to their row number in 14 hex digits
 * (00000000000001, ...), so a seed can ask for <id>.vm.web.internal. */
#include "fuzz.h"
#include "host/wgkeys.h"
#include "lib/log.h"
#include "registry/registry_int.h"

#define DIE(...) do { fprintf(stderr, "fixture: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

static void must(struct reg *r, int rc, const char *what)
{
	if (rc)
		DIE("%s: %s", what, reg_errmsg(r));
}

struct reg *fz_registry_empty(void)
{
	struct reg *r;

	/* the resolver warns on every registry failure: millions of lines */
	sixpn_log_threshold = getenv("FZ_VERBOSE") ? SIXPN_LOG_DEBUG : SIXPN_LOG_ERROR;
	if (reg_open(&r, ":memory:", REG_OPEN_CREATE))
		DIE("cannot open a registry in memory: %s", reg_errmsg(r));
	return r;
}

static void key_b64(uint8_t seed, char out[WG_KEY_B64_LEN + 1])
{
	uint8_t k[WG_KEY_LEN];

	memset(k, seed, sizeof(k));
	wg_key_to_base64(k, out);
}

static void host(struct reg *r, uint32_t id, const char *region, const char *endpoint,
		 bool gateway, uint8_t key)
{
	struct reg_host h = { .id = id };

	snprintf(h.region, sizeof(h.region), "%s", region);
	snprintf(h.endpoint, sizeof(h.endpoint), "%s", endpoint);
	key_b64(key, h.public_key);
	if (gateway) {
		snprintf(h.peers_endpoint, sizeof(h.peers_endpoint), "%s", "198.51.100.1:51821");
		key_b64(key + 1, h.peers_public_key);
	}
	must(r, reg_host_add(r, &h), "hosts add");
}

static void machines(struct reg *r, const char *app, uint32_t host_id, int n)
{
	struct reg_machine m;

	while (n--)
		must(r, reg_machine_create(r, app, host_id, NULL, NULL, &m), "machines create");
}

static int first_machine(const struct reg_machine *m, void *ctx)
{
	*(struct sixpn_ip6 *)ctx = m->addr;
	return 1;
}

static void machine_addr(struct reg *r, const char *app, struct sixpn_ip6 *out)
{
	struct reg_filter f = { .app = app };

	if (reg_foreach_machine(r, &f, first_machine, out) != 1)
		DIE("no machine of %s", app);
}

void fz_fixture(struct fz_fixture *fx)
{
	struct reg *r = fz_registry_empty();
	struct reg_network n;
	struct reg_app a;
	struct reg_peer p;
	char key[WG_KEY_B64_LEN + 1];
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->reg = r;
	fx->host_ams = 0x0a7b0174;
	fx->host_fra = 0x00010002;
	fx->host_sjc = 0x00030004;
	must(r, reg_region_set(r, "ams", 52.37, 4.90), "regions set");
	must(r, reg_region_set(r, "fra", 50.11, 8.68), "regions set");
	must(r, reg_region_set(r, "sjc", 37.34, -121.89), "regions set");
	host(r, fx->host_ams, "ams", "198.51.100.1:51820", true, 1);
	host(r, fx->host_fra, "fra", "[2001:db8::2]:51820", false, 3);
	host(r, fx->host_sjc, "sjc", "sjc1.example.net:51820", false, 4);
	must(r, reg_org_create(r, "acme", NULL), "orgs create");
	must(r, reg_org_create(r, "globex", NULL), "orgs create");
	must(r, reg_network_create(r, "acme", "backend", &n), "networks create");
	fx->net_db = n.id;
	must(r, reg_app_create(r, "web", "acme", NULL, &a), "apps create");
	fx->net_web = a.network_id;
	must(r, reg_app_create(r, "db", "acme", "backend", &a), "apps create");
	must(r, reg_app_create(r, "shop", "globex", NULL, &a), "apps create");
	fx->net_shop = a.network_id;
	must(r, reg_app_create(r, "big", "acme", NULL, &a), "apps create");
	machines(r, "web", fx->host_ams, 2);
	machines(r, "web", fx->host_fra, 1);
	machines(r, "web", fx->host_sjc, 1);
	machines(r, "db", fx->host_ams, 1);
	machines(r, "shop", fx->host_fra, 1);
	for (i = 0; i < 40; i++)
		machines(r, "big", i % 2 ? fx->host_fra : fx->host_sjc, 1);
	/* a machine in a region without coordinates */
	must(r, reg_machine_create(r, "web", fx->host_sjc, "lhr", NULL, &(struct reg_machine){ 0 }),
	     "machines create");
	key_b64(9, key);
	must(r, reg_peer_create(r, "acme", "ams", "laptop", NULL, key, &p), "peers create");
	fx->peer = p.addr;
	/* the lifecycle and the rest of Fly's names: a stopped web machine of
	 * group worker with metadata, metadata on a started one, a created db
	 * machine, a CLI peer that has no name */
	{
		const char *const md[] = { "role=replica", "zone=z-1" }, *const md2[] = { "role=primary" };
		struct reg_machine_opts o = { .state = REG_MACHINE_STOPPED, .process_group = "worker",
					      .metadata = md, .n_metadata = 2 };
		struct reg_machine m;

		must(r, reg_machine_create_opts(r, "web", fx->host_ams, &o, &m), "machines create --state");
		o = (struct reg_machine_opts){ .metadata = md2, .n_metadata = 1, .process_group = "worker" };
		must(r, reg_machine_create_opts(r, "web", fx->host_fra, &o, &m), "machines create --metadata");
		o = (struct reg_machine_opts){ .state = REG_MACHINE_CREATED };
		must(r, reg_machine_create_opts(r, "db", fx->host_ams, &o, &m), "machines create --state created");
	}
	key_b64(10, key);
	must(r, reg_peer_create(r, "acme", "ams", "interactive-1", NULL, key, &p), "peers create");
	must(r, reg_exec(r, "UPDATE machines SET id = printf('%014x', rowid)"), "fixed IDs");
	machine_addr(r, "web", &fx->web_machine);
	machine_addr(r, "db", &fx->db_machine);
	machine_addr(r, "shop", &fx->shop_machine);
}
