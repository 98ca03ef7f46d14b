/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Eight bytes at a time (SWAR: SIMD within a register). A name is read in
 * 8-byte loads and each of these works on all eight bytes at once, exactly:
 * no carry crosses from one byte into the next, so every byte comes out as
 * the byte-by-byte version would have made it. */
#ifndef SIXPN_DNS_SWAR_H
#define SIXPN_DNS_SWAR_H

#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL
#define SWAR_LOW7 0x7f7f7f7f7f7f7f7fULL
#define SWAR_EVEN 0x00ff00ff00ff00ffULL  /* bytes 0, 2, 4, 6 */
#define SWAR_LANES 0x0001000100010001ULL /* sums the four 16-bit lanes into the top one */

/* Loads and stores of 8, 4 and 2 bytes at any address, their value taken
 * with byte 0 lowest whatever the CPU's byte order (the hash takes its
 * chunks so, maps/sixpn_dns.h). Plain loads and stores, not memcpy, which
 * clang splits into single bytes for BPF; the verifier accepts them at any
 * offset where unaligned access is efficient (x86, arm64). */
typedef __u64 __attribute__((__may_alias__)) sixpn_u64_alias;
typedef __u32 __attribute__((__may_alias__)) sixpn_u32_alias;
typedef __u16 __attribute__((__may_alias__)) sixpn_u16_alias;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SWAR_LE64(v) __builtin_bswap64(v)
#define SWAR_LE32(v) __builtin_bswap32(v)
#define SWAR_LE16(v) __builtin_bswap16(v)
#else
#define SWAR_LE64(v) (v)
#define SWAR_LE32(v) (v)
#define SWAR_LE16(v) (v)
#endif

static __always_inline __u64 swar_load(const void *p)
{
	return SWAR_LE64(*(const sixpn_u64_alias *)p);
}

static __always_inline __u32 swar_load32(const void *p)
{
	return SWAR_LE32(*(const sixpn_u32_alias *)p);
}

static __always_inline __u16 swar_load16(const void *p)
{
	return SWAR_LE16(*(const sixpn_u16_alias *)p);
}

static __always_inline void swar_store(void *p, __u64 v)
{
	*(sixpn_u64_alias *)p = SWAR_LE64(v);
}

static __always_inline void swar_store32(void *p, __u32 v)
{
	*(sixpn_u32_alias *)p = SWAR_LE32(v);
}

/* Eight bytes as such a value: SWAR_BYTES(b0, ..., b7). */
#define SWAR_BYTES(b0, b1, b2, b3, b4, b5, b6, b7)                                   \
	((__u64)(__u8)(b0) | (__u64)(__u8)(b1) << 8 | (__u64)(__u8)(b2) << 16 |      \
	 (__u64)(__u8)(b3) << 24 | (__u64)(__u8)(b4) << 32 | (__u64)(__u8)(b5) << 40 | \
	 (__u64)(__u8)(b6) << 48 | (__u64)(__u8)(b7) << 56)

/* 0x80 in every byte of v that is zero, 0 in the others. (v & 0x7f) + 0x7f
 * has its high bit set exactly when the low seven bits are not all zero, and
 * is at most 0xfe: it never carries out of its byte. */
static __always_inline __u64 swar_zero(__u64 v)
{
	return ~(((v & SWAR_LOW7) + SWAR_LOW7) | v) & SWAR_HIGH;
}

/* 0x80 in every byte of v that equals `c` (its 8 copies in `cs`). */
static __always_inline __u64 swar_eq(__u64 v, __u64 cs)
{
	return swar_zero(v ^ cs);
}

/* v with every byte 'A'..'Z' made lowercase, the others untouched. For a
 * byte below 0x80, b + (0x80 - 'A') has its high bit set when b >= 'A', and
 * b + (0x80 - 'Z' - 1) when b > 'Z'; both stay inside the byte. The letters
 * lack 0x20, so OR-ing it in is adding it. */
static __always_inline __u64 swar_lower(__u64 v)
{
	__u64 low = v & SWAR_LOW7;
	__u64 ge_a = low + (0x80 - 'A') * SWAR_ONES;
	__u64 gt_z = low + (0x80 - 'Z' - 1) * SWAR_ONES;

	return v | (((ge_a & ~gt_z & ~v) & SWAR_HIGH) >> 2);
}

/* The sum of the four 16-bit lanes of `lanes`, each below 0x4000 (so that
 * no partial sum carries into the lane above it). */
static __always_inline __u32 swar_lane_sum(__u64 lanes)
{
	return (__u32)((lanes * SWAR_LANES) >> 48);
}

/* The sum of the eight bytes of `counts`, each a count below 32. */
static __always_inline __u32 swar_byte_sum(__u64 counts)
{
	return (__u32)((counts * SWAR_ONES) >> 56);
}

#endif
