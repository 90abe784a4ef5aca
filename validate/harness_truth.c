/* harness_truth.c - the ground truth of a recipe (phantom, projection,
   noiseless incoherent model) and the phase groups of its stoichiometry. */
#include "validate/sf_harness.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Groups smaller than this are not fitted. */
#define MIN_GROUP_PIXELS 10
/* A column crosses a phase when its path through it exceeds this fraction of a voxel. */
#define CROSS_FRACTION 1e-6

int sf_harness_truth(const sf_recipe_params *p, sf_imageset **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_harness_truth: NULL argument");
  *out = NULL;
  sf_phantom *ph = NULL;
  SF_TRY(sf_recipe_build_phantom(p, &ph));
  sf_imageset *set = sf_imageset_create();
  int st = set ? sf_phantom_project(ph, set) : SF_ENOMEM;
  sf_phantom_destroy(ph);
  char truth[SF_RECIPE_MAX_ELEMENTS][SF_NAME_MAX], chem[SF_RECIPE_MAX_ELEMENTS][SF_NAME_MAX];
  sf_incoherent_element el[SF_RECIPE_MAX_ELEMENTS];
  for (size_t i = 0; i < p->n_elements; ++i) {
    snprintf(truth[i], sizeof truth[i], "truth_%s", p->symbol[i]);
    snprintf(chem[i], sizeof chem[i], "%s_%s", p->chem_prefix, p->symbol[i]);
    el[i].truth_map = truth[i];
    el[i].Z = p->Z[i];
    el[i].yield = p->yield_rel[i];
    el[i].chem_map = chem[i];
  }
  sf_incoherent_params ip = {p->form, p->gamma_true, p->blur_fwhm_A, p->boundary, "HAADF"};
  if (st == SF_OK)
    st = sf_incoherent_simulate(set, &ip, p->n_elements, el);
  if (st != SF_OK) {
    sf_imageset_destroy(set);
    return sf_error_prepend(st, "ground truth of '%s': ", p->name);
  }
  *out = set;
  return SF_OK;
}

void sf_harness_labels_clear(sf_harness_labels *l) {
  if (!l)
    return;
  sf_free(l->labels);
  memset(l, 0, sizeof *l);
}

/* Keep a labelled pixel only when every pixel within Chebyshev distance r
   carries the same label (pixels beyond the edge do not count). */
static void erode(uint8_t *lab, size_t nx, size_t ny, int r, uint8_t *tmp) {
  if (r <= 0)
    return;
  memcpy(tmp, lab, nx * ny);
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix) {
      uint8_t v = tmp[iy * nx + ix];
      if (!v)
        continue;
      for (long dy = -r; dy <= r && v; ++dy)
        for (long dx = -r; dx <= r; ++dx) {
          long x = (long)ix + dx, y = (long)iy + dy;
          if (x < 0 || y < 0 || x >= (long)nx || y >= (long)ny)
            continue;
          if (tmp[(size_t)y * nx + (size_t)x] != v) {
            v = 0;
            break;
          }
        }
      lab[iy * nx + ix] = v;
    }
}

