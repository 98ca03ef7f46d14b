/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Proof that the judge can fail: every reply the judge found right is
 * corrupted once more in one field (checksum fixed up afterwards, so only
 * that field is wrong) and judged again. A targeted corruption the judge
 * lets through is a broken fuzzer, not a broken program. Random bit flips
 * are reported as a detection rate only: a flipped letter case in a
 * compressed-away owner or in the SOA names is not an error (RFC 4343). */
#ifndef FZ_SELFCHECK_H
#define FZ_SELFCHECK_H

#include <stdint.h>
#include "fz_judge.h"

#define FZ_CORRUPTIONS(X)                                      \
	X(CSUM, "UDP checksum bit flipped")                     \
	X(ETH, "Ethernet addresses left unswapped")             \
	X(PORTS, "UDP ports left unswapped")                    \
	X(ID, "ID changed")                                     \
	X(FLAGS, "AA cleared")                                  \
	X(RCODE, "NOERROR <-> NXDOMAIN")                        \
	X(QUESTION, "question QTYPE changed")                   \
	X(ADDRESS, "first address moved to another network / SOA serial changed") \
	X(OPT, "DO flipped in the OPT, or an OPT added")        \
	X(RANDOM_BIT, "a random DNS bit flipped (rate only)")

enum fz_corruption {
#define FZ_CORRUPTION_ENUM(name, doc) FZ_C_##name,
	FZ_CORRUPTIONS(FZ_CORRUPTION_ENUM)
#undef FZ_CORRUPTION_ENUM
	FZ_C_MAX,
};

extern const char *const fz_corruption_names[];

/* Corrupts a copy of the right reply `r` with `kind` and judges it. Returns
 * 1 when the judge caught it, 0 when not, -1 when `kind` does not apply to
 * this reply. */
int fz_selfcheck(enum fz_corruption kind, uint64_t salt, const uint8_t *q, uint32_t qlen,
		 const struct fz_expect *x, const uint8_t *r, uint32_t rlen,
		 const struct sixpn_dns_config *cfg);

#endif
