/* stoich.c - relative concentrations, histograms and Gaussian fits (GSL nlinear). */
#include "validate/sf_stoich.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SQRT2 1.4142135623730951
#define INV_SQRT_2PI 0.3989422804014327
/* Fit controls: iteration cap and GSL's step / gradient tolerances. */
#define FIT_MAX_ITER 500
#define FIT_XTOL 1e-10
#define FIT_GTOL 1e-10
/* Poisson variance floor (counts) in the weights 1 / max(n, floor). */
#define FIT_VARIANCE_FLOOR 1.0
#define DEFAULT_MASK_FRACTION 0.1
#define DEFAULT_MERGE_SEPARATION 0.02

/* ---- histograms ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Freedman-Diaconis bin count for the sorted values s[0..m-1] over [lo, hi]. */
static size_t fd_bins(const double *s, size_t m, double lo, double hi) {
  double q1 = s[(size_t)(0.25 * (double)(m - 1))], q3 = s[(size_t)(0.75 * (double)(m - 1))];
  double h = 2.0 * (q3 - q1) * pow((double)m, -1.0 / 3.0);
  double bins = h > 0.0 ? ceil((hi - lo) / h) : 10.0;
  if (bins < 10.0)
    bins = 10.0;
  if (bins > 1000.0)
    bins = 1000.0;
  return (size_t)bins;
}

void sf_histogram_destroy(sf_histogram *h) {
  if (!h)
    return;
  sf_free(h->counts);
  free(h);
}

int sf_histogram_create(const double *v, const uint8_t *mask, size_t n, size_t n_bins, double lo,
                        double hi, sf_histogram **out) {
  *out = NULL;
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i])
      continue;
    if (!isfinite(v[i]))
      return sf_error_set(SF_EINVAL, "histogram: value %zu = %g: must be finite", i, v[i]);
    ++m;
  }
  if (m == 0)
    return sf_error_set(SF_EINVAL, "histogram: no value selected");
  if (!isfinite(lo) || !isfinite(hi))
    return sf_error_set(SF_EINVAL, "histogram: range %g .. %g: must be finite", lo, hi);
  double *s = NULL;
  if (lo >= hi || n_bins == 0) {
    s = sf_alloc(m, sizeof(double), "histogram sort buffer");
    if (!s)
      return SF_ENOMEM;
    for (size_t i = 0, j = 0; i < n; ++i)
      if (!mask || mask[i])
        s[j++] = v[i];
    qsort(s, m, sizeof(double), cmp_double);
    if (lo >= hi) {
      lo = s[0];
      hi = s[m - 1];
      if (!(hi > lo)) {
        sf_free(s);
        return sf_error_set(SF_ERANGE, "histogram: all %zu values equal %g: no range to bin", m,
                            lo);
      }
    }
    if (n_bins == 0)
      n_bins = fd_bins(s, m, lo, hi);
    sf_free(s);
  }
  sf_histogram *h = calloc(1, sizeof *h);
  if (!h)
    return sf_error_set(SF_ENOMEM, "histogram: out of memory");
  h->counts = sf_alloc(n_bins, sizeof(double), "histogram counts");
  if (!h->counts) {
    free(h);
    return SF_ENOMEM;
  }
  h->n_bins = n_bins;
  h->lo = lo;
  h->hi = hi;
  h->bin_width = (hi - lo) / (double)n_bins;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i])
      continue;
    if (v[i] < lo || v[i] > hi) {
      h->n_out++;
      continue;
    }
    size_t b = (size_t)floor((v[i] - lo) / h->bin_width);
    if (b >= n_bins)
      b = n_bins - 1;
    h->counts[b] += 1.0;
    h->n_in++;
  }
  *out = h;
  return SF_OK;
}

/* ---- Gaussian fits ---- */

typedef struct fit_data {
  const sf_histogram *h;
  size_t K;
} fit_data;

