/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What to answer: the rules of maps/sixpn_dns.h applied to a parsed query.
 * Every outcome is an enum sixpn_reason: DNS_ANSWERED, DNS_NODATA and
 * DNS_NXDOMAIN are answered here, the DNS_PASS_* ones go up the stack.
 * Names are found in the names table (maps/sixpn_dns.h) by array reads
 * only; what a slot holds is copied out under its sequence word. */
#ifndef SIXPN_DNS_LOOKUP_H
#define SIXPN_DNS_LOOKUP_H

#include "parse.h"
#include "sixpn_seq.h"

enum sixpn_dns_found {
	SIXPN_DNS_FOUND,
	SIXPN_DNS_MISS,     /* not in the table: the name does not exist */
	SIXPN_DNS_UNSURE,   /* may be there (a spilled home): userspace knows */
	SIXPN_DNS_BUSY,     /* a slot in mid-write: userspace answers */
};

/* One host part copied in an 8-byte and a 2-byte load and store (a struct
 * copy of its 2-byte-aligned words is five halfword ones). */
static __always_inline void sixpn_dns_host_copy(struct sixpn_dns_host *dst,
						const struct sixpn_dns_host *src)
{
	swar_store(dst, swar_load(src));
	dst->w[4] = src->w[4];
}

/* The address record at cell `rec` into out->addrs (all eight places; the
 * count says how many mean something). */
static __always_inline int sixpn_dns_read_rec(__u32 rec, struct sixpn_dns_value *out)
{
	__u32 k1 = rec + 1, k2 = rec + 2, seq;
	const union sixpn_dns_cell *h = bpf_map_lookup_elem(&dns_names, &rec);
	const union sixpn_dns_cell *t1 = bpf_map_lookup_elem(&dns_names, &k1);
	const union sixpn_dns_cell *t2 = bpf_map_lookup_elem(&dns_names, &k2);

	if (!h || !t1 || !t2)
		return SIXPN_DNS_UNSURE;
	seq = sixpn_seq_read(&h->head.seq);
	if (seq & 1)
		return SIXPN_DNS_BUSY;
	sixpn_dns_host_copy(&out->addrs[0], &h->head.addrs[0]);
	sixpn_dns_host_copy(&out->addrs[1], &h->head.addrs[1]);
	sixpn_dns_host_copy(&out->addrs[2], &t1->tail.addrs[0]);
	sixpn_dns_host_copy(&out->addrs[3], &t1->tail.addrs[1]);
	sixpn_dns_host_copy(&out->addrs[4], &t1->tail.addrs[2]);
	sixpn_dns_host_copy(&out->addrs[5], &t2->tail.addrs[0]);
	sixpn_dns_host_copy(&out->addrs[6], &t2->tail.addrs[1]);
	sixpn_dns_host_copy(&out->addrs[7], &t2->tail.addrs[2]);
	return sixpn_seq_retry(&h->head.seq, seq) ? SIXPN_DNS_BUSY : SIXPN_DNS_FOUND;
}

/* Finds (net, hash): at most SIXPN_DNS_PROBES slots from its home, where
 * the writer put it or flagged the home F_SPILL. On SIXPN_DNS_FOUND `out`
 * holds its flags, count and addresses.
 *
 * A global function, so that the verifier checks it once, on its own: it
 * has three callers (the name, its parent, the quota marker), and inlined
 * each would take the rest of the program through the verifier again. */
