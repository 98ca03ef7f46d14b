// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One way to walk a map (see map_walk.h). */
#include "datapath/map_walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* The kernel's "no such operation" (include/linux/errno.h), which libc
 * does not name: a map type without batch operations answers it. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Keys asked for per batch call at first; doubled when one hash bucket
 * holds more than that (the kernel answers -ENOSPC). */
#define BATCH_FIRST 256

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Room for at least `want` entries. */
static int reserve(struct sixpn_map_keys *k, size_t *cap, size_t want, bool values)
{
	size_t c = *cap ? *cap : BATCH_FIRST;
	void *p;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	p = realloc(k->keys, c * k->key_size);
	if (!p)
		return -ENOMEM;
	k->keys = p;
	if (values) {
		p = realloc(k->values, c * k->value_size);
		if (!p)
			return -ENOMEM;
		k->values = p;
	}
	*cap = c;
	return 0;
}

/* 0 when every key is in, -ENOTSUPP (before reading any) when the map
 * type has no batch operations, else -errno. */
static int walk_batch(int fd, struct sixpn_map_keys *k, size_t *cap, __u32 max)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	/* The kernel's position tokens: a bucket index for hashes, a key for
	 * the generic walk; key-sized covers both. */
	size_t tok = k->key_size > 8 ? k->key_size : 8;
	char *in = calloc(2, tok), *out = in + tok;
	__u32 chunk = BATCH_FIRST;
	bool started = false;
	int err = 0;

	if (!in)
		return -ENOMEM;
	while (k->n < max) {
		__u32 count = chunk < max - k->n ? chunk : max - k->n;

		err = reserve(k, cap, k->n + count, true);
		if (err)
			break;
		err = bpf_map_lookup_batch(fd, started ? in : NULL, out, sixpn_map_key(k, k->n),
					   sixpn_map_value(k, k->n), &count, &opts);
		if (err == -ENOSPC && !count && chunk < max) {
			chunk *= 2;
			err = 0;
			continue;
		}
		if (err && err != -ENOENT) {
			if (!started && !k->n && (err == -ENOTSUPP || err == -EOPNOTSUPP || err == -EINVAL))
				err = -ENOTSUPP;
			break;
		}
		k->n += count;
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		memcpy(in, out, tok);
		started = true;
	}
	free(in);
	return err;
}

/* Key by key; a key that goes away between the walk and its lookup is
 * left out. */
static int walk_keys(int fd, bool values, struct sixpn_map_keys *k, size_t *cap, __u32 max)
{
	void *prev = NULL;
	size_t i, kept = 0;
	int err;

	while (k->n < max) {
		err = reserve(k, cap, k->n + 1, values);
		if (err)
			return err;
		if (bpf_map_get_next_key(fd, prev, sixpn_map_key(k, k->n))) {
			if (errno != ENOENT)
				return -errno;
			break;
		}
		prev = sixpn_map_key(k, k->n++);
	}
	if (!values)
		return 0;
	for (i = 0; i < k->n; i++) {
		if (bpf_map_lookup_elem(fd, sixpn_map_key(k, i), sixpn_map_value(k, kept))) {
			if (errno != ENOENT)
				return -errno;
			continue;
		}
		if (kept != i)
			memcpy(sixpn_map_key(k, kept), sixpn_map_key(k, i), k->key_size);
		kept++;
	}
	k->n = kept;
	return 0;
}

int sixpn_map_keys(int fd, bool values, struct sixpn_map_keys *k)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	size_t cap = 0;
	int err, cpus;

	memset(k, 0, sizeof(*k));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	k->key_size = info.key_size ? info.key_size : 1;
	k->value_size = info.value_size;
	if (is_percpu(info.type)) {
		cpus = libbpf_num_possible_cpus();
		if (cpus < 0)
			return cpus;
		k->value_size = ((info.value_size + 7) & ~7u) * (__u32)cpus;
	}
	if (!k->value_size)
		k->value_size = 1;
	err = walk_batch(fd, k, &cap, info.max_entries);
	if (err == -ENOTSUPP) {
		k->n = 0;
		err = walk_keys(fd, values, k, &cap, info.max_entries);
	}
	if (err) {
		sixpn_map_keys_free(k);
		return err;
	}
	if (!values) {
		free(k->values);
		k->values = NULL;
	}
	return 0;
}

void sixpn_map_keys_free(struct sixpn_map_keys *k)
{
	free(k->keys);
	free(k->values);
	memset(k, 0, sizeof(*k));
}
