/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Writing an interface's description: into `ifaces` (the authority, what
 * status and the sweeps walk) and into its direct-mapped slot of
 * `iface_slots` (what the programs read first), through mmap under the
 * slot's sequence word (maps/sixpn_seq.h). Every writer of `ifaces` that
 * removes or changes an entry goes through here: a slot left behind would
 * describe an interface that `ifaces` no longer does. (A writer that only
 * adds to `ifaces`, as the tests do, is safe: the programs fall back to it.) */
#ifndef SIXPN_DATAPATH_IFACES_H
#define SIXPN_DATAPATH_IFACES_H

#include "sixpn_maps.h"

/* Records `ifc` for `ifindex`; it takes the slot when the slot is free or
 * already its own. 0 or -errno. */
int sixpn_iface_set(int ifaces_fd, int slots_fd, __u32 ifindex, const struct sixpn_iface *ifc);
/* Forgets `ifindex`: its slot first, then its `ifaces` entry. 0, or -errno
 * (-ENOENT when `ifaces` had no entry). */
int sixpn_iface_del(int ifaces_fd, int slots_fd, __u32 ifindex);
/* The view the programs work with, from a description. */
void sixpn_iface_view(struct sixpn_ifview *v, const struct sixpn_iface *ifc);

#endif
