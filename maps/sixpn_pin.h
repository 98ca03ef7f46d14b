/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Where sixpn pins its maps and links in bpffs, and which maps it pins. Maps
 * are pinned by name (LIBBPF_PIN_BY_NAME) directly under the pin directory,
 * so every object that declares a map of the same name shares it. */
#ifndef SIXPN_PIN_H
#define SIXPN_PIN_H

#define SIXPN_PIN_DIR_DEFAULT "/sys/fs/bpf/sixpn"
#define SIXPN_PIN_LINKS_SUBDIR "links"

/* sixpn's XDP program as one of libxdp's dispatcher programs: the name
 * userspace tells it from an operator's programs on the same interface by,
 * and its run priority (lower runs first; libxdp's default is 50). */
#define SIXPN_XDP_PROG_NAME "sixpn_xdp_dns"
#define SIXPN_XDP_RUN_PRIO 60

/* Every pinned map, X(ID, name, definition). The BPF objects define their
 * maps from these rows (maps/sixpn_maps.bpf.h) and userspace opens the pins
 * by the names the same rows give (sixpn_map_name()), so no map is pinned
 * under a name userspace does not know, nor known to userspace and defined
 * nowhere. The definition is expanded by BPF code only, which has the types
 * (maps/sixpn_maps.h, maps/sixpn_dns.h):
 *   SIXPN_DEF_KV(type, max_entries, key, value)
 *   SIXPN_DEF_KV_NO_PREALLOC(type, max_entries, key, value)
 *   SIXPN_DEF_RING(bytes)
 * Every object defines SIXPN_CORE_MAPS; only the XDP object the DNS ones
 * (see SIXPN_WANT_DNS_MAPS). */
#define SIXPN_CORE_MAPS(X)                                                              \
	X(IFACES, ifaces,                                                               \
	  SIXPN_DEF_KV(HASH, SIXPN_MAX_IFACES, __u32 /* ifindex */, struct sixpn_iface)) \
	X(PEERS, peers,                                                                 \
	  SIXPN_DEF_KV_NO_PREALLOC(LPM_TRIE, SIXPN_MAX_PEERS, struct sixpn_lpm_key,     \
				   struct sixpn_peer))                                   \
	X(STATS, stats,                                                                 \
	  SIXPN_DEF_KV(PERCPU_ARRAY, SIXPN_STATS_ENTRIES,                               \
		       __u32 /* sixpn_stat_index(hook, reason) */, struct sixpn_counter)) \
	X(EVENTS, events, SIXPN_DEF_RING(SIXPN_EVENTS_RING_BYTES))                      \
	X(EVENT_LIMIT, event_limit,                                                     \
	  SIXPN_DEF_KV(PERCPU_ARRAY, 1, __u32, struct sixpn_event_limit))

#define SIXPN_DNS_MAPS(X)                                                               \
	X(DNS_NAMES, dns_names,                                                         \
	  SIXPN_DEF_KV_NO_PREALLOC(HASH, SIXPN_DNS_NAMES_DEFAULT_MAX, struct sixpn_dns_key, \
				   struct sixpn_dns_value))                              \
	X(DNS_CONFIG, dns_config,                                                       \
	  SIXPN_DEF_KV(ARRAY, 1, __u32, struct sixpn_dns_config))                        \
	X(DNS_OVERFLOW, dns_overflow,                                                   \
	  SIXPN_DEF_KV(ARRAY, SIXPN_DNS_OVERFLOW_SLOTS,                                 \
		       __u32 /* sixpn_dns_overflow_slot(net_id) */, __u32))              \
	X(DNS_PASSUP, dns_passup,                                                       \
	  SIXPN_DEF_KV(LRU_HASH, SIXPN_DNS_PASSUP_MAX, struct sixpn_dns_passup_key,     \
		       struct sixpn_dns_bucket))

/* Flycast (maps/sixpn_flycast.h): only in the TC object (SIXPN_WANT_FC_MAPS). */
#define SIXPN_FC_MAPS(X)                                                                \
	X(FC_SERVICES, fc_services,                                                     \
	  SIXPN_DEF_KV(HASH, SIXPN_FC_MAX_SERVICES, struct sixpn_ip6, struct sixpn_fc_service)) \
	X(FC_BACKENDS, fc_backends,                                                     \
	  SIXPN_DEF_KV(ARRAY, SIXPN_FC_MAX_SERVICES * SIXPN_FC_MAX_BACKENDS,            \
		       __u32 /* slot * MAX_BACKENDS + index */, struct sixpn_fc_backend)) \
	X(FC_MAGLEV, fc_maglev,                                                         \
	  SIXPN_DEF_KV(ARRAY, SIXPN_FC_MAX_SERVICES * SIXPN_FC_MAGLEV_M,                \
		       __u32 /* slot * M + hash % M */, __u32 /* backend index */))    \
	X(FC_CT, fc_ct,                                                                 \
	  SIXPN_DEF_KV(LRU_HASH, SIXPN_FC_CT_MAX, struct sixpn_fc_ct_key, struct sixpn_fc_ct)) \
	X(FC_CONFIG, fc_config, SIXPN_DEF_KV(ARRAY, 1, __u32, struct sixpn_fc_config))

#define SIXPN_PINNED_MAPS(X) SIXPN_CORE_MAPS(X) SIXPN_DNS_MAPS(X) SIXPN_FC_MAPS(X)

#if !defined(__bpf__)
#include <errno.h>
#include <stdio.h>

enum sixpn_map_id {
#define SIXPN_MAP_ID_ENUM(id, name, def) SIXPN_MAP_##id,
	SIXPN_PINNED_MAPS(SIXPN_MAP_ID_ENUM)
#undef SIXPN_MAP_ID_ENUM
	SIXPN_MAP_COUNT,
};

#define SIXPN_MAP_NAME_ENTRY(id, name, def) #name,
static const char *const sixpn_map_names[] = { SIXPN_PINNED_MAPS(SIXPN_MAP_NAME_ENTRY) };
#undef SIXPN_MAP_NAME_ENTRY

/* "ifaces", "dns_names", ...: the map's name in the objects and its pin's. */
static inline const char *sixpn_map_name(enum sixpn_map_id id)
{
	return sixpn_map_names[id];
}

/* Where libbpf pins the map under pin_dir: "<pin_dir>/<name>". Returns 0, or
 * -ENAMETOOLONG when it does not fit in `size` (buf then holds a prefix). */
static inline int sixpn_map_pin_path(char *buf, size_t size, const char *pin_dir,
				     enum sixpn_map_id id)
{
	int n = snprintf(buf, size, "%s/%s", pin_dir, sixpn_map_names[id]);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
#endif

#endif
