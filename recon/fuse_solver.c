/* fuse_solver.c - accelerated proximal gradient for the fusion objective:
   FISTA with a per-element metric, backtracking on the sufficient decrease
   of F through the TV prox, step growth after clean steps, momentum restart
   on a cost increase, and the stopping rule. */
#include "recon/sf_fuse_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_progress.h"
#include "core/sf_status.h"
#include "recon/sf_recon_loops.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* Relative size of rounding noise in sums of many terms. */
#define FUSE_ROUNDING 1e-13

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void sf_fuse_result_destroy(sf_fuse_result *r) {
  if (!r)
    return;
  sf_free(r->x);
  sf_free(r->yield);
  sf_free(r->trace);
  sf_free(r);
}

static sf_fuse_result *result_create(const sf_fuse_solver *s) {
  sf_fuse_result *r = sf_alloc(1, sizeof *r, "fusion result");
  if (!r)
    return NULL;
  r->nx = s->nx;
  r->ny = s->ny;
  r->n_elements = s->ne;
  r->x = sf_alloc(s->ne * s->n, sizeof(double), "fusion result maps");
  r->yield = sf_alloc(s->ne, sizeof(double), "fusion result yields");
  r->trace = sf_alloc((size_t)s->par.max_iter + 1, sizeof(sf_fuse_cost), "fusion cost trace");
  if (!r->x || !r->yield || !r->trace) {
    sf_fuse_result_destroy(r);
    return NULL;
  }
  return r;
}

static sf_fuse_cost cost_of(const sf_fuse_params *par, const sf_fuse_point *pt, double step) {
  sf_fuse_cost c;
  c.psi1 = pt->psi1;
  c.psi2 = pt->psi2;
  c.tv = pt->tv;
  c.chem_term = par->lambda_chem * pt->psi2;
  c.tv_term = par->lambda_tv * pt->tv;
  c.total = c.psi1 + c.chem_term + c.tv_term;
  c.scale = pt->scale;
  c.offset = pt->offset;
  c.step = step;
  return c;
}

/* z = max(x + beta (x - x_old), 0) */
static void extrapolate(size_t count, const double *x, const double *xo, double beta, double *z) {
  long nc = (long)count;
#pragma omp parallel for schedule(static) if (count >= SF_RECON_PAR_MIN)
  for (long q = 0; q < nc; q++) {
    double v = x[q] + beta * (x[q] - xo[q]);
    z[q] = 0.5 * (v + fabs(v));
  }
}

/* v = z - tau M g */
static void forward_step(size_t count, const double *z, const double *g, double tau,
                         const double *metric, double *v) {
  long nc = (long)count;
#pragma omp parallel for schedule(static) if (count >= SF_RECON_PAR_MIN)
  for (long q = 0; q < nc; q++)
    v[q] = z[q] - tau * metric[q] * g[q];
}

static void clamp_copy(size_t count, const double *v, double *x) {
  for (size_t q = 0; q < count; q++)
    x[q] = 0.5 * (v[q] + fabs(v[q]));
}

static int initial_guess(sf_fuse_solver *s, const double *x0, double *x) {
  const size_t n = s->n;
  for (size_t i = 0; i < s->ne; i++)
    for (size_t p = 0; p < n; p++) {
      double v;
      if (x0) {
        v = x0[i * n + p];
        if (!isfinite(v))
          return sf_error_set(SF_ENUMERIC,
                              "fuse: initial guess of element %zu (%s) at pixel (ix %zu, iy %zu) "
                              "= %g: not finite",
                              i, s->names[i], p % s->nx, p / s->nx, v);
      } else {
        v = s->chem[i][p] / s->yield_known[i];
      }
      x[i * n + p] = v > 0.0 ? v : 0.0;
    }
  return SF_OK;
}

