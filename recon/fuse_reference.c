/* fuse_reference.c - the reference-compatible fusion loop (sf_fuse_reference.h):
   parameters, float16 weights, min-max normalisation, the implied
   default-mode objective, the reference costs and the loop itself. */
#include "recon/sf_fuse_reference.h"

#include "core/sf_alloc.h"
#include "core/sf_progress.h"
#include "core/sf_status.h"

#include <math.h>
#include <string.h>
#include <time.h>

void sf_fuse_ref_params_default(sf_fuse_ref_params *p) {
  memset(p, 0, sizeof *p);
  p->gamma = 1.6;
  p->weight_mode = SF_FUSE_WEIGHT_Z_MEAN;
  p->lambda_chem = 0.006;
  p->lambda_tv = 0.022;
  p->bkg = 0.01;
  p->n_iter = 30;
  p->tv_iter = 6;
  p->tv_variant = SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO;
  p->x0_threshold = 0.0;
  p->normalise = 1;
  p->float16_weights = 1;
  p->progress = 0;
}

int sf_fuse_ref_tv_parse(const char *text, sf_fuse_ref_tv *variant) {
  if (text && strcmp(text, "ctvlib_gp_iso") == 0) {
    *variant = SF_FUSE_REF_TV_CTVLIB_GP_ISO;
    return SF_OK;
  }
  if (text && strcmp(text, "tutorial_fgp_aniso") == 0) {
    *variant = SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO;
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL,
                      "fuse reference: TV variant \"%s\": expected ctvlib_gp_iso or "
                      "tutorial_fgp_aniso",
                      text ? text : "(null)");
}

const char *sf_fuse_ref_tv_name(sf_fuse_ref_tv variant) {
  switch (variant) {
  case SF_FUSE_REF_TV_CTVLIB_GP_ISO: return "ctvlib_gp_iso";
  case SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO: return "tutorial_fgp_aniso";
  }
  return "unknown";
}

/* binary16: 11 significant bits, smallest normal 2^-14, subnormal quantum
   2^-24, largest finite 65504. */
double sf_fuse_float16_round(double v) {
  if (v == 0.0 || !isfinite(v))
    return v;
  int e;
  frexp(v, &e); /* |v| = f 2^e, f in [0.5, 1): floor(log2|v|) = e - 1 */
  int q = e - 1 < -14 ? -24 : e - 1 - 10;
  double r = ldexp(nearbyint(ldexp(v, -q)), q); /* nearbyint: ties to even */
  if (fabs(r) > 65504.0)
    return v > 0 ? INFINITY : -INFINITY;
  return r;
}

int sf_fuse_ref_weights(sf_fuse_weight_mode mode, size_t n, const double *Z, double gamma,
                        const double *custom, int float16, double *w) {
  SF_TRY(sf_fuse_weights(mode, n, Z, gamma, custom, w));
  if (float16)
    for (size_t i = 0; i < n; i++)
      w[i] = sf_fuse_float16_round(w[i]);
  return SF_OK;
}

