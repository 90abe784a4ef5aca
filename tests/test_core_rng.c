/* Philox streams: known-answer vectors, independence of substreams and
   distribution moments within statistical bounds. */
#include "core/sf_rng.h"

#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>

/* Known-answer tests of Philox4x32-10 from the Random123 distribution
   (kat_vectors), as published with Salmon et al. (2011). */
Test(rng, philox_known_answers) {
  struct {
    uint32_t ctr[4], key[2], out[4];
  } kat[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (size_t t = 0; t < sizeof kat / sizeof kat[0]; ++t) {
    uint32_t out[4];
    sf_rng_philox4x32(kat[t].ctr, kat[t].key, out);
    for (int i = 0; i < 4; ++i)
      cr_assert_eq(out[i], kat[t].out[i], "vector %zu word %d: %08x != %08x", t, i, out[i],
                   kat[t].out[i]);
  }
}

Test(rng, same_key_same_sequence_different_keys_differ) {
  sf_rng a, b, c, d;
  sf_rng_init(&a, 12345, SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 0), 7);
  sf_rng_init(&b, 12345, SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 0), 7);
  sf_rng_init(&c, 12345, SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 0), 8);
  sf_rng_init(&d, 12345, SF_RNG_STREAM(SF_RNG_PURPOSE_PHONON, 0), 7);
  int same_c = 0, same_d = 0;
  for (int i = 0; i < 1000; ++i) {
    uint32_t va = sf_rng_u32(&a), vc = sf_rng_u32(&c), vd = sf_rng_u32(&d);
    cr_assert_eq(va, sf_rng_u32(&b));
    same_c += va == vc;
    same_d += va == vd;
  }
  cr_assert_lt(same_c, 3);
  cr_assert_lt(same_d, 3);
}

/* Draws keyed by substream are the same whatever the thread count. */
Test(rng, substreams_do_not_depend_on_thread_count) {
  enum { N = 4096 };
  static double one[N], two[N];
  for (int threads = 1; threads <= 2; ++threads) {
    double *dst = threads == 1 ? one : two;
    omp_set_num_threads(threads);
#pragma omp parallel for schedule(dynamic, 7)
    for (int i = 0; i < N; ++i) {
      sf_rng r;
      sf_rng_init(&r, 99, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 1), (uint32_t)i);
      dst[i] = sf_rng_poisson(&r, 5.0 + i % 40) + sf_rng_normal(&r);
    }
  }
  for (int i = 0; i < N; ++i)
    cr_assert_eq(one[i], two[i], "substream %d", i);
}

static void moments(double (*draw)(sf_rng *, double), double param, int n, double *mean,
                    double *var) {
  sf_rng r;
  sf_rng_init(&r, 2024, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 2), (uint32_t)(param * 10));
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    double v = draw(&r, param);
    s += v;
    s2 += v * v;
  }
  *mean = s / n;
  *var = s2 / n - *mean * *mean;
}

static double draw_uniform(sf_rng *r, double unused) {
  (void)unused;
  return sf_rng_uniform(r);
}
static double draw_normal(sf_rng *r, double unused) {
  (void)unused;
  return sf_rng_normal(r);
}

/* Bounds: 5 standard errors of the sample mean / variance. */
Test(rng, uniform_and_normal_moments) {
  const int n = 200000;
  double m, v;
  moments(draw_uniform, 0, n, &m, &v);
  cr_assert_lt(fabs(m - 0.5), 5 * sqrt(1.0 / 12 / n));
  cr_assert_lt(fabs(v - 1.0 / 12), 5 * sqrt(1.0 / 180 / n));
  moments(draw_normal, 0, n, &m, &v);
  cr_assert_lt(fabs(m), 5 * sqrt(1.0 / n));
  cr_assert_lt(fabs(v - 1.0), 5 * sqrt(2.0 / n));
}

Test(rng, uniform_is_in_open_interval) {
  sf_rng r;
  sf_rng_init(&r, 0, 0, 0);
  for (int i = 0; i < 100000; ++i) {
    double u = sf_rng_uniform(&r);
    cr_assert(u > 0.0 && u < 1.0);
  }
}

/* Poisson: mean = variance = lambda, on both branches (small and PTRS). */
Test(rng, poisson_mean_and_variance) {
  const double lambdas[] = {0.1, 3.0, 9.5, 10.0, 50.0, 1e4, 1e7};
  const int n = 50000;
  for (size_t k = 0; k < sizeof lambdas / sizeof lambdas[0]; ++k) {
    double lam = lambdas[k], m, v;
    moments(sf_rng_poisson, lam, n, &m, &v);
    double se_mean = sqrt(lam / n);
    double se_var = sqrt((2 * lam * lam + lam) / n); /* var of sample variance, Poisson */
    cr_assert_lt(fabs(m - lam), 5 * se_mean, "lambda %g: mean %g", lam, m);
    cr_assert_lt(fabs(v - lam), 5 * se_var, "lambda %g: variance %g", lam, v);
  }
}

Test(rng, poisson_small_mean_probabilities) {
  /* P(0) = exp(-lambda) for lambda = 2 (multiplication branch) and 12 (PTRS). */
  const double lambdas[] = {2.0, 12.0};
  for (int k = 0; k < 2; ++k) {
    sf_rng r;
    sf_rng_init(&r, 5, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 3), (uint32_t)k);
    const int n = 100000;
    int zeros = 0, at_mode = 0;
    int mode = (int)lambdas[k];
    for (int i = 0; i < n; ++i) {
      double v = sf_rng_poisson(&r, lambdas[k]);
      cr_assert_eq(v, floor(v));
      zeros += v == 0;
      at_mode += v == mode;
    }
    double p_mode = exp(-lambdas[k] + mode * log(lambdas[k]) - lgamma(mode + 1.0));
    cr_assert_lt(fabs((double)at_mode / n - p_mode), 5 * sqrt(p_mode * (1 - p_mode) / n));
    double p0 = exp(-lambdas[k]);
    cr_assert_lt(fabs((double)zeros / n - p0), 5 * sqrt(p0 * (1 - p0) / n) + 1.0 / n);
  }
}

Test(rng, poisson_rejects_bad_means) {
  sf_rng r;
  sf_rng_init(&r, 1, 0, 0);
  cr_assert(isnan(sf_rng_poisson(&r, -1.0)));
  cr_assert(isnan(sf_rng_poisson(&r, NAN)));
  cr_assert(isnan(sf_rng_poisson(&r, INFINITY)));
  cr_assert_eq(sf_rng_poisson(&r, 0.0), 0.0);
}
