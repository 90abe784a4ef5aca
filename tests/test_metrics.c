/* Metrics (MSE, PSNR, NRMSE, SSIM, SNR, scale alignment, improvement) against
   hand-computed values, and line profiles across known maps. */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_metrics.h"
#include "validate/sf_profile.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Closed forms evaluated in double: a few ulps of values of order 1..1e3. */
#define TOL_HAND 1e-12

Test(metrics, psnr_mse_nrmse_by_hand) {
  const double t[4] = {0, 1, 2, 3}, x[4] = {0, 1, 2, 4};
  double mse, psnr, nrmse;
  cr_assert_eq(sf_metrics_mse(x, t, NULL, 4, &mse), SF_OK);
  cr_assert_float_eq(mse, 0.25, TOL_HAND);
  cr_assert_eq(sf_metrics_psnr(x, t, NULL, 4, &psnr), SF_OK);
  cr_assert_float_eq(psnr, 10.0 * log10(9.0 / 0.25), TOL_HAND); /* 15.563 dB */
  cr_assert_float_eq(psnr, 15.563025007672872, TOL_HAND);
  cr_assert_eq(sf_metrics_nrmse(x, t, NULL, 4, &nrmse), SF_OK);
  cr_assert_float_eq(nrmse, 0.5 / 3.0, TOL_HAND);
  /* The mask leaves out the wrong pixel: perfect match, infinite PSNR;
     the peak is then max over the mask (2). */
  const uint8_t mask[4] = {1, 1, 1, 0};
  cr_assert_eq(sf_metrics_psnr(x, t, mask, 4, &psnr), SF_OK);
  cr_assert(isinf(psnr) && psnr > 0);
  const uint8_t mask2[4] = {0, 1, 0, 1};
  cr_assert_eq(sf_metrics_psnr(x, t, mask2, 4, &psnr), SF_OK);
  cr_assert_float_eq(psnr, 10.0 * log10(9.0 / 0.5), TOL_HAND);
  const double zero[4] = {0, 0, 0, 0};
  cr_assert_eq(sf_metrics_psnr(x, zero, NULL, 4, &psnr), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "max(truth) = 0"), "%s", sf_error_message());
  const uint8_t none[4] = {0, 0, 0, 0};
  cr_assert_eq(sf_metrics_mse(x, t, none, 4, &mse), SF_EINVAL);
  const double bad[4] = {0, NAN, 0, 0};
  cr_assert_eq(sf_metrics_mse(bad, t, NULL, 4, &mse), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "pixel 1"), "%s", sf_error_message());
}

Test(metrics, snr_and_scale) {
  const double v[5] = {1, 2, 3, 4, 5};
  double snr;
  cr_assert_eq(sf_metrics_snr(v, NULL, 5, &snr), SF_OK);
  cr_assert_float_eq(snr, 3.0 / sqrt(2.5), TOL_HAND); /* sample std, n - 1 */
  const uint8_t region[5] = {0, 0, 1, 1, 0};
  cr_assert_eq(sf_metrics_snr(v, region, 5, &snr), SF_OK);
  cr_assert_float_eq(snr, 3.5 / sqrt(0.5), TOL_HAND);
  const uint8_t one[5] = {0, 0, 1, 0, 0};
  cr_assert_eq(sf_metrics_snr(v, one, 5, &snr), SF_EINVAL);
  const double t[5] = {7, 14, 21, 28, 35};
  double s;
  cr_assert_eq(sf_metrics_scale(v, t, NULL, 5, &s), SF_OK);
  cr_assert_float_eq(s, 7.0, TOL_HAND);
  const double zero[5] = {0};
  cr_assert_eq(sf_metrics_scale(zero, t, NULL, 5, &s), SF_ENUMERIC);
}

