/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the TC and XDP objects share: the pin directory their maps are
 * pinned in by name, and the BPF links they attach with, pinned at
 * <pin dir>/links/<ifname>@<hook> (hook: ingress, egress, xdp) so that they
 * outlive the process. Removing a link's pin detaches it. XDP is the
 * exception: libxdp's dispatcher keeps sixpn's program attached, and
 * <ifname>@xdp pins the program itself, as a record (xdp_attach.h). */
#ifndef SIXPN_PINS_H
#define SIXPN_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/limits.h>

struct sixpn_pins {
	char pin_dir[PATH_MAX / 2];
	char links_dir[PATH_MAX / 2 + 16];
};

/* Names the directories (creates nothing). 0 or -ENAMETOOLONG. */
int sixpn_pins_init(struct sixpn_pins *p, const char *pin_dir);

/* mkdir -p, mode 0700 (bpffs directories too). */
int sixpn_mkdir_p(const char *path);

/* Replaces the program of the link pinned for (ifname, hook) with prog_fd.
 * A pinned link that cannot take it (its device went away or was
 * recreated under the same name), or that the caller cannot `reuse`, is
 * unpinned so that a new one can take its place. 0 when the pinned link
 * now runs prog_fd; -errno (-ENOENT: none pinned) when a new one is wanted. */
int sixpn_link_replace(const struct sixpn_pins *p, const char *ifname, const char *hook,
		       int prog_fd, bool reuse);
/* Pins link_fd for (ifname, hook), creating the links directory, and
 * closes it. 0 or -errno. */
int sixpn_link_pin(const struct sixpn_pins *p, const char *ifname, const char *hook, int link_fd);
/* The pin's path (a '.' of the name becomes '+'). 0 or -ENAMETOOLONG. */
int sixpn_link_pin_path(const char *pin_dir, const char *ifname, const char *hook, char *buf,
			size_t size);
/* Removes the pin: 0, -ENOENT when none was pinned, or -errno. */
int sixpn_link_unpin(const char *pin_dir, const char *ifname, const char *hook);

#endif
