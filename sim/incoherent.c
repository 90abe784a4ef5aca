/* incoherent.c - HAADF forms and chemical maps of the linear incoherent model. */
#include "sim/sf_incoherent.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int sf_incoherent_form_parse(const char *text, sf_haadf_form *form) {
  if (text && strcmp(text, "paper") == 0)
    *form = SF_HAADF_PAPER;
  else if (text && strcmp(text, "linear") == 0)
    *form = SF_HAADF_LINEAR;
  else
    return sf_error_set(SF_EINVAL, "HAADF form '%s': use 'paper' or 'linear'",
                        text ? text : "");
  return SF_OK;
}

const char *sf_incoherent_form_name(sf_haadf_form form) {
  switch (form) {
  case SF_HAADF_PAPER:
    return "paper";
  case SF_HAADF_LINEAR:
    return "linear";
  }
  return "unknown";
}

int sf_incoherent_boundary_parse(const char *text, sf_blur_boundary *boundary) {
  if (text && strcmp(text, "periodic") == 0)
    *boundary = SF_BLUR_PERIODIC;
  else if (text && strcmp(text, "reflect") == 0)
    *boundary = SF_BLUR_REFLECT;
  else
    return sf_error_set(SF_EINVAL, "blur boundary '%s': use 'periodic' or 'reflect'",
                        text ? text : "");
  return SF_OK;
}

const char *sf_incoherent_boundary_name(sf_blur_boundary boundary) {
  switch (boundary) {
  case SF_BLUR_PERIODIC:
    return "periodic";
  case SF_BLUR_REFLECT:
    return "reflect";
  }
  return "unknown";
}

int sf_incoherent_haadf(sf_haadf_form form, double gamma, size_t n_el, const int *Z,
                        const double *const *x, size_t npix, double *out) {
  if (form != SF_HAADF_PAPER && form != SF_HAADF_LINEAR)
    return sf_error_set(SF_EINVAL, "HAADF: form = %d: must be paper or linear", (int)form);
  if (!isfinite(gamma) || gamma <= 0.0)
    return sf_error_set(SF_EINVAL, "HAADF: gamma = %g: must be finite and > 0", gamma);
  if (n_el == 0)
    return sf_error_set(SF_EINVAL, "HAADF: no element maps");
  for (size_t i = 0; i < n_el; ++i) {
    if (Z[i] <= 0)
      return sf_error_set(SF_EINVAL, "HAADF: element %zu: Z = %d: must be > 0", i, Z[i]);
    for (size_t p = 0; p < npix; ++p)
      if (!isfinite(x[i][p]) || x[i][p] < 0.0)
        return sf_error_set(SF_EINVAL, "HAADF: element %zu (Z = %d): pixel %zu: x = %g: must "
                            "be finite and >= 0", i, Z[i], p, x[i][p]);
  }
  double zg[64];
  const size_t n_cached = n_el < 64 ? n_el : 64;
  for (size_t i = 0; i < n_cached; ++i)
    zg[i] = pow((double)Z[i], gamma);
#pragma omp parallel for schedule(static)
  for (size_t p = 0; p < npix; ++p) {
    double h = 0.0;
    for (size_t i = 0; i < n_el; ++i) {
      if (form == SF_HAADF_PAPER)
        h += pow((double)Z[i] * x[i][p], gamma);
      else
        h += (i < n_cached ? zg[i] : pow((double)Z[i], gamma)) * x[i][p];
    }
    out[p] = h;
  }
  return SF_OK;
}

