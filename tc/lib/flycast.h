/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Flycast (docs/design.md section 7): a packet of network B to a service
 * address of B for app A is translated on the consumer's host, after the
 * isolation verdict passed it as same-network: the destination becomes a
 * backend machine of A (Maglev over the service's backends), the source
 * the consumer host's SNAT address in A (fdaa:A:HOST:0:0:W), so that from
 * here on it is an ordinary packet of network A. The backend's replies come
 * back to that SNAT address, on this host only, and are translated back.
 * Both directions are kept in `fc_ct` (LRU): an original entry keyed by the
 * consumer's packet, a reply entry keyed by the backend's.
 *
 * The functions here are global (verified once, on their own): the
 * callers only test the destination's range, so the isolation programs
 * keep their verifier cost, and they re-parse the packet themselves.
 * Checksums are updated incrementally: every L4 checksum covers the
 * pseudo-header, so bpf_l4_csum_replace(BPF_F_PSEUDO_HDR) with the
 * address difference, which also keeps a CHECKSUM_PARTIAL packet right. */
#ifndef SIXPN_LIB_FLYCAST_H
#define SIXPN_LIB_FLYCAST_H

#include "ipv6.h"
#include "sixpn_maps.bpf.h"
#include "sixpn_flycast.h"

#define SIXPN_FC_NSEC 1000000000ULL
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY   129
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04
#define BPF_F_PSEUDO_HDR_ 0x10    /* BPF_F_PSEUDO_HDR: an enum in vmlinux.h */
#define BPF_F_MARK_MANGLED_0_ 0x20

/* Where the L4 checksum sits, 0 when there is none to keep. */
static __always_inline __u32 sixpn_fc_csum_off(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMPV6:
		return 2;
	}
	return 0;
}

/* The flow's ports: TCP/UDP ports, or for ICMPv6 echo the identifier in
 * sport (the reply carries it in the same place). -1 for what Flycast
 * does not carry (other ICMPv6, fragments, other protocols). */
static __always_inline int sixpn_fc_ports(const struct sixpn_pkt *p, __u16 *sport,
					  __u16 *dport, int *echo_type)
{
	*echo_type = 0;
	if (!p->l4)
		return -1;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		__be16 *ports = p->l4;

		if ((void *)(ports + 2) > p->data_end)
			return -1;
		*sport = ports[0];
		*dport = ports[1];
		return 0;
	}
	if (p->proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *icmp = p->l4;

		if ((void *)(icmp + 1) > p->data_end)
			return -1;
		if (icmp->icmp6_type != ICMPV6_ECHO_REQUEST && icmp->icmp6_type != ICMPV6_ECHO_REPLY)
			return -1;
		*echo_type = icmp->icmp6_type;
		*sport = icmp->icmp6_dataun.u_echo.identifier;
		*dport = 0;
		return 0;
	}
	return -1;
}

static __always_inline __u64 sixpn_fc_timeout_ns(__u8 proto, __u8 state)
{
	__u32 zero = 0, s;
	struct sixpn_fc_config *cfg = bpf_map_lookup_elem(&fc_config, &zero);

	if (proto == IPPROTO_TCP) {
		if (state == SIXPN_FC_ST_CLOSING)
			s = cfg && cfg->to_tcp_close ? cfg->to_tcp_close : SIXPN_FC_TO_TCP_CLOSE;
		else
			s = cfg && cfg->to_tcp_est ? cfg->to_tcp_est : SIXPN_FC_TO_TCP_EST;
	} else if (proto == IPPROTO_UDP) {
		s = cfg && cfg->to_udp ? cfg->to_udp : SIXPN_FC_TO_UDP;
	} else {
		s = cfg && cfg->to_icmp ? cfg->to_icmp : SIXPN_FC_TO_ICMP;
	}
	return (__u64)s * SIXPN_FC_NSEC;
}

/* FIN or RST in either direction: the flow is closing. */
static __always_inline __u8 sixpn_fc_tcp_state(const struct sixpn_pkt *p, __u8 state)
{
	struct tcphdr *th = p->l4;
	__u8 flags;

	if (p->proto != IPPROTO_TCP || (void *)(th + 1) > p->data_end)
		return state;
	flags = ((__u8 *)th)[13];
	return flags & (TCP_FLAG_FIN | TCP_FLAG_RST) ? SIXPN_FC_ST_CLOSING : state;
}

