/* transition_eval.c - evaluating a transition-potential set: T_f(q) at a
   transverse frequency, T_f(R) on a periodic real-space grid (FFTW), and
   cross-sections integrated over a collection angle and the energy window.

   T_f(q) = gamma / (2 pi^2 a0 k_n) M_f(K) / (q^2 + q_z^2), K = 2 pi (q, -q_z);
   sum over f at one node of the integral of |T_f|^2 over |q| <= k0 beta is
       dsigma/deps = int pi C^2 N_e sum_l' S_l'(K) e^-t dt,  t = ln(q^2 + q_z^2),
   with S the rotation-invariant angular sum (sf_transition_angular_sum). */
#include "potentials/transition_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

/* I_lambda(K) for lambda = 0..lam_max of (node j, l' index a), 4-point
   Lagrange interpolation on the uniform K table. Returns 0, or -1 when K is
   beyond the table. */
static int interp_I(const sf_transition_set *ts, size_t j, int a, double K, double *I) {
  const double t = K / ts->dK;
  if (t > (double)(ts->nK - 1))
    return -1;
  long i0 = (long)floor(t) - 1;
  if (i0 < 0)
    i0 = 0;
  if (i0 > (long)ts->nK - 4)
    i0 = (long)ts->nK - 4;
  const double s = t - (double)i0;
  double w[4];
  for (int q = 0; q < 4; ++q) {
    w[q] = 1.0;
    for (int qq = 0; qq < 4; ++qq)
      if (qq != q)
        w[q] *= (s - qq) / (q - qq);
  }
  for (int lam = 0; lam <= ts->lam_max; ++lam) {
    const double *row = ts->I + tp_index(ts, j, a, lam) + i0;
    I[lam] = w[0] * row[0] + w[1] * row[1] + w[2] * row[2] + w[3] * row[3];
  }
  return 0;
}

static int lp_index(const sf_transition_set *ts, int lp) {
  for (int a = 0; a < ts->n_lp; ++a)
    if (ts->lp[a] == lp)
      return a;
  return -1;
}

/* T_f at (qx, qy) without checks beyond the table range. */
static int eval_q(const sf_transition_set *ts, size_t f, double qx, double qy, double out[2]) {
  const sf_transition_state *st = &ts->states[f];
  const sf_transition_node *nd = &ts->nodes[st->node];
  const double qz = nd->q_z_invA;
  const double q2 = qx * qx + qy * qy + qz * qz;
  const double Q = sqrt(q2);
  const double K = SF_TWO_PI * Q * SF_BOHR_RADIUS_A;
  double I[TP_LAMBDA_MAX + 1];
  if (interp_I(ts, st->node, lp_index(ts, st->lp), K, I) != 0)
    return -1;
  const double cos_t = -qz / Q, phi = atan2(qy, qx);
  const int mu = st->m - st->mp;
  const double *cf = ts->coef + f * (size_t)(ts->lam_max + 1);
  double re = 0.0, im = 0.0;
  const int l = st->l, lp = st->lp;
  const int lmin = l > lp ? l - lp : lp - l;
  for (int lam = lmin; lam <= l + lp; lam += 2) {
    if (cf[lam] == 0.0)
      continue;
    double y[2];
    sf_transition_ylm(lam, mu, cos_t, phi, y);
    double pr = cf[lam] * I[lam] * y[0], pi = cf[lam] * I[lam] * y[1];
    switch (lam % 4) { /* (-i)^lambda */
    case 0: break;
    case 1: { double t = pr; pr = pi; pi = -t; } break;
    case 2: pr = -pr; pi = -pi; break;
    default: { double t = pr; pr = -pi; pi = t; } break;
    }
    re += pr;
    im += pi;
  }
  const double C = ts->gamma / (2.0 * SF_PI * SF_PI * SF_BOHR_RADIUS_A * nd->k_n_invA);
  out[0] = C * re / q2;
  out[1] = C * im / q2;
  return 0;
}

int sf_transition_potential_q(const sf_transition_set *ts, size_t f, double qx_invA,
                              double qy_invA, double out[2]) {
  if (!ts || !out)
    return sf_error_set(SF_EINVAL, "sf_transition_potential_q: NULL argument");
  if (f >= ts->n_states)
    return sf_error_set(SF_ERANGE, "final state %zu: the set has %zu", f, ts->n_states);
  if (eval_q(ts, f, qx_invA, qy_invA, out) != 0)
    return sf_error_set(SF_ERANGE,
                        "transition potential at |q| = %g / A: beyond the table (q_max_invA = %g)",
                        sqrt(qx_invA * qx_invA + qy_invA * qy_invA), ts->p.q_max_invA);
  return SF_OK;
}

