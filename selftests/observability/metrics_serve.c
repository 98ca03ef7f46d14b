// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* metrics_serve PIN_DIR ADDR:PORT: serves the sixpn metrics endpoint for the
 * maps under PIN_DIR, as sixpnd --metrics does, until SIGTERM or SIGINT. It
 * registers one extra gauge and one collector, the way sixpnd adds its own
 * (sync lag, DNS queries), so that the test sees those hooks work too.
 * Prints "port N" once it listens. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "datapath/metrics.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double answer(void *ctx)
{
	return *(double *)ctx;
}

static void dns_queries(struct sixpn_metrics_out *out, void *ctx)
{
	(void)ctx;
	sixpn_metrics_family(out, "sixpn_test_dns_queries_total", "counter",
			     "A labelled family written by a collector.");
	sixpn_metrics_sample(out, "sixpn_test_dns_queries_total", "path=\"xdp\",rcode=\"noerror\"", 7);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static double value = 42;

	if (argc != 3) {
		fprintf(stderr, "usage: metrics_serve PIN_DIR ADDR:PORT\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (sixpn_metrics_add_gauge("sixpn_test_gauge", "A gauge from a callback.", answer, &value) ||
	    sixpn_metrics_register(dns_queries, NULL))
		return 1;
	if (sixpn_metrics_start(argv[2], argv[1]))
		return 1;
	printf("port %d\n", sixpn_metrics_port());
	fflush(stdout);
	while (!stop)
		pause();
	sixpn_metrics_stop();
	return 0;
}
