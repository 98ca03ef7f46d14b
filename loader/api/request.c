// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The HTTP API's parsers (request.h). Everything here reads bytes a
 * client sent, so every length is checked before a copy and nothing
 * trusts a NUL terminator it did not put there. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <json-c/json.h>

#include "api/request.h"

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- routes ------------------------------------------------------------- */

/* The next segment of path at *pos (after a '/'), into seg: its length,
 * or -1 when it is empty or too long. *pos moves past it. */
static int segment(const char *path, size_t *pos, char *seg)
{
	size_t n = strcspn(path + *pos, "/");

	if (n == 0 || n > API_SEGMENT_MAX)
		return -1;
	memcpy(seg, path + *pos, n);
	seg[n] = '\0';
	*pos += n;
	return (int)n;
}

static int method_is(const char *m, const char *want)
{
	return !strcmp(m, want);
}

/* Path shape -> route by method, or 405. */
static int by_method(const char *method, struct api_path *p, const char *allow,
		     enum api_route get, enum api_route post, enum api_route del,
		     char *err, size_t errlen)
{
	p->allow = allow;
	if (get && method_is(method, "GET"))
		p->route = get;
	else if (post && method_is(method, "POST"))
		p->route = post;
	else if (del && method_is(method, "DELETE"))
		p->route = del;
	else
		return fail(err, errlen, 405, "method %.16s is not allowed here "
			    "(allowed: %s)", method, allow);
	return 0;
}

int api_route(const char *method, const char *path, struct api_path *p,
	      char *err, size_t errlen)
{
	static const char apps[] = "/v1/apps";
	char seg[API_SEGMENT_MAX + 1];
	size_t pos = sizeof(apps) - 1;

	memset(p, 0, sizeof(*p));
	if (strncmp(path, apps, pos) || (path[pos] && path[pos] != '/'))
		goto none;
	if (!path[pos])
		return by_method(method, p, "GET, POST", API_APPS_LIST,
				 API_APPS_CREATE, 0, err, errlen);
	pos++;
	if (segment(path, &pos, p->app) < 0)
		goto none;
	if (!path[pos])
		return by_method(method, p, "DELETE", 0, 0, API_APP_DESTROY,
				 err, errlen);
	pos++;
	if (segment(path, &pos, seg) < 0)
		goto none;
	if (!strcmp(seg, "ips")) {
		if (!path[pos])
			return by_method(method, p, "GET, POST", API_IPS_LIST,
					 API_IP_ALLOCATE, 0, err, errlen);
		pos++;
		if (segment(path, &pos, p->ip) < 0 || path[pos])
			goto none;
		return by_method(method, p, "DELETE", 0, 0, API_IP_RELEASE, err, errlen);
	}
	if (strcmp(seg, "machines"))
		goto none;
	if (!path[pos])
		return by_method(method, p, "GET, POST", API_MACHINES_LIST,
				 API_MACHINE_CREATE, 0, err, errlen);
	pos++;
	if (segment(path, &pos, p->machine) < 0)
		goto none;
	if (!path[pos])
		return by_method(method, p, "DELETE", 0, 0, API_MACHINE_DESTROY,
				 err, errlen);
	pos++;
	if (segment(path, &pos, seg) < 0 || path[pos])
		goto none;
	if (!strcmp(seg, "start"))
		return by_method(method, p, "POST", 0, API_MACHINE_START, 0, err, errlen);
	if (!strcmp(seg, "stop"))
		return by_method(method, p, "POST", 0, API_MACHINE_STOP, 0, err, errlen);
none:
	memset(p, 0, sizeof(*p));
	/* the path as asked, cut short: a message, not an echo of anything */
	return fail(err, errlen, 404, "no such path: %.80s", path);
}

/* ---- bodies ------------------------------------------------------------- */

/* How many bytes of JSON whitespace body[0..len) ends with. */
static size_t strspn_rev(const char *body, size_t len)
{
	size_t n = 0;

	while (n < len && strchr(" \t\r\n", body[len - 1 - n]) && body[len - 1 - n])
		n++;
	return n;
}

/* Parses body as one JSON object: its json_object (put it), or NULL with
 * the 400 message in err. */
