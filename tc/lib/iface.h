/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Which interface a packet is on: its slot in `iface_slots`, an array read
 * the verifier inlines, and only when that slot holds another interface (or
 * is in mid-write) the `ifaces` hash. An interface in neither is unknown:
 * the callers fail closed. */
#ifndef SIXPN_LIB_IFACE_H
#define SIXPN_LIB_IFACE_H

#include "sixpn_maps.bpf.h"
#include "sixpn_seq.h"

/* Fills `v` for `ifindex`; 0 when the interface is unknown. */
static __always_inline int sixpn_iface_find(__u32 ifindex, struct sixpn_ifview *v)
{
	__u32 key = sixpn_iface_slot_of(ifindex);
	const struct sixpn_iface_slot *s = bpf_map_lookup_elem(&iface_slots, &key);
	const struct sixpn_iface *ifc;

	if (s) {
		__u32 seq = sixpn_seq_read(&s->seq);

		if (!(seq & 1) && s->ifindex == ifindex && ifindex) {
			*v = s->v;
			if (!sixpn_seq_retry(&s->seq, seq))
				return 1;
		}
	}
	ifc = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!ifc)
		return 0;
	v->role = ifc->role;
	v->net_id = ifc->net_id;
	v->prefix_len = ifc->prefix_len;
	v->l2_len = ifc->l2_len;
	sixpn_prefix_mask(&v->mask, ifc->prefix_len);
	sixpn_masked(&v->prefix, &ifc->prefix, &v->mask);
	return 1;
}

#endif