__noinline int sixpn_dns_find(__u32 mask, __u32 net, __u64 hash, struct sixpn_dns_value *out)
{
	__u32 home = sixpn_dns_home(net, hash, mask), spill = 0, i, idx, seq, rec, flags, count;
	const union sixpn_dns_cell *c;
	const struct sixpn_dns_slot *s;
	int ret;

	if (!out)
		return SIXPN_DNS_UNSURE;
	for (i = 0; i < SIXPN_DNS_PROBES; i++) {
		idx = (home + i) & mask;
		if (!idx) /* the header */
			continue;
		c = bpf_map_lookup_elem(&dns_names, &idx);
		if (!c)
			return SIXPN_DNS_UNSURE;
		s = &c->slot;
		seq = sixpn_seq_read(&s->seq);
		if (seq & 1)
			return SIXPN_DNS_BUSY;
		flags = s->flags;
		if (!i)
			spill = flags & SIXPN_DNS_F_SPILL;
		if (s->net_id != net || s->hash != hash) {
			/* An empty slot ends the chain; a removed one does not.
			 * Either way the read must have been whole. */
			if (sixpn_seq_retry(&s->seq, seq))
				return SIXPN_DNS_BUSY;
			if (!s->net_id)
				break;
			continue;
		}
		count = s->count;
		rec = s->u.rec;
		out->flags = flags & SIXPN_DNS_F_ENTRY_MASK;
		out->count = count;
		sixpn_dns_host_copy(&out->addrs[0], &s->u.addr);
		if (sixpn_seq_retry(&s->seq, seq))
			return SIXPN_DNS_BUSY;
		if ((flags & SIXPN_DNS_F_EXT) && count <= SIXPN_DNS_MAX_ADDRS) {
			ret = sixpn_dns_read_rec(rec, out);
			if (ret != SIXPN_DNS_FOUND)
				return ret;
			/* The record belonged to this slot all along. */
			if (sixpn_seq_retry(&s->seq, seq))
				return SIXPN_DNS_BUSY;
		}
		return SIXPN_DNS_FOUND;
	}
	return spill ? SIXPN_DNS_UNSURE : SIXPN_DNS_MISS;
}

/* The hash of the zone apex, "\10internal\0": the over-quota marker's. */
static __always_inline __u64 sixpn_dns_zone_hash(__u64 seed)
{
	__u64 h = sixpn_dns_hash_start(seed);

	h = sixpn_dns_mix(h, 0x616e7265746e6908ULL); /* \10 i n t e r n a */
	h = sixpn_dns_mix(h, 0x006cULL);             /* l \0 */
	return sixpn_dns_hash_end(h, 1 + sizeof(SIXPN_DNS_ZONE));
}

/* Is the asker's network over its names quota, so that a name missing from
 * the table may still exist? The slot costs an array read; only a network
 * whose slot counts one over pays for the marker's lookup. */
static __always_inline int sixpn_dns_over_quota(const struct sixpn_dns_hdr *hdr, __u32 net_id,
						struct sixpn_dns_value *room)
{
	__u32 slot = sixpn_dns_overflow_slot(net_id);
	__u32 *over = bpf_map_lookup_elem(&dns_overflow, &slot);
	int ret;

	if (!over || !*over)
		return 0;
	ret = sixpn_dns_find(hdr->mask, net_id, sixpn_dns_zone_hash(hdr->seed), room);
	if (ret == SIXPN_DNS_MISS)
		return 0;
	/* Unsure or in mid-write: the name may exist; userspace decides. */
	return ret != SIXPN_DNS_FOUND || (room->flags & SIXPN_DNS_F_OVER_QUOTA);
}

/* <app>.flycast: an AAAA the table holds is answered; anything else under
 * flycast. is the resolver's (it has the zone's SOA). */
static __always_inline int sixpn_dns_flycast_decide(const struct sixpn_dns_query *q,
						    const struct sixpn_dns_hdr *hdr,
						    struct sixpn_dns_value *v,
						    const struct sixpn_dns_value **entry)
{
	int found;

	if (q->wire_len == 1 + sizeof(SIXPN_DNS_FLYCAST_ZONE) ||
	    q->qclass != SIXPN_DNS_CLASS_IN || q->qtype != SIXPN_DNS_TYPE_AAAA)
		return SIXPN_DNS_PASS_USERSPACE;
	found = sixpn_dns_find(hdr->mask, q->net_id, q->hash, v);
	if (found == SIXPN_DNS_BUSY)
		return SIXPN_DNS_PASS_BUSY;
	if (found != SIXPN_DNS_FOUND || (v->flags & SIXPN_DNS_F_USERSPACE) || v->count == 0 ||
	    v->count > SIXPN_DNS_MAX_ADDRS)
		return SIXPN_DNS_PASS_USERSPACE;
	*entry = v;
	return SIXPN_DNS_ANSWERED;
}

