/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Byte-level helpers for the fuzzer: big-endian fields, the Internet
 * checksum (RFC 1071) over the IPv6 pseudo-header (RFC 8200 section 8.1),
 * and the frame layout constants. Written for the fuzzer alone: nothing here
 * comes from dns-ebpf/. */
#ifndef FZ_WIRE_H
#define FZ_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define FZ_ETH_LEN 14
#define FZ_IP6_LEN 40
#define FZ_UDP_LEN 8
#define FZ_DNS_HDR 12
#define FZ_FRAME_MAX 2048 /* generated frames; XDP test runs take up to a page */

#define FZ_ETH_P_IPV6 0x86dd
#define FZ_IPPROTO_HOPOPTS 0
#define FZ_IPPROTO_TCP 6
#define FZ_IPPROTO_UDP 17
#define FZ_IPPROTO_ROUTING 43
#define FZ_IPPROTO_FRAGMENT 44
#define FZ_IPPROTO_ESP 50
#define FZ_IPPROTO_AH 51
#define FZ_IPPROTO_ICMPV6 58
#define FZ_IPPROTO_NONE 59
#define FZ_IPPROTO_DSTOPTS 60

/* DNS wire values (RFC 1035, 6891, 8945, 7873). */
#define FZ_T_A 1
#define FZ_T_NS 2
#define FZ_T_SOA 6
#define FZ_T_TXT 16
#define FZ_T_AAAA 28
#define FZ_T_OPT 41
#define FZ_T_TSIG 250
#define FZ_C_IN 1
#define FZ_OPT_COOKIE 10

static inline uint16_t fz_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fz_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void fz_put32(uint8_t *p, uint32_t v)
{
	fz_put16(p, v >> 16);
	fz_put16(p + 2, v & 0xffff);
}

static inline uint32_t fz_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t fz_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The ones'-complement sum of the pseudo-header (addresses from the IPv6
 * header `ip6`, upper-layer length, next header 17) plus the segment,
 * checksum field included. A segment whose checksum is right sums to
 * 0xffff. */
static inline uint16_t fz_udp6_sum(const uint8_t *ip6, const uint8_t *udp, uint32_t len)
{
	uint32_t sum = fz_sum16(ip6 + 8, 32, 0);

	sum += len >> 16;
	sum += len & 0xffff;
	sum += FZ_IPPROTO_UDP;
	return fz_fold(fz_sum16(udp, len, sum));
}

#endif
