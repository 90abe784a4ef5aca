/* Dose and noise: Poisson statistics at several means, read-out noise,
   determinism (seed, thread count), the SNR-targeting mode, count scaling of
   each modality and the error paths. */
#include "core/sf_imageset.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_noise.h"

#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <string.h>

/* Statistical bound: |estimate - expectation| < Z_BOUND standard errors. */
#define Z_BOUND 5.0

enum { NPIX = 200000 };
static double expected[NPIX], drawn[NPIX], again[NPIX];

static void sample_moments(const double *v, size_t n, double *mean, double *var) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i)
    s += v[i];
  *mean = s / (double)n;
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i)
    ss += (v[i] - *mean) * (v[i] - *mean);
  *var = ss / (double)(n - 1);
}

/* Poisson draws have mean and variance lambda. Standard errors over N draws:
   mean sqrt(lambda / N); sample variance sqrt((mu4 - sigma^4) / N) with the
   Poisson fourth central moment mu4 = lambda (1 + 3 lambda), i.e.
   sqrt((lambda + 2 lambda^2) / N). */
Test(noise, poisson_mean_and_variance_at_several_doses) {
  const double lambdas[] = {0.1, 3.0, 50.0, 1e4};
  for (size_t t = 0; t < sizeof lambdas / sizeof lambdas[0]; ++t) {
    double lam = lambdas[t];
    for (size_t i = 0; i < NPIX; ++i)
      expected[i] = lam;
    cr_assert_eq(sf_noise_draw(expected, NPIX, 0.0, 1234, sf_noise_stream(0, (uint32_t)t), drawn),
                 SF_OK);
    double mean, var;
    sample_moments(drawn, NPIX, &mean, &var);
    double se_mean = sqrt(lam / NPIX), se_var = sqrt((lam + 2.0 * lam * lam) / NPIX);
    cr_assert_lt(fabs(mean - lam), Z_BOUND * se_mean, "lambda %g: mean %.6f (SE %.2e)", lam, mean,
                 se_mean);
    cr_assert_lt(fabs(var - lam), Z_BOUND * se_var, "lambda %g: variance %.6f (SE %.2e)", lam, var,
                 se_var);
    size_t non_integer = 0;
    for (size_t i = 0; i < NPIX; ++i)
      non_integer += drawn[i] != floor(drawn[i]);
    cr_assert_eq(non_integer, 0, "lambda %g: %zu draws are not integer counts", lam, non_integer);
  }
}

/* Gaussian read-out noise adds sigma_r^2 to the variance and nothing to the
   mean; with lambda = 0 the draws are pure N(0, sigma_r^2) (SE of the
   variance sigma^2 sqrt(2 / (N - 1))). */
Test(noise, read_noise_variance) {
  const double cases[2][2] = {{0.0, 2.5}, {20.0, 3.0}};
  for (int c = 0; c < 2; ++c) {
    double lam = cases[c][0], sr = cases[c][1];
    for (size_t i = 0; i < NPIX; ++i)
      expected[i] = lam;
    cr_assert_eq(sf_noise_draw(expected, NPIX, sr, 77, sf_noise_stream(3, 1), drawn), SF_OK);
    double mean, var;
    sample_moments(drawn, NPIX, &mean, &var);
    double want_var = lam + sr * sr;
    /* Fourth central moment of the sum: Poisson part lambda(1 + 3 lambda),
       Gaussian 3 sigma^4, cross term 6 lambda sigma^2. */
    double mu4 = lam * (1 + 3 * lam) + 3 * pow(sr, 4) + 6 * lam * sr * sr;
    double se_var = sqrt((mu4 - want_var * want_var) / NPIX);
    cr_assert_lt(fabs(mean - lam), Z_BOUND * sqrt(want_var / NPIX), "mean %.5f", mean);
    cr_assert_lt(fabs(var - want_var), Z_BOUND * se_var, "variance %.5f vs %.5f (SE %.3e)", var,
                 want_var, se_var);
  }
}

/* Same (seed, stream) gives the same maps; another seed, realisation or
   modality gives different ones. */
