/* fuse_model.c - the fusion objective: solver setup, the nuisance fits
   (scale, offset, yields) in closed form, and the two-pass evaluation of
   F = Psi1 + lambda_chem Psi2 with its gradient, TV and the sums the solver's
   tests need. */
#include "recon/sf_fuse_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "recon/sf_recon_loops.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Per-row partial sums: fixed slots, then per-element blocks. */
enum { ROW_H, ROW_HH, ROW_HB, ROW_GD, ROW_DX2, ROW_XX, ROW_R2, ROW_FIXED };
enum { EL_A, EL_B, EL_X, EL_TV, EL_DD, EL_LSQ, EL_COUNT };

static size_t el_slot(size_t i, int what) { return ROW_FIXED + (size_t)EL_COUNT * i + (size_t)what; }

int sf_fuse_scale_is_held(const sf_fuse_params *par) {
  return par->scale_mode != SF_FUSE_SCALE_FIT || par->estimate_yield;
}

void sf_fuse_solver_destroy(sf_fuse_solver *s) {
  if (!s)
    return;
  for (int b = 0; b < SF_FUSE_NBUF; b++)
    sf_free(s->buf[b]);
  sf_free(s->h);
  sf_free(s->rbuf);
  sf_free(s->rows);
  sf_tv_prox_destroy(s->tv);
  sf_free(s);
}

int sf_fuse_solver_set_params(sf_fuse_solver *s, const sf_fuse_params *par) {
  if (!s || !par)
    return sf_error_set(SF_EINVAL, "fuse: NULL solver or parameters");
  sf_fuse_problem prob = {.nx = s->nx, .ny = s->ny, .n_elements = s->ne, .haadf = s->haadf,
                          .chem = s->chem, .Z = s->Z, .yield = s->yield_known,
                          .custom_weights = s->have_custom ? s->custom : NULL};
  const char *names[SF_FUSE_MAX_ELEMENTS];
  for (size_t i = 0; i < s->ne; i++)
    names[i] = s->names[i];
  prob.names = names;
  if (par->weight_mode == SF_FUSE_WEIGHT_CUSTOM && !s->have_custom)
    return sf_error_set(SF_EINVAL, "fuse: weight mode custom needs problem.custom_weights");
  SF_TRY(sf_fuse_problem_check(&prob, par));
  double w[SF_FUSE_MAX_ELEMENTS];
  SF_TRY(sf_fuse_weights(par->weight_mode, s->ne, s->Z, par->gamma, prob.custom_weights, w));
  double sigma = par->haadf_sigma;
  if (!(sigma > 0.0))
    SF_TRY(sf_fuse_haadf_noise_estimate(s->nx, s->ny, s->haadf, &sigma));
  memcpy(s->w, w, sizeof w);
  s->sigma_h = sigma;
  s->par = *par;
  s->have_held_scale = 0;
  for (size_t i = 0; i < s->ne; i++)
    s->yield_cur[i] = s->yield_known[i];
  return SF_OK;
}