static int check_ref_params(const sf_fuse_ref_params *par) {
  if (!(par->gamma > 0.0 && par->gamma <= 4.0))
    return sf_error_set(SF_EINVAL, "fuse reference: gamma = %g: must be in (0, 4]", par->gamma);
  if (!(par->lambda_chem >= 0.0) || !isfinite(par->lambda_chem))
    return sf_error_set(SF_EINVAL, "fuse reference: lambda_chem = %g: must be >= 0",
                        par->lambda_chem);
  if (!(par->lambda_tv >= 0.0) || !isfinite(par->lambda_tv))
    return sf_error_set(SF_EINVAL, "fuse reference: lambda_tv = %g: must be >= 0",
                        par->lambda_tv);
  if (!(par->bkg > 0.0) || !isfinite(par->bkg))
    return sf_error_set(SF_EINVAL, "fuse reference: bkg (eps) = %g: must be > 0", par->bkg);
  if (par->n_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse reference: iterations = %d: must be >= 1", par->n_iter);
  if (par->tv_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse reference: TV iterations = %d: must be >= 1",
                        par->tv_iter);
  if (par->tv_variant != SF_FUSE_REF_TV_CTVLIB_GP_ISO &&
      par->tv_variant != SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO)
    return sf_error_set(SF_EINVAL, "fuse reference: unknown TV variant %d", (int)par->tv_variant);
  if (!isfinite(par->x0_threshold))
    return sf_error_set(SF_EINVAL, "fuse reference: x0 threshold = %g: must be finite",
                        par->x0_threshold);
  return SF_OK;
}

/* Min-max normalisation of n values into out; a constant map becomes 0. */
static void normalise(size_t n, const double *in, int enable, double *out, double *vmin,
                      double *range) {
  double lo = in[0], hi = in[0];
  for (size_t p = 1; p < n; p++) {
    lo = in[p] < lo ? in[p] : lo;
    hi = in[p] > hi ? in[p] : hi;
  }
  if (!enable) {
    lo = 0.0;
    hi = 1.0;
  }
  double r = hi - lo;
  *vmin = lo;
  *range = r;
  for (size_t p = 0; p < n; p++)
    out[p] = r > 0.0 ? (in[p] - lo) / r : 0.0;
}

int sf_fuse_ref_data_create(const sf_fuse_problem *prob, const sf_fuse_ref_params *par,
                            sf_fuse_ref_data **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "fuse reference: NULL output");
  *out = NULL;
  if (!prob || !par)
    return sf_error_set(SF_EINVAL, "fuse reference: NULL problem or parameters");
  SF_TRY(check_ref_params(par));
  /* The shared checks (sizes, finite maps, Z, custom weights) with a model
     that does not require non-negative maps: they are normalised here. */
  sf_fuse_params chk;
  sf_fuse_params_default(&chk);
  chk.gamma = par->gamma;
  chk.weight_mode = par->weight_mode;
  chk.chem_model = SF_FUSE_CHEM_LSQ;
  SF_TRY(sf_fuse_problem_check(prob, &chk));
  const size_t n = prob->nx * prob->ny, ne = prob->n_elements;
  sf_fuse_ref_data *d = sf_alloc(1, sizeof *d, "reference data");
  if (!d)
    return SF_ENOMEM;
  d->nx = prob->nx;
  d->ny = prob->ny;
  d->n_elements = ne;
  d->haadf = sf_alloc(n, sizeof(double), "reference HAADF");
  d->chem = sf_alloc(ne * n, sizeof(double), "reference chemical maps");
  if (!d->haadf || !d->chem) {
    sf_fuse_ref_data_destroy(d);
    return SF_ENOMEM;
  }
  int st = sf_fuse_ref_weights(par->weight_mode, ne, prob->Z, par->gamma, prob->custom_weights,
                               par->float16_weights, d->weights);
  if (st != SF_OK) {
    sf_fuse_ref_data_destroy(d);
    return st;
  }
  normalise(n, prob->haadf, par->normalise, d->haadf, &d->haadf_min, &d->haadf_range);
  for (size_t i = 0; i < ne; i++) {
    normalise(n, prob->chem[i], par->normalise, d->chem + i * n, &d->chem_min[i],
              &d->chem_range[i]);
    d->chem_maps[i] = d->chem + i * n;
    d->Z[i] = prob->Z ? prob->Z[i] : 0.0;
  }
  d->problem.nx = d->nx;
  d->problem.ny = d->ny;
  d->problem.n_elements = ne;
  d->problem.haadf = d->haadf;
  d->problem.chem = d->chem_maps;
  d->problem.Z = prob->Z ? d->Z : NULL;
  d->problem.yield = NULL;
  d->problem.custom_weights = d->weights;
  d->problem.names = prob->names;
  *out = d;
  return SF_OK;
}

void sf_fuse_ref_data_destroy(sf_fuse_ref_data *d) {
  if (!d)
    return;
  sf_free(d->haadf);
  sf_free(d->chem);
  sf_free(d);
}