static __always_inline void sixpn_fc_touch(struct sixpn_fc_ct *ct, const struct sixpn_pkt *p,
					   __u32 len, __u64 now)
{
	ct->state = sixpn_fc_tcp_state(p, ct->state);
	ct->expires_ns = now + sixpn_fc_timeout_ns(p->proto, ct->state);
	ct->packets++;
	ct->bytes += len;
}

/* Writes new source and destination (16 bytes each at ip6_off + 8 and
 * + 24) and updates the L4 checksum at csum_off (0: none) by their
 * difference. Returns 0 or a negative error. */
static __always_inline int sixpn_fc_rewrite(struct __sk_buff *skb, __u32 ip6_off, __u32 csum_off,
					    __u8 proto, struct sixpn_ip6 *old_src,
					    struct sixpn_ip6 *old_dst, struct sixpn_ip6 *new_src,
					    struct sixpn_ip6 *new_dst)
{
	__s64 diff;
	__u64 flags = BPF_F_PSEUDO_HDR_ | (proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0_ : 0);

	diff = bpf_csum_diff((__be32 *)old_src, 16, (__be32 *)new_src, 16, 0);
	diff = bpf_csum_diff((__be32 *)old_dst, 16, (__be32 *)new_dst, 16, (__u32)diff);
	if (csum_off && bpf_l4_csum_replace(skb, csum_off, 0, (__u32)diff, flags))
		return -1;
	if (bpf_skb_store_bytes(skb, ip6_off + 8, new_src, 16, 0) ||
	    bpf_skb_store_bytes(skb, ip6_off + 24, new_dst, 16, 0))
		return -1;
	return 0;
}

/* The flow hash: stable per flow (the consumer's address, its port or
 * echo identifier, the service port and the protocol), spread over the
 * Maglev table. Not cryptographic: the consumer chooses its own flows
 * anyway. */
static __always_inline __u32 sixpn_fc_hash(const struct sixpn_fc_ct_key *k)
{
	__u32 h = 0x9e3779b9u, i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		h ^= ((const __u32 *)k->src.w)[i];
		h *= 0x85ebca6bu;
		h ^= h >> 13;
	}
	h ^= ((__u32)k->sport << 16) | k->dport;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	h ^= k->proto;
	h *= 0x85ebca6bu;
	h ^= h >> 15;
	return h;
}

static __always_inline int sixpn_fc_port_ok(const struct sixpn_fc_service *svc, __u16 dport_be,
					    int echo)
{
	__u16 port = bpf_ntohs(dport_be);
	__u32 i;

	if (echo || !svc->nports)
		return 1;
#pragma unroll
	for (i = 0; i < SIXPN_FC_MAX_PORTS; i++)
		if (i < svc->nports && svc->ports[i] == port)
			return 1;
	return 0;
}

/* A new flow: the backend by Maglev, a SNAT word whose reply key is free,
 * both entries. SIXPN_CONTINUE with *out set, or the drop reason. */
