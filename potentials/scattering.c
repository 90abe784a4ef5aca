/* scattering.c - f_e(q) and the closed-form potentials of the three
   parameterizations (names, citations, coefficients, V, v_z and friends). */
#include "potentials/sf_scattering.h"

#include "core/sf_status.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_tables.h"

#include <gsl/gsl_sf_bessel.h>
#include <math.h>
#include <stddef.h>
#include <strings.h>

static const sf_scatfac_info infos[SF_SCATFAC_COUNT] = {
    {SF_SCATFAC_KIRKLAND, "kirkland",
     "E. J. Kirkland, Advanced Computing in Electron Microscopy, 2nd ed. (Springer, 2010), "
     "Appendix C",
     "10.1007/978-1-4419-6533-2",
     "f_e(q) = sum_{i=1..3} a_i/(q^2 + b_i) + sum_{i=1..3} c_i exp(-d_i q^2)",
     "Dirac-Fock electron scattering factors", SF_TABLE_KIRKLAND_Z_MAX, 12.0},
    {SF_SCATFAC_LOBATO, "lobato",
     "I. Lobato and D. Van Dyck, Acta Cryst. A70, 636-649 (2014): an accurate "
     "parameterization for scattering factors, electron densities and electrostatic "
     "potentials for neutral atoms that obey all physical constraints",
     "10.1107/S205327331401643X",
     "f_e(q) = sum_{i=1..5} a_i (2 + b_i q^2)/(1 + b_i q^2)^2",
     "relativistic Hartree-Fock electron scattering factors", SF_TABLE_LOBATO_Z_MAX, 12.0},
    {SF_SCATFAC_PENG, "peng",
     "L.-M. Peng, G. Ren, S. L. Dudarev and M. J. Whelan, Acta Cryst. A52, 257-276 (1996): "
     "robust parameterization of elastic and absorptive electron atomic scattering factors "
     "(neutral atoms, 0 < s < 6 1/A)",
     "10.1107/S0108767395014371",
     "f_e(q) = sum_{i=1..5} a_i exp(-b_i q^2/4)   (s = q/2)",
     "Dirac-Fock electron scattering factors (5-Gaussian fit)", SF_TABLE_PENG_Z_MAX, 12.0},
};

const sf_scatfac_info *sf_scatfac_info_get(sf_scatfac_param param) {
  if ((int)param < 0 || (int)param >= SF_SCATFAC_COUNT)
    return NULL;
  return &infos[param];
}

const char *sf_scatfac_param_name(sf_scatfac_param param) {
  const sf_scatfac_info *info = sf_scatfac_info_get(param);
  return info ? info->name : NULL;
}

int sf_scatfac_param_from_name(const char *name, sf_scatfac_param *param) {
  if (!param)
    return sf_error_set(SF_EINVAL, "scattering-factor parameterization: NULL output pointer");
  if (!name) {
    *param = SF_SCATFAC_DEFAULT;
    return SF_OK;
  }
  for (int i = 0; i < SF_SCATFAC_COUNT; ++i) {
    if (strcasecmp(name, infos[i].name) == 0) {
      *param = infos[i].param;
      return SF_OK;
    }
  }
  return sf_error_set(SF_EINVAL,
                      "unknown scattering-factor parameterization '%s' (valid: kirkland "
                      "(default), lobato, peng)",
                      name);
}

int sf_scatfac_init(sf_scatfac *sf, sf_scatfac_param param, int Z) {
  if (!sf)
    return sf_error_set(SF_EINVAL, "sf_scatfac_init: NULL output");
  const sf_scatfac_info *info = sf_scatfac_info_get(param);
  if (!info)
    return sf_error_set(SF_EINVAL, "scattering-factor parameterization %d is not valid",
                        (int)param);
  if (Z < 1 || Z > info->z_max)
    return sf_error_set(SF_ERANGE,
                        "atomic number Z = %d is outside the %s parameter table (Z = 1..%d)", Z,
                        info->name, info->z_max);
  *sf = (sf_scatfac){0};
  sf->param = param;
  sf->Z = Z;
  switch (param) {
  case SF_SCATFAC_KIRKLAND: {
    const double *row = sf_table_kirkland_2010[Z - 1];
    for (int i = 0; i < 3; ++i) {
      sf->a[i] = row[2 * i];
      sf->b[i] = row[2 * i + 1];
      sf->c[i] = row[6 + 2 * i];
      sf->d[i] = row[6 + 2 * i + 1];
    }
    break;
  }
  case SF_SCATFAC_LOBATO:
  case SF_SCATFAC_PENG: {
    const double *row =
        param == SF_SCATFAC_LOBATO ? sf_table_lobato_2014[Z - 1] : sf_table_peng_1996[Z - 1];
    for (int i = 0; i < 5; ++i) {
      sf->a[i] = row[i];
      sf->b[i] = row[5 + i];
    }
    break;
  }
  }
  return SF_OK;
}