/* Decides the answer to `q`; `v` and `parent` are room for the entries
 * found, *entry the name's on DNS_ANSWERED and DNS_NODATA. */
static __always_inline int sixpn_dns_decide(struct xdp_md *ctx,
					    const struct sixpn_dns_query *q,
					    const struct sixpn_dns_hdr *hdr,
					    struct sixpn_dns_value *v,
					    struct sixpn_dns_value *parent,
					    const struct sixpn_dns_value **entry)
{
	__u64 parent_hash;
	int found;

	if (q->in_flycast)
		return sixpn_dns_flycast_decide(q, hdr, v, entry);
	if (!q->in_zone)
		return SIXPN_DNS_PASS_FORWARD;
	/* SOA and NS of the apex are the resolver's. */
	if (q->wire_len == 1 + sizeof(SIXPN_DNS_ZONE))
		return SIXPN_DNS_PASS_USERSPACE;
	if (q->qclass != SIXPN_DNS_CLASS_IN || q->qtype == 0 || q->qtype == SIXPN_DNS_TYPE_RESERVED ||
	    q->qtype == SIXPN_DNS_TYPE_OPT ||
	    (q->qtype >= SIXPN_DNS_META_TYPE_FIRST && q->qtype <= SIXPN_DNS_META_TYPE_LAST))
		return SIXPN_DNS_PASS_UNSUPPORTED;

	found = sixpn_dns_find(hdr->mask, q->net_id, q->hash, v);
	if (found == SIXPN_DNS_BUSY)
		return SIXPN_DNS_PASS_BUSY;
	if (found == SIXPN_DNS_UNSURE)
		return SIXPN_DNS_PASS_USERSPACE;
	if (found == SIXPN_DNS_FOUND) {
		*entry = v;
		if (v->flags & SIXPN_DNS_F_USERSPACE)
			return SIXPN_DNS_PASS_USERSPACE;
		if (q->qtype != SIXPN_DNS_TYPE_AAAA || v->count == 0)
			return SIXPN_DNS_NODATA;
		/* More addresses than the entry holds: userspace has them all. */
		if (v->count > SIXPN_DNS_MAX_ADDRS)
			return SIXPN_DNS_PASS_TOO_BIG;
		return SIXPN_DNS_ANSWERED;
	}

	/* The name without its first label: at least "\10internal\0", and
	 * exactly that when it is that long (the last label is internal.). */
	if (q->wire_len - q->first_label - 1 == 1 + sizeof(SIXPN_DNS_ZONE))
		parent_hash = sixpn_dns_zone_hash(hdr->seed);
	else
		parent_hash = sixpn_dns_rehash(ctx, q->name_off + q->first_label + 1,
					       q->wire_len - q->first_label - 1, hdr->seed);
	if (!parent_hash)
		return SIXPN_DNS_PASS_USERSPACE;
	found = sixpn_dns_find(hdr->mask, q->net_id, parent_hash, parent);
	if (found == SIXPN_DNS_BUSY)
		return SIXPN_DNS_PASS_BUSY;
	if (found == SIXPN_DNS_UNSURE ||
	    (found == SIXPN_DNS_FOUND && (parent->flags & SIXPN_DNS_F_CHILDREN_USERSPACE)))
		return SIXPN_DNS_PASS_USERSPACE;
	/* The parent was the marker itself, or the slot says look. */
	if ((found == SIXPN_DNS_FOUND && (parent->flags & SIXPN_DNS_F_OVER_QUOTA)) ||
	    sixpn_dns_over_quota(hdr, q->net_id, parent))
		return SIXPN_DNS_PASS_OVER_QUOTA;
	return SIXPN_DNS_NXDOMAIN;
}

#endif
