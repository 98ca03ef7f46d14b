// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The internal names of docs/design.md section 5, answered from the registry,
 * read afresh for every question in one snapshot: a machine is in DNS as
 * soon as its transaction commits.
 *
 * Every name is per asking network N (the network of the source address):
 * an app, peer or machine of another network, or another org, does not
 * exist (NXDOMAIN), so no answer ever crosses networks. The names, and the
 * order in which they win when a region is called like one of the fixed
 * labels (the same order loader/agent/names_sync.c publishes them to the XDP
 * fast path in, later ones overwriting earlier ones):
 *
 *   internal.                         apex: SOA, NS (ns.internal.), with
 *                                     ns.internal's AAAA as glue
 *   ns                                AAAA, the asker's DNS address: fdaa::3
 *                                     for instances, <prefix>::3 for peers
 *                                     (the zone's own name: it wins over an
 *                                     app called ns)
 *   _apps / _instances / _peer        TXT (names_sync: F_USERSPACE)
 *   <app>                             AAAA, every instance
 *   <peer>._peer                      AAAA, the peer's address
 *   vms.<app> / regions.<app>         TXT
 *   of.<app> / vm.<app>               exist, no data (empty non-terminals)
 *   <region>.<app>                    AAAA, the instances in the region
 *   global.<app>                      AAAA, every instance
 *   nearest.of.<app>                  exists, no data
 *   <machine_id>.vm.<app>             AAAA, that machine, whatever its state
 *   top<N>.nearest.of.<app>           AAAA, the N nearest (nearest.c);
 *                                     N = 1..999999999 without leading zeros
 *   all.vms.<app> / all.regions.<app> TXT, every machine (stopped too)
 *   process.<app>                     exists, no data
 *   <group>.process.<app>             AAAA, the group's machines
 *   _metadata.<app>, kv._metadata.<app>, <key>.kv._metadata.<app>
 *                                     exist, no data (when some machine has
 *                                     metadata, that key)
 *   <value>.<key>.kv._metadata.<app>  AAAA, the machines with key=value
 *   all._instances                    TXT, as _instances, stopped machines too
 *   _api                              AAAA, as ns: where the API listens
 *
 * Every AAAA set of an app (and vms., regions., _instances) holds its
 * started machines only; a name exists while any machine gives it (NODATA
 * when none of them is started). Peers named interactive-* are in no list
 * and have no name.
 *
 * A name that exists answers its type (AAAA or TXT; ANY gets the same),
 * NODATA for any other type: NOERROR, no answer, the SOA in the authority
 * section. Any other name under internal. is NXDOMAIN with the SOA. The SOA
 * is the XDP fast path's: internal. <minimum> IN SOA ns.internal.
 * hostmaster.internal. serial refresh retry expire minimum. Zone transfers
 * and the other meta types are NOTIMP (classes other than IN and ANY never
 * get here: query.c answers them NOTIMP). A registry failure is SERVFAIL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"
#include "lib/grow.h"

#define MAX_LABELS 5  /* below internal.: <value>.<key>.kv._metadata.<app> */

/* The question's name below internal., lowercased. */
struct qname {
	char l[MAX_LABELS][SIXPN_DNS_LABEL_MAX + 1];
	int k;
	bool foreign;  /* deeper, or a byte no registry name has: NXDOMAIN */
};

enum name_kind { N_NXDOMAIN, N_APEX, N_EMPTY, N_AAAA, N_TXT };

struct answer {
	enum name_kind kind;
	struct sixpn_ip6 *addrs;
	size_t n_addrs;
	bool rotate;
	struct rsv_txt txt;
};

static void split_name(const ldns_rdf *name, struct qname *q)
{
	ldns_rdf *c = ldns_rdf_clone(name);
	int count, i;

	memset(q, 0, sizeof(*q));
	if (!c) {
		q->foreign = true;
		return;
	}
	ldns_dname2canonical(c);
	count = ldns_dname_label_count(c) - 1; /* without internal. */
	if (count > MAX_LABELS) {
		q->foreign = true;
		count = 0;
	}
	q->k = count;
	for (i = 0; i < count; i++) {
		ldns_rdf *lab = ldns_dname_label(c, (uint8_t)i);
		const uint8_t *d;
		size_t len, j;

		if (!lab) {
			q->foreign = true;
			break;
		}
		d = ldns_rdf_data(lab);
		len = d[0];
		for (j = 0; j < len; j++) {
			uint8_t ch = d[1 + j];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
			      ch == '_'))
				q->foreign = true;
		}
		memcpy(q->l[i], d + 1, len);
		q->l[i][len] = '\0';
		ldns_rdf_deep_free(lab);
	}
	ldns_rdf_deep_free(c);
}

