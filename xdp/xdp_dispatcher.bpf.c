// SPDX-License-Identifier: GPL-2.0
/* libxdp's dispatcher as libxdp 1.3.1 builds it (xdp-tools v1.3.1,
 * lib/libxdp/xdp-dispatcher.c.in: the same sections, functions, config and
 * version, so that any libxdp of that dispatcher version reads and extends
 * it), with the fix of libxdp 1.5.5 (xdp-tools commit 092365f): every stub
 * a program replaces makes a no-op bpf_xdp_adjust_tail() call. Since Linux
 * 6.13 (and 6.12.26) the verifier refuses an freplace program that changes
 * packet data, as sixpn's does (its answers), in place of a function that
 * does not; the stubs never run, so the call costs nothing. sixpn hands this
 * object to libxdp (loader/datapath/xdp_dispatcher.c) for the dispatchers
 * it builds. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* Its types come from vmlinux.h: skip <linux/types.h>, which wants the
 * host's <asm/types.h>. */
#define _LINUX_TYPES_H
#include <xdp/prog_dispatcher.h>

/* 'const volatile': in .rodata, which libxdp fills before loading and the
 * kernel then treats as constant. */
static volatile const struct xdp_dispatcher_config conf = {};

/* The volatile return value keeps the compiler from assuming it. */
#define SIXPN_DISPATCHER_STUB(name)                             \
	__attribute__((__noinline__)) int name(struct xdp_md *ctx) \
	{                                                       \
		volatile int ret = XDP_DISPATCHER_RETVAL;       \
                                                                \
		if (!ctx)                                       \
			return XDP_ABORTED;                     \
		bpf_xdp_adjust_tail(ctx, 0);                    \
		return ret;                                     \
	}

SIXPN_DISPATCHER_STUB(prog0)
SIXPN_DISPATCHER_STUB(prog1)
SIXPN_DISPATCHER_STUB(prog2)
SIXPN_DISPATCHER_STUB(prog3)
SIXPN_DISPATCHER_STUB(prog4)
SIXPN_DISPATCHER_STUB(prog5)
SIXPN_DISPATCHER_STUB(prog6)
SIXPN_DISPATCHER_STUB(prog7)
SIXPN_DISPATCHER_STUB(prog8)
SIXPN_DISPATCHER_STUB(prog9)

/* libxdp's probe of freplace support replaces this one with xdp_pass:
 * unchanged from 1.3.1, no packet change. */
__attribute__((__noinline__)) int compat_test(struct xdp_md *ctx)
{
	volatile int ret = XDP_DISPATCHER_RETVAL;

	if (!ctx)
		return XDP_ABORTED;
	return ret;
}

#define SIXPN_DISPATCH(i, n)                                    \
	if (num_progs_enabled < (n))                            \
		goto out;                                       \
	ret = prog##i(ctx);                                     \
	if (!((1U << ret) & conf.chain_call_actions[i]))        \
		return ret;

SEC("xdp")
int xdp_dispatcher(struct xdp_md *ctx)
{
	__u8 num_progs_enabled = conf.num_progs_enabled;
	int ret;

	SIXPN_DISPATCH(0, 1)
	SIXPN_DISPATCH(1, 2)
	SIXPN_DISPATCH(2, 3)
	SIXPN_DISPATCH(3, 4)
	SIXPN_DISPATCH(4, 5)
	SIXPN_DISPATCH(5, 6)
	SIXPN_DISPATCH(6, 7)
	SIXPN_DISPATCH(7, 8)
	SIXPN_DISPATCH(8, 9)
	SIXPN_DISPATCH(9, 10)
	/* A reference to compat_test(), libxdp's freplace target. */
	if (num_progs_enabled < 11)
		goto out;
	ret = compat_test(ctx);
out:
	return XDP_PASS;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
__uint(dispatcher_version, XDP_DISPATCHER_VERSION) SEC(XDP_METADATA_SECTION);
