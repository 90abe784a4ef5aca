/* fuse_autolambda.c - automatic lambda by Poisson thinning cross-validation,
   with a noise-level rule for maps that are not counts
   (sf_fuse_autolambda.h). */
#include "recon/sf_fuse_autolambda.h"

#include "core/sf_alloc.h"
#include "core/sf_progress.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sf_fuse_autolambda_params_default(sf_fuse_autolambda_params *p) {
  memset(p, 0, sizeof *p);
  p->seed = 1;
  p->p = 0.5;
  p->folds = 2;
  p->n_tv = 9;
  p->tv_min = 0.02;
  p->tv_max = 5.0;
  p->n_chem = 1;
  p->chem_min = 0.25;
  p->chem_max = 4.0;
  p->tv_exponent = 1.0;
  p->max_iter = 300;
  p->fallback_c = 1.0;
  p->progress = 0;
}

void sf_fuse_autolambda_result_destroy(sf_fuse_autolambda_result *r) {
  if (!r)
    return;
  sf_free(r->grid_tv);
  sf_free(r->grid_chem);
  sf_free(r->score);
  sf_free(r);
}

/* Bernoulli trials: for p = 1/2 each 32-bit draw gives 32 fair bits. */
static double binomial(sf_rng *r, double count, double p) {
  unsigned long long n = (unsigned long long)count, k = 0;
  if (p == 0.5) {
    while (n >= 32) {
      k += (unsigned long long)__builtin_popcount(sf_rng_u32(r));
      n -= 32;
    }
    if (n > 0)
      k += (unsigned long long)__builtin_popcount(sf_rng_u32(r) & ((1u << n) - 1u));
    return (double)k;
  }
  for (unsigned long long t = 0; t < n; t++)
    k += sf_rng_uniform(r) < p;
  return (double)k;
}

int sf_fuse_thin_binomial(size_t n, const double *counts, double p, uint64_t seed,
                          uint32_t stream_index, double *a, double *b) {
  if (!counts || !a)
    return sf_error_set(SF_EINVAL, "fuse thinning: NULL array");
  if (!(p >= 0.0 && p <= 1.0))
    return sf_error_set(SF_EINVAL, "fuse thinning: p = %g: must be in [0, 1]", p);
  if (n >= ((size_t)1 << 32))
    return sf_error_set(SF_ERANGE, "fuse thinning: %zu pixels: at most 2^32 - 1", n);
  for (size_t k = 0; k < n; k++) {
    double c = counts[k];
    if (!(c >= 0.0) || !isfinite(c) || c != floor(c) || c > 9.0e15)
      return sf_error_set(SF_EINVAL,
                          "fuse thinning: pixel %zu: value %g is not a count (a non-negative "
                          "integer)",
                          k, c);
  }
  int bad = 0;
#pragma omp parallel for schedule(static) if (n >= 65536) reduction(| : bad)
  for (size_t k = 0; k < n; k++) {
    sf_rng r;
    sf_rng_init(&r, seed, SF_RNG_STREAM(SF_RNG_PURPOSE_SPLIT, stream_index), (uint32_t)k);
    double c = counts[k];
    double h = binomial(&r, c, p);
    a[k] = h;
    if (b)
      b[k] = c - h;
    bad |= !(h >= 0.0 && h <= c);
  }
  return bad ? sf_error_set(SF_ENUMERIC, "fuse thinning: internal error") : SF_OK;
}

