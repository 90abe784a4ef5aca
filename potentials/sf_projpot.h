/* sf_projpot.h - projected potentials and transmission functions of one
   slice on a periodic grid.

   Input: the atoms of one slice (Z, x, y, z in A; already assigned to the
   slice), a grid of nx x ny pixels of side sampling_A (square pixels) that
   is periodic with period (nx h, ny h), and a parameterization. Pixel
   (ix, iy) is centred on (ix h, iy h) and stored at vz[iy * nx + ix].

   Two constructions of the infinite projection v_z (V*A per pixel):
   * real space (sf_projpot_vz): each atom adds the average of its cut-off
     profile over every pixel cell (sf_vz_table.h: exact near the nucleus,
     Gauss-Legendre, then a Laplacian-corrected lookup further out), wrapped
     periodically. Parallel over rows with OpenMP; each pixel sums its atoms
     in input order, so the result is bit-identical for any thread count.
   * reciprocal space (sf_projpot_vz_fourier): Fourier coefficients
       c(q) = (2 pi a0e / A_cell) f_e(|q|) sum_j exp(-2 pi i q.r_j)
     on the FFT grid, inverse FFT (FFTW, double precision). It has no cutoff
     and no singularity; optionally multiplied by the pixel-cell average
     factor sinc(pi qx h) sinc(pi qy h) and band-limited, to compare with the
     real-space result.

   The transmission function of a slice is t = exp(i sigma v_z)
   (sf_interaction.h), then band-limited: all Fourier components with
   |k| > band_limit * k_Nyquist, k_Nyquist = 1/(2 h), are set to zero
   (band_limit = 2/3 by default, as in Kirkland's programs). t is single-
   precision complex (fftwf_complex), as wave arithmetic is.

   A sf_projpot is the expensive set-up (grid, options, per-element tables
   made on first use, FFTW plans); building slices with it is cheap. One
   object must not be used by two threads at once.

   Catalogue: sf_projpot_options_default, sf_projpot_create,
   sf_projpot_destroy, sf_projpot_vz, sf_projpot_transmission,
   sf_projpot_slice, sf_projpot_vz_fourier, sf_projpot_band_limit_map,
   sf_projpot_band_limit_invA,
   sf_projpot_table, sf_projpot_add_map, sf_projpot_attrs. */
#ifndef SF_PROJPOT_H
#define SF_PROJPOT_H
#include "core/sf_attrs.h"
#include "core/sf_imageset.h"
#include "potentials/sf_scattering.h"
#include "potentials/sf_vz_table.h"

#include <fftw3.h>
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* One atom of a slice: atomic number and position in A. z is the depth in
   the specimen (kept for provenance and slicing; the infinite projection
   does not use it). */
typedef struct sf_slice_atom {
  int Z;
  double x_A, y_A, z_A;
} sf_slice_atom;

/* Choices for building slices. */
typedef struct sf_projpot_options {
  sf_scatfac_param param; /* parameterization; default SF_SCATFAC_KIRKLAND */
  double r_cut_A;    /* > 0: cutoff radius (A) of the real-space profile of every element;
                        0 (default): per element, the smallest radius that keeps the plane
                        integral within cutoff_tol (sf_vz_cutoff_radius) */
  double cutoff_tol; /* relative tolerance of the automatic cutoff; default 1e-3 */
  double band_limit; /* fraction of Nyquist kept in t; default 2/3; 0 = no limit */
} sf_projpot_options;

#define SF_PROJPOT_CUTOFF_TOL_DEFAULT 1e-3
#define SF_PROJPOT_BAND_LIMIT_DEFAULT (2.0 / 3.0)

/* Flags of sf_projpot_vz_fourier. */
#define SF_PROJPOT_PIXEL_AVERAGE 1u /* multiply by sinc(pi qx h) sinc(pi qy h) */
#define SF_PROJPOT_BAND_LIMIT 2u    /* zero |q| > band_limit * k_Nyquist */

/* Not thread-safe: a builder owns one FFT work buffer and plans, and fills
   its per-element tables lazily. Use one builder per thread, or call it from
   one thread (outside OpenMP parallel regions: FFTW planning happens here). */
