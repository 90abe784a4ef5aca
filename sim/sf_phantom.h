/* sf_phantom.h - voxel phantoms: 3-D grids of phases for the linear incoherent model.

   A phantom is an nx x ny x nz grid of cubic voxels (edge voxel_A, in Å); voxel
   (ix, iy, iz) spans [ix*v, (ix+1)*v) x [iy*v, (iy+1)*v) x [iz*v, (iz+1)*v) in Å,
   z along the beam. A phase is a composition: the number density (atoms per Å^3)
   of each element Z it contains (CoS, CoO, Ga2O3, ...). Phases are numbered from
   1 in the order they are added; 0 is vacuum. Shapes (sphere, core-shell sphere,
   cuboid, film) are painted in order, a later shape replacing what it covers.
   Each voxel stores the volume fraction of every phase: voxels cut by a shape's
   surface are anti-aliased by supersampling (s x s x s sub-voxel centres, s = 4
   by default; cuboids and films are computed exactly), so projections of curved
   shapes are smooth. Projection along z gives the ground-truth projected number
   density of each element, x_e(ix, iy) = v * sum_iz sum_p f_p(voxel) rho_pe, in
   atoms per Å^2, as maps "truth_<symbol>" of an image set, and the path length
   through each phase, in Å, as maps "thickness_<phase>". Definitions:
   docs/validation-model.md.

   Catalogue: sf_phantom_phase_init, sf_phantom_phase_add_element,
   sf_phantom_phase_from_amounts, sf_phantom_phase_fraction, sf_phantom_create,
   sf_phantom_destroy, sf_phantom_set_supersampling, sf_phantom_get_supersampling,
   sf_phantom_add_phase, sf_phantom_phase_count, sf_phantom_get_phase,
   sf_phantom_get_dims, sf_phantom_voxel_fraction, sf_phantom_voxel_phase,
   sf_phantom_shape_coverage, sf_phantom_add_shape, sf_phantom_add_sphere,
   sf_phantom_add_core_shell, sf_phantom_add_cuboid, sf_phantom_add_film,
   sf_phantom_add_films, sf_phantom_project. */
#ifndef SF_PHANTOM_H
#define SF_PHANTOM_H
#include "core/sf_imageset.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Phases (compositions) */

#define SF_PHANTOM_MAX_ELEMENTS 8 /* elements in one phase */
#define SF_PHANTOM_MAX_PHASES 16  /* phases in one phantom */
#define SF_PHANTOM_SYMBOL_MAX 4   /* "Co" plus terminator */
#define SF_PHANTOM_NAME_MAX 32

typedef struct sf_phantom_phase {
  char name[SF_PHANTOM_NAME_MAX]; /* [A-Za-z0-9_], e.g. "CoS_core"; used in map names */
  size_t n;                       /* elements in the phase */
  int Z[SF_PHANTOM_MAX_ELEMENTS]; /* atomic numbers, 1..118 */
  /* element label used in map names ("Co"); "" means "Z27". The caller maps
     symbols to Z (potentials/sf_elements.h); the label is only a name. */
  char symbol[SF_PHANTOM_MAX_ELEMENTS][SF_PHANTOM_SYMBOL_MAX];
  double density_per_A3[SF_PHANTOM_MAX_ELEMENTS]; /* number density, atoms per Å^3 */
} sf_phantom_phase;

/** Empty phase called `name` ([A-Za-z0-9_], < 32 characters). SF_EINVAL
    otherwise. */
int sf_phantom_phase_init(sf_phantom_phase *phase, const char *name);
/** Add element Z (1..118) with label `symbol` ([A-Za-z0-9], < 4 characters;
    NULL or "" for "Z<n>") at number density density_per_A3 (atoms per Å^3,
    finite, >= 0). SF_EINVAL for a bad value or a repeated Z, SF_ERANGE when
    the phase already has SF_PHANTOM_MAX_ELEMENTS elements. */
int sf_phantom_phase_add_element(sf_phantom_phase *phase, int Z, const char *symbol,
                                 double density_per_A3);
/** Phase from relative amounts (atom fractions or stoichiometric numbers,
    e.g. Ga2O3: Z = {31, 8}, amounts = {2, 3}) normalised by their sum, at a
    total number density total_density_per_A3 (atoms per Å^3). symbols may be
    NULL. SF_EINVAL for negative or non-finite amounts or a zero sum. */
int sf_phantom_phase_from_amounts(sf_phantom_phase *phase, const char *name, size_t n,
                                  const int *Z, const char *const *symbols,
                                  const double *amounts, double total_density_per_A3);
/** Atom fraction of element Z in the phase (0 when absent or the phase is
    empty): density_Z / sum of densities. */
double sf_phantom_phase_fraction(const sf_phantom_phase *phase, int Z);

/* The phantom grid */

typedef struct sf_phantom sf_phantom; /* opaque */

/** Phantom of nx x ny x nz voxels of edge voxel_A (Å), all vacuum. SF_EINVAL
    for a zero dimension or a non-positive or non-finite voxel size, naming
    the value; SF_ENOMEM when the grid does not fit. *out is owned by the
    caller (sf_phantom_destroy). */
int sf_phantom_create(size_t nx, size_t ny, size_t nz, double voxel_A, sf_phantom **out);
/** Free the phantom. NULL is a no-op. */
void sf_phantom_destroy(sf_phantom *ph);
/** Sub-voxel samples per axis (1..16, default 4) used to anti-alias curved
    surfaces in later shapes. SF_EINVAL otherwise. */
