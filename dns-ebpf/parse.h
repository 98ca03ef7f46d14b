/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Parsing a query: the header, the single question and an optional OPT
 * record, with loops bounded by the key size. Whatever is not exactly the
 * shape the fast path answers is refused with the reason it passes up for:
 * the fast path never answers what it did not fully understand. */
#ifndef SIXPN_DNS_PARSE_H
#define SIXPN_DNS_PARSE_H

#include "lib/common.h"
#include "sixpn_maps.h"
#include "dns_wire.h"
#include "csum.h"
#include "swar.h"

struct sixpn_dns_query {
	__u32 net_id;               /* of the asker, set by the caller */
	__u64 hash;                 /* sixpn_dns_hash() of the lowercased QNAME */
	__u32 name_off;             /* where the QNAME starts in the packet */
	__u32 wire_len;             /* bytes of the QNAME in the packet, root label included */
	__u32 first_label;          /* length of the first label */
	__u32 last_label;           /* length of the last label */
	__u32 qsum;                 /* csum of the question as asked (0x20 case kept) */
	__u16 flags;                /* header flags, host order */
	__u16 qtype;
	__u16 qclass;
	__u16 reply_max;            /* largest reply the asker takes over UDP */
	__u16 edns_flags;           /* the OPT's flags, when has_opt */
	__u8 has_opt;
	__u8 in_zone;               /* the last label is "internal" */
	__u8 in_flycast;            /* the last label is "flycast" */
};

/* "internal" as the last label's bytes, first byte highest; "flycast"
 * likewise, in the low 7 bytes. */
#define SIXPN_DNS_ZONE_WORD 0x696e7465726e616cULL
#define SIXPN_DNS_FLYCAST_WORD 0x666c7963617374ULL

/* One byte of a name into a hash: `w` gathers a chunk, `h` takes it whole. */
static __always_inline void sixpn_dns_hash_byte(__u64 *h, __u64 *w, __u8 c, __u32 pos)
{
	*w |= (__u64)c << (8 * (pos & 7));
	if ((pos & 7) == 7) {
		*h = sixpn_dns_mix(*h, *w);
		*w = 0;
	}
}

static __always_inline __u64 sixpn_dns_hash_finish(__u64 h, __u64 w, __u32 len)
{
	if (len & 7)
		h = sixpn_dns_mix(h, w);
	return sixpn_dns_hash_end(h, len);
}

/* The QNAME at packet offset `off` read byte by byte: hashes its lowercased
 * wire form (sixpn_dns_hash(), the names table's key), notes where its
 * labels are, and sums its bytes as they are on the wire. Returns
 * SIXPN_CONTINUE, or the reason to pass. The names it refuses are the ones
 * the text form of a name (what sixpnd publishes) cannot spell.
 *
 * This is the definition; sixpn_dns_parse_name() reads the names it can
 * 8 bytes at a time, and hands every other one here, so that what is
 * refused, and why, is decided by this loop alone. A global function,
 * checked once: inlined, it would take the rest of the program through the
 * verifier once for each of its ways out. */
__noinline int sixpn_dns_parse_name_bytes(struct xdp_md *ctx, __u32 off,
					  struct sixpn_dns_query *q, __u64 seed)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u64 h = sixpn_dns_hash_start(seed), w = 0, pos = off;
	__u32 i, left = 0, sum = 0, first = 0, last_len = 0;
	const __u8 *name;

	/* The bound on the offset itself, out of clang's sight (it would
	 * test a copy the verifier learns nothing from). */
	asm volatile("" : "+r"(pos));
	if (!q || pos > DNS_EDNS_RDATA_OFF_MAX)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	name = data + pos;
	for (i = 0; i < DNS_QNAME_WIRE_MAX; i++) {
		const __u8 *p = name + i;
		__u8 c;

		if ((const void *)(p + 1) > data_end)
			return SIXPN_DNS_PASS_MALFORMED;
		c = *p;
		sum += csum_byte(c, i);
		if (left) {
			/* A '.' or NUL inside a label has no text form. */
			if (c == '.' || c == 0)
				return SIXPN_DNS_PASS_UNSUPPORTED;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			left--;
		} else if (c == 0) {
			q->wire_len = i + 1;
			q->qsum = sum;
			q->first_label = first;
			q->last_label = last_len;
			/* The root label is part of the hashed wire form. */
			sixpn_dns_hash_byte(&h, &w, 0, i);
			q->hash = sixpn_dns_hash_finish(h, w, i + 1);
			return SIXPN_CONTINUE;
		} else if (c > SIXPN_DNS_LABEL_MAX) {
			/* A compression pointer (legal but never sent in a
			 * question by real stubs) or a reserved label type. */
			return SIXPN_DNS_PASS_UNSUPPORTED;
		} else {
			/* The label ends at text offset i + c; names hold 63. */
			if (i + c > SIXPN_DNS_NAME_MAX - 1)
				return SIXPN_DNS_PASS_UNSUPPORTED;
			left = c;
			last_len = c;
			if (i == 0)
				first = c;
		}
		sixpn_dns_hash_byte(&h, &w, c, i);
	}
	return SIXPN_DNS_PASS_UNSUPPORTED;
}

