// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnd: the sixpn host agent. Loads and pins the datapath, plumbs the
 * host, and keeps both in step with the registry. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "datapath/bpffs.h"
#include "datapath/metrics.h"
#include "host/plumb.h"
#include "etcd/etcd.h"
#include "registry/registry.h"
#include "resolver/resolver.h"
#include "sixpn_pin.h"
#include "datapath/stats.h"
#include "agent/sync.h"
#include "agent/notify.h"

#define EXIT_USAGE 2
#define DEFAULT_KEY_FILE "/etc/sixpn/host.key"
#define DEFAULT_PEERS_KEY_FILE "/etc/sixpn/peers.key"
#define DEFAULT_DNS_DEV "sixpn0"
/* Machines whose interface is not there yet are retried this often. */
#define RETRY_MS 100
/* The change log is also polled this often, in case inotify misses a
 * commit (a registry on a filesystem without inotify). */
#define POLL_MS 1000

/* A commit's writes to the WAL fire inotify before the commit is visible:
 * SQLite publishes it in the WAL index (shared memory, which inotify does
 * not see) only once the WAL is synced, and a writer that keeps its
 * connection open (sixpnctl serve) writes nothing after that. So a pass
 * woken by inotify may have read just before the commit that woke it; the
 * loop reads again RECHECK_FIRST_MS later, then at doubling intervals,
 * RECHECK_N times (511 ms in all), until a re-read finds something new.
 * Writers take turns (SQLite's write lock), so only the last commit whose
 * writes were drained can still be unpublished: the first re-read that
 * finds anything found it, and a later commit writes, so wakes the loop by
 * inotify again, after that. */
#define RECHECK_FIRST_MS 1
#define RECHECK_N 9

struct recheck {
	int left;                    /* re-reads still to do (0: none due) */
	int ms;                      /* until the next one */
};

/* What woke the main loop, counted for sixpn_sync_wakeups_total: the
 * mirror's commit (reg_mirror_fd), inotify on the registry's directory,
 * a re-read after inotify (struct recheck), the poll interval. A commit
 * applied only at the timer waited for it. */
enum wake { WAKE_MIRROR, WAKE_REGISTRY, WAKE_RECHECK, WAKE_TIMER, WAKE_N };
static const char *const wake_label[WAKE_N] = {
	[WAKE_MIRROR] = "by=\"mirror\"",
	[WAKE_REGISTRY] = "by=\"registry\"",
	[WAKE_RECHECK] = "by=\"recheck\"",
	[WAKE_TIMER] = "by=\"timer\"",
};
static unsigned long long wakeups[WAKE_N];