static double normal_cdf(double z) { return 0.5 * erfc(-z / SQRT2); }
static double normal_pdf(double z) { return INV_SQRT_2PI * exp(-0.5 * z * z); }

/* Parameters per component k: N_k, mu_k, q_k = log sigma_k. */
static double model_bin(const fit_data *d, const gsl_vector *p, size_t b) {
  const sf_histogram *h = d->h;
  double e0 = h->lo + (double)b * h->bin_width, e1 = e0 + h->bin_width, sum = 0.0;
  for (size_t k = 0; k < d->K; ++k) {
    double N = gsl_vector_get(p, 3 * k), mu = gsl_vector_get(p, 3 * k + 1);
    double sigma = exp(gsl_vector_get(p, 3 * k + 2));
    sum += N * (normal_cdf((e1 - mu) / sigma) - normal_cdf((e0 - mu) / sigma));
  }
  return sum;
}

static int fit_f(const gsl_vector *p, void *data, gsl_vector *f) {
  const fit_data *d = data;
  for (size_t b = 0; b < d->h->n_bins; ++b)
    gsl_vector_set(f, b, model_bin(d, p, b) - d->h->counts[b]);
  return GSL_SUCCESS;
}

static int fit_df(const gsl_vector *p, void *data, gsl_matrix *J) {
  const fit_data *d = data;
  const sf_histogram *h = d->h;
  for (size_t b = 0; b < h->n_bins; ++b) {
    double e0 = h->lo + (double)b * h->bin_width, e1 = e0 + h->bin_width;
    for (size_t k = 0; k < d->K; ++k) {
      double N = gsl_vector_get(p, 3 * k), mu = gsl_vector_get(p, 3 * k + 1);
      double sigma = exp(gsl_vector_get(p, 3 * k + 2));
      double z0 = (e0 - mu) / sigma, z1 = (e1 - mu) / sigma;
      double f0 = normal_pdf(z0), f1 = normal_pdf(z1);
      gsl_matrix_set(J, b, 3 * k, normal_cdf(z1) - normal_cdf(z0));
      gsl_matrix_set(J, b, 3 * k + 1, N * (f0 - f1) / sigma);
      gsl_matrix_set(J, b, 3 * k + 2, N * (f0 * z0 - f1 * z1));
    }
  }
  return GSL_SUCCESS;
}

/* Quantile q of the histogram (linear within the bin). */
static double hist_quantile(const sf_histogram *h, double q) {
  double total = 0.0, acc = 0.0;
  for (size_t b = 0; b < h->n_bins; ++b)
    total += h->counts[b];
  double target = q * total;
  for (size_t b = 0; b < h->n_bins; ++b) {
    if (acc + h->counts[b] >= target && h->counts[b] > 0.0)
      return h->lo + h->bin_width * ((double)b + (target - acc) / h->counts[b]);
    acc += h->counts[b];
  }
  return h->hi;
}

static void hist_moments(const sf_histogram *h, double *total, double *mean, double *sd) {
  double n = 0.0, s = 0.0, s2 = 0.0;
  for (size_t b = 0; b < h->n_bins; ++b) {
    double c = h->lo + ((double)b + 0.5) * h->bin_width;
    n += h->counts[b];
    s += h->counts[b] * c;
    s2 += h->counts[b] * c * c;
  }
  *total = n;
  *mean = n > 0.0 ? s / n : 0.0;
  double var = n > 0.0 ? s2 / n - *mean * *mean : 0.0;
  *sd = var > 0.0 ? sqrt(var) : 0.0;
}

