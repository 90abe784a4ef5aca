/* report_figures.c - the PNG figures of a validation report: maps, RGB
   overlays, line profiles, convergence and concentration histograms. */
#include "validate/report_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "io/sf_png.h"
#include "validate/sf_plot.h"

#include <math.h>
#include <string.h>

/* Percentiles for the grey scale of noisy maps (clip isolated hot pixels). */
#define NOISY_LO_PCT 0.5
#define NOISY_HI_PCT 99.5
#define PLOT_W 640
#define PLOT_H 400
#define HIST_BINS 60
#define CURVE_POINTS 241

static int map_png(const sf_report_ctx *c, const char *map, const char *file, double lo,
                   double hi) {
  const sf_map *m = sf_imageset_find(c->res->maps, map);
  if (!m)
    return sf_error_set(SF_ENOENT, "report: no map '%s'", map);
  char path[4096];
  SF_TRY(sf_report_path(path, sizeof path, c->dir, file));
  return sf_io_png_write_map(m, 0, path, lo, hi, 0);
}

/* RGB overlay of the maps <prefix><symbol><suffix> of the first three elements. */
static int overlay_png(const sf_report_ctx *c, const char *prefix, const char *suffix,
                       const char *file, double lo, double hi) {
  const sf_recipe_params *p = &c->res->p;
  const sf_map *ch[3] = {NULL, NULL, NULL};
  for (size_t i = 0; i < p->n_elements && i < 3; ++i) {
    char name[SF_NAME_MAX];
    snprintf(name, sizeof name, "%s%s%s", prefix, p->symbol[i], suffix);
    ch[i] = sf_imageset_find(c->res->maps, name);
    if (!ch[i])
      return sf_error_set(SF_ENOENT, "report: no map '%s'", name);
  }
  char path[4096];
  SF_TRY(sf_report_path(path, sizeof path, c->dir, file));
  return sf_io_png_write_rgb(ch[0], ch[1], ch[2], path, lo, hi, 0);
}

static int maps_png(const sf_report_ctx *c) {
  const sf_recipe_params *p = &c->res->p;
  char map[SF_NAME_MAX], file[SF_NAME_MAX + 16];
  for (size_t i = 0; i < p->n_elements; ++i) {
    const char *el = p->symbol[i];
    snprintf(map, sizeof map, "truth_%s", el);
    snprintf(file, sizeof file, "truth_%s.png", el);
    SF_TRY(map_png(c, map, file, 0.0, 100.0));
    snprintf(map, sizeof map, "noisy_%s_%s", p->chem_prefix, el);
    snprintf(file, sizeof file, "noisy_%s.png", el);
    SF_TRY(map_png(c, map, file, NOISY_LO_PCT, NOISY_HI_PCT));
    snprintf(map, sizeof map, "fused_%s", el);
    snprintf(file, sizeof file, "fused_%s.png", el);
    SF_TRY(map_png(c, map, file, 0.0, 100.0));
    snprintf(map, sizeof map, "relconc_%s", el);
    snprintf(file, sizeof file, "relconc_%s.png", el);
    SF_TRY(map_png(c, map, file, 0.0, 100.0));
  }
  SF_TRY(map_png(c, "HAADF", "haadf.png", 0.0, 100.0));
  SF_TRY(map_png(c, "noisy_HAADF", "haadf_noisy.png", NOISY_LO_PCT, NOISY_HI_PCT));
  char prefix[32];
  SF_TRY(overlay_png(c, "truth_", "", "overlay_truth.png", 0.0, 100.0));
  snprintf(prefix, sizeof prefix, "noisy_%s_", p->chem_prefix);
  SF_TRY(overlay_png(c, prefix, "", "overlay_noisy.png", NOISY_LO_PCT, NOISY_HI_PCT));
  SF_TRY(overlay_png(c, "fused_", "", "overlay_fused.png", 0.0, 100.0));
  /* phase groups of the stoichiometry */
  if (c->res->groups.labels) {
    sf_imageset *tmp = sf_imageset_create();
    sf_map *m = NULL;
    int st = tmp ? sf_imageset_add_map(tmp, "groups", SF_F64, p->nx, p->ny, 1, &m) : SF_ENOMEM;
    for (size_t q = 0; st == SF_OK && q < p->nx * p->ny; ++q)
      ((double *)m->data)[q] = c->res->groups.labels[q];
    char path[4096];
    if (st == SF_OK)
      st = sf_report_path(path, sizeof path, c->dir, "groups.png");
    if (st == SF_OK)
      st = sf_io_png_write_map(m, 0, path, 0.0, 100.0, 0);
    sf_imageset_destroy(tmp);
    SF_TRY(st);
  }
  return SF_OK;
}

