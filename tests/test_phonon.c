/* Frozen phonons (Einstein model): B <-> u_rms conversions and the thermal
   option parser; displacement statistics (variance u_rms^2 per direction,
   Gaussian fourth moment, no cross-correlation); reproducibility (same seed,
   any thread count, configuration k independent of the others drawn); the
   documented stream layout; occupancy as a per-configuration Bernoulli draw. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "potentials/sf_phonon.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Statistical checks: within this many standard errors. */
#define N_SIGMA 4.0
/* Values quoted to 4 decimals (u_rms) in the physics notes. */
#define TOL_4DP 5e-5
#define TOL_EXACT 1e-15

Test(phonon, B_and_u_rms) {
  /* elastic-multislice.md: B = 0.5 Å^2 gives u_rms = 0.0796 Å; file-formats.md:
     B = 0.6 gives sigma = 0.0872 Å (ASE, verified). */
  cr_assert_float_eq(sf_phonon_u_rms_from_B(0.5), 0.0796, TOL_4DP);
  cr_assert_float_eq(sf_phonon_u_rms_from_B(0.6), 0.0872, TOL_4DP);
  cr_assert_float_eq(sf_phonon_B_from_u_rms(0.0796), 8 * SF_PI * SF_PI * 0.0796 * 0.0796,
                     TOL_EXACT);
  for (double B = 0.1; B < 2.0; B += 0.37)
    cr_assert_float_eq(sf_phonon_B_from_u_rms(sf_phonon_u_rms_from_B(B)), B, 4 * TOL_EXACT);
  cr_assert(isnan(sf_phonon_u_rms_from_B(-0.1)));
}

Test(phonon, thermal_parse) {
  int Z = -1;
  double u = 0;
  cr_assert_eq(sf_phonon_thermal_parse("B=0.5", &Z, &u), SF_OK);
  cr_assert_eq(Z, 0);
  cr_assert_float_eq(u, sqrt(0.5 / (8 * SF_PI * SF_PI)), TOL_EXACT);
  cr_assert_eq(sf_phonon_thermal_parse("u2=0.0064", &Z, &u), SF_OK);
  cr_assert_float_eq(u, 0.08, TOL_EXACT);
  cr_assert_eq(sf_phonon_thermal_parse("Sr:u=0.083", &Z, &u), SF_OK);
  cr_assert_eq(Z, 38);
  cr_assert_float_eq(u, 0.083, TOL_EXACT);
  cr_assert_eq(sf_phonon_thermal_parse("O:u_rms=0.087", &Z, &u), SF_OK);
  cr_assert_eq(Z, 8);
  static const struct {
    const char *text, *message;
  } bad[] = {
      {"B=-0.5", "must be >= 0"},     {"Xx:B=0.5", "unknown element symbol 'Xx'"},
      {"B=abc", "'abc' is not a number"}, {"W=0.1", "unknown kind 'W'"},
      {"B", "expected [El:]B=VALUE"}, {"B=", "is not a number"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    cr_assert_eq(sf_phonon_thermal_parse(bad[i].text, &Z, &u), SF_EINVAL, "%s", bad[i].text);
    cr_assert(strstr(sf_error_message(), bad[i].text), "%s: %s", bad[i].text, sf_error_message());
    cr_assert(strstr(sf_error_message(), bad[i].message), "%s: %s", bad[i].text,
              sf_error_message());
  }
}

typedef struct atoms {
  size_t n;
  int *Z;
  double *u;
  double *occ;
  double *d;
  unsigned char *present;
} atoms;

static atoms make_atoms(size_t n, double u_rms, double occ) {
  atoms a = {n, sf_alloc(n, sizeof(int), "Z"), sf_alloc(n, sizeof(double), "u"),
             sf_alloc(n, sizeof(double), "occ"), sf_alloc(3 * n, sizeof(double), "d"),
             sf_alloc(n, 1, "present")};
  for (size_t i = 0; i < n; ++i) {
    a.Z[i] = i % 2 ? 8 : 38;
    a.u[i] = u_rms;
    a.occ[i] = occ;
  }
  return a;
}

static void free_atoms(atoms *a) {
  sf_free(a->Z);
  sf_free(a->u);
  sf_free(a->occ);
  sf_free(a->d);
  sf_free(a->present);
}

/* 4 x 10^5 draws per direction: the sample variance has a relative standard
   error sqrt(2 / n) = 0.22 %, so the physics notes' 1 % criterion is a
   4.5-sigma bound; the mean, the x-y correlation and the fourth moment
   (3 u^4 for a Gaussian; relative standard error sqrt(96 / n) / 3) are
   checked at N_SIGMA. */
Test(phonon, displacement_statistics) {
  const size_t n = 400000;
  const double u = 0.08;
  atoms a = make_atoms(n, u, 1.0);
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, NULL, NULL, 12345, 3, a.d, NULL), SF_OK);
  double sxy = 0;
  for (int k = 0; k < 3; ++k) {
    double s1 = 0, s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; ++i) {
      double x = a.d[3 * i + k];
      s1 += x;
      s2 += x * x;
      s4 += x * x * x * x;
    }
    double mean = s1 / n, var = s2 / n - mean * mean, m4 = s4 / n;
    cr_assert_float_eq(var, u * u, 0.01 * u * u, "direction %d: variance %.6e vs %.6e", k, var,
                       u * u);
    cr_assert_float_eq(var, u * u, N_SIGMA * sqrt(2.0 / n) * u * u);
    cr_assert_float_eq(mean, 0.0, N_SIGMA * u / sqrt((double)n), "direction %d: mean %.3e", k,
                       mean);
    cr_assert_float_eq(m4, 3 * pow(u, 4), N_SIGMA * sqrt(96.0 / n) * pow(u, 4),
                       "direction %d: fourth moment %.4e vs %.4e", k, m4, 3 * pow(u, 4));
  }
  for (size_t i = 0; i < n; ++i)
    sxy += a.d[3 * i] * a.d[3 * i + 1];
  cr_assert_float_eq(sxy / n, 0.0, N_SIGMA * u * u / sqrt((double)n));
  free_atoms(&a);
}

