// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN repeats a program on the same buffer without restoring
 * it, so after the first run the DNS fast path would be timed on its own
 * reply (which it passes at once). These wrappers first write the query back
 * (`query`, set by the test before running), then run the fast path:
 * bench_restore alone measures what the restoring costs. */
#include "vmlinux.h"
#include "fastpath.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BENCH_QUERY_MAX 256

__u8 query[BENCH_QUERY_MAX];
__u32 query_len;
__u32 rotor;

static __always_inline int restore_query(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 len = query_len;
	int delta;

	if (len < 64 || len > BENCH_QUERY_MAX)
		return -1;
	delta = (int)len - (int)(data_end - data);
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	return bpf_xdp_store_bytes(ctx, 0, query, len);
}

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	return restore_query(ctx) ? XDP_ABORTED : XDP_PASS;
}

/* What the harness adds to bench_dns, less what the fast path does itself:
 * the restore shrinks the last repetition's reply back to the query (one
 * bpf_xdp_adjust_tail that bench_restore, on a query-sized buffer, never
 * pays), then the buffer grows to `resize_len`, as the fast path's answer
 * grows it. Each repetition so pays two resizes: the harness's and one
 * standing for the answer's own (prog_cost.c subtracts half of the pair). */
__u32 resize_len;

SEC("xdp")
int bench_restore_resize(struct xdp_md *ctx)
{
	void *data, *data_end;
	int delta;

	if (restore_query(ctx))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	delta = (int)resize_len - (int)(data_end - data);
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("xdp")
int bench_dns(struct xdp_md *ctx)
{
	if (restore_query(ctx))
		return XDP_ABORTED;
	return sixpn_dns_fastpath(ctx, rotor++);
}