/* Normalised 1-D SSIM window weights g[0..10] for offsets -5..5. */
static void window(double g[11]) {
  double sum = 0.0;
  for (int i = -5; i <= 5; ++i)
    sum += g[i + 5] = exp(-(double)(i * i) / (2.0 * 1.5 * 1.5));
  for (int i = 0; i < 11; ++i)
    g[i] /= sum;
}

Test(metrics, ssim_of_an_image_with_itself_is_one) {
  enum { N = 16 };
  static double a[N * N];
  for (int i = 0; i < N * N; ++i)
    a[i] = (double)((i * 7919) % 101) / 7.0;
  double ssim;
  cr_assert_eq(sf_metrics_ssim(a, a, N, N, 0.0, &ssim), SF_OK);
  cr_assert_float_eq(ssim, 1.0, TOL_HAND);
}

/* A ramp t = a + b (ix - c) plus a constant offset: the windowed mean of a
   ramp is its value at the window centre (symmetric weights), and the
   structure term is exactly 1 (same variances and covariance), so
   SSIM = mean over windows of (2 mu (mu + off) + C1) / (mu^2 + (mu + off)^2 + C1),
   C1 = (0.01 L)^2 with L = max - min of the truth. */
Test(metrics, ssim_constant_offset_by_hand) {
  const double a = 10.0, b = 1.0, off = 2.0;
  /* 11 x 11: one window, centre ix = 5. */
  static double t[13 * 11], x[13 * 11];
  for (int iy = 0; iy < 11; ++iy)
    for (int ix = 0; ix < 11; ++ix) {
      t[iy * 11 + ix] = a + b * (ix - 5);
      x[iy * 11 + ix] = t[iy * 11 + ix] + off;
    }
  double L = 10.0 * b, C1 = (0.01 * L) * (0.01 * L), ssim;
  cr_assert_eq(sf_metrics_ssim(x, t, 11, 11, 0.0, &ssim), SF_OK);
  double want = (2.0 * a * (a + off) + C1) / (a * a + (a + off) * (a + off) + C1);
  cr_assert_float_eq(ssim, want, TOL_HAND, "SSIM %.15f vs %.15f", ssim, want);
  cr_assert_float_eq(ssim, 240.01 / 244.01, TOL_HAND);
  /* 13 x 11: three windows with centres ix = 5, 6, 7 (ramp about ix = 6). */
  for (int iy = 0; iy < 11; ++iy)
    for (int ix = 0; ix < 13; ++ix) {
      t[iy * 13 + ix] = a + b * (ix - 6);
      x[iy * 13 + ix] = t[iy * 13 + ix] + off;
    }
  L = 12.0 * b;
  C1 = (0.01 * L) * (0.01 * L);
  want = 0.0;
  for (int k = -1; k <= 1; ++k) {
    double mu = a + b * k;
    want += (2.0 * mu * (mu + off) + C1) / (mu * mu + (mu + off) * (mu + off) + C1) / 3.0;
  }
  cr_assert_eq(sf_metrics_ssim(x, t, 13, 11, 0.0, &ssim), SF_OK);
  cr_assert_float_eq(ssim, want, TOL_HAND);
  /* An explicit dynamic range replaces max - min. */
  cr_assert_eq(sf_metrics_ssim(x, t, 13, 11, 255.0, &ssim), SF_OK);
  C1 = (0.01 * 255.0) * (0.01 * 255.0);
  want = 0.0;
  for (int k = -1; k <= 1; ++k) {
    double mu = a + b * k;
    want += (2.0 * mu * (mu + off) + C1) / (mu * mu + (mu + off) * (mu + off) + C1) / 3.0;
  }
  cr_assert_float_eq(ssim, want, TOL_HAND);
}

/* Contrast change about the mean of a ramp: x = a + k (t - a). Means agree,
   s_x = k s_t, s_xt = k s_t^2 with s_t^2 = b^2 sum_i g_i i^2 (the window's
   second moment), so SSIM = (2 k s^2 + C2) / ((1 + k^2) s^2 + C2). */
