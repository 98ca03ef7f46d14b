// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Flycast service addresses in the registry (docs/design.md section 7):
 * fdaa:<consumer net>:0:0:<svc_id>:0, one per (app, consumer network).
 * The service IDs of a network are leases like instance IDs: handed out
 * from the highest ever used onwards, and a released one comes back only
 * after the quarantine, once the 2^32-1 IDs have wrapped. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry_int.h"

#define FOUND 0x7fff0002
#define MAX_ID32 0xffffffffu

/* ---- ports -------------------------------------------------------------- */

int reg_parse_ports(const char *s, uint16_t *ports, uint32_t *n, char *err,
		    size_t errlen)
{
	const char *p = s;
	uint32_t i, j;

	*n = 0;
	if (!s || !*s)
		goto bad;
	while (*p) {
		char *end;
		long v;

		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || v < 1 || v > 65535) {
			snprintf(err, errlen, "ports '%s' is invalid: %.*s is not "
				 "a port (1-65535)", s, (int)(end - p), p);
			return REG_EINVAL;
		}
		if (*n == SIXPN_FC_MAX_PORTS) {
			snprintf(err, errlen, "ports '%s' is invalid: at most %d "
				 "ports", s, SIXPN_FC_MAX_PORTS);
			return REG_EINVAL;
		}
		for (i = 0; i < *n; i++)
			if (ports[i] == v) {
				snprintf(err, errlen, "ports '%s' is invalid: %ld "
					 "is listed twice", s, v);
				return REG_EINVAL;
			}
		ports[(*n)++] = (uint16_t)v;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	for (i = 1; i < *n; i++)           /* ascending: one stored form */
		for (j = i; j > 0 && ports[j - 1] > ports[j]; j--) {
			uint16_t t = ports[j];

			ports[j] = ports[j - 1];
			ports[j - 1] = t;
		}
	return REG_OK;
bad:
	snprintf(err, errlen, "ports '%s' is invalid: a comma-separated list "
		 "of port numbers, such as 80,443", s ? s : "");
	return REG_EINVAL;
}

int reg_parse_flycast_addr(const char *s, struct sixpn_ip6 *addr, char *err,
			   size_t errlen)
{
	if (inet_pton(AF_INET6, s, addr->w) != 1) {
		snprintf(err, errlen, "address '%s' is invalid: not an IPv6 address", s);
		return REG_EINVAL;
	}
	if (!sixpn_fc_in_service_range(addr)) {
		snprintf(err, errlen, "address '%s' is invalid: not in a Flycast "
			 "service range (fdaa:NET:0:0:ID:0)", s);
		return REG_EINVAL;
	}
	return REG_OK;
}

static void fmt_ports(const uint16_t *ports, uint32_t n, char *buf, size_t len)
{
	size_t off = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "", ports[i]);
}

/* ---- reads -------------------------------------------------------------- */

static void flycast_row(sqlite3_stmt *st, struct reg_flycast *f)
{
	const char *ports;
	char err[128];
	int i = 0;

	int64_t net, svc;

	memset(f, 0, sizeof(*f));
	net = sqlite3_column_int64(st, i++);
	f->network_id = (uint32_t)net;
	reg_col_text(st, i++, f->network, sizeof(f->network));
	svc = sqlite3_column_int64(st, i++);
	f->svc_id = (uint32_t)svc;
	reg_col_text(st, i++, f->app_id, sizeof(f->app_id));
	reg_col_text(st, i++, f->app, sizeof(f->app));
	reg_col_text(st, i++, f->org, sizeof(f->org));
	f->app_network_id = (uint32_t)sqlite3_column_int64(st, i++);
	reg_col_text(st, i++, f->app_network, sizeof(f->app_network));
	ports = (const char *)sqlite3_column_text(st, i++);
	f->created_at = sqlite3_column_int64(st, i++);
	/* a row whose ports do not parse (not written by sixpnctl) is
	 * skipped: read as "every port" it would open more than was asked */
	if (ports && reg_parse_ports(ports, f->ports, &f->nports, err, sizeof(err)))
		f->svc_id = 0;
	/* so is one whose network or service number does not fit the
	 * address's 32 bits (not written by sixpnctl either): cut to fit, it
	 * would name another address than its own, one that finds no row */
	if (net <= 0 || net > UINT32_MAX || svc <= 0 || svc > UINT32_MAX)
		f->svc_id = 0;
	sixpn_fc_service_addr(&f->addr, f->network_id, f->svc_id);
}