int sf_fuse_maps_are_counts(const sf_fuse_problem *prob, size_t *which) {
  const size_t n = prob->nx * prob->ny;
  for (size_t i = 0; i < prob->n_elements; i++)
    for (size_t p = 0; p < n; p++) {
      double v = prob->chem[i][p];
      if (!(v >= 0.0) || !isfinite(v) || v != floor(v)) {
        if (which)
          *which = i;
        return 0;
      }
    }
  return 1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Noise-level rule (module comment of the header and docs/fusion-real-data.md):
   Poisson model: lambda_tv = c lambda_chem median_i(sigma_i / m_i),
   least squares: lambda_tv = c lambda_chem median_i(sigma_i). */
int sf_fuse_autolambda_fallback(const sf_fuse_problem *prob, const sf_fuse_params *par,
                                const sf_fuse_autolambda_params *ap, double *lambda_tv) {
  if (!prob || !par || !ap || !lambda_tv)
    return sf_error_set(SF_EINVAL, "fuse autolambda: NULL argument");
  const size_t n = prob->nx * prob->ny, ne = prob->n_elements;
  double v[SF_FUSE_MAX_ELEMENTS];
  size_t used = 0;
  for (size_t i = 0; i < ne; i++) {
    double sigma, mean = 0.0;
    SF_TRY(sf_fuse_haadf_noise_estimate(prob->nx, prob->ny, prob->chem[i], &sigma));
    for (size_t p = 0; p < n; p++)
      mean += prob->chem[i][p];
    mean /= (double)n;
    if (par->chem_model == SF_FUSE_CHEM_LSQ)
      v[used++] = sigma;
    else if (mean > 0.0)
      v[used++] = sigma / mean;
  }
  if (used == 0)
    return sf_error_set(SF_EINVAL, "fuse autolambda: every chemical map has mean <= 0: no "
                                   "noise-level rule applies");
  *lambda_tv = ap->fallback_c * par->lambda_chem * median(v, used);
  return SF_OK;
}

static int check_ap(const sf_fuse_autolambda_params *ap) {
  if (!(ap->p > 0.0 && ap->p < 1.0))
    return sf_error_set(SF_EINVAL, "fuse autolambda: p = %g: must be in (0, 1)", ap->p);
  if (ap->folds != 1 && ap->folds != 2)
    return sf_error_set(SF_EINVAL, "fuse autolambda: folds = %d: must be 1 or 2", ap->folds);
  if (ap->n_tv < 1 || ap->n_tv > SF_FUSE_AUTOLAMBDA_MAX_GRID)
    return sf_error_set(SF_EINVAL, "fuse autolambda: n_tv = %zu: must be 1 .. %d", ap->n_tv,
                        SF_FUSE_AUTOLAMBDA_MAX_GRID);
  if (ap->n_chem > SF_FUSE_AUTOLAMBDA_MAX_GRID)
    return sf_error_set(SF_EINVAL, "fuse autolambda: n_chem = %zu: must be <= %d", ap->n_chem,
                        SF_FUSE_AUTOLAMBDA_MAX_GRID);
  if (!(ap->tv_min > 0.0) || !(ap->tv_max >= ap->tv_min) || !isfinite(ap->tv_max))
    return sf_error_set(SF_EINVAL, "fuse autolambda: lambda_tv grid %g .. %g: need 0 < min <= max",
                        ap->tv_min, ap->tv_max);
  if (ap->n_chem > 1 &&
      (!(ap->chem_min > 0.0) || !(ap->chem_max >= ap->chem_min) || !isfinite(ap->chem_max)))
    return sf_error_set(SF_EINVAL,
                        "fuse autolambda: lambda_chem grid %g .. %g: need 0 < min <= max",
                        ap->chem_min, ap->chem_max);
  if (!isfinite(ap->tv_exponent))
    return sf_error_set(SF_EINVAL, "fuse autolambda: tv_exponent = %g: must be finite",
                        ap->tv_exponent);
  if (ap->max_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse autolambda: max_iter = %d: must be >= 1", ap->max_iter);
  if (!(ap->fallback_c > 0.0) || !isfinite(ap->fallback_c))
    return sf_error_set(SF_EINVAL, "fuse autolambda: fallback_c = %g: must be > 0",
                        ap->fallback_c);
  return SF_OK;
}

static void log_grid(double lo, double hi, size_t n, double *g) {
  for (size_t k = 0; k < n; k++)
    g[k] = n == 1 ? lo : lo * pow(hi / lo, (double)k / (double)(n - 1));
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Held-out Poisson NLL of maps c under mean ratio * y_i (x_i + eps). */
static double heldout_nll(const sf_fuse_result *r, const double *held, size_t n, size_t ne,
                          double ratio, double eps) {
  double nll = 0.0;
  for (size_t i = 0; i < ne; i++) {
    const double yi = ratio * r->yield[i];
    for (size_t p = 0; p < n; p++) {
      double m = yi * (r->x[i * n + p] + eps);
      nll += m - held[i * n + p] * log(m);
    }
  }
  return nll;
}

int sf_fuse_autolambda_run(const sf_fuse_problem *prob, const sf_fuse_params *par,
                           const sf_fuse_autolambda_params *ap,
                           sf_fuse_autolambda_result **out) {
  const double t0 = now_s();
  if (!out)
    return sf_error_set(SF_EINVAL, "fuse autolambda: NULL output");
  *out = NULL;
  if (!prob || !par || !ap)
    return sf_error_set(SF_EINVAL, "fuse autolambda: NULL argument");
  SF_TRY(check_ap(ap));
  SF_TRY(sf_fuse_problem_check(prob, par));
  const size_t n = prob->nx * prob->ny, ne = prob->n_elements;
  const size_t n_chem = ap->n_chem > 1 ? ap->n_chem : 1;
  sf_fuse_autolambda_result *res = sf_alloc(1, sizeof *res, "autolambda result");
  if (!res)
    return SF_ENOMEM;
  size_t which = 0;
  res->counts = sf_fuse_maps_are_counts(prob, &which);
  if (!res->counts) {
    double lt;
    int st = sf_fuse_autolambda_fallback(prob, par, ap, &lt);
    if (st != SF_OK) {
      sf_fuse_autolambda_result_destroy(res);
      return st;
    }
    res->lambda_tv = lt;
    res->lambda_chem = par->lambda_chem;
    res->lambda_tv_half = NAN;
    res->lambda_chem_half = NAN;
    snprintf(res->rule, sizeof res->rule,
             "noise-level rule (map %zu is not counts): lambda_tv = %.4g (c = %g)", which, lt,
             ap->fallback_c);
    res->seconds = now_s() - t0;
    *out = res;
    return SF_OK;
  }
  res->n_tv = ap->n_tv;
  res->n_chem = n_chem;
  res->grid_tv = sf_alloc(ap->n_tv, sizeof(double), "autolambda grid");
  res->grid_chem = sf_alloc(n_chem, sizeof(double), "autolambda grid");
  res->score = sf_alloc(ap->n_tv * n_chem, sizeof(double), "autolambda scores");
  double *halves = sf_alloc(2 * ne * n, sizeof(double), "autolambda halves");
  if (!res->grid_tv || !res->grid_chem || !res->score || !halves) {
    sf_free(halves);
    sf_fuse_autolambda_result_destroy(res);
    return SF_ENOMEM;
  }
  log_grid(ap->tv_min, ap->tv_max, ap->n_tv, res->grid_tv);
  if (n_chem > 1)
    log_grid(ap->chem_min, ap->chem_max, n_chem, res->grid_chem);
  else
    res->grid_chem[0] = par->lambda_chem;
  int st = SF_OK;
  for (size_t i = 0; st == SF_OK && i < ne; i++)
    st = sf_fuse_thin_binomial(n, prob->chem[i], ap->p, ap->seed, (uint32_t)i, halves + i * n,
                               halves + (ne + i) * n);
  sf_progress *pg = ap->progress ? sf_progress_begin("fuse auto-lambda solves",
                                                     (uint64_t)(ap->folds * ap->n_tv * n_chem))
                                 : NULL;
  for (int f = 0; st == SF_OK && f < ap->folds; f++) {
    const double *train = halves + (f ? ne * n : 0), *held = halves + (f ? 0 : ne * n);
    const double pt = f ? 1.0 - ap->p : ap->p;
    const double *tptr[SF_FUSE_MAX_ELEMENTS];
    double y[SF_FUSE_MAX_ELEMENTS];
    for (size_t i = 0; i < ne; i++) {
      tptr[i] = train + i * n;
      y[i] = pt * (prob->yield ? prob->yield[i] : 1.0);
    }
    sf_fuse_problem tp = *prob;
    tp.chem = tptr;
    tp.yield = y;
    for (size_t ic = 0; st == SF_OK && ic < n_chem; ic++)
      for (size_t it = 0; st == SF_OK && it < ap->n_tv; it++) {
        sf_fuse_params q = *par;
        q.lambda_tv = res->grid_tv[it];
        q.lambda_chem = res->grid_chem[ic];
        q.max_iter = ap->max_iter;
        q.progress = 0;
        sf_fuse_result *r = NULL;
        st = sf_fuse_solve(&tp, &q, NULL, &r);
        if (st == SF_OK) {
          double s = heldout_nll(r, held, n, ne, (1.0 - pt) / pt, par->eps);
          res->score[ic * ap->n_tv + it] = (f ? res->score[ic * ap->n_tv + it] : 0.0) + s;
          res->solves++;
        }
        sf_fuse_result_destroy(r);
        sf_progress_add(pg, 1);
      }
  }
  sf_progress_end(pg);
  sf_free(halves);
  if (st != SF_OK) {
    sf_fuse_autolambda_result_destroy(res);
    return st;
  }
  /* the minimum, refined by a parabola in log lambda_tv */
  size_t bc = 0, bt = 0;
  for (size_t ic = 0; ic < n_chem; ic++)
    for (size_t it = 0; it < ap->n_tv; it++)
      if (res->score[ic * ap->n_tv + it] < res->score[bc * ap->n_tv + bt]) {
        bc = ic;
        bt = it;
      }
  double best = res->grid_tv[bt];
  if (bt > 0 && bt + 1 < ap->n_tv) {
    const double *s = res->score + bc * ap->n_tv;
    double u0 = log(res->grid_tv[bt - 1]), u1 = log(res->grid_tv[bt]),
           u2 = log(res->grid_tv[bt + 1]);
    double d = (s[bt - 1] - 2.0 * s[bt] + s[bt + 1]);
    if (d > 0.0) { /* equal spacing h in log lambda: vertex u1 - h (s2 - s0) / (2 d) */
      double h = u1 - u0;
      double u = u1 - h * (s[bt + 1] - s[bt - 1]) / (2.0 * d);
      u = u < u0 ? u0 : (u > u2 ? u2 : u);
      best = exp(u);
    }
  }
  const double p_eff = ap->folds == 2 ? sqrt(ap->p * (1.0 - ap->p)) : ap->p;
  res->lambda_tv_half = best;
  res->lambda_chem_half = res->grid_chem[bc];
  res->lambda_tv = pow(p_eff, ap->tv_exponent) * best;
  res->lambda_chem = res->grid_chem[bc];
  snprintf(res->rule, sizeof res->rule,
           "thinning CV (p = %g, %d fold%s, %d solves): lambda_tv %.4g on the half -> %.4g "
           "(x %.3g), lambda_chem %.4g",
           ap->p, ap->folds, ap->folds > 1 ? "s" : "", res->solves, best, res->lambda_tv,
           pow(p_eff, ap->tv_exponent), res->lambda_chem);
  res->seconds = now_s() - t0;
  *out = res;
  return SF_OK;
}