/* ---- registry reads ------------------------------------------------------- */

struct machines {
	struct reg_machine *m;
	size_t n, cap;
};

static int collect_machine(const struct reg_machine *m, void *ctx)
{
	struct machines *l = ctx;
	struct reg_machine *p = array_grow(l->m, &l->cap, l->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	l->m = p;
	l->m[l->n++] = *m;
	return 0;
}

/* 1: the app exists on network net; 0: not (for this asker); -1: error. */
static int app_on_net(struct reg *reg, const char *name, uint32_t net, struct reg_app *a)
{
	int rc = reg_get_app(reg, name, a);

	if (rc == REG_ENOENT)
		return 0;
	if (rc)
		return -1;
	/* reg_get_app also matches app IDs: only the name is a DNS name */
	return !strcmp(a->name, name) && a->network_id == net;
}

static int app_machines(struct reg *reg, const char *app, struct machines *l)
{
	struct reg_filter f = { .app = app };

	return reg_foreach_machine(reg, &f, collect_machine, l) ? -1 : 0;
}

/* Which machines an AAAA set holds: the started ones (docs/design.md
 * section 5), of a region, a process group or with a metadata pair. */
struct sel {
	const char *region, *group, *key, *value;
};

static bool has_pair(const struct reg_machine *m, const char *key, const char *value)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1];
	size_t pos = 0;

	while (reg_metadata_next(m->metadata, &pos, k, v))
		if (!strcmp(k, key) && (!value || !strcmp(v, value)))
			return true;
	return false;
}

/* Does m belong to the set, whatever its state? (A name exists while any
 * machine gives it: NODATA when none of them is started.) */
static bool in_set(const struct reg_machine *m, const struct sel *s)
{
	return (!s->region || !strcmp(m->region, s->region)) &&
	       (!s->group || !strcmp(m->process_group, s->group)) &&
	       (!s->key || has_pair(m, s->key, s->value));
}

static bool any_in_set(const struct machines *l, const struct sel *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (in_set(&l->m[i], s))
			return true;
	return false;
}

static int set_addrs_sel(struct answer *ans, const struct reg_machine *m, size_t n,
			 const struct sel *s, bool rotate)
{
	size_t i;

	ans->kind = N_AAAA;
	ans->rotate = rotate;
	ans->addrs = calloc(n ? n : 1, sizeof(*ans->addrs));
	if (!ans->addrs)
		return -1;
	for (i = 0; i < n; i++)
		if (m[i].state == REG_MACHINE_STARTED && in_set(&m[i], s))
			ans->addrs[ans->n_addrs++] = m[i].addr;
	return 0;
}

static int set_addrs(struct answer *ans, const struct reg_machine *m, size_t n,
		     const char *region, bool rotate)
{
	const struct sel s = { .region = region };

	return set_addrs_sel(ans, m, n, &s, rotate);
}

