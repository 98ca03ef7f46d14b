/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Writing the reply over the query, in place: the header and question stay
 * where they are (the question exactly as asked, so 0x20 case randomization
 * survives), the tail is resized for the records, the addresses and ports
 * are swapped, and the UDP checksum is computed from scratch while the
 * records are written, without reading them back. */
#ifndef SIXPN_DNS_ANSWER_H
#define SIXPN_DNS_ANSWER_H

#include "dns_wire.h"
#include "csum.h"
#include "swar.h"
#include "parse.h"
#include "reflect.h"

#define SIXPN_DNS_SENT (-1)    /* the reply is in the packet: XDP_TX */
#define SIXPN_DNS_BROKEN (-2)  /* the packet changed under us: cannot happen */
#define SIXPN_DNS_REPLY_HOP_LIMIT 64

/* The answer section: every address of the entry, starting at `rotor` so
 * that successive answers spread the askers' load. Owners point at the
 * question. Each record is written in four stores: the 16 bytes every
 * record of the answer shares (pointer, AAAA, IN, TTL, RDLENGTH 16, fdaa,
 * the network's high word), then the network's low word with the host's
 * 10 bytes, read in two loads. Returns the block's sum, or -1. */
static __always_inline __s64 sixpn_dns_put_aaaa(__u8 *rec, const void *data_end,
						const struct sixpn_dns_value *v, __u32 an,
						__u32 net_id, __u32 ttl, __u32 rotor)
{
	__u64 head0 = SWAR_BYTES(DNS_PTR(sizeof(struct sixpn_dnshdr)) >> 8,
				 DNS_PTR(sizeof(struct sixpn_dnshdr)) & 0xff,
				 0, SIXPN_DNS_TYPE_AAAA, 0, SIXPN_DNS_CLASS_IN, ttl >> 24, ttl >> 16);
	__u64 head1 = SWAR_BYTES(ttl >> 8, ttl, 0, 16, SIXPN_ULA_WORD >> 8, SIXPN_ULA_WORD & 0xff,
				 net_id >> 24, net_id >> 16);
	__u64 net_lo = SWAR_BYTES(net_id >> 8, net_id, 0, 0, 0, 0, 0, 0), hosts = 0, a;
	/* Every record's words but the host's, big-endian. */
	__u32 fixed = (DNS_PTR(sizeof(struct sixpn_dnshdr))) + SIXPN_DNS_TYPE_AAAA +
		      SIXPN_DNS_CLASS_IN + (ttl >> 16) + (ttl & 0xffff) + 16 + SIXPN_ULA_WORD +
		      (net_id >> 16) + (net_id & 0xffff);
	__u32 start = an > 1 ? rotor % an : 0, i, idx, b;

	for (i = 0; i < SIXPN_DNS_MAX_ADDRS; i++) {
		__u8 *p = rec + i * DNS_AAAA_RR_LEN;
		const struct sixpn_dns_host *h;

		if (i >= an)
			break;
		idx = start + i;
		if (idx >= an)
			idx -= an;
		if (idx >= SIXPN_DNS_MAX_ADDRS)
			return -1;
		h = &v->addrs[idx];
		a = swar_load(h);                 /* host bytes 0..7 */
		b = swar_load16((const __u8 *)h + 8);  /* 8..9 */
		if ((void *)(p + DNS_AAAA_RR_LEN) > data_end)
			return -1;
		swar_store(p, head0);
		swar_store(p + 8, head1);
		swar_store(p + 16, net_lo | a << 16);
		swar_store32(p + 24, (__u32)(a >> 48) | b << 16);
		hosts = csum_le_add(hosts, a);
		hosts += b;
	}
	return (__u64)fixed * an + csum_le_finish(hosts);
}

/* The authority section of NODATA and NXDOMAIN: the zone's SOA, its TTL the
 * negative TTL (RFC 2308 section 5). `owner_off` is where the SOA starts in
 * the message: MNAME and RNAME point back at its owner. Written in five
 * 8-byte stores of its constant bytes, the two pointers' offsets OR-ed in,
 * and 4-byte stores of the numbers over the places left for them. */