int sf_fuse_solver_create(const sf_fuse_problem *prob, const sf_fuse_params *par,
                          sf_fuse_solver **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "fuse: NULL output");
  *out = NULL;
  SF_TRY(sf_fuse_problem_check(prob, par));
  sf_fuse_solver *s = sf_alloc(1, sizeof *s, "fusion solver");
  if (!s)
    return SF_ENOMEM;
  s->nx = prob->nx;
  s->ny = prob->ny;
  s->n = prob->nx * prob->ny;
  s->ne = prob->n_elements;
  s->haadf = prob->haadf;
  for (size_t i = 0; i < s->ne; i++) {
    s->chem[i] = prob->chem[i];
    s->Z[i] = prob->Z ? prob->Z[i] : 1.0;
    s->yield_known[i] = prob->yield ? prob->yield[i] : 1.0;
    if (prob->custom_weights)
      s->custom[i] = prob->custom_weights[i];
    if (prob->names && prob->names[i])
      snprintf(s->names[i], SF_FUSE_NAME_MAX, "%s", prob->names[i]);
    else
      snprintf(s->names[i], SF_FUSE_NAME_MAX, "element %zu", i);
  }
  s->have_custom = prob->custom_weights != NULL;
  int st = SF_OK;
  for (int b = 0; b < SF_FUSE_NBUF && st == SF_OK; b++) {
    s->buf[b] = sf_alloc(s->ne * s->n, sizeof(double), "fusion work array");
    if (!s->buf[b])
      st = SF_ENOMEM;
  }
  s->rows_k = ROW_FIXED + (size_t)EL_COUNT * s->ne;
  if (st == SF_OK) {
    s->h = sf_alloc(s->n, sizeof(double), "fusion HAADF model");
    s->rbuf = sf_alloc(s->n, sizeof(double), "fusion residual factors");
    s->rows = sf_alloc(s->ny * s->rows_k, sizeof(double), "fusion row sums");
    if (!s->h || !s->rbuf || !s->rows)
      st = SF_ENOMEM;
  }
  if (st == SF_OK)
    st = sf_tv_prox_create(s->nx, s->ny, s->ne, &s->tv);
  if (st == SF_OK) {
    double total = 0.0;
    for (size_t p = 0; p < s->n; p++)
      total += s->haadf[p];
    s->haadf_mean = total / (double)s->n;
    for (size_t i = 0; i < s->ne; i++) {
      double b = 0.0, bb = 0.0;
      for (size_t p = 0; p < s->n; p++) {
        b += s->chem[i][p];
        bb += s->chem[i][p] * s->chem[i][p];
      }
      s->chem_sum[i] = b;
      s->chem_sq[i] = bb;
    }
    st = sf_fuse_solver_set_params(s, par);
  }
  if (st != SF_OK) {
    sf_fuse_solver_destroy(s);
    return st;
  }
  sf_log(SF_LOG_INFO,
         "fuse: %zu x %zu pixels, %zu elements, weights %s, gamma %g, sigma_H %g (%s)", s->nx,
         s->ny, s->ne, sf_fuse_weight_mode_name(par->weight_mode), par->gamma, s->sigma_h,
         par->haadf_sigma > 0.0 ? "given" : "estimated");
  *out = s;
  return SF_OK;
}

const sf_fuse_params *sf_fuse_solver_params(const sf_fuse_solver *s) { return &s->par; }
const double *sf_fuse_solver_weights(const sf_fuse_solver *s) { return s->w; }
double sf_fuse_solver_haadf_sigma(const sf_fuse_solver *s) { return s->sigma_h; }

/* d/dx x^gamma at x >= 0 given P = x^gamma; at x = 0 the one-sided limit
   (0 for gamma > 1, 1 for gamma = 1; for gamma < 1 it is infinite and the
   derivative at DBL_EPSILON is used). */
static double dpow(double x, double P, double gamma) {
  if (x > 0.0)
    return gamma * P / x;
  if (gamma > 1.0)
    return 0.0;
  if (gamma == 1.0)
    return 1.0;
  return gamma * pow(DBL_EPSILON, gamma - 1.0);
}

/* x^gamma for x >= 0 (exact shortcuts for gamma 1 and 2). */
static double power(double x, double gamma) {
  if (!(x > 0.0))
    return 0.0;
  if (gamma == 2.0)
    return x * x;
  if (gamma == 1.0)
    return x;
  return pow(x, gamma);
}

/* Pass A over one row: the HAADF model, its derivative factors, chemical sums,
   TV and the optional test sums. One contiguous loop per element and
   quantity, with local accumulators. */