static __always_inline int sixpn_fc_new_flow(struct __sk_buff *skb, __u32 l2_len,
					     const struct sixpn_fc_ct_key *key,
					     const struct sixpn_fc_service *svc,
					     __u32 host_id, __u64 now, struct sixpn_fc_ct *out)
{
	__u32 h = sixpn_fc_hash(key), idx, slot = svc->slot, i, w;
	struct sixpn_fc_backend *be;
	struct sixpn_fc_ct_key rkey;
	struct sixpn_fc_ct rev;
	__u32 *pick;

	if (!svc->nbackends || slot >= SIXPN_FC_MAX_SERVICES)
		return SIXPN_DROP_NO_BACKEND;
	idx = slot * SIXPN_FC_MAGLEV_M + h % SIXPN_FC_MAGLEV_M;
	pick = bpf_map_lookup_elem(&fc_maglev, &idx);
	if (!pick || *pick >= SIXPN_FC_MAX_BACKENDS)
		return SIXPN_DROP_NO_BACKEND;
	idx = slot * SIXPN_FC_MAX_BACKENDS + *pick;
	be = bpf_map_lookup_elem(&fc_backends, &idx);
	if (!be || !sixpn_is_6pn(&be->addr))
		return SIXPN_DROP_NO_BACKEND;

	__builtin_memset(out, 0, sizeof(*out));
	__builtin_memset(&rev, 0, sizeof(rev));
	out->new_dst = be->addr;
	out->svc_slot = slot;
	out->backend = *pick;
	out->dir = SIXPN_FC_CT_DIR_ORIG;
	rev.new_src = key->dst;
	rev.new_dst = key->src;
	rev.svc_slot = slot;
	rev.backend = *pick;
	rev.dir = SIXPN_FC_CT_DIR_REPLY;
	rev.expires_ns = now + sixpn_fc_timeout_ns(key->proto, SIXPN_FC_ST_OPEN);
	rev.ifindex = skb->ifindex;
	rev.l2_len = (__u8)l2_len;
	if (l2_len) {
		struct ethhdr *eth = (void *)(long)skb->data;

		if ((void *)(eth + 1) > (void *)(long)skb->data_end)
			return SIXPN_DROP_MALFORMED;
		__builtin_memcpy(rev.mac_consumer, eth->h_source, 6);
		__builtin_memcpy(rev.mac_host, eth->h_dest, 6);
	}

	__builtin_memset(&rkey, 0, sizeof(rkey));
	rkey.src = be->addr;
	rkey.sport = key->dport;
	rkey.dport = key->sport;
	rkey.proto = key->proto;
	/* the SNAT word: a hash of the consumer, then the next ones while
	 * another flow holds that reply key */
	w = (h >> 16) % (0x10000 - SIXPN_FC_SNAT_FIRST);
	for (i = 0; i < SIXPN_FC_SNAT_TRIES; i++) {
		sixpn_compose(&rkey.dst, svc->app_net, host_id, 0,
			      (__u16)(SIXPN_FC_SNAT_FIRST + (w + i) % (0x10000 - SIXPN_FC_SNAT_FIRST)));
		if (!bpf_map_update_elem(&fc_ct, &rkey, &rev, BPF_NOEXIST)) {
			out->new_src = rkey.dst;
			return SIXPN_CONTINUE;
		}
	}
	return SIXPN_DROP_CT_FULL;
}

/* An ICMPv6 echo reply goes back as a reply; a TCP/UDP port is kept. */
static __always_inline int sixpn_fc_forward(struct __sk_buff *skb, struct sixpn_pkt *p,
					    __u32 l2_len)
{
	__u32 zero = 0, csum_off;
	struct sixpn_fc_config *cfg = bpf_map_lookup_elem(&fc_config, &zero);
	struct sixpn_fc_service *svc;
	struct sixpn_fc_ct_key key;
	struct sixpn_fc_ct *ct, fresh;
	struct sixpn_ip6 old_src, old_dst;
	__u64 now = bpf_ktime_get_ns();
	__u16 sport = 0, dport = 0;
	int echo, reason;

	svc = bpf_map_lookup_elem(&fc_services, sixpn_dst(p));
	if (!svc)
		return SIXPN_DROP_NO_SERVICE;
	if (sixpn_fc_ports(p, &sport, &dport, &echo) || echo == ICMPV6_ECHO_REPLY ||
	    !sixpn_fc_port_ok(svc, dport, echo))
		return SIXPN_DROP_SVC_PORT;
	if (!cfg || !cfg->host_id)
		return SIXPN_DROP_NO_BACKEND;

	__builtin_memset(&key, 0, sizeof(key));
	key.src = *sixpn_src(p);
	key.dst = *sixpn_dst(p);
	key.sport = sport;
	key.dport = dport;
	key.proto = p->proto;
	ct = bpf_map_lookup_elem(&fc_ct, &key);
	if (ct && ct->expires_ns < now) {
		/* its reply entry may still hold the SNAT slot: free it */
		struct sixpn_fc_ct_key rkey;

		__builtin_memset(&rkey, 0, sizeof(rkey));
		rkey.src = ct->new_dst;
		rkey.dst = ct->new_src;
		rkey.sport = dport;
		rkey.dport = sport;
		rkey.proto = key.proto;
		bpf_map_delete_elem(&fc_ct, &rkey);
		ct = NULL;
	}
	if (!ct) {
		reason = sixpn_fc_new_flow(skb, l2_len, &key, svc, cfg->host_id, now, &fresh);
		if (reason != SIXPN_CONTINUE)
			return reason;
		fresh.expires_ns = now + sixpn_fc_timeout_ns(key.proto, SIXPN_FC_ST_OPEN);
		if (bpf_map_update_elem(&fc_ct, &key, &fresh, BPF_ANY))
			return SIXPN_DROP_CT_FULL;
		ct = bpf_map_lookup_elem(&fc_ct, &key);
		if (!ct)
			return SIXPN_DROP_CT_FULL;
	}
	sixpn_fc_touch(ct, p, skb->len, now);
	old_src = key.src;
	old_dst = key.dst;
	csum_off = sixpn_fc_csum_off(p->proto);
	if (csum_off)
		csum_off += (__u32)((void *)p->l4 - (void *)(long)skb->data);
	if (sixpn_fc_rewrite(skb, l2_len, csum_off, key.proto, &old_src, &old_dst,
			     &ct->new_src, &ct->new_dst))
		return SIXPN_DROP_MALFORMED;
	return SIXPN_PASS_FC_FORWARD;
}

