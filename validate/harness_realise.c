/* harness_realise.c - one noise realisation of a recipe: Poisson noise on
   every modality, fused recovery, and every metric as a named value. */
#include "validate/sf_harness.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "recon/sf_fuse_autolambda.h"
#include "recon/sf_uncertainty.h"
#include "validate/sf_metrics.h"
#include "validate/sf_noise.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Smallest automatic flat region, pixels. */
#define MIN_FLAT_PIXELS 16
/* Pixels of an automatic flat region differ from their 3x3 neighbours by at
   most this fraction of the truth's maximum. */
#define FLAT_TOLERANCE 1e-9
/* Default separation under which mixture components merge (sf_stoich.h). */
#define MERGE_SEPARATION 0.02

/* Everything a realisation allocates, freed in one place. */
typedef struct work {
  sf_imageset *set; /* noisy maps, then fused and derived maps */
  sf_fuse_solver *solver;
  sf_fuse_result *res;
  double *se, *c_fused, *c_truth, *c_raw;
  uint8_t *spec, *conc_mask, *flat;
} work;

static void work_free(work *w) {
  sf_imageset_destroy(w->set);
  sf_fuse_solver_destroy(w->solver);
  sf_fuse_result_destroy(w->res);
  sf_free(w->se);
  sf_free(w->c_fused);
  sf_free(w->c_truth);
  sf_free(w->c_raw);
  sf_free(w->spec);
  sf_free(w->conc_mask);
  sf_free(w->flat);
}

static int setf(sf_harness_values *v, double value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int setf(sf_harness_values *v, double value, const char *fmt, ...) {
  char name[SF_HARNESS_NAME_MAX + 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  return sf_harness_values_set(v, name, value);
}

/* mask[q] = 1 where the summed truth is >= fraction * its maximum (and > 0). */
static void truth_mask(const double *const *t, size_t ne, size_t np, double fraction,
                       uint8_t *mask) {
  double mx = 0.0;
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < ne; ++i)
      s += t[i][q];
    mx = s > mx ? s : mx;
  }
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < ne; ++i)
      s += t[i][q];
    mask[q] = s > 0.0 && s >= fraction * mx;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The largest plateau of t: pixels above 5 % of the maximum whose 3x3
   neighbourhood is constant, at the most common such level (values sorted,
   the longest run within the tolerance). Returns its size; tmp holds np doubles. */
static size_t auto_flat_region(const double *t, size_t nx, size_t ny, uint8_t *region,
                               double *tmp) {
  size_t np = nx * ny;
  double mx = 0.0;
  for (size_t q = 0; q < np; ++q)
    mx = t[q] > mx ? t[q] : mx;
  memset(region, 0, np);
  if (!(mx > 0.0) || nx < 3 || ny < 3)
    return 0;
  double tol = FLAT_TOLERANCE * mx;
  size_t n_flat = 0;
  for (size_t iy = 1; iy + 1 < ny; ++iy)
    for (size_t ix = 1; ix + 1 < nx; ++ix) {
      double v = t[iy * nx + ix];
      if (v < 0.05 * mx)
        continue;
      int flat = 1;
      for (size_t y = iy - 1; y <= iy + 1 && flat; ++y)
        for (size_t x = ix - 1; x <= ix + 1; ++x)
          if (fabs(t[y * nx + x] - v) > tol) {
            flat = 0;
            break;
          }
      region[iy * nx + ix] = (uint8_t)flat;
      if (flat)
        tmp[n_flat++] = v;
    }
  if (!n_flat)
    return 0;
  qsort(tmp, n_flat, sizeof *tmp, cmp_double);
  size_t best = 0, best_n = 0;
  for (size_t a = 0, e = 0; a < n_flat; ++a) {
    while (e < n_flat && tmp[e] - tmp[a] <= tol)
      ++e;
    if (e - a > best_n) {
      best_n = e - a;
      best = a;
    }
  }
  double lo = tmp[best], hi = tmp[best] + tol;
  size_t n = 0;
  for (size_t q = 0; q < np; ++q) {
    region[q] = region[q] && t[q] >= lo && t[q] <= hi;
    n += region[q];
  }
  return n;
}

/* Median of the finite standard errors on the specimen mask (all elements);
   robust against the pixels where the Hessian is nearly singular. tmp holds
   ne * np doubles. */