Test(metrics, ssim_contrast_change_by_hand) {
  const double a = 4.0, b = 0.5, k = 0.6;
  static double t[121], x[121];
  for (int iy = 0; iy < 11; ++iy)
    for (int ix = 0; ix < 11; ++ix) {
      t[iy * 11 + ix] = a + b * (ix - 5);
      x[iy * 11 + ix] = a + k * (t[iy * 11 + ix] - a);
    }
  double g[11], m2 = 0.0;
  window(g);
  for (int i = -5; i <= 5; ++i)
    m2 += g[i + 5] * i * i;
  double s2 = b * b * m2, L = 10.0 * b, C2 = (0.03 * L) * (0.03 * L);
  double want = (2.0 * k * s2 + C2) / ((1.0 + k * k) * s2 + C2);
  double ssim;
  cr_assert_eq(sf_metrics_ssim(x, t, 11, 11, 0.0, &ssim), SF_OK);
  cr_assert_float_eq(ssim, want, TOL_HAND, "SSIM %.15f vs %.15f", ssim, want);
  cr_assert_eq(sf_metrics_ssim(x, t, 10, 11, 0.0, &ssim), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "smaller than the 11 x 11 window"), "%s",
            sf_error_message());
  static double flat[121];
  for (int i = 0; i < 121; ++i)
    flat[i] = 3.0;
  cr_assert_eq(sf_metrics_ssim(x, flat, 11, 11, 0.0, &ssim), SF_ERANGE);
}

/* Scale alignment: an estimate in other units (t / 7) aligns to s = 7 and
   matches exactly. */
Test(metrics, compare_with_alignment) {
  enum { N = 12 };
  static double t[N * N], x[N * N];
  for (int i = 0; i < N * N; ++i) {
    t[i] = 1.0 + (double)((i * 13) % 9);
    x[i] = t[i] / 7.0;
  }
  sf_metrics m;
  cr_assert_eq(sf_metrics_compare(x, t, N, N, NULL, 1, &m), SF_OK);
  cr_assert_float_eq(m.scale, 7.0, TOL_HAND);
  cr_assert_float_eq(m.rmse, 0.0, 1e-13);
  cr_assert_float_eq(m.ssim, 1.0, 1e-12);
  cr_assert_eq(sf_metrics_compare(x, t, N, N, NULL, 0, &m), SF_OK);
  cr_assert_float_eq(m.scale, 1.0, 0.0);
  double mse = 0.0;
  for (int i = 0; i < N * N; ++i)
    mse += pow(x[i] - t[i], 2) / (N * N);
  cr_assert_float_eq(m.mse, mse, TOL_HAND);
  cr_assert_float_eq(m.psnr_dB, 10 * log10(81.0 / mse), TOL_HAND);
  cr_assert_float_eq(m.nrmse, sqrt(mse) / 8.0, TOL_HAND);
  cr_assert_lt(m.ssim, 1.0);
  cr_assert_eq(m.n, N * N);
}

static sf_map *add_values(sf_imageset *set, const char *name, const double *v, size_t nx,
                          size_t ny) {
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, name, SF_F64, nx, ny, 1, &m), SF_OK);
  memcpy(m->data, v, nx * ny * sizeof(double));
  return m;
}

