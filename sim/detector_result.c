/* detector_result.c - accumulation of detector records over frozen-phonon
   configurations (mean and standard error) and export to an image set. */
#include "sim/sf_detector.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "sim/sf_probe.h"
#include "sim/sf_simulate_config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sf_stem_result {
  sf_detector_params params; /* detectors point to `dets` */
  sf_detector *dets;
  sf_record_layout rec;
  sf_wavegrid grid;
  size_t scan_nx, scan_ny, n_scan;
  int scan_is_grid;
  double origin_x_A, origin_y_A, step_x_A, step_y_A;
  double *depth_A;
  size_t n_depths;
  double *cur;  /* configuration in progress, full records */
  double *mean; /* running mean over configurations, full records */
  double *m2;   /* Welford sums of squared deviations, records without the bins */
  size_t n_conf;
  double *image; /* one scan image of work space */
};

/* Entries of a record that carry a variance: everything but the bins. */
static size_t var_size(const sf_record_layout *r) { return r->size - r->n_bins; }
static size_t var_index(const sf_record_layout *r, size_t e) {
  return e < r->bins ? e : e - r->n_bins;
}

size_t sf_stem_result_bytes(const sf_detector_params *p, double alpha_max_mrad, size_t n_scan,
                            size_t n_depths) {
  sf_record_layout r;
  sf_detector_record_layout(p, alpha_max_mrad, &r);
  const double per = (double)n_scan * (double)n_depths * sizeof(double);
  const double bytes = per * (2.0 * (double)r.size + (double)var_size(&r)) +
                       (double)n_scan * sizeof(double);
  return bytes > (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

void sf_stem_result_destroy(sf_stem_result *r) {
  if (!r)
    return;
  free(r->dets);
  sf_free(r->depth_A);
  sf_free(r->cur);
  sf_free(r->mean);
  sf_free(r->m2);
  sf_free(r->image);
  free(r);
}

int sf_stem_result_create(const sf_detector_params *p, const sf_wavegrid *g, const sf_scan *scan,
                          const double *depth_A, size_t n_depths, sf_stem_result **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "STEM result: NULL output pointer");
  *out = NULL;
  if (!p || !g || !scan || !depth_A || n_depths == 0)
    return sf_error_set(SF_EINVAL, "STEM result: NULL argument or no depths");
  SF_TRY(sf_detector_check(p, g->alpha_max_mrad));
  for (size_t d = 0; d < n_depths; ++d)
    if (!isfinite(depth_A[d]) || depth_A[d] < 0.0 || (d > 0 && depth_A[d] <= depth_A[d - 1]))
      return sf_error_set(SF_EINVAL,
                          "STEM result: depth %zu = %g A: depths must be finite, >= 0 and "
                          "increasing",
                          d, depth_A[d]);
  sf_stem_result *r = calloc(1, sizeof *r);
  if (!r)
    return sf_error_set(SF_ENOMEM, "STEM result: out of memory");
  r->params = *p;
  if (p->n_detectors) {
    r->dets = malloc(p->n_detectors * sizeof *r->dets);
    if (!r->dets) {
      sf_stem_result_destroy(r);
      return sf_error_set(SF_ENOMEM, "STEM result: out of memory");
    }
    memcpy(r->dets, p->detectors, p->n_detectors * sizeof *r->dets);
  }
  r->params.detectors = r->dets;
  sf_detector_record_layout(p, g->alpha_max_mrad, &r->rec);
  r->grid = *g;
  r->scan_nx = scan->nx;
  r->scan_ny = scan->ny;
  r->n_scan = scan->n;
  r->scan_is_grid = scan->is_grid;
  r->origin_x_A = scan->origin_x_A;
  r->origin_y_A = scan->origin_y_A;
  r->step_x_A = scan->step_x_A;
  r->step_y_A = scan->step_y_A;
  r->n_depths = n_depths;
  const size_t nrec = n_depths * scan->n;
  char what[64];
  snprintf(what, sizeof what, "STEM records (%zu x %zu doubles)", nrec, r->rec.size);
  r->depth_A = sf_alloc(n_depths, sizeof *r->depth_A, "STEM depths");
  r->cur = sf_alloc(nrec, r->rec.size * sizeof(double), what);
  r->mean = sf_alloc(nrec, r->rec.size * sizeof(double), what);
  r->m2 = sf_alloc(nrec, var_size(&r->rec) * sizeof(double), what);
  r->image = sf_alloc(scan->n, sizeof(double), "STEM image");
  if (!r->depth_A || !r->cur || !r->mean || !r->m2 || !r->image) {
    sf_stem_result_destroy(r);
    return SF_ENOMEM;
  }
  memcpy(r->depth_A, depth_A, n_depths * sizeof *depth_A);
  *out = r;
  return SF_OK;
}

double *sf_stem_result_records(sf_stem_result *r) { return r ? r->cur : NULL; }

const sf_record_layout *sf_stem_result_record_layout(const sf_stem_result *r) {
  return r ? &r->rec : NULL;
}

size_t sf_stem_result_configurations(const sf_stem_result *r) { return r ? r->n_conf : 0; }
size_t sf_stem_result_depths(const sf_stem_result *r) { return r ? r->n_depths : 0; }
double sf_stem_result_depth_A(const sf_stem_result *r, size_t d) {
  return r && d < r->n_depths ? r->depth_A[d] : NAN;
}

/* Blur entry e of every record at depth d as one scan image. */
static int blur_entry(sf_stem_result *r, size_t d, size_t e, double sigma_A, int periodic) {
  const size_t S = r->rec.size;
  double *base = r->cur + d * r->n_scan * S;
  for (size_t i = 0; i < r->n_scan; ++i)
    r->image[i] = base[i * S + e];
  SF_TRY(sf_probe_source_blur(r->image, r->scan_nx, r->scan_ny, r->step_x_A, r->step_y_A,
                              sigma_A, periodic));
  for (size_t i = 0; i < r->n_scan; ++i)
    base[i * S + e] = r->image[i];
  return SF_OK;
}

int sf_stem_result_commit(sf_stem_result *r, double source_sigma_A, int periodic) {
  if (!r)
    return sf_error_set(SF_EINVAL, "STEM result: NULL argument");
  if (!isfinite(source_sigma_A) || source_sigma_A < 0.0)
    return sf_error_set(SF_EINVAL, "STEM result: source_sigma_A = %g: must be finite, >= 0",
                        source_sigma_A);
  if (source_sigma_A > 0.0 && !r->scan_is_grid)
    return sf_error_set(SF_EINVAL,
                        "STEM result: a source size (source_sigma_A = %g) needs a grid scan, "
                        "not a list of positions",
                        source_sigma_A);
  const sf_record_layout *L = &r->rec;
  const size_t S = L->size;
  if (source_sigma_A > 0.0)
    for (size_t d = 0; d < r->n_depths; ++d)
      for (size_t e = 0; e < S; ++e)
        SF_TRY(blur_entry(r, d, e, source_sigma_A, periodic));
  const size_t nrec = r->n_depths * r->n_scan;
  if (L->has_com)
    for (size_t i = 0; i < nrec; ++i) {
      double *rec = r->cur + i * S;
      const double t = rec[L->total];
      rec[L->com] = t > 0.0 ? rec[L->com] / t : 0.0;
      rec[L->com + 1] = t > 0.0 ? rec[L->com + 1] / t : 0.0;
    }
  const double n = (double)(r->n_conf + 1);
  const size_t V = var_size(L);
  for (size_t i = 0; i < nrec; ++i) {
    double *cur = r->cur + i * S, *mean = r->mean + i * S, *m2 = r->m2 + i * V;
    for (size_t e = 0; e < S; ++e) {
      const double x = cur[e];
      const double delta = x - mean[e];
      mean[e] += delta / n;
      if (e < L->bins || e >= L->bins + L->n_bins)
        m2[var_index(L, e)] += delta * (x - mean[e]);
    }
  }
  memset(r->cur, 0, nrec * S * sizeof(double));
  r->n_conf++;
  return SF_OK;
}

/* Entry of `name` in a record: a channel, COM_x/COM_y, or the total for
   band_limit_loss (*loss = 1). SF_ENOENT otherwise. */
static int find_entry(const sf_stem_result *r, const char *name, size_t *e, int *loss) {
  *loss = 0;
  char buf[SF_NAME_MAX];
  for (size_t c = 0; c < r->rec.n_channels; ++c) {
    sf_detector_channel_name(&r->params, c, buf, sizeof buf);
    if (name && strcmp(buf, name) == 0) {
      *e = r->rec.channels + c;
      return SF_OK;
    }
  }
  if (name && r->rec.has_com && strcmp(name, "COM_x") == 0) {
    *e = r->rec.com;
    return SF_OK;
  }
  if (name && r->rec.has_com && strcmp(name, "COM_y") == 0) {
    *e = r->rec.com + 1;
    return SF_OK;
  }
  if (name && strcmp(name, "band_limit_loss") == 0) {
    *e = r->rec.total;
    *loss = 1;
    return SF_OK;
  }
  return sf_error_set(SF_ENOENT, "STEM result: no image '%s'", name ? name : "(null)");
}

static void entry_image(const sf_stem_result *r, size_t d, size_t e, int loss, double *mean,
                        double *se) {
  const sf_record_layout *L = &r->rec;
  const size_t S = L->size, V = var_size(L);
  const double n = (double)r->n_conf;
  for (size_t i = 0; i < r->n_scan; ++i) {
    const size_t k = d * r->n_scan + i;
    const double m = r->mean[k * S + e];
    mean[i] = loss ? 1.0 - m : m;
    if (se) {
      const double m2 = r->m2[k * V + var_index(L, e)];
      se[i] = r->n_conf > 1 && m2 > 0.0 ? sqrt(m2 / (n - 1.0) / n) : 0.0;
    }
  }
}

int sf_stem_result_get(const sf_stem_result *r, size_t d, const char *name, double *mean,
                       double *se) {
  if (!r || !mean)
    return sf_error_set(SF_EINVAL, "STEM result: NULL argument");
  if (r->n_conf == 0)
    return sf_error_set(SF_EINVAL, "STEM result: no configuration committed yet");
  if (d >= r->n_depths)
    return sf_error_set(SF_EINVAL, "STEM result: depth index %zu: only %zu depths", d,
                        r->n_depths);
  size_t e = 0;
  int loss = 0;
  SF_TRY(find_entry(r, name, &e, &loss));
  entry_image(r, d, e, loss, mean, se);
  return SF_OK;
}

int sf_stem_result_bins(const sf_stem_result *r, size_t d, double *cube) {
  if (!r || !cube)
    return sf_error_set(SF_EINVAL, "STEM result: NULL argument");
  if (r->rec.n_bins == 0)
    return sf_error_set(SF_EINVAL, "STEM result: the radial-bin cube is off (bin width 0)");
  if (r->n_conf == 0 || d >= r->n_depths)
    return sf_error_set(SF_EINVAL, "STEM result: depth %zu of %zu, %zu configurations", d,
                        r->n_depths, r->n_conf);
  const size_t S = r->rec.size, B = r->rec.n_bins;
  for (size_t i = 0; i < r->n_scan; ++i)
    memcpy(cube + i * B, r->mean + (d * r->n_scan + i) * S + r->rec.bins, B * sizeof(double));
  return SF_OK;
}

static int set_scan_axes(const sf_stem_result *r, sf_map *m) {
  if (r->scan_is_grid) {
    SF_TRY(sf_map_set_axis(m, 0, "x", "Å", r->origin_x_A, r->step_x_A));
    SF_TRY(sf_map_set_axis(m, 1, "y", "Å", r->origin_y_A, r->step_y_A));
  } else {
    SF_TRY(sf_map_set_axis(m, 0, "position", "px", 0.0, 1.0));
    SF_TRY(sf_map_set_axis(m, 1, "y", "px", 0.0, 1.0));
  }
  return SF_OK;
}

static int common_attrs(const sf_stem_result *r, size_t d, sf_map *m) {
  sf_attrs *a = &m->attrs;
  SF_TRY(sf_attrs_set_double(a, "", "alpha_max_mrad", r->grid.alpha_max_mrad));
  SF_TRY(sf_attrs_set_double(a, "", "band_limit_fraction", r->grid.band_limit));
  SF_TRY(sf_attrs_set_double(a, "", "thickness_A", r->depth_A[d]));
  SF_TRY(sf_attrs_set_int(a, "", "configurations", (int64_t)r->n_conf));
  return SF_OK;
}

/* Add image entry e of `subject` at depth d: the mean as <subject>[_dNN]_mean
   and, when with_se, the standard error as <subject>[_dNN]_stderr
   (sf_simulate_map_name: no name is a prefix of another). */
static int add_image(const sf_stem_result *r, sf_imageset *set, size_t d, const char *subject,
                     size_t e, int loss, int with_se, const char *quantity, const char *units,
                     const sf_detector *det) {
  char full[SF_NAME_MAX];
  SF_TRY(sf_simulate_map_name(full, sizeof full, subject, d, r->n_depths, "mean"));
  sf_map *m = NULL, *ms = NULL;
  SF_TRY(sf_imageset_add_map(set, full, SF_F64, r->scan_nx, r->scan_ny, 1, &m));
  if (with_se) {
    char se_name[SF_NAME_MAX];
    SF_TRY(sf_simulate_map_name(se_name, sizeof se_name, subject, d, r->n_depths, "stderr"));
    SF_TRY(sf_imageset_add_map(set, se_name, SF_F64, r->scan_nx, r->scan_ny, 1, &ms));
  }
  entry_image(r, d, e, loss, (double *)m->data, ms ? (double *)ms->data : NULL);
  sf_map *maps[2] = {m, ms};
  for (int k = 0; k < 2; ++k) {
    if (!maps[k])
      continue;
    SF_TRY(set_scan_axes(r, maps[k]));
    size_t cap = sizeof maps[k]->quantity;
    snprintf(maps[k]->quantity, cap, "%s", quantity);
    if (k) /* appended with strncat: the quantity may use the whole field */
      strncat(maps[k]->quantity, " (standard error of the mean)",
              cap - strlen(maps[k]->quantity) - 1);
    snprintf(maps[k]->units, sizeof maps[k]->units, "%s", units);
    SF_TRY(common_attrs(r, d, maps[k]));
    SF_TRY(sf_attrs_set_string(&maps[k]->attrs, "", "statistic",
                               k ? "standard error of the mean over configurations"
                                 : "mean over configurations"));
    if (det) {
      SF_TRY(sf_attrs_set_double(&maps[k]->attrs, "", "inner_mrad", det->inner_mrad));
      SF_TRY(sf_attrs_set_double(&maps[k]->attrs, "", "outer_mrad", det->outer_mrad));
      if (det->segments >= 2) {
        SF_TRY(sf_attrs_set_int(&maps[k]->attrs, "", "segments", det->segments));
        SF_TRY(sf_attrs_set_double(&maps[k]->attrs, "", "rotation_rad", det->rotation_rad));
      }
    }
  }
  return SF_OK;
}

static const sf_detector *channel_detector(const sf_stem_result *r, size_t c) {
  size_t first = 0;
  for (size_t i = 0; i < r->params.n_detectors; ++i) {
    const sf_detector *d = &r->params.detectors[i];
    const size_t n = d->segments >= 2 ? (size_t)d->segments : 1;
    if (c < first + n)
      return d;
    first += n;
  }
  return NULL;
}

static int add_cube(const sf_stem_result *r, sf_imageset *set, size_t d) {
  const size_t B = r->rec.n_bins, S = r->rec.size;
  char full[SF_NAME_MAX];
  SF_TRY(sf_simulate_map_name(full, sizeof full, "ADF_radial_bins", d, r->n_depths, NULL));
  sf_map *m = NULL;
  SF_TRY(sf_imageset_add_map(set, full, SF_F32, r->scan_nx, r->scan_ny, B, &m));
  float *data = m->data;
  for (size_t i = 0; i < r->n_scan; ++i) {
    const double *src = r->mean + (d * r->n_scan + i) * S + r->rec.bins;
    for (size_t k = 0; k < B; ++k)
      data[i * B + k] = (float)src[k];
  }
  SF_TRY(set_scan_axes(r, m));
  const double w = r->params.bin_width_mrad;
  SF_TRY(sf_map_set_axis(m, 2, "Scattering angle (bin centre)", "mrad", 0.5 * w, w));
  snprintf(m->quantity, sizeof m->quantity, "Intensity");
  SF_TRY(common_attrs(r, d, m));
  SF_TRY(sf_attrs_set_double(&m->attrs, "", "bin_width_mrad", w));
  SF_TRY(sf_attrs_set_double(&m->attrs, "", "last_bin_outer_mrad", r->grid.alpha_max_mrad));
  SF_TRY(sf_attrs_set_string(&m->attrs, "", "normalisation",
                             "fraction of incident probe intensity"));
  SF_TRY(sf_attrs_set_string(&m->attrs, "", "bins",
                             "bin k = [k w, (k+1) w) mrad by pixel-centre angle; the last bin "
                             "is closed at alpha_max"));
  return SF_OK;
}

int sf_stem_result_to_imageset(const sf_stem_result *r, sf_imageset *set) {
  if (!r || !set)
    return sf_error_set(SF_EINVAL, "STEM result: NULL argument");
  if (r->n_conf == 0)
    return sf_error_set(SF_EINVAL, "STEM result: no configuration committed yet");
  const size_t first = set->count; /* roll back to this on failure */
  int status = SF_OK;
  for (size_t d = 0; d < r->n_depths && status == SF_OK; ++d) {
    char name[SF_NAME_MAX];
    for (size_t c = 0; c < r->rec.n_channels && status == SF_OK; ++c) {
      sf_detector_channel_name(&r->params, c, name, sizeof name);
      status = add_image(r, set, d, name, r->rec.channels + c, 0, 1, "Intensity", "",
                         channel_detector(r, c));
    }
    if (status == SF_OK && r->rec.has_com) {
      status = add_image(r, set, d, "COM_x", r->rec.com, 0, 1, "Centre of mass x", "mrad", NULL);
      if (status == SF_OK)
        status = add_image(r, set, d, "COM_y", r->rec.com + 1, 0, 1, "Centre of mass y", "mrad",
                           NULL);
    }
    if (status == SF_OK)
      status = add_image(r, set, d, "band_limit_loss", r->rec.total, 1, 0,
                         "Intensity removed by the band limit", "", NULL);
    if (status == SF_OK && r->rec.n_bins)
      status = add_cube(r, set, d);
  }
  if (status != SF_OK)
    sf_imageset_truncate(set, first);
  return status;
}