/* One weighted solve from x (updated in place). */
static int fit_solve(gsl_multifit_nlinear_workspace *w, gsl_multifit_nlinear_fdf *fdf,
                     gsl_vector *x, const gsl_vector *wts, size_t *iterations) {
  gsl_multifit_nlinear_winit(x, wts, fdf, w);
  int info = 0;
  int status = gsl_multifit_nlinear_driver(FIT_MAX_ITER, FIT_XTOL, FIT_GTOL, 0.0, NULL, NULL,
                                           &info, w);
  *iterations = gsl_multifit_nlinear_niter(w);
  if (status == GSL_EMAXITER)
    return sf_error_set(SF_EMAXITER, "Gaussian fit: no convergence in %d iterations",
                        FIT_MAX_ITER);
  if (status == GSL_ENOPROG) {
    /* No step could reduce the cost further: the fit sits at a minimum to
       machine precision. */
    sf_log(SF_LOG_DEBUG, "Gaussian fit: stopped without progress after %zu iterations",
           *iterations);
  } else if (status != GSL_SUCCESS) {
    return sf_error_set(SF_ENUMERIC, "Gaussian fit: GSL reports '%s'", gsl_strerror(status));
  }
  gsl_vector_memcpy(x, gsl_multifit_nlinear_position(w));
  for (size_t i = 0; i < x->size; ++i)
    if (!isfinite(gsl_vector_get(x, i)))
      return sf_error_set(SF_ENUMERIC, "Gaussian fit: parameter %zu is not finite", i);
  return SF_OK;
}

static int cmp_gauss(const void *a, const void *b) {
  double x = ((const sf_gauss *)a)->mean, y = ((const sf_gauss *)b)->mean;
  return (x > y) - (x < y);
}

static int fit_run(const sf_histogram *h, size_t K, const double *means, const double *sigmas,
                   sf_gauss_fit *fit, gsl_multifit_nlinear_workspace *w, gsl_vector *x,
                   gsl_vector *wts, gsl_matrix *covar) {
  const size_t nb = h->n_bins;
  double total, mean, sd;
  hist_moments(h, &total, &mean, &sd);
  for (size_t k = 0; k < K; ++k) {
    double mu = means ? means[k] : hist_quantile(h, ((double)k + 0.5) / (double)K);
    double sg = sigmas ? sigmas[k] : sd / (double)K;
    if (!isfinite(mu) || !isfinite(sg) || (sigmas && sg <= 0.0))
      return sf_error_set(SF_EINVAL, "Gaussian fit: component %zu starts at mean %g, sigma %g: "
                          "need finite values and sigma > 0", k, mu, sg);
    if (sg < h->bin_width)
      sg = h->bin_width;
    gsl_vector_set(x, 3 * k, total / (double)K);
    gsl_vector_set(x, 3 * k + 1, mu);
    gsl_vector_set(x, 3 * k + 2, log(sg));
  }
  fit_data d = {h, K};
  gsl_multifit_nlinear_fdf fdf = {.f = fit_f, .df = fit_df, .fvv = NULL, .n = nb, .p = 3 * K,
                                  .params = &d};
  /* Pass 1: Neyman weights from the counts; pass 2: Pearson weights from pass 1's model. */
  for (size_t b = 0; b < nb; ++b)
    gsl_vector_set(wts, b, 1.0 / fmax(h->counts[b], FIT_VARIANCE_FLOOR));
  SF_TRY(fit_solve(w, &fdf, x, wts, &fit->iterations));
  for (size_t b = 0; b < nb; ++b)
    gsl_vector_set(wts, b, 1.0 / fmax(model_bin(&d, x, b), FIT_VARIANCE_FLOOR));
  SF_TRY(fit_solve(w, &fdf, x, wts, &fit->iterations));
  if (gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar) != GSL_SUCCESS)
    return sf_error_set(SF_ENUMERIC, "Gaussian fit: the covariance matrix is singular");
  const gsl_vector *r = gsl_multifit_nlinear_residual(w);
  gsl_blas_ddot(r, r, &fit->chi2);
  fit->n_components = K;
  fit->dof = nb - 3 * K;
  for (size_t k = 0; k < K; ++k) {
    sf_gauss *g = &fit->comp[k];
    g->count = gsl_vector_get(x, 3 * k);
    g->mean = gsl_vector_get(x, 3 * k + 1);
    g->sigma = exp(gsl_vector_get(x, 3 * k + 2));
    g->count_err = sqrt(gsl_matrix_get(covar, 3 * k, 3 * k));
    g->mean_err = sqrt(gsl_matrix_get(covar, 3 * k + 1, 3 * k + 1));
    g->sigma_err = g->sigma * sqrt(gsl_matrix_get(covar, 3 * k + 2, 3 * k + 2));
    if (!isfinite(g->count_err) || !isfinite(g->mean_err) || !isfinite(g->sigma_err))
      return sf_error_set(SF_ENUMERIC, "Gaussian fit: component %zu has no finite standard "
                          "error (degenerate fit)", k);
  }
  qsort(fit->comp, K, sizeof fit->comp[0], cmp_gauss);
  return SF_OK;
}

