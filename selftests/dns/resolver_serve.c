// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* resolver_serve: runs sixpnd's resolver (loader/resolver/resolver.h) alone, for
 * selftests/dns/test_resolver.sh:
 *
 *   resolver_serve --registry PATH [--listen [ADDR]:PORT] [--upstream ADDR]...
 *                  [--timeout-ms MS] [--resolv-conf FILE] [--metrics ADDR:PORT]
 *                  [--no-cache]
 *
 * Prints "ready port N" once it answers; on SIGUSR1 prints its counters as
 * "name value" lines followed by "end"; exits on SIGTERM or SIGINT. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/log.h"
#include "datapath/metrics.h"
#include "resolver/resolver.h"

static void print_stats(const struct sixpn_resolver_stats *s)
{
	static const char *const paths[SIXPN_DNS_PATH__COUNT] = { "userspace", "forwarded" };
	unsigned p, i;

	for (p = 0; p < SIXPN_DNS_PATH__COUNT; p++)
		for (i = 0; i < SIXPN_DNS_RCODE_SLOTS; i++)
			printf("replies_%s_%s %llu\n", paths[p], sixpn_dns_rcode_name(i),
			       (unsigned long long)atomic_load(&s->replies[p][i]));
	printf("truncated %llu\n", (unsigned long long)atomic_load(&s->truncated));
	printf("ignored %llu\n", (unsigned long long)atomic_load(&s->ignored));
	printf("upstream_queries %llu\n", (unsigned long long)atomic_load(&s->upstream_queries));
	printf("upstream_tcp %llu\n", (unsigned long long)atomic_load(&s->upstream_tcp));
	printf("upstream_timeouts %llu\n", (unsigned long long)atomic_load(&s->upstream_timeouts));
	printf("upstream_errors %llu\n", (unsigned long long)atomic_load(&s->upstream_errors));
	printf("upstream_mismatch %llu\n", (unsigned long long)atomic_load(&s->upstream_mismatch));
	printf("registry_errors %llu\n", (unsigned long long)atomic_load(&s->registry_errors));
	printf("cache_hits %llu\n", (unsigned long long)atomic_load(&s->cache_hits));
	printf("cache_misses %llu\n", (unsigned long long)atomic_load(&s->cache_misses));
	printf("cache_flushes %llu\n", (unsigned long long)atomic_load(&s->cache_flushes));
	printf("end\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "registry", required_argument, NULL, 'r' },
		{ "listen", required_argument, NULL, 'l' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "resolv-conf", required_argument, NULL, 'c' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ 0 },
	};
	const char *upstreams[SIXPN_RESOLVER_MAX_UPSTREAMS], *metrics = NULL;
	struct sixpn_resolver_opts o = { .upstreams = upstreams };
	struct sixpn_resolver *r;
	struct signalfd_siginfo si;
	sigset_t mask;
	int c, sfd;

	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.registry = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'u':
			if (o.n_upstreams == SIXPN_RESOLVER_MAX_UPSTREAMS)
				return 2;
			upstreams[o.n_upstreams++] = optarg;
			break;
		case 't': o.upstream_timeout_ms = (unsigned)atoi(optarg); break;
		case 'c': o.resolv_conf = optarg; break;
		case 'm': metrics = optarg; break;
		case 'v': sixpn_log_threshold = SIXPN_LOG_DEBUG; break;
		case 'n': o.no_cache = true; break;
		default:
			fprintf(stderr, "usage: resolver_serve --registry PATH [--listen [ADDR]:PORT] "
					"[--upstream ADDR]... [--timeout-ms MS] [--resolv-conf FILE] "
					"[--metrics ADDR:PORT] [--no-cache]\n");
			return 2;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	/* blocked before the resolver's thread starts, so it inherits it */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sixpn_resolver_start(&r, &o))
		return 1;
	if (metrics) {
		if (sixpn_resolver_metrics_register(r) ||
		    sixpn_metrics_start(metrics, "/nonexistent/resolver_serve")) {
			sixpn_resolver_stop(r);
			return 1;
		}
		printf("metrics port %d\n", sixpn_metrics_port());
	}
	printf("ready port %d\n", sixpn_resolver_port(r));
	fflush(stdout);
	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			print_stats(sixpn_resolver_stats(r));
			continue;
		}
		break;
	}
	if (metrics)
		sixpn_metrics_stop();
	sixpn_resolver_stop(r);
	return 0;
}