static int check_inputs(const sf_imageset *set, const sf_incoherent_params *p, size_t n_el,
                        const sf_incoherent_element *el, const char *haadf_name,
                        const sf_map **truth) {
  if (p->form != SF_HAADF_PAPER && p->form != SF_HAADF_LINEAR)
    return sf_error_set(SF_EINVAL, "incoherent model: form = %d: must be paper or linear",
                        (int)p->form);
  if (!isfinite(p->gamma) || p->gamma <= 0.0)
    return sf_error_set(SF_EINVAL, "incoherent model: gamma = %g: must be finite and > 0",
                        p->gamma);
  if (!isfinite(p->blur_fwhm_A) || p->blur_fwhm_A < 0.0)
    return sf_error_set(SF_EINVAL, "incoherent model: blur_fwhm_A = %g: must be finite and >= 0",
                        p->blur_fwhm_A);
  if (p->boundary != SF_BLUR_PERIODIC && p->boundary != SF_BLUR_REFLECT)
    return sf_error_set(SF_EINVAL, "incoherent model: boundary = %d: must be periodic or "
                        "reflect", (int)p->boundary);
  if (n_el == 0 || !el)
    return sf_error_set(SF_EINVAL, "incoherent model: no elements given");
  if (!sf_name_is_valid(haadf_name) || sf_imageset_find(set, haadf_name))
    return sf_error_set(SF_EINVAL, "incoherent model: HAADF map '%s': invalid name or already "
                        "in the set", haadf_name);
  for (size_t i = 0; i < n_el; ++i) {
    const char *tn = el[i].truth_map ? el[i].truth_map : "";
    truth[i] = sf_imageset_find(set, tn);
    if (!truth[i])
      return sf_error_set(SF_ENOENT, "incoherent model: element %zu: truth map '%s' not found",
                          i, tn);
    if (truth[i]->nz != 1 || !sf_map_same_grid(truth[i], truth[0]))
      return sf_error_set(SF_EINVAL, "incoherent model: truth map '%s' (%zu x %zu x %zu) is not "
                          "an image on the grid of '%s' (%zu x %zu)", tn, truth[i]->nx,
                          truth[i]->ny, truth[i]->nz, truth[0]->name, truth[0]->nx,
                          truth[0]->ny);
    if (el[i].Z <= 0)
      return sf_error_set(SF_EINVAL, "incoherent model: truth map '%s': Z = %d: must be > 0",
                          tn, el[i].Z);
    if (!isfinite(el[i].yield) || el[i].yield < 0.0)
      return sf_error_set(SF_EINVAL, "incoherent model: truth map '%s': yield = %g: must be "
                          "finite and >= 0", tn, el[i].yield);
    const char *cn = el[i].chem_map;
    if (!cn)
      continue;
    if (!sf_name_is_valid(cn) || sf_imageset_find(set, cn) || strcmp(cn, haadf_name) == 0)
      return sf_error_set(SF_EINVAL, "incoherent model: chemical map '%s': invalid name or "
                          "already in the set", cn);
    for (size_t j = 0; j < i; ++j)
      if (el[j].chem_map && strcmp(el[j].chem_map, cn) == 0)
        return sf_error_set(SF_EINVAL, "incoherent model: chemical map '%s' named twice", cn);
  }
  return SF_OK;
}

static int add_output(sf_imageset *set, const char *name, const sf_map *like, const double *v,
                      const char *quantity, const char *units, sf_map **out) {
  SF_TRY(sf_imageset_add_map(set, name, SF_F64, like->nx, like->ny, 1, out));
  sf_map *m = *out;
  m->axis[0] = like->axis[0];
  m->axis[1] = like->axis[1];
  memcpy(m->data, v, like->nx * like->ny * sizeof(double));
  snprintf(m->quantity, sizeof m->quantity, "%s", quantity);
  snprintf(m->units, sizeof m->units, "%s", units);
  return SF_OK;
}

static int set_model_attrs(sf_attrs *a, const char *group, const sf_incoherent_params *p) {
  SF_TRY(sf_attrs_set_string(a, group, "incoherent_form", sf_incoherent_form_name(p->form)));
  SF_TRY(sf_attrs_set_double(a, group, "incoherent_gamma", p->gamma));
  SF_TRY(sf_attrs_set_double(a, group, "incoherent_blur_fwhm_A", p->blur_fwhm_A));
  SF_TRY(sf_attrs_set_string(a, group, "incoherent_blur_boundary",
                             sf_incoherent_boundary_name(p->boundary)));
  return SF_OK;
}

