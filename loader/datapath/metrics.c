// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/metrics.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "lib/log.h"
#include "datapath/stats.h"

#define MAX_MAPS 64

struct collector {
	sixpn_metrics_fn fn;
	sixpn_gauge_fn gauge;
	const char *name, *help;
	void *ctx;
};

static struct {
	pthread_mutex_t lock;            /* guards collectors */
	struct collector collectors[SIXPN_METRICS_MAX_COLLECTORS];
	int ncollectors;
	struct MHD_Daemon *daemon;
	char pin_dir[PATH_MAX];
	int port;
} metrics = { .lock = PTHREAD_MUTEX_INITIALIZER };

void sixpn_metrics_family(struct sixpn_metrics_out *out, const char *name,
			  const char *type, const char *help)
{
	fprintf(out->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void sixpn_metrics_sample(struct sixpn_metrics_out *out, const char *name,
			  const char *labels, double value)
{
	if (labels && *labels)
		fprintf(out->f, "%s{%s} %.17g\n", name, labels, value);
	else
		fprintf(out->f, "%s %.17g\n", name, value);
}

/* Label values are the enum names in lowercase: FROM_INSTANCE -> from_instance. */
static const char *lower(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

static void write_counters(struct sixpn_metrics_out *out, const struct sixpn_stats *st,
			   const char *name, const char *help, int bytes)
{
	char labels[160], h[32], r[32];
	__u32 hook, reason;

	sixpn_metrics_family(out, name, "counter", help);
	/* Only what was seen: most (hook, reason) pairs can never happen. */
	for (hook = 0; hook < SIXPN_HOOK_MAX; hook++) {
		for (reason = 0; reason < SIXPN_REASON_MAX; reason++) {
			const struct sixpn_counter *c = &st->c[hook][reason];

			if (!c->packets)
				continue;
			snprintf(labels, sizeof(labels), "hook=\"%s\",verdict=\"%s\",reason=\"%s\"",
				 lower(sixpn_hook_names[hook], h, sizeof(h)),
				 sixpn_reason_verdict(reason),
				 lower(sixpn_reason_names[reason], r, sizeof(r)));
			sixpn_metrics_sample(out, name, labels,
					     (double)(bytes ? c->bytes : c->packets));
		}
	}
}

static void write_events(struct sixpn_metrics_out *out, const struct sixpn_stats *st)
{
	sixpn_metrics_family(out, "sixpn_drop_events_total", "counter",
			     "Dropped packets offered to the monitor ring: sent, suppressed by "
			     "the rate limit, or lost to a full ring.");
	sixpn_metrics_sample(out, "sixpn_drop_events_total", "outcome=\"sent\"",
			     (double)st->events.sent);
	sixpn_metrics_sample(out, "sixpn_drop_events_total", "outcome=\"suppressed\"",
			     (double)st->events.suppressed);
	sixpn_metrics_sample(out, "sixpn_drop_events_total", "outcome=\"lost\"",
			     (double)st->events.lost);
}

static void write_fill(struct sixpn_metrics_out *out, const char *pin_dir)
{
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "sixpn_map_entries", "gauge", "Entries in a hash-like sixpn map." },
		{ "sixpn_map_capacity", "gauge", "max_entries of a hash-like sixpn map." },
		{ "sixpn_map_fill_ratio", "gauge", "entries / capacity." },
		{ "sixpn_map_near_capacity", "gauge",
		  "1 when a map is at or above the warning fill level (90%)." },
	};
	struct sixpn_map_fill fill[MAX_MAPS];
	char labels[sizeof(fill[0].name) + 8];
	int n = sixpn_map_fill_read(pin_dir, fill, MAX_MAPS), i, f;

	for (f = 0; f < 4; f++) {
		sixpn_metrics_family(out, fam[f].name, fam[f].type, fam[f].help);
		for (i = 0; i < n; i++) {
			double v;

			snprintf(labels, sizeof(labels), "map=\"%.63s\"", fill[i].name);
			switch (f) {
			case 0: v = (double)fill[i].entries; break;
			case 1: v = (double)fill[i].capacity; break;
			case 2: v = fill[i].capacity ? (double)fill[i].entries / fill[i].capacity : 0; break;
			default: v = sixpn_map_fill_near(&fill[i]); break;
			}
			sixpn_metrics_sample(out, fam[f].name, labels, v);
		}
	}
}

int sixpn_metrics_write(struct sixpn_metrics_out *out, const char *pin_dir)
{
	struct sixpn_stats *st = malloc(sizeof(*st));
	int err = st ? sixpn_stats_read(pin_dir, st) : -ENOMEM;

	sixpn_metrics_family(out, "sixpn_up", "gauge",
			     "1 when sixpn's maps could be read from the pin directory.");
	sixpn_metrics_sample(out, "sixpn_up", NULL, err ? 0 : 1);
	if (!err) {
		write_counters(out, st, "sixpn_packets_total",
			       "Packets seen by sixpn's programs, by hook, verdict and reason.", 0);
		write_counters(out, st, "sixpn_bytes_total",
			       "Bytes seen by sixpn's programs, by hook, verdict and reason.", 1);
		if (st->has_events)
			write_events(out, st);
		write_fill(out, pin_dir);
		sixpn_fc_metrics_write(out, pin_dir, st);
	}
	free(st);
	return err;
}

static void write_collectors(struct sixpn_metrics_out *out)
{
	int i;

	pthread_mutex_lock(&metrics.lock);
	for (i = 0; i < metrics.ncollectors; i++) {
		struct collector *c = &metrics.collectors[i];

		if (c->fn) {
			c->fn(out, c->ctx);
		} else {
			sixpn_metrics_family(out, c->name, "gauge", c->help);
			sixpn_metrics_sample(out, c->name, NULL, c->gauge(c->ctx));
		}
	}
	pthread_mutex_unlock(&metrics.lock);
}

static int add_collector(const struct collector *c)
{
	int err = 0;

	pthread_mutex_lock(&metrics.lock);
	if (metrics.ncollectors == SIXPN_METRICS_MAX_COLLECTORS)
		err = -ENOSPC;
	else
		metrics.collectors[metrics.ncollectors++] = *c;
	pthread_mutex_unlock(&metrics.lock);
	return err;
}

int sixpn_metrics_register(sixpn_metrics_fn fn, void *ctx)
{
	struct collector c = { .fn = fn, .ctx = ctx };

	return fn ? add_collector(&c) : -EINVAL;
}

int sixpn_metrics_add_gauge(const char *name, const char *help, sixpn_gauge_fn fn, void *ctx)
{
	struct collector c = { .gauge = fn, .name = name, .help = help, .ctx = ctx };

	return fn && name && help ? add_collector(&c) : -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct sixpn_metrics_out out;
	char *body = NULL;
	size_t len = 0;

	(void)cls; (void)version; (void)upload_data; (void)upload_data_size; (void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     strdup("only GET\n"), 9);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
			     strdup("sixpn: metrics are at /metrics\n"), 31);
	out.f = open_memstream(&body, &len);
	if (!out.f)
		return MHD_NO;
	sixpn_metrics_write(&out, metrics.pin_dir);
	write_collectors(&out);
	fclose(out.f);
	return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

/* "host:port", "[v6]:port" or ":port". */
static int parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(text, ':');
	unsigned long port;
	char *end;
	size_t hlen;

	if (!colon)
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || port > 65535)
		return -EINVAL;
	hlen = (size_t)(colon - text);
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hlen == 0 || (host[0] == '[' && host[hlen - 1] == ']')) {
		if (hlen) {
			host[hlen - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
				return -EINVAL;
		} else {
			s6->sin6_addr = in6addr_any;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -EINVAL;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*sslen = sizeof(*s4);
	return 0;
}

int sixpn_metrics_start(const char *addr_port, const char *pin_dir)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	socklen_t sslen;
	int err;

	if (metrics.daemon)
		return -EALREADY;
	err = parse_addr(addr_port, &ss, &sslen);
	if (err) {
		log_error("msg=\"bad metrics address, want HOST:PORT or [V6]:PORT\" addr=%s", addr_port);
		return err;
	}
	if (snprintf(metrics.pin_dir, sizeof(metrics.pin_dir), "%s", pin_dir) >= (int)sizeof(metrics.pin_dir))
		return -ENAMETOOLONG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	metrics.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
					  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
					  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
					  MHD_OPTION_END);
	if (!metrics.daemon) {
		err = errno ? -errno : -EADDRINUSE;
		log_error("msg=\"cannot serve metrics\" addr=%s err=\"%s\"", addr_port, strerror(-err));
		return err;
	}
	info = MHD_get_daemon_info(metrics.daemon, MHD_DAEMON_INFO_BIND_PORT);
	metrics.port = info ? info->port : 0;
	log_info("msg=\"serving metrics\" addr=%s port=%d path=/metrics", addr_port, metrics.port);
	return 0;
}

int sixpn_metrics_port(void)
{
	return metrics.daemon ? metrics.port : 0;
}

void sixpn_metrics_stop(void)
{
	if (!metrics.daemon)
		return;
	MHD_stop_daemon(metrics.daemon);
	metrics.daemon = NULL;
	metrics.port = 0;
}