/* --- Bessel helpers: never call GSL outside its domain (its default error
   handler aborts). Scaled forms avoid underflow for large x. --- */

static double k0(double x) {
  if (x > 700.0)
    return 0.0;
  if (!(x > 0.0))
    return INFINITY;
  return gsl_sf_bessel_K0_scaled(x) * exp(-x);
}

static double k1(double x) {
  if (x > 700.0)
    return 0.0;
  if (x < 1e-300) /* K1(x) -> 1/x; GSL would overflow */
    return 1.0 / x;
  return gsl_sf_bessel_K1_scaled(x) * exp(-x);
}

/* x K1(x), -> 1 as x -> 0. */
static double xk1(double x) {
  if (x < 1e-150)
    return 1.0;
  if (x > 700.0)
    return 0.0;
  return x * k1(x);
}

/* x^2 K0(x), -> 0 as x -> 0. */
static double x2k0(double x) {
  if (x < 1e-150 || x > 700.0)
    return 0.0;
  return x * x * k0(x);
}

/* 1 - x K1(x) without cancellation for small x:
   x K1(x) = 1 + (x^2/2)(ln(x/2) + gamma_E - 1/2) + O(x^4 ln x). */
static double one_minus_xk1(double x) {
  if (x < 1e-4) {
    const double euler_gamma = 0.57721566490153286061;
    if (x < 1e-150)
      return 0.0;
    return -0.5 * x * x * (log(0.5 * x) + euler_gamma - 0.5);
  }
  return 1.0 - xk1(x);
}

static int radius_ok(double r) { return r >= 0.0; } /* false for NaN */

double sf_scatfac_fe(const sf_scatfac *sf, double q) {
  const double q2 = q * q;
  double f = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    for (int i = 0; i < 3; ++i)
      f += sf->a[i] / (q2 + sf->b[i]) + sf->c[i] * exp(-sf->d[i] * q2);
    break;
  case SF_SCATFAC_LOBATO:
    for (int i = 0; i < 5; ++i) {
      const double u = 1.0 + sf->b[i] * q2;
      f += sf->a[i] * (1.0 + u) / (u * u);
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i)
      f += sf->a[i] * exp(-0.25 * sf->b[i] * q2);
    break;
  }
  return f;
}

double sf_scatfac_potential(const sf_scatfac *sf, double r) {
  if (!radius_ok(r))
    return NAN;
  if (isinf(r))
    return 0.0;
  const double a0e = SF_A0E_VA2, pi = SF_PI;
  double v = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 3; ++i) {
      v += 2.0 * pi * pi * a0e * sf->a[i] / r * exp(-2.0 * pi * r * sqrt(sf->b[i]));
      v += 2.0 * pow(pi, 2.5) * a0e * sf->c[i] * pow(sf->d[i], -1.5) *
           exp(-pi * pi * r * r / sf->d[i]);
    }
    break;
  case SF_SCATFAC_LOBATO:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 5; ++i) {
      const double sb = sqrt(sf->b[i]);
      v += 2.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * (1.0 / r + pi / sb) *
           exp(-2.0 * pi * r / sb);
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i)
      v += 2.0 * pi * a0e * sf->a[i] * pow(4.0 * pi / sf->b[i], 1.5) *
           exp(-4.0 * pi * pi * r * r / sf->b[i]);
    break;
  }
  return v;
}

double sf_scatfac_vz(const sf_scatfac *sf, double r) {
  if (!radius_ok(r))
    return NAN;
  if (isinf(r))
    return 0.0;
  const double a0e = SF_A0E_VA2, pi = SF_PI;
  double v = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 3; ++i) {
      v += 4.0 * pi * pi * a0e * sf->a[i] * k0(2.0 * pi * r * sqrt(sf->b[i]));
      v += 2.0 * pi * pi * a0e * sf->c[i] / sf->d[i] * exp(-pi * pi * r * r / sf->d[i]);
    }
    break;
  case SF_SCATFAC_LOBATO:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 5; ++i) {
      const double x = 2.0 * pi * r / sqrt(sf->b[i]);
      v += 4.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * (k0(x) + 0.5 * xk1(x));
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i)
      v += 8.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * exp(-4.0 * pi * pi * r * r / sf->b[i]);
    break;
  }
  return v;
}