int sf_phantom_set_supersampling(sf_phantom *ph, int samples_per_axis);
/** Register a copy of `phase`; *index (optional) receives its number (1, 2, ...).
    SF_EINVAL for an empty phase, a duplicate name, or an element whose
    label differs from the label another phase gives the same Z; SF_ERANGE
    beyond SF_PHANTOM_MAX_PHASES. */
int sf_phantom_add_phase(sf_phantom *ph, const sf_phantom_phase *phase, int *index);
/** Number of phases (vacuum not counted). */
size_t sf_phantom_phase_count(const sf_phantom *ph);
/** Phase number `index` (1..count), or NULL. Owned by the phantom. */
const sf_phantom_phase *sf_phantom_get_phase(const sf_phantom *ph, int index);
/** Sub-voxel samples per axis currently used for curved surfaces. */
int sf_phantom_get_supersampling(const sf_phantom *ph);
/** Grid size and voxel edge (Å); any pointer may be NULL. */
void sf_phantom_get_dims(const sf_phantom *ph, size_t *nx, size_t *ny, size_t *nz,
                         double *voxel_A);
/** Volume fraction (0..1) of phase `index` (0: vacuum) in voxel (ix, iy, iz);
    0 for indices out of range. */
double sf_phantom_voxel_fraction(const sf_phantom *ph, int index, size_t ix, size_t iy,
                                 size_t iz);
/** The phase with the largest volume fraction in the voxel (0: vacuum). */
int sf_phantom_voxel_phase(const sf_phantom *ph, size_t ix, size_t iy, size_t iz);

/* Shapes. Coordinates in Å in the phantom frame (origin at the corner of
   voxel (0, 0, 0)). */

typedef enum sf_phantom_shape_kind {
  SF_PHANTOM_SPHERE = 0, /* centre_A, radius_A */
  SF_PHANTOM_CUBOID = 1  /* axis-aligned box lo_A .. hi_A */
} sf_phantom_shape_kind;

typedef struct sf_phantom_shape {
  sf_phantom_shape_kind kind;
  double centre_A[3];
  double radius_A;
  double lo_A[3];
  double hi_A[3];
} sf_phantom_shape;

/** Fraction (0..1) of the axis-aligned box [lo_A, hi_A] (Å) inside `shape`:
    exact for a cuboid (product of the overlaps along each axis); for a
    sphere 1 or 0 when the box is wholly inside or outside, otherwise the
    fraction of samples^3 sub-box centres inside. */
double sf_phantom_shape_coverage(const sf_phantom_shape *shape, const double lo_A[3],
                                 const double hi_A[3], int samples_per_axis);
/** Paint `shape` with phase `index` (1..count): in each voxel covered by a
    fraction f, every phase's fraction is multiplied by (1 - f) and f is
    added to phase `index`. Parts outside the grid are ignored. SF_EINVAL for
    an unknown phase or a non-finite or empty shape, naming the value. */
int sf_phantom_add_shape(sf_phantom *ph, int index, const sf_phantom_shape *shape);
/** Sphere of phase `index`, centre centre_A (Å), radius radius_A (Å, > 0). */
int sf_phantom_add_sphere(sf_phantom *ph, int index, const double centre_A[3], double radius_A);
/** Core-shell sphere: a ball of radius outer_radius_A of phase shell_index,
    then a ball of radius core_radius_A (< outer) of phase core_index. */
int sf_phantom_add_core_shell(sf_phantom *ph, int core_index, int shell_index,
                              const double centre_A[3], double core_radius_A,
                              double outer_radius_A);
/** Axis-aligned cuboid lo_A .. hi_A (Å, hi > lo on every axis). */
int sf_phantom_add_cuboid(sf_phantom *ph, int index, const double lo_A[3], const double hi_A[3]);

typedef enum sf_phantom_axis { SF_PHANTOM_AXIS_X = 0, SF_PHANTOM_AXIS_Y = 1 } sf_phantom_axis;

typedef struct sf_phantom_film {
  int phase;          /* phase number */
  double lo_A, hi_A;  /* lateral extent along the film axis, Å */
  double thickness_A; /* along z (the beam), Å, > 0 */
} sf_phantom_film;

/** One film: a slab of phase `index` covering [lo_A, hi_A] along `axis` (x or
    y), the whole grid along the other lateral axis, and [z0_A, z0_A +
    thickness_A] along z. Seen in projection the film is a band along `axis`. */
int sf_phantom_add_film(sf_phantom *ph, int index, sf_phantom_axis axis, double lo_A,
                        double hi_A, double z0_A, double thickness_A);
/** Films stacked along z from z0_A: film k occupies [z_k, z_k + thickness_k]
    with z_{k+1} = z_k + thickness_k, so films with overlapping lateral ranges
    overlap in projection (the paper's Fig. 5 Ga/O films). */
int sf_phantom_add_films(sf_phantom *ph, sf_phantom_axis axis, double z0_A, size_t n,
                         const sf_phantom_film *films);

/* Projection */

/** Project along z into `set`: for each distinct element (in order of first
    appearance over phases 1, 2, ...) a double map "truth_<symbol>" of
    projected number density (atoms per Å^2), and for each phase a double map
    "thickness_<name>" of path length (Å). Maps are nx x ny with axes in Å,
    origin at the centre of pixel 0 (voxel_A / 2) and step voxel_A; map
    attributes: "Z", "element" (truth maps), "phase" (thickness maps). The set
    gets group "simulation" attributes phantom_voxel_A, phantom_grid,
    phantom_supersampling and, per phase, group "sample" attributes
    phase_<name>_Z and phase_<name>_density_per_A3. SF_EINVAL if the phantom
    has no phase or a map name is already in the set. */
int sf_phantom_project(const sf_phantom *ph, sf_imageset *set);

#ifdef __cplusplus
}
#endif
#endif
