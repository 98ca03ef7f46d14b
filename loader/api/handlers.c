// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The HTTP API's routes over the registry (api.h). Every write goes
 * through the registry's own write functions, the ones sixpnctl calls, so
 * the rules live once; the tenant boundary is the registry's org scope,
 * checked inside each write's transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/request.h"
#include "lib/json.h"

/* Indexed by enum reg_rc. REG_EMIRROR: the server was pointed at a host's
 * mirror, which takes no writes; REG_EPERM: etcd refused the server. */
static const int status_of[] = {
	[REG_OK] = 200,      [REG_ERR] = 500,     [REG_EINVAL] = 400,
	[REG_ENOENT] = 404,  [REG_EEXIST] = 409,  [REG_ESCHEMA] = 500,
	[REG_EMIRROR] = 503, [REG_EPERM] = 502,
};

int api_status_of(int rc)
{
	if (rc < 0 || (size_t)rc >= sizeof(status_of) / sizeof(status_of[0]))
		return 500;
	return status_of[rc];
}

/* One answer being written: JSON into memory. */
struct ans {
	struct api_out *out;
	FILE *f;
	struct json j;
};

static int ans_begin(struct ans *a, struct api_out *out, int status)
{
	a->out = out;
	out->status = status;
	a->f = open_memstream(&out->body, &out->len);
	if (!a->f)
		return -1;
	json_init(&a->j, a->f);
	return 0;
}

static void ans_end(struct ans *a)
{
	if (fclose(a->f)) {
		free(a->out->body);
		a->out->body = NULL;
		a->out->len = 0;
		a->out->status = 500;
	}
}

/* {"error": msg} with status: the CLI's message, word for word. A message
 * may quote what the client sent (a path, a name), so anything but
 * printable ASCII becomes '?': the answer is always valid UTF-8. */
static void error(struct api_out *out, int status, const char *msg)
{
	char clean[1024];
	size_t i;
	struct ans a;

	for (i = 0; msg[i] && i < sizeof(clean) - 1; i++)
		clean[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
	clean[i] = '\0';
	msg = clean;

	free(out->body);
	out->body = NULL;
	out->len = 0;
	if (ans_begin(&a, out, status))
		return;
	json_obj_begin(&a.j, NULL);
	json_str_always(&a.j, "error", msg);
	json_obj_end(&a.j);
	ans_end(&a);
}

static void reg_error(struct api_out *out, struct reg *r, int rc)
{
	error(out, api_status_of(rc), reg_errmsg(r));
}

static void json_time(struct json *j, const char *key, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	json_str(j, key, buf);
}

static void json_metadata(struct json *j, const struct reg_machine *m)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1];
	size_t pos = 0;

	json_obj_begin(j, "metadata");
	while (reg_metadata_next(m->metadata, &pos, k, v))
		json_str_always(j, k, v);
	json_obj_end(j);
}

void api_json_machine(struct json *j, const char *key, const struct reg_machine *m,
		      bool private_ip)
{
	char a[REG_ADDRSTRLEN], h[16];

	json_obj_begin(j, key);
	json_str(j, "id", m->id);
	json_str(j, "app", m->app);
	json_str(j, "app_id", m->app_id);
	json_str(j, "org", m->org);
	json_int(j, "network_id", m->network_id);
	json_str(j, "host", reg_fmt_id32(m->host_id, h));
	json_int(j, "instance_id", m->instance_id);
	json_str(j, "region", m->region);
	json_str(j, "iface", m->iface);
	json_str(j, "prefix", reg_fmt_addr(&m->prefix, SIXPN_INSTANCE_PREFIX_LEN, a));
	json_str(j, "address", reg_fmt_addr(&m->addr, 0, a));
	if (private_ip)
		json_str(j, "private_ip", a);
	json_time(j, "created_at", m->created_at);
	json_str(j, "state", reg_machine_state_name(m->state));
	json_str(j, "process_group", m->process_group);
	json_metadata(j, m);
	json_obj_end(j);
}

static int json_backend(const struct reg_machine *m, void *ctx)
{
	struct json *j = ctx;
	char a[REG_ADDRSTRLEN];

	json_obj_begin(j, NULL);
	json_str(j, "machine", m->id);
	json_str(j, "address", reg_fmt_addr(&m->addr, 0, a));
	json_str(j, "region", m->region);
	json_obj_end(j);
	return 0;
}

