/* sf_crystal.h - the unit-cell database and the crystal builders: periodic
   orthorhombic cells along a zone axis, particles carved from the crystal
   (sphere, cuboid, truncated octahedron), and two-phase core-shell particles.

   Each database entry holds the lattice parameters of the conventional cell,
   its centring and its sites: a Wyckoff representative (x, y, z) with the
   operations that generate its orbit (frac = sign * (x, y, z) + shift, for
   each operation, then + each centring translation), the site occupancy and a
   default Debye-Waller factor B. Values and provenance tags ([F] read in a
   public source, [R] standard value not re-read in a primary source, [C]
   checked for consistency) follow shared data crystals.md and are repeated,
   with the citations, in sim/crystal_data.c and docs/structures.md.

   Cartesian crystal frame: a along x, b in the xy plane, c completing a
   right-handed set (a = (a, 0, 0), b = (b cos g, b sin g, 0), ...).

   Zone-axis cells: [uvw] is a direction in the conventional direct lattice
   (three-index, also for hexagonal crystals). The beam direction t3 =
   [uvw] / gcd(u, v, w) goes along lab z; t1 and t2 are the conventional
   lattice vectors (integer combinations of a, b, c; components up to
   max_index) perpendicular to t3 and to each other with the smallest cell
   area, then the shortest t1; (t1, t2, t3) is right-handed and t1 goes along
   lab x. An atom with fractional coordinates (g1, g2, g3) in the basis
   (t1, t2, t3) sits at (g1 |t1|, g2 |t2|, g3 |t3|). With angle_tol_deg = 0
   the cell is exact (orthogonal to 1e-9 rad); a positive tolerance accepts a
   near-orthogonal approximant (monoclinic crystals), which the fractional
   mapping turns into a small shear of at most the reported angle.

   Catalogue: sf_crystal_count, sf_crystal_get, sf_crystal_find,
   sf_crystal_lattice, sf_crystal_site_find, sf_crystal_expand,
   sf_crystal_orient, sf_crystal_cell, sf_crystal_particle,
   sf_crystal_core_shell. */
#ifndef SF_CRYSTAL_H
#define SF_CRYSTAL_H
#include "sim/sf_structure.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_centring {
  SF_CENTRING_P = 0, /* primitive */
  SF_CENTRING_F = 1, /* + (0,1/2,1/2), (1/2,0,1/2), (1/2,1/2,0) */
  SF_CENTRING_I = 2, /* + (1/2,1/2,1/2) */
  SF_CENTRING_C = 3  /* + (1/2,1/2,0) */
} sf_centring;

/* One generator of a site orbit: frac = sign * (x, y, z) + shift. */
typedef struct sf_crystal_op {
  signed char sign[3];
  double shift[3];
} sf_crystal_op;

typedef struct sf_crystal_site {
  int Z;
  const char *label;      /* unique within the crystal: "Co_oct", "O1" */
  const char *wyckoff;    /* "16d" */
  double param[3];        /* x, y, z of the representative (fractional) */
  int n_ops;
  const sf_crystal_op *ops;
  double occupancy;       /* in [0, 1] */
  double B_A2;            /* default Debye-Waller factor (Å^2); u_rms = sqrt(B / 8 pi^2) */
  const char *B_source;   /* where B comes from, with its provenance tag */
} sf_crystal_site;

typedef struct sf_crystal {
  const char *name;        /* database key: "SrTiO3", "ZnS-wurtzite" */
  const char *formula;     /* "SrTiO3" */
  const char *description; /* "cubic perovskite, Pm-3m (221)" */
  double a_A, b_A, c_A;    /* Å */
  double alpha_deg, beta_deg, gamma_deg;
  sf_centring centring;
  int n_sites;
  const sf_crystal_site *sites;
  int atoms_per_cell;      /* atoms in the conventional cell (checked by sf_crystal_expand) */
  const char *source;      /* citations and provenance tags */
} sf_crystal;

/* An atom of the conventional cell after expansion. */
typedef struct sf_crystal_atom {
  int Z;
  int site;          /* index into crystal->sites */
  double frac[3];    /* fractional coordinates in [0, 1) */
  double occupancy;
  double u_rms_A;    /* from the site's B */
} sf_crystal_atom;