static double median_se(const double *se, size_t ne, size_t np, const uint8_t *mask,
                        double *tmp) {
  size_t n = 0;
  for (size_t i = 0; i < ne; ++i)
    for (size_t q = 0; q < np; ++q)
      if (mask[q] && isfinite(se[i * np + q]))
        tmp[n++] = se[i * np + q];
  if (!n)
    return NAN;
  qsort(tmp, n, sizeof *tmp, cmp_double);
  return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Image metrics of one estimate; NAN values when they are undefined (e.g. an
   all-zero estimate at a very low dose). */
static void metrics_or_nan(const double *x, const double *t, size_t nx, size_t ny,
                           const uint8_t *mask, sf_metrics *m) {
  if (sf_metrics_compare(x, t, nx, ny, mask, 1, m) != SF_OK) {
    m->n = 0;
    m->scale = m->mse = m->rmse = m->nrmse = m->psnr_dB = m->ssim = NAN;
  }
}

static int put_metrics(sf_harness_values *v, const char *who, const char *kind,
                       const sf_metrics *m) {
  SF_TRY(setf(v, m->psnr_dB, "%s.%s.psnr_dB", who, kind));
  SF_TRY(setf(v, m->rmse, "%s.%s.rmse", who, kind));
  SF_TRY(setf(v, m->nrmse, "%s.%s.nrmse", who, kind));
  SF_TRY(setf(v, m->ssim, "%s.%s.ssim", who, kind));
  if (!isnan(m->scale) || strcmp(who, "overall") != 0)
    SF_TRY(setf(v, m->scale, "%s.%s.scale", who, kind));
  return SF_OK;
}

/* Overall metrics over all elements (sf_metrics.h: pooled MSE, peak and
   range of all truths, mean SSIM). */
static void pooled(const sf_metrics *per, size_t ne, const double *const *t, size_t np,
                   const uint8_t *mask, sf_metrics *out) {
  double sq = 0.0, lo = INFINITY, hi = -INFINITY, ssim = 0.0;
  size_t n = 0, n_ssim = 0;
  int bad = 0;
  for (size_t i = 0; i < ne; ++i) {
    if (!isfinite(per[i].mse))
      bad = 1;
    sq += per[i].mse * (double)per[i].n;
    n += per[i].n;
    for (size_t q = 0; q < np; ++q)
      if (!mask || mask[q]) {
        lo = t[i][q] < lo ? t[i][q] : lo;
        hi = t[i][q] > hi ? t[i][q] : hi;
      }
    if (!isnan(per[i].ssim)) {
      ssim += per[i].ssim;
      ++n_ssim;
    }
  }
  out->n = n;
  out->scale = NAN;
  out->mse = bad || !n ? NAN : sq / (double)n;
  out->rmse = sqrt(out->mse);
  out->nrmse = hi > lo ? out->rmse / (hi - lo) : NAN;
  out->psnr_dB = hi > 0.0 ? 10.0 * log10(hi * hi / out->mse) : NAN;
  out->ssim = n_ssim ? ssim / (double)n_ssim : NAN;
}

/* Relative concentrations on the mask: c[i*np + q] = x_i / sum_k x_k (1/ne
   where the sum is 0); x[i] scaled by 1/scale[i] when scale is given. */
static void relconc(const double *const *x, const double *scale, size_t ne, size_t np,
                    const uint8_t *mask, double *c) {
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < ne; ++i)
      s += scale ? x[i][q] / scale[i] : x[i][q];
    for (size_t i = 0; i < ne; ++i) {
      double xi = scale ? x[i][q] / scale[i] : x[i][q];
      c[i * np + q] = !mask[q] ? 0.0 : s > 0.0 ? xi / s : 1.0 / (double)ne;
    }
  }
}

static int conc_metrics(sf_harness_values *v, const sf_recipe_params *p, const char *kind,
                        const double *c, const double *ct, const uint8_t *mask, size_t np) {
  double all = 0.0;
  size_t n_all = 0;
  for (size_t i = 0; i < p->n_elements; ++i) {
    double sq = 0.0, bias = 0.0;
    size_t n = 0;
    for (size_t q = 0; q < np; ++q)
      if (mask[q]) {
        double d = c[i * np + q] - ct[i * np + q];
        sq += d * d;
        bias += d;
        ++n;
      }
    all += sq;
    n_all += n;
    SF_TRY(setf(v, n ? sqrt(sq / (double)n) : NAN, "%s.conc.%s.rmse", p->symbol[i], kind));
    SF_TRY(setf(v, n ? bias / (double)n : NAN, "%s.conc.%s.bias", p->symbol[i], kind));
  }
  return setf(v, n_all ? sqrt(all / (double)n_all) : NAN, "conc.%s.rmse", kind);
}

/* Stoichiometry by sample moments (when the Gaussian fits fail): mean and
   std of c over each group's pixels on the recovered-sum mask. */