/* One 8-byte chunk of a name, as it is on the wire, into the running
 * sums: `even` and `odd` gather its bytes by their parity (the checksum's
 * high and low bytes), `bad` counts per byte lane the NULs and dots. */
static __always_inline void sixpn_dns_chunk_sums(__u64 v, __u64 *even, __u64 *odd, __u64 *bad)
{
	*even += v & SWAR_EVEN;
	*odd += (v >> 8) & SWAR_EVEN;
	*bad += (swar_zero(v) | swar_eq(v, '.' * SWAR_ONES)) >> 7;
}

/* A test counts the names sixpn_dns_parse_name() hands to the byte loop
 * (selftests/progs/xdp_dns_name.bpf.c); nothing else defines it. */
#ifndef SIXPN_DNS_NAME_BYTES_HOOK
#define SIXPN_DNS_NAME_BYTES_HOOK() do { } while (0)
#endif

/* Reads the QNAME at `name` (packet offset `off`), with what
 * sixpn_dns_parse_name_bytes() fills in, 8 bytes at a time: one pass over
 * the length bytes alone finds the labels, then the name goes into the
 * hash and the sum in 8-byte chunks, lowercased in the register, nothing
 * copied. A name this cannot take whole (not all in the packet, a length
 * the byte loop refuses, a NUL or a dot anywhere but in the root label:
 * a dot may be a length byte, 46, which the byte loop accepts) goes to the
 * byte loop, which then decides alone. So what is refused, and why, is
 * exactly what the byte loop says; what is taken is what it would take:
 * the same labels, the same bytes. The parent's hash is only needed on a
 * miss: sixpn_dns_rehash() then. */
static __always_inline int sixpn_dns_parse_name(struct sixpn_dns_query *q, struct xdp_md *ctx,
						__u32 off, const __u8 *name,
						const void *data_end, __u64 seed)
{
	__u64 h = sixpn_dns_hash_start(seed), even = 0, odd = 0, bad = 0, v, wl;
	__u32 pos = 0, i, r;
	const __u8 *p, *back;

	/* The labels, by their length bytes: the same tests as the byte
	 * loop's, on the same bytes. The lengths go straight to q, so that no
	 * register carries one per way out of the loop. */
	q->first_label = 0;
	q->last_label = 0;
	for (i = 0; i < DNS_QNAME_LABELS_MAX; i++) {
		__u8 c;

		p = name + pos;
		if ((const void *)(p + 1) > data_end)
			goto bytes;
		c = *p;
		if (!c)
			break;
		if (c > SIXPN_DNS_LABEL_MAX || pos + c > SIXPN_DNS_NAME_MAX - 1)
			goto bytes;
		if (!pos)
			q->first_label = c;
		q->last_label = c;
		pos += c + 1;
	}
	/* The length as a pointer difference: one range for the verifier,
	 * not one per label count; 64 bits, so that no zero-extended copy of
	 * it takes the bound. */
	if (i == DNS_QNAME_LABELS_MAX)
		goto bytes;
	wl = (const __u8 *)(p + 1) - name;
	if (wl > DNS_QNAME_WIRE_MAX)
		goto bytes;

	/* Whole chunks: the root byte is in the packet, so is all of this. */
	for (i = 0; i + 8 <= wl; i += 8) {
		p = name + i;
		if ((const void *)(p + 8) > data_end)
			goto bytes;
		v = swar_load(p);
		sixpn_dns_chunk_sums(v, &even, &odd, &bad);
		h = sixpn_dns_mix(h, swar_lower(v));
	}
	/* The last r bytes: the 8 that end with the root byte (the DNS header
	 * lies before a short name), shifted down, zero-padded for the hash
	 * and the sums; the padding is no NUL for the count. */
	r = wl - i;
	if (r) {
		back = name - 8;
		asm volatile("" : "+r"(back));  /* one pointer for check and load */
		p = back + wl;
		if ((const void *)(p + 8) > data_end)
			goto bytes;
		v = swar_load(p) >> (8 * (8 - r));
		even += v & SWAR_EVEN;
		odd += (v >> 8) & SWAR_EVEN;
		bad += (swar_zero(v | (~0ULL << (8 * r))) | swar_eq(v, '.' * SWAR_ONES)) >> 7;
		h = sixpn_dns_mix(h, swar_lower(v));
	}
	/* The root label's NUL, and nothing else. */
	if (swar_byte_sum(bad) != 1)
		goto bytes;
	q->wire_len = wl;
	q->qsum = (swar_lane_sum(even) << 8) + swar_lane_sum(odd);
	q->hash = sixpn_dns_hash_end(h, wl);
	return SIXPN_CONTINUE;
bytes:
	SIXPN_DNS_NAME_BYTES_HOOK();
	return sixpn_dns_parse_name_bytes(ctx, off, q, seed);
}