static void pass_a_row(sf_fuse_solver *s, const double *x, const sf_fuse_eval_opts *o, size_t iy,
                       int est_lsq, double *acc) {
  const size_t nx = s->nx, n = s->n, ne = s->ne, row = iy * nx;
  const double gamma = s->par.gamma, eps = s->par.eps, bmean = s->haadf_mean;
  const int poisson = s->par.chem_model == SF_FUSE_CHEM_POISSON;
  const int has_down = iy + 1 < s->ny;
  double *h = s->h + row;
  const double *bh = s->haadf + row;
  for (size_t k = 0; k < s->rows_k; k++)
    acc[k] = 0.0;
  double gd = 0.0, dx2 = 0.0, xx = 0.0;
  for (size_t i = 0; i < ne; i++) {
    const double *xi = x + i * n + row, *b = s->chem[i] + row;
    const double w = s->w[i];
    double *gr = o->grad ? o->grad + i * n + row : NULL;
    double sa = 0.0, sb = 0.0, sx = 0.0;
    for (size_t ix = 0; ix < nx; ix++) {
      double v = xi[ix], P = power(v, gamma);
      double t = w * P;
      h[ix] = i == 0 ? t : h[ix] + t;
      if (gr) /* gamma > 1: P / x, with 0 at x = 0, without a branch */
        gr[ix] = gamma > 1.0 ? w * gamma * P / (v + (double)(v == 0.0)) : w * dpow(v, P, gamma);
      sx += v;
      if (poisson) {
        sa += v;
        if (b[ix] > 0.0)
          sb += b[ix] * log(v + eps);
      } else if (est_lsq) {
        sa += v * b[ix];
        sb += v * v;
      }
    }
    acc[el_slot(i, EL_A)] = sa;
    acc[el_slot(i, EL_B)] = sb;
    acc[el_slot(i, EL_X)] = sx;
    if (o->want_tv) {
      double tv = 0.0;
      const size_t last = nx - 1;
      if (has_down) {
        const double *xd = xi + nx;
        double buf[SF_RECON_CHUNK];
        for (size_t c0 = 0; c0 < last; c0 += SF_RECON_CHUNK) {
          const size_t m = last - c0 < SF_RECON_CHUNK ? last - c0 : SF_RECON_CHUNK;
          const double *x0 = xi + c0, *xd0 = xd + c0;
#pragma omp simd
          for (size_t k = 0; k < m; k++) {
            double dx = x0[k + 1] - x0[k], dy = xd0[k] - x0[k];
            buf[k] = dx * dx + dy * dy;
          }
          sf_recon_sqrt_inplace(buf, m);
#pragma omp simd reduction(+ : tv)
          for (size_t k = 0; k < m; k++)
            tv += buf[k];
        }
        tv += fabs(xd[last] - xi[last]);
      } else {
#pragma omp simd reduction(+ : tv)
        for (size_t ix = 0; ix < last; ix++)
          tv += fabs(xi[ix + 1] - xi[ix]);
      }
      acc[el_slot(i, EL_TV)] = tv;
    }
    if (o->z) {
      const double *zi = o->z + i * n + row, *gi = o->g + i * n + row;
      const double *mi = o->zmetric + i * n + row;
      double dd = 0.0;
#pragma omp simd reduction(+ : gd, dd)
      for (size_t ix = 0; ix < nx; ix++) {
        double d = xi[ix] - zi[ix];
        gd += gi[ix] * d;
        dd += d * d / mi[ix];
      }
      acc[el_slot(i, EL_DD)] = dd;
    }
    if (o->xref) {
      const double *ri = o->xref + i * n + row;
#pragma omp simd reduction(+ : dx2, xx)
      for (size_t ix = 0; ix < nx; ix++) {
        double d = xi[ix] - ri[ix];
        dx2 += d * d;
        xx += xi[ix] * xi[ix];
      }
    }
  }
  double sh = 0.0, shh = 0.0, shb = 0.0;
#pragma omp simd reduction(+ : sh, shh, shb)
  for (size_t ix = 0; ix < nx; ix++) {
    sh += h[ix];
    shh += h[ix] * h[ix];
    shb += h[ix] * (bh[ix] - bmean);
  }
  acc[ROW_H] = sh;
  acc[ROW_HH] = shh;
  acc[ROW_HB] = shb;
  acc[ROW_GD] = gd;
  acc[ROW_DX2] = dx2;
  acc[ROW_XX] = xx;
}

/* Pass B over one row: residual, Psi1 sum, the gradient, LSQ sums. The
   residual factor s r / sigma^2 is kept in s->rbuf for the element loops. */