static int set_one(struct answer *ans, const struct sixpn_ip6 *addr)
{
	ans->kind = N_AAAA;
	ans->addrs = malloc(sizeof(*ans->addrs));
	if (!ans->addrs)
		return -1;
	ans->addrs[0] = *addr;
	ans->n_addrs = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* regions.<app>: the regions its started machines run in (all.regions:
 * every machine's), sorted, each once. */
static int txt_regions(struct answer *ans, const struct machines *l, bool all)
{
	const char **rg = calloc(l->n ? l->n : 1, sizeof(*rg));
	size_t i, n = 0;
	int err = 0;

	if (!rg)
		return -1;
	for (i = 0; i < l->n; i++)
		if (all || l->m[i].state == REG_MACHINE_STARTED)
			rg[n++] = l->m[i].region;
	qsort(rg, n, sizeof(*rg), cmp_str);
	for (i = 0; i < n && !err; i++)
		if (i == 0 || strcmp(rg[i], rg[i - 1]))
			err = rsv_txt_add(&ans->txt, "%s", rg[i]);
	free(rg);
	ans->kind = N_TXT;
	return err;
}

/* vms.<app>: "<id> <region>" of its started machines (all.vms: every one) */
static int txt_vms(struct answer *ans, const struct machines *l, bool all)
{
	size_t i;

	ans->kind = N_TXT;
	for (i = 0; i < l->n; i++)
		if ((all || l->m[i].state == REG_MACHINE_STARTED) &&
		    rsv_txt_add(&ans->txt, "%s %s", l->m[i].id, l->m[i].region))
			return -1;
	return 0;
}

/* The started machines first, in their order: what top<N> picks from. */
static size_t started_first(struct machines *l)
{
	struct reg_machine t;
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->m[i].state == REG_MACHINE_STARTED) {
			if (i != n) {
				t = l->m[i];
				memmove(&l->m[n + 1], &l->m[n], (i - n) * sizeof(t));
				l->m[n] = t;
			}
			n++;
		}
	return n;
}

/* top<N>: N from 1 to 999999999, written without leading zeros. */
static long parse_top(const char *label)
{
	const size_t len = sizeof(SIXPN_DNS_LABEL_TOP) - 1;
	const char *p = label + len;
	long n = 0;

	if (strncmp(label, SIXPN_DNS_LABEL_TOP, len) || !*p || *p == '0' || strlen(p) > 9)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

static bool any_metadata(const struct machines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->m[i].metadata[0])
			return true;
	return false;
}

/* <app>, <x>.<app>, <x>.vm.<app>, nearest.of.<app>, top<N>.nearest.of.<app>,
 * all.vms.<app>, all.regions.<app>, <group>.process.<app>, and
 * [[<value>.]<key>.]kv._metadata.<app> */
static int app_names(struct sixpn_resolver *r, const struct rsv_q *q, const struct qname *qn,
		     struct answer *ans)
{
	const char *app = qn->l[qn->k - 1], *x = qn->l[0];
	struct machines l = { 0 };
	struct reg_app a;
	struct reg_host h;
	struct sel s = { 0 };
	size_t i, n;
	long top;
	int rc = app_on_net(r->reg, app, q->net_id, &a);

	if (rc <= 0)
		return rc;
	if (app_machines(r->reg, app, &l)) {
		free(l.m);
		return -1;
	}
	rc = 0;
	switch (qn->k) {
	case 1:
		rc = set_addrs(ans, l.m, l.n, NULL, true);
		break;
	case 2:
		s.region = x;
		if (!strcmp(x, SIXPN_DNS_LABEL_VMS))
			rc = txt_vms(ans, &l, false);
		else if (!strcmp(x, SIXPN_DNS_LABEL_REGIONS))
			rc = txt_regions(ans, &l, false);
		else if (!strcmp(x, SIXPN_DNS_LABEL_OF) || !strcmp(x, SIXPN_DNS_LABEL_VM) ||
			 !strcmp(x, SIXPN_DNS_LABEL_PROCESS) ||
			 (!strcmp(x, SIXPN_DNS_LABEL_METADATA) && any_metadata(&l)))
			ans->kind = N_EMPTY;
		else if (any_in_set(&l, &s))
			rc = set_addrs(ans, l.m, l.n, x, true);
		else if (!strcmp(x, SIXPN_DNS_LABEL_GLOBAL))
			rc = set_addrs(ans, l.m, l.n, NULL, true);
		break;
	case 3:
		if (!strcmp(qn->l[1], SIXPN_DNS_LABEL_OF) && !strcmp(x, SIXPN_DNS_LABEL_NEAREST)) {
			ans->kind = N_EMPTY;
		} else if (!strcmp(qn->l[1], SIXPN_DNS_LABEL_VM)) {
			for (i = 0; i < l.n && strcmp(l.m[i].id, x); i++)
				;
			if (i < l.n) /* one machine: whatever its state */
				rc = set_one(ans, &l.m[i].addr);
		} else if (!strcmp(x, SIXPN_DNS_LABEL_ALL) && !strcmp(qn->l[1], SIXPN_DNS_LABEL_VMS)) {
			rc = txt_vms(ans, &l, true);
		} else if (!strcmp(x, SIXPN_DNS_LABEL_ALL) && !strcmp(qn->l[1], SIXPN_DNS_LABEL_REGIONS)) {
			rc = txt_regions(ans, &l, true);
		} else if (!strcmp(qn->l[1], SIXPN_DNS_LABEL_PROCESS)) {
			s.group = x;
			if (any_in_set(&l, &s))
				rc = set_addrs_sel(ans, l.m, l.n, &s, true);
		} else if (!strcmp(x, SIXPN_DNS_LABEL_KV) && !strcmp(qn->l[1], SIXPN_DNS_LABEL_METADATA) &&
			   any_metadata(&l)) {
			ans->kind = N_EMPTY;
		}
		break;
	case 4:
		if (!strcmp(qn->l[1], SIXPN_DNS_LABEL_KV) && !strcmp(qn->l[2], SIXPN_DNS_LABEL_METADATA)) {
			s.key = x;
			if (any_in_set(&l, &s))
				ans->kind = N_EMPTY;
			break;
		}
		top = parse_top(x);
		if (top < 1 || strcmp(qn->l[1], SIXPN_DNS_LABEL_NEAREST) || strcmp(qn->l[2], SIXPN_DNS_LABEL_OF))
			break;
		if (reg_get_host(r->reg, q->host_id, &h))
			h.region[0] = '\0'; /* unknown host: no nearest, a stable order */
		n = started_first(&l);
		rc = rsv_nearest_sort(r->reg, h.region, l.m, n);
		if (!rc)
			rc = set_addrs(ans, l.m, (size_t)top < n ? (size_t)top : n, NULL, false);
		break;
	case 5:
		if (strcmp(qn->l[2], SIXPN_DNS_LABEL_KV) || strcmp(qn->l[3], SIXPN_DNS_LABEL_METADATA))
			break;
		s.key = qn->l[1];
		s.value = x;
		if (any_in_set(&l, &s))
			rc = set_addrs_sel(ans, l.m, l.n, &s, true);
		break;
	}
	free(l.m);
	return rc;
}

static bool peer_hidden(const char *name)
{
	return !strncmp(name, SIXPN_DNS_PEER_HIDDEN_PREFIX, strlen(SIXPN_DNS_PEER_HIDDEN_PREFIX));
}

struct peer_find {
	const char *name;
	struct reg_peer p;
	bool found;
	struct rsv_txt *txt;
};

static int peer_cb(const struct reg_peer *p, void *ctx)
{
	struct peer_find *f = ctx;

	if (peer_hidden(p->name))
		return 0;
	if (f->txt)
		return rsv_txt_add(f->txt, "%s", p->name);
	if (!strcmp(p->name, f->name)) {
		f->p = *p;
		f->found = true;
		return 1;
	}
	return 0;
}

static int app_cb(const struct reg_app *a, void *ctx)
{
	return rsv_txt_add(ctx, "%s", a->name);
}

struct instances {
	struct rsv_txt *txt;
	bool all;                     /* all._instances: stopped machines too */
};

static int instance_cb(const struct reg_machine *m, void *ctx)
{
	const struct instances *in = ctx;
	char ip[REG_ADDRSTRLEN];

	if (!in->all && m->state != REG_MACHINE_STARTED)
		return 0;
	return rsv_txt_add(in->txt, "instance=%s,app=%s,ip=%s,region=%s", m->id, m->app,
			   reg_fmt_addr(&m->addr, 0, ip), m->region);
}

/* _apps, _instances, _peer, <peer>._peer */
static int zone_names(struct sixpn_resolver *r, const struct rsv_q *q, const struct qname *qn,
		      struct answer *ans)
{
	struct reg_filter f = { .network_id = q->net_id };
	struct peer_find pf = { 0 };
	struct reg_network net;
	int rc = reg_get_network(r->reg, q->net_id, &net);

	if (rc == REG_ENOENT)
		return 0;
	if (rc)
		return -1;
	if (qn->k == 2 && !strcmp(qn->l[1], SIXPN_DNS_LABEL_INSTANCES)) {
		struct instances in = { .txt = &ans->txt, .all = true };

		ans->kind = N_TXT;
		ans->txt.sep = ';';
		return reg_foreach_machine(r->reg, &f, instance_cb, &in) ? -1 : 0;
	}
	if (qn->k == 2) {
		pf.name = qn->l[0];
		rc = reg_foreach_peer(r->reg, &f, peer_cb, &pf);
		if (rc && rc != 1)
			return -1;
		if (pf.found) {
			ans->kind = N_AAAA;
			ans->addrs = malloc(sizeof(*ans->addrs));
			if (!ans->addrs)
				return -1;
			ans->addrs[0] = pf.p.addr;
			ans->n_addrs = 1;
		}
		return 0;
	}
	ans->kind = N_TXT;
	if (!strcmp(qn->l[0], SIXPN_DNS_LABEL_APPS)) {
		rc = reg_foreach_app(r->reg, &f, app_cb, &ans->txt);
	} else if (!strcmp(qn->l[0], SIXPN_DNS_LABEL_INSTANCES)) {
		struct instances in = { .txt = &ans->txt, .all = false };

		ans->txt.sep = ';';
		rc = reg_foreach_machine(r->reg, &f, instance_cb, &in);
	} else {
		pf.txt = &ans->txt;
		rc = reg_foreach_peer(r->reg, &f, peer_cb, &pf);
	}
	return rc ? -1 : 0;
}

static int lookup(struct sixpn_resolver *r, const struct rsv_q *q, const struct qname *qn,
		  struct answer *ans)
{
	if (qn->foreign)
		return 0;
	if (qn->k == 0) {
		ans->kind = N_APEX;
		return 0;
	}
	if (qn->k == 1 && (!strcmp(qn->l[0], SIXPN_DNS_LABEL_NS) || !strcmp(qn->l[0], SIXPN_DNS_LABEL_API))) {
		/* _api: where the Machines API listens for this side, the same
		 * service address as the DNS */
		/* what a cache that primes its stub zone asks next after the NS */
		ans->kind = N_AAAA;
		ans->addrs = malloc(sizeof(*ans->addrs));
		if (!ans->addrs)
			return -1;
		ans->addrs[0] = q->dns;
		ans->n_addrs = 1;
		return 0;
	}
	if (qn->k == 1 && (!strcmp(qn->l[0], SIXPN_DNS_LABEL_APPS) || !strcmp(qn->l[0], SIXPN_DNS_LABEL_INSTANCES) ||
			   !strcmp(qn->l[0], SIXPN_DNS_LABEL_PEER)))
		return zone_names(r, q, qn, ans);
	if (qn->k == 2 && (!strcmp(qn->l[1], SIXPN_DNS_LABEL_PEER) ||
			   (!strcmp(qn->l[1], SIXPN_DNS_LABEL_INSTANCES) && !strcmp(qn->l[0], SIXPN_DNS_LABEL_ALL))))
		return zone_names(r, q, qn, ans);
	if (qn->l[qn->k - 1][0] == '_')
		return 0;
	return app_names(r, q, qn, ans);
}

/* ---- records -------------------------------------------------------------- */

static bool push(ldns_pkt *p, ldns_pkt_section s, ldns_rr *rr)
{
	if (rr && ldns_pkt_push_rr(p, s, rr))
		return true;
	ldns_rr_free(rr);
	return false;
}

static ldns_rr *soa_record(const struct sixpn_dns_config *cfg)
{
	return rsv_soa_record(cfg, SIXPN_DNS_ZONE ".");
}

ldns_rr *rsv_soa_record(const struct sixpn_dns_config *cfg, const char *owner)
{
	ldns_rdf *zone = ldns_dname_new_frm_str(owner);
	ldns_rr *rr = zone ? rsv_rr_new(zone, LDNS_RR_TYPE_SOA, cfg->soa_minimum) : NULL;
	const uint32_t v[] = { cfg->soa_serial, cfg->soa_refresh, cfg->soa_retry,
			       cfg->soa_expire, cfg->soa_minimum };
	size_t i;

	ldns_rdf_deep_free(zone);
	if (!rr)
		return NULL;
	ldns_rr_push_rdf(rr, ldns_dname_new_frm_str(SIXPN_DNS_SOA_MNAME "." SIXPN_DNS_ZONE "."));
	ldns_rr_push_rdf(rr, ldns_dname_new_frm_str(SIXPN_DNS_SOA_RNAME "." SIXPN_DNS_ZONE "."));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, v[i]));
	return rr;
}

