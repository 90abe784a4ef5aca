/* The STEM probe: aberration function, normalisation, the Airy pattern of an
   aberration-free probe, symmetry and shift, two-fold astigmatism, the sign
   of C10 pinned by vacuum propagation, focal-spread quadrature, source blur,
   the Nyquist scan step, and the aperture-inside-band-limit check. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "sim/sf_probe.h"
#include "sim/sf_propagator.h"
#include "sim/sf_scan.h"

#include <criterion/criterion.h>
#include <fftw3.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>
#include <string.h>

/* single-precision wave arithmetic: sums of ~1e5 squared floats */
#define TOL_NORM 2e-6
/* double-precision evaluation of chi against the closed form */
#define TOL_CHI 1e-12
/* Airy comparison: the discrete probe is the Fourier sum over the aperture's
   n_ap pixels (8513 here, radius k_a L = 52 bins), not the continuous disc;
   the pixelated rim changes the area by ~(k_a L)^(-3/2) = 2.7e-3. Measured:
   shape I(r)/I(0) within 7.1e-4 of [2 J1(x)/x]^2, peak within 1.6e-3 of
   pi k_a^2 h^2. */
#define TOL_AIRY 2.7e-3
/* complex values of two single-precision probes (|psi| ~ 0.1 at the peak) */
#define TOL_WAVE 2e-6
/* variance of the truncated, sampled source kernel against sigma^2 */
#define TOL_BLUR_VARIANCE 2e-7
/* astigmatism: the moment theorem <y^2> - <x^2> = (40 A alpha)^2 holds for
   the continuous probe; on a periodic cell the aperture-edge tails wrap
   (measured 7.0 %, 3.4 %, 1.5 % low on 12.8, 25.6, 51.2 A cells) */
#define TOL_ASTIG_MOMENT 0.05
/* Gauss-Hermite nodes and weights against closed forms */
#define TOL_NODES 1e-12

static sf_wavegrid grid(size_t n, double h) {
  sf_wavegrid g;
  cr_assert_eq(sf_wavegrid_init(&g, n, n, h, 300.0, SF_BAND_LIMIT_DEFAULT), SF_OK, "%s",
               sf_error_message());
  return g;
}

static double norm2(fftwf_complex *psi, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i)
    s += (double)psi[i][0] * psi[i][0] + (double)psi[i][1] * psi[i][1];
  return s;
}