/* Orientation of a zone-axis cell. */
typedef struct sf_crystal_cell_info {
  int uvw[3];              /* the requested zone axis */
  int repeat[3][3];        /* t1, t2, t3 in units of a, b, c (rows) */
  double length_A[3];      /* |t1|, |t2|, |t3| = the orthorhombic cell */
  double max_angle_dev_deg; /* largest deviation of a cell angle from 90 deg */
  double rotation[3][3];   /* rows: lab x, y, z as unit vectors of the crystal frame */
  size_t atoms;            /* atoms in the cell */
} sf_crystal_cell_info;

/* --- database --- */

/** Number of crystals in the database. */
size_t sf_crystal_count(void);
/** Crystal i (0 <= i < sf_crystal_count()), or NULL. Static storage. */
const sf_crystal *sf_crystal_get(size_t i);
/** Crystal by name (exact, case-sensitive: "SrTiO3", "Co3O4", "FePt-L10",
    "ZnS-zincblende", ...) into *out. SF_ENOENT with a message listing the
    known names. */
int sf_crystal_find(const char *name, const sf_crystal **out);
/** Lattice vectors a, b, c (rows, Å) in the Cartesian crystal frame. */
void sf_crystal_lattice(const sf_crystal *c, double L_A[3][3]);
/** Index of the site labelled `label` into *site; SF_ENOENT listing the
    crystal's labels otherwise. */
int sf_crystal_site_find(const sf_crystal *c, const char *label, int *site);
/** All atoms of the conventional cell (orbits expanded by the site
    operations and the centring, duplicates merged, wrapped into [0, 1)), in
    site order, into *atoms (free with sf_free) and *n. SF_ENUMERIC if the
    count differs from c->atoms_per_cell (a data error). */
int sf_crystal_expand(const sf_crystal *c, sf_crystal_atom **atoms, size_t *n);

/* --- periodic zone-axis cells --- */

/** Find the orthorhombic cell along [uvw] (see the header comment) with
    repeat-vector components up to max_index (>= 1; 0 means the default, 8)
    and cell angles within angle_tol_deg (>= 0) of 90 deg, into *info
    (atoms = expected count). SF_EUNSUPPORTED when there is none, naming the
    nearest candidate and its angle. */
int sf_crystal_orient(const sf_crystal *c, const int uvw[3], double angle_tol_deg,
                      int max_index, sf_crystal_cell_info *info);
/** Build that cell: *out (owned by the caller) holds every atom, with site
    tags, occupancy and u_rms from the database. info may be NULL. Tile it
    with sf_structure_supercell(). */
int sf_crystal_cell(const sf_crystal *c, const int uvw[3], double angle_tol_deg, int max_index,
                    sf_structure **out, sf_crystal_cell_info *info);

/* --- particles --- */

/** The atoms of the infinite crystal (lattice origin at the crystal-frame
    origin) whose positions lie inside `shape`, evaluated in the Cartesian
    crystal frame (so cuboid and truncated-octahedron faces follow the
    crystal axes; shape->centre_A is a crystal-frame point), rotated about
    the shape's centre so that [uvw] is along z (with the zone-axis cell's
    t1 along x where that cell exists, otherwise a projected onto the plane
    normal to [uvw]), then padded with vacuum_A (Å, > 0) on every side. A
    slab shape is SF_EINVAL (films are periodic cells; see sf_structure_carve). */
int sf_crystal_particle(const sf_crystal *c, const int uvw[3], const sf_shape *shape,
                        double vacuum_A, sf_structure **out);
/** Two-phase particle: the atoms of `core` inside core_shape, and the atoms
    of `shell` inside outer_shape but outside core_shape; both phases share
    the centre and are oriented as in sf_crystal_particle (each along its own
    [uvw]); shell atoms closer than min_separation_A (Å, > 0) to a core atom
    are removed (*n_removed, optional). Shell site tags are offset by
    core->n_sites. Padded with vacuum_A (Å, > 0). */
int sf_crystal_core_shell(const sf_crystal *core, const sf_crystal *shell, const int uvw[3],
                          const sf_shape *core_shape, const sf_shape *outer_shape,
                          double min_separation_A, double vacuum_A, sf_structure **out,
                          size_t *n_removed);

#ifdef __cplusplus
}
#endif
#endif
