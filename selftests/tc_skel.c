// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "tc_skel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "packets.h"

struct sixpn_tc *tc_skel_setup(const char *packets_path)
{
	struct sixpn_tc *skel;
	struct bpf_map *map;
	int err;

	err = packets_load(packets_path);
	if (err) {
		fprintf(stderr, "Bail out! cannot load test packets from %s: %s\n",
			packets_path, strerror(-err));
		return NULL;
	}
	skel = sixpn_tc__open();
	if (!skel) {
		fprintf(stderr, "Bail out! cannot open the TC object: %s\n", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	err = sixpn_tc__load(skel);
	if (err) {
		fprintf(stderr, "Bail out! the verifier refused the TC object: %s\n",
			strerror(-err));
		sixpn_tc__destroy(skel);
		return NULL;
	}
	return skel;
}
