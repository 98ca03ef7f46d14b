/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The UDP checksum of a reply, computed from scratch. Queries on veth carry
 * a partial checksum (the sender's stack left it to an offload that never
 * happens), so nothing of the query's checksum can be reused.
 *
 * Sums are ones'-complement sums of big-endian 16-bit words, kept in a
 * 32-bit accumulator and folded at the end. A block that starts at an odd
 * offset of the segment contributes its aligned sum byte-swapped (RFC 1071
 * section 2(B)), which is how the records after an odd-length question are
 * summed without reading them back. */
#ifndef SIXPN_DNS_CSUM_H
#define SIXPN_DNS_CSUM_H

static __always_inline __u32 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The contribution of a byte at offset `pos` of the block being summed. */
static __always_inline __u32 csum_byte(__u8 c, __u32 pos)
{
	return (pos & 1) ? c : (__u32)c << 8;
}

/* A block summed as if aligned, placed at an odd or even offset. */
static __always_inline __u32 csum_place(__u32 sum, __u32 odd)
{
	if (!odd)
		return sum;
	sum = csum_fold(sum);
	return ((sum & 0xff) << 8) | (sum >> 8);
}

/* Sums of words as the swar.h loads give them (byte 0 lowest), 64 bits
 * at a time: a 64-bit accumulator of their 32-bit halves, which is
 * congruent, mod 0xffff, to the sum of their 16-bit lanes (2^16 = 1 there).
 * Each lane is a big-endian word of the block with its bytes swapped, and a
 * swap is a multiplication by 256 mod 0xffff, its own inverse: so the lanes'
 * sum, folded and swapped, is the block's sum as the words read big-endian,
 * up to multiples of 0xffff, which a ones'-complement sum cannot tell apart
 * (RFC 1071 section 2(B); csum_finish() sees only the class). */
static __always_inline __u64 csum_le_add(__u64 acc, __u64 word)
{
	return acc + (word & 0xffffffff) + (word >> 32);
}

static __always_inline __u32 csum_le_finish(__u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (__u32)(((acc & 0xff) << 8) | (acc >> 8));
}

/* Sum of an IPv6 address. */
static __always_inline __u32 csum_ip6(const struct in6_addr *a)
{
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < 8; i++)
		sum += bpf_ntohs(a->in6_u.u6_addr16[i]);
	return sum;
}

/* The checksum field's value, host order: a computed 0 is sent as 0xffff,
 * since 0 means "no checksum" for UDP (RFC 768) and IPv6 forbids that. */
static __always_inline __u16 csum_finish(__u32 sum)
{
	__u16 c = (__u16)~csum_fold(sum);

	return c ? c : 0xffff;
}

#endif