/* The NS and its glue have the answers' TTL: ns.internal's address
 * depends on the side that asks, like every answer. */
static ldns_rr *ns_record(const struct sixpn_dns_config *cfg)
{
	ldns_rdf *zone = ldns_dname_new_frm_str(SIXPN_DNS_ZONE ".");
	ldns_rr *rr = zone ? rsv_rr_new(zone, LDNS_RR_TYPE_NS, cfg->ttl) : NULL;

	ldns_rdf_deep_free(zone);
	if (rr)
		ldns_rr_push_rdf(rr, ldns_dname_new_frm_str(SIXPN_DNS_SOA_MNAME "." SIXPN_DNS_ZONE "."));
	return rr;
}

static ldns_rr *ns_glue(const struct sixpn_dns_config *cfg, const struct rsv_q *q)
{
	ldns_rdf *ns = ldns_dname_new_frm_str(SIXPN_DNS_SOA_MNAME "." SIXPN_DNS_ZONE ".");
	ldns_rr *rr = ns ? rsv_rr_new(ns, LDNS_RR_TYPE_AAAA, cfg->ttl) : NULL;

	ldns_rdf_deep_free(ns);
	if (rr)
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, sizeof(q->dns), &q->dns));
	return rr;
}

static int aaaa_records(struct sixpn_resolver *r, const struct answer *ans, const ldns_rdf *owner,
			ldns_pkt *reply)
{
	size_t i, start = 0;

	/* A set of one address has nothing to rotate, and its answer stays
	 * cacheable; a rotated one depends on the rotor, not only on the
	 * registry and the question: never cached (cache.c). */
	if (ans->rotate && ans->n_addrs > 1) {
		start = r->rotor++ % ans->n_addrs;
		r->cache.uncacheable = true;
	}

	for (i = 0; i < ans->n_addrs; i++) {
		const struct sixpn_ip6 *a = &ans->addrs[(start + i) % ans->n_addrs];
		ldns_rr *rr = rsv_rr_new(owner, LDNS_RR_TYPE_AAAA, r->cfg.ttl);

		if (!rr)
			return -1;
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, sizeof(*a), a));
		if (!push(reply, LDNS_SECTION_ANSWER, rr))
			return -1;
	}
	return 0;
}

