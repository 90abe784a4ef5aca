/* atom_xc.c - Slater exchange + VWN5 correlation (the LDA of NIST SRD 141):
   a hand-coded version and the libxc one (XC_LDA_X + XC_LDA_C_VWN), plus the
   MacDonald-Vosko relativistic correction of exchange.

   VWN5: S. H. Vosko, L. Wilk and M. Nusair, Can. J. Phys. 58, 1200 (1980),
   paramagnetic fit to the Ceperley-Alder data, A = 0.0310907 Ha,
   x0 = -0.10498, b = 3.72744, c = 12.9352 (the constants of libxc's
   lda_c_vwn and of dftatom). */
#include "potentials/sf_atom.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>
#include <stddef.h>

#ifdef SF_HAVE_LIBXC
#include <xc.h>
#endif

/* Speed of light in atomic units (CODATA 2018: 1/alpha). */
#define ATOM_C_AU 137.035999084

void sf_atom_xc_builtin(double rho, double *exc, double *vxc) {
  if (!(rho > 0.0)) {
    *exc = 0.0;
    *vxc = 0.0;
    return;
  }
  /* Slater exchange. */
  const double ex = -0.75 * cbrt(3.0 * rho / SF_PI);
  const double vx = 4.0 / 3.0 * ex;
  /* VWN5 correlation. */
  const double A = 0.0310907, x0 = -0.10498, b = 3.72744, c = 12.9352;
  const double Q = sqrt(4.0 * c - b * b);
  const double rs = cbrt(3.0 / (4.0 * SF_PI * rho));
  const double x = sqrt(rs);
  const double X = x * x + b * x + c;
  const double X0 = x0 * x0 + b * x0 + c;
  const double tx = 2.0 * x + b;
  const double at = atan(Q / tx);
  const double ec = A * (log(x * x / X) + 2.0 * b / Q * at -
                         b * x0 / X0 * (log((x - x0) * (x - x0) / X) + 2.0 * (b + 2.0 * x0) / Q * at));
  const double den = Q * Q + tx * tx;
  const double dec = A * (2.0 / x - tx / X - 4.0 * b / den -
                          b * x0 / X0 * (2.0 / (x - x0) - tx / X - 4.0 * (b + 2.0 * x0) / den));
  const double vc = ec - x / 6.0 * dec;
  *exc = ex + ec;
  *vxc = vx + vc;
}

/* MacDonald-Vosko factors for exchange energy (phi_e) and potential (phi_v). */
static void mv_factors(double rho, double *phi_e, double *phi_v) {
  const double kf = cbrt(3.0 * SF_PI * SF_PI * rho);
  const double beta = kf / ATOM_C_AU;
  if (beta < 1e-4) {
    /* Series: (beta mu - asinh beta) / beta^2 = 2/3 beta - 1/5 beta^3 + ...;
       3/2 asinh(beta)/(beta mu) - 1/2 = 1 - 4/3 beta^2 + ... */
    const double t = 2.0 / 3.0 * beta - 0.2 * beta * beta * beta;
    *phi_e = 1.0 - 1.5 * t * t;
    *phi_v = 1.0 - 4.0 / 3.0 * beta * beta;
    return;
  }
  const double mu = sqrt(1.0 + beta * beta);
  const double as = log(beta + mu);
  const double t = (beta * mu - as) / (beta * beta);
  *phi_e = 1.0 - 1.5 * t * t;
  *phi_v = 1.5 * as / (beta * mu) - 0.5;
}

int sf_atom_xc_have_libxc(void) {
#ifdef SF_HAVE_LIBXC
  return 1;
#else
  return 0;
#endif
}


int sf_atom_xc_eval(sf_atom_xc_backend backend, int relativistic, size_t np, const double *rho,
                    double *exc, double *vxc) {
  if (backend == SF_ATOM_XC_AUTO)
    backend = sf_atom_xc_have_libxc() ? SF_ATOM_XC_LIBXC : SF_ATOM_XC_BUILTIN;
  if (backend == SF_ATOM_XC_BUILTIN) {
    for (size_t i = 0; i < np; ++i) {
      sf_atom_xc_builtin(rho[i], &exc[i], &vxc[i]);
      if (relativistic && rho[i] > 0.0) {
        double pe, pv;
        const double ex = -0.75 * cbrt(3.0 * rho[i] / SF_PI);
        mv_factors(rho[i], &pe, &pv);
        exc[i] += ex * (pe - 1.0);
        vxc[i] += 4.0 / 3.0 * ex * (pv - 1.0);
      }
    }
    return SF_OK;
  }
  if (backend != SF_ATOM_XC_LIBXC)
    return sf_error_set(SF_EINVAL, "exchange-correlation backend %d: unknown", (int)backend);
#ifdef SF_HAVE_LIBXC
  /* libxc returns exchange and correlation separately; the exchange part is
     evaluated into a small block buffer so that the MacDonald-Vosko factor
     can be applied to it alone. */
  xc_func_type fx, fc;
  if (xc_func_init(&fx, XC_LDA_X, XC_UNPOLARIZED) != 0)
    return sf_error_set(SF_EUNSUPPORTED, "libxc: XC_LDA_X unavailable");
  if (xc_func_init(&fc, XC_LDA_C_VWN, XC_UNPOLARIZED) != 0) {
    xc_func_end(&fx);
    return sf_error_set(SF_EUNSUPPORTED, "libxc: XC_LDA_C_VWN unavailable");
  }
  enum { BLOCK = 256 };
  double ex[BLOCK], vx[BLOCK], rb[BLOCK];
  for (size_t start = 0; start < np; start += BLOCK) {
    size_t m = np - start < BLOCK ? np - start : BLOCK;
    for (size_t i = 0; i < m; ++i)
      rb[i] = rho[start + i] > 0.0 ? rho[start + i] : 0.0;
    xc_lda_exc_vxc(&fx, m, rb, ex, vx);
    xc_lda_exc_vxc(&fc, m, rb, exc + start, vxc + start);
    for (size_t i = 0; i < m; ++i) {
      double pe = 1.0, pv = 1.0;
      if (relativistic && rb[i] > 0.0)
        mv_factors(rb[i], &pe, &pv);
      exc[start + i] += pe * ex[i];
      vxc[start + i] += pv * vx[i];
    }
  }
  xc_func_end(&fx);
  xc_func_end(&fc);
  return SF_OK;
#else
  (void)relativistic;
  (void)np;
  (void)rho;
  (void)exc;
  (void)vxc;
  return sf_error_set(SF_EUNSUPPORTED,
                      "exchange-correlation backend libxc: this build has no libxc "
                      "(install libxc-dev and reconfigure, or use the built-in backend)");
#endif
}
