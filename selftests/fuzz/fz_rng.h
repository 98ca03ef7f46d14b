/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The fuzzer's deterministic PRNG (splitmix64). Every packet draws from a
 * stream of its own, seeded from (run seed, packet index), so that packet I
 * of seed S is the same whatever the count or the number of workers:
 * `xdp_fuzz --seed S --index I` replays exactly that one. */
#ifndef FZ_RNG_H
#define FZ_RNG_H

#include <stdint.h>

struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t fz_next(struct fz_rng *r)
{
	return fz_mix64(r->s += 0x9e3779b97f4a7c15ULL);
}

static inline void fz_rng_packet(struct fz_rng *r, uint64_t seed, uint64_t index)
{
	r->s = fz_mix64(seed ^ 0x5158a7b1c0ffee11ULL) ^ fz_mix64(index + 1);
}

/* 0..n-1 (n > 0); the modulo bias is below 2^-40 for the n used here. */
static inline uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return (uint32_t)(fz_next(r) % n);
}

/* True with probability pct/100. */
static inline int fz_chance(struct fz_rng *r, uint32_t pct)
{
	return fz_below(r, 100) < pct;
}

static inline uint32_t fz_pick(struct fz_rng *r, const uint32_t *v, uint32_t n)
{
	return v[fz_below(r, n)];
}

#define FZ_PICK(r, arr) fz_pick((r), (arr), sizeof(arr) / sizeof((arr)[0]))

#endif
