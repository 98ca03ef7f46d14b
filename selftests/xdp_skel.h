/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The XDP object opened with its maps made private (private_maps.h) and
 * loaded, as every BPF_PROG_TEST_RUN user of it needs it (the tests, the
 * fuzzer), and one test run of a program. A failure to load is said as a
 * TAP "Bail out!" and returns NULL. */
#ifndef SIXPN_SELFTESTS_XDP_SKEL_H
#define SIXPN_SELFTESTS_XDP_SKEL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "xdp/sixpn_xdp.skel.h"
#include "private_maps.h"

/* One BPF_PROG_TEST_RUN of an XDP program on len bytes of data arriving on
 * ifindex, `repeat` times (0 counts as 1). *out_len is the size of out going
 * in, the length of the packet that came out coming back; duration (may be
 * NULL) gets the mean ns per run. Returns 0 or a negative errno. */
static inline int xdp_prog_run(int prog_fd, const void *data, __u32 len, __u32 ifindex,
			       void *out, __u32 *out_len, __u32 *retval, __u32 repeat,
			       __u32 *duration)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = len,
		    .data_out = out, .data_size_out = *out_len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	*out_len = opts.data_size_out;
	*retval = opts.retval;
	if (duration)
		*duration = opts.duration;
	return err ? -errno : 0;
}

static inline struct sixpn_xdp *xdp_skel_open_load(void)
{
	struct sixpn_xdp *skel = sixpn_xdp__open();

	if (!skel) {
		fprintf(stderr, "Bail out! cannot open the XDP object: %s\n", strerror(errno));
		return NULL;
	}
	if (private_load(skel->skeleton, "XDP")) {
		sixpn_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

#endif