/* The 8 bytes at p, p[0] highest. */
static __always_inline __u64 sixpn_dns_load_be64(const __u8 *p)
{
	return __builtin_bswap64(swar_load(p));
}

/* Is the last label "internal" or "flycast", in any case? The 8 bytes
 * before the root label are, for a last label of 8, its letters, and for
 * one of 7, its length byte and its letters: OR-ing 0x20 into a byte gives
 * a lowercase letter exactly for that letter in either case. The length
 * alone says whether the name is long enough: the test of `wl` that it
 * implies is not made, since Linux 6.1's verifier would go on along the
 * path where both tests of the two zones hold, with bounds on `wl` that
 * contradict each other, and refuse the pointer computed from it there.
 * Before a shorter name the bytes read are the header's (the name is
 * `wl` bytes, its root in the packet, at most DNS_QNAME_WIRE_MAX). */
static __always_inline void sixpn_dns_zones(struct sixpn_dns_query *q, __u64 wl,
					    const __u8 *name, const void *data_end)
{
	const __u8 *back = name - 9, *p;
	__u64 v;

	q->in_zone = 0;
	q->in_flycast = 0;
	asm volatile("" : "+r"(back));  /* one pointer for check and load */
	p = back + wl;
	if ((const void *)(p + 8) > data_end)
		return;
	v = sixpn_dns_load_be64(p);
	if (q->last_label == sizeof(SIXPN_DNS_ZONE) - 1)
		q->in_zone = (v | 0x2020202020202020ULL) == SIXPN_DNS_ZONE_WORD;
	else if (q->last_label == sizeof(SIXPN_DNS_FLYCAST_ZONE) - 1)
		q->in_flycast = (v | 0x0020202020202020ULL) ==
				((__u64)(sizeof(SIXPN_DNS_FLYCAST_ZONE) - 1) << 56 | SIXPN_DNS_FLYCAST_WORD);
}

/* The hash of `len` bytes of name at packet offset `off`, lowercased: the
 * parent's, on a miss. The parser has read these bytes already and found
 * no NUL or dot among them (and a length byte is never a letter, so every
 * byte is lowercased alike): here they only go into the hash, in 8-byte
 * chunks, the last one read as the 8 bytes that end the name and shifted
 * down (the first label lies before it). 0 when the bytes are not there
 * (they are; the verifier asks). A global function, checked once. */
