/* transition_angular.c - kinematics, spherical harmonics, the Wigner-3j
   expansion of <eps l' m'| exp(-iK.r) |n l m> and its rotation-invariant
   sum, and single radial integrals.

   exp(-iK.r) = 4 pi sum_{lambda mu} (-i)^lambda j_lambda(Kr) Y*_lambda,mu(K) Y_lambda,mu(r)
   and the Gaunt integral give (mu = m - m')
     <l'm'|e^{-iK.r}|lm> = sqrt(4 pi) sum_lambda (-i)^lambda
        sqrt((2l+1)(2l'+1)(2lambda+1)) (l' lambda l; 0 0 0)
        (-1)^(m'+mu) (l' lambda l; -m' -mu m) Y_lambda,mu(K) I_lambda(K). */
#include "potentials/sf_transition.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <gsl/gsl_sf_coupling.h>
#include <gsl/gsl_sf_legendre.h>
#include <math.h>

double sf_transition_wavenumber_invA(double energy_eV) {
  const double mc2 = SF_ELECTRON_REST_ENERGY_keV * 1e3;
  return sqrt(energy_eV * (energy_eV + 2.0 * mc2)) / (SF_HC_keV_A * 1e3);
}

void sf_transition_ylm(int l, int m, double cos_theta, double phi, double out[2]) {
  out[0] = out[1] = 0.0;
  if (l < 0 || m > l || m < -l)
    return;
  const int am = m < 0 ? -m : m;
  if (cos_theta > 1.0)
    cos_theta = 1.0;
  if (cos_theta < -1.0)
    cos_theta = -1.0;
  /* GSL's normalised P_l^m includes the Condon-Shortley phase (-1)^m. */
  const double p = gsl_sf_legendre_sphPlm(l, am, cos_theta);
  double re = p * cos(am * phi), im = p * sin(am * phi);
  if (m < 0) { /* Y_l,-m = (-1)^m conj(Y_lm) */
    const double sgn = (am % 2) ? -1.0 : 1.0;
    re *= sgn;
    im *= -sgn;
  }
  out[0] = re;
  out[1] = im;
}

static double threej(int j1, int j2, int j3, int m1, int m2, int m3) {
  return gsl_sf_coupling_3j(2 * j1, 2 * j2, 2 * j3, 2 * m1, 2 * m2, 2 * m3);
}

int sf_transition_matrix_element(int l, int m, int lp, int mp, const double *I,
                                 double cos_theta, double phi, double out[2]) {
  out[0] = out[1] = 0.0;
  if (l < 0 || lp < 0 || m > l || m < -l || mp > lp || mp < -lp)
    return sf_error_set(SF_EINVAL, "matrix element: (l, m) = (%d, %d), (l', m') = (%d, %d)", l, m,
                        lp, mp);
  const int mu = m - mp;
  const int lmin = l > lp ? l - lp : lp - l;
  double re = 0.0, im = 0.0;
  for (int lam = lmin; lam <= l + lp; lam += 2) {
    if (mu > lam || mu < -lam)
      continue;
    const double c0 = threej(lp, lam, l, 0, 0, 0);
    if (c0 == 0.0)
      continue;
    const double c1 = threej(lp, lam, l, -mp, -mu, m);
    if (c1 == 0.0)
      continue;
    const double sign = ((mp + mu) % 2 == 0) ? 1.0 : -1.0;
    const double c = sqrt(4.0 * SF_PI * (2 * l + 1) * (2 * lp + 1) * (2 * lam + 1)) * c0 * c1 *
                     sign * I[lam];
    double y[2];
    sf_transition_ylm(lam, mu, cos_theta, phi, y);
    /* (-i)^lambda: lambda mod 4 = 0: 1, 1: -i, 2: -1, 3: i */
    double pr = c * y[0], pi = c * y[1];
    switch (lam % 4) {
    case 0: break;
    case 1: { double t = pr; pr = pi; pi = -t; } break;
    case 2: pr = -pr; pi = -pi; break;
    default: { double t = pr; pr = -pi; pi = t; } break;
    }
    re += pr;
    im += pi;
  }
  out[0] = re;
  out[1] = im;
  return SF_OK;
}

