/* report.c - write a validation report folder atomically, and the headline
   text a command prints. */
#include "validate/sf_report.h"

#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "io/sf_emd.h"
#include "validate/report_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double value0(const sf_harness_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static double value0(const sf_harness_result *r, const char *fmt, ...) {
  char name[SF_HARNESS_NAME_MAX + 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  double v = r->n_realisations ? sf_harness_values_get(&r->real[0], name) : NAN;
  return isfinite(v) ? v : 1.0;
}

static int make_profile(sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  const sf_recipe_params *p = &r->p;
  const sf_map *maps[3 * SF_RECIPE_MAX_ELEMENTS];
  for (size_t i = 0; i < p->n_elements; ++i) {
    char name[3][SF_NAME_MAX];
    snprintf(name[0], sizeof name[0], "truth_%s", p->symbol[i]);
    snprintf(name[1], sizeof name[1], "noisy_%s_%s", p->chem_prefix, p->symbol[i]);
    snprintf(name[2], sizeof name[2], "fused_%s", p->symbol[i]);
    for (int k = 0; k < 3; ++k) {
      maps[3 * i + (size_t)k] = sf_imageset_find(r->maps, name[k]);
      if (!maps[3 * i + (size_t)k])
        return sf_error_set(SF_ENOENT, "report: no map '%s'", name[k]);
    }
    c->scale_raw[i] = value0(r, "%s.raw.scale", p->symbol[i]);
    c->scale_fused[i] = value0(r, "%s.fused.scale", p->symbol[i]);
  }
  if (p->have_profile)
    return sf_profile_extract(maps, 3 * p->n_elements, p->profile_A[0], p->profile_A[1],
                              p->profile_A[2], p->profile_A[3], p->profile_width_px * p->voxel_A,
                              SF_PROFILE_CALIBRATED, &c->profile);
  /* horizontal through the centre of the field */
  double yc = ((double)p->ny - 1.0) / 2.0;
  if (p->nx < 2)
    return sf_profile_extract(maps, 3 * p->n_elements, 0.0, 0.0, 0.0, (double)p->ny - 1.0,
                              p->profile_width_px, SF_PROFILE_PIXELS, &c->profile);
  return sf_profile_extract(maps, 3 * p->n_elements, 0.0, yc, (double)p->nx - 1.0, yc,
                            p->profile_width_px, SF_PROFILE_PIXELS, &c->profile);
}

/* The maps with provenance, as EMD: a view of the result's maps with their
   own attributes (the result is not modified). */
static int write_emd(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  sf_imageset view;
  memset(&view, 0, sizeof view);
  view.maps = r->maps->maps;
  view.count = view.capacity = r->maps->count;
  int st = sf_attrs_copy(&view.attrs, &r->maps->attrs);
  if (st == SF_OK)
    st = sf_imageset_set_provenance(&view, c->argc, c->argv, 1, r->p.seed,
                                    c->recipe->config_text);
  if (st == SF_OK)
    st = sf_attrs_set_string(&view.attrs, "comments", "generator_stage", "stemfuse validate");
  if (st == SF_OK)
    st = sf_attrs_set_int(&view.attrs, "comments", "realisation", 0);
  char path[4096];
  if (st == SF_OK)
    st = sf_report_path(path, sizeof path, c->dir, "maps.emd");
  if (st == SF_OK)
    st = sf_io_emd_write(&view, path, 0);
  sf_attrs_clear(&view.attrs);
  return st;
}

int sf_report_write(const sf_recipe *recipe, const sf_harness_result *res, const char *dir,
                    int force, int argc, char *const argv[]) {
  if (!recipe || !res || !dir)
    return sf_error_set(SF_EINVAL, "sf_report_write: NULL argument");
  sf_atomic_file af;
  SF_TRY(sf_atomic_begin_dir(dir, force, &af));
  sf_report_ctx c;
  memset(&c, 0, sizeof c);
  c.recipe = recipe;
  c.res = res;
  c.dir = af.tmp_path;
  c.argc = argv ? argc : 0;
  c.argv = argv;
  int st = make_profile(&c);
  if (st == SF_OK)
    st = sf_report_data_write(&c);
  if (st == SF_OK)
    st = sf_report_figures_write(&c);
  if (st == SF_OK)
    st = sf_report_html_write(&c);
  if (st == SF_OK && res->p.write_emd)
    st = write_emd(&c);
  sf_profile_destroy(c.profile);
  if (st != SF_OK) {
    sf_atomic_abort(&af);
    return sf_error_prepend(st, "writing the report %s", dir);
  }
  return sf_atomic_commit(&af);
}

