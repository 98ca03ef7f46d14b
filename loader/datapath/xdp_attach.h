/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Loading and attaching the XDP DNS fast path (xdp/sixpn_xdp.bpf.c).
 *
 * The XDP object is loaded with the same pin root as the TC object
 * (tc_attach.h), so it shares `ifaces`, `peers` and `stats` with it; the
 * DNS maps `dns_names` and `dns_config` are pinned there by name too.
 *
 * It attaches through libxdp's dispatcher (xdp_program__attach, multi-
 * program mode), so that an operator's own XDP programs (xdp-filter, a
 * counter, anything xdp-loader loads) run on the same interface beside it,
 * in run-priority order (SIXPN_XDP_RUN_PRIO; only XDP_PASS goes on to the
 * next). The dispatcher runs in generic (skb) mode on veth, where native
 * XDP_TX is lost unless the instance side runs XDP itself, and native
 * elsewhere (tap). libxdp pins the dispatcher's programs and links under
 * /sys/fs/bpf/xdp/dispatch-IFINDEX-ID/ (they keep it attached when the
 * process exits); sixpn pins its program at <pin dir>/links/<ifname>@xdp
 * too (a '.' in the name becomes '+'), only to know which interfaces are
 * its own: sixpn_unload() detaches XDP from each of them. What runs on an
 * interface is always read from the kernel (xdp_query.h), never from pins.
 *
 * Attaching again where sixpn's current program already runs in the mode
 * wanted changes nothing (sixpnd reconciles often); an older program of
 * sixpn's (another build) is replaced: the new one joins the dispatcher
 * first, then the old one leaves. Detaching removes sixpn's program only;
 * the operator's stay. An XDP program attached without libxdp's dispatcher
 * (`ip link set dev IF xdp obj ...`) is never replaced: the attach fails
 * and says which program is there. On a kernel without what the dispatcher
 * needs (freplace), libxdp attaches sixpn's program alone ("single").
 *
 * sixpnd: sixpn_xdp_open() after sixpn_bpf_open(); sixpn_xdp_attach() next
 * to sixpn_attach_isolation() for every instance interface;
 * sixpn_xdp_detach() next to sixpn_detach(). */
#ifndef SIXPN_XDP_ATTACH_H
#define SIXPN_XDP_ATTACH_H

#include <linux/types.h>
#include "datapath/pins.h"

struct sixpn_xdp;
struct bpf_object;
struct xdp_program;

enum sixpn_xdp_mode {
	SIXPN_XDP_MODE_AUTO,   /* skb on veth, native elsewhere */
	SIXPN_XDP_MODE_SKB,
	SIXPN_XDP_MODE_NATIVE,
};

struct sixpn_xdp_obj {
	struct sixpn_xdp *skel;       /* loaded as XDP: the maps, tests, the tag */
	struct sixpn_pins pins;
	/* The dispatcher's copy of the program, opened on the first attach;
	 * libxdp loads it as freplace of the dispatcher, with skel's maps. One
	 * loaded program serves every interface. */
	struct bpf_object *comp_obj;
	struct xdp_program *comp;
	unsigned char tag[8];         /* the program's tag: is the attached one current? */
};

/* Opens and loads the XDP object, reusing the maps pinned in `pin_dir`.
 * `names_max` sizes the names map when this call creates it (0: the
 * default, SIXPN_DNS_NAMES_DEFAULT_MAX); a names map already pinned keeps
 * its size (resizing means unloading: a warning says so). Returns 0 or
 * -errno, having logged why. */
int sixpn_xdp_open(struct sixpn_xdp_obj *x, const char *pin_dir, __u32 names_max);
void sixpn_xdp_close(struct sixpn_xdp_obj *x);

/* Attaches the DNS fast path to `ifname` (see above). 0 or -errno, having
 * logged why: -EBUSY when the interface runs an XDP program without
 * libxdp's dispatcher, or other programs in another mode than `mode`. */
int sixpn_xdp_attach(struct sixpn_xdp_obj *x, const char *ifname, enum sixpn_xdp_mode mode);
/* Detaches sixpn's program from `ifname` and removes its pin; the other
 * programs of the dispatcher stay. No loaded object needed; 0 when nothing
 * was attached. */
int sixpn_xdp_detach(const char *pin_dir, const char *ifname);
/* sixpn_xdp_detach() for every interface pinned under `pin_dir`. */
void sixpn_xdp_detach_all(const char *pin_dir);
/* Interface names with an XDP pin under `pin_dir`, for status: calls
 * `fn` for each. */
void sixpn_xdp_pinned_ifaces(const char *pin_dir, void (*fn)(const char *ifname, void *arg),
			     void *arg);

int sixpn_xdp_parse_mode(const char *text, enum sixpn_xdp_mode *mode);

int sixpn_xdp_names_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_config_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_text_fd(struct sixpn_xdp_obj *x);
int sixpn_xdp_overflow_fd(struct sixpn_xdp_obj *x);

#endif
