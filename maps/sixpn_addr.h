/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The 6PN address plan (docs/design.md section 1), as 16-bit big-endian words:
 *
 *   w[0]      w[1] w[2]     w[3] w[4]   w[5] w[6]      w[7]
 *   fdaa      network ID    host ID     instance ID   free
 *
 * Mesh form swaps the network and host words. Every field sits on a 16-bit
 * boundary, so the swap permutes the words of the L4 pseudo-header and leaves
 * its ones'-complement sum, and so every L4 checksum, unchanged. The swap is
 * its own inverse. */
#ifndef SIXPN_ADDR_H
#define SIXPN_ADDR_H

#include "sixpn_types.h"

#define SIXPN_ULA_WORD        0xfdaa
#define SIXPN_DNS_FREE_WORD   0x0003   /* ::3, the DNS service in a prefix */
#define SIXPN_INSTANCE_FREE   0x0002   /* an instance's own address in its /112 */
#define SIXPN_NET_PREFIX_LEN  48
#define SIXPN_INSTANCE_PREFIX_LEN 112
#define SIXPN_PEER_PREFIX_LEN 120
/* TCP port of the Machines API on the service address (fdaa::3, a network's
 * <prefix>::3): what `sixpnctl serve --listen [fdaa::3]:4280` serves for
 * instances and the TC programs let through, as Fly's API on _api.internal. */
#define SIXPN_API_PORT        4280
/* A constant's digits as a string literal, for help texts. */
#define SIXPN_STR_(x)         #x
#define SIXPN_STR(x)          SIXPN_STR_(x)

/* One IPv6 address as 16-bit words in network byte order. */
struct sixpn_ip6 {
	__be16 w[8];
};

SIXPN_INLINE __u16 sixpn_ntohs(__be16 v)
{
	return __builtin_bswap16((__u16)v);
}

SIXPN_INLINE __be16 sixpn_htons(__u16 v)
{
	return (__be16)__builtin_bswap16(v);
}

SIXPN_INLINE __u32 sixpn_words_get32(const struct sixpn_ip6 *a, int i)
{
	return ((__u32)sixpn_ntohs(a->w[i]) << 16) | sixpn_ntohs(a->w[i + 1]);
}

SIXPN_INLINE void sixpn_words_set32(struct sixpn_ip6 *a, int i, __u32 v)
{
	a->w[i] = sixpn_htons(v >> 16);
	a->w[i + 1] = sixpn_htons(v & 0xffff);
}

SIXPN_INLINE int sixpn_is_6pn(const struct sixpn_ip6 *a)
{
	return a->w[0] == sixpn_htons(SIXPN_ULA_WORD);
}

SIXPN_INLINE __u32 sixpn_net_id(const struct sixpn_ip6 *a)
{
	return sixpn_words_get32(a, 1);
}

SIXPN_INLINE __u32 sixpn_host_id(const struct sixpn_ip6 *a)
{
	return sixpn_words_get32(a, 3);
}

SIXPN_INLINE __u32 sixpn_instance_id(const struct sixpn_ip6 *a)
{
	return sixpn_words_get32(a, 5);
}

/* fdaa:NET:HOST:INSTANCE:free */
SIXPN_INLINE void sixpn_compose(struct sixpn_ip6 *a, __u32 net, __u32 host,
				__u32 instance, __u16 free_word)
{
	a->w[0] = sixpn_htons(SIXPN_ULA_WORD);
	sixpn_words_set32(a, 1, net);
	sixpn_words_set32(a, 3, host);
	sixpn_words_set32(a, 5, instance);
	a->w[7] = sixpn_htons(free_word);
}

/* fdaa::3, the DNS address every instance may reach. */
SIXPN_INLINE int sixpn_is_global_dns(const struct sixpn_ip6 *a)
{
	return a->w[0] == sixpn_htons(SIXPN_ULA_WORD) &&
	       (a->w[1] | a->w[2] | a->w[3] | a->w[4] | a->w[5] | a->w[6]) == 0 &&
	       a->w[7] == sixpn_htons(SIXPN_DNS_FREE_WORD);
}

/* <net prefix>::3, the DNS address of network `net` (for WireGuard peers). */
SIXPN_INLINE int sixpn_is_net_dns(const struct sixpn_ip6 *a, __u32 net)
{
	return sixpn_is_6pn(a) && sixpn_net_id(a) == net &&
	       (a->w[3] | a->w[4] | a->w[5] | a->w[6]) == 0 &&
	       a->w[7] == sixpn_htons(SIXPN_DNS_FREE_WORD);
}

/* Network <-> host swap, in place. Its own inverse. */
SIXPN_INLINE void sixpn_swap_net_host(struct sixpn_ip6 *a)
{
	__be16 n0 = a->w[1], n1 = a->w[2];

	a->w[1] = a->w[3];
	a->w[2] = a->w[4];
	a->w[3] = n0;
	a->w[4] = n1;
}

/* Does `a` lie inside prefix/len? len is a multiple of 8 up to 128. */
SIXPN_INLINE int sixpn_in_prefix(const struct sixpn_ip6 *a,
				 const struct sixpn_ip6 *prefix, __u32 len)
{
	const __u8 *x = (const __u8 *)a->w, *p = (const __u8 *)prefix->w;
	__u8 diff = 0;
	int i;

#if defined(__bpf__)
#pragma unroll
#endif
	for (i = 0; i < 16; i++)
		if ((__u32)i * 8 < len)
			diff |= x[i] ^ p[i];
	return diff == 0;
}

/* Does `a` lie in `prefix` (bits past the mask zero), the prefix length
 * given as its mask: two 64-bit compares. Unaligned 8-byte loads, which the
 * programs may make from packets on x86. */
SIXPN_INLINE int sixpn_in_masked(const struct sixpn_ip6 *a, const struct sixpn_ip6 *prefix,
				 const struct sixpn_ip6 *mask)
{
	const __u64 *x = (const __u64 *)a->w, *p = (const __u64 *)prefix->w,
		    *m = (const __u64 *)mask->w;

	return ((x[0] & m[0]) ^ p[0]) == 0 && ((x[1] & m[1]) ^ p[1]) == 0;
}

/* `a` with the bits past `mask` cleared, into `out`. */
SIXPN_INLINE void sixpn_masked(struct sixpn_ip6 *out, const struct sixpn_ip6 *a,
			       const struct sixpn_ip6 *mask)
{
	const __u64 *x = (const __u64 *)a->w, *m = (const __u64 *)mask->w;
	__u64 *o = (__u64 *)out->w;

	o[0] = x[0] & m[0];
	o[1] = x[1] & m[1];
}

#endif