static void stoich_moments(const sf_recipe_params *p, const sf_harness_labels *g,
                           const double *ct, const double *const *x,
                           size_t np, sf_stoich_result *res) {
  memset(res, 0, sizeof *res);
  res->n_elements = p->n_elements;
  res->n_phases = g->n_groups;
  double mx = 0.0;
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < p->n_elements; ++i)
      s += x[i][q];
    mx = s > mx ? s : mx;
  }
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < p->n_elements; ++i)
      s += x[i][q];
    res->n_mask += s > 0.0 && s >= p->stoich_mask_fraction * mx;
  }
  for (size_t ph = 0; ph < g->n_groups; ++ph)
    for (size_t i = 0; i < p->n_elements; ++i) {
      double sum = 0.0, sum2 = 0.0, tsum = 0.0;
      size_t n = 0;
      for (size_t q = 0; q < np; ++q) {
        double s = 0.0;
        for (size_t k = 0; k < p->n_elements; ++k)
          s += x[k][q];
        if (g->labels[q] != ph + 1 || !(s > 0.0 && s >= p->stoich_mask_fraction * mx))
          continue;
        double ci = x[i][q] / s;
        sum += ci;
        sum2 += ci * ci;
        tsum += ct[i * np + q];
        ++n;
      }
      sf_stoich_entry *e = &res->e[i][ph];
      e->n_pixels = n;
      e->g.count = (double)n;
      e->g.mean = n ? sum / (double)n : NAN;
      double var = n > 1 ? (sum2 - sum * sum / (double)n) / (double)(n - 1) : NAN;
      e->g.sigma = var > 0.0 ? sqrt(var) : 0.0;
      e->g.mean_err = n ? e->g.sigma / sqrt((double)n) : NAN;
      e->g.sigma_err = n > 1 ? e->g.sigma / sqrt(2.0 * (double)(n - 1)) : NAN;
      e->g.count_err = NAN;
      e->chi2_per_dof = NAN;
      e->truth = n ? tsum / (double)n : NAN;
      e->error = e->g.mean - e->truth;
    }
}

/* A fitted entry is used when it is a plausible description of the pixels:
   a finite mean in [0, 1] within 3 sample standard deviations (+ 1e-3) of
   the sample mean, a sigma <= 1 and a standard error < 0.1. Values pinned at
   0 by the non-negativity constraint (an element absent from a phase) give
   a one-sided histogram that a Gaussian does not describe. */
static int plausible(const sf_stoich_entry *fit, const sf_stoich_entry *mom) {
  const sf_gauss *g = &fit->g;
  return isfinite(g->mean) && g->mean >= 0.0 && g->mean <= 1.0 && isfinite(g->sigma) &&
         g->sigma <= 1.0 && isfinite(g->mean_err) && g->mean_err < 0.1 &&
         (!isfinite(mom->g.mean) || fabs(g->mean - mom->g.mean) <= 3.0 * mom->g.sigma + 1e-3);
}

/* Labelled mode: one Gaussian per (element, group), fitted on its own so
   that one failure (or one implausible fit) falls back to the sample
   moments of that entry only. */
static int fit_labelled(const sf_recipe_params *p, const sf_harness_labels *g,
                        const double *const *x, const double *ct, size_t np,
                        sf_stoich_result *res,
                        unsigned char fitted[SF_STOICH_MAX_ELEMENTS][SF_STOICH_MAX_COMPONENTS],
                        size_t *n_failed) {
  const size_t ne = p->n_elements;
  stoich_moments(p, g, ct, x, np, res);
  double *c = sf_alloc(ne * np, sizeof(double), "relative concentrations");
  uint8_t *sel = sf_alloc(np, 1, "phase selection");
  if (!c || !sel) {
    sf_free(c);
    sf_free(sel);
    return SF_ENOMEM;
  }
  double mx = 0.0;
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < ne; ++i)
      s += x[i][q];
    mx = s > mx ? s : mx;
  }
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t i = 0; i < ne; ++i)
      s += x[i][q];
    int in = s > 0.0 && s >= p->stoich_mask_fraction * mx;
    for (size_t i = 0; i < ne; ++i)
      c[i * np + q] = in ? x[i][q] / s : 0.0;
    sel[q] = (uint8_t)in;
  }
  uint8_t *grp = sf_alloc(np, 1, "phase selection");
  if (!grp) {
    sf_free(c);
    sf_free(sel);
    return SF_ENOMEM;
  }
  *n_failed = 0;
  for (size_t ph = 0; ph < g->n_groups; ++ph) {
    for (size_t q = 0; q < np; ++q)
      grp[q] = (uint8_t)(sel[q] && g->labels[q] == ph + 1);
    for (size_t i = 0; i < ne; ++i) {
      sf_stoich_entry *e = &res->e[i][ph];
      sf_histogram *h = NULL;
      sf_gauss_fit fit;
      double start = e->g.mean;
      int ok = e->n_pixels > 1 &&
               sf_histogram_create(c + i * np, grp, np, p->stoich_bins, 0.0, 0.0, &h) == SF_OK &&
               sf_stoich_fit_gaussians(h, 1, &start, NULL, &fit) == SF_OK;
      sf_histogram_destroy(h);
      if (ok) {
        sf_stoich_entry cand = *e;
        cand.g = fit.comp[0];
        cand.chi2_per_dof = fit.dof ? fit.chi2 / (double)fit.dof : NAN;
        cand.error = cand.g.mean - cand.truth;
        ok = plausible(&cand, e);
        if (ok)
          *e = cand;
      }
      sf_error_clear();
      fitted[i][ph] = (unsigned char)ok;
      *n_failed += !ok;
    }
  }
  sf_free(c);
  sf_free(sel);
  sf_free(grp);
  return SF_OK;
}

