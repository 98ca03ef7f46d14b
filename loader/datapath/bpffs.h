/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Whether what is pinned under a directory outlives the process that pins it.
 *
 * A bpffs lives as long as one of its mounts does. `ip netns exec` runs its
 * command in a mount namespace of its own with a fresh /sys, where
 * /sys/fs/bpf is an empty sysfs directory: a bpffs mounted there, and every
 * program, link and map pinned in it, is gone when the process exits, so a
 * kill -9 takes the whole datapath down. The host's bpffs is the one PID 1's
 * mount namespace has mounted (same device number); a mount namespace that
 * only copied it (systemd's PrivateMounts=, unshare -m) shares it. */
#ifndef SIXPN_BPFFS_H
#define SIXPN_BPFFS_H

#include <stdbool.h>

/* 0 when pins under `pin_dir` will be on the host's bpffs, or when that
 * cannot be told (logged at debug). When they would not: with
 * `allow_private` a warning and 0; without, an error that says how to run
 * `prog` instead, and -EPERM. Nothing is mounted or created. */
int sixpn_bpffs_check(const char *prog, const char *pin_dir, bool allow_private);

#endif
