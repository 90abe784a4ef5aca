/* rng.c - Philox4x32-10 streams and the distributions built on them. */
#include "core/sf_rng.h"

#include "core/sf_constants.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void philox_round(uint32_t c[4], const uint32_t k[2]) {
  uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
  uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
  uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
  uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
  uint32_t n0 = hi1 ^ c[1] ^ k[0];
  uint32_t n2 = hi0 ^ c[3] ^ k[1];
  c[0] = n0;
  c[1] = lo1;
  c[2] = n2;
  c[3] = lo0;
}

void sf_rng_philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += PHILOX_W0;
      k[1] += PHILOX_W1;
    }
    philox_round(c, k);
  }
  for (int i = 0; i < 4; ++i)
    out[i] = c[i];
}

void sf_rng_init(sf_rng *rng, uint64_t seed, uint64_t stream, uint32_t substream) {
  rng->key[0] = (uint32_t)seed;
  rng->key[1] = (uint32_t)(seed >> 32);
  rng->counter[0] = 0; /* block index within the substream */
  rng->counter[1] = substream;
  rng->counter[2] = (uint32_t)stream;
  rng->counter[3] = (uint32_t)(stream >> 32);
  rng->used = 4;
}

uint32_t sf_rng_u32(sf_rng *rng) {
  if (rng->used == 4) {
    sf_rng_philox4x32(rng->counter, rng->key, rng->block);
    rng->counter[0]++;
    rng->used = 0;
  }
  return rng->block[rng->used++];
}

double sf_rng_uniform(sf_rng *rng) {
  uint64_t hi = sf_rng_u32(rng) >> 5; /* 27 bits */
  uint64_t lo = sf_rng_u32(rng) >> 6; /* 26 bits */
  uint64_t bits = (hi << 26) | lo;     /* 53 bits */
  return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}

double sf_rng_normal(sf_rng *rng) {
  double u1 = sf_rng_uniform(rng);
  double u2 = sf_rng_uniform(rng);
  return sqrt(-2.0 * log(u1)) * cos(SF_TWO_PI * u2);
}

static double poisson_small(sf_rng *rng, double mean) {
  double limit = exp(-mean), product = sf_rng_uniform(rng);
  double k = 0;
  while (product > limit) {
    product *= sf_rng_uniform(rng);
    k += 1;
  }
  return k;
}

/* Transformed rejection with squeeze (PTRS), valid for mean >= 10. */
static double poisson_ptrs(sf_rng *rng, double mean) {
  double slam = sqrt(mean), loglam = log(mean);
  double b = 0.931 + 2.53 * slam;
  double a = -0.059 + 0.02483 * b;
  double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double u = sf_rng_uniform(rng) - 0.5;
    double v = sf_rng_uniform(rng);
    double us = 0.5 - fabs(u);
    double k = floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r)
      return k;
    if (k < 0 || (us < 0.013 && v > us))
      continue;
    if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1.0))
      return k;
  }
}

double sf_rng_poisson(sf_rng *rng, double mean) {
  if (!(mean >= 0.0) || !isfinite(mean))
    return NAN;
  if (mean == 0.0)
    return 0.0;
  return mean < 10.0 ? poisson_small(rng, mean) : poisson_ptrs(rng, mean);
}
