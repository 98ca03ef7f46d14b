// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The QNAME readers of dns-ebpf/parse.h alone, for selftests/prog_tests/
 * dns_name.c: the packet is NAME_OFF bytes of anything (a DNS header's
 * place), then a name. Each run reads it with sixpn_dns_parse_name() (8
 * bytes at a time, handing what it cannot take to the byte loop) and with
 * sixpn_dns_parse_name_bytes() (the byte loop alone), hashes the parent of
 * a name read whole with sixpn_dns_rehash(), tells its zone with
 * sixpn_dns_zones(), and leaves every result here, with how many names the
 * first reader handed over. */
#include "vmlinux.h"

__u32 handed_over;
#define SIXPN_DNS_NAME_BYTES_HOOK() (handed_over++)

#include "parse.h"
#include "xdp_dns_name.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 seed;
/* Map memory (a global function takes no stack pointer here), not in the
 * skeleton: its type is the BPF side's. */
static struct sixpn_dns_query fast_q, bytes_q;
struct name_read fast, bytes;
__u64 parent_hash;

static __always_inline void put(struct name_read *out, int ret, const struct sixpn_dns_query *q)
{
	out->ret = ret;
	out->wire_len = q->wire_len;
	out->first_label = q->first_label;
	out->last_label = q->last_label;
	out->qsum = q->qsum;
	out->hash = q->hash;
	out->in_zone = q->in_zone;
	out->in_flycast = q->in_flycast;
}

SEC("xdp")
int read_name(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	const __u8 *name = data + NAME_OFF;
	__u32 first, wl;
	int ret;

	if ((void *)name > data_end)
		return XDP_ABORTED;
	/* Whatever a reader leaves unset shows. */
	__builtin_memset(&fast_q, 0xee, sizeof(fast_q));
	__builtin_memset(&bytes_q, 0xee, sizeof(bytes_q));
	ret = sixpn_dns_parse_name(&fast_q, ctx, NAME_OFF, name, data_end, seed);
	if (ret == SIXPN_CONTINUE && fast_q.wire_len <= DNS_QNAME_WIRE_MAX)
		sixpn_dns_zones(&fast_q, fast_q.wire_len, name, data_end);
	put(&fast, ret, &fast_q);
	ret = sixpn_dns_parse_name_bytes(ctx, NAME_OFF, &bytes_q, seed);
	put(&bytes, ret, &bytes_q);
	parent_hash = 0;
	first = fast.first_label;
	wl = fast.wire_len;
	if (fast.ret == SIXPN_CONTINUE && first && wl <= DNS_QNAME_WIRE_MAX && first < wl)
		parent_hash = sixpn_dns_rehash(ctx, NAME_OFF + first + 1, wl - first - 1, seed);
	return XDP_PASS;
}