Test(aberrations, chi_closed_forms_and_names) {
  sf_aberrations ab;
  sf_aberrations_clear(&ab);
  const double lambda = 0.019687, alpha = 0.015, phi = 0.7;
  cr_assert_eq(sf_aberrations_set(&ab, "Cs", 1.2e7, 0.0), SF_OK);
  cr_assert_float_eq(ab.C30_A, 1.2e7, 0.0);
  cr_assert_float_eq(sf_aberrations_chi(&ab, lambda, alpha, phi),
                     SF_TWO_PI / lambda * 1.2e7 * pow(alpha, 4) / 4.0, TOL_CHI * 1e3);
  sf_aberrations_clear(&ab);
  cr_assert_eq(sf_aberrations_set(&ab, "C23", 500.0, 0.3), SF_OK);
  const double want = SF_TWO_PI / lambda * 500.0 * pow(alpha, 3) / 3.0 * cos(3.0 * (phi - 0.3));
  cr_assert(fabs(sf_aberrations_chi(&ab, lambda, alpha, phi) - want) < TOL_CHI * fabs(want) + 1e-15);
  /* defocus = -C10; chi = pi lambda q^2 C10 */
  sf_aberrations_clear(&ab);
  sf_aberrations_set_defocus(&ab, 100.0);
  cr_assert_float_eq(ab.C10_A, -100.0, 0.0);
  const double q = alpha / lambda;
  cr_assert(fabs(sf_aberrations_chi(&ab, lambda, alpha, phi) - SF_PI * lambda * q * q * -100.0) <
            1e-9);
  double C = 0, a = 0;
  cr_assert_eq(sf_aberrations_get(&ab, "C10", &C, &a), SF_OK);
  cr_assert_float_eq(C, -100.0, 0.0);
  cr_assert_eq(sf_aberrations_set(&ab, "C99", 1.0, 0.0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'C99'") && strstr(sf_error_message(), "C56"), "%s",
            sf_error_message());
  cr_assert_eq(sf_aberrations_set(&ab, "C12", NAN, 0.0), SF_EINVAL);
}

Test(probe, normalised_for_any_aberrations) {
  const sf_wavegrid g = grid(128, 0.1);
  fftwf_complex *psi = fftwf_alloc_complex(128 * 128);
  sf_probe_params p;
  sf_probe_params_default(&p);
  cr_assert_eq(sf_probe_wave(&p, &g, 6.4, 6.4, psi), SF_OK, "%s", sf_error_message());
  cr_assert(fabs(norm2(psi, 128 * 128) - 1.0) < TOL_NORM);
  sf_aberrations_set(&p.aberrations, "C10", -80.0, 0.0);
  sf_aberrations_set(&p.aberrations, "C12", 30.0, 0.4);
  sf_aberrations_set(&p.aberrations, "C21", 800.0, 1.0);
  sf_aberrations_set(&p.aberrations, "C23", 500.0, 0.2);
  sf_aberrations_set(&p.aberrations, "C30", 2e4, 0.0);
  sf_aberrations_set(&p.aberrations, "C50", 3e6, 0.0);
  p.edge_mrad = 1.0;
  cr_assert_eq(sf_probe_wave(&p, &g, 3.3, 9.1, psi), SF_OK);
  cr_assert(fabs(norm2(psi, 128 * 128) - 1.0) < TOL_NORM, "norm %.9f", norm2(psi, 128 * 128));
  fftwf_free(psi);
}

Test(probe, airy_pattern_without_aberrations) {
  /* 256^2 pixels of 0.2 A (51.2 A cell); 300 kV, 20 mrad: k_a = alpha/lambda
     = 1.016 1/A, 52 frequency bins in radius. The continuous probe of unit
     power has intensity pi k_a^2 [2 J1(x)/x]^2 per unit area at x = 2 pi k_a r,
     i.e. pi k_a^2 h^2 [..]^2 per pixel. */
  const size_t n = 256;
  const double h = 0.2;
  const sf_wavegrid g = grid(n, h);
  sf_probe_params p;
  sf_probe_params_default(&p);
  fftwf_complex *psi = fftwf_alloc_complex(n * n);
  const double c = 0.5 * n * h;
  cr_assert_eq(sf_probe_wave(&p, &g, c, c, psi), SF_OK);
  const double ka = 1e-3 * p.semiangle_mrad / g.lambda_A;
  sf_probe_beam *beams = NULL;
  size_t n_ap = 0;
  cr_assert_eq(sf_probe_beams(&p, &g, 1, &beams, &n_ap), SF_OK);
  sf_free(beams);
  fftwf_complex *z0 = &psi[(n / 2) * n + n / 2];
  const double I0 = (double)(*z0)[0] * (*z0)[0] + (double)(*z0)[1] * (*z0)[1];
  /* exact discrete identity: psi(0) = sum of the n_ap coefficients 1/sqrt(N n_ap) */
  cr_assert(fabs(I0 - (double)n_ap / (double)(n * n)) < 1e-5 * I0, "I(0) = %.8g, n_ap/N = %.8g",
            I0, (double)n_ap / (double)(n * n));
  const double peak = SF_PI * ka * ka * h * h;
  cr_assert(fabs(I0 - peak) < TOL_AIRY * peak, "peak %.6g vs pi k_a^2 h^2 = %.6g", I0, peak);
  double worst = 0.0;
  for (size_t ix = n / 2; ix < n / 2 + 40; ++ix) { /* r up to 8 A: beyond the 5th ring */
    const double r = (double)ix * h - c;
    const double x = SF_TWO_PI * ka * r;
    const double airy = x == 0.0 ? 1.0 : pow(2.0 * gsl_sf_bessel_J1(x) / x, 2);
    fftwf_complex *z = &psi[(n / 2) * n + ix];
    const double I = (double)(*z)[0] * (*z)[0] + (double)(*z)[1] * (*z)[1];
    worst = fmax(worst, fabs(I / I0 - airy));
  }
  cr_log_info("Airy: %zu aperture pixels; shape within %.3g, peak within %.3g", n_ap, worst,
              fabs(I0 / peak - 1.0));
  cr_assert(worst < TOL_AIRY, "largest deviation from the Airy pattern %.3g of the peak", worst);
  fftwf_free(psi);
}

Test(probe, aberration_free_probe_is_real_symmetric_and_shifts) {
  const size_t n = 96;
  const sf_wavegrid g = grid(n, 0.1);
  sf_probe_params p;
  sf_probe_params_default(&p);
  fftwf_complex *psi = fftwf_alloc_complex(n * n);
  cr_assert_eq(sf_probe_wave(&p, &g, 0.0, 0.0, psi), SF_OK);
  double peak = 0.0;
  for (size_t i = 0; i < n * n; ++i)
    peak = fmax(peak, fabs(psi[i][0]));
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      fftwf_complex *a = &psi[iy * n + ix];
      fftwf_complex *b = &psi[((n - iy) % n) * n + (n - ix) % n];
      fftwf_complex *t = &psi[ix * n + iy];
      cr_assert(fabs((*a)[1]) < TOL_WAVE * peak * 10, "imaginary part at (%zu, %zu)", ix, iy);
      cr_assert(fabs((*a)[0] - (*b)[0]) < TOL_WAVE * peak * 10, "inversion symmetry");
      cr_assert(fabs((*a)[0] - (*t)[0]) < TOL_WAVE * peak * 10, "transposition symmetry");
    }
  /* shifted to pixel (30, 61): the intensity peak is there */
  cr_assert_eq(sf_probe_wave(&p, &g, 3.0, 6.1, psi), SF_OK);
  size_t best = 0;
  double bmax = -1.0;
  for (size_t i = 0; i < n * n; ++i) {
    const double I = (double)psi[i][0] * psi[i][0] + (double)psi[i][1] * psi[i][1];
    if (I > bmax) {
      bmax = I;
      best = i;
    }
  }
  cr_assert_eq(best % n, 30);
  cr_assert_eq(best / n, 61);
  fftwf_free(psi);
}

