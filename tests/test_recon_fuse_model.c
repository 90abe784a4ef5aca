/* test_recon_fuse_model.c - the fusion objective, its gradient and Hessian.

   Checks: the HAADF weights of every mode; the gradient of F = Psi1 +
   lambda_chem Psi2 against central finite differences in every weight mode,
   for both chemical models, with the scale and offset fitted (eliminated: F
   is then a function of x only and its gradient the envelope gradient) or
   fixed, with known or estimated yields, and at other gammas; the optimality
   of the fitted scale, offset and estimated yields; the recorded costs and the
   closed-form yields against a direct evaluation of the stated objective
   written out in this file; the per-pixel Hessian blocks
   against finite differences of the gradient; standard errors from the blocks
   against the Sherman-Morrison formula; the HAADF noise estimate. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "recon/sf_fuse.h"
#include "recon/sf_uncertainty.h"
#include "support/testutil.h"

/* Central differences with a relative step of 1e-5 have truncation error
   ~1e-10 relative and rounding error ~1e-16 |F| / 1e-5: agreement to 1e-6 of
   the gradient's RMS is a strict check. */
#define TOL_FD_GRAD 1e-6
#define FD_STEP_REL 1e-5
/* Hessian blocks against differences of the analytic gradient. */
#define TOL_FD_HESS 1e-6
/* Recorded costs against the direct formula (two summation orders). */
#define TOL_COST_REL 1e-12

enum { NX = 7, NY = 5, NP = NX * NY, NE = 3 };

typedef struct fixture {
  double haadf[NP];
  double chem[NE][NP];
  const double *chem_ptr[NE];
  double Z[NE];
  double custom[NE];
  double x[NE * NP];
  sf_fuse_problem prob;
} fixture;

static void make_fixture(fixture *f, uint32_t seed) {
  sf_rng r;
  sf_rng_init(&r, 2024, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 20), seed);
  const double Z[NE] = {27, 25, 8};
  for (int i = 0; i < NE; i++) {
    f->Z[i] = Z[i];
    f->custom[i] = 0.5 + i;
    for (int p = 0; p < NP; p++) {
      f->chem[i][p] = sf_rng_poisson(&r, 3.0 + 2.0 * i + (p % 4));
      f->x[i * NP + p] = 0.5 + 3.0 * sf_rng_uniform(&r);
    }
    f->chem_ptr[i] = f->chem[i];
  }
  for (int p = 0; p < NP; p++)
    f->haadf[p] = 1000.0 + 400.0 * sin(0.3 * p) + 20.0 * sf_rng_normal(&r);
  memset(&f->prob, 0, sizeof f->prob);
  f->prob.nx = NX;
  f->prob.ny = NY;
  f->prob.n_elements = NE;
  f->prob.haadf = f->haadf;
  f->prob.chem = f->chem_ptr;
  f->prob.Z = f->Z;
  f->prob.custom_weights = f->custom;
}