int sf_harness_labels_make(const sf_recipe_params *p, const sf_imageset *truth,
                           sf_harness_labels *out) {
  if (!p || !truth || !out)
    return sf_error_set(SF_EINVAL, "sf_harness_labels_make: NULL argument");
  memset(out, 0, sizeof *out);
  if (p->stoich_labels == SF_RECIPE_LABELS_MIXTURE)
    return SF_OK;
  const size_t np = p->nx * p->ny;
  const double *t[SF_RECIPE_MAX_PHASES];
  for (size_t k = 0; k < p->n_phases; ++k) {
    char name[SF_NAME_MAX];
    snprintf(name, sizeof name, "thickness_%s", p->phases[k].phase.name);
    const sf_map *m = sf_imageset_find(truth, name);
    if (!m || m->dtype != SF_F64 || m->nx * m->ny != np)
      return sf_error_set(SF_ENOENT, "stoichiometry labels: no thickness map '%s'", name);
    t[k] = m->data;
  }
  uint8_t *raw = sf_alloc(np, 1, "phase labels");
  uint8_t *tmp = sf_alloc(np, 1, "phase labels");
  /* candidate groups: phases (dominant) or phase sets (combination) */
  unsigned key[256];
  size_t n_keys = 0;
  int st = raw && tmp ? SF_OK : SF_ENOMEM;
  if (st == SF_OK && p->stoich_labels == SF_RECIPE_LABELS_DOMINANT) {
    st = sf_stoich_label_dominant(t, p->n_phases, np, p->stoich_min_phase_fraction, raw);
    for (size_t k = 0; k < p->n_phases; ++k)
      key[n_keys++] = (unsigned)k;
  } else if (st == SF_OK) {
    for (size_t q = 0; q < np; ++q) {
      unsigned mask = 0;
      for (size_t k = 0; k < p->n_phases; ++k)
        if (t[k][q] > CROSS_FRACTION * p->voxel_A)
          mask |= 1u << k;
      raw[q] = 0;
      if (!mask)
        continue;
      size_t j = 0;
      while (j < n_keys && key[j] != mask)
        ++j;
      if (j == n_keys) {
        if (n_keys == 255)
          continue;
        key[n_keys++] = mask;
      }
      raw[q] = (uint8_t)(j + 1);
    }
  }
  if (st == SF_OK)
    erode(raw, p->nx, p->ny, p->stoich_erode_px, tmp);
  /* count pixels, check that the group's truth has at least two elements */
  size_t count[256] = {0};
  for (size_t q = 0; st == SF_OK && q < np; ++q)
    count[raw[q]]++;
  int keep[256];
  size_t n_keep = 0;
  for (size_t j = 0; st == SF_OK && j < n_keys; ++j) {
    if (count[j + 1] < MIN_GROUP_PIXELS)
      continue;
    /* elements present: those of the phases the group contains */
    unsigned phases = p->stoich_labels == SF_RECIPE_LABELS_DOMINANT ? 1u << key[j] : key[j];
    int present[SF_RECIPE_MAX_ELEMENTS] = {0};
    size_t n_present = 0;
    for (size_t k = 0; k < p->n_phases; ++k)
      if (phases & (1u << k))
        for (size_t e = 0; e < p->phases[k].phase.n; ++e) {
          int i = sf_recipe_element_index(p, p->phases[k].phase.Z[e]);
          if (i >= 0 && !present[i] && p->phases[k].phase.density_per_A3[e] > 0.0) {
            present[i] = 1;
            ++n_present;
          }
        }
    if (n_present < 2)
      continue;
    keep[n_keep++] = (int)j;
  }
  /* the largest groups first, at most SF_STOICH_MAX_COMPONENTS, then in key order */
  for (size_t a = 0; a < n_keep; ++a)
    for (size_t b = a + 1; b < n_keep; ++b)
      if (count[keep[b] + 1] > count[keep[a] + 1]) {
        int s = keep[a];
        keep[a] = keep[b];
        keep[b] = s;
      }
  if (n_keep > SF_STOICH_MAX_COMPONENTS)
    n_keep = SF_STOICH_MAX_COMPONENTS;
  for (size_t a = 0; a < n_keep; ++a)
    for (size_t b = a + 1; b < n_keep; ++b)
      if (keep[b] < keep[a]) {
        int s = keep[a];
        keep[a] = keep[b];
        keep[b] = s;
      }
  if (st == SF_OK) {
    uint8_t map[256] = {0};
    for (size_t g = 0; g < n_keep; ++g) {
      map[keep[g] + 1] = (uint8_t)(g + 1);
      unsigned k = key[keep[g]];
      char *name = out->names[g];
      name[0] = '\0';
      if (p->stoich_labels == SF_RECIPE_LABELS_DOMINANT) {
        snprintf(name, SF_HARNESS_NAME_MAX, "%s", p->phases[k].phase.name);
      } else {
        size_t len = 0;
        for (size_t ph = 0; ph < p->n_phases; ++ph)
          if (k & (1u << ph) && len < SF_HARNESS_NAME_MAX)
            len += (size_t)snprintf(name + len, SF_HARNESS_NAME_MAX - len, "%s%s",
                                    len ? "+" : "", p->phases[ph].phase.name);
      }
      out->n_pixels[g] = count[keep[g] + 1];
    }
    for (size_t q = 0; q < np; ++q)
      raw[q] = map[raw[q]];
    out->n_groups = n_keep;
    out->labels = raw;
    raw = NULL;
  }
  sf_free(raw);
  sf_free(tmp);
  return st;
}