/* Second moments <x^2>, <y^2> of the intensity about the probe centre c. */
static void moments(fftwf_complex *psi, size_t n, double h, double c, double *mx,
                    double *my) {
  *mx = *my = 0.0;
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      fftwf_complex *z = &psi[iy * n + ix];
      const double I = (double)(*z)[0] * (*z)[0] + (double)(*z)[1] * (*z)[1];
      *mx += I * pow(ix * h - c, 2);
      *my += I * pow(iy * h - c, 2);
    }
}

Test(probe, twofold_astigmatism_elongates_and_rotates) {
  /* chi = pi lambda [(C10 + C12 cos 2 phi12) qx^2 + (C10 - C12 cos 2 phi12) qy^2
     + ...]: with C10 = -C12 and phi12 = 0 the probe is in focus along x and
     defocused by 2 C12 along y, so it is elongated along y; phi12 = 90 deg
     swaps the axes. The moment theorem <y^2> = (1/4 pi^2) <|d psi/dqy|^2>
     gives <y^2> - <x^2> = (2 C12 lambda)^2 <qy^2>_aperture = (C12 alpha)^2. */
  const size_t n = 256;
  const double h = 0.1, c = 12.8;
  const sf_wavegrid g = grid(n, h);
  sf_probe_params p;
  sf_probe_params_default(&p);
  sf_aberrations_set(&p.aberrations, "C10", -40.0, 0.0);
  sf_aberrations_set(&p.aberrations, "C12", 40.0, 0.0);
  fftwf_complex *psi = fftwf_alloc_complex(n * n);
  cr_assert_eq(sf_probe_wave(&p, &g, c, c, psi), SF_OK);
  double mx0, my0, mx1, my1;
  moments(psi, n, h, c, &mx0, &my0);
  const double want = pow(40.0 * 1e-3 * p.semiangle_mrad, 2);
  cr_assert(fabs((my0 - mx0) - want) < TOL_ASTIG_MOMENT * want,
            "<x^2> = %g, <y^2> = %g A^2: difference %g, expected %g", mx0, my0, my0 - mx0, want);
  sf_aberrations_set(&p.aberrations, "C12", 40.0, SF_PI / 2.0);
  cr_assert_eq(sf_probe_wave(&p, &g, c, c, psi), SF_OK);
  moments(psi, n, h, c, &mx1, &my1);
  cr_assert(fabs(mx1 - my0) < 1e-5 * my0 && fabs(my1 - mx0) < 1e-5 * my0,
            "rotated: (%g, %g) against (%g, %g)", mx1, my1, my0, mx0);
  fftwf_free(psi);
}

