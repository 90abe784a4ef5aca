/* fuse_params.c - parameter defaults, option names, HAADF weights, the HAADF
   noise estimate and the validation of a fusion problem. */
#include "recon/sf_fuse.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <string.h>

void sf_fuse_params_default(sf_fuse_params *p) {
  memset(p, 0, sizeof *p);
  p->gamma = 1.7;
  p->weight_mode = SF_FUSE_WEIGHT_PAPER;
  p->lambda_chem = 1.0;
  p->lambda_tv = 0.5;
  p->chem_model = SF_FUSE_CHEM_POISSON;
  p->eps = 1e-2;
  p->haadf_sigma = 0.0;
  p->scale_mode = SF_FUSE_SCALE_FIT;
  p->scale = 1.0;
  p->fit_offset = 0;
  p->offset = 0.0;
  p->estimate_yield = 0;
  p->max_iter = 1000;
  p->tol_x = 1e-5;
  p->tol_cost = 1e-9;
  p->accelerate = 1;
  p->step_grow = 1.25;
  p->step_shrink = 0.5;
  p->max_backtracks = 40;
  p->tv_max_iter = 10;
  p->tv_tol = 1e-4;
  p->progress = 0;
}

static const char *const weight_names[] = {"paper", "sum",        "z_mean", "zgamma_mean",
                                           "z_sum", "zgamma_sum", "custom"};

int sf_fuse_weight_mode_parse(const char *text, sf_fuse_weight_mode *mode) {
  for (int i = 0; text && i < (int)(sizeof weight_names / sizeof *weight_names); i++)
    if (strcmp(text, weight_names[i]) == 0) {
      *mode = (sf_fuse_weight_mode)i;
      return SF_OK;
    }
  return sf_error_set(SF_EINVAL,
                      "fuse: weight mode \"%s\": expected paper, sum, z_mean, zgamma_mean, "
                      "z_sum, zgamma_sum or custom",
                      text ? text : "(null)");
}

const char *sf_fuse_weight_mode_name(sf_fuse_weight_mode mode) {
  if ((int)mode >= 0 && (int)mode < (int)(sizeof weight_names / sizeof *weight_names))
    return weight_names[mode];
  return "unknown";
}

int sf_fuse_chem_model_parse(const char *text, sf_fuse_chem_model *model) {
  if (text && strcmp(text, "poisson") == 0) {
    *model = SF_FUSE_CHEM_POISSON;
    return SF_OK;
  }
  if (text && strcmp(text, "lsq") == 0) {
    *model = SF_FUSE_CHEM_LSQ;
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL, "fuse: chemical model \"%s\": expected poisson or lsq",
                      text ? text : "(null)");
}

const char *sf_fuse_chem_model_name(sf_fuse_chem_model model) {
  switch (model) {
  case SF_FUSE_CHEM_POISSON: return "poisson";
  case SF_FUSE_CHEM_LSQ: return "lsq";
  }
  return "unknown";
}

const char *sf_fuse_stop_name(sf_fuse_stop stop) {
  switch (stop) {
  case SF_FUSE_STOP_NONE: return "none";
  case SF_FUSE_STOP_CONVERGED: return "converged";
  case SF_FUSE_STOP_MAX_ITER: return "max_iter";
  case SF_FUSE_STOP_STALLED: return "stalled";
  }
  return "unknown";
}

