// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: a userspace WireGuard daemon's answer to `get=1`
 * through the parser sixpn_wg_get() uses for it (loader/host/wg.c:
 * uapi_read, uapi_errno, uapi_line, uapi_allowed_ip; the
 * sixpn_wg_fuzz_uapi_get seam). The input is what the daemon writes on
 * the UAPI socket (a socketpair here), then it hangs up.
 *
 * Every peer handed out is whole, the count matches, and the return is 0
 * or a -errno. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sixpn_wg_device dev;
	size_t seen = 0;
	int sv[2], ret;

	if (size > 65536)
		return 0; /* more than a socketpair holds without a reader */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	if (size && send(sv[1], data, size, MSG_DONTWAIT) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);
	ret = sixpn_wg_fuzz_uapi_get(sv[0], &dev, fz_wg_peer_cb, &seen);
	FZ_CHECK(ret <= 0 && ret > -4096, "returned %d", ret);
	FZ_CHECK(ret || dev.n_peers == seen, "%zu peers counted, %zu handed out", dev.n_peers,
		 seen);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
