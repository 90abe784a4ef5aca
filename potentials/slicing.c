/* slicing.c - atoms sorted into slices by depth (counting sort, stable). */
#include "potentials/sf_slicing.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdlib.h>

#define BOUNDARY_SLACK_A 1e-9

struct sf_slicing {
  size_t n_slices;
  double thickness;
  size_t *start; /* n_slices + 1 offsets into atoms */
  sf_slice_atom *atoms;
};

void sf_slicing_destroy(sf_slicing *s) {
  if (!s)
    return;
  sf_free(s->start);
  sf_free(s->atoms);
  free(s);
}

int sf_slicing_create(const sf_slice_atom *atoms, size_t n, double z0, double dz,
                      size_t n_slices, sf_slicing **out) {
  if (!out || (n > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "slicing: NULL argument");
  *out = NULL;
  if (!isfinite(dz) || dz <= 0.0)
    return sf_error_set(SF_EINVAL, "slicing: thickness_A = %g: must be a finite value > 0", dz);
  if (!isfinite(z0))
    return sf_error_set(SF_EINVAL, "slicing: z0_A = %g is not finite", z0);
  long deepest = -1;
  for (size_t a = 0; a < n; ++a) {
    const double x = (atoms[a].z_A - z0 + BOUNDARY_SLACK_A) / dz;
    if (!isfinite(x) || x < 0.0 || x >= (double)(1L << 40))
      return sf_error_set(SF_ERANGE, "slicing: atom %zu (Z = %d) at z_A = %g lies above the "
                          "first slice (z0_A = %g) or is not finite", a, atoms[a].Z,
                          atoms[a].z_A, z0);
    const long k = (long)floor(x);
    if (n_slices > 0 && k >= (long)n_slices)
      return sf_error_set(SF_ERANGE, "slicing: atom %zu (Z = %d) at z_A = %g lies below the "
                          "last of %zu slices of %g A from z0_A = %g", a, atoms[a].Z,
                          atoms[a].z_A, n_slices, dz, z0);
    if (k > deepest)
      deepest = k;
  }
  if (n_slices == 0)
    n_slices = deepest < 0 ? 1 : (size_t)deepest + 1;

  sf_slicing *s = calloc(1, sizeof *s);
  if (!s)
    return sf_error_set(SF_ENOMEM, "slicing: out of memory");
  s->n_slices = n_slices;
  s->thickness = dz;
  s->start = sf_alloc(n_slices + 1, sizeof *s->start, "slice offsets");
  s->atoms = sf_alloc(n ? n : 1, sizeof *s->atoms, "sliced atoms");
  if (!s->start || !s->atoms) {
    sf_slicing_destroy(s);
    return SF_ENOMEM;
  }
  for (size_t a = 0; a < n; ++a)
    s->start[(size_t)floor((atoms[a].z_A - z0 + BOUNDARY_SLACK_A) / dz) + 1]++;
  for (size_t k = 0; k < n_slices; ++k)
    s->start[k + 1] += s->start[k];
  size_t *fill = sf_alloc(n_slices, sizeof *fill, "slice fill");
  if (!fill) {
    sf_slicing_destroy(s);
    return SF_ENOMEM;
  }
  for (size_t k = 0; k < n_slices; ++k)
    fill[k] = s->start[k];
  for (size_t a = 0; a < n; ++a) {
    const size_t k = (size_t)floor((atoms[a].z_A - z0 + BOUNDARY_SLACK_A) / dz);
    s->atoms[fill[k]++] = atoms[a];
  }
  sf_free(fill);
  *out = s;
  return SF_OK;
}

size_t sf_slicing_count(const sf_slicing *s) { return s ? s->n_slices : 0; }

double sf_slicing_thickness(const sf_slicing *s) { return s ? s->thickness : 0.0; }

const sf_slice_atom *sf_slicing_atoms(const sf_slicing *s, size_t k, size_t *n_atoms) {
  if (n_atoms)
    *n_atoms = 0;
  if (!s || k >= s->n_slices)
    return NULL;
  const size_t count = s->start[k + 1] - s->start[k];
  if (n_atoms)
    *n_atoms = count;
  return count ? s->atoms + s->start[k] : NULL;
}
