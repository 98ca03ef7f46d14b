/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BTF-defined maps shared by every sixpn BPF object. Each is pinned by name,
 * so the TC and XDP objects loaded with the same pin root use one map. */
#ifndef SIXPN_MAPS_BPF_H
#define SIXPN_MAPS_BPF_H

#include <bpf/bpf_helpers.h>
#include "sixpn_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIXPN_MAX_IFACES);
	__type(key, __u32); /* ifindex */
	__type(value, struct sixpn_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SIXPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sixpn_lpm_key);
	__type(value, struct sixpn_peer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIXPN_STATS_ENTRIES);
	__type(key, __u32); /* sixpn_stat_index(hook, reason) */
	__type(value, struct sixpn_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIXPN_EVENTS_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sixpn_event_limit);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} event_limit SEC(".maps");

/* The internal DNS maps (maps/sixpn_dns.h), only in objects that define
 * SIXPN_WANT_DNS_MAPS (the XDP object): userspace sizes `dns_names` before
 * load, and an object that declared it with the default size could not reuse
 * a pinned map of another size. */
#ifdef SIXPN_WANT_DNS_MAPS
#include "sixpn_dns.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIXPN_DNS_NAMES_DEFAULT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sixpn_dns_key);
	__type(value, struct sixpn_dns_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dns_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sixpn_dns_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dns_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIXPN_DNS_OVERFLOW_SLOTS);
	__type(key, __u32); /* sixpn_dns_overflow_slot(net_id) */
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dns_overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SIXPN_DNS_PASSUP_MAX);
	__type(key, struct sixpn_dns_passup_key);
	__type(value, struct sixpn_dns_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dns_passup SEC(".maps");
#endif

#endif