int sf_fuse_solver_run(sf_fuse_solver *s, const double *x0, sf_fuse_result **out) {
  if (!s || !out)
    return sf_error_set(SF_EINVAL, "fuse: run: NULL argument");
  *out = NULL;
  const sf_fuse_params *par = &s->par;
  const size_t n = s->n, ne = s->ne, count = n * ne;
  sf_fuse_result *res = result_create(s);
  if (!res)
    return SF_ENOMEM;
  double t_start = now_s();
  s->bytes = 0.0;
  s->evaluations = 0;
  double *x = s->buf[0], *xo = s->buf[1], *z = s->buf[2], *xp = s->buf[3], *v = s->buf[4],
         *g = s->buf[5], *metric = s->buf[6];
  int st = initial_guess(s, x0, x);
  if (st != SF_OK) {
    sf_fuse_result_destroy(res);
    return st;
  }
  sf_tv_prox_reset(s->tv);
  s->have_held_scale = 0;
  for (size_t i = 0; i < ne; i++)
    s->yield_cur[i] = s->yield_known[i];
  sf_fuse_point cur, trial, zpt;
  sf_fuse_eval_opts o0 = {.want_tv = 1};
  st = sf_fuse_eval_point(s, x, &o0, &cur);
  if (st != SF_OK) {
    sf_fuse_result_destroy(res);
    return sf_error_prepend(st, "fuse: at the initial guess");
  }
  if (sf_fuse_scale_is_held(par)) {
    if (par->scale_mode == SF_FUSE_SCALE_FIXED) {
      s->held_scale = par->scale;
    } else {
      if (!(cur.scale > 0.0)) {
        sf_fuse_result_destroy(res);
        return sf_error_set(SF_EINVAL,
                            "fuse: the HAADF scale fitted at the initial guess is %g: the HAADF "
                            "does not correlate with the model; give params.scale",
                            cur.scale);
      }
      s->held_scale = cur.scale;
    }
    s->have_held_scale = 1;
    if (par->scale_mode == SF_FUSE_SCALE_FIT)
      sf_log(SF_LOG_INFO, "fuse: yields estimated: scale held at %g (fitted at the start)",
             s->held_scale);
  }
  if (par->estimate_yield)
    sf_fuse_update_yields(s, &cur);
  double phi = cur.psi1 + par->lambda_chem * cur.psi2 + par->lambda_tv * cur.tv;
  res->trace[0] = cost_of(par, &cur, 0.0);
  res->n_trace = 1;
  double lam[SF_FUSE_MAX_ELEMENTS];

  sf_tv_prox_params tvp;
  sf_tv_prox_params_default(&tvp);
  tvp.max_iter = par->tv_max_iter;
  tvp.tol = par->tv_tol;
  tvp.nonneg = 1;

  sf_progress *prog = par->progress ? sf_progress_begin("fuse iterations", (uint64_t)par->max_iter)
                                    : NULL;
  double tau = 1.0, t = 1.0, beta = 0.0;
  int k = 0, stalls = 0;
  sf_fuse_stop stop = SF_FUSE_STOP_MAX_ITER;
  double dx_rel = 0.0, dphi_rel = 0.0;
  while (k < par->max_iter) {
    const double *zp = x;
    if (par->accelerate && beta > 0.0) {
      extrapolate(count, x, xo, beta, z);
      s->bytes += 8.0 * (double)(3 * count);
      zp = z;
    }
    sf_fuse_eval_opts og = {.grad = g, .metric = metric};
    st = sf_fuse_eval_point(s, zp, &og, &zpt);
    if (st != SF_OK)
      break;
    const double fz = zpt.psi1 + par->lambda_chem * zpt.psi2;
    int accepted = 0, trials = 0;
    double curv = 0.0;
    double fp = 0.0;
    for (; trials < par->max_backtracks; trials++) {
      forward_step(count, zp, g, tau, metric, v);
      s->bytes += 8.0 * (double)(4 * count);
      if (par->lambda_tv > 0.0) {
        /* prox of tau lambda_tv y_i TV in the metric (tau M)^-1: weights M,
           TV weight tau lambda_tv y_i */
        for (size_t i = 0; i < ne; i++)
          lam[i] = tau * par->lambda_tv * s->yield_cur[i];
        sf_tv_prox_info info;
        st = sf_tv_prox_apply(s->tv, 0, ne, v, metric, lam, &tvp, xp, &info);
        if (st != SF_OK)
          break;
        res->tv_iterations += info.iterations;
        /* per dual iteration one sweep reads b, w, 4 dual fields and the old x
           and writes x and 2 dual fields (the dual step reuses the rows in
           cache); the final pass reads b, w, 4 dual fields and writes x */
        s->bytes += 8.0 * (double)count * (10.0 * info.iterations + 7.0);
      } else {
        clamp_copy(count, v, xp);
        s->bytes += 8.0 * (double)(2 * count);
      }
      sf_fuse_eval_opts ot = {.want_tv = 1, .z = zp, .g = g, .zmetric = metric, .xref = x};
      st = sf_fuse_eval_point(s, xp, &ot, &trial);
      if (st != SF_OK)
        break;
      fp = trial.psi1 + par->lambda_chem * trial.psi2;
      double dm = 0.0; /* ||x+ - z||^2 in the metric M^-1, without tau */
      for (size_t i = 0; i < ne; i++)
        dm += trial.dd[i];
      double q = fz + trial.gd + dm / (2.0 * tau);
      /* curvature of F along the step relative to the metric: the test passes
         when curv <= 1/tau */
      curv = dm > 0.0 ? 2.0 * (fp - fz - trial.gd) / dm : 0.0;
      double slack = FUSE_ROUNDING * (zpt.mag > trial.mag ? zpt.mag : trial.mag);
      if (fp <= q + slack) {
        accepted = 1;
        break;
      }
      tau *= par->step_shrink;
      res->backtracks++;
    }
    if (st != SF_OK)
      break;
    if (!accepted) {
      stop = SF_FUSE_STOP_STALLED;
      break;
    }
    double phi_new = fp + par->lambda_tv * trial.tv;
    double slack = FUSE_ROUNDING * (cur.mag > trial.mag ? cur.mag : trial.mag);
    if (phi_new > phi + slack) {
      if (beta > 0.0) {
        /* momentum overshoot: restart from x without momentum */
        beta = 0.0;
        t = 1.0;
        res->restarts++;
        continue;
      }
      /* a plain step that does not decrease (inexact prox): shorten it */
      tau *= par->step_shrink;
      if (++stalls > par->max_backtracks) {
        stop = SF_FUSE_STOP_STALLED;
        break;
      }
      continue;
    }
    stalls = 0;
    k++;
    double *tmp = xo;
    xo = x;
    x = xp;
    xp = tmp;
    if (par->estimate_yield) {
      /* block step: the yields minimise the objective exactly at the new x */
      sf_fuse_update_yields(s, &trial);
      phi_new = trial.psi1 + par->lambda_chem * trial.psi2 + par->lambda_tv * trial.tv;
    }
    dx_rel = trial.xx > 0.0 ? sqrt(trial.dx2 / trial.xx) : sqrt(trial.dx2);
    dphi_rel = fabs(phi_new - phi) / fmax(1.0, fabs(phi_new));
    phi = phi_new;
    cur = trial;
    res->trace[k] = cost_of(par, &cur, tau);
    res->n_trace = k + 1;
    sf_log(SF_LOG_DEBUG,
           "fuse: iteration %d: total %.10g (Psi1 %.6g, Psi2 %.6g, TV %.6g) step %.3g, "
           "curvature x step %.3g, %d rejected trials",
           k, phi, cur.psi1, cur.psi2, cur.tv, tau, curv * tau, trials);
    sf_progress_add(prog, 1);
    if (par->accelerate) {
      double t_new = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t));
      beta = (t - 1.0) / t_new;
      t = t_new;
    }
    /* grow the step after a clean step that used less than half of the
       curvature budget, so that growth rarely costs a rejected trial */
    if (trials == 0 && curv * tau < 0.5)
      tau *= par->step_grow;
    if ((par->tol_x > 0.0 || par->tol_cost > 0.0) && dx_rel <= par->tol_x &&
        dphi_rel <= par->tol_cost) {
      stop = SF_FUSE_STOP_CONVERGED;
      break;
    }
  }
  sf_progress_end(prog);
  if (st != SF_OK) {
    sf_fuse_result_destroy(res);
    return st;
  }
  memcpy(res->x, x, count * sizeof(double));
  for (size_t i = 0; i < ne; i++) {
    res->yield[i] = cur.yield[i];
    res->weights[i] = s->w[i];
  }
  res->scale = cur.scale;
  res->offset = cur.offset;
  res->haadf_sigma = s->sigma_h;
  res->iterations = k;
  res->stop = stop;
  res->rel_change_x = dx_rel;
  res->rel_change_cost = dphi_rel;
  res->step = tau;
  res->evaluations = s->evaluations;
  res->bytes = s->bytes;
  res->seconds = now_s() - t_start;
  sf_log(SF_LOG_INFO, "fuse: %s after %d iterations (total cost %.10g, dx %.3g, dcost %.3g), %.3f s",
         sf_fuse_stop_name(stop), k, phi, dx_rel, dphi_rel, res->seconds);
  *out = res;
  return SF_OK;
}

int sf_fuse_solve(const sf_fuse_problem *prob, const sf_fuse_params *par, const double *x0,
                  sf_fuse_result **out) {
  sf_fuse_solver *s = NULL;
  SF_TRY(sf_fuse_solver_create(prob, par, &s));
  int st = sf_fuse_solver_run(s, x0, out);
  sf_fuse_solver_destroy(s);
  return st;
}
