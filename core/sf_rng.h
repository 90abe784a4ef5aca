/* sf_rng.h - seeded, counter-based random streams (Philox4x32-10).

   A stream is keyed by (seed, stream, substream): the value of draw k of a
   given key is fixed, whatever thread or rank makes it. Parallel code gives
   each independent unit of work (a pixel, a frozen-phonon configuration, a
   noise realisation) its own substream, so results never depend on the
   thread count. Reference: J. K. Salmon, M. A. Moraes, R. O. Dror and
   D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11 (2011),
   doi:10.1145/2063384.2063405.

   Catalogue: sf_rng_init, sf_rng_u32, sf_rng_uniform, sf_rng_normal,
   sf_rng_poisson, sf_rng_philox4x32 (the raw block function). */
#ifndef SF_RNG_H
#define SF_RNG_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Stream purposes: the high 16 bits of `stream`, so that different stages
   drawing with the same seed never share numbers. Frozen values. */
enum {
  SF_RNG_PURPOSE_TEST = 0,
  SF_RNG_PURPOSE_PHONON = 1,
  SF_RNG_PURPOSE_NOISE = 2,
  SF_RNG_PURPOSE_SPLIT = 3, /* Poisson thinning for cross-validation */
  SF_RNG_PURPOSE_INIT = 4,
  SF_RNG_PURPOSE_STRUCTURE = 5 /* random substitution in builders */
};
#define SF_RNG_STREAM(purpose, index) (((uint64_t)(purpose) << 48) | (uint64_t)(index))

typedef struct sf_rng {
  uint32_t key[2];
  uint32_t counter[4];
  uint32_t block[4];
  int used; /* words of `block` consumed (4 = empty) */
} sf_rng;

/** The raw Philox4x32-10 bijection: out = philox(counter, key). */
void sf_rng_philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/** Start the stream for (seed, stream, substream) at draw 0. */
void sf_rng_init(sf_rng *rng, uint64_t seed, uint64_t stream, uint32_t substream);

/** Next 32 random bits. */
uint32_t sf_rng_u32(sf_rng *rng);
/** Uniform double in the open interval (0, 1), 53 random bits. */
double sf_rng_uniform(sf_rng *rng);
/** Standard normal deviate (Box-Muller, both uniforms from this stream). */
double sf_rng_normal(sf_rng *rng);
/** Poisson deviate with the given mean (>= 0, finite), as an integer-valued
    double. Multiplication method below mean 10, Hormann's PTRS above
    (W. Hormann, Insurance Math. Econom. 12, 39 (1993)). NAN for a bad mean. */
double sf_rng_poisson(sf_rng *rng, double mean);

#ifdef __cplusplus
}
#endif
#endif