static void pass_b_row(sf_fuse_solver *s, const double *x, const sf_fuse_eval_opts *o, size_t iy,
                       double scale, double offset, const double *y, const double *floor,
                       double *acc) {
  const size_t nx = s->nx, n = s->n, ne = s->ne, row = iy * nx;
  const double eps = s->par.eps, lc = s->par.lambda_chem;
  const double inv_s2 = 1.0 / (s->sigma_h * s->sigma_h);
  const int poisson = s->par.chem_model == SF_FUSE_CHEM_POISSON;
  const double *h = s->h + row, *bh = s->haadf + row;
  double *coef = s->rbuf + row;
  double r2 = 0.0;
#pragma omp simd reduction(+ : r2)
  for (size_t ix = 0; ix < nx; ix++) {
    double r = scale * h[ix] + offset - bh[ix];
    r2 += r * r;
    coef[ix] = scale * r * inv_s2;
  }
  acc[ROW_R2] = r2;
  for (size_t i = 0; i < ne; i++) {
    const double *xi = x + i * n + row, *b = s->chem[i] + row;
    const double yi = y[i];
    if (o->grad) {
      double *gr = o->grad + i * n + row;
      double *mt = o->metric ? o->metric + i * n + row : NULL;
      const double a2 = scale * scale * inv_s2, fl = floor[i];
      if (mt) {
        /* metric: 1 / (Gauss-Newton diagonal curvature + floor); gr holds dh/dx */
        if (poisson)
#pragma omp simd
          for (size_t ix = 0; ix < nx; ix++) {
            double u = 1.0 / (xi[ix] + eps);
            mt[ix] = 1.0 / (a2 * gr[ix] * gr[ix] + lc * b[ix] * u * u + fl);
          }
        else
#pragma omp simd
          for (size_t ix = 0; ix < nx; ix++)
            mt[ix] = 1.0 / (a2 * gr[ix] * gr[ix] + lc * yi * yi + fl);
      }
      if (poisson)
#pragma omp simd
        for (size_t ix = 0; ix < nx; ix++)
          gr[ix] = coef[ix] * gr[ix] + lc * (yi - b[ix] / (xi[ix] + eps));
      else
#pragma omp simd
        for (size_t ix = 0; ix < nx; ix++)
          gr[ix] = coef[ix] * gr[ix] + lc * yi * (yi * xi[ix] - b[ix]);
    }
    if (!poisson) {
      double e2 = 0.0;
#pragma omp simd reduction(+ : e2)
      for (size_t ix = 0; ix < nx; ix++) {
        double e = yi * xi[ix] - b[ix];
        e2 += e * e;
      }
      acc[el_slot(i, EL_LSQ)] = e2;
    }
  }
}

/* Sum slot k over rows in row order. */
static double row_total(const sf_fuse_solver *s, size_t k) {
  double t = 0.0;
  for (size_t iy = 0; iy < s->ny; iy++)
    t += s->rows[iy * s->rows_k + k];
  return t;
}

void sf_fuse_point_terms(const sf_fuse_solver *s, sf_fuse_point *pt) {
  const sf_fuse_params *par = &s->par;
  const double dn = (double)s->n;
  double psi2 = 0.0, mag2 = 0.0, tv = 0.0;
  for (size_t i = 0; i < s->ne; i++) {
    const double y = pt->yield[i];
    if (par->chem_model == SF_FUSE_CHEM_POISSON) {
      double B = s->chem_sum[i];
      double lin = y * (pt->X[i] + dn * par->eps);
      double logy = B > 0.0 ? B * log(y) : 0.0;
      psi2 += lin - logy - pt->L[i];
      mag2 += fabs(lin) + fabs(logy) + fabs(pt->L[i]);
    } else {
      psi2 += pt->E[i];
      mag2 += pt->E[i];
    }
    tv += y * pt->T[i];
  }
  pt->psi2 = psi2;
  pt->tv = tv;
  pt->mag = pt->psi1 + par->lambda_chem * mag2 + par->lambda_tv * tv;
}

void sf_fuse_update_yields(sf_fuse_solver *s, sf_fuse_point *pt) {
  const sf_fuse_params *par = &s->par;
  const double dn = (double)s->n, ratio = par->lambda_tv / par->lambda_chem;
  for (size_t i = 0; i < s->ne; i++) {
    double y;
    if (par->chem_model == SF_FUSE_CHEM_POISSON) {
      /* d/dy [y (X + N eps) - B log y + (lambda_tv / lambda_chem) y T] = 0 */
      y = s->chem_sum[i] / (pt->X[i] + dn * par->eps + ratio * pt->T[i]);
    } else {
      /* d/dy [1/2 (y^2 Sxx - 2 y Sxb + Sbb) + (lambda_tv / lambda_chem) y T] = 0, y >= 0 */
      y = pt->Sxx[i] > 0.0 ? (pt->Sxb[i] - ratio * pt->T[i]) / pt->Sxx[i] : s->yield_cur[i];
      if (!(y > 0.0))
        y = 0.0;
      pt->E[i] = 0.5 * (y * y * pt->Sxx[i] - 2.0 * y * pt->Sxb[i] + s->chem_sq[i]);
    }
    pt->yield[i] = y;
    s->yield_cur[i] = y;
  }
  sf_fuse_point_terms(s, pt);
}

