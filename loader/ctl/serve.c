// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl serve: the HTTP API (loader/api/) on the registry sixpnctl
 * would write, the file or etcd. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "api/api.h"
#include "api/request.h"
#include "ctl/sixpnctl.h"

#define THREADS_DEFAULT 4
#define THREADS_MAX     64

/* Each worker's handle: what cli_open() opened, once per thread; never
 * creating the file (cli_open() did at the start): a registry deleted
 * under serve is an error to answer, not an empty one to make. */
static int open_reg(struct reg **out, void *ctx)
{
	struct cli *c = ctx;

	return c->use_etcd ? reg_open_etcd(out, &c->etcd, c->etcd_mirror, 0) :
	       reg_open(out, c->registry, 0);
}

static void print_listen(const struct sockaddr_storage *ss, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a,
			  sizeof(a));
		printf("listening on [%s]:%u\n", a, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a,
			  sizeof(a));
		printf("listening on %s:%u\n", a, port);
	}
	fflush(stdout);
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("listen", 1), OPT("threads", 1), OPT_END };
	const char *pos[1], *listen, *threads;
	struct sockaddr_storage ss;
	struct api_server *s;
	unsigned long n = THREADS_DEFAULT;
	char err[512], *end;
	socklen_t sslen;
	sigset_t set;
	int rc, sig, npos;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &npos);
	if (rc || (rc = opt_required(c, opts, "listen", "ADDR:PORT", &listen)))
		return rc;
	if (api_parse_listen(listen, &ss, &sslen, err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	threads = opt_get(opts, "threads");
	if (threads) {
		errno = 0;
		n = strtoul(threads, &end, 10);
		if (errno || end == threads || *end || *threads == '-' || n < 1 ||
		    n > THREADS_MAX)
			return cli_fail(c, EXIT_USAGE, "--threads '%s' is invalid: "
					"must be a number from 1 to %d", threads,
					THREADS_MAX);
	}
	/* the registry once here, so that a bad one fails the start, not
	 * every request */
	if ((rc = cli_open(c)))
		return rc;
	/* the workers inherit the mask: only sigwait below sees these */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (api_start(&s, &ss, sslen, (unsigned)n, open_reg, c, err, sizeof(err)))
		return cli_fail(c, EXIT_RUNTIME, "serve: cannot listen on %s: %s",
				listen, err);
	print_listen(&ss, api_port(s));
	fprintf(stderr, "sixpnctl: serving the registry %s over HTTP with %lu "
		"threads\n", reg_path(c->reg), n);
	while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	api_stop(s);
	fprintf(stderr, "sixpnctl: serve: stopped\n");
	return EXIT_OK;
}
