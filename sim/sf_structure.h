/* sf_structure.h - atom lists in an orthorhombic simulation cell, and the
   operations that shape them: supercells, translation and centring, vacuum
   padding, carving (sphere, cuboid, truncated octahedron, slab), merging and
   stacking (films, core-shell particles), seeded substitution, frozen-phonon
   configurations and a projected preview image.

   An sf_structure holds the cell lengths a, b, c (Å; the cell is the box
   [0, a) x [0, b) x [0, c), periodic where the crystal is, with vacuum where a
   particle is) and per atom: atomic number Z, position x, y, z (Å), site
   occupancy in [0, 1], u_rms (Å; the 1-D rms thermal displacement, so that
   <u_x^2> = u_rms^2 and the Debye-Waller factor is B = 8 pi^2 u_rms^2), and
   a site tag (the crystal-database site index the atom came from, or -1 when
   unknown, e.g. after reading an XYZ file). The struct is transparent: read
   the arrays directly; change them through these functions so that the
   checks (element range, occupancy, u_rms >= 0, finite positions) hold.

   Catalogue: sf_structure_create, sf_structure_destroy, sf_structure_reserve,
   sf_structure_append, sf_structure_append_all, sf_structure_copy,
   sf_structure_remove, sf_structure_set_cell, sf_structure_count_Z,
   sf_structure_set_u_rms_Z, sf_structure_supercell, sf_structure_translate,
   sf_structure_wrap, sf_structure_bounds, sf_structure_center,
   sf_structure_pad_vacuum, sf_structure_stack, sf_shape_contains,
   sf_shape_bounding_radius, sf_structure_carve, sf_structure_remove_close,
   sf_structure_substitute, sf_structure_phonon, sf_structure_project. */
#ifndef SF_STRUCTURE_H
#define SF_STRUCTURE_H
#include "core/sf_imageset.h"
#include "core/sf_rng.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Random-stream purpose used by seeded structure edits (substitution). */
#define SF_STRUCTURE_RNG_PURPOSE SF_RNG_PURPOSE_STRUCTURE

typedef struct sf_structure {
  double cell_A[3];   /* a, b, c: orthorhombic cell lengths (Å), > 0 */
  size_t count;       /* atoms */
  size_t capacity;    /* allocated length of the arrays */
  int *Z;             /* atomic number, 1..103 */
  double *x_A;        /* position (Å) */
  double *y_A;
  double *z_A;
  double *occupancy;  /* site occupancy in [0, 1] */
  double *u_rms_A;    /* 1-D rms thermal displacement (Å), >= 0 */
  int *tag;           /* crystal site index, or -1 */
} sf_structure;

/* --- lifecycle --- */

/** An empty structure with cell a_A x b_A x c_A (Å, each finite and > 0).
    SF_EINVAL names the bad length. On success *out is owned by the caller
    (sf_structure_destroy). */
int sf_structure_create(double a_A, double b_A, double c_A, sf_structure **out);
/** Free a structure; NULL is a no-op. */
void sf_structure_destroy(sf_structure *s);
/** Make room for at least n atoms (SF_ENOMEM on failure). */
int sf_structure_reserve(sf_structure *s, size_t n);
/** Append one atom: Z in 1..103 (SF_ERANGE), finite position in Å
    (SF_EINVAL), occupancy in [0, 1] (SF_ERANGE), u_rms_A >= 0 and finite
    (SF_ERANGE). The tag is set to -1 (use s->tag[s->count - 1] to set it). */
int sf_structure_append(sf_structure *s, int Z, double x_A, double y_A, double z_A,
                        double occupancy, double u_rms_A);
/** Append every atom of src to dst (positions unchanged, tags kept). */
int sf_structure_append_all(sf_structure *dst, const sf_structure *src);
/** Deep copy into *out (owned by the caller). */
int sf_structure_copy(const sf_structure *s, sf_structure **out);
/** Remove the atoms i with remove[i] != 0, keeping the order of the others. */
int sf_structure_remove(sf_structure *s, const unsigned char *remove);
/** Set the cell lengths (Å, finite and > 0); atoms are not moved. */
int sf_structure_set_cell(sf_structure *s, double a_A, double b_A, double c_A);

/* --- queries and per-element settings --- */

/** Number of atoms with atomic number Z. */
size_t sf_structure_count_Z(const sf_structure *s, int Z);
/** Set u_rms (Å, >= 0) of every atom with atomic number Z; *n_set (optional)
    gets how many atoms were changed. */
int sf_structure_set_u_rms_Z(sf_structure *s, int Z, double u_rms_A, size_t *n_set);

/* --- supercells, translation, centring, vacuum, stacking --- */

/** Tile s n1 x n2 x n3 times along x, y, z (each >= 1) into *out, whose cell
    is (n1 a, n2 b, n3 c). Atom k of tile (i1, i2, i3) follows atom order:
    tiles vary slowest in i3, then i2, then i1; atoms fastest. */
int sf_structure_supercell(const sf_structure *s, int n1, int n2, int n3, sf_structure **out);
/** Shift every atom by (dx_A, dy_A, dz_A) (Å). The cell is unchanged. */
int sf_structure_translate(sf_structure *s, double dx_A, double dy_A, double dz_A);
/** Wrap positions into [0, a) x [0, b) x [0, c) (periodic images). */
int sf_structure_wrap(sf_structure *s);
/** Smallest box holding all atom centres: lo_A[3], hi_A[3] (Å). SF_EINVAL
    for an empty structure. */
