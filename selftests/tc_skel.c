// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "tc_skel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/kconfig.h"
#include "packets.h"
#include "private_maps.h"
#include "sixpn_maps.h"

struct sixpn_tc *tc_skel_setup(const char *packets_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = sixpn_kconfig_fallback());
	struct sixpn_tc *skel;
	int err;

	err = packets_load(packets_path);
	if (err) {
		fprintf(stderr, "Bail out! cannot load test packets from %s: %s\n",
			packets_path, strerror(-err));
		return NULL;
	}
	skel = sixpn_tc__open_opts(&opts);
	if (!skel) {
		fprintf(stderr, "Bail out! cannot open the TC object: %s\n", strerror(errno));
		return NULL;
	}
	if (private_load(skel->skeleton, "TC")) {
		sixpn_tc__destroy(skel);
		return NULL;
	}
	return skel;
}

const __u32 tc_prog_hook[TC_PROG_MAX] = {
	[FROM_INST] = SIXPN_HOOK_FROM_INSTANCE,
	[TO_INST] = SIXPN_HOOK_TO_INSTANCE,
	[MESH_OUT] = SIXPN_HOOK_MESH_OUT,
	[MESH_IN] = SIXPN_HOOK_MESH_IN,
};

int tc_prog_fd(const struct sixpn_tc *skel, enum tc_prog prog)
{
	switch (prog) {
	case FROM_INST: return bpf_program__fd(skel->progs.sixpn_from_inst);
	case TO_INST: return bpf_program__fd(skel->progs.sixpn_to_inst);
	case MESH_OUT: return bpf_program__fd(skel->progs.sixpn_mesh_out);
	case MESH_IN: return bpf_program__fd(skel->progs.sixpn_mesh_in);
	case TC_PROG_MAX: break;
	}
	return -1;
}

int tc_prog_run(const struct sixpn_tc *skel, enum tc_prog prog, const void *data,
		__u32 len, void *out, __u32 *out_len, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = data,
		    .data_size_in = len,
		    .data_out = out,
		    .data_size_out = *out_len,
		    .repeat = 1);
	int err = bpf_prog_test_run_opts(tc_prog_fd(skel, prog), &opts);

	*out_len = opts.data_size_out;
	*retval = opts.retval;
	return err;
}
