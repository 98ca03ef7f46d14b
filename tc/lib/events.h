/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Drop events for `sixpnctl monitor`: every dropped packet is offered to the
 * `events` ring buffer, behind a per-CPU token bucket so that a flood costs
 * one array lookup per packet and cannot fill the ring. Only the drop path
 * comes here; passing packets never do. */
#ifndef SIXPN_LIB_EVENTS_H
#define SIXPN_LIB_EVENTS_H

#include "ipv6.h"
#include "sixpn_maps.bpf.h"

#define SIXPN_HZ_MAX 1000ULL /* the largest CONFIG_HZ Linux offers */

/* The link header length is unknown (interface missing from `ifaces`). */
#define SIXPN_L2_UNKNOWN 0xffffffffU

/* The kernel's HZ (libbpf reads it from the kernel config); 0 when the
 * host has no config to read (the loader says so: loader/datapath/kconfig.c),
 * then the highest HZ is assumed, which only ever refills slower than the
 * rate. */
extern unsigned int CONFIG_HZ __kconfig __weak;
#define SIXPN_HZ_FALLBACK 1000

/* Takes one token from this CPU's bucket. bpf_jiffies64() is inlined by the
 * verifier (a load of jiffies, where bpf_ktime_get_coarse_ns() is a helper
 * call of ~19 ns), and a tick is plenty for a rate of a thousand a second;
 * the event itself gets a precise timestamp. Credit is kept in units of
 * 1/(HZ * SIXPN_EVENTS_PER_SEC) s: a jiffy adds SIXPN_EVENTS_PER_SEC, an
 * event costs HZ, so refilling is a multiplication, never a division. */
static __always_inline int sixpn_event_take(struct sixpn_event_limit *lim)
{
	__u64 hz = CONFIG_HZ ? CONFIG_HZ : SIXPN_HZ_FALLBACK;
	__u64 cap = hz * SIXPN_EVENTS_BURST, now = bpf_jiffies64();
	__u64 ticks = now - lim->last_jiffies, credit;

	/* A bucket idle for a burst's worth of ticks is full: no overflow. */
	if (ticks > SIXPN_EVENTS_BURST * SIXPN_HZ_MAX)
		ticks = SIXPN_EVENTS_BURST * SIXPN_HZ_MAX;
	credit = lim->credit + ticks * SIXPN_EVENTS_PER_SEC;
	lim->last_jiffies = now;
	if (credit > cap)
		credit = cap;
	if (credit < hz) {
		lim->credit = credit;
		return 0;
	}
	lim->credit = credit - hz;
	return 1;
}

/* Addresses, protocol and ports of the dropped packet, as far as it parses. */
static __always_inline void sixpn_event_fill_headers(struct sixpn_drop_event *e,
						     struct __sk_buff *skb, __u32 l2_len)
{
	struct sixpn_pkt p;

	if (l2_len == SIXPN_L2_UNKNOWN)
		return;
	if (sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end,
			    l2_len, &p) != SIXPN_CONTINUE)
		return;
	e->src = *sixpn_src(&p);
	e->dst = *sixpn_dst(&p);
	e->flags |= SIXPN_EVENT_F_HAS_IP6;
	if (sixpn_find_l4(&p) != SIXPN_CONTINUE)
		return;
	e->flags |= SIXPN_EVENT_F_HAS_L4;
	e->l4_proto = p.proto;
	e->sport = sixpn_sport(&p);
	e->dport = sixpn_dport(&p);
}

/* Reports one dropped packet, unless this CPU's bucket is empty or the ring
 * is full; either way the drop is tallied in `event_limit`. */
static __always_inline void sixpn_report_drop(struct __sk_buff *skb, __u32 hook,
					      __u32 reason, __u32 l2_len)
{
	__u32 zero = 0;
	struct sixpn_event_limit *lim = bpf_map_lookup_elem(&event_limit, &zero);
	struct sixpn_drop_event *e;

	if (!lim)
		return;
	if (!sixpn_event_take(lim)) {
		lim->suppressed++;
		lim->pending++;
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lim->lost++;
		lim->pending++;
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->ifindex = skb->ifindex;
	e->len = skb->len;
	e->hook = hook;
	e->reason = reason;
	e->suppressed = lim->pending;
	sixpn_event_fill_headers(e, skb, l2_len);
	bpf_ringbuf_submit(e, 0);
	lim->sent++;
	lim->pending = 0;
}

#endif
