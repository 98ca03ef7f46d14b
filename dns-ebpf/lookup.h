/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What to answer: the rules of maps/sixpn_dns.h applied to a parsed query.
 * Every outcome is an enum sixpn_reason: DNS_ANSWERED, DNS_NODATA and
 * DNS_NXDOMAIN are answered here, the DNS_PASS_* ones go up the stack. */
#ifndef SIXPN_DNS_LOOKUP_H
#define SIXPN_DNS_LOOKUP_H

#include "parse.h"

/* Is the name "internal" itself, or under it? The key holds lowercase text,
 * and a '.' in it is always a label boundary (the parser refused labels
 * holding one). */
#define sixpn_dns_zone_match(q, apex) \
	sixpn_dns_suffix_match(q, SIXPN_DNS_ZONE, sizeof(SIXPN_DNS_ZONE) - 1, apex)

static __always_inline int sixpn_dns_suffix_match(const struct sixpn_dns_query *q,
						  const char *zone, const __u32 zlen,
						  int *apex)
{
	__u32 len = q->text_len, start, i, idx;

	*apex = len == zlen;
	if (*apex) {
		start = 0;
	} else if (len > zlen && len < SIXPN_DNS_NAME_MAX) {
		start = len - zlen;
		/* len < SIXPN_DNS_NAME_MAX: the mask changes nothing but
		 * shows the verifier (the second zone's copy lost the bound) */
		if (q->key.name[(start - 1) & (SIXPN_DNS_NAME_MAX - 1)] != '.')
			return 0;
	} else {
		return 0;
	}
#pragma unroll
	for (i = 0; i < zlen; i++) {
		idx = start + i;
		/* clang knows idx < SIXPN_DNS_NAME_MAX and would turn the
		 * check into one the verifier learns nothing from (start ==
		 * 63) when len was reloaded from the map: hide idx. */
		asm volatile("" : "+r"(idx));
		if (idx >= SIXPN_DNS_NAME_MAX) /* for the verifier */
			return 0;
		if (q->key.name[idx] != zone[i])
			return 0;
	}
	return 1;
}

/* The parent's key: the name without its first label, zero-padded. Only
 * the parent's own characters are copied; the rest is cleared in words. */
static __always_inline void sixpn_dns_parent_key(const struct sixpn_dns_query *q,
						 struct sixpn_dns_key *parent)
{
	__u32 skip = q->first_label + 1, len = q->text_len, i, src;

	__builtin_memset(parent, 0, sizeof(*parent));
	parent->net_id = q->key.net_id;
	for (i = 0; i < SIXPN_DNS_NAME_MAX; i++) {
		src = i + skip;
		if (src >= len)
			break;
		/* len < SIXPN_DNS_NAME_MAX already; the mask shows the
		 * verifier (clang would otherwise split the index). */
		parent->name[i] = q->key.name[src & (SIXPN_DNS_NAME_MAX - 1)];
	}
}

/* Is the asker's network over its names quota, so that a name missing from
 * the map may still exist? The slot costs an array read; only a network
 * whose slot counts one over pays for the marker's lookup. `zone` is room
 * for the marker's key. */
static __always_inline int sixpn_dns_over_quota(__u32 net_id, struct sixpn_dns_key *zone)
{
	const char name[] = SIXPN_DNS_ZONE;
	const struct sixpn_dns_value *marker;
	__u32 slot = sixpn_dns_overflow_slot(net_id);
	__u32 *over = bpf_map_lookup_elem(&dns_overflow, &slot);

	if (!over || !*over)
		return 0;
	__builtin_memset(zone, 0, sizeof(*zone));
	zone->net_id = net_id;
	__builtin_memcpy(zone->name, name, sizeof(name));
	marker = bpf_map_lookup_elem(&dns_names, zone);
	return marker && (marker->flags & SIXPN_DNS_F_OVER_QUOTA);
}

/* <app>.flycast: an AAAA the map holds is answered; anything else under
 * flycast. is the resolver's (it has the zone's SOA); other names are
 * forwarded. */
static __always_inline int sixpn_dns_flycast_decide(const struct sixpn_dns_query *q,
						    const struct sixpn_dns_value **entry)
{
	const struct sixpn_dns_value *v;
	int apex;

	if (!sixpn_dns_suffix_match(q, SIXPN_DNS_FLYCAST_ZONE,
				    sizeof(SIXPN_DNS_FLYCAST_ZONE) - 1, &apex))
		return SIXPN_DNS_PASS_FORWARD;
	if (apex || q->qclass != SIXPN_DNS_CLASS_IN || q->qtype != SIXPN_DNS_TYPE_AAAA)
		return SIXPN_DNS_PASS_USERSPACE;
	v = bpf_map_lookup_elem(&dns_names, &q->key);
	if (!v || (v->flags & SIXPN_DNS_F_USERSPACE) || v->count == 0 ||
	    v->count > SIXPN_DNS_MAX_ADDRS)
		return SIXPN_DNS_PASS_USERSPACE;
	*entry = v;
	return SIXPN_DNS_ANSWERED;
}

/* Decides the answer to `q`; `parent` is room for the parent's key. On
 * DNS_ANSWERED and DNS_NODATA, *entry is the name's entry. */
static __always_inline int sixpn_dns_decide(const struct sixpn_dns_query *q,
					    struct sixpn_dns_key *parent,
					    const struct sixpn_dns_value **entry)
{
	const struct sixpn_dns_value *v, *parent_v;
	int apex;

	if (!sixpn_dns_zone_match(q, &apex))
		return sixpn_dns_flycast_decide(q, entry);
	/* SOA and NS of the apex are the resolver's. */
	if (apex)
		return SIXPN_DNS_PASS_USERSPACE;
	if (q->qclass != SIXPN_DNS_CLASS_IN || q->qtype == 0 || q->qtype == SIXPN_DNS_TYPE_RESERVED ||
	    q->qtype == SIXPN_DNS_TYPE_OPT ||
	    (q->qtype >= SIXPN_DNS_META_TYPE_FIRST && q->qtype <= SIXPN_DNS_META_TYPE_LAST))
		return SIXPN_DNS_PASS_UNSUPPORTED;

	v = bpf_map_lookup_elem(&dns_names, &q->key);
	if (v) {
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

	sixpn_dns_parent_key(q, parent);
	parent_v = bpf_map_lookup_elem(&dns_names, parent);
	if (parent_v && (parent_v->flags & SIXPN_DNS_F_CHILDREN_USERSPACE))
		return SIXPN_DNS_PASS_USERSPACE;
	/* The parent was the marker itself, or the slot says look. */
	if ((parent_v && (parent_v->flags & SIXPN_DNS_F_OVER_QUOTA)) ||
	    sixpn_dns_over_quota(q->key.net_id, parent))
		return SIXPN_DNS_PASS_OVER_QUOTA;
	return SIXPN_DNS_NXDOMAIN;
}

#endif
