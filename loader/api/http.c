// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The HTTP server of the API (api.h) on libmicrohttpd.
 *
 * Threads: libmicrohttpd's thread pool (MHD_OPTION_THREAD_POOL_SIZE) runs
 * each connection on one worker thread from its first byte to its answer,
 * and the registry wants one handle per thread (registry.h), so each
 * worker opens its own handle on its first request and keeps it. Nothing
 * else is shared between requests: concurrent writes meet where they do
 * for concurrent sixpnctl processes, in SQLite's write lock or etcd's
 * compare-and-swap, which serialize them. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <microhttpd.h>

#include "api/api.h"
#include "api/request.h"
#include "lib/grow.h"
#include "lib/log.h"

struct api_server {
	struct MHD_Daemon *d;
	api_open_fn open;
	void *ctx;
	pthread_mutex_t mu;      /* guards regs */
	struct reg **regs;       /* every handle a worker opened */
	size_t n, cap;
	uint16_t port;
};

/* This worker thread's handle (one server per process). */
static __thread struct reg *tls_reg;

/* One request's body as it arrives. */
struct conn {
	char *body;
	size_t len, cap;
	int too_big;
};

/* Swaps this worker's handle for fresh (closing the old one). */
static void replace_reg(struct api_server *s, struct reg *fresh)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++)
		if (s->regs[i] == tls_reg)
			s->regs[i] = fresh;
	pthread_mutex_unlock(&s->mu);
	reg_close(tls_reg);
	tls_reg = fresh;
}

/* A file-backed handle still reads the file the path names, as sixpnd's
 * does: a registry restored over the path (a new file) is opened afresh;
 * a deleted one is answered 503 until one is back, never recreated empty
 * under the platform's feet. 0, or -1 with err. */
static int file_current(struct api_server *s, char *err, size_t errlen)
{
	struct reg *fresh = NULL;
	int rc;

	if (reg_is_etcd(tls_reg))
		return 0;
	rc = reg_file_check(tls_reg);
	if (rc == REG_OK)
		return 0;
	if (rc == REG_ENOENT) {
		snprintf(err, errlen, "%s", reg_errmsg(tls_reg));
		return -1;
	}
	if (s->open(&fresh, s->ctx)) {
		snprintf(err, errlen, "%s", fresh ? reg_errmsg(fresh) : "out of memory");
		reg_close(fresh);
		return -1;
	}
	replace_reg(s, fresh);
	return 0;
}

static struct reg *thread_reg(struct api_server *s, char *err, size_t errlen)
{
	struct reg *r = NULL, **v;
	int rc;

	if (tls_reg)
		return file_current(s, err, errlen) ? NULL : tls_reg;
	rc = s->open(&r, s->ctx);
	if (rc) {
		/* said now, tried again on the next request */
		snprintf(err, errlen, "%s", r ? reg_errmsg(r) : "out of memory");
		reg_close(r);
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	v = array_grow(s->regs, &s->cap, s->n, sizeof(*v));
	if (v) {
		s->regs = v;
		s->regs[s->n++] = r;
	}
	pthread_mutex_unlock(&s->mu);
	if (!v) {
		reg_close(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tls_reg = r;
	return r;
}

static enum MHD_Result send_answer(struct MHD_Connection *c, struct api_out *o)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(o->len, o->body ? o->body : "",
					       o->body ? MHD_RESPMEM_MUST_FREE :
					       MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(o->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (o->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, o->allow);
	if (o->challenge)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"sixpn\"");
	ret = MHD_queue_response(c, (unsigned int)o->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* One line per request on stderr (lib/log): what an operator greps for.
 * The method and path are the client's bytes: only printable ASCII but
 * '"' and '\' gets through, cut short, so no line can be forged. */
static void access_log(const struct api_in *in, const struct api_out *o,
		       const struct timespec *t0)
{
	char path[128], method[16];
	struct timespec t1;
	size_t i;

	for (i = 0; in->path[i] && i < sizeof(path) - 1; i++)
		path[i] = in->path[i] > 0x20 && in->path[i] < 0x7f && in->path[i] != '"' &&
			  in->path[i] != '\\' ? in->path[i] : '?';
	path[i] = '\0';
	for (i = 0; in->method[i] && i < sizeof(method) - 1; i++)
		method[i] = in->method[i] >= 'A' && in->method[i] <= 'Z' ? in->method[i] : '?';
	method[i] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("msg=\"request\" method=%s path=\"%s\" status=%d org=%s ms=%.1f",
		 method, path, o->status, o->org[0] ? o->org : "-",
		 (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

static int body_add(struct conn *k, const char *data, size_t n)
{
	char *v;

	if (k->too_big || k->len + n > API_BODY_MAX) {
		k->too_big = 1;
		return 0;
	}
	if (k->len + n > k->cap) {
		size_t cap = k->cap * 2 > k->len + n ? k->cap * 2 : k->len + n;

		v = realloc(k->body, cap);
		if (!v)
			return -1;
		k->body = v;
		k->cap = cap;
	}
	memcpy(k->body + k->len, data, n);
	k->len += n;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct api_server *s = cls;
	struct conn *k = *con_cls;
	struct api_out out;
	struct api_in in;
	char err[512] = "";
	struct timespec t0;
	struct reg *r;

	(void)version;
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return MHD_NO;
		*con_cls = k;
		return MHD_YES;
	}
	if (*upload_size) {
		if (body_add(k, upload, *upload_size))
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&out, 0, sizeof(out));
	if (k->too_big) {
		static const char msg[] = "{\"error\":\"request body is too large "
					  "(at most 65536 bytes)\"}\n";

		out.status = MHD_HTTP_CONTENT_TOO_LARGE;
		out.body = strdup(msg);
		out.len = out.body ? strlen(msg) : 0;
		return send_answer(c, &out);
	}
	r = thread_reg(s, err, sizeof(err));
	in = (struct api_in){
		.method = method,
		.path = url,
		.org_slug = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
							"org_slug"),
		.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.body = k->body,
		.body_len = k->len,
	};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_handle(r, err, &in, &out);
	access_log(&in, &out, &t0);
	return send_answer(c, &out);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *k = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (k) {
		free(k->body);
		free(k);
	}
	*con_cls = NULL;
}

int api_start(struct api_server **out, const struct sockaddr_storage *ss,
	      socklen_t sslen, unsigned threads, api_open_fn open, void *ctx,
	      char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	const union MHD_DaemonInfo *info;
	struct api_server *s;

	(void)sslen;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->open = open;
	s->ctx = ctx;
	pthread_mutex_init(&s->mu, NULL);
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "%s", errno ? strerror(errno) :
			 "libmicrohttpd could not start");
		pthread_mutex_destroy(&s->mu);
		free(s);
		return -1;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return 0;
}

uint16_t api_port(const struct api_server *s)
{
	return s->port;
}

void api_stop(struct api_server *s)
{
	size_t i;

	if (!s)
		return;
	MHD_stop_daemon(s->d);
	for (i = 0; i < s->n; i++)
		reg_close(s->regs[i]);
	free(s->regs);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