__noinline __u64 sixpn_dns_rehash(struct xdp_md *ctx, __u32 off, __u32 len, __u64 seed)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u64 h = sixpn_dns_hash_start(seed), pos = off, n = len, i, end;
	const __u8 *name, *p;

	/* The bounds on the offset and the length themselves, out of clang's
	 * sight (it would test copies the verifier learns nothing from). */
	asm volatile("" : "+r"(pos), "+r"(n));
	if (pos > DNS_EDNS_RDATA_OFF_MAX || n > DNS_QNAME_WIRE_MAX)
		return 0;
	name = data + pos;
	for (i = 0; i + 8 <= n; i += 8) {
		p = name + i;
		if ((const void *)(p + 8) > data_end)
			return 0;
		h = sixpn_dns_mix(h, swar_lower(swar_load(p)));
	}
	if (n > i) {
		/* Before the parent's first byte when it is short: the
		 * first label's, shifted out. */
		end = pos + n - 8;
		asm volatile("" : "+r"(end));
		if (end > DNS_EDNS_RDATA_OFF_MAX + DNS_QNAME_WIRE_MAX)
			return 0;
		p = data + end;
		if ((const void *)(p + 8) > data_end)
			return 0;
		h = sixpn_dns_mix(h, swar_lower(swar_load(p) >> (8 * (8 - (n - i)))));
	}
	return sixpn_dns_hash_end(h, len);
}

static __always_inline __u16 rd16(const __u8 *p)
{
	return (__u16)p[0] << 8 | p[1];
}

/* Walks the options of an OPT, `len` bytes at offset `off` of the packet
 * (in the message, as the caller checked), as a server that implements
 * none of them must still do: each option must lie whole inside the RDATA,
 * and a COOKIE have one of the lengths RFC 7873 allows (else FORMERR,
 * userspace's). Returns SIXPN_CONTINUE, or the reason to pass.
 *
 * A global function, so that the verifier checks it once, on its own:
 * inlined, each way out of the walk took the rest of the program through
 * the verifier again (705k instructions verified against 118k). */
__noinline int sixpn_dns_check_options(struct xdp_md *ctx, __u32 off, __u32 len)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	/* 64 bits, so that no zero-extended copy of pos takes the bound the
	 * verifier needs on pos itself. */
	__u64 pos = off, end, code, olen;
	__u32 i;

	if (off > DNS_EDNS_RDATA_OFF_MAX || len > DNS_EDNS_RDATA_MAX)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	end = pos + len;
	for (i = 0; i < DNS_EDNS_OPTS_MAX; i++) {
		const __u8 *o;

		/* pos <= end always; the verifier of Linux 6.1 cannot learn
		 * that from comparing two unknowns, so it is told, out of
		 * clang's sight. */
		asm volatile("" : "+r"(pos));
		if (pos > DNS_EDNS_RDATA_OFF_MAX + DNS_EDNS_RDATA_MAX)
			return SIXPN_DNS_PASS_MALFORMED;
		if (pos >= end)
			return SIXPN_CONTINUE;
		/* Half an option header. */
		if (end - pos < DNS_EDNS_OPT_HDR_LEN)
			return SIXPN_DNS_PASS_MALFORMED;
		o = data + pos;
		/* One pointer for the check and the reads, not two sums
		 * clang finds cheaper, of which the verifier checked one. */
		asm volatile("" : "+r"(o));
		if ((const void *)(o + DNS_EDNS_OPT_HDR_LEN) > data_end)
			return SIXPN_DNS_PASS_MALFORMED;
		code = rd16(o);
		olen = rd16(o + 2);
		if (code == SIXPN_DNS_OPT_COOKIE && !sixpn_dns_cookie_len_ok(olen))
			return SIXPN_DNS_PASS_MALFORMED;
		/* The length again, from the packet: the cookie's tests leave
		 * the verifier three ranges of it, which would go on as three
		 * states per option, 3^8 in all. */
		asm volatile("" ::: "memory");
		olen = rd16(o + 2);
		/* The option runs past the RDATA. */
		if (olen > end - pos - DNS_EDNS_OPT_HDR_LEN)
			return SIXPN_DNS_PASS_MALFORMED;
		pos += DNS_EDNS_OPT_HDR_LEN + olen;
	}
	return pos >= end ? SIXPN_CONTINUE : SIXPN_DNS_PASS_UNSUPPORTED;
}

/* Parses the DNS message of `dns_len` bytes at `h`, offset `dns_off` of the
 * packet (the UDP payload; the caller checked that it lies in the packet).
 * Returns SIXPN_CONTINUE when q describes a query the fast path may answer,
 * else the reason to pass it up. */