static int simulate(sf_imageset *set, const sf_incoherent_params *p, size_t n_el,
                    const sf_incoherent_element *el, const char *haadf_name,
                    const sf_map *const *truth, double **x, double *work, double *Zd,
                    double *yd, int *Z) {
  const sf_map *t0 = truth[0];
  const size_t nx = t0->nx, ny = t0->ny, npix = nx * ny;
  double sx = 1.0, sy = 1.0;
  if (p->blur_fwhm_A > 0.0) {
    SF_TRY(sf_map_axis_step_A(t0, 0, &sx));
    SF_TRY(sf_map_axis_step_A(t0, 1, &sy));
  }
  for (size_t i = 0; i < n_el; ++i) {
    for (size_t k = 0; k < npix; ++k)
      x[i][k] = sf_map_get(truth[i], k % nx, k / nx, 0);
    Z[i] = el[i].Z;
    Zd[i] = el[i].Z;
    yd[i] = el[i].yield;
  }
  SF_TRY(sf_incoherent_haadf(p->form, p->gamma, n_el, Z, (const double *const *)x, npix, work));
  SF_TRY(sf_incoherent_blur(work, nx, ny, sx, sy, p->blur_fwhm_A, p->boundary));
  sf_map *m;
  SF_TRY(add_output(set, haadf_name, t0, work, "HAADF intensity", "", &m));
  SF_TRY(set_model_attrs(&m->attrs, "", p));
  SF_TRY(sf_attrs_set_doubles(&m->attrs, "", "Z", Zd, n_el));
  SF_TRY(sf_attrs_set_doubles(&m->attrs, "", "yield", yd, n_el));
  for (size_t i = 0; i < n_el; ++i) {
    if (!el[i].chem_map)
      continue;
    for (size_t k = 0; k < npix; ++k)
      work[k] = el[i].yield * x[i][k];
    SF_TRY(sf_incoherent_blur(work, nx, ny, sx, sy, p->blur_fwhm_A, p->boundary));
    SF_TRY(add_output(set, el[i].chem_map, t0, work, "Chemical signal", truth[i]->units, &m));
    SF_TRY(set_model_attrs(&m->attrs, "", p));
    SF_TRY(sf_attrs_set_int(&m->attrs, "", "Z", el[i].Z));
    SF_TRY(sf_attrs_set_double(&m->attrs, "", "yield", el[i].yield));
    SF_TRY(sf_attrs_set_string(&m->attrs, "", "truth_map", truth[i]->name));
  }
  SF_TRY(set_model_attrs(&set->attrs, "simulation", p));
  SF_TRY(sf_attrs_set_doubles(&set->attrs, "simulation", "incoherent_Z", Zd, n_el));
  SF_TRY(sf_attrs_set_doubles(&set->attrs, "simulation", "incoherent_yield", yd, n_el));
  return SF_OK;
}

int sf_incoherent_simulate(sf_imageset *set, const sf_incoherent_params *params, size_t n_el,
                           const sf_incoherent_element *el) {
  if (!set || !params)
    return sf_error_set(SF_EINVAL, "incoherent model: NULL set or parameters");
  const char *haadf_name = params->haadf_map ? params->haadf_map : "HAADF";
  const sf_map **truth = sf_alloc(n_el ? n_el : 1, sizeof *truth, "truth map list");
  if (!truth)
    return SF_ENOMEM;
  int status = check_inputs(set, params, n_el, el, haadf_name, truth);
  if (status != SF_OK) {
    sf_free(truth);
    return status;
  }
  const size_t npix = truth[0]->nx * truth[0]->ny;
  double **x = sf_alloc(n_el, sizeof *x, "element map list");
  double *work = sf_alloc(npix, sizeof(double), "HAADF work image");
  double *Zd = sf_alloc(n_el, sizeof(double), "Z list");
  double *yd = sf_alloc(n_el, sizeof(double), "yield list");
  int *Z = sf_alloc(n_el, sizeof(int), "Z list");
  status = (x && work && Zd && yd && Z) ? SF_OK : SF_ENOMEM;
  for (size_t i = 0; status == SF_OK && i < n_el; ++i)
    if (!(x[i] = sf_alloc(npix, sizeof(double), "element map copy")))
      status = SF_ENOMEM;
  size_t count_before = set->count;
  if (status == SF_OK)
    status = simulate(set, params, n_el, el, haadf_name, (const sf_map *const *)truth, x, work,
                      Zd, yd, Z);
  if (status != SF_OK)
    sf_imageset_truncate(set, count_before); /* no half-added maps */
  for (size_t i = 0; x && i < n_el; ++i)
    sf_free(x[i]);
  sf_free(x);
  sf_free(work);
  sf_free(Zd);
  sf_free(yd);
  sf_free(Z);
  sf_free(truth);
  return status;
}
