/* sf_vz_table.h - per-element radial tables of the cut-off projected
   potential, and the pixel-cell averages built from them.

   A table is made for one element, one parameterization, one pixel size h
   (sampling_A) and one cutoff radius r_c. It holds:

   * the cut-off profile  v_c(r) = v_z(r) - v_z(r_c) - (r - r_c) v_z'(r_c)
     for r < r_c and 0 beyond, so that v_c and dv_c/dr are both zero at r_c
     (no step at the cutoff). Its plane integral (sf_vz_table_total) is
         2 pi a0e f_e(0) - Integral_{r>r_c} v_z d^2r - pi r_c^2 v_z(r_c)
           + (pi/3) r_c^3 v_z'(r_c),
     evaluated in closed form;
   * cubic Hermite tables, uniform in u = ln r (r = 1e-4 A .. r_c, 400
     nodes per unit of u, analytic derivatives), of v_c and of its disc
     integral G(R) = Integral_0^R v_c(r) r dr;
   * a table, uniform in r^2, of the Laplacian-corrected profile
     v_c + (h^2/24) nabla^2 v_c (four-point Lagrange interpolation).

   The value assigned to a pixel is the average of v_c over the pixel cell
   (a square of side h centred on the pixel), so that sums over pixels
   conserve the integral wherever the atom sits. It is computed by zone, with
   (dx, dy) the offset of the pixel centre from the atom:
     near (|dx|, |dy| < 2.5 h, the 5 x 5 cells around the atom): exact. The
       cell integral is a signed sum of F(x, y) = Integral_0^x Integral_0^y v_c
       at the four corners; F is reduced to two one-dimensional integrals of
       G along the cell edges (polar coordinates about the atom, substitution
       t = x sinh s), so the logarithmic singularity of v_z at r = 0 is
       integrated analytically;
     mid (other cells whose centre lies within 8 h): 3 x 3 Gauss-Legendre
       average of v_c;
     far (centre beyond 8 h, cells touching the disc r < r_c): the
       Laplacian-corrected value at the centre (cell average to O(h^4)).

   Tables are immutable after creation; all evaluation functions are pure
   and thread-safe.

   Catalogue: sf_vz_cutoff_total, sf_vz_cutoff_radius, sf_vz_table_create,
   sf_vz_table_destroy, sf_vz_table_vz, sf_vz_table_disc, sf_vz_table_total,
   sf_vz_table_cell_exact, sf_vz_table_pixel, sf_vz_table_near_block,
   sf_vz_table_add_row, sf_vz_table_reach, sf_vz_table_r_cut,
   sf_vz_table_sampling, sf_vz_table_scatfac. */
#ifndef SF_VZ_TABLE_H
#define SF_VZ_TABLE_H
#include "potentials/sf_scattering.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Half-width in pixels of the block of cells averaged exactly (5 x 5). */
#define SF_VZ_NEAR_HALF 2
#define SF_VZ_NEAR_SIZE (2 * SF_VZ_NEAR_HALF + 1)
/* Cells whose centre lies within this many pixels use 3 x 3 Gauss-Legendre. */
#define SF_VZ_MID_PIXELS 8.0

typedef struct sf_vz_table sf_vz_table; /* opaque, immutable */

/* Cutoff radii are searched on this step (A) between these bounds. */
#define SF_VZ_CUTOFF_STEP_A 0.05
#define SF_VZ_CUTOFF_MIN_A 1.0
#define SF_VZ_CUTOFF_MAX_A 50.0

/** Plane integral in V*A^3 of the profile cut off at r_cut_A (> 0), in
    closed form: 2 pi a0e f_e(0) minus the tail beyond r_c, minus
    pi r_c^2 v_z(r_c), plus (pi/3) r_c^3 v_z'(r_c). */
double sf_vz_cutoff_total(const sf_scatfac *sf, double r_cut_A);

