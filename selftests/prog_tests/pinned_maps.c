// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The maps the built BPF objects pin are exactly the rows of maps/sixpn_pin.h:
 * the TC object pins SIXPN_CORE_MAPS, the XDP object those and
 * SIXPN_DNS_MAPS, nothing else, and each where sixpn_map_pin_path() (which
 * userspace opens) says. A pinned map defined outside the list, or a pin
 * path libbpf and userspace disagree on, fails here. The objects are only
 * opened, never loaded: no pin is touched. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "test_harness.h"
#include "sixpn_pin.h"
#include "tc/sixpn_tc.skel.h"
#include "xdp/sixpn_xdp.skel.h"

TEST_HARNESS_DEFINE();

/* Not a real bpffs: opening an object only computes the pin paths. */
#define PIN_ROOT "/sys/fs/bpf/sixpn-pinned-maps-test"

#define ID_ENTRY(id, name, def) SIXPN_MAP_##id,
static const enum sixpn_map_id all_maps[] __attribute__((unused)) = { SIXPN_PINNED_MAPS(ID_ENTRY) };
/* the TC object: the core maps and Flycast's; the XDP object: core and DNS */
static const enum sixpn_map_id tc_maps[] = { SIXPN_CORE_MAPS(ID_ENTRY) SIXPN_FC_MAPS(ID_ENTRY) };
static const enum sixpn_map_id xdp_maps[] = { SIXPN_CORE_MAPS(ID_ENTRY) SIXPN_DNS_MAPS(ID_ENTRY) };
#undef ID_ENTRY

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int listed_id(const char *name, const enum sixpn_map_id *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(sixpn_map_name(ids[i]), name))
			return (int)ids[i];
	return -1;
}

static void check_object(const char *what, struct bpf_object *obj,
			 const enum sixpn_map_id *ids, size_t n)
{
	char want[PATH_MAX];
	struct bpf_map *map;
	size_t pinned = 0, i;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map), *path = bpf_map__pin_path(map);
		int id = listed_id(name, ids, n);

		if (!path) {
			CHECK(id < 0, "%s: map %s is not pinned and not in the list", what, name);
			continue;
		}
		pinned++;
		CHECK(id >= 0, "%s: pinned map %s is a row of the list", what, name);
		if (id < 0)
			continue;
		CHECK_EQ(sixpn_map_pin_path(want, sizeof(want), PIN_ROOT, id), 0,
			 "%s: userspace's pin path of %s fits", what, name);
		CHECK(!strcmp(path, want), "%s: %s is pinned at %s (userspace opens %s)",
		      what, name, path, want);
	}
	CHECK_EQ(pinned, n, "%s: pins as many maps as the list has rows", what);
	for (i = 0; i < n; i++) {
		map = bpf_object__find_map_by_name(obj, sixpn_map_name(ids[i]));
		CHECK(map && bpf_map__pin_path(map), "%s: defines and pins %s", what,
		      sixpn_map_name(ids[i]));
	}
}

static void test_pin_path_helper(void)
{
	char buf[PATH_MAX], tiny[8];

	CHECK(!sixpn_map_pin_path(buf, sizeof(buf), SIXPN_PIN_DIR_DEFAULT, SIXPN_MAP_IFACES) &&
	      !strcmp(buf, "/sys/fs/bpf/sixpn/ifaces"),
	      "pin path of ifaces under the default pin dir: %s", buf);
	CHECK(!sixpn_map_pin_path(buf, sizeof(buf), "/sys/fs/bpf/x", SIXPN_MAP_DNS_CONFIG) &&
	      !strcmp(buf, "/sys/fs/bpf/x/dns_config"), "pin path of dns_config: %s", buf);
	CHECK_EQ(sixpn_map_pin_path(tiny, sizeof(tiny), "/sys/fs/bpf/sixpn", SIXPN_MAP_STATS),
		 -ENAMETOOLONG, "a pin path that does not fit is refused");
	CHECK_EQ(COUNT(all_maps), SIXPN_MAP_COUNT, "every map ID is a row of the list");
}

int main(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = PIN_ROOT);
	struct sixpn_tc *tc;
	struct sixpn_xdp *xdp;

	test_pin_path_helper();

	tc = sixpn_tc__open_opts(&opts);
	if (!tc) {
		fprintf(stderr, "Bail out! cannot open the TC object: %s\n", strerror(errno));
		return 2;
	}
	check_object("tc", tc->obj, tc_maps, COUNT(tc_maps));
	sixpn_tc__destroy(tc);

	xdp = sixpn_xdp__open_opts(&opts);
	if (!xdp) {
		fprintf(stderr, "Bail out! cannot open the XDP object: %s\n", strerror(errno));
		return 2;
	}
	check_object("xdp", xdp->obj, xdp_maps, COUNT(xdp_maps));
	sixpn_xdp__destroy(xdp);
	return test_summary("pinned_maps");
}
