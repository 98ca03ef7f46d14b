// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdp_count_read PIN: prints the count that selftests/progs/xdp_count.bpf.c
 * keeps in its pinned map (key 0, one __u64), for the coexistence tests
 * (selftests/vm/test_xdp_coexist.sh), where no bpftool runs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	__u32 key = 0;
	__u64 n = 0;
	int fd;

	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "Usage: xdp_count_read PIN\n");
		return argc == 2 ? 0 : 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "xdp_count_read: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_map_lookup_elem(fd, &key, &n)) {
		fprintf(stderr, "xdp_count_read: cannot read %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("%" PRIu64 "\n", (uint64_t)n);
	return 0;
}
