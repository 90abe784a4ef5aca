/* The unit-cell database and the zone-axis cells: atoms per cell and
   stoichiometry of every crystal, nearest-neighbour distances against the
   bond lengths of crystals.md, and [001]/[110]/[111]/general cells that are
   pieces of the crystal (every atom and its images at +cell vectors are
   crystal sites), with the crystal's density. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "sim/sf_crystal.h"
#include "sim/sf_structure.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Geometry from exact fractions and lattice constants: a few ulps. */
#define TOL_GEOM 1e-9
/* Bond lengths quoted in crystals.md to 3 decimals: half a unit in the last place. */
#define TOL_BOND_3DP 0.0005
/* Mean bond lengths quoted to 2 decimals (Geller 1960). */
#define TOL_BOND_2DP 0.005
/* Neighbours within this of the shortest distance count as one shell (Å). */
#define SHELL_WIDTH 0.02

static const sf_crystal *crystal(const char *name) {
  const sf_crystal *c = NULL;
  cr_assert_eq(sf_crystal_find(name, &c), SF_OK, "%s", sf_error_message());
  return c;
}

static double cell_volume(const sf_crystal *c) {
  double L[3][3];
  sf_crystal_lattice(c, L);
  return fabs(L[0][0] * (L[1][1] * L[2][2] - L[1][2] * L[2][1]) -
              L[0][1] * (L[1][0] * L[2][2] - L[1][2] * L[2][0]) +
              L[0][2] * (L[1][0] * L[2][1] - L[1][1] * L[2][0]));
}

/* Distances from atom i of the conventional cell to every atom of element
   Zb within the 5x5x5 block of cells around it; returns the shortest,
   *n_shell gets how many lie within SHELL_WIDTH of it and *mean_k the mean
   of the k shortest (k = 0: not computed). */
typedef struct nn_result {
  double shortest;
  int n_shell;
  double mean_k;
} nn_result;

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static nn_result neighbours(const sf_crystal *c, const sf_crystal_atom *atoms, size_t n, size_t i,
                            int Zb, int k) {
  double L[3][3];
  sf_crystal_lattice(c, L);
  double *d = malloc(125 * n * sizeof *d);
  size_t nd = 0;
  for (int m0 = -2; m0 <= 2; ++m0)
    for (int m1 = -2; m1 <= 2; ++m1)
      for (int m2 = -2; m2 <= 2; ++m2)
        for (size_t j = 0; j < n; ++j) {
          if (atoms[j].Z != Zb || (j == i && !m0 && !m1 && !m2))
            continue;
          double f[3] = {atoms[j].frac[0] + m0 - atoms[i].frac[0],
                         atoms[j].frac[1] + m1 - atoms[i].frac[1],
                         atoms[j].frac[2] + m2 - atoms[i].frac[2]};
          double r[3];
          for (int q = 0; q < 3; ++q)
            r[q] = f[0] * L[0][q] + f[1] * L[1][q] + f[2] * L[2][q];
          d[nd++] = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        }
  qsort(d, nd, sizeof *d, compare_double);
  nn_result res = {d[0], 0, 0.0};
  for (size_t j = 0; j < nd && d[j] < d[0] + SHELL_WIDTH; ++j)
    res.n_shell++;
  for (int j = 0; j < k; ++j)
    res.mean_k += d[j] / k;
  free(d);
  return res;
}

static sf_crystal_atom *expand(const sf_crystal *c, size_t *n) {
  sf_crystal_atom *atoms = NULL;
  cr_assert_eq(sf_crystal_expand(c, &atoms, n), SF_OK, "%s", sf_error_message());
  return atoms;
}