Test(recon_fuse_model, weights_every_mode) {
  const double Z[3] = {27, 25, 8}, g = 1.6, custom[3] = {2, 0, 1};
  double w[3];
  double zg[3], zgs = 0;
  for (int i = 0; i < 3; i++) {
    zg[i] = pow(Z[i], g);
    zgs += zg[i];
  }
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_PAPER, 3, Z, g, NULL, w), SF_OK);
  for (int i = 0; i < 3; i++)
    cr_assert_float_eq(w[i], zg[i], 1e-12 * zg[i]);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_Z_MEAN, 3, Z, g, NULL, w), SF_OK);
  cr_assert_float_eq(w[0], 1.35, 1e-15);
  cr_assert_float_eq(w[1], 1.25, 1e-15);
  cr_assert_float_eq(w[2], 0.4, 1e-15);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_ZGAMMA_MEAN, 3, Z, g, NULL, w), SF_OK);
  for (int i = 0; i < 3; i++)
    cr_assert_float_eq(w[i], zg[i] / (zgs / 3), 1e-14);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_Z_SUM, 3, Z, g, NULL, w), SF_OK);
  cr_assert_float_eq(w[2], 8.0 / 60.0, 1e-15);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_ZGAMMA_SUM, 3, Z, g, NULL, w), SF_OK);
  cr_assert_float_eq(w[0], zg[0] / zgs, 1e-15);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_SUM, 3, Z, g, NULL, w), SF_OK);
  cr_assert(w[0] == 1 && w[1] == 1 && w[2] == 1);
  cr_assert_eq(sf_fuse_weights(SF_FUSE_WEIGHT_CUSTOM, 3, Z, g, custom, w), SF_OK);
  cr_assert(w[0] == 2 && w[1] == 0 && w[2] == 1);
  /* names round trip */
  for (int m = SF_FUSE_WEIGHT_PAPER; m <= SF_FUSE_WEIGHT_CUSTOM; m++) {
    sf_fuse_weight_mode back;
    cr_assert_eq(sf_fuse_weight_mode_parse(sf_fuse_weight_mode_name((sf_fuse_weight_mode)m), &back),
                 SF_OK);
    cr_assert_eq((int)back, m);
  }
  sf_fuse_weight_mode bad;
  cr_assert_eq(sf_fuse_weight_mode_parse("z^gamma", &bad), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "z^gamma") != NULL);
}

static double smooth_part(sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *fixed) {
  sf_fuse_cost c;
  cr_assert_eq(sf_fuse_solver_evaluate(s, x, fixed, &c, NULL, NULL), SF_OK, "%s",
               sf_error_message());
  return c.psi1 + c.chem_term;
}

/* Compare the gradient with central differences at every coordinate. */
static void check_gradient(fixture *f, const sf_fuse_params *par, const sf_fuse_nuisance *fixed,
                           const char *label) {
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f->prob, par, &s), SF_OK, "%s: %s", label,
               sf_error_message());
  double grad[NE * NP], x[NE * NP];
  sf_fuse_cost c;
  memcpy(x, f->x, sizeof x);
  cr_assert_eq(sf_fuse_solver_evaluate(s, x, fixed, &c, NULL, grad), SF_OK);
  double rms = 0.0;
  for (int q = 0; q < NE * NP; q++)
    rms += grad[q] * grad[q];
  rms = sqrt(rms / (NE * NP));
  cr_assert(rms > 0.0);
  double worst = 0.0;
  for (int q = 0; q < NE * NP; q++) {
    double h = FD_STEP_REL * x[q];
    double keep = x[q];
    x[q] = keep + h;
    double fp = smooth_part(s, x, fixed);
    x[q] = keep - h;
    double fm = smooth_part(s, x, fixed);
    x[q] = keep;
    double fd = (fp - fm) / (2.0 * h);
    double err = fabs(fd - grad[q]) / (fabs(grad[q]) + rms);
    if (err > worst)
      worst = err;
  }
  cr_assert(worst <= TOL_FD_GRAD, "%s: worst relative gradient error %.3g", label, worst);
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_model, gradient_matches_finite_differences_all_modes) {
  fixture f;
  make_fixture(&f, 1);
  char label[160];
  for (int m = SF_FUSE_WEIGHT_PAPER; m <= SF_FUSE_WEIGHT_CUSTOM; m++)
    for (int chem = 0; chem < 2; chem++)
      for (int off = 0; off < 2; off++)
        for (int est = 0; est < 2; est++) {
          sf_fuse_params par;
          sf_fuse_params_default(&par);
          par.weight_mode = (sf_fuse_weight_mode)m;
          par.chem_model = (sf_fuse_chem_model)chem;
          par.gamma = 1.6;
          par.lambda_chem = 0.7;
          par.fit_offset = off;
          par.estimate_yield = est;
          par.eps = 0.05;
          snprintf(label, sizeof label, "weights %s, %s, offset %s, yields %s",
                   sf_fuse_weight_mode_name(par.weight_mode),
                   sf_fuse_chem_model_name(par.chem_model), off ? "fitted" : "fixed",
                   est ? "estimated" : "known");
          check_gradient(&f, &par, NULL, label);
        }
}

