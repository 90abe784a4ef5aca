/* multislice_specimen.c - the transmission functions of all slices of one
   specimen configuration. */
#include "sim/sf_multislice.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_slicing.h"

#include <math.h>
#include <stdlib.h>

struct sf_specimen {
  sf_wavegrid g;
  size_t n_slices;
  double dz_A;
  fftwf_complex *t; /* n_slices x nx x ny */
};

int sf_specimen_create(const sf_wavegrid *g, size_t n_slices, double thickness_A,
                       sf_specimen **out) {
  if (!out || !g)
    return sf_error_set(SF_EINVAL, "specimen: NULL argument");
  *out = NULL;
  if (n_slices < 1 || n_slices > 1000000)
    return sf_error_set(SF_EINVAL, "specimen: n_slices = %zu: must be in 1..1000000", n_slices);
  if (!isfinite(thickness_A) || thickness_A <= 0.0)
    return sf_error_set(SF_EINVAL, "specimen: slice_thickness_A = %g: must be finite and > 0",
                        thickness_A);
  const size_t N = g->nx * g->ny;
  if (n_slices > SIZE_MAX / sizeof(fftwf_complex) / N)
    return sf_error_set(SF_ENOMEM, "specimen: %zu slices of %zu x %zu overflow", n_slices,
                        g->nx, g->ny);
  sf_specimen *s = calloc(1, sizeof *s);
  if (!s)
    return sf_error_set(SF_ENOMEM, "specimen: out of memory");
  s->g = *g;
  s->n_slices = n_slices;
  s->dz_A = thickness_A;
  s->t = sf_alloc(n_slices * N, sizeof *s->t, "transmission functions");
  if (!s->t) {
    free(s);
    return SF_ENOMEM;
  }
  for (size_t i = 0; i < n_slices * N; ++i)
    s->t[i][0] = 1.0f;
  *out = s;
  return SF_OK;
}

void sf_specimen_destroy(sf_specimen *s) {
  if (!s)
    return;
  sf_free(s->t);
  free(s);
}

size_t sf_specimen_slices(const sf_specimen *s) { return s ? s->n_slices : 0; }
double sf_specimen_thickness_A(const sf_specimen *s) { return s ? s->dz_A : NAN; }
const sf_wavegrid *sf_specimen_grid(const sf_specimen *s) { return s ? &s->g : NULL; }

fftwf_complex *sf_specimen_transmission(const sf_specimen *s, size_t k) {
  return s && k < s->n_slices ? s->t + k * s->g.nx * s->g.ny : NULL;
}

/* Finite projection: each slice's V*A map from every atom's slab integral. */
static int build_finite(sf_specimen *s, sf_projpot *pp, sf_slice_finite *finite,
                        const sf_slice_atom *atoms, size_t n_atoms, double z0_A) {
  double *vz = sf_alloc(s->g.nx * s->g.ny, sizeof *vz, "finite-projection slice");
  if (!vz)
    return SF_ENOMEM;
  int status = SF_OK;
  for (size_t k = 0; k < s->n_slices && status == SF_OK; ++k) {
    status = sf_slice_finite_vz(finite, atoms, n_atoms, z0_A, s->dz_A, s->n_slices, k, vz);
    if (status == SF_OK)
      status = sf_projpot_transmission(pp, vz, s->g.energy_keV, sf_specimen_transmission(s, k));
    if (status != SF_OK)
      sf_error_prepend(status, "specimen slice %zu (finite projection)", k);
  }
  sf_free(vz);
  return status;
}

int sf_specimen_build(sf_specimen *s, sf_projpot *pp, const sf_slice_atom *atoms,
                      size_t n_atoms, double z0_A) {
  return sf_specimen_build_projected(s, pp, NULL, atoms, n_atoms, z0_A);
}

int sf_specimen_build_projected(sf_specimen *s, sf_projpot *pp, sf_slice_finite *finite,
                                const sf_slice_atom *atoms, size_t n_atoms, double z0_A) {
  if (!s || !pp || (n_atoms > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "specimen: NULL argument");
  if (!isfinite(z0_A))
    return sf_error_set(SF_EINVAL, "specimen: z0_A = %g: must be finite", z0_A);
  size_t pp_nx, pp_ny;
  double pp_h;
  sf_projpot_grid(pp, &pp_nx, &pp_ny, &pp_h);
  if (pp_nx != s->g.nx || pp_ny != s->g.ny || fabs(pp_h - s->g.sampling_A) > 1e-12 * pp_h)
    return sf_error_set(SF_EINVAL,
                        "specimen: the projected-potential grid is %zu x %zu at %g A but the "
                        "wave grid is %zu x %zu at %g A: make both on the same grid",
                        pp_nx, pp_ny, pp_h, s->g.nx, s->g.ny, s->g.sampling_A);
  const double k_pp = sf_projpot_band_limit_invA(pp);
  if (!(fabs(k_pp - s->g.k_max_invA) <= 1e-9 * s->g.k_max_invA))
    return sf_error_set(SF_EINVAL,
                        "specimen: the projected-potential builder keeps |q| <= %g 1/A but the "
                        "wave grid's band limit is %g 1/A: make both with the same sampling "
                        "and band limit",
                        k_pp, s->g.k_max_invA);
  if (finite)
    return build_finite(s, pp, finite, atoms, n_atoms, z0_A);
  sf_slicing *sl = NULL;
  SF_TRY(sf_slicing_create(atoms, n_atoms, z0_A, s->dz_A, s->n_slices, &sl));
  int status = SF_OK;
  for (size_t k = 0; k < s->n_slices && status == SF_OK; ++k) {
    size_t n = 0;
    const sf_slice_atom *a = sf_slicing_atoms(sl, k, &n);
    status = sf_projpot_slice(pp, a, n, s->g.energy_keV, NULL, sf_specimen_transmission(s, k));
    if (status != SF_OK)
      sf_error_prepend(status, "specimen slice %zu: ", k);
  }
  sf_slicing_destroy(sl);
  return status;
}
