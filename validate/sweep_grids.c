/* sweep_grids.c - the dose grid, gamma sweep and lambda sweep: the harness
   run at every grid point, summarised into table rows. */
#include "validate/sf_sweep.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "validate/sf_harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The realisations of one grid point and their summary. */
typedef struct point {
  size_t n;
  sf_harness_values *lists;
  sf_harness_stat *stats;
  size_t n_stats;
  sf_harness_modality modality[1 + SF_RECIPE_MAX_ELEMENTS];
} point;

static void point_clear(point *pt) {
  for (size_t k = 0; k < pt->n; ++k)
    sf_harness_values_clear(&pt->lists[k]);
  free(pt->lists);
  sf_free(pt->stats);
  memset(pt, 0, sizeof *pt);
}

/* Mean of a metric over the point's realisations (NAN when absent). */
static double mean(const point *pt, const char *name) {
  for (size_t i = 0; i < pt->n_stats; ++i)
    if (strcmp(pt->stats[i].name, name) == 0)
      return pt->stats[i].mean;
  return NAN;
}

static double stdev(const point *pt, const char *name) {
  for (size_t i = 0; i < pt->n_stats; ++i)
    if (strcmp(pt->stats[i].name, name) == 0)
      return pt->n > 1 ? pt->stats[i].std : NAN;
  return NAN;
}

/* Mean |error| of the stoichiometry entries of one realisation. */
static double stoich_abs_error(const sf_harness_values *v) {
  double sum = 0.0;
  size_t n = 0;
  for (size_t i = 0; i < v->n; ++i) {
    const char *name = v->v[i].name;
    size_t len = strlen(name);
    if (strncmp(name, "stoich.", 7) == 0 && len > 6 && strcmp(name + len - 6, ".error") == 0 &&
        isfinite(v->v[i].value)) {
      sum += fabs(v->v[i].value);
      ++n;
    }
  }
  return n ? sum / (double)n : NAN;
}

static int run_point(const sf_recipe_params *p, const sf_imageset *truth,
                     const sf_harness_labels *groups, sf_progress *prog, point *pt) {
  memset(pt, 0, sizeof *pt);
  size_t n = (size_t)(p->sweep_realisations > 0 ? p->sweep_realisations : 1);
  pt->lists = calloc(n, sizeof *pt->lists);
  if (!pt->lists)
    return sf_error_set(SF_ENOMEM, "cannot allocate %zu metric lists", n);
  for (size_t k = 0; k < n; ++k) {
    pt->n = k + 1;
    SF_TRY(sf_harness_realise(p, truth, groups, (uint32_t)k, &pt->lists[k],
                              k == 0 ? pt->modality : NULL, NULL));
    SF_TRY(sf_harness_values_set(&pt->lists[k], "stoich.abs_error",
                                 stoich_abs_error(&pt->lists[k])));
    sf_progress_add(prog, 1);
  }
  return sf_harness_summarise(pt->lists, pt->n, &pt->stats, &pt->n_stats);
}

static void set(sf_sweep_table *t, size_t row, const char *col, double v) {
  int c = sf_sweep_table_col(t, col);
  if (c >= 0)
    t->v[row * t->n_cols + (size_t)c] = v;
}

/* Mean dose and expected SNR of the chemical maps. */
static void chem_means(const sf_recipe_params *p, const point *pt, double *dose, double *snr) {
  *dose = *snr = 0.0;
  for (size_t i = 0; i < p->n_elements; ++i) {
    *dose += pt->modality[1 + i].dose_e_per_A2 / (double)p->n_elements;
    *snr += pt->modality[1 + i].snr_expected / (double)p->n_elements;
  }
}

/* Truth and phase groups of p. */
static int ground_truth(const sf_recipe_params *p, sf_imageset **truth, sf_harness_labels *g) {
  SF_TRY(sf_harness_truth(p, truth));
  int st = sf_harness_labels_make(p, *truth, g);
  if (st != SF_OK) {
    sf_imageset_destroy(*truth);
    *truth = NULL;
  }
  return st;
}