static bool is_meta_unimplemented(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_AXFR || t == LDNS_RR_TYPE_IXFR || t == LDNS_RR_TYPE_MAILA ||
	       t == LDNS_RR_TYPE_MAILB || t == LDNS_RR_TYPE_TSIG || t == LDNS_RR_TYPE_TKEY;
}

unsigned rsv_answer_internal(struct sixpn_resolver *r, const struct rsv_q *q, ldns_pkt *reply)
{
	const ldns_rdf *owner = ldns_rr_owner(q->question);
	ldns_rr_type qt = ldns_rr_get_type(q->question);
	struct answer ans = { .kind = N_NXDOMAIN };
	struct qname qn;
	unsigned rcode = LDNS_RCODE_NOERROR;
	bool want_any = qt == LDNS_RR_TYPE_ANY;
	int err;

	if (is_meta_unimplemented(qt))
		return LDNS_RCODE_NOTIMPL;
	split_name(owner, &qn);
	rsv_txt_init(&ans.txt, ',');
	rsv_registry_refresh(r, false);
	if (reg_snapshot_begin(r->reg)) {
		err = -1;
	} else {
		err = lookup(r, q, &qn, &ans);
		reg_snapshot_end(r->reg);
	}
	if (err) {
		log_warn("msg=\"resolver cannot read the registry\" err=\"%s\"", reg_errmsg(r->reg));
		atomic_fetch_add(&r->stats.registry_errors, 1);
		rcode = LDNS_RCODE_SERVFAIL;
		goto out;
	}
	switch (ans.kind) {
	case N_NXDOMAIN:
		rcode = LDNS_RCODE_NXDOMAIN;
		break;
	case N_APEX:
		if (qt == LDNS_RR_TYPE_SOA || want_any)
			err |= !push(reply, LDNS_SECTION_ANSWER, soa_record(&r->cfg));
		if (qt == LDNS_RR_TYPE_NS || want_any) {
			err |= !push(reply, LDNS_SECTION_ANSWER, ns_record(&r->cfg));
			err |= !push(reply, LDNS_SECTION_ADDITIONAL, ns_glue(&r->cfg, q));
		}
		break;
	case N_EMPTY:
		break;
	case N_AAAA:
		if (qt == LDNS_RR_TYPE_AAAA || want_any)
			err = aaaa_records(r, &ans, owner, reply);
		break;
	case N_TXT:
		if (qt == LDNS_RR_TYPE_TXT || want_any)
			err = rsv_txt_records(&ans.txt, owner, r->cfg.ttl, reply) < 0;
		break;
	}
	if (err) {
		rcode = LDNS_RCODE_SERVFAIL;
		goto out;
	}
	/* NXDOMAIN and NODATA: the SOA for the negative TTL (RFC 2308) */
	if (ldns_pkt_ancount(reply) == 0 &&
	    !push(reply, LDNS_SECTION_AUTHORITY, soa_record(&r->cfg)))
		rcode = LDNS_RCODE_SERVFAIL;
out:
	free(ans.addrs);
	rsv_txt_free(&ans.txt);
	return rcode;
}
