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

struct seen {
	size_t peers;
};

static int peer_cb(const struct sixpn_wg_peer_status *p, void *arg)
{
	struct seen *s = arg;

	FZ_CHECK(FZ_TERMINATED(p->endpoint), "unterminated endpoint");
	FZ_CHECK(!p->n_allowed_ips || p->allowed_ips, "%zu allowed IPs missing", p->n_allowed_ips);
	for (size_t i = 0; i < p->n_allowed_ips; i++)
		(void)*(volatile const uint8_t *)&p->allowed_ips[i].len; /* all there */
	s->peers++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sixpn_wg_device dev;
	struct seen s = { 0 };
	void *buf = fz_dup(data, size);
	int ret = sixpn_wg_fuzz_genl_get(buf, size, &dev, peer_cb, &s);

	FZ_CHECK(ret <= 0 && ret > -4096, "returned %d", ret);
	FZ_CHECK(ret || dev.n_peers == s.peers, "%zu peers counted, %zu handed out", dev.n_peers,
		 s.peers);
	free(buf);
	return 0;
}
