/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The HTTP API's parsers of untrusted input: the route of a method and
 * path, the JSON bodies, the Authorization header, and --listen. Pure
 * functions (no registry, no sockets), fuzzed by
 * selftests/fuzz/lib/api_request.c. */
#ifndef SIXPN_API_REQUEST_H
#define SIXPN_API_REQUEST_H

#include <stddef.h>
#include <sys/socket.h>
#include "registry/registry.h"

#define API_BODY_MAX   65536   /* bytes of a request body (else 413) */
#define API_SEGMENT_MAX 255    /* bytes of one path segment (else 404) */

enum api_route {
	API_ROUTE_NONE = 0,
	API_APPS_LIST,          /* GET    /v1/apps?org_slug=ORG */
	API_APPS_CREATE,        /* POST   /v1/apps */
	API_APP_DESTROY,        /* DELETE /v1/apps/APP */
	API_MACHINES_LIST,      /* GET    /v1/apps/APP/machines */
	API_MACHINE_CREATE,     /* POST   /v1/apps/APP/machines */
	API_MACHINE_START,      /* POST   /v1/apps/APP/machines/ID/start */
	API_MACHINE_STOP,       /* POST   /v1/apps/APP/machines/ID/stop */
	API_MACHINE_DESTROY,    /* DELETE /v1/apps/APP/machines/ID */
	API_IPS_LIST,           /* GET    /v1/apps/APP/ips */
	API_IP_ALLOCATE,        /* POST   /v1/apps/APP/ips */
	API_IP_RELEASE,         /* DELETE /v1/apps/APP/ips/ADDRESS */
};

struct api_path {
	enum api_route route;
	char app[API_SEGMENT_MAX + 1];
	char machine[API_SEGMENT_MAX + 1];
	char ip[API_SEGMENT_MAX + 1];   /* DELETE .../ips/ADDRESS, as given */
	const char *allow;      /* the methods the path takes (for 405) */
};

/* Matches method and path (no query string). 0 with p filled; 404 (no
 * such path) or 405 (the path exists, p->allow says with which methods),
 * with the message in err. */
int api_route(const char *method, const char *path, struct api_path *p,
	      char *err, size_t errlen);

/* POST /v1/apps: {"app_name": S, "org_slug": S, "network": S?} */
struct api_app_body {
	char app_name[REG_NAME_MAX + 2];   /* one more: a longer name fails the */
	char org_slug[REG_NAME_MAX + 2];   /* registry's rule, not truncation */
	char network[REG_NAME_MAX + 2];    /* "" when absent */
};
/* POST /v1/apps/APP/machines: {"host": S, "region": S?, "iface": S?,
 * "state": S?, "process_group": S?, "metadata": {S: S, ...}?} */
#define API_META_KV_MAX (2 * (REG_NAME_MAX + 2) + 2)
struct api_machine_body {
	char host[32];
	char region[REG_NAME_MAX + 2];
	char iface[REG_IFNAME_MAX + 2];
	char state[16];
	char process_group[REG_NAME_MAX + 2];
	char metadata[REG_METADATA_MAX][API_META_KV_MAX]; /* "KEY=VALUE" */
	size_t n_metadata;
};
/* POST /v1/apps/APP/ips: {"network": S?, "ports": [N, ...]?}, or no body
 * at all (both optional, as ips allocate's options). The ports become
 * the CLI's "80,443" for the registry's one parser to judge: at most one
 * past SIXPN_FC_MAX_PORTS of them, so that it names the excess. */
/* each at most 21 bytes (",-9223372036854775808"), and the NUL */
#define API_PORTS_MAX ((SIXPN_FC_MAX_PORTS + 1) * 21 + 1)
struct api_ip_body {
	char network[REG_NAME_MAX + 2];    /* "" when absent */
	char ports[API_PORTS_MAX];
	int has_ports;                     /* 0: absent or null, every port */
};
/* 0, or 400 with the message in err ("request body ...", "'app_name'
 * ..."). Unknown members are ignored, as Fly's API does. */
int api_parse_app_body(const char *body, size_t len, struct api_app_body *out,
		       char *err, size_t errlen);
int api_parse_machine_body(const char *body, size_t len,
			   struct api_machine_body *out, char *err, size_t errlen);
int api_parse_ip_body(const char *body, size_t len, struct api_ip_body *out,
		      char *err, size_t errlen);

/* "Bearer TOKEN" (the scheme in any case, spaces after it): 0 with the
 * token in tok (toklen bytes), or -1 when header is NULL, another scheme,
 * or the token is empty or longer than toklen - 1. */
int api_parse_bearer(const char *header, char *tok, size_t toklen);

/* "ADDR:PORT": an IPv4 address, or an IPv6 one in brackets, and a port
 * 0-65535 (0: any free port). 0, or -1 with err naming what is wrong. */
int api_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     char *err, size_t errlen);

#endif
