/* uncertainty.c - per-pixel Hessian blocks of the fusion objective and the
   standard errors from their inverses (Cholesky per block). */
#include "recon/sf_uncertainty.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "recon/sf_recon_loops.h"
#include "recon/sf_fuse_internal.h"

#include <math.h>
#include <string.h>

void sf_fuse_se_params_default(sf_fuse_se_params *p) {
  p->x_min = 0.0;
  p->gauss_newton = 0;
}

static int check_inputs(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                        const void *out) {
  if (!s || !x || !nu || !nu->yield || !out)
    return sf_error_set(SF_EINVAL, "fuse: Hessian: NULL argument");
  for (size_t i = 0; i < s->ne; i++) {
    if (!(nu->yield[i] >= 0.0) || !isfinite(nu->yield[i]))
      return sf_error_set(SF_EINVAL, "fuse: Hessian: element %zu (%s): yield = %g", i, s->names[i],
                          nu->yield[i]);
    for (size_t p = 0; p < s->n; p++) {
      double v = x[i * s->n + p];
      if (!(v >= 0.0) || !isfinite(v))
        return sf_error_set(SF_EINVAL,
                            "fuse: Hessian: x of element %zu (%s) at pixel (ix %zu, iy %zu) = %g: "
                            "must be finite and >= 0",
                            i, s->names[i], p % s->nx, p / s->nx, v);
    }
  }
  if (!isfinite(nu->scale) || !isfinite(nu->offset))
    return sf_error_set(SF_EINVAL, "fuse: Hessian: scale = %g, offset = %g: must be finite",
                        nu->scale, nu->offset);
  return SF_OK;
}

/* The block of pixel p into H (ne*ne, row-major). */
static void pixel_block(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                        int gauss_newton, double x_min, size_t p, double *H) {
  const size_t ne = s->ne, n = s->n;
  const double gamma = s->par.gamma, eps = s->par.eps, lc = s->par.lambda_chem;
  const double inv_s2 = 1.0 / (s->sigma_h * s->sigma_h);
  const int poisson = s->par.chem_model == SF_FUSE_CHEM_POISSON;
  double h = 0.0, u[SF_FUSE_MAX_ELEMENTS], d[SF_FUSE_MAX_ELEMENTS];
  for (size_t i = 0; i < ne; i++) {
    double xi = x[i * n + p];
    if (xi > 0.0)
      h += s->w[i] * pow(xi, gamma);
  }
  const double r = nu->scale * h + nu->offset - s->haadf[p];
  const double a = nu->scale * sqrt(inv_s2) * gamma;
  for (size_t i = 0; i < ne; i++) {
    double xi = x[i * n + p], b = s->chem[i][p];
    double xc = xi > x_min ? xi : x_min;
    /* x^(gamma-1) and x^(gamma-2) at the clamped value (0^0 = 1 for gamma = 1, 2) */
    double p1 = xc > 0.0 ? pow(xc, gamma - 1.0) : (gamma == 1.0 ? 1.0 : 0.0);
    double p2 = xc > 0.0 ? pow(xc, gamma - 2.0) : (gamma == 2.0 ? 1.0 : 0.0);
    u[i] = a * s->w[i] * p1;
    double di = poisson ? lc * b / ((xi + eps) * (xi + eps)) : lc * nu->yield[i] * nu->yield[i];
    if (!gauss_newton)
      di += nu->scale * r * inv_s2 * gamma * (gamma - 1.0) * s->w[i] * p2;
    d[i] = di;
  }
  for (size_t i = 0; i < ne; i++)
    for (size_t k = 0; k < ne; k++)
      H[i * ne + k] = u[i] * u[k] + (i == k ? d[i] : 0.0);
}

int sf_fuse_hessian_blocks(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                           int gauss_newton, double x_min, double *blocks) {
  SF_TRY(check_inputs(s, x, nu, blocks));
  const size_t ne = s->ne;
  const long nn = (long)s->n;
  const double xm = x_min > 0.0 ? x_min : 0.0;
#pragma omp parallel for schedule(static) if (s->n * s->ne >= SF_RECON_PAR_MIN)
  for (long p = 0; p < nn; p++)
    pixel_block(s, x, nu, gauss_newton, xm, (size_t)p, blocks + (size_t)p * ne * ne);
  return SF_OK;
}

