/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Two DNS labels with one seeded names-table hash (maps/sixpn_dns.h), for
 * the tests of what the names sync does with them. The hash is not a
 * cryptographic one: whoever knows the seed (it is in the table's header,
 * readable by root on the host only) can make two names collide, and that
 * is what the tests do, with the real hash of a production build.
 *
 * Each chunk of 8 wire bytes goes into the state as (h ^ w) * K1 and a
 * shift-xor, a bijection: two names alike but for two chunks meet when the
 * second chunks differ by exactly what the first ones made the states
 * differ by. The labels are 23 characters, lowercase letters and digits
 * (valid app names): the length byte and the 7 characters of `prefix`,
 * then the two chunks that differ, so the rest of the name, whatever it
 * is, follows from equal states at equal offsets. */
#ifndef SIXPN_SELFTESTS_DNS_COLLIDE_H
#define SIXPN_SELFTESTS_DNS_COLLIDE_H

#include <string.h>

#include "sixpn_dns.h"

#define DNS_COLLIDE_LEN 23

static inline __u64 dns_collide_le64(const __u8 *b)
{
	__u64 w = 0;
	int i;

	for (i = 0; i < 8; i++)
		w |= (__u64)b[i] << (8 * i);
	return w;
}

static inline int dns_collide_ok(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* a and b: DNS_COLLIDE_LEN + 1 bytes each; prefix: 7 valid characters.
 * Returns 0, or -1 when the search gave up (it never has: one try in
 * about 65,000 succeeds). Deterministic for a seed. */
static inline int dns_collide(__u64 seed, const char *prefix, char *a, char *b)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	__u8 c0[8], x1a[8] = "aaaaaaaa", x1b[8];
	__u64 s, sa, sb, d, ctr, v;
	int pair[256], i, j;

	for (i = 0; i < 256; i++) {
		pair[i] = -1;
		for (j = 0; alpha[j] && pair[i] < 0; j++)
			if (dns_collide_ok(alpha[j] ^ i))
				pair[i] = alpha[j];
	}
	c0[0] = DNS_COLLIDE_LEN;
	memcpy(c0 + 1, prefix, 7);
	s = sixpn_dns_mix(sixpn_dns_hash_start(seed), dns_collide_le64(c0));
	sa = sixpn_dns_mix(s, dns_collide_le64(x1a));
	for (ctr = 1; ctr < (1ULL << 28); ctr++) {
		for (v = ctr, i = 0; i < 8; i++, v /= 36)
			x1b[i] = (__u8)alpha[v % 36];
		sb = sixpn_dns_mix(s, dns_collide_le64(x1b));
		d = sa ^ sb;
		for (i = 0; i < 8 && pair[(d >> (8 * i)) & 0xff] >= 0; i++)
			;
		if (i < 8)
			continue;
		memcpy(a, prefix, 7);
		memcpy(b, prefix, 7);
		memcpy(a + 7, x1a, 8);
		memcpy(b + 7, x1b, 8);
		for (i = 0; i < 8; i++) {
			int x = pair[(d >> (8 * i)) & 0xff];

			a[15 + i] = (char)x;
			b[15 + i] = (char)(x ^ ((d >> (8 * i)) & 0xff));
		}
		a[DNS_COLLIDE_LEN] = b[DNS_COLLIDE_LEN] = 0;
		return 0;
	}
	return -1;
}

#endif