Test(recon_fuse_model, gradient_with_fixed_nuisance_and_other_gammas) {
  fixture f;
  make_fixture(&f, 2);
  const double y[NE] = {0.8, 1.3, 2.1};
  sf_fuse_nuisance nu = {.scale = 0.37, .offset = 25.0, .yield = y};
  const double gammas[] = {0.8, 1.0, 1.4, 2.0, 3.5};
  char label[96];
  for (int gi = 0; gi < 5; gi++)
    for (int chem = 0; chem < 2; chem++) {
      sf_fuse_params par;
      sf_fuse_params_default(&par);
      par.weight_mode = SF_FUSE_WEIGHT_Z_MEAN;
      par.gamma = gammas[gi];
      par.chem_model = (sf_fuse_chem_model)chem;
      par.haadf_sigma = 30.0;
      snprintf(label, sizeof label, "fixed nuisance, gamma %g, %s", gammas[gi],
               sf_fuse_chem_model_name(par.chem_model));
      check_gradient(&f, &par, &nu, label);
    }
}

/* The estimated yields written out from their definition (minimisers of
   lambda_chem Psi2 + lambda_tv sum y_i TV(x_i) at x). */
static void direct_yields(const fixture *f, const sf_fuse_params *par, const double *x, double *y) {
  double ratio = par->lambda_tv / par->lambda_chem;
  for (int i = 0; i < NE; i++) {
    double B = 0, X = 0, xb = 0, xx = 0;
    for (int p = 0; p < NP; p++) {
      B += f->chem[i][p];
      X += x[i * NP + p];
      xb += x[i * NP + p] * f->chem[i][p];
      xx += x[i * NP + p] * x[i * NP + p];
    }
    double T = 0;
    {
      for (int iy = 0; iy < NY; iy++)
        for (int ix = 0; ix < NX; ix++) {
          double v = x[i * NP + iy * NX + ix];
          double dx = ix + 1 < NX ? x[i * NP + iy * NX + ix + 1] - v : 0.0;
          double dy = iy + 1 < NY ? x[i * NP + (iy + 1) * NX + ix] - v : 0.0;
          T += sqrt(dx * dx + dy * dy);
        }
    }
    if (par->chem_model == SF_FUSE_CHEM_POISSON)
      y[i] = B / (X + NP * par->eps + ratio * T);
    else
      y[i] = fmax(0.0, (xb - ratio * T) / xx);
  }
}

/* The objective written out directly from its definition. */
static double direct_tv(const double *x) {
  double t = 0.0;
  for (int iy = 0; iy < NY; iy++)
    for (int ix = 0; ix < NX; ix++) {
      double v = x[iy * NX + ix];
      double dx = ix + 1 < NX ? x[iy * NX + ix + 1] - v : 0.0;
      double dy = iy + 1 < NY ? x[(iy + 1) * NX + ix] - v : 0.0;
      t += sqrt(dx * dx + dy * dy);
    }
  return t;
}

static void direct_cost(const fixture *f, const sf_fuse_params *par, const double *w,
                        double sigma, const double *x, double s, double c, const double *y,
                        double out[3]) {
  double psi1 = 0.0, psi2 = 0.0, tv = 0.0;
  for (int p = 0; p < NP; p++) {
    double h = 0.0;
    for (int i = 0; i < NE; i++)
      h += w[i] * pow(x[i * NP + p], par->gamma);
    double r = (f->haadf[p] - s * h - c) / sigma;
    psi1 += 0.5 * r * r;
    for (int i = 0; i < NE; i++) {
      double xi = x[i * NP + p], b = f->chem[i][p];
      if (par->chem_model == SF_FUSE_CHEM_POISSON) {
        double mu = y[i] * (xi + par->eps);
        psi2 += mu - (b > 0 ? b * log(mu) : 0.0);
      } else {
        psi2 += 0.5 * (y[i] * xi - b) * (y[i] * xi - b);
      }
    }
  }
  for (int i = 0; i < NE; i++)
    tv += y[i] * direct_tv(x + i * NP);
  out[0] = psi1;
  out[1] = psi2;
  out[2] = tv;
}