Test(noise, seeded_and_reproducible) {
  enum { N = 4096 };
  for (size_t i = 0; i < N; ++i)
    expected[i] = 0.5 + (double)(i % 97);
  cr_assert_eq(sf_noise_draw(expected, N, 1.5, 42, sf_noise_stream(0, 0), drawn), SF_OK);
  cr_assert_eq(sf_noise_draw(expected, N, 1.5, 42, sf_noise_stream(0, 0), again), SF_OK);
  cr_assert_eq(memcmp(drawn, again, N * sizeof(double)), 0);
  const uint64_t seeds[3] = {43, 42, 42};
  const uint64_t streams[3] = {sf_noise_stream(0, 0), sf_noise_stream(1, 0),
                               sf_noise_stream(0, 1)};
  for (int k = 0; k < 3; ++k) {
    cr_assert_eq(sf_noise_draw(expected, N, 1.5, seeds[k], streams[k], again), SF_OK);
    size_t same = 0;
    for (size_t i = 0; i < N; ++i)
      same += drawn[i] == again[i];
    cr_assert_lt(same, N / 100, "case %d: %zu of %d pixels equal", k, same, N);
  }
  cr_assert_eq(sf_noise_stream(2, 5), SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 2 * 256 + 5));
}

/* One substream per pixel: 1 and 2 threads give identical maps. */
Test(noise, thread_count_does_not_change_the_maps) {
  enum { N = 50000 };
  for (size_t i = 0; i < N; ++i)
    expected[i] = (double)(i % 31) * 7.3;
  omp_set_num_threads(1);
  cr_assert_eq(sf_noise_draw(expected, N, 0.7, 9, sf_noise_stream(4, 2), drawn), SF_OK);
  omp_set_num_threads(2);
  cr_assert_eq(sf_noise_draw(expected, N, 0.7, 9, sf_noise_stream(4, 2), again), SF_OK);
  cr_assert_eq(memcmp(drawn, again, N * sizeof(double)), 0);
}

/* Expected counts: HAADF = D a f_det S / max S, chemical = D a y S. */
Test(noise, expected_counts_follow_the_definitions) {
  const double signal[4] = {0.0, 2.0, 8.0, 5.0};
  double out[4];
  sf_noise_modality h = {.map = "HAADF", .kind = SF_NOISE_HAADF, .dose_e_per_A2 = 1e4,
                         .detector_fraction = 0.05};
  cr_assert_eq(sf_noise_expected(&h, NULL, signal, 4, 0.25, out), SF_OK);
  cr_assert_float_eq(out[2], 1e4 * 0.25 * 0.05, 1e-12); /* brightest pixel */
  cr_assert_float_eq(out[1], 1e4 * 0.25 * 0.05 * 0.25, 1e-12);
  cr_assert_float_eq(out[0], 0.0, 0.0);
  cr_assert_float_eq(h.dose_used_e_per_A2, 1e4, 0.0);
  cr_assert_float_eq(h.mean_counts, 125.0 * 15.0 / 32.0, 1e-12); /* mask: all pixels */
  cr_assert_eq(h.mask_pixels, 4);
  sf_noise_modality c = {.map = "EDX_Co", .kind = SF_NOISE_CHEMICAL, .dose_e_per_A2 = 2e5,
                         .yield_A2 = 1e-6, .mask_fraction = 0.5};
  cr_assert_eq(sf_noise_expected(&c, NULL, signal, 4, 4.0, out), SF_OK);
  cr_assert_float_eq(out[3], 2e5 * 4.0 * 1e-6 * 5.0, 1e-12);
  cr_assert_eq(c.mask_pixels, 2); /* 8 and 5 are >= 0.5 * 8 */
  cr_assert_float_eq(c.mean_counts, 0.8 * 6.5, 1e-12);
  cr_assert_float_eq(c.snr_expected, sqrt(0.8 * 6.5), 1e-12);
}

/* The dose solver: mu / sqrt(mu + sigma_r^2) = S exactly. */
Test(noise, dose_for_snr_solves_the_definition) {
  const double snr[3] = {2.0, 8.0, 40.0}, read[3] = {0.0, 1.5, 4.0};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double dose = 0.0, per_dose = 0.37;
      cr_assert_eq(sf_noise_dose_for_snr(snr[i], per_dose, read[j], &dose), SF_OK);
      double mu = dose * per_dose;
      cr_assert_float_eq(mu / sqrt(mu + read[j] * read[j]), snr[i], 1e-12 * snr[i]);
      if (read[j] == 0.0)
        cr_assert_float_eq(mu, snr[i] * snr[i], 1e-12 * mu);
    }
  double dose;
  cr_assert_eq(sf_noise_dose_for_snr(0.0, 1.0, 0.0, &dose), SF_EINVAL);
  cr_assert_eq(sf_noise_dose_for_snr(3.0, 0.0, 0.0, &dose), SF_EINVAL);
}

