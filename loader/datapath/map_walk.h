/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every key of a BPF map (and its value, when asked), read before the
 * caller acts on any of them.
 *
 * A bpf_map_get_next_key() walk that deletes as it goes starts over from
 * the first key (the deleted key cannot be found to go on from), and one
 * that acts as it goes sees a map changing under it. So every walk of a map
 * in userspace is this one: all keys are copied first, then the caller
 * deletes, detaches or prints. Maps with batch operations (hashes) are read
 * with bpf_map_lookup_batch(), a system call per chunk of keys; the others
 * (LPM tries) key by key. Either way the keys come in the kernel's walk
 * order, and never more than the map's max_entries of them. */
#ifndef SIXPN_MAP_WALK_H
#define SIXPN_MAP_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct sixpn_map_keys {
	size_t n;
	__u32 key_size;
	__u32 value_size;       /* as the kernel copies it: all CPUs' for per-CPU maps */
	void *keys;             /* n * key_size */
	void *values;           /* n * value_size; NULL unless asked for */
};

/* Reads the keys of the map `fd`, with `values` their values too. Returns
 * 0 or -errno; `k` is empty (and needs no free) after a failure. */
int sixpn_map_keys(int fd, bool values, struct sixpn_map_keys *k);
void sixpn_map_keys_free(struct sixpn_map_keys *k);

static inline void *sixpn_map_key(const struct sixpn_map_keys *k, size_t i)
{
	return (char *)k->keys + i * k->key_size;
}

static inline void *sixpn_map_value(const struct sixpn_map_keys *k, size_t i)
{
	return (char *)k->values + i * k->value_size;
}

#endif