static __always_inline int sixpn_fc_ip6_eq(const struct sixpn_ip6 *a, const struct sixpn_ip6 *b)
{
	const __u32 *x = (const __u32 *)a->w, *y = (const __u32 *)b->w;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
}

static __always_inline __u32 sixpn_fc_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* An ICMPv6 error to this host's SNAT address, about a packet of a
 * translated flow (the quote: SNAT -> backend): the reply entry of that
 * flow translates it back, outer destination and the quote both (SNAT ->
 * consumer, backend -> service address; the quoted L4 checksum too), so
 * the consumer sees an error about its own packet to the service: path
 * MTU discovery works through Flycast. *ct_out: the reply entry. */
static __always_inline int sixpn_fc_icmp_error(struct __sk_buff *skb, struct sixpn_pkt *p,
					       __u32 l2_len, struct sixpn_fc_ct **ct_out)
{
	void *data = (void *)(long)skb->data;
	struct icmp6hdr *icmp = p->l4;
	struct ipv6hdr *inner;
	struct sixpn_fc_ct_key key;
	struct sixpn_fc_ct *ct;
	struct sixpn_ip6 old_dst, old_isrc, old_idst;
	__u32 icmp_off, inner_off, csum_off = 0, diff;
	__u16 old_l4csum = 0, new_l4csum;
	__be16 *ports;

	if ((void *)(icmp + 1) > p->data_end)
		return SIXPN_DROP_MALFORMED;
	inner = (void *)(icmp + 1);
	ports = (void *)(inner + 1);
	if ((void *)(ports + 4) > p->data_end)
		return SIXPN_DROP_NO_FLOW;
	__builtin_memset(&key, 0, sizeof(key));
	key.src = *(struct sixpn_ip6 *)&inner->daddr;
	key.dst = *(struct sixpn_ip6 *)&inner->saddr;
	key.proto = inner->nexthdr;
	/* The quote must be a packet of the flow as the backend got it: an
	 * IPv6 header, and from the address the error goes to (errors go
	 * back to the invoking packet's source, RFC 4443 2.2). Else one
	 * backend could aim an error at any flow whose ports it guesses,
	 * through any SNAT address of this host. */
	if (((__u8 *)inner)[0] >> 4 != 6 || !sixpn_fc_ip6_eq(&key.dst, sixpn_dst(p)))
		return SIXPN_DROP_NO_FLOW;
	if (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP) {
		key.sport = ports[1];
		key.dport = ports[0];
		csum_off = key.proto == IPPROTO_TCP ? 16 : 6;
	} else if (key.proto == IPPROTO_ICMPV6) {
		/* the flow's packets to the backend are echo requests */
		if (((__u8 *)ports)[0] != ICMPV6_ECHO_REQUEST)
			return SIXPN_DROP_NO_FLOW;
		key.dport = ports[2];   /* the echo identifier */
		csum_off = 2;
	} else {
		return SIXPN_DROP_NO_FLOW;
	}
	ct = bpf_map_lookup_elem(&fc_ct, &key);
	if (!ct || ct->dir != SIXPN_FC_CT_DIR_REPLY)
		return SIXPN_DROP_NO_FLOW;
	*ct_out = ct;
	old_dst = *sixpn_dst(p);
	old_isrc = key.dst;
	old_idst = key.src;
	icmp_off = (__u32)((void *)icmp - data);
	inner_off = icmp_off + sizeof(*icmp);
	csum_off += inner_off + sizeof(struct ipv6hdr);
	if ((void *)(ports + 4) <= p->data_end && csum_off + 2 <= (__u32)(p->data_end - data))
		bpf_skb_load_bytes(skb, csum_off, &old_l4csum, 2);
	/* the quote: SNAT -> consumer, backend -> service address */
	diff = (__u32)bpf_csum_diff((__be32 *)&old_isrc, 16, (__be32 *)&ct->new_dst, 16, 0);
	diff = (__u32)bpf_csum_diff((__be32 *)&old_idst, 16, (__be32 *)&ct->new_src, 16, diff);
	new_l4csum = old_l4csum;
	if (old_l4csum || key.proto != IPPROTO_UDP)
		new_l4csum = (__u16)~sixpn_fc_fold((__u16)~old_l4csum + sixpn_fc_fold(diff));
	if (bpf_skb_store_bytes(skb, inner_off + 8, &ct->new_dst, 16, 0) ||
	    bpf_skb_store_bytes(skb, inner_off + 24, &ct->new_src, 16, 0))
		return SIXPN_DROP_MALFORMED;
	if (csum_off + 2 <= skb->len && new_l4csum != old_l4csum) {
		bpf_skb_store_bytes(skb, csum_off, &new_l4csum, 2, 0);
		bpf_l4_csum_replace(skb, icmp_off + 2, old_l4csum, new_l4csum, 2);
	}
	/* the ICMPv6 checksum: the quote's bytes, then the outer destination */
	bpf_l4_csum_replace(skb, icmp_off + 2, 0, diff, 0);
	diff = (__u32)bpf_csum_diff((__be32 *)&old_dst, 16, (__be32 *)&ct->new_dst, 16, 0);
	if (bpf_l4_csum_replace(skb, icmp_off + 2, 0, diff, BPF_F_PSEUDO_HDR_) ||
	    bpf_skb_store_bytes(skb, l2_len + 24, &ct->new_dst, 16, 0))
		return SIXPN_DROP_MALFORMED;
	return SIXPN_PASS_FC_ICMP_ERROR;
}

