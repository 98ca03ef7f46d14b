// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: the HTTP API's request handling (loader/api/), what a
 * client of sixpnctl serve sends: the route of a method and path, the
 * Authorization header, ?org_slug= and the JSON body, through the parsers
 * alone and through api_handle() on a registry in memory (orgs acme and
 * globex, a token of each, acme's app web with one machine and a Flycast
 * address for its network cust, globex's app gx on a cust of its own).
 *
 * Input: byte 0 picks the method (GET POST DELETE PUT, else the first
 * field), byte 1 the token (0 none, 1 acme's, 2 globex's, else the header
 * as given) and, with bit 0x80, that org_slug is present; then the path,
 * org_slug and Authorization header, each ended by a NUL; the rest is the
 * body.
 *
 * Promises held: every answer has a status from 200 to 599 and a JSON body
 * (json-c parses it); every error is {"error": string}, printable ASCII;
 * without acme's or globex's token the answer is 401 and nothing else;
 * no answer to globex's token names acme's app ID, machine ID or Flycast
 * address; acme's app, machine and address survive every request of
 * globex's; the handle's org scope is lifted after each request. The
 * parsers: a route found has its segments non-empty and without '/'; an
 * IP body parsed has its ports as a terminated list of numbers and commas;
 * a bearer token parsed is non-empty and holds no blank; a --listen
 * address parsed is IPv4 or IPv6 with the matching length. */
#define _GNU_SOURCE  /* memmem */
#include <arpa/inet.h>
#include <json-c/json.h>

#include "fuzz.h"
#include "api/api.h"
#include "api/request.h"

#define REBUILD_EVERY 512   /* requests before the registry is made again */

static struct reg *reg;
static char tok_acme[REG_TOKEN_LEN + 8], tok_globex[REG_TOKEN_LEN + 8];
static char app_id[REG_ID_MAX + 1], machine_id[REG_ID_MAX + 1];
static char fc_text[REG_ADDRSTRLEN];
static struct sixpn_ip6 fc_addr;
static unsigned uses;

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "api_request fixture: %s: %s\n", what, reg_errmsg(reg));
		exit(2);
	}
}

static void build(void)
{
	struct reg_host h = { .id = 0x00fa0001 };
	struct reg_flycast fc;
	struct reg_machine m;
	struct reg_app a;
	char t[REG_TOKEN_LEN + 1];

	if (reg)
		reg_close(reg);
	reg = fz_registry_empty();
	must(reg_org_create(reg, "acme", NULL), "orgs create acme");
	must(reg_org_create(reg, "globex", NULL), "orgs create globex");
	snprintf(h.region, sizeof(h.region), "ord");
	must(reg_host_add(reg, &h), "hosts add");
	must(reg_app_create(reg, "web", "acme", NULL, &a), "apps create");
	must(reg_machine_create(reg, "web", h.id, NULL, NULL, &m), "machines create");
	snprintf(app_id, sizeof(app_id), "%s", a.id);
	snprintf(machine_id, sizeof(machine_id), "%s", m.id);
	must(reg_flycast_allocate(reg, "web", "cust", "80,443", &fc), "ips allocate");
	/* globex's own app: its routes run, on acme's address too */
	must(reg_app_create(reg, "gx", "globex", "cust", NULL), "apps create gx");
	fc_addr = fc.addr;
	reg_fmt_addr(&fc.addr, 0, fc_text);
	must(reg_token_create(reg, "acme", t, NULL), "tokens create acme");
	snprintf(tok_acme, sizeof(tok_acme), "Bearer %s", t);
	must(reg_token_create(reg, "globex", t, NULL), "tokens create globex");
	snprintf(tok_globex, sizeof(tok_globex), "Bearer %s", t);
	uses = 0;
}

/* The next NUL-ended field (the rest when there is no NUL), as a C string. */
static char *field(struct fz *f)
{
	const uint8_t *end = memchr(f->p, 0, f->n);
	size_t n = end ? (size_t)(end - f->p) : f->n;
	const uint8_t *p;
	char *s;

	fz_take(f, n, &p);
	s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	if (end)
		fz_u8(f);
	return s;
}

