/* The angular algebra of transition potentials: Y_lm phase convention, the
   Wigner-3j expansion of <l'm'|exp(-iK.r)|lm> against brute-force angular
   quadrature, rotation invariance of sum |M|^2, spherical Bessel functions
   and the electron wavenumber. */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"
#include "potentials/sf_transition.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL_ANGULAR 1e-10 /* expansion vs quadrature (doc asks 1e-6) */
#define TOL_BESSEL 1e-13

Test(transition_angular, y11_phase_and_conjugation) {
  const double th = 0.7, ph = 1.1;
  double y[2];
  sf_transition_ylm(1, 1, cos(th), ph, y);
  const double a = -sqrt(3.0 / (8.0 * SF_PI)) * sin(th);
  cr_assert_float_eq(y[0], a * cos(ph), 1e-15);
  cr_assert_float_eq(y[1], a * sin(ph), 1e-15);
  /* Y_{l,-m} = (-1)^m conj(Y_lm) */
  double ym[2];
  sf_transition_ylm(3, -2, cos(th), ph, ym);
  sf_transition_ylm(3, 2, cos(th), ph, y);
  cr_assert_float_eq(ym[0], y[0], 1e-15);
  cr_assert_float_eq(ym[1], -y[1], 1e-15);
  sf_transition_ylm(2, -1, cos(th), ph, ym);
  sf_transition_ylm(2, 1, cos(th), ph, y);
  cr_assert_float_eq(ym[0], -y[0], 1e-15);
  cr_assert_float_eq(ym[1], y[1], 1e-15);
  /* Y_00 and Y_10 */
  sf_transition_ylm(0, 0, 0.3, 0.2, y);
  cr_assert_float_eq(y[0], 1.0 / sqrt(4.0 * SF_PI), 1e-15);
  sf_transition_ylm(1, 0, 0.3, 0.2, y);
  cr_assert_float_eq(y[0], sqrt(3.0 / (4.0 * SF_PI)) * 0.3, 1e-15);
}

/* Brute force: a shell of radius r0 (u_b u_c = delta(r - r0)) makes
   I_lambda = j_lambda(K r0); the matrix element is then
   int dOmega conj(Y_l'm') exp(-i K r0 n.Khat) Y_lm, computed on a
   Gauss-Legendre (cos theta) x trapezoid (phi) product grid. */
static void brute(int l, int m, int lp, int mp, double K, double ct, double phk, double r0,
                  double out[2]) {
  enum { NT = 48, NP = 96 };
  double x[NT], w[NT];
  sf_quad_gauss_legendre(NT, x, w);
  const double st = sqrt(1.0 - ct * ct);
  const double kx = K * st * cos(phk), ky = K * st * sin(phk), kz = K * ct;
  double re = 0.0, im = 0.0;
  for (int a = 0; a < NT; ++a) {
    const double c = x[a], s = sqrt(1.0 - c * c);
    for (int b = 0; b < NP; ++b) {
      const double ph = SF_TWO_PI * b / NP;
      double yb[2], yc[2];
      sf_transition_ylm(l, m, c, ph, yb);
      sf_transition_ylm(lp, mp, c, ph, yc);
      const double arg = -r0 * (kx * s * cos(ph) + ky * s * sin(ph) + kz * c);
      const double er = cos(arg), ei = sin(arg);
      /* conj(yc) * e * yb */
      const double pr = yc[0] * yb[0] + yc[1] * yb[1], pi = yc[0] * yb[1] - yc[1] * yb[0];
      const double wt = w[a] * SF_TWO_PI / NP;
      re += wt * (pr * er - pi * ei);
      im += wt * (pr * ei + pi * er);
    }
  }
  out[0] = re;
  out[1] = im;
}

Test(transition_angular, wigner_expansion_equals_brute_force_quadrature) {
  /* (l, m, l', m') from the doc's checks, plus a d -> f and a monopole case. */
  const int cases[][4] = {{1, 1, 2, 0},  {1, 0, 2, 1}, {1, -1, 0, 0}, {1, 1, 2, 2},
                          {2, 1, 3, -1}, {0, 0, 1, 1}, {2, -2, 1, -1}, {1, 0, 1, 0}};
  const double Ks[][3] = {{0.7, 0.3, 0.4}, {2.5, -0.8, 2.0}, {5.0, 0.95, -1.3}, {1.3, -1.0, 0.0}};
  const double r0 = 0.9;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c)
    for (size_t k = 0; k < sizeof Ks / sizeof Ks[0]; ++k) {
      const int l = cases[c][0], m = cases[c][1], lp = cases[c][2], mp = cases[c][3];
      double I[16];
      sf_transition_bessel_array(l + lp, Ks[k][0] * r0, I);
      double M[2], B[2];
      cr_assert_eq(sf_transition_matrix_element(l, m, lp, mp, I, Ks[k][1], Ks[k][2], M), SF_OK);
      brute(l, m, lp, mp, Ks[k][0], Ks[k][1], Ks[k][2], r0, B);
      cr_assert(fabs(M[0] - B[0]) < TOL_ANGULAR && fabs(M[1] - B[1]) < TOL_ANGULAR,
                "(%d %d -> %d %d) K = %g: expansion %.12f%+.12fi, quadrature %.12f%+.12fi", l, m,
                lp, mp, Ks[k][0], M[0], M[1], B[0], B[1]);
    }
  double M[2];
  double I[4] = {1, 1, 1, 1};
  cr_assert_eq(sf_transition_matrix_element(1, 2, 1, 0, I, 0.0, 0.0, M), SF_EINVAL);
}