static __always_inline __s64 sixpn_dns_put_soa(__u8 *rec, const void *data_end,
					       const struct sixpn_dns_config *cfg,
					       __u32 owner_off)
{
	__u8 off = owner_off; /* < 256: after a question of at most 69 bytes */
	/* The SOA below is spelled out by hand; the names it spells are the
	 * resolver's (maps/sixpn_dns.h), and these keep the two the same size. */
	_Static_assert(sizeof(SIXPN_DNS_ZONE) - 1 == 8, "the SOA spells internal. in 8 letters");
	_Static_assert(sizeof(SIXPN_DNS_SOA_MNAME) - 1 == 2, "the SOA spells ns. in 2 letters");
	_Static_assert(sizeof(SIXPN_DNS_SOA_RNAME) - 1 == 10, "the SOA spells hostmaster. in 10 letters");
	_Static_assert(DNS_SOA_OWNER_LEN == 1 + sizeof(SIXPN_DNS_ZONE), "owner: length, letters, root");
	_Static_assert(DNS_SOA_RDATA_LEN == (1 + sizeof(SIXPN_DNS_SOA_MNAME) + 1) +
					    (1 + sizeof(SIXPN_DNS_SOA_RNAME) + 1) + 5 * 4,
		       "RDATA: two names ending in a pointer to the owner, five numbers");
	_Static_assert(DNS_SOA_RR_LEN == 58, "the stores below cover 58 bytes");
	/* internal. SOA IN, TTL at 14; RDLENGTH; ns.internal. (a pointer to
	 * the owner, its offset at 24); hostmaster.internal. (the pointer's
	 * offset at 37); the five numbers at 38. */
	const __u64 w0 = SWAR_BYTES(8, 'i', 'n', 't', 'e', 'r', 'n', 'a');
	const __u64 w1 = SWAR_BYTES('l', 0, 0, SIXPN_DNS_TYPE_SOA, 0, SIXPN_DNS_CLASS_IN, 0, 0);
	const __u64 w2 = SWAR_BYTES(0, 0, 0, DNS_SOA_RDATA_LEN, 2, 'n', 's', DNS_LABEL_PTR);
	const __u64 w3 = SWAR_BYTES(0, 10, 'h', 'o', 's', 't', 'm', 'a');
	const __u64 w4 = SWAR_BYTES('s', 't', 'e', 'r', DNS_LABEL_PTR, 0, 0, 0);
	__u32 ttl = cfg->soa_minimum, serial = cfg->soa_serial, refresh = cfg->soa_refresh;
	__u32 retry = cfg->soa_retry, expire = cfg->soa_expire;

	if ((void *)(rec + DNS_SOA_RR_LEN) > data_end)
		return -1;
	swar_store(rec, w0);
	swar_store(rec + 8, w1);
	swar_store(rec + 16, w2);
	swar_store(rec + 24, w3 | off);
	swar_store(rec + 32, w4 | (__u64)off << 40);
	*(sixpn_u32_alias *)(rec + 14) = bpf_htonl(ttl);
	*(sixpn_u32_alias *)(rec + 38) = bpf_htonl(serial);
	*(sixpn_u32_alias *)(rec + 42) = bpf_htonl(refresh);
	*(sixpn_u32_alias *)(rec + 46) = bpf_htonl(retry);
	*(sixpn_u32_alias *)(rec + 50) = bpf_htonl(expire);
	*(sixpn_u32_alias *)(rec + 54) = bpf_htonl(ttl);
	/* The constant bytes (clang folds their sum), the offsets (high byte
	 * of the word at 24, low byte of the one at 36), the numbers. */
	return csum_le_finish(csum_le_add(csum_le_add(csum_le_add(csum_le_add(csum_le_add(0,
			w0), w1), w2), w3), w4)) +
	       (__u32)off * 0x101 + 2 * ((ttl >> 16) + (ttl & 0xffff)) +
	       (serial >> 16) + (serial & 0xffff) + (refresh >> 16) + (refresh & 0xffff) +
	       (retry >> 16) + (retry & 0xffff) + (expire >> 16) + (expire & 0xffff);
}

/* Our OPT, exactly when the query had one: our UDP size, version 0, DO
 * copied (RFC 3225), no options. `pos` is its offset in the summed block. */
static __always_inline __s64 sixpn_dns_put_opt(__u8 *p, const void *data_end,
					       __u16 edns_flags, __u32 pos)
{
	__u8 opt[DNS_OPT_RR_LEN] = {
		0, 0, SIXPN_DNS_TYPE_OPT, SIXPN_DNS_EDNS_MAX >> 8, SIXPN_DNS_EDNS_MAX & 0xff,
		0, 0, (edns_flags & DNS_EDNS_DO) >> 8, 0, 0, 0,
	};
	__u32 sum = 0, i;

	if ((void *)(p + DNS_OPT_RR_LEN) > data_end)
		return -1;
#pragma unroll
	for (i = 0; i < DNS_OPT_RR_LEN; i++) {
		p[i] = opt[i];
		sum += csum_byte(opt[i], pos + i);
	}
	return sum;
}

/* Turns the query into the reply `kind` (DNS_ANSWERED, DNS_NODATA or
 * DNS_NXDOMAIN). Returns SIXPN_DNS_SENT; DNS_PASS_TOO_BIG with the packet
 * untouched when the reply would not fit; SIXPN_DNS_BROKEN if a bounds check
 * failed after the packet was changed (it cannot, but the verifier asks). */
