/*
 * rng.h: a small seeded PRNG (xoshiro256**, seeded through splitmix64) for the emulator's sensor noise and the
 * fault injector. Same seed, same numbers, on every platform. Header-only, C99.
 */
#ifndef TROT_SITL_RNG_H
#define TROT_SITL_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    int have_spare;
    double spare;
} sitl_rng;

static inline uint64_t sitl_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void sitl_rng_seed(sitl_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = sitl_splitmix64(&seed);
    r->have_spare = 0;
    r->spare = 0;
}

static inline uint64_t sitl_rng_next(sitl_rng *r) {
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, 1). */
static inline double sitl_rng_uniform(sitl_rng *r) { return (double) (sitl_rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform integer in [0, n), n > 0. */
static inline uint32_t sitl_rng_below(sitl_rng *r, uint32_t n) {
    return (uint32_t) (((sitl_rng_next(r) >> 32) * (uint64_t) n) >> 32);
}

/* Standard normal (Marsaglia's polar method). */
static inline double sitl_rng_gauss(sitl_rng *r) {
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * sitl_rng_uniform(r) - 1.0;
        v = 2.0 * sitl_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double k = sqrt(-2.0 * log(s) / s);
    r->spare = v * k;
    r->have_spare = 1;
    return u * k;
}

#endif