typedef struct sf_projpot sf_projpot; /* opaque */

/** Defaults: Kirkland, automatic cutoff at 1e-3 of the plane integral, band
    limit 2/3 of Nyquist. */
void sf_projpot_options_default(sf_projpot_options *opt);

/** Set up a grid of nx x ny pixels (each >= 2) of side sampling_A (> 0) with
    options `opt` (NULL: defaults; copied). Creates the FFTW plans (call from
    one thread: the FFTW planner is not thread-safe). On success *out is
    owned by the caller. SF_EINVAL naming the bad value, SF_ENOMEM. */
int sf_projpot_create(size_t nx, size_t ny, double sampling_A, const sf_projpot_options *opt,
                      sf_projpot **out);
/** Free everything the object made. NULL is a no-op. */
void sf_projpot_destroy(sf_projpot *pp);

/** Real-space projected potential of the atoms (infinite projection) in V*A
    per pixel into vz_VA (nx*ny doubles, caller-owned, overwritten).
    SF_ERANGE naming the atom index and Z for an element outside the
    parameterization; SF_EINVAL for a non-finite position. */
int sf_projpot_vz(sf_projpot *pp, const sf_slice_atom *atoms, size_t n_atoms, double *vz_VA);

/** Transmission function t = exp(i sigma(E) vz), band-limited, into t
    (nx*ny fftwf_complex, caller-owned). energy_keV > 0. */
int sf_projpot_transmission(sf_projpot *pp, const double *vz_VA, double energy_keV,
                            fftwf_complex *t);

/** One slice: v_z of the atoms (into vz_VA if non-NULL) and its transmission
    function t at energy_keV. */
int sf_projpot_slice(sf_projpot *pp, const sf_slice_atom *atoms, size_t n_atoms,
                     double energy_keV, double *vz_VA, fftwf_complex *t);

/** Reciprocal-space construction on the same grid (see above) into vz_VA
    (nx*ny doubles, caller-owned). flags: SF_PROJPOT_PIXEL_AVERAGE,
    SF_PROJPOT_BAND_LIMIT (uses the object's band_limit). The cutoff is not
    applied. Plans an FFTW transform: call from one thread. */
int sf_projpot_vz_fourier(const sf_projpot *pp, const sf_slice_atom *atoms, size_t n_atoms,
                          unsigned flags, double *vz_VA);

/** Apply the object's band limit to a real map on its grid in place (nx*ny
    doubles; FFTW double precision, planned here: call from one thread).
    A no-op when the band limit is off. */
int sf_projpot_band_limit_map(const sf_projpot *pp, double *map);

/** Grid of the builder: nx, ny and sampling in Å (any output pointer may be NULL). */
void sf_projpot_grid(const sf_projpot *pp, size_t *nx, size_t *ny, double *sampling_A);

/** Largest spatial frequency kept in t, in 1/A (band_limit / (2 h));
    +INFINITY when the band limit is off. */
double sf_projpot_band_limit_invA(const sf_projpot *pp);

/** The radial table of element Z (made now if needed), owned by pp; NULL
    with the error recorded if Z is not available. */
const sf_vz_table *sf_projpot_table(sf_projpot *pp, int Z);

/** Add the projected potential vz_VA (nx*ny doubles on pp's grid) to `set`
    as a double map `name` with quantity "Projected potential", units "V·Å",
    x/y axes in Å with step sampling_A, and the provenance of
    sf_projpot_attrs in the map's own attributes. SF_EINVAL for a bad or
    duplicate name. The map (owned by the set) is returned in *out if non-NULL. */
int sf_projpot_add_map(const sf_projpot *pp, const double *vz_VA, sf_imageset *set,
                       const char *name, sf_map **out);

/** Record how slices are built into `attrs` under `group`: parameterization
    name, citation and DOI, projection mode, cutoff, band limit, sampling. */
int sf_projpot_attrs(const sf_projpot *pp, sf_attrs *attrs, const char *group);

#ifdef __cplusplus
}
#endif
#endif
