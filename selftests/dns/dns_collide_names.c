// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dns_collide_names: two app names whose "<name>.internal" have one
 * names-table hash for a seed (selftests/dns_collide.h), for the end-to-end
 * test selftests/dns/test_names_collide_e2e.sh, which reads the seed from a
 * running sixpnd's pinned table:
 *
 *   dns_collide_names SEED PREFIX     SEED: 0x-hex or decimal, 64 bits;
 *                                     PREFIX: 7 lowercase letters or digits
 *
 * Prints "A B" and exits 0; checks the pair with the real hash before it
 * says so. Exit 1 when no pair was found, 2 on bad arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_collide.h"

/* "\<len>label\10internal\0", lowercase already: the table's wire form. */
static __u64 app_hash(__u64 seed, const char *app)
{
	__u8 wire[DNS_COLLIDE_LEN + 16];
	size_t n = strlen(app);

	wire[0] = (__u8)n;
	memcpy(wire + 1, app, n);
	wire[n + 1] = 8;
	memcpy(wire + n + 2, "internal", 8);
	wire[n + 10] = 0;
	return sixpn_dns_hash(seed, wire, (__u32)(n + 11));
}

int main(int argc, char **argv)
{
	char a[DNS_COLLIDE_LEN + 1], b[DNS_COLLIDE_LEN + 1], *end;
	unsigned long long seed;
	int i;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("Usage: dns_collide_names SEED PREFIX\n"
		       "Two app names of %d characters starting with PREFIX (7 lowercase\n"
		       "letters or digits) whose <name>.internal share a names-table hash\n"
		       "for SEED (0x-hex or decimal): printed as \"A B\".\n", DNS_COLLIDE_LEN);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "dns_collide_names: wants SEED PREFIX (see --help)\n");
		return 2;
	}
	errno = 0;
	seed = strtoull(argv[1], &end, 0);
	if (errno || end == argv[1] || *end || argv[1][0] == '-') {
		fprintf(stderr, "dns_collide_names: '%s' is not a 64-bit seed\n", argv[1]);
		return 2;
	}
	for (i = 0; argv[2][i] && dns_collide_ok(argv[2][i]); i++)
		;
	if (i != 7 || argv[2][i]) {
		fprintf(stderr, "dns_collide_names: '%s' is not 7 lowercase letters or digits\n", argv[2]);
		return 2;
	}
	if (dns_collide(seed, argv[2], a, b) || !strcmp(a, b) ||
	    app_hash(seed, a) != app_hash(seed, b)) {
		fprintf(stderr, "dns_collide_names: no pair for seed %#llx\n", seed);
		return 1;
	}
	printf("%s %s\n", a, b);
	return 0;
}