static int profile_png(const sf_report_ctx *c) {
  const sf_recipe_params *p = &c->res->p;
  const sf_profile *pr = c->profile;
  double *y = sf_alloc(pr->n, sizeof(double), "profile plot");
  if (!y)
    return SF_ENOMEM;
  int st = SF_OK;
  for (size_t i = 0; i < p->n_elements && st == SF_OK; ++i) {
    sf_plot *pl = sf_plot_create(PLOT_W, PLOT_H);
    if (!pl) {
      st = SF_ENOMEM;
      break;
    }
    char title[128], file[64], path[4096];
    snprintf(title, sizeof title, "%s line profile (%zu px band)", p->symbol[i], pr->band_points);
    sf_plot_set_title(pl, title);
    sf_plot_set_xlabel(pl, pr->position_units[0] == 'p' ? "position (px)" : "position (Å)");
    sf_plot_set_ylabel(pl, "projected density (atoms/Å²)");
    sf_plot_style noisy = sf_plot_marker_style(SF_PLOT_MARKER_CIRCLE, 4);
    noisy.color = SF_PLOT_RGB(0x9a9a9a);
    sf_plot_style truth = sf_plot_line_style(2);
    truth.color = SF_PLOT_RGB(0x000000);
    truth.dashed = 1;
    sf_plot_style fused = sf_plot_line_style(2);
    fused.color = SF_PLOT_RGB(0xd62728);
    for (size_t k = 0; k < pr->n; ++k)
      y[k] = pr->values[3 * i + 1][k] * c->scale_raw[i];
    st = sf_plot_add_series(pl, "noisy (scaled)", pr->position, y, pr->n, &noisy);
    if (st == SF_OK)
      st = sf_plot_add_series(pl, "truth", pr->position, pr->values[3 * i], pr->n, &truth);
    for (size_t k = 0; k < pr->n; ++k)
      y[k] = pr->values[3 * i + 2][k] * c->scale_fused[i];
    if (st == SF_OK)
      st = sf_plot_add_series(pl, "fused (scaled)", pr->position, y, pr->n, &fused);
    snprintf(file, sizeof file, "profile_%s.png", p->symbol[i]);
    if (st == SF_OK)
      st = sf_report_path(path, sizeof path, c->dir, file);
    if (st == SF_OK)
      st = sf_plot_write_png(pl, path, 0);
    sf_plot_destroy(pl);
  }
  sf_free(y);
  return st;
}

/* Convergence of each cost term: its distance from the final value,
   relative to the term's range over the run, on a log axis (the terms
   differ in size and sign; the CSV has the values themselves). A smooth,
   falling curve is the sign of a reliable run (the paper's Fig. 3e). */
static int convergence_png(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  int n = r->n_trace;
  if (n < 2)
    return SF_OK;
  double *x = sf_alloc((size_t)n, sizeof(double), "convergence plot");
  double *y = sf_alloc((size_t)n, sizeof(double), "convergence plot");
  sf_plot *pl = sf_plot_create(PLOT_W, PLOT_H);
  int st = x && y && pl ? SF_OK : SF_ENOMEM;
  static const char *const names[] = {"HAADF term Psi1", "chemical term λ Psi2", "TV term λ TV",
                                      "total"};
  static const uint32_t colors[] = {0xff7f0e, 0xc71585, 0x17becf, 0x000000};
  for (int term = 0; term < 4 && st == SF_OK; ++term) {
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; ++k) {
      const sf_fuse_cost *t = &r->trace[k];
      double v = term == 0 ? t->psi1 : term == 1 ? t->chem_term : term == 2 ? t->tv_term : t->total;
      x[k] = k;
      y[k] = v;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    const double last = y[n - 1];
    for (int k = 0; k < n; ++k) {
      double d = hi > lo ? fabs(y[k] - last) / (hi - lo) : 0.0;
      y[k] = d > 0.0 ? d : NAN; /* the final point (distance 0) has no log */
    }
    sf_plot_style s = sf_plot_line_style(2);
    s.color = SF_PLOT_RGB(colors[term]);
    s.dashed = term == 3;
    st = sf_plot_add_series(pl, names[term], x, y, (size_t)n, &s);
  }
  char path[4096];
  if (st == SF_OK) {
    sf_plot_set_title(pl, "Convergence: distance of each term from its final value");
    sf_plot_set_xlabel(pl, "iteration");
    sf_plot_set_ylabel(pl, "|cost - final| / (max - min)");
    sf_plot_set_log_y(pl, 1);
    st = sf_report_path(path, sizeof path, c->dir, "convergence.png");
  }
  if (st == SF_OK)
    st = sf_plot_write_png(pl, path, 0);
  sf_plot_destroy(pl);
  sf_free(x);
  sf_free(y);
  return st;
}

