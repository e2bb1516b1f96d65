/*
 * bnn_rng.h - a tiny deterministic PRNG (splitmix64) for model generation
 * and property tests. The state lives in the caller's struct: no globals.
 */
#ifndef SPARSECIM_BNN_RNG_H
#define SPARSECIM_BNN_RNG_H

#include <stdint.h>

typedef struct bnn_rng {
    uint64_t s;
} bnn_rng;

static inline void bnn_rng_seed(bnn_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
}

static inline uint64_t bnn_rng_u64(bnn_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi] (inclusive); hi >= lo. */
static inline int bnn_rng_range(bnn_rng *r, int lo, int hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1u;
    return (int)((int64_t)lo + (int64_t)(bnn_rng_u64(r) % span));
}

/* Uniform double in [0, 1). */
static inline double bnn_rng_unit(bnn_rng *r)
{
    return (double)(bnn_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
