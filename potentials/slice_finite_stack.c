/* slice_finite_stack.c - all slices of a structure in either projection
   mode, the mode names, and the provenance attributes. */
#include "potentials/sf_slice_finite.h"

#include "core/sf_status.h"
#include "potentials/sf_slicing.h"

#include <math.h>
#include <string.h>

int sf_projection_mode_from_name(const char *name, sf_projection_mode *mode) {
  if (!name || !mode)
    return sf_error_set(SF_EINVAL, "projection mode: NULL argument");
  if (strcmp(name, "infinite") == 0)
    *mode = SF_PROJECTION_INFINITE;
  else if (strcmp(name, "finite") == 0)
    *mode = SF_PROJECTION_FINITE;
  else
    return sf_error_set(SF_EINVAL, "projection mode '%s': expected 'infinite' or 'finite'", name);
  return SF_OK;
}

const char *sf_projection_mode_name(sf_projection_mode mode) {
  switch (mode) {
  case SF_PROJECTION_INFINITE:
    return "infinite";
  case SF_PROJECTION_FINITE:
    return "finite";
  }
  return NULL;
}

int sf_slice_stack_vz(sf_projpot *pp, sf_slice_finite *f, sf_projection_mode mode,
                      const sf_slice_atom *atoms, size_t n_atoms, double z0_A, double dz_A,
                      size_t n_slices, double *vz) {
  if (!pp || !vz || (n_atoms > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "slices: NULL argument");
  if (n_slices == 0)
    return sf_error_set(SF_EINVAL, "slices: n_slices = 0");
  if (!sf_projection_mode_name(mode))
    return sf_error_set(SF_EINVAL, "slices: projection mode %d is not valid", (int)mode);
  size_t nx = 0, ny = 0;
  sf_projpot_grid(pp, &nx, &ny, NULL);
  const size_t npix = nx * ny;
  if (mode == SF_PROJECTION_INFINITE) {
    sf_slicing *s = NULL;
    SF_TRY(sf_slicing_create(atoms, n_atoms, z0_A, dz_A, n_slices, &s));
    int status = SF_OK;
    for (size_t k = 0; k < n_slices && status == SF_OK; ++k) {
      size_t n = 0;
      const sf_slice_atom *a = sf_slicing_atoms(s, k, &n);
      status = sf_projpot_vz(pp, a, n, vz + k * npix);
    }
    sf_slicing_destroy(s);
    return status;
  }
  sf_slice_finite *own = NULL;
  if (!f) {
    SF_TRY(sf_slice_finite_create(pp, &own));
    f = own;
  }
  int status = SF_OK;
  for (size_t k = 0; k < n_slices && status == SF_OK; ++k)
    status = sf_slice_finite_vz(f, atoms, n_atoms, z0_A, dz_A, n_slices, k, vz + k * npix);
  sf_slice_finite_destroy(own);
  return status;
}

int sf_slice_attrs(const sf_projpot *pp, sf_projection_mode mode, double dz_A, sf_attrs *attrs,
                   const char *group) {
  if (!pp || !attrs || !group)
    return sf_error_set(SF_EINVAL, "slice attributes: NULL argument");
  const char *name = sf_projection_mode_name(mode);
  if (!name)
    return sf_error_set(SF_EINVAL, "slice attributes: projection mode %d is not valid",
                        (int)mode);
  SF_TRY(sf_projpot_attrs(pp, attrs, group));
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_projection", name));
  if (mode == SF_PROJECTION_FINITE)
    SF_TRY(sf_attrs_set_string(attrs, group, "potential_projection_method",
                               "slab integral of V between the slice faces as a radial depth "
                               "weight times the cell average of the cut-off infinite "
                               "projection; outermost slices within the cutoff extended to "
                               "infinity"));
  else
    SF_TRY(sf_attrs_set_string(attrs, group, "potential_projection_method",
                               "whole projection in the slice that holds the atom centre"));
  if (dz_A > 0.0 && isfinite(dz_A))
    SF_TRY(sf_attrs_set_double(attrs, group, "slice_thickness_A", dz_A));
  return SF_OK;
}