static __always_inline int sixpn_fc_is_icmp_error(const struct sixpn_pkt *p)
{
	struct icmp6hdr *icmp = p->l4;

	return p->proto == IPPROTO_ICMPV6 && icmp && (void *)(icmp + 1) <= p->data_end &&
	       icmp->icmp6_type >= 1 && icmp->icmp6_type <= 4;
}

/* A backend's packet to this host's SNAT address: its flow's reply entry,
 * or nothing gets through (A cannot open anything toward B). */
static __always_inline int sixpn_fc_reply(struct __sk_buff *skb, struct sixpn_pkt *p,
					  __u32 l2_len)
{
	struct sixpn_fc_ct_key key;
	struct sixpn_fc_ct *ct, *orig;
	struct sixpn_ip6 old_src, old_dst;
	__u64 now = bpf_ktime_get_ns();
	__u16 sport = 0, dport = 0;
	__u32 csum_off;
	int echo;

	if (sixpn_fc_is_icmp_error(p))
		return sixpn_fc_icmp_error(skb, p, l2_len, &ct);
	if (sixpn_fc_ports(p, &sport, &dport, &echo) || echo == ICMPV6_ECHO_REQUEST)
		return SIXPN_DROP_NO_FLOW;
	__builtin_memset(&key, 0, sizeof(key));
	key.src = *sixpn_src(p);
	key.dst = *sixpn_dst(p);
	key.sport = sport;
	key.dport = dport;
	key.proto = p->proto;
	if (echo) {         /* the echo reply quotes the request's identifier */
		key.sport = 0;
		key.dport = sport;
	}
	ct = bpf_map_lookup_elem(&fc_ct, &key);
	if (!ct || ct->dir != SIXPN_FC_CT_DIR_REPLY || ct->expires_ns < now)
		return SIXPN_DROP_NO_FLOW;
	sixpn_fc_touch(ct, p, skb->len, now);
	/* the original entry lives as long as its flow does either way */
	{
		struct sixpn_fc_ct_key okey;

		__builtin_memset(&okey, 0, sizeof(okey));
		okey.src = ct->new_dst;
		okey.dst = ct->new_src;
		okey.sport = key.dport;
		okey.dport = key.sport;
		okey.proto = key.proto;
		if (echo) {
			okey.sport = sport;
			okey.dport = 0;
		}
		orig = bpf_map_lookup_elem(&fc_ct, &okey);
		if (orig) {
			orig->state = ct->state;
			orig->expires_ns = ct->expires_ns;
		}
	}
	old_src = key.src;
	old_dst = key.dst;
	csum_off = sixpn_fc_csum_off(p->proto);
	if (csum_off)
		csum_off += (__u32)((void *)p->l4 - (void *)(long)skb->data);
	if (sixpn_fc_rewrite(skb, l2_len, csum_off, key.proto, &old_src, &old_dst,
			     &ct->new_src, &ct->new_dst))
		return SIXPN_DROP_MALFORMED;
	return SIXPN_PASS_FC_REPLY;
}

