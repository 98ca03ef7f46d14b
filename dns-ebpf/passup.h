/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The pass-up budget (maps/sixpn_dns.h): token buckets in `dns_passup`, one
 * per asker's delegated prefix and one per network, spent only by queries
 * the fast path hands to the resolver. Answers never come here, so they
 * cost what they cost before. */
#ifndef SIXPN_DNS_PASSUP_H
#define SIXPN_DNS_PASSUP_H

#include "lib/common.h"
#include "swar.h"

#define SIXPN_NSEC_PER_SEC 1000000000ULL

/* The bytes of an 8-byte word (swar.h order) before bit `bits`: all of them
 * from 64 on, none at 0 or below. */
static __always_inline __u64 sixpn_dns_prefix_word(__s32 bits)
{
	if (bits >= 64)
		return ~0ULL;
	if (bits <= 0)
		return 0;
	return (1ULL << bits) - 1;
}

/* The source with every bit past `len` (a multiple of 8) cleared: its bytes
 * are the prefix's in order, so the mask of each half is its first len / 8
 * bytes. */
static __always_inline void sixpn_dns_passup_key(struct sixpn_dns_passup_key *key,
						 const struct sixpn_ip6 *src, __u32 len)
{
	const __u8 *s = (const __u8 *)src->w;
	__u8 *d = (__u8 *)key->prefix.w;
	__u64 lo = swar_load(s) & sixpn_dns_prefix_word(len);
	__u64 hi = swar_load(s + 8) & sixpn_dns_prefix_word((__s32)len - 64);

	/* The key is on the stack, where the verifier wants stores aligned:
	 * the prefix is 4-byte aligned in it. */
	key->prefix_len = len;
	swar_store32(d, (__u32)lo);
	swar_store32(d + 4, (__u32)(lo >> 32));
	swar_store32(d + 8, (__u32)hi);
	swar_store32(d + 12, (__u32)(hi >> 32));
}

/* Takes a token from the bucket of `key`: 1 when there was one. A bucket
 * holds `burst` tokens and gains one every 1e9 / rate ns; a new one starts
 * full. Rate 0: no limit at this level. */
static __always_inline int sixpn_dns_bucket_take(const struct sixpn_dns_passup_key *key,
						 __u32 rate, __u32 burst, __u64 now)
{
	struct sixpn_dns_bucket *b, fresh;
	__u64 cost, cap, credit;

	if (!rate)
		return 1;
	cost = SIXPN_NSEC_PER_SEC / rate;
	cap = cost * (burst ? burst : 1);
	b = bpf_map_lookup_elem(&dns_passup, key);
	if (!b) {
		fresh.last_ns = now;
		fresh.credit_ns = cap - cost;
		bpf_map_update_elem(&dns_passup, key, &fresh, BPF_NOEXIST);
		return 1;
	}
	credit = b->credit_ns;
	if (now > b->last_ns)
		credit += now - b->last_ns;
	if (credit > cap)
		credit = cap;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		return 0;
	}
	b->credit_ns = credit - cost;
	return 1;
}

/* SIXPN_CONTINUE when the query may go up, else the drop reason. The source is read
 * again from the packet: an answer that did not fit may have resized it,
 * and the verifier forgets packet pointers across that. */
static __always_inline int sixpn_dns_passup_budget(struct xdp_md *ctx, __u32 l2_len,
						   const struct sixpn_ifview *ifc,
						   const struct sixpn_dns_config *cfg)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct sixpn_dns_passup_key key;
	struct ipv6hdr *ip6 = data + l2_len;
	__u64 now;

	if (!cfg->passup_rate && !cfg->passup_net_rate)
		return SIXPN_CONTINUE;
	if (!ifc || (void *)(ip6 + 1) > data_end)
		return SIXPN_CONTINUE;
	now = bpf_ktime_get_coarse_ns();
	/* One asker is what its interface delegates: an instance's /112 (any
	 * address of it, so spreading over them buys nothing), a peer's /120. */
	sixpn_dns_passup_key(&key, (const struct sixpn_ip6 *)&ip6->saddr,
			     ifc->role == SIXPN_ROLE_PEERS_DEV ? SIXPN_PEER_PREFIX_LEN
							       : ifc->prefix_len);
	if (!sixpn_dns_bucket_take(&key, cfg->passup_rate, cfg->passup_burst, now))
		return SIXPN_DNS_DROP_RATE_LIMITED;
	sixpn_dns_passup_key(&key, (const struct sixpn_ip6 *)&ip6->saddr, SIXPN_NET_PREFIX_LEN);
	if (!sixpn_dns_bucket_take(&key, cfg->passup_net_rate, cfg->passup_net_burst, now))
		return SIXPN_DNS_DROP_NET_RATE_LIMITED;
	return SIXPN_CONTINUE;
}

#endif