int sf_stoich_fit_gaussians(const sf_histogram *h, size_t n_components,
                            const double *initial_means, const double *initial_sigmas,
                            sf_gauss_fit *fit) {
  const size_t K = n_components;
  if (K < 1 || K > SF_STOICH_MAX_COMPONENTS)
    return sf_error_set(SF_EINVAL, "Gaussian fit: %zu components: must be 1..%d", K,
                        SF_STOICH_MAX_COMPONENTS);
  size_t occupied = 0;
  for (size_t b = 0; b < h->n_bins; ++b)
    occupied += h->counts[b] > 0.0;
  if (occupied < 3 * K || h->n_bins <= 3 * K)
    return sf_error_set(SF_ERANGE, "Gaussian fit: %zu of %zu bins occupied: need at least 3 per "
                        "component (%zu components) and more bins than parameters; use "
                        "narrower bins", occupied, h->n_bins, K);
  memset(fit, 0, sizeof *fit);
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  fp.trs = gsl_multifit_nlinear_trs_lm;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  gsl_multifit_nlinear_workspace *w =
      gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, h->n_bins, 3 * K);
  gsl_vector *x = gsl_vector_alloc(3 * K);
  gsl_vector *wts = gsl_vector_alloc(h->n_bins);
  gsl_matrix *covar = gsl_matrix_alloc(3 * K, 3 * K);
  int status = (w && x && wts && covar)
                   ? fit_run(h, K, initial_means, initial_sigmas, fit, w, x, wts, covar)
                   : sf_error_set(SF_ENOMEM, "Gaussian fit: out of memory");
  if (w)
    gsl_multifit_nlinear_free(w);
  if (x)
    gsl_vector_free(x);
  if (wts)
    gsl_vector_free(wts);
  if (covar)
    gsl_matrix_free(covar);
  gsl_set_error_handler(old);
  return status;
}

/* ---- relative concentrations and labels ---- */

int sf_stoich_relative(const double *const *x, size_t n_el, size_t npix, double mask_fraction,
                       double *const *c, uint8_t *mask, size_t *n_mask) {
  if (n_el == 0 || npix == 0)
    return sf_error_set(SF_EINVAL, "relative concentration: %zu maps of %zu pixels", n_el, npix);
  if (!isfinite(mask_fraction) || mask_fraction < 0.0 || mask_fraction > 1.0)
    return sf_error_set(SF_EINVAL, "relative concentration: mask_fraction = %g: must be in "
                        "[0, 1]", mask_fraction);
  double smax = 0.0;
  for (size_t p = 0; p < npix; ++p) {
    double s = 0.0;
    for (size_t i = 0; i < n_el; ++i) {
      if (!isfinite(x[i][p]))
        return sf_error_set(SF_EINVAL, "relative concentration: map %zu, pixel %zu = %g: must "
                            "be finite", i, p, x[i][p]);
      s += x[i][p];
    }
    smax = s > smax ? s : smax;
  }
  if (!(smax > 0.0))
    return sf_error_set(SF_EINVAL, "relative concentration: no pixel has a positive sum");
  size_t count = 0;
  for (size_t p = 0; p < npix; ++p) {
    double s = 0.0;
    for (size_t i = 0; i < n_el; ++i)
      s += x[i][p];
    int in = s > 0.0 && s >= mask_fraction * smax;
    for (size_t i = 0; i < n_el; ++i)
      c[i][p] = in ? x[i][p] / s : 0.0;
    if (mask)
      mask[p] = (uint8_t)in;
    count += (size_t)in;
  }
  if (n_mask)
    *n_mask = count;
  return SF_OK;
}