/* Is dst this host's own SNAT address? Another host's is routed on: that
 * host's reply entries judge it. */
static __always_inline int sixpn_fc_local_snat(const struct sixpn_ip6 *dst)
{
	__u32 zero = 0;
	struct sixpn_fc_config *cfg = bpf_map_lookup_elem(&fc_config, &zero);

	return cfg && cfg->host_id && sixpn_host_id(dst) == cfg->host_id;
}

/* The packets Flycast translates or refuses, after their hook's isolation
 * verdict passed them (same network, source owned): SIXPN_PASS when the
 * packet is none of Flycast's. `from_instance`: tc ingress of an instance
 * or peer interface (a consumer's first packet, or a local backend's
 * reply); else the mesh device's ingress (a remote backend's reply; the
 * service range never travels between hosts). */
static __always_inline int sixpn_fc_judge(struct __sk_buff *skb, __u32 l2_len, int from_instance)
{
	struct sixpn_pkt p;
	int reason;

	reason = sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end, l2_len, &p);
	if (reason != SIXPN_CONTINUE)
		return reason;
	reason = sixpn_find_l4(&p);
	if (reason != SIXPN_CONTINUE)
		return reason;
	if (sixpn_fc_in_service_range(sixpn_dst(&p)))
		return from_instance ? sixpn_fc_forward(skb, &p, l2_len) : SIXPN_DROP_NO_SERVICE;
	if (sixpn_fc_is_snat(sixpn_dst(&p)) && sixpn_fc_local_snat(sixpn_dst(&p)))
		return sixpn_fc_reply(skb, &p, l2_len);
	return SIXPN_PASS;
}

/* Global: verified once, not at each caller. */
__noinline int sixpn_fc_from_instance(struct __sk_buff *skb, __u32 l2_len)
{
	if (!skb)
		return SIXPN_DROP_MALFORMED;
	return sixpn_fc_judge(skb, l2_len, 1);
}

__noinline int sixpn_fc_from_mesh(struct __sk_buff *skb)
{
	if (!skb)
		return SIXPN_DROP_MALFORMED;
	return sixpn_fc_judge(skb, 0, 0);
}

/* Mesh egress: an ICMPv6 error this host itself sends to its own SNAT
 * address (Packet Too Big from forwarding a translated packet into the
 * smaller mesh MTU) would follow the route into the mesh and be lost:
 * translated, it is redirected to the consumer's interface instead, with
 * the link header the consumer's own packets came with. Returns
 * TC_ACT_REDIRECT (7), or -1 for "not one of these" (the swap goes on). */
__noinline int sixpn_fc_mesh_out(struct __sk_buff *skb)
{
	struct sixpn_fc_ct *ct = NULL;
	struct sixpn_pkt p;
	struct ethhdr eth;
	__u32 ifindex;
	int reason;

	if (!skb)
		return -1;
	if (sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end, 0, &p) !=
	    SIXPN_CONTINUE || sixpn_find_l4(&p) != SIXPN_CONTINUE)
		return -1;
	if (!sixpn_fc_is_snat(sixpn_dst(&p)) || !sixpn_fc_local_snat(sixpn_dst(&p)) ||
	    !sixpn_fc_is_icmp_error(&p))
		return -1;
	reason = sixpn_fc_icmp_error(skb, &p, 0, &ct);
	if (reason != SIXPN_PASS_FC_ICMP_ERROR || !ct)
		return reason == SIXPN_PASS_FC_ICMP_ERROR ? -1 : -2;
	ifindex = ct->ifindex;
	if (ct->l2_len) {
		__builtin_memcpy(eth.h_dest, ct->mac_consumer, 6);
		__builtin_memcpy(eth.h_source, ct->mac_host, 6);
		eth.h_proto = bpf_htons(ETH_P_IPV6);
		if (bpf_skb_change_head(skb, sizeof(eth), 0) ||
		    bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0))
			return -2;
	}
	return bpf_redirect(ifindex, 0);
}

/* The caller's cheap test: is the destination in a range Flycast owns? */
static __always_inline int sixpn_fc_wants(const struct sixpn_pkt *p)
{
	const struct sixpn_ip6 *dst = sixpn_dst(p);

	return sixpn_fc_in_service_range(dst) || sixpn_fc_is_snat(dst);
}

#endif