/** Smallest cutoff radius on the SF_VZ_CUTOFF_STEP_A grid in
    [SF_VZ_CUTOFF_MIN_A, SF_VZ_CUTOFF_MAX_A] for which the cut-off profile
    keeps the plane integral within relative tolerance `tol` (0 < tol < 1) of
    2 pi a0e f_e(0), into *r_cut_A. SF_EINVAL for a bad tolerance; SF_ERANGE
    if no radius up to the maximum is enough. */
int sf_vz_cutoff_radius(const sf_scatfac *sf, double tol, double *r_cut_A);

/** Build the table of element Z for `param`, pixel size sampling_A (> 0) and
    cutoff radius r_cut_A (must be >= 3 sampling_A and <= 50 A). On success
    *out is owned by the caller (sf_vz_table_destroy). SF_EINVAL or SF_ERANGE
    naming the value for bad arguments, SF_ENOMEM. */
int sf_vz_table_create(sf_scatfac_param param, int Z, double sampling_A, double r_cut_A,
                       sf_vz_table **out);
/** Free a table. NULL is a no-op. */
void sf_vz_table_destroy(sf_vz_table *table);

/** Cut-off profile v_c(r) in V*A from the table (r_A >= 0; +INFINITY at 0
    for Kirkland and Lobato, 0 beyond r_c). */
double sf_vz_table_vz(const sf_vz_table *table, double r_A);
/** Integral of v_c over the disc of radius R_A, in V*A^3 (2 pi G(R)). */
double sf_vz_table_disc(const sf_vz_table *table, double R_A);
/** Plane integral of v_c in V*A^3 (closed form, see above). */
double sf_vz_table_total(const sf_vz_table *table);

/** Exact average in V*A of v_c over the axis-aligned rectangle
    [dx_A - wx_A/2, dx_A + wx_A/2] x [dy_A - wy_A/2, dy_A + wy_A/2] relative to
    the atom (corner method; any position, including cells that hold the
    atom). wx_A, wy_A > 0. */
double sf_vz_table_cell_exact(const sf_vz_table *table, double dx_A, double dy_A, double wx_A,
                              double wy_A);

/** Value in V*A of a pixel whose centre lies at (dx_A, dy_A) from the atom,
    by the zone rule above (the value the grid superposition uses). */
double sf_vz_table_pixel(const sf_vz_table *table, double dx_A, double dy_A);

/** Exact averages of the SF_VZ_NEAR_SIZE^2 cells around an atom whose offset
    from its nearest pixel centre is (fx_A, fy_A) (|f| <= h/2):
    block[j * SF_VZ_NEAR_SIZE + i] is the pixel at (i - SF_VZ_NEAR_HALF,
    j - SF_VZ_NEAR_HALF) from that pixel. Caller owns block. */
void sf_vz_table_near_block(const sf_vz_table *table, double fx_A, double fy_A,
                            double *block);

/** Add to a grid row the values of the pixels jx = jx_lo .. jx_hi (unwrapped
    column indices; pixel centre x = jx h) of an atom at x_A, for a row whose
    centre lies at dy_A from the atom, by the zone rule; columns
    skip_lo .. skip_hi are left out (the near block, added exactly by the
    caller; pass skip_lo > skip_hi to skip none). Column jx lands in
    row[jx mod nx]. Used by the grid superposition. */
void sf_vz_table_add_row(const sf_vz_table *table, double x_A, double dy_A, long jx_lo, long jx_hi,
                         long skip_lo, long skip_hi, double *row, size_t nx);

/** Pixel centres farther than this from the atom (A) get 0 outside the near
    block: max(r_c, the mid-zone radius). */
double sf_vz_table_reach(const sf_vz_table *table);
/** Cutoff radius in A. */
double sf_vz_table_r_cut(const sf_vz_table *table);
/** Pixel size in A the table was made for. */
double sf_vz_table_sampling(const sf_vz_table *table);
/** The element's coefficients. */
const sf_scatfac *sf_vz_table_scatfac(const sf_vz_table *table);

#ifdef __cplusplus
}
#endif
#endif