/* Check the shell of Zb around every atom of site `label`. */
static void check_shell(const char *name, const char *label, int Zb, double expected_A,
                        int expected_n, double tol) {
  const sf_crystal *c = crystal(name);
  int site = -1;
  cr_assert_eq(sf_crystal_site_find(c, label, &site), SF_OK, "%s", sf_error_message());
  size_t n = 0;
  sf_crystal_atom *atoms = expand(c, &n);
  int checked = 0;
  for (size_t i = 0; i < n; ++i) {
    if (atoms[i].site != site)
      continue;
    nn_result r = neighbours(c, atoms, n, i, Zb, 0);
    cr_assert_float_eq(r.shortest, expected_A, tol, "%s %s-%d: %.6f Å, expected %.6f", name,
                       label, Zb, r.shortest, expected_A);
    cr_assert_eq(r.n_shell, expected_n, "%s %s: %d neighbours Z = %d, expected %d", name, label,
                 r.n_shell, Zb, expected_n);
    ++checked;
  }
  cr_assert(checked > 0);
  sf_free(atoms);
}

typedef struct composition {
  const char *name;
  int n_atoms;
  int Z[3];
  int count[3];
} composition;

/* Atoms per conventional cell and the composition of every database entry. */
Test(crystal, atoms_per_cell_and_stoichiometry) {
  static const composition table[] = {
      {"SrTiO3", 5, {38, 22, 8}, {1, 1, 3}},
      {"FePt-L10", 4, {26, 78, 0}, {2, 2, 0}},
      {"CoO", 8, {27, 8, 0}, {4, 4, 0}},
      {"CoS", 4, {27, 16, 0}, {2, 2, 0}},
      {"Co3O4", 56, {27, 8, 0}, {24, 32, 0}},
      {"ZnS-zincblende", 8, {30, 16, 0}, {4, 4, 0}},
      {"ZnS-wurtzite", 4, {30, 16, 0}, {2, 2, 0}},
      {"NiO", 8, {28, 8, 0}, {4, 4, 0}},
      {"ZrO2-cubic", 12, {40, 8, 0}, {4, 8, 0}},
      {"ZrO2-monoclinic", 12, {40, 8, 0}, {4, 8, 0}},
      {"Ga2O3-beta", 20, {31, 8, 0}, {8, 12, 0}},
      {"Si", 8, {14, 0, 0}, {8, 0, 0}},
      {"Au", 4, {79, 0, 0}, {4, 0, 0}},
      {"Pt", 4, {78, 0, 0}, {4, 0, 0}},
      {"Cu1.8S-digenite", 12, {16, 29, 0}, {4, 8, 0}},
  };
  size_t n_table = sizeof table / sizeof table[0];
  cr_assert_eq(sf_crystal_count(), n_table, "every database entry is listed here");
  for (size_t t = 0; t < n_table; ++t) {
    const sf_crystal *c = crystal(table[t].name);
    size_t n = 0;
    sf_crystal_atom *atoms = expand(c, &n);
    cr_assert_eq((int)n, table[t].n_atoms, "%s: %zu atoms per cell", c->name, n);
    int total = 0;
    for (int e = 0; e < 3 && table[t].Z[e]; ++e) {
      int count = 0;
      for (size_t i = 0; i < n; ++i)
        count += atoms[i].Z == table[t].Z[e];
      cr_assert_eq(count, table[t].count[e], "%s: %d atoms of Z = %d", c->name, count,
                   table[t].Z[e]);
      total += count;
    }
    cr_assert_eq(total, table[t].n_atoms, "%s: unexpected elements", c->name);
    /* Fractional coordinates in [0, 1), no two atoms on one site. */
    for (size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k)
        cr_assert(atoms[i].frac[k] >= 0.0 && atoms[i].frac[k] < 1.0);
    sf_free(atoms);
  }
  /* Digenite: 0.9 occupancy on 8 Cu sites per 4 S gives Cu1.8S. */
  const sf_crystal *dig = crystal("Cu1.8S-digenite");
  size_t n = 0;
  sf_crystal_atom *atoms = expand(dig, &n);
  double cu = 0, s = 0;
  for (size_t i = 0; i < n; ++i) {
    cu += atoms[i].Z == 29 ? atoms[i].occupancy : 0.0;
    s += atoms[i].Z == 16 ? atoms[i].occupancy : 0.0;
  }
  cr_assert_float_eq(cu / s, 1.8, TOL_GEOM);
  sf_free(atoms);
}