int sf_structure_bounds(const sf_structure *s, double lo_A[3], double hi_A[3]);
/** Move the atoms so that the centre of their bounding box is the centre of
    the cell, along the axes whose flag in axes[3] is non-zero. */
int sf_structure_center(sf_structure *s, const int axes[3]);
/** Vacuum padding: along each axis k with vacuum_A[k] > 0, the cell becomes
    (hi - lo) + 2 vacuum_A[k] (the atoms' extent plus vacuum_A[k] on each
    side) and the atoms are centred in it. vacuum_A[k] == 0 leaves axis k as
    it is (a periodic direction). Negative or non-finite values: SF_EINVAL. */
int sf_structure_pad_vacuum(sf_structure *s, const double vacuum_A[3]);
/** Film stacking: top on bottom along z, separated by gap_A (Å, >= 0; the
    top's z = 0 plane is placed at bottom's c + gap_A). The lateral cells
    must agree to within lateral_tol (relative, e.g. 1e-3; SF_EINVAL naming
    both cells otherwise); the result takes bottom's a, b and has c =
    c_bottom + gap_A + c_top. *out is owned by the caller. */
int sf_structure_stack(const sf_structure *bottom, const sf_structure *top, double gap_A,
                       double lateral_tol, sf_structure **out);

/* --- carving --- */

typedef enum sf_shape_kind {
  SF_SHAPE_SPHERE = 0,       /* |r - centre| <= radius_A */
  SF_SHAPE_CUBOID = 1,       /* |r_k - centre_k| <= half_A[k] */
  SF_SHAPE_TRUNC_OCT = 2,    /* |r_k| <= d100_A and |x| + |y| + |z| <= sqrt(3) d111_A */
  SF_SHAPE_SLAB = 3          /* z_lo_A <= z < z_hi_A (a film) */
} sf_shape_kind;

/* A solid used to carve atoms. Coordinates are relative to centre_A (Å)
   except for the slab, which uses absolute z. d100_A and d111_A are the
   distances from the centre to the {100} and {111} facets of a truncated
   octahedron (an octahedron when d100_A >= sqrt(3) d111_A, a cube when
   d111_A >= sqrt(3) d100_A). */
typedef struct sf_shape {
  sf_shape_kind kind;
  double centre_A[3];
  double radius_A;
  double half_A[3];
  double d100_A, d111_A;
  double z_lo_A, z_hi_A;
} sf_shape;

/** 1 when the point r_A (Å) lies inside the shape (boundary included for
    the closed solids; the slab is [z_lo, z_hi)), 0 otherwise. */
int sf_shape_contains(const sf_shape *shape, const double r_A[3]);
/** Radius (Å) of a sphere about centre_A that holds the shape (slab:
    SF_EINVAL, it is unbounded), into *radius_A. Also checks the parameters:
    positive and finite sizes (SF_EINVAL naming the value). */
int sf_shape_bounding_radius(const sf_shape *shape, double *radius_A);
/** Keep only the atoms inside (keep_inside != 0) or outside the shape. */
int sf_structure_carve(sf_structure *s, const sf_shape *shape, int keep_inside);
/** Remove the atoms of s that lie closer than min_distance_A (Å, > 0) to an
    atom of ref (no periodic images: for particles in vacuum). *n_removed
    (optional) gets the count. Used at core-shell interfaces. */
int sf_structure_remove_close(sf_structure *s, const sf_structure *ref, double min_distance_A,
                              size_t *n_removed);

/* --- substitution --- */

/** Replace round(fraction * N) of the N atoms with atomic number from_Z (and,
    if tag >= 0, site tag `tag`) by to_Z, chosen uniformly at random without
    replacement: each candidate i gets the key u_i, the first uniform of
    stream (seed, SF_RNG_STREAM(SF_STRUCTURE_RNG_PURPOSE, 0), substream i),
    and the atoms with the smallest keys are replaced. The choice therefore
    depends only on seed and atom order. fraction in [0, 1] (SF_ERANGE),
    to_Z in 1..103. *n_replaced (optional) gets the count. */
int sf_structure_substitute(sf_structure *s, int from_Z, int tag, int to_Z, double fraction,
                            uint64_t seed, size_t *n_replaced);

/* --- frozen phonons (see potentials/sf_phonon.h for the model) --- */

struct sf_phonon_rms;
/** Frozen-phonon configuration `config` of s into *out (owned by the
    caller): each atom displaced by sf_phonon_displacements() with its own
    u_rms (or the per-element value in rms, which may be NULL), and kept with
    probability equal to its occupancy; kept atoms get occupancy 1. Positions
    are not wrapped. The cell and the u_rms column are unchanged. */
int sf_structure_phonon(const sf_structure *s, const struct sf_phonon_rms *rms, uint64_t seed,
                        uint64_t config, sf_structure **out);

/* --- preview --- */

/** Projection of s along z as a map named `name` added to set: each atom is
    a disc of radius radius_A (Å, > 0, anti-aliased over one pixel) of
    height occupancy * Z^1.7, summed, periodic in x and y. nx =
    max(1, round(a / pixel_A)) and the step is a / nx (likewise for y), so
    the image tiles the cell exactly; axes are calibrated in Å with pixel
    centres at (i + 1/2) step. *out (optional) points to the map (owned by
    the set). */
int sf_structure_project(const sf_structure *s, double pixel_A, double radius_A,
                         sf_imageset *set, const char *name, sf_map **out);

#ifdef __cplusplus
}
#endif
#endif