/* A per-element table overrides the atoms' own u_rms; u = 0 gives no motion. */
Test(phonon, per_element_rms) {
  const size_t n = 100000;
  atoms a = make_atoms(n, 0.05, 1.0);
  sf_phonon_rms table;
  sf_phonon_rms_init(&table);
  cr_assert_eq(sf_phonon_rms_set(&table, 38, 0.0), SF_OK);
  cr_assert_eq(sf_phonon_rms_set(&table, 8, 0.1), SF_OK);
  cr_assert_eq(sf_phonon_rms_set(&table, 8, -0.1), SF_ERANGE);
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, NULL, &table, 1, 0, a.d, NULL), SF_OK);
  double s2 = 0;
  for (size_t i = 0; i < n; ++i) {
    if (a.Z[i] == 38)
      cr_assert(a.d[3 * i] == 0.0 && a.d[3 * i + 1] == 0.0 && a.d[3 * i + 2] == 0.0);
    else
      s2 += a.d[3 * i + 2] * a.d[3 * i + 2];
  }
  double var = s2 / (n / 2);
  cr_assert_float_eq(var, 0.01, N_SIGMA * sqrt(2.0 / (n / 2)) * 0.01, "O variance %.5e", var);
  free_atoms(&a);
}

/* The documented layout: atom i of configuration k draws dx, dy, dz as the
   first three normals of stream (seed, SF_RNG_STREAM(PHONON, k), i), then the
   occupancy uniform. */
Test(phonon, documented_stream_layout) {
  const size_t n = 50;
  atoms a = make_atoms(n, 0.07, 0.5);
  const uint64_t seed = 0xfeedULL, config = 17;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, a.occ, NULL, seed, config, a.d, a.present),
               SF_OK);
  for (size_t i = 0; i < n; ++i) {
    sf_rng rng;
    sf_rng_init(&rng, seed, SF_RNG_STREAM(SF_RNG_PURPOSE_PHONON, config), (uint32_t)i);
    for (int k = 0; k < 3; ++k)
      cr_assert(a.d[3 * i + k] == 0.07 * sf_rng_normal(&rng), "atom %zu, direction %d", i, k);
    cr_assert_eq(a.present[i], sf_rng_uniform(&rng) < 0.5);
  }
  free_atoms(&a);
}

