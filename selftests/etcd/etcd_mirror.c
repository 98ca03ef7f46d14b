// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The mirror sixpnd keeps (reg_mirror_*), without the datapath, for the
 * etcd tests: etcd_mirror --etcd URLS [--etcd-prefix P] --registry PATH
 * [--once] [--status FILE]. Until SIGTERM it keeps PATH a mirror of etcd
 * and rewrites FILE every 100 ms with "connected applied registry bad
 * relists reconnects". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etcd/etcd.h"
#include "lib/log.h"
#include "registry/registry.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct etcd_cfg cfg = { 0 };
	const char *path = NULL, *status = NULL;
	struct reg_mirror *m;
	char err[512];
	int i, once = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "-v")) {
			sixpn_log_threshold = SIXPN_LOG_DEBUG;
		} else if (i + 1 < argc && !strcmp(argv[i], "--etcd")) {
			if (etcd_cfg_endpoints(&cfg, argv[++i], err, sizeof(err))) {
				fprintf(stderr, "etcd_mirror: %s\n", err);
				return 2;
			}
		} else if (i + 1 < argc && !strcmp(argv[i], "--etcd-user")) {
			cfg.user = argv[++i];   /* password: SIXPN_ETCD_PASSWORD */
		} else if (i + 1 < argc && !strcmp(argv[i], "--etcd-prefix")) {
			cfg.prefix = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--registry")) {
			path = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--status")) {
			status = argv[++i];
		} else {
			fprintf(stderr, "usage: etcd_mirror --etcd URLS [--etcd-prefix P] "
				"--registry PATH [--once] [--status FILE] [-v]\n");
			return 2;
		}
	}
	if (!path || etcd_cfg_env(&cfg, err, sizeof(err)) || !cfg.n_endpoints) {
		fprintf(stderr, "etcd_mirror: --registry PATH and --etcd URLS are needed\n");
		return 2;
	}
	if (once) {
		int rc = reg_mirror_once(&cfg, path, err, sizeof(err));

		if (rc)
			fprintf(stderr, "etcd_mirror: %s\n", err);
		etcd_cfg_free(&cfg);   /* LSan under make check-asan */
		return rc ? 1 : 0;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (reg_mirror_start(&m, &cfg, path, err, sizeof(err))) {
		fprintf(stderr, "etcd_mirror: %s\n", err);
		return 1;
	}
	while (!stop) {
		struct timespec ts = { 0, 100 * 1000000L };
		struct reg_mirror_status st;

		reg_mirror_status(m, &st);
		if (status) {
			char tmp[4096];
			FILE *f;

			snprintf(tmp, sizeof(tmp), "%s.tmp", status);
			f = fopen(tmp, "w");
			if (f) {
				fprintf(f, "%d %lld %lld %llu %llu %llu\n", st.connected,
					(long long)st.applied_revision,
					(long long)st.registry_revision,
					(unsigned long long)st.bad_rows,
					(unsigned long long)st.relists,
					(unsigned long long)st.reconnects);
				fclose(f);
				rename(tmp, status);
			}
		}
		nanosleep(&ts, NULL);
	}
	reg_mirror_stop(m);
	etcd_cfg_free(&cfg);
	return 0;
}