/* Per element and overall: the overall metrics pool all elements' pixels. */
Test(metrics, compare_set_per_element_and_overall) {
  sf_imageset *set = sf_imageset_create();
  const double ta[4] = {0, 1, 2, 3}, ea[4] = {0, 1, 2, 4};
  const double tb[4] = {1, 1, 1, 5}, eb[4] = {1, 1, 1, 3};
  add_values(set, "truth_A", ta, 2, 2);
  add_values(set, "fused_A", ea, 2, 2);
  add_values(set, "truth_B", tb, 2, 2);
  add_values(set, "fused_B", eb, 2, 2);
  const char *est[2] = {"fused_A", "fused_B"}, *tru[2] = {"truth_A", "truth_B"};
  sf_metrics per[2], all;
  cr_assert_eq(sf_metrics_compare_set(set, 2, est, tru, NULL, 0, per, &all), SF_OK);
  cr_assert_float_eq(per[0].mse, 0.25, TOL_HAND);
  cr_assert_float_eq(per[1].mse, 1.0, TOL_HAND);
  cr_assert_float_eq(per[1].psnr_dB, 10 * log10(25.0), TOL_HAND);
  cr_assert_float_eq(per[1].nrmse, 1.0 / 4.0, TOL_HAND);
  cr_assert(isnan(per[0].ssim)); /* 2 x 2 is smaller than the window */
  cr_assert_float_eq(all.mse, 0.625, TOL_HAND);
  cr_assert_float_eq(all.psnr_dB, 10 * log10(40.0), TOL_HAND);
  cr_assert_float_eq(all.nrmse, sqrt(0.625) / 5.0, TOL_HAND);
  cr_assert_eq(all.n, 8);
  const char *missing[2] = {"fused_A", "fused_C"};
  cr_assert_eq(sf_metrics_compare_set(set, 2, missing, tru, NULL, 0, per, &all), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "fused_C"), "%s", sf_error_message());
  sf_imageset_destroy(set);
}

/* Raw = truth + d p and fused = truth + (d/2) p with p = +-1 (checkerboard):
   MSE falls 4x, so the PSNR gain is 10 log10 4 = 6.02 dB; over the flat
   region the SNR doubles: ratio 200 %, increase 100 %. */
Test(metrics, improvement_by_hand) {
  enum { NX = 16, NY = 16, N = NX * NY };
  static double t[N], raw[N], fused[N];
  static uint8_t flat[N];
  const double d = 0.3;
  for (int iy = 0; iy < NY; ++iy)
    for (int ix = 0; ix < NX; ++ix) {
      int i = iy * NX + ix;
      double p = ((ix + iy) % 2) ? 1.0 : -1.0;
      t[i] = ix < 8 ? 5.0 : 5.0 + ix;
      raw[i] = t[i] + d * p;
      fused[i] = t[i] + 0.5 * d * p;
      flat[i] = ix < 8;
    }
  sf_metrics_gain g;
  cr_assert_eq(sf_metrics_improvement(raw, fused, t, NULL, flat, N, 0, &g), SF_OK);
  cr_assert_float_eq(g.psnr_gain_dB, 10.0 * log10(4.0), TOL_HAND);
  cr_assert_float_eq(g.psnr_raw_dB, 10.0 * log10(20.0 * 20.0 / (d * d)), TOL_HAND);
  cr_assert_float_eq(g.snr_ratio_pct, 200.0, 1e-10);
  cr_assert_float_eq(g.snr_increase_pct, 100.0, 1e-10);
  /* 128 flat pixels, half +d, half -d: sample std d sqrt(128/127). */
  cr_assert_float_eq(g.snr_raw, 5.0 / (d * sqrt(128.0 / 127.0)), 1e-10);
}

/* ---- line profiles ---- */

static sf_map *make_map(sf_imageset *set, const char *name, size_t nx, size_t ny, double origin,
                        double step, const char *units) {
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, name, SF_F64, nx, ny, 1, &m), SF_OK);
  cr_assert_eq(sf_map_set_axis(m, 0, "x", units, origin, step), SF_OK);
  cr_assert_eq(sf_map_set_axis(m, 1, "y", units, origin, step), SF_OK);
  return m;
}

/* A step between pixels 19 and 20: the half-maximum crossing is at x = 19.5,
   14.5 px = 7.25 Å from the start at x = 5; plateaus 0 and 1; a band of 10
   px changes nothing on a map constant along y. */