Test(crystal, lookup_errors) {
  const sf_crystal *c = NULL;
  cr_assert_eq(sf_crystal_find("SrTiO4", &c), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "'SrTiO4'"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "Co3O4"), "the message lists the known names: %s",
            sf_error_message());
  int site = 0;
  cr_assert_eq(sf_crystal_site_find(crystal("Co3O4"), "Mn", &site), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "Co_oct (16d)"), "%s", sf_error_message());
}

/* Default thermal factors: u_rms = sqrt(B / 8 pi^2) (Si: B = 0.461 -> 0.0764 Å). */
Test(crystal, default_u_rms_from_B) {
  size_t n = 0;
  sf_crystal_atom *atoms = expand(crystal("Si"), &n);
  cr_assert_float_eq(atoms[0].u_rms_A, sqrt(0.461 / (8 * SF_PI * SF_PI)), TOL_GEOM);
  sf_free(atoms);
}

Test(crystal, bond_lengths) {
  const double a_sto = 3.9053;
  check_shell("SrTiO3", "Ti", 8, a_sto / 2, 6, TOL_GEOM);
  check_shell("SrTiO3", "Sr", 8, a_sto / sqrt(2.0), 12, TOL_GEOM);
  check_shell("CoO", "Co", 8, 4.2615 / 2, 6, TOL_GEOM);
  check_shell("NiO", "Ni", 8, 4.1771 / 2, 6, TOL_GEOM);
  check_shell("CoS", "Co", 16, 2.333, 6, TOL_BOND_3DP);
  check_shell("Co3O4", "Co_tet", 8, 1.934, 4, TOL_BOND_3DP);
  check_shell("Co3O4", "Co_oct", 8, 1.921, 6, TOL_BOND_3DP);
  check_shell("ZnS-zincblende", "Zn", 16, 5.4145 * sqrt(3.0) / 4, 4, TOL_GEOM);
  check_shell("Si", "Si", 14, 5.431020511 * sqrt(3.0) / 4, 4, TOL_GEOM);
  check_shell("Au", "Au", 79, 4.07825 / sqrt(2.0), 12, TOL_GEOM);
  check_shell("Pt", "Pt", 78, 3.9231 / sqrt(2.0), 12, TOL_GEOM);
  check_shell("ZrO2-cubic", "Zr", 8, 5.09 * sqrt(3.0) / 4, 8, TOL_GEOM);
  check_shell("Cu1.8S-digenite", "Cu", 16, 5.57 * sqrt(3.0) / 4, 4, TOL_GEOM);
  /* L1_0 FePt: each Fe has 8 Pt at sqrt(a^2/4 + c^2/4) and 4 Fe at a/sqrt2 in its layer. */
  check_shell("FePt-L10", "Fe", 78, sqrt(3.852 * 3.852 / 4 + 3.713 * 3.713 / 4), 8, TOL_GEOM);
  check_shell("FePt-L10", "Fe", 26, 3.852 / sqrt(2.0), 4, TOL_GEOM);
}

/* Sorted distances (Å) from atom i to the k nearest atoms of element Zb. */
static void nearest_k(const sf_crystal *c, const sf_crystal_atom *atoms, size_t n, size_t i, int Zb,
                      int k, double *out) {
  for (int j = 1; j <= k; ++j)
    out[j - 1] = j * neighbours(c, atoms, n, i, Zb, j).mean_k -
                 (j > 1 ? (j - 1) * neighbours(c, atoms, n, i, Zb, j - 1).mean_k : 0.0);
}

/* Wurtzite: 3 basal Zn-S of sqrt(a^2/3 + ((1/2 - u) c)^2) = 2.342 (crystals.md
   [C]) and one axial u c = 2.346 (crystals.md's 2.348 is the ideal u = 3/8). */