int sf_stoich_label_dominant(const double *const *thickness, size_t n_phases, size_t npix,
                             double min_fraction, uint8_t *labels) {
  if (n_phases == 0 || n_phases > 255)
    return sf_error_set(SF_EINVAL, "phase labels: %zu phases: must be 1..255", n_phases);
  if (!isfinite(min_fraction) || min_fraction < 0.0 || min_fraction > 1.0)
    return sf_error_set(SF_EINVAL, "phase labels: min_fraction = %g: must be in [0, 1]",
                        min_fraction);
  for (size_t q = 0; q < npix; ++q) {
    double total = 0.0, best = 0.0;
    size_t arg = 0;
    for (size_t p = 0; p < n_phases; ++p) {
      double t = thickness[p][q];
      if (!isfinite(t) || t < 0.0)
        return sf_error_set(SF_EINVAL, "phase labels: phase %zu, pixel %zu: path length %g: "
                            "must be finite and >= 0", p, q, t);
      total += t;
      if (t > best) {
        best = t;
        arg = p;
      }
    }
    labels[q] = (uint8_t)(total > 0.0 && best >= min_fraction * total ? arg + 1 : 0);
  }
  return SF_OK;
}

/* ---- analysis ---- */

/* Best assignment of the K fitted means to the K group targets (K <= 4):
   perm[g] = component of group g, minimising the summed distance. */
static void assign_components(const sf_gauss_fit *fit, const double *target, size_t K,
                              size_t *perm) {
  size_t idx[SF_STOICH_MAX_COMPONENTS], best[SF_STOICH_MAX_COMPONENTS];
  double best_cost = INFINITY;
  for (size_t i = 0; i < K; ++i)
    idx[i] = i;
  /* Heap's algorithm over all permutations. */
  size_t c[SF_STOICH_MAX_COMPONENTS] = {0};
  for (size_t i = 0;;) {
    double cost = 0.0;
    for (size_t g = 0; g < K; ++g)
      cost += fabs(fit->comp[idx[g]].mean - target[g]);
    if (cost < best_cost) {
      best_cost = cost;
      memcpy(best, idx, sizeof idx);
    }
    while (i < K && c[i] >= i) {
      c[i] = 0;
      ++i;
    }
    if (i >= K)
      break;
    size_t j = (i % 2 == 0) ? 0 : c[i];
    size_t tmp = idx[j];
    idx[j] = idx[i];
    idx[i] = tmp;
    c[i]++;
    i = 1;
  }
  memcpy(perm, best, K * sizeof *perm);
}

static void set_entry(sf_stoich_entry *e, const sf_gauss *g, const sf_gauss_fit *fit,
                      size_t n_pixels) {
  e->g = *g;
  e->chi2_per_dof = fit->dof ? fit->chi2 / (double)fit->dof : NAN;
  e->n_pixels = n_pixels;
  e->error = isnan(e->truth) ? NAN : g->mean - e->truth;
}