int api_json_flycast(struct json *j, const char *key, const struct reg_flycast *f,
		     struct reg *backends, bool released)
{
	char a[REG_ADDRSTRLEN];
	uint32_t i;
	int rc = 0;

	json_obj_begin(j, key);
	json_str(j, "address", reg_fmt_addr(&f->addr, 0, a));
	json_str(j, "app", f->app);
	json_str(j, "app_id", f->app_id);
	json_str(j, "org", f->org);
	json_str(j, "app_network", f->app_network);
	json_int(j, "app_network_id", f->app_network_id);
	json_str(j, "network", f->network);
	json_int(j, "network_id", f->network_id);
	json_int(j, "service_id", f->svc_id);
	if (f->nports) {
		json_arr_begin(j, "ports");
		for (i = 0; i < f->nports; i++)
			json_int(j, NULL, f->ports[i]);
		json_arr_end(j);
	} else {
		json_null(j, "ports");   /* every port */
	}
	json_time(j, "created_at", f->created_at);
	if (backends) {
		json_arr_begin(j, "backends");
		rc = reg_flycast_backends(backends, f, json_backend, j);
		json_arr_end(j);
	}
	if (released)
		json_bool(j, "released", 1);
	json_obj_end(j);
	return rc;
}

/* ---- the routes ------------------------------------------------------- */

struct ctx {
	struct reg *r;
	const struct api_in *in;
	struct api_out *out;
	const struct api_path *p;
	const struct reg_token *tok;
};

/* An org named in a request (the query, a body) that is not the token's:
 * refused whether or not it exists, so the answer says nothing about it. */
static int other_org(struct ctx *x, const char *org)
{
	char msg[256];

	if (!strcmp(org, x->tok->org))
		return 0;
	snprintf(msg, sizeof(msg), "this token is for org '%s'; it cannot act "
		 "on org '%.64s'", x->tok->org, org);
	error(x->out, 403, msg);
	return 1;
}

struct app_walk {
	struct json *j;
	uint32_t n;
	int counting;
};

static int app_row(const struct reg_app *a, void *ctx)
{
	struct app_walk *w = ctx;

	if (w->counting) {
		w->n++;
		return 0;
	}
	/* exactly the Machines API's fields, as sixpnctl apps list --json */
	json_obj_begin(w->j, NULL);
	json_str(w->j, "id", a->id);
	json_str(w->j, "name", a->name);
	json_int(w->j, "machine_count", a->machine_count);
	json_str(w->j, "network", a->network);
	json_obj_end(w->j);
	return 0;
}

