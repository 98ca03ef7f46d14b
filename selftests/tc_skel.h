/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What every packet-replay test of the TC object starts with. */
#ifndef SIXPN_TEST_TC_SKEL_H
#define SIXPN_TEST_TC_SKEL_H

#include <linux/pkt_cls.h> /* TC_ACT_OK, TC_ACT_SHOT: the verdicts */

#include "tc/sixpn_tc.skel.h"

/* Loads the test packets of `packets_path` and the TC object with private,
 * unpinned maps (a test must not touch a running host's pins). On failure
 * prints a TAP "Bail out!" line saying why and returns NULL: a test that
 * cannot set up is broken, not failed. */
struct sixpn_tc *tc_skel_setup(const char *packets_path);

/* The object's four programs. */
enum tc_prog { FROM_INST, TO_INST, MESH_OUT, MESH_IN, TC_PROG_MAX };
/* The stats hook each program counts its reasons under. */
extern const __u32 tc_prog_hook[TC_PROG_MAX];

int tc_prog_fd(const struct sixpn_tc *skel, enum tc_prog prog);
/* One BPF_PROG_TEST_RUN of prog on len bytes of data. *out_len is the size
 * of out going in, the length of the packet that came out coming back.
 * Returns 0 or libbpf's negative error (errno set). */
int tc_prog_run(const struct sixpn_tc *skel, enum tc_prog prog, const void *data,
		__u32 len, void *out, __u32 *out_len, __u32 *retval);

#endif