Test(crystal, wurtzite_bonds) {
  const sf_crystal *c = crystal("ZnS-wurtzite");
  const double a = 3.8227, cc = 6.2607, u = 0.3747;
  size_t n = 0;
  sf_crystal_atom *atoms = expand(c, &n);
  for (size_t i = 0; i < n; ++i) {
    if (atoms[i].Z != 30)
      continue;
    double d[5];
    nearest_k(c, atoms, n, i, 16, 5, d);
    double basal = sqrt(a * a / 3 + (0.5 - u) * (0.5 - u) * cc * cc);
    for (int j = 0; j < 3; ++j)
      cr_assert_float_eq(d[j], basal, TOL_GEOM, "basal %d: %.6f", j, d[j]);
    cr_assert_float_eq(basal, 2.342, TOL_BOND_3DP);
    cr_assert_float_eq(d[3], u * cc, TOL_GEOM, "axial %.6f", d[3]);
    cr_assert(d[4] > 3.5, "4-fold coordination: 5th S at %.3f", d[4]);
  }
  sf_free(atoms);
}

/* Monoclinic cells. m-ZrO2 has 7 Zr-O bonds in 2.05-2.27 Å [C]. beta-Ga2O3:
   the Ahman et al. (1996) positions give tetrahedral Ga-O 1.8007, 1.8310 x 2,
   1.8513 (mean 1.8285, Geller 1960: 1.83) and octahedral 1.9366, 1.9772 x 2,
   2.0193, 2.0753 x 2 (mean 2.0101, Geller 1960: 2.00): the reference numbers
   below are an independent evaluation (Python, double precision) of the same
   positions and cell; the octahedral mean is 0.010 Å above Geller's older
   refinement, which docs/structures.md records. */
#define TOL_INDEPENDENT 1e-4 /* the reference distances are rounded to 4 decimals */
Test(crystal, monoclinic_coordination) {
  const sf_crystal *zr = crystal("ZrO2-monoclinic");
  size_t n = 0;
  sf_crystal_atom *atoms = expand(zr, &n);
  for (size_t i = 0; i < n; ++i) {
    if (atoms[i].Z != 40)
      continue;
    double d[8];
    nearest_k(zr, atoms, n, i, 8, 8, d);
    cr_assert(d[0] >= 2.05 - TOL_BOND_2DP && d[6] <= 2.27 + TOL_BOND_2DP,
              "Zr-O from %.4f to %.4f", d[0], d[6]);
    cr_assert(d[7] > 3.0, "the 8th O is not bonded: %.3f Å", d[7]);
  }
  sf_free(atoms);

  const sf_crystal *ga = crystal("Ga2O3-beta");
  atoms = expand(ga, &n);
  int tet = -1, oct = -1;
  cr_assert_eq(sf_crystal_site_find(ga, "Ga_tet", &tet), SF_OK);
  cr_assert_eq(sf_crystal_site_find(ga, "Ga_oct", &oct), SF_OK);
  static const double ref_tet[5] = {1.8007, 1.8310, 1.8310, 1.8513, 3.2497};
  static const double ref_oct[7] = {1.9366, 1.9772, 1.9772, 2.0193, 2.0753, 2.0753, 3.3887};
  int seen_tet = 0, seen_oct = 0;
  for (size_t i = 0; i < n; ++i) {
    double d[7];
    if (atoms[i].site == tet) {
      nearest_k(ga, atoms, n, i, 8, 5, d);
      for (int j = 0; j < 5; ++j)
        cr_assert_float_eq(d[j], ref_tet[j], TOL_INDEPENDENT, "Ga_tet-O %d: %.5f", j, d[j]);
      cr_assert_float_eq((d[0] + d[1] + d[2] + d[3]) / 4, 1.83, TOL_BOND_2DP);
      ++seen_tet;
    } else if (atoms[i].site == oct) {
      nearest_k(ga, atoms, n, i, 8, 7, d);
      for (int j = 0; j < 7; ++j)
        cr_assert_float_eq(d[j], ref_oct[j], TOL_INDEPENDENT, "Ga_oct-O %d: %.5f", j, d[j]);
      ++seen_oct;
    }
  }
  cr_assert_eq(seen_tet, 4);
  cr_assert_eq(seen_oct, 4);
  sf_free(atoms);
}