static void apps_list(struct ctx *x)
{
	const char *org = x->in->org_slug ? x->in->org_slug : x->tok->org;
	struct reg_filter f = { .org = org };
	struct app_walk w = { .counting = 1 };
	struct reg_org o;
	struct ans a;
	char err[256];
	int rc;

	if (reg_check_org_name(org, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	if (other_org(x, org))
		return;
	if ((rc = reg_snapshot_begin(x->r)) || (rc = reg_get_org(x->r, org, &o)) ||
	    (rc = reg_foreach_app(x->r, &f, app_row, &w))) {
		reg_error(x->out, x->r, rc);
		reg_snapshot_end(x->r);
		return;
	}
	if (ans_begin(&a, x->out, 200)) {
		reg_snapshot_end(x->r);
		return;
	}
	w.j = &a.j;
	json_obj_begin(&a.j, NULL);
	json_int(&a.j, "total_apps", w.n);
	json_arr_begin(&a.j, "apps");
	w.counting = 0;
	rc = reg_foreach_app(x->r, &f, app_row, &w);
	json_arr_end(&a.j);
	json_obj_end(&a.j);
	ans_end(&a);
	reg_snapshot_end(x->r);
	if (rc)
		reg_error(x->out, x->r, rc);
}

static void apps_create(struct ctx *x)
{
	struct api_app_body b;
	char err[512], pfx[REG_ADDRSTRLEN];
	struct sixpn_ip6 p;
	struct reg_app app;
	struct ans a;
	int rc;

	if (api_parse_app_body(x->in->body, x->in->body_len, &b, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	if (other_org(x, b.org_slug))
		return;
	rc = reg_app_create(x->r, b.app_name, b.org_slug,
			    b.network[0] ? b.network : NULL, &app);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (ans_begin(&a, x->out, 201))
		return;
	reg_net_prefix(app.network_id, &p);
	json_obj_begin(&a.j, NULL);
	json_str(&a.j, "id", app.id);
	json_str(&a.j, "name", app.name);
	json_str(&a.j, "org", app.org);
	json_str(&a.j, "network", app.network);
	json_int(&a.j, "network_id", app.network_id);
	json_str(&a.j, "prefix", reg_fmt_addr(&p, SIXPN_NET_PREFIX_LEN, pfx));
	json_time(&a.j, "created_at", app.created_at);
	json_obj_end(&a.j);
	ans_end(&a);
}

/* The path's app, by name, in the token's org (the scope): 0, or the
 * error answered. */
static int path_app(struct ctx *x, struct reg_app *app)
{
	int rc = reg_get_app(x->r, x->p->app, app);

	if (rc)
		reg_error(x->out, x->r, rc);
	return rc;
}

static void app_destroy(struct ctx *x)
{
	struct reg_app app;
	uint32_t n = 0;
	struct ans a;
	int rc;

	if (path_app(x, &app))
		return;
	/* by name: the registry's destroy walks the app's machines by name */
	rc = reg_app_destroy(x->r, app.name, &n);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (ans_begin(&a, x->out, 200))
		return;
	json_obj_begin(&a.j, NULL);
	json_str(&a.j, "name", app.name);
	json_bool(&a.j, "destroyed", 1);
	json_int(&a.j, "machines_destroyed", n);
	json_obj_end(&a.j);
	ans_end(&a);
}

static int machine_row(const struct reg_machine *m, void *ctx)
{
	api_json_machine(ctx, NULL, m, true);
	return 0;
}

static void machines_list(struct ctx *x)
{
	struct reg_app app;
	struct reg_filter f;
	struct ans a;
	int rc;

	if ((rc = reg_snapshot_begin(x->r))) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (path_app(x, &app) || ans_begin(&a, x->out, 200)) {
		reg_snapshot_end(x->r);
		return;
	}
	f = (struct reg_filter){ .app = app.name };
	/* an array, as Fly's GET /v1/apps/{app}/machines */
	json_arr_begin(&a.j, NULL);
	rc = reg_foreach_machine(x->r, &f, machine_row, &a.j);
	json_arr_end(&a.j);
	ans_end(&a);
	reg_snapshot_end(x->r);
	if (rc)
		reg_error(x->out, x->r, rc);
}

static void machine_answer(struct ctx *x, int status, const struct reg_machine *m)
{
	struct ans a;

	if (ans_begin(&a, x->out, status))
		return;
	api_json_machine(&a.j, NULL, m, true);
	ans_end(&a);
}

static void machine_create(struct ctx *x)
{
	const char *kv[REG_METADATA_MAX];
	struct reg_machine_opts mo = { 0 };
	struct api_machine_body b;
	struct reg_machine m;
	struct reg_app app;
	char err[512];
	uint32_t host;
	size_t i;
	int rc;

	if (api_parse_machine_body(x->in->body, x->in->body_len, &b, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	if (reg_parse_host_id(b.host, &host, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	mo.region = b.region[0] ? b.region : NULL;
	mo.iface = b.iface[0] ? b.iface : NULL;
	mo.process_group = b.process_group[0] ? b.process_group : NULL;
	for (i = 0; i < b.n_metadata; i++)
		kv[i] = b.metadata[i];
	mo.metadata = kv;
	mo.n_metadata = b.n_metadata;
	/* sixpnctl machines create --state's words */
	if (b.state[0] && !(mo.state = reg_machine_state_parse(b.state))) {
		snprintf(err, sizeof(err), "machine state '%.16s' is invalid: must be "
			 "created, started or stopped", b.state);
		error(x->out, 400, err);
		return;
	}
	if (path_app(x, &app))
		return;
	rc = reg_machine_create_opts(x->r, app.name, host, &mo, &m);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	machine_answer(x, 201, &m);
}

/* The path's machine, of the path's app, in the token's org: 0, or the
 * error answered. A machine never changes app, so what is checked here
 * still holds when the write runs (and the write itself is scoped). */
static int path_machine(struct ctx *x, struct reg_machine *m)
{
	struct reg_app app;
	char msg[512];
	int rc;

	if (path_app(x, &app))
		return -1;
	rc = reg_get_machine(x->r, x->p->machine, m);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return -1;
	}
	if (strcmp(m->app_id, app.id)) {
		snprintf(msg, sizeof(msg), "machine '%s' does not exist in app '%s'",
			 x->p->machine, app.name);
		error(x->out, 404, msg);
		return -1;
	}
	return 0;
}

static void machine_destroy(struct ctx *x)
{
	struct reg_machine m;
	char pfx[REG_ADDRSTRLEN];
	struct ans a;
	int rc;

	if (path_machine(x, &m))
		return;
	rc = reg_machine_destroy(x->r, m.id, &m);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (ans_begin(&a, x->out, 200))
		return;
	json_obj_begin(&a.j, NULL);
	json_str(&a.j, "id", m.id);
	json_bool(&a.j, "destroyed", 1);
	json_str(&a.j, "prefix", reg_fmt_addr(&m.prefix, SIXPN_INSTANCE_PREFIX_LEN, pfx));
	json_time(&a.j, "quarantined_until", (int64_t)time(NULL) +
		  reg_quarantine_secs(x->r));
	json_obj_end(&a.j);
	ans_end(&a);
}

/* start, stop: sixpnctl machines start|stop --json's answer, and Fly's
 * previous_state. Starting a started machine changes nothing: 200,
 * "changed": false. */
static void machine_state(struct ctx *x, enum reg_machine_state state)
{
	struct reg_machine before, m;
	struct ans a;
	int rc, changed = 0;

	if (path_machine(x, &before))
		return;
	rc = reg_machine_set_state(x->r, before.id, state, &m, &changed);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (ans_begin(&a, x->out, 200))
		return;
	json_obj_begin(&a.j, NULL);
	json_str(&a.j, "id", m.id);
	json_str(&a.j, "state", reg_machine_state_name(m.state));
	json_bool(&a.j, "changed", changed);
	json_str(&a.j, "previous_state", changed ? reg_machine_state_name(before.state) :
		 reg_machine_state_name(m.state));
	json_obj_end(&a.j);
	ans_end(&a);
}

/* ---- Flycast addresses --------------------------------------------------
 * sixpnctl ips list|allocate|release, on the path's app. The app is found
 * in the token's org (the scope), so another org's app is one nobody has;
 * a consumer network is named in the app's org, so another org's network
 * cannot be named at all (the registry's trigger flycast_network_in_org
 * refuses one besides); another org's address is one nobody allocated
 * (the scope again, inside the release's transaction). */

struct ip_walk {
	struct reg *r;
	struct json *j;
	uint32_t n;
	int counting;
};

static int ip_row(const struct reg_flycast *f, void *ctx)
{
	struct ip_walk *w = ctx;

	if (w->counting) {
		w->n++;
		return 0;
	}
	return api_json_flycast(w->j, NULL, f, w->r, false);
}

/* 200, sixpnctl ips list --app APP --json byte for byte. */
static void ips_list(struct ctx *x)
{
	struct ip_walk w = { .r = x->r, .counting = 1 };
	struct reg_filter f;
	struct reg_app app;
	struct ans a;
	int rc;

	if ((rc = reg_snapshot_begin(x->r))) {
		reg_error(x->out, x->r, rc);
		return;
	}
	if (path_app(x, &app)) {
		reg_snapshot_end(x->r);
		return;
	}
	f = (struct reg_filter){ .app = app.id };
	if ((rc = reg_foreach_flycast(x->r, &f, ip_row, &w)) ||
	    ans_begin(&a, x->out, 200)) {
		if (rc)
			reg_error(x->out, x->r, rc);
		reg_snapshot_end(x->r);
		return;
	}
	w.j = &a.j;
	w.counting = 0;
	json_obj_begin(&a.j, NULL);
	json_int(&a.j, "total_ips", w.n);
	json_arr_begin(&a.j, "ips");
	rc = reg_foreach_flycast(x->r, &f, ip_row, &w);
	json_arr_end(&a.j);
	json_obj_end(&a.j);
	ans_end(&a);
	reg_snapshot_end(x->r);
	if (rc)
		reg_error(x->out, x->r, rc);
}

static void flycast_answer(struct ctx *x, int status, const struct reg_flycast *f,
			   bool released)
{
	struct ans a;

	if (ans_begin(&a, x->out, status))
		return;
	api_json_flycast(&a.j, NULL, f, NULL, released);
	ans_end(&a);
}

/* 201, sixpnctl ips allocate --app APP [--network N] [--ports P] --json. */
static void ip_allocate(struct ctx *x)
{
	struct api_ip_body b;
	struct reg_flycast f;
	char err[512];
	int rc;

	if (api_parse_ip_body(x->in->body, x->in->body_len, &b, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	/* the app is found inside the write, after the values are judged,
	 * as for the CLI: the same error first for the same mistakes */
	rc = reg_flycast_allocate(x->r, x->p->app, b.network[0] ? b.network : NULL,
				  b.has_ports ? b.ports : NULL, &f);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	flycast_answer(x, 201, &f, false);
}

/* 200, sixpnctl ips release ADDR --json, for an address of the path's app. */
static void ip_release(struct ctx *x)
{
	struct reg_flycast f;
	struct sixpn_ip6 ip;
	char err[256];
	int rc;

	if (reg_parse_flycast_addr(x->p->ip, &ip, err, sizeof(err))) {
		error(x->out, 400, err);
		return;
	}
	rc = reg_flycast_release(x->r, x->p->app, &ip, &f);
	if (rc) {
		reg_error(x->out, x->r, rc);
		return;
	}
	flycast_answer(x, 200, &f, true);
}

/* ---- authentication, dispatch ------------------------------------------ */

/* The request's token, or the 401 (or the registry's failure) answered. */
static int authenticate(struct reg *r, const struct api_in *in,
			struct api_out *out, struct reg_token *tok)
{
	char t[REG_TOKEN_LEN + 2];
	int rc;

	if (api_parse_bearer(in->authorization, t, sizeof(t))) {
		out->challenge = 1;
		error(out, 401, in->authorization ?
		      "the Authorization header is not 'Bearer TOKEN'" :
		      "a bearer token is required: 'Authorization: Bearer TOKEN' "
		      "(sixpnctl tokens create --org ORG)");
		return -1;
	}
	rc = reg_token_check(r, t, tok);
	memset(t, 0, sizeof(t));
	if (rc == REG_ENOENT) {
		out->challenge = 1;
		error(out, 401, reg_errmsg(r));
		return -1;
	}
	if (rc) {
		reg_error(out, r, rc);
		return -1;
	}
	return 0;
}

void api_handle(struct reg *r, const char *errmsg, const struct api_in *in,
		struct api_out *out)
{
	struct reg_token tok;
	struct api_path p;
	struct ctx x = { r, in, out, &p, &tok };
	char err[256];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!r) {
		error(out, 503, errmsg ? errmsg : "the registry cannot be opened");
		return;
	}
	/* a long-lived handle on etcd: see what others wrote, revocations too */
	if ((rc = reg_refresh(r))) {
		reg_error(out, r, rc);
		return;
	}
	/* the token before the route: without one, nothing is said */
	if (authenticate(r, in, out, &tok))
		return;
	rc = api_route(in->method, in->path, &p, err, sizeof(err));
	if (rc) {
		out->allow = p.allow;
		error(out, rc, err);
		return;
	}
	snprintf(out->org, sizeof(out->org), "%s", tok.org);
	if ((rc = reg_scope_org(r, tok.org))) {
		reg_error(out, r, rc);
		return;
	}
	switch (p.route) {
	case API_APPS_LIST:       apps_list(&x); break;
	case API_APPS_CREATE:     apps_create(&x); break;
	case API_APP_DESTROY:     app_destroy(&x); break;
	case API_MACHINES_LIST:   machines_list(&x); break;
	case API_MACHINE_CREATE:  machine_create(&x); break;
	case API_MACHINE_START:   machine_state(&x, REG_MACHINE_STARTED); break;
	case API_MACHINE_STOP:    machine_state(&x, REG_MACHINE_STOPPED); break;
	case API_MACHINE_DESTROY: machine_destroy(&x); break;
	case API_IPS_LIST:        ips_list(&x); break;
	case API_IP_ALLOCATE:     ip_allocate(&x); break;
	case API_IP_RELEASE:      ip_release(&x); break;
	case API_ROUTE_NONE:      error(out, 404, "no such path"); break;
	}
	reg_scope_org(r, NULL);
}
