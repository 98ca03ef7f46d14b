/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BTF-defined maps shared by every sixpn BPF object, defined from the rows
 * of maps/sixpn_pin.h. Each is pinned by name, so the TC and XDP objects
 * loaded with the same pin root use one map. */
#ifndef SIXPN_MAPS_BPF_H
#define SIXPN_MAPS_BPF_H

#include <bpf/bpf_helpers.h>
#include "sixpn_maps.h"
#include "sixpn_pin.h"

/* The definitions of the SIXPN_*_MAPS rows. */
#define SIXPN_DEF_KV(t, max, k, v)                    \
	__uint(type, BPF_MAP_TYPE_##t);               \
	__uint(max_entries, max);                     \
	__type(key, k);                               \
	__type(value, v);
#define SIXPN_DEF_KV_NO_PREALLOC(t, max, k, v)        \
	__uint(type, BPF_MAP_TYPE_##t);               \
	__uint(max_entries, max);                     \
	__uint(map_flags, BPF_F_NO_PREALLOC);         \
	__type(key, k);                               \
	__type(value, v);
#define SIXPN_DEF_RING(bytes)                         \
	__uint(type, BPF_MAP_TYPE_RINGBUF);           \
	__uint(max_entries, bytes);

#define SIXPN_DEFINE_PINNED_MAP(id, name, def)        \
	struct {                                      \
		def                                   \
		__uint(pinning, LIBBPF_PIN_BY_NAME);  \
	} name SEC(".maps");

SIXPN_CORE_MAPS(SIXPN_DEFINE_PINNED_MAP)

/* The internal DNS maps (maps/sixpn_dns.h), only in objects that define
 * SIXPN_WANT_DNS_MAPS (the XDP object): userspace sizes `dns_names` before
 * load, and an object that declared it with the default size could not reuse
 * a pinned map of another size. */
#ifdef SIXPN_WANT_DNS_MAPS
#include "sixpn_dns.h"

SIXPN_DNS_MAPS(SIXPN_DEFINE_PINNED_MAP)
#endif

#ifdef SIXPN_WANT_FC_MAPS
#include "sixpn_flycast.h"

SIXPN_FC_MAPS(SIXPN_DEFINE_PINNED_MAP)
#endif

#endif