static const char usage[] =
	"Usage: sixpnd --host HOST_ID [OPTIONS]\n"
	"       sixpnd --detach [--pin-dir DIR]\n"
	"\n"
	"The sixpn host agent: loads and pins the BPF datapath, attaches it to the\n"
	"mesh and peers devices and to every machine of this host, plumbs routes\n"
	"and WireGuard peers, and follows the registry's changes.\n"
	"\n"
	"Options:\n"
	"  --registry PATH        registry database (default $SIXPN_REGISTRY, else\n"
	"                         " REG_DEFAULT_PATH ")\n"
	"  --host HOST_ID         this host's 32-bit host field, e.g. a7b:174\n"
	"  --mesh-dev DEV         the host-to-host WireGuard device\n"
	"  --peers-dev DEV        the WireGuard device for peers (gateway hosts)\n"
	"  --key-file FILE        mesh device private key (default " DEFAULT_KEY_FILE ")\n"
	"  --peers-key-file FILE  peers device private key (default " DEFAULT_PEERS_KEY_FILE ")\n"
	"  --pin-dir DIR          bpffs directory (default " SIXPN_PIN_DIR_DEFAULT ")\n"
	"  --dns-dev DEV          device that holds fdaa::3 (default " DEFAULT_DNS_DEV ")\n"
	"  --upstream ADDR        upstream resolver for names outside .internal\n"
	"                         (repeatable; default: /etc/resolv.conf)\n"
	"  --metrics ADDR:PORT    serve Prometheus metrics there\n"
	"  --etcd URLS            the fleet's registry on etcd (comma-separated; default\n"
	"                         $SIXPN_ETCD): --registry PATH becomes its local mirror\n"
	"  --etcd-prefix P        its key prefix (default " ETCD_DEFAULT_PREFIX ")\n"
	"  --etcd-cacert F, --etcd-cert F, --etcd-key F   TLS to etcd\n"
	"  --etcd-user U, --etcd-password-file F          etcd auth (or $SIXPN_ETCD_PASSWORD)\n"
	"  --once                 reconcile once and exit\n"
	"  --no-xdp               leave the XDP DNS fast path off (the resolver answers all)\n"
	"  --names-max N          size of the DNS names map when it is created (default\n"
	"                         262144; a fleet has ~2.5 names per machine)\n"
	"  --names-quota N        at most N names of one network in the names map\n"
	"                         (default: its capacity / 8, at least 4096; 0: no\n"
	"                         quota); the resolver answers the names left out\n"
	"  --passup-rate Q, --passup-burst B\n"
	"                         queries/s (burst) one instance or peer may have the\n"
	"                         fast path pass up to the resolver; more are dropped\n"
	"                         (default 200/s, 400; 0: no limit)\n"
	"  --passup-net-rate Q, --passup-net-burst B\n"
	"                         the same for a whole network (default 1000/s, 2000)\n"
	"  --detach-on-exit       on SIGTERM/SIGINT, remove the datapath too\n"
	"  --detach               remove everything sixpn attached and pinned, then exit\n"
	"  --allow-private-bpffs  run even when the pin directory is on a bpffs that is\n"
	"                         not the host's (see below)\n"
	"  -v, --verbose          debug logging\n"
	"  -h, --help             this help\n"
	"\n"
	"On SIGTERM the datapath stays loaded (pinned) so traffic keeps flowing;\n"
	"a restarted sixpnd picks it up without detaching anything. SIGHUP runs a\n"
	"full reconcile.\n"
	"\n"
	"The pins must be on the host's bpffs: one that only this process's mount\n"
	"namespace has, such as the one sixpnd would mount under `ip netns exec`,\n"
	"vanishes with the process, and kill -9 would take the datapath down. sixpnd\n"
	"refuses to start on one; run it in a network namespace with\n"
	"`nsenter --net=/run/netns/NAME sixpnd ...`, or mount bpffs on the host.\n"
	"\n"
	"Exit status: 0 clean exit, 1 cannot start or failed, 2 usage error,\n"
	"7 etcd refused the credentials at start (--etcd-user, password, role).\n";

struct options {
	struct sync_opts sync;
	const char *upstreams[8];
	int n_upstreams;
	const char *metrics;
	bool once, detach, detach_on_exit, allow_private_bpffs;
	struct etcd_cfg etcd;        /* --etcd*: mirror the registry from etcd */
	struct reg_mirror *mirror;
};