/* Diagonal of H^-1 by Cholesky (H is overwritten); 0 if H is not positive definite. */
static int inverse_diagonal(double *H, size_t ne, double *diag) {
  for (size_t j = 0; j < ne; j++) {
    double v = H[j * ne + j];
    for (size_t k = 0; k < j; k++)
      v -= H[j * ne + k] * H[j * ne + k];
    if (!(v > 0.0) || !isfinite(v))
      return 0;
    double l = sqrt(v);
    H[j * ne + j] = l;
    for (size_t i = j + 1; i < ne; i++) {
      double t = H[i * ne + j];
      for (size_t k = 0; k < j; k++)
        t -= H[i * ne + k] * H[j * ne + k];
      H[i * ne + j] = t / l;
    }
  }
  /* H^-1 = L^-T L^-1, so (H^-1)_jj is the squared norm of column j of L^-1,
     the solution c of L c = e_j (c_i = 0 for i < j). */
  double c[SF_FUSE_MAX_ELEMENTS];
  for (size_t j = 0; j < ne; j++) {
    double sum = 0.0;
    for (size_t i = j; i < ne; i++) {
      double t = i == j ? 1.0 : 0.0;
      for (size_t k = j; k < i; k++)
        t -= H[i * ne + k] * c[k];
      c[i] = t / H[i * ne + i];
      sum += c[i] * c[i];
    }
    diag[j] = sum;
  }
  return 1;
}

int sf_fuse_standard_errors(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                            const sf_fuse_se_params *params, double *se, unsigned char *valid,
                            sf_fuse_se_summary *summary) {
  SF_TRY(check_inputs(s, x, nu, se));
  if (!params)
    return sf_error_set(SF_EINVAL, "fuse: standard errors: NULL parameters");
  const size_t ne = s->ne, n = s->n, nx = s->nx;
  double x_min = params->x_min;
  if (!(x_min > 0.0)) {
    double total = 0.0;
    for (size_t q = 0; q < ne * n; q++)
      total += x[q];
    x_min = 1e-3 * total / (double)(ne * n);
    if (!(x_min > 0.0))
      x_min = 1e-12;
  }
  /* per row: valid pixels, element values at the bound, then per element the
     count and the sum of the SEs */
  const size_t kk = 2 + 2 * ne;
  double *rows = sf_alloc(s->ny * kk, sizeof(double), "SE row sums");
  if (!rows)
    return SF_ENOMEM;
  const long nrow = (long)s->ny;
#pragma omp parallel for schedule(static) if (s->n * s->ne >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++) {
    double *acc = rows + (size_t)iy * kk;
    double H[SF_FUSE_MAX_ELEMENTS * SF_FUSE_MAX_ELEMENTS];
    double F[SF_FUSE_MAX_ELEMENTS * SF_FUSE_MAX_ELEMENTS], dg[SF_FUSE_MAX_ELEMENTS];
    size_t free_el[SF_FUSE_MAX_ELEMENTS];
    for (size_t ix = 0; ix < nx; ix++) {
      size_t p = (size_t)iy * nx + ix;
      pixel_block(s, x, nu, params->gauss_newton, x_min, p, H);
      /* elements on the non-negativity bound are held there: invert the
         block of the free ones */
      size_t nf = 0;
      for (size_t i = 0; i < ne; i++) {
        if (x[i * n + p] > x_min)
          free_el[nf++] = i;
        else
          acc[1] += 1.0;
        se[i * n + p] = NAN;
      }
      for (size_t a = 0; a < nf; a++)
        for (size_t b = 0; b < nf; b++)
          F[a * nf + b] = H[free_el[a] * ne + free_el[b]];
      int ok = nf > 0 && inverse_diagonal(F, nf, dg);
      if (valid)
        valid[p] = (unsigned char)ok;
      if (!ok)
        continue;
      acc[0] += 1.0;
      for (size_t a = 0; a < nf; a++) {
        size_t i = free_el[a];
        se[i * n + p] = sqrt(dg[a]);
        acc[2 + 2 * i] += 1.0;
        acc[3 + 2 * i] += se[i * n + p];
      }
    }
  }
  if (summary) {
    memset(summary, 0, sizeof *summary);
    double valid_px = 0.0, bound = 0.0, cnt[SF_FUSE_MAX_ELEMENTS] = {0},
           sums[SF_FUSE_MAX_ELEMENTS] = {0}, all = 0.0, all_cnt = 0.0;
    for (size_t iy = 0; iy < s->ny; iy++) {
      valid_px += rows[iy * kk];
      bound += rows[iy * kk + 1];
      for (size_t i = 0; i < ne; i++) {
        cnt[i] += rows[iy * kk + 2 + 2 * i];
        sums[i] += rows[iy * kk + 3 + 2 * i];
      }
    }
    for (size_t i = 0; i < ne; i++) {
      summary->mean_se_element[i] = cnt[i] > 0.0 ? sums[i] / cnt[i] : NAN;
      all += sums[i];
      all_cnt += cnt[i];
    }
    summary->mean_se = all_cnt > 0.0 ? all / all_cnt : NAN;
    summary->n_valid = (size_t)valid_px;
    summary->n_masked = n - (size_t)valid_px;
    summary->n_at_bound = (size_t)bound;
    summary->x_min = x_min;
  }
  sf_free(rows);
  return SF_OK;
}
