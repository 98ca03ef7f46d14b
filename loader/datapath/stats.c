// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/dns_names.h"
#include "datapath/flycast.h"
#include "datapath/map_walk.h"
#include "sixpn_pin.h"

static int open_pinned(const char *pin_dir, enum sixpn_map_id id)
{
	char path[PATH_MAX];
	int fd, err;

	err = sixpn_map_pin_path(path, sizeof(path), pin_dir, id);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

__u64 sixpn_stat_packets(int stats_fd, __u32 hook, __u32 reason)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	__u32 key = sixpn_stat_index(hook, reason);
	struct sixpn_counter *vals;
	__u64 sum = 0;

	if (ncpu < 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return ~0ULL;
	if (bpf_map_lookup_elem(stats_fd, &key, vals))
		sum = ~0ULL;
	for (cpu = 0; sum != ~0ULL && cpu < ncpu; cpu++)
		sum += vals[cpu].packets;
	free(vals);
	return sum;
}

/* Per-CPU values come back one per possible CPU, each rounded up to 8. */
static int read_counters(int fd, struct sixpn_stats *st)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), key, hook, reason;
	struct sixpn_counter *vals;

	if (ncpu < 0)
		return ncpu;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct sixpn_counter))
		return -EPROTO;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	/* A map pinned by an older build has fewer reasons: read what it has. */
	for (hook = 0; hook < SIXPN_HOOK_MAX; hook++) {
		for (reason = 0; reason < SIXPN_REASON_MAX; reason++) {
			key = sixpn_stat_index(hook, reason);
			if (key >= info.max_entries)
				continue;
			if (bpf_map_lookup_elem(fd, &key, vals)) {
				err = -errno;
				goto out;
			}
			for (cpu = 0; cpu < ncpu; cpu++) {
				st->c[hook][reason].packets += vals[cpu].packets;
				st->c[hook][reason].bytes += vals[cpu].bytes;
			}
		}
	}
out:
	free(vals);
	return err;
}

static int read_event_limit(int fd, struct sixpn_event_limit *sum)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	struct sixpn_event_limit *vals;
	__u32 zero = 0;
	int err = 0;

	vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, vals)) {
		err = -errno;
	} else {
		for (cpu = 0; cpu < ncpu; cpu++) {
			sum->sent += vals[cpu].sent;
			sum->suppressed += vals[cpu].suppressed;
			sum->lost += vals[cpu].lost;
			sum->pending += vals[cpu].pending;
		}
	}
	free(vals);
	return err;
}

int sixpn_stats_read(const char *pin_dir, struct sixpn_stats *st)
{
	int fd, err;

	memset(st, 0, sizeof(*st));
	fd = open_pinned(pin_dir, SIXPN_MAP_STATS);
	if (fd < 0)
		return fd;
	err = read_counters(fd, st);
	close(fd);
	if (err)
		return err;
	fd = open_pinned(pin_dir, SIXPN_MAP_EVENT_LIMIT);
	if (fd >= 0) {
		st->has_events = !read_event_limit(fd, &st->events);
		close(fd);
	}
	return 0;
}

/* bpffs pins maps, programs and links alike; only fdinfo says which. */
static int pinned_map_type(int fd)
{
	char path[64], line[128];
	int type = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "map_type: %d", &type) == 1)
			break;
	fclose(f);
	return type;
}

static bool counts_entries(int type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return true;
	default:
		return false;
	}
}

static long long count_keys(int fd)
{
	struct sixpn_map_keys keys;
	int err = sixpn_map_keys(fd, false, &keys);
	long long n = (long long)keys.n;

	sixpn_map_keys_free(&keys);
	return err ? err : n;
}

/* The ARRAY maps that hold a fill of their own: the names table (the names
 * it holds) and Flycast's backends table (the backends it holds). 0 with
 * the fill, -errno when it cannot be read, 1 for any other map (counted
 * by its keys, or not at all). A map that cannot be read is left out. */
static int array_fill(const char *name, int fd, __u64 *entries, __u64 *capacity)
{
	if (!strcmp(name, sixpn_map_name(SIXPN_MAP_DNS_NAMES)))
		return sixpn_dns_table_fill(fd, entries, capacity) ? -EIO : 0;
	if (!strcmp(name, sixpn_map_name(SIXPN_MAP_FC_BACKENDS)))
		return sixpn_fc_backends_fill(fd, entries, capacity) ? -EIO : 0;
	return 1;
}

static int fill_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sixpn_map_fill *)a)->name,
		      ((const struct sixpn_map_fill *)b)->name);
}

int sixpn_map_fill_read(const char *pin_dir, struct sixpn_map_fill *out, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0, fd, type, fill;
	DIR *d = opendir(pin_dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		long long count;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(out[n].name) ||
		    snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		type = pinned_map_type(fd);
		fill = array_fill(de->d_name, fd, &out[n].entries, &out[n].capacity);
		if (fill <= 0) {
			close(fd);
			if (!fill) {
				memcpy(out[n].name, de->d_name, strlen(de->d_name) + 1);
				out[n].type = (__u32)type;
				n++;
			}
			continue;
		}
		if (!counts_entries(type) || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		count = count_keys(fd);
		close(fd);
		if (count < 0)
			continue;
		memcpy(out[n].name, de->d_name, strlen(de->d_name) + 1);
		out[n].type = (__u32)type;
		out[n].entries = (__u64)count;
		out[n].capacity = info.max_entries;
		n++;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), fill_cmp);
	return n;
}

const char *sixpn_reason_verdict(__u32 reason)
{
	return sixpn_class_names[sixpn_reason_class(reason)];
}