int sf_sweep_dose(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_sweep_dose: NULL argument");
  *out = NULL;
  static const char *const cols[] = {
      "haadf_axis",    "chem_axis", "haadf_dose_e_per_A2", "chem_dose_e_per_A2", "haadf_snr",
      "chem_snr",      "lambda_tv", "nrmse",               "nrmse_std",          "psnr_dB",
      "psnr_dB_std",   "psnr_raw_dB", "ssim",              "conc_rmse",          "conc_rmse_std",
      "conc_rmse_raw", "median_se", "iterations"};
  size_t nh = p->n_sweep_haadf, nc = p->n_sweep_chem;
  if (!nh || !nc)
    return sf_error_set(SF_EINVAL, "dose sweep of '%s': empty grid (%zu x %zu)", p->name, nh, nc);
  sf_sweep_table *t = NULL;
  SF_TRY(sf_sweep_table_create(nh * nc, sizeof cols / sizeof cols[0], cols, &t));
  sf_imageset *truth = NULL;
  sf_harness_labels g;
  memset(&g, 0, sizeof g);
  int st = ground_truth(p, &truth, &g);
  for (size_t ic = 0; ic < nc && st == SF_OK; ++ic)
    for (size_t ih = 0; ih < nh && st == SF_OK; ++ih) {
      sf_recipe_params q = *p;
      if (p->sweep_use_dose) {
        q.haadf_snr = q.chem_snr = 0.0;
        q.haadf_dose_e_per_A2 = p->sweep_haadf[ih];
        q.chem_dose_e_per_A2 = p->sweep_chem[ic];
      } else {
        q.haadf_snr = p->sweep_haadf[ih];
        q.chem_snr = p->sweep_chem[ic];
      }
      point pt;
      st = run_point(&q, truth, &g, prog, &pt);
      if (st == SF_OK) {
        size_t row = ic * nh + ih;
        double dose, snr;
        chem_means(p, &pt, &dose, &snr);
        set(t, row, "haadf_axis", p->sweep_haadf[ih]);
        set(t, row, "chem_axis", p->sweep_chem[ic]);
        set(t, row, "haadf_dose_e_per_A2", pt.modality[0].dose_e_per_A2);
        set(t, row, "chem_dose_e_per_A2", dose);
        set(t, row, "haadf_snr", pt.modality[0].snr_expected);
        set(t, row, "chem_snr", snr);
        set(t, row, "lambda_tv", mean(&pt, "fuse.lambda_tv"));
        set(t, row, "nrmse", mean(&pt, "overall.fused.nrmse"));
        set(t, row, "nrmse_std", stdev(&pt, "overall.fused.nrmse"));
        set(t, row, "psnr_dB", mean(&pt, "overall.fused.psnr_dB"));
        set(t, row, "psnr_dB_std", stdev(&pt, "overall.fused.psnr_dB"));
        set(t, row, "psnr_raw_dB", mean(&pt, "overall.raw.psnr_dB"));
        set(t, row, "ssim", mean(&pt, "overall.fused.ssim"));
        set(t, row, "conc_rmse", mean(&pt, "conc.fused.rmse"));
        set(t, row, "conc_rmse_std", stdev(&pt, "conc.fused.rmse"));
        set(t, row, "conc_rmse_raw", mean(&pt, "conc.raw.rmse"));
        set(t, row, "median_se", mean(&pt, "fuse.median_se"));
        set(t, row, "iterations", mean(&pt, "fuse.iterations"));
      }
      point_clear(&pt);
    }
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  if (st != SF_OK) {
    sf_sweep_table_destroy(t);
    return sf_error_prepend(st, "dose sweep of '%s'", p->name);
  }
  *out = t;
  return SF_OK;
}