static __always_inline int sixpn_dns_answer(struct xdp_md *ctx, __u32 l2_len,
					    const struct sixpn_dns_query *q,
					    const struct sixpn_dns_value *v, int kind,
					    const struct sixpn_dns_config *cfg, __u32 rotor)
{
	__u32 an = kind == SIXPN_DNS_ANSWERED ? v->count : 0;
	__u32 ns = an ? 0 : 1, ar = q->has_opt ? 1 : 0;
	__u32 rcode = kind == SIXPN_DNS_NXDOMAIN ? SIXPN_DNS_RCODE_NXDOMAIN
						  : SIXPN_DNS_RCODE_NOERROR;
	__u32 qlen = q->wire_len + DNS_QTYPE_QCLASS_LEN;
	__u32 rec_len = an ? an * DNS_AAAA_RR_LEN : DNS_SOA_RR_LEN;
	__u32 hdr_q = sizeof(struct sixpn_dnshdr) + qlen;
	__u32 dns_len = hdr_q + rec_len + ar * DNS_OPT_RR_LEN;
	__u32 udp_len = sizeof(struct udphdr) + dns_len;
	__u32 sum, flags;
	void *data, *data_end;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	struct sixpn_dnshdr *dns;
	__u8 *rec;
	__s64 part;
	int delta;

	if (an > SIXPN_DNS_MAX_ADDRS || qlen > DNS_QNAME_WIRE_MAX + DNS_QTYPE_QCLASS_LEN)
		return SIXPN_DNS_PASS_TOO_BIG;
	if (dns_len > q->reply_max)
		return SIXPN_DNS_PASS_TOO_BIG;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	delta = (int)(l2_len + sizeof(struct ipv6hdr) + udp_len) - (int)(data_end - data);
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return SIXPN_DNS_PASS_TOO_BIG;

	/* Fresh pointers after the resize; the barrier keeps clang from
	 * folding both loads into one computed ctx offset, which the verifier
	 * refuses. */
	asm volatile("" : "+r"(ctx));
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l2_len) {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return SIXPN_DNS_BROKEN;
		sixpn_reflect_eth(eth);
	}
	ip6 = data + l2_len;
	udp = (void *)(ip6 + 1);
	dns = (void *)(udp + 1);
	if ((void *)(dns + 1) > data_end)
		return SIXPN_DNS_BROKEN;

	sixpn_reflect_ip6(ip6);
	ip6->payload_len = bpf_htons(udp_len);
	ip6->hop_limit = SIXPN_DNS_REPLY_HOP_LIMIT;
	sixpn_reflect_udp(udp);
	udp->len = bpf_htons(udp_len);

	/* QR, AA; RA since the resolver recurses for names outside internal.
	 * (by forwarding); RD and CD as asked; AD clear; opcode QUERY. */
	flags = DNS_F_QR | DNS_F_AA | DNS_F_RA | (q->flags & (DNS_F_RD | DNS_F_CD)) | rcode;
	dns->flags = bpf_htons(flags);
	dns->ancount = bpf_htons(an);
	dns->nscount = bpf_htons(ns);
	dns->arcount = bpf_htons(ar);

	/* 6.1's verifier can lose qlen's bound across the tail adjustment
	 * (the bench wrapper's build: "R2 offset is outside of the packet"):
	 * bound it again where the pointer is made; test_xdp_dns's "bench
	 * wrapper loads" on the 6.1 guest (make vmtest) checks it. */
	asm volatile("" : "+r"(qlen));
	if (qlen > DNS_QNAME_WIRE_MAX + DNS_QTYPE_QCLASS_LEN)
		return SIXPN_DNS_BROKEN;
	rec = (__u8 *)(dns + 1) + qlen;
	if (an)
		part = sixpn_dns_put_aaaa(rec, data_end, v, an, q->net_id, cfg->ttl, rotor);
	else
		part = sixpn_dns_put_soa(rec, data_end, cfg, hdr_q);
	if (part < 0)
		return SIXPN_DNS_BROKEN;
	sum = (__u32)part;
	if (ar) {
		if (rec_len > SIXPN_DNS_MAX_ADDRS * DNS_AAAA_RR_LEN) /* for the verifier */
			return SIXPN_DNS_BROKEN;
		part = sixpn_dns_put_opt(rec + rec_len, data_end, q->edns_flags, rec_len);
		if (part < 0)
			return SIXPN_DNS_BROKEN;
		sum += (__u32)part;
	}

	/* Records follow the question: at an odd offset when it is odd. */
	sum = csum_place(sum, qlen & 1);
	sum += q->qsum;
	sum += bpf_ntohs(dns->id) + flags + 1 + an + ns + ar;
	sum += bpf_ntohs(udp->source) + bpf_ntohs(udp->dest) + udp_len;
	sum += csum_le_finish(csum_le_add(csum_le_add(csum_le_add(csum_le_add(0,
			swar_load(&ip6->saddr)), swar_load((__u8 *)&ip6->saddr + 8)),
			swar_load(&ip6->daddr)), swar_load((__u8 *)&ip6->daddr + 8)));
	sum += udp_len + IPPROTO_UDP;
	udp->check = bpf_htons(csum_finish(sum));
	return SIXPN_DNS_SENT;
}


#endif