Test(probe, underfocus_is_focused_after_vacuum_propagation) {
  /* defocus d > 0 (C10 = -d) is underfocus: propagating the probe by d through
     vacuum with P = exp(-i pi lambda d q^2) brings it to focus. The opposite
     sign must not. */
  const size_t n = 128;
  const double h = 0.1, d = 120.0;
  const sf_wavegrid g = grid(n, h);
  sf_probe_params p;
  sf_probe_params_default(&p);
  fftwf_complex *focus = fftwf_alloc_complex(n * n), *psi = fftwf_alloc_complex(n * n);
  fftwf_complex *P = fftwf_alloc_complex(n * n);
  cr_assert_eq(sf_probe_wave(&p, &g, 6.4, 6.4, focus), SF_OK);
  for (int sign = 1; sign >= -1; sign -= 2) {
    sf_aberrations_set_defocus(&p.aberrations, sign * d);
    cr_assert_eq(sf_probe_wave(&p, &g, 6.4, 6.4, psi), SF_OK);
    cr_assert_eq(sf_propagator_fill(&g, d, 0.0, 0.0, 1.0 / (double)(n * n), P), SF_OK);
    fftwf_plan fw = fftwf_plan_dft_2d(n, n, psi, psi, FFTW_FORWARD, FFTW_ESTIMATE);
    fftwf_plan bw = fftwf_plan_dft_2d(n, n, psi, psi, FFTW_BACKWARD, FFTW_ESTIMATE);
    fftwf_execute(fw);
    sf_wave_multiply(psi, P, n * n);
    fftwf_execute(bw);
    fftwf_destroy_plan(fw);
    fftwf_destroy_plan(bw);
    double diff = 0.0;
    for (size_t i = 0; i < n * n; ++i)
      diff = fmax(diff, hypot(psi[i][0] - focus[i][0], psi[i][1] - focus[i][1]));
    if (sign > 0)
      cr_assert(diff < 10 * TOL_WAVE, "underfocus %g A propagated %g A: max |diff| %g", d, d,
                diff);
    else
      cr_assert(diff > 0.01, "overfocus must not come to focus (max |diff| %g)", diff);
  }
  fftwf_free(focus);
  fftwf_free(psi);
  fftwf_free(P);
}