/* One element, mixture mode: phases grouped by expected value. */
static int analyse_mixture(const double *c, const uint8_t *mask, size_t npix, size_t n_mask,
                           size_t n_phases, const sf_stoich_options *o, sf_stoich_entry *row) {
  sf_histogram *h = NULL;
  SF_TRY(sf_histogram_create(c, mask, npix, o->n_bins, o->lo, o->hi, &h));
  int known = !isnan(row[0].truth);
  size_t group[SF_STOICH_MAX_COMPONENTS], K = 0;
  double target[SF_STOICH_MAX_COMPONENTS];
  if (known) {
    /* Phases in increasing expected value; a gap of at most merge_separation joins a group. */
    size_t order[SF_STOICH_MAX_COMPONENTS];
    for (size_t p = 0; p < n_phases; ++p)
      order[p] = p;
    for (size_t a = 1; a < n_phases; ++a)
      for (size_t b = a; b > 0 && row[order[b]].truth < row[order[b - 1]].truth; --b) {
        size_t t = order[b];
        order[b] = order[b - 1];
        order[b - 1] = t;
      }
    size_t members[SF_STOICH_MAX_COMPONENTS] = {0};
    double sum[SF_STOICH_MAX_COMPONENTS] = {0};
    for (size_t a = 0; a < n_phases; ++a) {
      size_t p = order[a];
      if (a == 0 || row[p].truth - row[order[a - 1]].truth > o->merge_separation)
        ++K;
      group[p] = K - 1;
      sum[K - 1] += row[p].truth;
      members[K - 1]++;
    }
    for (size_t g = 0; g < K; ++g)
      target[g] = sum[g] / (double)members[g];
  } else {
    K = n_phases;
    for (size_t p = 0; p < n_phases; ++p)
      group[p] = p;
  }
  sf_gauss_fit fit;
  int status = sf_stoich_fit_gaussians(h, K, known ? target : NULL, NULL, &fit);
  sf_histogram_destroy(h);
  SF_TRY(status);
  size_t perm[SF_STOICH_MAX_COMPONENTS];
  if (known)
    assign_components(&fit, target, K, perm);
  else
    for (size_t g = 0; g < K; ++g)
      perm[g] = g; /* phase p takes the p-th component in increasing mean */
  for (size_t p = 0; p < n_phases; ++p)
    set_entry(&row[p], &fit.comp[perm[group[p]]], &fit, n_mask);
  return SF_OK;
}

/* One element, labelled mode: one Gaussian per phase over its pixels. */
static int analyse_labelled(const double *c, const uint8_t *mask, const uint8_t *labels,
                            size_t npix, size_t n_phases, const sf_stoich_options *o,
                            uint8_t *sel, sf_stoich_entry *row) {
  for (size_t p = 0; p < n_phases; ++p) {
    size_t count = 0;
    for (size_t q = 0; q < npix; ++q) {
      sel[q] = (uint8_t)(mask[q] && labels[q] == p + 1);
      count += sel[q];
    }
    if (count == 0)
      return sf_error_set(SF_EINVAL, "phase %zu has no labelled pixel in the specimen mask", p);
    sf_histogram *h = NULL;
    SF_TRY(sf_histogram_create(c, sel, npix, o->n_bins, o->lo, o->hi, &h));
    sf_gauss_fit fit;
    double start = row[p].truth;
    int status = sf_stoich_fit_gaussians(h, 1, isnan(start) ? NULL : &start, NULL, &fit);
    sf_histogram_destroy(h);
    if (status != SF_OK)
      return sf_error_prepend(status, "phase %zu", p);
    set_entry(&row[p], &fit.comp[0], &fit, count);
  }
  return SF_OK;
}

/* Expected values from truth maps: mean truth concentration over each phase's pixels. */
static int truth_from_maps(const double *const *truth_maps, size_t n_el, size_t npix,
                           const uint8_t *labels, size_t n_phases, double mask_fraction,
                           double **ct, uint8_t *tmask, sf_stoich_result *res) {
  SF_TRY(sf_stoich_relative(truth_maps, n_el, npix, mask_fraction, ct, tmask, NULL));
  for (size_t p = 0; p < n_phases; ++p)
    for (size_t i = 0; i < n_el; ++i) {
      double s = 0.0;
      size_t m = 0;
      for (size_t q = 0; q < npix; ++q)
        if (tmask[q] && labels[q] == p + 1) {
          s += ct[i][q];
          ++m;
        }
      res->e[i][p].truth = m ? s / (double)m : NAN;
    }
  return SF_OK;
}