/* A disc-shaped HAADF-like signal on 128 x 128 pixels; the target mode
   reaches the requested SNR, measured as mean(noisy) / RMS(noisy - lambda)
   over the mask. The RMS estimate's relative SE is about 1/sqrt(2 N) for N
   mask pixels (Gaussian limit; with read noise folded in). */
Test(noise, target_snr_is_reached) {
  enum { NX = 128, N = NX * NX };
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, "HAADF", SF_F64, NX, NX, 1, &m), SF_OK);
  cr_assert_eq(sf_map_set_axis(m, 0, "x", "Å", 0.0, 0.5), SF_OK);
  cr_assert_eq(sf_map_set_axis(m, 1, "y", "Å", 0.0, 0.5), SF_OK);
  for (size_t iy = 0; iy < NX; ++iy)
    for (size_t ix = 0; ix < NX; ++ix) {
      double dx = ix - 63.5, dy = iy - 63.5, r2 = dx * dx + dy * dy;
      sf_map_set(m, ix, iy, 0, r2 < 50.0 * 50.0 ? 1.0 + 0.5 * sqrt(2500.0 - r2) / 50.0 : 0.01);
    }
  const double targets[2] = {4.0, 20.0}, reads[2] = {0.0, 2.0};
  for (int k = 0; k < 2; ++k) {
    sf_noise_modality mod = {.map = "HAADF", .out_map = k ? "H20" : "H4", .kind = SF_NOISE_HAADF,
                             .target_snr = targets[k], .detector_fraction = 0.1,
                             .read_noise_counts = reads[k], .mask_fraction = 0.5};
    cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 2024, 0), SF_OK, "%s", sf_error_message());
    cr_assert_float_eq(mod.snr_expected, targets[k], 1e-12 * targets[k]);
    const double *noisy = sf_imageset_find(set, k ? "H20" : "H4")->data;
    const double *sig = m->data;
    double smax = 0.0;
    for (size_t i = 0; i < N; ++i)
      smax = sig[i] > smax ? sig[i] : smax;
    double scale = mod.dose_used_e_per_A2 * 0.25 * 0.1 / smax;
    double sum = 0.0, ss = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < N; ++i) {
      if (sig[i] < 0.5 * smax)
        continue;
      double lam = scale * sig[i];
      sum += noisy[i];
      ss += (noisy[i] - lam) * (noisy[i] - lam);
      ++n;
    }
    cr_assert_eq(n, mod.mask_pixels);
    double snr = (sum / n) / sqrt(ss / n);
    double se = targets[k] / sqrt(2.0 * n);
    cr_assert_lt(fabs(snr - targets[k]), Z_BOUND * se, "target %g: measured %.4f (SE %.4f)",
                 targets[k], snr, se);
    double dose = 0.0;
    cr_assert_eq(sf_attrs_get_double(&sf_imageset_find(set, k ? "H20" : "H4")->attrs, "",
                                     "dose_e_per_A2", &dose), SF_OK);
    cr_assert_float_eq(dose, mod.dose_used_e_per_A2, 0.0);
  }
  sf_imageset_destroy(set);
}

/* End to end on an image set: pixel area from the calibration (nm works),
   the noisy map's mean matches the expected counts, provenance recorded. */