/* Histogram of the fused relative concentration of element i per phase
   group, the fitted Gaussians and the truth. sel holds 2 np bytes. */
static int histogram_png(const sf_report_ctx *c, size_t i, const double *cmap, double *curve_x,
                         double *curve_y, uint8_t *sel) {
  const sf_harness_result *r = c->res;
  const sf_recipe_params *p = &r->p;
  const size_t np = p->nx * p->ny;
  int mixture = p->stoich_labels == SF_RECIPE_LABELS_MIXTURE;
  size_t ng = mixture ? (p->n_phases < SF_STOICH_MAX_COMPONENTS ? p->n_phases
                                                                : SF_STOICH_MAX_COMPONENTS)
                      : r->groups.n_groups;
  /* the masked pixels (concentrations are 0 outside the mask, where all sum to 0) */
  double lo = INFINITY, hi = -INFINITY;
  for (size_t q = 0; q < np; ++q) {
    double s = 0.0;
    for (size_t k = 0; k < p->n_elements; ++k)
      s += cmap[k * np + q];
    int in = s > 0.5 && (mixture || r->groups.labels[q]);
    sel[q] = (uint8_t)in;
    if (in) {
      lo = cmap[i * np + q] < lo ? cmap[i * np + q] : lo;
      hi = cmap[i * np + q] > hi ? cmap[i * np + q] : hi;
    }
  }
  for (size_t g = 0; g < ng; ++g) { /* show the truths too */
    double t = r->stoich.e[i][g].truth;
    if (isfinite(t)) {
      lo = t < lo ? t : lo;
      hi = t > hi ? t : hi;
    }
  }
  if (!(hi > lo)) {
    lo = isfinite(lo) ? lo - 0.05 : 0.0;
    hi = isfinite(hi) ? hi + 0.05 : 1.0;
  }
  double pad = 0.02 * (hi - lo);
  lo -= pad;
  hi += pad;
  sf_plot *pl = sf_plot_create(PLOT_W, PLOT_H);
  if (!pl)
    return SF_ENOMEM;
  char title[128];
  snprintf(title, sizeof title, "%s relative concentration (fused)", p->symbol[i]);
  sf_plot_set_title(pl, title);
  sf_plot_set_xlabel(pl, "relative concentration");
  sf_plot_set_ylabel(pl, "pixels per bin");
  static const uint32_t palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd};
  int st = SF_OK;
  double width = (hi - lo) / HIST_BINS, top = 0.0;
  uint8_t *grp = sel + np;
  for (size_t g = 0; g < (mixture ? 1 : ng) && st == SF_OK; ++g) {
    for (size_t q = 0; q < np; ++q)
      grp[q] = (uint8_t)(sel[q] && (mixture || r->groups.labels[q] == g + 1));
    sf_histogram *h = NULL;
    if (sf_histogram_create(cmap + i * np, grp, np, HIST_BINS, lo, hi, &h) != SF_OK) {
      sf_error_clear(); /* a group without pixels in the mask: no bars */
      continue;
    }
    double edges[HIST_BINS + 1];
    for (size_t b = 0; b <= HIST_BINS; ++b)
      edges[b] = lo + (double)b * width;
    for (size_t b = 0; b < HIST_BINS; ++b)
      top = h->counts[b] > top ? h->counts[b] : top;
    sf_plot_style bars = {SF_PLOT_RGB(palette[g % 4]), 0, 0, SF_PLOT_MARKER_NONE, 0};
    const char *name = mixture ? "all pixels" : r->groups.names[g];
    st = sf_plot_add_bars(pl, name, edges, h->counts, HIST_BINS, &bars);
    sf_histogram_destroy(h);
  }
  for (size_t g = 0; g < ng && st == SF_OK; ++g) {
    const sf_stoich_entry *e = &r->stoich.e[i][g];
    if (!(e->g.sigma > 0.0) || !isfinite(e->g.mean))
      continue;
    for (int k = 0; k < CURVE_POINTS; ++k) {
      double xv = lo + (hi - lo) * k / (CURVE_POINTS - 1.0);
      double z = (xv - e->g.mean) / e->g.sigma;
      curve_x[k] = xv;
      curve_y[k] = e->g.count * width * exp(-0.5 * z * z) / (e->g.sigma * sqrt(SF_TWO_PI));
    }
    char name[SF_HARNESS_NAME_MAX + 64];
    snprintf(name, sizeof name, "%s %.3f ± %.3f%s",
             mixture ? p->phases[g].phase.name : r->groups.names[g], e->g.mean, e->g.sigma,
             r->stoich_fitted[i][g] ? "" : " (moments)");
    sf_plot_style s = sf_plot_line_style(2);
    s.color = SF_PLOT_RGB(palette[g % 4] ^ 0x404040);
    st = sf_plot_add_series(pl, name, curve_x, curve_y, CURVE_POINTS, &s);
  }
  for (size_t g = 0; g < ng && st == SF_OK; ++g) {
    double t = r->stoich.e[i][g].truth;
    if (!isfinite(t) || t < lo || t > hi)
      continue;
    double tx[2] = {t, t}, ty[2] = {0.0, top > 0.0 ? top : 1.0};
    sf_plot_style s = sf_plot_line_style(1);
    s.color = SF_PLOT_RGB(0x000000);
    s.dashed = 1;
    st = sf_plot_add_series(pl, g == 0 ? "truth" : NULL, tx, ty, 2, &s);
  }
  char file[64], path[4096];
  snprintf(file, sizeof file, "histogram_%s.png", p->symbol[i]);
  if (st == SF_OK)
    st = sf_report_path(path, sizeof path, c->dir, file);
  if (st == SF_OK)
    st = sf_plot_write_png(pl, path, 0);
  sf_plot_destroy(pl);
  return st;
}

