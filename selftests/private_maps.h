/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The maps of an opened, not yet loaded, object made private: a test or a
 * benchmark must never reuse or touch the pins of a running host (the
 * objects pin their maps by name, maps/sixpn_maps.bpf.h). */
#ifndef SIXPN_PRIVATE_MAPS_H
#define SIXPN_PRIVATE_MAPS_H

#include <bpf/libbpf.h>

static inline void private_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
}

#endif