Test(phonon, reproducible_for_any_thread_count_and_config_order) {
  const size_t n = 20000;
  atoms a = make_atoms(n, 0.08, 0.7), b = make_atoms(n, 0.08, 0.7);
  const int n_conf = 6;
  double *ref = sf_alloc((size_t)n_conf * 3 * n, sizeof *ref, "reference");
  unsigned char *ref_p = sf_alloc((size_t)n_conf * n, 1, "reference presence");
  cr_assert_eq(sf_threads_init(1), SF_OK);
  for (int k = 0; k < n_conf; ++k) {
    cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, a.occ, NULL, 42, (uint64_t)k, a.d,
                                         a.present),
                 SF_OK);
    memcpy(ref + (size_t)k * 3 * n, a.d, 3 * n * sizeof *ref);
    memcpy(ref_p + (size_t)k * n, a.present, n);
  }
  /* Two threads, configurations in reverse order, and configuration 3 alone. */
  cr_assert_eq(sf_threads_init(2), SF_OK);
  for (int k = n_conf - 1; k >= 0; --k) {
    cr_assert_eq(sf_phonon_displacements(n, b.Z, b.u, b.occ, NULL, 42, (uint64_t)k, b.d,
                                         b.present),
                 SF_OK);
    cr_assert(memcmp(b.d, ref + (size_t)k * 3 * n, 3 * n * sizeof *ref) == 0, "config %d", k);
    cr_assert(memcmp(b.present, ref_p + (size_t)k * n, n) == 0, "config %d presence", k);
  }
  cr_assert_eq(sf_phonon_displacements(n, b.Z, b.u, b.occ, NULL, 42, 3, b.d, b.present), SF_OK);
  cr_assert(memcmp(b.d, ref + 3 * 3 * n, 3 * n * sizeof *ref) == 0);
  /* Displacements do not depend on whether occupancy is drawn. */
  cr_assert_eq(sf_phonon_displacements(n, b.Z, b.u, NULL, NULL, 42, 3, b.d, NULL), SF_OK);
  cr_assert(memcmp(b.d, ref + 3 * 3 * n, 3 * n * sizeof *ref) == 0);
  /* Another seed or configuration: different, uncorrelated displacements. */
  cr_assert_eq(sf_phonon_displacements(n, b.Z, b.u, NULL, NULL, 43, 0, b.d, NULL), SF_OK);
  double c_seed = 0, c_conf = 0;
  for (size_t i = 0; i < 3 * n; ++i) {
    c_seed += b.d[i] * ref[i];
    c_conf += ref[i] * ref[3 * n + i];
  }
  double se = N_SIGMA * 0.08 * 0.08 / sqrt(3.0 * n);
  cr_assert_float_eq(c_seed / (3.0 * n), 0.0, se, "seed 42 vs 43 correlation");
  cr_assert_float_eq(c_conf / (3.0 * n), 0.0, se, "config 0 vs 1 correlation");
  /* Occupancy 0.7: kept with probability 0.7 per configuration. */
  size_t kept = 0;
  for (size_t i = 0; i < (size_t)n_conf * n; ++i)
    kept += ref_p[i];
  double trials = (double)n_conf * n;
  cr_assert_float_eq(kept / trials, 0.7, N_SIGMA * sqrt(0.7 * 0.3 / trials));
  sf_free(ref);
  sf_free(ref_p);
  free_atoms(&a);
  free_atoms(&b);
}

Test(phonon, occupancy_limits_and_errors) {
  const size_t n = 1000;
  atoms a = make_atoms(n, 0.08, 1.0);
  for (size_t i = 0; i < n; ++i)
    a.occ[i] = i % 2 ? 0.0 : 1.0;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, a.occ, NULL, 5, 0, a.d, a.present), SF_OK);
  for (size_t i = 0; i < n; ++i)
    cr_assert_eq(a.present[i], i % 2 ? 0 : 1);
  a.u[7] = -0.01;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, a.occ, NULL, 5, 0, a.d, a.present),
               SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 7"), "%s", sf_error_message());
  a.u[7] = 0.08;
  a.occ[9] = 1.5;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, a.occ, NULL, 5, 0, a.d, a.present),
               SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 9"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "occupancy 1.5"), "%s", sf_error_message());
  a.Z[3] = 0;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, NULL, NULL, 5, 0, a.d, NULL), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 3: unknown element Z = 0"), "%s",
            sf_error_message());
  a.Z[3] = 8;
  cr_assert_eq(sf_phonon_displacements(n, a.Z, a.u, NULL, NULL, 5, (uint64_t)1 << 48, a.d, NULL),
               SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "2^48"), "%s", sf_error_message());
  free_atoms(&a);
}