static int stoichiometry(const sf_recipe_params *p, const sf_harness_labels *g,
                         const double *const *x, const double *ct, size_t np,
                         sf_harness_values *v, sf_harness_detail *detail) {
  sf_stoich_result res;
  unsigned char fitted[SF_STOICH_MAX_ELEMENTS][SF_STOICH_MAX_COMPONENTS];
  memset(fitted, 0, sizeof fitted);
  memset(&res, 0, sizeof res);
  int mixture = p->stoich_labels == SF_RECIPE_LABELS_MIXTURE;
  size_t n_groups = mixture ? p->n_phases : g->n_groups;
  if (n_groups == 0)
    return SF_OK;
  if (n_groups > SF_STOICH_MAX_COMPONENTS)
    n_groups = SF_STOICH_MAX_COMPONENTS;
  char note[256] = "";
  if (mixture) {
    double truth_fraction[SF_STOICH_MAX_COMPONENTS * SF_RECIPE_MAX_ELEMENTS];
    for (size_t ph = 0; ph < n_groups; ++ph)
      for (size_t i = 0; i < p->n_elements; ++i)
        truth_fraction[ph * p->n_elements + i] =
            sf_phantom_phase_fraction(&p->phases[ph].phase, p->Z[i]);
    sf_stoich_options opt = {p->stoich_mask_fraction, p->stoich_bins, 0.0, 0.0,
                             MERGE_SEPARATION};
    if (sf_stoich_analyse(x, p->n_elements, np, NULL, n_groups, truth_fraction, NULL, &opt,
                          &res) != SF_OK) {
      snprintf(note, sizeof note, "mixture fit failed (%s)", sf_error_message());
      sf_error_clear();
      SF_TRY(sf_harness_values_set(v, "stoich.fitted", 0.0));
      if (detail)
        snprintf(detail->stoich_note, sizeof detail->stoich_note, "%s", note);
      return SF_OK;
    }
    for (size_t ph = 0; ph < n_groups; ++ph)
      for (size_t i = 0; i < p->n_elements; ++i)
        fitted[i][ph] = 1;
  } else {
    size_t n_failed = 0;
    SF_TRY(fit_labelled(p, g, x, ct, np, &res, fitted, &n_failed));
    if (n_failed)
      snprintf(note, sizeof note,
               "%zu of %zu entries are sample moments: their histogram is not described by a "
               "Gaussian (e.g. values pinned at 0 by the non-negativity constraint)",
               n_failed, n_groups * p->n_elements);
  }
  size_t n_fitted = 0;
  for (size_t ph = 0; ph < n_groups; ++ph) {
    const char *gname = mixture ? p->phases[ph].phase.name : g->names[ph];
    for (size_t i = 0; i < p->n_elements; ++i) {
      const sf_stoich_entry *e = &res.e[i][ph];
      n_fitted += fitted[i][ph];
      SF_TRY(setf(v, e->g.mean, "stoich.%s.%s.mean", gname, p->symbol[i]));
      SF_TRY(setf(v, e->g.sigma, "stoich.%s.%s.sigma", gname, p->symbol[i]));
      SF_TRY(setf(v, e->g.mean_err, "stoich.%s.%s.mean_err", gname, p->symbol[i]));
      SF_TRY(setf(v, e->truth, "stoich.%s.%s.truth", gname, p->symbol[i]));
      SF_TRY(setf(v, e->error, "stoich.%s.%s.error", gname, p->symbol[i]));
      SF_TRY(setf(v, fitted[i][ph], "stoich.%s.%s.fitted", gname, p->symbol[i]));
    }
  }
  SF_TRY(sf_harness_values_set(v, "stoich.fitted",
                               (double)n_fitted / (double)(n_groups * p->n_elements)));
  if (detail) {
    detail->stoich = res;
    memcpy(detail->stoich_fitted, fitted, sizeof fitted);
    snprintf(detail->stoich_note, sizeof detail->stoich_note, "%s", note);
  }
  return SF_OK;
}