void sf_fuse_ref_implied(const sf_fuse_ref_params *par, size_t n_elements, sf_fuse_params *out) {
  sf_fuse_params_default(out);
  out->gamma = par->gamma;
  out->weight_mode = SF_FUSE_WEIGHT_CUSTOM;
  out->lambda_chem = par->lambda_chem;
  out->lambda_tv = par->lambda_tv;
  out->chem_model = SF_FUSE_CHEM_POISSON;
  out->eps = par->bkg;
  out->haadf_sigma = sqrt((double)(n_elements > 0 ? n_elements : 1));
  out->scale_mode = SF_FUSE_SCALE_FIXED;
  out->scale = 1.0;
  out->fit_offset = 0;
  out->offset = 0.0;
  out->estimate_yield = 0;
}

/* Per-row partial sums reduced in row order: costHAADF and costChem. */
static void costs_hc(const sf_fuse_ref_data *d, double gamma, const double *x, double *rows,
                     double *ch, double *cc) {
  const size_t nx = d->nx, ny = d->ny, n = nx * ny, ne = d->n_elements;
#pragma omp parallel for schedule(static) if (n * ne >= 65536)
  for (size_t iy = 0; iy < ny; iy++) {
    double sh = 0.0, sc = 0.0;
    for (size_t ix = 0; ix < nx; ix++) {
      size_t p = iy * nx + ix;
      double h = 0.0;
      for (size_t i = 0; i < ne; i++) {
        double xv = x[i * n + p];
        h += d->weights[i] * (xv > 0.0 ? pow(xv, gamma) : 0.0);
        sc += d->chem[i * n + p] * log(xv + SF_FUSE_REF_COST_EPS) - xv;
      }
      double r = h - d->haadf[p];
      sh += r * r;
    }
    rows[2 * iy] = sh;
    rows[2 * iy + 1] = sc;
  }
  double sh = 0.0, sc = 0.0;
  for (size_t iy = 0; iy < ny; iy++) {
    sh += rows[2 * iy];
    sc += rows[2 * iy + 1];
  }
  *ch = 0.5 * sh;
  *cc = sc;
}

int sf_fuse_ref_costs(const sf_fuse_ref_data *data, const sf_fuse_ref_params *par,
                      const double *x, double cost[3]) {
  if (!data || !par || !x || !cost)
    return sf_error_set(SF_EINVAL, "fuse reference costs: NULL argument");
  double *rows = sf_alloc(2 * data->ny, sizeof(double), "reference cost rows");
  if (!rows)
    return SF_ENOMEM;
  costs_hc(data, par->gamma, x, rows, &cost[0], &cost[1]);
  sf_free(rows);
  const size_t n = data->nx * data->ny;
  double tv = 0.0;
  for (size_t i = 0; i < data->n_elements; i++) {
    double t;
    SF_TRY(sf_fuse_ref_cost_tv(par->tv_variant, data->nx, data->ny, x + i * n, &t));
    tv += t;
  }
  cost[2] = tv;
  return SF_OK;
}