Test(probe, aperture_must_fit_inside_band_limit) {
  /* 300 kV, h = 0.25 A: alpha_max = lambda / (3 h) = 26.25 mrad < 30 mrad */
  const sf_wavegrid g = grid(64, 0.25);
  sf_probe_params p;
  sf_probe_params_default(&p);
  p.semiangle_mrad = 30.0;
  cr_assert_eq(sf_probe_check(&p, &g), SF_ERANGE);
  const char *m = sf_error_message();
  cr_assert(strstr(m, "sampling too coarse for the aperture") && strstr(m, "30 mrad") &&
                strstr(m, "26.2") && strstr(m, "sampling_A <= 0.218"),
            "%s", m);
  p.semiangle_mrad = 20.0;
  cr_assert_eq(sf_probe_check(&p, &g), SF_OK);
  p.edge_mrad = 14.0; /* outer edge 27 mrad */
  cr_assert_eq(sf_probe_check(&p, &g), SF_ERANGE);
  p.edge_mrad = -1.0;
  cr_assert_eq(sf_probe_check(&p, &g), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "edge_mrad = -1"));
}

Test(probe, prism_beams_are_every_fth_bin) {
  const sf_wavegrid g = grid(120, 0.1); /* 12 A cell: k_a L = 12.2 bins */
  sf_probe_params p;
  sf_probe_params_default(&p);
  sf_probe_beam *b1 = NULL, *b2 = NULL;
  size_t n1 = 0, n2 = 0;
  cr_assert_eq(sf_probe_beams(&p, &g, 1, &b1, &n1), SF_OK);
  cr_assert_eq(sf_probe_beams(&p, &g, 2, &b2, &n2), SF_OK);
  /* about pi (k_a L)^2 / f^2 beams */
  const double kL = 1e-3 * 20.0 / g.lambda_A * 12.0;
  cr_assert(fabs((double)n1 - SF_PI * kL * kL) < 4.0 * SF_TWO_PI * kL, "%zu beams", n1);
  cr_assert(fabs((double)n2 - SF_PI * kL * kL / 4.0) < 4.0 * SF_PI * kL, "%zu beams", n2);
  for (size_t j = 0; j < n2; ++j) {
    const long mx = lround(b2[j].qx_invA * 12.0), my = lround(b2[j].qy_invA * 12.0);
    cr_assert(mx % 2 == 0 && my % 2 == 0);
    cr_assert(1e3 * g.lambda_A * hypot(b2[j].qx_invA, b2[j].qy_invA) <= 20.0);
  }
  sf_free(b1);
  sf_free(b2);
}

Test(coherence, gauss_hermite_nodes) {
  double d[64], w[64];
  cr_assert_eq(sf_probe_focal_nodes(30.0, 1, d, w), SF_OK);
  cr_assert_float_eq(d[0], 0.0, TOL_NODES);
  cr_assert_float_eq(w[0], 1.0, TOL_NODES);
  cr_assert_eq(sf_probe_focal_nodes(30.0, 2, d, w), SF_OK);
  cr_assert_float_eq(d[0], -30.0, TOL_NODES * 30);
  cr_assert_float_eq(d[1], 30.0, TOL_NODES * 30);
  cr_assert_float_eq(w[0], 0.5, TOL_NODES);
  cr_assert_eq(sf_probe_focal_nodes(1.0, 3, d, w), SF_OK);
  cr_assert_float_eq(d[2], sqrt(3.0), TOL_NODES);
  cr_assert_float_eq(w[1], 2.0 / 3.0, TOL_NODES);
  cr_assert_float_eq(w[0], 1.0 / 6.0, TOL_NODES);
  /* exact moments of N(0, s^2) up to degree 2n - 1: <d^2k> = s^2k (2k-1)!! */
  const double s = 25.0;
  const int n = 7;
  cr_assert_eq(sf_probe_focal_nodes(s, n, d, w), SF_OK);
  double dfact = 1.0;
  for (int k = 0; 2 * k < 2 * n; ++k) {
    double m = 0.0, odd = 0.0;
    for (int i = 0; i < n; ++i) {
      m += w[i] * pow(d[i], 2 * k);
      odd += w[i] * pow(d[i], 2 * k + 1);
    }
    const double want = pow(s, 2 * k) * dfact;
    cr_assert(fabs(m - want) < 1e-10 * want, "moment %d: %g vs %g", 2 * k, m, want);
    cr_assert(fabs(odd) < 1e-9 * pow(s, 2 * k + 1) * (dfact + 1), "odd moment %d", 2 * k + 1);
    dfact *= 2 * k + 1;
  }
  cr_assert_eq(sf_probe_focal_nodes(30.0, 0, d, w), SF_EINVAL);
  cr_assert_eq(sf_probe_focal_nodes(-1.0, 3, d, w), SF_EINVAL);
}