static void check_trace_entry(const sf_fuse_cost *c, const double d[3], const sf_fuse_params *par) {
  cr_assert(fabs(c->psi1 - d[0]) <= TOL_COST_REL * fabs(d[0]), "psi1 %.17g vs %.17g", c->psi1, d[0]);
  cr_assert(fabs(c->psi2 - d[1]) <= TOL_COST_REL * fabs(d[1]), "psi2 %.17g vs %.17g", c->psi2, d[1]);
  cr_assert(fabs(c->tv - d[2]) <= TOL_COST_REL * fabs(d[2]), "tv %.17g vs %.17g", c->tv, d[2]);
  cr_assert_float_eq(c->chem_term, par->lambda_chem * c->psi2, 1e-15 * fabs(c->chem_term) + 1e-300);
  cr_assert_float_eq(c->tv_term, par->lambda_tv * c->tv, 1e-15 * fabs(c->tv_term) + 1e-300);
  double total = d[0] + par->lambda_chem * d[1] + par->lambda_tv * d[2];
  cr_assert(fabs(c->total - total) <= TOL_COST_REL * (fabs(d[0]) + fabs(par->lambda_chem * d[1]) +
                                                      par->lambda_tv * d[2]),
            "total %.17g vs %.17g", c->total, total);
}

Test(recon_fuse_model, recorded_costs_equal_direct_evaluation) {
  fixture f;
  make_fixture(&f, 3);
  for (int chem = 0; chem < 2; chem++)
    for (int est = 0; est < 2; est++) {
      sf_fuse_params par;
      sf_fuse_params_default(&par);
      par.chem_model = (sf_fuse_chem_model)chem;
      par.estimate_yield = est;
      par.fit_offset = 1;
      par.lambda_tv = 0.3;
      par.max_iter = 6;
      par.tol_x = par.tol_cost = 0.0;
      sf_fuse_solver *s = NULL;
      cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK, "%s", sf_error_message());
      sf_fuse_result *res = NULL;
      cr_assert_eq(sf_fuse_solver_run(s, NULL, &res), SF_OK, "%s", sf_error_message());
      cr_assert_eq(res->iterations, 6);
      cr_assert_eq(res->n_trace, 7);
      cr_assert_eq(res->stop, SF_FUSE_STOP_MAX_ITER);
      const double *w = sf_fuse_solver_weights(s);
      double d[3];
      direct_cost(&f, &par, w, res->haadf_sigma, res->x, res->scale, res->offset, res->yield, d);
      check_trace_entry(&res->trace[res->n_trace - 1], d, &par);
      /* estimated yields are the exact minimisers at the final x */
      if (est) {
        double yd[NE];
        direct_yields(&f, &par, res->x, yd);
        for (int i = 0; i < NE; i++)
          cr_assert_float_eq(res->yield[i], yd[i], 1e-12 * yd[i]);
      }
      /* the start x0 = b with its own fitted scale and offset, and the yields
         known (1) or estimated at x0 */
      double x0[NE * NP], y0[NE] = {1, 1, 1};
      for (int i = 0; i < NE; i++)
        for (int p = 0; p < NP; p++)
          x0[i * NP + p] = f.chem[i][p];
      if (est)
        direct_yields(&f, &par, x0, y0);
      direct_cost(&f, &par, w, res->haadf_sigma, x0, res->trace[0].scale, res->trace[0].offset, y0,
                  d);
      check_trace_entry(&res->trace[0], d, &par);
      /* the same from sf_fuse_solver_evaluate with those nuisance values */
      sf_fuse_nuisance nu0 = {.scale = res->trace[0].scale, .offset = res->trace[0].offset,
                              .yield = y0};
      sf_fuse_cost c0;
      cr_assert_eq(sf_fuse_solver_evaluate(s, x0, &nu0, &c0, NULL, NULL), SF_OK);
      cr_assert_float_eq(c0.total, res->trace[0].total, 1e-12 * fabs(c0.total));
      sf_fuse_result_destroy(res);
      sf_fuse_solver_destroy(s);
    }
}