int sf_fuse_weights(sf_fuse_weight_mode mode, size_t n, const double *Z, double gamma,
                    const double *custom, double *w) {
  if (n == 0 || n > SF_FUSE_MAX_ELEMENTS || !w)
    return sf_error_set(SF_EINVAL, "fuse: %zu elements: need 1 .. %d", n, SF_FUSE_MAX_ELEMENTS);
  if (!(gamma > 0.0 && gamma <= 4.0))
    return sf_error_set(SF_EINVAL, "fuse: gamma = %g: must be in (0, 4]", gamma);
  if (mode == SF_FUSE_WEIGHT_CUSTOM) {
    if (!custom)
      return sf_error_set(SF_EINVAL, "fuse: weight mode custom needs custom_weights");
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
      if (!(custom[i] >= 0.0) || !isfinite(custom[i]))
        return sf_error_set(SF_EINVAL, "fuse: element %zu: custom weight = %g: must be >= 0", i,
                            custom[i]);
      w[i] = custom[i];
      total += custom[i];
    }
    if (!(total > 0.0))
      return sf_error_set(SF_EINVAL, "fuse: custom weights are all 0");
    return SF_OK;
  }
  if ((int)mode < 0 || mode > SF_FUSE_WEIGHT_CUSTOM)
    return sf_error_set(SF_EINVAL, "fuse: weight mode %d unknown", (int)mode);
  if (!Z)
    return sf_error_set(SF_EINVAL, "fuse: weight mode %s needs Z", sf_fuse_weight_mode_name(mode));
  for (size_t i = 0; i < n; i++)
    if (!(Z[i] > 0.0) || !isfinite(Z[i]))
      return sf_error_set(SF_EINVAL, "fuse: element %zu: Z = %g: must be > 0", i, Z[i]);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    switch (mode) {
    case SF_FUSE_WEIGHT_PAPER:
    case SF_FUSE_WEIGHT_ZGAMMA_MEAN:
    case SF_FUSE_WEIGHT_ZGAMMA_SUM: w[i] = pow(Z[i], gamma); break;
    case SF_FUSE_WEIGHT_SUM: w[i] = 1.0; break;
    default: w[i] = Z[i]; break;
    }
    sum += w[i];
  }
  double norm = 1.0;
  if (mode == SF_FUSE_WEIGHT_Z_MEAN || mode == SF_FUSE_WEIGHT_ZGAMMA_MEAN)
    norm = sum / (double)n;
  else if (mode == SF_FUSE_WEIGHT_Z_SUM || mode == SF_FUSE_WEIGHT_ZGAMMA_SUM)
    norm = sum;
  for (size_t i = 0; i < n; i++)
    w[i] /= norm;
  return SF_OK;
}

/* k-th smallest of a[0..n-1] (reorders a). Hoare selection, deterministic pivot. */
static double select_kth(double *a, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    double pivot = a[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i <= j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return a[k];
  }
  return a[k];
}

int sf_fuse_haadf_noise_estimate(size_t nx, size_t ny, const double *image, double *sigma) {
  if (!image || !sigma || nx == 0 || ny == 0)
    return sf_error_set(SF_EINVAL, "fuse: noise estimate: empty image (%zu x %zu)", nx, ny);
  size_t count = nx > 1 ? (nx - 1) * ny : nx * (ny - 1);
  if (count == 0) {
    *sigma = 1.0;
    return SF_OK;
  }
  double *d = sf_alloc(count, sizeof *d, "HAADF differences");
  if (!d)
    return SF_ENOMEM;
  size_t m = 0;
  double ss = 0.0;
  if (nx > 1) {
    for (size_t iy = 0; iy < ny; iy++)
      for (size_t ix = 0; ix + 1 < nx; ix++)
        d[m++] = image[iy * nx + ix + 1] - image[iy * nx + ix];
  } else {
    for (size_t iy = 0; iy + 1 < ny; iy++)
      d[m++] = image[iy + 1] - image[iy];
  }
  for (size_t i = 0; i < m; i++)
    ss += d[i] * d[i];
  double med = select_kth(d, m, m / 2);
  for (size_t i = 0; i < m; i++)
    d[i] = fabs(d[i] - med);
  double mad = select_kth(d, m, m / 2);
  sf_free(d);
  double s = 1.482602218505602 * mad / sqrt(2.0);
  if (!(s > 0.0))
    s = sqrt(ss / (double)m / 2.0);
  if (!(s > 0.0) || !isfinite(s))
    s = 1.0;
  *sigma = s;
  return SF_OK;
}

static const char *element_name(const sf_fuse_problem *prob, size_t i) {
  return prob->names && prob->names[i] ? prob->names[i] : "?";
}