/* Fractional coordinates (crystal frame) of a lab-frame point of an exact
   zone-axis cell. */
static void lab_to_frac(const sf_crystal *c, const sf_crystal_cell_info *info, const double lab[3],
                        double f[3]) {
  double L[3][3], r[3] = {0, 0, 0};
  sf_crystal_lattice(c, L);
  for (int k = 0; k < 3; ++k)
    for (int q = 0; q < 3; ++q)
      r[k] += info->rotation[q][k] * lab[q];
  /* Solve f L = r (Cramer). */
  double det = L[0][0] * (L[1][1] * L[2][2] - L[1][2] * L[2][1]) -
               L[0][1] * (L[1][0] * L[2][2] - L[1][2] * L[2][0]) +
               L[0][2] * (L[1][0] * L[2][1] - L[1][1] * L[2][0]);
  for (int k = 0; k < 3; ++k) {
    double M[3][3];
    memcpy(M, L, sizeof M);
    for (int q = 0; q < 3; ++q)
      M[k][q] = r[q];
    f[k] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
            M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
            M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) /
           det;
  }
}

/* The crystal site with element Z at fractional f (modulo 1), or -1. */
static int site_at(const sf_crystal_atom *atoms, size_t n, int Z, const double f[3]) {
  for (size_t j = 0; j < n; ++j) {
    int same = atoms[j].Z == Z;
    for (int k = 0; k < 3 && same; ++k) {
      double d = f[k] - atoms[j].frac[k];
      d -= round(d);
      same = fabs(d) < 1e-6;
    }
    if (same)
      return atoms[j].site;
  }
  return -1;
}

static void check_zone_cell(const char *name, int u, int v, int w) {
  const sf_crystal *c = crystal(name);
  const int uvw[3] = {u, v, w};
  sf_structure *s = NULL;
  sf_crystal_cell_info info;
  cr_assert_eq(sf_crystal_cell(c, uvw, 0.0, 0, &s, &info), SF_OK, "%s [%d%d%d]: %s", name, u, v,
               w, sf_error_message());
  size_t n = 0;
  sf_crystal_atom *atoms = expand(c, &n);
  /* Exactly orthogonal, z along [uvw]. */
  cr_assert(info.max_angle_dev_deg < 1e-6, "%s [%d%d%d]: %.3g deg", name, u, v, w,
            info.max_angle_dev_deg);
  double L[3][3], t3[3];
  sf_crystal_lattice(c, L);
  for (int k = 0; k < 3; ++k)
    t3[k] = u * L[0][k] + v * L[1][k] + w * L[2][k];
  double nt = sqrt(t3[0] * t3[0] + t3[1] * t3[1] + t3[2] * t3[2]);
  for (int k = 0; k < 3; ++k)
    cr_assert_float_eq(info.rotation[2][k], t3[k] / nt, TOL_GEOM);
  /* Count and density. */
  cr_assert_eq(s->count, info.atoms);
  double density_cell = (double)s->count / (s->cell_A[0] * s->cell_A[1] * s->cell_A[2]);
  double density_crystal = (double)n / cell_volume(c);
  cr_assert_float_eq(density_cell, density_crystal, TOL_GEOM * density_crystal,
                     "%s [%d%d%d]: %.9f vs %.9f atoms/Å^3", name, u, v, w, density_cell,
                     density_crystal);
  /* Every atom, and its images at +a_cell, +b_cell, +c_cell, is a crystal
     site of the same element; the tag names that site. */
  for (size_t i = 0; i < s->count; ++i) {
    for (int img = 0; img < 4; ++img) {
      double lab[3] = {s->x_A[i], s->y_A[i], s->z_A[i]}, f[3];
      if (img)
        lab[img - 1] += s->cell_A[img - 1];
      lab_to_frac(c, &info, lab, f);
      int site = site_at(atoms, n, s->Z[i], f);
      cr_assert_eq(site, s->tag[i], "%s [%d%d%d]: atom %zu image %d is not on its site", name, u,
                   v, w, i, img);
    }
    cr_assert(s->x_A[i] >= 0 && s->x_A[i] < s->cell_A[0] && s->y_A[i] >= 0 &&
              s->y_A[i] < s->cell_A[1] && s->z_A[i] >= 0 && s->z_A[i] < s->cell_A[2]);
  }
  /* No two atoms on one position, also across the periodic boundary. */
  for (size_t i = 0; i < s->count; ++i)
    for (size_t j = i + 1; j < s->count; ++j) {
      double d[3] = {s->x_A[i] - s->x_A[j], s->y_A[i] - s->y_A[j], s->z_A[i] - s->z_A[j]};
      for (int k = 0; k < 3; ++k)
        d[k] -= s->cell_A[k] * round(d[k] / s->cell_A[k]);
      cr_assert(d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > 0.5, "%s: atoms %zu and %zu overlap",
                name, i, j);
    }
  sf_free(atoms);
  sf_structure_destroy(s);
}