static int histograms_png(const sf_report_ctx *c) {
  const sf_recipe_params *p = &c->res->p;
  const size_t np = p->nx * p->ny;
  if (p->stoich_labels != SF_RECIPE_LABELS_MIXTURE && c->res->groups.n_groups == 0)
    return SF_OK;
  double *cmap = sf_alloc(p->n_elements * np, sizeof(double), "concentration maps");
  double *cx = sf_alloc(CURVE_POINTS, sizeof(double), "histogram plot");
  double *cy = sf_alloc(CURVE_POINTS, sizeof(double), "histogram plot");
  uint8_t *sel = sf_alloc(2 * np, 1, "histogram selection");
  int st = cmap && cx && cy && sel ? SF_OK : SF_ENOMEM;
  for (size_t i = 0; i < p->n_elements && st == SF_OK; ++i) {
    char name[SF_NAME_MAX];
    snprintf(name, sizeof name, "relconc_%s", p->symbol[i]);
    const sf_map *m = sf_imageset_find(c->res->maps, name);
    if (!m)
      st = sf_error_set(SF_ENOENT, "report: no map '%s'", name);
    else
      memcpy(cmap + i * np, m->data, np * sizeof(double));
  }
  for (size_t i = 0; i < p->n_elements && st == SF_OK; ++i)
    st = histogram_png(c, i, cmap, cx, cy, sel);
  sf_free(cmap);
  sf_free(cx);
  sf_free(cy);
  sf_free(sel);
  return st;
}

int sf_report_figures_write(const sf_report_ctx *c) {
  SF_TRY(maps_png(c));
  SF_TRY(profile_png(c));
  SF_TRY(convergence_png(c));
  return histograms_png(c);
}