int sf_sweep_gamma(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_sweep_gamma: NULL argument");
  *out = NULL;
  size_t nt = p->n_sweep_gamma_true, na = p->n_sweep_gamma_assumed;
  if (!nt || !na)
    return sf_error_set(SF_EINVAL, "gamma sweep of '%s': empty grid (%zu x %zu)", p->name, nt,
                        na);
  const char *cols[8 + SF_RECIPE_MAX_ELEMENTS] = {"gamma_true", "gamma_assumed", "stoich_error",
                                                  "stoich_error_std", "conc_rmse",
                                                  "conc_rmse_std", "psnr_dB"};
  char bias[SF_RECIPE_MAX_ELEMENTS][SF_SWEEP_COL_MAX];
  size_t ncol = 7;
  for (size_t i = 0; i < p->n_elements; ++i) {
    snprintf(bias[i], sizeof bias[i], "conc_bias_%s", p->symbol[i]);
    cols[ncol++] = bias[i];
  }
  sf_sweep_table *t = NULL;
  SF_TRY(sf_sweep_table_create(nt * na, ncol, cols, &t));
  int st = SF_OK;
  for (size_t it = 0; it < nt && st == SF_OK; ++it) {
    sf_recipe_params q = *p;
    q.gamma_true = p->sweep_gamma_true[it];
    sf_imageset *truth = NULL;
    sf_harness_labels g;
    memset(&g, 0, sizeof g);
    st = ground_truth(&q, &truth, &g);
    for (size_t ia = 0; ia < na && st == SF_OK; ++ia) {
      q.fuse_gamma = p->sweep_gamma_assumed[ia];
      point pt;
      st = run_point(&q, truth, &g, prog, &pt);
      if (st == SF_OK) {
        size_t row = it * na + ia;
        set(t, row, "gamma_true", q.gamma_true);
        set(t, row, "gamma_assumed", q.fuse_gamma);
        set(t, row, "stoich_error", mean(&pt, "stoich.abs_error"));
        set(t, row, "stoich_error_std", stdev(&pt, "stoich.abs_error"));
        set(t, row, "conc_rmse", mean(&pt, "conc.fused.rmse"));
        set(t, row, "conc_rmse_std", stdev(&pt, "conc.fused.rmse"));
        set(t, row, "psnr_dB", mean(&pt, "overall.fused.psnr_dB"));
        for (size_t i = 0; i < p->n_elements; ++i) {
          char name[SF_HARNESS_NAME_MAX];
          snprintf(name, sizeof name, "%s.conc.fused.bias", p->symbol[i]);
          set(t, row, bias[i], mean(&pt, name));
        }
      }
      point_clear(&pt);
    }
    sf_harness_labels_clear(&g);
    sf_imageset_destroy(truth);
  }
  if (st != SF_OK) {
    sf_sweep_table_destroy(t);
    return sf_error_prepend(st, "gamma sweep of '%s'", p->name);
  }
  *out = t;
  return SF_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Signed Menger curvature of the turn at b on the way a -> b -> c: positive
   for a left (counter-clockwise) turn, the corner of an L-curve run with
   growing lambda (misfit grows, TV falls). */
static double menger(const double a[2], const double b[2], const double c[2]) {
  double ux = b[0] - a[0], uy = b[1] - a[1], vx = c[0] - b[0], vy = c[1] - b[1];
  double wx = c[0] - a[0], wy = c[1] - a[1];
  double la = hypot(ux, uy), lb = hypot(vx, vy), lc = hypot(wx, wy);
  if (!(la > 0.0 && lb > 0.0 && lc > 0.0))
    return NAN;
  return 2.0 * (ux * vy - uy * vx) / (la * lb * lc);
}

int sf_sweep_lcurve_corner(const sf_sweep_table *t, size_t *row) {
  if (!t || !row)
    return sf_error_set(SF_EINVAL, "sf_sweep_lcurve_corner: NULL argument");
  double best = -INFINITY;
  size_t n = 0;
  for (size_t r = 0; r < t->n_rows; ++r) {
    double d = sf_sweep_table_get(t, r, "corner_distance");
    if (!isfinite(d))
      continue;
    ++n;
    if (d > best) {
      best = d;
      *row = r;
    }
  }
  if (n < 3 || !(best > 0.0))
    return sf_error_set(SF_ERANGE, "L-curve: no corner (%zu points with positive misfit and TV; "
                        "none below the chord of the ends)", n);
  return SF_OK;
}

/* Curvature and corner distance of the L-curve (log misfit, log TV), in
   coordinates scaled so that both span [0, 1]. */
static void lcurve_shape(sf_sweep_table *t) {
  size_t n = t->n_rows;
  double lx[SF_RECIPE_MAX_GRID], ly[SF_RECIPE_MAX_GRID];
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (size_t k = 0; k < n; ++k) {
    double m = sf_sweep_table_get(t, k, "misfit"), tv = sf_sweep_table_get(t, k, "tv");
    if (!(m > 0.0 && tv > 0.0))
      return; /* no log-log curve */
    lx[k] = log10(m);
    ly[k] = log10(tv);
    x0 = lx[k] < x0 ? lx[k] : x0;
    x1 = lx[k] > x1 ? lx[k] : x1;
    y0 = ly[k] < y0 ? ly[k] : y0;
    y1 = ly[k] > y1 ? ly[k] : y1;
  }
  if (!(x1 > x0 && y1 > y0))
    return;
  for (size_t k = 0; k < n; ++k) {
    lx[k] = (lx[k] - x0) / (x1 - x0);
    ly[k] = (ly[k] - y0) / (y1 - y0);
  }
  /* chord from the first to the last point; distance below it (towards the
     origin) is positive */
  double cx = lx[n - 1] - lx[0], cy = ly[n - 1] - ly[0], len = hypot(cx, cy);
  for (size_t k = 0; k < n; ++k) {
    if (k > 0 && k + 1 < n) {
      double a[2] = {lx[k - 1], ly[k - 1]}, b[2] = {lx[k], ly[k]}, c[2] = {lx[k + 1], ly[k + 1]};
      set(t, k, "curvature", menger(a, b, c));
    }
    if (len > 0.0)
      set(t, k, "corner_distance", (cy * (lx[k] - lx[0]) - cx * (ly[k] - ly[0])) / len);
  }
}

int sf_sweep_lambda(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_sweep_lambda: NULL argument");
  *out = NULL;
  size_t n = p->n_sweep_lambda;
  if (n < 3)
    return sf_error_set(SF_EINVAL, "lambda sweep of '%s': %zu values, need at least 3", p->name,
                        n);
  static const char *const cols[] = {"lambda_tv", "lambda_tv_used", "misfit",  "psi1",
                                     "chem_misfit", "tv",           "curvature", "corner_distance", "nrmse",
                                     "psnr_dB",   "conc_rmse",      "conc_rmse_std",
                                     "iterations"};
  double lam[SF_RECIPE_MAX_GRID];
  memcpy(lam, p->sweep_lambda, n * sizeof *lam);
  qsort(lam, n, sizeof *lam, cmp_double);
  sf_sweep_table *t = NULL;
  SF_TRY(sf_sweep_table_create(n, sizeof cols / sizeof cols[0], cols, &t));
  sf_imageset *truth = NULL;
  sf_harness_labels g;
  memset(&g, 0, sizeof g);
  int st = ground_truth(p, &truth, &g);
  for (size_t k = 0; k < n && st == SF_OK; ++k) {
    sf_recipe_params q = *p;
    q.lambda_tv = lam[k];
    point pt;
    st = run_point(&q, truth, &g, prog, &pt);
    if (st == SF_OK) {
      double psi1 = mean(&pt, "fuse.psi1"), chem = mean(&pt, "fuse.chem_misfit");
      set(t, k, "lambda_tv", lam[k]);
      set(t, k, "lambda_tv_used", mean(&pt, "fuse.lambda_tv"));
      set(t, k, "psi1", psi1);
      set(t, k, "chem_misfit", chem);
      set(t, k, "misfit", psi1 + p->lambda_chem * chem);
      set(t, k, "tv", mean(&pt, "fuse.tv"));
      set(t, k, "nrmse", mean(&pt, "overall.fused.nrmse"));
      set(t, k, "psnr_dB", mean(&pt, "overall.fused.psnr_dB"));
      set(t, k, "conc_rmse", mean(&pt, "conc.fused.rmse"));
      set(t, k, "conc_rmse_std", stdev(&pt, "conc.fused.rmse"));
      set(t, k, "iterations", mean(&pt, "fuse.iterations"));
    }
    point_clear(&pt);
  }
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  if (st == SF_OK)
    lcurve_shape(t);
  if (st != SF_OK) {
    sf_sweep_table_destroy(t);
    return sf_error_prepend(st, "lambda sweep of '%s'", p->name);
  }
  *out = t;
  return SF_OK;
}

int sf_sweep_lambda_auto(const sf_recipe_params *p, sf_progress *prog, double *lambda_tv,
                         double *conc_rmse, double *nrmse) {
  if (!p || !lambda_tv || !conc_rmse || !nrmse)
    return sf_error_set(SF_EINVAL, "sf_sweep_lambda_auto: NULL argument");
  sf_imageset *truth = NULL;
  sf_harness_labels g;
  memset(&g, 0, sizeof g);
  SF_TRY(ground_truth(p, &truth, &g));
  sf_recipe_params q = *p;
  q.lambda_mode = SF_RECIPE_LAMBDA_AUTO;
  point pt;
  int st = run_point(&q, truth, &g, prog, &pt);
  if (st == SF_OK) {
    *lambda_tv = mean(&pt, "fuse.lambda_tv");
    *conc_rmse = mean(&pt, "conc.fused.rmse");
    *nrmse = mean(&pt, "overall.fused.nrmse");
  }
  point_clear(&pt);
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  return st == SF_OK ? SF_OK : sf_error_prepend(st, "automatic lambda of '%s'", p->name);
}