/* A decimal or 0x count, 0 included. */
static int parse_count(const char *text, uint32_t *v)
{
	unsigned long l;
	char *end;

	errno = 0;
	l = strtoul(text, &end, 0);
	if (errno || *text < '0' || *text > '9' || *end || l > UINT32_MAX)
		return -1;
	*v = (uint32_t)l;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "registry", required_argument, NULL, 'r' },
		{ "host", required_argument, NULL, 'H' },
		{ "mesh-dev", required_argument, NULL, 'm' },
		{ "peers-dev", required_argument, NULL, 'p' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "peers-key-file", required_argument, NULL, 'K' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "dns-dev", required_argument, NULL, 'd' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "once", no_argument, NULL, 'o' },
		{ "no-xdp", no_argument, NULL, 'X' },
		{ "names-max", required_argument, NULL, 'N' },
		{ "names-quota", required_argument, NULL, 'Q' },
		{ "passup-rate", required_argument, NULL, 1000 },
		{ "passup-burst", required_argument, NULL, 1001 },
		{ "passup-net-rate", required_argument, NULL, 1002 },
		{ "passup-net-burst", required_argument, NULL, 1003 },
		{ "detach", no_argument, NULL, 'D' },
		{ "detach-on-exit", no_argument, NULL, 'E' },
		{ "allow-private-bpffs", no_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "etcd", required_argument, NULL, 1100 },
		{ "etcd-prefix", required_argument, NULL, 1101 },
		{ "etcd-cacert", required_argument, NULL, 1102 },
		{ "etcd-cert", required_argument, NULL, 1103 },
		{ "etcd-key", required_argument, NULL, 1104 },
		{ "etcd-user", required_argument, NULL, 1105 },
		{ "etcd-password-file", required_argument, NULL, 1106 },
		{ 0 },
	};
	char err[256];
	bool have_host = false;
	int c, li = 0;

	o->sync.key_file = DEFAULT_KEY_FILE;
	o->sync.peers_key_file = DEFAULT_PEERS_KEY_FILE;
	o->sync.pin_dir = SIXPN_PIN_DIR_DEFAULT;
	o->sync.dns_dev = DEFAULT_DNS_DEV;
	o->sync.names_quota = -1;
	o->sync.passup_rate = o->sync.passup_burst = -1;
	o->sync.passup_net_rate = o->sync.passup_net_burst = -1;
	while ((c = getopt_long(argc, argv, "vh", longopts, &li)) != -1) {
		switch (c) {
		case 'r': o->sync.registry = optarg; break;
		case 'H':
			if (reg_parse_host_id(optarg, &o->sync.host_id, err, sizeof(err))) {
				fprintf(stderr, "sixpnd: %s\n", err);
				return EXIT_USAGE;
			}
			have_host = true;
			break;
		case 'm': o->sync.mesh_dev = optarg; break;
		case 'p': o->sync.peers_dev = optarg; break;
		case 'k': o->sync.key_file = optarg; break;
		case 'K': o->sync.peers_key_file = optarg; break;
		case 'P': o->sync.pin_dir = optarg; break;
		case 'd': o->sync.dns_dev = optarg; break;
		case 'u':
			if (o->n_upstreams == (int)(sizeof(o->upstreams) / sizeof(o->upstreams[0]))) {
				fprintf(stderr, "sixpnd: too many --upstream (at most 8)\n");
				return EXIT_USAGE;
			}
			o->upstreams[o->n_upstreams++] = optarg;
			break;
		case 'M': o->metrics = optarg; break;
		case 1100:
			if (etcd_cfg_endpoints(&o->etcd, optarg, err, sizeof(err))) {
				fprintf(stderr, "sixpnd: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 1101: o->etcd.prefix = optarg; break;
		case 1102: o->etcd.cacert = optarg; break;
		case 1103: o->etcd.cert = optarg; break;
		case 1104: o->etcd.key = optarg; break;
		case 1105: o->etcd.user = optarg; break;
		case 1106:
			if (etcd_cfg_password_file(&o->etcd, optarg, err, sizeof(err))) {
				fprintf(stderr, "sixpnd: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 'o': o->once = true; break;
		case 'X': o->sync.no_xdp = true; break;
		case 'N':
			if (parse_count(optarg, &o->sync.names_max) || !o->sync.names_max) {
				fprintf(stderr, "sixpnd: --names-max wants a number of names above 0, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'Q':
		case 1000:
		case 1001:
		case 1002:
		case 1003: {
			int64_t *to[] = { &o->sync.names_quota, &o->sync.passup_rate,
					  &o->sync.passup_burst, &o->sync.passup_net_rate,
					  &o->sync.passup_net_burst };
			uint32_t v;

			if (parse_count(optarg, &v)) {
				fprintf(stderr, "sixpnd: --%s wants a number, not '%s'\n",
					longopts[li].name, optarg);
				return EXIT_USAGE;
			}
			*to[c == 'Q' ? 0 : c - 1000 + 1] = v;
			break;
		}
		case 'D': o->detach = true; break;
		case 'E': o->detach_on_exit = true; break;
		case 'B': o->allow_private_bpffs = true; break;
		case 'v': sixpn_log_threshold = SIXPN_LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs("Try 'sixpnd --help'.\n", stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sixpnd: unexpected argument '%s'\nTry 'sixpnd --help'.\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!have_host && !o->detach) {
		fprintf(stderr, "sixpnd: --host HOST_ID is required\nTry 'sixpnd --help'.\n");
		return EXIT_USAGE;
	}
	return 0;
}

static double gauge_last_sync(void *ctx)
{
	const struct sync *s = ctx;

	return s->stats.last_sync.tv_sec + s->stats.last_sync.tv_nsec / 1e9;
}

static double gauge_seq(void *ctx)
{
	return (double)((const struct sync *)ctx)->stats.seq;
}

static double gauge_lag(void *ctx)
{
	return ((const struct sync *)ctx)->stats.last_lag_ms / 1000.0;
}

static double gauge_bad_rows(void *ctx)
{
	return (double)((const struct sync *)ctx)->stats.bad_rows;
}

static double gauge_full_syncs(void *ctx)
{
	return (double)((const struct sync *)ctx)->stats.full_syncs;
}

/* The names quota's families (loader/agent/names_sync.h). */
static void names_quota_metrics(struct sixpn_metrics_out *out, void *ctx)
{
	const struct names_sync *n = &((const struct sync *)ctx)->names;

	sixpn_metrics_family(out, "sixpn_names_quota", "gauge",
			     "Names of one network the names map takes (--names-quota; 0: no quota)");
	sixpn_metrics_sample(out, "sixpn_names_quota", NULL, n->quota);
	sixpn_metrics_family(out, "sixpn_names_networks_over_quota", "gauge",
			     "Networks with names left out of the names map (the resolver answers them)");
	sixpn_metrics_sample(out, "sixpn_names_networks_over_quota", NULL,
			     (double)__atomic_load_n(&n->qstats.networks_over, __ATOMIC_RELAXED));
	sixpn_metrics_family(out, "sixpn_names_left_out", "gauge",
			     "Names left out of the names map by the quotas");
	sixpn_metrics_sample(out, "sixpn_names_left_out", NULL,
			     (double)__atomic_load_n(&n->qstats.left_out, __ATOMIC_RELAXED));
	sixpn_metrics_family(out, "sixpn_names_quota_hits_total", "counter",
			     "Times a network went over its names quota");
	sixpn_metrics_sample(out, "sixpn_names_quota_hits_total", NULL,
			     (double)__atomic_load_n(&n->qstats.hits, __ATOMIC_RELAXED));
}

static double gauge_etcd_connected(void *ctx)
{
	struct reg_mirror_status st;

	reg_mirror_status(ctx, &st);
	return st.connected;
}

static double gauge_etcd_lag(void *ctx)
{
	struct reg_mirror_status st;

	reg_mirror_status(ctx, &st);
	return st.registry_revision > st.applied_revision ?
	       (double)(st.registry_revision - st.applied_revision) : 0;
}

static double gauge_etcd_applied(void *ctx)
{
	struct reg_mirror_status st;

	reg_mirror_status(ctx, &st);
	return (double)st.applied_revision;
}

static double gauge_etcd_bad(void *ctx)
{
	struct reg_mirror_status st;

	reg_mirror_status(ctx, &st);
	return (double)st.bad_rows;
}

static void mirror_counters(struct sixpn_metrics_out *out, void *ctx)
{
	struct reg_mirror_status st;

	reg_mirror_status(ctx, &st);
	sixpn_metrics_family(out, "sixpn_registry_relists_total", "counter",
			     "Full lists of etcd into the mirror (start, a compaction past it)");
	sixpn_metrics_sample(out, "sixpn_registry_relists_total", NULL, (double)st.relists);
	sixpn_metrics_family(out, "sixpn_registry_watch_resumes_total", "counter",
			     "Watches of etcd started again from the last applied revision, no list");
	sixpn_metrics_sample(out, "sixpn_registry_watch_resumes_total", NULL, (double)st.resumes);
}

static void wakeup_metrics(struct sixpn_metrics_out *out, void *ctx)
{
	int i;

	(void)ctx;
	sixpn_metrics_family(out, "sixpn_sync_wakeups_total", "counter",
			     "Times sixpnd's main loop woke to read the registry, by what woke it "
			     "(mirror: the etcd mirror committed; registry: inotify on its "
			     "directory; recheck: a re-read shortly after inotify, for a commit "
			     "not yet visible then; timer: the poll interval)");
	for (i = 0; i < WAKE_N; i++)
		sixpn_metrics_sample(out, "sixpn_sync_wakeups_total", wake_label[i],
				     (double)__atomic_load_n(&wakeups[i], __ATOMIC_RELAXED));
}

static void woke(enum wake w)
{
	__atomic_fetch_add(&wakeups[w], 1, __ATOMIC_RELAXED);
}

/* Flycast's counter of sixpnd's own (the maps' families are the
 * datapath's, read from the pins). */
static void flycast_metrics(struct sixpn_metrics_out *out, void *ctx)
{
	const struct fc_sync *f = &((const struct sync *)ctx)->flycast;

	sixpn_metrics_family(out, "sixpn_flycast_flows_reset_total", "counter",
			     "Flycast flows forgotten because their backend left the registry "
			     "(the next packet is balanced anew; TCP is reset by the new backend)");
	sixpn_metrics_sample(out, "sixpn_flycast_flows_reset_total", NULL,
			     (double)__atomic_load_n(&f->stats.flows_reset, __ATOMIC_RELAXED));
}

/* The registry mirror's gauges (sixpnd --etcd). */
static void add_mirror_metrics(struct reg_mirror *m)
{
	sixpn_metrics_add_gauge("sixpn_registry_connected",
				"1 while etcd answers and the mirror's watch runs", gauge_etcd_connected, m);
	sixpn_metrics_add_gauge("sixpn_registry_revision_lag",
				"Registry revisions committed in etcd that the mirror has not applied",
				gauge_etcd_lag, m);
	sixpn_metrics_add_gauge("sixpn_registry_applied_revision",
				"The etcd revision the local mirror holds", gauge_etcd_applied, m);
	sixpn_metrics_add_gauge("sixpn_registry_bad_rows",
				"Values in etcd the mirror skipped (logged with their key)", gauge_etcd_bad, m);
	sixpn_metrics_register(mirror_counters, m);
}

/* sixpnd's exit status when etcd refuses the credentials at start: a
 * setup error no retry fixes (sixpnctl's EXIT_PERM, the same number). */
#define SIXPND_EXIT_ETCD_AUTH 7

/* sixpnd --etcd: --registry PATH becomes the local mirror, kept by
 * threads of the registry library; sync reads it as it reads any file.
 * 0, or the exit status. */
static int start_mirror(struct options *o)
{
	const char *path = o->sync.registry ? o->sync.registry : reg_default_path();
	char err[512];

	if (etcd_cfg_env(&o->etcd, err, sizeof(err))) {
		log_error("msg=\"bad SIXPN_ETCD\" err=\"%s\"", err);
		return -1;
	}
	if (!o->etcd.n_endpoints)
		return 0;
	if (o->etcd.user && !o->etcd.password[0]) {
		log_error("msg=\"--etcd-user needs a password: --etcd-password-file or SIXPN_ETCD_PASSWORD\"");
		return -1;
	}
	if (o->once) {
		int rc = reg_mirror_once(&o->etcd, path, err, sizeof(err));

		if (rc == REG_EPERM) {
			log_error("msg=\"etcd refused the credentials (--etcd-user, its "
				  "password, its role)\" err=\"%s\"", err);
			return SIXPND_EXIT_ETCD_AUTH;
		}
		if (rc) {
			log_warn("msg=\"etcd unreachable: using the mirror as it is\" err=\"%s\"", err);
			return access(path, F_OK) ? 1 : 0;
		}
		return 0;
	}
	if (reg_mirror_start(&o->mirror, &o->etcd, path, err, sizeof(err))) {
		log_error("msg=\"cannot start the registry mirror\" path=%s err=\"%s\"", path, err);
		return -1;
	}
	{
		const char *ttl = getenv("SIXPN_ETCD_LEASE_TTL");

		reg_mirror_announce(o->mirror, o->sync.host_id, ttl ? atoi(ttl) : 10);
	}
	if (reg_mirror_wait(o->mirror, 5000)) {
		struct reg_mirror_status st;

		reg_mirror_status(o->mirror, &st);
		if (st.auth_refused) {
			/* a wrong user, password or role: serving a stale mirror
			 * for ever would hide it; an outage later is served */
			log_error("msg=\"etcd refused the credentials (--etcd-user, its "
				  "password, its role): not starting\" path=%s", path);
			reg_mirror_stop(o->mirror);
			o->mirror = NULL;
			return SIXPND_EXIT_ETCD_AUTH;
		}
		log_warn("msg=\"etcd not listed yet: serving from the mirror as it is\" path=%s", path);
	}
	return 0;
}

static int start_metrics(const char *addr, struct sync *s)
{
	int err = sixpn_metrics_start(addr, s->o.pin_dir);

	if (err)
		return err;
	sixpn_metrics_add_gauge("sixpn_sync_last_timestamp_seconds",
				"When sixpnd last applied the registry (unix time)", gauge_last_sync, s);
	sixpn_metrics_add_gauge("sixpn_sync_change_seq",
				"The registry change-log sequence number last applied", gauge_seq, s);
	sixpn_metrics_add_gauge("sixpn_sync_lag_seconds",
				"Commit to applied, of the last change (second resolution of the change log)",
				gauge_lag, s);
	sixpn_metrics_add_gauge("sixpn_sync_bad_rows",
				"Registry rows skipped as unusable since start", gauge_bad_rows, s);
	sixpn_metrics_add_gauge("sixpn_sync_full_passes",
				"Full reconcile passes since start", gauge_full_syncs, s);
	sixpn_metrics_register(names_quota_metrics, s);
	sixpn_metrics_register(flycast_metrics, s);
	log_info("msg=\"serving metrics\" addr=%s port=%d", addr, sixpn_metrics_port());
	return 0;
}

/* The userspace resolver (loader/resolver/resolver.h), in a thread of its own. */
static int start_resolver(const struct options *o, struct sixpn_resolver **out)
{
	struct sixpn_resolver_opts ro = {
		.registry = o->sync.registry,
		.upstreams = o->upstreams,
		.n_upstreams = o->n_upstreams,
		/* the main loop says when the registry changed (main) */
		.registry_notified = true,
	};

	/* Not fatal: the datapath and the XDP fast path serve without it. */
	if (sixpn_resolver_start(out, &ro)) {
		log_error("msg=\"running without the userspace resolver\"");
		return 0;
	}
	if (o->metrics && sixpn_resolver_metrics_register(*out))
		log_warn("msg=\"cannot export the resolver's metrics\"");
	return 0;
}

/* sync's on_snapshot: what the pass read, the resolver's next batch of
 * queries reads too, before the fast path shows it. */
static void resolver_registry_read(void *res)
{
	sixpn_resolver_registry_changed(res);
}

static int detach_everything(const struct options *o)
{
	struct plumb *p;
	struct sixpn_bpf b;
	int err = 0;

	if (!plumb_open(&p, o->sync.dns_dev)) {
		err = plumb_prune_routes(p, NULL, NULL);
		if (err > 0)
			log_info("msg=\"removed stale routes\" count=%d", err);
		if (err < 0 || (err = plumb_remove_dns_addrs(p)))
			log_error("msg=\"cannot plumb the host\" err=\"%s\"", plumb_err(p));
		plumb_close(p);
		err = 0;
	}
	if (access(o->sync.pin_dir, F_OK)) {
		log_info("msg=\"nothing pinned\" pin_dir=%s", o->sync.pin_dir);
		return 0;
	}
	err = sixpn_bpf_open(&b, o->sync.pin_dir);
	if (err)
		return 1;
	err = sixpn_unload(&b);
	sixpn_bpf_close(&b);
	log_info("msg=\"detached and unpinned\" pin_dir=%s err=%d", o->sync.pin_dir, err);
	return err ? 1 : 0;
}

/* Counting a map's entries walks its keys, so the fill check runs once a
 * minute (and after each full pass), not on the fast path of a change. */
#define FILL_CHECK_SECS 60

/* Warns once when a map reaches SIXPN_FILL_WARN_PCT of its capacity, before
 * inserts start failing, and once more when it is back below. */
static void check_map_fill(const char *pin_dir)
{
	static char warned[16][64];
	struct sixpn_map_fill f[16];
	int n = sixpn_map_fill_read(pin_dir, f, 16), i, j;

	for (i = 0; i < n; i++) {
		int slot = -1;

		for (j = 0; j < 16; j++)
			if (!strcmp(warned[j], f[i].name))
				slot = j;
		if (sixpn_map_fill_near(&f[i]) && slot < 0) {
			log_warn("msg=\"map nearly full: inserts will fail at capacity\" map=%s entries=%llu capacity=%llu",
				 f[i].name, (unsigned long long)f[i].entries,
				 (unsigned long long)f[i].capacity);
			for (j = 0; j < 16 && warned[j][0]; j++)
				;
			if (j < 16)
				memcpy(warned[j], f[i].name, sizeof(warned[j]));
		} else if (!sixpn_map_fill_near(&f[i]) && slot >= 0) {
			log_info("msg=\"map below the warning level again\" map=%s entries=%llu capacity=%llu",
				 f[i].name, (unsigned long long)f[i].entries,
				 (unsigned long long)f[i].capacity);
			warned[slot][0] = '\0';
		}
	}
}

/* Watches the registry's directory: every commit writes the database or
 * its WAL file there. */
static int watch_registry(const char *path)
{
	char dir[PATH_MAX], *slash;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	/* IN_DELETE: a registry deleted under sixpnd is news too. */
	if (inotify_add_watch(fd, dir, IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				       IN_DELETE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* After a pass woken by inotify: the re-reads from the first again. */
static void recheck_arm(struct recheck *r)
{
	r->left = RECHECK_N;
	r->ms = RECHECK_FIRST_MS;
}

/* After a re-read: done once it found something new or none is left. */
static void recheck_done(struct recheck *r, bool found)
{
	if (found || !--r->left)
		r->left = 0;
	else
		r->ms *= 2;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct sync s;
	struct sixpn_resolver *res = NULL;
	struct pollfd pfd[3];
	struct recheck rk = { 0 };
	sigset_t mask;
	int rc, sfd, ifd;
	bool detach = false;
	time_t last_fill_check;
	double t_open, t_full;

	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	if (sixpn_bpffs_check("sixpnd", o.sync.pin_dir, o.allow_private_bpffs))
		return 1;
	if (o.detach)
		return detach_everything(&o);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	/* With --etcd, the mirror first: the resolver and sync read its file. */
	rc = start_mirror(&o);
	if (rc)
		return rc < 0 ? 1 : rc;
	/* The resolver next: it needs neither the datapath nor fdaa::3 (it
	 * binds the wildcard, IPV6_FREEBIND), and loading the BPF objects
	 * takes most of a second, which a restart would otherwise add to the
	 * time the resolver is away. The fast path answers on meanwhile. */
	if (!o.once && start_resolver(&o, &res)) {
		reg_mirror_stop(o.mirror);
		return 1;
	}
	o.sync.on_snapshot = resolver_registry_read;
	o.sync.on_snapshot_ctx = res;
	t_open = sixpn_log_ms();
	if (sync_open(&s, &o.sync)) {
		log_error("msg=\"sixpnd cannot start\"");
		sixpn_resolver_stop(res);
		sync_close(&s, false);
		reg_mirror_stop(o.mirror);
		return 1;
	}
	t_full = sixpn_log_ms();
	rc = sync_full(&s);
	if (o.once) {
		double t_close = sixpn_log_ms();

		/* the names model of a million machines frees in a third of a
		 * second, for nothing: the process ends */
		sync_close_exiting(&s, false);
		log_debug("msg=\"once\" open_ms=%.0f full_ms=%.0f close_ms=%.0f", t_full - t_open,
			  t_close - t_full, sixpn_log_ms() - t_close);
		reg_mirror_stop(o.mirror);
		return rc ? 1 : 0;
	}
	if (o.metrics && start_metrics(o.metrics, &s)) {
		reg_mirror_stop(o.mirror);
		sixpn_resolver_stop(res);
		sync_close(&s, false);
		return 1;
	}
	if (o.metrics)
		sixpn_metrics_register(wakeup_metrics, NULL);
	if (o.metrics && o.mirror)
		add_mirror_metrics(o.mirror);
	ifd = watch_registry(reg_path(s.reg));
	if (ifd < 0)
		log_warn("msg=\"cannot watch the registry; polling\" path=%s", reg_path(s.reg));
	log_info("msg=\"sixpnd running\" host=%08x registry=%s pin_dir=%s", o.sync.host_id,
		 reg_path(s.reg), o.sync.pin_dir);

	notify_sync_state(&s);
	check_map_fill(o.sync.pin_dir);
	last_fill_check = time(NULL);
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = ifd, .events = POLLIN };
	/* with --etcd, the mirror's commits (-1 without: poll skips it) */
	pfd[2] = (struct pollfd){ .fd = reg_mirror_fd(o.mirror), .events = POLLIN };
	for (;;) {
		int timeout = s.have_pending || s.need_full || s.reg_state ? RETRY_MS : POLL_MS;
		bool by_inotify = false, rechecking = rk.left && rk.ms < timeout;
		int64_t seq = s.stats.seq;
		int n = poll(pfd, 3, rechecking ? rk.ms : timeout);

		if (n < 0 && errno != EINTR) {
			log_error("msg=\"poll failed\" err=\"%s\"", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_info("msg=\"SIGHUP: full reconcile\"");
					notify_reloading();
					sync_full(&s);
					notify_reloaded(&s);
					continue;
				}
				log_info("msg=\"exiting\" signal=%u datapath=%s", si.ssi_signo,
					 o.detach_on_exit ? "removed" : "left in place");
				detach = o.detach_on_exit;
				notify_stopping(detach);
				break;
			}
		}
		if (n == 0)
			woke(rechecking ? WAKE_RECHECK : WAKE_TIMER);
		if (pfd[2].fd >= 0 && (pfd[2].revents & POLLIN)) {
			drain(pfd[2].fd);
			woke(WAKE_MIRROR);
		}
		if (ifd >= 0 && (pfd[1].revents & POLLIN)) {
			drain(ifd);
			woke(WAKE_REGISTRY);
			by_inotify = true;
		}
		sync_registry_check(&s);
		if (s.need_full)
			sync_full(&s);
		else
			sync_changes(&s);
		/* whatever this pass found, the last commit whose writes woke
		 * it may not be visible yet (struct recheck) */
		if (by_inotify)
			recheck_arm(&rk);
		else if (n == 0 && rechecking)
			recheck_done(&rk, s.stats.seq != seq);
		sync_retry_pending(&s);
		/* and whatever a pass saw without taking a snapshot (a commit
		 * that logs no change: region coordinates; a swapped file) */
		sixpn_resolver_registry_changed(res);
		notify_sync_state(&s);
		if (time(NULL) - last_fill_check >= FILL_CHECK_SECS) {
			check_map_fill(o.sync.pin_dir);
			last_fill_check = time(NULL);
		}
	}
	if (o.metrics)
		sixpn_metrics_stop();
	sixpn_resolver_stop(res);
	reg_mirror_stop(o.mirror);
	/* a restart is not held up freeing the model */
	sync_close_exiting(&s, detach);
	etcd_cfg_free(&o.etcd);
	return 0;
}