static int flycast_query(struct reg *r, const char *app, uint32_t net,
			 uint32_t svc, reg_flycast_cb cb, void *ctx)
{
	struct reg_flycast f;
	int rc, ret = REG_OK;
	sqlite3_stmt *st = reg_prep(r,
		"SELECT f.network_id, n.name, f.svc_id, a.id, a.name, o.name,"
		" a.network_id, an.name, f.ports, f.created_at"
		" FROM flycast f JOIN apps a ON a.id = f.app_id"
		" JOIN orgs o ON o.id = a.org_id"
		" JOIN networks n ON n.id = f.network_id"
		" JOIN networks an ON an.id = a.network_id"
		" WHERE (?1 IS NULL OR a.id = ?1 OR a.name = ?1)"
		" AND (?2 = 0 OR f.network_id = ?2) AND (?3 = 0 OR f.svc_id = ?3)"
		" AND (?4 IS NULL OR o.name = ?4)"
		" ORDER BY a.name, n.name");

	if (!st)
		return REG_ERR;
	if (app && *app)
		sqlite3_bind_text(st, 1, app, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, net);
	sqlite3_bind_int64(st, 3, svc);
	/* reg_scope_org: another org's address is one nobody has */
	if (r->scope[0])
		sqlite3_bind_text(st, 4, r->scope, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		flycast_row(st, &f);
		if (!f.svc_id)
			continue;
		ret = cb(&f, ctx);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = reg_sqlfail(r, "read flycast");
	sqlite3_finalize(st);
	return ret;
}

int reg_foreach_flycast(struct reg *r, const struct reg_filter *f,
			reg_flycast_cb cb, void *ctx)
{
	return flycast_query(r, f ? f->app : NULL, f ? f->network_id : 0, 0, cb, ctx);
}

static int copy_flycast(const struct reg_flycast *f, void *out)
{
	*(struct reg_flycast *)out = *f;
	return FOUND;
}

int reg_get_flycast(struct reg *r, const struct sixpn_ip6 *addr,
		    struct reg_flycast *out)
{
	char a[REG_ADDRSTRLEN];
	struct sixpn_ip6 want;
	int rc = REG_OK;

	memset(out, 0, sizeof(*out));
	if (sixpn_fc_in_service_range(addr)) {
		sixpn_fc_service_addr(&want, sixpn_net_id(addr), sixpn_instance_id(addr));
		if (!memcmp(&want, addr, sizeof(want)))
			rc = flycast_query(r, NULL, sixpn_net_id(addr),
					   sixpn_instance_id(addr), copy_flycast, out);
	}
	if (rc == FOUND)
		return REG_OK;
	if (rc)
		return rc;
	return reg_fail(r, REG_ENOENT, "address '%s' is no Flycast address",
			reg_fmt_addr(addr, 0, a));
}

struct started_only {
	reg_machine_cb cb;
	void *ctx;
};

static int pass_started(const struct reg_machine *m, void *ctx)
{
	struct started_only *w = ctx;

	return m->state == REG_MACHINE_STARTED ? w->cb(m, w->ctx) : 0;
}

int reg_flycast_backends(struct reg *r, const struct reg_flycast *f,
			 reg_machine_cb cb, void *ctx)
{
	struct reg_filter mf = { .app = f->app };
	struct started_only w = { cb, ctx };

	/* a stopped machine keeps its address, not its traffic (as its names) */
	return reg_foreach_machine(r, &mf, pass_started, &w);
}

/* ---- writes ------------------------------------------------------------- */

static int step_ints(struct reg *r, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (!st)
		return REG_ERR;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return REG_OK;
	if (rc == SQLITE_CONSTRAINT)
		return reg_fail(r, REG_EEXIST, "%s: %s", what, sqlite3_errmsg(r->db));
	return reg_sqlfail(r, what);
}

/* A free service ID in network net: after the highest ever leased,
 * wrapping to 1, skipping IDs in use or in quarantine. */
static int alloc_svc(struct reg *r, uint32_t net, uint32_t *out)
{
	sqlite3_stmt *st, *probe;
	int64_t top = 0, rows = 0, tries;
	uint32_t cand;
	int rc, exists = 0, busy = 1;

	st = reg_prep(r, "SELECT coalesce(max(svc_id), 0), count(*) FROM"
		      " flycast_leases WHERE network_id = ?1");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, net);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		top = sqlite3_column_int64(st, 0);
		rows = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return reg_sqlfail(r, "read flycast leases");
	probe = reg_prep(r, "SELECT released_at FROM flycast_leases"
			 " WHERE network_id = ?1 AND svc_id = ?2");
	if (!probe)
		return REG_ERR;
	cand = top >= 1 && top < MAX_ID32 ? (uint32_t)top + 1 : 1;
	for (tries = 0; tries <= rows && tries < MAX_ID32; tries++) {
		sqlite3_bind_int64(probe, 1, net);
		sqlite3_bind_int64(probe, 2, cand);
		rc = sqlite3_step(probe);
		exists = rc == SQLITE_ROW;
		if (rc == SQLITE_ROW)
			busy = sqlite3_column_type(probe, 0) == SQLITE_NULL ||
			       sqlite3_column_int64(probe, 0) + r->quarantine > reg_now();
		else if (rc == SQLITE_DONE)
			busy = 0;
		else
			busy = -1;
		sqlite3_reset(probe);
		if (busy <= 0)
			break;
		cand = cand == MAX_ID32 ? 1 : cand + 1;
	}
	sqlite3_finalize(probe);
	if (busy < 0)
		return reg_sqlfail(r, "read flycast lease");
	if (busy)
		return reg_fail(r, REG_ERR, "no Flycast addresses left in network %u", net);
	st = reg_prep(r, exists ?
		      "UPDATE flycast_leases SET released_at = NULL"
		      " WHERE network_id = ?1 AND svc_id = ?2" :
		      "INSERT INTO flycast_leases (network_id, svc_id) VALUES (?1, ?2)");
	if (st) {
		sqlite3_bind_int64(st, 1, net);
		sqlite3_bind_int64(st, 2, cand);
	}
	rc = step_ints(r, st, "lease flycast address");
	if (rc)
		return rc == REG_EEXIST ? REG_ERR : rc;
	*out = cand;
	return REG_OK;
}

