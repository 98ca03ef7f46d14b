// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl monitor: a live stream of dropped packets from the `events` ring
 * buffer, in the manner of `cilium monitor --type drop`. The TC programs
 * rate-limit what they write (SIXPN_EVENTS_PER_SEC per CPU); each event says
 * how many drops before it went unreported. One reader at a time: a BPF ring
 * buffer has a single consumer position. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl/sixpnctl.h"
#include "sixpn_maps.h"
#include "sixpn_pin.h"

struct monitor {
	int json;
	long long reason;        /* -1: any */
	long long network;       /* -1: any */
	long long count;         /* stop after this many printed; 0: never */
	long long printed;
	__s64 mono_to_real_ns;   /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "DROP_CROSS_NETWORK", "drop_cross_network" or "cross_network". */
static long long parse_reason(const char *text)
{
	int r;

	for (r = 0; r < SIXPN_REASON_MAX; r++) {
		const char *name = sixpn_reason_names[r];

		if (!strcasecmp(text, name) ||
		    (!strncmp(name, "DROP_", 5) && !strcasecmp(text, name + 5)))
			return r;
	}
	return -1;
}

/* "24", "0x18" or "0:18" (the two address words, as sixpnctl addr prints). */
static long long parse_network(const char *text)
{
	unsigned long hi, lo;
	char *end;

	if (strchr(text, ':')) {
		errno = 0;
		hi = strtoul(text, &end, 16);
		if (errno || *end != ':' || hi > 0xffff)
			return -1;
		lo = strtoul(end + 1, &end, 16);
		if (errno || *end || lo > 0xffff)
			return -1;
		return (long long)(hi << 16 | lo);
	}
	errno = 0;
	hi = strtoul(text, &end, 0);
	if (errno || *end || !*text || hi > 0xffffffffUL)
		return -1;
	return (long long)hi;
}

static const char *proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmp6";
	default: snprintf(buf, len, "proto-%u", proto); return buf;
	}
}

static int event_net(const struct sixpn_ip6 *a)
{
	return sixpn_is_6pn(a) ? (int)sixpn_net_id(a) : -1;
}

static int matches(const struct monitor *m, const struct sixpn_drop_event *e)
{
	if (m->reason >= 0 && e->reason != m->reason)
		return 0;
	if (m->network >= 0) {
		if (!(e->flags & SIXPN_EVENT_F_HAS_IP6))
			return 0;
		if (event_net(&e->src) != m->network && event_net(&e->dst) != m->network)
			return 0;
	}
	return 1;
}

static void fmt_time(const struct monitor *m, __u64 ts_ns, char *buf, size_t len)
{
	__s64 real = (__s64)ts_ns + m->mono_to_real_ns;
	time_t secs = (time_t)(real / 1000000000LL);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06lldZ", base, (long long)(real % 1000000000LL) / 1000);
}

static const char *lookup_name(__u32 idx, const char *const *names, __u32 max)
{
	return idx < max ? names[idx] : "UNKNOWN";
}

static void print_json(const struct monitor *m, const struct sixpn_drop_event *e,
		       const char *when, const char *ifname)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pbuf[16];
	int has_ip = e->flags & SIXPN_EVENT_F_HAS_IP6, has_l4 = e->flags & SIXPN_EVENT_F_HAS_L4;
	struct json j;

	(void)m;
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", when);
	json_int(&j, "ts_ns", (int64_t)e->ts_ns);
	json_str(&j, "type", "drop");
	json_str(&j, "iface", ifname);
	json_int(&j, "ifindex", e->ifindex);
	json_str(&j, "hook", lookup_name(e->hook, sixpn_hook_names, SIXPN_HOOK_MAX));
	json_str(&j, "reason", lookup_name(e->reason, sixpn_reason_names, SIXPN_REASON_MAX));
	if (has_ip) {
		inet_ntop(AF_INET6, &e->src, src, sizeof(src));
		inet_ntop(AF_INET6, &e->dst, dst, sizeof(dst));
		json_str(&j, "src", src);
		json_str(&j, "dst", dst);
		if (event_net(&e->src) >= 0)
			json_int(&j, "src_network", event_net(&e->src));
		else
			json_null(&j, "src_network");
		if (event_net(&e->dst) >= 0)
			json_int(&j, "dst_network", event_net(&e->dst));
		else
			json_null(&j, "dst_network");
	} else {
		json_null(&j, "src");
		json_null(&j, "dst");
		json_null(&j, "src_network");
		json_null(&j, "dst_network");
	}
	if (has_l4) {
		json_str(&j, "proto", proto_name(e->l4_proto, pbuf, sizeof(pbuf)));
		json_int(&j, "proto_num", e->l4_proto);
		json_int(&j, "sport", e->sport);
		json_int(&j, "dport", e->dport);
	} else {
		json_null(&j, "proto");
		json_null(&j, "proto_num");
		json_null(&j, "sport");
		json_null(&j, "dport");
	}
	json_int(&j, "len", e->len);
	json_int(&j, "suppressed_before", e->suppressed);
	json_obj_end(&j);
}