/* The gradient step and the clip of the loop, in place on x. */
static void gradient_step(const sf_fuse_ref_data *d, const sf_fuse_ref_params *par, double *x) {
  const size_t n = d->nx * d->ny, ne = d->n_elements;
  const double g = par->gamma, lh = 1.0 / (double)ne, lc = par->lambda_chem, bkg = par->bkg;
#pragma omp parallel for schedule(static) if (n * ne >= 65536)
  for (size_t p = 0; p < n; p++) {
    double xp[SF_FUSE_MAX_ELEMENTS], pm[SF_FUSE_MAX_ELEMENTS];
    double h = 0.0;
    for (size_t i = 0; i < ne; i++) {
      xp[i] = x[i * n + p];
      /* x^(gamma-1), taken as 0 at x = 0 (also for gamma < 1, where it diverges) */
      pm[i] = xp[i] > 0.0 ? pow(xp[i], g - 1.0) : 0.0;
      h += d->weights[i] * xp[i] * pm[i];
    }
    double r = h - d->haadf[p];
    for (size_t i = 0; i < ne; i++) {
      double dh = lh * g * d->weights[i] * pm[i] * r;
      double dc = lc * (1.0 - d->chem[i * n + p] / (xp[i] + bkg));
      double v = xp[i] - (dh + dc);
      x[i * n + p] = v > 0.0 ? v : 0.0;
    }
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sf_fuse_ref_result_destroy(sf_fuse_ref_result *r) {
  if (!r)
    return;
  sf_free(r->x);
  sf_free(r->cost_haadf);
  sf_free(r->cost_chem);
  sf_free(r->cost_tv);
  sf_free(r);
}

int sf_fuse_ref_run(const sf_fuse_problem *prob, const sf_fuse_ref_params *par,
                    sf_fuse_ref_result **out, sf_fuse_ref_data **data_out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "fuse reference: NULL output");
  *out = NULL;
  if (data_out)
    *data_out = NULL;
  sf_fuse_ref_data *d = NULL;
  SF_TRY(sf_fuse_ref_data_create(prob, par, &d));
  const size_t n = d->nx * d->ny, ne = d->n_elements;
  sf_fuse_ref_result *r = sf_alloc(1, sizeof *r, "reference result");
  double *work = sf_alloc(5 * n, sizeof(double), "reference TV work");
  double *rows = sf_alloc(2 * d->ny, sizeof(double), "reference cost rows");
  if (r) {
    r->x = sf_alloc(ne * n, sizeof(double), "reference maps");
    r->cost_haadf = sf_alloc((size_t)par->n_iter, sizeof(double), "reference costs");
    r->cost_chem = sf_alloc((size_t)par->n_iter, sizeof(double), "reference costs");
    r->cost_tv = sf_alloc((size_t)par->n_iter, sizeof(double), "reference costs");
  }
  if (!r || !work || !rows || !r->x || !r->cost_haadf || !r->cost_chem || !r->cost_tv) {
    sf_fuse_ref_result_destroy(r);
    sf_free(work);
    sf_free(rows);
    sf_fuse_ref_data_destroy(d);
    return SF_ENOMEM;
  }
  r->nx = d->nx;
  r->ny = d->ny;
  r->n_elements = ne;
  memcpy(r->weights, d->weights, sizeof r->weights);
  double *x = r->x;
  for (size_t k = 0; k < ne * n; k++)
    x[k] = (par->x0_threshold > 0.0 && d->chem[k] < par->x0_threshold) ? 0.0 : d->chem[k];
  int st = sf_fuse_ref_costs(d, par, x, r->cost0);
  double t0 = now_s();
  sf_progress *pg = par->progress ? sf_progress_begin("fuse (reference) iterations",
                                                      (uint64_t)par->n_iter)
                                  : NULL;
  for (int it = 0; st == SF_OK && it < par->n_iter; it++) {
    gradient_step(d, par, x);
    /* TV per element (each solve splits its rows over the threads) */
    int stv = SF_OK;
    for (size_t i = 0; i < ne && stv == SF_OK; i++) {
      double *wi = work;
      memcpy(wi + 4 * n, x + i * n, n * sizeof(double));
      stv = sf_fuse_ref_tv_apply(par->tv_variant, d->nx, d->ny, wi + 4 * n, par->lambda_tv,
                                 par->tv_iter, wi, x + i * n);
    }
    st = stv;
    if (st != SF_OK)
      break;
    double tv = 0.0, t;
    for (size_t i = 0; i < ne; i++) {
      sf_fuse_ref_cost_tv(par->tv_variant, d->nx, d->ny, x + i * n, &t);
      tv += t;
    }
    costs_hc(d, par->gamma, x, rows, &r->cost_haadf[it], &r->cost_chem[it]);
    r->cost_tv[it] = tv;
    if (!isfinite(r->cost_haadf[it]) || !isfinite(r->cost_chem[it]) || !isfinite(tv))
      st = sf_error_set(SF_ENUMERIC,
                        "fuse reference: iteration %d: non-finite cost (costHAADF = %g, "
                        "costChem = %g, costTV = %g); lower lambda_chem or lambda_tv",
                        it + 1, r->cost_haadf[it], r->cost_chem[it], tv);
    r->n_iter = it + 1;
    sf_progress_add(pg, 1);
  }
  sf_progress_end(pg);
  r->seconds = now_s() - t0;
  sf_free(work);
  sf_free(rows);
  if (st != SF_OK) {
    sf_fuse_ref_result_destroy(r);
    sf_fuse_ref_data_destroy(d);
    return st;
  }
  *out = r;
  if (data_out)
    *data_out = d;
  else
    sf_fuse_ref_data_destroy(d);
  return SF_OK;
}