int sf_transition_potential_grid(const sf_transition_set *ts, size_t f, const sf_tp_grid *grid,
                                 double x_A, double y_A, int weighted, float *out) {
  if (!ts || !grid || !out)
    return sf_error_set(SF_EINVAL, "sf_transition_potential_grid: NULL argument");
  if (f >= ts->n_states)
    return sf_error_set(SF_ERANGE, "final state %zu: the set has %zu", f, ts->n_states);
  const size_t nx = grid->nx, ny = grid->ny;
  const double dx = grid->sampling_x_A, dy = grid->sampling_y_A;
  if (nx < 2 || ny < 2 || nx > 65536 || ny > 65536 || !(dx > 0.0) || !(dy > 0.0))
    return sf_error_set(SF_EINVAL,
                        "transition-potential grid %zu x %zu, sampling %g x %g A: need >= 2 "
                        "pixels and positive sampling",
                        nx, ny, dx, dy);
  const double bl = grid->band_limit > 0.0 ? grid->band_limit : 2.0 / 3.0;
  if (bl > 1.0)
    return sf_error_set(SF_EINVAL, "band_limit = %g: must be in (0, 1]", bl);
  const double q_nyq = fmin(0.5 / dx, 0.5 / dy), q_bl = bl * q_nyq;
  if (q_bl > ts->p.q_max_invA)
    return sf_error_set(SF_ERANGE,
                        "band limit %g / A of the %g x %g A grid exceeds the tabulated q_max = "
                        "%g / A (build the set with a larger q_max_invA)",
                        q_bl, dx, dy, ts->p.q_max_invA);
  fftw_complex *buf = fftw_malloc(nx * ny * sizeof(fftw_complex));
  if (!buf)
    return sf_error_set(SF_ENOMEM, "transition-potential grid %zu x %zu: out of memory", nx, ny);
  fftw_plan plan = fftw_plan_dft_2d((int)ny, (int)nx, buf, buf, FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!plan) {
    fftw_free(buf);
    return sf_error_set(SF_ENOMEM, "transition-potential grid: FFTW planning failed");
  }
  const double Lx = (double)nx * dx, Ly = (double)ny * dy;
#pragma omp parallel for schedule(static)
  for (long iy = 0; iy < (long)ny; ++iy) {
    const long fy = iy <= (long)ny / 2 ? iy : iy - (long)ny;
    const double qy = (double)fy / Ly;
    for (size_t ix = 0; ix < nx; ++ix) {
      const long fx = (long)ix <= (long)nx / 2 ? (long)ix : (long)ix - (long)nx;
      const double qx = (double)fx / Lx;
      double *c = buf[(size_t)iy * nx + ix];
      c[0] = c[1] = 0.0;
      if (qx * qx + qy * qy > q_bl * q_bl)
        continue;
      double T[2];
      eval_q(ts, f, qx, qy, T);
      const double ph = -SF_TWO_PI * (qx * x_A + qy * y_A);
      const double cp = cos(ph), sp = sin(ph);
      c[0] = T[0] * cp - T[1] * sp;
      c[1] = T[0] * sp + T[1] * cp;
    }
  }
  fftw_execute(plan);
  double scale = 1.0 / ((double)nx * (double)ny * dx * dy);
  if (weighted)
    scale *= sqrt(ts->nodes[ts->states[f].node].weight_eV);
  for (size_t k = 0; k < nx * ny; ++k) {
    out[2 * k] = (float)(buf[k][0] * scale);
    out[2 * k + 1] = (float)(buf[k][1] * scale);
  }
  fftw_destroy_plan(plan);
  fftw_free(buf);
  return SF_OK;
}

int sf_transition_dsigma_deps(const sf_transition_set *ts, size_t j, double beta_mrad,
                              double *barn_per_eV) {
  if (!ts || !barn_per_eV)
    return sf_error_set(SF_EINVAL, "sf_transition_dsigma_deps: NULL argument");
  if (j >= ts->n_nodes)
    return sf_error_set(SF_ERANGE, "energy node %zu: the set has %zu", j, ts->n_nodes);
  if (!(beta_mrad > 0.0) || !isfinite(beta_mrad))
    return sf_error_set(SF_EINVAL, "collection semi-angle %g mrad: must be > 0", beta_mrad);
  const sf_transition_node *nd = &ts->nodes[j];
  const double qmax = ts->k0_invA * beta_mrad * 1e-3;
  if (qmax > ts->p.q_max_invA * (1.0 + 1e-12))
    return sf_error_set(SF_ERANGE,
                        "collection semi-angle %g mrad (q = %g / A at %g keV) exceeds the "
                        "tabulated q_max = %g / A",
                        beta_mrad, qmax, ts->p.energy_keV, ts->p.q_max_invA);
  const double qz = nd->q_z_invA;
  const double t0 = log(qz * qz), t1 = log(qmax * qmax + qz * qz);
  const int ng = 8;
  double gx[8], gw[8];
  SF_TRY(sf_quad_gauss_legendre(ng, gx, gw));
  const int panels = (int)ceil((t1 - t0) / 0.2) + 1;
  const double dt = (t1 - t0) / panels;
  const double Ne = ts->edge.electrons[nd->component] / (2 * ts->edge.l + 1);
  double sum = 0.0;
  for (int pnl = 0; pnl < panels; ++pnl)
    for (int k = 0; k < ng; ++k) {
      const double t = t0 + dt * (pnl + 0.5 * (gx[k] + 1.0));
      const double K = SF_TWO_PI * exp(0.5 * t) * SF_BOHR_RADIUS_A;
      double S = 0.0;
      for (int a = 0; a < ts->n_lp; ++a) {
        double I[TP_LAMBDA_MAX + 1];
        if (interp_I(ts, j, a, K, I) != 0)
          return sf_error_set(SF_ERANGE, "cross-section: K = %g / Bohr beyond the table", K);
        S += sf_transition_angular_sum(ts->edge.l, ts->lp[a], I);
      }
      sum += 0.5 * dt * gw[k] * S * exp(-t);
    }
  const double C = ts->gamma / (2.0 * SF_PI * SF_PI * SF_BOHR_RADIUS_A * nd->k_n_invA);
  *barn_per_eV = SF_PI * C * C * Ne * sum / SF_BARN_A2;
  return SF_OK;
}

int sf_transition_cross_section(const sf_transition_set *ts, double beta_mrad, double *barn) {
  if (!ts || !barn)
    return sf_error_set(SF_EINVAL, "sf_transition_cross_section: NULL argument");
  double s = 0.0;
  for (size_t j = 0; j < ts->n_nodes; ++j) {
    double d;
    SF_TRY(sf_transition_dsigma_deps(ts, j, beta_mrad, &d));
    s += ts->nodes[j].weight_eV * d;
  }
  *barn = s;
  return SF_OK;
}