static int check_map(const char *what, size_t i, const char *name, const double *map, size_t nx,
                     size_t ny, int nonneg) {
  for (size_t iy = 0; iy < ny; iy++)
    for (size_t ix = 0; ix < nx; ix++) {
      double v = map[iy * nx + ix];
      if (!isfinite(v)) {
        if (i == (size_t)-1)
          return sf_error_set(SF_ENUMERIC, "fuse: %s: pixel (ix %zu, iy %zu) = %g: not finite",
                              what, ix, iy, v);
        return sf_error_set(SF_ENUMERIC,
                            "fuse: %s %zu (%s): pixel (ix %zu, iy %zu) = %g: not finite", what, i,
                            name, ix, iy, v);
      }
      if (nonneg && v < 0.0)
        return sf_error_set(SF_EINVAL,
                            "fuse: %s %zu (%s): pixel (ix %zu, iy %zu) = %g: counts must be >= 0 "
                            "for the Poisson model (use chem_model lsq for signed data)",
                            what, i, name, ix, iy, v);
    }
  return SF_OK;
}

static int check_params(const sf_fuse_params *p) {
  if (!(p->gamma > 0.0 && p->gamma <= 4.0))
    return sf_error_set(SF_EINVAL, "fuse: gamma = %g: must be in (0, 4]", p->gamma);
  if (!(p->lambda_chem >= 0.0) || !isfinite(p->lambda_chem))
    return sf_error_set(SF_EINVAL, "fuse: lambda_chem = %g: must be >= 0 and finite",
                        p->lambda_chem);
  if (!(p->lambda_tv >= 0.0) || !isfinite(p->lambda_tv))
    return sf_error_set(SF_EINVAL, "fuse: lambda_tv = %g: must be >= 0 and finite",
                        p->lambda_tv);
  if ((int)p->weight_mode < 0 || p->weight_mode > SF_FUSE_WEIGHT_CUSTOM)
    return sf_error_set(SF_EINVAL, "fuse: weight_mode = %d: unknown", (int)p->weight_mode);
  if (p->chem_model != SF_FUSE_CHEM_POISSON && p->chem_model != SF_FUSE_CHEM_LSQ)
    return sf_error_set(SF_EINVAL, "fuse: chem_model = %d: unknown", (int)p->chem_model);
  if (p->chem_model == SF_FUSE_CHEM_POISSON && (!(p->eps > 0.0) || !isfinite(p->eps)))
    return sf_error_set(SF_EINVAL, "fuse: eps = %g: must be > 0 for the Poisson model", p->eps);
  if (!isfinite(p->haadf_sigma))
    return sf_error_set(SF_EINVAL, "fuse: haadf_sigma = %g: must be finite", p->haadf_sigma);
  if ((int)p->scale_mode < 0 || p->scale_mode > SF_FUSE_SCALE_FIXED)
    return sf_error_set(SF_EINVAL, "fuse: scale_mode = %d: unknown", (int)p->scale_mode);
  if (p->scale_mode == SF_FUSE_SCALE_FIXED && (!(p->scale > 0.0) || !isfinite(p->scale)))
    return sf_error_set(SF_EINVAL, "fuse: scale = %g: must be > 0 with a fixed scale", p->scale);
  if (p->estimate_yield && !(p->lambda_chem > 0.0))
    return sf_error_set(SF_EINVAL,
                        "fuse: lambda_chem = %g: estimated yields need lambda_chem > 0",
                        p->lambda_chem);
  if (!isfinite(p->offset))
    return sf_error_set(SF_EINVAL, "fuse: offset = %g: must be finite", p->offset);
  if (p->max_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse: max_iter = %d: must be >= 1", p->max_iter);
  if (!(p->tol_x >= 0.0) || !(p->tol_cost >= 0.0))
    return sf_error_set(SF_EINVAL, "fuse: tol_x = %g, tol_cost = %g: must be >= 0", p->tol_x,
                        p->tol_cost);
  if (!(p->step_grow >= 1.0) || !isfinite(p->step_grow))
    return sf_error_set(SF_EINVAL, "fuse: step_grow = %g: must be >= 1", p->step_grow);
  if (!(p->step_shrink > 0.0 && p->step_shrink < 1.0))
    return sf_error_set(SF_EINVAL, "fuse: step_shrink = %g: must be in (0, 1)", p->step_shrink);
  if (p->max_backtracks < 1)
    return sf_error_set(SF_EINVAL, "fuse: max_backtracks = %d: must be >= 1", p->max_backtracks);
  if (p->tv_max_iter < 1 || !(p->tv_tol >= 0.0))
    return sf_error_set(SF_EINVAL, "fuse: tv_max_iter = %d, tv_tol = %g: need >= 1 and >= 0",
                        p->tv_max_iter, p->tv_tol);
  return SF_OK;
}

int sf_fuse_problem_check(const sf_fuse_problem *prob, const sf_fuse_params *par) {
  if (!prob || !par)
    return sf_error_set(SF_EINVAL, "fuse: NULL problem or parameters");
  SF_TRY(check_params(par));
  if (prob->n_elements == 0 || prob->n_elements > SF_FUSE_MAX_ELEMENTS)
    return sf_error_set(SF_EINVAL, "fuse: n_elements = %zu: need 1 .. %d", prob->n_elements,
                        SF_FUSE_MAX_ELEMENTS);
  if (prob->nx == 0 || prob->ny == 0)
    return sf_error_set(SF_EINVAL, "fuse: map size nx = %zu, ny = %zu: both must be >= 1",
                        prob->nx, prob->ny);
  if (prob->nx > ((size_t)1 << 31) / prob->ny)
    return sf_error_set(SF_EINVAL, "fuse: map size %zu x %zu too large", prob->nx, prob->ny);
  if (!prob->haadf || !prob->chem)
    return sf_error_set(SF_EINVAL, "fuse: the HAADF map and the chemical maps must be given");
  for (size_t i = 0; i < prob->n_elements; i++)
    if (!prob->chem[i])
      return sf_error_set(SF_EINVAL, "fuse: chemical map %zu (%s) is NULL", i,
                          element_name(prob, i));
  if (par->weight_mode == SF_FUSE_WEIGHT_CUSTOM && !prob->custom_weights)
    return sf_error_set(SF_EINVAL, "fuse: weight mode custom needs problem.custom_weights");
  if (par->weight_mode != SF_FUSE_WEIGHT_CUSTOM && !prob->Z)
    return sf_error_set(SF_EINVAL, "fuse: weight mode %s needs problem.Z",
                        sf_fuse_weight_mode_name(par->weight_mode));
  if (prob->Z)
    for (size_t i = 0; i < prob->n_elements; i++)
      if (!(prob->Z[i] > 0.0) || !isfinite(prob->Z[i]))
        return sf_error_set(SF_EINVAL, "fuse: element %zu (%s): Z = %g: must be > 0", i,
                            element_name(prob, i), prob->Z[i]);
  if (prob->custom_weights && par->weight_mode == SF_FUSE_WEIGHT_CUSTOM)
    for (size_t i = 0; i < prob->n_elements; i++)
      if (!(prob->custom_weights[i] >= 0.0) || !isfinite(prob->custom_weights[i]))
        return sf_error_set(SF_EINVAL, "fuse: element %zu (%s): custom weight = %g: must be >= 0",
                            i, element_name(prob, i), prob->custom_weights[i]);
  if (prob->yield)
    for (size_t i = 0; i < prob->n_elements; i++)
      if (!(prob->yield[i] > 0.0) || !isfinite(prob->yield[i]))
        return sf_error_set(SF_EINVAL, "fuse: element %zu (%s): yield = %g: must be > 0", i,
                            element_name(prob, i), prob->yield[i]);
  SF_TRY(check_map("HAADF map", (size_t)-1, "", prob->haadf, prob->nx, prob->ny, 0));
  int nonneg = par->chem_model == SF_FUSE_CHEM_POISSON;
  for (size_t i = 0; i < prob->n_elements; i++)
    SF_TRY(check_map("chemical map", i, element_name(prob, i), prob->chem[i], prob->nx, prob->ny,
                     nonneg));
  double w[SF_FUSE_MAX_ELEMENTS];
  return sf_fuse_weights(par->weight_mode, prob->n_elements, prob->Z, par->gamma,
                         prob->custom_weights, w);
}
