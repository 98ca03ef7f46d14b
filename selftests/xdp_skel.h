/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The XDP object opened with its maps made private (private_maps.h) and
 * loaded, as every BPF_PROG_TEST_RUN user of it needs it (the tests, the
 * fuzzer). A failure is said as a TAP "Bail out!" and returns NULL. */
#ifndef SIXPN_SELFTESTS_XDP_SKEL_H
#define SIXPN_SELFTESTS_XDP_SKEL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xdp/sixpn_xdp.skel.h"
#include "private_maps.h"

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