/* A double map copied from values, with the truth's axes. */
/* lambda_tv (and nothing else) by Poisson-thinning cross-validation on this
   realisation's counts; the split is seeded by (seed, realisation). */
static int choose_lambda(const sf_recipe_params *p, const sf_fuse_problem *prob,
                         uint32_t realisation, sf_fuse_params *par, sf_harness_values *v) {
  sf_fuse_autolambda_params ap;
  sf_fuse_autolambda_params_default(&ap);
  ap.seed = p->seed + realisation;
  sf_fuse_autolambda_result *al = NULL;
  SF_TRY(sf_fuse_autolambda_run(prob, par, &ap, &al));
  par->lambda_tv = al->lambda_tv;
  int st = sf_harness_values_set(v, "fuse.autolambda_counts", al->counts);
  sf_log(SF_LOG_INFO, "realisation %u: %s", (unsigned)realisation, al->rule);
  sf_fuse_autolambda_result_destroy(al);
  return st;
}

static int add_map(sf_imageset *set, const char *name, const double *values, const sf_map *like,
                   const char *quantity, const char *units) {
  sf_map *m = NULL;
  SF_TRY(sf_imageset_add_map(set, name, SF_F64, like->nx, like->ny, 1, &m));
  memcpy(m->data, values, like->nx * like->ny * sizeof(double));
  for (int a = 0; a < 2; ++a)
    SF_TRY(sf_map_set_axis(m, a, like->axis[a].name, like->axis[a].units, like->axis[a].origin,
                           like->axis[a].step));
  snprintf(m->quantity, sizeof m->quantity, "%s", quantity);
  snprintf(m->units, sizeof m->units, "%s", units);
  return SF_OK;
}

static int keep_maps(const sf_recipe_params *p, work *w, const sf_map *like, size_t np) {
  char name[SF_NAME_MAX];
  const char *xunits = p->known_yields ? like->units : "";
  for (size_t i = 0; i < p->n_elements; ++i) {
    snprintf(name, sizeof name, "fused_%s", p->symbol[i]);
    SF_TRY(add_map(w->set, name, w->res->x + i * np, like, "Recovered projected density",
                   xunits));
    snprintf(name, sizeof name, "relconc_%s", p->symbol[i]);
    SF_TRY(add_map(w->set, name, w->c_fused + i * np, like, "Relative concentration", ""));
    snprintf(name, sizeof name, "relconc_truth_%s", p->symbol[i]);
    SF_TRY(add_map(w->set, name, w->c_truth + i * np, like, "Relative concentration", ""));
    snprintf(name, sizeof name, "stderr_%s", p->symbol[i]);
    SF_TRY(add_map(w->set, name, w->se + i * np, like, "Hessian standard error", xunits));
  }
  return SF_OK;
}