int sf_fuse_eval_point(sf_fuse_solver *s, const double *x, const sf_fuse_eval_opts *o,
                       sf_fuse_point *pt) {
  const size_t n = s->n, ne = s->ne;
  const sf_fuse_params *par = &s->par;
  const int poisson = par->chem_model == SF_FUSE_CHEM_POISSON;
  const int est_lsq = !poisson && par->estimate_yield;
  const long nrow = (long)s->ny;
  s->evaluations++;

#pragma omp parallel for schedule(static) if (s->n * s->ne >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++)
    pass_a_row(s, x, o, (size_t)iy, est_lsq, s->rows + (size_t)iy * s->rows_k);
  double dn = (double)n;
  s->bytes += 8.0 * dn * (2.0 + 2.0 * (double)ne + (o->grad ? (double)ne : 0.0) +
                          (o->z ? 3.0 * (double)ne : 0.0) + (o->xref ? (double)ne : 0.0));

  double Sh = row_total(s, ROW_H), Shh = row_total(s, ROW_HH), Shb = row_total(s, ROW_HB);
  /* nuisance: scale and offset */
  double scale, offset = par->offset;
  int fit_s, fit_c = o->fixed == NULL && par->fit_offset;
  if (o->fixed) {
    scale = o->fixed->scale;
    offset = o->fixed->offset;
    fit_s = 0;
  } else if (par->scale_mode == SF_FUSE_SCALE_FIXED) {
    scale = par->scale;
    fit_s = 0;
  } else if (sf_fuse_scale_is_held(par) && s->have_held_scale) {
    scale = s->held_scale;
    fit_s = 0;
  } else {
    scale = 0.0;
    fit_s = 1;
  }
  double hmean = Sh / dn;
  if (fit_s && fit_c) {
    double var = Shh - Sh * hmean;
    scale = var > 0.0 ? Shb / var : 0.0;
    if (!(scale > 0.0))
      scale = 0.0;
    offset = s->haadf_mean - scale * hmean;
  } else if (fit_s) {
    /* sum h (b - c) = Shb + (bmean - c) Sh */
    double num = Shb + (s->haadf_mean - offset) * Sh;
    scale = Shh > 0.0 ? num / Shh : 0.0;
    if (!(scale > 0.0))
      scale = 0.0;
  } else if (fit_c) {
    offset = s->haadf_mean - scale * hmean;
  }
  /* yields: given, known, or the values held by the solver (estimated
     yields are updated by the solver between steps, sf_fuse_update_yields) */
  double y[SF_FUSE_MAX_ELEMENTS];
  for (size_t i = 0; i < ne; i++)
    y[i] = o->fixed ? o->fixed->yield[i] : par->estimate_yield ? s->yield_cur[i] : s->yield_known[i];

  /* curvature floor per element for the metric: a tenth of the curvature at
     the element's mean values, so that pixels with no curvature (x = 0 with
     b = 0) take bounded steps */
  double floor[SF_FUSE_MAX_ELEMENTS];
  if (o->metric) {
    double fbig = 0.0;
    for (size_t i = 0; i < ne; i++) {
      double xm = row_total(s, el_slot(i, EL_X)) / dn, bm = s->chem_sum[i] / dn;
      double dh = s->w[i] * (xm > 0.0 ? par->gamma * pow(xm, par->gamma - 1.0) : 0.0);
      double c = scale * scale / (s->sigma_h * s->sigma_h) * dh * dh +
                 par->lambda_chem * (poisson ? bm / ((xm + par->eps) * (xm + par->eps))
                                             : y[i] * y[i]);
      floor[i] = 0.1 * c;
      if (floor[i] > fbig)
        fbig = floor[i];
    }
    for (size_t i = 0; i < ne; i++)
      if (!(floor[i] > 1e-12 * fbig))
        floor[i] = fbig > 0.0 ? 1e-12 * fbig : 1.0;
  }

#pragma omp parallel for schedule(static) if (s->n * s->ne >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++)
    pass_b_row(s, x, o, (size_t)iy, scale, offset, y, floor, s->rows + (size_t)iy * s->rows_k);
  s->bytes += 8.0 * dn *
              (3.0 + (o->grad ? 5.0 * (double)ne : 0.0) + (o->metric ? (double)ne : 0.0) +
               (poisson ? 0.0 : 2.0 * (double)ne));

  double inv_s2 = 1.0 / (s->sigma_h * s->sigma_h);
  pt->psi1 = 0.5 * row_total(s, ROW_R2) * inv_s2;
  pt->scale = scale;
  pt->offset = offset;
  for (size_t i = 0; i < ne; i++) {
    pt->yield[i] = y[i];
    pt->X[i] = row_total(s, el_slot(i, EL_X));
    pt->L[i] = poisson ? row_total(s, el_slot(i, EL_B)) : 0.0;
    pt->Sxb[i] = est_lsq ? row_total(s, el_slot(i, EL_A)) : 0.0;
    pt->Sxx[i] = est_lsq ? row_total(s, el_slot(i, EL_B)) : 0.0;
    pt->E[i] = poisson ? 0.0 : 0.5 * row_total(s, el_slot(i, EL_LSQ));
    pt->T[i] = o->want_tv ? row_total(s, el_slot(i, EL_TV)) : 0.0;
  }
  sf_fuse_point_terms(s, pt);
  pt->gd = 0.0;
  pt->dx2 = pt->xx = 0.0;
  if (o->z) {
    pt->gd = row_total(s, ROW_GD);
    for (size_t i = 0; i < ne; i++)
      pt->dd[i] = row_total(s, el_slot(i, EL_DD));
  }
  if (o->xref) {
    pt->dx2 = row_total(s, ROW_DX2);
    pt->xx = row_total(s, ROW_XX);
  }
  if (!isfinite(pt->psi1) || !isfinite(pt->psi2) || !isfinite(pt->tv))
    return sf_error_set(SF_ENUMERIC,
                        "fuse: non-finite cost (Psi1 = %g, Psi2 = %g, TV = %g) at scale %g", pt->psi1,
                        pt->psi2, pt->tv, scale);
  return SF_OK;
}