static void parsers(const char *method, const char *path, const char *auth,
		    const char *body, size_t blen)
{
	char err[512], tok[128];
	struct api_ip_body ib;
	struct api_path p;
	struct sockaddr_storage ss;
	socklen_t len = 0;

	if (!api_route(method, path, &p, err, sizeof(err))) {
		FZ_CHECK(p.route != API_ROUTE_NONE, "no route for %s", path);
		FZ_CHECK(!strchr(p.app, '/') && !strchr(p.machine, '/') && !strchr(p.ip, '/'),
			 "'/' in a segment");
		FZ_CHECK(p.route != API_IP_RELEASE || p.ip[0], "empty address for %s", path);
		FZ_CHECK(p.route == API_APPS_LIST || p.route == API_APPS_CREATE || p.app[0],
			 "empty app for %s", path);
	} else {
		FZ_CHECK(FZ_TERMINATED(err) && err[0], "no message for %s", path);
	}
	if (!api_parse_ip_body(body, blen, &ib, err, sizeof(err))) {
		FZ_CHECK(FZ_TERMINATED(ib.ports) && FZ_TERMINATED(ib.network), "ip body");
		FZ_CHECK(strspn(ib.ports, "-0123456789,") == strlen(ib.ports), "ports '%s'",
			 ib.ports);
		FZ_CHECK(ib.has_ports || !ib.ports[0], "ports without has_ports");
	} else {
		FZ_CHECK(FZ_TERMINATED(err) && err[0], "no message for an ip body");
	}
	if (!api_parse_bearer(auth, tok, sizeof(tok)))
		FZ_CHECK(tok[0] && !strpbrk(tok, " \t"), "bearer token '%s'", tok);
	if (!api_parse_listen(path, &ss, &len, err, sizeof(err)))
		FZ_CHECK((ss.ss_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
			 (ss.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)),
			 "listen '%s': family %d len %u", path, ss.ss_family, len);
	else
		FZ_CHECK(FZ_TERMINATED(err) && strstr(err, "--listen '"), "listen message");
}

static void check_answer(const struct api_out *o, int who)
{
	json_object *j, *e;
	size_t i;

	FZ_CHECK(o->status >= 200 && o->status <= 599, "status %d", o->status);
	FZ_CHECK(o->body && o->len, "status %d without a body", o->status);
	FZ_CHECK(!memchr(o->body, '\0', o->len), "a NUL in the answer");
	j = json_tokener_parse(o->body);
	FZ_CHECK(j, "answer is not JSON: %.*s", (int)o->len, o->body);
	if (o->status >= 400) {
		FZ_CHECK(json_object_is_type(j, json_type_object) &&
			 json_object_object_length(j) == 1 &&
			 json_object_object_get_ex(j, "error", &e) &&
			 json_object_is_type(e, json_type_string), "error shape: %s", o->body);
		for (i = 0; i < o->len; i++)
			FZ_CHECK(o->body[i] >= 0x20 || o->body[i] == '\n', "byte %#x in an error",
				 (unsigned char)o->body[i]);
	}
	json_object_put(j);
	if (who != 1 && who != 2)
		FZ_CHECK(o->status == 401 && o->challenge, "no token, status %d", o->status);
	if (who == 2 && o->status < 400)
		FZ_CHECK(!memmem(o->body, o->len, app_id, strlen(app_id)) &&
			 !memmem(o->body, o->len, machine_id, strlen(machine_id)) &&
			 !memmem(o->body, o->len, fc_text, strlen(fc_text)),
			 "globex sees acme's: %s", o->body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "PUT" };
	struct fz f = { data, size };
	uint8_t mb = fz_u8(&f), ab = fz_u8(&f);
	char *path = field(&f), *slug = field(&f), *auth = field(&f);
	const uint8_t *body;
	size_t blen = fz_take(&f, f.n, &body);
	char *b = fz_dup(body, blen);
	const char *method = mb < 4 ? methods[mb] : path;
	int who = (ab & 0x7f) < 3 ? (ab & 0x7f) : 3;
	struct api_in in = {
		.method = method,
		.path = path,
		.org_slug = ab & 0x80 ? slug : NULL,
		.authorization = who == 0 ? NULL : who == 1 ? tok_acme :
				 who == 2 ? tok_globex : auth,
		.body = b,
		.body_len = blen,
	};
	struct api_out out;
	struct reg_flycast fc;
	struct reg_machine m;
	struct reg_app a;

	if (!reg || ++uses > REBUILD_EVERY)
		build();
	parsers(method, path, auth, b, blen);
	api_handle(reg, NULL, &in, &out);
	/* a header the fuzzer made up may happen to be a token: judged as one */
	if (who == 3 && in.authorization && (!strcmp(in.authorization, tok_acme) ||
					     !strcmp(in.authorization, tok_globex)))
		who = strcmp(in.authorization, tok_acme) ? 2 : 1;
	check_answer(&out, who);
	free(out.body);
	/* the scope is lifted: acme's rows are there to an unscoped handle */
	if (who == 2) {
		FZ_CHECK(reg_get_app(reg, app_id, &a) == REG_OK, "globex destroyed acme's app");
		FZ_CHECK(reg_get_machine(reg, machine_id, &m) == REG_OK,
			 "globex destroyed acme's machine");
		FZ_CHECK(reg_get_flycast(reg, &fc_addr, &fc) == REG_OK,
			 "globex released acme's Flycast address");
	} else if (reg_get_app(reg, "web", &a) || reg_get_machine(reg, machine_id, &m) ||
		   reg_get_flycast(reg, &fc_addr, &fc)) {
		build();   /* acme destroyed its own: fair, and the next input needs them */
	}
	free(path);
	free(slug);
	free(auth);
	free(b);
	return 0;
}