Test(noise, apply_uses_the_calibration_and_records_provenance) {
  enum { NX = 100, NY = 80 };
  sf_imageset *in = sf_imageset_create(), *out = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(in, "EDX_Co", SF_F32, NX, NY, 1, &m), SF_OK);
  cr_assert_eq(sf_map_set_axis(m, 0, "x", "nm", 0.0, 0.05), SF_OK); /* 0.5 Å */
  cr_assert_eq(sf_map_set_axis(m, 1, "y", "nm", 0.0, 0.05), SF_OK);
  for (size_t i = 0; i < NX * NY; ++i)
    ((float *)m->data)[i] = 3.0f;
  sf_noise_modality mod = {.map = "EDX_Co", .kind = SF_NOISE_CHEMICAL, .dose_e_per_A2 = 1e5,
                           .yield_A2 = 2e-4};
  cr_assert_eq(sf_noise_apply(in, out, 1, &mod, 5, 2), SF_OK, "%s", sf_error_message());
  sf_map *o = sf_imageset_find(out, "EDX_Co_noisy");
  cr_assert_not_null(o);
  double lam = 1e5 * 0.25 * 2e-4 * 3.0; /* 15 counts */
  cr_assert_float_eq(mod.mean_counts, lam, 1e-9);
  double mean, var;
  sample_moments(o->data, NX * NY, &mean, &var);
  cr_assert_lt(fabs(mean - lam), Z_BOUND * sqrt(lam / (NX * NY)), "mean %.4f", mean);
  double v = 0;
  cr_assert_eq(sf_attrs_get_double(&o->attrs, "", "seed", &v), SF_OK);
  cr_assert_float_eq(v, 5.0, 0.0);
  cr_assert_eq(sf_attrs_get_double(&o->attrs, "", "stream", &v), SF_OK);
  cr_assert_float_eq(v, (double)sf_noise_stream(2, 0), 0.0);
  cr_assert_str_eq(sf_attrs_get_string(&o->attrs, "", "noise_kind"), "chemical");
  cr_assert_str_eq(o->units, "counts");
  cr_assert_str_eq(o->axis[0].units, "nm");
  /* The same call again reproduces the map exactly in a fresh set. */
  sf_imageset *out2 = sf_imageset_create();
  cr_assert_eq(sf_noise_apply(in, out2, 1, &mod, 5, 2), SF_OK);
  cr_assert_eq(memcmp(sf_imageset_find(out2, "EDX_Co_noisy")->data, o->data,
                      NX * NY * sizeof(double)), 0);
  sf_imageset_destroy(out2);
  sf_imageset_destroy(in);
  sf_imageset_destroy(out);
}

Test(noise, bad_input_errors_name_modality_and_value) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, "EELS_Fe", SF_F64, 4, 4, 1, &m), SF_OK);
  for (size_t i = 0; i < 16; ++i)
    ((double *)m->data)[i] = 1.0;
  sf_noise_modality mod = {.map = "EELS_Fe", .kind = SF_NOISE_CHEMICAL, .dose_e_per_A2 = -5.0,
                           .yield_A2 = 1e-3, .pixel_area_A2 = 1.0};
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "EELS_Fe"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "dose_e_per_A2 = -5"), "%s", sf_error_message());
  mod.dose_e_per_A2 = NAN;
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "dose_e_per_A2 = nan"), "%s", sf_error_message());
  mod.dose_e_per_A2 = INFINITY;
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert_eq(set->count, 1, "nothing added on error");
  mod.dose_e_per_A2 = 10.0;
  mod.pixel_area_A2 = 0.0; /* axes in px: no area */
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "pixel_area_A2"), "%s", sf_error_message());
  mod.pixel_area_A2 = 1.0;
  mod.kind = SF_NOISE_HAADF;
  mod.detector_fraction = 1.5;
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "detector_fraction = 1.5"), "%s", sf_error_message());
  mod.kind = SF_NOISE_CHEMICAL;
  mod.map = "EELS_O";
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "EELS_O"), "%s", sf_error_message());
  mod.map = "EELS_Fe";
  mod.out_map = "EELS_Fe";
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "already"), "%s", sf_error_message());
  /* A negative signal value is refused, naming the pixel. */
  ((double *)m->data)[5] = -1.0;
  mod.out_map = NULL;
  cr_assert_eq(sf_noise_apply(set, set, 1, &mod, 1, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "pixel 5"), "%s", sf_error_message());
  cr_assert_eq(set->count, 1);
  double e[2] = {1.0, -0.5}, o[2];
  cr_assert_eq(sf_noise_draw(e, 2, 0.0, 1, 0, o), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "pixel 1"), "%s", sf_error_message());
  cr_assert_eq(sf_noise_draw(e, 1, -1.0, 1, 0, o), SF_EINVAL);
  sf_imageset_destroy(set);
}