Test(recon_fuse_model, fitted_nuisance_values_are_optimal) {
  /* F with fitted (s, c) is not above F at perturbed values of them */
  fixture f;
  make_fixture(&f, 4);
  for (int off = 0; off < 2; off++) {
    sf_fuse_params par;
    sf_fuse_params_default(&par);
    par.fit_offset = off;
    sf_fuse_solver *s = NULL;
    cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK);
    sf_fuse_cost c;
    double y[NE];
    cr_assert_eq(sf_fuse_solver_evaluate(s, f.x, NULL, &c, y, NULL), SF_OK);
    double best = c.psi1 + c.chem_term;
    for (int k = 0; k < 1 + off; k++)
      for (int sg = -1; sg <= 1; sg += 2) {
        sf_fuse_nuisance nu = {.scale = c.scale, .offset = c.offset, .yield = y};
        if (k == 0)
          nu.scale *= 1 + 1e-4 * sg;
        else
          nu.offset += 1e-2 * sg;
        double fpert = smooth_part(s, f.x, &nu);
        cr_assert(fpert > best, "offset %d: perturbing %d: %.17g <= %.17g", off, k, fpert, best);
      }
    sf_fuse_solver_destroy(s);
  }
  /* estimated yields: the objective (TV included) at the run's yields is not
     above its value at perturbed yields */
  sf_fuse_params par;
  sf_fuse_params_default(&par);
  par.estimate_yield = 1;
  par.lambda_tv = 0.4;
  par.max_iter = 5;
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK);
  sf_fuse_result *res = NULL;
  cr_assert_eq(sf_fuse_solver_run(s, NULL, &res), SF_OK);
  double d[3], yy[NE];
  direct_cost(&f, &par, sf_fuse_solver_weights(s), res->haadf_sigma, res->x, res->scale,
              res->offset, res->yield, d);
  double best = d[0] + par.lambda_chem * d[1] + par.lambda_tv * d[2];
  for (int i = 0; i < NE; i++)
    for (int sg = -1; sg <= 1; sg += 2) {
      memcpy(yy, res->yield, sizeof yy);
      yy[i] *= 1 + 1e-3 * sg;
      direct_cost(&f, &par, sf_fuse_solver_weights(s), res->haadf_sigma, res->x, res->scale,
                  res->offset, yy, d);
      cr_assert(d[0] + par.lambda_chem * d[1] + par.lambda_tv * d[2] > best, "yield %d", i);
    }
  sf_fuse_result_destroy(res);
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_model, hessian_blocks_match_finite_differences) {
  fixture f;
  make_fixture(&f, 5);
  const double y[NE] = {1.1, 0.9, 1.7};
  for (int chem = 0; chem < 2; chem++)
    for (int gi = 0; gi < 2; gi++) {
      sf_fuse_params par;
      sf_fuse_params_default(&par);
      par.chem_model = (sf_fuse_chem_model)chem;
      par.gamma = gi ? 1.7 : 1.3;
      par.weight_mode = SF_FUSE_WEIGHT_Z_MEAN;
      par.lambda_chem = 0.9;
      par.haadf_sigma = 40.0;
      sf_fuse_solver *s = NULL;
      cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK);
      sf_fuse_nuisance nu = {.scale = 9.0, .offset = 12.0, .yield = y};
      double *blocks = malloc(NP * NE * NE * sizeof *blocks);
      double *gn = malloc(NP * NE * NE * sizeof *gn);
      cr_assert_eq(sf_fuse_hessian_blocks(s, f.x, &nu, 0, 0.0, blocks), SF_OK);
      cr_assert_eq(sf_fuse_hessian_blocks(s, f.x, &nu, 1, 0.0, gn), SF_OK);
      double x[NE * NP], gp[NE * NP], gm[NE * NP];
      memcpy(x, f.x, sizeof x);
      sf_fuse_cost c;
      double worst = 0.0;
      for (int p = 0; p < NP; p += 4)
        for (int k = 0; k < NE; k++) {
          int q = k * NP + p;
          double h = FD_STEP_REL * x[q], keep = x[q];
          x[q] = keep + h;
          sf_fuse_solver_evaluate(s, x, &nu, &c, NULL, gp);
          x[q] = keep - h;
          sf_fuse_solver_evaluate(s, x, &nu, &c, NULL, gm);
          x[q] = keep;
          double scale = 0.0;
          for (int i = 0; i < NE; i++)
            scale = fmax(scale, fabs(blocks[(p * NE + i) * NE + i]));
          for (int i = 0; i < NE * NP; i++) {
            double fd = (gp[i] - gm[i]) / (2 * h);
            int pi = i % NP, ei = i / NP;
            double want = pi == p ? blocks[(p * NE + ei) * NE + k] : 0.0;
            worst = fmax(worst, fabs(fd - want) / scale);
          }
          /* Gauss-Newton differs from the exact block on the diagonal only */
          for (int i = 0; i < NE; i++)
            if (i != k)
              cr_assert_eq(gn[(p * NE + i) * NE + k], blocks[(p * NE + i) * NE + k]);
        }
      cr_assert(worst <= TOL_FD_HESS, "chem %d gamma %g: worst relative Hessian error %.3g", chem,
                par.gamma, worst);
      free(blocks);
      free(gn);
      sf_fuse_solver_destroy(s);
    }
}

