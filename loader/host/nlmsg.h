/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Netlink answers, bounded without trusting libmnl's mnl_nlmsg_ok(): in
 * libmnl 1.0.4 it compares (int)nlmsg_len with the bytes left, so a
 * message claiming 2 GiB or more passes, and mnl_cb_run() or a walk with
 * mnl_nlmsg_next() steps far outside the buffer (found by
 * selftests/fuzz/lib/netlink.c and wg_genl.c). And the kernel's errors,
 * kept to what a caller can hand to strerror(). */
#ifndef SIXPN_NLMSG_H
#define SIXPN_NLMSG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>

/* m is a whole message within the len bytes left. */
static inline bool sixpn_nlmsg_ok(const struct nlmsghdr *m, int len)
{
	return len >= (int)sizeof(*m) && m->nlmsg_len >= sizeof(*m) &&
	       m->nlmsg_len <= (unsigned int)len;
}

/* libmnl's walk over buf (mnl_cb_run) stays inside it: no message on the
 * way claims more than INT_MAX bytes. */
static inline bool sixpn_nlmsg_buf_ok(const void *buf, size_t len)
{
	const struct nlmsghdr *m = buf;
	int left = len > 0x7fffffff ? 0x7fffffff : (int)len;

	while (sixpn_nlmsg_ok(m, left)) {
		left -= (int)NLMSG_ALIGN(m->nlmsg_len);
		m = (const struct nlmsghdr *)((const char *)m + NLMSG_ALIGN(m->nlmsg_len));
	}
	return left < (int)sizeof(*m) || m->nlmsg_len <= 0x7fffffff;
}

/* An error number from a netlink or UAPI answer as a -errno: a negative one as sent, a positive
 * one negated; anything out of errno's range is -EPROTO. */
static inline int sixpn_nl_errno(long e)
{
	if (e > 0)
		e = -e;
	return e == 0 || e > -4096 ? (int)e : -EPROTO;
}

#endif
