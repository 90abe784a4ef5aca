/* slab.c - finite projection of an atomic potential between two planes.

   Every parameterization is a sum of three kinds of 3-D terms in the distance
   rho = sqrt(r^2 + z^2):
     Yukawa       A exp(-kappa rho) / rho       (Kirkland Lorentzians, Lobato)
     exponential  B exp(-kappa rho)             (Lobato)
     Gaussian     C exp(-alpha rho^2)           (Kirkland Gaussians, Peng)
   Gaussians integrate to erf differences. For the others z = r sinh(t) gives
   dz/rho = dt and rho = r cosh(t):
     Integral exp(-kappa rho)/rho dz = Integral exp(-x cosh t) dt
     Integral exp(-kappa rho) dz     = r Integral cosh(t) exp(-x cosh t) dt,  x = kappa r,
   smooth integrands (over the whole line they give 2 K0(x) and 2 r K1(x)),
   integrated with composite Gauss-Legendre on panels short enough that
   x cosh(t) grows by at most 2 per panel. At r = 0 exponential integrals
   E1 take over. */
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"
#include "potentials/sf_scattering.h"

#include <gsl/gsl_sf_expint.h>
#include <math.h>

#define SLAB_GL_ORDER 12
#define SLAB_PANEL_MAX 0.5   /* widest panel in t */
#define SLAB_PANEL_RISE 2.0  /* largest rise of x cosh(t) over one panel */
#define SLAB_DECAY_STOP 60.0 /* stop where exp(-x cosh t) fell by e^-60 from its start */

typedef struct slab_terms {
  int n_yukawa, n_gauss;
  double ya[5], yb[5], kappa[5]; /* A, B, kappa of the Yukawa + exponential terms */
  double ga[5], alpha[5];        /* C, alpha of the Gaussians */
} slab_terms;

static void terms_of(const sf_scatfac *sf, slab_terms *t) {
  const double pi = SF_PI, a0e = SF_A0E_VA2;
  *t = (slab_terms){0};
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    for (int i = 0; i < 3; ++i) {
      t->ya[t->n_yukawa] = 2.0 * pi * pi * a0e * sf->a[i];
      t->yb[t->n_yukawa] = 0.0;
      t->kappa[t->n_yukawa++] = 2.0 * pi * sqrt(sf->b[i]);
      t->ga[t->n_gauss] = 2.0 * pow(pi, 2.5) * a0e * sf->c[i] * pow(sf->d[i], -1.5);
      t->alpha[t->n_gauss++] = pi * pi / sf->d[i];
    }
    break;
  case SF_SCATFAC_LOBATO:
    for (int i = 0; i < 5; ++i) {
      const double sb = sqrt(sf->b[i]);
      const double a = 2.0 * pi * pi * a0e * sf->a[i] / sf->b[i];
      t->ya[t->n_yukawa] = a;
      t->yb[t->n_yukawa] = a * pi / sb;
      t->kappa[t->n_yukawa++] = 2.0 * pi / sb;
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i) {
      t->ga[t->n_gauss] = 2.0 * pi * a0e * sf->a[i] * pow(4.0 * pi / sf->b[i], 1.5);
      t->alpha[t->n_gauss++] = 4.0 * pi * pi / sf->b[i];
    }
    break;
  }
}

/* Integral_{z1}^{z2} exp(-alpha z^2) dz, accurate in the tails (erfc). */
static double gauss_z(double alpha, double z1, double z2) {
  const double s = sqrt(alpha);
  const double half_root_pi_over_alpha = 0.5 * sqrt(SF_PI / alpha);
  double diff;
  if (z1 >= 0.0)
    diff = erfc(s * z1) - erfc(s * z2);
  else if (z2 <= 0.0)
    diff = erfc(-s * z2) - erfc(-s * z1);
  else
    diff = erf(s * z2) - erf(s * z1);
  return half_root_pi_over_alpha * diff;
}

