/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The maps of an opened, not yet loaded, object made private: a test or a
 * benchmark must never reuse or touch the pins of a running host (the
 * objects pin their maps by name, maps/sixpn_maps.bpf.h). */
#ifndef SIXPN_PRIVATE_MAPS_H
#define SIXPN_PRIVATE_MAPS_H

#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static inline void private_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
}

/* An opened skeleton's maps made private, then the whole loaded as its
 * __load() would; a refusal is said as a TAP "Bail out!" naming what. */
static inline int private_load(struct bpf_object_skeleton *s, const char *what)
{
	int err;

	private_maps(*s->obj);
	err = bpf_object__load_skeleton(s);
	if (err)
		fprintf(stderr, "Bail out! the verifier refused the %s object: %s\n", what,
			strerror(-err));
	return err;
}

#endif
