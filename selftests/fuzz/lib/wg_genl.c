// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: a kernel WireGuard device's WG_CMD_GET_DEVICE dump,
 * one buffer of netlink messages, through the parser sixpn_wg_get() uses
 * for the kernel backend (loader/host/wg.c: kernel_get_cb, kernel_peer,
 * kernel_allowed_ips; the sixpn_wg_fuzz_genl_get seam). The input is the
 * buffer, copied to a heap block of its exact size.
 *
 * Every peer handed out is whole: a terminated endpoint, its allowed IPs
 * there when counted; the return is 0 or a -errno. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sixpn_wg_device dev;
	size_t seen = 0;
	void *buf = fz_dup(data, size);
	int ret = sixpn_wg_fuzz_genl_get(buf, size, &dev, fz_wg_peer_cb, &seen);

	FZ_CHECK(ret <= 0 && ret > -4096, "returned %d", ret);
	FZ_CHECK(ret || dev.n_peers == seen, "%zu peers counted, %zu handed out", dev.n_peers,
		 seen);
	free(buf);
	return 0;
}