Test(profile, step_half_maximum_and_plateaus) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = make_map(set, "step", 40, 20, 0.0, 0.5, "Å");
  for (size_t iy = 0; iy < 20; ++iy)
    for (size_t ix = 0; ix < 40; ++ix)
      sf_map_set(m, ix, iy, 0, ix < 20 ? 0.0 : 1.0);
  for (int w = 1; w <= 10; w += 9) {
    sf_profile *p = NULL;
    const sf_map *maps[1] = {m};
    cr_assert_eq(sf_profile_extract(maps, 1, 5, 10, 35, 10, w, SF_PROFILE_PIXELS, &p), SF_OK,
                 "%s", sf_error_message());
    cr_assert_eq(p->n, 31);
    cr_assert_eq(p->band_points, (size_t)w);
    cr_assert_str_eq(p->position_units, "Å");
    cr_assert_float_eq(p->position[30], 15.0, TOL_HAND);
    double half = NAN;
    for (size_t k = 0; k + 1 < p->n; ++k) {
      double a = p->values[0][k], b = p->values[0][k + 1];
      if (a < 0.5 && b >= 0.5)
        half = p->position[k] + (0.5 - a) / (b - a) * (p->position[k + 1] - p->position[k]);
    }
    cr_assert_float_eq(half, 7.25, TOL_HAND, "width %d: half maximum at %.4f Å", w, half);
    for (size_t k = 0; k < 15; ++k)
      cr_assert_float_eq(p->values[0][k], 0.0, TOL_HAND);
    for (size_t k = 15; k < 31; ++k)
      cr_assert_float_eq(p->values[0][k], 1.0, TOL_HAND);
    sf_profile_destroy(p);
  }
  sf_imageset_destroy(set);
}

/* Bilinear interpolation is exact on a linear map, and a symmetric band
   averages a linear function to its value on the line: along a tilted line
   the profile is f at (x0 + k u_x, y0 + k u_y). */
Test(profile, tilted_line_on_a_plane) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = make_map(set, "plane", 64, 64, 0.0, 0.2, "Å");
  sf_map *m2 = make_map(set, "plane2", 64, 64, 0.0, 0.2, "Å");
  for (size_t iy = 0; iy < 64; ++iy)
    for (size_t ix = 0; ix < 64; ++ix) {
      sf_map_set(m, ix, iy, 0, 2.0 * ix + 3.0 * iy + 1.0);
      sf_map_set(m2, ix, iy, 0, -1.0 * ix + 0.5 * iy);
    }
  const sf_map *maps[2] = {m, m2};
  sf_profile *p = NULL;
  cr_assert_eq(sf_profile_extract(maps, 2, 10, 12, 50, 40, 10, SF_PROFILE_PIXELS, &p), SF_OK);
  double L = hypot(40.0, 28.0), ux = 40.0 / L, uy = 28.0 / L;
  cr_assert_eq(p->n, (size_t)floor(L) + 1);
  cr_assert_str_eq(p->names[1], "plane2");
  for (size_t k = 0; k < p->n; ++k) {
    double x = 10 + k * ux, y = 12 + k * uy;
    cr_assert_float_eq(p->values[0][k], 2 * x + 3 * y + 1, 1e-12 * (2 * x + 3 * y + 1));
    cr_assert_float_eq(p->values[1][k], -x + 0.5 * y, 1e-11);
    cr_assert_float_eq(p->position[k], 0.2 * k, TOL_HAND);
  }
  sf_profile_destroy(p);
  sf_imageset_destroy(set);
}

/* Band averaging across a curved map f = y^2 on a horizontal line at y0 = 30:
   width 10 samples offsets +-0.5 .. +-4.5, where bilinear interpolation gives
   y^2 + 1/4, so the mean is 900 + 8.25 + 0.25 = 908.5; width 9 samples the
   integer offsets -4..4 exactly: 900 + 60/9. At the top edge (y0 = 0) only
   the five offsets inside the map count: 8.25 + 0.25 = 8.5. */