double sf_transition_angular_sum(int l, int lp, const double *I) {
  const int lmin = l > lp ? l - lp : lp - l;
  double s = 0.0;
  for (int lam = lmin; lam <= l + lp; lam += 2) {
    const double c0 = threej(lp, lam, l, 0, 0, 0);
    s += (2 * l + 1) * (2 * lp + 1) * (2 * lam + 1) * c0 * c0 * I[lam] * I[lam];
  }
  return s;
}

/* Spherical Bessel functions j_0..j_lmax at x >= 0 (caller array of lmax+1).
   Series for x < 1; upward recurrence where l <= x (stable); Miller's
   downward recurrence for l > x, normalised to the upward value. Pure C
   (GSL's error handler would abort on underflow of j_l at tiny x). */
void sf_transition_bessel_array(int lmax, double x, double *j) {
  if (x < 1.0) {
    /* j_l(x) = x^l/(2l+1)!! sum_k (-x^2/2)^k / (k! (2l+3)(2l+5)...(2l+2k+1)) */
    double lead = 1.0;
    const double x2 = 0.5 * x * x;
    for (int l = 0; l <= lmax; ++l) {
      double term = 1.0, sum = 1.0;
      for (int k = 1; k < 30; ++k) {
        term *= -x2 / (k * (2.0 * l + 2.0 * k + 1.0));
        sum += term;
        if (fabs(term) < 1e-17 * fabs(sum))
          break;
      }
      j[l] = lead * sum;
      lead *= x / (2.0 * l + 3.0);
    }
    return;
  }
  const double s = sin(x), c = cos(x);
  j[0] = s / x;
  if (lmax == 0)
    return;
  j[1] = s / (x * x) - c / x;
  int lsplit = (int)floor(x);
  if (lsplit > lmax)
    lsplit = lmax;
  if (lsplit < 1)
    lsplit = 1;
  for (int l = 1; l < lsplit; ++l)
    j[l + 1] = (2.0 * l + 1.0) / x * j[l] - j[l - 1];
  if (lsplit >= lmax)
    return;
  const int N = lmax + 30 + (int)sqrt(40.0 * (lmax + 1));
  double tp = 0.0, t = 1e-250, keep_hi = 0.0, keep_lo = 0.0;
  double buf[128];
  const int nb = lmax < 127 ? lmax : 127;
  for (int l = N; l >= lsplit - 1; --l) {
    if (l <= nb)
      buf[l] = t;
    if (l == lsplit)
      keep_hi = t;
    if (l == lsplit - 1)
      keep_lo = t;
    if (l == lsplit - 1)
      break;
    const double tm = (2.0 * l + 1.0) / x * t - tp;
    tp = t;
    t = tm;
    if (fabs(t) > 1e250) {
      t *= 1e-250;
      tp *= 1e-250;
      for (int q = l; q <= nb; ++q)
        buf[q] *= 1e-250;
      keep_hi *= 1e-250;
    }
  }
  const double scale = fabs(j[lsplit]) > fabs(j[lsplit - 1]) ? j[lsplit] / keep_hi
                                                               : j[lsplit - 1] / keep_lo;
  for (int l = lsplit + 1; l <= lmax && l <= nb; ++l)
    j[l] = buf[l] * scale;
}

double sf_transition_radial_integral(const sf_atom_grid *g, const double *u_b, const double *u_c,
                                     int lambda, double K_inv_bohr) {
  static const double end_w[3] = {3.0 / 8.0, 7.0 / 6.0, 23.0 / 24.0};
  const size_t n = g->n;
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double w = 1.0;
    if (i < 3)
      w = end_w[i];
    else if (i + 3 >= n)
      w = end_w[n - 1 - i];
    if (u_b[i] == 0.0 || u_c[i] == 0.0)
      continue;
    double jb[64];
    sf_transition_bessel_array(lambda < 63 ? lambda : 63, K_inv_bohr * g->r[i], jb);
    s += w * g->r[i] * u_b[i] * u_c[i] * jb[lambda < 63 ? lambda : 63];
  }
  return s * g->h;
}
