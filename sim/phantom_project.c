/* phantom_project.c - projection of a voxel phantom along z into truth maps. */
#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "sim/sf_phantom.h"

#include <stdio.h>
#include <string.h>

typedef struct element_entry {
  int Z;
  char label[16];
} element_entry;

/* Distinct elements over all phases, in order of first appearance. */
static size_t collect_elements(const sf_phantom *ph, element_entry *out, size_t cap) {
  size_t n = 0, n_phases = sf_phantom_phase_count(ph);
  for (size_t p = 1; p <= n_phases; ++p) {
    const sf_phantom_phase *phase = sf_phantom_get_phase(ph, (int)p);
    for (size_t k = 0; k < phase->n; ++k) {
      size_t j = 0;
      while (j < n && out[j].Z != phase->Z[k])
        ++j;
      if (j < n || n == cap)
        continue;
      out[n].Z = phase->Z[k];
      if (phase->symbol[k][0])
        snprintf(out[n].label, sizeof out[n].label, "%s", phase->symbol[k]);
      else
        snprintf(out[n].label, sizeof out[n].label, "Z%d", phase->Z[k]);
      ++n;
    }
  }
  return n;
}

static int add_calibrated_map(sf_imageset *set, const char *name, size_t nx, size_t ny,
                              double voxel_A, const char *quantity, const char *units,
                              sf_map **out) {
  SF_TRY(sf_imageset_add_map(set, name, SF_F64, nx, ny, 1, out));
  SF_TRY(sf_map_set_axis(*out, 0, "x", "Å", 0.5 * voxel_A, voxel_A));
  SF_TRY(sf_map_set_axis(*out, 1, "y", "Å", 0.5 * voxel_A, voxel_A));
  snprintf((*out)->quantity, sizeof (*out)->quantity, "%s", quantity);
  snprintf((*out)->units, sizeof (*out)->units, "%s", units);
  return SF_OK;
}

static int record_provenance(const sf_phantom *ph, sf_imageset *set) {
  size_t nx, ny, nz;
  double v;
  sf_phantom_get_dims(ph, &nx, &ny, &nz, &v);
  double grid[3] = {(double)nx, (double)ny, (double)nz};
  SF_TRY(sf_attrs_set_string(&set->attrs, "simulation", "phantom_model",
                             "voxel phantom projected along z (linear incoherent model)"));
  SF_TRY(sf_attrs_set_double(&set->attrs, "simulation", "phantom_voxel_A", v));
  SF_TRY(sf_attrs_set_doubles(&set->attrs, "simulation", "phantom_grid", grid, 3));
  SF_TRY(sf_attrs_set_int(&set->attrs, "simulation", "phantom_supersampling",
                          sf_phantom_get_supersampling(ph)));
  for (size_t p = 1; p <= sf_phantom_phase_count(ph); ++p) {
    const sf_phantom_phase *phase = sf_phantom_get_phase(ph, (int)p);
    double Z[SF_PHANTOM_MAX_ELEMENTS];
    for (size_t k = 0; k < phase->n; ++k)
      Z[k] = phase->Z[k];
    char key[SF_PHANTOM_NAME_MAX + 32];
    snprintf(key, sizeof key, "phase_%s_Z", phase->name);
    SF_TRY(sf_attrs_set_doubles(&set->attrs, "sample", key, Z, phase->n));
    snprintf(key, sizeof key, "phase_%s_density_per_A3", phase->name);
    SF_TRY(sf_attrs_set_doubles(&set->attrs, "sample", key, phase->density_per_A3, phase->n));
  }
  return SF_OK;
}

int sf_phantom_project(const sf_phantom *ph, sf_imageset *set) {
  size_t n_phases = sf_phantom_phase_count(ph);
  if (n_phases == 0)
    return sf_error_set(SF_EINVAL, "phantom projection: the phantom has no phase");
  element_entry el[SF_PHANTOM_MAX_PHASES * SF_PHANTOM_MAX_ELEMENTS];
  size_t n_el = collect_elements(ph, el, sizeof el / sizeof el[0]);
  size_t nx, ny, nz;
  double v;
  sf_phantom_get_dims(ph, &nx, &ny, &nz, &v);

  /* Check every name first so that a clash adds nothing. */
  char name[SF_NAME_MAX];
  for (size_t e = 0; e < n_el; ++e) {
    snprintf(name, sizeof name, "truth_%s", el[e].label);
    if (sf_imageset_find(set, name))
      return sf_error_set(SF_EINVAL, "phantom projection: map '%s' is already in the set", name);
  }
  for (size_t p = 1; p <= n_phases; ++p) {
    snprintf(name, sizeof name, "thickness_%s", sf_phantom_get_phase(ph, (int)p)->name);
    if (sf_imageset_find(set, name))
      return sf_error_set(SF_EINVAL, "phantom projection: map '%s' is already in the set", name);
  }

  /* Path length through each phase: t_p(ix, iy) = v * sum_iz f_p. */
  sf_map *thick[SF_PHANTOM_MAX_PHASES];
  for (size_t p = 1; p <= n_phases; ++p) {
    const sf_phantom_phase *phase = sf_phantom_get_phase(ph, (int)p);
    snprintf(name, sizeof name, "thickness_%s", phase->name);
    SF_TRY(add_calibrated_map(set, name, nx, ny, v, "Path length", "Å", &thick[p - 1]));
    SF_TRY(sf_attrs_set_string(&thick[p - 1]->attrs, "", "phase", phase->name));
    double *t = thick[p - 1]->data;
#pragma omp parallel for schedule(static)
    for (size_t iy = 0; iy < ny; ++iy)
      for (size_t ix = 0; ix < nx; ++ix) {
        double sum = 0.0;
        for (size_t iz = 0; iz < nz; ++iz)
          sum += sf_phantom_voxel_fraction(ph, (int)p, ix, iy, iz);
        t[iy * nx + ix] = v * sum;
      }
  }

  /* Projected number density: x_e = sum_p rho_pe t_p (atoms per Å^2). */
  for (size_t e = 0; e < n_el; ++e) {
    sf_map *m;
    snprintf(name, sizeof name, "truth_%s", el[e].label);
    SF_TRY(add_calibrated_map(set, name, nx, ny, v, "Projected number density", "Å^-2", &m));
    SF_TRY(sf_attrs_set_int(&m->attrs, "", "Z", el[e].Z));
    SF_TRY(sf_attrs_set_string(&m->attrs, "", "element", el[e].label));
    double *x = m->data;
    for (size_t p = 1; p <= n_phases; ++p) {
      const sf_phantom_phase *phase = sf_phantom_get_phase(ph, (int)p);
      double rho = 0.0;
      for (size_t k = 0; k < phase->n; ++k)
        if (phase->Z[k] == el[e].Z)
          rho = phase->density_per_A3[k];
      if (rho == 0.0)
        continue;
      const double *t = thick[p - 1]->data;
      for (size_t i = 0; i < nx * ny; ++i)
        x[i] += rho * t[i];
    }
  }
  return record_provenance(ph, set);
}