static json_object *parse_object(const char *body, size_t len, char *err,
				 size_t errlen)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;

	if (!body || !len) {
		fail(err, errlen, 400, "request body is empty: a JSON object is "
		     "required");
		return NULL;
	}
	if (len > API_BODY_MAX) {
		fail(err, errlen, 400, "request body is too large (%zu bytes, at "
		     "most %d)", len, API_BODY_MAX);
		return NULL;
	}
	if (memchr(body, '\0', len)) {
		fail(err, errlen, 400, "request body is not JSON: it holds a NUL byte");
		return NULL;
	}
	tok = json_tokener_new_ex(32);
	if (!tok) {
		fail(err, errlen, 400, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success) {
		fail(err, errlen, 400, "request body is not JSON: %s",
		     jerr == json_tokener_continue ? "it ends too soon" :
		     json_tokener_error_desc(jerr));
		json_object_put(o);
		o = NULL;
	} else if (json_tokener_get_parse_end(tok) + strspn_rev(body, len) < len) {
		fail(err, errlen, 400, "request body is not JSON: something follows "
		     "the object");
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		fail(err, errlen, 400, "request body must be a JSON object");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* Member key of o as a string into dst (n bytes): 0 copied, 1 absent (or
 * null and optional), 400 otherwise. A string too long for dst is cut
 * one byte past the longest valid value, so the registry's rule refuses
 * it by name rather than a truncation passing it. */
static int member_str(json_object *o, const char *key, int required, char *dst,
		      size_t n, char *err, size_t errlen)
{
	json_object *v;
	const char *s;
	size_t len;

	dst[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) || (!v && !required)) {
		if (required)
			return fail(err, errlen, 400, "'%s' is required", key);
		return 1;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, 400, "'%s' must be a string", key);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', len))
		return fail(err, errlen, 400, "'%s' holds a NUL byte", key);
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int api_parse_app_body(const char *body, size_t len, struct api_app_body *out,
		       char *err, size_t errlen)
{
	json_object *o = parse_object(body, len, err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o)
		return 400;
	rc = member_str(o, "app_name", 1, out->app_name, sizeof(out->app_name), err, errlen);
	if (!rc)
		rc = member_str(o, "org_slug", 1, out->org_slug, sizeof(out->org_slug),
				err, errlen);
	if (!rc || rc == 1)
		rc = member_str(o, "network", 0, out->network, sizeof(out->network),
				err, errlen);
	json_object_put(o);
	return rc == 1 ? 0 : rc;
}

/* "metadata": {"key": "value", ...} as "key=value" strings; each part cut
 * one byte past the longest label, so the registry's rule names it. */
static int metadata(json_object *o, struct api_machine_body *out, char *err,
		    size_t errlen)
{
	json_object *m;
	struct json_object_iterator it, end;

	if (!json_object_object_get_ex(o, "metadata", &m) || !m)
		return 1;
	if (!json_object_is_type(m, json_type_object))
		return fail(err, errlen, 400, "'metadata' must be an object of strings");
	if (json_object_object_length(m) > REG_METADATA_MAX)
		return fail(err, errlen, 400, "'metadata' has %d keys, at most %d",
			    json_object_object_length(m), REG_METADATA_MAX);
	it = json_object_iter_begin(m);
	end = json_object_iter_end(m);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		json_object *v = json_object_iter_peek_value(&it);
		const char *s;
		int vlen;

		if (!json_object_is_type(v, json_type_string))
			return fail(err, errlen, 400, "'metadata' value of '%.64s' must be "
				    "a string", k);
		s = json_object_get_string(v);
		vlen = json_object_get_string_len(v);
		if (memchr(s, '\0', (size_t)vlen))
			return fail(err, errlen, 400, "'metadata' value of '%.64s' holds a "
				    "NUL byte", k);
		snprintf(out->metadata[out->n_metadata], API_META_KV_MAX, "%.*s=%.*s",
			 REG_NAME_MAX + 1, k, REG_NAME_MAX + 1, s);
		out->n_metadata++;
	}
	return 1;
}

int api_parse_machine_body(const char *body, size_t len,
			   struct api_machine_body *out, char *err, size_t errlen)
{
	json_object *o = parse_object(body, len, err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o)
		return 400;
	rc = member_str(o, "host", 1, out->host, sizeof(out->host), err, errlen);
	if (!rc)
		rc = member_str(o, "region", 0, out->region, sizeof(out->region), err,
				errlen);
	if (!rc || rc == 1)
		rc = member_str(o, "iface", 0, out->iface, sizeof(out->iface), err,
				errlen);
	if (!rc || rc == 1)
		rc = member_str(o, "state", 0, out->state, sizeof(out->state), err,
				errlen);
	if (!rc || rc == 1)
		rc = member_str(o, "process_group", 0, out->process_group,
				sizeof(out->process_group), err, errlen);
	if (!rc || rc == 1)
		rc = metadata(o, out, err, errlen);
	json_object_put(o);
	return rc == 1 ? 0 : rc;
}

/* "ports": [80, 443] as "80,443" into out->ports. Each number is written
 * as sent (a negative one, one out of range), for reg_parse_ports() to
 * refuse by value with the CLI's message. */
static int ports(json_object *o, struct api_ip_body *out, char *err, size_t errlen)
{
	size_t i, n, off = 0;
	json_object *a;

	if (!json_object_object_get_ex(o, "ports", &a) || !a)
		return 1;
	if (!json_object_is_type(a, json_type_array))
		return fail(err, errlen, 400, "'ports' must be an array of port numbers");
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_int))
			return fail(err, errlen, 400, "'ports' must be an array of port "
				    "numbers: element %zu is not an integer", i);
	if (n > SIXPN_FC_MAX_PORTS + 1)
		n = SIXPN_FC_MAX_PORTS + 1;
	out->has_ports = 1;
	for (i = 0; i < n && off < sizeof(out->ports); i++)
		off += (size_t)snprintf(out->ports + off, sizeof(out->ports) - off,
					"%s%lld", i ? "," : "", (long long)
					json_object_get_int64(json_object_array_get_idx(a, i)));
	return 1;
}