static __always_inline int sixpn_dns_parse(struct sixpn_dns_query *q, struct xdp_md *ctx,
					   __u32 dns_off, const struct sixpn_dnshdr *h,
					   __u32 dns_len, const void *data_end, __u64 seed)
{
	const __u8 *name = (const __u8 *)(h + 1), *t, *opt;
	__u32 end, rdlen, i;
	__u64 wl; /* 64 bits: no zero-extended copy takes the bounds */
	int ret;

	if ((const void *)(h + 1) > data_end || dns_len < sizeof(*h))
		return SIXPN_DNS_PASS_MALFORMED;
	q->flags = bpf_ntohs(h->flags);
	/* A response, or NOTIFY/UPDATE/...: userspace answers NOTIMP. TC or Z
	 * in a query mean nothing the fast path knows: userspace decides. */
	if (q->flags & (DNS_F_QR | DNS_F_OPCODE | DNS_F_TC | DNS_F_Z))
		return SIXPN_DNS_PASS_UNSUPPORTED;
	/* An RCODE in a query: FORMERR, as NSD answers. */
	if (q->flags & DNS_F_RCODE)
		return SIXPN_DNS_PASS_MALFORMED;
	if (h->qdcount != bpf_htons(1) || h->ancount || h->nscount ||
	    bpf_ntohs(h->arcount) > 1)
		return SIXPN_DNS_PASS_UNSUPPORTED;

	ret = sixpn_dns_parse_name(q, ctx, dns_off + sizeof(*h), name, data_end, seed);
	if (ret != SIXPN_CONTINUE)
		return ret;
	/* For the verifier, the bounds on the register used below, one test
	 * at a time: clang would make the two one test on a copy. */
	wl = q->wire_len;
	if (wl > DNS_QNAME_WIRE_MAX)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	asm volatile("" : "+r"(wl));
	if (wl < 1)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	q->name_off = dns_off + sizeof(*h);
	sixpn_dns_zones(q, wl, name, data_end);
	t = name + wl;
	if ((const void *)(t + DNS_QTYPE_QCLASS_LEN) > data_end)
		return SIXPN_DNS_PASS_MALFORMED;
	q->qtype = rd16(t);
	q->qclass = rd16(t + 2);
#pragma unroll
	for (i = 0; i < DNS_QTYPE_QCLASS_LEN; i++)
		q->qsum += csum_byte(t[i], wl + i);

	end = sizeof(*h) + wl + DNS_QTYPE_QCLASS_LEN;
	if (!h->arcount) {
		/* Trailing bytes are not a query we understand. */
		if (end != dns_len)
			return SIXPN_DNS_PASS_MALFORMED;
		q->reply_max = SIXPN_DNS_UDP_PLAIN_MAX;
		return SIXPN_CONTINUE;
	}

	/* The one additional record must be an OPT owned by the root (RFC
	 * 6891 6.1.1); TSIG, SIG(0) and the rest are userspace's. */
	opt = t + DNS_QTYPE_QCLASS_LEN;
	if ((const void *)(opt + DNS_OPT_FIXED_LEN) > data_end)
		return SIXPN_DNS_PASS_MALFORMED;
	if (opt[0] != 0 || rd16(opt + 1) != SIXPN_DNS_TYPE_OPT)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	/* EDNS version > 0: userspace answers BADVERS. An extended RCODE
	 * has no meaning in a query. */
	if (opt[5] != 0 || opt[6] != 0)
		return SIXPN_DNS_PASS_UNSUPPORTED;
	/* The options (cookies, padding, ...) are checked, then ignored and
	 * not echoed: a server may ignore what it does not implement. */
	rdlen = rd16(opt + 9);
	if (end + DNS_OPT_FIXED_LEN + rdlen != dns_len)
		return SIXPN_DNS_PASS_MALFORMED;
	if (rdlen) {
		ret = sixpn_dns_check_options(ctx, dns_off + end + DNS_OPT_FIXED_LEN, rdlen);
		if (ret != SIXPN_CONTINUE)
			return ret;
	}
	q->has_opt = 1;
	q->edns_flags = rd16(opt + 7);
	q->reply_max = sixpn_dns_reply_max(rd16(opt + 3));
	return SIXPN_CONTINUE;
}

#endif