/* Integral_{ta}^{tb} exp(-x cosh t) (A + B r cosh t) dt for 0 <= ta <= tb. */
static double yukawa_t(double x, double r, double A, double B, double ta, double tb,
                       const double *gx, const double *gw) {
  if (!(tb > ta))
    return 0.0;
  if (ta > 700.0 || x * cosh(ta) > 745.0)
    return 0.0;
  const double cosh_a = cosh(ta);
  const double t_stop = acosh(cosh_a + SLAB_DECAY_STOP / x);
  if (tb > t_stop)
    tb = t_stop;
  double sum = 0.0, t = ta;
  while (t < tb) {
    double next = t + SLAB_PANEL_MAX;
    const double rise = acosh(cosh(t) + SLAB_PANEL_RISE / x);
    if (rise < next)
      next = rise;
    if (!(next > t)) /* guard: always advance */
      next = t + 1e-3;
    if (next > tb || tb - next < 1e-12 * (1.0 + tb))
      next = tb;
    const double half = 0.5 * (next - t), mid = 0.5 * (next + t);
    double panel = 0.0;
    for (int k = 0; k < SLAB_GL_ORDER; ++k) {
      const double c = cosh(mid + half * gx[k]);
      panel += gw[k] * exp(-x * c) * (A + B * r * c);
    }
    sum += half * panel;
    t = next;
  }
  return sum;
}

/* Integral over [z1, z2] at r = 0 of A exp(-k|z|)/|z| + B exp(-k|z|), 0 <= z1 < z2. */
static double yukawa_axis(double kappa, double A, double B, double z1, double z2) {
  const double x1 = kappa * z1, x2 = kappa * z2;
  const double e1a = x1 > 700.0 ? 0.0 : gsl_sf_expint_E1(x1);
  const double e1b = (x2 > 700.0 || isinf(x2)) ? 0.0 : gsl_sf_expint_E1(x2);
  const double ea = exp(-x1), eb = exp(-x2);
  return A * (e1a - e1b) + B * (ea - eb) / kappa;
}

int sf_scatfac_vz_slab(const sf_scatfac *sf, double r, double z1, double z2, double *vz_VA) {
  if (!sf || !vz_VA)
    return sf_error_set(SF_EINVAL, "v_z slab: NULL argument");
  if (!(r >= 0.0) || !isfinite(r))
    return sf_error_set(SF_EINVAL, "v_z slab: r_A = %g: must be finite and >= 0", r);
  if (isnan(z1) || isnan(z2) || z1 > z2)
    return sf_error_set(SF_EINVAL, "v_z slab: z1_A = %g, z2_A = %g: need z1 <= z2", z1, z2);
  *vz_VA = 0.0;
  if (z1 == z2)
    return SF_OK;

  slab_terms t;
  terms_of(sf, &t);
  double sum = 0.0;
  for (int i = 0; i < t.n_gauss; ++i)
    sum += t.ga[i] * exp(-t.alpha[i] * r * r) * gauss_z(t.alpha[i], z1, z2);

  if (t.n_yukawa > 0) {
    if (r == 0.0) {
      if (z1 <= 0.0 && z2 >= 0.0)
        return sf_error_set(SF_ERANGE,
                            "v_z slab: at r_A = 0 the slab z1_A = %g .. z2_A = %g contains the "
                            "nucleus, where the %s potential (1/r) has no finite projection",
                            z1, z2, sf_scatfac_param_name(sf->param));
      /* Mirror to positive z. */
      const double za = z1 > 0.0 ? z1 : -z2, zb = z1 > 0.0 ? z2 : -z1;
      for (int i = 0; i < t.n_yukawa; ++i)
        sum += yukawa_axis(t.kappa[i], t.ya[i], t.yb[i], za, zb);
    } else {
      double gx[SLAB_GL_ORDER], gw[SLAB_GL_ORDER];
      SF_TRY(sf_quad_gauss_legendre(SLAB_GL_ORDER, gx, gw));
      const double t1 = asinh(z1 / r), t2 = asinh(z2 / r); /* +-inf stay infinite */
      for (int i = 0; i < t.n_yukawa; ++i) {
        const double x = t.kappa[i] * r;
        double part;
        if (t1 >= 0.0)
          part = yukawa_t(x, r, t.ya[i], t.yb[i], t1, t2, gx, gw);
        else if (t2 <= 0.0)
          part = yukawa_t(x, r, t.ya[i], t.yb[i], -t2, -t1, gx, gw);
        else
          part = yukawa_t(x, r, t.ya[i], t.yb[i], 0.0, -t1, gx, gw) +
                 yukawa_t(x, r, t.ya[i], t.yb[i], 0.0, t2, gx, gw);
        sum += part;
      }
    }
  }
  *vz_VA = sum;
  return SF_OK;
}
