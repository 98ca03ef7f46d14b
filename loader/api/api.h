/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The registry over HTTP, in the shape of Fly's Machines API where the two
 * overlap (README "HTTP API"). Two layers: api_handle() answers one
 * request on a registry handle (handlers.c: no sockets, so the fuzzer and
 * the tests drive it directly), and the server (http.c) runs it on
 * libmicrohttpd's thread pool, one registry handle per worker thread. */
#ifndef SIXPN_API_H
#define SIXPN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "registry/registry.h"

struct api_in {
	const char *method;
	const char *path;            /* without the query string */
	const char *org_slug;        /* ?org_slug=, NULL when absent */
	const char *authorization;   /* the header, NULL when absent */
	const char *body;
	size_t body_len;
};

struct api_out {
	int status;                  /* HTTP status */
	char *body;                  /* JSON, malloc'd (free it); NULL: none */
	size_t len;
	const char *allow;           /* set on 405: the Allow header */
	int challenge;               /* set on 401: WWW-Authenticate: Bearer */
	char org[REG_NAME_MAX + 1];  /* the token's org, once authenticated */
};

/* The HTTP status of a registry code, the same table for every route:
 * the CLI exits with the code itself (sixpnctl.h), so a script sees the
 * same outcome either way: 2 -> 400, 3 -> 404, 4 -> 409. */
int api_status_of(int reg_rc);

struct json;
/* A machine as JSON, the one shape of `sixpnctl machines ... --json` and of
 * the API's machine objects (which add Fly's private_ip). */
void api_json_machine(struct json *j, const char *key, const struct reg_machine *m,
		      bool private_ip);

/* A Flycast address as JSON, the one shape of `sixpnctl ips ... --json`
 * and of the API's IP routes: with backends non-NULL, its "backends" read
 * through it (ips list, GET); released, "released": true (ips release,
 * DELETE). The backends walk's REG_* code. */
int api_json_flycast(struct json *j, const char *key, const struct reg_flycast *f,
		     struct reg *backends, bool released);

/* Answers one request on r (NULL: the registry could not be opened, errmsg
 * says why: 503). Authenticates the bearer token, confines r to its org
 * for the request (reg_scope_org) and releases it after. */
void api_handle(struct reg *r, const char *errmsg, const struct api_in *in,
		struct api_out *out);

/* ---- the server (http.c) ------------------------------------------------ */

/* Opens a registry handle for a worker thread; returns a REG_* code, and
 * leaves *out set (reg_errmsg) even on failure. */
typedef int (*api_open_fn)(struct reg **out, void *ctx);

struct api_server;
/* Listens on ss and serves with threads worker threads. 0, or -1 with err. */
int api_start(struct api_server **out, const struct sockaddr_storage *ss,
	      socklen_t sslen, unsigned threads, api_open_fn open, void *ctx,
	      char *err, size_t errlen);
uint16_t api_port(const struct api_server *s);
/* Stops the server (finishing requests in flight) and closes every
 * registry handle its threads opened. */
void api_stop(struct api_server *s);

#endif