Test(profile, band_average_across_the_line) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = make_map(set, "sq", 64, 64, 0.0, 1.0, "px");
  for (size_t iy = 0; iy < 64; ++iy)
    for (size_t ix = 0; ix < 64; ++ix)
      sf_map_set(m, ix, iy, 0, (double)(iy * iy));
  const sf_map *maps[1] = {m};
  const double widths[3] = {10, 9, 10}, y0[3] = {30, 30, 0};
  const double want[3] = {908.5, 900.0 + 60.0 / 9.0, 8.5};
  for (int c = 0; c < 3; ++c) {
    sf_profile *p = NULL;
    cr_assert_eq(sf_profile_extract(maps, 1, 5, y0[c], 50, y0[c], widths[c], SF_PROFILE_PIXELS,
                                    &p), SF_OK);
    cr_assert_str_eq(p->position_units, "px");
    for (size_t k = 0; k < p->n; ++k)
      cr_assert_float_eq(p->values[0][k], want[c], TOL_HAND * want[c], "case %d sample %zu: %.6f",
                         c, k, p->values[0][k]);
    sf_profile_destroy(p);
  }
  sf_imageset_destroy(set);
}

/* Calibrated coordinates (Å, with an origin) give the same profile as the
   equivalent pixel coordinates; the width converts with the pixel size. */
Test(profile, calibrated_coordinates) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = make_map(set, "ramp", 40, 20, 0.25, 0.5, "Å");
  for (size_t iy = 0; iy < 20; ++iy)
    for (size_t ix = 0; ix < 40; ++ix)
      sf_map_set(m, ix, iy, 0, sin(0.3 * ix) + 0.1 * iy * iy);
  const sf_map *maps[1] = {m};
  sf_profile *a = NULL, *b = NULL;
  cr_assert_eq(sf_profile_extract(maps, 1, 5, 3, 35, 16, 10, SF_PROFILE_PIXELS, &a), SF_OK);
  cr_assert_eq(sf_profile_extract(maps, 1, 2.75, 1.75, 17.75, 8.25, 5.0, SF_PROFILE_CALIBRATED,
                                  &b), SF_OK, "%s", sf_error_message());
  cr_assert_eq(a->n, b->n);
  cr_assert_eq(b->band_points, 10);
  for (size_t k = 0; k < a->n; ++k) {
    cr_assert_float_eq(a->values[0][k], b->values[0][k], 1e-12);
    cr_assert_float_eq(a->position[k], b->position[k], TOL_HAND);
  }
  sf_profile_destroy(a);
  sf_profile_destroy(b);
  sf_profile_destroy(NULL);
  sf_imageset_destroy(set);
}

Test(profile, errors) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = make_map(set, "a", 40, 20, 0.0, 1.0, "px");
  sf_map *o = make_map(set, "b", 30, 20, 0.0, 1.0, "px");
  const sf_map *maps[2] = {m, o};
  sf_profile *p = NULL;
  cr_assert_eq(sf_profile_extract(maps, 1, 5, 10, 45, 10, 1, SF_PROFILE_PIXELS, &p), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "outside"), "%s", sf_error_message());
  cr_assert_null(p);
  cr_assert_eq(sf_profile_extract(maps, 1, 5, 10, 5, 10, 1, SF_PROFILE_PIXELS, &p), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "zero length"), "%s", sf_error_message());
  cr_assert_eq(sf_profile_extract(maps, 2, 5, 10, 25, 10, 1, SF_PROFILE_PIXELS, &p), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "not on the grid"), "%s", sf_error_message());
  cr_assert_eq(sf_profile_extract(maps, 1, 5, 10, 25, 10, 1, SF_PROFILE_CALIBRATED, &p),
               SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'px'"), "%s", sf_error_message());
  cr_assert_eq(sf_profile_extract(maps, 1, 5, 10, 25, 10, -1, SF_PROFILE_PIXELS, &p), SF_EINVAL);
  cr_assert(isnan(sf_profile_bilinear(m, -0.1, 3.0)));
  sf_imageset_destroy(set);
}
