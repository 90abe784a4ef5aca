/* sf_slicing.h - assignment of a structure's atoms to slices by depth, for
   the infinite projection (each atom's whole v_z goes to the slice that
   holds its centre).

   Slice k covers z0 + k dz <= z < z0 + (k + 1) dz. An atom within 1e-9 A
   below a boundary counts as on it (it goes to the deeper slice), so atoms
   placed exactly on slice entrances by arithmetic land where intended.

   Catalogue: sf_slicing_create, sf_slicing_destroy, sf_slicing_count,
   sf_slicing_thickness, sf_slicing_atoms. */
#ifndef SF_SLICING_H
#define SF_SLICING_H
#include "potentials/sf_projpot.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_slicing sf_slicing; /* opaque, immutable */

/** Sort `n_atoms` atoms into slices of thickness_A (> 0) starting at z0_A.
    n_slices = 0 takes just enough slices to hold the deepest atom; otherwise
    an atom outside the n_slices slices is an error (SF_ERANGE naming the
    atom and its z). Within a slice atoms keep their input order. On success
    *out is owned by the caller. SF_EINVAL for bad arguments, SF_ENOMEM. */
int sf_slicing_create(const sf_slice_atom *atoms, size_t n_atoms, double z0_A,
                      double thickness_A, size_t n_slices, sf_slicing **out);
/** Free. NULL is a no-op. */
void sf_slicing_destroy(sf_slicing *s);
/** Number of slices. */
size_t sf_slicing_count(const sf_slicing *s);
/** Slice thickness in A. */
double sf_slicing_thickness(const sf_slicing *s);
/** Atoms of slice k (owned by s) and their number in *n_atoms; NULL with
    *n_atoms = 0 for an empty or out-of-range slice. */
const sf_slice_atom *sf_slicing_atoms(const sf_slicing *s, size_t k, size_t *n_atoms);

#ifdef __cplusplus
}
#endif
#endif
