/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Loading, pinning and attaching the sixpn BPF programs.
 *
 * Maps are pinned by name under the pin directory, so a restarted daemon,
 * another object and bpftool all see the same maps. TC programs attach as
 * tcx links where the kernel has them (6.6+), pinned under <pin dir>/links/
 * so they outlive the process; elsewhere as clsact filters with a fixed
 * handle and priority. Both ways, attaching again replaces the program in
 * place instead of stacking a second one. */
#ifndef SIXPN_BPF_ATTACH_H
#define SIXPN_BPF_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include "datapath/pins.h"
#include "sixpn_maps.h"

struct sixpn_tc;

struct sixpn_bpf {
	struct sixpn_tc *tc;
	struct sixpn_pins pins;
	bool tcx;        /* tcx links (probed), else clsact filters */
};

/* Opens and loads the objects, reusing maps already pinned in `pin_dir`
 * (mounting bpffs on /sys/fs/bpf first when nothing is mounted there).
 * Returns 0 or -errno, having logged why. */
int sixpn_bpf_open(struct sixpn_bpf *b, const char *pin_dir);
void sixpn_bpf_close(struct sixpn_bpf *b);

/* Attaches isolation to an instance, peer or peers-device interface and
 * records `desc` (role, network, prefix) for it in `ifaces`; the link-header
 * length is read from the device. */
int sixpn_attach_isolation(struct sixpn_bpf *b, const char *ifname,
			   const struct sixpn_iface *desc);
/* Attaches the network <-> host swap to the mesh device. */
int sixpn_attach_mesh(struct sixpn_bpf *b, const char *ifname);
/* How many programs run on the hook: every tcx program there (ours or not),
 * or whether sixpn's clsact filter is there (0 or 1). -errno on failure. */
int sixpn_attached_count(struct sixpn_bpf *b, __u32 ifindex, bool ingress);
/* Detaches whatever sixpn attached to `ifname` and forgets it. */
int sixpn_detach(struct sixpn_bpf *b, const char *ifname);
/* Detaches from every interface in `ifaces` and removes every pin. */
int sixpn_unload(struct sixpn_bpf *b);

/* Adds or removes a WireGuard peer's /120 in the `peers` map. */
int sixpn_peer_update(struct sixpn_bpf *b, const struct sixpn_ip6 *prefix,
		      __u32 prefix_len, __u32 net_id, bool add);

/* Parses "fdaa:...::/LEN" into a 6PN prefix whose bits past LEN are zero. */
int sixpn_parse_prefix(const char *text, struct sixpn_ip6 *prefix, __u32 *len);

int sixpn_map_fd(struct sixpn_bpf *b, const char *name);

#endif