/* 2025-06-01T12:00:00.123456Z drop DROP_CROSS_NETWORK on sxi1a (FROM_INSTANCE):
 *   [fdaa:0:18:...:2]:3333 -> [fdaa:0:19:...:2]:4000 udp len 71 */
static void print_text(const struct sixpn_drop_event *e, const char *when, const char *ifname)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pbuf[16];

	printf("%s drop %s on %s (%s): ", when,
	       lookup_name(e->reason, sixpn_reason_names, SIXPN_REASON_MAX), ifname,
	       lookup_name(e->hook, sixpn_hook_names, SIXPN_HOOK_MAX));
	if (!(e->flags & SIXPN_EVENT_F_HAS_IP6)) {
		printf("no IPv6 header");
	} else {
		inet_ntop(AF_INET6, &e->src, src, sizeof(src));
		inet_ntop(AF_INET6, &e->dst, dst, sizeof(dst));
		if ((e->flags & SIXPN_EVENT_F_HAS_L4) && (e->sport || e->dport))
			printf("[%s]:%u -> [%s]:%u %s", src, e->sport, dst, e->dport,
			       proto_name(e->l4_proto, pbuf, sizeof(pbuf)));
		else if (e->flags & SIXPN_EVENT_F_HAS_L4)
			printf("%s -> %s %s", src, dst, proto_name(e->l4_proto, pbuf, sizeof(pbuf)));
		else
			printf("%s -> %s", src, dst);
	}
	printf(" len %u", e->len);
	if (e->suppressed)
		printf(" (%u drops before it not reported)", e->suppressed);
	putchar('\n');
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct monitor *m = ctx;
	const struct sixpn_drop_event *e = data;
	char when[48], ifname[IF_NAMESIZE + 8];

	if (len < sizeof(*e) || !matches(m, e))
		return 0;
	if (!if_indextoname(e->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", e->ifindex);
	fmt_time(m, e->ts_ns, when, sizeof(when));
	if (m->json)
		print_json(m, e, when, ifname);
	else
		print_text(e, when, ifname);
	fflush(stdout);
	/* Stop the poll loop once enough were printed. */
	return m->count && ++m->printed >= m->count ? 1 : 0;
}

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int cmd_monitor(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("pin-dir", 1), OPT("reason", 1), OPT("network", 1),
			      OPT("count", 1), OPT_END };
	struct monitor m = { .json = c->json, .reason = -1, .network = -1 };
	const char *pin_dir, *v;
	struct ring_buffer *rb;
	struct sigaction sa = { .sa_handler = on_signal };
	char path[4096];
	int rc, n, fd, err = 0;

	rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, &n);
	if (rc)
		return rc;
	pin_dir = opt_pin_dir(opts);
	if ((v = opt_get(opts, "reason")) && (m.reason = parse_reason(v)) < 0)
		return cli_fail(c, EXIT_USAGE, "reason '%s' is invalid: want a name "
				"such as DROP_CROSS_NETWORK or cross_network", v);
	if ((v = opt_get(opts, "network")) && (m.network = parse_network(v)) < 0)
		return cli_fail(c, EXIT_USAGE, "network '%s' is invalid: want an ID "
				"such as 24, 0x18 or 0:18", v);
	if ((v = opt_get(opts, "count"))) {
		char *end;

		m.count = strtoll(v, &end, 10);
		if (*end || !*v || m.count < 1)
			return cli_fail(c, EXIT_USAGE, "count '%s' is invalid: want a "
					"positive number", v);
	}

	sixpn_map_pin_path(path, sizeof(path), pin_dir, SIXPN_MAP_EVENTS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return cli_fail(c, errno == ENOENT ? EXIT_NOTFOUND : EXIT_RUNTIME,
				"cannot open %s: %s (is sixpn loaded? see --pin-dir)",
				path, strerror(errno));
	m.mono_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	rb = ring_buffer__new(fd, on_event, &m, NULL);
	if (!rb) {
		err = errno;
		close(fd);
		return cli_fail(c, EXIT_RUNTIME, "cannot read %s: %s", path, strerror(err));
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!c->json)
		fprintf(stderr, "Listening for dropped packets on %s (at most %d events/s "
			"per CPU); Ctrl-C to stop.\n", path, SIXPN_EVENTS_PER_SEC);
	while (!stop && !(m.count && m.printed >= m.count)) {
		rc = ring_buffer__poll(rb, 200);
		if (rc < 0 && rc != -EINTR) {
			err = -rc;
			break;
		}
	}
	ring_buffer__free(rb);
	close(fd);
	if (err)
		return cli_fail(c, EXIT_RUNTIME, "reading %s: %s", path, strerror(err));
	return EXIT_OK;
}