Test(recon_fuse_model, standard_errors_match_sherman_morrison) {
  fixture f;
  make_fixture(&f, 6);
  for (int i = 0; i < NE; i++)
    for (int p = 0; p < NP; p++)
      f.chem[i][p] += 1.0; /* every diagonal entry of D > 0 */
  sf_fuse_params par;
  sf_fuse_params_default(&par);
  par.gamma = 1.6;
  par.haadf_sigma = 25.0;
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK);
  const double y[NE] = {1, 1, 1};
  sf_fuse_nuisance nu = {.scale = 5.0, .offset = 0.0, .yield = y};
  double se[NE * NP], blocks[NP * NE * NE];
  unsigned char valid[NP];
  sf_fuse_se_params sp;
  sf_fuse_se_params_default(&sp);
  sp.gauss_newton = 1; /* D > 0: Sherman-Morrison applies */
  sp.x_min = 1e-6;
  sf_fuse_se_summary sum;
  cr_assert_eq(sf_fuse_standard_errors(s, f.x, &nu, &sp, se, valid, &sum), SF_OK);
  cr_assert_eq(sf_fuse_hessian_blocks(s, f.x, &nu, 1, 1e-6, blocks), SF_OK);
  double mean = 0.0;
  for (int p = 0; p < NP; p++) {
    cr_assert_eq(valid[p], 1);
    const double *H = blocks + p * NE * NE;
    /* H = D + u u^T: u_i = sqrt(H_ij H_ik / H_jk) ... recover u from the off-diagonal */
    double u[NE], d[NE];
    u[0] = sqrt(H[0 * NE + 1] * H[0 * NE + 2] / H[1 * NE + 2]);
    u[1] = H[0 * NE + 1] / u[0];
    u[2] = H[0 * NE + 2] / u[0];
    double denom = 1.0;
    for (int i = 0; i < NE; i++) {
      d[i] = H[i * NE + i] - u[i] * u[i];
      denom += u[i] * u[i] / d[i];
    }
    for (int i = 0; i < NE; i++) {
      double inv = 1.0 / d[i] - (u[i] * u[i] / (d[i] * d[i])) / denom;
      cr_assert_float_eq(se[i * NP + p], sqrt(inv), 1e-10 * sqrt(inv));
      mean += se[i * NP + p];
    }
  }
  cr_assert_float_eq(sum.mean_se, mean / (NE * NP), 1e-12 * sum.mean_se);
  cr_assert_eq(sum.n_valid, (size_t)NP);
  cr_assert_eq(sum.n_masked, 0);
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_model, indefinite_blocks_are_masked) {
  /* a large negative residual makes the exact block indefinite where
     gamma (gamma - 1) s r x^(gamma-2) w dominates; Gauss-Newton never is */
  fixture f;
  make_fixture(&f, 7);
  sf_fuse_params par;
  sf_fuse_params_default(&par);
  par.gamma = 1.7;
  par.lambda_chem = 1e-3;
  par.haadf_sigma = 1.0;
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &par, &s), SF_OK);
  const double y[NE] = {1, 1, 1};
  sf_fuse_nuisance nu = {.scale = 1.0, .offset = -1e6, .yield = y}; /* r << 0 everywhere */
  double se[NE * NP];
  unsigned char valid[NP];
  sf_fuse_se_params sp;
  sf_fuse_se_params_default(&sp);
  sf_fuse_se_summary sum;
  cr_assert_eq(sf_fuse_standard_errors(s, f.x, &nu, &sp, se, valid, &sum), SF_OK);
  cr_assert_eq(sum.n_masked, (size_t)NP);
  for (int q = 0; q < NE * NP; q++)
    cr_assert(isnan(se[q]));
  sp.gauss_newton = 1;
  cr_assert_eq(sf_fuse_standard_errors(s, f.x, &nu, &sp, se, valid, &sum), SF_OK);
  cr_assert_eq(sum.n_masked, 0);
  sf_fuse_solver_destroy(s);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