int sf_fuse_solver_evaluate(sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *fixed,
                            sf_fuse_cost *cost, double *yield, double *grad) {
  if (!s || !x || !cost)
    return sf_error_set(SF_EINVAL, "fuse: evaluate: NULL argument");
  if (fixed && !fixed->yield)
    return sf_error_set(SF_EINVAL, "fuse: evaluate: fixed nuisance values need yields");
  for (size_t i = 0; i < s->ne; i++)
    for (size_t p = 0; p < s->n; p++) {
      double v = x[i * s->n + p];
      if (!(v >= 0.0) || !isfinite(v))
        return sf_error_set(SF_EINVAL,
                            "fuse: evaluate: x of element %zu (%s) at pixel (ix %zu, iy %zu) = %g: "
                            "must be finite and >= 0",
                            i, s->names[i], p % s->nx, p / s->nx, v);
    }
  sf_fuse_eval_opts o = {.fixed = fixed, .grad = grad, .want_tv = 1};
  sf_fuse_point pt;
  SF_TRY(sf_fuse_eval_point(s, x, &o, &pt));
  cost->psi1 = pt.psi1;
  cost->psi2 = pt.psi2;
  cost->tv = pt.tv;
  cost->chem_term = s->par.lambda_chem * pt.psi2;
  cost->tv_term = s->par.lambda_tv * pt.tv;
  cost->total = pt.psi1 + cost->chem_term + cost->tv_term;
  cost->scale = pt.scale;
  cost->offset = pt.offset;
  cost->step = 0.0;
  if (yield)
    for (size_t i = 0; i < s->ne; i++)
      yield[i] = pt.yield[i];
  return SF_OK;
}