Test(crystal, zone_axis_cells_are_periodic_pieces_of_the_crystal) {
  static const char *cubic[] = {"SrTiO3", "Au", "Si", "Co3O4", "ZnS-zincblende", "CoO"};
  for (size_t i = 0; i < sizeof cubic / sizeof cubic[0]; ++i) {
    check_zone_cell(cubic[i], 0, 0, 1);
    check_zone_cell(cubic[i], 1, 1, 0);
    check_zone_cell(cubic[i], 1, 1, 1);
  }
  check_zone_cell("SrTiO3", 2, 1, 0);
  check_zone_cell("SrTiO3", 1, -1, 2);
  check_zone_cell("FePt-L10", 1, 1, 0);
  check_zone_cell("FePt-L10", 1, 0, 0);
  check_zone_cell("CoS", 0, 0, 1);
  check_zone_cell("CoS", 1, 0, 0);
  check_zone_cell("CoS", 1, 1, 0);
  check_zone_cell("ZnS-wurtzite", 0, 0, 1);
  check_zone_cell("ZnS-wurtzite", 1, 1, 0);
}

/* The repeat vectors chosen for the low-index axes (docs/structures.md). */
Test(crystal, documented_repeat_vectors) {
  static const struct {
    const char *name;
    int uvw[3];
    int t[3][3];
  } cases[] = {
      {"SrTiO3", {0, 0, 1}, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
      {"SrTiO3", {1, 1, 0}, {{0, 0, 1}, {1, -1, 0}, {1, 1, 0}}},
      {"SrTiO3", {1, 1, 1}, {{1, 0, -1}, {-1, 2, -1}, {1, 1, 1}}},
      {"CoS", {0, 0, 1}, {{1, 0, 0}, {1, 2, 0}, {0, 0, 1}}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    sf_crystal_cell_info info;
    cr_assert_eq(sf_crystal_orient(crystal(cases[i].name), cases[i].uvw, 0.0, 0, &info), SF_OK,
                 "%s", sf_error_message());
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 3; ++k)
        cr_assert_eq(info.repeat[r][k], cases[i].t[r][k], "%s [%d%d%d]: t%d = [%d %d %d]",
                     cases[i].name, cases[i].uvw[0], cases[i].uvw[1], cases[i].uvw[2], r + 1,
                     info.repeat[r][0], info.repeat[r][1], info.repeat[r][2]);
  }
  /* SrTiO3 [001] is the unit cell itself, in the listed atom order. */
  sf_structure *s = NULL;
  const int z001[3] = {0, 0, 1};
  cr_assert_eq(sf_crystal_cell(crystal("SrTiO3"), z001, 0.0, 0, &s, NULL), SF_OK);
  cr_assert_eq(s->count, 5);
  cr_assert_eq(s->Z[0], 38);
  cr_assert_float_eq(s->x_A[1], 3.9053 / 2, TOL_GEOM);
  cr_assert_float_eq(s->z_A[1], 3.9053 / 2, TOL_GEOM);
  /* Orthohexagonal CoS: a x sqrt3 a x c with 8 atoms. */
  sf_structure_destroy(s);
  cr_assert_eq(sf_crystal_cell(crystal("CoS"), z001, 0.0, 0, &s, NULL), SF_OK);
  cr_assert_eq(s->count, 8);
  cr_assert_float_eq(s->cell_A[0], 3.367, TOL_GEOM);
  cr_assert_float_eq(s->cell_A[1], 3.367 * sqrt(3.0), TOL_GEOM);
  cr_assert_float_eq(s->cell_A[2], 5.160, TOL_GEOM);
  sf_structure_destroy(s);
}

/* Monoclinic beta-Ga2O3 along [010] has no exactly orthogonal cell: the
   error names the nearest approximant; with a tolerance it is built, with
   the crystal's density to second order in the shear. */
Test(crystal, monoclinic_approximant) {
  const sf_crystal *c = crystal("Ga2O3-beta");
  const int b[3] = {0, 1, 0};
  sf_structure *s = NULL;
  sf_crystal_cell_info info;
  cr_assert_eq(sf_crystal_cell(c, b, 0.0, 0, &s, &info), SF_EUNSUPPORTED);
  cr_assert_null(s);
  cr_assert(strstr(sf_error_message(), "Ga2O3-beta [0 1 0]"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "nearest"), "%s", sf_error_message());
  const double tol_deg = 0.5;
  cr_assert_eq(sf_crystal_cell(c, b, tol_deg, 0, &s, &info), SF_OK, "%s", sf_error_message());
  cr_assert(info.max_angle_dev_deg > 0 && info.max_angle_dev_deg <= tol_deg, "%g",
            info.max_angle_dev_deg);
  cr_assert_eq(s->count, info.atoms);
  cr_assert_eq(s->count % 20, 0);
  cr_assert_eq(sf_structure_count_Z(s, 31) * 3, sf_structure_count_Z(s, 8) * 2);
  cr_assert_float_eq(s->cell_A[2], 3.0371, TOL_GEOM);
  double shear = info.max_angle_dev_deg * SF_PI / 180;
  double density_cell = (double)s->count / (s->cell_A[0] * s->cell_A[1] * s->cell_A[2]);
  double density_crystal = 20.0 / cell_volume(c);
  cr_assert_float_eq(density_cell, density_crystal, shear * shear * density_crystal,
                     "%.9f vs %.9f", density_cell, density_crystal);
  sf_structure_destroy(s);
}

Test(crystal, supercell_counts) {
  const int z001[3] = {0, 0, 1};
  sf_structure *cell = NULL, *big = NULL;
  cr_assert_eq(sf_crystal_cell(crystal("SrTiO3"), z001, 0.0, 0, &cell, NULL), SF_OK);
  cr_assert_eq(sf_structure_supercell(cell, 4, 4, 5, &big), SF_OK);
  cr_assert_eq(big->count, 400);
  cr_assert_eq(sf_structure_count_Z(big, 8), 240);
  cr_assert_float_eq(big->cell_A[0], 4 * 3.9053, TOL_GEOM);
  cr_assert_float_eq(big->cell_A[2], 5 * 3.9053, TOL_GEOM);
  sf_structure_destroy(big);
  sf_structure_destroy(cell);
  const int z110[3] = {1, 1, 0};
  cr_assert_eq(sf_crystal_cell(crystal("Co3O4"), z110, 0.0, 0, &cell, NULL), SF_OK);
  cr_assert_eq(cell->count, 112); /* a x a sqrt2 x a sqrt2: 2 conventional cells */
  cr_assert_eq(sf_structure_supercell(cell, 2, 1, 3, &big), SF_OK);
  cr_assert_eq(big->count, 672);
  cr_assert_eq(sf_structure_count_Z(big, 27), 288);
  sf_structure_destroy(big);
  sf_structure_destroy(cell);
  const int zero[3] = {0, 0, 0};
  cr_assert_eq(sf_crystal_cell(crystal("Si"), zero, 0.0, 0, &cell, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "[0 0 0]"), "%s", sf_error_message());
}