double sf_scatfac_vz_dr(const sf_scatfac *sf, double r) {
  if (!radius_ok(r))
    return NAN;
  if (isinf(r))
    return 0.0;
  const double a0e = SF_A0E_VA2, pi = SF_PI;
  double dv = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    if (r == 0.0)
      return -INFINITY;
    for (int i = 0; i < 3; ++i) {
      const double k = 2.0 * pi * sqrt(sf->b[i]);
      const double alpha = pi * pi / sf->d[i];
      dv -= 4.0 * pi * pi * a0e * sf->a[i] * k * k1(k * r);
      dv -= 2.0 * pi * pi * a0e * sf->c[i] / sf->d[i] * 2.0 * alpha * r * exp(-alpha * r * r);
    }
    break;
  case SF_SCATFAC_LOBATO:
    if (r == 0.0)
      return -INFINITY;
    for (int i = 0; i < 5; ++i) {
      const double k = 2.0 * pi / sqrt(sf->b[i]);
      const double x = k * r;
      dv -= 4.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * k * (k1(x) + 0.5 * x * k0(x));
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i) {
      const double alpha = 4.0 * pi * pi / sf->b[i];
      dv -= 8.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * 2.0 * alpha * r * exp(-alpha * r * r);
    }
    break;
  }
  return dv;
}

double sf_scatfac_vz_laplacian(const sf_scatfac *sf, double r) {
  if (!radius_ok(r))
    return NAN;
  if (isinf(r))
    return 0.0;
  const double a0e = SF_A0E_VA2, pi = SF_PI;
  double lap = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 3; ++i) {
      /* (nabla^2 - k^2) K0(k r) = 0 away from the origin. */
      const double k = 2.0 * pi * sqrt(sf->b[i]);
      const double alpha = pi * pi / sf->d[i];
      lap += 4.0 * pi * pi * a0e * sf->a[i] * k * k * k0(k * r);
      lap += 2.0 * pi * pi * a0e * sf->c[i] / sf->d[i] * 4.0 * alpha * (alpha * r * r - 1.0) *
             exp(-alpha * r * r);
    }
    break;
  case SF_SCATFAC_LOBATO:
    if (r == 0.0)
      return INFINITY;
    for (int i = 0; i < 5; ++i) {
      /* nabla^2 [K0(x) + (x/2) K1(x)] = k^2 (x/2) K1(x). */
      const double k = 2.0 * pi / sqrt(sf->b[i]);
      lap += 4.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * k * k * 0.5 * xk1(k * r);
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i) {
      const double alpha = 4.0 * pi * pi / sf->b[i];
      lap += 8.0 * pi * pi * a0e * sf->a[i] / sf->b[i] * 4.0 * alpha * (alpha * r * r - 1.0) *
             exp(-alpha * r * r);
    }
    break;
  }
  return lap;
}

double sf_scatfac_vz_disc(const sf_scatfac *sf, double R) {
  if (!radius_ok(R))
    return NAN;
  if (isinf(R))
    return sf_scatfac_vz_total(sf);
  const double pi = SF_PI, two_pi_a0e = SF_TWO_PI_A0E_VA2;
  double g = 0.0;
  switch (sf->param) {
  case SF_SCATFAC_KIRKLAND:
    for (int i = 0; i < 3; ++i) {
      const double x = 2.0 * pi * R * sqrt(sf->b[i]);
      const double alpha = pi * pi / sf->d[i];
      g += two_pi_a0e * sf->a[i] / sf->b[i] * one_minus_xk1(x);
      g += two_pi_a0e * sf->c[i] * -expm1(-alpha * R * R);
    }
    break;
  case SF_SCATFAC_LOBATO:
    for (int i = 0; i < 5; ++i) {
      const double x = 2.0 * pi * R / sqrt(sf->b[i]);
      /* Integral_0^x [y K0(y) + (y^2/2) K1(y)] dy = (1 - x K1) + (2 - x^2 K2)/2
         = 2 (1 - x K1) - x^2 K0 / 2, using x^2 K2 = x^2 K0 + 2 x K1. */
      g += two_pi_a0e * sf->a[i] * (2.0 * one_minus_xk1(x) - 0.5 * x2k0(x));
    }
    break;
  case SF_SCATFAC_PENG:
    for (int i = 0; i < 5; ++i)
      g += two_pi_a0e * sf->a[i] * -expm1(-4.0 * pi * pi * R * R / sf->b[i]);
    break;
  }
  return g;
}

double sf_scatfac_vz_total(const sf_scatfac *sf) {
  return SF_TWO_PI_A0E_VA2 * sf_scatfac_fe(sf, 0.0);
}