static int realise(const sf_recipe_params *p, const sf_imageset *truth,
                   const sf_harness_labels *groups, uint32_t realisation, sf_harness_values *v,
                   sf_harness_modality *modality, sf_harness_detail *detail, work *w) {
  const size_t ne = p->n_elements, np = p->nx * p->ny;
  char chem[SF_RECIPE_MAX_ELEMENTS][SF_NAME_MAX], noisy[SF_RECIPE_MAX_ELEMENTS][SF_NAME_MAX];
  char tname[SF_NAME_MAX];
  const double *t[SF_RECIPE_MAX_ELEMENTS];
  const sf_map *like = NULL;
  for (size_t i = 0; i < ne; ++i) {
    snprintf(tname, sizeof tname, "truth_%s", p->symbol[i]);
    const sf_map *m = sf_imageset_find(truth, tname);
    if (!m || m->dtype != SF_F64 || m->nx != p->nx || m->ny != p->ny)
      return sf_error_set(SF_ENOENT, "ground truth has no %zu x %zu map '%s'", p->nx, p->ny,
                          tname);
    t[i] = m->data;
    like = like ? like : m;
    snprintf(chem[i], sizeof chem[i], "%s_%s", p->chem_prefix, p->symbol[i]);
    snprintf(noisy[i], sizeof noisy[i], "noisy_%s", chem[i]);
  }

  /* 1. noise */
  sf_noise_modality m[1 + SF_RECIPE_MAX_ELEMENTS];
  memset(m, 0, sizeof m);
  m[0].map = "HAADF";
  m[0].out_map = "noisy_HAADF";
  m[0].kind = SF_NOISE_HAADF;
  m[0].dose_e_per_A2 = p->haadf_dose_e_per_A2;
  m[0].target_snr = p->haadf_snr;
  m[0].detector_fraction = p->detector_fraction;
  m[0].read_noise_counts = p->haadf_read_noise_counts;
  m[0].mask_fraction = p->mask_fraction;
  for (size_t i = 0; i < ne; ++i) {
    m[1 + i].map = chem[i];
    m[1 + i].out_map = noisy[i];
    m[1 + i].kind = SF_NOISE_CHEMICAL;
    m[1 + i].dose_e_per_A2 = p->chem_dose_e_per_A2;
    m[1 + i].target_snr = p->chem_snr;
    m[1 + i].yield_A2 = p->chem_yield_A2;
    m[1 + i].read_noise_counts = p->chem_read_noise_counts;
    m[1 + i].mask_fraction = p->mask_fraction;
  }
  w->set = sf_imageset_create();
  if (!w->set)
    return SF_ENOMEM;
  SF_TRY(sf_noise_apply(truth, w->set, 1 + ne, m, p->seed, realisation));
  const double area_A2 = p->voxel_A * p->voxel_A;
  double counts_per_x[SF_RECIPE_MAX_ELEMENTS], snr_mean = 0.0;
  for (size_t i = 0; i < ne; ++i) {
    counts_per_x[i] = m[1 + i].dose_used_e_per_A2 * area_A2 * p->chem_yield_A2 * p->yield_rel[i];
    snr_mean += m[1 + i].snr_expected / (double)ne;
  }
  if (modality)
    for (size_t k = 0; k < 1 + ne; ++k) {
      snprintf(modality[k].map, sizeof modality[k].map, "%s", m[k].map);
      modality[k].dose_e_per_A2 = m[k].dose_used_e_per_A2;
      modality[k].snr_expected = m[k].snr_expected;
      modality[k].mean_counts = m[k].mean_counts;
      modality[k].counts_per_x = k ? counts_per_x[k - 1] : 0.0;
    }

  /* 2. fused recovery */
  const double *b[SF_RECIPE_MAX_ELEMENTS];
  double Z[SF_RECIPE_MAX_ELEMENTS], wts[SF_RECIPE_MAX_ELEMENTS];
  const char *names[SF_RECIPE_MAX_ELEMENTS];
  for (size_t i = 0; i < ne; ++i) {
    b[i] = sf_imageset_find(w->set, noisy[i])->data;
    Z[i] = p->Z[i];
    names[i] = p->symbol[i];
  }
  sf_recipe_fuse_weights(p, wts);
  sf_fuse_problem prob = {p->nx, p->ny, ne, sf_imageset_find(w->set, "noisy_HAADF")->data, b, Z,
                          p->known_yields ? counts_per_x : NULL, wts, names};
  sf_fuse_params par;
  sf_recipe_fuse_params(p, &par);
  if (p->haadf_sigma_known)
    par.haadf_sigma = sqrt(m[0].mean_counts +
                           p->haadf_read_noise_counts * p->haadf_read_noise_counts);
  if (p->lambda_mode == SF_RECIPE_LAMBDA_SNR_SCALED)
    par.lambda_tv = snr_mean > 0.0 ? p->lambda_tv / snr_mean : p->lambda_tv;
  if (p->lambda_mode == SF_RECIPE_LAMBDA_AUTO)
    SF_TRY(choose_lambda(p, &prob, realisation, &par, v));
  SF_TRY(sf_fuse_solver_create(&prob, &par, &w->solver));
  SF_TRY(sf_fuse_solver_run(w->solver, NULL, &w->res));
  const sf_fuse_result *r = w->res;
  SF_TRY(sf_harness_values_set(v, "fuse.lambda_tv", par.lambda_tv));
  SF_TRY(sf_harness_values_set(v, "fuse.iterations", r->iterations));
  SF_TRY(sf_harness_values_set(v, "fuse.stop", (double)r->stop));
  SF_TRY(sf_harness_values_set(v, "fuse.cost", r->trace[r->n_trace - 1].total));
  SF_TRY(sf_harness_values_set(v, "fuse.scale", r->scale));
  SF_TRY(sf_harness_values_set(v, "fuse.haadf_sigma", r->haadf_sigma));
  /* the terms at the solution; the chemical misfit is Psi2 minus its
     saturated value (half the Poisson deviance, >= 0) for the L-curve */
  const sf_fuse_cost *last = &r->trace[r->n_trace - 1];
  double saturated = 0.0;
  if (par.chem_model == SF_FUSE_CHEM_POISSON)
    for (size_t i = 0; i < ne; ++i)
      for (size_t q = 0; q < np; ++q)
        if (b[i][q] > 0.0)
          saturated += b[i][q] - b[i][q] * log(b[i][q]);
  SF_TRY(sf_harness_values_set(v, "fuse.psi1", last->psi1));
  SF_TRY(sf_harness_values_set(v, "fuse.chem_misfit", last->psi2 - saturated));
  SF_TRY(sf_harness_values_set(v, "fuse.tv", last->tv));
  SF_TRY(sf_harness_values_set(v, "fuse.tv_term", last->tv_term));
  for (size_t i = 0; i < ne; ++i)
    SF_TRY(setf(v, r->yield[i], "%s.fuse.yield", p->symbol[i]));

  /* standard errors at the solution */
  w->se = sf_alloc(ne * np, sizeof(double), "standard-error maps");
  if (!w->se)
    return SF_ENOMEM;
  sf_fuse_nuisance nu = {r->scale, r->offset, r->yield};
  sf_fuse_se_summary ses;
  sf_fuse_se_params sep;
  sf_fuse_se_params_default(&sep);
  SF_TRY(sf_fuse_standard_errors(w->solver, r->x, &nu, &sep, w->se, NULL, &ses));
  SF_TRY(sf_harness_values_set(v, "fuse.mean_se", ses.mean_se));

  /* 3. image metrics, per element and pooled */
  w->spec = sf_alloc(np, 1, "specimen mask");
  w->conc_mask = sf_alloc(np, 1, "concentration mask");
  w->flat = sf_alloc(np, 1, "flat region");
  w->c_fused = sf_alloc(ne * np, sizeof(double), "concentrations");
  w->c_truth = sf_alloc(ne * np, sizeof(double), "concentrations");
  w->c_raw = sf_alloc(ne * np, sizeof(double), "concentrations");
  if (!w->spec || !w->conc_mask || !w->flat || !w->c_fused || !w->c_truth || !w->c_raw)
    return SF_ENOMEM;
  truth_mask(t, ne, np, p->mask_fraction, w->spec);
  SF_TRY(sf_harness_values_set(v, "fuse.median_se", median_se(w->se, ne, np, w->spec, w->c_raw)));
  truth_mask(t, ne, np, p->stoich_mask_fraction, w->conc_mask);
  const uint8_t *mask = p->metrics_on_mask ? w->spec : NULL;
  sf_metrics raw[SF_RECIPE_MAX_ELEMENTS], fused[SF_RECIPE_MAX_ELEMENTS], abs_f[SF_RECIPE_MAX_ELEMENTS];
  for (size_t i = 0; i < ne; ++i) {
    const double *x = r->x + i * np;
    metrics_or_nan(b[i], t[i], p->nx, p->ny, mask, &raw[i]);
    metrics_or_nan(x, t[i], p->nx, p->ny, mask, &fused[i]);
    SF_TRY(put_metrics(v, p->symbol[i], "raw", &raw[i]));
    SF_TRY(put_metrics(v, p->symbol[i], "fused", &fused[i]));
    double gain = fused[i].psnr_dB - raw[i].psnr_dB;
    SF_TRY(setf(v, gain, "%s.gain.psnr_dB", p->symbol[i]));
    SF_TRY(setf(v, 100.0 * pow(10.0, gain / 20.0), "%s.gain.snr_psnr_pct", p->symbol[i]));
    /* absolute error of the recovered map (meaningful with known yields) */
    if (sf_metrics_compare(x, t[i], p->nx, p->ny, mask, 0, &abs_f[i]) != SF_OK)
      abs_f[i].rmse = abs_f[i].mse = NAN;
    if (p->known_yields)
      SF_TRY(setf(v, abs_f[i].rmse, "%s.fused.rmse_abs", p->symbol[i]));
    SF_TRY(setf(v, ses.mean_se_element[i], "%s.fused.mean_se", p->symbol[i]));
    /* SNR over a flat region */
    size_t n_flat = 0;
    if (p->have_flat_region) {
      memset(w->flat, 0, np);
      for (size_t iy = p->flat_region_px[1]; iy < p->flat_region_px[3]; ++iy)
        for (size_t ix = p->flat_region_px[0]; ix < p->flat_region_px[2]; ++ix)
          w->flat[iy * p->nx + ix] = 1;
      n_flat = (p->flat_region_px[2] - p->flat_region_px[0]) *
               (p->flat_region_px[3] - p->flat_region_px[1]);
    } else {
      n_flat = auto_flat_region(t[i], p->nx, p->ny, w->flat, w->c_raw);
      if (n_flat < MIN_FLAT_PIXELS)
        n_flat = 0;
    }
    sf_metrics_gain gn;
    if (n_flat >= 2 &&
        sf_metrics_improvement(b[i], x, t[i], mask, w->flat, np, 1, &gn) == SF_OK) {
      SF_TRY(setf(v, gn.snr_raw, "%s.raw.snr_flat", p->symbol[i]));
      SF_TRY(setf(v, gn.snr_fused, "%s.fused.snr_flat", p->symbol[i]));
      SF_TRY(setf(v, gn.snr_ratio_pct, "%s.gain.snr_flat_pct", p->symbol[i]));
      SF_TRY(setf(v, (double)n_flat, "%s.flat_pixels", p->symbol[i]));
    }
    sf_error_clear();
  }
  sf_metrics all_raw, all_fused, all_abs;
  pooled(raw, ne, t, np, mask, &all_raw);
  pooled(fused, ne, t, np, mask, &all_fused);
  pooled(abs_f, ne, t, np, mask, &all_abs);
  SF_TRY(put_metrics(v, "overall", "raw", &all_raw));
  SF_TRY(put_metrics(v, "overall", "fused", &all_fused));
  SF_TRY(sf_harness_values_set(v, "overall.gain.psnr_dB", all_fused.psnr_dB - all_raw.psnr_dB));
  SF_TRY(sf_harness_values_set(v, "overall.gain.snr_psnr_pct",
                               100.0 * pow(10.0, (all_fused.psnr_dB - all_raw.psnr_dB) / 20.0)));
  if (p->known_yields)
    SF_TRY(sf_harness_values_set(v, "overall.fused.rmse_abs", all_abs.rmse));

  /* 4. relative concentrations on the concentration mask */
  const double *xs[SF_RECIPE_MAX_ELEMENTS];
  for (size_t i = 0; i < ne; ++i)
    xs[i] = r->x + i * np;
  relconc(xs, NULL, ne, np, w->conc_mask, w->c_fused);
  relconc(t, NULL, ne, np, w->conc_mask, w->c_truth);
  relconc(b, counts_per_x, ne, np, w->conc_mask, w->c_raw);
  SF_TRY(conc_metrics(v, p, "fused", w->c_fused, w->c_truth, w->conc_mask, np));
  SF_TRY(conc_metrics(v, p, "raw", w->c_raw, w->c_truth, w->conc_mask, np));

  /* 5. stoichiometry of the recovered maps */
  SF_TRY(stoichiometry(p, groups, xs, w->c_truth, np, v, detail));

  if (detail) {
    SF_TRY(keep_maps(p, w, like, np));
    detail->trace = malloc((size_t)r->n_trace * sizeof *detail->trace);
    if (!detail->trace)
      return sf_error_set(SF_ENOMEM, "cannot keep the cost history");
    memcpy(detail->trace, r->trace, (size_t)r->n_trace * sizeof *detail->trace);
    detail->n_trace = r->n_trace;
    detail->maps = w->set;
    w->set = NULL;
  }
  return SF_OK;
}

int sf_harness_realise(const sf_recipe_params *p, const sf_imageset *truth,
                       const sf_harness_labels *groups, uint32_t realisation,
                       sf_harness_values *vals, sf_harness_modality *modality,
                       sf_harness_detail *detail) {
  if (!p || !truth || !groups || !vals)
    return sf_error_set(SF_EINVAL, "sf_harness_realise: NULL argument");
  if (detail)
    memset(detail, 0, sizeof *detail);
  work w;
  memset(&w, 0, sizeof w);
  int st = realise(p, truth, groups, realisation, vals, modality, detail, &w);
  work_free(&w);
  if (st != SF_OK) {
    sf_harness_detail_clear(detail);
    return sf_error_prepend(st, "realisation %u", (unsigned)realisation);
  }
  return SF_OK;
}

void sf_harness_detail_clear(sf_harness_detail *d) {
  if (!d)
    return;
  sf_imageset_destroy(d->maps);
  free(d->trace);
  memset(d, 0, sizeof *d);
}