Test(coherence, source_blur_has_variance_sigma_squared) {
  const size_t n = 64;
  double img[64 * 64] = {0};
  img[32 * n + 32] = 1.0;
  const double step = 0.1, sigma = 0.35;
  cr_assert_eq(sf_probe_source_blur(img, n, n, step, step, sigma, 1), SF_OK);
  double s = 0, vx = 0, vy = 0;
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      const double v = img[iy * n + ix];
      s += v;
      vx += v * pow((double)ix - 32.0, 2) * step * step;
      vy += v * pow((double)iy - 32.0, 2) * step * step;
    }
  /* sampled Gaussian of 3.5 pixels: its variance equals sigma^2 up to the
     truncation at 6 sigma (2e-9 of the mass at r^2 ~ 36 sigma^2) */
  cr_assert(fabs(s - 1.0) < 1e-12);
  cr_assert(fabs(vx - sigma * sigma) < TOL_BLUR_VARIANCE * sigma * sigma &&
                fabs(vy - sigma * sigma) < TOL_BLUR_VARIANCE * sigma * sigma,
            "%.12g %.12g", vx, vy);
  cr_assert_eq(sf_probe_source_blur(img, n, n, step, step, -0.1, 1), SF_EINVAL);
}

Test(scan, nyquist_step_and_windows) {
  /* 300 kV (lambda 0.019687 A), 20 mrad: lambda / (4 alpha) = 0.24609 A */
  cr_assert(fabs(sf_scan_nyquist_step_A(0.0196875, 20.0) - 0.24609375) < 1e-12);
  sf_scan *s = NULL;
  cr_assert_eq(sf_scan_window_create(0.0, 0.0, 3.905, 3.905, 3.905 / 20.0, &s), SF_OK);
  cr_assert_eq(s->nx, 20);
  cr_assert_eq(s->ny, 20);
  cr_assert_float_eq(s->x_A[19], 19 * 3.905 / 20.0, 1e-12);
  cr_assert_float_eq(s->y_A[20], 3.905 / 20.0, 1e-12);
  cr_assert(sf_scan_covers_period(s, 3.905, 3.905));
  cr_assert(!sf_scan_covers_period(s, 15.62, 15.62));
  cr_assert_eq(sf_scan_check_cell(s, 15.62, 15.62), SF_OK);
  sf_scan_destroy(s);
  const double x[2] = {1.0, 17.0}, y[2] = {2.0, 3.0};
  cr_assert_eq(sf_scan_list_create(x, y, 2, &s), SF_OK);
  cr_assert_eq(sf_scan_check_cell(s, 15.62, 15.62), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "position 1 = (17, 3)") &&
                strstr(sf_error_message(), "outside the cell"),
            "%s", sf_error_message());
  sf_scan_destroy(s);
  /* default step: 3.905 A / 0.24609 A = 15.87 -> 16 positions per axis */
  cr_assert_eq(sf_scan_window_nyquist_create(0.0, 0.0, 3.905, 3.905, 0.0196875, 20.0, &s), SF_OK);
  cr_assert_eq(s->nx, 16);
  cr_assert_float_eq(s->step_x_A, 0.24609375, 1e-12);
  sf_scan_destroy(s);
  cr_assert_eq(sf_scan_window_create(1.0, 0.0, 1.0, 2.0, 0.1, &s), SF_EINVAL);
  cr_assert_eq(sf_scan_grid_create(0, 0, 0.0, 0.1, 3, 3, &s), SF_EINVAL);
}