Test(recon_fuse_model, haadf_noise_estimate) {
  /* piecewise-constant image plus Gaussian noise sigma = 2: the robust
     estimate ignores the few edge differences */
  enum { W = 96, H = 64 };
  static double img[W * H], d[(W - 1) * H];
  sf_rng r;
  sf_rng_init(&r, 5, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 21), 0);
  for (int iy = 0; iy < H; iy++)
    for (int ix = 0; ix < W; ix++)
      img[iy * W + ix] = (ix > 40 ? 500.0 : 100.0) + (iy > 30 ? 50.0 : 0.0) + 2.0 * sf_rng_normal(&r);
  double sigma;
  cr_assert_eq(sf_fuse_haadf_noise_estimate(W, H, img, &sigma), SF_OK);
  /* statistical accuracy of a MAD over 6080 differences: about 2 % */
  cr_assert(fabs(sigma / 2.0 - 1.0) < 0.06, "sigma = %g", sigma);
  /* the same number from a sort */
  int m = 0;
  for (int iy = 0; iy < H; iy++)
    for (int ix = 0; ix + 1 < W; ix++)
      d[m++] = img[iy * W + ix + 1] - img[iy * W + ix];
  qsort(d, (size_t)m, sizeof *d, cmp_double);
  double med = d[m / 2];
  for (int i = 0; i < m; i++)
    d[i] = fabs(d[i] - med);
  qsort(d, (size_t)m, sizeof *d, cmp_double);
  cr_assert_float_eq(sigma, 1.482602218505602 * d[m / 2] / sqrt(2.0), 1e-14);
}
