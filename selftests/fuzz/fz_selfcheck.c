// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fz_selfcheck.h"

#include <string.h>
#include <linux/bpf.h>
#include "fz_wire.h"

#define FZ_CORRUPTION_NAME(name, doc) #name,
const char *const fz_corruption_names[] = { FZ_CORRUPTIONS(FZ_CORRUPTION_NAME) };

#define DNS_AT (FZ_ETH_LEN + FZ_IP6_LEN + FZ_UDP_LEN)

static void fix_lengths_and_csum(uint8_t *r, uint32_t len)
{
	uint8_t *ip = r + FZ_ETH_LEN, *udp = ip + FZ_IP6_LEN;
	uint32_t plen = len - FZ_ETH_LEN - FZ_IP6_LEN;
	uint16_t s;

	fz_put16(ip + 4, (uint16_t)plen);
	fz_put16(udp + 4, (uint16_t)plen);
	fz_put16(udp + 6, 0);
	s = (uint16_t)~fz_udp6_sum(ip, udp, plen);
	fz_put16(udp + 6, s ? s : 0xffff);
}

/* Past a name in a reply we already know is well-formed. */
static uint32_t skip(const uint8_t *m, uint32_t off)
{
	while (m[off] && (m[off] & 0xc0) != 0xc0)
		off += m[off] + 1u;
	return off + (m[off] ? 2 : 1);
}

/* The RDATA of the first record after the question. */
static uint32_t first_rdata(const uint8_t *m, uint32_t q_len)
{
	uint32_t off = skip(m, FZ_DNS_HDR + q_len);

	return off + 10;
}

int fz_selfcheck(enum fz_corruption kind, uint64_t salt, const uint8_t *q, uint32_t qlen,
		 const struct fz_expect *x, const uint8_t *r, uint32_t rlen,
		 const struct sixpn_dns_config *cfg)
{
	uint8_t c[FZ_FRAME_MAX + 64], *m = c + DNS_AT;
	uint32_t len = rlen, dlen = rlen - DNS_AT, at;
	struct fz_result res;

	if (rlen > FZ_FRAME_MAX)
		return -1;
	memcpy(c, r, rlen);
	switch (kind) {
	case FZ_C_CSUM:
		c[FZ_ETH_LEN + FZ_IP6_LEN + 6 + (salt & 1)] ^= (uint8_t)(1u << (salt >> 1) % 8);
		break;
	case FZ_C_ETH:
		if (!memcmp(q, q + 6, 6))
			return -1;
		memcpy(c, q, 12);
		break;
	case FZ_C_PORTS:
		if (fz_get16(q + x->udp_off) == fz_get16(q + x->udp_off + 2))
			return -1;
		memcpy(c + FZ_ETH_LEN + FZ_IP6_LEN, q + x->udp_off, 4);
		break;
	case FZ_C_ID:
		m[salt % 2] ^= (uint8_t)(1u << (salt >> 1) % 8);
		break;
	case FZ_C_FLAGS:
		m[2] &= ~0x04;
		break;
	case FZ_C_RCODE:
		m[3] = (uint8_t)((m[3] & 0xf0) | (x->kind == FZ_EXPECT_NXDOMAIN ? 0 : 3));
		break;
	case FZ_C_QUESTION:
		m[FZ_DNS_HDR + x->q_len - 3] ^= (uint8_t)(1u << salt % 8);
		break;
	case FZ_C_ADDRESS:
		at = first_rdata(m, x->q_len);
		if (x->kind == FZ_EXPECT_ANSWER)
			m[at + 5] ^= (uint8_t)(1u + salt % 255); /* the network's low byte */
		else
			m[skip(m, skip(m, at)) + (salt & 3)] ^= 0x10; /* a byte of the serial */
		break;
	case FZ_C_OPT:
		if (x->has_opt) {
			m[dlen - 11 + 7] ^= 0x80; /* the OPT is last: its TTL's flags byte */
		} else {
			static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0 };

			memcpy(m + dlen, opt, sizeof(opt));
			fz_put16(m + 10, (uint16_t)(fz_get16(m + 10) + 1));
			len += sizeof(opt);
		}
		break;
	case FZ_C_RANDOM_BIT:
		at = (uint32_t)(salt % (dlen * 8));
		m[at / 8] ^= (uint8_t)(1u << at % 8);
		break;
	default:
		return -1;
	}
	if (kind != FZ_C_CSUM)
		fix_lengths_and_csum(c, len);
	fz_judge(q, qlen, x, XDP_TX, c, len, cfg, &res);
	return res.wrong != FZ_W_NONE;
}
