// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The flycast. zone (docs/design.md section 7), answered from the registry:
 *
 *   flycast.          apex: SOA; other types NODATA
 *   <app>.flycast.    AAAA: the app's Flycast address allocated for the
 *                     ASKER's network (fdaa:<asker's net>:0:0:<svc>:0);
 *                     NODATA for other types; NXDOMAIN when the app has
 *                     none for that network (or there is no such app)
 *   anything deeper   NXDOMAIN
 *
 * The address lies in the asker's /48 by construction, so this answer
 * crosses no network either. NXDOMAIN and NODATA carry flycast.'s SOA
 * (same numbers as internal.'s). */
#include <ctype.h>
#include <string.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

enum fc_kind { FC_NXDOMAIN, FC_APEX, FC_AAAA, FC_ERROR };

struct fc_find {
	struct sixpn_ip6 addr;
	int found;
};

static int fc_found(const struct reg_flycast *f, void *ctx)
{
	struct fc_find *x = ctx;

	x->addr = f->addr;
	x->found = 1;
	return 1;
}

/* The one label below flycast., lowercased, or "" when the name is deeper
 * or holds a byte no app name has. */
static int app_label(const ldns_rdf *owner, char *app, size_t len)
{
	ldns_rdf *lab;
	const uint8_t *d;
	size_t n, i;

	app[0] = '\0';
	if (ldns_dname_label_count(owner) != 2)
		return 0;
	lab = ldns_dname_label(owner, 0);
	if (!lab)
		return -1;
	d = ldns_rdf_data(lab);
	n = d[0];
	for (i = 0; i < n && n < len; i++) {
		int ch = tolower(d[1 + i]);

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			break;
		app[i] = (char)ch;
	}
	app[i == n && n < len ? n : 0] = '\0';
	ldns_rdf_deep_free(lab);
	return 0;
}

static enum fc_kind fc_lookup(struct sixpn_resolver *r, const struct rsv_q *q,
			      const ldns_rdf *owner, struct sixpn_ip6 *addr)
{
	char app[REG_NAME_MAX + 2];
	struct reg_filter f = { .app = app, .network_id = q->net_id };
	struct fc_find x = { .found = 0 };
	int rc;

	if (ldns_dname_label_count(owner) == 1)
		return FC_APEX;
	if (app_label(owner, app, sizeof(app)))
		return FC_ERROR;
	if (!app[0])
		return FC_NXDOMAIN;
	rsv_registry_refresh(r, false);
	if (reg_snapshot_begin(r->reg))
		return FC_ERROR;
	rc = reg_foreach_flycast(r->reg, &f, fc_found, &x);
	reg_snapshot_end(r->reg);
	if (rc < 0 || (rc && rc != 1))
		return FC_ERROR;
	if (!x.found)
		return FC_NXDOMAIN;
	*addr = x.addr;
	return FC_AAAA;
}

static bool push(ldns_pkt *p, ldns_pkt_section s, ldns_rr *rr)
{
	if (rr && ldns_pkt_push_rr(p, s, rr))
		return true;
	ldns_rr_free(rr);
	return false;
}

unsigned rsv_answer_flycast(struct sixpn_resolver *r, const struct rsv_q *q, ldns_pkt *reply)
{
	const ldns_rdf *owner = ldns_rr_owner(q->question);
	ldns_rr_type qt = ldns_rr_get_type(q->question);
	bool any = qt == LDNS_RR_TYPE_ANY;
	ldns_rdf *canon = ldns_rdf_clone(owner);
	struct sixpn_ip6 addr;
	enum fc_kind kind;
	unsigned rcode = LDNS_RCODE_NOERROR;
	bool ok = true;

	if (qt == LDNS_RR_TYPE_AXFR || qt == LDNS_RR_TYPE_IXFR || qt == LDNS_RR_TYPE_MAILA ||
	    qt == LDNS_RR_TYPE_MAILB || qt == LDNS_RR_TYPE_TSIG || qt == LDNS_RR_TYPE_TKEY) {
		ldns_rdf_deep_free(canon);
		return LDNS_RCODE_NOTIMPL;
	}
	if (!canon)
		return LDNS_RCODE_SERVFAIL;
	ldns_dname2canonical(canon);
	kind = fc_lookup(r, q, canon, &addr);
	ldns_rdf_deep_free(canon);
	switch (kind) {
	case FC_ERROR:
		log_warn("msg=\"resolver cannot read the registry\" err=\"%s\"", reg_errmsg(r->reg));
		atomic_fetch_add(&r->stats.registry_errors, 1);
		return LDNS_RCODE_SERVFAIL;
	case FC_NXDOMAIN:
		rcode = LDNS_RCODE_NXDOMAIN;
		break;
	case FC_APEX:
		if (qt == LDNS_RR_TYPE_SOA || any)
			ok = push(reply, LDNS_SECTION_ANSWER,
				  rsv_soa_record(&r->cfg, SIXPN_DNS_FLYCAST_ZONE "."));
		break;
	case FC_AAAA:
		if (qt == LDNS_RR_TYPE_AAAA || any) {
			ldns_rr *rr = rsv_rr_new(owner, LDNS_RR_TYPE_AAAA, r->cfg.ttl);

			if (rr)
				ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA,
									   sizeof(addr), &addr));
			ok = push(reply, LDNS_SECTION_ANSWER, rr);
		}
		break;
	}
	if (ok && ldns_pkt_ancount(reply) == 0)
		ok = push(reply, LDNS_SECTION_AUTHORITY,
			  rsv_soa_record(&r->cfg, SIXPN_DNS_FLYCAST_ZONE "."));
	return ok ? rcode : LDNS_RCODE_SERVFAIL;
}
