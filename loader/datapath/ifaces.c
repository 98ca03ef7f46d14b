// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/ifaces.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "sixpn_seq.h"

#define SLOTS_BYTES (SIXPN_IFACE_SLOTS * sizeof(struct sixpn_iface_slot))

void sixpn_iface_view(struct sixpn_ifview *v, const struct sixpn_iface *ifc)
{
	memset(v, 0, sizeof(*v));
	v->role = ifc->role;
	v->net_id = ifc->net_id;
	v->prefix_len = ifc->prefix_len;
	v->l2_len = ifc->l2_len;
	sixpn_prefix_mask(&v->mask, ifc->prefix_len);
	sixpn_masked(&v->prefix, &ifc->prefix, &v->mask);
}

static struct sixpn_iface_slot *slots_map(int slots_fd)
{
	void *p = mmap(NULL, SLOTS_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, slots_fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Writes the slot under its sequence word: ifindex 0 empties it. */
static void slot_write(struct sixpn_iface_slot *s, __u32 ifindex, const struct sixpn_ifview *v)
{
	sixpn_seq_write_begin(&s->seq);
	s->ifindex = ifindex;
	if (v)
		s->v = *v;
	else
		memset(&s->v, 0, sizeof(s->v));
	sixpn_seq_write_end(&s->seq);
}

int sixpn_iface_set(int ifaces_fd, int slots_fd, __u32 ifindex, const struct sixpn_iface *ifc)
{
	struct sixpn_iface_slot *slots, *s;
	struct sixpn_ifview v;
	__u32 owner;

	if (!ifindex)
		return -EINVAL;
	/* The authority first: a reader the slot sends away finds it there. */
	if (bpf_map_update_elem(ifaces_fd, &ifindex, ifc, BPF_ANY))
		return -errno;
	slots = slots_map(slots_fd);
	if (!slots)
		return -errno;
	s = &slots[sixpn_iface_slot_of(ifindex)];
	owner = __atomic_load_n(&s->ifindex, __ATOMIC_RELAXED);
	/* A slot held by another interface that `ifaces` no longer has is
	 * free (its owner went without this code). */
	if (owner && owner != ifindex) {
		struct sixpn_iface other;

		if (!bpf_map_lookup_elem(ifaces_fd, &owner, &other)) {
			munmap(slots, SLOTS_BYTES);
			return 0;
		}
	}
	sixpn_iface_view(&v, ifc);
	slot_write(s, ifindex, &v);
	munmap(slots, SLOTS_BYTES);
	return 0;
}

int sixpn_iface_del(int ifaces_fd, int slots_fd, __u32 ifindex)
{
	struct sixpn_iface_slot *slots = slots_map(slots_fd), *s;

	if (!slots)
		return -errno;
	s = &slots[sixpn_iface_slot_of(ifindex)];
	if (__atomic_load_n(&s->ifindex, __ATOMIC_RELAXED) == ifindex)
		slot_write(s, 0, NULL);
	munmap(slots, SLOTS_BYTES);
	return bpf_map_delete_elem(ifaces_fd, &ifindex) ? -errno : 0;
}