static int release_svc(struct reg *r, uint32_t net, uint32_t svc)
{
	sqlite3_stmt *st = reg_prep(r, "DELETE FROM flycast WHERE network_id = ?1"
				    " AND svc_id = ?2");
	int rc;

	if (st) {
		sqlite3_bind_int64(st, 1, net);
		sqlite3_bind_int64(st, 2, svc);
	}
	rc = step_ints(r, st, "release flycast address");
	if (rc)
		return rc == REG_EEXIST ? REG_ERR : rc;
	st = reg_prep(r, "UPDATE flycast_leases SET released_at = ?3"
		      " WHERE network_id = ?1 AND svc_id = ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, net);
		sqlite3_bind_int64(st, 2, svc);
		sqlite3_bind_int64(st, 3, reg_now());
	}
	rc = step_ints(r, st, "quarantine flycast address");
	return rc == REG_EEXIST ? REG_ERR : rc;
}

/* The network ID of (org, name), binding it when unbound. */
static int bind_network(struct reg *r, int64_t org_id, const char *name, uint32_t *id)
{
	sqlite3_stmt *st;
	int rc;

	st = reg_prep(r, "INSERT OR IGNORE INTO networks (org_id, name, created_at)"
		      " VALUES (?1, ?2, ?3)");
	if (st) {
		sqlite3_bind_int64(st, 1, org_id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, reg_now());
	}
	rc = step_ints(r, st, "bind network");
	if (rc)
		return rc == REG_EEXIST ? reg_fail(r, REG_ERR, "no network IDs left") : rc;
	st = reg_prep(r, "SELECT id FROM networks WHERE org_id = ?1 AND name = ?2");
	if (!st)
		return REG_ERR;
	sqlite3_bind_int64(st, 1, org_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? REG_OK : reg_sqlfail(r, "read network");
}

static int allocate_once(struct reg *r, const char *app, const char *network,
			 const char *ports, struct reg_flycast *out)
{
	uint16_t pv[SIXPN_FC_MAX_PORTS];
	char canon[64], a[REG_ADDRSTRLEN];
	struct reg_flycast existing;
	struct reg_app ap;
	uint32_t np = 0, net = 0, svc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((network && reg_check_network_name(network, r->err, sizeof(r->err))) ||
	    (ports && reg_parse_ports(ports, pv, &np, r->err, sizeof(r->err))))
		return REG_EINVAL;
	fmt_ports(pv, np, canon, sizeof(canon));
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_app(r, app, &ap);
	if (!rc) {
		if (network)
			rc = bind_network(r, ap.org_id, network, &net);
		else
			net = ap.network_id;
	}
	if (rc)
		return reg_end_write(r, rc);
	rc = flycast_query(r, ap.id, net, 0, copy_flycast, &existing);
	if (rc == FOUND)
		return reg_end_write(r, reg_fail(r, REG_EEXIST, "app '%s' already "
			"has Flycast address %s for network '%s' (one per app and "
			"network)", ap.name, reg_fmt_addr(&existing.addr, 0, a),
			existing.network));
	if (rc)
		return reg_end_write(r, rc);
	rc = alloc_svc(r, net, &svc);
	if (rc)
		return reg_end_write(r, rc);
	st = reg_prep(r, "INSERT INTO flycast (network_id, svc_id, app_id, ports,"
		      " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		sqlite3_bind_int64(st, 1, net);
		sqlite3_bind_int64(st, 2, svc);
		sqlite3_bind_text(st, 3, ap.id, -1, SQLITE_STATIC);
		if (np)
			sqlite3_bind_text(st, 4, canon, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_int64(st, 5, reg_now());
	}
	rc = step_ints(r, st, "allocate flycast address");
	if (rc == REG_EEXIST)
		rc = REG_ERR;
	if (!rc && out) {
		rc = flycast_query(r, NULL, net, svc, copy_flycast, out);
		rc = rc == FOUND ? REG_OK : rc ? rc : reg_fail(r, REG_ERR, "allocation vanished");
	}
	return reg_end_write(r, rc);
}

/* The address's allocation, of app (NULL: of any app) when given: inside
 * the write's transaction, so the address cannot change hands between the
 * check and the release. */
static int flycast_of(struct reg *r, const char *app, const struct sixpn_ip6 *addr,
		      struct reg_flycast *f)
{
	char a[REG_ADDRSTRLEN];
	struct reg_app ap;
	int rc;

	if (app && (rc = reg_get_app(r, app, &ap)))
		return rc;
	rc = reg_get_flycast(r, addr, f);
	if (!rc && app && strcmp(f->app_id, ap.id))
		rc = reg_fail(r, REG_ENOENT, "address '%s' is no Flycast address "
			      "of app '%s'", reg_fmt_addr(addr, 0, a), ap.name);
	return rc;
}

static int release_once(struct reg *r, const char *app, const struct sixpn_ip6 *addr,
			struct reg_flycast *out)
{
	struct reg_flycast f;
	int rc = reg_begin_write(r);

	if (rc)
		return rc;
	rc = flycast_of(r, app, addr, &f);
	if (!rc)
		rc = release_svc(r, f.network_id, f.svc_id);
	if (!rc && out)
		*out = f;
	return reg_end_write(r, rc);
}

int reg_flycast_allocate(struct reg *r, const char *app, const char *network,
			 const char *ports, struct reg_flycast *out)
{
	REG_WRITE_RETRY(r, allocate_once(r, app, network, ports, out));
}

int reg_flycast_release(struct reg *r, const char *app, const struct sixpn_ip6 *addr,
			struct reg_flycast *out)
{
	REG_WRITE_RETRY(r, release_once(r, app, addr, out));
}

/* For app_destroy (write.c): every address of the app is released. */
int reg_flycast_release_app(struct reg *r, const char *app_id)
{
	uint32_t nets[64], svcs[64];
	sqlite3_stmt *st;
	int n, i, rc;

	do {
		st = reg_prep(r, "SELECT network_id, svc_id FROM flycast WHERE"
			      " app_id = ?1 LIMIT 64");
		if (!st)
			return REG_ERR;
		sqlite3_bind_text(st, 1, app_id, -1, SQLITE_STATIC);
		for (n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
			nets[n] = (uint32_t)sqlite3_column_int64(st, 0);
			svcs[n] = (uint32_t)sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return reg_sqlfail(r, "read flycast");
		for (i = 0; i < n; i++)
			if ((rc = release_svc(r, nets[i], svcs[i])))
				return rc;
	} while (n == 64);
	return REG_OK;
}
