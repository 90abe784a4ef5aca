/* sf_slice_finite.h - projected potentials of slices with the finite
   projection: each atom's potential split between the slices by depth.

   With the infinite projection (sf_slicing.h) an atom's whole v_z goes to
   the slice that holds its centre. With the finite projection an atom at
   depth z_a gives slice k = [z1, z2) the slab integral
       v_k(r) = Integral_{z1 - z_a}^{z2 - z_a} V(sqrt(r^2 + z^2)) dz
   (sf_scatfac_vz_slab), for every slice within its depth reach: the slices
   that meet [z_a - r_c, z_a + r_c], r_c the atom's cutoff radius. The
   first of them is extended to z = -infinity and the last to +infinity, so
   the slab integrals of an atom add up to its infinite projection v_z(r)
   exactly (the little potential beyond r_c in depth is kept by the
   outermost slices, not lost).

   Construction (separable in r, so that the singular centre is treated as
   in the infinite path). The depth weight of slice k is the radial function
       w_k(r) = v_k(r) / v_z(r),  0 <= w_k <= 1,  Sum_k w_k(r) = 1,
   with the limit at r = 0: 1 (nucleus inside the slab), 1/2 (on a face),
   0 (outside). A pixel's value is the infinite path's value of the cell
   (the cell average of the cut-off profile v_c, sf_vz_table.h) times the
   cell's depth weight, the v_c-weighted mean of w_k over the cell:
   * the cell that holds the atom (v_c log-singular): over 4 x 4 sub-cells,
     each weighted by its exact sub-cell average of v_c, w_k at the
     sub-cell centre;
   * other cells whose centre lies within SF_VZ_MID_PIXELS (8) pixels: over
     the 2 x 2 Gauss-Legendre points of the cell, weighted by v_c there;
   * farther cells: w_k at the cell centre (from a copy of the table
     uniform in r, step h/8, for speed).
   w_k is tabulated per (element, slab offsets) on 257 nodes r_i = r_c
   (i/256)^2 (dense near the nucleus) and interpolated linearly; tables are
   made on first use and cached, so atoms at the same depth relative to the
   slices (every layer of a crystal) share one.
   Accuracy: the sum of an atom's finite slices equals its infinite map to
   rounding (1e-10 relative tested), because the cell weights of the slices
   add to one. The fraction of an atom's integral in a slice matches the
   3-D potential to 5e-5 at h = 0.1 A (Si, Sr; faces 0.15 and 0.6 A from
   the nucleus; cutoff tolerance 1e-4; tested to 1e-4): the residue is the
   O(h^2) error of the centre weight beyond 8 pixels and the cutoff of v_c;
   the weight table itself is within 1.2e-5 of the direct slab / v_z ratio.
   Cost: every slice within an atom's depth reach gets its whole disc, so
   the finite projection costs about (2 r_c / dz + 1) times the infinite one
   in pixel work, plus the weight tables (see bench/bench_potential.c).

   The builder borrows a sf_projpot (grid, parameterization, cutoff, band
   limit); like it, it must not be used by two threads at once. The grid
   superposition is parallel over rows (OpenMP) with each pixel summing its
   contributions in input order: bit-identical for any thread count.

   Catalogue: sf_projection_mode_from_name, sf_projection_mode_name,
   sf_slice_finite_create, sf_slice_finite_destroy, sf_slice_finite_vz,
   sf_slice_finite_weight, sf_slice_stack_vz, sf_slice_attrs. */
#ifndef SF_SLICE_FINITE_H
#define SF_SLICE_FINITE_H
#include "core/sf_attrs.h"
#include "potentials/sf_projpot.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* How an atom's potential is assigned to slices. */
typedef enum sf_projection_mode {
  SF_PROJECTION_INFINITE = 0, /* whole v_z to the slice holding the centre */
  SF_PROJECTION_FINITE = 1    /* slab integrals split by depth */
} sf_projection_mode;

/* Nodes of a depth-weight table (r_i = r_c (i / (N - 1))^2). */
#define SF_SLICE_FINITE_NODES 257
/* Sub-cells per side for the cell that holds an atom. */
#define SF_SLICE_FINITE_SUB 4

typedef struct sf_slice_finite sf_slice_finite; /* opaque */

/** "infinite" or "finite" into *mode. SF_EINVAL naming the text otherwise. */
int sf_projection_mode_from_name(const char *name, sf_projection_mode *mode);
/** "infinite" / "finite", or NULL for an invalid mode. */
const char *sf_projection_mode_name(sf_projection_mode mode);

/** A finite-projection builder on pp's grid and options (pp is borrowed and
    must outlive it). On success *out is owned by the caller. SF_EINVAL,
    SF_ENOMEM. */
int sf_slice_finite_create(sf_projpot *pp, sf_slice_finite **out);
/** Free the builder and its weight tables. NULL is a no-op. */
void sf_slice_finite_destroy(sf_slice_finite *f);

/** Projected potential (V*A per pixel, into vz_VA: nx*ny doubles,
    caller-owned, overwritten) of slice k of n_slices slices of thickness
    dz_A starting at depth z0_A, with the finite projection of all `n_atoms`
    atoms (z_A is their depth in A; atoms outside the slices are allowed:
    their potential goes to the slices within their reach). SF_EINVAL for bad
    arguments or a non-finite position, SF_ERANGE for an unknown element,
    SF_ENOMEM. */
int sf_slice_finite_vz(sf_slice_finite *f, const sf_slice_atom *atoms, size_t n_atoms,
                       double z0_A, double dz_A, size_t n_slices, size_t k, double *vz_VA);

/** Depth weight w of element Z at radius r_A (>= 0) for the slab
    [lo_A, hi_A] relative to the atom (A; -+INFINITY allowed), from the
    cached table used by the grid (so tests can check it), into *w.
    SF_EINVAL for lo_A >= hi_A or r_A < 0, SF_ERANGE for an unknown element. */
int sf_slice_finite_weight(sf_slice_finite *f, int Z, double lo_A, double hi_A, double r_A,
                           double *w);

/** All n_slices slices of dz_A from z0_A with projection `mode` into
    vz_VA (n_slices * nx * ny doubles, slice k at offset k*nx*ny,
    caller-owned). Infinite mode needs every atom inside the slices
    (sf_slicing rules); finite mode accepts any depth. `f` is used in finite
    mode (NULL: a temporary builder is made). */
int sf_slice_stack_vz(sf_projpot *pp, sf_slice_finite *f, sf_projection_mode mode,
                      const sf_slice_atom *atoms, size_t n_atoms, double z0_A, double dz_A,
                      size_t n_slices, double *vz_VA);

/** sf_projpot_attrs, plus the projection mode ("potential_projection" =
    "infinite" | "finite"), the finite method, and slice_thickness_A when
    dz_A > 0, into `attrs` under `group`. */
int sf_slice_attrs(const sf_projpot *pp, sf_projection_mode mode, double dz_A, sf_attrs *attrs,
                   const char *group);

#ifdef __cplusplus
}
#endif
#endif