/* ---- headline ---- */

typedef struct text {
  char *s;
  size_t len, cap;
  int failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
  if (t->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      t->failed = 1;
      return;
    }
    if (t->s && t->len + (size_t)n < t->cap) {
      t->len += (size_t)n;
      return;
    }
    size_t cap = (t->cap ? 2 * t->cap : 1024) + (size_t)n;
    char *s = realloc(t->s, cap);
    if (!s) {
      t->failed = 1;
      return;
    }
    t->s = s;
    t->cap = cap;
  }
}

static const sf_harness_stat *stat_of(const sf_harness_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const sf_harness_stat *stat_of(const sf_harness_result *r, const char *fmt, ...) {
  char name[SF_HARNESS_NAME_MAX + 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  return sf_harness_stat_find(r, name);
}

static double mean_of(const sf_harness_stat *s) { return s ? s->mean : NAN; }
static double std_of(const sf_harness_stat *s) { return s ? s->std : NAN; }

int sf_report_headline(const sf_harness_result *r, char **out) {
  if (!r || !out)
    return sf_error_set(SF_EINVAL, "sf_report_headline: NULL argument");
  *out = NULL;
  const sf_recipe_params *p = &r->p;
  text t = {NULL, 0, 0, 0};
  put(&t, "%s: %zu realisation%s, %zu x %zu px of %g Å, %.1f s\n", p->name, r->n_realisations,
      r->n_realisations == 1 ? "" : "s", p->nx, p->ny, p->voxel_A, r->seconds);
  put(&t, "  noise:");
  for (size_t k = 0; k < r->n_modalities; ++k)
    put(&t, " %s %.3g e/Å² (SNR %.3g)%s", r->modality[k].map, r->modality[k].dose_e_per_A2,
        r->modality[k].snr_expected, k + 1 < r->n_modalities ? "," : "\n");
  for (size_t i = 0; i <= p->n_elements; ++i) {
    const char *el = i < p->n_elements ? p->symbol[i] : "overall";
    const sf_harness_stat *raw = stat_of(r, "%s.raw.psnr_dB", el);
    const sf_harness_stat *fused = stat_of(r, "%s.fused.psnr_dB", el);
    const sf_harness_stat *gain = stat_of(r, "%s.gain.psnr_dB", el);
    const sf_harness_stat *pct = stat_of(r, "%s.gain.snr_psnr_pct", el);
    put(&t, "  %-7s PSNR raw %6.2f -> fused %6.2f dB  (gain %+.2f ± %.2f dB, SNR gain %.0f %%)\n",
        el, mean_of(raw), mean_of(fused), mean_of(gain), std_of(gain), mean_of(pct));
  }
  const sf_harness_stat *cr = stat_of(r, "conc.raw.rmse");
  const sf_harness_stat *cf = stat_of(r, "conc.fused.rmse");
  put(&t, "  relative-concentration RMSE: raw %.4f -> fused %.4f ± %.4f\n", mean_of(cr),
      mean_of(cf), std_of(cf));
  int mixture = p->stoich_labels == SF_RECIPE_LABELS_MIXTURE;
  size_t ng = mixture ? (p->n_phases < SF_STOICH_MAX_COMPONENTS ? p->n_phases
                                                                : SF_STOICH_MAX_COMPONENTS)
                      : r->groups.n_groups;
  for (size_t g = 0; g < ng; ++g) {
    const char *gname = mixture ? p->phases[g].phase.name : r->groups.names[g];
    put(&t, "  stoichiometry %s:", gname);
    for (size_t i = 0; i < p->n_elements; ++i) {
      const sf_harness_stat *m = stat_of(r, "stoich.%s.%s.mean", gname, p->symbol[i]);
      const sf_harness_stat *s = stat_of(r, "stoich.%s.%s.sigma", gname, p->symbol[i]);
      const sf_harness_stat *tr = stat_of(r, "stoich.%s.%s.truth", gname, p->symbol[i]);
      put(&t, " %s %.1f ± %.1f %% (truth %.1f %%)%s", p->symbol[i], 100 * mean_of(m),
          100 * mean_of(s), 100 * mean_of(tr), i + 1 < p->n_elements ? "," : "\n");
    }
  }
  if (t.failed) {
    free(t.s);
    return sf_error_set(SF_ENOMEM, "cannot format the headline");
  }
  *out = t.s;
  return SF_OK;
}
