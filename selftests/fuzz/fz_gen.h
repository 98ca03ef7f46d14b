/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The fuzzer's packet generator: Ethernet + IPv6 (+ extension headers) +
 * UDP + a DNS query built field by field from the names map (fz_names.h),
 * then, for some, mutated (bit flips, truncation at a random byte, bytes
 * inserted, deleted or overwritten). Packet I of seed S depends on nothing
 * else (fz_rng.h).
 *
 * Half of the indices are clean queries: index % 8 == 0 mostly AAAA of names
 * with addresses; 1, 3, 5 and 7 sweep a field over all of its values with
 * the rest of the query clean, so that a run of N packets asks every flag
 * word and every QTYPE (N/8 apiece), every QCLASS and every EDNS UDP size
 * (N/16), and cuts a clean query at every byte. The other half is
 * free-form: every field random, odd values on purpose, then mutated. */
#ifndef FZ_GEN_H
#define FZ_GEN_H

#include <stdint.h>
#include "fz_names.h"
#include "fz_wire.h"

/* What the generator did, for the coverage counts. */
#define FZ_RECIPES(X)                                                 \
	X(CLEAN_AAAA, "clean query, mostly AAAA of a name with addresses") \
	X(SWEEP_FLAGS, "flag word sweep")                              \
	X(SWEEP_QTYPE, "QTYPE sweep")                                  \
	X(SWEEP_CLASS, "QCLASS sweep")                                 \
	X(SWEEP_EDNS_SIZE, "EDNS UDP size sweep")                      \
	X(SWEEP_TRUNCATE, "clean query cut at a byte")                 \
	X(EDNS, "with an OPT")                                         \
	X(EDNS_OPTIONS, "EDNS options")                                \
	X(EDNS_ODD, "odd EDNS: version, owner, bad option lengths")    \
	X(TSIG, "a TSIG record")                                       \
	X(ODD_RECORDS, "OPT in answer/authority, two OPTs, other RRs") \
	X(ODD_COUNTS, "counts overwritten")                            \
	X(ODD_NAME, "odd names: bytes, pointers, label types, length")  \
	X(TRAILING, "bytes after the message")                         \
	X(DNS_MUTATED, "DNS bytes flipped, cut, inserted, deleted")    \
	X(FRAME_MUTATED, "frame bits flipped, cut, padded, lengths")   \
	X(EXT_HDR, "IPv6 extension headers")                           \
	X(ODD_L2L3, "ethertype, version, next header")                 \
	X(ODD_SRC, "source not the instance's")                        \
	X(ODD_DST, "destination not fdaa::3")                          \
	X(ODD_PORT, "source port 0/53/low, destination not 53")        \
	X(ODD_CSUM, "UDP checksum zero, garbage or partial")

enum fz_recipe {
#define FZ_RECIPE_ENUM(name, doc) FZ_G_##name,
	FZ_RECIPES(FZ_RECIPE_ENUM)
#undef FZ_RECIPE_ENUM
	FZ_G_MAX,
};

extern const char *const fz_recipe_docs[];

struct fz_case {
	uint64_t index;
	enum fz_iface_id iface;     /* the interface it arrives on */
	uint32_t recipe;            /* 1 << FZ_G_* */
	uint32_t len;
	uint8_t pkt[FZ_FRAME_MAX];
};

void fz_generate(uint64_t seed, uint64_t index, struct fz_case *c);

#endif