static int analyse(const double *const *x, size_t n_el, size_t npix, const uint8_t *labels,
                   size_t n_phases, const double *truth_fraction,
                   const double *const *truth_maps, const sf_stoich_options *o, double **c,
                   uint8_t *mask, uint8_t *sel, sf_stoich_result *res) {
  for (size_t i = 0; i < n_el; ++i)
    for (size_t p = 0; p < n_phases; ++p)
      res->e[i][p].truth = truth_fraction ? truth_fraction[p * n_el + i] : NAN;
  if (!truth_fraction && truth_maps && labels)
    SF_TRY(truth_from_maps(truth_maps, n_el, npix, labels, n_phases, o->mask_fraction, c, mask,
                           res));
  SF_TRY(sf_stoich_relative(x, n_el, npix, o->mask_fraction, c, mask, &res->n_mask));
  for (size_t i = 0; i < n_el; ++i) {
    int status = labels ? analyse_labelled(c[i], mask, labels, npix, n_phases, o, sel, res->e[i])
                        : analyse_mixture(c[i], mask, npix, res->n_mask, n_phases, o, res->e[i]);
    if (status != SF_OK)
      return sf_error_prepend(status, "stoichiometry of element %zu", i);
  }
  return SF_OK;
}

int sf_stoich_analyse(const double *const *x, size_t n_el, size_t npix, const uint8_t *labels,
                      size_t n_phases, const double *truth_fraction,
                      const double *const *truth_maps, const sf_stoich_options *opt,
                      sf_stoich_result *res) {
  if (n_el == 0 || n_el > SF_STOICH_MAX_ELEMENTS)
    return sf_error_set(SF_EINVAL, "stoichiometry: %zu elements: must be 1..%d", n_el,
                        SF_STOICH_MAX_ELEMENTS);
  if (n_phases == 0 || n_phases > SF_STOICH_MAX_COMPONENTS)
    return sf_error_set(SF_EINVAL, "stoichiometry: %zu phases: must be 1..%d", n_phases,
                        SF_STOICH_MAX_COMPONENTS);
  sf_stoich_options o = {DEFAULT_MASK_FRACTION, 0, 0.0, 0.0, DEFAULT_MERGE_SEPARATION};
  if (opt)
    o = *opt;
  if (!isfinite(o.merge_separation) || o.merge_separation < 0.0)
    return sf_error_set(SF_EINVAL, "stoichiometry: merge_separation = %g: must be finite and "
                        ">= 0", o.merge_separation);
  if (truth_fraction)
    for (size_t k = 0; k < n_el * n_phases; ++k)
      if (!isfinite(truth_fraction[k]))
        return sf_error_set(SF_EINVAL, "stoichiometry: truth_fraction[%zu] = %g: must be finite",
                            k, truth_fraction[k]);
  memset(res, 0, sizeof *res);
  res->n_elements = n_el;
  res->n_phases = n_phases;
  double *c[SF_STOICH_MAX_ELEMENTS] = {0};
  uint8_t *mask = sf_alloc(npix ? npix : 1, 1, "stoichiometry mask");
  uint8_t *sel = sf_alloc(npix ? npix : 1, 1, "stoichiometry phase selection");
  int status = (mask && sel) ? SF_OK : SF_ENOMEM;
  for (size_t i = 0; status == SF_OK && i < n_el; ++i)
    if (!(c[i] = sf_alloc(npix ? npix : 1, sizeof(double), "relative concentration")))
      status = SF_ENOMEM;
  if (status == SF_OK)
    status = analyse(x, n_el, npix, labels, n_phases, truth_fraction, truth_maps, &o, c, mask,
                     sel, res);
  for (size_t i = 0; i < n_el; ++i)
    sf_free(c[i]);
  sf_free(mask);
  sf_free(sel);
  return status;
}