int api_parse_ip_body(const char *body, size_t len, struct api_ip_body *out,
		      char *err, size_t errlen)
{
	json_object *o;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!len || len == strspn_rev(body, len))
		return 0;   /* no body: the app's own network, every port */
	o = parse_object(body, len, err, errlen);
	if (!o)
		return 400;
	rc = member_str(o, "network", 0, out->network, sizeof(out->network), err,
			errlen);
	if (!rc || rc == 1)
		rc = ports(o, out, err, errlen);
	json_object_put(o);
	return rc == 1 ? 0 : rc;
}

/* ---- headers, options --------------------------------------------------- */

int api_parse_bearer(const char *h, char *tok, size_t toklen)
{
	size_t n;

	if (!h || strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\t'))
		return -1;
	h += 6;
	h += strspn(h, " \t");
	n = strcspn(h, " \t");
	if (!n || n >= toklen || h[n + strspn(h + n, " \t")])
		return -1;
	memcpy(tok, h, n);
	tok[n] = '\0';
	return 0;
}

int api_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     char *err, size_t errlen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t hlen;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[' && !strstr(s, "]:"))
		return fail(err, errlen, -1, "--listen '%s' is invalid: want [IPv6]:PORT "
			    "([::1]:4280)", s);
	if (!colon || colon == s)
		return fail(err, errlen, -1, "--listen '%s' is invalid: want ADDR:PORT "
			    "(127.0.0.1:4280, [::1]:4280)", s);
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port > 65535 || colon[1] == '-' ||
	    colon[1] == '+' || colon[1] == ' ')
		return fail(err, errlen, -1, "--listen '%s' is invalid: port '%s' is "
			    "not a number from 0 to 65535", s, colon + 1);
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host))
		return fail(err, errlen, -1, "--listen '%s' is invalid: '%.*s' is not "
			    "an IPv4 or [IPv6] address", s, (int)hlen, s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return fail(err, errlen, -1, "--listen '%s' is invalid: '%s' "
				    "is not an [IPv6] address", s, host);
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return fail(err, errlen, -1, "--listen '%s' is invalid: '%s' "
				    "is not an IPv6 address", s, host + 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return fail(err, errlen, -1, "--listen '%s' is invalid: '%s' is not an "
			    "IPv4 address (an IPv6 one goes in brackets: [::1]:PORT)",
			    s, host);
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return 0;
}