/* sum over m, m' of |M|^2 does not depend on the direction of K and equals
   sum_lambda (2l+1)(2l'+1)(2lambda+1) (l' lambda l;000)^2 I_lambda^2. */
Test(transition_angular, sum_over_substates_is_rotation_invariant) {
  const double I[8] = {0.3, -0.7, 1.1, 0.25, -0.4, 0.6, 0.2, 0.1};
  const int pairs[][2] = {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 3}, {1, 1}, {3, 4}};
  const double dirs[][2] = {{1.0, 0.0}, {0.2, 0.7}, {-0.6, 2.9}, {-1.0, 0.0}};
  for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; ++p) {
    const int l = pairs[p][0], lp = pairs[p][1];
    const double inv = sf_transition_angular_sum(l, lp, I);
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; ++d) {
      double s = 0.0;
      for (int m = -l; m <= l; ++m)
        for (int mp = -lp; mp <= lp; ++mp) {
          double M[2];
          sf_transition_matrix_element(l, m, lp, mp, I, dirs[d][0], dirs[d][1], M);
          s += M[0] * M[0] + M[1] * M[1];
        }
      cr_assert(fabs(s - inv) < 1e-12 * inv, "l = %d l' = %d dir %zu: %.15g vs %.15g", l, lp, d,
                s, inv);
    }
  }
  /* K edge (l = 0): sum = (2l'+1) I_l'^2 */
  cr_assert_float_eq(sf_transition_angular_sum(0, 1, I), 3.0 * I[1] * I[1], 1e-15);
}

Test(transition_angular, spherical_bessel_and_radial_integral) {
  gsl_set_error_handler_off(); /* GSL's reference aborts on underflow otherwise */
  const double xs[] = {0.0, 1e-8, 0.2, 0.99, 1.0, 3.0, 9.42477796, 17.5, 60.0};
  for (size_t a = 0; a < sizeof xs / sizeof xs[0]; ++a) {
    double j[21];
    sf_transition_bessel_array(20, xs[a], j);
    for (int l = 0; l <= 20; ++l) {
      gsl_sf_result r;
      if (gsl_sf_bessel_jl_e(l, xs[a], &r) != GSL_SUCCESS || fabs(r.val) < 1e-250)
        continue;
      cr_assert(fabs(j[l] - r.val) < TOL_BESSEL * fmax(fabs(r.val), 1e-3 * fabs(j[0]) + 1e-300),
                "x = %g l = %d: %.17g vs %.17g", xs[a], l, j[l], r.val);
    }
  }
  /* Radial integrals of u_b = u_c = r e^-r against closed forms. */
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-7, 60.0, 4001, &g), SF_OK);
  double *ub = calloc(g->n, sizeof *ub), *uc = calloc(g->n, sizeof *uc);
  for (size_t i = 0; i < g->n; ++i)
    ub[i] = uc[i] = g->r[i] * exp(-g->r[i]);
  /* int_0^inf r^2 e^{-2r} j_1(K r) dr = 2K / (4 + K^2)^2 */
  const double K = 1.7;
  const double v = sf_transition_radial_integral(g, ub, uc, 1, K);
  cr_assert(fabs(v - 2.0 * K / pow(4.0 + K * K, 2)) < 1e-10, "%.15g", v);
  /* lambda = 0: int r^2 e^{-2r} sin(Kr)/(Kr) dr = 4 / (4 + K^2)^2 */
  cr_assert(fabs(sf_transition_radial_integral(g, ub, uc, 0, K) - 4.0 / pow(4.0 + K * K, 2)) <
            1e-10);
  free(ub);
  free(uc);
  sf_atom_grid_destroy(g);
}

Test(transition_angular, electron_wavenumber) {
  /* 300 keV: lambda = 0.0196875 A; 100 keV: 0.0370144 A */
  cr_assert(fabs(1.0 / sf_transition_wavenumber_invA(300e3) - 0.0196875) < 1e-7);
  cr_assert(fabs(1.0 / sf_transition_wavenumber_invA(100e3) - 0.0370144) < 1e-7);
}
