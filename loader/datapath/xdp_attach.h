/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Loading and attaching the XDP DNS fast path (xdp/sixpn_xdp.bpf.c).
 *
 * The XDP object is loaded with the same pin root as the TC object
 * (tc_attach.h), so it shares `ifaces`, `peers` and `stats` with it; the
 * DNS maps `dns_names` and `dns_config` are pinned there by name too. It
 * attaches as a BPF link pinned at <pin dir>/links/<ifname>@xdp (a '.' in
 * the interface name becomes '+': bpffs refuses dots), in generic (skb)
 * mode on veth, where native XDP_TX is lost unless the instance side runs
 * XDP itself, and native elsewhere (tap). Attaching again replaces the
 * program in place; removing the pin detaches, so sixpn_unload() (which
 * empties the pin directory) also detaches XDP.
 *
 * sixpnd: sixpn_xdp_open() after sixpn_bpf_open(); sixpn_xdp_attach() next
 * to sixpn_attach_isolation() for every instance interface;
 * sixpn_xdp_detach() next to sixpn_detach(). */
#ifndef SIXPN_XDP_ATTACH_H
#define SIXPN_XDP_ATTACH_H

#include <linux/types.h>
#include "datapath/pins.h"

struct sixpn_xdp;

enum sixpn_xdp_mode {
	SIXPN_XDP_MODE_AUTO,   /* skb on veth, native elsewhere */
	SIXPN_XDP_MODE_SKB,
	SIXPN_XDP_MODE_NATIVE,
};

struct sixpn_xdp_obj {
	struct sixpn_xdp *skel;
	struct sixpn_pins pins;
};

/* Opens and loads the XDP object, reusing the maps pinned in `pin_dir`.
 * `names_max` sizes the names map when this call creates it (0: the
 * default, SIXPN_DNS_NAMES_DEFAULT_MAX); a names map already pinned keeps
 * its size (resizing means unloading: a warning says so). Returns 0 or
 * -errno, having logged why. */
int sixpn_xdp_open(struct sixpn_xdp_obj *x, const char *pin_dir, __u32 names_max);
void sixpn_xdp_close(struct sixpn_xdp_obj *x);

/* Attaches the DNS fast path to `ifname`, or replaces the program of the
 * link already there. A mode change recreates the link. */
int sixpn_xdp_attach(struct sixpn_xdp_obj *x, const char *ifname, enum sixpn_xdp_mode mode);
/* Detaches it (removes the link pin). No loaded object needed; 0 when
 * nothing was attached. */
int sixpn_xdp_detach(const char *pin_dir, const char *ifname);
/* The mode XDP runs in on `ifindex` ("skb", "native", "none", ...). */
const char *sixpn_xdp_attached_mode(int ifindex);

int sixpn_xdp_parse_mode(const char *text, enum sixpn_xdp_mode *mode);

int sixpn_xdp_names_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_config_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_text_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_overflow_fd(struct sixpn_xdp_obj *x);

#endif
